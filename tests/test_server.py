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
