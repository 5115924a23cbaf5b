"""Responsibility overlays: who leads, who coordinates and when, for each criterion of a definition.

An overlay is a separate file (``kind: overlay``) that attaches to one definition (``applies_to``)
and records how a local authority assigned the work, e.g. Tứ Kỳ's letter of August 2022 assigning
every criterion of Hải Dương 707's district index to a department. It adds no points and changes no
rule. It comes in one of two shapes:

``assignments``
    The overlay follows the definition's own criteria: a mapping *definition criterion id* →
    :class:`Assignment`. Where the source table numbers or words a row differently from the
    definition, ``printed_id`` / ``printed_title`` keep what it printed.

``criteria``
    The overlay has its own list of criteria (an adaptation: Tứ Kỳ's Thông báo 107 turns the
    district criteria into a commune subset, renumbered in places). Each :class:`OverlayCriterion`
    keeps its own id and title and says which criterion of the definition it ``corresponds_to``
    (``null`` when none clearly does).

One kind with two mutually exclusive shapes, rather than two kinds: both are "a table of
assignments attached to a definition", are checked by the same function, and share the
:class:`Assignment` fields; only the key differs (the definition's ids, or the overlay's own).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Literal

from pydantic import Field, model_validator

from ..errors import Location, Problem, UsageError, did_you_mean
from ..i18n import T
from .model import Definition, Erratum, Model, NodeId, ProseText, Text

PartialDate = Annotated[
    str,
    Field(
        pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$",
        description="A date as far as it is printed: `2022`, `2022-08` or `2022-08-25`.",
    ),
]
OverlayId = Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]


class Source(Model):
    """The document the overlay was taken from."""

    document: Text = Field(
        min_length=1, description="The document as printed, e.g. `Thông báo số 107/TB-UBND`."
    )
    date: dt.date | PartialDate | None = Field(
        None, description="Its date; a partial date (`2022-08`) when the day is left blank."
    )
    issuer: Text | None = Field(None, description="Who issued it, e.g. `UBND huyện Tứ Kỳ`.")
    file: str | None = Field(None, description="The source text the overlay was encoded from.")


class Assignment(Model):
    """Who does one criterion: lead unit(s), coordinating units, and the "Ghi chú" cell."""

    lead: list[Text] = Field(
        default_factory=list, description="Đơn vị chủ trì thực hiện, one entry per unit, as printed."
    )
    coordinating: list[Text] = Field(
        default_factory=list, description="Đơn vị phối hợp, one entry per unit, as printed."
    )
    timing: Text | None = Field(
        None,
        description="The Ghi chú cell as printed: mostly when (`Hằng năm`, `Quý III/2022`, "
        "`Triển khai xây dựng ngay`), sometimes a state (`Đã thực hiện`, `Đạt 100%`).",
    )
    printed_id: Text | None = Field(
        None, description="The row's number as printed, where it differs from the id it is filed under."
    )
    printed_title: Text | None = Field(
        None, description="The row's title as printed, where it differs from the definition's."
    )
    note: ProseText | None = Field(None, description="The encoder's remark (a shared cell, a repair, ...).")


class OverlayCriterion(Assignment):
    """A criterion of an adapted list (its own id and title) and its assignment."""

    id: NodeId = Field(description="Unique in the overlay: the pillar's prefix and the number as printed.")
    title: Text = Field(min_length=1, description="Verbatim title, as printed.")
    corresponds_to: NodeId | None = Field(
        description="The definition's criterion this one adapts; `null` when none clearly does."
    )


class Section(Model):
    """A heading row of an adapted list (pillar, main index, component): no assignment of its own."""

    id: NodeId
    title: Text = Field(min_length=1)
    corresponds_to: NodeId | None = Field(
        None, description="The definition's node this heading matches, where one clearly does."
    )


class Overlay(Model):
    """Who is responsible for each criterion of a definition, from a local assignment document."""

    kind: Literal["overlay"]
    format: Literal[1] = 1
    id: OverlayId
    title: Text
    applies_to: OverlayId = Field(description="The id of the definition the overlay attaches to.")
    level: Literal["department", "district", "commune"] | None = Field(
        None, description="The level of the assigned units when it differs from the definition's."
    )
    source: Source
    description: ProseText | None = None
    assignments: dict[NodeId, Assignment] | None = Field(
        None, description="Definition criterion id → assignment (an overlay that follows the definition)."
    )
    sections: list[Section] | None = Field(
        None, description="Heading rows of an adapted list (with `criteria`)."
    )
    criteria: list[OverlayCriterion] | None = Field(
        None, description="An adapted list of criteria, each with its own id and `corresponds_to`."
    )
    errata: list[Erratum] = Field(
        default_factory=list,
        description="Inconsistencies of the source document; `node` names an id of the overlay "
        "(with `criteria`) or of the definition (with `assignments`).",
    )

    @model_validator(mode="after")
    def _one_shape(self) -> Overlay:
        if (self.assignments is None) == (self.criteria is None):
            raise ValueError(
                "give either `assignments` (by the definition's ids) or `criteria` (an own list)"
            )
        if self.sections is not None and self.criteria is None:
            raise ValueError("`sections` go with `criteria`")
        return self

    def assignment_for(self, criterion_id: str) -> list[Assignment]:
        """Every assignment of one criterion of the definition (an adapted list may have several)."""
        if self.assignments is not None:
            found = self.assignments.get(criterion_id)
            return [found] if found is not None else []
        return [c for c in self.criteria or () if c.corresponds_to == criterion_id]


Locate = Callable[[tuple[str | int, ...]], Location]


def check_overlay(
    overlay: Overlay,
    definition: Definition,
    *,
    locate: Locate | None = None,
) -> list[Problem]:
    """Check an overlay against the definition it applies to; return every problem found.

    - ``overlay-unknown-node`` (error): an assignment key, or a ``corresponds_to``, that is not a
      criterion of the definition (a heading's ``corresponds_to`` may name any node);
    - ``duplicate-id`` (error): two rows of an adapted list with the same id;
    - ``overlay-unassigned`` (warning, one problem): the definition's criteria that no assignment
      covers, listed in the message.

    ``locate(path)`` turns a path into the overlay document (``("assignments", "CQS.1.1.1")``) into a
    file position, e.g. ``Document.location``; without it, problems carry the path only.
    Raises :class:`UsageError` when the overlay applies to another definition.
    """
    if overlay.applies_to != definition.id:
        raise UsageError(
            Problem(
                "overlay-definition",
                T(
                    "overlay {overlay} applies to {applies_to}, not to {definition}",
                    overlay=overlay.id,
                    applies_to=overlay.applies_to,
                    definition=definition.id,
                ),
            )
        )

    def where(*path: str | int) -> Location:
        return locate(path) if locate else Location(path=path)

    nodes = definition.nodes()
    leaves = [node.id for node in definition.criteria()]
    leaf_set = set(leaves)
    problems: list[Problem] = []
    covered: set[str] = set()

    def unknown(node_id: str, path: tuple[str | int, ...], what: str) -> None:
        words = (
            T(
                "{what} {node} is a heading, not a criterion, of {definition}",
                what=what,
                node=repr(node_id),
                definition=definition.id,
            )
            if node_id in nodes
            else T(
                "{what} {node} is not a node of {definition}",
                what=what,
                node=repr(node_id),
                definition=definition.id,
            )
        )
        problems.append(
            Problem(
                "overlay-unknown-node",
                words,
                where(*path),
                hint=did_you_mean(node_id, leaves),
            )
        )

    if overlay.assignments is not None:
        for key in overlay.assignments:
            if key in leaf_set:
                covered.add(key)
            else:
                unknown(key, ("assignments", key), T("assignment"))
    else:
        seen: dict[str, int] = {}
        for index, row in enumerate(overlay.criteria or ()):
            if row.id in seen:
                problems.append(
                    Problem(
                        "duplicate-id",
                        T(
                            "criterion id {id} appears twice (rows {first} and {second})",
                            id=repr(row.id),
                            first=seen[row.id] + 1,
                            second=index + 1,
                        ),
                        where("criteria", index, "id"),
                    )
                )
            seen.setdefault(row.id, index)
            if row.corresponds_to is None:
                continue
            if row.corresponds_to in leaf_set:
                covered.add(row.corresponds_to)
            else:
                unknown(
                    row.corresponds_to,
                    ("criteria", index, "corresponds_to"),
                    T("criterion {id}: `corresponds_to`", id=row.id),
                )
        for index, section in enumerate(overlay.sections or ()):
            if section.corresponds_to is not None and section.corresponds_to not in nodes:
                problems.append(
                    Problem(
                        "overlay-unknown-node",
                        T(
                            "heading {id}: `corresponds_to` {node} is not a node of {definition}",
                            id=section.id,
                            node=repr(section.corresponds_to),
                            definition=definition.id,
                        ),
                        where("sections", index, "corresponds_to"),
                    )
                )
    missing = [leaf for leaf in leaves if leaf not in covered]
    if missing:
        problems.append(
            Problem(
                "overlay-unassigned",
                T(
                    "{missing} of {criteria} criteria of {definition} have no assignment in {overlay}: {ids}",
                    missing=len(missing),
                    criteria=len(leaves),
                    definition=definition.id,
                    overlay=overlay.id,
                    ids=", ".join(missing),
                ),
                where("criteria" if overlay.criteria is not None else "assignments"),
                severity="warning",
            )
        )
    return problems


def unassigned(overlay: Overlay, definition: Definition) -> list[str]:
    """The ids of the definition's criteria that the overlay does not assign, in tree order."""
    return [node.id for node in definition.criteria() if not overlay.assignment_for(node.id)]


__all__ = [
    "Assignment",
    "Overlay",
    "OverlayCriterion",
    "Section",
    "Source",
    "check_overlay",
    "unassigned",
]
