"""One rendering of results, rankings, gaps and problems (#11 item 5): the CLI's and the API's JSON
validate against the committed schemas/, and both write the same ranking."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from cds_index.cli import main

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = ROOT / "schemas"
DISTRICT = "hai-duong-707-district"
DISTRICT_UNIT = str(ROOT / "examples" / "hai-duong-707-district-huyen-a.yaml")
CSV = str(ROOT / "examples" / "hai-duong-707-districts.csv")


def _validate(name: str, document: Any) -> None:
    schema = json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(document)


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    main(list(argv))
    return json.loads(capsys.readouterr().out)


@pytest.fixture(scope="module")
def client() -> Any:
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from cds_index.server import create_app

    with TestClient(create_app()) as c:
        yield c


def test_cli_result_validates(capsys: pytest.CaptureFixture[str]) -> None:
    document = _cli(capsys, "score", DISTRICT, DISTRICT_UNIT, "--format", "json")
    _validate("results", document)
    assert document["unit"]["id"]


def test_cli_ranking_validates_and_names_units_as_objects(capsys: pytest.CaptureFixture[str]) -> None:
    document = _cli(capsys, "rank", DISTRICT, CSV, "--format", "json", "--by", "index")
    _validate("ranking", document)
    first = document["ranking"][0]
    assert set(first["unit"]) == {"id", "name"} and "unit_id" not in first
    assert "total" in first["others"] and "index" not in first["others"]


def test_cli_gaps_validate(capsys: pytest.CaptureFixture[str]) -> None:
    _validate("gaps", _cli(capsys, "gaps", DISTRICT, DISTRICT_UNIT, "--format", "json"))


def test_a_wrong_document_does_not_validate(capsys: pytest.CaptureFixture[str]) -> None:
    document = _cli(capsys, "rank", DISTRICT, CSV, "--format", "json")
    document["ranking"][0]["score"] = 12.5  # a float, not an exact decimal string
    with pytest.raises(jsonschema.ValidationError):
        _validate("ranking", document)


def test_api_documents_validate_and_match_the_cli(client: Any, capsys: pytest.CaptureFixture[str]) -> None:
    from cds_index.read.inputs import read_inputs_file

    model, _, _ = read_inputs_file(DISTRICT_UNIT)
    body = {"unit": {"id": model.unit.id, "name": model.unit.name}, "year": 2024, "values": model.values}
    body = json.loads(json.dumps(body, default=str))
    scored = client.post(f"/definitions/{DISTRICT}/score", json=body)
    assert scored.status_code == 200
    _validate("results", scored.json())
    second = {**body, "unit": {"id": "other", "name": None}, "values": {}}
    bad = {**body, "unit": {"id": "bad", "name": None}, "values": {"staff_total": "nhiều"}}
    ranked = client.post(f"/definitions/{DISTRICT}/rank", json={"units": [body, second, bad]})
    assert ranked.status_code == 200
    _validate("ranking", ranked.json())
    assert [u["unit"]["id"] for u in ranked.json()["unranked"]] == ["bad"]
    missing = client.get("/definitions/no-such-definition")
    assert missing.status_code == 404
    _validate("problems", missing.json())


def test_openapi_reuses_the_documents(client: Any) -> None:
    spec = client.get("/openapi.json").json()
    components = spec["components"]["schemas"]
    ranking = json.loads((SCHEMAS / "ranking.schema.json").read_text(encoding="utf-8"))
    assert set(ranking["properties"]) == set(components["RankingDocument"]["properties"])
    rank_path = spec["paths"]["/definitions/{definition_id}/rank"]["post"]["responses"]["200"]
    assert rank_path["content"]["application/json"]["schema"]["$ref"].endswith("/RankingDocument")


def test_schemas_are_generated() -> None:
    from cds_index.formats.schema import render, schemas

    for name, schema in schemas().items():
        assert (SCHEMAS / name).read_text(encoding="utf-8") == render(schema), name


def test_cli_and_api_targets_validate(client: Any, capsys: pytest.CaptureFixture[str]) -> None:
    unit = str(ROOT / "examples" / "thanh-hoa-1829-commune-xa-a.yaml")
    document = _cli(capsys, "score", "thanh-hoa-1829-commune", unit, "--year", "2024", "--format", "json")
    _validate("targets", document)
    assert document["problems"] == []
    answer = client.post(
        "/definitions/thanh-hoa-1829-commune/score", json={"unit": {"id": "xa-b"}, "year": 2024, "values": {}}
    )
    assert answer.status_code == 200
    _validate("targets", answer.json())


@pytest.mark.usefixtures("english")  # reads the English words (#12)
def test_check_problems_validate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "xa.yaml"
    bad.write_text(
        f"kind: inputs\ndefinition: {DISTRICT}\nunit: {{id: xa}}\nyear: 2024\nvalues: {{staff_totl: 3}}\n",
        encoding="utf-8",
    )
    report = _cli(capsys, "check", str(bad), "--format", "json")
    problems = [p for f in report["files"] for p in f["problems"]]
    assert problems and any(p["hint"] == "did you mean 'staff_total'?" for p in problems)
    _validate("problems", {"problems": problems})
