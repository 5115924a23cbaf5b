"""A unit's measured data: parse raw values against a definition's declared inputs."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import Location, Problem, did_you_mean
from ..formats import units
from ..formats.model import InputDef
from ..i18n import Message, T
from .literals import NumberFormat, fold, read_bool, read_date, read_number, short

NOT_APPLICABLE_WORDS = {"n/a", "na", "không áp dụng", "khong ap dung", "not applicable"}
_ROLE = {
    "head": "head",
    "người đứng đầu": "head",
    "nguoi dung dau": "head",
    "chủ tịch": "head",
    "deputy": "deputy",
    "cấp phó": "deputy",
    "cap pho": "deputy",
    "phó chủ tịch": "deputy",
    "none": "none",
    "không": "none",
    "khong": "none",
    "không có": "none",
}
_MAX_INT = 10**15
"""An integer up to this magnitude is a number read_number accepts as it is (literals.MAX_MAGNITUDE)."""
_VALUE_KEYS = {"value", "self", "appraised", "date", "evidence", "note", "not_applicable"}
_PLAIN = frozenset({bool, int, float, Decimal})
"""Types of a value that is neither a mapping nor text: no `n/a` word, no keys to read (#11)."""
_NUMERIC = frozenset({"number", "integer"})
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
"""A date as JSON clients write it, which read_date reads as the day it names (or refuses)."""


@dataclass(frozen=True, slots=True)
class Value:
    """One input of one unit: the final value (appraised where there is one) and what it came from."""

    value: Any = None
    self_value: Any = None
    appraised: Any = None
    date: dt.date | None = None
    not_applicable: bool = False
    reason: str | None = None
    evidence: str | None = None

    @property
    def reported(self) -> bool:
        return self.not_applicable or self.value is not None

    @property
    def has_appraisal(self) -> bool:
        return self.appraised is not None


_YES = Value(True, True)
_NO = Value(False, False)
"""A JSON boolean of a yes/no input, read: the same Value for every unit (a Value is immutable; a
frozen dataclass of seven fields took 1 µs to build, a third of reading a value, #11)."""
_COUNTS: dict[int, Value] = {}
_COUNTS_MAX = 1 << 12
"""A JSON integer of a number input, read (its Decimal, no places), by the integer: the common counts
come back for every unit. Bounded as :mod:`cds_index.numbers`' caches are."""


def _count(raw: int) -> Value:
    """The Value of a JSON integer ``raw`` within the input's bounds: ``Decimal(raw)`` as final and
    self-assessed value (the one object, as the general path gives it)."""
    try:
        return _COUNTS[raw]
    except KeyError:
        number = Decimal(raw)
        found = _COUNTS[raw] = Value(number, number)
        if len(_COUNTS) > _COUNTS_MAX:
            _COUNTS.clear()
        return found


_TEXT_KINDS = frozenset({"role", "date"})
_TEXTS: dict[tuple[str, str], Value] = {}
_TEXT_MAX = 40
"""A role or a date written as text (``head``, ``2024-05-12``) and read, by its input's type and
the text (up to 40 characters): its reading depends on nothing else, and the same few texts come
back for every unit (#11). A text that reads as nothing or is refused is never kept."""


@dataclass
class UnitInputs:
    """Every value of one unit for one year, parsed; problems say which values were refused."""

    unit_id: str
    unit_name: str | None = None
    year: int | None = None
    values: dict[str, Value] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    source: str | None = None
    read_by: Mapping[str, InputDef] | None = field(default=None, repr=False, compare=False)
    """The input declarations the values were read by (the ``inputs`` of the definition they were
    read for; ``None`` when not known). Scored under a definition that declares one of them otherwise
    (a fraction there, a percentage here), that value is refused, never misread (#11):
    :func:`read_otherwise`."""

    def __post_init__(self) -> None:
        # a hand-built unit (the Python API) whose values are raw (`{"population": 5}`) failed deep
        # inside scoring with an AttributeError; said at once, with the two ways to give values (#11)
        values = self.values
        if (
            type(values) is dict
            and _VALUE.issuperset(map(type, values.values()))
            and _STR.issuperset(map(type, values))
        ):
            return  # every reader's unit: one pass, no call per value
        if not isinstance(values, Mapping):
            wrong: tuple[str, Any] | None = ("values", values)
        else:
            wrong = next(
                (
                    (str(k)[:40], v)
                    for k, v in values.items()
                    if not isinstance(k, str) or not isinstance(v, Value)
                ),
                None,
            )
        if wrong is None:
            return
        from ..errors import UsageError

        raise UsageError(
            Problem(
                "usage",
                T(
                    "UnitInputs: {name} is {kind}, not a Value read for an input; give the raw values to "
                    "score(definition, {{name: value}}), or read them with parse_values or read_units",
                    name=wrong[0],
                    kind=kind_of(wrong[1]),
                ),
                Location(path=("values", wrong[0]) if wrong[0] != "values" else ("values",)),
            )
        )


_VALUE, _STR = frozenset({Value}), frozenset({str})
"""The types of a read unit's values and names: checked by type in one pass each (4 µs for 108 values)."""


def restated(unit: UnitInputs, year: int) -> UnitInputs:
    """``unit`` scored as ``year``: its values as they are, with an ``input-year`` warning where it
    states another year (a file of 2024 scored as 2025 with ``--year 2025``, or ``year=``): its
    dated values and the rules of that year apply to them, which is never silent (#11). A table row
    of another year is refused instead, where it is read (``io.tables``): one row among several years."""
    if unit.year == year:
        return unit
    if unit.year is None:
        return replace(unit, year=year)
    warning = Problem(
        "input-year",
        T(
            "{unit}: the values are of {stated}, scored as {year} as asked: the deadlines, dates and "
            "rules of {year} apply to them (to score them as {stated}, give no year or {stated})",
            unit=unit.unit_id,
            stated=str(unit.year),
            year=str(year),
        ),
        Location(unit.source, path=("year",)),
        severity="warning",
    )
    return replace(unit, year=year, problems=[*unit.problems, warning])


_READING = ("type", "unit", "min", "max", "choices")
"""What of an input declaration decides how a value is read: its label and description do not."""
_Declared = Mapping[str, InputDef]
_DIFFERING: dict[tuple[int, int], tuple[_Declared, _Declared, dict[str, list[str]]]] = {}


def _differing(inputs: Mapping[str, InputDef], read_by: Mapping[str, InputDef]) -> dict[str, list[str]]:
    """The inputs both declare otherwise, each with the keys that differ: compared once per pair of
    definitions, not per unit (a batch of units read for one definition and scored under another)."""
    key = (id(inputs), id(read_by))
    held = _DIFFERING.get(key)
    if held is not None and held[0] is inputs and held[1] is read_by:
        return held[2]
    found: dict[str, list[str]] = {}
    for name, mine in inputs.items():
        theirs = read_by.get(name)
        if theirs is not None and theirs is not mine:
            differ = [k for k in _READING if getattr(mine, k) != getattr(theirs, k)]
            if differ:
                found[name] = differ
    if len(_DIFFERING) > 64:  # a bound: a program compares a few definitions
        _DIFFERING.clear()
    _DIFFERING[key] = (inputs, read_by, found)
    return found


def read_otherwise(inputs: Mapping[str, InputDef], unit: UnitInputs) -> list[Problem]:
    """An ``input-definition`` problem for each value of ``unit`` read by another declaration of
    its input than ``inputs`` has (``unit.read_by``, the definition it was read for): a value read
    as a fraction (0.95) would score as 0.95 % under a definition whose input is a percentage, a
    value checked against a range of 0–1000 would pass one of 0–100 (#11). Inputs ``inputs`` does
    not declare are left alone: no rule of it reads them."""
    read_by = unit.read_by
    if read_by is inputs:
        return []
    if read_by is None:
        return by_hand(inputs, unit)
    differing = _differing(inputs, read_by)
    out: list[Problem] = []
    for name, value in unit.values.items():
        differ = differing.get(name)
        if differ:
            mine = inputs[name]
            if set(differ) <= _RANGE:  # read alike; only the range differs: the value is checked against it
                out.extend(_outside(name, mine, value, unit.source))
                continue
            out.append(
                Problem(
                    "input-definition",
                    T(
                        "{name} ({label}): the value was read for another definition, which declares "
                        "this input otherwise ({keys}); it is not scored: read the unit again with "
                        "this definition (read_units(definition, ...))",
                        name=name,
                        label=mine.label,
                        keys=", ".join(f"`{key}`" for key in differ),
                    ),
                    Location(unit.source, path=("values", name)),
                )
            )
    return out


_RANGE = {"min", "max"}


def by_hand(inputs: Mapping[str, InputDef], unit: UnitInputs) -> list[Problem]:
    """A problem for each value of a unit built without a reader (``UnitInputs(...)`` by hand, its
    ``read_by`` unknown) that is not what reading it for its input gives: ``Value("không")`` for a
    yes/no input (a non-empty text, true to Python), ``Value("boss")`` for a role, 150 for a
    percentage of at most 100, a float for a number. Each is refused as reading the figure refuses
    it, or as held otherwise than read; never scored as it is (#11)."""
    out: list[Problem] = []
    for name, value in unit.values.items():
        spec = inputs.get(name)
        if spec is None or value.not_applicable:
            continue  # an input no rule of ``inputs`` reads; not applicable has no figure
        message: Any = None
        if value.date is not None and type(value.date) is not dt.date:
            message = T("the date {value} is not a date", value=short(value.date))
        for figure in (value.value, value.self_value, value.appraised):
            if figure is None or message is not None:
                continue
            read, code, refused = coerce(figure, spec)
            if code:
                message = refused
            elif type(read) is not type(figure) or not _same(read, figure):
                message = T(
                    "{value} is held as a Python {held}, where reading it for this input gives the "
                    "{type} {read}; give the raw value to score(definition, {{name: value}}) or read "
                    "it with parse_values",
                    value=short(figure),
                    held=type(figure).__name__,
                    type=type(read).__name__,
                    read=short(read),
                )
        if message is not None:
            out.append(_refused(name, spec, "input-type", message, unit.source))
    return out


def _refused(name: str, spec: InputDef, code: str, message: Any, source: str | None) -> Problem:
    """A unit's value refused at its input: ``name (label): message``."""
    text = T("{name} ({label}): {message}", name=name, label=spec.label, message=message)
    return Problem(code, text, Location(source, path=("values", name)))


def _outside(name: str, spec: InputDef, value: Value, source: str | None) -> list[Problem]:
    """The ``input-range`` refusal of a value (read by a declaration with another range) outside
    ``spec``'s, as reading it with ``spec`` refuses it (:func:`coerce`); nothing when it is within (a
    scenario that widens a maximum, #11)."""
    for number in (value.value, value.self_value, value.appraised):
        if isinstance(number, Decimal):
            _, code, message = coerce(number, spec)
            if code:
                return [_refused(name, spec, code, message, source)]
    return []


def kind_of(value: Any) -> Message:
    """What a value is, in the reader's words: a list, a mapping, a number (never Python's type name)."""
    if isinstance(value, Mapping):
        return T("a mapping")
    if isinstance(value, list | tuple | set | frozenset):
        return T("a list")
    if isinstance(value, bool):
        return T("a yes/no value")
    if isinstance(value, int | float | Decimal):
        return T("a number")
    if isinstance(value, str):
        return T("a text")
    if value is None:
        return T("nothing (null)")
    return T("a value of another kind")


def _norm(text: str) -> str:
    return fold(text)


def coerce(
    raw: Any, spec: InputDef, *, number_format: NumberFormat | None = None
) -> tuple[Any, str | None, str | None]:
    """Convert one raw value to the input's type: ``(value, error code, message)``.

    Numbers, dates and yes/no are read by :mod:`cds_index.read.literals` (the Vietnamese and English ways
    of writing them; ``number_format`` decides between two readings such as ``1.000``).
    """
    if raw is None:
        return None, None, None
    kind = spec.type
    if kind == "boolean":
        return (raw, None, None) if type(raw) is bool else read_bool(raw)  # a JSON boolean as it is
    if kind in {"number", "integer"}:
        if type(raw) is int and -_MAX_INT <= raw <= _MAX_INT:  # already a JSON/YAML integer (#11)
            number = Decimal(raw)  # what read_number gives it: within every bound, no places
            if spec.min is not None and number < spec.min:
                return (
                    None,
                    "input-range",
                    T("{value} is below the minimum {min}", value=number, min=spec.min),
                )
            if spec.max is not None and number > spec.max:
                return None, "input-range", _above(number, spec)
            return number, None, None
        scale = units.scale(spec.unit)
        if scale == "fraction" and isinstance(raw, str) and raw.strip().endswith("%"):
            # in the reader's language, with the fraction to write (#11: an English text, untranslated)
            share, refused, _ = read_number(raw, percent=True, number_format=number_format)
            fraction = "0,5" if refused else _vn_text(share / 100)
            return (
                None,
                "input-type",
                T(
                    "{value}: this input is a fraction from 0 to 1, not a percentage; write {fraction} "
                    "for {percent}",
                    value=repr(raw),
                    fraction=fraction,
                    percent="50 %" if refused else raw.strip(),
                ),
            )
        number, code, message = read_number(
            raw, integer=kind == "integer", percent=scale == "percent", number_format=number_format
        )
        if code:
            return None, code, message
        if spec.min is not None and number < spec.min:
            return None, "input-range", T("{value} is below the minimum {min}", value=number, min=spec.min)
        if spec.max is not None and number > spec.max:
            return None, "input-range", _above(number, spec)
        return number, None, None
    if kind == "role":
        role = _ROLE.get(_norm(raw)) if isinstance(raw, str) else None
        if role is not None:
            return role, None, None
        return None, "input-choice", T("expected head, deputy or none, got {value}", value=short(raw))
    if kind == "choice":
        choices = spec.choices or []
        if isinstance(raw, str):
            chosen = _folded(tuple(choices)).get(_norm(raw))
            if chosen is not None:
                return chosen, None, None
        return (
            None,
            "input-choice",
            T("expected one of {choices}; got {value}", choices=", ".join(choices), value=short(raw)),
        )
    if kind == "date":
        if type(raw) is str and _ISO_DAY.fullmatch(raw) and "1900" <= raw[:4] <= "2100":  # 2024-05-12 (#11)
            try:
                return dt.date(int(raw[:4]), int(raw[5:7]), int(raw[8:])), None, None
            except ValueError:
                pass  # not a day of the calendar: read_date says why
        return read_date(raw)
    raise AssertionError(kind)


def _above(number: Decimal, spec: InputDef) -> Message:
    """A number above its input's maximum; for a share written 0–1 given a percentage (85 for 85 %),
    with the fraction to write (#11: "85 is above the maximum 1" said nothing of 0,85)."""
    if spec.max is not None and spec.max <= 1 < number <= 100 and units.scale(spec.unit) == "fraction":
        return T(
            "{value} is above the maximum {max}: this input is a fraction from 0 to 1; write {fraction} "
            "for {value} %",
            value=number,
            max=spec.max,
            fraction=_vn_text(number / 100),
        )
    return T("{value} is above the maximum {max}", value=number, max=spec.max)


def _vn_text(number: Decimal) -> str:
    """``number`` as the unambiguous Vietnamese way writes it: ``0.855`` → ``0,855``."""
    text = format(number.normalize(), "f")
    return text.replace(".", ",")


@lru_cache(maxsize=256)
def _folded(choices: tuple[str, ...]) -> dict[str, str]:
    """A choice input's choices by their folded form, the first choice of each form (as a loop over
    them finds it), computed once per set of choices rather than per value."""
    found: dict[str, str] = {}
    for choice in choices:
        found.setdefault(_norm(choice), choice)
    return found


def parse_values(
    raw_values: Mapping[str, Any],
    inputs: Mapping[str, InputDef],
    *,
    locate: Any = None,
    number_format: NumberFormat | None = None,
) -> tuple[dict[str, Value], list[Problem]]:
    """Parse a mapping of raw values; return the values and the problems (nothing is dropped silently).

    ``locate(name) -> Location`` places a problem in its file; without it problems carry the name only.
    ``number_format`` (``vi``/``en``) is the file's declared way of writing numbers, if any.
    """
    values: dict[str, Value] = {}
    problems: list[Problem] = []

    def where(name: str) -> Location:
        return locate(name) if locate else Location(path=("values", name))

    if not isinstance(raw_values, Mapping):
        problems.append(
            Problem(
                "input-type",
                T(
                    "the values must be a mapping of input names to values, got {type}",
                    type=kind_of(raw_values),
                ),
                Location(path=("values",)),
            )
        )
        return values, problems
    for name, raw in raw_values.items():
        if not isinstance(name, str):
            problems.append(
                Problem(
                    "input-unknown",
                    T(
                        "an input name is text, got {type} {value}",
                        type=kind_of(name),
                        value=repr(str(name)[:40]),
                    ),
                    Location(path=("values", str(name)[:40])),
                )
            )
            continue
        spec = inputs.get(name)
        kind = type(raw)
        if kind is bool and spec is not None and spec.type == "boolean":  # a JSON boolean, as it is (#11)
            values[name] = _YES if raw else _NO
            continue
        if (  # a JSON integer of a number input, within its bounds: its Decimal (#11)
            kind is int
            and spec is not None
            and spec.type in _NUMERIC
            and -_MAX_INT <= raw <= _MAX_INT
            and (spec.min is None or raw >= spec.min)  # an int and a Decimal compare exactly
            and (spec.max is None or raw <= spec.max)
        ):
            values[name] = _count(raw)
            continue
        if kind is str and spec is not None and spec.type in _TEXT_KINDS:  # read before? (#11)
            shared = _TEXTS.get((spec.type, raw))
            if shared is not None:
                values[name] = shared
                continue
        if spec is None:
            problems.append(
                Problem(
                    "input-unknown",
                    T("{name} is not an input of this definition", name=short(name)),
                    where(name),
                    hint=did_you_mean(name, inputs),
                )
            )
            continue
        date = None
        self_raw = appraised_raw = None
        reason = evidence = None
        if type(raw) in _PLAIN:  # a JSON number or boolean: no keys, no `n/a` word to look for (#11)
            self_raw = raw
        elif isinstance(raw, Mapping):
            unknown = set(raw) - _VALUE_KEYS
            if unknown:
                problems.append(
                    Problem(
                        "input-type",
                        T(
                            "{name}: unknown key(s) {keys}; a value mapping may have {known}",
                            name=name,
                            keys=", ".join(f"`{k}`" for k in sorted(map(str, unknown))),
                            known=", ".join(f"`{k}`" for k in sorted(_VALUE_KEYS)),
                        ),
                        where(name),
                    )
                )
                continue
            na_flag = raw.get("not_applicable")
            if isinstance(na_flag, str) and read_bool(na_flag)[1] is None:
                na_flag = read_bool(na_flag)[0]  # "không", "false" quoted: not "not applicable" (#9)
            contradiction = _contradiction(name, spec, raw, bool(na_flag), number_format)
            if contradiction is not None:  # never one of them chosen without a word (#11)
                problems.append(Problem("input-type", contradiction, where(name)))
                continue
            if not na_flag and any(_is_na_word(raw.get(key)) for key in _FIGURES):
                na_flag = True  # `{self: n/a}`: the word, as a value written alone (#11)
            if na_flag:
                na_reason = raw.get("not_applicable")
                values[name] = Value(
                    not_applicable=True,
                    reason=na_reason if isinstance(na_reason, str) and na_flag is na_reason else None,
                )
                continue
            self_raw = raw.get("self")
            if self_raw is None:  # `self: null` beside `value: 9` (a form that sends every key): the 9
                self_raw = raw.get("value")
            appraised_raw = raw.get("appraised")
            evidence = raw.get("evidence")
            reason = raw.get("note")
            date_raw = raw.get("date")
            if date_raw is not None:
                date, code, message = read_date(date_raw)
                if code:
                    problems.append(
                        Problem(code, T("{name}: {message}", name=name, message=message), where(name))
                    )
                    continue
        elif isinstance(raw, str) and _norm(raw) in NOT_APPLICABLE_WORDS:
            values[name] = Value(not_applicable=True)
            continue
        else:
            self_raw = raw
        self_value, code, message = coerce(self_raw, spec, number_format=number_format)
        if code:
            message = T("{name} ({label}): {message}", name=name, label=spec.label, message=message)
            problems.append(Problem(code, message, where(name)))
            continue
        appraised, code, message = (
            (None, None, None)
            if appraised_raw is None
            else coerce(appraised_raw, spec, number_format=number_format)
        )
        if code:
            message = T(
                "{name} ({label}), appraised: {message}", name=name, label=spec.label, message=message
            )
            problems.append(Problem(code, message, where(name)))
            continue
        final = appraised if appraised is not None else self_value
        if final is None:
            continue  # explicitly null: not reported
        value = values[name] = Value(final, self_value, appraised, date, False, reason, evidence)
        if kind is str and spec.type in _TEXT_KINDS and len(raw) <= _TEXT_MAX:  # a role or a day, as text
            if len(_TEXTS) >= _COUNTS_MAX:
                _TEXTS.clear()
            _TEXTS[spec.type, raw] = value
    return values, problems


_FIGURES = ("value", "self", "appraised")


def _is_na_word(raw: Any) -> bool:
    return isinstance(raw, str) and _norm(raw) in NOT_APPLICABLE_WORDS


def _read_alike(a: Any, b: Any, spec: InputDef, number_format: NumberFormat | None) -> bool:
    """Whether two ways of writing one figure read as the same value (`"72,4"` and `72.4`)."""
    (x, refused, _), (y, other, _) = (coerce(v, spec, number_format=number_format) for v in (a, b))
    return refused is None and other is None and x is not None and _same(x, y)


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except (ArithmeticError, TypeError):  # a signalling NaN compares by raising
        return False


def _contradiction(
    name: str, spec: InputDef, raw: Mapping[str, Any], na_flag: bool, number_format: NumberFormat | None
) -> Message | None:
    """Why a value mapping contradicts itself, or None: ``value`` and ``self`` (two names of the unit's
    own figure) with different values, or not applicable (``not_applicable``, or ``n/a`` as the unit's
    or the council's figure) beside a figure. Either reading would be a guess (#11: `{value: 5,
    self: 7}` was read as 7, `{not_applicable: true, self: 7}` as not applicable, and a form's
    council figure beside the unit's `n/a` was dropped)."""
    given = {key: raw.get(key) for key in _FIGURES if raw.get(key) is not None}
    value, own = given.get("value"), given.get("self")
    if (
        value is not None
        and own is not None
        and not _same(value, own)
        and not _read_alike(value, own, spec, number_format)
    ):
        return T(
            "{name} ({label}): `value` {value} and `self` {own} differ; both are the unit's own figure: "
            "give it once (and the appraisal council's figure as `appraised`)",
            name=name,
            label=spec.label,
            value=short(value),
            own=short(own),
        )
    words = {key for key, v in given.items() if _is_na_word(v)}
    figures = sorted(set(given) - words)
    if words and not na_flag and raw.get("not_applicable") is not None:  # n/a, and "applicable"
        return T(
            "{name} ({label}): {figures} says not applicable, `not_applicable` says it applies; write one",
            name=name,
            label=spec.label,
            figures=", ".join(f"`{key}` {short(given[key])}" for key in sorted(words)),
        )
    if (na_flag or words) and figures:
        return T(
            "{name} ({label}): marked not applicable and given a figure ({figures}); write one: the "
            "figure, or not applicable (n/a)",
            name=name,
            label=spec.label,
            figures=", ".join(f"`{key}` {short(given[key])}" for key in figures),
        )
    return None


def read_inputs_file(path: str | Path, doc: Any = None) -> tuple[Any, Any, list[Problem]]:
    """Read an inputs file: ``(InputsFile | None, Document, problems)`` (values not yet parsed).

    ``doc`` is the file already read (``loader.read_file``), so it is not read twice.
    """
    from ..formats.model import InputsFile
    from .loader import read_file, validate_model

    if doc is None:
        doc, problems = read_file(path)
        if problems:
            return None, doc, problems
    model, problems = validate_model(InputsFile, doc)
    return model, doc, problems
