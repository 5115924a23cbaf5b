"""The JSON Schemas under schemas/: generated from the models, and true to the bundled files."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from cds_index.formats.schema import render, schemas
from cds_index.read.loader import read_file

from .conftest import DEFINITIONS, EXAMPLES, SCHEMAS, TESTS, TINY, mutate

GENERATED = schemas()
REGENERATE = (
    "the committed schema is out of date: run `python -m cds_index.formats.schema` and commit schemas/"
)


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_committed_schema_is_up_to_date(name: str) -> None:
    path = SCHEMAS / name
    assert path.is_file(), f"{name} is missing: {REGENERATE}"
    assert path.read_text(encoding="utf-8") == render(GENERATED[name]), REGENERATE


def test_no_stale_schema_files() -> None:
    committed = {p.name for p in SCHEMAS.glob("*.schema.json")}
    assert committed == set(GENERATED), REGENERATE


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_schemas_are_valid_draft_2020_12(name: str) -> None:
    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def as_json(value: Any) -> Any:
    """YAML data as a JSON document would hold it: dates as text, keys as text.

    Decimal fields stay Decimal: jsonschema counts any numbers.Number as a JSON number, and a Decimal
    field's schema also admits its text form (`"0.5"`), which is how pydantic writes it to JSON.
    """
    if isinstance(value, dict):
        return {str(k): as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(json.loads((SCHEMAS / name).read_text(encoding="utf-8")))


def errors(name: str, data: Any) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator(name).iter_errors(as_json(data))
    ]


def _yaml(path: Path) -> Any:
    doc, problems = read_file(path)
    assert problems == []
    return doc.data


@pytest.mark.parametrize("path", sorted(DEFINITIONS.glob("*.yaml")), ids=lambda p: p.stem)
def test_bundled_definitions_validate_against_the_schema(path: Path) -> None:
    assert errors("definition.schema.json", _yaml(path)) == []
    # and their editor hint points at that schema
    assert path.read_text(encoding="utf-8").startswith(
        "# yaml-language-server: $schema=../schemas/definition.schema.json"
    )


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_examples_validate_against_the_inputs_schema(path: Path) -> None:
    assert errors("inputs.schema.json", _yaml(path)) == []


@pytest.mark.parametrize(
    "path", sorted([*TESTS.glob("golden/*.yaml"), *TESTS.glob("cases/*.yaml")]), ids=lambda p: p.stem
)
def test_case_files_validate_against_the_tests_schema(path: Path) -> None:
    assert errors("tests.schema.json", _yaml(path)) == []


def test_decimal_fields_accept_numbers_and_their_text() -> None:
    data = _yaml(DEFINITIONS / "hai-duong-707-department.yaml")
    assert isinstance(data["tree"][0]["children"][0]["points"], int | Decimal)
    data["total"] = "200"  # what model_dump(mode="json") writes for a Decimal
    assert errors("definition.schema.json", data) == []


@pytest.mark.parametrize(
    ("edit", "where"),
    [
        (("    title: Nhận thức số\n", "    title: Nhận thức số\n    guidence: x\n"), "tree/0"),
        # (inside `children`, which may be null, the error is reported at the list)
        (("kind: yes_no", "kind: yesno"), "tree/0/children"),
        (("level: commune", "level: ward"), "level"),
        (("        points: 4\n", "        points: -4\n"), "tree/0/children"),
    ],
)
def test_the_schema_catches_what_an_editor_should_flag(edit: tuple[str, str], where: str) -> None:
    from cds_index.read.loader import read_yaml

    doc, _ = read_yaml(mutate(TINY, edit))
    found = errors("definition.schema.json", doc.data)
    assert found, "the schema accepted a broken definition"
    assert any(e.startswith(where) for e in found), found


def test_an_amending_version_validates_and_its_mistakes_are_flagged() -> None:
    # a definition file is a whole definition or an amending version (`extends:`, #13)
    data = _yaml(TESTS / "data" / "amendments" / "fictional-commune-index@2024.yaml")
    assert errors("definition.schema.json", data) == []
    broken = {**data, "tree": []}  # a version is its base plus changes, not both
    assert errors("definition.schema.json", broken)
    data["changes"][0]["lable"] = "x"
    assert any(e.startswith("changes/0") for e in errors("definition.schema.json", data))
