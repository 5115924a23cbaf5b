"""`cds-index whatif`: score and rank units before and after a scenario (`kind: scenario`)."""

from __future__ import annotations

import argparse
import sys

from ..errors import Problem, UsageError
from ..i18n import T, render
from .common import (
    EXIT_INVALID,
    EXIT_OK,
    Subparsers,
    echo,
    echo_json,
    folder_flag,
    progress,
    units_parser,
)


def add_parser(subparsers: Subparsers) -> None:
    p = units_parser(
        subparsers,
        "whatif",
        render(T("score and rank units before and after a scenario (`kind: scenario`)")),
        ["table", "json", "markdown"],
        scenario=True,
    )
    p.add_argument(
        "--by",
        default=None,
        help=render(
            T("rank by index, percent, total or a pillar id (default: the definition's ranking.by, as rank)")
        ),
    )
    p.add_argument(
        "--top", type=int, default=3, help=render(T("how many criteria to name per unit (default 3)"))
    )
    folder_flag(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..analyse.scenario import read_scenario, render_table, whatif
    from ..io.batch import UnitFailure, read_units
    from ..read.registry import load

    scenario, base, changed = read_scenario(args.scenario, load(args.definition)).require()
    status = EXIT_OK
    units = []
    # parsed against the changed definition: it declares every input the scenario adds
    read = read_units(changed, args.inputs, year=args.year, number_format=args.number_format)
    for unit in progress(read, args.lang, inputs=args.inputs):
        if isinstance(unit, UnitFailure):
            for p in unit.problems:
                echo(p.format(), sys.stderr)
            status = EXIT_INVALID
            continue
        for p in unit.problems:
            echo(p.format(), sys.stderr)
        units.append(unit)
    if not units:
        raise UsageError(Problem("usage", T("no units to score in {inputs}", inputs=", ".join(args.inputs))))
    result = whatif(base, changed, units, by=args.by, lang=args.lang, name=scenario.id)
    if args.format == "json":
        echo_json(result.to_dict(top=args.top))
    else:
        echo(
            render_table(
                result,
                lang=args.lang,
                top=args.top,
                places=base.display.decimals,
                markdown=args.format == "markdown",
            )
        )
    if result.unranked:  # refused values under either version: not ranked, and said (#11)
        from ..i18n import render

        echo(render(T("{count} not ranked (bad data):", count=len(result.unranked))), sys.stderr)
        for unit_id, problems in result.unranked:
            echo(f"  {unit_id}", sys.stderr)
            for p in problems:
                echo("    " + p.format(), sys.stderr)
        status = EXIT_INVALID
    return status
