"""`cds-index diff` (issue 6): what changed between two versions of a definition."""

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
    p = subparsers.add_parser(
        "diff", help=render(T("what changed between two versions: criteria, points, rules, totals"))
    )
    p.add_argument(
        "old",
        metavar="OLD",
        help=render(T("a path, an id, or id@YYYY-MM-DD (the version in force that day)")),
    )
    p.add_argument("new", metavar="NEW")
    p.add_argument("--format", choices=["text", "json", "markdown"], default="text")
    folder_flag(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..analyse.diff import diff, render_markdown, render_text
    from ..read.registry import load

    result = diff(load(args.old), load(args.new))
    if args.format == "json":
        echo_json(result.to_dict())
    else:
        echo(render_markdown(result) if args.format == "markdown" else render_text(result))
    return EXIT_OK
