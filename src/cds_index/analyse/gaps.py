"""The gap report: which targets a unit misses or which points it loses, and whose job each one is."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..engine.evaluate import NodeResult, Result
from ..formats.model import Definition
from ..i18n import Message, T, render
from ..numbers import ZERO, Lang, plain, show

UNASSIGNED = T("(unassigned)")
"""The lead of a criterion no overlay assigns (rendered in the report's language when it is made)."""


@dataclass(frozen=True)
class Loss:
    """One criterion where the unit falls short: points lost (or a target unmet) and why."""

    id: str
    title: str
    lost: Decimal
    """Points lost (points definitions); 1 per unmet target (yearly-target definitions)."""
    max: Decimal
    status: str
    explanation: str
    coordinating: tuple[str, ...] = ()
    timing: str | None = None


@dataclass
class UnitGaps:
    """The losses of one responsible unit (a lead unit, or several leading jointly)."""

    lead: str
    losses: list[Loss] = field(default_factory=list)

    @property
    def at_stake(self) -> Decimal:
        return sum((loss.lost for loss in self.losses), ZERO)


@dataclass(frozen=True)
class GapReport:
    definition: str
    unit: str
    measure: str  # "points" or "targets"
    year: int | None
    leads: tuple[UnitGaps, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "definition": self.definition,
            "unit": self.unit,
            "measure": self.measure,
            "year": self.year,
            "leads": [
                {
                    "lead": g.lead,
                    "at_stake": plain(g.at_stake),
                    "losses": [
                        {
                            "id": x.id,
                            "title": x.title,
                            "lost": plain(x.lost),
                            "max": plain(x.max),
                            "status": x.status,
                            "explanation": x.explanation,
                            "coordinating": list(x.coordinating),
                            "timing": x.timing,
                        }
                        for x in g.losses
                    ],
                }
                for g in self.leads
            ],
        }


def _responsible(
    definition: Definition, overlay: Any, node_id: str
) -> list[tuple[str, tuple[str, ...], str | None]]:
    """``(lead, coordinating, timing)`` of a criterion: from the overlay, else the definition's `lead`."""
    found = []
    if overlay is not None:
        for a in overlay.assignment_for(node_id):
            lead = "; ".join(a.lead) if a.lead else ""
            found.append((lead, tuple(a.coordinating), a.timing))
    if not found:
        node = definition.nodes().get(node_id)
        if node is not None and node.lead:
            found.append((node.lead, (), None))
    return found


def _group(losses: list[tuple[str, Loss]]) -> tuple[UnitGaps, ...]:
    by_lead: dict[str, UnitGaps] = {}
    for lead, loss in losses:
        by_lead.setdefault(lead, UnitGaps(lead)).losses.append(loss)
    for group in by_lead.values():
        group.losses.sort(key=lambda x: (-x.lost, x.id))
    return tuple(sorted(by_lead.values(), key=lambda g: (-g.at_stake, g.lead)))


def points_gaps(
    result: Result, definition: Definition, overlay: Any = None, *, lang: Lang = "vi"
) -> GapReport:
    """Points lost per criterion, grouped by the unit that leads it, most at stake first.

    A criterion led jointly by several units is listed once, under their joint name, so the totals
    never count a point twice.
    """
    losses: list[tuple[str, Loss]] = []
    _unassigned = render(UNASSIGNED, lang)
    criteria: list[NodeResult] = result.criteria()
    for node in criteria:
        if node.lost <= 0:
            continue
        owners = _responsible(definition, overlay, node.id) or [(_unassigned, (), None)]
        lead = " + ".join(dict.fromkeys(o[0] or _unassigned for o in owners))
        coordinating = tuple(dict.fromkeys(c for o in owners for c in o[1]))
        timing = "; ".join(o[2] for o in owners if o[2]) or None
        losses.append(
            (
                lead,
                Loss(
                    node.id,
                    node.title,
                    node.lost,
                    node.max,
                    node.status,
                    node.explanation,
                    coordinating,
                    timing,
                ),
            )
        )
    return GapReport(
        result.definition, result.unit_name or result.unit_id, "points", result.year, _group(losses)
    )


def target_gaps(
    year_result: Any, definition: Definition, unit: str, overlay: Any = None, *, lang: Lang = "vi"
) -> GapReport:
    """Targets unmet (or not reported) in a year, grouped by lead unit."""
    losses: list[tuple[str, Loss]] = []
    _unassigned = render(UNASSIGNED, lang)
    for o in year_result.criteria:
        if o.status not in ("unmet", "not_reported", "invalid"):  # a refused value is to be corrected
            continue
        owners = _responsible(definition, overlay, o.id) or [(_unassigned, (), None)]
        lead = " + ".join(dict.fromkeys(x[0] or _unassigned for x in owners))
        losses.append((lead, Loss(o.id, o.title, Decimal(1), Decimal(1), o.status, o.explanation)))
    return GapReport(definition.id, unit, "targets", year_result.year, _group(losses))


WORDS: dict[str, Message] = {
    "points": T("points lost"),
    "targets": T("targets unmet"),
    "criterion": T("Criterion"),
    "lost": T("Lost"),
    "why": T("Why"),
    "nothing": T("Nothing lost."),
}
"""The report's own words (the titles, leads and explanations are the decision's and the rules')."""


def gaps_table(report: GapReport, *, lang: Lang = "vi", markdown: bool = False) -> str:
    """The report for people: a terminal listing (titles whole, never cut mid-word), or Markdown."""
    w = {key: render(word, lang) for key, word in WORDS.items()}
    points = report.measure == "points"
    unit_word = w["points"] if points else w["targets"]
    title = f"{report.unit} — {report.definition}" + (f" — {report.year}" if report.year else "")
    lines = [f"# {title}" if markdown else title, ""]
    for group in report.leads:
        stake = show(group.at_stake, lang, 2)
        if markdown:
            lines += [
                f"## {group.lead} — {stake} {unit_word}",
                "",
                f"| {w['criterion']} | {w['lost']} | {w['why']} |",
                "|---|---:|---|",
            ]
            for x in group.losses:
                lines.append(f"| {x.id} {x.title} | {show(x.lost, lang, 2)} | {x.explanation} |")
            lines.append("")
        else:
            lines.append(f"{group.lead}: {stake} {unit_word}")
            for x in group.losses:
                lost = f"−{show(x.lost, lang, 2)}" if points else "✗"
                lines.append(f"  {x.id:<12} {lost:>7}  {x.title}")
                lines.append(f"  {'':<12} {'':>7}  {x.explanation}")
            lines.append("")
    if not report.leads:
        lines.append(w["nothing"])
    return "\n".join(lines) + "\n"
