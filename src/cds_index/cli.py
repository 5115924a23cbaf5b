"""The `cds-index` command: exit 0 fine, 1 invalid input or definition, 2 usage, 3 a bug in us."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import traceback
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO

from .errors import CdsIndexError, Problem, UsageError

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_BUG = 0, 1, 2, 3


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _out(text: str, stream: TextIO | None = None) -> None:
    (stream or sys.stdout).write(text if text.endswith("\n") else text + "\n")


def _json(data: Any) -> None:
    _out(json.dumps(data, ensure_ascii=False, indent=2, default=str))


# --- list -------------------------------------------------------------------------------------


def cmd_list(args: argparse.Namespace) -> int:
    from .registry import list_definitions

    infos = list_definitions()
    if args.format == "json":
        _json([i.to_dict() for i in infos])
        return EXIT_OK
    for i in infos:
        total = f"{i.total} điểm" if i.total else "chỉ tiêu"
        _out(f"{i.id:<28} {i.level:<10} {i.decision:<14} {total:<10} {i.title}")
    return EXIT_OK


# --- check ------------------------------------------------------------------------------------


def _yaml_files(paths: Sequence[str]) -> list[Path]:
    files: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            files.extend(sorted(x for x in p.rglob("*") if x.suffix in {".yaml", ".yml"}))
        elif p.exists() or p.suffix in {".yaml", ".yml"}:
            files.append(p)
        else:
            from .registry import resolve

            files.append(resolve(raw))
    return files


def cmd_check(args: argparse.Namespace) -> int:
    from .checking import check_file

    reports = [check_file(path) for path in _yaml_files(args.paths)]
    failed = any(not r.ok for r in reports) or (
        args.strict and any(p.severity == "warning" for r in reports for p in r.problems)
    )
    if args.format == "json":
        _json({"ok": not failed, "files": [r.to_dict() for r in reports]})
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
                message = p.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
                _out(f"::{level[p.severity]} {where},title={p.code}::{message}")
            _out(r.summary())
    else:
        for r in reports:
            for p in r.problems:
                if p.severity != "info" or args.verbose or r.kind == "definition":
                    _out(p.format())
            _out(r.summary())
        _out(f"{len(reports)} file(s) checked, {sum(not r.ok for r in reports)} with errors")
    return EXIT_INVALID if failed else EXIT_OK


# --- show -------------------------------------------------------------------------------------


def cmd_show(args: argparse.Namespace) -> int:
    from .registry import load
    from .report import assumptions, definition_json, definition_markdown, definition_table

    definition = load(args.definition)
    if args.assumptions:
        found = assumptions(definition)
        if args.format == "json":
            _json(found)
        else:
            for a in found:
                _out(f"{a['id']} [{a['kind']}] {a['title']}\n    assumed: {a['assumed']}")
            _out(f"{len(found)} assumption(s) in {definition.id}")
        return EXIT_OK
    if args.format == "json":
        _json(definition_json(definition))
    elif args.format == "markdown":
        _out(definition_markdown(definition))
    else:
        _out(definition_table(definition))
    return EXIT_OK


# --- template ---------------------------------------------------------------------------------


def cmd_template(args: argparse.Namespace) -> int:
    from .registry import load
    from .template import inputs_template

    definition = load(args.definition)
    if args.format == "xlsx":
        from .excel import write_template

        out = Path(args.output or f"{definition.id}-template.xlsx")
        write_template(definition, out)
        _out(f"wrote {out}")
        return EXIT_OK
    text = inputs_template(definition, year=args.year)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        _out(f"wrote {args.output}")
    else:
        _out(text)
    return EXIT_OK


# --- score ------------------------------------------------------------------------------------


def cmd_score(args: argparse.Namespace) -> int:
    from .registry import load
    from .report import result_table
    from .units_io import read_unit

    definition = load(args.definition)
    if definition.scoring == "points" and _is_batch(args):
        return _score_batch(definition, args)
    status = EXIT_OK
    outputs = []
    for path in args.inputs:
        if definition.scoring == "targets":
            refused, payload = _score_targets(definition, path, args)
            if refused:
                status = EXIT_INVALID
            if payload is not None:
                outputs.append(payload)
            continue
        unit, problems = read_unit(definition, path, year=args.year, number_format=args.number_format)
        if unit is None:
            for p in problems:
                _out(p.format(), sys.stderr)
            status = EXIT_INVALID
            continue
        from .evaluate import score

        result = score(definition, unit, lang=args.lang)
        if not result.ok:
            status = EXIT_INVALID
        if args.format == "json":
            outputs.append(result.to_dict(rounded=args.rounded))
        else:
            _out(result_table(result, lang=args.lang, depth=args.depth, explain=not args.brief))
    if args.format == "json":
        _json(outputs[0] if len(outputs) == 1 else outputs)
    return status


def _is_batch(args: argparse.Namespace) -> bool:
    """Folders, CSV files, workbooks, CSV/Excel output or -o: a batch (one summary row per unit)."""
    from .batch import CSV_SUFFIXES, EXCEL_SUFFIXES

    tables = CSV_SUFFIXES + EXCEL_SUFFIXES
    return (
        args.format in {"csv", "xlsx"}
        or getattr(args, "output", None) is not None
        or any(Path(p).is_dir() or Path(p).suffix.lower() in tables for p in args.inputs)
    )


def _progress(rows: Any, lang: str = "vi") -> Any:
    """Count units on stderr as they are scored, only when stderr is a terminal."""
    import time

    what, bad = ("đơn vị", "lỗi") if lang == "vi" else ("units", "with problems")
    if not sys.stderr.isatty():
        yield from rows
        return
    failed = 0
    last = 0.0
    for count, row in enumerate(rows, start=1):
        failed += not row.ok
        now = time.monotonic()
        if now - last > 0.1:
            sys.stderr.write(f"\r{count} {what}" + (f", {failed} {bad}" if failed else "") + " …")
            sys.stderr.flush()
            last = now
        yield row
    sys.stderr.write("\r\033[K")
    sys.stderr.flush()


@contextlib.contextmanager
def _output(path: str | None) -> Iterator[TextIO]:
    """The file to write (UTF-8, newlines as written), or stdout."""
    if path is None:
        yield sys.stdout
        return
    with open(path, "w", encoding="utf-8", newline="") as stream:
        yield stream


def _score_batch(definition: Any, args: argparse.Namespace) -> int:
    """`score` over many units: one summary row per unit, streamed (table, json, csv) or a workbook."""
    from .batch import Tally, table_header, table_line, write_csv, write_json

    tally = Tally()
    rows = _progress(_score_many(definition, args, tally), args.lang)
    if args.format == "xlsx":
        from .excel import write_results

        out = Path(args.output or f"{definition.id}-results.xlsx")
        count, failed = write_results(definition, rows, out, lang=args.lang)
        _out(f"wrote {out}")
    else:
        with _output(args.output) as stream:
            if args.format == "csv":
                count, failed = write_csv(definition, rows, stream)
            elif args.format == "json":
                count, failed = write_json(rows, stream, rounded=args.rounded)
            else:
                _out(table_header(definition, args.lang), stream)
                count = failed = 0
                for count, row in enumerate(rows, start=1):  # noqa: B007 - count is used below
                    _out(table_line(definition, row, args.lang), stream)
                    failed += not row.ok
    _out(tally.line(args.lang), sys.stderr)  # read = scored + refused (#9)
    if count != tally.read:  # every row read is written: a bug in us otherwise
        raise CdsIndexError(f"{tally.read} units read but {count} written; please report this")
    return EXIT_INVALID if failed else EXIT_OK


def _score_many(definition: Any, args: argparse.Namespace, tally: Any = None) -> Any:
    from .batch import score_many

    return score_many(
        definition,
        args.inputs,
        year=args.year,
        lang=args.lang,
        number_format=args.number_format,
        tally=tally,
    )


# --- rank -------------------------------------------------------------------------------------


def cmd_rank(args: argparse.Namespace) -> int:
    from .batch import Tally, describe
    from .ranking import keys, ranking_json, ranking_rows, ranking_table
    from .registry import load

    definition = load(args.definition)
    if args.by not in keys(definition) and args.by not in definition.nodes():
        raise UsageError(
            Problem("usage", f"cannot rank by {args.by!r}: use one of " + ", ".join(keys(definition)))
        )
    results, unranked = [], []
    tally = Tally()
    for row in _progress(_score_many(definition, args, tally), args.lang):
        if row.ok and row.result is not None:
            results.append(row.result)
        else:
            unranked.append(row)
    with _output(args.output) as stream:
        if args.format == "json":
            json.dump(
                {
                    "definition": definition.id,
                    "by": args.by,
                    "ranking": ranking_json(definition, results, args.by),
                    "unranked": [
                        {
                            "unit_id": r.unit_id,
                            "unit_name": r.unit_name,
                            "source": r.source,
                            "problems": [p.to_dict() for p in r.problems],
                        }
                        for r in unranked
                    ],
                },
                stream,
                ensure_ascii=False,
                indent=2,
            )
            stream.write("\n")
        elif args.format == "csv":
            import csv

            from .numbers import plain

            columns, rows = ranking_rows(definition, results, args.by)
            writer = csv.writer(stream, lineterminator="\n")
            writer.writerow(columns)
            for values in rows:
                writer.writerow(
                    ["" if v is None else plain(v) if not isinstance(v, int | str) else v for v in values]
                )
        else:
            _out(
                ranking_table(
                    definition, results, args.by, lang=args.lang, markdown=args.format == "markdown"
                ),
                stream,
            )
    _out(tally.line(args.lang), sys.stderr)  # read = scored + refused (#9)
    if unranked:
        word = "không xếp hạng (số liệu lỗi)" if args.lang == "vi" else "not ranked (bad data)"
        _out(f"{len(unranked)} {word}:", sys.stderr)
        for row in unranked:
            _out(
                f"  {row.label}: " + "; ".join(describe(p) for p in row.problems if p.severity == "error"),
                sys.stderr,
            )
        return EXIT_INVALID
    return EXIT_OK


# --- report -----------------------------------------------------------------------------------


def cmd_report(args: argparse.Namespace) -> int:
    from .htmlreport import write_reports
    from .registry import load

    definition = load(args.definition)
    rows = _progress(_score_many(definition, args), args.lang)
    written, failed = write_reports(definition, rows, Path(args.output), lang=args.lang, by=args.by)
    problems = f"; {failed} unit(s) with problems" if failed else ""
    _out(f"wrote {len(written)} file(s) to {args.output}{problems}")
    return EXIT_INVALID if failed else EXIT_OK


def _score_targets(
    definition: Any, path: str, args: argparse.Namespace
) -> tuple[bool, dict[str, Any] | None]:
    """A yearly-targets definition: one year with --year, else every year and what must improve next.

    Prints the table, or returns the JSON payload (the caller prints one document for all units);
    the flag says whether a value was refused.
    """
    from .report import targets_table, years_table
    from .targets import evaluate_year, evaluate_years
    from .units_io import read_unit_years

    years, problems = read_unit_years(definition, path)
    for p in problems:
        _out(p.format(), sys.stderr)
    if not years:
        return True, None
    refused = [p for unit in years.values() for p in unit.problems]
    for p in refused:
        _out(p.format(), sys.stderr)
    values = {year: unit.values for year, unit in years.items() if year}
    unit = next(iter(years.values()))
    if args.year is not None:
        result = evaluate_year(definition, args.year, values.get(args.year, {}), lang=args.lang)
        if args.format == "json":
            return bool(refused), {"unit": {"id": unit.unit_id, "name": unit.unit_name}, **result.to_dict()}
        _out(targets_table(result, unit.unit_name or unit.unit_id, lang=args.lang))
    else:
        view = evaluate_years(definition, values, lang=args.lang)
        if args.format == "json":
            return bool(refused), {
                "unit": {"id": unit.unit_id, "name": unit.unit_name},
                "years": [r.to_dict() for r in view.results],
                "next_year": view.next_year,
                "gaps": [
                    {"id": g.id, "target_year": g.target_year, "explanation": g.explanation}
                    for g in view.gaps
                ],
            }
        _out(years_table(view, unit.unit_name or unit.unit_id, lang=args.lang))
    return bool(refused), None


# --- gaps -------------------------------------------------------------------------------------


def cmd_gaps(args: argparse.Namespace) -> int:
    from .gaps import gaps_table, points_gaps, target_gaps
    from .loader import load_model
    from .registry import load
    from .units_io import read_unit, read_unit_years

    definition = load(args.definition)
    overlay = None
    if args.overlay:
        from .overlay import Overlay, check_overlay

        overlay = load_model(Overlay, args.overlay)
        check_overlay(overlay, definition)  # raises when it applies to another definition
    status = EXIT_OK
    reports = []
    for path in args.inputs:
        if definition.scoring == "targets":
            from .targets import evaluate_year

            years, problems = read_unit_years(definition, path)
            if not years:
                for p in problems:
                    _out(p.format(), sys.stderr)
                status = EXIT_INVALID
                continue
            year = args.year or max(y for y in years if y)
            unit = years.get(year)
            if unit is None:
                raise UsageError(Problem("usage", f"{path} has no values for {year}"))
            result = evaluate_year(definition, year, unit.values, lang=args.lang)
            reports.append(
                target_gaps(result, definition, unit.unit_name or unit.unit_id, overlay, lang=args.lang)
            )
        else:
            from .evaluate import score

            scored_unit, problems = read_unit(
                definition, path, year=args.year, number_format=args.number_format
            )
            if scored_unit is None:
                for p in problems:
                    _out(p.format(), sys.stderr)
                status = EXIT_INVALID
                continue
            reports.append(
                points_gaps(
                    score(definition, scored_unit, lang=args.lang), definition, overlay, lang=args.lang
                )
            )
    if args.format == "json":
        _json([r.to_dict() for r in reports] if len(reports) != 1 else reports[0].to_dict())
    else:
        for r in reports:
            _out(gaps_table(r, lang=args.lang, markdown=args.format == "markdown"))
    return status


# --- serve ------------------------------------------------------------------------------------


def cmd_serve(args: argparse.Namespace) -> int:
    try:
        import fastapi  # noqa: F401
        import uvicorn  # noqa: F401

        from .server import serve
    except ImportError:
        raise UsageError(
            Problem("usage", "the HTTP API needs the `server` extra: pip install 'cds-index[server]'")
        ) from None
    serve(args.host, args.port)
    return EXIT_OK


# --- test -------------------------------------------------------------------------------------


def cmd_test(args: argparse.Namespace) -> int:
    from .testing import collect, run_file

    files = collect(args.paths)
    if not files:
        raise UsageError(Problem("usage", "no `kind: tests` files found under " + ", ".join(args.paths)))
    passed = failed = 0
    for path in files:
        for outcome in run_file(path):
            if outcome.passed:
                passed += 1
                if args.verbose:
                    _out(f"PASS {outcome.file}:{outcome.line}: {outcome.name}")
            else:
                failed += 1
                _out("FAIL " + outcome.describe())
    _out(f"{passed} passed, {failed} failed")
    return EXIT_INVALID if failed else EXIT_OK


# --- diff (issue 6) ---------------------------------------------------------------------------


def cmd_diff(args: argparse.Namespace) -> int:
    from .diff import diff, load_ref, render_markdown, render_text

    result = diff(load_ref(args.old, args.folder), load_ref(args.new, args.folder))
    if args.format == "json":
        _json(result.to_dict())
    else:
        _out(render_markdown(result) if args.format == "markdown" else render_text(result))
    return EXIT_OK


def cmd_whatif(args: argparse.Namespace) -> int:
    from .batch import UnitFailure, read_units
    from .diff import load_ref
    from .scenario import load_scenario, render_table, whatif

    scenario, base, changed = load_scenario(args.scenario, load_ref(args.definition))
    status = EXIT_OK
    units = []
    # parsed against the changed definition: it declares every input the scenario adds
    for unit in read_units(changed, args.inputs, year=args.year, number_format=args.number_format):
        if isinstance(unit, UnitFailure):
            for p in unit.problems:
                _out(p.format(), sys.stderr)
            status = EXIT_INVALID
            continue
        for p in unit.problems:
            _out(p.format(), sys.stderr)
        units.append(unit)
    if not units:
        raise UsageError(Problem("usage", "no units to score in " + ", ".join(args.inputs)))
    result = whatif(base, changed, units, by=args.by, lang=args.lang, name=scenario.id)
    if args.format == "json":
        _json(result.to_dict(top=args.top))
    else:
        _out(
            render_table(
                result,
                lang=args.lang,
                top=args.top,
                places=base.display.decimals,
                markdown=args.format == "markdown",
            )
        )
    return status


# --- wiring -----------------------------------------------------------------------------------


def _units_parser(
    sub: Any, name: str, help: str, formats: list[str] | None = None, *, scenario: bool = False
) -> argparse.ArgumentParser:
    """A subcommand over a definition and units: DEF [SCENARIO] INPUTS…, --format, --lang, --year."""
    p: argparse.ArgumentParser = sub.add_parser(name, help=help)
    p.add_argument("definition", metavar="DEF")
    if scenario:
        p.add_argument("scenario", metavar="SCENARIO")
    p.add_argument(
        "inputs", nargs="+", metavar="INPUTS", help="inputs files, folders, CSV files or workbooks"
    )
    if formats:
        p.add_argument("--format", choices=formats, default=formats[0])
    p.add_argument("--lang", choices=["vi", "en"], default="vi")
    p.add_argument("--year", type=int, default=None)
    p.add_argument(
        "--number-format",
        choices=["vi", "en"],
        default=None,
        help="how the files write numbers: vi (1.000 is one thousand, 0,5 a half) or en (1,000; 0.5); "
        "default: the definition's, else a number with two readings is refused",
    )
    return p


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="cds-index",
        description="Digital-transformation indices (DTI) of Vietnamese provinces: check definitions, "
        "score units, explain every point.",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p: argparse.ArgumentParser = sub.add_parser("list", help="the bundled definitions")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("check", help="validate definitions, overlays, inputs, tests (files, folders or ids)")
    p.add_argument("paths", nargs="+", metavar="PATH|ID")
    p.add_argument("--format", choices=["text", "json", "github"], default="text")
    p.add_argument("-v", "--verbose", action="store_true", help="also print notes for non-definitions")
    p.add_argument(
        "--strict", action="store_true", help="warnings fail too (unused inputs, unassigned criteria)"
    )
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("show", help="a definition as a table, JSON or Markdown")
    p.add_argument("definition", metavar="DEF")
    p.add_argument("--format", choices=["table", "json", "markdown"], default="table")
    p.add_argument("--assumptions", action="store_true", help="list every assumed rule with its reason")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("template", help="an inputs file to fill, listing every input")
    p.add_argument("definition", metavar="DEF")
    p.add_argument("--format", choices=["yaml", "xlsx"], default="yaml")
    p.add_argument("--year", type=int, default=None)
    p.add_argument("-o", "--output", default=None)
    p.set_defaults(func=cmd_template)

    p = _units_parser(
        sub,
        "score",
        "score units from inputs files, folders, CSV files or workbooks",
        ["table", "json", "csv", "xlsx"],
    )
    p.add_argument("-o", "--output", default=None, help="write to this file (a batch: one row per unit)")
    p.add_argument("--depth", type=int, default=None, help="show only this many levels of the tree")
    p.add_argument("--brief", action="store_true", help="no explanations")
    p.add_argument("--rounded", action="store_true", help="JSON points rounded for display")
    p.set_defaults(func=cmd_score)

    p = _units_parser(
        sub,
        "rank",
        "rank units by total, final index or a pillar (ties share a rank)",
        ["table", "json", "csv", "markdown"],
    )
    p.add_argument("--by", default="total", help="total, index or a pillar id (default: total)")
    p.add_argument("-o", "--output", default=None)
    p.set_defaults(func=cmd_rank)

    p = _units_parser(sub, "report", "one self-contained HTML report per unit and a summary index.html")
    p.add_argument("-o", "--output", required=True, metavar="DIR")
    p.add_argument(
        "--by", default=None, help="rank by total, index or a pillar id (default: the final index)"
    )
    p.set_defaults(func=cmd_report)

    p = _units_parser(
        sub, "gaps", "points lost or targets unmet, by responsible unit", ["table", "json", "markdown"]
    )
    p.add_argument("--overlay", default=None, help="a responsibility overlay (`kind: overlay`) file")
    p.set_defaults(func=cmd_gaps)

    p = sub.add_parser("serve", help="the HTTP API (needs the `server` extra)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("test", help="run rule tests written as data (`kind: tests` files)")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("-v", "--verbose", action="store_true")
    p.set_defaults(func=cmd_test)

    p = sub.add_parser("diff", help="what changed between two versions: criteria, points, rules, totals")
    p.add_argument(
        "old", metavar="OLD", help="a path, an id, or id@YYYY-MM-DD (the version in force that day)"
    )
    p.add_argument("new", metavar="NEW")
    p.add_argument("--format", choices=["text", "json", "markdown"], default="text")
    p.add_argument("--folder", default=None, help="look ids up in this folder instead of the bundled one")
    p.set_defaults(func=cmd_diff)

    p = _units_parser(
        sub,
        "whatif",
        "score and rank units before and after a scenario (`kind: scenario`)",
        ["table", "json", "markdown"],
        scenario=True,
    )
    p.add_argument("--by", default="total", help="rank by total (default), index, or a pillar id")
    p.add_argument("--top", type=int, default=3, help="how many criteria to name per unit (default 3)")
    p.set_defaults(func=cmd_whatif)

    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code) if isinstance(exc.code, int) else EXIT_USAGE
    try:
        code: int = args.func(args)
        return code
    except UsageError as exc:
        for p in exc.problems:
            _out(p.format(), sys.stderr)
        return EXIT_USAGE
    except CdsIndexError as exc:
        for p in exc.problems:
            _out(p.format(), sys.stderr)
        return EXIT_INVALID
    except BrokenPipeError:
        return EXIT_OK
    except KeyboardInterrupt:
        return 130
    except Exception:  # the last line of defence: never a bare traceback
        log = Path.home() / ".cds-index-crash.log"
        try:
            log.write_text(traceback.format_exc(), encoding="utf-8")
            where = f" (details in {log})"
        except OSError:
            where = ""
        _out(
            f"cds-index: internal error: {sys.exc_info()[1]!r}{where}\n"
            "This is a bug in cds_index, not in your files. Please report it with the command you ran.",
            sys.stderr,
        )
        return EXIT_BUG


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
