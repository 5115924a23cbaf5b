"""`cds-index sensitivity` (#15): which readings of the judgment calls move the ranking."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ..i18n import T, render
from ..io.safe import json_text
from .common import (
    EXIT_INVALID,
    EXIT_OK,
    Subparsers,
    echo,
    open_output,
    output_file,
    units_parser,
)


def add_parser(subparsers: Subparsers) -> None:
    p = units_parser(
        subparsers,
        "sensitivity",
        render(T("which readings move the ranking: every unit under each alternative reading")),
        ["table", "json", "markdown", "html"],
    )
    p.add_argument(
        "--top", type=_count(1, 10**6), default=10, help=render(T("the top K the verdict is about (10)"))
    )
    p.add_argument(
        "--combinations",
        type=_count(0, 10_000),
        default=0,
        metavar="N",
        help=render(T("N sampled combinations")),
    )
    p.add_argument(
        "--seed", type=_count(0, 2**63), default=0, help=render(T("the seed of the combinations (0)"))
    )
    p.add_argument(
        "--vary-index", action="store_true", help=render(T("also the index as sum vs mean of pillar %%"))
    )
    p.add_argument(
        "--vary-weights", action="store_true", help=render(T("also each pillar's weight ×0.5 and ×1.5"))
    )
    p.add_argument("-o", "--output", default=None)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..analyse.sensitivity import html_page, markdown, sensitivity, table
    from ..read.registry import load

    definition = load(args.definition)
    if args.output:
        output_file(args.output)
    report = sensitivity(
        definition,
        args.inputs,
        combinations=args.combinations,
        seed=args.seed,
        vary_index=args.vary_index,
        vary_weights=args.vary_weights,
        top=args.top,
        year=args.year,
        number_format=args.number_format,
    )
    with open_output(args.output) as stream:
        if args.format == "json":
            stream.write(json_text(json.dumps(report.to_dict(), ensure_ascii=False, indent=2)) + "\n")
        elif args.format == "html":
            stream.write(html_page(report, args.lang))
        elif args.format == "markdown":
            echo(markdown(report, args.lang), stream)
        else:
            echo(table(report, args.lang), stream)
    if args.output:  # on stderr: `-o /dev/stdout` keeps the report alone on stdout
        echo(render(T("wrote {path}", path=args.output)), sys.stderr)
    if report.refused:
        echo(render(T("{count} not ranked (bad data)", count=len(report.refused))), sys.stderr)
        return EXIT_INVALID
    return EXIT_OK


def _count(low: int, high: int) -> Any:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = low - 1
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(
                render(
                    T(
                        "a whole number from {low} to {high}, e.g. {example}; got {text}",
                        low=str(low),
                        high=str(high),
                        example=str(low + 1),
                        text=repr(text),
                    )
                )
            )
        return value

    return parse
