"""``python -m imgql.cli``: the command line."""

from .commands import main

main()
