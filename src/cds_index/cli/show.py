"""`cds-index show`: a definition as a table, JSON or Markdown, or its assumptions."""

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
    p = subparsers.add_parser("show", help=render(T("a definition as a table, JSON or Markdown")))
    p.add_argument("definition", metavar="DEF")
    p.add_argument("--format", choices=["table", "json", "markdown"], default="table")
    p.add_argument(
        "--assumptions", action="store_true", help=render(T("list every assumed rule with its reason"))
    )
    folder_flag(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..read.registry import load
    from ..render.report import assumptions, definition_json, definition_markdown, definition_table

    definition = load(args.definition)
    if args.assumptions:
        found = assumptions(definition)
        if args.format == "json":
            echo_json(found)
        else:
            for a in found:
                echo(f"{a['id']} [{a['kind']}] {a['title']}")
                echo("    " + render(T("assumed: {reading}", reading=a["assumed"])))
                for other in a.get("alternatives", ()):
                    echo("    " + render(T("other reading: {reading}", reading=other)))
            echo(
                render(T("{count} assumption(s) in {definition}", count=len(found), definition=definition.id))
            )
        return EXIT_OK
    if args.format == "json":
        echo_json(definition_json(definition))
    elif args.format == "markdown":
        echo(definition_markdown(definition, args.lang))
    else:
        echo(definition_table(definition, args.lang))
    return EXIT_OK
