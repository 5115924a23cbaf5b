"""`cds-index test`: run rule tests written as data (`kind: tests` files)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import CdsIndexError, Problem, UsageError
from ..i18n import T, render, system_reason
from .common import (
    EXIT_INVALID,
    EXIT_OK,
    Subparsers,
    echo,
    folder_flag,
    is_pipe,
)


def add_parser(subparsers: Subparsers) -> None:
    p = subparsers.add_parser("test", help=render(T("run rule tests written as data (`kind: tests` files)")))
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("-v", "--verbose", action="store_true", help=render(T("also list the cases that pass")))
    p.add_argument(
        "-k",
        dest="keyword",
        action="append",
        default=[],
        metavar="TEXT",
        help=render(
            T("run only cases whose name contains TEXT (case and Vietnamese marks ignored; repeatable)")
        ),
    )
    p.add_argument("--junit-xml", default=None, metavar="FILE", help=render(T("write a JUnit XML report")))
    folder_flag(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run rule tests: `-k` picks cases by name, `--junit-xml` writes a report for CI dashboards (#14)."""
    from ..testing import CaseOutcome, TestsRun, collect, name_filter, write_junit

    files = collect(args.paths)
    if not files:
        raise UsageError(
            Problem("usage", T("no `kind: tests` files found under {paths}", paths=", ".join(args.paths)))
        )
    select = name_filter(args.keyword)
    if args.junit_xml and is_pipe(Path(args.junit_xml)):  # writing it would wait for a reader forever
        raise UsageError(
            Problem(
                "output-path",
                T(
                    "{path} is a pipe (FIFO), not a file: give a file name, e.g. {example}",
                    path=args.junit_xml,
                    example="junit.xml",
                ),
            )
        )
    outcomes: list[CaseOutcome] = []
    errors: list[tuple[str, str]] = []
    deselected = 0
    for path in files:
        try:
            _tests_kind(path)
            run = TestsRun.open(path)
        except CdsIndexError as exc:  # one broken file does not hide the others' results
            text = "\n".join(p.format() for p in exc.problems)
            echo(render(T("ERROR {path}: cannot run this tests file", path=str(path))) + "\n" + text)
            errors.append((str(path), text))
            continue
        for index, case in enumerate(run.tests.cases):
            if select is not None and not select(case.name):
                deselected += 1
                continue
            outcome = run.run(index)
            outcomes.append(outcome)
            if outcome.passed:
                if args.verbose:
                    echo(
                        render(
                            T(
                                "PASS {file}:{line}: {name}",
                                file=outcome.file,
                                line=str(outcome.line),
                                name=outcome.name,
                            )
                        )
                    )
            else:
                echo(render(T("FAIL {case}", case=outcome.describe())))
    if args.junit_xml:
        try:
            write_junit(outcomes, errors, args.junit_xml)
        except OSError as exc:
            raise UsageError(
                Problem(
                    "usage",
                    T("cannot write {path}: {reason}", path=args.junit_xml, reason=system_reason(exc)),
                )
            ) from None
    passed = sum(o.passed for o in outcomes)
    failed = len(outcomes) - passed
    parts = [T("{passed} passed, {failed} failed", passed=passed, failed=failed)]
    if errors:
        parts.append(T(", {count} file(s) with errors", count=len(errors)))
    if deselected:
        parts.append(T(", {count} deselected", count=deselected))
    echo("".join(render(part) for part in parts))
    if select is not None and not outcomes and not errors:
        raise UsageError(
            Problem("usage", T("no case name matches -k {names}", names=" -k ".join(args.keyword)))
        )
    return EXIT_INVALID if failed or errors else EXIT_OK


def _tests_kind(path: Path) -> None:
    """A file named that is of another kind (a definition, an inputs file) is said so once, not as a
    dozen unknown keys of a tests file (#11)."""
    from ..read.registry import read_document

    doc, problems = read_document(path)
    kind = doc.data.get("kind") if not problems and isinstance(doc.data, dict) else None
    if isinstance(kind, str) and kind != "tests":
        raise CdsIndexError(
            Problem(
                "kind-unknown",
                T(
                    "{path} is a `{kind}` file: `cds-index test` runs files of `kind: tests` (check this "
                    "one with `cds-index check`)",
                    path=str(path),
                    kind=kind,
                ),
                doc.location(("kind",)),
            )
        )
