"""The command line and the interactive shell, and queries embedded in
configuration files.
"""

from .commands import main

__all__ = ["main"]
