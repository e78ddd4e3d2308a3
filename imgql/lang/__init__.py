"""The language: query text to a checked, immutable AST, and the AST back to text.

Nothing here knows about plans, HTTP or the command line; the layers above
import from this one, never the other way round.
"""

__all__: list[str] = []
