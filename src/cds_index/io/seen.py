"""A bounded set of the unit ids a batch has seen, for refusing a duplicate (issue #11).

A batch streams its units and must not keep per-unit objects: a Python ``set`` of ids cost about
160 B a unit (+16 MB from 10,000 to 100,000 units). This keeps an 8-byte fingerprint of each id
(BLAKE2b) in an open-addressing table of machine integers, ≤ 16 B a unit, no Python object per unit.

Ids are compared as people read them: Unicode-normalised (NFC: ``huyện`` typed as ``huye\u0302\u0323n``
by a Vietnamese keyboard is the same id), without regard to capitals, and with any run of spaces (a
no-break space from a web page, a tab) as one. Accents stay: ``xa-an`` and ``xa-ân`` are two communes.
An invisible character (a BOM, a zero-width space, a direction mark: :data:`INVISIBLE`) is no part of
an id, wherever the id was read (a CSV cell, a YAML file, a form's cell). A tone mark placed the old
way or the new (``Hòa``/``Hoà``, ``Thủy``/``Thuỷ``: on ``oa``, ``oe``, ``uy``) spells one name: the
new placement is compared (#11). Only the placement folds: ``hoà`` and ``hòa`` agree, ``hoa`` and
``hoà`` do not. A dash is the hyphen it looks like (``xa‑1`` with Word's no-break hyphen, ``xa–1``
with its en dash: ``xa-1``), so that one unit written twice is refused (#11).

Two different ids share a fingerprint with probability ≤ n²/2⁶⁵ (3·10⁻¹⁰ at 100,000 units); then the
second is refused as a duplicate, with a message — never scored silently as another unit.

>>> seen = SeenIds()
>>> seen.add("xa-1"), seen.add("xa-2"), seen.add("xa-1")
(True, True, False)
>>> "xa-2" in seen, "xa-3" in seen, len(seen)
(True, False, 2)
>>> seen.add("XA-1"), seen.add("xa\u00a0 2"), seen.add("xa 2"), seen.add("xà-1")
(False, True, False, True)
>>> seen.add("xa-1\u200b"), seen.add("\ufeffxa-1"), seen.add("Thủy Nguyên"), seen.add("Thuỷ Nguyên")
(False, False, True, False)
>>> plain_id(" \ufeffxa-1\u200b "), plain_id(12.0)
('xa-1', '12')
"""

from __future__ import annotations

import re
from array import array
from hashlib import blake2b
from typing import Any

from ..formats.model import several_lines
from ..i18n import Message, T
from ..read.literals import INVISIBLE, clean, fold

_NO_INVISIBLE = dict.fromkeys(map(ord, INVISIBLE))
_INVISIBLE_RUN = re.compile(f"[{INVISIBLE}]+")

# The old tone placement (on the first vowel of oa, oe, uy) → the new (on the second), for each of
# the five marks; compared after NFC and case-folding, so the pairs are the precomposed small letters.
_TONE_PLACEMENT = {
    old + second: first + new
    for first, second, olds, news in (
        ("o", "a", "òóỏõọ", "àáảãạ"),
        ("o", "e", "òóỏõọ", "èéẻẽẹ"),
        ("u", "y", "ùúủũụ", "ỳýỷỹỵ"),
    )
    for old, new in zip(olds, news, strict=True)
}
_OLD_PLACEMENT = re.compile("|".join(_TONE_PLACEMENT))
_DASH_CHARS = frozenset("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d")
"""Dashes that read as the hyphen of an id: a hyphen, a no-break hyphen (Word's Ctrl+Shift+-), figure,
en and em dashes (Word's autocorrect), the minus sign, their small and full-width forms."""
_DASHES = dict.fromkeys(map(ord, _DASH_CHARS), "-")
_TONED_FIRST = frozenset("òóỏõọùúủũụ")


def plain_id(value: Any) -> str:
    """A unit id as read from any file (a CSV or Excel cell, a YAML file, a form): 12.0 read from a
    spreadsheet is ``12``; an invisible character a copy carries (``h\u200b1``, a BOM, a direction
    mark) is no part of the id: it is ``h1``, and the unit is reported under ``h1`` (#11, #12)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return text.strip() if text.isascii() else clean(text.translate(_NO_INVISIBLE))


_FORMULA_TEXT = re.compile(r'="([^"]*)"')
"""Excel's way of keeping a text as typed in a CSV (``="00123"``): the id is the text inside."""


def odd_id(unit_id: str) -> Message | None:
    """Why a table's or a form's id cell (after :func:`plain_id`) holds no id as typed, or None: a
    formula (``=1+1``, ``="00123"``), which Excel shows as its result and a CSV holds as written; a
    line break (Alt+Enter in a cell) or another control character. Each was the unit's id without a
    word (#11)."""
    if unit_id.startswith("="):
        inner = _FORMULA_TEXT.fullmatch(unit_id)
        return T(
            "the unit id {id} is a formula, which Excel shows as its result; write the id itself ({how})",
            id=repr(unit_id),
            how=repr(inner.group(1)) if inner else T("as it should read"),
        )
    return several_lines(unit_id)


def id_key(unit_id: str) -> str:
    """A unit id as compared: the one fold of the readers (NFC, case-folded, single spaces), without
    invisible characters, each tone mark of ``oa``/``oe``/``uy`` where the new placement puts it.

    Per unit of a batch: an ASCII id is folded only; otherwise a regex pass (measured faster than
    ``str.translate`` and than a loop of ``str.replace``) only where there is something to remove (an
    unprintable character) or to move (a vowel with a tone that may sit on ``oa``, ``oe``, ``uy``)."""
    if unit_id.isascii():
        return fold(unit_id)
    if not unit_id.isprintable():  # every invisible character is a format character (Cf): unprintable
        unit_id = _INVISIBLE_RUN.sub("", unit_id)
    key = fold(unit_id)
    if not _DASH_CHARS.isdisjoint(key):  # `xa‑1` (a no-break hyphen from Word), `xa–1`: `xa-1` (#11)
        key = key.translate(_DASHES)
    if not _TONED_FIRST.isdisjoint(key):
        key = _OLD_PLACEMENT.sub(lambda m: _TONE_PLACEMENT[m.group()], key)
    return key


def _fingerprint(unit_id: str) -> int:
    digest = blake2b(id_key(unit_id).encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little") or 1  # 0 marks an empty slot


class SeenIds:
    """Ids seen so far: ``add(id)`` is False when the id was seen before."""

    __slots__ = ("_count", "_mask", "_slots")

    def __init__(self, capacity: int = 1024) -> None:
        size = 1
        while size < 2 * capacity:
            size <<= 1
        self._slots = array("Q", bytes(8 * size))
        self._mask = size - 1
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def _find(self, fingerprint: int) -> int:
        """The slot holding ``fingerprint``, or the empty slot where it would go (linear probing)."""
        slots, mask = self._slots, self._mask
        index = fingerprint & mask
        while True:
            held = slots[index]
            if held == 0 or held == fingerprint:
                return index
            index = (index + 1) & mask

    def __contains__(self, unit_id: object) -> bool:
        return isinstance(unit_id, str) and self._slots[self._find(_fingerprint(unit_id))] != 0

    def add(self, unit_id: str) -> bool:
        fingerprint = _fingerprint(unit_id)
        index = self._find(fingerprint)
        if self._slots[index]:
            return False
        self._slots[index] = fingerprint
        self._count += 1
        if 2 * self._count > self._mask:  # at most half full: probes stay short
            self._grow()
        return True

    def _grow(self) -> None:
        old = self._slots
        size = 2 * len(old)
        self._slots = array("Q", bytes(8 * size))
        self._mask = size - 1
        for fingerprint in old:
            if fingerprint:
                self._slots[self._find(fingerprint)] = fingerprint
