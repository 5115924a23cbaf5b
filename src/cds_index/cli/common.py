"""What every command of `cds-index` shares: exit codes, printing, output files, progress, common flags.

Imports nothing heavy at module level: `cds-index --help` loads this and the command modules only.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import json
import os
import stat
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO, TypeAlias, cast

from ..errors import Problem, UsageError
from ..i18n import T, render
from ..io.safe import json_text, terminal

Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
"""What `add_parser(subparsers)` of every command module is given."""

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_BUG = 0, 1, 2, 3


ARGPARSE_MESSAGES = (
    T("usage: "),
    T("positional arguments"),
    T("options"),
    T("show this help message and exit"),
    T("subcommands"),
    T("argument %(argument_name)s: %(message)s"),
    T("unknown parser %(parser_name)r (choices: %(choices)s)"),
    T("can't open '%(filename)s': %(error)s"),
    T("not allowed with argument %s"),
    T("ignored explicit argument %r"),
    T("the following arguments are required: %s"),
    T("one of the arguments %s is required"),
    T("expected one argument"),
    T("expected at most one argument"),
    T("expected at least one argument"),
    T("expected %s argument"),
    T("expected %s arguments"),
    T("ambiguous option: %(option)s could match %(matches)s"),
    T("unexpected option string: %s"),
    T("unrecognized arguments: %s"),
    T("invalid %(type)s value: %(value)r"),
    T("invalid choice: %(value)r (choose from %(choices)s)"),
    T("%(prog)s: error: %(message)s\n"),
)
"""argparse's own sentences a user reads (the msgids of Python 3.11's ``argparse.py``, exactly), listed
here so ``pybabel extract`` keeps them in the catalogues; :func:`argparse_speaks` translates them."""


def _argparse_gettext(msgid: str) -> str:
    from ..i18n import choose_language, translation

    return translation(choose_language()).gettext(msgid)


def _argparse_ngettext(singular: str, plural: str, count: int) -> str:
    return _argparse_gettext(singular if count == 1 else plural)  # each form is its own msgid


@contextlib.contextmanager
def argparse_speaks() -> Iterator[None]:
    """Within the block, argparse's own words ("usage:", "invalid choice: …", "the following arguments
    are required: …") are in the language chosen (:func:`cds_index.i18n.using`), from our catalogue.

    argparse looks its module-level ``_`` and ``ngettext`` (``gettext``'s) up each time it speaks: they
    are replaced for the block and put back after it, so argparse elsewhere in the process is untouched.
    """
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._, argparse.ngettext = _argparse_gettext, _argparse_ngettext  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]


class Parser(argparse.ArgumentParser):
    """A usage error prints the usage and exits 2 (argparse's own exit), escapes removed.

    The help and the errors are in the language chosen when the parser is built and run (`main` reads
    ``--lang`` ahead, else ``CDS_INDEX_LANG``, else the locale, and builds and parses within
    :func:`argparse_speaks`): our help texts and argparse's own words ("usage:", "options", ``-h``,
    "invalid choice: …").
    """

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        print(
            terminal(render(T("{prog}: error: {message}", prog=self.prog, message=message))), file=sys.stderr
        )
        raise SystemExit(EXIT_USAGE)


def echo(text: str, stream: TextIO | None = None) -> None:
    """Print a line; unit names and messages in it come from the data, so escapes are removed."""
    text = terminal(text)
    (stream or sys.stdout).write(text if text.endswith("\n") else text + "\n")


def echo_json(data: Any) -> None:
    echo(json_text(json.dumps(data, ensure_ascii=False, indent=2, default=str)))


def parse_year(text: str) -> int:
    """``--year``: an assessment year, refused as a usage error (exit 2) when absurd."""
    from ..engine.evaluate import check_year

    try:
        year = check_year(int(text))
    except (ValueError, UsageError):
        raise argparse.ArgumentTypeError(
            render(T("{text} is not a year: write it as 2024", text=repr(text)))
        ) from None
    assert year is not None
    return year


def is_pipe(path: Path) -> bool:
    try:
        return stat.S_ISFIFO(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def output_file(path: str | Path, *, pipe: bool = False) -> Path:
    """An output file, checked before any work: its folder must exist and it must not be a folder; a
    named pipe (FIFO) only where the output is a stream (``pipe``), never for a workbook or a report."""
    out = Path(path)
    if is_pipe(out) and not pipe:
        raise UsageError(
            Problem(
                "output-path",
                T(
                    "{path} is a pipe (FIFO), not a file: give a file name, e.g. {example}",
                    path=str(out),
                    example="ket-qua.xlsx",
                ),
            )
        )
    if out.is_dir():
        raise UsageError(
            Problem(
                "output-path",
                T(
                    "{path} is a folder: give a file name, e.g. {example}",
                    path=str(out),
                    example=str(out / "ket-qua.csv"),
                ),
            )
        )
    if not out.parent.is_dir():
        raise UsageError(
            Problem(
                "output-path",
                T(
                    "the folder {folder} does not exist: create it first, or write elsewhere",
                    folder=str(out.parent),
                ),
            )
        )
    return out


SUFFIX_FORMATS = {
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".csv": "csv",
    ".json": "json",
    ".md": "markdown",
    ".html": "html",
    ".htm": "html",
    ".yaml": "yaml",
    ".yml": "yaml",
}
"""The format a file name promises (``-o ket-qua.xlsx``: a workbook)."""


def output_format(args: argparse.Namespace, formats: Sequence[str]) -> None:
    """``-o`` whose name promises another format than ``--format`` (``-o ket-qua.xlsx`` with the
    default table) is refused before any work: a text table in a file Excel cannot open is a silent
    wrong result. ``formats``: the command's ``--format`` choices (the hint names the right one)."""
    path, chosen = getattr(args, "output", None), getattr(args, "format", None)
    if not isinstance(path, str) or chosen is None or is_pipe(Path(path)):
        return
    promised = SUFFIX_FORMATS.get(Path(path).suffix.lower())
    if promised is None or promised == chosen:
        return
    hint = (
        T("add --format {format}", format=promised)
        if promised in formats
        else T(
            "name the file for {format}, or choose one of --format {choices}",
            format=chosen,
            choices=", ".join(formats),
        )
    )
    raise UsageError(
        Problem(
            "output-path",
            T(
                "the name {path} promises the format {promised}, but the output is {format}: {hint}",
                path=path,
                promised=promised,
                format=chosen,
                hint=hint,
            ),
        )
    )


def output_folder(path: str | Path) -> Path:
    """An output folder (created when missing), checked before any work: it must not be a file."""
    out = Path(path)
    if out.exists() and not out.is_dir():
        raise UsageError(
            Problem(
                "output-path",
                T("{path} is a file, not a folder: give a folder for the reports", path=str(out)),
            )
        )
    return out


def count_units(paths: Sequence[str]) -> int | None:
    """How many units the inputs hold, when cheap to know: one per inputs file, a CSV's lines less
    its header; ``None`` when a workbook is among them (its rows are only known by reading it)."""
    import functools

    from ..io.batch import CSV_SUFFIXES, EXCEL_SUFFIXES, expand
    from ..read.loader import open_input

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


def progress(items: Any, lang: str = "vi", *, inputs: Sequence[str] = ()) -> Any:
    """Yield ``items`` unchanged; on a terminal, show on stderr how many are done, of how many (the
    units counted in ``inputs``), the rate and the time left (rich's bar with the `cli` extra, else a
    plain line). Silent, and counts nothing, when stderr is not a terminal (a pipe, a file, CI)."""
    if not sys.stderr.isatty():
        yield from items
        return
    total = count_units(inputs) if inputs else None
    what = render(T("units"), lang)
    bad = render(T("with problems"), lang)
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
        yield from _plain_progress(items, total, what, bad, lang)
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
        columns += [TextColumn(render(T("left"), lang)), TimeRemainingColumn()]
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


def _plain_progress(items: Any, total: int | None, what: str, bad: str, lang: str = "vi") -> Any:
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
                text += render(T(", ~{seconds} s left", seconds=f"{(total - count) / rate:.0f}"), lang)
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
def open_output(path: str | None) -> Iterator[TextIO]:
    """The file to write (UTF-8, newlines as written), or stdout."""
    if path is None:
        yield cast(TextIO, _Stdout())
        return
    with _open_text(output_file(path, pipe=True)) as stream:
        yield stream


def _open_text(path: Path) -> TextIO:
    """``path`` opened for writing text. A named pipe is opened without waiting: when no program reads
    it, opening it would wait forever, so that is an output-path error (``-o /dev/stdout`` into a shell
    pipe, or a FIFO with its reader started, works)."""
    if not (is_pipe(path) and hasattr(os, "O_NONBLOCK")):
        return open(path, "w", encoding="utf-8", newline="")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno != errno.ENXIO:
            raise
        raise UsageError(
            Problem(
                "output-path",
                T(
                    "{path} is a pipe (FIFO) that no program reads: start its reader first "
                    "(e.g. `cat {path}` in another terminal) or give a file name",
                    path=str(path),
                ),
            )
        ) from None
    os.set_blocking(fd, True)
    return open(fd, "w", encoding="utf-8", newline="")


def score_units(definition: Any, args: argparse.Namespace, tally: Any = None) -> Any:
    """`io.batch.score_many` over the command's inputs, with its --year, --lang and --number-format."""
    from ..io.batch import score_many

    return score_many(
        definition,
        args.inputs,
        year=args.year,
        lang=args.lang,
        number_format=args.number_format,
        tally=tally,
    )


def warned(rows: Iterable[Any], into: list[Any]) -> Iterator[Any]:
    """``rows`` (a command's scored units) as they pass, each one's warnings added to ``into``: a
    re-dated year, a zero denominator are said on stderr (:func:`say_warnings`) once the command's
    document is written, never only inside it (#11)."""
    for row in rows:
        into.extend(p for p in row.problems if p.severity == "warning")
        yield row


def say_warnings(problems: Iterable[Any], lang: str) -> None:
    """Each warning on stderr, one line as ``Problem.format`` writes it; stdout stays the document."""
    for p in problems:
        echo(p.format(lang), sys.stderr)


def lang_flag(p: argparse.ArgumentParser) -> None:
    """``--lang vi|en``, on every command (`main` adds it): the language of messages, tables and
    reports. Left out: ``CDS_INDEX_LANG``, else the machine's locale, else Vietnamese (#12)."""
    p.add_argument(
        "--lang",
        choices=["vi", "en"],
        default=None,
        help=render(
            T("language of messages and output (default: $CDS_INDEX_LANG, else the locale, else vi)")
        ),
    )


def units_parser(
    sub: Any, name: str, help: str, formats: list[str] | None = None, *, scenario: bool = False
) -> argparse.ArgumentParser:
    """A subcommand over a definition and units: DEF [SCENARIO] INPUTS…, --format, --lang, --year."""
    p: argparse.ArgumentParser = sub.add_parser(name, help=help)
    p.add_argument("definition", metavar="DEF", help=render(T("a definition: an id or a file")))
    if scenario:
        p.add_argument("scenario", metavar="SCENARIO")
    p.add_argument(
        "inputs", nargs="+", metavar="INPUTS", help=render(T("inputs files, folders, CSV files or workbooks"))
    )
    if formats:
        p.add_argument("--format", choices=formats, default=formats[0])
    p.add_argument("--year", type=parse_year, default=None, help=render(T("the assessment year")))
    p.add_argument(
        "--number-format",
        choices=["vi", "en"],
        default=None,
        help=render(
            T(
                "how the files write numbers: vi (1.000 is one thousand, 0,5 a half) or en (1,000; 0.5); "
                "default: the definition's, else a number with two readings is refused. A CSV written "
                "(--format csv) writes its numbers so too (9.500.000,5 or 9,500,000.5); without it, 9500000.5"
            )
        ),
    )
    return p


def folder_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--folder",
        default=None,
        metavar="DIR",
        help=render(
            T(
                "look definition ids up in this folder instead of the bundled definitions "
                "(default: $CDS_INDEX_FOLDER, if set)"
            )
        ),
    )


def csv_flags(p: argparse.ArgumentParser) -> None:
    """The options of every command that writes CSV: digits, Excel's UTF-8 mark, the header row (#12).

    (The numbers' format is ``--number-format``, the one flag for how files write numbers: the
    files read and the CSV written, see docs/batch.md.)
    """
    p.add_argument(
        "--headers",
        choices=["keys", "vi", "en"],
        default="keys",
        help=render(
            T(
                "CSV header row: keys (unit_id, …: stable, for programs; the default), or the "
                "column titles in vi or en for people"
            )
        ),
    )
    p.add_argument(
        "--exact",
        action="store_true",
        help=render(T("CSV numbers with every digit (default: display.decimals)")),
    )
    p.add_argument(
        "--no-bom", dest="bom", action="store_false", help=render(T("CSV without the UTF-8 mark Excel needs"))
    )
