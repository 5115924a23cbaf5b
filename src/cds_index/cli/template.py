"""`cds-index template`: an inputs file (YAML or a workbook) to fill, listing every input."""

from __future__ import annotations

import argparse
import datetime as dt
import os
from pathlib import Path

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
    from ..read.registry import load, resolve

    path = resolve(args.definition)
    definition = load(path)
    if args.format == "xlsx":
        from ..io.excel import write_template

        out = output_file(args.output or f"{definition.id}-template.xlsx")
        write_template(definition, out)
        echo(render(T("wrote {path}", path=str(out))))
        return EXIT_OK
    day = _day_of(args.definition)
    year = args.year if args.year is not None else (day.year if day is not None else None)
    text = inputs_template(definition, year=year, reference=_reference(args.definition, path, args.output))
    if args.output:
        with open_output(args.output) as stream:
            stream.write(text if text.endswith("\n") else text + "\n")
        echo(render(T("wrote {path}", path=args.output)))
    else:
        echo(text)
    return EXIT_OK


def _day_of(ref: str) -> dt.date | None:
    """The day of an ``id@YYYY-MM-DD`` reference, else ``None``."""
    base, at, tail = ref.partition("@")
    if not at or base.endswith((".yaml", ".yml", ".json")):
        return None
    try:
        return dt.date.fromisoformat(tail.strip())
    except ValueError:
        return None


def _reference(ref: str, path: Path, output: str | None) -> str | None:
    """What the template's ``definition:`` says so that `check` and `score` find this very version again
    (#13): a bundled definition by its id (``id@date`` when a date was asked for); any other file (a path,
    or an id looked up with ``--folder``) by its path from the template's folder, which needs no
    ``--folder`` and cannot drift to another version."""
    from ..read.registry import bundled_dir

    here = path.resolve()
    if here.parent == bundled_dir().resolve():
        return ref.strip() if _day_of(ref) is not None else None
    start = Path(output).resolve().parent if output and output != "-" else Path.cwd()
    return Path(os.path.relpath(here, start)).as_posix()
