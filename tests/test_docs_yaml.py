"""Every ```yaml block in README.md and docs/*.md goes through `check`, so the examples cannot rot (#13).

A block is a whole file unless an HTML comment on the line before its fence says what it is:

- ``<!-- check: rule -->`` — a ``rule:`` of one criterion (10 points, or ``rule, points N``): checked
  on a criterion of a minimal definition;
- ``<!-- check: node -->`` — a list of nodes (``- id: …``): checked as children of a pillar of a
  minimal definition (``pillar``: as pillars of it);
- ``<!-- check: definition -->`` — some keys of a definition (``inputs:``, ``constraints:``,
  ``scoring:``/``tree:`` …): checked merged into a minimal definition; ``definition in ID`` merges
  them into a bundled definition instead (an entry of a list replaces the one with its ``id``,
  ``node`` and ``kind``, or ``input``);
- ``<!-- check: KIND -->`` for any other kind (``rearrangement``, ``scenario``, ``inputs`` …) — keys
  of such a file: their shape is checked against that kind's model;
- ``<!-- check: file in DIR -->`` — a whole file that names files beside it (``inputs: [./2024]``):
  checked in a copy of DIR;
- ``<!-- check: skip REASON -->`` — YAML that is no cds_index file (a pre-commit or CI configuration):
  it must still parse.

In a fragment, every input its rules, targets and constraints read but do not declare is declared by
its use (a yes/no input as a boolean, a role as a role, anything counted as a number ≥ 0).
"""

from __future__ import annotations

import ast
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pydantic import create_model

from cds_index.check.checking import check_file
from cds_index.errors import Problem
from cds_index.formats.model import RULE_KINDS, Model
from cds_index.read.loader import Document, read_yaml, validate_model
from cds_index.read.registry import inspect_definition, resolve

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
MARKER = re.compile(r"^\s*<!--\s*check:\s*(?P<what>.+?)\s*-->\s*$")
FENCE = re.compile(r"^(?P<indent>\s*)```ya?ml\s*$", re.I)


@dataclass(frozen=True)
class Block:
    page: Path
    line: int
    """The line of the block's first line of YAML in the page."""
    text: str
    marker: str | None

    @property
    def name(self) -> str:
        return f"{self.page.name}:{self.line}"


def blocks(page: Path) -> list[Block]:
    found: list[Block] = []
    lines = page.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        fence = FENCE.match(lines[index])
        if not fence:
            index += 1
            continue
        before = next((lines[i] for i in range(index - 1, -1, -1) if lines[i].strip()), "")
        marker = MARKER.match(before)
        end = next((i for i in range(index + 1, len(lines)) if lines[i].strip() == "```"), len(lines))
        indent = len(fence.group("indent"))  # a block inside a list item is indented with it
        body = "\n".join(line[indent:] for line in lines[index + 1 : end]) + "\n"
        found.append(Block(page, index + 2, body, marker.group("what") if marker else None))
        index = end + 1
    return found


BLOCKS = [block for page in PAGES for block in blocks(page)]


def test_no_yaml_block_is_missed() -> None:
    for page in PAGES:
        fences = len(re.findall(r"^\s*```\s*ya?ml\b", page.read_text(encoding="utf-8"), re.M | re.I))
        assert fences == len(blocks(page)), page.name


def test_the_pages_have_yaml_blocks() -> None:
    # the test would pass vacuously if the fence pattern stopped matching
    assert len(BLOCKS) >= 25
    assert sum(b.marker is None for b in BLOCKS) >= 4


# --- fragments: a minimal definition around them ---------------------------------------------------

_MINIMAL: dict[str, Any] = {
    "kind": "definition",
    "id": "docs-fragment",
    "title": "Đoạn trích của tài liệu",
    "issuer": "Ủy ban nhân dân tỉnh Thử",
    "decision": {"number": "1/QĐ-UBND", "date": "2024-01-01"},
    "level": "commune",
    "effective": {"from": "2024-01-01"},
    "inputs": {},
}
_ANY_CRITERION = {"kind": "yes_no", "input": "docs_fragment_done", "assumed": "a placeholder criterion"}
_FUNCTIONS = {"min", "max", "abs", "clamp", "round", "floor", "ceil"}
BOOLEAN = {"label": "Có (đoạn trích)", "type": "boolean"}
NUMBER = {"label": "Số (đoạn trích)", "type": "number", "min": 0}


def _tree(rule: dict[str, Any], points: int = 10, deadline: str | None = None) -> list[dict[str, Any]]:
    criterion = {"id": "X.1", "title": "Tiêu chí của đoạn trích", "points": points, "rule": rule}
    if deadline is not None:
        criterion["deadline"] = deadline
    return [{"id": "X", "title": "Trụ cột của đoạn trích", "points": points, "children": [criterion]}]


def _names(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def _uses(data: Any) -> dict[str, dict[str, Any]]:
    """Every input the rules, targets and constraints in ``data`` read, with a declaration by its use."""
    used: dict[str, dict[str, Any]] = {}

    def declare(names: list[str], spec: dict[str, Any]) -> None:
        for name in names:
            used.setdefault(name, spec)

    def walk(item: Any) -> None:
        if isinstance(item, list):
            for child in item:
                walk(child)
            return
        if not isinstance(item, dict):
            return
        kind = item.get("kind")
        if kind in RULE_KINDS or (isinstance(kind, str) and ("input" in item or "inputs" in item)):
            declare(_names(item.get("applicable_if")), BOOLEAN)
            declare(_names(item.get("dated_by")), {"label": "Ngày (đoạn trích)", "type": "date"})
            if kind == "yes_no":
                declare(_names(item.get("input")), BOOLEAN)
            elif kind == "role":
                declare(_names(item.get("input")), {"label": "Vai trò (đoạn trích)", "type": "role"})
            elif kind == "checklist":
                for entry in item.get("items") or []:
                    if isinstance(entry, dict):
                        declare(_names(entry.get("input")) + _names(entry.get("requires")), BOOLEAN)
            elif kind == "formula" and isinstance(item.get("expression"), str):
                try:
                    tree = ast.parse(item["expression"], mode="eval")
                except SyntaxError:
                    tree = None
                names = [n.id for n in ast.walk(tree) if isinstance(n, ast.Name)] if tree else []
                declare([n for n in names if n not in _FUNCTIONS], NUMBER)
            elif kind == "table":  # a column's type by its conditions: true/false, states, or numbers
                for row in item.get("rows") or []:
                    for name, condition in ((row or {}).get("when") or {}).items():
                        if isinstance(condition, bool):
                            declare([name], BOOLEAN)
                        elif (isinstance(condition, str) and condition != "-") or isinstance(condition, list):
                            states = sorted(
                                {
                                    str(c)
                                    for r in item["rows"]
                                    for c in _names((r.get("when") or {}).get(name))
                                    if c != "-"
                                }
                            )
                            declare(
                                [name],
                                {"label": "Trạng thái (đoạn trích)", "type": "choice", "choices": states},
                            )
            for key in ("input", "inputs", "per", "handled"):
                declare(_names(item.get(key)), NUMBER)
        if isinstance(item.get("targets"), dict):
            declare(_names(item["targets"].get("input")), NUMBER)
        if "at_most" in item and "input" in item:  # a constraint
            declare(_names(item["input"]) + _names(item["at_most"]), NUMBER)
        for value in item.values():
            walk(value)

    walk(data)
    return used


def _identity(entry: Any) -> Any:
    if not isinstance(entry, dict):
        return None
    for keys in (("id",), ("node", "kind"), ("input",)):
        if all(k in entry for k in keys):
            return tuple(str(entry[k]) for k in keys)
    return None


def _merge(base: dict[str, Any], keys: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in keys.items():
        old = merged.get(key)
        if isinstance(old, dict) and isinstance(value, dict):
            merged[key] = {**old, **value}
        elif isinstance(old, list) and isinstance(value, list):
            entries = list(old)
            for entry in value:
                same = [
                    i
                    for i, e in enumerate(entries)
                    if _identity(e) is not None and _identity(e) == _identity(entry)
                ]
                if same:
                    entries[same[0]] = entry
                else:
                    entries.append(entry)
            merged[key] = entries
        else:
            merged[key] = value
    return merged


def _errors(problems: list[Problem], block: Block | None = None) -> list[str]:
    """Errors as lines; in a fragment (``block``), without positions, which are the wrapper's."""
    if block is None:
        return [p.format() for p in problems if p.severity == "error"]
    return [
        f"{block.name}: error[{p.code}] {p.message}" + (f" (at {p.node[-1]})" if p.node else "")
        for p in problems
        if p.severity == "error"
    ]


def _check_definition(data: dict[str, Any], block: Block, *, declare: bool = True) -> list[str]:
    if declare:
        declared = dict(data.get("inputs") or {})
        for name, spec in _uses(data).items():
            declared.setdefault(name, spec)
        data = {**data, "inputs": declared}
    definition, problems = inspect_definition(Path(block.name), Document(None, data))
    errors = _errors(problems, block)
    return errors + ([] if definition is not None or errors else ["not a definition"])


def _fragment(block: Block, what: str, tmp_path: Path) -> list[str]:
    doc, problems = read_yaml(block.text, block.name)
    if problems:
        return _errors(problems)
    data = doc.data
    words = what.split()
    kind = words[0].rstrip(",")
    if not isinstance(data, dict) and kind not in {"node", "pillar"}:
        return [f"a fragment is a mapping of keys, got {type(data).__name__}"]
    if kind == "rule":  # rule[, points N][, deadline D]
        options = dict(zip(words[1::2], [w.rstrip(",") for w in words[2::2]], strict=False))
        options = {k.rstrip(","): v for k, v in options.items()}
        if set(data) != {"rule"}:
            return [f"a rule fragment holds `rule:` only, got {sorted(data)}"]
        tree = _tree(data["rule"], int(options.get("points", 10)), options.get("deadline"))
        return _check_definition({**_MINIMAL, "tree": tree}, block)
    if kind in {"node", "pillar"}:  # a list of nodes: under the placeholder pillar, or as pillars
        if not isinstance(data, list):
            return [f"a {kind} fragment is a list of nodes (`- id: …`)"]
        placeholder = _tree(_ANY_CRITERION)
        if kind == "node":
            placeholder[0]["children"] += data
            del placeholder[0]["points"]
            tree = placeholder
        else:
            tree = placeholder + data
        return _check_definition({**_MINIMAL, "tree": tree}, block)
    if kind == "definition":
        if len(words) == 3 and words[1] == "in":
            base_doc, _ = read_yaml(resolve(words[2]).read_text(encoding="utf-8"))
            return _check_definition(_merge(base_doc.data, data), block, declare=False)
        base = {**_MINIMAL, "tree": data.get("tree") or _tree(_ANY_CRITERION)}
        return _check_definition(_merge(base, {k: v for k, v in data.items() if k != "tree"}), block)
    models = _models()
    if kind not in models:
        return [
            f"unknown marker {what!r}: rule, definition [in ID], {', '.join(sorted(models))}, "
            "file in DIR, skip"
        ]
    model = models[kind]
    fields = {
        k: (model.model_fields[k].annotation, model.model_fields[k]) for k in data if k in model.model_fields
    }
    partial = create_model(f"{model.__name__}Fragment", __base__=Model, **fields)  # type: ignore[call-overload]
    _, problems = validate_model(partial, doc)
    return _errors(problems, block)


def _models() -> dict[str, type[Model]]:
    from cds_index.analyse.scenario import Scenario
    from cds_index.formats.model import InputsFile, TestFile
    from cds_index.formats.overlay import Overlay
    from cds_index.formats.rearrangement import Rearrangement

    return {
        "inputs": InputsFile,
        "tests": TestFile,
        "overlay": Overlay,
        "scenario": Scenario,
        "rearrangement": Rearrangement,
    }


def _whole(block: Block, tmp_path: Path, folder: Path | None = None) -> list[str]:
    where = tmp_path
    if folder is not None:
        where = tmp_path / folder.name
        shutil.copytree(folder, where)
    path = where / "docs-block.yaml"
    path.write_text(block.text, encoding="utf-8")
    report = check_file(path)
    shift = block.line - 1  # the block's lines as the page's
    errors = [
        re.sub(rf"^{re.escape(str(path))}:(\d+)", lambda m: f"{block.page.name}:{int(m[1]) + shift}", p)
        for p in _errors(report.problems)
    ]
    if report.kind is None:
        errors.append("a whole file needs `kind:`; mark a fragment with <!-- check: … --> before the fence")
    return errors


@pytest.mark.parametrize("block", BLOCKS, ids=lambda b: b.name)
def test_every_yaml_block_of_the_docs_checks(block: Block, tmp_path: Path) -> None:
    what = block.marker
    if what is None:
        errors = _whole(block, tmp_path)
    elif what.startswith("skip"):
        assert len(what.split()) >= 3, (
            f"{block.name}: say why the block is skipped: <!-- check: skip REASON -->"
        )
        _, problems = read_yaml(block.text, block.name)
        errors = _errors(problems)
    elif what.startswith("file in "):
        errors = _whole(block, tmp_path, ROOT / what.removeprefix("file in ").strip())
    else:
        errors = _fragment(block, what, tmp_path)
    assert errors == [], f"{block.name} ({what or 'a whole file'}):\n" + "\n".join(errors)


# --- the test's own machinery, tried on blocks written to fail ---------------------------------------


def _page(tmp_path: Path, text: str) -> list[Block]:
    page = tmp_path / "page.md"
    page.write_text(text, encoding="utf-8")
    return blocks(page)


@pytest.mark.parametrize(
    ("marker", "body", "expected"),
    [
        (None, "kind: definition\nid: x\n", "missing-key"),  # a whole file, broken
        (None, "inputs: {}\n", "needs `kind:`"),  # an unmarked fragment
        ("rule", "rule: {kind: yes_no, input: done}\n", "invalid-value"),  # no text/assumed
        (
            "rule",
            "rule: {kind: steps, input: n, assumed: x, steps: [{min: 0, max: 1, percent: 0}]}\n",
            "step-gap",
        ),
        (
            "rule, points 1",
            "rule: {kind: per_item, input: n, points_each: 1, cap: 2, assumed: x}\n",
            "rule-points",
        ),
        ("definition", "inputs:\n  a: {label: A, type: boolen}\n", "invalid-value"),
        ("definition", "constraints:\n  - {input: a, at_mots: b}\n", "unknown-key"),
        ("definition in hai-duong-707-department", "total: 201\n", "total-mismatch"),
        ("rearrangement", "units:\n  - {id: a, form: [b]}\n", "unknown-key"),
        (
            "node",
            "- {id: X.2, title: T, points: 2, rule: {kind: deduction, input: n, points_each: 1, cap: 5,"
            " deducts_from: criterion, assumed: x}}\n",
            "rule-points",
        ),
        ("node", "rule: {kind: yes_no, input: a, assumed: x}\n", "a list of nodes"),
        ("frobnicate", "a: 1\n", "unknown marker"),
    ],
)
def test_broken_blocks_fail(tmp_path: Path, marker: str | None, body: str, expected: str) -> None:
    comment = f"<!-- check: {marker} -->\n\n" if marker else ""
    (block,) = _page(tmp_path, f"# A page\n\n{comment}```yaml\n{body}```\n")
    assert block.marker == marker
    errors = _whole(block, tmp_path) if marker is None else _fragment(block, marker, tmp_path)
    assert any(expected in e for e in errors), errors


def test_a_whole_files_errors_are_shown_at_the_pages_lines(tmp_path: Path) -> None:
    text = "kind: inputs\ndefinition: hai-duong-707-department\nunit: {id: a}\nvalues: {}\nyaer: 2024\n"
    (block,) = _page(tmp_path, f"# A page\n\n```yaml\n{text}```\n")
    (error,) = _whole(block, tmp_path)
    assert error.startswith("page.md:8:1: error[unknown-key]") and "'yaer'" in error, error


def test_the_amendment_shown_is_the_one_tested() -> None:
    # docs/versions-and-whatif.md says its amending decision is tests/data/amendments/…@2024.yaml
    (block,) = [b for b in BLOCKS if b.marker == "file in tests/data/amendments"]
    shown, _ = read_yaml(block.text)
    tested, _ = read_yaml(
        (ROOT / "tests/data/amendments/fictional-commune-index@2024.yaml").read_text("utf-8")
    )
    assert shown.data == tested.data
