"""Merged cells of a sheet: where a value written once would be shown over cells read one by one (#11).

A merged range keeps its value in its first (top-left) cell; every other cell of it reads as empty.
Over a title row that is harmless, but over the cells a reader takes as values (two units' rows,
two inputs' columns, the self-assessed and appraised columns of one input) the person sees one
value in every cell, while the reader would score it for the first cell only and call the others
"not reported": a silent wrong result. The readers ask :meth:`Merges.over` for each row they read,
and refuse a unit whose value cells lie under a merge that holds something (``merged-cells``).

The ranges are read from the sheet's XML (``<mergeCell ref="C5:D5"/>``, after the rows) by a byte
scan before the rows are parsed, since a read-only workbook does not expose them.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

MAX_MERGES = 5_000
"""Most merged ranges read from one sheet: a form has a few dozen; more refuse the sheet."""

_REF = re.compile(
    rb'<(?:[A-Za-z_][\w.-]*:)?mergeCell\b[^<>]*?\bref="([A-Za-z]{1,3})([0-9]{1,7}):([A-Za-z]{1,3})([0-9]{1,7})"'
)
_TAIL = 1024
"""Bytes kept from one chunk to the next, so a ``<mergeCell>`` tag cut by a chunk is still found."""


def _column(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


@dataclass(frozen=True, slots=True)
class Merge:
    """One merged range: 0-based columns (as a row's cells are keyed) and the sheet's row numbers."""

    first_col: int
    first_row: int
    last_col: int
    last_row: int

    @property
    def ref(self) -> str:
        from .tables import column_letter

        return (
            f"{column_letter(self.first_col + 1)}{self.first_row}:"
            f"{column_letter(self.last_col + 1)}{self.last_row}"
        )

    def rows(self, after: int) -> range:
        """The merge's rows below row ``after`` (the header): the rows whose cells are values."""
        return range(max(self.first_row, after + 1), self.last_row + 1)


def scan(source: IO[bytes]) -> list[Merge] | None:
    """The merged ranges of a sheet's XML, in order; ``None`` when more than :data:`MAX_MERGES`."""
    found: list[Merge] = []
    tail = b""
    while True:
        chunk = source.read(1 << 20)
        if not chunk:
            return found
        data = tail + chunk
        if b"mergeCell" not in data:
            tail = data[-_TAIL:]
            continue
        end = 0
        for match in _REF.finditer(data):
            end = match.end()
            a, r1, b, r2 = match.groups()
            c1, c2, n1, n2 = _column(a), _column(b), int(r1), int(r2)
            if c1 > c2:
                c1, c2 = c2, c1
            if n1 > n2:
                n1, n2 = n2, n1
            if (c1, n1) == (c2, n2) or n1 < 1 or c1 < 1:
                continue  # one cell "merged" with itself: nothing is hidden
            found.append(Merge(c1 - 1, n1, c2 - 1, n2))
            if len(found) > MAX_MERGES:
                return None
        tail = data[max(end, len(data) - _TAIL) :]


class Merges:
    """The merged ranges of one sheet, looked up by cell, and which of them hold something."""

    def __init__(self, merges: Iterable[Merge]) -> None:
        self.merges = list(merges)
        self._starting: dict[int, list[Merge]] = {}
        for merge in self.merges:
            self._starting.setdefault(merge.first_row, []).append(merge)
        spans: list[list[int]] = []  # the columns some merge covers, as disjoint sorted intervals
        for first, last in sorted((m.first_col, m.last_col) for m in self.merges):
            if spans and first <= spans[-1][1] + 1:
                spans[-1][1] = max(spans[-1][1], last)
            else:
                spans.append([first, last])
        self._span_starts = [first for first, _ in spans]
        self._span_ends = [last for _, last in spans]
        self._by_column: dict[int, tuple[list[int], list[Merge]]] = {}
        self.filled: set[Merge] = set()

    def __bool__(self) -> bool:
        return bool(self.merges)

    def note(self, number: int, cells: dict[int, Any]) -> None:
        """Row ``number`` was read: a merge whose first cell holds something shows that value."""
        for merge in self._starting.get(number, ()):
            if merge.first_col in cells:
                self.filled.add(merge)

    def _column(self, col: int) -> tuple[list[int], list[Merge]]:
        index = self._by_column.get(col)
        if index is None:
            covering = sorted(
                (m for m in self.merges if m.first_col <= col <= m.last_col), key=lambda m: m.first_row
            )
            index = self._by_column[col] = ([m.first_row for m in covering], covering)
        return index

    def at(self, number: int, col: int) -> Merge | None:
        """The merge that covers the cell, if any (merges never overlap)."""
        span = bisect.bisect_right(self._span_starts, col) - 1
        if span < 0 or self._span_ends[span] < col:
            return None  # no merge covers this column: the common case, without building an index
        starts, covering = self._column(col)
        i = bisect.bisect_right(starts, number) - 1
        if i >= 0 and covering[i].last_row >= number:
            return covering[i]
        return None

    def over(self, number: int, cells: dict[int, Any], values: Iterable[int], header: int) -> list[Merge]:
        """The merges that hide values in row ``number``: each covers one of the row's value columns
        (``values``), holds something (its first cell, or this row's hidden cell), and covers a value
        cell besides its first one (another value column, or the same column of a row below ``header``)."""
        columns = sorted(set(values))
        found: list[Merge] = []
        for col in columns:
            merge = self.at(number, col)
            if merge is None or merge in found:
                continue
            first = (merge.first_row, merge.first_col) == (number, col)
            if not first and col in cells:
                self.filled.add(merge)  # a value left under the merge, hidden from the person
            if merge not in self.filled:
                continue  # nothing written in it: every cell it covers is honestly empty
            width = sum(1 for c in columns if merge.first_col <= c <= merge.last_col)
            value_cells = width * len(merge.rows(header))
            top_left_is_value = merge.first_row > header and merge.first_col in columns
            if value_cells > (1 if top_left_is_value else 0):
                found.append(merge)
        return found
