"""What an outside tester of the Python API found in session 10 (#11): each a silent wrong result or
a traceback before, each kept here as the case that found it."""

from __future__ import annotations

import datetime as dt
import decimal
import pickle
import sys
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from ruamel.yaml import YAML

import cds_index
from cds_index.i18n import LanguageError
from cds_index.read.inputs import UnitInputs, parse_values

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _values(name: str) -> dict[str, object]:
    data = YAML(typ="safe").load((EXAMPLES / name).read_text(encoding="utf-8"))
    return dict(data["values"])


@pytest.fixture(scope="module")
def department() -> cds_index.Definition:
    return cds_index.load("hai-duong-707-department")


@pytest.fixture(scope="module")
def hue() -> cds_index.Definition:
    return cds_index.load("hue-2263-commune")


@pytest.mark.parametrize(
    "context",
    [decimal.Context(prec=4), decimal.Context(prec=12), decimal.Context(Emax=5, Emin=-5)],
    ids=["prec 4", "prec 12", "small Emax"],
)
def test_the_callers_decimal_context_changes_nothing(
    department: cds_index.Definition, context: decimal.Context
) -> None:
    """Sums and products ran in the caller's thread context: `prec = 4` scored 142.8, not
    142.75029449386592243734, and a small Emax raised Overflow. Scoring, its document, percentages
    and `explain()` use the library's own context, and the caller's is left as it was."""
    values = _values("hai-duong-707-department-so-a.yaml")
    expected = cds_index.score(department, values, year=2024)
    with decimal.localcontext(context) as mine:
        result = cds_index.score(department, values, year=2024)
        document = result.to_dict()
        percents = [node.percent for node in result.walk()]
        explained = [node.explain() for node in result.walk()]
        assert decimal.getcontext() is mine
    assert result.points == expected.points and document == expected.to_dict()
    assert percents == [node.percent for node in expected.walk()]
    assert explained == [node.explanation for node in expected.walk()]


def test_a_results_nodes_are_found_from_many_threads(department: cds_index.Definition) -> None:
    """`Result.node` filled its index entry by entry: a thread that came meanwhile found it not empty
    and got a KeyError for a node that exists."""
    ids = [n.id for n in cds_index.score(department, {}).walk()]
    errors: list[str] = []
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # the race shows every run at this interval
    try:
        for _ in range(20):
            result = cds_index.score(department, {})
            barrier = threading.Barrier(6)

            def look(k: int, result: cds_index.Result = result, barrier: threading.Barrier = barrier) -> None:
                barrier.wait()
                try:
                    result.node(ids[-1 - k])
                except KeyError as exc:
                    errors.append(str(exc))

            threads = [threading.Thread(target=look, args=(k,)) for k in range(6)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert errors == []


class _Float64(float):
    """What numpy's float64 (numpy ≥ 2) is to Python code: a float whose repr is not a number."""

    def __repr__(self) -> str:
        return f"np.float64({float.__repr__(self)})"


def test_a_float_subclass_is_read_as_its_value(hue: cds_index.Definition) -> None:
    plain = cds_index.score(hue, {"portal_dx_articles": 9.0}, year=2024).node("I.5.2").points
    odd = cds_index.score(hue, {"portal_dx_articles": _Float64(9.0)}, year=2024)
    assert odd.node("I.5.2").points == plain


def test_a_signalling_nan_for_yes_no_is_refused(hue: cds_index.Definition) -> None:
    result = cds_index.score(hue, {"portal_dx_section": Decimal("sNaN")}, year=2024)
    assert "input-type" in {p.code for p in result.problems}


def test_a_null_self_beside_a_value_keeps_the_value(hue: cds_index.Definition) -> None:
    """A form that sends every key (`{"value": 9, "self": null, "appraised": null}`) lost the 9."""
    alone = cds_index.score(hue, {"portal_dx_articles": {"value": 9}}, year=2024).node("I.5.2")
    full = {"value": 9, "self": None, "appraised": None}
    beside = cds_index.score(hue, {"portal_dx_articles": full}, year=2024).node("I.5.2")
    assert (beside.points, beside.status) == (alone.points, alone.status) == (Decimal("4.5"), "scored")


def test_the_batch_year_applies_to_units_already_read(hue: cds_index.Definition) -> None:
    """`score_many(…, year=2023)` applied the year to paths only: a unit read before kept its own."""
    values = _values("hue-2263-commune-average.yaml")
    expected = cds_index.score(hue, values, year=2023)
    parsed, problems = parse_values(values, hue.inputs)
    for unit in (
        UnitInputs("xa", None, None, parsed, problems),
        next(cds_index.read_units(hue, [EXAMPLES / "hue-2263-commune-average.yaml"])),
    ):
        row = next(cds_index.score_many(hue, [unit], year=2023))
        assert row.result is not None
        assert (row.result.year, row.result.points) == (2023, expected.points)


def test_a_datetime_with_a_zone_is_refused_and_one_without_read_as_its_day(hue: cds_index.Definition) -> None:
    """03:00 on 1 April in Vietnam is 20:00 on 31 March in UTC: which day it is depends on the zone,
    so it is refused (as its text with an offset is); a naive datetime (an Excel cell) is its day."""
    instant = dt.datetime(2024, 4, 1, 3, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    for when in (instant, instant.astimezone(dt.UTC)):
        values = {"q1_meeting_held": {"value": True, "date": when}}
        assert "input-type" in {p.code for p in cds_index.score(hue, values, year=2024).problems}
    naive = {"q1_meeting_held": {"value": True, "date": dt.datetime(2024, 3, 20, 8, 30)}}
    dated = {"q1_meeting_held": {"value": True, "date": dt.date(2024, 3, 20)}}
    assert (
        cds_index.score(hue, naive, year=2024).to_dict() == cds_index.score(hue, dated, year=2024).to_dict()
    )


def test_a_scored_definition_pickles_and_scores_the_same(hue: cds_index.Definition) -> None:
    values = _values("hue-2263-commune-average.yaml")
    expected = cds_index.score(hue, values, year=2024)  # compiled now: closures on the definition
    again = pickle.loads(pickle.dumps(hue))
    assert cds_index.score(again, values, year=2024).to_dict() == expected.to_dict()


def test_a_language_tag_explains_in_that_language(hue: cds_index.Definition) -> None:
    """`explain(…, "vi-VN")` wrote Vietnamese words with English numbers (`4,600/9,200`)."""
    values = {"population": 9200, "residents_on_hues_official_channel": 4600, "portal_dx_articles": 9}
    result = cds_index.score(hue, values, year=2024, lang="en")
    for node_id in ("I.5", "I.8.1"):
        assert result.explain(node_id, "vi-VN") == result.explain(node_id, "vi")
        assert result.node(node_id).explain("EN") == result.explain(node_id, "en")
    assert result.explain_index("vi-VN") == result.explain_index("vi")
    with pytest.raises(LanguageError):
        result.explain("I.5", "fr")


def test_rank_refuses_a_unit_given_twice() -> None:
    """A unit scored again and ranked with its earlier result took two places, and every unit below
    it one place lower, without a word; ids are compared as a batch compares them."""
    district = cds_index.load("hai-duong-707-district")
    first = cds_index.score(district, {}, unit_id="huyen-a")
    again = cds_index.score(district, {}, unit_id="HUYEN-A")  # the same id in capitals
    other = cds_index.score(district, {}, unit_id="huyen-b")
    for results in ([first, other, first], [first, again]):
        with pytest.raises(cds_index.UsageError) as refused:
            cds_index.rank(results)
        assert refused.value.problems[0].code == "usage"
    assert [r.unit_id for r in cds_index.rank([first, other])] == ["huyen-a", "huyen-b"]
