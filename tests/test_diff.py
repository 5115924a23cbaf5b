"""`cds_index.analyse.diff`: two versions of an index compared criterion by criterion."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

import cds_index
from cds_index.analyse.diff import diff, match_nodes, normalise_title, render_markdown, render_text
from cds_index.cli import main
from cds_index.read.registry import load

VERSIONS = Path(__file__).parent / "data" / "versions"
ID = "fictional-commune-index"


@pytest.fixture(scope="module")
def versions() -> tuple[cds_index.Definition, cds_index.Definition]:
    return (
        cds_index.load(ID, on=dt.date(2023, 1, 1), folder=VERSIONS),
        cds_index.load(ID, on=dt.date(2024, 1, 1), folder=VERSIONS),
    )


def test_added_and_removed(versions: tuple[cds_index.Definition, cds_index.Definition]) -> None:
    d = diff(*versions)
    assert [(n.id, n.points, n.criterion) for n in d.added] == [
        ("III", Decimal(5), False),
        ("III.1", Decimal(5), True),
    ]
    assert [(n.id, n.title, n.parent) for n in d.removed] == [("II.3", "Có đài truyền thanh", "II")]


def test_renumbered_by_title_even_when_ids_swap(
    versions: tuple[cds_index.Definition, cds_index.Definition],
) -> None:
    # II.1 and II.2 exchanged numbers: matched by title, not reported as re-titled in place
    d = diff(*versions)
    assert {(r.old_id, r.new_id) for r in d.renumbered} == {("II.1", "II.2"), ("II.2", "II.1")}
    assert d.retitled == ()


def test_repointed(versions: tuple[cds_index.Definition, cds_index.Definition]) -> None:
    d = diff(*versions)
    assert {(r.old_id, r.new_id, r.before, r.after) for r in d.repointed} == {
        ("II", "II", Decimal(20), Decimal(22)),
        ("II.2", "II.1", Decimal(10), Decimal(12)),  # online dossiers
        ("II.1", "II.2", Decimal(8), Decimal(10)),  # computers
    }
    assert all(r.delta == 2 for r in d.repointed)


def test_rules_changed(versions: tuple[cds_index.Definition, cds_index.Definition]) -> None:
    d = diff(*versions)
    by_id = {r.new_id: r for r in d.rules}
    assert set(by_id) == {"I.2", "II.1"}
    # a ratio target raised; the provenance (`assumed`) is not a parameter
    assert by_id["II.1"].changes == (("target", Decimal("0.5"), Decimal("0.8")),)
    steps = by_id["I.2"].changes
    assert [name for name, _, _ in steps] == ["steps"]
    assert steps[0][1][0]["min"] == 2 and steps[0][2][0]["min"] == 3


def test_totals_before_and_after(versions: tuple[cds_index.Definition, cds_index.Definition]) -> None:
    d = diff(*versions)
    assert (d.old.stated_total, d.new.stated_total) == (30, 37)
    assert (d.old.achievable, d.new.achievable) == (30, 37)
    assert dict(d.new.pillars) == {"I": 10, "II": 22, "III": 5}
    assert {name for name, _, _ in d.metadata} == {"decision", "effective"}


def test_a_definition_against_itself_is_empty() -> None:
    district = cds_index.load("hai-duong-707-district")
    d = diff(district, district)
    assert d.is_empty
    assert "no differences" in render_text(d)


def test_kind_change_lists_every_parameter() -> None:
    old = cds_index.load(ID, on=dt.date(2023, 1, 1), folder=VERSIONS)
    data = old.model_dump(by_alias=True, exclude_none=True)
    data["tree"][0]["children"][1]["rule"] = {
        "kind": "count",
        "input": "news_items",
        "target": 2,
        "assumed": "x",
    }
    new = cds_index.Definition.model_validate(data)
    (change,) = diff(old, new).rules
    assert (change.before_kind, change.after_kind) == ("steps", "count")
    assert {name for name, _, _ in change.changes} == {"steps", "target"}


def test_retitled_in_place() -> None:
    old = cds_index.load(ID, on=dt.date(2023, 1, 1), folder=VERSIONS)
    data = old.model_dump(by_alias=True, exclude_none=True)
    data["tree"][1]["children"][2]["title"] = "Có đài truyền thanh cấp xã"
    new = cds_index.Definition.model_validate(data)
    d = diff(old, new)
    assert [(r.id, r.new_title) for r in d.retitled] == [("II.3", "Có đài truyền thanh cấp xã")]
    assert d.added == d.removed == ()


def test_title_normalisation() -> None:
    assert normalise_title("  Tỷ lệ  hồ sơ\ntrực tuyến. ") == normalise_title("tỷ lệ hồ sơ trực tuyến")
    assert normalise_title("Tỷ lệ A") != normalise_title("Tỷ lệ B")


def test_match_nodes_pairs_duplicate_titles_in_order() -> None:
    old = cds_index.load(ID, on=dt.date(2023, 1, 1), folder=VERSIONS)
    pairs = dict(match_nodes(old, old))
    assert all(k == v for k, v in pairs.items()) and len(pairs) == 7


def test_markdown(versions: tuple[cds_index.Definition, cds_index.Definition]) -> None:
    text = render_markdown(diff(*versions))
    assert "| stated total | 30 | 37 |" in text
    assert "| II.2 → II.1 | ratio | target | 0.5 | 0.8 |" in text
    assert "## Removed (1)" in text


def test_reference_forms() -> None:  # once diff.load_ref, now the one resolver (#11)
    assert load(f"{ID}@2022-06-01", folder=VERSIONS).total == 30
    assert load(f"{ID}@2024", folder=VERSIONS).total == 37  # a version's file stem
    assert load(str(VERSIONS / f"{ID}.yaml")).total == 30


def test_cli_json(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["diff", "--folder", str(VERSIONS), f"{ID}@2023-01-01", f"{ID}@2024-01-01", "--format", "json"]
    )
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["totals"]["stated"] == {"before": "30", "after": "37"}
    assert [a["id"] for a in data["added"]] == ["III", "III.1"]
    assert [r["id"] for r in data["removed"]] == ["II.3"]
    assert {(r["old_id"], r["new_id"]) for r in data["renumbered"]} == {("II.1", "II.2"), ("II.2", "II.1")}
    assert {"parameter": "target", "before": "0.5", "after": "0.8"} in data["rules_changed"][1]["changes"]


def test_cli_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", str(VERSIONS / f"{ID}.yaml"), str(VERSIONS / f"{ID}@2024.yaml")]) == 0
    out = capsys.readouterr().out
    assert "stated total: 30 → 37" in out
    assert "II.2 → II.1: 10 → 12 (+2)" in out
    assert "- II.3 [2] Có đài truyền thanh" in out


def test_cli_unknown_version_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "--folder", str(VERSIONS), f"{ID}@2000-01-01", ID]) == 2
    assert "definition-not-found" in capsys.readouterr().err


def test_inputs_added_removed_and_changed(
    versions: tuple[cds_index.Definition, cds_index.Definition],
) -> None:
    d = diff(*versions)
    assert [(i.name, i.type) for i in d.inputs_added] == [("has_digital_signature", "boolean")]
    assert [(i.name, i.label) for i in d.inputs_removed] == [("has_radio", "Có đài truyền thanh")]
    assert d.inputs_changed == ()
    data = d.to_dict()["inputs"]
    assert [i["name"] for i in data["added"]] == ["has_digital_signature"]
    assert [i["name"] for i in data["removed"]] == ["has_radio"]
    assert "+ has_digital_signature (boolean, 1) Có chữ ký số" in render_text(d)
    assert "## Inputs removed (1)" in render_markdown(d)


def test_an_input_changed_alone_is_a_difference() -> None:
    from cds_index.formats.model import InputDef

    old = cds_index.load(ID, on=dt.date(2023, 1, 1), folder=VERSIONS)
    inputs = dict(old.inputs)
    inputs["staff_total"] = InputDef.model_validate(
        {**old.inputs["staff_total"].model_dump(), "max": 500, "label": "Tổng số cán bộ"}
    )
    new = old.model_copy(update={"inputs": inputs})
    d = diff(old, new)
    assert not d.is_empty
    ((name, changes),) = [(i.name, i.changes) for i in d.inputs_changed]
    assert name == "staff_total"
    assert changes == (("label", "Số cán bộ", "Tổng số cán bộ"), ("max", None, 500))
    assert "staff_total: label: Số cán bộ → Tổng số cán bộ; max: — → 500" in render_text(d)


def test_an_amendment_against_its_base() -> None:
    amendments = Path(__file__).parent / "data" / "amendments"
    d = diff(load(f"{ID}@2023-12-31", folder=amendments), load(f"{ID}@2024-01-01", folder=amendments))
    assert [n.id for n in d.added] == ["III", "III.1"] and [n.id for n in d.removed] == ["II.3"]
    assert [r.id for r in d.retitled] == ["II"]
    assert [i.name for i in d.inputs_added] == ["has_digital_signature"]
    assert [i.name for i in d.inputs_removed] == ["has_radio"]
