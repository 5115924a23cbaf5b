"""`cds-index report`: one self-contained HTML report per unit and a summary index.html."""

from __future__ import annotations

import argparse

from .common import (
    EXIT_INVALID,
    EXIT_OK,
    Subparsers,
    echo,
    folder_flag,
    output_folder,
    progress,
    score_units,
    units_parser,
)


def add_parser(subparsers: Subparsers) -> None:
    p = units_parser(subparsers, "report", "one self-contained HTML report per unit and a summary index.html")
    p.add_argument("-o", "--output", required=True, metavar="DIR")
    p.add_argument(
        "--by",
        default=None,
        help="rank by index, percent, total or a pillar id (default: the definition's ranking.by, as rank)",
    )
    folder_flag(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..read.registry import load
    from ..render.htmlreport import write_reports

    definition = load(args.definition)
    folder = output_folder(args.output)
    rows = progress(score_units(definition, args), args.lang, inputs=args.inputs)
    written, failed = write_reports(definition, rows, folder, lang=args.lang, by=args.by)
    problems = f"; {failed} unit(s) with problems" if failed else ""
    echo(f"wrote {len(written)} file(s) to {args.output}{problems}")
    return EXIT_INVALID if failed else EXIT_OK
