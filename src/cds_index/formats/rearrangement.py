"""Units that merge: the `kind: rearrangement` file (new units formed from old ones) and its check.

Since 1 July 2025 Vietnam's local government has two tiers: the district level is gone, communes were
merged into larger ones and provinces into fewer. A rearrangement file says, for each new unit, the
old units it was formed from (whole, or a declared share of a split commune), the decision that made
it and the date it took effect. :func:`check_rearrangement` refuses an old unit used beyond 100 %, an
old id that the units given do not have, a date outside the definitions' periods and a new id given
twice, each at its line; :mod:`cds_index.analyse.roll_up` turns the old units' results into the new units'.

>>> from cds_index.formats.rearrangement import Rearrangement
>>> r = Rearrangement.model_validate({"kind": "rearrangement", "id": "x", "title": "x",
...     "level": "commune", "effective": "2025-07-01",
...     "decision": {"number": "1/NQ-UBTVQH15", "date": "2025-06-16"},
...     "units": [{"id": "xa-moi", "from": ["xa-a", {"id": "xa-b", "share": "0,4"}]}]})
>>> [(p.id, p.share) for p in r.units[0].predecessors]
[('xa-a', Decimal('1')), ('xa-b', Decimal('0.4'))]
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, ConfigDict, Field, WithJsonSchema

from ..errors import DefinitionError, Location, Problem, UsageError, did_you_mean
from ..i18n import Message, T
from ..read.loader import Document, read_file, validate_model
from .model import Definition, DefinitionRef, InputName, Model, ProseText, Text

Method = Literal["mean_index", "mean_pillar_percentages", "weighted_mean", "rescore"]
METHODS: tuple[str, ...] = ("mean_index", "mean_pillar_percentages", "weighted_mean", "rescore")
Combine = Literal["sum", "all", "any"]


def _share(value: Any) -> Any:
    """A share as offices write it: `0.4`, `"0,4"` (decimal comma) or `"40%"`, kept exact."""
    if isinstance(value, Decimal) and (not value.is_finite() or abs(value.adjusted()) > 100):
        raise ValueError(
            T("a share is a decimal between 0 and 1, e.g. `0.4` or `40%`; got {value}", value=str(value))
        )
    if isinstance(value, bool) or not isinstance(value, str):
        return value
    text = value.strip().replace(" ", "")
    scale = Decimal(1)
    if text.endswith("%"):
        text, scale = text[:-1], Decimal(100)
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(
            T(
                "a share is a decimal between 0 and 1, e.g. `0.4`, `0,4` or `40%`; got {value}",
                value=repr(value),
            )
        ) from None
    if not number.is_finite() or abs(number.adjusted()) > 100:
        raise ValueError(
            T("a share is a decimal between 0 and 1, e.g. `0.4` or `40%`; got {value}", value=repr(value))
        )
    return number / scale if scale != 1 else number


def _no_float(value: Any) -> Any:
    if isinstance(value, float):  # a binary float is not an exact share: 0.1 is 0.1000000000000000055…
        return Decimal(str(value))
    return value


Share = Annotated[
    Decimal,
    BeforeValidator(_no_float),
    BeforeValidator(_share),
    Field(
        gt=0,
        le=1,
        description="The part of the old unit that went into this new unit, 0 < share ≤ 1: "
        "`0.4`, `0,4` or `40%` (exact). A whole unit is 1.",
    ),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
                {"type": "string", "pattern": r"^\s*[0-9]*([.,][0-9]+)?\s*%?\s*$"},
            ],
            "description": "The part of the old unit that went into this new unit, 0 < share ≤ 1: "
            "`0.4`, `0,4` or `40%` (exact). A whole unit is 1.",
        }
    ),
]


_DAY_FIRST = re.compile(r"^\s*(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})\s*$")


def _day(value: Any) -> Any:
    """A date as offices write it, day first: `01/07/2025`, `1.7.2025` (or ISO, `2025-07-01`)."""
    if isinstance(value, str):
        found = _DAY_FIRST.match(value)
        if found:
            day, month, year = (int(part) for part in found.groups())
            try:
                return dt.date(year, month, day)
            except ValueError:
                raise ValueError(
                    T(
                        "{value} is not a date (day/month/year); e.g. 01/07/2025 or 2025-07-01",
                        value=repr(value),
                    )
                ) from None
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(
                T("{value} is not a date: write 2025-07-01 (or 01/07/2025)", value=repr(value))
            ) from None
    return value


Day = Annotated[dt.date, BeforeValidator(_day, json_schema_input_type=dt.date | str)]


class RearrangementDecision(Model):
    """The decision that made a new unit, e.g. a Nghị quyết of the Ủy ban Thường vụ Quốc hội."""

    number: Text = Field(min_length=1, description="e.g. `1675/NQ-UBTVQH15`.")
    date: Day
    title: Text | None = None


class Predecessor(Model):
    """An old unit, or the declared share of one (a commune split between new units)."""

    id: Annotated[str, Field(min_length=1)]
    share: Share = Decimal(1)
    note: ProseText | None = None


def _path_text(value: Any) -> Any:
    """A folder named by its year (`inputs: [2024]`) is read by YAML as a number: it is a path."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


OldId = Annotated[str, Field(min_length=1, description="An old unit's id: the whole unit.")]


def _whole(value: Any) -> Any:
    return {"id": value} if isinstance(value, str) else value


class NewUnit(Model):
    """A unit of the new map and the old units it was formed from."""

    id: Annotated[str, Field(min_length=1)]
    name: Text | None = None
    predecessors: list[
        Annotated[Predecessor, BeforeValidator(_whole, json_schema_input_type=OldId | Predecessor)]
    ] = Field(
        alias="from",
        min_length=1,
        description="The old units: an id (the whole unit) or `{id: …, share: 0.4}` (part of a split unit).",
    )
    decision: RearrangementDecision | None = Field(None, description="Default: the file's `decision`.")
    effective: Day | None = Field(None, description="The date it took effect; default: the file's.")
    note: ProseText | None = None


class Rescore(Model):
    """How the `rescore` method combines the old units' inputs."""

    booleans: Literal["all", "any"] | None = Field(
        None,
        description="Yes/no inputs: `all` (yes when every old unit said yes) or `any` (yes when one did). "
        "Without it (and without a rule in `inputs`) a criterion that reads a yes/no input is refused.",
    )
    inputs: dict[InputName, Combine] = Field(
        default_factory=dict,
        description="A rule per input: `sum` (counts, amounts, numerators and denominators), `all`, `any`. "
        "Counts (`integer`) and amounts with a unit are summed without being listed here.",
    )


class Rearrangement(Model):
    """New units formed from old ones (the 2025 rearrangement), and how their results are rolled up."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        populate_by_name=True,
        json_schema_extra={"title": "cds_index rearrangement"},
    )

    kind: Literal["rearrangement"]
    format: Literal[1] = 1
    id: Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
    title: Text
    level: Literal["province", "district", "commune", "department"]
    decision: RearrangementDecision | None = Field(
        None, description="The decision that made every new unit (a unit may name its own)."
    )
    effective: Day | None = Field(
        None, description="The date every new unit took effect (a unit may give its own), e.g. 2025-07-01."
    )
    definitions: list[DefinitionRef] = Field(
        default_factory=list,
        description="The definitions whose results are rolled up; each new unit's date must lie in "
        "their periods (`effective.from`–`effective.to`).",
    )
    inputs: list[Annotated[str, BeforeValidator(_path_text)]] = Field(
        default_factory=list,
        description="The old units' inputs (files, folders, CSV files or workbooks, relative to this "
        "file); `check` finds every old id among them.",
    )
    method: Method = Field(
        "mean_index", description="The default roll-up method (the ministry's: mean_index)."
    )
    weight: InputName | None = Field(
        None, description="For `weighted_mean`: the input that weighs each old unit, e.g. `population`."
    )
    rescore: Rescore = Field(default_factory=Rescore)
    units: list[NewUnit] = Field(min_length=1, description="The new units.")
    note: ProseText | None = None

    def new_unit(self, unit_id: str) -> NewUnit | None:
        return next((u for u in self.units if u.id == unit_id), None)


# --- reading and checking ---------------------------------------------------------------------


def validate_rearrangement(doc: Document) -> tuple[Rearrangement | None, list[Problem]]:
    return validate_model(Rearrangement, doc)


def read_rearrangement(path: str | Path) -> tuple[Rearrangement, Document]:
    """Read and validate a rearrangement file; raise :class:`DefinitionError` with every problem."""
    doc, problems = read_file(path)
    if not problems:
        model, problems = validate_rearrangement(doc)
        if model is not None:
            return model, doc
    raise DefinitionError(problems)


def _fmt_share(share: Decimal) -> str:
    from ..numbers import HUNDRED, plain

    return plain(share * HUNDRED) + "%"


def check_rearrangement(
    model: Rearrangement,
    doc: Document | None,
    *,
    definitions: Sequence[Definition] = (),
    unit_ids: Iterable[str] | None = None,
    units_where: str | None = None,
) -> list[Problem]:
    """Every problem of a rearrangement: ids, shares, dates against ``definitions``, old ids against
    ``unit_ids`` (when given; ``units_where`` says where they are, default "the units given").
    Positioned in ``doc`` when there is one; never raises."""
    where_units = units_where if units_where is not None else T("the units given")

    def at(*path: str | int) -> Location:
        return doc.location(path) if doc is not None else Location(path=tuple(path))

    problems: list[Problem] = []
    seen: dict[str, int] = {}
    used: dict[str, Decimal] = {}
    first_use: dict[str, str] = {}
    known = set(unit_ids) if unit_ids is not None else None
    for i, unit in enumerate(model.units):
        if unit.id in seen:
            problems.append(
                Problem(
                    "rearrangement-duplicate",
                    T(
                        "the new unit {unit} is listed twice (first as unit {first}); give each new unit "
                        "once, with all the old units it was formed from in its `from:`",
                        unit=repr(unit.id),
                        first=str(seen[unit.id] + 1),
                    ),
                    at("units", i, "id"),
                )
            )
        else:
            seen[unit.id] = i
        if (unit.decision or model.decision) is None:
            problems.append(
                Problem(
                    "missing-key",
                    T(
                        "the new unit {unit} names no decision: give `decision: {{number: …, date: …}}` "
                        "here or once for the whole file, e.g. `decision: {{number: 1675/NQ-UBTVQH15, "
                        "date: 2025-06-16}}`",
                        unit=repr(unit.id),
                    ),
                    at("units", i),
                )
            )
        day = unit.effective or model.effective
        if day is None:
            problems.append(
                Problem(
                    "missing-key",
                    T(
                        "the new unit {unit} has no date it took effect: give `effective: 2025-07-01` "
                        "here or once for the whole file",
                        unit=repr(unit.id),
                    ),
                    at("units", i),
                )
            )
        else:
            where = at("units", i, "effective") if unit.effective else at("effective")
            for definition in definitions:
                period = definition.effective
                if not period.covers(day):
                    span = (
                        T("from {start} to {end}", start=period.from_, end=period.to)
                        if period.to
                        else T("from {start}, no end", start=period.from_)
                    )
                    if period.successor:
                        span = T(
                            "{span}; its successor is {successor}",
                            span=span,
                            successor=repr(period.successor),
                        )
                    problems.append(
                        Problem(
                            "rearrangement-date",
                            T(
                                "the new unit {unit} took effect on {day}, outside the period of {id} "
                                "({span}): its results cannot be rolled up into a unit that did not exist "
                                "while it applied; check the date (written YYYY-MM-DD, e.g. 2025-07-01) or "
                                "the definition",
                                unit=repr(unit.id),
                                day=day,
                                id=definition.id,
                                span=span,
                            ),
                            where,
                        )
                    )
        for j, old in enumerate(unit.predecessors):
            place = at("units", i, "from", j)
            if known is not None and old.id not in known:
                problems.append(
                    Problem(
                        "rearrangement-unknown-unit",
                        T(
                            "the old unit {old} (in {unit}) is not among {where}: write its id exactly as "
                            "its inputs file's `unit: {{id: …}}` (or the table's `Mã đơn vị` column)",
                            old=repr(old.id),
                            unit=repr(unit.id),
                            where=where_units,
                        ),
                        place,
                        hint=did_you_mean(old.id, known),
                    )
                )
            before = used.get(old.id, Decimal(0))
            total = before + old.share
            if total > 1 and before <= 1:
                problems.append(
                    Problem(
                        "rearrangement-overused",
                        T(
                            "the old unit {old} is used for {share} (in {first} and {unit}): a unit goes "
                            "whole into one new unit, or is split in shares that add up to at most 100%, "
                            "e.g. {example}",
                            old=repr(old.id),
                            share=_fmt_share(total),
                            first=first_use[old.id],
                            unit=repr(unit.id),
                            example=f"`{{id: {old.id}, share: 0.6}}`, `{{id: {old.id}, share: 0.4}}`",
                        ),
                        place,
                    )
                )
            used[old.id] = total
            first_use.setdefault(old.id, repr(unit.id))
    return problems


def check_years(model: Rearrangement, doc: Document | None, years: Mapping[str, int | None]) -> list[Problem]:
    """A new unit whose old units were assessed in different years (``years``: old id → year)."""
    problems = []
    for i, unit in enumerate(model.units):
        found: dict[int | None, list[str]] = {}
        for old in unit.predecessors:
            if old.id in years:
                found.setdefault(years[old.id], []).append(old.id)
        if len(found) > 1:
            parts: list[Message] = [
                T("{year}: {ids}", year=str(year), ids=", ".join(ids))
                if year is not None
                else T("no year: {ids}", ids=", ".join(ids))
                for year, ids in sorted(found.items(), key=lambda item: (item[0] is None, item[0] or 0))
            ]
            by_year = parts[0]
            for part in parts[1:]:
                by_year = T("{a}; {b}", a=by_year, b=part)
            problems.append(
                Problem(
                    "rollup-years",
                    T(
                        "the old units of {unit} were assessed in different years ({years}); roll up one "
                        "year at a time: give every old unit's inputs for the same `year: 2024`",
                        unit=repr(unit.id),
                        years=by_year,
                    ),
                    doc.location(("units", i, "from")) if doc is not None else Location(path=("units", i)),
                )
            )
    return problems


def check_rescore(model: Rearrangement, doc: Document | None, definition: Definition) -> list[Problem]:
    """The `rescore` rules and the `weight` input against one definition's inputs."""

    def at(*path: str | int) -> Location:
        return doc.location(path) if doc is not None else Location(path=tuple(path))

    problems: list[Problem] = []
    for name, rule in model.rescore.inputs.items():
        spec = definition.inputs.get(name)
        if spec is None:
            problems.append(
                Problem(
                    "input-unknown",
                    T(
                        "`rescore.inputs` names {name}, which is not an input of {id}",
                        name=repr(name),
                        id=definition.id,
                    ),
                    doc.location(("rescore", "inputs", name), key=True)
                    if doc is not None
                    else Location(path=("rescore", "inputs", name)),
                    hint=did_you_mean(name, definition.inputs),
                )
            )
            continue
        why = combine_refusal(spec, rule)
        if why:
            problems.append(
                Problem(
                    "rollup-not-additive",
                    T(
                        "{rule} cannot combine {name} ({label}): {why}",
                        rule=f"`{name}: {rule}`",
                        name=name,
                        label=spec.label,
                        why=why,
                    ),
                    at("rescore", "inputs", name),
                )
            )
    if model.weight is not None:
        spec = definition.inputs.get(model.weight)
        if spec is None or spec.type not in {"integer", "number"}:
            problems.append(
                Problem(
                    "rollup-weight",
                    T(
                        "{weight} must name a number input of {id} (e.g. `weight: population`)",
                        weight=f"`weight: {model.weight}`",
                        id=definition.id,
                    ),
                    at("weight"),
                    hint=did_you_mean(model.weight, definition.inputs),
                )
            )
    return problems


def is_ratio_unit(unit: str) -> bool:
    """A dimensionless unit (`percent`, `1`): the value is a ratio or a score, not an amount."""
    from . import units

    parsed = units.parse(unit)
    return not isinstance(parsed, str) and parsed[0] == "dimensionless"


def combine_refusal(spec: Any, rule: str | None) -> Message | None:
    """Why an input cannot be combined by ``rule`` (None = the default for its type); None if it can."""
    kind = spec.type
    if kind == "boolean":
        if rule in {"all", "any"}:
            return None
        if rule is None:
            return T("a yes/no input needs a declared rule: `rescore: {{booleans: all}}` (or `any`)")
        return T("a yes/no input combines by `all` or `any`, not by a sum")
    if kind in {"integer", "number"}:
        if rule in {"all", "any"}:
            return T("`all`/`any` are for yes/no inputs; a number is summed (`sum`)")
        from . import units

        if units.scale(spec.unit) is not None:  # `percent`, `%` or `fraction` (#13)
            return T("it is a percentage already computed; sum its numerator and denominator instead")
        if kind == "number" and is_ratio_unit(spec.unit) and rule is None:
            return T(
                "it is a plain number without a unit (a ratio or a score already computed); "
                "declare `sum` in `rescore.inputs` only if it is a count"
            )
        return None
    if kind == "role":
        return T("it is a role (who did it), which cannot be added up across units")
    if kind == "choice":
        return T("it is a choice among states, which cannot be added up across units")
    if kind == "date":
        return T("it is a date, which cannot be added up across units")
    return T("it is of type {type}, which cannot be added up across units", type=f"`{kind}`")


def resolve_relative(base: str | Path | None, ref: str) -> str:
    """A path written in a file, relative to that file (ids and absolute paths stay as they are)."""
    if base is None:
        return ref
    candidate = Path(base).parent / ref
    return str(candidate) if candidate.exists() else ref


def unit_sources(sources: Iterable[Any]) -> list[Any]:
    """Units to read: folders become their files, leaving out YAML files of another kind (the
    rearrangement itself, definitions, scenarios kept beside the inputs); files named stay."""
    from ..io.batch import INPUTS_SUFFIXES, expand

    out: list[Any] = []
    for source in [sources] if isinstance(sources, str | Path) else sources:
        if not isinstance(source, str | Path) or not Path(source).is_dir():
            out.append(source)
            continue
        for path in expand([source]):
            if path.suffix.lower() in INPUTS_SUFFIXES:
                doc, problems = read_file(path)
                kind = doc.data.get("kind") if isinstance(doc.data, Mapping) else None
                if not problems and kind != "inputs":
                    continue
            out.append(path)
    return out


def check_rearrangement_file(path: Path, doc: Document, report: Any) -> None:
    """`cds-index check` of a `kind: rearrangement` file (fills a checking.FileReport)."""
    from ..io.batch import UnitFailure, read_units
    from ..read.registry import load

    model, problems = validate_rearrangement(doc)
    report.problems.extend(problems)
    if model is None:
        return
    report.id = model.id
    definitions: list[Definition] = []
    for index, ref in enumerate(model.definitions):
        try:
            definitions.append(load(ref, relative_to=path))
        except UsageError as exc:  # an unknown id: point at where it is written
            report.problems.extend(
                Problem(p.code, p.message, doc.location(("definitions", index))) for p in exc.problems
            )
        except DefinitionError as exc:  # a broken definition file: its own positions
            report.problems.extend(exc.problems)
    unit_ids: list[str] | None = None
    if model.inputs:
        if not definitions:
            report.problems.append(
                Problem(
                    "missing-key",
                    T(
                        "`inputs:` needs `definitions:` to read the old units against, "
                        "e.g. `definitions: [hue-2263-commune]`"
                    ),
                    doc.location(("inputs",)),
                )
            )
        else:
            unit_ids = []
            years: dict[str, int | None] = {}
            found = [resolve_relative(path, ref) for ref in model.inputs]
            for index, source in enumerate(found):
                if not Path(source).exists():
                    report.problems.append(
                        Problem(
                            "file-not-found",
                            T(
                                "`inputs:` names {path}, which does not exist (paths are relative to "
                                "this file, e.g. `inputs: [./2024]`)",
                                path=repr(model.inputs[index]),
                            ),
                            doc.location(("inputs", index)),
                        )
                    )
            sources = unit_sources(s for s in found if Path(s).exists())
            for unit in read_units(definitions[0], sources):
                if isinstance(unit, UnitFailure):
                    report.problems.extend(unit.problems)
                    if unit.unit_id:
                        unit_ids.append(unit.unit_id)
                else:
                    unit_ids.append(unit.unit_id)
                    years.setdefault(unit.unit_id, unit.year)
            report.problems.extend(check_years(model, doc, years))
    report.problems.extend(
        check_rearrangement(
            model, doc, definitions=definitions, unit_ids=unit_ids, units_where=T("the units in `inputs:`")
        )
    )
    for definition in definitions:
        report.problems.extend(check_rescore(model, doc, definition))
    report.facts["new units"] = len(model.units)
    report.facts["old units"] = len({p.id for u in model.units for p in u.predecessors})
    report.facts["method"] = model.method


def predecessor_map(model: Rearrangement) -> Mapping[str, list[tuple[str, Decimal]]]:
    """Old id → the new units it went into, with its share."""
    out: dict[str, list[tuple[str, Decimal]]] = {}
    for unit in model.units:
        for old in unit.predecessors:
            out.setdefault(old.id, []).append((unit.id, old.share))
    return out


__all__ = [
    "METHODS",
    "NewUnit",
    "Predecessor",
    "Rearrangement",
    "RearrangementDecision",
    "Rescore",
    "check_rearrangement",
    "check_rearrangement_file",
    "read_rearrangement",
]
