"""The HTTP API answers like the CLI's JSON contract, and errors come back as positioned problems."""

from __future__ import annotations

from decimal import Decimal

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

from fastapi.testclient import TestClient

import cds_index
from cds_index.server import create_app


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app())


def test_lists_the_bundled_definitions(client: TestClient) -> None:
    ids = {d["id"] for d in client.get("/definitions").json()}
    assert {"hai-duong-707-department", "hai-duong-707-district", "hue-2263-commune"} <= ids


def test_show_gives_the_normalized_tree(client: TestClient) -> None:
    body = client.get("/definitions/hai-duong-707-department").json()
    assert body["id"] == "hai-duong-707-department"
    pillar = body["tree"][0]
    assert {"id", "title", "points", "children"} <= set(pillar)


def test_score_matches_the_library(client: TestClient) -> None:
    definition = cds_index.load("hai-duong-707-department")
    first = definition.criteria()[0]
    assert first.rule is not None and first.rule.kind == "yes_no"
    name = first.rule.input  # type: ignore[union-attr]
    response = client.post(
        "/definitions/hai-duong-707-department/score",
        json={"unit": {"id": "so-a", "name": "Sở A"}, "year": 2024, "values": {name: True}},
    )
    assert response.status_code == 200
    body = response.json()
    expected = cds_index.score(definition, {name: True}, year=2024)
    assert Decimal(body["points"]) == expected.points == first.points
    assert body["unit"] == {"id": "so-a", "name": "Sở A"}


@pytest.mark.parametrize("explain", [True, False])
def test_the_score_answer_is_the_librarys_document_byte_for_byte(client: TestClient, explain: bool) -> None:
    """The answer is `Result.to_json`'s text (#11), a name with quotes, a backslash, a newline and a
    tab escaped as JSON escapes them, its content type JSON."""
    definition = cds_index.load("hue-2263-commune")
    name = 'Xã "Hòa Bình"\\ mới\nthôn\t1'
    values = {"has_dx_steering_committee": True, "population": 9500, "households": 0}
    response = client.post(
        f"/definitions/hue-2263-commune/score?explain={str(explain).lower()}",
        json={"unit": {"id": "xa-a", "name": name}, "year": 2024, "values": values},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    from cds_index.read.inputs import UnitInputs, parse_values

    read, problems = parse_values(values, definition.inputs)
    unit = UnitInputs("xa-a", name, 2024, read, problems, None, definition.inputs)
    expected = cds_index.score(definition, unit, lang="vi").to_json(explain=explain)
    assert response.content == expected.encode()
    assert response.json()["unit"]["name"] == name
    assert ("explanation" in response.json()["children"][0]) is explain


def test_refused_value_is_reported_not_dropped(client: TestClient) -> None:
    definition = cds_index.load("hai-duong-707-department")
    name = definition.criteria()[0].rule.input  # type: ignore[union-attr]
    body = client.post(
        "/definitions/hai-duong-707-department/score", json={"values": {name: "perhaps"}}
    ).json()
    assert [p["code"] for p in body["problems"]] == ["input-type"]


def test_unknown_definition_is_404_with_a_code(client: TestClient) -> None:
    response = client.post("/definitions/no-such-index/score", json={})
    assert response.status_code == 404
    assert response.json()["problems"][0]["code"] == "definition-not-found"


def test_unknown_request_key_is_422(client: TestClient) -> None:
    response = client.post("/definitions/hai-duong-707-department/score", json={"valeus": {}})
    assert response.status_code == 422


def test_rank_ties_share_a_rank_and_bad_units_are_listed(client: TestClient) -> None:
    definition = cds_index.load("hai-duong-707-department")
    names = [c.rule.input for c in definition.criteria() if c.rule is not None and c.rule.kind == "yes_no"][
        :3
    ]  # type: ignore[union-attr]
    units = [
        {"unit": {"id": "a"}, "values": {names[0]: True, names[1]: True}},
        {"unit": {"id": "b"}, "values": {names[0]: True}},
        {"unit": {"id": "c"}, "values": {names[1]: True, names[0]: True}},  # ties with a
        {"unit": {"id": "d"}, "values": {names[2]: "perhaps"}},  # refused value
    ]
    response = client.post("/definitions/hai-duong-707-department/rank", json={"units": units})
    assert response.status_code == 200
    body = response.json()
    ranks = {r["unit"]["id"]: r["rank"] for r in body["ranking"]}
    assert ranks == {"a": 1, "c": 1, "b": 3}
    assert body["by"] == "percent" and body["ties"] == "competition"  # the declared default (#13)
    results = {u: cds_index.score(definition, v["values"]) for u, v in zip("abc", units, strict=False)}
    assert {r["unit"]["id"]: Decimal(r["score"]) for r in body["ranking"]} == {
        u: r.percent for u, r in results.items()
    }
    assert {
        r["unit"]["id"]: (Decimal(r["points"]), Decimal(r["applicable_max"])) for r in body["ranking"]
    } == {u: (r.points, r.max) for u, r in results.items()}
    assert [u["unit"]["id"] for u in body["unranked"]] == ["d"]
    assert body["unranked"][0]["problems"][0]["code"] == "input-type"


def test_rank_by_an_unknown_key_is_400(client: TestClient) -> None:
    response = client.post(
        "/definitions/hai-duong-707-department/rank", json={"units": [{"values": {}}], "by": "XYZ"}
    )
    assert response.status_code == 400


def _without_explanations(node: dict[str, object]) -> dict[str, object]:
    children = node.get("children", [])
    assert isinstance(children, list)
    return {
        **{k: v for k, v in node.items() if k != "explanation"},
        "children": [_without_explanations(c) for c in children],
    }


@pytest.mark.parametrize("flag", ["false", "0", "no"])
def test_points_only_leaves_every_explanation_out(
    client: TestClient, flag: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`?explain=false` (#11): the same document, every node's points, no explanation written."""
    import json
    from pathlib import Path

    import jsonschema

    from cds_index.engine import evaluate

    definition = cds_index.load("hue-2263-commune")
    values = {
        name: 3 if spec.type in {"integer", "number"} else True
        for name, spec in list(definition.inputs.items())[:30]
        if spec.type in {"integer", "number", "boolean"}
    }
    body = {"unit": {"id": "xa-a"}, "year": 2024, "values": values}
    url = "/definitions/hue-2263-commune/score"
    full = client.post(url, json=body).json()
    written: list[object] = []
    real = evaluate.explain
    monkeypatch.setattr(evaluate, "explain", lambda *a: written.append(a) or real(*a))
    brief = client.post(url + f"?explain={flag}", json=body)
    assert brief.status_code == 200 and written == []  # no sentence built, not one dropped
    assert "explanation" not in brief.text
    document = brief.json()
    index = {k: v for k, v in full["index"].items() if k != "explanation"}
    children = [_without_explanations(c) for c in full["children"]]
    assert document == {**full, "index": index, "children": children}
    schema = Path(__file__).resolve().parents[1] / "schemas" / "results.schema.json"
    jsonschema.Draft202012Validator(json.loads(schema.read_text(encoding="utf-8"))).validate(document)


def test_explain_takes_a_boolean(client: TestClient) -> None:
    response = client.post("/definitions/hue-2263-commune/score?explain=perhaps", json={"values": {}})
    assert response.status_code == 422
    assert response.json()["problems"][0]["code"] in {"wrong-type", "invalid-value"}
