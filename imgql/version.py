"""The package's version, kept apart so that every layer can read it."""

__all__ = ["__version__"]

__version__ = "0.1.0"
