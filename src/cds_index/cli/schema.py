"""`cds-index schema`: write the JSON Schema of every file kind, for editors."""

from __future__ import annotations

import argparse

from ..errors import Problem, UsageError
from ..i18n import T, render, system_reason
from .common import (
    EXIT_OK,
    Subparsers,
    echo,
)


def add_parser(subparsers: Subparsers) -> None:
    p = subparsers.add_parser(
        "schema", help=render(T("write the JSON Schema of every file kind, for editors"))
    )
    p.add_argument(
        "-o", "--output", default="schemas", metavar="DIR", help=render(T("folder (default: schemas)"))
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..formats.schema import write

    try:
        written = write(args.output)
    except OSError as exc:
        raise UsageError(
            Problem(
                "usage",
                T(
                    "cannot write the schemas into {folder}: {reason}",
                    folder=args.output,
                    reason=system_reason(exc),
                ),
            )
        ) from None
    for path in written:
        echo(str(path))
    return EXIT_OK
