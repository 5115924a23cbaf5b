"""What leaves the program: spreadsheet cells that cannot run as formulas, terminal text without escapes.

Every writer of a table (CSV summaries, rankings, the results workbook, the Excel form) passes its
text cells through :func:`cell_text` and its numbers through :func:`cell_number`; the command line
passes every line it prints through :func:`terminal`. One function per concern, so that a new
writer cannot forget a case the others handle.

>>> cell_text("=HYPERLINK(\\"http://x\\")")
'\\'=HYPERLINK("http://x")'
>>> cell_text("Xã Đông Sơn")
'Xã Đông Sơn'
>>> terminal("Xã \\x1b[31mA\\x1b[0m")
'Xã A'
"""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ..numbers import plain

# OWASP "CSV injection": a cell whose text starts with one of these is a formula (or a DDE call) to
# Excel, LibreOffice or Google Sheets. The full-width forms are there because Excel in an East Asian
# input mode turns ＝ into = as it reads the cell.
FORMULA_STARTS = frozenset("=+-@\t\r\n" + "\uff1d\uff0b\uff0d\uff20")
ESCAPE = "'"
"""Prefixed to a text cell that would start a formula: every spreadsheet shows the text as written."""

# Characters a spreadsheet cell must not receive: C0 controls but tab and newline (an .xlsx cannot
# hold them), DEL and C1 controls (0x9B is a one-byte CSI on some terminals).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# A terminal also loses the bidirectional overrides that make a line read differently from what it
# holds ("Trojan source"); in a cell they stay, as data.
_TERMINAL_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# Escape sequences are removed whole, so that "\x1b[31m" leaves nothing, not "[31m".
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves, screen clearing
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC: window titles, hyperlinks
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"  # DCS, SOS, PM, APC strings
    r"|\x1b[ -/]*[0-~]?"  # any other escape, with its intermediate and final bytes
    r"|\x9b[0-?]*[ -/]*[@-~]"  # the one-byte CSI
)


def strip_controls(text: str) -> str:
    """``text`` without escape sequences and control characters (tab and newline stay)."""
    if text.isprintable():  # the common case, checked at C speed
        return text
    return _CONTROL.sub("", _ESCAPE_SEQUENCE.sub("", text))


def json_text(text: str) -> str:
    """JSON text (``json.dumps(..., ensure_ascii=False)``) with every control character escaped.

    ``json.dumps`` escapes C0 controls but writes C1 controls and bidirectional overrides as they
    are; as ``\\u009b`` they reach a terminal inert and a file exactly (the JSON means the same).
    """
    if text.isprintable():
        return text
    return _TERMINAL_CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def cell_text(text: str) -> str:
    """A text cell no spreadsheet runs: controls removed, and a ``'`` before a formula's first character.

    A formula starts with ``= + - @``, a tab or a carriage return, or one of these after leading
    spaces, or their full-width forms (``＝``). Numbers are not text: write them with
    :func:`cell_number`, so that ``-5`` stays a number.
    """
    text = strip_controls(text)
    if not text:
        return text
    first = text[0]
    if first in FORMULA_STARTS:
        return ESCAPE + text
    if first.isspace() or unicodedata.category(first) == "Zs":
        rest = text.lstrip()
        if rest and rest[0] in FORMULA_STARTS:
            return ESCAPE + text
    return text


def rounded(value: Decimal, places: int | None) -> Decimal:
    """``value`` rounded half up to ``places`` decimals (``None``: unchanged, every digit kept)."""
    if places is None or not value.is_finite():
        return value
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


SEPARATORS = {"vi": (".", ","), "en": (",", ".")}
"""``--number-format``: (thousands, decimal) separators of a CSV number written for people (#12)."""


def cell_number(value: Decimal | int, places: int | None = None, number_format: str | None = None) -> str:
    """A number as CSV text, rounded to ``places`` unless ``None``.

    By default plain digits with a decimal point (``9500000.5``: what programs read). With
    ``number_format`` ``vi`` or ``en``, grouped as people write it: ``9.500.000,5`` / ``9,500,000.5``
    (the digits are the same; :func:`cds_index.read.literals.read_number` with that format reads
    them back exactly).

    >>> cell_number(Decimal("-9500000.50"), 2, "vi"), cell_number(Decimal("1234.5"), None, "en")
    ('-9.500.000,5', '1,234.5')
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        text = str(value)
    else:
        text = plain(rounded(value, places))
        text = "0" if text == "-0" else text
    if number_format is None:
        return text
    group, point = SEPARATORS[number_format]
    sign = "-" if text.startswith("-") else ""
    whole, _, fraction = text.lstrip("-").partition(".")
    if not whole.isdigit():  # not a finite plain number (nothing scored reaches here): as it is
        return text
    lead = len(whole) % 3 or 3
    grouped = group.join([whole[:lead], *(whole[i : i + 3] for i in range(lead, len(whole), 3))])
    return sign + grouped + (point + fraction if fraction else "")


def csv_cell(value: Any, places: int | None = None, number_format: str | None = None) -> str:
    """One CSV cell: ``None`` empty, numbers by :func:`cell_number`, text by :func:`cell_text`.

    A number is never escaped: ``-5`` (or ``-9.500.000,5``) is a number to every spreadsheet, not a
    formula; every text cell is, whatever the number format.
    """
    if value is None:
        return ""
    if isinstance(value, Decimal | int):
        return cell_number(value, places, number_format)
    return cell_text(str(value))


def terminal(text: str) -> str:
    """A line for a terminal: no escape sequences or control characters from the data it shows."""
    if text.isprintable():
        return text
    return _TERMINAL_CONTROL.sub("", _ESCAPE_SEQUENCE.sub("", text))


__all__ = ["cell_number", "cell_text", "csv_cell", "json_text", "rounded", "strip_controls", "terminal"]
