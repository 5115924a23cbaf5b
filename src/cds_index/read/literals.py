"""How people write numbers, percentages, dates and yes/no: one reader per kind, never a guess.

Vietnamese offices write ``9.500`` for nine thousand five hundred and ``0,5`` for a half; an English
spreadsheet writes ``9,500`` and ``0.5``. A text is read in every way it can be written (Vietnamese:
``.`` or a space between thousands, ``,`` before decimals; English: ``,`` or a space between
thousands, ``.`` before decimals). When the readings agree, or only one of them is a valid value of
the input, that is the value. When two readings differ (``1.000``: one thousand, or one?) the text is
refused with the two readings and how to write it, unless the file declares its number format
(``vi`` or ``en``). A whole-number input (``integer``) takes the reading without decimals: a count of
``9.500`` people is 9500.

Every number, whatever its source (text, ``int``, ``float``, ``Decimal``), is refused beyond
:data:`MAX_MAGNITUDE`, :data:`MAX_PLACES` decimals or :data:`MAX_DIGITS` significant digits, so that
no arithmetic on an accepted value can overflow or exhaust memory.

>>> read_number("9.500", integer=True)
(Decimal('9500'), None, None)
>>> read_number("1.250,5")
(Decimal('1250.5'), None, None)
>>> read_number("1.000")[1]
'input-ambiguous'
>>> read_number("1.000", number_format="vi")
(Decimal('1000'), None, None)
"""

from __future__ import annotations

import datetime as dt
import math
import re
import reprlib
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from ..i18n import Message, T

NumberFormat = Literal["vi", "en"]
NUMBER_FORMATS: tuple[NumberFormat, ...] = ("vi", "en")

MAX_MAGNITUDE = Decimal(10) ** 15
"""Largest absolute value accepted (a quadrillion: more than any count, area or budget in VND)."""
MAX_PLACES = 20
"""Most decimal places accepted (trailing zeros do not count): the precision of every division."""
MAX_DIGITS = 34
"""Most significant digits accepted (IEEE decimal128)."""
MAX_TEXT = 64
"""Longest text read as a number or a date, spaces included."""

Read = tuple[Any, str | None, str | None]
"""``(value, error code, message)``: the value, or ``None`` and why."""

_SPACES = "\u00a0\u202f\u2009\u2007 "  # no-break, narrow no-break, thin, figure space, space
_MINUS = "-\u2212\u2013"  # hyphen-minus, minus sign, en dash (typed by Word's autocorrect)
_PLAIN = {
    # a grouped form (thousands separated, one separator throughout), then a plain run of digits
    "vi": (
        re.compile(r"[1-9][0-9]{0,2}([. ])[0-9]{3}(?:\1[0-9]{3})*(?:,[0-9]+)?"),
        re.compile(r"[0-9]+(?:,[0-9]+)?"),
    ),
    "en": (
        re.compile(r"[1-9][0-9]{0,2}([, ])[0-9]{3}(?:\1[0-9]{3})*(?:\.[0-9]+)?"),
        re.compile(r"[0-9]+(?:\.[0-9]+)?"),
    ),
}
_DECIMAL_MARK: dict[NumberFormat, str] = {"vi": ",", "en": "."}
_WHOLE = re.compile(r"-?[1-9][0-9]{0,14}|0")
_NEGATIVE = re.compile(r"\(([0-9][0-9., ]*)\)|([0-9][0-9., ]*)[-\u2212]")
_SCIENTIFIC = re.compile(r"([0-9]+(?:\.[0-9]+)?|\.[0-9]+)[eE][-+]?[0-9]+")
_HOW = T("write digits only, with a comma before decimals as in 9500 or 0,5")
# Invisible characters that ride along with copied text (a BOM from joined files, a zero-width space
# or a direction mark from a web page): at the ends of a cell they are not part of what was typed.
# Bidirectional embeddings, overrides and isolates (U+202A–202E, U+2066–2069) too: a web page's `\u202eh1`
# is `h1` (#12).
_INVISIBLE = (
    "\ufeff\u200b\u200c\u200d\u200e\u200f\u2060\u00ad\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
INVISIBLE = _INVISIBLE
"""The invisible characters :func:`clean` removes at the ends of a value."""


def clean(text: str) -> str:
    """``text`` without surrounding spaces and invisible characters (``\ufeffh1`` is ``h1``)."""
    return text.strip().strip(_INVISIBLE).strip()


def _lookalike(text: str) -> Message | None:
    """Why ``text`` holds a character that only looks like (or folds to) a digit: ``2²`` is not 22.

    NFKC turns full-width digits into digits (fine: ``５００`` is 500), but also superscripts,
    fractions and circled numbers (``²``, ``½``, ``①``), which would read as other numbers.
    """
    for char in text:
        if unicodedata.category(char) in {"No", "Nl"}:
            return T("{char} is not a digit (a superscript, fraction or numeral sign)", char=repr(char))
    return None


def _readings(body: str) -> dict[NumberFormat, tuple[Decimal, bool]]:
    """Each format's reading of unsigned ``body``: ``{format: (value, written with decimals)}``."""
    found: dict[NumberFormat, tuple[Decimal, bool]] = {}
    for fmt in NUMBER_FORMATS:
        grouped, ungrouped = _PLAIN[fmt]
        if not (grouped.fullmatch(body) or ungrouped.fullmatch(body)):
            continue
        whole, mark, fraction = body.partition(_DECIMAL_MARK[fmt])
        digits = re.sub(r"[^0-9]", "", whole) + ("." + fraction if mark else "")
        found[fmt] = (Decimal(digits), bool(mark))
    return found


def _vn(sign: str, d: Decimal) -> str:
    """A reading written the unambiguous Vietnamese way: ``1.000`` → ``1``, ``9.5`` → ``9,5``."""
    text = str(int(d)) if d == d.to_integral_value() else format(d.normalize(), "f")
    return (sign + text).replace(".", ",")


def read_number(
    raw: Any,
    *,
    integer: bool = False,
    percent: bool = False,
    number_format: NumberFormat | None = None,
) -> Read:
    """A number as written: text in the Vietnamese or English way, ``int``, ``float`` or ``Decimal``.

    ``integer``: a whole-number input (``9.500`` is 9500); ``percent``: a percentage input, where a
    trailing ``%`` is allowed (``85%`` is 85); ``number_format``: the file's declared format, which
    decides between two readings.
    """
    if isinstance(raw, bool):  # a yes/no (`true`, Excel's TRUE) where a figure belongs
        return (
            None,
            "input-type",
            T("expected a number, got the yes/no value {value}: write the figure", value=str(raw)),
        )
    number: Decimal
    if isinstance(raw, int):
        if abs(raw) > MAX_MAGNITUDE:  # compared as int: never turned into a huge text
            return None, "input-range", _too_big(raw)
        number = Decimal(raw)
    elif isinstance(raw, float):
        if not math.isfinite(raw):
            return None, "input-type", T("expected a finite number, got {value}", value=str(raw))
        # the float's shortest text, never 0.1000000000000000055…; float's own repr, not a subclass's
        # (numpy's float64 writes `np.float64(3.0)`, #11)
        number = Decimal(float.__repr__(raw))
    elif isinstance(raw, Decimal):
        if not raw.is_finite():  # `NaN`, `Infinity`: not Python's `Decimal('NaN')`
            return None, "input-type", T("expected a finite number, got {value}", value=str(raw))
        number = raw
    elif isinstance(raw, str):
        return _read_text(raw, integer=integer, percent=percent, number_format=number_format)
    elif isinstance(raw, dt.date | dt.time | dt.timedelta):  # a cell formatted as a date or time (#11)
        return (
            None,
            "input-type",
            T(
                "expected a number, got the date or time {value}: the cell is formatted as a date or time; "
                "format it as a number (Format Cells → Number) and write the figure",
                value=when(raw),
            ),
        )
    else:
        return None, "input-type", T("expected a number, got {value}", value=_short(raw))
    return check_number(number, raw, integer=integer)


def when(raw: dt.date | dt.time | dt.timedelta) -> str:
    """A date, time or duration as a Vietnamese office writes it: 01/05/2026, 01/05/2026 14:30, 06:00,
    30:00 (a duration of 30 hours)."""
    if isinstance(raw, dt.timedelta):
        minutes = int(raw.total_seconds() // 60)
        sign, minutes = ("-", -minutes) if minutes < 0 else ("", minutes)
        return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"
    if isinstance(raw, dt.datetime):
        day = f"{raw.day:02d}/{raw.month:02d}/{raw.year:04d}"
        return (
            day
            if (raw.hour, raw.minute, raw.second) == (0, 0, 0)
            else f"{day} {raw.hour:02d}:{raw.minute:02d}"
        )
    if isinstance(raw, dt.date):
        return f"{raw.day:02d}/{raw.month:02d}/{raw.year:04d}"
    return f"{raw.hour:02d}:{raw.minute:02d}"


def check_number(number: Decimal, raw: Any, *, integer: bool = False) -> Read:
    """``number`` within the documented magnitude and precision (and whole, for ``integer``)."""
    if number.is_zero():
        return Decimal(0), None, None  # 0E+999999 is zero: never carry its exponent into arithmetic
    if number.adjusted() > 15 or number.copy_abs() > MAX_MAGNITUDE:  # adjusted(): O(1), no context
        return None, "input-range", _too_big(raw)
    sign, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)  # finite
    stripped = len(digits)
    while stripped > 1 and digits[stripped - 1] == 0 and exponent < 0:
        stripped -= 1
        exponent += 1
    if -exponent > MAX_PLACES:
        return (
            None,
            "input-range",
            T(
                "{value} has more than {places} decimal places; round it (e.g. to 4 places)",
                value=_short(raw),
                places=MAX_PLACES,
            ),
        )
    if stripped > MAX_DIGITS:
        return (
            None,
            "input-range",
            T("{value} has more than {digits} significant digits", value=_short(raw), digits=MAX_DIGITS),
        )
    if stripped != len(digits):
        number = Decimal((sign, digits[:stripped], exponent))  # 12.000000 is 12: bounded exponent
    if integer and number != number.to_integral_value():
        return (
            None,
            "input-type",
            T(
                "expected a whole number, got {value}; a count is written without decimals "
                "(nine thousand five hundred is 9500)",
                value=_short(raw),
            ),
        )
    return number, None, None


_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxlist, _REPR.maxdict, _REPR.maxstring, _REPR.maxother = 3, 6, 4, 40, 40


def _too_big(raw: Any) -> Message:
    return T("{value} is beyond what cds_index reads (at most 10^15 in absolute value)", value=_short(raw))


def short(raw: Any) -> str:
    """``raw`` as a message shows it: at most 60 characters, a container never whole (#9)."""
    if isinstance(raw, int) and not isinstance(raw, bool) and abs(raw) > 10**30:
        # never turned into text: beyond 4300 digits str() raises, and a million digits help no one
        return T("a number of about {digits} digits", digits=int(raw.bit_length() * math.log10(2)) + 1)
    if isinstance(raw, Decimal):
        return str(raw)[:60]  # a spreadsheet's number as written (9.5), never Decimal('9.5') (#12)
    if isinstance(raw, dt.date | dt.time | dt.timedelta):
        return when(raw)  # as an office writes it, never datetime.datetime(2026, 5, 1, 0, 0) (#11)
    if isinstance(raw, list | tuple | set | frozenset | dict):
        # never repr() a container whole: a million values, or nesting deep enough to recurse (#9)
        text = _REPR.repr(raw)
    else:
        text = repr(raw[:80]) if isinstance(raw, str | bytes) else repr(raw)
    return text if len(text) <= 60 else text[:57] + "..."


def _read_text(raw: str, *, integer: bool, percent: bool, number_format: NumberFormat | None) -> Read:
    if len(raw) > MAX_TEXT:
        return None, "input-type", T("expected a number, got a text of {length} characters", length=len(raw))
    text = raw.strip()
    if _WHOLE.fullmatch(text):  # the common case, `620`: one reading, within bounds (measured: 2x)
        return Decimal(text), None, None
    text = clean(text)
    odd = _lookalike(text)
    if odd:
        return (
            None,
            "input-type",
            T("expected a number, got {value}: {why}; {how}", value=repr(raw), why=odd, how=_HOW),
        )
    text = unicodedata.normalize("NFKC", text).strip(_SPACES + "\t\r\n")
    negative = _NEGATIVE.fullmatch(text)
    if negative:  # accounting's (5) and 5-: refused, with how to write the number
        return (
            None,
            "input-type",
            T(
                "expected a number, got {value}; a negative number is written with a minus first "
                "(-{number}), and a count or amount is never negative",
                value=repr(raw),
                number=negative.group(1) or negative.group(2),
            ),
        )
    if text.endswith("%"):
        if not percent:
            return (
                None,
                "input-type",
                T(
                    "{value}: a percent sign is only for percentage inputs; write the number alone",
                    value=repr(raw),
                ),
            )
        text = text[:-1].rstrip(_SPACES)
    sign = ""
    if text[:1] in _MINUS or text[:1] == "+":
        sign = "-" if text[:1] in _MINUS else ""
        text = text[1:].lstrip(_SPACES)
    for space in _SPACES[:-1]:
        text = text.replace(space, " ")
    lowered = text.lower()
    if lowered in {"inf", "infinity", "nan", "snan", "∞"} or lowered.startswith(("inf", "nan")):
        return None, "input-type", T("expected a finite number, got {value}", value=repr(raw))
    if _SCIENTIFIC.fullmatch(text):
        try:
            value = Decimal(sign + text)
        except InvalidOperation:  # an exponent beyond what Decimal can hold: 1e99999999999999999999
            return None, "input-range", _too_big(raw)
        number, code, message = check_number(value, raw, integer=integer)
        if code is None and number.as_tuple().exponent > 0:
            number = number.quantize(Decimal(1))  # 1e3 is 1000, never shown as 1E+3 (#12)
        return number, code, message
    readings = _readings(text)
    if not readings:
        words = _WITH_WORDS.fullmatch(text)
        if words and _readings(words.group(1).strip()):
            # `25 người`, `3 cuộc`, `80 ha`: the number with its unit or what it counts
            return (
                None,
                "input-type",
                T(
                    "expected a number, got {value}: write {number}, not {value}; the unit is the input's",
                    value=repr(raw),
                    number=sign + words.group(1).strip(),
                ),
            )
        return None, "input-type", T("expected a number, got {value}; {how}", value=repr(raw), how=_HOW)
    if number_format is not None and number_format in readings:
        value, _ = readings[number_format]
    else:
        values = {v for v, _ in readings.values()}
        if len(values) > 1 and integer:
            # a count written with decimals is not a count: 9.500 people are 9500, never 9.5
            whole = {v for v, places in readings.values() if not places}
            values = whole or values
        if len(values) > 1:
            vi, en = (_vn(sign, readings[fmt][0]) for fmt in NUMBER_FORMATS)
            return (
                None,
                "input-ambiguous",
                _ambiguous(repr(raw), vi, en),
            )
        (value,) = values
    return check_number(Decimal(sign + format(value, "f")), raw, integer=integer)


_BY_API = T("send it as a JSON number")
"""How a caller of the HTTP API gives a number of two readings one (it has no ``--number-format``)."""


def _ambiguous(value: str, vi: str, en: str) -> Message:
    """A number with two readings: write it with one, or declare the number format (a caller of the
    HTTP API, which has no ``--number-format``, is told to send a JSON number instead: :func:`for_api`)."""
    return T(
        "{value} can be read as {vi} (Vietnamese: '.' between thousands, ',' before decimals) "
        "or as {en} (English: ',' between thousands, '.' before decimals); write {vi} or {en} "
        "(no separator between thousands, a comma before decimals), or {how}",
        value=value,
        vi=vi,
        en=en,
        how=T("declare the file's number format (--number-format vi|en)"),
    )


_AMBIGUOUS = _ambiguous("", "", "").msgid


def for_api(message: Any) -> Any:
    """``message`` in the words of the HTTP API: a number with two readings is to be sent as a JSON
    number, not read by a ``--number-format`` a request does not have; other messages as they are."""
    if not isinstance(message, Message):
        return message
    if message.msgid == _AMBIGUOUS:  # the same words, and the API's way to write it
        return Message(message.msgid, {**message.params, "how": _BY_API})
    params = {k: for_api(v) for k, v in message.params.items()}
    if all(params[k] is v for k, v in message.params.items()):
        return message
    return Message(message.msgid, params)


_WITH_WORDS = re.compile(r"([0-9][0-9., ]*?)\s*[^\W\d_][^\d]*")
"""A number followed by words (``25 người``, ``80 ha``, ``3 cuộc họp``): the words are refused, and
the message says to write the number alone."""
_YEAR_WORD = re.compile(r"^(?:năm|nam|year)\s*", re.IGNORECASE)


def read_year(raw: Any) -> Read:
    """A year: a whole number from 1900 to 2100 (``2024``, ``2024.0`` from a spreadsheet, ``"2024"``)."""
    if isinstance(raw, str):
        raw = _YEAR_WORD.sub(
            "", unicodedata.normalize("NFC", clean(raw)), count=1
        )  # "Năm 2024", as a year column often says
    number, code, _ = read_number(raw, integer=True)
    if code:
        return None, "input-type", T("the year {value} is not a year; write it as 2024", value=_short(raw))
    if not 1900 <= number <= 2100:
        return None, "input-range", T("the year {value} is not between 1900 and 2100", value=_short(raw))
    return int(number), None, None


# --- dates ---------------------------------------------------------------------------------------

_TIME = (
    r"(?:[T ] *(?P<hour>[0-9]{1,2}):(?P<minute>[0-9]{2})(?::(?P<second>[0-9]{2})(?:\.[0-9]+)?)?"
    r"(?: *(?P<half>[AaPp][Mm]|[Ss][Aa]|[Cc][Hh]))?)?"
)
"""A time of day after a date (``20/06/2025 14:30``): the date is what an input holds, once the time
is one of a day (:func:`_odd_time`). A 12-hour time is marked AM/PM, or SA/CH (sáng, chiều) as
Windows in Vietnamese writes it: ``20/06/2025 2:30:00 CH`` (#11: refused as no date)."""
_DMY = re.compile(r"([0-9]{1,2}) *([/.-]) *([0-9]{1,2}) *\2 *([0-9]{4}) *" + _TIME)
_ISO = re.compile(r"([0-9]{4}) *([-/.]) *([0-9]{1,2}) *\2 *([0-9]{1,2}) *" + _TIME)
_WORDS = re.compile(r"(?:ngày|ngay)? *([0-9]{1,2}) *(?:tháng|thang) *([0-9]{1,2}) *(?:năm|nam|,) *([0-9]{4})")
_SHORT_YEAR = re.compile(r"[0-9]{1,2} *([/.-]) *[0-9]{1,2} *\1 *[0-9]{2}")
_DATE_HOW = T("write the day first, as officials do: 20/06/2025 (or ISO 2025-06-20)")


DATE_YEARS = (1900, 2100)
"""The years a date is read in, as a year is (:func:`read_year`): 1900 is where Excel's dates begin (its
serial 0 is 30/12/1899, what an empty date formula shows), and 2100 is beyond any meeting or decision
these indices score. A year outside them is a typing slip or a placeholder (``20/06/0024`` for 2024,
``31/12/9999`` for "open-ended"), never a day the person meant, so it is refused rather than scored."""


def read_date(raw: Any) -> Read:
    """A date: a ``date``/``datetime``, ``dd/mm/yyyy`` (``d/m/yyyy``, ``dd-mm-yyyy``, ``dd.mm.yyyy``),
    ISO ``yyyy-mm-dd`` (or ``yyyy/mm/dd``), ``ngày 20 tháng 6 năm 2025``; a time after it is ignored.
    Its year is one of :data:`DATE_YEARS`, whatever way it is written (text, date cell, Excel serial).

    >>> read_date("20/06/2025")
    (datetime.date(2025, 6, 20), None, None)
    >>> read_date("ngày 20 tháng 6 năm 2025")
    (datetime.date(2025, 6, 20), None, None)
    >>> read_date("20/06/0024")[1]
    'input-range'
    """
    day, code, message = _read_date(raw)
    if isinstance(day, dt.date) and not DATE_YEARS[0] <= day.year <= DATE_YEARS[1]:
        shown = repr(raw) if isinstance(raw, str) else f"{day.day:02d}/{day.month:02d}/{day.year:04d}"
        return (
            None,
            "input-range",
            T(
                "the date {value} is in the year {year}, outside {first}–{last}: write the date as "
                "dd/mm/yyyy with its year in full, as 20/06/2025",
                value=shown,
                year=f"{day.year:04d}",
                first=str(DATE_YEARS[0]),
                last=str(DATE_YEARS[1]),
            ),
        )
    return day, code, message


def _read_date(raw: Any) -> Read:
    if isinstance(raw, dt.datetime):
        if raw.utcoffset() is not None:  # which day depends on the zone: refused, as its text is (#11)
            refused = T("expected a date, got {value}; {how}", value=repr(raw), how=_DATE_HOW)
            return None, "input-type", refused
        return raw.date(), None, None
    if isinstance(raw, dt.date):
        return raw, None, None
    if isinstance(raw, dt.time):  # an Excel date cell holding less than one day: its serial 0 (#11)
        return (
            None,
            "input-type",
            T(
                "expected a date, got the time of day {value} (a date cell holding 0, which Excel shows "
                "as 00/01/1900: an empty or zero date); {how}",
                value=f"{raw.hour:02d}:{raw.minute:02d}",
                how=_DATE_HOW,
            ),
        )
    if isinstance(raw, int | float | Decimal) and not isinstance(raw, bool):
        return None, "input-type", _serial(raw)
    if not isinstance(raw, str) or len(raw) > MAX_TEXT:
        return None, "input-type", T("expected a date, got {value}; {how}", value=_short(raw), how=_DATE_HOW)
    text = clean(raw)
    if _lookalike(text):
        return None, "input-type", T("expected a date, got {value}; {how}", value=repr(raw), how=_DATE_HOW)
    text = unicodedata.normalize("NFKC", text).strip()
    iso = _ISO.fullmatch(text)
    words = _WORDS.fullmatch(fold(text))
    if iso:
        year, month, day = int(iso.group(1)), int(iso.group(3)), int(iso.group(4))
        odd = _odd_time(raw, iso)
        if odd is not None:
            return None, "input-type", odd
    elif words:
        day, month, year = (int(g) for g in words.groups())
    else:
        dmy = _DMY.fullmatch(text)
        if dmy is None:
            if _SHORT_YEAR.fullmatch(text):
                return (
                    None,
                    "input-type",
                    T(
                        "{value} has a two-digit year, which is not guessed; write the year in full: "
                        "20/06/2025",
                        value=repr(raw),
                    ),
                )
            if re.fullmatch(r"[0-9]{5}(?:[.,]0+)?", text):
                return None, "input-type", _serial(raw)
            return (
                None,
                "input-type",
                T("expected a date, got {value}; {how}", value=repr(raw), how=_DATE_HOW),
            )
        day, month, year = int(dmy.group(1)), int(dmy.group(3)), int(dmy.group(4))
        odd = _odd_time(raw, dmy)
        if odd is not None:
            return None, "input-type", odd
        if month > 12 and day <= 12:
            return (
                None,
                "input-type",
                T(
                    "{value} has no month {month}: dates are written day/month/year, so this is perhaps "
                    "{swapped}",
                    value=repr(raw),
                    month=str(month),
                    swapped=f"{month:02d}/{day:02d}/{year}",
                ),
            )
    try:
        return dt.date(year, month, day), None, None
    except ValueError:
        return (
            None,
            "input-type",
            T(
                "{value} is not a date of the calendar (day {day}, month {month})",
                value=repr(raw),
                day=str(day),
                month=str(month),
            ),
        )


def _odd_time(raw: str, found: re.Match[str]) -> Message | None:
    """Why the time after a date is no time of a day (``20/06/2025 99:99``, ``14:30 PM``), or None: the
    date beside it is then a guess at what was meant, refused as a date of no calendar is (#11)."""
    hour = found.group("hour")
    if hour is None:
        return None
    second = found.group("second") or "0"
    half = found.group("half")
    hours = range(1, 13) if half else range(24)  # 12-hour clock: 1–12 AM/PM, never 00 or 13 PM
    if int(hour) in hours and int(found.group("minute")) < 60 and int(second) < 60:
        return None
    return T(
        "{value}: {time} is not a time of day (hours 0–23, or 1–12 with AM/PM or SA/CH; minutes and seconds "
        "0–59); write the date alone, as 20/06/2025, or with its time, as 20/06/2025 14:30",
        value=repr(raw),
        time=found.string[found.start("hour") : found.end()].strip(),  # as written: 99:99, 14:30 PM
    )


def _serial(raw: Any) -> Message:
    """Why a number is not a date; an Excel date serial (45828) is named with the date it stands for."""
    try:
        days = int(Decimal(str(raw).strip().replace(",", ".")))
        if 1 <= days <= 2958465 and days == Decimal(str(raw).strip().replace(",", ".")):
            when = dt.date(1899, 12, 30) + dt.timedelta(days=days)
            return T(
                "expected a date, got the number {value}, perhaps an Excel date number ({date}) in a "
                "cell formatted as a number or text; format the cell as a date, or write {date}",
                value=_short(raw),
                date=f"{when:%d/%m/%Y}",
            )
    except (ArithmeticError, ValueError, OverflowError):
        pass
    return T("expected a date, got the number {value}; {how}", value=_short(raw), how=_DATE_HOW)


# --- yes / no ------------------------------------------------------------------------------------

TRUE_WORDS = frozenset(
    {"true", "yes", "y", "có", "co", "x", "đạt", "dat", "1", "✓", "✔", "đã có", "da co", "đúng", "dung"}
)
FALSE_WORDS = frozenset(
    {
        *("false", "no", "n", "không", "khong", "chưa", "chua", "0", "không đạt", "khong dat", "chưa đạt"),
        *("không có", "khong co", "chưa có", "chua co", "sai"),
    }
)
_BOOL_HOW = T("write 'có' or 'không' (yes/no, 'đạt'/'không đạt', x, 1/0)")


def fold(text: str) -> str:
    """A word as compared: NFC, lower case, single spaces (``CÓ``, ``Co\\u0301`` and ``có`` agree)."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def unaccented(text: str) -> str:
    """``text`` without its Vietnamese marks (``đ`` is ``d``): how a word typed without them compares
    (``tong cong``, ``ty le``)."""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("đ", "d").replace("Đ", "D")


def read_bool(raw: Any) -> Read:
    """Yes or no, as written in Vietnamese or English, or 1/0."""
    if isinstance(raw, bool):
        return raw, None, None
    if isinstance(raw, int | float | Decimal) and not isinstance(raw, bool):
        if (not isinstance(raw, Decimal) or raw.is_finite()) and (raw == 1 or raw == 0):  # sNaN signals
            return raw == 1, None, None
    elif isinstance(raw, str) and len(raw) <= MAX_TEXT:
        word = fold(clean(raw))
        if word in TRUE_WORDS:
            return True, None, None
        if word in FALSE_WORDS:
            return False, None, None
    return None, "input-type", T("expected yes/no, got {value}; {how}", value=_short(raw), how=_BOOL_HOW)


_short = short  # the name used inside this module
