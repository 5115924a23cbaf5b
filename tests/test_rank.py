"""`rank` criteria (#13): points by the unit's place among the units assessed together.

"Đơn vị xếp thứ nhất được 5 điểm, thứ nhì 4 điểm, thứ ba 3 điểm, thứ tư 2 điểm, thứ năm 1 điểm; các
đơn vị còn lại 0 điểm" — scored in a second phase over the batch, the same in the Python API, the
CSV batch, the HTTP API and whatif.
"""

from __future__ import annotations

import io
import os
import random
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cds_index
from cds_index.engine.evaluate import Gatherer, standings
from cds_index.errors import UsageError
from cds_index.formats.model import Definition
from cds_index.io.batch import score_many, write_csv
from cds_index.read.inputs import UnitInputs, parse_values
from cds_index.rules.rank import Standings

from .conftest import criterion, definition_data, definition_from_text, dump_yaml, errors_of

D = Decimal
PROPERTY = settings(
    max_examples=40,
    deadline=None,
    database=None,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

SENTENCE = (
    "Đơn vị xếp thứ nhất được 5 điểm, thứ nhì 4 điểm, thứ ba 3 điểm, thứ tư 2 điểm, thứ năm 1 điểm; "
    "các đơn vị còn lại 0 điểm"
)
INPUTS: dict[str, Any] = {
    "online": {"label": "Số hồ sơ trực tuyến", "type": "integer", "unit": "item", "min": 0},
    "total": {"label": "Tổng số hồ sơ", "type": "integer", "unit": "item", "min": 0},
    "late": {"label": "Số văn bản chậm hạn", "type": "integer", "unit": "document", "min": 0},
    "has_market": {"label": "Có chợ", "type": "boolean"},
    "done": {"label": "Đã ban hành kế hoạch", "type": "boolean"},
}
PLACES = [5, 4, 3, 2, 1]


def rank_rule(**extra: Any) -> dict[str, Any]:
    return {"kind": "rank", "input": "online", "places": PLACES, "text": SENTENCE, **extra}


def build(*rules: dict[str, Any], id: str = "rank-test") -> Definition:
    criteria = [criterion(f"X.{i}", 5, rule) for i, rule in enumerate(rules, start=1)]
    criteria.append(criterion("Y.1", 2, {"kind": "yes_no", "input": "done"}))
    definition, problems = definition_from_text(dump_yaml(definition_data(INPUTS, criteria, id=id)))
    assert definition is not None and not errors_of(problems), [p.format() for p in problems]
    return definition


def problems_of(*rules: dict[str, Any]) -> list[tuple[str, str]]:
    criteria = [criterion(f"X.{i}", 5, rule) for i, rule in enumerate(rules, start=1)]
    criteria.append(criterion("Y.1", 2, {"kind": "yes_no", "input": "done"}))
    _, problems = definition_from_text(dump_yaml(definition_data(INPUTS, criteria)))
    return [(p.code, p.message) for p in errors_of(problems)]


PLAIN = build(rank_rule())
AVERAGE = build(rank_rule(ties="average"))
ASCENDING = build(
    {"kind": "rank", "input": "late", "order": "ascending", "places": [3, 2, 1], "assumed": "x"}
)
PER = build(rank_rule(per="total"))
GATED = build(rank_rule(applicable_if="has_market"))


def units(definition: Definition, rows: dict[str, dict[str, Any]]) -> list[UnitInputs]:
    out = []
    for unit_id, raw in rows.items():
        values, problems = parse_values(raw, definition.inputs)
        out.append(UnitInputs(unit_id, None, 2024, values, problems, f"<{unit_id}>"))
    return out


def batch(definition: Definition, rows: dict[str, dict[str, Any]], node: str = "X.1") -> dict[str, Any]:
    """unit id → the rank criterion's result, scored as a batch."""
    out = {}
    for row in score_many(definition, units(definition, rows)):
        assert row.result is not None
        out[row.unit_id] = row.result.node(node)
    return out


def points(definition: Definition, rows: dict[str, dict[str, Any]]) -> dict[str, Decimal]:
    return {k: v.points for k, v in batch(definition, rows).items()}


# --- the decision's sentence ---------------------------------------------------------------------


def test_the_decision_sentence_nhat_5_nhi_4() -> None:
    rows = {
        u: {"online": v, "done": True} for u, v in zip("abcdefg", [70, 90, 10, 50, 30, 80, 60], strict=True)
    }
    assert points(PLAIN, rows) == {
        "b": D(5),
        "f": D(4),
        "a": D(3),
        "g": D(2),
        "d": D(1),
        "e": D(0),
        "c": D(0),
    }


def test_totals_above_a_rank_criterion_include_its_points() -> None:
    rows = {"a": {"online": 3, "done": True}, "b": {"online": 9, "done": False}}
    by_id = {r.unit_id: r.result for r in score_many(PLAIN, units(PLAIN, rows))}
    assert by_id["a"] is not None and by_id["b"] is not None
    assert (by_id["a"].points, by_id["a"].max) == (D(4) + D(2), D(7))
    assert (by_id["b"].points, by_id["b"].node("P").points) == (D(5), D(5))


# --- ties ---------------------------------------------------------------------------------------


def test_competition_ties_share_the_place_and_skip_the_next() -> None:
    rows = {u: {"online": v} for u, v in zip("abcde", [10, 8, 8, 5, 8], strict=True)}
    got = batch(PLAIN, rows)
    assert {u: r.points for u, r in got.items()} == {"a": D(5), "b": D(4), "c": D(4), "e": D(4), "d": D(1)}
    assert "đồng hạng 2/5 với 2 đơn vị khác" in got["b"].explanation
    assert "hạng 5/5" in got["d"].explanation
    assert "tied at place 2/5 with 2 other unit(s)" in got["c"].explain("en")


def test_average_ties_share_the_mean_of_their_places() -> None:
    rows = {u: {"online": v} for u, v in zip("abcd", [10, 8, 8, 5], strict=True)}
    assert points(AVERAGE, rows) == {"a": D(5), "b": D("3.5"), "c": D("3.5"), "d": D(2)}
    # three tied over places 2–4: (4 + 3 + 2) / 3 = 3; a tie reaching past the listed places takes `rest`
    rows = {u: {"online": v} for u, v in zip("abcdefg", [9, 5, 5, 5, 1, 1, 1], strict=True)}
    got = points(AVERAGE, rows)
    assert got["b"] == got["c"] == got["d"] == D(3)
    assert got["e"] == got["f"] == got["g"] == div3(D(1))  # places 5, 6, 7: (1 + 0 + 0) / 3


def div3(d: Decimal) -> Decimal:
    from cds_index.numbers import div

    return div(d, D(3))


def test_every_unit_tied_is_first() -> None:
    rows = {u: {"online": 7} for u in "abc"}
    assert set(points(PLAIN, rows).values()) == {D(5)}
    assert set(points(AVERAGE, rows).values()) == {D(4)}  # (5 + 4 + 3) / 3


def test_ascending_order_puts_the_fewest_first() -> None:
    rows = {u: {"late": v} for u, v in zip("abcd", [4, 0, 2, 2], strict=True)}
    got = batch(ASCENDING, rows)
    assert {u: r.points for u, r in got.items()} == {"b": D(3), "c": D(2), "d": D(2), "a": D(0)}
    assert "thấp nhất đứng đầu" in got["b"].explanation


def test_a_ratio_is_ranked_exactly_not_rounded() -> None:
    # 1/3 and 2/6 are the same value (a tie); 333333/1000000 is just below it
    rows = {
        "a": {"online": 1, "total": 3},
        "b": {"online": 2, "total": 6},
        "c": {"online": 333333, "total": 1000000},
    }
    assert points(PER, rows) == {"a": D(5), "b": D(5), "c": D(3)}


# --- missing values, not applicable, invalid ---------------------------------------------------------


def test_units_not_reporting_get_0_are_named_and_hold_no_place() -> None:
    rows = {"a": {"online": 5}, "b": {}, "c": {"online": 1}, "d": {"online": None}}
    got = batch(PLAIN, rows)
    assert (got["b"].points, got["b"].status, got["b"].max) == (D(0), "not_reported", D(5))
    assert got["d"].status == "not_reported"
    assert "Số hồ sơ trực tuyến" in got["b"].explanation  # named
    assert (got["a"].points, got["c"].points) == (D(5), D(4))  # c is 2nd of 2, not 4th of 4
    assert "hạng 2/2" in got["c"].explanation and "2 đơn vị không được xếp hạng" in got["c"].explanation


def test_not_applicable_units_are_not_ranked_and_leave_the_maximum() -> None:
    rows = {
        "a": {"online": 1, "has_market": True},
        "b": {"online": 100, "has_market": False},  # the largest value, but the criterion does not apply
        "c": {"online": "n/a", "has_market": True},
        "d": {"online": 2, "has_market": True},
    }
    got = batch(GATED, rows)
    assert (got["b"].status, got["b"].max, got["b"].points) == ("not_applicable", D(0), D(0))
    assert got["c"].status == "not_applicable"
    assert (got["d"].points, got["a"].points) == (D(5), D(4))


def test_a_zero_denominator_is_invalid_and_not_ranked() -> None:
    rows = {"a": {"online": 1, "total": 0}, "b": {"online": 1, "total": 4}}
    got = batch(PER, rows)
    assert got["a"].status == "invalid" and got["a"].points == D(0)
    assert got["b"].points == D(5) and "hạng 1/1" in got["b"].explanation


def test_a_refused_value_is_invalid_and_not_ranked() -> None:
    rows = {"a": {"online": "nhiều"}, "b": {"online": 3}}
    got = batch(PLAIN, rows)
    assert got["a"].status == "invalid"
    assert got["b"].points == D(5)


# --- one unit alone -------------------------------------------------------------------------------


def test_a_unit_scored_alone_is_pending_never_first() -> None:
    result = cds_index.score(PLAIN, {"online": 12, "done": True})
    node = result.node("X.1")
    assert (node.status, node.points, node.max) == ("pending", D(0), D(5))
    assert result.points == D(2) and result.max == D(7)
    codes = [(p.code, p.severity, p.node) for p in result.problems]
    assert ("rank-needs-batch", "warning", ("X.1",)) in codes
    assert "chờ xếp hạng" in node.explanation and "pending" in node.explain("en")
    assert result.to_dict()["children"][0]["children"][0]["status"] == "pending"


def test_a_unit_not_reporting_alone_is_not_reported_not_pending() -> None:
    result = cds_index.score(PLAIN, {})
    assert result.node("X.1").status == "not_reported"
    assert not any(p.code == "rank-needs-batch" for p in result.problems)


def test_peers_values_given_to_score_rank_it() -> None:
    peers = {"b": {"online": 20}, "c": {"online": 5}}
    result = cds_index.score(PLAIN, {"online": 12}, unit_id="a", peers=peers, lang="en")
    assert result.node("X.1").points == D(4)
    assert result.node("X.1").explanation.startswith("place 2/3 by Số hồ sơ trực tuyến = 12 (highest first)")
    assert not any(p.code.startswith("rank-") for p in result.problems)


def test_peers_refused_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CDS_INDEX_LANG", "en")  # the messages read below are the English ones
    with pytest.raises(UsageError, match="peers name the unit scored"):
        cds_index.score(PLAIN, {"online": 1}, unit_id="a", peers={"a": {"online": 2}})
    with pytest.raises(UsageError, match="peer 'b'"):
        cds_index.score(PLAIN, {"online": 1}, unit_id="a", peers={"b": {"online": "nhiều"}})
    with pytest.raises(UsageError, match="peers are"):
        cds_index.score(PLAIN, {"online": 1}, peers=[{"online": 2}])
    other = standings(AVERAGE, units(AVERAGE, {"b": {"online": 2}}))
    with pytest.raises(UsageError, match="standings are of"):
        cds_index.score(PLAIN, {"online": 1}, peers=Standings("other-id", other.by))


def test_standings_of_a_batch_place_a_unit_that_is_not_in_it() -> None:
    gathered = cds_index.standings(PLAIN, units(PLAIN, {"b": {"online": 20}, "c": {"online": 5}}))
    assert isinstance(gathered, cds_index.Standings) and len(gathered) == 2
    result = cds_index.score(PLAIN, {"online": 12}, unit_id="a", peers=gathered)
    assert result.node("X.1").points == D(4)
    # the unit of the batch is placed among the others, not counted twice
    alone = cds_index.score(PLAIN, {"online": 20}, unit_id="b", peers=gathered)
    assert alone.node("X.1").points == D(5) and "hạng 1/2" in alone.node("X.1").explanation


def test_a_value_that_changed_since_the_standings_were_gathered_is_refused() -> None:
    gathered = standings(PLAIN, units(PLAIN, {"a": {"online": 1}, "b": {"online": 5}}))
    changed = cds_index.score(PLAIN, {"online": 9}, unit_id="a", peers=gathered)
    assert changed.node("X.1").status == "invalid"
    assert [p.code for p in changed.problems if p.severity == "error"] == ["rank-peers-mismatch"]
    gone = cds_index.score(PLAIN, {}, unit_id="b", peers=gathered)  # ranked then, not reported now
    assert "rank-peers-mismatch" in [p.code for p in gone.problems]


def test_a_definition_without_rank_criteria_ignores_peers() -> None:
    d = cds_index.load("hai-duong-707-department")
    assert cds_index.score(d, {}, peers={"x": {}}).points == cds_index.score(d, {}).points
    assert standings(d, []).by == {}


# --- checks -----------------------------------------------------------------------------------------


def test_check_refuses_places_above_the_maximum_or_rising() -> None:
    assert problems_of(rank_rule(places=[6, 4])) == [
        ("rule-points", "place 1 gives 6 points; the criterion has 5")
    ]
    found = problems_of(rank_rule(places=[3, 4], rest=1))
    assert [c for c, _ in found] == ["invalid-value"] and "place 2 gives 4 points" in found[0][1]
    found = problems_of(rank_rule(places=[3, 2], rest=3))
    assert [c for c, _ in found] == ["invalid-value"] and "`rest` gives 3" in found[0][1]
    assert [c for c, _ in problems_of(rank_rule(rest=6))] == ["rule-points", "invalid-value"]


def test_check_refuses_a_deadline_a_bad_input_and_a_self_ratio() -> None:
    found = problems_of({**rank_rule(), "enforce_deadline": True})
    assert "cannot enforce a deadline" in " ".join(m for _, m in found)
    assert [c for c, _ in problems_of(rank_rule(input="done"))] == ["input-type-mismatch"]
    assert [c for c, _ in problems_of(rank_rule(input="onlin"))] == ["unknown-input"]
    assert [c for c, _ in problems_of(rank_rule(per="online"))] == ["invalid-value"]


# --- properties ---------------------------------------------------------------------------------------

VALUES = st.one_of(st.none(), st.integers(min_value=0, max_value=6), st.just("n/a"))


@PROPERTY
@given(data=st.lists(VALUES, min_size=1, max_size=12), seed=st.integers(0, 2**16))
def test_points_are_a_function_of_place_and_permuting_never_changes_them(data: list[Any], seed: int) -> None:
    for definition in (PLAIN, AVERAGE):
        rows = {f"u{i}": ({"online": v} if v is not None else {}) for i, v in enumerate(data)}
        got = batch(definition, rows)
        order = list(rows)
        random.Random(seed).shuffle(order)
        again = batch(definition, {u: rows[u] for u in order})
        assert {u: r.points for u, r in got.items()} == {u: r.points for u, r in again.items()}
        ranked = {u: D(v) for u, v in zip(rows, data, strict=True) if isinstance(v, int)}
        for unit_id, result in got.items():
            if unit_id not in ranked:
                assert result.points == D(0) and result.status != "scored"
                continue
            better = sum(1 for v in ranked.values() if v > ranked[unit_id])
            tied = sum(1 for v in ranked.values() if v == ranked[unit_id])
            place = better + 1
            awards = [D(p) for p in PLACES] + [D(0)] * len(ranked)
            if definition is PLAIN:
                assert result.points == awards[place - 1], (unit_id, place)
            else:
                share = awards[place - 1 : place - 1 + tied]
                assert result.points == div_n(sum(share, D(0)), tied)
            # equal values, equal points; a strictly better value, never fewer points
            for other, value in ranked.items():
                if value > ranked[unit_id]:
                    assert got[other].points >= result.points


def div_n(d: Decimal, n: int) -> Decimal:
    from cds_index.numbers import div

    return div(d, D(n))


# --- the batch path, the CSV batch and the API agree ---------------------------------------------------


def test_csv_batch_and_python_api_agree(tmp_path: Path) -> None:
    rng = random.Random(13)
    rows = {f"xa-{i:02d}": rng.choice([None, "n/a", *range(8)]) for i in range(17)}
    lines = ["unit_id;online;done"] + [f"{u};{'' if v is None else v};có" for u, v in rows.items()]
    table = tmp_path / "units.csv"
    table.write_text("\n".join(lines) + "\n", encoding="utf-8")
    from_csv = {r.unit_id: r.result for r in score_many(PLAIN, [table])}
    for unit_id, value in rows.items():
        own = {"done": True} | ({} if value is None else {"online": value})
        peers = {
            u: {"done": True} | ({} if v is None else {"online": v}) for u, v in rows.items() if u != unit_id
        }
        alone = cds_index.score(PLAIN, own, unit_id=unit_id, peers=peers)
        csv_result = from_csv[unit_id]
        assert csv_result is not None
        assert csv_result.points == alone.points, unit_id
        assert csv_result.node("X.1").explanation == alone.node("X.1").explanation
    # the CSV summary carries the rank points in its totals
    out = io.StringIO()
    write_csv(PLAIN, score_many(PLAIN, [table]), out, exact=True)
    assert "pending" not in out.getvalue()
    best = max((r for r in from_csv.values() if r), key=lambda r: r.node("X.1").points)
    assert best.node("X.1").points == D(5) and "hạng 1/" in best.node("X.1").explanation


def test_a_one_shot_iterator_of_units_is_scored_in_two_passes() -> None:
    rows = {"a": {"online": 1}, "b": {"online": 3}}
    got = {
        r.unit_id: r.result.node("X.1").points
        for r in score_many(PLAIN, iter(units(PLAIN, rows)))
        if r.result
    }
    assert got == {"a": D(4), "b": D(5)}


def test_a_repeated_unit_id_is_ranked_once_by_its_first_row(tmp_path: Path) -> None:
    table = tmp_path / "units.csv"
    table.write_text("unit_id;online\na;1\nb;3\na;99\n", encoding="utf-8")
    rows = list(score_many(PLAIN, [table]))
    assert [r.result is not None for r in rows] == [True, True, False]
    assert rows[0].result is not None and rows[0].result.node("X.1").points == D(4)  # 99 is not a's value


def test_the_first_pass_keeps_one_value_per_unit() -> None:
    gatherer = Gatherer(PER)
    for unit in units(PER, {"a": {"online": 1, "total": 3, "done": True}, "b": {"online": 2}}):
        gatherer.add(unit)
    from fractions import Fraction

    assert gatherer.keys == {"X.1": {"a": Fraction(1, 3), "b": None}}


def test_two_rank_criteria_are_ranked_each_on_its_own() -> None:
    both = build(
        rank_rule(), {"kind": "rank", "input": "late", "order": "ascending", "places": [2], "assumed": "x"}
    )
    rows = {"a": {"online": 1, "late": 0}, "b": {"online": 3, "late": 5}}
    results = {r.unit_id: r.result for r in score_many(both, units(both, rows)) if r.result}
    assert [results["a"].node("X.1").points, results["a"].node("X.2").points] == [D(4), D(2)]
    assert [results["b"].node("X.1").points, results["b"].node("X.2").points] == [D(5), D(0)]


def test_appraised_values_rank_and_the_own_value_is_placed_among_the_others() -> None:
    rows = {"a": {"online": {"self": 10, "appraised": 2}}, "b": {"online": 5}}
    got = batch(PLAIN, rows)
    assert got["a"].points == D(4)  # appraised 2 < 5
    assert got["a"].self_points == D(5)  # its own 10 would have been 1st
    assert "[tự đánh giá 5, thẩm định 4]" in got["a"].explanation


def test_rank_and_whatif_use_the_batch_standing() -> None:
    from cds_index.analyse.ranking import rank
    from cds_index.analyse.scenario import whatif

    rows = {"a": {"online": 1, "done": True}, "b": {"online": 3}, "c": {"online": 2}}
    results = [r.result for r in score_many(PLAIN, units(PLAIN, rows)) if r.result]
    # by total points (the declared default, percent of the applicable maximum, orders them alike: #13)
    assert [(r.unit_id, r.score) for r in rank(results, "total")] == [("a", D(5)), ("b", D(5)), ("c", D(4))]
    assert [r.unit_id for r in rank(results)] == ["a", "b", "c"]
    changed = build(rank_rule(order="ascending"))
    moved = whatif(PLAIN, changed, units(changed, rows), by="total")
    after = {u.unit_id: u.after for u in moved.units}
    assert after == {"a": D(7), "b": D(3), "c": D(4)}


def test_the_http_api_ranks_the_batch_and_takes_peers(tmp_path: Path) -> None:
    pytest.importorskip("fastapi")
    pytest.importorskip("httpx")
    from fastapi.testclient import TestClient

    from cds_index.server import create_app

    (tmp_path / "rank-test.yaml").write_text(
        dump_yaml(
            definition_data(
                INPUTS,
                [
                    criterion("X.1", 5, rank_rule()),
                    criterion("Y.1", 2, {"kind": "yes_no", "input": "done", "assumed": "x"}),
                ],
                id="rank-test",
            )
        ),
        encoding="utf-8",
    )
    client = TestClient(create_app(tmp_path))
    alone = client.post("/definitions/rank-test/score", json={"values": {"online": 4}}).json()
    assert alone["children"][0]["children"][0]["status"] == "pending"
    assert "rank-needs-batch" in [p["code"] for p in alone["problems"]]
    body = {"unit": {"id": "a"}, "values": {"online": 4}, "peers": {"b": {"online": 9}}, "lang": "en"}
    ranked = client.post("/definitions/rank-test/score", json=body).json()
    assert ranked["children"][0]["children"][0]["points"] == "4"
    units_body = {
        "units": [{"unit": {"id": u}, "values": {"online": v}} for u, v in (("a", 4), ("b", 9))],
        "by": "total",
    }
    response = client.post("/definitions/rank-test/rank", json=units_body)
    assert response.status_code == 200, response.text
    assert [
        (r["unit"]["id"] if "unit" in r else r.get("unit_id"), r["score"]) for r in response.json()["ranking"]
    ] == [
        ("b", "5"),
        ("a", "4"),
    ]


def test_csv_workbook_and_folder_give_the_same_rank_points(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    from .synthetic import write_workbook

    rng = random.Random(5)
    data = [
        {
            "id": f"xa-{i}",
            "name": f"Xã {i}",
            "values": {"online": rng.choice([None, 1, 2, 3, 5, 8]), "done": True},
        }
        for i in range(9)
    ]
    book = write_workbook(PLAIN, data, tmp_path / "units.xlsx")
    table = tmp_path / "units.csv"
    lines = ["unit_id;unit_name;online;done"]
    lines += [f"{u['id']};{u['name']};{u['values']['online'] or ''};có" for u in data]
    table.write_text("\n".join(lines) + "\n", encoding="utf-8")
    folder = tmp_path / "units"
    folder.mkdir()
    for u in data:
        values = {k: v for k, v in u["values"].items() if v is not None}
        doc = {"kind": "inputs", "definition": "rank-test", "unit": {"id": u["id"]}, "values": values}
        (folder / f"{u['id']}.yaml").write_text(dump_yaml(doc), encoding="utf-8")

    def rank_points(source: Path) -> dict[str, Decimal]:
        return {r.unit_id: r.result.node("X.1").points for r in score_many(PLAIN, [source]) if r.result}

    from_csv = rank_points(table)
    assert from_csv == rank_points(book) == rank_points(folder)
    assert sorted(from_csv.values(), reverse=True)[0] == D(5)


def test_rule_tests_as_data_give_the_peers(tmp_path: Path) -> None:
    from cds_index.testing import run_file

    (tmp_path / "rank-test.yaml").write_text(
        dump_yaml(definition_data(INPUTS, [criterion("X.1", 5, rank_rule())], id="rank-test")),
        encoding="utf-8",
    )
    cases = """\
kind: tests
definition: rank-test.yaml
cases:
  - name: nhì
    values: {online: 5}
    peers: {xa-b: {online: 9}, xa-c: {online: 1}}
    expect: {points: {X.1: 4}, status: {X.1: scored}}
  - name: alone
    values: {online: 5}
    expect: {points: {X.1: 0}, status: {X.1: pending}}
  - name: wrong
    values: {online: 5}
    peers: {xa-b: {online: 1}}
    expect: {points: {X.1: 4}}
"""
    (tmp_path / "rank.tests.yaml").write_text(cases, encoding="utf-8")
    outcomes = run_file(tmp_path / "rank.tests.yaml")
    assert [o.passed for o in outcomes] == [True, True, False]


def test_the_command_ranks_the_files_given_together_and_leaves_one_pending(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from cds_index.cli import main

    definition = tmp_path / "rank-test.yaml"
    definition.write_text(
        dump_yaml(definition_data(INPUTS, [criterion("X.1", 5, rank_rule())], id="rank-test")),
        encoding="utf-8",
    )
    files = []
    for unit_id, value in (("xa-a", 3), ("xa-b", 7)):
        doc = {
            "kind": "inputs",
            "definition": "rank-test.yaml",
            "unit": {"id": unit_id},
            "values": {"online": value},
        }
        files.append(tmp_path / f"{unit_id}.yaml")
        files[-1].write_text(dump_yaml(doc), encoding="utf-8")
    assert main(["score", str(definition), str(files[0]), "--format", "json"]) == 0
    captured = capsys.readouterr()
    import json

    alone = json.loads(captured.out)
    assert alone["children"][0]["children"][0]["status"] == "pending"
    assert "rank-needs-batch" in [p["code"] for p in alone["problems"]]
    assert main(["score", str(definition), *map(str, files), "--format", "json"]) == 0
    both = json.loads(capsys.readouterr().out)
    assert [u["points"] for u in both] == ["4", "5"]


def test_sensitivity_scores_a_rank_reading_among_all_the_units() -> None:
    alternative = {"name": "average", "reason": "ties may share the mean", "rule": rank_rule(ties="average")}
    rule = rank_rule(alternatives=[alternative])
    definition, problems = definition_from_text(
        dump_yaml(definition_data(INPUTS, [criterion("X.1", 5, rule)], id="sens"))
    )
    assert definition is not None and not errors_of(problems)
    report = cds_index.sensitivity(definition, {"a": {"online": 9}, "b": {"online": 5}, "c": {"online": 5}})
    ranges = {u["unit_id"]: u["score_range"] for u in report.to_dict()["units"]}
    # under `average`, b and c share places 2–3: (4 + 3) / 2, never the pending 0 of a unit alone
    assert ranges == {"a": ["5", "5"], "b": ["3.5", "4"], "c": ["3.5", "4"]}


def test_a_self_assessed_value_that_cannot_be_ranked_is_said_not_silently_0() -> None:
    """The appraised value is ranked; the unit's own (a zero denominator) cannot be: its
    self-assessed points are 0 *and* an ``invalid-value`` warning names the criterion (#11)."""
    rows = {"a": {"online": 3, "total": {"self": 0, "appraised": 6}}, "b": {"online": 1, "total": 4}}
    results = {r.unit_id: r for r in score_many(PER, units(PER, rows))}
    a = results["a"].result
    assert a is not None
    node = a.node("X.1")
    assert node.status == "scored" and node.points == D(5)  # 3/6 > 1/4: first, appraised
    assert node.self_points == D(0)
    said = [p for p in a.problems if p.code == "invalid-value" and "X.1" in p.node]
    assert said and said[0].severity == "warning"
    assert said[0].location.path == ("values", "total")
    b = results["b"].result
    assert b is not None and not [p for p in b.problems if p.code == "invalid-value"]


def test_the_criterion_path_says_so_too_when_a_self_assessed_ratio_cannot_be_scored() -> None:
    """One mechanism: a ratio criterion whose own values divide by 0 is noted alike."""
    d = build({"kind": "ratio", "input": "online", "per": "total"})
    result = cds_index.score(d, {"online": 2, "total": {"self": 0, "appraised": 4}}, year=2024)
    node = result.node("X.1")
    assert node.status == "scored" and node.points == D("2.5") and node.self_points == D(0)
    assert [p.node for p in result.problems if p.code == "invalid-value"] == [("X.1",)]
    assert not [
        p for p in cds_index.score(d, {"online": 2, "total": 4}).problems if p.code == "invalid-value"
    ]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_peers_usage_messages_are_translated(lang: str) -> None:
    from cds_index.i18n import render

    with pytest.raises(UsageError) as caught:
        cds_index.score(PLAIN, {"online": 1}, unit_id="a", peers={"a": {"online": 2}})
    text = render(caught.value.problems[0].message, lang)
    assert "'a'" in text
    assert ("đơn vị đang chấm" in text) == (lang == "vi")
