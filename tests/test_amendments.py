"""Amending versions (`extends:` + the scenario operations), and the periods of versions (#13)."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cds_index
from cds_index.check.checking import check_file
from cds_index.errors import DefinitionError, UsageError
from cds_index.read.registry import inspect_definition, list_definitions, load_file, resolve

from .conftest import TINY, line_of, mutate

pytestmark = pytest.mark.usefixtures("english")  # reads the English words of messages (#12)

DATA = Path(__file__).parent / "data"
AMENDED = DATA / "amendments"
COPIED = DATA / "versions"
ID = "fictional-commune-index"


def amending(base: str, *changes: str, day: str = "2025-01-15", extra: str = "") -> str:
    body = "".join(f"  - {c}\n" for c in changes)
    return (
        f"kind: definition\nid: tiny\nextends: {base}\n"
        "decision: {number: 2/QĐ-UBND, date: 2025-01-02}\n"
        f"effective: {{from: {day}}}\n{extra}" + (f"changes:\n{body}" if changes else "")
    )


def closed(to: str = "2025-01-14") -> str:
    return mutate(TINY, ("effective: {from: 2024-01-15}", f"effective: {{from: 2024-01-15, to: {to}}}"))


def codes(path: Path) -> list[str]:
    return [p.code for p in check_file(path).problems if p.severity != "info"]


# --- an amendment is its base plus changes ---------------------------------------------------------


def test_the_amendment_is_the_base_plus_its_changes() -> None:
    d = cds_index.load(ID, on=dt.date(2024, 5, 1), folder=AMENDED)
    assert (d.decision.number, d.effective.from_, d.effective.to) == ("9/QĐ-UBND", dt.date(2024, 1, 1), None)
    assert d.total == 37  # 30 + 2 + 2 − 2 + 5, carried up by adjust_parents
    nodes = d.nodes()
    assert [p.points for p in d.tree] == [10, 22, 5]
    assert nodes["II"].title == "Chính quyền số và dịch vụ công trực tuyến"  # op: title
    assert "II.3" not in nodes and "has_radio" not in d.inputs  # op: remove, op: input remove
    steps = nodes["I.2"].rule.steps  # type: ignore[union-attr]
    assert [(s.min, s.max, s.label) for s in steps][:2] == [
        (3, None, "tối thiểu 03 tin bài"),  # op: step with a label (#13: "unknown key 'label'")
        (1, 3, "01-02 tin bài"),
    ]
    assert d._origin == str(AMENDED / f"{ID}@2024.yaml")
    # the version before is untouched, and is still the one in force in 2023
    assert cds_index.load(f"{ID}@2023-06-01", folder=AMENDED).total == 30


def test_the_amendment_checks_clean_and_says_what_it_extends() -> None:
    report = check_file(AMENDED / f"{ID}@2024.yaml")
    assert report.ok and [p for p in report.problems if p.severity != "info"] == []
    assert report.facts["extends"] == f"{ID}@2023-12-31"
    assert report.facts["total"] == "37 = 10 + 22 + 5"


VALUES = st.fixed_dictionaries(
    {
        "has_dx_section": st.booleans(),
        "staff_total": st.integers(1, 50),
        "dossiers_total": st.integers(1, 500),
        "news_items": st.integers(0, 5),
        "has_digital_signature": st.booleans(),
    }
).flatmap(
    lambda v: st.fixed_dictionaries(
        {
            **{k: st.just(x) for k, x in v.items()},
            "staff_with_computer": st.integers(0, v["staff_total"]),
            "dossiers_online": st.integers(0, v["dossiers_total"]),
        }
    )
)


@settings(max_examples=60, deadline=None)
@given(values=VALUES)
def test_an_amendment_scores_as_the_whole_copy_does(values: dict[str, object]) -> None:
    # the copy (tests/data/versions) renumbers II.1 ↔ II.2; the amendment keeps the numbers
    amended = cds_index.load(ID, on=dt.date(2024, 5, 1), folder=AMENDED)
    copied = cds_index.load(ID, on=dt.date(2024, 5, 1), folder=COPIED)
    a, c = cds_index.score(amended, values), cds_index.score(copied, values)
    assert (a.points, a.max) == (c.points, c.max)
    by_title = {n.title: n.points for n in c.criteria()}
    assert {n.title: n.points for n in a.criteria()} == by_title


def test_list_shows_the_amendment_with_its_own_total() -> None:
    infos = list_definitions(AMENDED, checked=False)
    assert [(i.decision, i.total) for i in infos] == [("1/QĐ-UBND", "30"), ("9/QĐ-UBND", "37")]
    assert [(i.decision, i.total) for i in list_definitions(AMENDED)] == [
        ("1/QĐ-UBND", "30"),
        ("9/QĐ-UBND", "37"),
    ]


def test_restated_fields_replace_the_bases_and_lists_are_added(write: Callable[..., Path]) -> None:
    write(closed(), "tiny.yaml")
    path = write(
        amending(
            "tiny.yaml",
            "{op: points, node: A.1, points: 5}",
            extra="title: Bộ chỉ số sửa đổi\nassumptions:\n  - {about: x, assumed: y}\n",
        ),
        "tiny@2025.yaml",
    )
    d = load_file(path)
    assert (d.title, d.issuer, d.total) == ("Bộ chỉ số sửa đổi", "Ủy ban nhân dân tỉnh Thử", 11)
    assert [a.about for a in d.assumptions] == ["x"]


def test_a_chain_of_amendments(write: Callable[..., Path]) -> None:
    write(closed(), "tiny.yaml")
    write(
        mutate(
            amending("tiny.yaml", "{op: points, node: A.1, points: 5}"),
            ("{from: 2025-01-15}", "{from: 2025-01-15, to: 2025-12-31}"),
        ),
        "tiny@2025.yaml",
    )
    path = write(
        amending("tiny@2025-06-01", "{op: points, node: A.2, points: 8}", day="2026-01-01"), "tiny@2026.yaml"
    )
    d = load_file(path)
    assert (d.total, d.nodes()["A.1"].points, d.nodes()["A.2"].points) == (13, 5, 8)
    assert codes(path) == []
    on = {
        day: cds_index.load(f"tiny@{day}", folder=path.parent).total
        for day in ("2024-06-01", "2025-06-01", "2026-06-01")
    }
    assert on == {"2024-06-01": 10, "2025-06-01": 11, "2026-06-01": 13}


def test_a_changed_base_is_read_again(write: Callable[..., Path]) -> None:
    base = write(closed(), "tiny.yaml")
    path = write(amending("tiny.yaml", "{op: points, node: A.1, points: 5}"), "tiny@2025.yaml")
    assert load_file(path).total == 11
    base.write_text(mutate(closed(), ("title: Nhận thức số", "title: Nhận thức số mới")), encoding="utf-8")
    stat = base.stat()
    os.utime(base, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert load_file(path).nodes()["A"].title == "Nhận thức số mới"


# --- hostile amendments ----------------------------------------------------------------------------


def test_a_cycle_is_reported_at_every_file_of_it(write: Callable[..., Path]) -> None:
    a = write(amending("b.yaml"), "a.yaml")
    b = write(amending("a.yaml"), "b.yaml")
    for path, other in ((a, "b.yaml"), (b, "a.yaml")):
        found = [p for p in check_file(path).problems if p.code == "extends-cycle"]
        assert found and found[0].location.file == str(path)
        assert found[0].location.line == 3
        assert other in found[0].message
    with pytest.raises(DefinitionError) as caught:
        load_file(a)
    assert caught.value.code == "extends-cycle"


@pytest.mark.parametrize("ref", ["me.yaml", "./me.yaml", "tiny@2025-06-01", "tiny@me"])
def test_a_version_extending_itself(write: Callable[..., Path], ref: str) -> None:
    write(closed(), "tiny.yaml")
    path = write(amending(ref), "tiny@me.yaml" if "@" in ref else "me.yaml")
    found = [p for p in check_file(path).problems if p.code == "extends-cycle"]
    assert found, [p.format() for p in check_file(path).problems]
    assert "cannot extend itself" in found[0].message


def test_a_chain_too_long(write: Callable[..., Path], tmp_path: Path) -> None:
    write(mutate(TINY, ("id: tiny", "id: c-0")), "v0.yaml")
    for n in range(1, 18):
        write(amending(f"v{n - 1}.yaml").replace("id: tiny", f"id: c-{n}"), f"v{n}.yaml")
    assert "extends-depth" in codes(tmp_path / "v17.yaml")  # seventeen amending versions
    assert codes(tmp_path / "v16.yaml") == []  # sixteen (MAX_EXTENDS) on their base: still followed


@pytest.mark.parametrize(
    ("ref", "hint"),
    [("tiny@2020-01-01", "2020-01-01"), ("missing.yaml", "missing.yaml"), ("tinny", "did you mean 'tiny'")],
)
def test_a_missing_base(write: Callable[..., Path], ref: str, hint: str) -> None:
    write(closed(), "tiny.yaml")
    path = write(amending(ref), "tiny@2025.yaml")
    (problem,) = [p for p in check_file(path).problems if p.severity == "error"]
    assert (problem.code, problem.location.line) == ("extends-not-found", 3)
    assert hint in problem.message + (problem.hint or "")


def test_a_change_to_a_node_the_base_removed(write: Callable[..., Path]) -> None:
    write(closed(), "tiny.yaml")
    write(
        mutate(
            amending("tiny.yaml", "{op: remove, node: A.2}"),
            ("{from: 2025-01-15}", "{from: 2025-01-15, to: 2025-12-31}"),
        ),
        "tiny@2025.yaml",
    )
    text = amending(
        "tiny@2025.yaml",
        "{op: input, name: staff_trained, remove: true}",
        "{op: points, node: A.2, points: 3}",
        day="2026-01-01",
    )
    path = write(text, "tiny@2026.yaml")
    problems = [p for p in check_file(path).problems if p.severity == "error"]
    assert [(p.code, p.location.line) for p in problems] == [("invalid-value", line_of(text, "node: A.2"))]
    assert "has no node 'A.2'" in problems[0].message


def test_a_removed_input_a_rule_still_reads(write: Callable[..., Path]) -> None:
    write(closed(), "tiny.yaml")
    text = amending("tiny.yaml", "{op: input, name: has_plan, remove: true}")
    problems = check_file(write(text, "tiny@2025.yaml")).problems
    assert "unknown-input" in [p.code for p in problems]
    assert [p.location.line for p in problems if p.code == "unknown-input"] == [line_of(text, "has_plan")]


def test_an_unknown_key_is_positioned_with_a_hint(write: Callable[..., Path]) -> None:
    write(closed(), "tiny.yaml")
    text = amending("tiny.yaml", "{op: step, node: A.2, step: 1, lable: x}")
    (problem,) = [p for p in check_file(write(text, "tiny@2025.yaml")).problems if p.severity == "error"]
    assert (problem.code, problem.hint, problem.location.line) == (
        "unknown-key",
        "did you mean 'label'?",
        line_of(text, "lable"),
    )


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        ("tree: []\n", "unknown-key"),  # a version is its base plus changes, or a whole definition
        ("", "missing-key"),  # without its own id …
    ],
)
def test_an_amendment_states_its_own_heading(write: Callable[..., Path], extra: str, code: str) -> None:
    write(closed(), "tiny.yaml")
    text = amending("tiny.yaml", "{op: points, node: A.1, points: 5}", extra=extra)
    if not extra:
        text = text.replace("id: tiny\n", "")
    assert code in codes(write(text, "tiny@2025.yaml"))


def test_a_base_with_errors(write: Callable[..., Path]) -> None:
    write(mutate(closed(), ("total: 10", "total: 12")), "tiny.yaml")
    problems = check_file(write(amending("tiny.yaml"), "tiny@2025.yaml")).problems
    assert [p.code for p in problems if p.severity == "error"][:2] == ["extends-invalid", "total-mismatch"]


def test_two_amendments_of_one_base_may_not_both_apply(write: Callable[..., Path]) -> None:
    write(closed(), "tiny.yaml")
    write(amending("tiny.yaml", "{op: points, node: A.1, points: 5}"), "tiny@a.yaml")
    later = write(amending("tiny.yaml", "{op: points, node: A.1, points: 3}"), "tiny@b.yaml")
    assert codes(later) == ["version-overlap"]  # the same day: reported at the later file name


# --- periods of the versions of one id -------------------------------------------------------------


@pytest.mark.parametrize(
    ("to", "expected"),
    [
        ("2025-01-14", []),  # adjacent: the day before the amendment begins
        ("2025-01-15", ["version-overlap"]),  # one day in force twice
        ("2025-01-13", ["version-gap"]),  # one day no version covers
        ("2026-12-31", ["version-overlap"]),
    ],
)
def test_overlaps_and_gaps_by_one_day(write: Callable[..., Path], to: str, expected: list[str]) -> None:
    write(closed(to), "tiny.yaml")
    path = write(amending("tiny.yaml", "{op: points, node: A.1, points: 5}"), "tiny@2025.yaml")
    problems = [p for p in check_file(path).problems if p.code.startswith("version-")]
    assert [p.code for p in problems] == expected
    for p in problems:
        assert (p.location.file, p.location.line) == (str(path), 5)  # at `effective:`
    if expected == ["version-gap"]:
        assert "from 2025-01-14 to 2025-01-14 (1 day(s))" in problems[0].message
        assert problems[0].severity == "warning"
    if expected == ["version-overlap"] and to == "2025-01-15":
        assert "(1 day(s))" in problems[0].message and "to: 2025-01-14" in (problems[0].hint or "")
    # reported once, at the version that begins later
    assert [
        p.code for p in check_file(path.parent / "tiny.yaml").problems if p.code.startswith("version-")
    ] == []


def test_whole_copies_are_checked_too(tmp_path: Path) -> None:
    for path in COPIED.glob("*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    old = tmp_path / f"{ID}.yaml"
    old.write_text(
        old.read_text(encoding="utf-8").replace("to: 2023-12-31", "to: 2023-12-30"), encoding="utf-8"
    )
    assert codes(tmp_path / f"{ID}@2024.yaml") == ["version-gap"]
    old.write_text(
        old.read_text(encoding="utf-8").replace("to: 2023-12-30", "to: 2024-01-01"), encoding="utf-8"
    )
    assert codes(tmp_path / f"{ID}@2024.yaml") == ["version-overlap"]


def test_the_resolver_never_guesses_between_overlapping_versions(tmp_path: Path) -> None:
    for path in COPIED.glob("*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    old = tmp_path / f"{ID}.yaml"
    old.write_text(
        old.read_text(encoding="utf-8").replace("to: 2023-12-31", "to: 2024-01-01"), encoding="utf-8"
    )
    with pytest.raises(UsageError) as caught:
        resolve(f"{ID}@2024-01-01", folder=tmp_path)
    assert caught.value.code == "version-overlap"
    assert f"{ID}.yaml" in str(caught.value) and f"{ID}@2024.yaml" in str(caught.value)
    # the days only one version covers are still resolved
    assert resolve(f"{ID}@2023-12-31", folder=tmp_path).name == f"{ID}.yaml"
    assert resolve(f"{ID}@2024-01-02", folder=tmp_path).name == f"{ID}@2024.yaml"


def test_inspect_returns_the_amended_definition_and_no_base_findings() -> None:
    definition, problems = inspect_definition(AMENDED / f"{ID}@2024.yaml")
    assert definition is not None and definition.total == Decimal(37)
    assert [p for p in problems if p.severity == "error"] == []


def test_only_files_named_as_versions_are_compared(write: Callable[..., Path]) -> None:
    # `<id>.yaml` and `<id>@….yaml` are the versions of an id; a copy under another name is not one
    write(TINY, "tiny.yaml")
    assert codes(write(TINY, "copy-of-tiny.yaml")) == []
    assert codes(write(TINY, "tiny@copy.yaml")) == ["version-overlap"]


# --- scoring a year with a version not in force then (#13) -----------------------------------------


def _batch(tmp_path: Path, year: int) -> list[str]:
    import io

    from cds_index.io.batch import score_many, write_csv
    from cds_index.render.report import batch_header, batch_line

    table = tmp_path / "units.csv"
    table.write_text("unit_id,has_dx_section,news_items\nxa-a,true,2\n", encoding="utf-8")
    amended = cds_index.load(f"{ID}@2024-06-01", folder=AMENDED)
    rows = list(score_many(amended, [table], year=year))
    out = io.StringIO()
    write_csv(amended, rows, out)
    terminal = "\n".join(
        [batch_header(amended, "en", size=None), *(batch_line(amended, r, "en", size=None) for r in rows)]
    )
    return [out.getvalue(), terminal, *(p.hint or "" for p in rows[0].problems)]


def test_a_year_outside_the_version_warns_in_the_csv_and_the_table(tmp_path: Path) -> None:
    import csv

    text, terminal, hint = _batch(tmp_path, 2023)
    header, row = list(csv.reader(text.splitlines()))
    cells = dict(zip(header, row, strict=True))
    assert header[-3:] == ["problems", "warnings", "source"]
    assert cells["status"] == "ok" and cells["problems"] == ""  # scored, and said to be out of period
    assert cells["warnings"].startswith(
        "[year-outside-period] fictional-commune-index applies from 2024-01-01"
    )
    assert "warning: [year-outside-period]" in terminal
    # the hint names the version that was in force
    assert hint == f"the version in force on 2023-12-31 is {ID}.yaml: score with {ID}@2023-12-31"


def test_a_year_inside_the_version_has_no_warning(tmp_path: Path) -> None:
    text, terminal, *_ = _batch(tmp_path, 2024)
    assert "year-outside-period" not in text and "warning" not in terminal


@pytest.mark.parametrize(
    ("ref", "code"), [("tiny@2024-06-01", "extends-not-found"), ("tiny", "extends-cycle")]
)
def test_an_amendment_alone_under_another_name_never_loads_itself(
    write: Callable[..., Path], ref: str, code: str
) -> None:
    # found by the docs test: the id is looked up beside the file, where only the file itself has it;
    # finding the versions reads headings only, so nothing recurses (it once did, to RecursionError)
    path = write(amending(ref, "{op: points, node: A.1, points: 5}"), "mine.yaml")
    assert codes(path) == [code]


# --- through the command line ------------------------------------------------------------------------


@pytest.mark.usefixtures("english")
def test_the_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from cds_index.cli import main

    for path in AMENDED.glob("*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    assert main(["check", str(tmp_path)]) == 0
    assert "extends: fictional-commune-index@2023-12-31" in capsys.readouterr().out
    table = tmp_path / "units.csv"
    table.write_text("unit_id,has_dx_section\nxa-a,true\n", encoding="utf-8")
    args = ["score", "--folder", str(tmp_path), f"{ID}@2024-06-01", str(table), "--year", "2023"]
    assert main([*args, "--format", "csv", "--lang", "en"]) == 0
    assert "[year-outside-period]" in capsys.readouterr().out.splitlines()[1]
    assert main([*args, "--format", "table", "--lang", "en"]) == 0
    assert "warning: [year-outside-period]" in capsys.readouterr().out
    assert main(["diff", "--folder", str(tmp_path), f"{ID}@2023-01-01", ID, "--format", "json"]) == 0
    inputs = json.loads(capsys.readouterr().out)["inputs"]
    assert [i["name"] for i in inputs["added"]] == ["has_digital_signature"]
    # the old version left open: both in force from 2024-01-01
    old = tmp_path / f"{ID}.yaml"
    old.write_text(old.read_text(encoding="utf-8").replace(", to: 2023-12-31", ""), encoding="utf-8")
    assert main(["check", str(tmp_path)]) == 1
    assert f"error[version-overlap] {ID}.yaml (2022-01-01–…)" in capsys.readouterr().out


# --- a property: what check says of periods is what the resolver does ----------------------------------

_DAY0 = dt.date(2024, 1, 1)
PERIODS = st.lists(
    st.tuples(st.integers(0, 40), st.one_of(st.none(), st.integers(0, 40))), min_size=1, max_size=4
)


@settings(max_examples=40, deadline=None)
@given(periods=PERIODS, probe=st.integers(0, 45))
def test_check_and_the_resolver_agree_on_periods(periods: list[tuple[int, int | None]], probe: int) -> None:
    import tempfile

    spans = [(a, None if b is None else a + b) for a, b in periods]  # `to` never before `from`
    with tempfile.TemporaryDirectory() as where:
        folder = Path(where)
        for n, (start, end) in enumerate(spans):
            to = "" if end is None else f", to: {_DAY0 + dt.timedelta(days=end)}"
            period = f"effective: {{from: {_DAY0 + dt.timedelta(days=start)}{to}}}"
            (folder / f"tiny@v{n}.yaml").write_text(
                mutate(TINY, ("effective: {from: 2024-01-15}", period)), encoding="utf-8"
            )
        found = {code for path in folder.glob("*.yaml") for code in codes(path)}

        def covers(span: tuple[int, int | None], day: int) -> bool:
            return span[0] <= day and (span[1] is None or day <= span[1])

        overlap = any(
            covers(s, t[0])
            for i, s in enumerate(spans)
            for j, t in enumerate(spans)
            if i != j and s[0] <= t[0]
        )
        first, last = min(s[0] for s in spans), max(s[0] for s in spans)
        gap = any(not any(covers(s, day) for s in spans) for day in range(first, last + 1))
        assert ("version-overlap" in found) == overlap
        assert ("version-gap" in found) == gap
        in_force = [n for n, s in enumerate(spans) if covers(s, probe)]
        day = (_DAY0 + dt.timedelta(days=probe)).isoformat()
        if len(in_force) == 1:
            assert resolve(f"tiny@{day}", folder=folder).name == f"tiny@v{in_force[0]}.yaml"
        else:
            with pytest.raises(UsageError) as caught:
                resolve(f"tiny@{day}", folder=folder)
            assert caught.value.code == ("version-overlap" if in_force else "definition-not-found")


def test_the_results_workbook_carries_the_period_warning(tmp_path: Path) -> None:
    import openpyxl

    from cds_index.io.batch import score_many
    from cds_index.io.excel import write_results

    table = tmp_path / "units.csv"
    table.write_text("unit_id,has_dx_section\nxa-a,true\n", encoding="utf-8")
    amended = cds_index.load(f"{ID}@2024-06-01", folder=AMENDED)
    out = tmp_path / "results.xlsx"
    write_results(amended, score_many(amended, [table], year=2023), out, lang="en")
    sheet = openpyxl.load_workbook(out).worksheets[0]
    notes = [c for row in sheet.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert any(n.startswith("Warning: [year-outside-period]") for n in notes), notes
