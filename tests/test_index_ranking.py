"""#13: index methods (weighted mean, a declared scale, the decision's rounding) and one declared
ranking measure that rank, report, the results workbook, whatif and the API all use."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cds_index
from cds_index.analyse.ranking import measure_of, rank, ranking_rows
from cds_index.analyse.scenario import whatif
from cds_index.analyse.sensitivity import sensitivity
from cds_index.cli import main
from cds_index.io.batch import score_many
from cds_index.io.excel import write_results
from cds_index.read.inputs import UnitInputs, parse_values
from cds_index.render.documents import ranking_json
from cds_index.render.htmlreport import write_reports

from .conftest import definition_from_text

# Three pillars: P (100 points: a count, points = the count), Q (20: 10 yes/no + a market criterion of
# 10 that does not apply everywhere), R (10: yes/no).
HEAD = """\
kind: definition
format: 1
id: {id}
title: Bộ chỉ số thử nghiệm (hư cấu)
issuer: Ủy ban nhân dân tỉnh Thử
decision: {{number: 9/QĐ-UBND, date: 2025-01-15}}
level: commune
effective: {{from: 2025-01-15}}
total: {total}
{extra}
inputs:
  done: {{label: Số việc đã làm, type: integer, min: 0, max: {p}}}
  plan: {{label: Có kế hoạch, type: boolean}}
  has_market: {{label: Xã có chợ, type: boolean, general: true}}
  market_online: {{label: Chợ có thanh toán số, type: boolean}}
  site: {{label: Có cổng thông tin, type: boolean}}
tree:
  - id: P
    title: Chính quyền số
    points: {p}
    children:
      - id: P.1
        title: Số việc đã làm
        points: {p}
        rule: {{kind: count, input: done, target: {p}, assumed: "one point each"}}
  - id: Q
    title: Kinh tế số
    points: {q}
    children:
      - id: Q.1
        title: Có kế hoạch
        points: 10
        rule: {{kind: yes_no, input: plan, assumed: yes/no}}
      - id: Q.2
        title: Chợ có thanh toán số
        points: {m}
        rule: {{kind: yes_no, input: market_online, applicable_if: has_market, assumed: yes/no}}
  - id: R
    title: Xã hội số
    points: 10
    children:
      - id: R.1
        title: Có cổng thông tin
        points: 10
        rule: {{kind: yes_no, input: site, assumed: yes/no}}
"""


def _text(extra: str = "", id_: str = "thu-13", p: int = 100, m: int = 10) -> str:
    """The definition's text: P of ``p`` points, the market criterion of ``m``."""
    return HEAD.format(id=id_, extra=extra, p=p, m=m, q=10 + m, total=p + 10 + m + 10)


def _definition(extra: str = "", id_: str = "thu-13", p: int = 100, m: int = 10) -> cds_index.Definition:
    definition, problems = definition_from_text(_text(extra, id_, p, m))
    assert definition is not None and not [x for x in problems if x.severity == "error"], problems
    return definition


def _problems(extra: str) -> list[Any]:
    _, problems = definition_from_text(_text(extra))
    return [p for p in problems if p.severity == "error"]


WEIGHTED = """\
index:
  method: weighted_mean_of_pillar_percentages
  weights: {P: 0.5, Q: 0.3, R: 0.2}
  weights_total: 1
  scale: 1
  rounding: {places: 2, mode: half_up}
  text: "Chỉ số DTI = 0,5 × CQS + 0,3 × KTS + 0,2 × XHS, làm tròn 2 chữ số thập phân"
"""


# --- index methods ------------------------------------------------------------------------------


def test_weighted_mean_on_0_1_rounded_half_up_keeps_the_exact_value() -> None:
    """'Chỉ số DTI = 0,5 × CQS + 0,3 × KTS + 0,2 × XHS' on 0–1, rounded to 2 places (half up)."""
    d = _definition(WEIGHTED)
    r = cds_index.score(d, {"done": 75, "plan": True, "has_market": False, "site": False})
    # P 75/100 = 0.75; Q 10/10 = 1 (market not applicable); R 0/10 = 0
    exact = Decimal("0.5") * Decimal("0.75") + Decimal("0.3") * 1 + Decimal("0.2") * 0
    assert r.exact_index == exact == Decimal("0.675")
    assert r.index == Decimal("0.68")  # half up, as decisions print
    assert r.index_scale == Decimal(1)
    data = r.to_dict()["index"]
    assert (data["value"], data["exact"], data["scale"]) == ("0.68", "0.675", "1")
    assert data["rounding"] == {"places": 2, "mode": "half_up"}
    vi, en = r.explain_index("vi"), r.explain_index("en")
    assert vi == (
        "Chỉ số = trung bình có trọng số tỷ lệ điểm đạt của các trụ cột (thang 0–1): "
        "P 75/100 = 0,75 × trọng số 0,5; Q 10/10 = 1 × trọng số 0,3; R 0/10 = 0 × trọng số 0,2 → 0,675; "
        "làm tròn đến 2 chữ số thập phân (làm tròn nửa lên) = 0,68"
    )
    assert en.startswith("Index = weighted mean") and en.endswith(
        "rounded to 2 decimal places (half up) = 0.68"
    )
    assert r.index_text("vi") == "0,68/1"


@pytest.mark.parametrize(
    ("mode", "expected"),
    [("half_up", "0.68"), ("half_even", "0.68"), ("down", "0.67"), ("up", "0.68")],
)
def test_every_rounding_mode(mode: str, expected: str) -> None:
    d = _definition(WEIGHTED.replace("mode: half_up", f"mode: {mode}"))
    r = cds_index.score(d, {"done": 75, "plan": True, "has_market": False, "site": False})
    assert str(r.index) == expected and r.exact_index == Decimal("0.675")


def test_half_even_differs_from_half_up_on_a_tie() -> None:
    """0.625 → 0.63 half up, 0.62 half to even."""
    values = {"done": 65, "plan": True, "has_market": False, "site": False}  # 0.325 + 0.3 = 0.625
    up = cds_index.score(_definition(WEIGHTED), values)
    even = cds_index.score(_definition(WEIGHTED.replace("half_up", "half_even")), values)
    assert up.exact_index == even.exact_index == Decimal("0.625")
    assert (up.index, even.index) == (Decimal("0.63"), Decimal("0.62"))


def test_no_rounding_unless_declared() -> None:
    d = _definition(WEIGHTED.replace("  rounding: {places: 2, mode: half_up}\n", ""))
    r = cds_index.score(
        d, {"done": 1, "plan": False, "has_market": True, "market_online": False, "site": False}
    )
    # P 1/100 = 0.01 × 0.5; Q 0/20; R 0/10
    assert r.index == r.exact_index == Decimal("0.005") and r.index_exact is None
    assert "làm tròn" not in r.explain_index("vi")


def test_sum_normalised_to_0_1_like_the_national_dti() -> None:
    d = _definition("index: {method: sum, scale: 1}\n")
    r = cds_index.score(d, {"done": 80, "plan": True, "has_market": False, "site": True})
    assert (r.points, r.max) == (Decimal(100), Decimal(120))  # the market criterion does not apply
    assert r.index == Decimal("0.83333333333333333333")  # 100/120, carried to 20 places
    assert r.explain_index("en") == ("Index = total points ÷ applicable maximum × 1: 100/120 × 1 = ≈0.8333")


def test_a_pillar_with_nothing_applicable_leaves_the_weighted_mean_and_says_so() -> None:
    d = _definition(WEIGHTED.replace("places: 2", "places: 4"))
    # the plan is not applicable either: nothing of Q applies, its maximum is 0
    r = cds_index.score(d, {"done": 40, "plan": "n/a", "has_market": False, "site": True})
    assert r.node("Q").max == 0
    # the weights of P and R carry the mean: (0.5 × 0.4 + 0.2 × 1) / 0.7 = 0.571428…
    assert r.exact_index == Decimal("0.57142857142857142857")
    assert r.index == Decimal("0.5714")
    assert "Q 0/0: không đánh giá (không áp dụng), không tính vào trung bình" in r.explain_index("vi")


W = "{method: weighted_mean_of_pillar_percentages, "


@pytest.mark.parametrize(
    ("index", "code", "where"),
    [
        (
            W + "weights: {P: 0.5, Q: 0.3, R: 0.3}, weights_total: 1}",
            "invalid-value",
            "weights add up to 1.1",
        ),
        (
            W + "weights: {P: 0.5, Q: 0.5, R: 0}, weights_total: 1}",
            "invalid-value",
            "more than 0",
        ),
        (
            W + "weights: {P: 0.5, Q: 0.5}, weights_total: 1}",
            "index-weights",
            "no weight for pillar(s) R",
        ),
        (
            W + "weights: {P: 0.5, Q: 0.3, X: 0.2}, weights_total: 1}",
            "index-weights",
            "'X'",
        ),
        (
            W + "weights: {P: 1, Q: 1, R: 1}}",
            "invalid-value",
            "weights_total",
        ),
        ("{method: weighted_mean_of_pillar_percentages}", "invalid-value", "needs `weights`"),
        ("{method: sum, weights: {P: 1, Q: 1, R: 1}, weights_total: 3}", "invalid-value", "are for"),
        ("{method: sum, scale: 0}", "invalid-value", "more than 0"),
        ("{method: sum, rounding: {places: 9}}", "invalid-value", "6"),
        ("{method: sum, rounding: {places: 2, mode: bankers}}", "invalid-value", "half_up"),
    ],
)
def test_bad_index_declarations_are_positioned_errors(index: str, code: str, where: str) -> None:
    problems = _problems(f"index: {index}\n")
    assert problems, index
    assert any(p.code == code and where in p.message for p in problems), [
        (p.code, p.message) for p in problems
    ]
    assert all(p.location.line is not None for p in problems)


# --- one declared ranking measure ---------------------------------------------------------------


def _units(d: cds_index.Definition, table: dict[str, dict[str, Any]]) -> list[UnitInputs]:
    out = []
    for unit_id, raw in table.items():
        values, problems = parse_values(raw, d.inputs)
        assert problems == []
        out.append(UnitInputs(unit_id, f"Xã {unit_id}", 2025, values))
    return out


# The issue's example: a commune without a market earns 234 of 295; another 250 of 310. The issue's
# numbers keep their order when ranked fairly (79.3% < 80.6%); `flips` earns 240 of 295 (81.4%),
# above 250/310 fairly and below it by raw total.
ISSUE = {
    "cho-co": {"done": 90, "plan": True, "has_market": True, "market_online": True, "site": True},  # 120/130
    "khong-cho": {"done": 84, "plan": True, "has_market": False, "site": True},  # 104/120
    "hoa": {"done": 80, "plan": True, "has_market": True, "market_online": True, "site": True},  # 110/130
}


def test_the_default_measure_is_fair_and_the_applicable_maximum_is_shown() -> None:
    d = _definition()
    assert measure_of(d) == "percent"
    results = [cds_index.score(d, u, unit_id=u.unit_id) for u in _units(d, ISSUE)]
    ranked = rank(results)
    # 104/120 = 86.7% is above 110/130 = 84.6% and below 120/130 = 92.3%; by raw total it is last
    assert [r.unit_id for r in ranked] == ["cho-co", "khong-cho", "hoa"]
    assert [r.unit_id for r in rank(results, "total")] == ["cho-co", "hoa", "khong-cho"]
    assert [(r.points, r.applicable_max, r.reduced) for r in ranked] == [
        (Decimal(120), Decimal(130), False),
        (Decimal(104), Decimal(120), True),
        (Decimal(110), Decimal(130), False),
    ]


def test_the_issue_s_own_numbers_234_of_295_and_250_of_310() -> None:
    """A definition of 310 points whose 15-point market criterion does not apply to one commune."""
    d = _definition(p=275, m=15)  # 275 + 10 + 15 + 10 = 310
    assert d.total == 310
    units = _units(
        d,
        {
            "xa-234": {"done": 214, "plan": True, "has_market": False, "site": True},  # 214+10+10 = 234/295
            "xa-250": {"done": 225, "plan": True, "has_market": True, "market_online": True, "site": False},
            "xa-240": {"done": 220, "plan": True, "has_market": False, "site": True},  # 240/295
        },
    )
    results = {u.unit_id: cds_index.score(d, u, unit_id=u.unit_id) for u in units}
    assert (results["xa-234"].points, results["xa-234"].max) == (234, 295)
    assert (results["xa-250"].points, results["xa-250"].max) == (250, 310)
    fair = rank(results.values())
    assert [r.unit_id for r in fair] == ["xa-240", "xa-250", "xa-234"]  # 81.4% > 80.6% > 79.3%
    raw = rank(results.values(), "total")
    assert [r.unit_id for r in raw] == ["xa-250", "xa-240", "xa-234"]
    columns, rows = ranking_rows(d, list(results.values()))
    at = {c: i for i, c in enumerate(columns)}
    assert [(row[at["points"]], row[at["applicable_max"]]) for row in rows] == [
        (240, 295),
        (250, 310),
        (234, 295),
    ]


RANKED = """\
index:
  method: weighted_mean_of_pillar_percentages
  weights: {P: 50, Q: 30, R: 20}
  weights_total: 100
  rounding: {places: 0, mode: half_up}
ranking:
  by: index
  ties: dense
  tie_break: [R]
  text: "Xếp hạng theo chỉ số; bằng điểm thì xét điểm Xã hội số; cùng hạng thì hạng sau liền kề"
"""

BATCH = {
    "a": {"done": 90, "plan": True, "has_market": True, "market_online": True, "site": True},
    "b": {"done": 90, "plan": True, "has_market": True, "market_online": True, "site": True},  # = a
    "c": {"done": 100, "plan": True, "has_market": True, "market_online": False, "site": False},
    "d": {"done": 40, "plan": False, "has_market": False, "site": True},
    "e": {"done": 39, "plan": False, "has_market": False, "site": True},  # 39.5 rounds to 40, as d
    "f": {"done": 0, "plan": False, "has_market": True, "market_online": False, "site": False},
}


def _orders(
    d: cds_index.Definition,
    extra: str,
    table: dict[str, dict[str, Any]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> dict[str, list[tuple[str, int]]]:
    """(unit, rank) in order, from every output: rank, its JSON and rows, the API, the workbook, the
    HTML summary, `cds-index rank`, whatif."""
    from fastapi.testclient import TestClient

    from cds_index.server import create_app

    units = _units(d, table)
    rows = list(score_many(d, units))
    results = [r.result for r in rows if r.result is not None]
    out: dict[str, list[tuple[str, int]]] = {}
    out["rank"] = [(r.unit_id, r.rank) for r in rank(results)]
    out["json"] = [(r["unit"]["id"], r["rank"]) for r in ranking_json(d, results)["ranking"]]
    _, lines = ranking_rows(d, results)
    out["rows"] = [(line[1], line[0]) for line in lines]
    folder = tmp_path / "defs"
    folder.mkdir(exist_ok=True)
    (folder / f"{d.id}.yaml").write_text(_text(extra, d.id), encoding="utf-8")
    client = TestClient(create_app(folder))
    body = {
        "units": [
            {"unit": {"id": u.unit_id, "name": u.unit_name}, "values": raw}
            for u, raw in zip(units, table.values(), strict=True)
        ]
    }
    response = client.post(f"/definitions/{d.id}/rank", json=body)
    assert response.status_code == 200, response.text
    out["api"] = [(r["unit"]["id"], r["rank"]) for r in response.json()["ranking"]]
    book_path = tmp_path / "results.xlsx"
    write_results(d, rows, book_path)
    import openpyxl

    sheet = openpyxl.load_workbook(book_path).worksheets[0]
    out["workbook"] = [
        (str(r[1]), int(r[0]))
        for r in sheet.iter_rows(min_row=3, values_only=True)
        if r and isinstance(r[0], int)
    ]
    write_reports(d, rows, tmp_path / "html")
    page = (tmp_path / "html" / "index.html").read_text(encoding="utf-8")
    body_rows = re.findall(
        r'<tr><td class="n">(\d+)</td><td class="name"><a href="[^"]+">Xã ([^<]+)</a>', page
    )
    out["html"] = [(unit, int(place)) for place, unit in body_rows]
    # the command line: inputs files in a folder, `rank --format json`
    units_folder = tmp_path / "units"
    units_folder.mkdir(exist_ok=True)
    for unit_id, raw in table.items():
        values = ", ".join(f"{k}: {str(v).lower() if isinstance(v, bool) else v}" for k, v in raw.items())
        (units_folder / f"{unit_id}.yaml").write_text(
            f"kind: inputs\ndefinition: {folder / f'{d.id}.yaml'}\n"
            f"unit: {{id: {unit_id}, name: Xã {unit_id}}}\nyear: 2025\nvalues: {{{values}}}\n",
            encoding="utf-8",
        )
    capsys.readouterr()
    assert main(["rank", str(folder / f"{d.id}.yaml"), str(units_folder), "--format", "json"]) == 0
    out["cli"] = [(r["unit"]["id"], r["rank"]) for r in json.loads(capsys.readouterr().out)["ranking"]]
    same = whatif(d, d, units)
    out["whatif"] = [(u.unit_id, u.rank_after) for u in same.units]
    assert all(u.rank_before == u.rank_after for u in same.units)
    return out


def test_the_same_batch_has_the_same_order_everywhere_with_declared_ties(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    d = _definition(RANKED, "thu-13-ranked")
    orders = _orders(d, RANKED, BATCH, tmp_path, capsys)
    assert len(orders) == 8 and all(len(order) == len(BATCH) for order in orders.values())
    first = orders["rank"]
    for name, order in orders.items():
        assert order == first, name
    # a and b tie exactly (dense: the next rank follows); d and e round to the same index and R
    # (10 each) does not break it, so they share a rank too
    places = dict(first)
    assert places["a"] == places["b"] == 1
    assert places["c"] == 2
    assert places["d"] == places["e"] and places["d"] == 3
    assert places["f"] == 4


def test_tie_break_breaks_a_rounded_tie() -> None:
    """c and the two leaders: a tie-break by R puts the unit with the portal first."""
    extra = RANKED.replace("ties: dense", "ties: competition").replace(
        "tie_break: [R]", "tie_break: [R, total]"
    )
    d = _definition(extra, "thu-13-tb")
    units = _units(
        d,
        {
            "x": {"done": 40, "plan": False, "has_market": False, "site": True},  # P 40, R 100 → 40
            "y": {"done": 40, "plan": False, "has_market": True, "market_online": False, "site": True},
            "z": {"done": 80, "plan": False, "has_market": False, "site": False},  # 40 + 0 → 40
        },
    )
    results = [cds_index.score(d, u, unit_id=u.unit_id) for u in units]
    assert {r.index for r in results} == {Decimal(40)}
    ranked = rank(results)
    # x and y have R 10; z has R 0 and falls behind; x and y tie on R and total (50): shared rank 1
    assert [(r.unit_id, r.rank) for r in ranked] == [("x", 1), ("y", 1), ("z", 3)]


def test_check_refuses_a_tie_break_it_cannot_measure() -> None:
    problems = _problems("ranking: {by: percent, tie_break: [percent, ZZ]}\n")
    codes = [(p.code, p.location.line) for p in problems]
    assert [c for c, _ in codes] == ["ranking-measure", "ranking-measure"], codes
    assert all(line is not None for _, line in codes)
    assert _problems("ranking: {by: median}\n")[0].code == "invalid-value"


def test_a_by_given_by_the_caller_overrides_the_declared_measure() -> None:
    d = _definition(RANKED, "thu-13-ranked")
    results = [cds_index.score(d, u, unit_id=u.unit_id) for u in _units(d, BATCH)]
    document = ranking_json(d, results, "total")
    assert document["by"] == "total" and document["ties"] == "dense" and document["tie_break"] == ["R"]
    assert json.dumps(document)  # plain JSON
    with pytest.raises(cds_index.UsageError):
        ranking_json(d, results, "nope")


def test_sensitivity_s_chosen_reading_is_the_engine_s_index() -> None:
    """The weighted, scaled, rounded index is computed once (engine.evaluate.aggregate_index)."""
    d = _definition(WEIGHTED, "thu-13-w")
    units = _units(d, BATCH)
    report = sensitivity(d, units)
    by_id = {u.unit_id: u for u in report.units}
    for unit in units:
        assert by_id[unit.unit_id].index == cds_index.score(d, unit).index


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 100), st.booleans(), st.sampled_from([None, False, True]), st.booleans()),
        min_size=1,
        max_size=8,
    )
)
def test_rank_is_by_the_percentage_of_the_applicable_maximum(rows: list[tuple[int, bool, Any, bool]]) -> None:
    """Property: by default a unit ranks above another exactly when its share of its own applicable
    maximum is larger; equal shares share a rank."""
    d = _definition()
    table: dict[str, dict[str, Any]] = {}
    for i, (done, plan, market, site) in enumerate(rows):
        raw: dict[str, Any] = {"done": done, "plan": plan, "site": site, "has_market": market is not None}
        if market is not None:
            raw["market_online"] = market
        table[f"u{i}"] = raw
    results = [cds_index.score(d, u, unit_id=u.unit_id) for u in _units(d, table)]
    ranked = rank(results)
    share = {r.unit_id: r.points / r.max for r in results}
    for a in ranked:
        for b in ranked:
            if share[a.unit_id] > share[b.unit_id]:
                assert a.rank < b.rank
            elif share[a.unit_id] == share[b.unit_id]:
                assert a.rank == b.rank


def test_decimal_weights_as_printed_add_up_exactly() -> None:
    """0.1 + 0.2 + 0.7 is 1 exactly (no binary floats): the check does not refuse printed weights."""
    d = _definition(WEIGHTED.replace("{P: 0.5, Q: 0.3, R: 0.2}", "{P: 0.1, Q: 0.2, R: 0.7}"))
    assert d.index.weights == {"P": Decimal("0.1"), "Q": Decimal("0.2"), "R": Decimal("0.7")}
    r = cds_index.score(d, {"done": 0, "plan": False, "has_market": False, "site": True})
    assert r.index == Decimal("0.7")


def test_a_definition_s_declared_ties_reach_the_api_document(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from cds_index.server import create_app

    (tmp_path / "thu-13-ranked.yaml").write_text(_text(RANKED, "thu-13-ranked"), encoding="utf-8")
    client = TestClient(create_app(tmp_path))
    units = [{"unit": {"id": k}, "values": v} for k, v in BATCH.items()]
    default = client.post("/definitions/thu-13-ranked/rank", json={"units": units}).json()
    assert (default["by"], default["ties"], default["tie_break"]) == ("index", "dense", ["R"])
    by_total = client.post("/definitions/thu-13-ranked/rank", json={"units": units, "by": "total"}).json()
    assert by_total["by"] == "total" and by_total["ties"] == "dense"
    assert [r["rank"] for r in by_total["ranking"]] == sorted(r["rank"] for r in by_total["ranking"])
    assert (
        client.post("/definitions/thu-13-ranked/rank", json={"units": units, "by": "mean"}).status_code == 400
    )
