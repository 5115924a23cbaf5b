"""The structured trace (issue #11): explanations written from it on demand, in either language."""

from __future__ import annotations

import random
import sys
from pathlib import Path
from typing import Any, get_args

import pytest
from hypothesis import given
from hypothesis import strategies as st

import cds_index
from cds_index.engine.evaluate import explain
from cds_index.errors import DefinitionError
from cds_index.formats.model import RULE_KINDS, Rule, Targets
from cds_index.io.seen import SeenIds
from cds_index.rules import KINDS

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from synthetic import synthetic_values


@pytest.fixture(scope="module")
def hue() -> cds_index.Definition:
    return cds_index.load("hue-2263-commune")


@pytest.fixture(scope="module")
def units(hue: cds_index.Definition) -> list[dict[str, Any]]:
    rng = random.Random(11)
    rows = [synthetic_values(hue, rng) for _ in range(12)]
    rows[0] = {}  # nothing reported
    rows[1] = {name: "n/a" for name in hue.inputs}  # nothing applicable
    pers = {getattr(n.rule, "per", None) for _, n in hue.walk() if n.rule is not None} - {None}
    rows[2] = {**rows[2], **dict.fromkeys(pers, 0)}  # every denominator 0: invalid ratios and steps
    appraised = {}  # the unit said one thing, the appraisal another
    for name, value in rows[3].items():
        if isinstance(value, bool):
            appraised[name] = {"self": value, "appraised": not value}
        elif isinstance(value, int):
            appraised[name] = {"self": value, "appraised": max(value - 1, 0)}
    rows[3] = {**rows[3], **appraised}
    dates = [n.rule.dated_by for _, n in hue.walk() if n.rule is not None and n.rule.dated_by]
    rows[4] = {**rows[4], **dict.fromkeys(dates, "2023-06-30")}  # a year early: not this year's
    rows[5] = {**rows[5], **dict.fromkeys(dates, "2024-12-31")}  # late
    rows[6] = {k: v for k, v in rows[6].items() if k not in dates}  # undated meetings
    rows[7] = {
        **rows[7],
        **{name: {"not_applicable": True, "note": "sáp nhập"} for name in list(rows[7])[:9]},
    }
    rows[8] = {**rows[8], **{name: "nhiều" for name in list(rows[8])[:9]}}  # refused values
    return rows


def test_kinds_table_agrees_with_the_union() -> None:
    members = get_args(get_args(Rule)[0])
    assert [m.model_fields["kind"].annotation.__args__[0] for m in members] == list(RULE_KINDS)
    # a node's `rule` (the union), then a node's yearly `targets`: one table, one walk (#11)
    assert list(KINDS) == [*RULE_KINDS, "targets"]
    assert {KINDS[k].MODEL for k in KINDS} == {*members, Targets}


@pytest.mark.parametrize("other", ["vi", "en"])
def test_explanations_in_another_language_match_scoring_in_it(
    hue: cds_index.Definition, units: list[dict[str, Any]], other: Any
) -> None:
    for values in units:
        scored_vi = cds_index.score(hue, values, year=2024)
        scored_in = cds_index.score(hue, values, year=2024, lang=other)
        for a, b in zip(scored_vi.walk(), scored_in.walk(), strict=True):
            assert explain(a, other) == b.explanation, a.id
            assert scored_vi.explain(a.id, other) == b.explanation
            assert a.explain() == a.explanation


def test_to_dict_without_explanations_is_the_same_minus_them(
    hue: cds_index.Definition, units: list[dict[str, Any]]
) -> None:
    def strip(node: dict[str, Any]) -> dict[str, Any]:
        return {
            k: ([strip(c) for c in v] if k == "children" else strip(v) if k == "index" else v)
            for k, v in node.items()
            if k != "explanation"
        }

    for values in units[:4]:
        result = cds_index.score(hue, values, year=2024)
        full, bare = result.to_dict(), result.to_dict(explain=False)
        assert "explanation" not in str(bare.keys()) and "explanation" in full["children"][0]
        assert strip(full) == bare


def test_a_trace_holds_numbers_not_text(hue: cds_index.Definition, units: list[dict[str, Any]]) -> None:
    result = cds_index.score(hue, units[3], year=2024)
    for node in result.walk():
        assert isinstance(node.trace, tuple)
        assert node.trace[1] == "vi"
        # the words come from the rule and the status tables: nothing in the trace is an explanation
        assert not any(isinstance(item, str) and item == node.explanation for item in node.trace[2:])


def test_score_on_a_targets_definition_names_functions_that_exist() -> None:
    targets = cds_index.load("thanh-hoa-1829-commune")
    with pytest.raises(DefinitionError) as caught:
        cds_index.score(targets, {})
    message = str(caught.value)
    assert "evaluate_targets" not in message
    assert "evaluate_year" in message and hasattr(cds_index, "evaluate_year")
    assert hasattr(cds_index, "evaluate_years")


@given(st.lists(st.text(max_size=6), max_size=300))
def test_seen_ids_behave_as_a_set(ids: list[str]) -> None:
    """A set of ids as compared (`id_key`: NFC, case-folded, spaces collapsed): `XA-B` is `xa-b`."""
    from cds_index.io.seen import id_key

    seen, reference = SeenIds(capacity=4), set()
    for unit_id in ids:
        assert seen.add(unit_id) is (id_key(unit_id) not in reference)
        reference.add(id_key(unit_id))
        assert unit_id in seen
    assert len(seen) == len(reference)


def test_seen_ids_grow_without_losing_any() -> None:
    seen = SeenIds(capacity=1)
    ids = [f"xa-{i:06d}" for i in range(5000)]
    assert all(seen.add(i) for i in ids)
    assert not any(seen.add(i) for i in ids)
    assert "xa-999999" not in seen and 5 not in seen


def test_csv_batch_and_ranking_write_no_explanation(
    hue: cds_index.Definition, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    import csv

    from cds_index.cli import main
    from cds_index.engine import evaluate

    rng = random.Random(7)
    names = list(hue.inputs)
    table = tmp_path / "xa.csv"
    with table.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["unit_id", "unit_name", *names])
        for i in range(6):
            values = synthetic_values(hue, rng)
            writer.writerow([f"xa-{i}", f"Xã {i}", *(str(values[n]).lower() for n in names)])

    def refuse(*args: object, **kwargs: object) -> str:
        raise AssertionError("an explanation was written")

    monkeypatch.setattr(evaluate, "explain", refuse)
    assert (
        main(["score", "hue-2263-commune", str(table), "--format", "csv", "-o", str(tmp_path / "o.csv")]) == 0
    )
    assert main(["rank", "hue-2263-commune", str(table)]) == 0
    assert "xa-5" in capsys.readouterr().out
    assert len((tmp_path / "o.csv").read_text(encoding="utf-8").splitlines()) == 7
    with pytest.raises(AssertionError):  # the guard works: reading one does write it
        assert cds_index.score(hue, {}).pillars[0].explanation
