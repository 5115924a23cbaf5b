"""`cds-index list`: the bundled definitions (or those in --folder), headings only."""

from __future__ import annotations

import argparse

from ..i18n import T, render
from .common import (
    EXIT_OK,
    Subparsers,
    echo,
    echo_json,
    folder_flag,
)


def add_parser(subparsers: Subparsers) -> None:
    p = subparsers.add_parser("list", help=render(T("the bundled definitions")))
    p.add_argument("--format", choices=["table", "json"], default="table")
    folder_flag(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..read.registry import list_definitions

    infos = list_definitions(checked=False)  # the headings only: instant (#14)
    if args.format == "json":
        echo_json([i.to_dict() for i in infos])
        return EXIT_OK
    from ..i18n import T, render

    for i in infos:
        # points, or yearly targets (`chỉ tiêu`), in the language of the command (#12)
        total = render(T("{points} points", points=i.total) if i.total else T("targets"), args.lang)
        echo(f"{i.id:<28} {i.level:<10} {i.decision:<14} {total:<10} {i.title}")
    return EXIT_OK
