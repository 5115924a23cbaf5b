"""Definitions and results as text tables, Markdown and JSON-ready dicts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..engine.evaluate import NodeResult, Result
from ..formats.model import ERRATUM_KINDS, Definition, Node
from ..i18n import Message, T, render
from ..numbers import Lang
from .terminal import MIN_COLUMN, columns, grouped, pad, terminal_width, width, wrap

STATUS_MARK: dict[str, Message | None] = {
    "scored": None,
    "not_reported": T("not reported"),
    "not_applicable": T("n/a"),
    "invalid": T("invalid"),
    "pending": T("pending"),
}
"""A node's status as the table marks it (nothing for a scored one)."""

WORDS = {
    "bonus": T("bonus"),
    "bonus_total": T("Bonus (outside the total)"),
    "with_bonus": T("Total with bonus"),
    "total": T("Total"),
    "percent": T("Percentage"),
    "index": T("Index"),
    "met": T("met"),
    "completed": T("COMPLETED"),
    "not_completed": T("NOT COMPLETED"),
    "year": T("Year"),
    "value_target": T("value / target"),
    "done": T("completed"),
    "assumed": T("assumption"),
    "text": T("text"),
    "text_assumed": T("text + assumption"),
    "md_total": T("Total"),
}
"""The table's own words (a decision's titles and notes are its words, never translated, #12)."""


def printed_numbers(definition: Definition) -> dict[str, str]:
    """Node id → the number as printed, where the decision printed a duplicate number."""
    return {
        e.node: str(e.printed)
        for e in definition.errata
        if e.kind == "duplicate-number" and e.printed is not None
    }


def rule_summary(node: Node, lang: Lang | None = None) -> str:
    """How a node is scored: its kind (code, not translated) and what it rests on, in ``lang``."""
    rule = node.rule
    if rule is not None:
        basis = (
            WORDS["assumed"]
            if rule.assumed and not rule.text
            else WORDS["text"]
            if not rule.assumed
            else WORDS["text_assumed"]
        )
        return f"{rule.kind} ({render(basis, lang)})"
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


def definition_markdown(definition: Definition, lang: Lang | None = None) -> str:
    """The appendix as a Markdown table, row for row: STT, title, max points, and how it is scored."""
    printed = printed_numbers(definition)
    h = {key: render(word, lang) for key, word in MARKDOWN_WORDS.items()}
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
            f"| {h['id']} | {h['target']} | {h['unit']} | "
            + " | ".join(render(T("Year {year}", year=str(y)), lang) for y in years)
            + f" | {h['lead']} |"
        )
        lines.append("|---|---|---|" + "---|" * len(years) + "---|")
    else:
        lines.append(f"| {h['id']} | {h['criterion']} | {h['max']} | {h['how']} |")
        lines.append("|---|---|---:|---|")
        if definition.total is not None:
            lines.append(f"| | **{h['sum']}** | **{grouped(definition.total, _lang(lang))}** | |")
    for parents, node in definition.walk():
        number = printed.get(node.id, node.id)
        title = _cell(node.title)
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
                            else (
                                f"≥ {grouped(t.at_least, _lang(lang))}"
                                if hasattr(t, "at_least")
                                else " / ".join(t.one_of)
                            )
                        )
                cells.append(cell)
            lines.append(
                f"| {number} | {title} | {node.unit or ''} | " + " | ".join(cells) + f" | {node.lead or ''} |"
            )
        else:
            points = "" if node.points is None else grouped(node.points, _lang(lang))
            lines.append(f"| {number} | {title} | {points} | {rule_summary(node, lang)} |")
    if definition.errata:
        lines += [
            "",
            f"## {h['errata']}",
            "",
            f"| {h['node']} | {h['kind']} | {h['printed']} | {h['note']} |",
            "|---|---|---|---|",
        ]
        for e in definition.errata:
            value = e.printed
            shown = grouped(value, _lang(lang)) if isinstance(value, Decimal) else value or ""
            kind = render(ERRATUM_KINDS[e.kind], lang)
            lines.append(f"| {e.node} | {kind} | {_cell(shown)} | {_cell(render(e.note, lang))} |")
    return "\n".join(lines) + "\n"


def definition_table(definition: Definition, lang: Lang | None = None, *, size: int | None = -1) -> str:
    """An indented outline for the terminal; a line wider than ``size`` columns (default: the
    terminal's, :func:`~.terminal.terminal_width`) wraps under its title, never cut mid-word."""
    language = _lang(lang)
    size = terminal_width() if size == -1 else size
    printed = printed_numbers(definition)
    out = wrap(f"{definition.id}: {definition.title} ({definition.decision.number})", size)
    if definition.total is not None:
        total = grouped(definition.total, language)
        out.append(render(T("Total: {points}", points=total), language))
    for parents, node in definition.walk():
        indent = "  " * len(parents)
        number = printed.get(node.id, node.id)
        points = "" if node.points is None else f" [{grouped(node.points, language)}]"
        head = f"{indent}{number} "
        text = f"{node.title}{points}  {rule_summary(node, language)}".rstrip()
        room = None if size is None else max(size - width(head), MIN_TITLE)
        lines = wrap(text, room)
        out.append(head + lines[0])
        out += [" " * width(head) + line for line in lines[1:]]
    return "\n".join(out) + "\n"


MIN_TITLE = 20
"""A title column never narrower than this, however narrow the terminal (the line overflows)."""

MARKDOWN_WORDS = {
    "id": T("No."),
    "target": T("Target"),
    "unit": T("Unit of measure"),
    "lead": T("Lead unit"),
    "criterion": T("Pillar/Component/Criterion"),
    "max": T("Maximum points"),
    "how": T("How it is scored"),
    "sum": T("Grand total"),
    "errata": T("Errata"),
    "node": T("Node"),
    "kind": T("Kind"),
    "printed": T("Printed"),
    "note": T("Note"),
}
"""The Markdown appendix's headings (``show --format markdown``)."""


def _cell(text: str) -> str:
    """Text for one Markdown table cell: its own ``|`` escaped and its lines joined."""
    return text.replace("|", "\\|").replace("\n", " ")


def _lang(lang: str | None) -> Lang:
    from ..i18n import choose_language

    return choose_language(lang)


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
                "alternatives": [_reading(alt) for alt in definition.index.alternatives],
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
                    "alternatives": [_reading(alt) for alt in getattr(basis, "alternatives", None) or ()],
                }
            )
    return found


def _reading(alternative: Any) -> str:
    """``name: reason`` of a reading not chosen, its reason shown in the reader's language when rendered."""
    return T("{name}: {reason}", name=alternative.name, reason=alternative.reason)


LABEL, POINTS = 20, 13
"""The id column (indented by level) and the points column of :func:`result_table`."""
NARROW = 40
"""Below this many columns left for titles, the id and points columns shrink to their widest cell."""


def _levels(node: NodeResult, level: int, depth: int | None) -> list[tuple[int, NodeResult]]:
    if depth is not None and level >= depth:
        return []
    found = [(level, node)]
    for child in node.children:
        found += _levels(child, level + 1, depth)
    return found


def result_table(
    result: Result,
    *,
    lang: Lang = "vi",
    depth: int | None = None,
    explain: bool = True,
    size: int | None = -1,
) -> str:
    """A result as an indented table: points / max per node, status, and each criterion's explanation.

    Titles are whole (never cut); a title or an explanation wider than the terminal (``size``
    columns; default :func:`~.terminal.terminal_width`, ``None``: no wrapping) wraps under itself.
    Numbers are grouped by locale (``9.500.000,5``).
    """
    size = terminal_width() if size == -1 else size
    places = result.places
    name = result.unit_name or result.unit_id
    header = f"{name} — {result.definition}" + (f" — {result.year}" if result.year else "")
    lines = [*wrap(header, size), ""]
    label_size, points_size = LABEL, POINTS
    if size is not None and size - (LABEL + POINTS + 3) < NARROW:  # a narrow terminal: columns as
        shown = [(level, n) for p in result.pillars for level, n in _levels(p, 0, depth)]  # wide as
        label_size = max([width("  " * level + n.id) for level, n in shown] + [4])  # their cells
        points_size = max(
            [width(f"{grouped(n.points, lang, places)}/{grouped(n.max, lang, places)}") for _, n in shown]
            + [4]
        )
    lead = label_size + 1 + points_size + 2  # where a title starts
    room = None if size is None else max(size - lead, MIN_TITLE)
    note_room = None if room is None else max(room - 2, MIN_TITLE)
    blank = " " * lead

    def num(d: Decimal) -> str:
        return grouped(d, lang, places)

    def note(text: str) -> None:  # a line under the title, indented two more
        lines.extend(blank + "  " + line for line in wrap(text, note_room))

    def row(node: NodeResult, level: int) -> None:
        if depth is not None and level >= depth:
            return
        mark = STATUS_MARK[node.status]
        pts = f"{num(node.points)}/{num(node.max)}"
        label = f"{'  ' * level}{node.id}"  # the tree by indentation; the points stay in one column
        text = node.title + (f"  [{render(mark, lang)}]" if mark else "")
        if node.bonus:  # outside the points and the maximum (#13)
            text += f"  (+{num(node.bonus)} {render(WORDS['bonus'], lang)})"
        title = wrap(text, room)
        lines.append(f"{pad(label, label_size)} {pad(pts, points_size, '>')}  {title[0]}".rstrip())
        lines.extend(blank + line for line in title[1:])
        if node.unfloored is not None:  # deductions took the group below 0 (#13)
            note(
                render(
                    T(
                        "the deductions take the group to {points} points; it stops at 0",
                        points=num(node.unfloored),
                    ),
                    lang,
                )
            )
        reach = result.pillar_achievable.get(node.id) if level == 0 else None
        if (
            reach is not None and node.stated is not None and node.stated != reach
        ):  # printed ≠ achievable (#10)
            note(
                render(
                    T(
                        "printed {stated} points; the criteria add up to {reach} (errata); "
                        "percentages use {max}",
                        stated=num(node.stated),
                        reach=num(reach),
                        max=num(node.max),
                    ),
                    lang,
                )
            )
        if explain and node.is_criterion:
            note(render(node.explanation, lang))
        for child in node.children:
            row(child, level + 1)

    for pillar in result.pillars:
        row(pillar, 0)
    lines.append("")
    stated = (
        render(T(" (as printed in the decision: {total})", total=grouped(result.stated_total, lang)), lang)
        if (result.stated_total is not None and result.stated_total != result.max)
        else ""
    )
    lines.append(f"{render(WORDS['total'], lang)}: {num(result.points)}/{num(result.max)}{stated}")
    if result.percent is not None:
        lines.append(f"{render(WORDS['percent'], lang)}: {num(result.percent)}%")
    if result.bonus:  # beside the total, never in it or in the percentage (#13)
        lines.append(f"{render(WORDS['bonus_total'], lang)}: {num(result.bonus)}")
        lines.append(f"{render(WORDS['with_bonus'], lang)}: {num(result.total_with_bonus)}")
    if result.index_scale is not None:  # an index that is not the points (#13), with how it was made
        lines += wrap(
            f"{render(WORDS['index'], lang)}: {result.index_text(lang)} ({result.explain_index(lang)})", size
        )
    for problem in result.problems:
        lines.append(problem.format(lang))
    return "\n".join(lines) + "\n"


def targets_table(result: Any, unit_name: str, *, lang: Lang = "vi") -> str:
    """One year of a yearly-targets definition: each criterion met or not, counts per group."""
    from ..engine.targets import STATUS_LABELS

    labels = STATUS_LABELS[lang]
    lines = [f"{unit_name} — {result.definition} — {result.year}", ""]
    met = render(WORDS["met"], lang)
    for group in result.groups:
        lines.append(f"{group.id} {group.title}: {group.met}/{group.with_target} {met}")
        for o in result.criteria:
            if o.group == group.id:
                lines.append(f"  {o.id:<6} {pad(labels[o.status], 18)} {o.explanation}")
    done = render(WORDS["completed"] if result.completed else WORDS["not_completed"], lang)
    lines += ["", f"{render(WORDS['year'], lang)} {result.year}: {done}"]
    return "\n".join(lines) + "\n"


def years_table(view: Any, unit_name: str, *, lang: Lang = "vi") -> str:
    """Every year side by side (value vs target), then what must improve to meet next year's targets."""
    from ..engine.targets import STATUS_LABELS

    mark = {
        "met": "✓",
        "unmet": "✗",
        "no_target": "*",
        "not_applicable": "–",
        "not_reported": "?",
        "invalid": "!",
    }
    years = view.years

    def short(text: str, size: int = 14) -> str:  # a value the unit wrote, shortened at a word
        lines = wrap(text, size)
        return text if len(lines) == 1 else lines[0] + " …"

    def cell_text(cell: Any) -> str:
        """A number against its target (`72,4 / 70%`); a state alone (its mark says met or not)."""
        sign = mark[cell.status]
        if isinstance(cell.value, Decimal):
            return f"{sign} {grouped(cell.value, lang)} / {cell.printed or ''}".rstrip(" /")
        if isinstance(cell.value, str):
            return f"{sign} {short(cell.value)}"
        return f"{sign} ({cell.printed})" if cell.printed and cell.status != "no_target" else sign

    rows = [(track.id, [cell_text(c) for c in track.cells]) for track in view.tracks]
    size = max([width(text) for _, cells in rows for text in cells] + [4])
    head = render(WORDS["value_target"], lang)
    lines = [f"{unit_name} — {view.definition} ({head})", ""]
    lines.append(f"{'':<6} " + " ".join(pad(str(y), size) for y in years))
    for node_id, cells in rows:
        lines.append(f"{node_id:<6} " + " ".join(pad(c, size) for c in cells).rstrip())
    lines.append("")
    done_word = render(WORDS["done"], lang)
    lines.append(" ".join(f"{r.year}: {done_word if r.completed else '✗'}" for r in view.results))
    labels: dict[str, str] = {str(k): v for k, v in STATUS_LABELS[lang].items()}
    legend = ", ".join(f"{m} {labels[s]}" for s, m in mark.items())
    lines.append(legend)
    if view.gaps:
        head = render(T("To meet the {year} targets:", year=str(view.next_year or view.latest)), lang)
        lines += ["", head]
        lines += [f"  {g.id:<6} {g.explanation}" for g in view.gaps]
    return "\n".join(lines) + "\n"


# --- a batch as a terminal table (`score` over many units) -----------------------------------------

BATCH_ID, BATCH_NAME, BATCH_STATUS, BATCH_NUMBER = 20, 30, 10, 10
"""The columns of :func:`batch_header`/:func:`batch_line`: id, name, status, then each number."""


def _batch_sizes(names: list[str], size: int | None) -> list[int]:
    """Each column's width: id, name, status, then one per number column (``names``: the header).

    A number column is as wide as its header, so the header reads whole on one line, when the
    terminal has room (or its width is unknown: nothing is wrapped then); on a narrower terminal the
    number columns narrow together, each never below its header's longest word (a header wraps
    between words, never inside one: "Điểm tối" / "đa"), and then the id and the name narrow.
    """
    numbers = names[3:]
    whole = [max(BATCH_NUMBER, width(n)) for n in numbers]
    fixed = [BATCH_ID, BATCH_NAME, BATCH_STATUS]
    if size is None:
        return fixed + whole
    floors = [max([6, *(width(w) for w in n.split())]) for n in numbers]
    for cap in range(max(whole, default=BATCH_NUMBER), 5, -1):
        widths = [max(min(w, cap), f) for w, f in zip(whole, floors, strict=True)]
        if sum(fixed) + sum(w + 1 for w in widths) + 2 <= size:
            return fixed + widths
    rest = size - sum(w + 1 for w in floors) - 2
    return [
        max(min(BATCH_ID, rest // 3), 8),
        max(rest - rest // 3 - BATCH_STATUS, MIN_COLUMN),
        BATCH_STATUS,
        *floors,
    ]


def batch_header(definition: Definition, lang: Lang = "vi", *, size: int | None = -1) -> str:
    """The header of the batch table: each column's name whole when the terminal has room, else
    wrapped in its column, never cut ("Điểm tối đa" over two lines of a narrow cell, not "Điểm tối đ")."""
    size = terminal_width() if size == -1 else size
    names = _batch_names(definition, lang)
    sizes = _batch_sizes(names, size)
    aligns = ["<", "<", "<"] + [">"] * (len(names) - 3)
    return "\n".join(columns(list(zip(names, sizes, aligns, strict=True))))


def _batch_names(definition: Definition, lang: Lang) -> list[str]:
    """The header's column names, kept per definition and language: every line is laid out as its
    header (:func:`batch_line` is called for each of thousands of units)."""
    from ..io.batch import summary_columns

    key = (id(definition), lang)
    found = _NAMES.get(key)
    if found is None or found[0] is not definition:
        found = _NAMES[key] = (definition, summary_columns(definition, lang)[:-3])
        if len(_NAMES) > 64:
            _NAMES.pop(next(iter(_NAMES)))
    return found[1]


_NAMES: dict[tuple[int, str], tuple[Definition, list[str]]] = {}


def batch_line(definition: Definition, row: Any, lang: Lang = "vi", *, size: int | None = -1) -> str:
    """One unit as a line of the batch table (its name wrapped, never cut), its problems below."""
    from ..io.batch import summary_values
    from ..io.safe import terminal

    size = terminal_width() if size == -1 else size
    places = definition.display.decimals
    cells = summary_values(definition, row, lambda d: "" if d is None else grouped(d, lang, places), lang)
    cells = [terminal(c).replace("\n", " ") for c in cells]  # names and messages come from the data
    problems, warnings, body = cells[-3], cells[-2], cells[:-3]
    sizes = _batch_sizes(_batch_names(definition, lang), size)  # the header's widths
    aligns = ["<", "<", "<"] + [">"] * (len(body) - 3)
    lines = columns(list(zip(body, sizes, aligns, strict=True)))
    if problems:
        lines += [
            f"    {line}"
            for p in problems.split(" | ")
            for line in wrap(p, None if size is None else max(size - 4, MIN_COLUMN))
        ]
    if warnings:
        lines += [
            f"    {line}"
            for w in warnings.split(" | ")
            for line in wrap(
                render(T("warning: {message}", message=w), lang),
                None if size is None else max(size - 4, MIN_COLUMN),
            )
        ]
    return "\n".join(lines).rstrip()
