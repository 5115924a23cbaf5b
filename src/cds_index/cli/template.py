"""`cds-index template`: an inputs file (YAML or a workbook) to fill, listing every input."""

from __future__ import annotations

import argparse

from ..i18n import T, render
from .common import (
    EXIT_OK,
    Subparsers,
    echo,
    folder_flag,
    open_output,
    output_file,
    parse_year,
)


def add_parser(subparsers: Subparsers) -> None:
    p = subparsers.add_parser("template", help=render(T("an inputs file to fill, listing every input")))
    p.add_argument("definition", metavar="DEF")
    p.add_argument("--format", choices=["yaml", "xlsx"], default="yaml")
    p.add_argument("--year", type=parse_year, default=None)
    p.add_argument("-o", "--output", default=None)
    folder_flag(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..io.template import inputs_template
    from ..read.registry import load

    definition = load(args.definition)
    if args.format == "xlsx":
        from ..io.excel import write_template

        out = output_file(args.output or f"{definition.id}-template.xlsx")
        write_template(definition, out)
        echo(render(T("wrote {path}", path=str(out))))
        return EXIT_OK
    text = inputs_template(definition, year=args.year)
    if args.output:
        with open_output(args.output) as stream:
            stream.write(text if text.endswith("\n") else text + "\n")
        echo(render(T("wrote {path}", path=args.output)))
    else:
        echo(text)
    return EXIT_OK
