"""`cds-index`'s parser, built from every command module, and `main`, which runs one command.

Exit 0 fine, 1 invalid input or definition, 2 usage, 3 a bug in us. Every command module owns its
arguments (`add_parser(subparsers)`) and its work (`run(args) -> int`); `main` adds nothing to them
but the one search folder (`--folder`), the one language flag (`--lang`, on every command: #12) and
the translation of errors into exit codes.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from ..errors import CdsIndexError, Problem, UsageError
from ..i18n import T, render, system_reason
from . import (
    check,
    diff,
    gaps,
    rank,
    report,
    rollup,
    schema,
    score,
    sensitivity,
    serve,
    show,
    template,
    whatif,
)
from . import list as list_command
from . import test as test_command
from .common import (
    EXIT_BUG,
    EXIT_INVALID,
    EXIT_OK,
    EXIT_USAGE,
    Parser,
    argparse_speaks,
    echo,
    lang_flag,
    output_format,
)

COMMANDS = (
    list_command,
    check,
    schema,
    show,
    template,
    score,
    rank,
    sensitivity,
    report,
    gaps,
    serve,
    test_command,
    diff,
    whatif,
    rollup,
)
"""The command modules, in the order `cds-index --help` lists them."""


def build_parser() -> argparse.ArgumentParser:
    """The parser, its help in the language chosen now (`main` chooses it before building: #12)."""
    with argparse_speaks():  # argparse's own headings ("options", -h) are written as it is built
        return _build_parser()


def _build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="cds-index",
        description=render(
            T(
                "Digital-transformation indices (DTI) of Vietnamese provinces: check definitions, "
                "score units, explain every point."
            )
        ),
    )
    from .. import __version__

    parser.add_argument(
        "--version",
        action="version",
        version=f"%(prog)s {__version__}",
        help=render(T("show the version and exit")),
    )
    subparsers = parser.add_subparsers(  # named in the reader's language: "thiếu … LỆNH", not "command"
        dest="command", metavar=render(T("COMMAND")), required=True, parser_class=Parser
    )
    for command in COMMANDS:
        command.add_parser(subparsers)
    for sub in subparsers.choices.values():  # one --lang, the same on every command
        lang_flag(sub)
    return parser


def _format_choices(parser: argparse.ArgumentParser, command: str) -> list[str]:
    """The ``--format`` choices of ``command`` (none for a command without one)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            sub = action.choices[command]
            for option in sub._actions:
                if option.dest == "format" and option.choices:
                    return [str(choice) for choice in option.choices]
    return []


def _asked_language(argv: Sequence[str]) -> str | None:
    """The value of ``--lang`` in ``argv``, read before parsing so `--help` speaks it too (#12)."""
    for index, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith("--lang="):
            return arg.partition("=")[2]
    return None


def main(argv: Sequence[str] | None = None) -> int:
    from ..i18n import DEFAULT, LanguageError, choose_language, using

    arguments = list(sys.argv[1:] if argv is None else argv)
    try:  # the help's language: --lang (read ahead), else CDS_INDEX_LANG, else the locale, else vi
        helps = choose_language(_asked_language(arguments))
    except LanguageError:  # refused below, once parsed (argparse names the choices of --lang)
        helps = DEFAULT
    with using(helps), argparse_speaks():  # argparse's errors too ("invalid choice: …"): #12
        parser = build_parser()
        try:
            args = parser.parse_args(arguments)
        except SystemExit as exc:
            return int(exc.code) if isinstance(exc.code, int) else EXIT_USAGE

    try:  # --lang, else CDS_INDEX_LANG, else the locale, else vi: chosen once, for the whole command
        lang = args.lang = choose_language(args.lang)
    except LanguageError as exc:  # CDS_INDEX_LANG=fr: refused, never guessed
        echo(Problem("usage", exc.message).format(DEFAULT), sys.stderr)  # the language asked is none
        return EXIT_USAGE
    try:
        from ..read.registry import searching

        folder = getattr(args, "folder", None)
        if folder is not None and not Path(folder).is_dir():
            raise UsageError(
                Problem("usage", T("--folder {folder}: no such folder of definitions", folder=folder))
            )
        output_format(args, _format_choices(parser, args.command))  # -o x.xlsx is a workbook
        # every reference in every file the command reads (#11, #13); every message in `lang` (#12)
        with searching(folder), using(lang):
            code: int = args.func(args)
        return code
    except UsageError as exc:
        for p in exc.problems:
            echo(p.format(lang), sys.stderr)
        return EXIT_USAGE
    except CdsIndexError as exc:
        for p in exc.problems:
            echo(p.format(lang), sys.stderr)
        return EXIT_INVALID
    except BrokenPipeError:
        return EXIT_OK
    except OSError as exc:  # the system refused a file we were given: the user's to fix, not a bug
        reason = system_reason(exc)  # in the reader's language (the system's words only if unknown)
        message = (
            T("{reason} ({file}): check the path and its permissions", reason=reason, file=str(exc.filename))
            if exc.filename
            else T("{reason}: check the path and its permissions", reason=reason)
        )
        echo(Problem("io-error", message).format(lang), sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:
        return 130
    except Exception:  # the last line of defence: never a bare traceback
        from traceback import format_exc  # imported here: `--help` does not pay for it (#11)

        log = Path.home() / ".cds-index-crash.log"
        error = repr(sys.exc_info()[1])
        try:
            log.write_text(format_exc(), encoding="utf-8")
            line = T("cds-index: internal error: {error} (details in {log})", error=error, log=str(log))
        except OSError:
            line = T("cds-index: internal error: {error}", error=error)
        bug = T("This is a bug in cds_index, not in your files. Please report it with the command you ran.")
        echo(render(line, lang) + "\n" + render(bug, lang), sys.stderr)
        return EXIT_BUG
