"""Text for a terminal: display width, wrapping at word boundaries, numbers grouped by locale (#12).

A Vietnamese title is measured as it shows, not by its code points: a decomposed ``ế`` (``e`` and
two combining marks) takes one column, a wide (East Asian) character two. Nothing here cuts a word:
a line too long for its column is wrapped at spaces onto the next lines, and a single word longer
than the column stays whole (it overflows rather than lose letters). Without a known width (output
to a pipe or a file, no ``COLUMNS``) nothing is wrapped at all.

The plain path needs no third-party package: rich (the ``cli`` extra) measures the same way, but
tables must wrap without it too.
"""

from __future__ import annotations

import os
import sys
import unicodedata
from decimal import Decimal

from ..numbers import Lang, show

MIN_COLUMN = 12
"""The narrowest a wrapped column becomes, however narrow the terminal: words stay readable."""


def char_width(char: str) -> int:
    """Columns one code point takes: 0 for a combining mark or a format character, 2 for a wide one."""
    if unicodedata.combining(char) or unicodedata.category(char) in {"Mn", "Me", "Cf"}:
        return 0
    return 2 if unicodedata.east_asian_width(char) in {"W", "F"} else 1


def width(text: str) -> int:
    """The display width of ``text`` (one line): ``width("Điểm tối đa") == 11`` in NFC and NFD alike."""
    if text.isascii():
        return len(text)
    return sum(char_width(c) for c in text)


def pad(text: str, size: int, align: str = "<") -> str:
    """``text`` padded with spaces to ``size`` display columns (``<`` left, ``>`` right)."""
    gap = " " * max(size - width(text), 0)
    return text + gap if align == "<" else gap + text


def wrap(text: str, size: int | None) -> list[str]:
    """``text`` in lines of at most ``size`` display columns, broken at spaces only; ``None``: one line.

    A word wider than ``size`` is a line of its own, whole. The words are kept in order and
    ``" ".join(wrap(t, n))`` equals ``" ".join(t.split())``: nothing is lost.
    """
    words = text.split()
    if size is None or width(text) <= size or not words:
        return [text]
    lines: list[str] = []
    line, used = words[0], width(words[0])
    for word in words[1:]:
        w = width(word)
        if used + 1 + w <= size:
            line, used = f"{line} {word}", used + 1 + w
        else:
            lines.append(line)
            line, used = word, w
    lines.append(line)
    return lines


def terminal_width() -> int | None:
    """The width to wrap at: ``COLUMNS`` if set, else the terminal's when stdout is one, else ``None``."""
    given = os.environ.get("COLUMNS", "").strip()
    if given.isdigit() and int(given) > 0:
        return int(given)
    try:
        if sys.stdout.isatty():
            return os.get_terminal_size(sys.stdout.fileno()).columns
    except (OSError, ValueError, AttributeError):
        pass
    return None


def grouped(d: Decimal, lang: Lang = "vi", places: int | None = None) -> str:
    """A number for a table: :func:`~cds_index.numbers.show` with the thousands grouped by locale:
    ``9.500.000,5`` in Vietnamese, ``9,500,000.5`` in English (``≈`` and the sign kept)."""
    text = show(d, lang, places)
    point, separator = (",", ".") if lang == "vi" else (".", ",")
    start = 0
    while start < len(text) and not text[start].isdigit():
        start += 1
    head, _, tail = text[start:].partition(point)
    if len(head) <= 3 or not head.isdigit():
        return text
    groups: list[str] = []
    while len(head) > 3:
        head, last = head[:-3], head[-3:]
        groups.insert(0, last)
    body = separator.join([head, *groups])
    return text[:start] + body + (point + tail if tail else "")


def columns(cells: list[tuple[str, int, str]], gap: str = " ") -> list[str]:
    """One table row of wrapped cells: each ``(text, width, align)`` wrapped to its width, side by side.

    A header such as "Điểm tối đa" in a column of 10 becomes two lines, "Điểm tối" / "đa": never "Điểm tối đ".
    """
    wrapped = [wrap(text, size) for text, size, _ in cells]
    height = max((len(lines) for lines in wrapped), default=1)
    out = []
    for index in range(height):
        parts = []
        for (_, size, align), lines in zip(cells, wrapped, strict=True):
            parts.append(pad(lines[index] if index < len(lines) else "", size, align))
        out.append(gap.join(parts).rstrip())
    return out
