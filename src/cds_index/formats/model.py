"""Pydantic models of a definition: metadata, inputs, the tree of criteria, rules, errata."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PrivateAttr,
    StrictBool,
    StrictStr,
    field_validator,
    model_validator,
)

from ..i18n import Message, Prose, T

FORMAT_VERSION = 1

# --- small types -----------------------------------------------------------------------------


def _nfc(value: str) -> str:
    """Titles are stored in Unicode NFC, whatever the editor produced."""
    return unicodedata.normalize("NFC", value)


Text = Annotated[str, AfterValidator(_nfc)]


def _prose(value: str) -> str:
    """The definition's own words about itself, shown through the ``definitions`` catalogue (#12)."""
    return Prose(unicodedata.normalize("NFC", value))


ProseText = Annotated[str, AfterValidator(_prose), PlainSerializer(str, return_type=str)]
"""An assumption, a reading not chosen, an erratum's note, a description: the encoders' prose (our
words, English in the bundled definitions), which a reader sees in their language where the
``definitions`` catalogue translates it (:class:`cds_index.i18n.Prose`). Titles, guidance and a
rule's ``text`` are the decision's words: :data:`Text`, never looked up. Dumped as a plain ``str``
(YAML and JSON writers see text, not a marker)."""
NodeId = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9]+(\.[A-Za-z0-9]+)*$",
        description="The decision's own numbering, e.g. `KTS.2.2.1`, `I.2.3`, `1.1`.",
    ),
]
InputName = Annotated[
    str,
    Field(
        pattern=r"^[a-z][a-z0-9_]*$",
        description="An input's name: lower-case ASCII letters, digits and `_`, starting with a letter.",
    ),
]
NonNegative = Annotated[Decimal, Field(ge=0)]
Percent = Annotated[Decimal, Field(ge=0, le=100, description="A share of the criterion's points, 0–100.")]
DayMonth = Annotated[
    str,
    Field(pattern=r"^\d{1,2}\.\d{1,2}$", description="A deadline as printed: day.month, e.g. `31.3`."),
]


class Model(BaseModel):
    """Every model forbids unknown keys, so a typo is an error instead of a silently ignored key."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


# --- provenance and rules -------------------------------------------------------------------


class RuleBase(Model):
    """What every rule has: where it comes from, and when it does not apply."""

    text: Text | None = Field(
        None, description="The decision's own words for this condition, quoted verbatim."
    )
    assumed: ProseText | None = Field(
        None,
        description="Why the rule is an assumption: the decision does not say how points are earned "
        "(or says only the full-points condition).",
    )
    applicable_if: InputName | None = Field(
        None,
        description="A yes/no input; when it is `false` the criterion is not assessed and its points "
        "leave the applicable maximum.",
    )
    enforce_deadline: bool = Field(
        False,
        description="When true, the criterion's inputs must be dated (an undated value that would earn "
        "credit is an input problem), and an input dated after the criterion's `deadline` in the "
        "assessment year, before `period_from`, or in another year earns no credit.",
    )
    dated_by: InputName | None = Field(
        None,
        description="With `enforce_deadline`: a `date` input that dates the criterion (the meeting's "
        "date, a column of its own in a table), checked like a date given with a value.",
    )
    period_from: DayMonth | None = Field(
        None,
        description="With `enforce_deadline`: the first day of the period the criterion counts "
        "(`1.4` for Quý 2). A value dated earlier belongs to an earlier period and earns nothing "
        "here, so one meeting counts for one quarter only (#10).",
    )

    alternatives: list[Alternative] | None = Field(
        None,
        description="Other readings of the decision's words, kept on record beside the rule (the "
        "encoded rule is the chosen one). Each has a name, the reason, and the rule under that reading "
        "where one can be written; `cds-index check` compiles each (#10; #15 builds on it).",
    )

    @model_validator(mode="after")
    def _has_provenance(self) -> RuleBase:
        if not self.text and not self.assumed:
            raise ValueError(
                T("a rule needs `text` (the decision's words) or `assumed` (the reason), or both")
            )
        return self


class YesNo(RuleBase):
    """Full points when a yes/no input is yes, 0 otherwise."""

    kind: Literal["yes_no"]
    input: InputName


def _fraction_target(value: Decimal) -> Decimal:
    """A ratio's target is a fraction: `target: 80` meant 80 % and would make full points unreachable."""
    if value > 1:
        from pydantic_core import PydanticCustomError

        shown = format(value.normalize(), "f")
        hint = format((value / 100).normalize(), "f") if value <= 100 else "a number from 0 to 1"
        raise PydanticCustomError(
            "scale_mismatch",
            "`target` is a fraction of 1, not a percent: {value} would need {percent} % of the whole; "
            "write {hint} for {value} % (viết {vi} cho {value} %)",
            {
                "value": shown,
                "percent": format((value * 100).normalize(), "f"),
                "hint": hint,
                "vi": hint.replace(".", ","),
            },
        )
    return value


class Ratio(RuleBase):
    """Points proportional to a ratio ("tỷ lệ thuận"): ``min(1, (input / per) / target) × points``."""

    kind: Literal["ratio"]
    input: InputName | Annotated[list[InputName], Field(min_length=2)] = Field(
        description="The numerator, or a percentage/ratio input when `per` is absent. A list is the sum "
        "of its inputs: one printed points cell spanning several rows (707's “mức độ 3 / mức độ 4”)."
    )
    per: InputName | Annotated[list[InputName], Field(min_length=2)] | None = Field(
        None, description="The denominator input (often a general fact); a list is the sum of its inputs."
    )
    target: Annotated[Decimal, Field(gt=0), AfterValidator(_fraction_target)] = Field(
        Decimal(1),
        description="The ratio that earns full points, always a fraction 0–1 whatever the input's "
        "scale: `0.8` for 80 %.",
        json_schema_extra={"maximum": 1},
    )


class Count(RuleBase):
    """Points proportional to a count against a target: ``min(1, input / target) × points``."""

    kind: Literal["count"]
    input: InputName
    target: Annotated[Decimal, Field(gt=0)] = Field(description="The count that earns full points.")


class Step(Model):
    """One band of a step rule: ``min ≤ value < max`` by default; bounds inclusive or not as declared."""

    min: Decimal | None = Field(None, description="Lower bound; absent = no lower bound.")
    max: Decimal | None = Field(None, description="Upper bound; absent = no upper bound.")
    min_inclusive: bool = True
    max_inclusive: bool = False
    percent: Percent | None = Field(None, description="Share of the criterion's points in this band.")
    points: NonNegative | None = Field(None, description="Points in this band (instead of `percent`).")
    label: Text | None = Field(None, description="The decision's words for this band, e.g. `01 tin bài`.")

    @model_validator(mode="after")
    def _one_award(self) -> Step:
        if (self.percent is None) == (self.points is None):
            raise ValueError(T("a step needs exactly one of `percent` or `points`"))
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(T("a step's `min` is greater than its `max`"))
        return self


class Steps(RuleBase):
    """Thresholds: the band the value falls in gives the points ("tối thiểu 02 tin bài: 100%; 01: 50%")."""

    kind: Literal["steps"]
    input: InputName
    per: InputName | None = Field(None, description="Divide by this input first (steps on a ratio).")
    scale: Literal["percent", "fraction"] | None = Field(
        None,
        description="The scale the bounds are written on. Without `per` it is the input's own (a "
        "`percent` input's bounds are 0–100, a `fraction` input's 0–1), and saying it confirms bounds "
        "that look like the other scale. With `per` the ratio's bounds are a fraction (0.5 for 50 %) "
        "unless `scale: percent` (50 for 50 %, as the decision prints them).",
    )
    steps: list[Step] = Field(min_length=1)


RoleValue = Literal["head", "deputy", "none"]
_ROLE_DEFAULT: dict[RoleValue, Decimal] = {"head": Decimal(100), "deputy": Decimal(50), "none": Decimal(0)}


class Role(RuleBase):
    """Who did it: the head of the unit 100%, a deputy 50%, nobody 0 (percentages adjustable)."""

    kind: Literal["role"]
    input: InputName
    percent: dict[RoleValue, Percent] = Field(default_factory=lambda: dict(_ROLE_DEFAULT))


class ChecklistItem(Model):
    input: InputName
    points: NonNegative
    label: Text | None = Field(None, description="The decision's words, e.g. `Có tổ chức`.")
    requires: InputName | None = Field(
        None,
        description="Another item's input that must hold for this one to earn (chairing a meeting "
        "needs the meeting held).",
    )


class Checklist(RuleBase):
    """Points for each yes/no item that holds (a quarterly meeting: held +1, chaired by the head +1)."""

    kind: Literal["checklist"]
    items: list[ChecklistItem] = Field(min_length=1)


class PerItem(RuleBase):
    """Points for each item counted, up to a cap ("0,5 điểm mỗi cuộc"; "mỗi ý kiến 1 điểm, tối đa 10")."""

    kind: Literal["per_item"]
    input: InputName
    points_each: Annotated[Decimal, Field(gt=0)]
    cap: NonNegative | None = Field(None, description="At most this many points; default the criterion's.")


class Incidents(RuleBase):
    """Full points with no incident, or when every incident was handled; 0 otherwise."""

    kind: Literal["incidents"]
    input: InputName = Field(description="The number of incidents.")
    handled: InputName | None = Field(None, description="The number of incidents handled.")


class Formula(RuleBase):
    """The escape hatch: a safe expression over declared inputs (simpleeval, allowlisted functions)."""

    kind: Literal["formula"]
    expression: str = Field(min_length=1)
    result: Literal["points", "percent"] = Field(
        "points", description="Whether the expression gives points or a percentage of the points."
    )


LARGEST_POINTS = Decimal(10) ** 9
"""The largest number of points a deduction or bonus rule may name (a billion: far above any decision),
with at most 6 decimals, so that ``count × points_each`` is exact in the 60-digit context (#13)."""
BoundedPoints = Annotated[Decimal, Field(gt=0, le=LARGEST_POINTS, decimal_places=6)]


class Deduction(RuleBase):
    """Points taken off per item counted, up to a cap ("trừ 1 điểm mỗi văn bản chậm hạn, tối đa trừ 5
    điểm"). Both numbers are written as positive magnitudes: `points_each: 1`, `cap: 5` (#13)."""

    kind: Literal["deduction"]
    input: InputName = Field(description="The count of items that each cost points (late documents).")
    points_each: BoundedPoints = Field(description="Points taken off per item: `trừ 1 điểm` → `1`.")
    cap: BoundedPoints = Field(description="At most this many points are taken off: `tối đa trừ 5` → `5`.")
    deducts_from: Literal["criterion", "parent"] = Field(
        description="`criterion`: the criterion starts at its `points` and loses the deduction (its cap "
        "is at most its points, so it never goes below 0). `parent`: the criterion has no points of "
        "its own (`points: 0` or none); its result is 0 or negative and comes off its parent's sum, "
        "which stops at 0 (a stop that is reported, never silent)."
    )


class Bonus(RuleBase):
    """Points outside the maximum ("điểm thưởng tối đa 10 điểm"): reported beside the total, never in
    the maximum or the percentages. The criterion has no points of its own (`points: 0` or none) (#13)."""

    kind: Literal["bonus"]
    input: InputName = Field(
        description="A count (each item earns `points_each`) or a yes/no input (yes earns `points_each`)."
    )
    points_each: BoundedPoints = Field(description="Bonus points per item, or for a yes.")
    cap: BoundedPoints = Field(description="At most this many bonus points: `tối đa 10 điểm` → `10`.")


class Range(Model):
    """A condition on a number in a decision table: ``min ≤ value < max`` unless declared otherwise."""

    min: Decimal | None = Field(None, description="Lower bound, in the input's own unit; absent = none.")
    max: Decimal | None = Field(None, description="Upper bound, in the input's own unit; absent = none.")
    min_inclusive: bool = True
    max_inclusive: bool = False

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(T("a range's `min` is greater than its `max`"))
        return self


Cell = Annotated[
    StrictBool | Range | Annotated[list[Text], Field(min_length=1)] | StrictStr | Decimal,
    Field(
        union_mode="left_to_right",
        description="A condition on one input: a number (equal to it), a range `{min, max}`, `true`/"
        "`false`, a state or role, a list of states (any of them), or `-` (any value).",
    ),
]


class TableRow(Model):
    """One row of a decision table: a condition per input (an input left out matches any value) and
    the award when every condition holds."""

    when: dict[InputName, Cell] = Field(
        default_factory=dict, description="Input → condition; an input left out (or `-`) matches any value."
    )
    percent: Percent | None = Field(None, description="Share of the criterion's points for this row.")
    points: NonNegative | None = Field(None, description="Points for this row (instead of `percent`).")
    label: Text | None = Field(None, description="The decision's words for this row.")

    @model_validator(mode="after")
    def _one_award(self) -> TableRow:
        if (self.percent is None) == (self.points is None):
            raise ValueError(T("a row needs exactly one of `percent` or `points`"))
        return self


HitPolicy = Literal["unique", "any", "first", "collect-max"]


class Table(RuleBase):
    """A decision table over several inputs (DMN): rows of conditions → a share or points (#13)."""

    kind: Literal["table"]
    inputs: Annotated[list[InputName], Field(min_length=1, max_length=20)] = Field(
        description="The inputs the rows test, in column order."
    )
    hit_policy: HitPolicy = Field(
        description="DMN's hit policy. `unique`: rows never overlap (checked). `any`: rows may overlap "
        "only where they give the same award (checked). `first`: the first matching row, in order. "
        "`collect-max`: the highest award of the matching rows."
    )
    rows: Annotated[list[TableRow], Field(min_length=1, max_length=1000)]


class Rank(RuleBase):
    """Points by the unit's place among the units assessed together ("nhất 5 điểm, nhì 4 điểm …").

    Scored in a second phase over the batch (#13): the units are ordered by ``input`` (over ``per``),
    and each gets the points of its place. A unit scored alone is ``pending`` unless its peers'
    values are given (``cds_index.score(..., peers=...)``).
    """

    kind: Literal["rank"]
    input: InputName = Field(description="The value the units are ranked by.")
    per: InputName | None = Field(
        None, description="Rank by ``input / per`` (per inhabitant, per procedure) instead."
    )
    order: Literal["descending", "ascending"] = Field(
        "descending",
        description="`descending`: the highest value is 1st (the usual); `ascending`: the lowest is "
        "(the fewest late documents).",
    )
    places: list[NonNegative] = Field(
        min_length=1,
        description="The points of the 1st, 2nd, 3rd … place, as printed (`[5, 4, 3, 2, 1]`); "
        "never rising from one place to the next.",
    )
    rest: NonNegative = Field(
        Decimal(0), description="The points of every place after those listed (default 0)."
    )
    ties: Literal["competition", "average"] = Field(
        "competition",
        description="Units with equal values: `competition` (the default): they share the place and "
        "the next places are skipped (1, 2, 2, 4), each earning that place's points; `average`: they "
        "share the mean of the points of the places they occupy.",
    )


class Alternative(Model):
    """Another reading of the decision for one criterion, not the encoded one."""

    name: Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")] = Field(
        description="A short stable name, e.g. `all-or-nothing`, `split-5-5`."
    )
    reason: ProseText = Field(
        min_length=1, description="Why this reading is possible, and why it was not chosen."
    )
    rule: Rule | None = Field(
        None, description="The rule under this reading (its `assumed` defaults to the reason)."
    )

    @model_validator(mode="before")
    @classmethod
    def _rule_provenance(cls, data: Any) -> Any:
        """The alternative's rule rests on the alternative's reason unless it says otherwise."""
        if isinstance(data, dict) and isinstance(data.get("rule"), dict):
            rule = data["rule"]
            if not rule.get("text") and not rule.get("assumed") and isinstance(data.get("reason"), str):
                data = {**data, "rule": {**rule, "assumed": data["reason"]}}
        return data


Rule = Annotated[
    YesNo
    | Ratio
    | Count
    | Steps
    | Role
    | Checklist
    | PerItem
    | Incidents
    | Formula
    | Rank
    | Deduction
    | Bonus
    | Table,
    Field(discriminator="kind"),
]
for _model in (
    YesNo,
    Ratio,
    Count,
    Steps,
    Role,
    Checklist,
    PerItem,
    Incidents,
    Formula,
    Rank,
    Deduction,
    Bonus,
    Table,
    Alternative,
):
    _model.model_rebuild()

RULE_KINDS: tuple[str, ...] = tuple(
    member.model_fields["kind"].annotation.__args__[0] for member in get_args(get_args(Rule)[0])
)
"""The rule kinds, derived from the union (issue #11); :data:`cds_index.rules.KINDS` must agree."""


def rule_inputs(rule: Any) -> list[str]:
    """The inputs a rule reads, in order (formula names are found when the formula is compiled)."""
    names: list[str] = []
    for attr in ("input", "per", "handled", "applicable_if", "dated_by"):
        value = getattr(rule, attr, None)
        if isinstance(value, list):  # a ratio's sum of inputs
            names.extend(value)
        elif value:
            names.append(value)
    if isinstance(rule, Checklist):
        names.extend(item.input for item in rule.items)
    if isinstance(rule, Table):
        names.extend(rule.inputs)
    return names


# --- yearly targets (Thanh Hóa 1829) ----------------------------------------------------------


class AtLeast(Model):
    at_least: Decimal = Field(description="Met when the measured value is ≥ this (inclusive).")


class OneOf(Model):
    one_of: list[Text] = Field(min_length=1, description="Met when the measured state is one of these.")


YearTarget = Annotated[AtLeast | OneOf | Literal["*"], Field(union_mode="left_to_right")]


class Targets(Model):
    """A target per year; `"*"` = no target that year (as printed)."""

    # the rule kind `targets` of the one walk (cds_index.rules.targets); it need not be written
    kind: Literal["targets"] = "targets"
    input: InputName
    years: dict[int, YearTarget] = Field(min_length=1)
    printed: dict[int, Text] | None = Field(
        None, description="The targets as printed (`100%`, `Có`, `*`), when they differ from the encoding."
    )
    text: Text | None = None
    assumed: ProseText | None = None


# --- the tree -------------------------------------------------------------------------------


class Node(Model):
    """A pillar, main index, component or criterion. Exactly one of `children`, `rule`, `targets`."""

    id: NodeId
    title: Text = Field(min_length=1, description="Verbatim Vietnamese title, as printed.")
    points: NonNegative | None = Field(None, description="Maximum points, as printed.")
    children: Annotated[list[Node], Field(min_length=1)] | None = None
    rule: Rule | None = None
    targets: Targets | None = None
    deadline: DayMonth | None = Field(None, description="Completion deadline as printed (`31.10`).")
    guidance: Text | None = Field(None, description="Implementation guidance (Hướng dẫn thực hiện).")
    evidence: Text | None = Field(None, description="Evidence required (Tài liệu kiểm chứng).")
    unit: Text | None = Field(None, description="Unit of measure as printed (Đơn vị tính).")
    lead: Text | None = Field(None, description="Lead unit (Đơn vị chủ trì), where the decision names one.")
    note: ProseText | None = Field(None, description="Remarks (Ghi chú).")

    def walk(self, parents: tuple[Node, ...] = ()) -> Iterator[tuple[tuple[Node, ...], Node]]:
        """Yield ``(ancestors, node)`` depth-first, this node first."""
        yield parents, self
        for child in self.children or ():
            yield from child.walk((*parents, self))

    @property
    def is_leaf(self) -> bool:
        return not self.children


# --- inputs ---------------------------------------------------------------------------------

InputType = Literal["number", "integer", "boolean", "role", "choice", "date"]


class InputDef(Model):
    """An input the definition needs: a measured value of the assessed unit, or a general fact."""

    label: Text = Field(min_length=1, description="Vietnamese label, as the decision words it.")
    type: InputType = "number"
    unit: str = Field(
        "1",
        description="A unit the registry knows (`person`, `household`, `item`, `document`, `VND`, `1` "
        "for a plain number). A share says its scale: `percent` (or `%`) is written 0–100 (50 for "
        "50 %), `fraction` 0–1 (0.5 for 50 %); a step rule's bounds are read on the same scale.",
    )
    min: Decimal | None = Field(None, description="Smallest allowed value (numbers).")
    max: Decimal | None = Field(None, description="Largest allowed value (numbers).")
    choices: list[Text] | None = Field(None, description="Allowed states, for `type: choice`.")
    general: bool = Field(False, description="A general fact of the unit (Thông tin chung).")
    description: ProseText | None = None

    @model_validator(mode="after")
    def _choices_only_for_choice(self) -> InputDef:
        if self.type == "choice" and not self.choices:
            raise ValueError(T("an input of type `choice` needs `choices`"))
        if self.type != "choice" and self.choices:
            raise ValueError(T("`choices` is only for inputs of type `choice`"))
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(T("`min` is greater than `max`"))
        return self


# --- metadata, errata -----------------------------------------------------------------------


class Decision(Model):
    number: Text = Field(description="e.g. `707/QĐ-UBND`.")
    date: dt.date
    appendix: Text | None = Field(None, description="e.g. `Phụ lục II`.")
    source: str | None = Field(None, description="The source text the definition was encoded from.")
    restated_in: Text | None = Field(
        None, description="The document that restates the decision, when encoded from a restatement."
    )


class Effective(Model):
    from_: dt.date = Field(alias="from")
    to: dt.date | None = Field(None, description="The last day it applies, when a decision stopped applying.")
    successor: str | None = Field(
        None, description="The definition (id or path) that replaced it from the day after `to` (#16)."
    )

    @model_validator(mode="after")
    def _ordered(self) -> Effective:
        if self.to is not None and self.to < self.from_:
            raise ValueError(T("`to` is before `from`"))
        return self

    def covers(self, day: dt.date) -> bool:
        return self.from_ <= day and (self.to is None or day <= self.to)


ErratumKind = Literal[
    "points-mismatch",  # a parent's printed points differ from the sum of its children
    "total-mismatch",  # the stated total differs from the sum of the pillars
    "duplicate-number",  # the same number printed twice; the later row got the next free number
    "duplicate-title",  # a row's title copies its neighbour's
    "shared-points-cell",  # one points cell spans several rows
    "other",  # any other inconsistency of the printed text
]

ERRATUM_KINDS: dict[str, Message] = {
    "points-mismatch": T("printed points differ from the sum of the children"),
    "total-mismatch": T("the printed total differs from the sum of the pillars"),
    "duplicate-number": T("a number printed twice"),
    "duplicate-title": T("a title that copies its neighbour's"),
    "shared-points-cell": T("one points cell printed for several rows"),
    "other": T("another inconsistency of the printed text"),
}
"""An erratum's ``kind`` in the reader's words: the key (``shared-points-cell``) is the format's."""


class Erratum(Model):
    """An inconsistency of the printed decision, encoded as printed and recorded here."""

    node: NodeId | Literal["total", "document"] = Field(
        description="The node concerned; `total` for the stated total; `document` for the document "
        "as a whole."
    )
    kind: ErratumKind
    printed: Text | Decimal | None = Field(
        None, description="What was printed: the stated points, the printed number, the title…"
    )
    computed: Decimal | None = Field(
        None, description="For points/total mismatches: the sum of the children, which the check expects."
    )
    note: ProseText = Field(min_length=1, description="What is wrong and how it was encoded.")


IndexMethod = Literal["sum", "mean_of_pillar_percentages", "weighted_mean_of_pillar_percentages"]
RoundingMode = Literal["half_up", "half_even", "down", "up"]


class Rounding(Model):
    """How the decision rounds the published index ("làm tròn đến 2 chữ số thập phân")."""

    places: Annotated[int, Field(ge=0, le=6)] = Field(description="Decimal places kept.")
    mode: RoundingMode = Field(
        "half_up",
        description="`half_up` (0,125 → 0,13, as decisions print), `half_even` (banker's: 0,125 → 0,12), "
        "`down` (toward zero, cut off) or `up` (away from zero).",
    )
    text: Text | None = Field(None, description="The decision's words for the rounding.")


class IndexAlternative(Model):
    """Another reading of how the pillars make the final index, kept beside the chosen one (#15)."""

    name: Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")] = Field(
        description="A short stable name, e.g. `printed-maximum`, `total`."
    )
    reason: ProseText = Field(
        min_length=1, description="Why this reading is possible, and why it was not chosen."
    )
    method: IndexMethod = Field(description="The aggregation under this reading.")
    over: Literal["applicable", "printed"] = Field(
        "applicable",
        description="Pillar percentages over the applicable maximum (what the criteria can earn, as "
        "scored) or over each pillar's printed points (`mean_of_pillar_percentages` only).",
    )


class IndexSetting(Model):
    """How the unit's final index is aggregated from the pillars, on what scale, and how it is rounded.

    - `sum`: the points (on `scale`, when declared: points ÷ applicable maximum × scale);
    - `mean_of_pillar_percentages`: the mean of the pillars' shares of their applicable maxima;
    - `weighted_mean_of_pillar_percentages`: the same with the declared `weights`.

    The mean methods are on 0–100 unless `scale` says otherwise (`scale: 1` for an index 0–1, as
    the national DTI publishes it). `rounding` applies to the index only, and only when declared;
    the unrounded value stays in the result (`index.exact`).
    """

    method: IndexMethod = "sum"
    weights: dict[NodeId, Annotated[Decimal, Field(gt=0)]] | None = Field(
        None,
        description="With `weighted_mean_of_pillar_percentages`: each pillar's weight, as printed "
        "(`{CQS: 0.4, KTS: 0.3, XHS: 0.3}`); every pillar has one, each positive.",
    )
    weights_total: Annotated[Decimal, Field(gt=0)] | None = Field(
        None,
        description="What the weights add up to as the decision prints them (`1`, `100`); the weights "
        "must add up to exactly this, so a mistyped weight is an error.",
    )
    scale: Annotated[Decimal, Field(gt=0)] | None = Field(
        None,
        description="The index runs from 0 to this: `1` (0–1, the national DTI), `100`, `1000`. "
        "Unset: points for `sum`, 0–100 for the mean methods.",
    )
    rounding: Rounding | None = Field(
        None, description="The decision's rounding of the index; unset: the index is exact."
    )
    text: Text | None = Field(None, description="The decision's words for the aggregation.")
    note: ProseText | None = Field(None, description="Any ambiguity, and how it was resolved.")
    alternatives: list[IndexAlternative] | None = Field(
        None,
        description="Other readings of the aggregation; `cds-index sensitivity` ranks under each (#15).",
    )

    @model_validator(mode="after")
    def _weights(self) -> IndexSetting:
        weighted = self.method == "weighted_mean_of_pillar_percentages"
        if weighted and not self.weights:
            raise ValueError(T("`weighted_mean_of_pillar_percentages` needs `weights`: one per pillar"))
        if not weighted and (self.weights is not None or self.weights_total is not None):
            raise ValueError(T("`weights` and `weights_total` are for `weighted_mean_of_pillar_percentages`"))
        if weighted and self.weights_total is None:
            raise ValueError(
                T("`weights` need `weights_total`: what the printed weights add up to (e.g. 1 or 100)")
            )
        if self.weights and self.weights_total is not None:
            total = sum(self.weights.values(), Decimal(0))
            if total != self.weights_total:
                raise ValueError(
                    T(
                        "the weights add up to {total}, not the declared `weights_total` {declared}",
                        total=str(total),
                        declared=str(self.weights_total),
                    )
                )
        return self

    @property
    def exact_scale(self) -> Decimal | None:
        """The scale the index is on: the declared one, else 100 for the mean methods, else None (points)."""
        if self.scale is not None:
            return self.scale
        return None if self.method == "sum" else Decimal(100)


RankingBy = Literal["index", "percent", "total"]


class RankingSetting(Model):
    """What the units are ranked by, and how ties are broken: one measure for every output.

    `rank`, `report`, `whatif`, the results workbook and the API all rank by it (a `--by` given on
    the command line overrides it for that run only, and says so).
    """

    by: RankingBy | None = Field(
        None,
        description="`index` (the declared index), `percent` (the points as a percentage of the "
        "applicable maximum: fair when criteria do not apply to every unit) or `total` (raw points, "
        "unfair when maxima differ). Unset: `index` where the index is not raw points, else `percent`.",
    )
    ties: Literal["competition", "dense"] = Field(
        "competition",
        description="Equal measures share a rank: `competition` skips after a tie (1, 2, 2, 4, as "
        "rank criteria place them), `dense` does not (1, 2, 2, 3).",
    )
    tie_break: list[Literal["index", "percent", "total"] | NodeId] = Field(
        default_factory=list,
        description="Measures that break a tie, in order (`[percent, CQS]`: the higher percentage, "
        "then the higher CQS pillar); units still equal share a rank.",
    )
    text: Text | None = Field(None, description="The decision's words on ranking and ties.")


class Display(Model):
    decimals: Annotated[int, Field(ge=0, le=6)] = Field(
        2, description="Decimal places when points are shown; computation is exact."
    )


class Constraint(Model):
    """A relation between two inputs that the decision implies (a part cannot exceed its whole).

    Evaluated once per unit before scoring; a unit whose values break it has an `input-constraint`
    problem, and the criteria that read `input` are `invalid` (never clamped).
    """

    input: InputName | Annotated[list[InputName], Field(min_length=2)] = Field(
        description="The part: the input that cannot exceed `at_most`; a list is the sum of its inputs "
        "(level-3 and level-4 services together cannot exceed all procedures)."
    )
    at_most: InputName = Field(description="The whole: e.g. the staff count a staff ratio divides by.")
    text: Text | None = Field(None, description="The decision's words that imply it, quoted.")
    note: ProseText | None = Field(None, description="Why the decision implies it.")


class Assumption(Model):
    """A reading that holds for the whole definition, not one rule (`show --assumptions` lists it)."""

    about: ProseText = Field(
        min_length=1, description="What it is about, e.g. `≥ targets`, `a completed year`."
    )
    assumed: ProseText = Field(min_length=1, description="What is assumed, and why.")
    text: Text | None = Field(None, description="The decision's own words, where it says anything.")
    alternative: ProseText | None = Field(None, description="The other reading, kept on record.")


class Definition(Model):
    """A decision's index: metadata, the inputs it needs, the tree, and the errata."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        populate_by_name=True,
        json_schema_extra={"title": "cds_index definition"},
    )

    kind: Literal["definition"]
    format: Literal[1] = Field(1, description="Version of this format.")
    id: Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
    title: Text
    issuer: Text
    decision: Decision
    level: Literal["department", "district", "commune"]
    effective: Effective
    scoring: Literal["points", "targets"] = Field(
        "points", description="`points`: criteria earn points; `targets`: criteria meet yearly targets."
    )
    total: NonNegative | None = Field(None, description="The total the decision states (200, 420, 600).")
    index: IndexSetting = Field(default_factory=IndexSetting)
    ranking: RankingSetting = Field(
        default_factory=RankingSetting,
        description="What units are ranked by (#13): one measure for rank, report, whatif, Excel, API.",
    )
    display: Display = Field(default_factory=Display)
    number_format: Literal["vi", "en"] | None = Field(
        None,
        description="How the units' files write numbers, where a number has two readings (`1.000`): "
        "`vi` (1.000 is one thousand, 0,5 a half) or `en` (1,000 and 0.5); unset: such a number is "
        "refused (#9).",
    )
    years: list[int] | None = Field(None, description="The years a `targets` definition covers.")
    description: ProseText | None = None
    inputs: dict[InputName, InputDef] = Field(default_factory=dict)
    tree: list[Node] = Field(min_length=1, description="The pillars (trụ cột).")
    constraints: list[Constraint] = Field(
        default_factory=list,
        description="Relations between inputs that the decision implies (`{input: a, at_most: b}`); a "
        "unit whose values break one is refused for the criteria reading `a` (#10).",
    )
    assumptions: list[Assumption] = Field(
        default_factory=list, description="Readings that hold for the whole definition (#10)."
    )
    errata: list[Erratum] = Field(default_factory=list)
    _compiled: Any = PrivateAttr(default=None)
    _origin: str | None = PrivateAttr(default=None)

    def __getstate__(self) -> dict[Any, Any]:
        """Pickled without its compiled rules (closures, which do not pickle; compiled again where
        it is unpickled): a definition once scored pickles as a fresh one does (#11)."""
        state = super().__getstate__()
        private = state.get("__pydantic_private__")
        if private and private.get("_compiled") is not None:
            state = {**state, "__pydantic_private__": {**private, "_compiled": None}}
        return state

    def walk(self) -> Iterator[tuple[tuple[Node, ...], Node]]:
        for pillar in self.tree:
            yield from pillar.walk()

    def nodes(self) -> dict[str, Node]:
        return {node.id: node for _, node in self.walk()}

    def criteria(self) -> list[Node]:
        return [node for _, node in self.walk() if node.is_leaf]

    def weighed_pillars(self) -> list[str]:
        """The pillars an index weight is needed for: all but those made only of bonus criteria, which
        have no maximum and are outside every percentage (#13: "Điểm thưởng (ngoài tổng điểm)")."""
        return [
            pillar.id
            for pillar in self.tree
            if any(
                node.rule is None or node.rule.kind != "bonus" for _, node in pillar.walk() if node.is_leaf
            )
        ]


# --- inputs files and test files ------------------------------------------------------------

DefinitionRef = Annotated[str, Field(description="A bundled definition id or a path to a definition file.")]


def several_lines(unit_id: str) -> Message | None:
    """Why ``unit_id`` is no id on one line (a line break, a tab, another control character), or None."""
    if unit_id.isprintable():  # (also false for a format character, Cf, which is no control character)
        return None
    odd = next((c for c in unit_id if unicodedata.category(c) == "Cc"), None)
    if odd is None:
        return None
    return T(
        "the unit id {value} holds a line break or another control character ({char}); write the id "
        "on one line",
        value=repr(unit_id),
        char=repr(odd),
    )


def _one_line_id(unit_id: str) -> str:
    """A unit id is printed in a table's row, a report's heading and a file's name: a line break or
    another control character (``id: "xa-1\\nb"`` in YAML, a JSON ``"\\t"``) broke them, and was
    the unit's id without a word in an inputs file and the API, while a table's cell refused it (#11)."""
    problem = several_lines(unit_id)
    if problem is not None:
        raise ValueError(problem)
    return unit_id


UnitId = Annotated[str, Field(min_length=1), AfterValidator(_one_line_id)]
"""A unit's id as every file kind and the API take it: some text, on one line."""


class UnitInfo(Model):
    id: UnitId
    name: Text | None = None


def _assessment_year(year: int) -> int:
    """A year as `--year` takes it: `year: 24` was scored as the year 24, with a warning only (#11)."""
    if not 1900 <= year <= 2100:
        raise ValueError(T("the year {value} is not between 1900 and 2100", value=str(year)))
    return year


def _no_yes_no(year: Any) -> Any:
    """`year: true` is no year (pydantic reads it as the int 1)."""
    if isinstance(year, bool):
        raise ValueError(
            T("the year {value} is not a year; write it as 2024", value="true" if year else "false")
        )
    return year


AssessmentYear = Annotated[
    int,
    BeforeValidator(_no_yes_no),
    AfterValidator(_assessment_year),
    Field(
        description="An assessment year, 1900–2100 as `--year`.",
        json_schema_extra={"minimum": 1900, "maximum": 2100},
    ),
]


class InputsFile(Model):
    """The measured data of one assessed unit (or several years of it).

    Each value is a plain value (`12`, `true`, `head`, `Có`), `n/a` (not applicable), or a mapping
    with `value` and/or `self` (Điểm tự đánh giá) / `appraised` (Hội đồng thẩm định), and optionally
    `date`, `evidence`, `note`. A missing value is "not reported" and scores 0.
    """

    kind: Literal["inputs"]
    definition: DefinitionRef
    unit: UnitInfo
    year: AssessmentYear | None = Field(None, description="The assessment year.")
    values: dict[str, Any] | None = None
    years: dict[AssessmentYear, dict[str, Any]] | None = Field(
        None, description="Values per year, for definitions with yearly targets."
    )

    @field_validator("years", mode="before")
    @classmethod
    def _each_year_once(cls, years: Any) -> Any:
        """`2023:` and `"2023":` are one year: the second replaced the first without a word (#11)."""
        if isinstance(years, Mapping):
            seen: dict[str, Any] = {}
            for key in years:
                if isinstance(key, float) and key.is_integer():
                    text: str | None = str(int(key))  # `2024.0:`, which pydantic reads as 2024
                elif isinstance(key, int | str) and not isinstance(key, bool):
                    text = str(key).strip()
                    whole, point, zeros = text.partition(".")
                    text = whole if point and zeros.strip("0") == "" and whole.isdigit() else text
                else:
                    text = None
                if text is None or not text.isdigit():
                    continue  # not a year: the field's own validation says so
                year = text.lstrip("0") or "0"
                if year in seen:
                    raise ValueError(
                        T(
                            "the year {year} is given twice in `years:` (as {first} and {second}); give "
                            "each year once",
                            year=year,
                            first=repr(seen[year]),
                            second=repr(key),
                        )
                    )
                seen[year] = key
        return years

    @model_validator(mode="after")
    def _values_or_years(self) -> InputsFile:
        if (self.values is None) == (self.years is None):
            raise ValueError(T("give either `values` (one year) or `years` (values per year)"))
        return self


class Expectation(Model):
    total: Decimal | None = None
    points: dict[str, Decimal] = Field(default_factory=dict, description="Expected points per node id.")
    status: dict[str, Literal["scored", "not_reported", "not_applicable", "invalid", "pending"]] = Field(
        default_factory=dict
    )
    targets: dict[str, Literal["met", "unmet", "no_target", "not_applicable", "not_reported", "invalid"]] = (
        Field(
            default_factory=dict,
            description="Expected target outcome per criterion (yearly-target definitions).",
        )
    )
    completed: bool | None = Field(None, description="Whether the unit completes the year (targets).")


class TestCase(Model):
    name: Text
    year: AssessmentYear | None = None
    values: dict[str, Any] = Field(default_factory=dict)
    peers: dict[Annotated[str, Field(min_length=1)], dict[str, Any]] | None = Field(
        None,
        description="For rank criteria (#13): the other units assessed together, unit id → values; "
        "without it a rank criterion is `pending`.",
    )
    expect: Expectation
    note: ProseText | None = None


class TestFile(Model):
    """Rule tests as data: inputs and the exact points they must give."""

    __test__ = False  # not a pytest class
    kind: Literal["tests"]
    definition: DefinitionRef
    cases: list[TestCase] = Field(min_length=1)
