"""The changes a scenario or an amending version makes to a definition: one set of operations (#13).

A what-if scenario (``kind: scenario``, :mod:`cds_index.analyse.scenario`) and an amending version of a
definition (``kind: definition`` with ``extends:``) list the same operations, applied in order by
:func:`cds_index.analyse.scenario.apply_changes`:

- ``op: points`` — a node's points (``adjust_parents: true`` carries the difference up to every ancestor
  and the stated total; ``false`` leaves them as printed, and ``check`` then reports the broken sums);
- ``op: rule`` — a rule's parameters (``set: {target: 0.8}``) or a whole new rule (``rule: {...}``);
- ``op: step`` — one band of a steps rule (``step: 1`` is the first band as listed; ``min``, ``max``,
  ``percent``, ``points``, ``min_inclusive``, ``max_inclusive``, ``label``);
- ``op: target`` — a yearly target (``year: 2025, target: {at_least: 90}``);
- ``op: remove`` — a criterion or group (``adjust_parents`` as for points);
- ``op: add`` — a criterion or group ``under`` a parent (none: a new pillar), optionally ``after`` a sibling;
- ``op: title`` — a node's title;
- ``op: input`` — an input's declaration changed (``set``) or removed (``remove: true``).

:class:`Amendment` is the shape of an amending version: the base it ``extends`` (an id, ``id@date`` or a
path, found by the one resolver), its own ``decision`` and ``effective`` period, the fields it restates,
the inputs it adds and its ``changes``. Loading resolves it into a whole :class:`Definition`
(:func:`cds_index.read.registry.inspect_definition`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal, get_args

from pydantic import Field, create_model, model_validator

from ..i18n import T
from .model import (
    Decision,
    Definition,
    DefinitionRef,
    Effective,
    InputDef,
    InputName,
    Model,
    Node,
    NodeId,
    NonNegative,
    Percent,
    Rule,
    Text,
    YearTarget,
)


class _Change(Model):
    note: Text | None = Field(None, description="Why this change: the proposal or the question asked.")


class PointsChange(_Change):
    """Give a node other points."""

    op: Literal["points"]
    node: NodeId
    points: NonNegative
    adjust_parents: bool = Field(
        True,
        description="Carry the difference up to every ancestor and the stated total (false: leave "
        "them as printed; `check` then reports the sums the change breaks).",
    )


class RuleChange(_Change):
    """Change a rule's parameters (``set``), or replace the rule (``rule``)."""

    op: Literal["rule"]
    node: NodeId
    set: dict[str, Any] | None = Field(
        None,
        description="Parameters merged into the rule, e.g. `{target: 0.8}`, `{points_each: 1}`.",
    )
    rule: Rule | None = Field(None, description="A whole new rule, replacing the old one.")

    @model_validator(mode="after")
    def _one(self) -> RuleChange:
        if (self.set is None) == (self.rule is None):
            raise ValueError(
                T("a rule change needs exactly one of `set` (parameters) or `rule` (a new rule)")
            )
        if self.set is not None and "kind" in self.set:
            raise ValueError(T("`set` cannot change a rule's kind; give the whole new `rule`"))
        return self


class StepChange(_Change):
    """Move one band of a steps rule: only the fields given change (``max: null`` removes a bound)."""

    op: Literal["step"]
    node: NodeId
    step: Annotated[int, Field(ge=1, description="The band, counted from 1 as the rule lists them.")]
    min: Decimal | None = None
    max: Decimal | None = None
    min_inclusive: bool | None = None
    max_inclusive: bool | None = None
    percent: Percent | None = None
    points: NonNegative | None = None
    label: Text | None = Field(
        None, description="The decision's words for the band (`label: null` removes them)."
    )


class TargetChange(_Change):
    """Change a yearly target (`scoring: targets` definitions)."""

    op: Literal["target"]
    node: NodeId
    year: int
    target: YearTarget


class RemoveChange(_Change):
    """Remove a criterion or a group with everything under it."""

    op: Literal["remove"]
    node: NodeId
    adjust_parents: bool = True


class AddChange(_Change):
    """Add a criterion or a group (with its children)."""

    op: Literal["add"]
    under: NodeId | None = Field(None, description="The parent; absent = a new pillar.")
    after: NodeId | None = Field(None, description="Insert after this sibling; absent = last.")
    node: Node
    adjust_parents: bool = True


class TitleChange(_Change):
    """Give a node another title (the amending decision's wording)."""

    op: Literal["title"]
    node: NodeId
    title: Text = Field(min_length=1, description="The new title, verbatim as printed.")


class InputChange(_Change):
    """Change an input's declaration (``set: {max: 500}``, ``set: {label: …}``) or remove it
    (``remove: true``). New inputs are declared under ``inputs:`` beside the changes, as in a definition."""

    op: Literal["input"]
    name: InputName
    set: dict[str, Any] | None = Field(None, description="Fields merged into the input's declaration.")
    remove: bool = Field(False, description="Remove the input (no rule may read it any more).")

    @model_validator(mode="after")
    def _one(self) -> InputChange:
        if (self.set is None) == (not self.remove):
            raise ValueError(T("an input change needs exactly one of `set` (fields) or `remove: true`"))
        return self


Change = Annotated[
    PointsChange
    | RuleChange
    | StepChange
    | TargetChange
    | RemoveChange
    | AddChange
    | TitleChange
    | InputChange,
    Field(discriminator="op"),
]


OPS: tuple[str, ...] = tuple(
    member.model_fields["op"].annotation.__args__[0] for member in get_args(get_args(Change)[0])
)
"""Every ``op:`` of a change, derived from the union."""

# --- amending versions ---------------------------------------------------------------------------

MAX_EXTENDS = 16
"""The longest chain of versions one definition may extend (A extends B extends C …)."""

_AMENDMENT_OWN = {"kind", "format", "id", "tree", "decision", "effective", "inputs"}
"""Definition fields an amendment does not inherit as they are: its kind and format, its id, decision and
period (stated in every version: the versions of an id are told apart by reading their headings only),
the tree (the base's, changed by ``changes``) and the inputs (the base's plus those declared)."""
APPENDED = ("constraints", "assumptions", "errata")
"""Lists an amendment adds to the base's (the base's entries about removed nodes are dropped)."""


def _amendment_fields() -> dict[str, Any]:
    """Every other field of :class:`Definition`, optional: given, it replaces the base's value; absent,
    the base's holds. Derived from the model, so a field added to definitions is amendable at once."""
    fields: dict[str, Any] = {}
    for name, info in Definition.model_fields.items():
        if name in _AMENDMENT_OWN:
            continue
        if name in APPENDED:
            description = f"Added to the base's {name} (default: none added)."
            fields[name] = (info.annotation, Field(default_factory=list, description=description))
            continue
        description = (info.description or "").rstrip(".")
        description = (description + ". " if description else "") + "Default: the base's."
        kind: Any = Annotated[info.annotation, *info.metadata] if info.metadata else info.annotation
        fields[name] = (kind | None, Field(None, alias=info.alias, description=description))
    return fields


class _AmendmentBase(Model):
    kind: Literal["definition"]
    format: Literal[1] = 1
    extends: DefinitionRef = Field(
        description="The version this one amends: an id (the version in force today), `id@YYYY-MM-DD` (in "
        "force that day), a version's file stem (`id@2024`) or a path relative to this file."
    )
    id: Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")] = Field(
        description="The definition's id: the base's for a version of the same index."
    )
    decision: Decision = Field(description="The amending decision (Quyết định sửa đổi, bổ sung).")
    effective: Effective = Field(
        description="When this version applies; the base's period does not carry over."
    )
    inputs: dict[InputName, InputDef] = Field(
        default_factory=dict, description="Inputs the changes need, declared as in a definition."
    )
    changes: list[Change] = Field(
        default_factory=list, description="The amendment's changes to the base, applied in order."
    )


Amendment = create_model(
    "Amendment",
    __base__=_AmendmentBase,
    __doc__="A version written as the version it amends plus changes (`extends:` and `changes:`).",
    **_amendment_fields(),
)
