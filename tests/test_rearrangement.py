"""Units that merge (issue 16): rearrangement files, their check, the roll-up methods, periods that end.

The figures are checked by hand: each expected number is computed here from the old units' own
results (or inputs), independently of
:mod:`cds_index.analyse.roll_up`, and one case is written out as a literal.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cds_index
from cds_index.analyse.roll_up import rollup
from cds_index.check.checking import check_file
from cds_index.cli import main
from cds_index.engine.evaluate import Result, score
from cds_index.errors import DefinitionError
from cds_index.formats.rearrangement import Rearrangement
from cds_index.io.batch import column_titles, score_many, summary_keys
from cds_index.numbers import HUNDRED, ZERO, div
from cds_index.read.inputs import UnitInputs, parse_values
from cds_index.read.units_io import read_unit

from .conftest import EXAMPLES, column_of, line_of, mutate

OLD = EXAMPLES / "rearrangements" / "2024"
FILE = EXAMPLES / "rearrangements" / "hue-communes.yaml"
MEASURED = EXAMPLES / "rearrangements" / "2025"
IDS = ("xa-an-hoa-thuong", "xa-an-hoa-trung", "xa-an-hoa-ha")
POPULATION = {"xa-an-hoa-thuong": 4000, "xa-an-hoa-trung": 3000, "xa-an-hoa-ha": 2000}


@pytest.fixture(scope="module")
def hue() -> cds_index.Definition:
    return cds_index.load("hue-2263-commune")


@pytest.fixture(scope="module")
def own(hue: cds_index.Definition) -> dict[str, Result]:
    """Each old commune scored on its own (what every expected figure is computed from)."""
    out = {}
    for unit_id in IDS:
        unit, problems = read_unit(hue, OLD / f"{unit_id}.yaml")
        assert unit is not None and not problems and not unit.problems
        out[unit_id] = score(hue, unit)
    return out


def mean(values: list[Decimal]) -> Decimal:
    return div(sum(values, ZERO), Decimal(len(values)))


# --- the four methods on three fictional Huế communes ------------------------------------------------


def test_mean_index_is_the_mean_of_the_old_indices(hue: Any, own: dict[str, Result]) -> None:
    r = rollup(hue, [OLD], FILE)
    (unit,) = r.units
    assert unit.ok and r.ok and unit.method == "mean_index"
    assert unit.result is not None
    assert unit.result.index == mean([own[i].index for i in IDS])
    # by hand: the communes score 83.5, 36 and 26 (examples/rearrangements/2024/*.yaml, hue-2263-commune):
    # (83.5 + 36 + 26) / 3 = 145.5 / 3 = 48.5
    assert [own[i].index for i in IDS] == [Decimal("83.5"), Decimal(36), Decimal(26)]
    assert unit.result.index == Decimal("48.5")
    # each pillar is the mean of the pillar points; the points add up to the index (a `sum` index)
    for k, pillar in enumerate(unit.result.pillars):
        assert pillar.points == mean([own[i].pillars[k].points for i in IDS])
    assert unit.result.points == Decimal("48.5")
    # continuity: every old unit's contribution, and who lost the points
    contributes = {c.unit_id: c.contributes for c in unit.predecessors}
    assert contributes["xa-an-hoa-trung"] == Decimal(12)  # 36 / 3
    assert abs(sum(contributes.values(), ZERO) - unit.result.index) < Decimal("1e-18")
    lost = sum((c.lost or ZERO for c in unit.predecessors), ZERO)
    assert abs(lost - (unit.result.max - unit.result.points)) < Decimal("1e-18")
    worst = max(unit.predecessors, key=lambda c: c.lost or ZERO)
    assert worst.unit_id == "xa-an-hoa-ha"  # the weakest commune lost the most points


def test_mean_pillar_percentages(hue: Any, own: dict[str, Result]) -> None:
    r = rollup(hue, [OLD], FILE, method="mean_pillar_percentages")
    (unit,) = r.units
    assert unit.result is not None
    pillar_means = []
    for k, pillar in enumerate(hue.tree):
        expected = mean([div(own[i].pillars[k].points * HUNDRED, own[i].pillars[k].max) for i in IDS])
        shown = unit.result.pillars[k].percent  # pillar points are the percentage × its points / 100
        assert shown is not None and abs(shown - expected) < Decimal("1e-18"), pillar.id
        pillar_means.append(expected)
    assert unit.result.index == mean(pillar_means)
    # each old unit is read the same way: its own mean of pillar percentages
    first = next(c for c in unit.predecessors if c.unit_id == IDS[0])
    own_pcts = [div(p.points * HUNDRED, p.max) for p in own[IDS[0]].pillars]
    assert first.index == mean(own_pcts)


def test_weighted_mean_by_population(hue: Any, own: dict[str, Result]) -> None:
    r = rollup(hue, [OLD], FILE, method="weighted_mean", weight="population")
    (unit,) = r.units
    assert unit.result is not None and r.weight == "population"
    weights = {i: Decimal(POPULATION[i]) for i in IDS}
    expected = div(sum((weights[i] * own[i].index for i in IDS), ZERO), sum(weights.values(), ZERO))
    assert unit.result.index == expected
    # by hand: (83.5 × 4000 + 36 × 3000 + 26 × 2000) / 9000 = 494000 / 9000 = 54.888…
    assert unit.result.index == div(Decimal(494000), Decimal(9000))
    assert [c.weight for c in unit.predecessors] == [weights[i] for i in IDS]


def summed_raw(paths: list[Path], booleans: str = "all") -> dict[str, Any]:
    """The old communes' inputs added up by hand: numbers summed, yes/no by `all`/`any`."""
    from ruamel.yaml import YAML

    values: list[dict[str, Any]] = [
        YAML(typ="safe").load(p.read_text(encoding="utf-8"))["values"] for p in paths
    ]
    out: dict[str, Any] = {}
    for name in values[0]:
        parts = [v[name] for v in values]
        if isinstance(parts[0], bool):
            out[name] = all(parts) if booleans == "all" else any(parts)
        elif isinstance(parts[0], int):
            out[name] = sum(parts)
    return out  # the roles (dx_committee_head_role) are left out: they cannot be added up


def test_rescore_scores_the_combined_inputs(hue: Any) -> None:
    r = rollup(hue, [OLD], FILE, method="rescore")
    (unit,) = r.units
    assert unit.result is not None
    direct = score(hue, summed_raw([OLD / f"{i}.yaml" for i in IDS]))
    for node in direct.walk():  # the same points everywhere (I.1.1: 0, refused here, not reported there)
        assert unit.result.node(node.id).points == node.points, node.id
        if node.id not in {"I", "I.1", "I.1.1"}:
            assert unit.result.node(node.id).status == node.status, node.id
    # by hand, III.3.1 (households with fiber): (800 + 300 + 100) / (1000 + 750 + 500) × 10 = 1200/2250 × 10
    assert unit.result.node("III.3.1").points == div(Decimal(12000), Decimal(2250))
    # I.1.1 reads a role: refused by name, with its code, and marked invalid (0 points)
    refused = [p for p in unit.problems if p.code == "rollup-not-additive"]
    assert len(refused) == 1 and "dx_committee_head_role" in refused[0].message
    assert "I.1.1" in refused[0].message
    assert unit.result.node("I.1.1").status == "invalid"
    assert not unit.ok
    i_direct = direct.node("I").points
    assert unit.result.node("I").points == i_direct  # the role left out of both
    assert unit.result.points == direct.points


def test_split_commune_shares_weigh_means_and_scale_counts(hue: Any, own: dict[str, Result]) -> None:
    data = {
        "kind": "rearrangement",
        "id": "tach",
        "title": "Chia xã An Hòa Hạ (hư cấu)",
        "level": "commune",
        "decision": {"number": "1/NQ-UBTVQH15", "date": "2025-06-16"},
        "effective": "2025-07-01",
        "rescore": {"booleans": "any"},
        "units": [
            {"id": "moi-1", "from": ["xa-an-hoa-thuong", {"id": "xa-an-hoa-ha", "share": "60%"}]},
            {"id": "moi-2", "from": ["xa-an-hoa-trung", {"id": "xa-an-hoa-ha", "share": "0,4"}]},
        ],
    }
    model = Rearrangement.model_validate(data)
    r = rollup(hue, [OLD], model)
    one = r.unit("moi-1").result
    assert one is not None
    # (1 × 83.5 + 0.6 × 26) / 1.6 = 99.1 / 1.6 = 61.9375
    assert one.index == Decimal("61.9375")
    assert r.unit("moi-2").result.index == div(
        own["xa-an-hoa-trung"].index + Decimal("0.4") * 26, Decimal("1.4")
    )
    rescored = rollup(hue, [OLD], model, method="rescore").unit("moi-1").result
    assert rescored is not None
    # III.3.1: (800 + 0.6 × 100) / (1000 + 0.6 × 500) × 10 = 860/1300 × 10
    assert rescored.node("III.3.1").points == div(Decimal(8600), Decimal(1300))


# --- re-scoring combined counts equals scoring the summed inputs ---------------------------------

COUNTS = {  # pairs a ratio rule reads (numerator ≤ denominator) and plain counts, none with a maximum
    ("households_with_fiber", "households"),
    ("staff_cloud_accounts", "cbccvc_and_workers"),  # III.5.1 counts CBCCVC and người lao động (#10)
    ("villages_with_cdt", "villages"),
    ("online_dossiers", "dossiers_total"),
    ("radio_dx_weeks_broadcast", "radio_weeks_assessed"),
}
PLAIN = (
    "portal_dx_articles",
    "digital_reports",
    "digitized_data_tables",
    "online_meetings",
    "security_incidents",
)
FLAGS = ("portal_dx_section", "radio_dx_section", "five_year_dx_plan", "cpnet_connected")

unit_values = st.fixed_dictionaries(
    {
        **{pair: st.tuples(st.integers(0, 500), st.integers(0, 500)) for pair in COUNTS},
        **{name: st.integers(0, 40) for name in PLAIN},
        **{name: st.booleans() for name in FLAGS},
    }
)


def flatten(raw: dict[Any, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if isinstance(key, tuple):
            part, whole = sorted(value)
            out[key[0]], out[key[1]] = part, whole
        else:
            out[key] = value
    return out


@settings(max_examples=40, deadline=None)
@given(st.lists(unit_values, min_size=1, max_size=4), st.sampled_from(["all", "any"]))
def test_rescore_equals_scoring_the_summed_inputs(raws: list[dict[Any, Any]], booleans: str) -> None:
    hue = cds_index.load("hue-2263-commune")
    olds = []
    for n, raw in enumerate(raws):
        values, problems = parse_values(flatten(raw), hue.inputs)
        assert not problems
        olds.append(UnitInputs(f"xa-{n}", None, 2024, values, []))
    model = Rearrangement.model_validate(
        {
            "kind": "rearrangement",
            "id": "p",
            "title": "p",
            "level": "commune",
            "decision": {"number": "1/NQ", "date": "2025-06-16"},
            "effective": "2025-07-01",
            "rescore": {"booleans": booleans},
            "units": [{"id": "moi", "from": [u.unit_id for u in olds]}],
        }
    )
    rolled = rollup(hue, olds, model, method="rescore").unit("moi")
    summed: dict[str, Any] = {}
    for raw in map(flatten, raws):
        for name, value in raw.items():
            if isinstance(value, bool):
                fold = all if booleans == "all" else any
                summed[name] = fold([summed[name], value]) if name in summed else value
            else:
                summed[name] = summed.get(name, 0) + value
    direct = score(hue, summed, year=2024)
    assert rolled.result is not None and rolled.ok
    assert [(n.id, n.points, n.status) for n in rolled.result.walk()] == [
        (n.id, n.points, n.status) for n in direct.walk()
    ]


# --- check refuses bad rearrangement files, at their line and column ----------------------------

GOOD = f"""\
kind: rearrangement
id: thu
title: Sắp xếp thử (hư cấu)
level: commune
decision: {{number: 1/NQ-UBTVQH15, date: 2025-06-16}}
effective: 2025-07-01
definitions: [hue-2263-commune]
inputs: [{OLD}]
units:
  - id: phuong-moi
    from: [xa-an-hoa-thuong, {{id: xa-an-hoa-ha, share: 0.5}}]
  - id: xa-moi
    from: [xa-an-hoa-trung, {{id: xa-an-hoa-ha, share: 0.5}}]
"""

BAD = [
    # (code, edit, the text on the line it must point at, where on that line)
    ("rearrangement-duplicate", ("id: xa-moi", "id: phuong-moi"), "  - id: phuong-moi", "phuong-moi", 2),
    (
        "rearrangement-overused",
        ("0.5}]\n  - id: xa-moi", "0.6}]\n  - id: xa-moi"),  # 60% + 50% of xa-an-hoa-ha
        "[xa-an-hoa-trung",
        "{id: xa-an-hoa-ha, share: 0.5}",
        1,
    ),
    (
        "rearrangement-overused",
        ("[xa-an-hoa-trung,", "[xa-an-hoa-thuong,"),
        "[xa-an-hoa-thuong, {id: xa-an-hoa-ha",
        "xa-an-hoa-thuong",
        2,
    ),
    (
        "rearrangement-unknown-unit",
        ("[xa-an-hoa-trung,", "[xa-an-hoa-trunk,"),
        "xa-an-hoa-trunk",
        "xa-an-hoa-trunk",
        1,
    ),
    ("rearrangement-date", ("effective: 2025-07-01", "effective: 2023-01-01"), "effective:", "2023-01-01", 1),
    (
        "rollup-not-additive",
        ("units:\n", "rescore: {inputs: {dx_committee_head_role: sum}}\nunits:\n"),
        "rescore:",
        "sum",
        1,
    ),
    (
        "rollup-not-additive",
        ("units:\n", "rescore: {inputs: {portal_dx_section: sum}}\nunits:\n"),
        "rescore:",
        "sum",
        1,
    ),
    ("rollup-weight", ("units:\n", "weight: dx_committee_head_role\nunits:\n"), "weight:", "dx_committee", 1),
    (
        "input-unknown",
        ("units:\n", "rescore: {inputs: {populaton: sum}}\nunits:\n"),
        "rescore:",
        "populaton",
        1,
    ),
    (
        "missing-key",
        ("decision: {number: 1/NQ-UBTVQH15, date: 2025-06-16}\n", ""),
        "  - id: phuong-moi",
        "id: phuong-moi",
        1,
    ),
    (
        "invalid-value",
        ("share: 0.5}]\n  - id: xa-moi", "share: 1.5}]\n  - id: xa-moi"),
        "share: 1.5",
        "1.5",
        1,
    ),
    (
        "invalid-value",
        ("share: 0.5}]\n  - id: xa-moi", "share: nửa}]\n  - id: xa-moi"),
        "share: nửa",
        "nửa",
        1,
    ),
    ("unknown-key", ("effective: 2025-07-01", "efective: 2025-07-01"), "efective", "efective", 1),
    ("invalid-value", ("effective: 2025-07-01", "effective: 32/07/2025"), "effective:", "32/07/2025", 1),
    ("file-not-found", (f"inputs: [{OLD}]", "inputs: [./khong-co]"), "inputs:", "./khong-co", 1),
    (
        "definition-not-found",
        ("[hue-2263-commune]", "[hue-2263-comune]"),
        "definitions:",
        "hue-2263-comune",
        1,
    ),
]


@pytest.mark.parametrize(
    "code, edit, at, column, occurrence", BAD, ids=[f"{b[0]}-{n}" for n, b in enumerate(BAD)]
)
def test_check_refuses_with_positions(
    code: str, edit: tuple[str, str], at: str, column: str, occurrence: int, write: Callable[..., Path]
) -> None:
    text = mutate(GOOD, edit)
    path = write(text, "r.yaml")
    report = check_file(path)
    found = [p for p in report.problems if p.code == code]
    assert found and not report.ok, [p.format() for p in report.problems]
    problem = found[0]
    assert problem.location.file == str(path)
    assert problem.location.line == line_of(text, at, occurrence), problem.format()
    assert problem.location.column == column_of(text, column, occurrence), problem.format()
    if code == "rearrangement-unknown-unit":
        assert problem.hint == "did you mean 'xa-an-hoa-trung'?"


def test_the_good_file_and_the_example_pass(write: Callable[..., Path]) -> None:
    report = check_file(write(GOOD, "r.yaml"))
    assert report.ok and report.problems == [], [p.format() for p in report.problems]
    # dates as offices write them, day first
    vn = GOOD.replace("effective: 2025-07-01", "effective: 01/07/2025").replace("2025-06-16", "16.6.2025")
    report = check_file(write(vn, "vn.yaml"))
    assert report.ok and report.problems == [], [p.format() for p in report.problems]
    example = check_file(FILE)
    assert example.ok and example.kind == "rearrangement" and example.facts["new units"] == 1


def test_old_units_of_different_years(write: Callable[..., Path], hue: Any) -> None:
    old = (OLD / "xa-an-hoa-ha.yaml").read_text(encoding="utf-8").replace("year: 2024", "year: 2023")
    folder = write(old, "old/xa-an-hoa-ha.yaml").parent
    for unit_id in IDS[:2]:
        write((OLD / f"{unit_id}.yaml").read_text(encoding="utf-8"), f"old/{unit_id}.yaml")
    text = GOOD.replace(str(OLD), str(folder))
    report = check_file(write(text, "r.yaml"))
    problem, other = [
        p for p in report.problems if p.code == "rollup-years"
    ]  # both have part of xa-an-hoa-ha
    assert problem.location.line == line_of(text, "from: [xa-an-hoa-thuong")
    assert other.location.line == line_of(text, "from: [xa-an-hoa-trung")
    assert "2023: xa-an-hoa-ha" in problem.message
    # rollup refuses the new unit the same way, at the same place; the other new unit is not touched
    r = rollup(hue, [folder], write(text, "r.yaml"))
    assert r.unit("phuong-moi").result is None
    assert [p.code for p in r.unit("phuong-moi").problems] == ["rollup-years"]
    assert r.unit("phuong-moi").problems[0].location.line == problem.location.line


# --- the roll-up API: what it refuses ----------------------------------------------------------


def test_rollup_raises_on_a_wrong_file(hue: Any, write: Callable[..., Path]) -> None:
    text = mutate(GOOD, ("0.5}]\n  - id: xa-moi", "0.6}]\n  - id: xa-moi"))
    with pytest.raises(DefinitionError) as raised:
        rollup(hue, [OLD], write(text, "r.yaml"))
    assert raised.value.code == "rearrangement-overused"
    assert raised.value.problems[0].location.line == line_of(text, "[xa-an-hoa-trung")


def test_an_old_unit_missing_from_the_units_given(hue: Any, write: Callable[..., Path]) -> None:
    path = write(GOOD, "r.yaml")
    r = rollup(hue, [OLD / "xa-an-hoa-thuong.yaml", OLD / "xa-an-hoa-ha.yaml"], path)
    missing = r.unit("xa-moi")
    assert missing.result is None and not missing.ok and not r.ok
    (problem,) = missing.problems
    assert problem.code == "rearrangement-unknown-unit" and "xa-an-hoa-trung" in problem.message
    assert (problem.location.file, problem.location.line) == (str(path), line_of(GOOD, "[xa-an-hoa-trung"))
    assert r.unit("phuong-moi").ok  # the other new unit is still rolled up


def test_weighted_mean_without_the_weight(hue: Any, write: Callable[..., Path]) -> None:
    old = (OLD / "xa-an-hoa-ha.yaml").read_text(encoding="utf-8").replace("  population: 2000\n", "")
    folder = write(old, "old/xa-an-hoa-ha.yaml").parent
    for unit_id in IDS[:2]:
        write((OLD / f"{unit_id}.yaml").read_text(encoding="utf-8"), f"old/{unit_id}.yaml")
    r = rollup(hue, [folder], FILE, method="weighted_mean")
    (unit,) = r.units
    assert unit.result is None
    (problem,) = unit.problems
    assert problem.code == "rollup-weight" and "xa-an-hoa-ha" in problem.message
    assert problem.location.line == line_of(FILE.read_text(encoding="utf-8"), "    from: [")
    with pytest.raises(cds_index.UsageError):
        rollup(
            hue, [OLD], Rearrangement.model_validate({**_plain(FILE), "weight": None}), method="weighted_mean"
        )


def _plain(path: Path) -> dict[str, Any]:
    from ruamel.yaml import YAML

    data: dict[str, Any] = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    return data


def test_shares_as_offices_write_them() -> None:
    base = _plain(FILE)
    for written, exact in [
        ("0,4", "0.4"),
        ("40%", "0.4"),
        (" 12,5 % ", "0.125"),
        (Decimal("0.1"), "0.1"),
        (1, "1"),
    ]:
        data = {**base, "units": [{"id": "m", "from": [{"id": "a", "share": written}]}]}
        share = Rearrangement.model_validate(data).units[0].predecessors[0].share
        assert share == Decimal(exact), written
    with pytest.raises(ValueError, match="between 0 and 1"):
        Rearrangement.model_validate(
            {**base, "units": [{"id": "m", "from": [{"id": "a", "share": "1e999999999"}]}]}
        )


# --- definition periods that end ----------------------------------------------------------------


def test_the_707_district_index_ends_with_the_district_level() -> None:
    district = cds_index.load("hai-duong-707-district")
    assert district.effective.to is not None and district.effective.to.isoformat() == "2025-06-30"
    path = EXAMPLES / "hai-duong-707-district-huyen-a.yaml"
    unit, _ = read_unit(district, path, year=2025)
    assert unit is not None
    warned = [p for p in score(district, unit).problems if p.code == "year-outside-period"]
    assert (
        len(warned) == 1
        and warned[0].severity == "warning"
        and "30/06/2025" in warned[0].format("vi")
        and "2025-06-30" in warned[0].format("en")
    )
    assert score(district, unit).ok  # a warning, not a refusal
    unit_2024, _ = read_unit(district, path, year=2024)
    assert unit_2024 is not None
    assert not [p for p in score(district, unit_2024).problems if p.code == "year-outside-period"]
    # a batch row carries it too
    (row,) = score_many(district, [unit])
    # the file says 2024: read as 2025, its values restated, with a warning of that too (#11)
    assert [p.code for p in row.problems if p.severity == "warning"] == ["input-year", "year-outside-period"]


def test_the_successor_is_named() -> None:
    district = cds_index.load("hai-duong-707-district")
    effective = district.effective.model_copy(update={"successor": "hai-phong-2025-commune"})
    ended = district.model_copy(update={"effective": effective})
    (warning,) = score(ended, {}, year=2026).problems
    assert "from 2025-07-01 use hai-phong-2025-commune" in warning.format("en")
    assert "từ 01/07/2025 dùng hai-phong-2025-commune" in warning.format("vi")


def test_a_district_rearrangement_after_the_district_level_is_refused(write: Callable[..., Path]) -> None:
    text = GOOD.replace("[hue-2263-commune]", "[hai-duong-707-district]").replace(f"inputs: [{OLD}]\n", "")
    report = check_file(write(text, "r.yaml"))
    problems = [p for p in report.problems if p.code == "rearrangement-date"]
    assert len(problems) == 2  # one per new unit, both at the file's `effective:`
    assert all(
        "30/06/2025" in p.format("vi")
        and "2025-06-30" in p.format("en")
        and p.location.line == line_of(text, "effective:")
        for p in problems
    )


# --- the command ------------------------------------------------------------------------------


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["rollup", "hue-2263-commune", str(OLD), "--rearrangement", str(FILE), *args])
    return code, capsys.readouterr().out


def test_cli_json_with_compare(capsys: pytest.CaptureFixture[str], own: dict[str, Result]) -> None:
    code, out = run(capsys, "--format", "json", "--compare", str(MEASURED))
    assert code == 0
    data = json.loads(out)
    (unit,) = data["units"]
    assert unit["index"] == "48.5" and unit["method"] == "mean_index"
    assert [p["unit"]["id"] for p in unit["predecessors"]] == list(IDS)
    hue = cds_index.load("hue-2263-commune")
    measured_unit, _ = read_unit(hue, MEASURED / "phuong-an-hoa.yaml")
    assert measured_unit is not None
    measured = score(hue, measured_unit)
    assert unit["measured"]["year"] == 2025 and unit["measured"]["index"] == str(measured.index)
    assert Decimal(unit["change"]["index"]) == Decimal(unit["measured"]["index"]) - Decimal("48.5")


def test_cli_table_markdown_csv(capsys: pytest.CaptureFixture[str], hue: Any) -> None:
    code, out = run(capsys, "--compare", str(MEASURED), "--lang", "en")
    assert code == 0 and "xa-an-hoa-ha" in out and "measured 2025" in out and "48.5" in out
    code, out = run(capsys, "--format", "markdown", "--method", "weighted_mean")
    assert code == 0 and out.startswith("# hue-2025-an-hoa") and "| xa-an-hoa-thuong" in out
    code, out = run(capsys, "--format", "csv")
    assert out.startswith("\ufeff")  # Excel's UTF-8 mark, as `score --format csv` (`--no-bom` drops it)
    rows = list(csv.reader(io.StringIO(out.removeprefix("\ufeff"))))
    assert rows[0] == summary_keys(hue)  # the batch writer's own columns
    assert [r[0] for r in rows[1:]] == ["phuong-an-hoa", *IDS]
    assert rows[1][rows[0].index("points")] == "48.5"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_cli_csv_has_the_header_and_number_options_of_score(
    capsys: pytest.CaptureFixture[str], hue: Any, lang: str
) -> None:
    """`rollup --format csv` is written by the one batch CSV writer, with score's options (#12)."""
    code, out = run(capsys, "--format", "csv", "--headers", lang, "--number-format", lang, "--no-bom")
    assert code == 0 and not out.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(out), delimiter=";" if lang == "vi" else ","))
    assert rows[0] == column_titles(summary_keys(hue), lang, hue)
    assert rows[0] != summary_keys(hue)
    points = rows[1][summary_keys(hue).index("points")]
    assert points == ("48,5" if lang == "vi" else "48.5")


def test_cli_rescore_exits_1_and_names_the_refused_criterion(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "--method", "rescore")
    assert code == 1
    assert "rollup-not-additive" in out and "I.1.1" in out


def test_cli_wrong_file_exits_1(capsys: pytest.CaptureFixture[str], write: Callable[..., Path]) -> None:
    bad = write(mutate(GOOD, ("id: xa-moi", "id: phuong-moi")), "r.yaml")
    code = main(["rollup", "hue-2263-commune", str(OLD), "--rearrangement", str(bad)])
    _, err = capsys.readouterr()
    assert code == 1 and "rearrangement-duplicate" in err


def test_the_python_api_is_exported() -> None:
    assert cds_index.rollup is rollup


# --- hostile files ------------------------------------------------------------------------------


def test_a_folder_holding_the_rearrangement_and_definitions(hue: Any, write: Callable[..., Path]) -> None:
    """Everything in one folder: the rearrangement, a definition and a scenario are not old units."""
    for unit_id in IDS:
        write((OLD / f"{unit_id}.yaml").read_text(encoding="utf-8"), f"all/{unit_id}.yaml")
    write(
        (EXAMPLES / "scenarios" / "hai-duong-707-district-online-services.yaml").read_text("utf-8"),
        "all/s.yaml",
    )
    text = GOOD.replace(f"inputs: [{OLD}]", "inputs: [.]").replace(
        "xa-an-hoa-ha, share: 0.5}", "xa-an-hoa-ha}", 1
    )
    text = text.replace("  - id: xa-moi\n    from: [xa-an-hoa-trung, {id: xa-an-hoa-ha, share: 0.5}]\n", "")
    text = text.replace(
        "[xa-an-hoa-thuong, {id: xa-an-hoa-ha}]", "[xa-an-hoa-thuong, xa-an-hoa-trung, xa-an-hoa-ha]"
    )
    path = write(text, "all/r.yaml")
    report = check_file(path)
    assert report.ok and not report.problems, [p.format() for p in report.problems]
    r = rollup(hue, [path.parent], path)
    assert r.ok and r.unit("phuong-moi").result is not None
    assert r.unit("phuong-moi").result.index == Decimal("48.5")


def test_an_old_unit_given_twice_is_not_silently_picked(hue: Any, write: Callable[..., Path]) -> None:
    for unit_id in IDS:
        write((OLD / f"{unit_id}.yaml").read_text(encoding="utf-8"), f"old/{unit_id}.yaml")
    write((OLD / "xa-an-hoa-ha.yaml").read_text(encoding="utf-8").replace("2000", "2500"), "old/copy.yaml")
    r = rollup(hue, [write("", "old/.keep").parent], FILE)
    (unit,) = r.units
    assert not unit.ok
    assert any("given twice" in p.message and "copy.yaml" in p.message for p in unit.problems)


HEAD = "kind: rearrangement\nid: x\ntitle: x\nlevel: commune\n"


@pytest.mark.parametrize(
    "text, code",
    [
        (
            b"kind: rearrangement\nid: x\ntitle: \xff\xfe\n",
            "file-encoding",  # named as an encoding, at its line (#9)
        ),  # not UTF-8: refused, not a crash
        ("kind: rearrangement\nid: x\ntitle: x\nlevel: commune\nunits: []\n", "invalid-value"),
        (
            "kind: rearrangement\nid: x\ntitle: x\nlevel: commune\nunits:\n  - {id: a, from: []}\n",
            "invalid-value",
        ),
        (
            "kind: rearrangement\nid: x\ntitle: x\nlevel: tỉnh\nunits:\n  - {id: a, from: [b]}\n",
            "invalid-value",
        ),
        (
            "kind: rearrangement\nid: x\ntitle: x\nlevel: commune\nunits:\n  - {id: a, from: [b, b]}\n",
            "rearrangement-overused",
        ),
        (
            HEAD + 'units:\n  - {id: a, from: [{id: b, share: "=1/2"}]}\n',  # a spreadsheet formula
            "invalid-value",
        ),
        (
            HEAD + "method: mean\nunits:\n  - {id: a, from: [b]}\n",
            "invalid-value",
        ),
    ],
)
def test_hostile_rearrangement_files(text: str | bytes, code: str, tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    report = check_file(path)
    assert not report.ok
    assert code in [p.code for p in report.problems], [p.format() for p in report.problems]
    assert all(p.location.file == str(path) for p in report.problems)


def test_a_folder_named_by_its_year_is_a_path() -> None:
    data = {**_plain(FILE), "inputs": [2024]}  # `inputs: [2024]` in YAML is a number
    assert Rearrangement.model_validate(data).inputs == ["2024"]


def test_a_rule_is_only_refused_by_the_method_that_reads_it(hue: Any) -> None:
    bad_rescore = Rearrangement.model_validate(
        {**_plain(FILE), "rescore": {"inputs": {"portal_dx_section": "sum"}}}
    )
    assert rollup(hue, [OLD], bad_rescore).ok  # mean_index does not read `rescore`
    with pytest.raises(DefinitionError) as raised:
        rollup(hue, [OLD], bad_rescore, method="rescore")
    assert raised.value.code == "rollup-not-additive"
    bad_weight = Rearrangement.model_validate({**_plain(FILE), "weight": "dx_committee_head_role"})
    assert rollup(hue, [OLD], bad_weight, method="mean_pillar_percentages").ok
    with pytest.raises(DefinitionError) as raised:
        rollup(hue, [OLD], bad_weight, method="weighted_mean")
    assert raised.value.code == "rollup-weight"


def test_combining_rules_for_missing_not_applicable_and_bounded_values(build: Callable[..., Any]) -> None:
    from .conftest import criterion

    definition = build(
        {
            "weeks": {"label": "Số tuần phát sóng", "type": "integer", "unit": "1", "min": 0, "max": 52},
            "articles": {"label": "Số tin bài", "type": "integer", "unit": "item", "min": 0},
            "staff": {"label": "Số cán bộ", "type": "integer", "unit": "person", "min": 0},
        },
        [
            criterion("W", 5, {"kind": "count", "input": "weeks", "target": 40}),
            criterion("A", 5, {"kind": "count", "input": "articles", "target": 10}),
            criterion("S", 5, {"kind": "count", "input": "staff", "target": 10}),
        ],
        id="bounded",
    )

    def unit(unit_id: str, **raw: Any) -> UnitInputs:
        values, problems = parse_values(raw, definition.inputs)
        assert not problems
        return UnitInputs(unit_id, None, 2024, values, [])

    model = Rearrangement.model_validate(
        {
            **_plain(FILE),
            "definitions": [],
            "inputs": [],
            "units": [{"id": "moi", "from": ["a", "b"]}],
        }
    )
    a = unit("a", weeks=40, articles="n/a", staff=4)
    b = unit("b", weeks=30, articles="n/a")  # staff not reported
    rolled = rollup(definition, [a, b], model, method="rescore").unit("moi")
    assert rolled.result is not None
    # 40 + 30 = 70 weeks > the input's maximum 52: counted per unit, not added up → refused
    (refused,) = [p for p in rolled.problems if p.code == "rollup-not-additive"]
    assert "weeks" in refused.message and "52" in refused.message and "W" in refused.message
    assert rolled.result.node("W").status == "invalid"
    assert rolled.result.node("A").status == "not_applicable"  # not applicable in every old unit
    assert rolled.result.node("S").status == "not_reported"  # one old unit did not report it
    # a share scales the counts: 4 staff × 0.5 + 6 × 1
    halves = model.model_copy(
        update={
            "units": [
                Rearrangement.model_validate(
                    {**_plain(FILE), "units": [{"id": "moi", "from": [{"id": "a", "share": "0.5"}, "c"]}]}
                ).units[0]
            ]
        }
    )
    c = unit("c", weeks=1, articles=2, staff=6)
    split = rollup(definition, [a, c], halves, method="rescore").unit("moi").result
    assert split is not None
    assert split.node("S").points == Decimal(5) * Decimal(8) / Decimal(10)  # (2 + 6) / 10 × 5 = 4


def test_the_example_validates_against_its_json_schema() -> None:
    import jsonschema

    from .conftest import SCHEMAS

    schema = json.loads((SCHEMAS / "rearrangement.schema.json").read_text(encoding="utf-8"))
    data = json.loads(json.dumps(_plain(FILE), default=str))  # dates as the editor sees them: text
    jsonschema.validate(data, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**data, "unit": data["units"]}, schema)  # a typo of `units`
    # the forms the model accepts, the schema accepts too (an editor must not flag `40%`)
    for share in ("40%", "0,4", 0.4):
        unit = {"id": "m", "from": ["a", {"id": "b", "share": share}]}
        jsonschema.validate({**data, "units": [unit]}, schema)
    for share in (1.5, 0, "=1/2"):
        unit = {"id": "m", "from": [{"id": "b", "share": share}]}
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({**data, "units": [unit]}, schema)


def test_a_measured_unit_that_cannot_be_read_is_reported(hue: Any, write: Callable[..., Path]) -> None:
    text = (
        (MEASURED / "phuong-an-hoa.yaml")
        .read_text(encoding="utf-8")
        .replace("villages: 13", "villages: mười")
    )
    r = rollup(hue, [OLD], FILE, compare=[write(text, "2025/phuong-an-hoa.yaml")])
    assert not r.ok
    assert [p.code for p in r.problems] == ["input-type"]
    assert r.problems[0].location.line == line_of(text, "villages: mười")
