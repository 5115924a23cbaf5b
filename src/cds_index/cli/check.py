"""`cds-index check`: validate definitions, overlays, inputs and tests files (files, folders or ids)."""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from pathlib import Path

from ..i18n import T, render
from .common import (
    EXIT_INVALID,
    EXIT_OK,
    Subparsers,
    echo,
    echo_json,
    folder_flag,
)


def add_parser(subparsers: Subparsers) -> None:
    p = subparsers.add_parser(
        "check", help=render(T("validate definitions, overlays, inputs, tests (files, folders or ids)"))
    )
    p.add_argument("paths", nargs="+", metavar="PATH|ID")
    p.add_argument("--format", choices=["text", "json", "github"], default="text")
    p.add_argument(
        "-v", "--verbose", action="store_true", help=render(T("also print notes for non-definitions"))
    )
    p.add_argument(
        "--strict",
        action="store_true",
        help=render(T("warnings fail too (unused inputs, unassigned criteria)")),
    )
    p.add_argument(
        "--skip-other-yaml",
        action="store_true",
        help=render(
            T(
                "skip YAML files without a top-level `kind:` (not cds_index files: CI workflows, configs); "
                "used by the pre-commit hook"
            )
        ),
    )
    folder_flag(p)
    p.set_defaults(func=run)


_TABLES = {".xlsx", ".xlsm", ".xls", ".csv", ".tsv", ".ods"}


def _yaml_files(paths: Sequence[str]) -> list[Path]:
    from ..errors import Problem, UsageError

    files: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.suffix.lower() in _TABLES and not p.is_dir():  # never read as YAML text (#11)
            raise UsageError(
                Problem(
                    "usage",
                    T(
                        "{path} is a table or workbook: check reads definitions, overlays, inputs and tests "
                        "files (YAML or JSON); a table's values are checked as they are scored: cds-index "
                        "score DEFINITION {path}",
                        path=raw,
                    ),
                )
            )
        if p.is_dir():
            files.extend(sorted(x for x in p.rglob("*") if x.suffix in {".yaml", ".yml"}))
        elif p.exists() or p.suffix in {".yaml", ".yml"}:
            files.append(p)
        else:
            from ..read.registry import resolve

            files.append(resolve(raw))
    return files


_KIND_LINE = re.compile(rb"^kind[ \t]*:", re.M)


def _has_kind(path: Path) -> bool:
    """Whether a YAML file has a top-level `kind:` key (every cds_index file does; other YAML, such
    as CI workflows, does not). A misspelt kind still counts: `check` then says what is wrong."""
    try:
        return _KIND_LINE.search(path.read_bytes()) is not None
    except OSError:
        return True  # let check report the unreadable file


def run(args: argparse.Namespace) -> int:
    from ..check.checking import check_file
    from ..i18n import T, render

    files = _yaml_files(args.paths)
    if not files:  # a folder of workbooks only: "0 files checked" and exit 0 said nothing (#11)
        from ..errors import Problem, UsageError

        raise UsageError(
            Problem(
                "usage",
                T(
                    "no .yaml or .yml file in {paths}: nothing to check (a folder is searched for YAML "
                    "files; a JSON file is checked when named: cds-index check file.json)",
                    paths=", ".join(args.paths),
                ),
            )
        )
    if args.skip_other_yaml:
        files = [path for path in files if _has_kind(path)]
    reports = [check_file(path) for path in files]
    failed = any(not r.ok for r in reports) or (
        args.strict and any(p.severity == "warning" for r in reports for p in r.problems)
    )
    if args.format == "json":
        echo_json({"ok": not failed, "files": [r.to_dict() for r in reports]})
    elif args.format == "github":
        level = {"error": "error", "warning": "warning", "info": "notice"}
        for r in reports:
            for p in r.problems:
                loc = p.location
                where = f"file={loc.file or r.file}"
                if loc.line:
                    where += f",line={loc.line}"
                    if loc.column:
                        where += f",col={loc.column}"
                # the terminal's words: the criterion after the first line, the hint last (#11: a CI
                # annotation lost both, so a reviewer saw no node and nothing to write instead)
                first, _, rest = render(p.message).partition("\n")
                where_node = render(T(" (at {node})", node=p.node[-1])) if p.node else ""
                text = first + where_node + (f"\n{rest}" if rest else "")
                if p.hint:
                    text += "\n" + render(T("hint: {hint}", hint=p.hint))
                message = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
                echo(f"::{level[p.severity]} {where},title={p.code}::{message}")
            echo(r.summary())
    else:
        for r in reports:
            for p in r.problems:
                if p.severity != "info" or args.verbose or r.kind in {"definition", "overlay"}:
                    echo(p.format())
            echo(r.summary())
        echo(
            render(
                T(
                    "{files} file(s) checked, {failed} with errors",
                    files=len(reports),
                    failed=sum(not r.ok for r in reports),
                )
            )
        )
    return EXIT_INVALID if failed else EXIT_OK
