"""`cds-index report`: one self-contained HTML report per unit and a summary index.html."""

from __future__ import annotations

import argparse

from ..errors import Problem
from ..i18n import T, render
from .common import (
    EXIT_INVALID,
    EXIT_OK,
    Subparsers,
    echo,
    folder_flag,
    output_folder,
    progress,
    say_warnings,
    score_units,
    units_parser,
    warned,
)


def add_parser(subparsers: Subparsers) -> None:
    p = units_parser(
        subparsers, "report", render(T("one self-contained HTML report per unit and a summary index.html"))
    )
    p.add_argument("-o", "--output", required=True, metavar="DIR")
    p.add_argument(
        "--by",
        default=None,
        help=render(
            T("rank by index, percent, total or a pillar id (default: the definition's ranking.by, as rank)")
        ),
    )
    folder_flag(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..read.registry import load
    from ..render.htmlreport import write_reports

    definition = load(args.definition)
    folder = output_folder(args.output)
    warnings: list[Problem] = []
    rows = progress(warned(score_units(definition, args), warnings), args.lang, inputs=args.inputs)
    written, failed = write_reports(definition, rows, folder, lang=args.lang, by=args.by)
    say_warnings(warnings, args.lang)  # as `rank` (#11); the pages list them too
    message = (
        T(
            "wrote {count} file(s) to {folder}; {failed} unit(s) with problems",
            count=len(written),
            folder=args.output,
            failed=failed,
        )
        if failed
        else T("wrote {count} file(s) to {folder}", count=len(written), folder=args.output)
    )
    echo(render(message))
    return EXIT_INVALID if failed else EXIT_OK
