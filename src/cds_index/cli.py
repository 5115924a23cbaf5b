"""The `cds-index` command: exit 0 fine, 1 invalid input or definition, 2 usage, 3 a bug in us."""

from __future__ import annotations

import argparse
import contextlib
import errno
import json
import os
import re
import stat
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO, cast

from .errors import CdsIndexError, Location, Problem, UsageError
from .io.safe import json_text, terminal

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_BUG = 0, 1, 2, 3


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        print(terminal(f"{self.prog}: error: {message}"), file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _out(text: str, stream: TextIO | None = None) -> None:
    """Print a line; unit names and messages in it come from the data, so escapes are removed."""
    text = terminal(text)
    (stream or sys.stdout).write(text if text.endswith("\n") else text + "\n")


def _json(data: Any) -> None:
    _out(json_text(json.dumps(data, ensure_ascii=False, indent=2, default=str)))


def _year(text: str) -> int:
    """``--year``: an assessment year, refused as a usage error (exit 2) when absurd."""
    from .engine.evaluate import check_year

    try:
        year = check_year(int(text))
    except (ValueError, UsageError):
        raise argparse.ArgumentTypeError(f"{text!r} is not a year: write it as 2024") from None
    assert year is not None
    return year


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port: a number from 0 to 65535, e.g. 8000")
    return port


def _is_pipe(path: Path) -> bool:
    try:
        return stat.S_ISFIFO(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def _output_file(path: str | Path, *, pipe: bool = False) -> Path:
    """An output file, checked before any work: its folder must exist and it must not be a folder; a
    named pipe (FIFO) only where the output is a stream (``pipe``), never for a workbook or a report."""
    out = Path(path)
    if _is_pipe(out) and not pipe:
        raise UsageError(
            Problem("output-path", f"{out} is a pipe (FIFO), not a file: give a file name, e.g. ket-qua.xlsx")
        )
    if out.is_dir():
        raise UsageError(
            Problem("output-path", f"{out} is a folder: give a file name, e.g. {out / 'ket-qua.csv'}")
        )
    if not out.parent.is_dir():
        raise UsageError(
            Problem(
                "output-path", f"the folder {out.parent} does not exist: create it first, or write elsewhere"
            )
        )
    return out


def _output_folder(path: str | Path) -> Path:
    """An output folder (created when missing), checked before any work: it must not be a file."""
    out = Path(path)
    if out.exists() and not out.is_dir():
        raise UsageError(
            Problem("output-path", f"{out} is a file, not a folder: give a folder for the reports")
        )
    return out


# --- list -------------------------------------------------------------------------------------


def cmd_list(args: argparse.Namespace) -> int:
    from .read.registry import list_definitions

    infos = list_definitions(checked=False)  # the headings only: instant (#14)
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
            from .read.registry import resolve

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


def cmd_check(args: argparse.Namespace) -> int:
    from .check.checking import check_file

    files = _yaml_files(args.paths)
    if args.skip_other_yaml:
        files = [path for path in files if _has_kind(path)]
    reports = [check_file(path) for path in files]
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
                if p.severity != "info" or args.verbose or r.kind in {"definition", "overlay"}:
                    _out(p.format())
            _out(r.summary())
        _out(f"{len(reports)} file(s) checked, {sum(not r.ok for r in reports)} with errors")
    return EXIT_INVALID if failed else EXIT_OK


# --- schema ---------------------------------------------------------------------------------


def cmd_schema(args: argparse.Namespace) -> int:
    from .formats.schema import write

    try:
        written = write(args.output)
    except OSError as exc:
        raise UsageError(Problem("usage", f"cannot write the schemas into {args.output}: {exc}")) from None
    for path in written:
        _out(str(path))
    return EXIT_OK


# --- show -------------------------------------------------------------------------------------


def cmd_show(args: argparse.Namespace) -> int:
    from .read.registry import load
    from .render.report import assumptions, definition_json, definition_markdown, definition_table

    definition = load(args.definition)
    if args.assumptions:
        found = assumptions(definition)
        if args.format == "json":
            _json(found)
        else:
            for a in found:
                _out(f"{a['id']} [{a['kind']}] {a['title']}\n    assumed: {a['assumed']}")
                for other in a.get("alternatives", ()):
                    _out(f"    other reading: {other}")
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
    from .io.template import inputs_template
    from .read.registry import load

    definition = load(args.definition)
    if args.format == "xlsx":
        from .io.excel import write_template

        out = _output_file(args.output or f"{definition.id}-template.xlsx")
        write_template(definition, out)
        _out(f"wrote {out}")
        return EXIT_OK
    text = inputs_template(definition, year=args.year)
    if args.output:
        with _output(args.output) as stream:
            stream.write(text if text.endswith("\n") else text + "\n")
        _out(f"wrote {args.output}")
    else:
        _out(text)
    return EXIT_OK


# --- score ------------------------------------------------------------------------------------


def cmd_score(args: argparse.Namespace) -> int:
    from .read.registry import load
    from .read.units_io import read_unit
    from .render.documents import result_json
    from .render.report import result_table

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
        from .engine.evaluate import score

        result = score(definition, unit, lang=args.lang)
        if not result.ok:
            status = EXIT_INVALID
        if args.format == "json":
            outputs.append(result_json(result, rounded=args.rounded))
        else:
            _out(result_table(result, lang=args.lang, depth=args.depth, explain=not args.brief))
    if args.format == "json":
        _json(outputs[0] if len(outputs) == 1 else outputs)
    return status


def _is_batch(args: argparse.Namespace) -> bool:
    """Folders, CSV files, workbooks, CSV/Excel output or -o: a batch (one summary row per unit)."""
    from .io.batch import CSV_SUFFIXES, EXCEL_SUFFIXES

    tables = CSV_SUFFIXES + EXCEL_SUFFIXES
    return (
        args.format in {"csv", "xlsx"}
        or getattr(args, "output", None) is not None
        or any(Path(p).is_dir() or Path(p).suffix.lower() in tables for p in args.inputs)
    )


def _count_units(paths: Sequence[str]) -> int | None:
    """How many units the inputs hold, when cheap to know: one per inputs file, a CSV's lines less
    its header; ``None`` when a workbook is among them (its rows are only known by reading it)."""
    import functools

    from .io.batch import CSV_SUFFIXES, EXCEL_SUFFIXES, expand
    from .read.loader import open_input

    total = 0
    try:
        for path in expand(paths):
            suffix = path.suffix.lower()
            if suffix in EXCEL_SUFFIXES:
                return None
            if suffix in CSV_SUFFIXES:
                handle, _ = open_input(path)  # never a FIFO or a device: the reader reports those
                if handle is None:
                    return None  # the bar just has no total
                with handle:
                    chunks = iter(functools.partial(handle.read, 1 << 20), b"")
                    lines = sum(chunk.count(b"\n") for chunk in chunks)
                total += max(lines - 1, 0)
            else:
                total += 1
    except OSError:
        return None  # the reader reports the unreadable file; the bar just has no total
    return total


def _failed(item: Any) -> bool:
    """A row (BatchRow) that is not ok, a unit that could not be read, or one with refused values."""
    if hasattr(item, "ok"):
        return not item.ok
    return any(getattr(p, "severity", "error") == "error" for p in getattr(item, "problems", ()))


def _progress(items: Any, lang: str = "vi", *, inputs: Sequence[str] = ()) -> Any:
    """Yield ``items`` unchanged; on a terminal, show on stderr how many are done, of how many (the
    units counted in ``inputs``), the rate and the time left (rich's bar with the `cli` extra, else a
    plain line). Silent, and counts nothing, when stderr is not a terminal (a pipe, a file, CI)."""
    if not sys.stderr.isatty():
        yield from items
        return
    total = _count_units(inputs) if inputs else None
    what = "đơn vị" if lang == "vi" else "units"
    bad = "lỗi" if lang == "vi" else "with problems"
    try:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            ProgressColumn,
            SpinnerColumn,
            Task,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
        from rich.text import Text
    except ImportError:
        yield from _plain_progress(items, total, what, bad)
        return

    class Rate(ProgressColumn):
        def render(self, task: Task) -> Text:
            speed = task.finished_speed or task.speed
            return Text("" if speed is None else f"{speed:,.1f} {what}/s", style="progress.data.speed")

    columns: list[Any] = [SpinnerColumn(), TextColumn("{task.description}")]
    if total is not None:
        columns += [BarColumn(), MofNCompleteColumn()]
    else:
        columns += [TextColumn("{task.completed} " + what)]
    columns += [Rate(), TimeElapsedColumn()]
    if total is not None:
        columns += [TextColumn("còn" if lang == "vi" else "left"), TimeRemainingColumn()]
    failed = 0
    # Lines written meanwhile go above the bar: stderr's always, stdout's when it is the terminal
    # too (a piped stdout is left alone, so `> out.csv` gets every byte and nothing else).
    with Progress(
        *columns,
        console=Console(stderr=True),
        transient=True,
        redirect_stdout=sys.stdout.isatty(),
        redirect_stderr=True,
    ) as bar:
        task = bar.add_task("", total=total)
        for item in items:
            if _failed(item):
                failed += 1
                bar.update(task, description=f"[red]{failed} {bad}[/red]")
            bar.advance(task)
            yield item


def _plain_progress(items: Any, total: int | None, what: str, bad: str) -> Any:
    """The progress line without rich: `120/500 đơn vị, 40.0/s, ~9 s left`, redrawn in place.

    Drawn after each unit is handed on and cleared before the next, so a line the caller prints to
    the same terminal meanwhile is never written over the progress text.
    """
    import time

    together = sys.stdout.isatty()
    started = time.monotonic()
    last = started - 1  # the first unit draws the line at once
    failed = 0
    drawn = False
    for count, item in enumerate(items, start=1):
        failed += _failed(item)
        if drawn and together:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()
            drawn = False
        yield item
        now = time.monotonic()
        if now - last > 0.1:
            rate = count / (now - started) if now > started else 0.0
            text = f"{count}/{total} {what}" if total else f"{count} {what}"
            text += f", {rate:,.1f}/s"
            if total and rate and total > count:
                text += f", ~{(total - count) / rate:.0f} s left"
            if failed:
                text += f", {failed} {bad}"
            sys.stderr.write("\r\033[K" + text)
            sys.stderr.flush()
            drawn = True
            last = now
    sys.stderr.write("\r\033[K")
    sys.stderr.flush()


class _Stdout:
    """``sys.stdout`` as it is at each write, so a progress bar that redirects it (to print lines
    above itself) sees the lines written while it runs."""

    def write(self, text: str) -> int:
        # on a terminal, what a writer streams loses its escape sequences (``safe.terminal``)
        return sys.stdout.write(terminal(text) if sys.stdout.isatty() else text)

    def flush(self) -> None:
        sys.stdout.flush()


@contextlib.contextmanager
def _output(path: str | None) -> Iterator[TextIO]:
    """The file to write (UTF-8, newlines as written), or stdout."""
    if path is None:
        yield cast(TextIO, _Stdout())
        return
    with _open_text(_output_file(path, pipe=True)) as stream:
        yield stream


def _open_text(path: Path) -> TextIO:
    """``path`` opened for writing text. A named pipe is opened without waiting: when no program reads
    it, opening it would wait forever, so that is an output-path error (``-o /dev/stdout`` into a shell
    pipe, or a FIFO with its reader started, works)."""
    if not (_is_pipe(path) and hasattr(os, "O_NONBLOCK")):
        return open(path, "w", encoding="utf-8", newline="")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno != errno.ENXIO:
            raise
        raise UsageError(
            Problem(
                "output-path",
                f"{path} is a pipe (FIFO) that no program reads: start its reader first "
                f"(e.g. `cat {path}` in another terminal) or give a file name",
            )
        ) from None
    os.set_blocking(fd, True)
    return open(fd, "w", encoding="utf-8", newline="")


def _score_batch(definition: Any, args: argparse.Namespace) -> int:
    """`score` over many units: one summary row per unit, streamed (table, json, csv) or a workbook."""
    from .io.batch import Tally, table_header, table_line, write_csv, write_json

    if args.output:
        _output_file(args.output, pipe=args.format != "xlsx")  # before scoring a thousand units
    tally = Tally()
    rows = _progress(_score_many(definition, args, tally), args.lang, inputs=args.inputs)
    if args.format == "xlsx":
        from .io.excel import write_results

        out = _output_file(args.output or f"{definition.id}-results.xlsx")
        count, failed = write_results(definition, rows, out, lang=args.lang)
        _out(f"wrote {out}")
    else:
        with _output(args.output) as stream:
            if args.format == "csv":
                count, failed = write_csv(definition, rows, stream, exact=args.exact, bom=args.bom)
            elif args.format == "json":
                count, failed = write_json(rows, stream, rounded=args.rounded)
            else:
                _out(table_header(definition, args.lang), stream)
                count = failed = 0
                for count, row in enumerate(rows, start=1):  # noqa: B007 - count is used below
                    _out(table_line(definition, row, args.lang), stream)
                    failed += not row.ok
    if failed or args.output:  # read = scored + refused (#9); silent when all is well on stdout (#14)
        _out(tally.line(args.lang), sys.stderr)
    if count != tally.read:  # every row read is written: a bug in us otherwise
        raise CdsIndexError(f"{tally.read} units read but {count} written; please report this")
    return EXIT_INVALID if failed else EXIT_OK


def _score_many(definition: Any, args: argparse.Namespace, tally: Any = None) -> Any:
    from .io.batch import score_many

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
    from .analyse.ranking import keys, ranking_rows, ranking_table
    from .io.batch import Tally
    from .io.tables import describe
    from .read.registry import load
    from .render.documents import ranking_json

    definition = load(args.definition)
    if args.output:
        _output_file(args.output, pipe=args.format != "xlsx")
    if args.by not in keys(definition) and args.by not in definition.nodes():
        raise UsageError(
            Problem("usage", f"cannot rank by {args.by!r}: use one of " + ", ".join(keys(definition)))
        )
    results, unranked = [], []
    tally = Tally()
    for row in _progress(_score_many(definition, args, tally), args.lang, inputs=args.inputs):
        if row.ok and row.result is not None:
            results.append(row.result)
        else:
            unranked.append(row)
    with _output(args.output) as stream:
        if args.format == "json":
            document = ranking_json(definition, results, args.by, unranked)
            stream.write(json_text(json.dumps(document, ensure_ascii=False, indent=2)) + "\n")
        elif args.format == "csv":
            from .io.batch import table_writer

            columns, rows = ranking_rows(definition, results, args.by)
            write = table_writer(stream, columns, bom=args.bom)
            for values in rows:
                write(values, None if args.exact else definition.display.decimals)
        else:
            _out(
                ranking_table(
                    definition, results, args.by, lang=args.lang, markdown=args.format == "markdown"
                ),
                stream,
            )
    if unranked or args.output:  # read = scored + refused (#9); silent when all is well (#14)
        _out(tally.line(args.lang), sys.stderr)
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


# --- sensitivity (#15) ------------------------------------------------------------------------


def cmd_sensitivity(args: argparse.Namespace) -> int:
    from .analyse.sensitivity import html_page, markdown, sensitivity, table
    from .read.registry import load

    definition = load(args.definition)
    if args.output:
        _output_file(args.output)
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
    with _output(args.output) as stream:
        if args.format == "json":
            stream.write(json_text(json.dumps(report.to_dict(), ensure_ascii=False, indent=2)) + "\n")
        elif args.format == "html":
            stream.write(html_page(report, args.lang))
        elif args.format == "markdown":
            _out(markdown(report, args.lang), stream)
        else:
            _out(table(report, args.lang), stream)
    if report.refused:
        word = "không xếp hạng (số liệu lỗi)" if args.lang == "vi" else "not ranked (bad data)"
        _out(f"{len(report.refused)} {word}", sys.stderr)
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
                f"a whole number from {low} to {high}, e.g. {low + 1}; got {text!r}"
            )
        return value

    return parse


# --- report -----------------------------------------------------------------------------------


def cmd_report(args: argparse.Namespace) -> int:
    from .read.registry import load
    from .render.htmlreport import write_reports

    definition = load(args.definition)
    folder = _output_folder(args.output)
    rows = _progress(_score_many(definition, args), args.lang, inputs=args.inputs)
    written, failed = write_reports(definition, rows, folder, lang=args.lang, by=args.by)
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
    from .engine.targets import evaluate_year, evaluate_years
    from .read.units_io import read_unit_years
    from .render.documents import targets_json, unit_json
    from .render.report import targets_table, years_table

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
            return bool(refused), targets_json(unit.unit_id, unit.unit_name, result, refused)
        _out(targets_table(result, unit.unit_name or unit.unit_id, lang=args.lang))
    else:
        view = evaluate_years(definition, values, lang=args.lang)
        if args.format == "json":
            return bool(refused), {
                "unit": unit_json(unit.unit_id, unit.unit_name),
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
    """Gaps of every unit in the inputs: files, folders, CSV files and workbooks, like `score` (#14)."""
    from .analyse.gaps import gaps_table, points_gaps, target_gaps
    from .read.loader import load_model
    from .read.registry import load

    definition = load(args.definition)
    overlay = None
    if args.overlay:
        from .formats.overlay import Overlay, check_overlay

        overlay = load_model(Overlay, args.overlay)
        check_overlay(overlay, definition)  # raises when it applies to another definition
    status = EXIT_OK
    reports = []
    if definition.scoring == "targets":
        from .engine.targets import evaluate_year

        for unit, problems in _target_units(definition, args.inputs, args.year):
            for p in problems:
                _out(p.format(), sys.stderr)
            if problems:
                status = EXIT_INVALID
            if unit is None or unit.year is None:
                continue
            year_result = evaluate_year(definition, unit.year, unit.values, lang=args.lang)
            reports.append(
                target_gaps(year_result, definition, unit.unit_name or unit.unit_id, overlay, lang=args.lang)
            )
    else:
        # the batch reader and scorer `score` uses: every format, a unit id seen twice flagged
        scored = _score_many(definition, args)
        for row in _progress(scored, args.lang, inputs=args.inputs):
            for p in row.problems:  # refused values (the unit is scored without them), or why not at all
                _out(p.format(), sys.stderr)
            if not row.ok:
                status = EXIT_INVALID
            if row.result is not None:
                reports.append(points_gaps(row.result, definition, overlay, lang=args.lang))
    if args.format == "json":
        from .render.documents import gaps_json

        _json(gaps_json(reports))
    else:
        for r in reports:
            _out(gaps_table(r, lang=args.lang, markdown=args.format == "markdown"))
    return status


def _target_units(
    definition: Any, paths: Sequence[str], year: int | None
) -> Iterator[tuple[Any, list[Problem]]]:
    """``(unit of one year, problems)`` per unit for a yearly-targets definition.

    The year is ``year`` or the unit's latest. Inputs files hold several years (`years:`), so they
    are read whole (a year they lack is a problem, not a unit with nothing reported); tables are read
    by the batch reader like every other command's, each row one unit and year.
    """
    from dataclasses import replace

    from .io.batch import INPUTS_SUFFIXES, UnitFailure, expand, read_units
    from .read.inputs import UnitInputs
    from .read.units_io import read_unit_years

    for path in expand(paths):
        by_unit: dict[str, dict[int, UnitInputs]] = {}
        suffix = path.suffix.lower()
        # an inputs file holds one unit's years (`years:`); a table, or the yearly Excel form, is read
        # by the batch reader as one unit per row (or per form column) and year
        if suffix in INPUTS_SUFFIXES:
            years, problems = read_unit_years(definition, path)
            if not years:
                yield None, problems
                continue
            by_unit[next(iter(years.values())).unit_id] = years
        else:
            for found in read_units(definition, [path]):
                if isinstance(found, UnitFailure):
                    yield None, list(found.problems)
                    continue
                row_year = found.year if found.year is not None else year
                years_of = by_unit.setdefault(found.unit_id, {})
                if (row_year or 0) in years_of:
                    earlier = years_of[row_year or 0].source
                    again = f"unit id {found.unit_id!r} appears twice" + (
                        f" for {row_year}" if row_year else ""
                    )
                    why = f"{again} (also at {earlier}); keep one row per unit and year"
                    yield None, [Problem("invalid-value", why, Location(str(path)))]
                    continue
                years_of[row_year or 0] = found
        table = suffix not in INPUTS_SUFFIXES
        for unit_id, years in by_unit.items():
            chosen = year if year is not None else max(years)
            unit = years.get(chosen) or (years.get(0) if year is not None else None)
            if unit is None or not chosen:
                if not chosen:
                    why = (
                        f"unit {unit_id!r} gives no year: add a Năm column (e.g. Năm = 2024), "
                        if table
                        else f"unit {unit_id!r} gives no year: add `year: 2024` to the file, "
                    ) + "or pass --year 2024"
                elif table:
                    why = f"unit {unit_id!r} has no values for {chosen}: add a row for it with Năm = {chosen}"
                else:
                    why = (
                        f"unit {unit_id!r} has no values for {chosen}: add a `{chosen}:` block under "
                        f"`years:` (e.g. `{chosen}: {{{next(iter(definition.inputs), 'input')}: …}}`)"
                    )
                yield None, [Problem("usage", why, Location(str(path)))]
                continue
            yield replace(unit, year=chosen), list(unit.problems)


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
    serve(
        args.host,
        args.port,
        folder=args.folder,
        cors_origins=args.cors_origin,
        max_body_size=args.max_body_size,
    )
    return EXIT_OK


# --- test -------------------------------------------------------------------------------------


def cmd_test(args: argparse.Namespace) -> int:
    """Run rule tests: `-k` picks cases by name, `--junit-xml` writes a report for CI dashboards (#14)."""
    from .testing import CaseOutcome, TestsRun, collect, name_filter, write_junit

    files = collect(args.paths)
    if not files:
        raise UsageError(Problem("usage", "no `kind: tests` files found under " + ", ".join(args.paths)))
    select = name_filter(args.keyword)
    if args.junit_xml and _is_pipe(Path(args.junit_xml)):  # writing it would wait for a reader forever
        raise UsageError(
            Problem(
                "output-path",
                f"{args.junit_xml} is a pipe (FIFO), not a file: give a file name, e.g. junit.xml",
            )
        )
    outcomes: list[CaseOutcome] = []
    errors: list[tuple[str, str]] = []
    deselected = 0
    for path in files:
        try:
            run = TestsRun.open(path)
        except CdsIndexError as exc:  # one broken file does not hide the others' results
            text = "\n".join(p.format() for p in exc.problems)
            _out(f"ERROR {path}: cannot run this tests file\n" + text)
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
                    _out(f"PASS {outcome.file}:{outcome.line}: {outcome.name}")
            else:
                _out("FAIL " + outcome.describe())
    if args.junit_xml:
        try:
            write_junit(outcomes, errors, args.junit_xml)
        except OSError as exc:
            raise UsageError(Problem("usage", f"cannot write {args.junit_xml}: {exc}")) from None
    passed = sum(o.passed for o in outcomes)
    failed = len(outcomes) - passed
    summary = f"{passed} passed, {failed} failed"
    if errors:
        summary += f", {len(errors)} file(s) with errors"
    if deselected:
        summary += f", {deselected} deselected"
    _out(summary)
    if select is not None and not outcomes and not errors:
        raise UsageError(Problem("usage", "no case name matches -k " + " -k ".join(args.keyword)))
    return EXIT_INVALID if failed or errors else EXIT_OK


# --- diff (issue 6) ---------------------------------------------------------------------------


def cmd_diff(args: argparse.Namespace) -> int:
    from .analyse.diff import diff, render_markdown, render_text
    from .read.registry import load

    result = diff(load(args.old), load(args.new))
    if args.format == "json":
        _json(result.to_dict())
    else:
        _out(render_markdown(result) if args.format == "markdown" else render_text(result))
    return EXIT_OK


def cmd_whatif(args: argparse.Namespace) -> int:
    from .analyse.scenario import read_scenario, render_table, whatif
    from .io.batch import UnitFailure, read_units
    from .read.registry import load

    scenario, base, changed = read_scenario(args.scenario, load(args.definition)).require()
    status = EXIT_OK
    units = []
    # parsed against the changed definition: it declares every input the scenario adds
    read = read_units(changed, args.inputs, year=args.year, number_format=args.number_format)
    for unit in _progress(read, args.lang, inputs=args.inputs):
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


# --- rollup (issue 16) ------------------------------------------------------------------------


def cmd_rollup(args: argparse.Namespace) -> int:
    from .analyse.roll_up import render, rollup, write_csv
    from .read.registry import load

    definition = load(args.definition)
    result = rollup(
        definition,
        args.inputs,
        args.rearrangement,
        method=args.method,
        weight=args.weight,
        compare=args.compare,
        year=args.year,
        lang=args.lang,
    )
    with _output(args.output) as stream:
        if args.format == "json":  # C1 and bidi controls escaped, as every JSON the CLI writes
            stream.write(json_text(json.dumps(result.to_dict(), ensure_ascii=False, indent=2)) + "\n")
        elif args.format == "csv":
            write_csv(result, definition, stream)
        else:
            _out(render(result, definition, lang=args.lang, markdown=args.format == "markdown"), stream)
    return EXIT_OK if result.ok else EXIT_INVALID


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
    p.add_argument("--year", type=_year, default=None)
    p.add_argument(
        "--number-format",
        choices=["vi", "en"],
        default=None,
        help="how the files write numbers: vi (1.000 is one thousand, 0,5 a half) or en (1,000; 0.5); "
        "default: the definition's, else a number with two readings is refused",
    )
    return p


def _folder_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--folder",
        default=None,
        metavar="DIR",
        help="look definition ids up in this folder instead of the bundled definitions "
        "(default: $CDS_INDEX_FOLDER, if set)",
    )


def _csv_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--exact", action="store_true", help="CSV numbers with every digit (default: display.decimals)"
    )
    p.add_argument(
        "--no-bom", dest="bom", action="store_false", help="CSV without the UTF-8 mark Excel needs"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="cds-index",
        description="Digital-transformation indices (DTI) of Vietnamese provinces: check definitions, "
        "score units, explain every point.",
    )
    from . import __version__

    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p: argparse.ArgumentParser = sub.add_parser("list", help="the bundled definitions")
    p.add_argument("--format", choices=["table", "json"], default="table")
    _folder_flag(p)
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("check", help="validate definitions, overlays, inputs, tests (files, folders or ids)")
    p.add_argument("paths", nargs="+", metavar="PATH|ID")
    p.add_argument("--format", choices=["text", "json", "github"], default="text")
    p.add_argument("-v", "--verbose", action="store_true", help="also print notes for non-definitions")
    p.add_argument(
        "--strict", action="store_true", help="warnings fail too (unused inputs, unassigned criteria)"
    )
    p.add_argument(
        "--skip-other-yaml",
        action="store_true",
        help="skip YAML files without a top-level `kind:` (not cds_index files: CI workflows, configs); "
        "used by the pre-commit hook",
    )
    _folder_flag(p)
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("schema", help="write the JSON Schema of every file kind, for editors")
    p.add_argument("-o", "--output", default="schemas", metavar="DIR", help="folder (default: schemas)")
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser("show", help="a definition as a table, JSON or Markdown")
    p.add_argument("definition", metavar="DEF")
    p.add_argument("--format", choices=["table", "json", "markdown"], default="table")
    p.add_argument("--assumptions", action="store_true", help="list every assumed rule with its reason")
    _folder_flag(p)
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("template", help="an inputs file to fill, listing every input")
    p.add_argument("definition", metavar="DEF")
    p.add_argument("--format", choices=["yaml", "xlsx"], default="yaml")
    p.add_argument("--year", type=_year, default=None)
    p.add_argument("-o", "--output", default=None)
    _folder_flag(p)
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
    _csv_flags(p)
    _folder_flag(p)
    p.set_defaults(func=cmd_score)

    p = _units_parser(
        sub,
        "rank",
        "rank units by total, final index or a pillar (ties share a rank)",
        ["table", "json", "csv", "markdown"],
    )
    p.add_argument("--by", default="total", help="total, index or a pillar id (default: total)")
    p.add_argument("-o", "--output", default=None)
    _csv_flags(p)
    _folder_flag(p)
    p.set_defaults(func=cmd_rank)

    p = _units_parser(
        sub,
        "sensitivity",
        "which readings move the ranking: every unit under each alternative reading (#15)",
        ["table", "json", "markdown", "html"],
    )
    p.add_argument("--top", type=_count(1, 10**6), default=10, help="the top K the verdict is about (10)")
    p.add_argument(
        "--combinations", type=_count(0, 10_000), default=0, metavar="N", help="N sampled combinations"
    )
    p.add_argument("--seed", type=_count(0, 2**63), default=0, help="the seed of the combinations (0)")
    p.add_argument("--vary-index", action="store_true", help="also the index as sum vs mean of pillar %%")
    p.add_argument("--vary-weights", action="store_true", help="also each pillar's weight ×0.5 and ×1.5")
    p.add_argument("-o", "--output", default=None)
    p.set_defaults(func=cmd_sensitivity)

    p = _units_parser(sub, "report", "one self-contained HTML report per unit and a summary index.html")
    p.add_argument("-o", "--output", required=True, metavar="DIR")
    p.add_argument(
        "--by", default=None, help="rank by total, index or a pillar id (default: the final index)"
    )
    _folder_flag(p)
    p.set_defaults(func=cmd_report)

    p = _units_parser(
        sub, "gaps", "points lost or targets unmet, by responsible unit", ["table", "json", "markdown"]
    )
    p.add_argument("--overlay", default=None, help="a responsibility overlay (`kind: overlay`) file")
    _folder_flag(p)
    p.set_defaults(func=cmd_gaps)

    p = sub.add_parser("serve", help="the HTTP API (needs the `server` extra)")
    p.add_argument("--host", default="127.0.0.1", help="the address to listen on (default: loopback only)")
    p.add_argument("--port", type=_port, default=8000)
    p.add_argument(
        "--cors-origin",
        action="append",
        default=None,
        metavar="ORIGIN",
        help="let browser pages from this origin call the API, e.g. https://dti.example.gov.vn "
        "(repeatable; off by default)",
    )
    p.add_argument(
        "--max-body-size",
        type=int,
        default=None,
        metavar="BYTES",
        help="refuse request bodies larger than this (default 8 MiB)",
    )
    _folder_flag(p)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("test", help="run rule tests written as data (`kind: tests` files)")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("-v", "--verbose", action="store_true", help="also list the cases that pass")
    p.add_argument(
        "-k",
        dest="keyword",
        action="append",
        default=[],
        metavar="TEXT",
        help="run only cases whose name contains TEXT (case and Vietnamese marks ignored; repeatable)",
    )
    p.add_argument("--junit-xml", default=None, metavar="FILE", help="write a JUnit XML report")
    _folder_flag(p)
    p.set_defaults(func=cmd_test)

    p = sub.add_parser("diff", help="what changed between two versions: criteria, points, rules, totals")
    p.add_argument(
        "old", metavar="OLD", help="a path, an id, or id@YYYY-MM-DD (the version in force that day)"
    )
    p.add_argument("new", metavar="NEW")
    p.add_argument("--format", choices=["text", "json", "markdown"], default="text")
    _folder_flag(p)
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
    _folder_flag(p)
    p.set_defaults(func=cmd_whatif)

    p = _units_parser(
        sub,
        "rollup",
        "new units' results from the old units they were formed from (`kind: rearrangement`)",
        ["table", "json", "csv", "markdown"],
    )
    p.add_argument("--rearrangement", required=True, metavar="FILE", help="a `kind: rearrangement` file")
    p.add_argument(
        "--method",
        choices=["mean_index", "mean_pillar_percentages", "weighted_mean", "rescore"],
        default=None,
        help="default: the file's `method` (mean_index, the ministry's)",
    )
    p.add_argument("--weight", default=None, metavar="INPUT", help="weighted_mean: e.g. population")
    p.add_argument(
        "--compare", nargs="+", default=None, metavar="UNITS", help="the new units measured the year after"
    )
    p.add_argument("-o", "--output", default=None)
    _folder_flag(p)
    p.set_defaults(func=cmd_rollup)

    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code) if isinstance(exc.code, int) else EXIT_USAGE
    try:
        from .read.registry import searching

        folder = getattr(args, "folder", None)
        if folder is not None and not Path(folder).is_dir():
            raise UsageError(Problem("usage", f"--folder {folder}: no such folder of definitions"))
        with searching(folder):  # every reference in every file the command reads (#11, #13)
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
    except OSError as exc:  # the system refused a file we were given: the user's to fix, not a bug
        where = f" ({exc.filename})" if exc.filename else ""
        _out(
            Problem("io-error", f"{exc.strerror or exc}{where}: check the path and its permissions").format(),
            sys.stderr,
        )
        return EXIT_INVALID
    except KeyboardInterrupt:
        return 130
    except Exception:  # the last line of defence: never a bare traceback
        from traceback import format_exc  # imported here: `--help` does not pay for it (#11)

        log = Path.home() / ".cds-index-crash.log"
        try:
            log.write_text(format_exc(), encoding="utf-8")
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
