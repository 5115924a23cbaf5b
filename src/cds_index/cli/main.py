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
from .common import EXIT_BUG, EXIT_INVALID, EXIT_OK, EXIT_USAGE, Parser, echo, lang_flag

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
    parser = Parser(
        prog="cds-index",
        description="Digital-transformation indices (DTI) of Vietnamese provinces: check definitions, "
        "score units, explain every point.",
    )
    from .. import __version__

    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for command in COMMANDS:
        command.add_parser(subparsers)
    for sub in subparsers.choices.values():  # one --lang, the same on every command
        lang_flag(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code) if isinstance(exc.code, int) else EXIT_USAGE
    from ..i18n import DEFAULT, LanguageError, choose_language, using

    try:  # --lang, else CDS_INDEX_LANG, else the locale, else vi: chosen once, for the whole command
        lang = args.lang = choose_language(args.lang)
    except LanguageError as exc:  # CDS_INDEX_LANG=fr: refused, never guessed
        echo(Problem("usage", exc.message).format(DEFAULT), sys.stderr)  # the language asked is none
        return EXIT_USAGE
    try:
        from ..read.registry import searching

        folder = getattr(args, "folder", None)
        if folder is not None and not Path(folder).is_dir():
            raise UsageError(Problem("usage", f"--folder {folder}: no such folder of definitions"))
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
        where = f" ({exc.filename})" if exc.filename else ""
        echo(
            Problem("io-error", f"{exc.strerror or exc}{where}: check the path and its permissions").format(
                lang
            ),
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
        echo(
            f"cds-index: internal error: {sys.exc_info()[1]!r}{where}\n"
            "This is a bug in cds_index, not in your files. Please report it with the command you ran.",
            sys.stderr,
        )
        return EXIT_BUG
