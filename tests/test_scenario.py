"""What-if scenarios: applying changes to a definition, checking them, and ranks before and after."""

from __future__ import annotations

import csv
import json
import random
import textwrap
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import cds_index
from cds_index.analyse.scenario import Scenario, apply, apply_changes, load_scenario, read_scenario, whatif
from cds_index.check.checking import check_file
from cds_index.cli import main
from cds_index.errors import DefinitionError
from cds_index.formats.model import Definition
from cds_index.read.inputs import UnitInputs, parse_values

from .synthetic import random_values

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "scenarios" / "hai-duong-707-district-online-services.yaml"


@pytest.fixture(scope="module")
def district() -> Definition:
    return cds_index.load("hai-duong-707-district")


@pytest.fixture(scope="module")
def commune() -> Definition:
    return cds_index.load("hue-2263-commune")


def scenario(definition: str, *changes: dict[str, Any], **extra: Any) -> Scenario:
    return Scenario.model_validate(
        {
            "kind": "scenario",
            "id": "t",
            "title": "t",
            "definition": definition,
            "changes": list(changes),
            **extra,
        }
    )


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scenario.yaml"
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def errors(problems: list[Any]) -> list[str]:
    return [p.code for p in problems if p.severity == "error"]


# --- the format -------------------------------------------------------------------------------


def test_unknown_key_is_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        kind: scenario
        id: t
        title: t
        definition: hai-duong-707-district
        changes:
          - op: points
            node: CQS.1.1.3
            pionts: 3
    """,
    )
    report = check_file(path)
    assert not report.ok
    unknown = [p for p in report.problems if p.code == "unknown-key"]
    assert unknown and unknown[0].location.line == 8


def test_rule_change_needs_set_or_rule() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        scenario("hai-duong-707-district", {"op": "rule", "node": "CQS.1.1.3"})


def test_schema_is_generated_and_committed() -> None:
    from cds_index.formats.schema import render, schemas

    generated = schemas()["scenario.schema.json"]
    assert generated["properties"]["changes"]["minItems"] == 1
    assert (ROOT / "schemas" / "scenario.schema.json").read_text(encoding="utf-8") == render(generated)


# --- points -----------------------------------------------------------------------------------


def test_points_carried_up(district: Definition) -> None:
    changed, problems = apply_changes(
        district, scenario("hai-duong-707-district", {"op": "points", "node": "CQS.4.10.1", "points": 8})
    )
    assert changed is not None and errors(problems) == []
    nodes = changed.nodes()
    assert nodes["CQS.4.10.1"].points == 8
    assert (nodes["CQS.4.10"].points, nodes["CQS.4"].points, nodes["CQS"].points) == (13, 68, 203)
    assert changed.total == 423
    assert district.total == 420  # the base is untouched


def test_points_balanced_keep_the_total(district: Definition) -> None:
    _, base, after = read_scenario(EXAMPLE).require()
    assert after.total == base.total == 420
    assert after.nodes()["CQS"].points == 200
    assert after.nodes()["CQS.1"].points == 32


def test_points_not_carried_up_breaks_the_sums(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        kind: scenario
        id: t
        title: t
        definition: hai-duong-707-district
        changes:
          - op: points
            node: CQS.1.1.1
            points: 2
          - op: points
            node: CQS.4.10.1
            points: 8
            adjust_parents: false
    """,
    )
    report = check_file(path)
    assert not report.ok
    (problem,) = [p for p in report.problems if p.severity == "error"]
    assert problem.code == "points-mismatch"
    assert problem.location.line == 9 and problem.location.file == str(path)  # change 2
    assert "CQS.4.10 states 10 points but its children add up to 13" in problem.message
    assert "adjust_parents" in (problem.hint or "")


def test_errata_move_with_the_points(district: Definition) -> None:
    # KTS.2.2 is printed 2 over a single criterion printed 3 (an erratum): raising the criterion to 4
    # moves the printed 2 to 3 and the children's sum to 4; the erratum still describes the definition
    changed, problems = apply_changes(
        district, scenario("hai-duong-707-district", {"op": "points", "node": "KTS.2.2.1", "points": 4})
    )
    assert changed is not None and errors(problems) == []
    (entry,) = [e for e in changed.errata if e.node == "KTS.2.2"]
    assert (entry.printed, entry.computed) == (Decimal(3), Decimal(4))
    assert changed.total == 421


def test_points_on_a_group_without_printed_points(district: Definition) -> None:
    # a group that prints no points (its points are the sum of its children), as in some decisions
    data = district.model_dump(by_alias=True, exclude_none=True)
    del data["tree"][0]["children"][0]["points"]
    unprinted = Definition.model_validate(data)
    _, problems = apply_changes(
        unprinted, scenario("hai-duong-707-district", {"op": "points", "node": "CQS.1", "points": 5})
    )
    assert errors(problems) == ["invalid-value"]
    # a criterion under it still carries its change up, past the group, to the pillar and the total
    changed, problems = apply_changes(
        unprinted, scenario("hai-duong-707-district", {"op": "points", "node": "CQS.1.1.1", "points": 3})
    )
    assert changed is not None and errors(problems) == []
    assert (changed.nodes()["CQS.1"].points, changed.nodes()["CQS"].points, changed.total) == (None, 201, 421)


# --- thresholds -------------------------------------------------------------------------------


def test_ratio_target_lowered(district: Definition) -> None:
    changed, problems = apply_changes(
        district,
        scenario("hai-duong-707-district", {"op": "rule", "node": "CQS.4.10.2", "set": {"target": "0.8"}}),
    )
    assert changed is not None and errors(problems) == []
    values = {"commune_dossiers_online": 40, "commune_dossiers_total": 100}
    assert cds_index.score(district, values).node("CQS.4.10.2").points == 2  # 40% of 5
    assert cds_index.score(changed, values).node("CQS.4.10.2").points == Decimal("2.5")  # 40/80 of 5


def test_count_target_and_bad_value(district: Definition) -> None:
    changed, problems = apply_changes(
        district,
        scenario("hai-duong-707-district", {"op": "rule", "node": "CQS.1.1.3", "set": {"target": 4}}),
    )
    assert changed is not None and changed.nodes()["CQS.1.1.3"].rule.target == 4  # type: ignore[union-attr]
    _, problems = apply_changes(
        district,
        scenario("hai-duong-707-district", {"op": "rule", "node": "CQS.1.1.3", "set": {"target": 0}}),
    )
    assert errors(problems) == ["invalid-value"]


def test_steps_moved_together(commune: Definition) -> None:
    # 2263 I.4.1: 2 articles for full points, 1 for half; the scenario asks 3 and 1–2
    changed, problems = apply_changes(
        commune,
        scenario(
            "hue-2263-commune",
            {"op": "step", "node": "I.4.1", "step": 2, "max": 3},
            {"op": "step", "node": "I.4.1", "step": 3, "min": 3},
        ),
    )
    assert changed is not None and errors(problems) == []
    values = {"province_dx_portal_articles": 2}
    assert cds_index.score(commune, values).node("I.4.1").points == 10
    assert cds_index.score(changed, values).node("I.4.1").points == 5


def test_a_step_moved_alone_leaves_a_gap(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        kind: scenario
        id: t
        title: t
        definition: hue-2263-commune
        changes:
          - op: step
            node: I.4.1
            step: 3
            min: 3
    """,
    )
    report = check_file(path)
    codes = [(p.code, p.location.line) for p in report.problems if p.severity == "error"]
    assert codes == [("step-gap", 6)]


def test_a_whole_new_rule(district: Definition) -> None:
    changed, problems = apply_changes(
        district,
        scenario(
            "hai-duong-707-district",
            {
                "op": "rule",
                "node": "CQS.1.1.3",
                "rule": {
                    "kind": "per_item",
                    "input": "dx_workshops",
                    "points_each": 1,
                    "assumed": "scenario",
                },
            },
        ),
    )
    assert changed is not None and errors(problems) == []
    assert cds_index.score(changed, {"dx_workshops": 4}).node("CQS.1.1.3").points == 4


def test_step_on_a_rule_that_has_none(district: Definition) -> None:
    _, problems = apply_changes(
        district, scenario("hai-duong-707-district", {"op": "step", "node": "CQS.1.1.3", "step": 1, "min": 1})
    )
    assert errors(problems) == ["invalid-value"]


def test_yearly_target_changed() -> None:
    thanh_hoa = cds_index.load("thanh-hoa-1829-commune")
    changed, problems = apply_changes(
        thanh_hoa,
        scenario(
            "thanh-hoa-1829-commune",
            {"op": "target", "node": "1.2", "year": 2025, "target": {"at_least": 90}},
        ),
    )
    assert changed is not None and errors(problems) == []
    targets = changed.nodes()["1.2"].targets
    assert targets is not None and targets.years[2025].at_least == 90  # type: ignore[union-attr]
    assert 2025 not in (targets.printed or {})  # no longer as printed


# --- removing and adding ----------------------------------------------------------------------


def test_remove_with_its_errata(district: Definition) -> None:
    changed, problems = apply_changes(
        district, scenario("hai-duong-707-district", {"op": "remove", "node": "KTS.2.2"})
    )
    assert changed is not None and errors(problems) == []
    assert "KTS.2.2" not in changed.nodes() and "KTS.2.2.1" not in changed.nodes()
    assert not any(e.node == "KTS.2.2" for e in changed.errata)
    assert changed.total == 418  # printed 2 leaves


def test_remove_without_adjusting_says_so(district: Definition) -> None:
    _, problems = apply_changes(
        district,
        scenario("hai-duong-707-district", {"op": "remove", "node": "CQS.1.1.1", "adjust_parents": False}),
    )
    assert errors(problems) == ["points-mismatch"]


def test_add_a_criterion_with_a_new_input(district: Definition) -> None:
    s = scenario(
        "hai-duong-707-district",
        {
            "op": "add",
            "under": "CQS.1.1",
            "after": "CQS.1.1.1",
            "node": {
                "id": "CQS.1.1.4",
                "title": "Có trang mạng xã hội về chuyển đổi số",
                "points": 2,
                "rule": {"kind": "yes_no", "input": "has_dx_social_page", "assumed": "scenario"},
            },
        },
        inputs={"has_dx_social_page": {"label": "Có trang mạng xã hội về CĐS", "type": "boolean"}},
    )
    changed, problems = apply_changes(district, s)
    assert changed is not None and errors(problems) == []
    assert [c.id for c in changed.nodes()["CQS.1.1"].children or []] == [
        "CQS.1.1.1",
        "CQS.1.1.4",
        "CQS.1.1.2",
        "CQS.1.1.3",
    ]
    assert changed.total == 422
    assert cds_index.score(changed, {"has_dx_social_page": True}).points == 2


def test_add_with_an_unknown_input_and_a_duplicate_id(district: Definition) -> None:
    _, problems = apply_changes(
        district,
        scenario(
            "hai-duong-707-district",
            {
                "op": "add",
                "under": "CQS.1.1",
                "node": {
                    "id": "CQS.1.1.1",
                    "title": "x",
                    "points": 1,
                    "rule": {"kind": "yes_no", "input": "nope", "assumed": "x"},
                },
            },
        ),
    )
    assert sorted(errors(problems)) == ["duplicate-id", "unknown-input"]


def test_unknown_node_with_a_hint(district: Definition) -> None:
    _, problems = apply_changes(
        district, scenario("hai-duong-707-district", {"op": "points", "node": "CQS.1.1.33", "points": 1})
    )
    (problem,) = problems
    assert problem.code == "invalid-value" and "CQS.1.1.3" in (problem.hint or "")


def test_every_problem_at_once(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        kind: scenario
        id: t
        title: t
        definition: hai-duong-707-district
        changes:
          - {op: points, node: NOPE, points: 1}
          - {op: points, node: CQS.1.1.1, points: 5, adjust_parents: false}
    """,
    )
    loaded = read_scenario(path)
    assert [(p.code, p.location.line) for p in loaded.problems if p.severity == "error"] == [
        ("invalid-value", 6),
        ("points-mismatch", 7),
    ]
    with pytest.raises(DefinitionError):
        loaded.require()
    with pytest.raises(DefinitionError) as raised:  # the documented call raises the same errors
        apply(loaded.base, load_scenario(path))
    assert [p.code for p in raised.value.problems] == ["invalid-value", "points-mismatch"]


def test_check_the_example() -> None:
    report = check_file(EXAMPLE)
    assert report.ok, [p.format() for p in report.problems]
    assert report.kind == "scenario"
    assert report.facts["total"] == "420 → 420"


# --- what-if over 200 synthetic districts -----------------------------------------------------


def synthetic_units(definition: Definition, count: int, seed: int) -> list[UnitInputs]:
    rng = random.Random(seed)
    units = []
    for i in range(1, count + 1):
        values, problems = parse_values(random_values(definition, rng), definition.inputs)
        assert problems == []
        units.append(UnitInputs(f"huyen-{i:03d}", f"Huyện {i:03d} (hư cấu)", 2024, values))
    return units


def test_whatif_200_districts(capsys: pytest.CaptureFixture[str]) -> None:
    scn, base, changed = read_scenario(EXAMPLE).require()
    units = synthetic_units(changed, 200, seed=707)
    result = whatif(base, changed, units, by="total", name=scn.id)
    assert len(result.units) == 200
    by_id = {u.unit_id: u for u in result.units}
    for unit in units[:20]:  # the before/after scores are the engine's own, exactly
        u = by_id[unit.unit_id]
        assert u.before == u.points_before == cds_index.score(base, unit).points
        assert u.after == u.points_after == cds_index.score(changed, unit).points
        assert u.applicable_max_after == cds_index.score(changed, unit).max
    for u in result.units:
        # what moved a unit accounts for its whole change, exactly
        assert sum((m.delta for m in u.movers), Decimal(0)) == u.delta
        assert {m.id for m in u.movers} <= {"CQS.1.1.3", "CQS.4.10.1", "CQS.4.10.2"}
        assert all(abs(a.delta) >= abs(b.delta) for a, b in zip(u.movers, u.movers[1:], strict=False))
    # ranks are standard competition ranks of the scores (1, 2, 2, 4) before and after
    for attr, rank in (("after", "rank_after"), ("before", "rank_before")):
        for u in result.units:
            better = sum(getattr(o, attr) > getattr(u, attr) for o in result.units)
            assert getattr(u, rank) == better + 1
    moved = result.moved
    assert 0 < len(moved) < 200
    with capsys.disabled():
        rises = sorted(moved, key=lambda u: -u.rank_change)
        print(
            f"\n{len(moved)}/200 synthetic districts change rank under {scn.id}; "
            f"largest rise {rises[0].unit_id} {rises[0].rank_before}→{rises[0].rank_after}, "
            f"largest fall {rises[-1].unit_id} {rises[-1].rank_before}→{rises[-1].rank_after}"
        )


def test_whatif_cli_from_a_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    definition = cds_index.load("hai-duong-707-district")
    rng = random.Random(2024)
    table = tmp_path / "districts.csv"
    names = list(definition.inputs)
    with table.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["unit_id", "unit_name", *names])
        for i in range(30):
            values = random_values(definition, rng)
            writer.writerow([f"h{i:02d}", f"Huyện {i:02d}", *(str(values.get(n, "")).lower() for n in names)])
    code = main(
        ["whatif", "hai-duong-707-district", str(EXAMPLE), str(table), "--format", "json", "--top", "2"]
    )
    out = capsys.readouterr()
    assert code == 0, out.err
    data = json.loads(out.out)
    assert data["scenario"] == "hai-duong-707-district-online-services"
    assert len(data["units"]) == 30
    assert [u["after"]["rank"] for u in data["units"]] == sorted(u["after"]["rank"] for u in data["units"])
    assert all(len(u["moved_by"]) <= 2 for u in data["units"])
    first = data["units"][0]
    assert Decimal(first["after"]["score"]) - Decimal(first["before"]["score"]) == Decimal(first["delta"])


def test_whatif_cli_table(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "whatif",
            "hai-duong-707-district",
            str(EXAMPLE),
            str(ROOT / "examples" / "hai-duong-707-district-huyen-a.yaml"),
            "--lang",
            "en",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "Scenario hai-duong-707-district-online-services" in out
    assert "CQS.1.1.3 -3" in out  # the workshops lost 3 of their 6 points


def test_whatif_cli_wrong_definition(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "whatif",
            "hai-duong-707-department",
            str(EXAMPLE),
            str(ROOT / "examples" / "hai-duong-707-district-huyen-a.yaml"),
        ]
    )
    assert code == 1
    assert "không phải 'hai-duong-707-department'" in capsys.readouterr().err


def test_the_documented_python_calls() -> None:
    """docs/versions-and-whatif.md: load_scenario(path), apply(definition, scenario), whatif(base,
    changed, units) — each returns what the next takes, no tuples (#13)."""
    s = load_scenario(EXAMPLE)
    assert isinstance(s, Scenario)
    base = cds_index.load(s.definition)
    changed = apply(base, s)
    assert isinstance(changed, Definition) and changed.total == base.total == 420
    units = synthetic_units(changed, 3, seed=1)
    result = whatif(base, changed, units, name=s.id)
    assert sorted(u.unit_id for u in result.units) == sorted(u.unit_id for u in units)
