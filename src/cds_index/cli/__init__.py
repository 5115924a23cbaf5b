"""The `cds-index` command: exit 0 fine, 1 invalid input or definition, 2 usage, 3 a bug in us.

One module per command (`list`, `check`, `score`, …), each with its `add_parser(subparsers)` and its
`run(args) -> int`; what they share is in `common`; `main` builds the parser and runs a command.
Every module imports its heavy dependencies inside `run`, so `cds-index --help` stays cheap.
"""

from .main import build_parser, main

__all__ = ["build_parser", "main"]
