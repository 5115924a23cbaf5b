"""`cds-index sensitivity` and cds_index.analyse.sensitivity: which readings move the ranking (#15)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cds_index
from cds_index import UsageError
from cds_index.analyse.ranking import rank
from cds_index.analyse.sensitivity import SensitivityReport, html_page, markdown, sensitivity, table
from cds_index.analyse.sensitivity import _variant as _fresh_variant
from cds_index.check.checking import check_file
from cds_index.cli import main
from cds_index.numbers import CONTEXT

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="module")
def hue() -> cds_index.Definition:
    return cds_index.load("hue-2263-commune")


@pytest.fixture(scope="module")
def district() -> cds_index.Definition:
    return cds_index.load("hai-duong-707-district")


# Unit a earns 8 of III.6.1's 10 points with 4 of the 5 reports ("tối thiểu 5 báo cáo số",
# proportional); b earns 3 + 4 from directives signed by the head (role rules, no alternative).
# Chosen: a 8 > b 7. All-or-nothing: a 0 < b 7.
REORDER = {
    "xa-a": {"digital_reports": 4},
    "xa-b": {"digital_gov_directive_signer": "head", "digital_economy_directive_signer": "head"},
    "xa-c": {},
}


@pytest.fixture(scope="module")
def reorder(hue: cds_index.Definition) -> SensitivityReport:
    return sensitivity(hue, REORDER, top=1)


def effect(report: SensitivityReport, name: str) -> Any:
    return next(e for e in report.effects if e.reading.name == name)


# --- the report names the reading that reorders -------------------------------------------------


def test_the_alternative_that_reorders_is_named_with_its_units_and_shift(reorder: SensitivityReport) -> None:
    e = effect(reorder, "III.6.1/all-or-nothing")
    assert e.changed == 3 and e.largest_shift == 1
    # a falls to 0 and ties with c: they share rank 2 (1, 2, 2)
    moves = {(m.unit_id, m.rank, m.rank_under) for m in e.moves}
    assert moves == {("xa-a", 1, 2), ("xa-b", 2, 1), ("xa-c", 3, 2)}
    assert e.moves[0].shift in (1, -1) and e.scores_changed == 1
    assert e.top_entered == ("xa-b",) and e.top_left == ("xa-a",)
    assert not reorder.stable
    names = [b.reading.name for b in reorder.breaking]
    # the criterion's own reading, and the policy read on every criterion at once
    assert "III.6.1/all-or-nothing" in names
    assert any(n.startswith("all-or-nothing (") for n in names)
    assert "III.6.1/all-or-nothing" in reorder.verdict("en") and "Top 1 thay đổi" in reorder.verdict("vi")


def test_readings_that_touch_nothing_move_nothing(reorder: SensitivityReport) -> None:
    e = effect(reorder, "V.3.1/handled-counts")
    assert e.changed == 0 and e.scores_changed == 0 and not e.breaks_top


def test_unit_ranges(reorder: SensitivityReport) -> None:
    by_id = {u.unit_id: u for u in reorder.units}
    a = by_id["xa-a"]
    assert (a.rank, a.rank_best, a.rank_worst) == (1, 1, 2)
    assert a.score == Decimal(8) and a.score_min == Decimal(0) and a.score_max == Decimal(8)
    assert "III.6.1/all-or-nothing" in a.moved_by
    c = by_id["xa-c"]
    assert (c.rank, c.rank_best, c.rank_worst) == (3, 2, 3) and c.score_min == c.score_max == 0


def test_stable_when_nothing_moves(hue: cds_index.Definition) -> None:
    report = sensitivity(hue, {"x1": {"digital_gov_directive_signer": "head"}, "x2": {}})
    assert report.stable and report.breaking == ()
    assert report.verdict("vi").startswith("Top 2 ổn định dưới mọi cách đọc")
    assert report.verdict("en").startswith("The top 2 is stable under every reading")


def test_alternatives_without_a_rule_are_listed_not_scored(hue: cds_index.Definition) -> None:
    from cds_index.analyse.sensitivity import _variant

    rule = hue.nodes()["III.6.1"].rule
    assert rule is not None and rule.alternatives
    on_record = rule.model_copy(
        update={"alternatives": [rule.alternatives[0].model_copy(update={"rule": None})]}
    )
    report = sensitivity(_variant(hue, {"III.6.1": on_record}), REORDER, top=1)
    assert [(r.name, r.why_not) for r in report.unscorable] == [("III.6.1/all-or-nothing", "no rule written")]
    assert "III.6.1/all-or-nothing" not in {e.reading.name for e in report.effects}
    assert "III.6.1/all-or-nothing" in table(report, "en")


# The shared "mức độ 3 / mức độ 4" cell (707 4.8.1/4.9.1): every service online at level 4 earns the
# whole cell as chosen, half of it when the cell is split 5 + 5 (the encoding until #10).
SHARED = {
    "all-l4": {"procedures_total": 10, "procedures_online_l3": 0, "procedures_online_l4": 10},
    "all-l3": {"procedures_total": 10, "procedures_online_l3": 10, "procedures_online_l4": 0},
}


def test_the_shared_cell_readings(district: cds_index.Definition) -> None:
    values = {
        unit: {
            **v,
            "procedures_l3_with_dossiers": v["procedures_online_l3"],
            "procedures_l4_with_dossiers": 0,
        }
        for unit, v in SHARED.items()
    }
    report = sensitivity(district, values, top=1)
    by_id = {u.unit_id: u for u in report.units}
    # chosen: 10 (4.8.1) + 10 × l3-with-dossiers share (4.9.1); all-l4 has no dossiers: 10
    assert by_id["all-l4"].score == 10 and by_id["all-l3"].score == 20
    moved = {m.unit_id: m for m in effect(report, "CQS.4.8.1/level-3-or-above").moves}
    assert set(moved) == set()  # 4.8.1: all-l4 5 + 5 = 10 as chosen; all-l3 5 + 0, 15 in all: still first
    e = effect(report, "split-5-5 (2 criteria)")
    assert e.reading.criteria == ("CQS.4.8.1", "CQS.4.9.1")
    assert by_id["all-l4"].score_min == 5 and by_id["all-l3"].score_min == 10


# --- index and weights ----------------------------------------------------------------------------


def test_index_alternatives_rank_as_the_ranking_module(district: cds_index.Definition) -> None:
    path = EXAMPLES / "hai-duong-707-districts.csv"
    report = sensitivity(district, [path])
    names = {r.name for r in report.readings}
    assert {"index/printed-maximum", "index/total"} <= names
    results = [row.result for row in cds_index.score_many(district, [path]) if row.ok]
    by_index = {r.unit_id: r.rank for r in rank(results, "index")}
    by_total = {r.unit_id: r.rank for r in rank(results, "total")}
    assert {u.unit_id: u.rank for u in report.units} == by_index
    # the index's range stays on the chosen scale (percent), though `index/total` ranks by points
    assert all(Decimal(0) <= u.index_min <= u.index <= u.index_max <= 100 for u in report.units)
    moved = {m.unit_id: m.rank_under for m in effect(report, "index/total").moves}
    assert moved == {u: r for u, r in by_total.items() if r != by_index[u]}


def test_printed_maximum_lowers_the_index(district: cds_index.Definition) -> None:
    everything = {name: True for name, spec in district.inputs.items() if spec.type == "boolean"}
    report = sensitivity(district, {"full": everything, "none": {}})
    full = next(u for u in report.units if u.unit_id == "full")
    assert full.index_min <= full.index  # over 95 and 125 instead of what the criteria can earn


def test_vary_index_and_weights(district: cds_index.Definition, hue: cds_index.Definition) -> None:
    report = sensitivity(district, [EXAMPLES / "hai-duong-707-districts.csv"], vary_weights=True)
    weights = [r for r in report.readings if r.kind == "weights"]
    assert len(weights) == 2 * len(district.tree)
    single = sensitivity(cds_index.load("hai-duong-707-department"), {"a": {}}, vary_weights=True)
    assert not [r for r in single.readings if r.kind == "weights"]  # one pillar: nothing to weigh
    varied = sensitivity(hue, REORDER, vary_index=True)
    assert [r.method for r in varied.readings if r.kind == "index"] == ["mean_of_pillar_percentages"]


def test_combinations_are_seeded(hue: cds_index.Definition) -> None:
    one = sensitivity(hue, REORDER, combinations=5, seed=7, vary_weights=True, vary_index=True)
    two = sensitivity(hue, REORDER, combinations=5, seed=7, vary_weights=True, vary_index=True)
    other = sensitivity(hue, REORDER, combinations=5, seed=8, vary_weights=True, vary_index=True)
    assert one.to_dict() == two.to_dict()
    combos = [r for r in one.readings if r.kind == "combination"]
    assert len(combos) == 5 and one.seed == 7
    assert [r.to_dict() for r in combos] != [r.to_dict() for r in other.readings if r.kind == "combination"]


# --- the fast path equals a full re-score ----------------------------------------------------------


def _lawful(definition: cds_index.Definition, values: dict[str, Any]) -> dict[str, Any]:
    for _ in range(3):
        for c in definition.constraints:
            parts = [c.input] if isinstance(c.input, str) else list(c.input)
            whole = values.get(c.at_most)
            if not isinstance(whole, int):
                continue
            total = sum(v for p in parts if isinstance(v := values.get(p), int))
            if total > whole:
                for p in parts:
                    if isinstance(values.get(p), int):
                        values[p] = values[p] * whole // total
    return values


def _value(spec: Any) -> st.SearchStrategy[Any]:
    if spec.type == "boolean":
        return st.booleans()
    if spec.type == "role":
        return st.sampled_from(["head", "deputy", "none"])
    if spec.type == "date":
        return st.dates(dt.date(2023, 12, 1), dt.date(2025, 1, 31)).map(dt.date.isoformat)
    if spec.type == "choice":
        return st.sampled_from(spec.choices)
    high = 100 if spec.unit == "percent" else 40
    return st.integers(0, high)


HUE = cds_index.load("hue-2263-commune")
UNIT = st.fixed_dictionaries({}, optional={n: _value(s) for n, s in HUE.inputs.items()}).map(
    lambda v: _lawful(HUE, v)
)


_VARIANTS: dict[str, cds_index.Definition] = {}


def _full(atom_name: str, node_id: str) -> cds_index.Definition:
    """The definition with the alternative substituted, for a full re-score (made once per alternative,
    by the module's own `_variant`, not the one the fast path shares)."""
    if atom_name not in _VARIANTS:
        node = HUE.nodes()[node_id]
        alt = next(a for a in node.rule.alternatives or () if atom_name.endswith("/" + a.name))  # type: ignore[union-attr]
        _VARIANTS[atom_name] = _fresh_variant(HUE, {node_id: alt.rule})
    return _VARIANTS[atom_name]


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(UNIT, min_size=1, max_size=3))
def test_fast_path_equals_a_full_rescore(units: list[dict[str, Any]]) -> None:
    from cds_index.analyse.sensitivity import _atoms, _read

    data = {f"u{i}": v for i, v in enumerate(units)}
    scored, _ = _read(HUE, data, 2024, None)
    atoms, _, _ = _atoms(HUE, scored)
    for atom in atoms:
        variant = _full(atom.name, atom.node)
        for unit, (dp, dm) in zip(scored, atom.deltas, strict=True):
            full = cds_index.score(variant, unit.inputs)
            pillar = full.pillars[atom.pillar]
            assert pillar.points == unit.points[atom.pillar] + dp, atom.name
            assert pillar.max == unit.maxima[atom.pillar] + dm, atom.name
            assert full.points == CONTEXT.add(unit.result.points, dp)
            assert full.node(atom.node).points == CONTEXT.add(unit.result.node(atom.node).points, dp)


def test_the_chosen_reading_is_the_score(district: cds_index.Definition) -> None:
    path = EXAMPLES / "hai-duong-707-districts.csv"
    report = sensitivity(district, [path])
    results = {row.unit_id: row.result for row in cds_index.score_many(district, [path]) if row.result}
    for u in report.units:
        assert u.index == results[u.unit_id].index and u.score == results[u.unit_id].points


# --- hostile inputs --------------------------------------------------------------------------------


def test_no_units(hue: cds_index.Definition) -> None:
    report = sensitivity(hue, {})
    assert report.units == () and report.stable
    assert report.verdict("en") == "No unit to rank."
    assert "No unit to rank." in table(report, "en")


def test_one_unit(hue: cds_index.Definition) -> None:
    report = sensitivity(hue, {"only": {"digital_reports": 3}})
    (u,) = report.units
    assert (u.rank_best, u.rank_worst) == (1, 1) and report.stable
    assert u.score_min == 0 and u.score_max == Decimal(6)


def test_refused_units_are_listed_not_dropped(hue: cds_index.Definition) -> None:
    report = sensitivity(hue, {**REORDER, "xa-bad": {"digital_reports": "nhiều"}})
    assert [r.unit_id for r in report.refused] == ["xa-bad"]
    assert "xa-bad" not in {u.unit_id for u in report.units}
    assert report.refused[0].problems and "xa-bad" in table(report)
    assert report.to_dict()["refused"][0]["unit_id"] == "xa-bad"


def test_ties_share_a_rank(hue: cds_index.Definition) -> None:
    same = {"digital_reports": 4}
    report = sensitivity(hue, {"t1": same, "t2": same, "t3": {"digital_reports": 1}})
    ranks = {u.unit_id: u.rank for u in report.units}
    assert ranks == {"t1": 1, "t2": 1, "t3": 3}
    e = effect(report, "III.6.1/all-or-nothing")  # all three 0: one tie
    assert {(m.unit_id, m.rank_under) for m in e.moves} == {("t3", 1)}


@pytest.mark.parametrize(
    "kwargs",
    [
        {"combinations": -1},  # a negative count
        {"combinations": True},  # a bool is not a count
        {"top": 0},
        {"seed": "7"},
        {"combinations": 10**9},  # runaway
    ],
)
def test_bad_arguments(hue: cds_index.Definition, kwargs: dict[str, Any]) -> None:
    with pytest.raises(UsageError):
        sensitivity(hue, {}, **kwargs)


@pytest.mark.usefixtures("english")  # reads the English words (#12)
def test_targets_definitions_and_wrong_arguments_are_usage_errors() -> None:
    with pytest.raises(UsageError, match="yearly targets"):
        sensitivity(cds_index.load("thanh-hoa-1829-commune"), {})
    with pytest.raises(UsageError):
        sensitivity("hue-2263-commune", {})  # type: ignore[arg-type]
    with pytest.raises(UsageError):
        sensitivity(HUE, "communes.csv")
    with pytest.raises(UsageError):
        sensitivity(HUE, {"a": 5})  # type: ignore[dict-item]


def test_html_escapes_names_and_needs_no_network(hue: cds_index.Definition) -> None:
    report = sensitivity(hue, {'<script>alert("x")</script>': {"digital_reports": 4}, "b&c": {}})
    page = html_page(report, "vi")
    assert "<script" not in page and "&lt;script&gt;" in page and "b&amp;c" in page
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in page and "<svg" in page
    text = markdown(report, "en")
    assert "| Reading |" in text


def test_callable_module() -> None:
    report = cds_index.sensitivity(HUE, {"a": {}})  # type: ignore[operator]
    assert isinstance(report, SensitivityReport)
    fresh = (
        "import cds_index; d = cds_index.load('hue-2263-commune'); "
        "print(cds_index.sensitivity(d, {'a': {}}).verdict('en'))"
    )
    done = subprocess.run(
        [sys.executable, "-c", fresh], capture_output=True, text=True, check=False, env={**os.environ}
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("The top 1 is stable")


# --- the command -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def unit_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("units")
    for unit_id, values in REORDER.items():
        body = {"kind": "inputs", "definition": "hue-2263-commune", "unit": {"id": unit_id}, "values": values}
        (folder / f"{unit_id}.yaml").write_text(json.dumps(body), encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("fmt", "lang", "needle"),
    [
        ("table", "vi", "Top 1 thay đổi"),
        ("table", "en", "The top 1 changes"),
        ("markdown", "vi", "| Cách đọc |"),
        ("html", "en", "<svg"),
    ],
)
def test_cli_formats(
    unit_files: Path, capsys: pytest.CaptureFixture[str], fmt: str, lang: str, needle: str
) -> None:
    code = main(
        ["sensitivity", "hue-2263-commune", str(unit_files), "--top", "1", "--format", fmt, "--lang", lang]
    )
    out = capsys.readouterr().out
    assert code == 0 and needle in out and "III.6.1/all-or-nothing" in out


def test_cli_json(unit_files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sensitivity", "hue-2263-commune", str(unit_files), "--format", "json", "--top", "1"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["stable"] is False and data["by"] == "total"
    moved = next(r for r in data["readings"] if r["name"] == "III.6.1/all-or-nothing")
    assert moved["units_changing_rank"] == 3 and moved["largest_shift"] == 1


def test_cli_refused_units_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    csv = tmp_path / "xa.csv"
    csv.write_text("unit_id,digital_reports\nxa-1,4\nxa-2,abc\n", encoding="utf-8")
    assert main(["sensitivity", "hue-2263-commune", str(csv)]) == 1
    captured = capsys.readouterr()
    assert "xa-2" in captured.out and "không xếp hạng" in captured.err


@pytest.mark.parametrize("flags", [["--combinations", "-3"], ["--top", "0"], ["--seed", "x"]])
def test_cli_usage(unit_files: Path, flags: list[str]) -> None:
    assert main(["sensitivity", "hue-2263-commune", str(unit_files), *flags]) == 2


def test_cli_targets_definition_is_usage(unit_files: Path) -> None:
    assert main(["sensitivity", "thanh-hoa-1829-commune", str(unit_files)]) == 2


# --- checking the index alternatives ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("block", "message"),
    [
        (
            "    - {name: total, method: sum, reason: x}\n    - {name: total, method: sum, reason: y}\n",
            "two index",
        ),
        ("    - {name: odd, method: sum, over: printed, reason: x}\n", "over: printed"),
        ("    - {name: same, method: mean_of_pillar_percentages, reason: x}\n", "chosen reading"),
    ],
)
def test_check_index_alternatives(tmp_path: Path, block: str, message: str) -> None:
    text = (ROOT / "definitions" / "hai-duong-707-district.yaml").read_text(encoding="utf-8")
    start = text.index("  alternatives:\n    - name: printed-maximum")
    end = text.index("display:", start)
    bad = text[:start] + "  alternatives:\n" + block + text[end:]
    path = tmp_path / "bad.yaml"
    path.write_text(bad, encoding="utf-8")
    found = [p for p in check_file(path).problems if p.severity == "error"]
    assert found and all(p.code == "invalid-value" for p in found)
    assert any(message in p.message for p in found)
    assert all(p.location.line for p in found)


@pytest.mark.usefixtures("english")
def test_show_assumptions_lists_index_alternatives(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "hai-duong-707-district", "--assumptions"]) == 0
    out = capsys.readouterr().out
    assert "[index]" in out and "other reading: printed-maximum" in out and "other reading: total" in out


def test_a_second_analysis_compiles_no_reading_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each alternative reading is a whole definition compiled again; the definition keeps them, so
    a second analysis (a server's, a report's) compiles none, and finds the same."""
    from cds_index.engine import evaluate

    definition = cds_index.load("hue-2263-commune").model_copy()  # its own: no other test's compilations
    units = REORDER
    first = sensitivity(definition, units, top=1)
    calls: list[str] = []
    real = evaluate.compile_definition

    def counted(d: Any, *args: Any) -> Any:
        calls.append(d.id)
        return real(d, *args)

    monkeypatch.setattr(evaluate, "compile_definition", counted)
    second = sensitivity(definition, units, top=1)
    assert calls == []
    assert second.to_dict() == first.to_dict()
