"""Yearly targets scored by the one walk (#11): the rule kind `targets`, its year, its reading, its checks."""

from __future__ import annotations

import json
import unicodedata
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cds_index
from cds_index.engine.evaluate import explain
from cds_index.engine.targets import evaluate_year, gaps
from cds_index.errors import DefinitionError, InputError, UsageError
from cds_index.formats.model import AtLeast, Definition
from cds_index.i18n import render
from cds_index.read.inputs import UnitInputs, parse_values
from cds_index.rules import KINDS

from .conftest import definition_from_text, errors_of
from .test_error_codes import TARGETS

T = cds_index.load("thanh-hoa-1829-commune")
D = Decimal
YEARS = (2022, 2023, 2024, 2025)

# the walk's record of each status: (status, points, max)
WALK = {
    "met": ("scored", D(1), D(1)),
    "unmet": ("scored", D(0), D(1)),
    "no_target": ("scored", D(0), D(0)),
    "not_applicable": ("not_applicable", D(0), D(0)),
    "not_reported": ("not_reported", D(0), D(1)),
}


def oracle(definition: Definition, year: int, raw: dict[str, Any]) -> dict[str, str]:
    """Each criterion's status, worked out from the YAML's targets alone (not from the engine)."""
    out = {}
    for node in definition.criteria():
        assert node.targets is not None
        target = node.targets.years.get(year, "*")
        value = raw.get(node.targets.input)
        if target == "*":
            out[node.id] = "no_target"
        elif value is None:
            out[node.id] = "not_reported"
        elif value == "n/a":
            out[node.id] = "not_applicable"
        elif isinstance(target, AtLeast):
            number = D(str(value).rstrip("%"))
            out[node.id] = "met" if number >= target.at_least else "unmet"
        else:

            def fold(s: str) -> str:
                return unicodedata.normalize("NFC", s).casefold()

            out[node.id] = "met" if fold(value) in {fold(s) for s in target.one_of} else "unmet"
    return out


def value_of(definition: Definition, name: str) -> st.SearchStrategy[Any]:
    spec = definition.inputs[name]
    if spec.type == "choice":
        states = spec.choices or []
        written = st.sampled_from(states) | st.sampled_from([s.upper() for s in states])
        return st.one_of(written, st.just("n/a"), st.none())
    low = int(spec.min) if spec.min is not None else 0
    high = int(spec.max) if spec.max is not None else 100
    number = st.integers(low, high)
    return st.one_of(
        number,  # 80
        number.map(str),  # "80"
        number.map(lambda n: f"{n}%") if spec.unit == "percent" else number.map(str),  # "80%"
        st.just("n/a"),
        st.none(),
    )


UNIT = st.fixed_dictionaries(
    {},
    optional={name: value_of(T, name) for name in T.inputs},
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(UNIT, st.sampled_from(YEARS))
def test_the_walk_agrees_with_the_targets_as_written(raw: dict[str, Any], year: int) -> None:
    raw = {k: v for k, v in raw.items() if v is not None}
    expected = oracle(T, year, raw)
    result = cds_index.score(T, raw, year=year, lang="en")
    assert result.ok, [p.format() for p in result.problems]
    records = evaluate_year(T, year, raw, lang="en")
    in_vietnamese = evaluate_year(T, year, raw)
    for node in result.criteria():
        status = expected[node.id]
        assert (node.status, node.points, node.max) == WALK[status], node.id
        outcome = records.outcome(node.id)
        assert outcome.status == status
        assert outcome.explanation == node.explanation  # one explanation, from the one trace
        assert explain(node, "vi") == in_vietnamese.outcome(node.id).explanation
    # a group adds up the targets met out of those that apply; a year is completed when all are met
    for pillar, counts in zip(result.pillars, records.groups, strict=True):
        assert pillar.points == counts.met
        assert pillar.max == counts.met + counts.unmet + counts.not_reported
        assert (pillar.points == pillar.max) == counts.completed
    assert records.completed == all(p.points == p.max for p in result.pillars)


def test_the_year_is_explicit_and_positioned() -> None:
    with pytest.raises(DefinitionError) as missing:
        cds_index.score(T, {"online_dossiers_pct": 80})
    (problem,) = missing.value.problems
    assert problem.code == "usage" and problem.location.path == ("year",)
    assert "2022, 2023, 2024, 2025" in problem.message
    for wrong in (2021, 2026, 1900):
        with pytest.raises(UsageError) as unknown:
            cds_index.score(T, {}, year=wrong)
        assert unknown.value.problems[0].location.path == ("year",)
        assert f"not for {wrong}" in unknown.value.format("en")
        assert f"không có cho {wrong}" in unknown.value.format("vi")
    # a unit's own year is its year (as for points), and score's `year` overrides it
    values, _ = parse_values({"online_dossiers_pct": "66%"}, T.inputs)
    result = cds_index.score(T, UnitInputs("xa", None, 2022, values))
    assert result.year == 2022 and result.node("1.6").status == "scored" and result.node("1.6").points == 1
    assert cds_index.score(T, UnitInputs("xa", None, 2022, values), year=2023).node("1.6").points == 0
    with pytest.raises(DefinitionError):
        cds_index.score(T, UnitInputs("xa", None, None, values))


def test_values_are_read_and_refused_as_for_points() -> None:
    one = [cds_index.score(T, {"online_dossiers_pct": v}, year=2023) for v in (80, "80", "80%", D(80))]
    assert {r.node("1.6").points for r in one} == {D(1)}
    assert len({r.node("1.6").explanation for r in one}) == 1
    na = cds_index.score(T, {"online_dossiers_pct": "n/a"}, year=2023).node("1.6")
    assert (na.status, na.max) == ("not_applicable", 0)
    assert na.explanation == "Không áp dụng: không tính vào đánh giá"
    # an unknown input is a problem of the result, as for points; evaluate_year raises it
    result = cds_index.score(T, {"online_dossiers_pctt": 80}, year=2023)
    assert [p.code for p in result.problems] == ["input-unknown"]
    assert [p.code for p in cds_index.score(load_points(), {"zzz": 1}).problems] == ["input-unknown"]
    with pytest.raises(InputError) as raised:
        evaluate_year(T, 2023, {"online_dossiers_pctt": 80})
    assert raised.value.problems == result.problems
    # a refused value: the criterion is invalid in the walk (its message in the explanation)
    bad = cds_index.score(T, {"online_dossiers_pct": "nhiều"}, year=2023)
    assert bad.node("1.6").status == "invalid" and not bad.ok
    assert render(bad.problems[0].message, "vi") in bad.node("1.6").explanation


def load_points() -> Definition:
    return cds_index.load("hai-duong-707-district")


def test_a_star_year_reads_nothing() -> None:
    # 2.5 has no 2022 target: a refused value of its input does not make it invalid that year
    result = cds_index.score(T, {"business_e_contract_pct": "nhiều"}, year=2022)
    assert result.node("2.5").status == "scored" and result.node("2.5").max == 0
    assert result.node("2.5").inputs == ("business_e_contract_pct",)
    assert cds_index.score(T, {"business_e_contract_pct": "nhiều"}, year=2023).node("2.5").status == "invalid"


def test_the_result_renders_as_any_result() -> None:
    result = cds_index.score(T, {"online_dossiers_pct": "72%"}, year=2024, unit_id="xa-a")
    data = json.loads(json.dumps(result.to_dict()))
    assert data["year"] == 2024 and data["max"] == str(result.max)
    targets = [n for n in T.criteria() if n.targets and n.targets.years.get(2024, "*") != "*"]
    assert result.achievable == sum((p.max for p in result.pillars), D(0)) == len(targets) < 37
    one = next(c for c in data["children"][0]["children"] if c["id"] == "1.6")
    assert one["explanation"] == "Chưa đạt: 72% < 75% (chỉ tiêu năm 2024), còn thiếu 3 điểm phần trăm"
    bare = result.to_dict(explain=False)
    assert "explanation" not in bare["children"][0]
    for node in result.walk():  # the trace holds numbers, not text
        assert isinstance(node.trace, tuple)
        assert not any(isinstance(item, str) and item == node.explanation for item in node.trace[2:])


def test_gaps_and_years_through_the_walk() -> None:
    found = {g.id: g for g in gaps(T, 2023, {"online_dossiers_pct": "72%"}, lang="en")}
    assert found["1.6"].explanation == "2024 target ≥ 75%: 72% in 2023, 3 percentage points short"
    assert found["1.6"].shortfall == D(3)
    with pytest.raises(UsageError):
        gaps(T, 2023, {}, target_year=2030)


def test_the_kinds_table_checks_targets() -> None:
    assert KINDS["targets"].MODEL.__name__ == "Targets"
    at_least_on_choice = TARGETS.replace(
        "  online: {label: Tỷ lệ hồ sơ trực tuyến, type: number, unit: percent, min: 0, max: 100}\n",
        "  online: {label: Có kế hoạch, type: choice, choices: [Có, Không]}\n",
    ).replace("            2024: {at_least: 60}\n", "")
    definition, found = definition_from_text(at_least_on_choice)
    assert definition is not None
    assert [(p.code, p.message) for p in errors_of(found)] == [
        ("input-type-mismatch", "2022: `at_least` needs a number input; 'online' is `choice`")
    ]
    state = at_least_on_choice.replace("2022: {at_least: 50}", '2022: {one_of: ["Co"]}')
    _, found = definition_from_text(state)
    assert [p.code for p in errors_of(found)] == ["target-year"]
    assert "'Co' is not one of the input's choices" in errors_of(found)[0].message
    unknown = TARGETS.replace("          input: online\n", "          input: onlin\n")
    _, found = definition_from_text(unknown)
    assert "unknown-input" in [p.code for p in errors_of(found)]
    assert any("did you mean 'online'" in p.message for p in errors_of(found))


def test_an_appraisal_that_changes_the_outcome_says_so_in_words() -> None:
    values = {"online_dossiers_pct": {"self": 60, "appraised": 75}, "dx_targets_plan": {"self": "Có"}}
    outcome = evaluate_year(T, 2023, values, lang="en").outcome("1.6")
    assert outcome.status == "met" and outcome.value == 75
    assert outcome.explanation == "met: 75% ≥ 70% (2023 target) [self-assessed not met, appraised met]"
    result = cds_index.score(T, values, year=2023)
    assert (result.node("1.6").self_points, result.node("1.6").points) == (0, 1)
    assert result.node("1.1").explanation == "Đạt: “Có” (chỉ tiêu năm 2023: “Có”)"  # no appraisal: no note
