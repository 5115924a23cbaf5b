"""Definitions and results as text tables, Markdown and JSON-ready dicts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..engine.evaluate import NodeResult, Result
from ..formats.model import Definition, Node
from ..i18n import T, render
from ..numbers import Lang, show

STATUS_MARK = {
    "scored": "",
    "not_reported": "không báo cáo",
    "not_applicable": "không áp dụng",
    "invalid": "không hợp lệ",
    "pending": "chờ xếp hạng",
}
STATUS_MARK_EN = {
    "scored": "",
    "not_reported": "not reported",
    "not_applicable": "n/a",
    "invalid": "invalid",
    "pending": "pending",
}
BONUS_WORDS: dict[str, dict[str, str]] = {
    "vi": {
        "bonus": "điểm thưởng",
        "bonus_total": "Điểm thưởng (ngoài tổng điểm)",
        "with_bonus": "Tổng điểm kể cả điểm thưởng",
        "floor": "điểm trừ đưa nhóm xuống {} điểm; nhóm dừng ở 0",
    },
    "en": {
        "bonus": "bonus",
        "bonus_total": "Bonus (outside the total)",
        "with_bonus": "Total with bonus",
        "floor": "the deductions take the group to {} points; it stops at 0",
    },
}
"""How bonus points and a group stopped at 0 by deductions are shown (#13)."""


def printed_numbers(definition: Definition) -> dict[str, str]:
    """Node id → the number as printed, where the decision printed a duplicate number."""
    return {
        e.node: str(e.printed)
        for e in definition.errata
        if e.kind == "duplicate-number" and e.printed is not None
    }


def rule_summary(node: Node) -> str:
    rule = node.rule
    if rule is not None:
        basis = (
            "giả định"
            if rule.assumed and not rule.text
            else "văn bản"
            if not rule.assumed
            else "văn bản + giả định"
        )
        return f"{rule.kind} ({basis})"
    if node.targets is not None:
        return node.targets.kind
    return ""


def definition_json(definition: Definition) -> dict[str, Any]:
    """The normalized tree: every node with at least id, title, points, children (the `show` contract)."""
    data = definition.model_dump(mode="json", by_alias=True, exclude_none=True)

    def normalize(node: dict[str, Any]) -> dict[str, Any]:
        node.setdefault("points", None)
        node["children"] = [normalize(child) for child in node.get("children", [])]
        return node

    data["tree"] = [normalize(n) for n in data["tree"]]
    return data


def definition_markdown(definition: Definition) -> str:
    """The appendix as a Markdown table, row for row: STT, title, max points, and how it is scored."""
    printed = printed_numbers(definition)
    lines = [
        f"# {definition.title}",
        "",
        f"{definition.issuer} — {definition.decision.number}, {definition.decision.date:%d/%m/%Y}"
        + (f", {definition.decision.appendix}" if definition.decision.appendix else ""),
        "",
    ]
    targets = definition.scoring == "targets"
    if targets:
        years = definition.years or []
        lines.append(
            "| STT | Tên chỉ tiêu | Đơn vị tính | "
            + " | ".join(f"Năm {y}" for y in years)
            + " | Đơn vị chủ trì |"
        )
        lines.append("|---|---|---|" + "---|" * len(years) + "---|")
    else:
        lines.append("| STT | Chỉ số chính/Chỉ số thành phần/Tiêu chí | Điểm tối đa | Cách chấm |")
        lines.append("|---|---|---:|---|")
        if definition.total is not None:
            lines.append(f"| | **Tổng cộng** | **{show(definition.total)}** | |")
    for parents, node in definition.walk():
        number = printed.get(node.id, node.id)
        title = node.title.replace("|", "\\|").replace("\n", " ")
        if not parents:
            title = f"**{title}**"
        if targets:
            cells = []
            for year in definition.years or []:
                cell = ""
                if node.targets is not None:
                    if node.targets.printed and year in node.targets.printed:
                        cell = node.targets.printed[year]
                    elif year in node.targets.years:
                        t = node.targets.years[year]
                        cell = (
                            t
                            if isinstance(t, str)
                            else (f"≥ {show(t.at_least)}" if hasattr(t, "at_least") else " / ".join(t.one_of))
                        )
                cells.append(cell)
            lines.append(
                f"| {number} | {title} | {node.unit or ''} | " + " | ".join(cells) + f" | {node.lead or ''} |"
            )
        else:
            points = "" if node.points is None else show(node.points)
            lines.append(f"| {number} | {title} | {points} | {rule_summary(node)} |")
    if definition.errata:
        lines += ["", "## Errata", "", "| Node | Kind | Printed | Note |", "|---|---|---|---|"]
        for e in definition.errata:
            printed_value = "" if e.printed is None else str(e.printed)
            lines.append(f"| {e.node} | {e.kind} | {printed_value} | {e.note} |")
    return "\n".join(lines) + "\n"


def definition_table(definition: Definition) -> str:
    """An indented outline for the terminal."""
    printed = printed_numbers(definition)
    out = [f"{definition.id}: {definition.title} ({definition.decision.number})"]
    if definition.total is not None:
        out.append(f"Tổng cộng: {show(definition.total)}")
    for parents, node in definition.walk():
        indent = "  " * len(parents)
        number = printed.get(node.id, node.id)
        points = "" if node.points is None else f" [{show(node.points)}]"
        out.append(f"{indent}{number} {node.title}{points}  {rule_summary(node)}".rstrip())
    return "\n".join(out) + "\n"


def assumptions(definition: Definition) -> list[dict[str, Any]]:
    """Every rule that rests on an assumption, with its reason (`show --assumptions`)."""
    found = []
    for a in definition.assumptions:  # readings of the whole definition (#10)
        found.append(
            {
                "id": definition.id,
                "title": a.about,
                "kind": "definition",
                "assumed": a.assumed,
                "text": a.text or "",
                "alternatives": [a.alternative] if a.alternative else [],
            }
        )
    if definition.index.alternatives:  # other readings of the aggregation (#15)
        found.append(
            {
                "id": definition.id,
                "title": "index",
                "kind": "index",
                "assumed": definition.index.note or f"index: {definition.index.method}",
                "text": definition.index.text or "",
                "alternatives": [f"{alt.name}: {alt.reason}" for alt in definition.index.alternatives],
            }
        )
    for _, node in definition.walk():
        basis = node.rule or node.targets
        if basis is not None and basis.assumed:
            found.append(
                {
                    "id": node.id,
                    "title": node.title,
                    "kind": basis.kind,
                    "assumed": basis.assumed,
                    "text": basis.text or "",
                    "alternatives": [
                        f"{alt.name}: {alt.reason}" for alt in getattr(basis, "alternatives", None) or ()
                    ],
                }
            )
    return found


def result_table(result: Result, *, lang: Lang = "vi", depth: int | None = None, explain: bool = True) -> str:
    """A result as an indented table: points / max per node, status, and each criterion's explanation."""
    places = result.places
    marks = STATUS_MARK if lang == "vi" else STATUS_MARK_EN
    name = result.unit_name or result.unit_id
    header = f"{name} — {result.definition}" + (f" — {result.year}" if result.year else "")
    lines = [header, ""]

    def row(node: NodeResult, level: int) -> None:
        if depth is not None and level >= depth:
            return
        mark = marks[node.status]
        pts = f"{show(node.points, lang, places)}/{show(node.max, lang, places)}"
        title = node.title if len(node.title) <= 70 else node.title[:67] + "…"
        label = f"{'  ' * level}{node.id}"  # the tree by indentation; the points stay in one column
        extra = ""
        if node.bonus:  # outside the points and the maximum (#13)
            extra = f"  (+{show(node.bonus, lang, places)} {BONUS_WORDS[lang]['bonus']})"
        lines.append(f"{label:<20} {pts:>13}  {title}" + (f"  [{mark}]" if mark else "") + extra)
        if node.unfloored is not None:  # deductions took the group below 0 (#13)
            floor = BONUS_WORDS[lang]["floor"].format(show(node.unfloored, lang, places))
            lines.append(f"{'':<20} {'':>13}    {floor}")
        reach = result.pillar_achievable.get(node.id) if level == 0 else None
        if (
            reach is not None and node.stated is not None and node.stated != reach
        ):  # printed ≠ achievable (#10)
            lines.append(
                f"{'':<20} {'':>13}    "
                + (
                    f"theo quyết định {show(node.stated, lang)} điểm; các tiêu chí cộng lại "
                    f"{show(reach, lang)} (errata); tỷ lệ tính trên {show(node.max, lang, places)}"
                    if lang == "vi"
                    else f"printed {show(node.stated, lang)} points; the criteria add up to "
                    f"{show(reach, lang)} (errata); percentages use {show(node.max, lang, places)}"
                )
            )
        if explain and node.is_criterion:
            lines.append(f"{'':<20} {'':>13}    {node.explanation}")
        for child in node.children:
            row(child, level + 1)

    for pillar in result.pillars:
        row(pillar, 0)
    lines.append("")
    total_word = "Tổng điểm" if lang == "vi" else "Total"
    stated = (
        render(T(" (as printed in the decision: {total})", total=show(result.stated_total, lang)), lang)
        if (result.stated_total is not None and result.stated_total != result.max)
        else ""
    )
    lines.append(
        f"{total_word}: {show(result.points, lang, places)}/{show(result.max, lang, places)}{stated}"
    )
    if result.percent is not None:
        lines.append(f"{'Tỷ lệ' if lang == 'vi' else 'Percentage'}: {show(result.percent, lang, places)}%")
    if result.bonus:  # beside the total, never in it or in the percentage (#13)
        w = BONUS_WORDS[lang]
        lines.append(f"{w['bonus_total']}: {show(result.bonus, lang, places)}")
        lines.append(f"{w['with_bonus']}: {show(result.total_with_bonus, lang, places)}")
    if result.index_scale is not None:  # an index that is not the points (#13), with how it was made
        label = "Chỉ số" if lang == "vi" else "Index"
        lines.append(f"{label}: {result.index_text(lang)} ({result.explain_index(lang)})")
    for problem in result.problems:
        lines.append(problem.format(lang))
    return "\n".join(lines) + "\n"


def targets_table(result: Any, unit_name: str, *, lang: Lang = "vi") -> str:
    """One year of a yearly-targets definition: each criterion met or not, counts per group."""
    from ..engine.targets import STATUS_LABELS

    labels = STATUS_LABELS[lang]
    lines = [f"{unit_name} — {result.definition} — {result.year}", ""]
    for group in result.groups:
        lines.append(
            f"{group.id} {group.title}: {group.met}/{group.with_target} " + ("đạt" if lang == "vi" else "met")
        )
        for o in result.criteria:
            if o.group == group.id:
                lines.append(f"  {o.id:<6} {labels[o.status]:<18} {o.explanation}")
    done = (
        ("HOÀN THÀNH" if result.completed else "CHƯA HOÀN THÀNH")
        if lang == "vi"
        else ("COMPLETED" if result.completed else "NOT COMPLETED")
    )
    lines += ["", f"{'Năm' if lang == 'vi' else 'Year'} {result.year}: {done}"]
    return "\n".join(lines) + "\n"


def years_table(view: Any, unit_name: str, *, lang: Lang = "vi") -> str:
    """Every year side by side (value vs target), then what must improve to meet next year's targets."""
    from ..engine.targets import STATUS_LABELS

    mark = {"met": "✓", "unmet": "✗", "no_target": "*", "not_applicable": "–", "not_reported": "?"}
    years = view.years

    def short(text: str, width: int = 14) -> str:
        return text if len(text) <= width else text[: width - 1] + "…"

    def cell_text(cell: Any) -> str:
        """A number against its target (`72,4 / 70%`); a state alone (its mark says met or not)."""
        sign = mark[cell.status]
        if isinstance(cell.value, Decimal):
            return f"{sign} {show(cell.value, lang)} / {cell.printed or ''}".rstrip(" /")
        if isinstance(cell.value, str):
            return f"{sign} {short(cell.value)}"
        return f"{sign} ({cell.printed})" if cell.printed and cell.status != "no_target" else sign

    rows = [(track.id, [cell_text(c) for c in track.cells]) for track in view.tracks]
    width = max([len(text) for _, cells in rows for text in cells] + [4])
    head = "giá trị / chỉ tiêu" if lang == "vi" else "value / target"
    lines = [f"{unit_name} — {view.definition} ({head})", ""]
    lines.append(f"{'':<6} " + " ".join(f"{y:<{width}}" for y in years))
    for node_id, cells in rows:
        lines.append(f"{node_id:<6} " + " ".join(f"{c:<{width}}" for c in cells).rstrip())
    lines.append("")
    done_word = "hoàn thành" if lang == "vi" else "completed"
    lines.append(" ".join(f"{r.year}: {done_word if r.completed else '✗'}" for r in view.results))
    labels: dict[str, str] = {str(k): v for k, v in STATUS_LABELS[lang].items()}
    legend = ", ".join(f"{m} {labels[s]}" for s, m in mark.items())
    lines.append(legend)
    if view.gaps:
        head = (
            f"Cần cải thiện để đạt chỉ tiêu năm {view.next_year or view.latest}:"
            if lang == "vi"
            else f"To meet the {view.next_year or view.latest} targets:"
        )
        lines += ["", head]
        lines += [f"  {g.id:<6} {g.explanation}" for g in view.gaps]
    return "\n".join(lines) + "\n"
