"""Subcommands of `python -m archive`: one module each, with `register(subparsers)`."""
