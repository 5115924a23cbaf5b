"""Silent wrong results an outside tester found (session 10's list, fixed in session 11, #11): each
case scored without a word before, and is refused or warned of by name now."""

from __future__ import annotations

from pathlib import Path

import pytest

import cds_index
from cds_index.errors import UsageError
from cds_index.io.batch import read_units, score_many
from cds_index.read.inputs import UnitInputs
from cds_index.read.units_io import read_unit

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
STRONG = EXAMPLES / "hue-2263-commune-strong.yaml"  # year: 2024
SHARE = "dvctt_satisfaction_pct"  # a percentage, 0–100, in hue-2263-commune


@pytest.fixture(scope="module")
def hue() -> cds_index.Definition:
    return cds_index.load("hue-2263-commune")


@pytest.fixture(scope="module")
def strong(hue: cds_index.Definition) -> UnitInputs:
    (unit,) = read_units(hue, [STRONG])
    assert isinstance(unit, UnitInputs)
    return unit


def _as_fraction(hue: cds_index.Definition) -> cds_index.Definition:
    """hue-2263-commune whose satisfaction share is written 0–1, as another definition may declare it."""
    spec = hue.inputs[SHARE].model_copy(update={"unit": "fraction", "max": 1})
    return hue.model_copy(update={"inputs": {**hue.inputs, SHARE: spec}})


# --- a unit read for one definition, scored under another -----------------------------------------


def test_a_value_read_by_another_declaration_is_refused_not_misread(
    hue: cds_index.Definition, strong: UnitInputs
) -> None:
    """96 read as a percentage was scored under a definition whose input is a fraction: above its
    maximum of 1, never checked, it scored without a word. It is refused by name now: the criteria
    reading it are `invalid`, the others as before."""
    other = _as_fraction(hue)
    result = cds_index.score(other, strong)
    refused = [p for p in result.problems if p.code == "input-definition"]
    assert len(refused) == 1 and SHARE in refused[0].message and "`unit`, `max`" in refused[0].message
    assert refused[0].location.file == str(STRONG) and not result.ok
    reading = [n for n in result.walk() if SHARE in n.inputs]
    assert reading and all(n.status == "invalid" for n in reading)
    same = cds_index.score(hue, strong)
    assert same.ok and not [p for p in same.problems if p.code == "input-definition"]
    others = [n.id for n in same.walk() if n.is_criterion and SHARE not in n.inputs]
    assert all(result.node(i).points == same.node(i).points for i in others)
    (row,) = score_many(other, [strong])  # a batch row is refused by name, the batch goes on
    assert not row.ok and "input-definition" in [p.code for p in row.problems]


def test_a_unit_scored_under_a_definition_that_reads_alike_is_scored(
    hue: cds_index.Definition, strong: UnitInputs
) -> None:
    """Another definition object whose inputs read every value alike (a label changed, a copy):
    nothing to refuse."""
    spec = hue.inputs[SHARE].model_copy(update={"label": "Tỷ lệ hài lòng (đổi nhãn)"})
    relabelled = hue.model_copy(update={"inputs": {**hue.inputs, SHARE: spec}})
    result = cds_index.score(relabelled, strong)
    assert result.ok and result.points == cds_index.score(hue, strong).points


# --- the year a file states, and the year asked --------------------------------------------------


def test_a_file_of_2024_scored_as_2025_says_so(hue: cds_index.Definition, strong: UnitInputs) -> None:
    """Its 2024 values were re-dated to 2025 without a word (dated meetings lose their points); a
    table row of another year was refused. It is scored as asked, with an `input-year` warning, by
    every path: read_unit with a year, score(year=), score_many(year=)."""
    unit, problems = read_unit(hue, STRONG, year=2025)
    assert unit is not None and not problems and unit.year == 2025
    codes = [(p.code, p.severity) for p in unit.problems]
    assert codes == [("input-year", "warning")]
    assert "2024" in unit.problems[0].format("vi") and "2025" in unit.problems[0].format("vi")
    for result in (
        cds_index.score(hue, strong, year=2025),
        next(iter(score_many(hue, [strong], year=2025))).result,
    ):
        assert result is not None and result.year == 2025
        assert [p.code for p in result.problems if p.code == "input-year"] == ["input-year"]
    same, _ = read_unit(hue, STRONG, year=2024)
    assert same is not None and not same.problems
    assert not [p for p in cds_index.score(hue, strong, year=2024).problems if p.code == "input-year"]


def test_a_file_of_several_years_without_the_year_asked_is_refused(
    hue: cds_index.Definition, tmp_path: Path
) -> None:
    """A `years:` file read for a year it does not have gave an empty unit: every criterion not
    reported, 0 points, no message. It is refused, at its `years:` line, naming its years."""
    path = tmp_path / "xa.yaml"
    path.write_text(
        "kind: inputs\ndefinition: hue-2263-commune\nunit: {id: xa-b}\n"
        f"years:\n  2023:\n    {SHARE}: 90\n  2024:\n    {SHARE}: 95\n",
        encoding="utf-8",
    )
    unit, problems = read_unit(hue, path, year=2025)
    assert unit is None and [p.code for p in problems] == ["input-year"]
    assert problems[0].location.line == 4 and "2023, 2024" in problems[0].format("vi")
    (row,) = score_many(hue, [path], year=2025)
    assert row.result is None and [p.code for p in row.problems] == ["input-year"]
    kept, _ = read_unit(hue, path, year=2023)
    assert kept is not None and kept.values[SHARE].value == 90


# --- ranking -----------------------------------------------------------------------------------


def test_rank_refuses_results_with_refused_values(hue: cds_index.Definition) -> None:
    """A result whose values were refused was ranked on the points that were left, without a word."""
    good = cds_index.score(hue, {SHARE: 90}, unit_id="a", year=2024)
    bad = cds_index.score(hue, {SHARE: "nhiều"}, unit_id="b", year=2024)
    assert good.ok and not bad.ok
    with pytest.raises(UsageError) as refused:
        cds_index.rank([good, bad])
    assert "'b'" in str(refused.value) and "r.ok" in str(refused.value)
    assert [r.unit_id for r in cds_index.rank([r for r in (good, bad) if r.ok])] == ["a"]


def test_rank_refuses_results_of_different_years(hue: cds_index.Definition) -> None:
    """Units scored under 2023's and 2024's rules were ranked together."""
    a = cds_index.score(hue, {SHARE: 90}, unit_id="a", year=2024)
    b = cds_index.score(hue, {SHARE: 80}, unit_id="b", year=2023)
    c = cds_index.score(hue, {SHARE: 70}, unit_id="c")  # no year: ranks with either
    with pytest.raises(UsageError) as refused:
        cds_index.rank([a, b, c])
    assert "2023, 2024" in str(refused.value)
    assert [r.unit_id for r in cds_index.rank([a, c])] == ["a", "c"]


def test_http_rank_writes_one_language_or_refuses(hue: cds_index.Definition) -> None:
    """`/rank` wrote every unit's messages in the first unit's `lang`: units asking for two
    languages are refused (400), one language is the whole answer's."""
    from fastapi.testclient import TestClient

    from cds_index.server import create_app

    client = TestClient(create_app())
    url = "/definitions/hue-2263-commune/rank"
    bad = {"id": "b"}
    units = [
        {"unit": {"id": "a"}, "values": {SHARE: 90}, "lang": "vi"},
        {"unit": bad, "values": {SHARE: "nhiều"}, "lang": "en"},
    ]
    mixed = client.post(url, json={"units": units})
    assert mixed.status_code == 400 and mixed.json()["problems"][0]["code"] == "usage"
    units[0]["lang"] = "en"
    answer = client.post(url, json={"units": units})
    assert answer.status_code == 200
    (unranked,) = answer.json()["unranked"]
    english = cds_index.score(hue, {SHARE: "nhiều"}, lang="en").problems[0].format("en")
    assert unranked["problems"][0]["message"] in english
