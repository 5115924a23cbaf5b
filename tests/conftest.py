"""Shared fixtures: paths to the repository's folders and a tiny definition builder writing YAML."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from cds_index.check.checking import check_file
from cds_index.check.validate import check_definition
from cds_index.errors import Problem
from cds_index.formats.model import Definition
from cds_index.numbers import plain
from cds_index.read.loader import read_yaml, validate_model


@pytest.fixture
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    """Messages in English (`CDS_INDEX_LANG=en`), for a test that reads the English words of a
    message as output renders it; Vietnamese is the default (#12), as the machine's locale may say."""
    monkeypatch.setenv("CDS_INDEX_LANG", "en")


ROOT = Path(__file__).resolve().parent.parent
DEFINITIONS = ROOT / "definitions"
EXAMPLES = ROOT / "examples"
SCHEMAS = ROOT / "schemas"
TESTS = ROOT / "tests"

# The smallest useful definition: one pillar of 10 points, a yes/no criterion (4) and a ratio (6).
# Tests copy it and change one thing, so every line number they assert can be read off this text.
TINY = """\
kind: definition
format: 1
id: tiny
title: Bộ chỉ số thử nghiệm
issuer: Ủy ban nhân dân tỉnh Thử
decision: {number: 1/QĐ-UBND, date: 2024-01-15, appendix: Phụ lục I}
level: commune
effective: {from: 2024-01-15}
scoring: points
total: 10
inputs:
  has_plan: {label: Có kế hoạch chuyển đổi số, type: boolean}
  staff: {label: Số cán bộ, type: integer, unit: person, min: 0, general: true}
  staff_trained: {label: Số cán bộ được đào tạo, type: integer, unit: person, min: 0}
tree:
  - id: A
    title: Nhận thức số
    points: 10
    children:
      - id: A.1
        title: Có kế hoạch chuyển đổi số
        points: 4
        rule:
          kind: yes_no
          input: has_plan
          assumed: "“Có …” is scored yes/no."
      - id: A.2
        title: Tỷ lệ cán bộ được đào tạo
        points: 6
        rule:
          kind: ratio
          input: staff_trained
          per: staff
          assumed: "“Tỷ lệ …” is scored in proportion."
"""


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """The 1-based line of the ``occurrence``-th line containing ``needle`` (for expected positions)."""
    seen = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{needle!r} is not in the text")


def column_of(text: str, needle: str, occurrence: int = 1) -> int:
    """The 1-based column where ``needle`` starts on its line."""
    line = text.splitlines()[line_of(text, needle, occurrence) - 1]
    return line.index(needle) + 1


def _represent_decimal(representer: Any, value: Decimal) -> Any:
    text = plain(value)
    tag = "tag:yaml.org,2002:int" if "." not in text else "tag:yaml.org,2002:float"
    return representer.represent_scalar(tag, text)


def dump_yaml(data: Any) -> str:
    """Plain data (Decimals as exact numbers) → YAML text."""
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    yaml.sort_base_mapping_type_on_output = False  # type: ignore[assignment]
    yaml.representer.add_representer(Decimal, _represent_decimal)
    buffer = io.StringIO()
    yaml.dump(data, buffer)
    return buffer.getvalue()


def header(**overrides: Any) -> dict[str, Any]:
    """The metadata of a test definition; ``overrides`` replace or add keys."""
    data: dict[str, Any] = {
        "kind": "definition",
        "format": 1,
        "id": "built",
        "title": "Bộ chỉ số thử nghiệm",
        "issuer": "Ủy ban nhân dân tỉnh Thử",
        "decision": {"number": "1/QĐ-UBND", "date": "2024-01-15"},
        "level": "commune",
        "effective": {"from": "2024-01-15"},
    }
    data.update(overrides)
    return data


def definition_data(
    inputs: dict[str, Any], criteria: Iterable[dict[str, Any]], **overrides: Any
) -> dict[str, Any]:
    """One pillar ``P`` holding ``criteria``; its points (and the total) are the criteria's sum."""
    leaves = list(criteria)
    total = sum((Decimal(str(c.get("points", 0))) for c in leaves), Decimal(0))
    data = header(total=total, inputs=inputs)
    data["tree"] = [{"id": "P", "title": "Trụ cột", "points": total, "children": leaves}]
    data.update(overrides)
    return data


def criterion(node_id: str, points: Any, rule: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A criterion node; the rule gets an `assumed:` provenance unless it brings its own."""
    if "text" not in rule and "assumed" not in rule:
        rule = {**rule, "assumed": "test rule"}
    return {"id": node_id, "title": f"Tiêu chí {node_id}", "points": points, "rule": rule, **extra}


def definition_from_text(text: str, file: str = "def.yaml") -> tuple[Definition | None, list[Problem]]:
    """Read, validate and check definition text in memory: ``(definition, every problem)``."""
    doc, problems = read_yaml(text, file)
    if problems:
        return None, problems
    model, problems = validate_model(Definition, doc)
    if model is None:
        return None, problems
    return model, check_definition(model, doc)


def errors_of(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """Write text to a file under ``tmp_path`` and return its path: ``write(text, "def.yaml")``."""

    def _write(text: str, name: str = "def.yaml") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    return _write


@pytest.fixture
def build(write: Callable[..., Path]) -> Callable[..., Definition]:
    """Build a checked definition from plain data, through a YAML file, as a user would write it.

    ``build(inputs, [criterion(...), ...])`` → a :class:`Definition`; fails the test on any error.
    """

    def _build(inputs: dict[str, Any], criteria: Iterable[dict[str, Any]], **overrides: Any) -> Definition:
        text = dump_yaml(definition_data(inputs, criteria, **overrides))
        path = write(text, f"{overrides.get('id', 'built')}.yaml")
        report = check_file(path)
        assert report.ok, "\n".join(p.format() for p in report.problems)
        definition, problems = definition_from_text(text, str(path))
        assert definition is not None, problems
        return definition

    return _build


@pytest.fixture
def check(write: Callable[..., Path]) -> Callable[..., list[Problem]]:
    """Write definition text to a file and return every problem `cds-index check` finds in it."""

    def _check(text: str, name: str = "def.yaml") -> list[Problem]:
        return check_file(write(text, name)).problems

    return _check


def mutate(text: str, *edits: tuple[str, str]) -> str:
    """Apply ``(old, new)`` replacements, each of which must match exactly once."""
    for old, new in edits:
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
        text = text.replace(old, new)
    return text


def label(kind: str) -> str:
    """An erratum kind as an English reader reads it (the note's first words)."""
    return _render(_erratum_kinds()[kind], "en")


def erratum_kind(message: object) -> str:
    """The kind of erratum a known-discrepancy note names, read back from its English words."""
    text = _render(message, "en")
    (kind,) = [
        k for k in _erratum_kinds() if text.startswith(label(k) + ":") or text.startswith(label(k) + ",")
    ]
    return kind


def _erratum_kinds() -> dict[str, object]:
    from cds_index.formats.model import ERRATUM_KINDS

    return dict(ERRATUM_KINDS)


def _render(text: object, lang: str) -> str:
    from cds_index.i18n import render

    return render(text, lang)
