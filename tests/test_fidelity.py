"""Issue #10: the encodings follow the seeds' words. Each test quotes the seed line it rests on.

Seeds: /work/shared/seeds/ (001 = Huế 2263, 002 = Hải Dương 707, 003 = Thanh Hóa 1829, 000 and 004 =
the Tứ Kỳ assignment tables). Every wrong-score test here failed on main before issue #10.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cds_index
from cds_index.check.checking import check_file
from cds_index.cli import main
from cds_index.engine.evaluate import Result
from cds_index.io.batch import score_many
from cds_index.numbers import div
from cds_index.render.report import assumptions

from .conftest import DEFINITIONS, ROOT, criterion, definition_data, dump_yaml, erratum_kind, line_of

D = Decimal
HUE = cds_index.load("hue-2263-commune")
DISTRICT = cds_index.load("hai-duong-707-district")
DEPARTMENT = cds_index.load("hai-duong-707-department")
THANH_HOA = cds_index.load("thanh-hoa-1829-commune")


def hue(values: dict[str, Any], year: int = 2024) -> Result:
    return cds_index.score(HUE, values, year=year)


# --- 1. Huế staff ratios divide by the count each criterion names --------------------------------

# (criterion, numerator, the count it names, the seed's words)
STAFF = [
    (
        "I.8.2",
        "staff_on_hues_internal_channel",
        "cbccvc_and_workers",
        "001:671 Tỉ lệ cán bộ, công chức, viên chức (CBCCVC), người lao động trong cơ quan nhà nước",
    ),
    (
        "III.1.1",
        "staff_with_smartphone_hues",
        "cbccvc_and_workers",
        "001:855 Tỉ lệ CBCCVC, người lao động trong cơ quan, đơn vị (gồm đơn vị trực thuộc)",
    ),
    (
        "III.5.1",
        "staff_cloud_accounts",
        "cbccvc_and_workers",
        "001:1058 Tỉ lệ CBCCVC, người lao động có sử dụng tài khoản điện toán đám mây",
    ),
    (
        "III.5.2",
        "staff_with_cloud_data",
        "cbccvc_and_workers",
        "001:1081 Tỉ lệ CBCCVC, người lao động có phát sinh dữ liệu trên điện toán đám mây dùng chung",
    ),
    (
        "IV.4.1",
        "staff_in_moic_online_training",
        "cbccvc_and_workers",
        "001:1402 100% CBCCVC, NLĐ tham gia đào tạo khi có triển khai. Điểm được tính theo tỉ lệ.",
    ),
    (
        "VI.8.1",
        "staff_hues_registered",
        "cbccvc_and_workers",
        "001:2099 Tỉ lệ CBCCVC và người lao động có cài đặt Hue-S và có đăng ký tài khoản",
    ),
    (
        "VI.8.2",
        "staff_hues_linked",
        "cbccvc_and_workers",
        "001:2122 Tỉ lệ CBCCVC và người lao động có liên kết tài khoản Hue-S",
    ),
    (
        "VI.8.3",
        "staff_hues_workspace_users",
        "cbccvc_and_workers",
        "001:2166 Tính tỉ lệ CBCCVC và người lao động sử dụng trên tổng điểm",
    ),
    ("VI.11.1", "staff_virtual_assistant_users", "cbccvc", "001:2274 100% CBCCVC sử dụng"),
    (
        "VII.1.3",
        "staff_hues_wallet_payers",
        "cbccvc",
        "001:2423 Tỉ lệ CBCCVC có phát sinh giao dịch thanh toán ... tỉ lệ thuận theo số điểm",
    ),
    (
        "VIII.3.1",
        "staff_usb_token_signature",
        "cbccvc",
        "001:2646 Đảm bảo 100% CBCCVC có chữ ký số hoặc chữ ký điện tử cá nhân qua USB Token.",
    ),
    (
        "VIII.3.2",
        "staff_sim_signature",
        "cbccvc",
        "001:2678 Đảm bảo 100% CBCCVC có chữ ký số hoặc chữ ký điện tử cá nhân qua SIM di động.",
    ),
]
GATES = {"moic_online_training_deployed": True, "virtual_assistant_deployed": True}


@pytest.mark.parametrize(("node_id", "part", "whole", "seed"), STAFF, ids=[s[0] for s in STAFF])
def test_staff_ratio_divides_by_the_count_the_criterion_names(
    node_id: str, part: str, whole: str, seed: str
) -> None:
    # 30 staff of a commune with 24 công chức, 32 CBCCVC and 40 CBCCVC and người lao động:
    # on main, 30/24 = 125 % earned full points
    values = {"civil_servants": 24, "cbccvc": 32, "cbccvc_and_workers": 40, part: 30, **GATES}
    result = hue(values)
    assert result.ok, [p.format() for p in result.problems]
    node = result.node(node_id)
    assert node.status == "scored"
    assert node.points == node.max * D(30) / D(32 if whole == "cbccvc" else 40), node.explanation
    assert whole in HUE.nodes()[node_id].rule.per  # type: ignore[union-attr,operator]
    assert HUE.inputs[whole].label.split()[-1] == "xã"  # the commune's own count


def test_no_criterion_divides_by_the_printed_civil_servants_count() -> None:
    """001:33 "Số lượng công chức" counts neither CBCCVC nor người lao động: no rule divides by it."""
    pers = {getattr(c.rule, "per", None) for c in HUE.criteria()}
    assert "civil_servants" not in pers
    assert {s[0] for s in STAFF} == {
        c.id for c in HUE.criteria() if getattr(c.rule, "per", None) in {"cbccvc", "cbccvc_and_workers"}
    }


# --- input constraints: a part cannot exceed its whole ----------------------------------------


def test_a_part_above_its_whole_is_refused_not_clamped() -> None:
    """001:2166 counts staff "trên tổng": 25 users of 20 CBCCVC and người lao động is an input problem."""
    result = hue({"cbccvc_and_workers": 20, "staff_hues_workspace_users": 25})
    node = result.node("VI.8.3")
    assert (node.status, node.points, node.max) == ("invalid", D(0), D(10))
    (problem,) = result.problems
    assert problem.code == "input-constraint" and problem.severity == "error"
    assert "25" in problem.message and "20" in problem.message and "at most 20" in problem.message
    assert not result.ok
    # equal is fine, and the other criteria are scored as usual
    fine = hue({"cbccvc_and_workers": 20, "staff_hues_workspace_users": 20, "staff_hues_linked": 10})
    assert fine.ok and fine.node("VI.8.3").points == D(10) and fine.node("VI.8.2").points == D(5)


def test_a_constraint_holds_in_every_entry_point(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inputs = tmp_path / "xa.yaml"
    inputs.write_text(
        "kind: inputs\ndefinition: hue-2263-commune\nunit: {id: xa-a}\nyear: 2024\n"
        "values:\n  cbccvc_and_workers: 20\n  staff_hues_registered: 25\n",
        encoding="utf-8",
    )
    table = tmp_path / "xa.csv"
    table.write_text(
        "id,cbccvc_and_workers,staff_hues_registered\nxa-a,20,25\nxa-b,20,20\n", encoding="utf-8"
    )
    # the CLI refuses the unit (exit 1) and says why
    assert main(["score", "hue-2263-commune", str(inputs)]) == 1
    assert "input-constraint" in capsys.readouterr().out
    # a batch row is not ok and names the problem; the other row is scored
    rows = list(score_many(HUE, [table]))
    assert [r.ok for r in rows] == [False, True]
    assert [p.code for p in rows[0].problems] == ["input-constraint"]
    # check says so at the value's line
    report = check_file(inputs)
    (problem,) = [p for p in report.problems if p.code == "input-constraint"]
    assert problem.location.line == 7


def test_a_constraint_holds_through_the_http_api() -> None:
    from fastapi.testclient import TestClient

    from cds_index.server import create_app

    body = (
        TestClient(create_app())
        .post(
            "/definitions/hue-2263-commune/score",
            json={"year": 2024, "values": {"cbccvc": 10, "staff_usb_token_signature": 12}},
        )
        .json()
    )
    assert [p["code"] for p in body["problems"]] == ["input-constraint"]
    (criterion,) = [
        c
        for pillar in body["children"]
        for group in pillar["children"]
        for c in group["children"]
        if c["id"] == "VIII.3.1"
    ]
    assert (criterion["status"], criterion["points"]) == ("invalid", "0")


def test_handled_cannot_exceed_found() -> None:
    """002 (707) 5.4.1/5.4.2 count incidents and those handled: 5 handled of 3 found is refused."""
    result = cds_index.score(DISTRICT, {"cyberattacks": 3, "cyberattacks_handled": 5})
    assert result.node("CQS.5.4.1").status == "invalid"
    assert [p.code for p in result.problems] == ["input-constraint"]


def test_a_sum_of_parts_cannot_exceed_the_whole() -> None:
    """A service is online at one level: level-3 + level-4 services cannot exceed all procedures."""
    result = cds_index.score(
        DISTRICT, {"procedures_total": 100, "procedures_online_l3": 60, "procedures_online_l4": 50}
    )
    assert result.node("CQS.4.8.1").status == "invalid"
    assert "60 + 50 = 110" in result.problems[0].message


@settings(max_examples=60, deadline=None)
@given(part=st.integers(0, 10**6), whole=st.integers(0, 10**6))
def test_property_a_ratio_is_exact_or_refused_never_clamped(part: int, whole: int) -> None:
    result = hue({"cbccvc": whole, "staff_sim_signature": part})
    node = result.node("VIII.3.2")
    if part > whole:
        assert node.status == "invalid" and not result.ok
    elif whole == 0:
        assert node.status == "invalid" and result.ok  # 0 of 0: undefined, not an input error
    else:
        assert node.status == "scored" and node.points == div(D(10) * part, D(whole))  # one division


def test_bundled_constraints_name_declared_inputs_and_hold_for_the_examples() -> None:
    for definition in (HUE, DISTRICT, DEPARTMENT):
        assert len(definition.constraints) > 30, definition.id
    for example in sorted((ROOT / "examples").glob("*.yaml")):
        report = check_file(example)
        assert report.ok, [p.format() for p in report.problems]


def test_check_names_an_unknown_constraint_input(write: Callable[..., Path]) -> None:
    data = definition_data(
        {"staff": {"label": "Số CBCCVC", "type": "integer", "unit": "person"}},
        [criterion("F.1", 1, {"kind": "count", "input": "staff", "target": 5})],
        constraints=[{"input": "stafff", "at_most": "staff"}, {"input": "staff", "at_most": "staff"}],
    )
    text = dump_yaml(data)
    problems = check_file(write(text)).problems
    codes = sorted(p.code for p in problems if p.severity == "error")
    assert codes == ["invalid-value", "unknown-input"]
    (unknown,) = [p for p in problems if p.code == "unknown-input"]
    assert "'stafff'" in unknown.message and "did you mean 'staff'" in unknown.message
    assert unknown.location.line == line_of(text, "input: stafff")


# --- 2. 707's shared "mức độ 3 / mức độ 4" cell ----------------------------------------------------


@pytest.mark.parametrize(
    ("definition", "cell", "row", "dossiers", "row2"),
    [
        (DISTRICT, "CQS.4.8.1", "CQS.4.8.2", "CQS.4.9.1", "CQS.4.9.2"),
        (DEPARTMENT, "CQS.4.7.1", "CQS.4.7.2", "CQS.4.8.1", "CQS.4.8.2"),
    ],
    ids=["district", "department"],
)
@pytest.mark.parametrize(("l3", "l4"), [(100, 0), (0, 100), (37, 63)])
def test_every_service_online_earns_the_whole_cell(
    definition: Any, cell: str, row: str, dossiers: str, row2: str, l3: int, l4: int
) -> None:
    """002:1098–1112 "4.7.1 Tỷ lệ DVCTT mức độ 3 | 10" and "4.7.2 Tỷ lệ DVCTT mức độ 4 | (blank)":
    one cell of 10 for both rows. On main a unit with every service online earned 5 of 10, and with
    no level-3 service 4.9.1 was `invalid`."""
    values = {
        "procedures_total": 100,
        "procedures_online_l3": l3,
        "procedures_online_l4": l4,
        "procedures_l3_with_dossiers": l3,
        "procedures_l4_with_dossiers": l4,
    }
    result = cds_index.score(definition, values)
    assert result.ok
    parent = result.node(cell.rsplit(".", 1)[0])
    assert (parent.points, parent.max) == (D(10), D(10))
    assert result.node(cell).points == D(10) and result.node(row).points == D(0)
    assert result.node(dossiers).status == "scored" and result.node(dossiers).points == D(10)
    assert result.node(row2).status in {"scored", "invalid"}  # 0 points either way (its own share)
    assert result.node(row2).max == D(0)


def test_the_shared_cell_is_on_record_with_the_other_reading() -> None:
    for definition, rows in (
        (DISTRICT, ("CQS.4.8.2", "CQS.4.9.2")),
        (DEPARTMENT, ("CQS.4.7.2", "CQS.4.8.2")),
    ):
        cells = {e.node: e for e in definition.errata if e.kind == "shared-points-cell"}
        assert set(cells) == set(rows)
        assert all("5 + 5" in e.note and "Other readings, kept on record" in e.note for e in cells.values())
        nodes = definition.nodes()
        for node_id in rows:
            first = nodes[node_id[:-1] + "1"]
            assert {a.name for a in first.rule.alternatives or ()} == {"split-5-5", "level-3-or-above"}  # type: ignore[union-attr]


# --- 3. quarterly meetings tied to their quarter --------------------------------------------------


def meetings(date: str | None, *, held: bool = True, chaired: bool = True) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for q in "1234":
        values[f"q{q}_meeting_held"] = {"value": held, "date": date} if date else held
        values[f"q{q}_meeting_chaired_by_head"] = {"value": chaired, "date": date} if date else chaired
    return values


def test_one_meeting_counts_for_its_own_quarter_once() -> None:
    """001:201–219 "Tổ chức phiên họp BCĐ CĐS của địa phương Quý 2 | 2 | 30.6 … Có tổ chức: đạt 01
    điểm": on main one meeting dated 10/02/2023 earned all four quarters, 8 of 8."""
    result = hue(meetings("2023-02-10"), year=2023)
    assert result.node("I.2.2").points == D(2)
    for later in ("I.2.3", "I.2.4", "I.2.5"):
        node = result.node(later)
        assert node.points == D(0) and node.late
        assert "10/02/2023: trước kỳ" in node.explanation and "thuộc kỳ trước" in node.explanation
    # the period in the reader's dates: Quý 2 is 01/04/2023–30/06/2023 (the decision prints 30.6)
    assert "trước kỳ 01/04/2023–30/06/2023" in result.node("I.2.3").explanation
    assert sum(result.node(f"I.2.{i}").points for i in range(2, 6)) == D(2)


def test_a_meeting_in_each_quarter_earns_each() -> None:
    values: dict[str, Any] = {}
    for q, day in zip("1234", ("2024-03-05", "2024-05-20", "2024-09-30", "2024-10-15"), strict=True):
        values[f"q{q}_meeting_held"] = True
        values[f"q{q}_meeting_chaired_by_head"] = True
        values[f"q{q}_meeting_date"] = day  # the date as a column of its own (a table)
    result = hue(values)
    assert result.ok and result.node("I.2").points == D(8)


def test_an_undated_meeting_is_an_input_problem() -> None:
    """001:219 asks for "Giấy mời triệu tập … Kết luận, Hình ảnh cuộc họp": a meeting has a date; on
    main an undated meeting skipped the deadline check and earned its points."""
    result = hue(meetings(None))
    node = result.node("I.2.2")
    assert (node.status, node.points) == ("invalid", D(0))
    codes = [p.code for p in result.problems]
    assert codes == ["input-date-missing"] * 4
    assert "q1_meeting_date" in result.problems[0].message
    # a meeting not held needs no date
    assert hue(meetings(None, held=False, chaired=False)).ok


def test_chairing_needs_the_meeting_held() -> None:
    """001:216 "Có tổ chức: đạt 01 điểm - Người đứng đầu đơn vị chủ trì: đạt 01 điểm": the chair's
    point is for a meeting held; on main "chaired" without "held" still earned a point."""
    result = hue(meetings("2024-03-10", held=False, chaired=True))
    node = result.node("I.2.2")
    assert node.points == D(0)
    assert "nhưng cần “Có tổ chức”" in node.explanation


def test_a_meeting_of_the_previous_year_is_explained_as_such() -> None:
    """On main a meeting dated 20/12/2023 for 2024 was explained as "quá hạn 31.3/2024"."""
    node = hue(meetings("2023-12-20")).node("I.2.2")
    assert node.points == D(0)
    assert node.explanation.startswith("20/12/2023: thuộc năm 2023, không thuộc năm đánh giá 2024")
    assert "quá hạn" not in node.explanation
    assert node.explanation.endswith("Người đứng đầu đơn vị chủ trì phiên họp Quý 1: có)")  # what was read


def test_a_late_meeting_is_explained_with_what_was_read() -> None:
    node = hue(meetings("2024-04-02")).node("I.2.2")
    assert node.explanation.startswith("02/04/2024: quá hạn 31/03/2024 → 0 điểm (số liệu: ")
    assert ": không" not in node.explanation  # not the no-credit values, the values read


# --- 4. one policy for "tối thiểu N" ------------------------------------------------------------


@pytest.mark.parametrize(
    ("node_id", "name", "count", "points"),
    [
        ("III.6.1", "digital_reports", 3, D(6)),  # 001 "Phát sinh và khai thác tối thiểu 5 báo cáo số"
        ("III.6.2", "digitized_data_tables", 4, D(8)),  # "Có tối thiểu 5 đối tượng dữ liệu"
        ("VI.9.1", "online_meetings", 2, D(4)),  # "Tối thiểu 05 cuộc họp"
        ("IV.4.2", "dx_trainings_held", 0, D(0)),  # "Có tổ chức tối thiểu 1 lần/ năm đạt 100% điểm"
        ("IV.4.2", "dx_trainings_held", 1, D(4)),
        ("IV.4.2", "dx_trainings_held", 3, D(4)),
    ],
)
def test_minimum_n_is_proportional_below_n(node_id: str, name: str, count: int, points: Decimal) -> None:
    node = HUE.nodes()[node_id]
    assert node.rule is not None and node.rule.kind == "count"
    assert hue({name: count}).node(node_id).points == points
    (alt,) = node.rule.alternatives or ()
    assert alt.name == "all-or-nothing" and alt.rule is not None


def test_every_minimum_n_rule_carries_the_other_reading() -> None:
    minimum = [
        c
        for c in HUE.criteria()
        if c.rule is not None
        and "tối thiểu" in (c.rule.text or "").lower()
        and c.rule.kind != "role"
        and c.rule.kind != "steps"  # I.4.1 prints its steps
    ]
    assert {c.id for c in minimum} == {"I.7.1", "III.6.1", "III.6.2", "IV.4.2", "IV.5.1", "VI.9.1"}
    for c in minimum:
        names = [a.name for a in c.rule.alternatives or ()]  # type: ignore[union-attr]
        # IV.5.1 also carries the title's count (audit8): 001:1451 "người dân", 001:1471 "người lao động"
        assert names == (["all-or-nothing", "title-count"] if c.id == "IV.5.1" else ["all-or-nothing"]), c.id
        assert "tối thiểu" in (c.rule.assumed or "").lower() or "III.6.1" in (c.rule.assumed or ""), c.id  # type: ignore[union-attr]


def test_check_compiles_each_alternative(write: Callable[..., Path]) -> None:
    rule = {
        "kind": "count",
        "input": "done",
        "target": 5,
        "alternatives": [
            {"name": "all-or-nothing", "reason": "x", "rule": {"kind": "yes_no", "input": "dones"}},
            {"name": "all-or-nothing", "reason": "y"},
        ],
    }
    data = definition_data(
        {"done": {"label": "Số báo cáo", "type": "integer", "unit": "item", "min": 0}},
        [criterion("F.1", 2, rule)],
    )
    problems = [p for p in check_file(write(dump_yaml(data))).problems if p.severity == "error"]
    assert sorted(p.code for p in problems) == ["invalid-value", "unknown-input"]
    assert any("alternative 'all-or-nothing'" in p.message for p in problems)


# --- 5. assumptions flagged ----------------------------------------------------------------------


def test_show_assumptions_lists_the_flagged_readings(capsys: pytest.CaptureFixture[str]) -> None:
    found = {a["id"]: a for a in assumptions(HUE)}
    for node_id in ("I.2.2", "I.2.3", "I.2.4", "I.2.5"):
        assert "forfeit" in found[node_id]["assumed"]
        assert any(alt.startswith("late-still-counts:") for alt in found[node_id]["alternatives"])
    assert "Không có sự cố xảy ra" in found["V.3.1"]["assumed"]
    thanh_hoa = [a for a in assumptions(THANH_HOA) if a["kind"] == "definition"]
    assert len(thanh_hoa) == 2
    assert "≥" in thanh_hoa[0]["title"] and "hoàn thành tiêu" in thanh_hoa[1]["assumed"]  # 003:68
    assert main(["show", "thanh-hoa-1829-commune", "--assumptions", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "[definition]" in out and "other reading:" in out


# --- 6. 707's printed and achievable maximum ------------------------------------------------------


def test_pillars_show_printed_and_achievable_maximum(capsys: pytest.CaptureFixture[str]) -> None:
    """002:133 "420 điểm … Kinh tế số 95": the KTS criteria add up to 94 (errata)."""
    result = cds_index.score(DISTRICT, {})
    pillars = {p["id"]: p for p in result.to_dict()["children"]}
    assert (pillars["KTS"]["stated"], pillars["KTS"]["achievable"], pillars["KTS"]["max"]) == (
        "95",
        "94",
        "94",
    )
    assert (pillars["CQS"]["stated"], pillars["CQS"]["achievable"]) == ("200", "200")
    assert "out of what the criteria can earn" in (DISTRICT.index.note or "")
    path = ROOT / "examples" / "hai-duong-707-district-huyen-a.yaml"
    assert main(["score", "hai-duong-707-district", str(path), "--depth", "1"]) == 0
    out = " ".join(capsys.readouterr().out.split())  # the note wraps at the terminal's width
    assert "theo quyết định 95 điểm; các tiêu chí cộng lại 94" in out
    assert "(theo quyết định: 420)" in out


# --- 7. explanations state what was read ----------------------------------------------------------


def test_v31_does_not_claim_a_handled_count() -> None:
    """001:1638 "Không có sự cố xảy ra." — V.3.1 reads no handled count; on main it said "đã xử lý 0"."""
    node = hue({"security_incidents": 2}).node("V.3.1")
    assert node.points == D(0)
    assert "đã xử lý" not in node.explanation and "chỉ “không có sự cố” đạt điểm" in node.explanation
    assert hue({"security_incidents": 0}).node("V.3.1").points == D(5)


# --- 8. check lists every erratum -------------------------------------------------------------------


BUNDLED = sorted([*DEFINITIONS.glob("*.yaml"), *DEFINITIONS.glob("overlays/*.yaml")])


@pytest.mark.usefixtures("english")  # reads the English words (#12)
@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_check_lists_every_erratum_with_its_kind(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from ruamel.yaml import YAML

    errata = YAML(typ="safe").load(path.read_text(encoding="utf-8")).get("errata", [])
    assert errata, path
    expected = sorted((e["kind"], [] if e["node"] in {"total", "document"} else [e["node"]]) for e in errata)
    assert main(["check", str(path), "--format", "json"]) == 0
    problems = json.loads(capsys.readouterr().out)["files"][0]["problems"]
    notes = [p for p in problems if p["code"] == "known-discrepancy"]
    assert sorted((erratum_kind(n["message"]), n["node"][-1:]) for n in notes) == expected
    assert main(["check", str(path)]) == 0
    assert capsys.readouterr().out.count("info[known-discrepancy]") == len(errata)
    assert main(["check", str(path), "--format", "github"]) == 0
    assert capsys.readouterr().out.count("::notice ") == len(errata)


# --- 9. the discrepancies of issue #10 are on record, each with its seed line --------------------


@pytest.mark.parametrize(
    ("definition", "node", "words"),
    [
        (DISTRICT, "document", "07 nhóm chỉ số thành phần"),
        (DISTRICT, "CQS.2.2.1", "chính phủ số"),
        (DISTRICT, "CQS.3.1", 'no closing ")"'),
        (DEPARTMENT, "CQS.3.1", 'no closing ")"'),
        (DISTRICT, "XHS.2.2.3", "nearly repeat"),
        (DISTRICT, "CQS.4.12", "Cổng/Trang"),
        (DISTRICT, "CQS.5.3", "Cài đặt phần mềm"),
        (DISTRICT, "CQS.5.4", "nâng cao năng lực"),
        (DEPARTMENT, "CQS.4.11", "Cổng Thông tin điện tử"),
        (DEPARTMENT, "CQS.5.1", "mô hình 04 lớp"),
        (HUE, "III.1", "dân số trưởng thành"),
        (HUE, "IV.2", "Có Quyết định"),
        (HUE, "IV.3", "Có Quyết định"),
        (HUE, "V.2", "IP botnet"),
        (HUE, "II.2.1", "II.1.1"),
        (HUE, "VI.5.2", "VI.5.1"),
        (HUE, "document", "Số lượng …"),
        (HUE, "document", "Tên phường/ thị xã/ thị trấn"),
        (THANH_HOA, "1.11", "2022 only"),
        (THANH_HOA, "4.8", "2022"),
        (THANH_HOA, "2.6", "50% in every year"),
        (THANH_HOA, "3.5", "60% (2022) to 95%"),
    ],
)
def test_discrepancy_on_record(definition: Any, node: str, words: str) -> None:
    notes = [e.note for e in definition.errata if e.node == node]
    assert any(words in note and "line" in note for note in notes), (node, notes)


def test_the_stray_semicolons_of_both_assignment_tables_are_on_record() -> None:
    for name, seed_line in (("tu-ky-707-district", "772"), ("tu-ky-107-commune", "873")):
        text = (DEFINITIONS / "overlays" / f"{name}.yaml").read_text(encoding="utf-8")
        assert 'stray ";"' in text and seed_line in text


# --- 10. the Huế header names its seed by file name ---------------------------------------------


def test_definitions_name_their_seed_by_file_name() -> None:
    for path in DEFINITIONS.glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        assert "/work/" not in text and "seeds/" not in text, path.name
    assert (
        "001_f57c432807bb7a5a.txt"
        in (DEFINITIONS / "hue-2263-commune.yaml").read_text(encoding="utf-8")[:600]
    )


# --- hostile inputs around the new checks --------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "codes", "status"),
    [
        ({"cbccvc_and_workers": "n/a", "staff_hues_registered": 25}, [], "not_applicable"),
        ({"staff_hues_registered": 25}, [], "not_reported"),  # the whole not reported: not checked
        ({"cbccvc_and_workers": 20, "staff_hues_registered": "hai mươi"}, ["input-type"], "invalid"),
        (
            {"cbccvc_and_workers": 20, "staff_hues_registered": {"self": 25, "appraised": 18}},
            ["input-constraint"],
            "invalid",
        ),  # the unit's own figure is above its whole too
        # 0 of 0: undefined, and said with the unit's problems, not only in the explanation (#11)
        ({"cbccvc_and_workers": 0, "staff_hues_registered": 0}, ["invalid-value"], "invalid"),
        (
            {"cbccvc_and_workers": 10**15 - 1, "staff_hues_registered": 10**15},
            ["input-constraint"],
            "invalid",
        ),
    ],
    ids=["whole-na", "whole-missing", "part-text", "self-above", "zero-of-zero", "huge"],
)
def test_constraints_on_hostile_values(values: dict[str, Any], codes: list[str], status: str) -> None:
    result = hue(values)
    assert [p.code for p in result.problems] == codes
    assert result.node("VI.8.1").status == status


def test_self_assessed_value_above_its_whole_is_named_as_such() -> None:
    result = hue({"cbccvc_and_workers": 20, "staff_hues_registered": {"self": 25, "appraised": 18}})
    assert "(self-assessed)" in result.problems[0].message  # "(tự đánh giá)" in Vietnamese (#12)


@pytest.mark.parametrize("date", ["2024-06-30", "2024-04-01"])
def test_quarter_boundaries_are_inclusive(date: str) -> None:
    """Quý 2 runs from 1.4 to the printed 30.6, both days included."""
    node = hue({"q2_meeting_held": {"value": True, "date": date}, "q2_meeting_chaired_by_head": False}).node(
        "I.2.3"
    )
    assert node.points == D(1) and not node.late


def test_the_date_column_and_a_dated_value_disagreeing_forfeit() -> None:
    """Two dates for one meeting, one outside the quarter: the criterion earns nothing, and says why."""
    node = hue(
        {
            "q1_meeting_held": {"value": True, "date": "2024-03-01"},
            "q1_meeting_chaired_by_head": True,
            "q1_meeting_date": "2024-05-01",
        }
    ).node("I.2.2")
    assert node.points == D(0) and "01/05/2024: quá hạn 31/03/2024" in node.explanation


def test_a_meeting_without_an_assessment_year_is_placed_by_its_own_date() -> None:
    result = cds_index.score(HUE, meetings("2024-02-10"))  # no year given
    assert result.node("I.2.2").points == D(2) and result.node("I.2.3").points == D(0)


def test_period_from_is_checked(write: Callable[..., Path]) -> None:
    rule = {"kind": "yes_no", "input": "met", "enforce_deadline": True, "period_from": "1.7"}
    bad = criterion("F.1", 1, rule, deadline="31.3")
    nonsense = criterion("F.2", 1, {**rule, "period_from": "31.2"}, deadline="31.3")
    loose = criterion("F.3", 1, {"kind": "yes_no", "input": "met", "period_from": "1.1"}, deadline="31.3")
    data = definition_data({"met": {"label": "Có họp", "type": "boolean"}}, [bad, nonsense, loose])
    messages = sorted(p.message for p in check_file(write(dump_yaml(data))).problems if p.severity == "error")
    assert messages == [
        "`period_from` 1.7 is after the deadline 31.3",
        "`period_from` 31.2 is not a day of the year",
        "`period_from` is set but `enforce_deadline` is not",
    ]


def test_checklist_requires_and_summed_ratio_are_checked(write: Callable[..., Path]) -> None:
    inputs = {
        "held": {"label": "Có họp", "type": "boolean"},
        "chaired": {"label": "Chủ trì", "type": "boolean"},
        "a": {"label": "Số A", "type": "integer", "unit": "item", "min": 0},
        "b": {"label": "Số B", "type": "integer", "unit": "item", "min": 0},
    }
    items = [{"input": "held", "points": 1}, {"input": "chaired", "points": 1, "requires": "hled"}]
    data = definition_data(
        inputs,
        [
            criterion("F.1", 2, {"kind": "checklist", "items": items}),
            criterion("F.2", 1, {"kind": "ratio", "input": ["a", "b"]}),
        ],
    )
    errors = [p for p in check_file(write(dump_yaml(data))).problems if p.severity == "error"]
    assert sorted((p.code, p.node[-1]) for p in errors) == [
        ("invalid-value", "F.2"),
        ("unknown-input", "F.1"),
    ]
    assert any("'hled'" in p.message for p in errors)


# --- audit8: a criterion-by-criterion audit against the seeds ----------------------------------
# Each finding quotes its seed line as extracted (lost letters and all). Where the seeds are on this
# machine (CDS_SEEDS, default /work/shared/seeds) the quotation is also checked against that line.

SEEDS = Path(os.environ.get("CDS_SEEDS", "/work/shared/seeds"))
SEED_FILES = {
    "000": "000_62f2bce14513a7ba.txt",
    "001": "001_f57c432807bb7a5a.txt",
    "002": "002_8a1ecb598cb7ea50.txt",
    "003": "003_f915bf2d86d4aa07.txt",
    "004": "004_9cd115ae0dc74992.txt",
}


def seed_says(where: str, words: str) -> None:
    """`where` is "001:1402": the seed's line holds `words` (checked when the seed is at hand)."""
    seed, line = where.split(":")
    path = SEEDS / SEED_FILES[seed]
    if path.is_file():
        lines = path.read_text(encoding="utf-8").splitlines()
        assert words in lines[int(line) - 1], (where, lines[int(line) - 1])


def alternative(definition: Any, node_id: str, name: str) -> Any:
    node = definition.nodes()[node_id]
    (alt,) = [a for a in node.rule.alternatives or () if a.name == name]
    assert alt.rule is not None, (node_id, name)
    return alt


def score_alternative(definition: Any, node_id: str, name: str, values: dict[str, Any]) -> Any:
    from cds_index.analyse.sensitivity import _variant

    variant = _variant(definition, {node_id: alternative(definition, node_id, name).rule})
    return cds_index.score(variant, values, year=2024).node(node_id)


@pytest.mark.parametrize("definition", [HUE, DISTRICT, DEPARTMENT, THANH_HOA], ids=lambda d: d.id)
def test_every_alternative_keeps_its_criterions_applicability(definition: Any) -> None:
    """001:1404 "khi có triển khai" (IV.4.1) and 001:2264 "( hi" … "đã triển  hai)" (VI.11.1): a reading
    of how the points are earned does not make a criterion assessed where the decision says it is not."""
    seed_says("001:1404", "gia đào tạo  hi có triển  hai")
    seed_says("001:2264", "n n tảng trợ l  ảo ( hi")
    for _, node in definition.walk():
        if node.rule is None or node.rule.applicable_if is None:
            continue
        for alt in node.rule.alternatives or ():
            if alt.rule is not None:
                assert alt.rule.applicable_if == node.rule.applicable_if, (node.id, alt.name)


@pytest.mark.parametrize(
    ("node_id", "name", "gate"),
    [
        ("IV.4.1", "all-or-nothing", "moic_online_training_deployed"),
        ("IV.4.1", "title-count", "moic_online_training_deployed"),
        ("VI.11.1", "all-or-nothing", "virtual_assistant_deployed"),
        ("I.2.1", "title-count", "leader_in_district_dx_committee"),
    ],
)
def test_an_alternative_is_not_assessed_where_its_criterion_is_not(
    node_id: str, name: str, gate: str
) -> None:
    values = {gate: False, "cbccvc": 10, "cbccvc_and_workers": 12, "staff_in_moic_online_training": 3}
    assert score_alternative(HUE, node_id, name, values).status == "not_applicable"


# (criterion, alternative, its numerator, its whole, seed line of the other count, its words)
COUNTS = [
    (
        "I.2.1",
        "title-count",
        "district_dx_meetings_attended",
        "district_dx_meetings_held",
        "001:137",
        "Tham gia đầy đủ các",
    ),
    (
        "I.8.2",
        "condition-count",
        "cbccvc_on_hues_internal_channel",
        "cbccvc",
        "001:691",
        "100  CBCCVC truy cập",
    ),
    (
        "III.1.1",
        "title-count",
        "staff_with_smartphone",
        "cbccvc_and_workers",
        "001:861",
        "thuộc) có sử dụng điện",
    ),
    ("III.5.1", "condition-count", "cbccvc_cloud_accounts", "cbccvc", "001:1072", "100  CBCCVC đ ng"),
    (
        "IV.4.1",
        "title-count",
        "cbccvc_in_moic_online_training",
        "cbccvc",
        "001:1380",
        "Tỉ lệ công chức, viên",
    ),
    (
        "IV.5.1",
        "title-count",
        "residents_onetouch_trained",
        "population",
        "001:1451",
        "Tỉ lệ người dân trên địa",
    ),
    (
        "VIII.1.2",
        "title-count",
        "smartphone_residents_with_hues",
        "population",
        "001:2533",
        "tổng số dân trên địa bàn",
    ),
    ("VIII.6.1", "title-count", "residents_with_ehr", "population", "001:2774", "lệ người dân có hồ"),
]


@pytest.mark.parametrize(
    ("node_id", "name", "part", "whole", "where", "words"), COUNTS, ids=[c[0] for c in COUNTS]
)
def test_the_other_count_is_on_record(
    node_id: str, name: str, part: str, whole: str, where: str, words: str
) -> None:
    """Where the title and the condition count different people, the reading not chosen is scorable."""
    seed_says(where, words)
    alt = alternative(HUE, node_id, name)
    assert (alt.rule.kind, alt.rule.input, alt.rule.per) == ("ratio", part, whole)
    main_rule = HUE.nodes()[node_id].rule
    assert (main_rule.input, getattr(main_rule, "per", None)) != (part, whole)


def test_consultations_count_issues_and_the_other_reading_counts_opinions() -> None:
    """001:2895 "Số lượng vấn đ  lấy ý" (title); 001:2906 "Tối đa 10    iến/ n m, mỗi ý" (condition)."""
    seed_says("001:2895", "Số lượng vấn đ  lấy ý")
    seed_says("001:2906", "Tối đa 10    iến/ n m, mỗi ý")
    node = HUE.nodes()["VIII.9.1"]
    assert node.rule.input == "consultations_held" and "ý kiến" in (node.rule.assumed or "")
    assert hue({"consultations_held": 3}).node("VIII.9.1").points == D(3)
    alt = score_alternative(HUE, "VIII.9.1", "condition-count", {"consultation_opinions_received": 14})
    assert alt.points == D(10)


def test_cloud_data_has_a_yes_no_reading_and_its_rate_reading_quotes_the_title() -> None:
    """001:1099 "Có d  liệu phát sinh lưu tr" names no rate; the title (001:1081) does."""
    seed_says("001:1099", "Có d  liệu phát sinh lưu tr")
    values = {"staff_with_cloud_data": 1, "cbccvc_and_workers": 20}
    assert hue(values).node("III.5.2").points == D("0.25")
    assert score_alternative(HUE, "III.5.2", "condition-yes-no", values).points == D(5)
    (aon,) = [a for a in HUE.nodes()["III.5.2"].rule.alternatives or () if a.name == "all-or-nothing"]
    assert "names no rate" in aon.reason and "Tỉ lệ CBCCVC" in aon.reason


def test_meetings_attended_against_meetings_held() -> None:
    """001:153 "4 cuộc cho 4 qu  của" … "tham gia 1 cuộc được tính 0,5 điểm": 3 of 3 held earns 1.5."""
    seed_says("001:153", "Số lượng cuộc họp tham gia là 4 cuộc cho 4 qu  của")
    values = {
        "leader_in_district_dx_committee": True,
        "district_dx_meetings_attended": 3,
        "district_dx_meetings_held": 3,
    }
    assert hue(values).node("I.2.1").points == D("1.5")
    assert score_alternative(HUE, "I.2.1", "title-count", values).points == D(2)


@pytest.mark.parametrize(
    ("node_id", "where", "words", "reading"),
    [
        ("4.4", "003:1591", "(Khuyến khích đến cấp thôn)", "encouraged, not required"),
        ("4.5", "003:1623", "Có điểm phát wifi công cộng tại các địa điểm quan", "not whether it has one"),
    ],
)
def test_thanh_hoa_qualifiers_are_read_and_said(node_id: str, where: str, words: str, reading: str) -> None:
    """A qualifier in a 1829 title is not an exemption unless it says "(nếu có)" (003:1730, 4.8)."""
    seed_says(where, words)
    seed_says("003:1730", "(nếu có) trở thành điểm tư vấn")
    targets = THANH_HOA.nodes()[node_id].targets
    assert targets is not None and reading in (targets.assumed or "")
    result = cds_index.score(THANH_HOA, {targets.input: "Không"}, year=2024)
    assert result.node(node_id).status != "not_applicable"


@pytest.mark.parametrize(("definition", "row"), [(DEPARTMENT, "CQS.4.7.2"), (DISTRICT, "CQS.4.8.2")])
def test_a_shared_row_names_the_erratum_in_the_readers_words(definition: Any, row: str) -> None:
    """The shared-cell row's assumption says what the erratum is, not the format's key; the erratum
    names the alternatives it keeps (`split-5-5` is a rule on the row above, so "not encoded" was wrong)."""
    from cds_index.formats.model import ERRATUM_KINDS
    from cds_index.i18n import render

    assumed = definition.nodes()[row].rule.assumed or ""
    assert (
        "shared-points-cell" not in assumed and render(ERRATUM_KINDS["shared-points-cell"], "en") in assumed
    )
    above = definition.nodes()[row[:-1] + "1"]
    names = [a.name for a in above.rule.alternatives or ()]
    assert names == ["split-5-5", "level-3-or-above"]
    for erratum in definition.errata:
        if erratum.kind == "shared-points-cell":
            assert "not encoded" not in erratum.note and all(f"`{n}`" in erratum.note for n in names)


@pytest.mark.parametrize(("definition", "row"), [(DEPARTMENT, "CQS.4.8.1"), (DISTRICT, "CQS.4.9.1")])
def test_the_dossier_cells_prose_says_what_is_scored(definition: Any, row: str) -> None:
    """002:1138 "Tỷ lệ DVCTT mức độ 3 có phát sinh HSTT": the cell divides by the online services, and
    under split-5-5 a unit can reach 10 (every level with dossiers) but not past 5 with one level only."""
    seed_says("002:1138", "Tỷ lệ DVCTT mức độ 3 có phát sinh HSTT")
    node = definition.nodes()[row]
    assert "with online dossiers over the online services" in (node.rule.assumed or "")
    both = {
        "procedures_online_l3": 4,
        "procedures_online_l4": 6,
        "procedures_l3_with_dossiers": 4,
        "procedures_l4_with_dossiers": 6,
    }
    assert score_alternative(definition, row, "split-5-5", both).points == D(10)
    one = {**both, "procedures_online_l4": 0, "procedures_l4_with_dossiers": 0}
    assert score_alternative(definition, row, "split-5-5", one).points == D(5)
    assert cds_index.score(definition, one, year=2024).node(row).points == D(10)
    (split,) = [a for a in node.rule.alternatives or () if a.name == "split-5-5"]
    assert "all at one level" in split.reason and "every service online" not in split.reason


@pytest.mark.parametrize(
    ("definition", "row", "found", "handled", "where"),
    [
        (DEPARTMENT, "CQS.5.4.1", "cyberattacks", "cyberattacks_handled", "002:1416"),
        (DEPARTMENT, "CQS.5.5.1", "security_incidents", "security_incidents_self_handled", "002:1444"),
        (DISTRICT, "CQS.5.4.1", "cyberattacks", "cyberattacks_handled", "002:2923"),
        (DISTRICT, "CQS.5.4.2", "security_incidents", "security_incidents_self_handled", "002:2935"),
    ],
)
def test_an_incident_rate_has_its_proportional_reading(
    definition: Any, row: str, found: str, handled: str, where: str
) -> None:
    """707 titles these "Tỷ lệ …" (a rate) and prints only the maximum: all or nothing as encoded,
    in proportion to the share handled as the alternative, full points with no incident either way."""
    seed_says(where, "Tỷ lệ")
    points = definition.nodes()[row].points
    values = {found: 4, handled: 3}
    assert cds_index.score(definition, values, year=2024).node(row).points == D(0)
    assert score_alternative(definition, row, "proportional", values).points == points * D("0.75")
    none = {found: 0, handled: 0}
    assert score_alternative(definition, row, "proportional", none).points == points


def _seed_rows(seed: str) -> list[tuple[int, str, str]]:
    """The seed's table rows: (first line, printed number, the row's text without spaces or ";")."""
    import re

    lines = (SEEDS / SEED_FILES[seed]).read_text(encoding="utf-8").splitlines()
    starts = [
        (i, m.group(1))
        for i, line in enumerate(lines)
        if (m := re.match(r"\s*(\d+(?:\.\d+)+)(?:\s|$)", line))
    ]
    ends = [i for i, _ in starts[1:]] + [len(lines)]
    return [
        (i + 1, number, _squeezed("\n".join(lines[i:end])))
        for (i, number), end in zip(starts, ends, strict=True)
    ]


def _squeezed(text: str) -> str:
    import re
    import unicodedata

    return re.sub(r"[\s;]+", "", unicodedata.normalize("NFC", text))


@pytest.mark.parametrize(
    ("name", "seed", "shared"),
    [
        ("tu-ky-707-district", "000", {"CQS.2.4.1", "CQS.2.4.2"}),  # cells printed beside 2.4.3 (000:234)
        ("tu-ky-107-commune", "004", {"CQS.2.4.1", "CQS.2.4.3"}),  # cells printed beside 2.4.2 (004:263)
    ],
)
def test_every_assignment_is_printed_on_its_own_row(name: str, seed: str, shared: set[str]) -> None:
    """Each lead, coordinating unit and Ghi chú of the overlays is in the seed row of its number (audit8);
    the rows whose cells are printed once for several rows are the ones on record as such."""
    from ruamel.yaml import YAML

    if not (SEEDS / SEED_FILES[seed]).is_file():
        pytest.skip("the seeds are not on this machine")
    data = YAML(typ="safe").load((DEFINITIONS / "overlays" / f"{name}.yaml").read_text(encoding="utf-8"))
    items = (
        list(data["assignments"].items())
        if "assignments" in data
        else [(c["id"], c) for c in data["criteria"]]
    )
    rows, position, outside = _seed_rows(seed), 0, set()
    for key, cells in items:
        number = key.split(".", 1)[1]
        if key == "CQS.4.4.5":
            number = "4.4.4"  # 707's duplicate number, printed twice (errata)
        found = next(i for i in range(position, len(rows)) if rows[i][1] == number)
        position = found + 1
        words = [*(cells.get("lead") or []), *(cells.get("coordinating") or []), cells.get("timing") or ""]
        if not all(_squeezed(w) in rows[found][2] for w in words):
            outside.add(key)
    assert outside == shared


def test_handling_incidents_has_its_literal_and_proportional_readings() -> None:
    """001:1673 "- Có thực hiện xử l   hi xảy ra sự cố" against the guidance 001:1664 "xử l  100"."""
    seed_says("001:1673", "Có thực hiện xử l   hi xảy ra sự cố")
    seed_says("001:1664", "đảm bảo xử l  100")
    values = {"security_incidents": 4, "security_incidents_handled": 1}
    assert hue(values).node("V.4.1").points == D(0)
    assert score_alternative(HUE, "V.4.1", "any-handling", values).points == D(5)
    assert score_alternative(HUE, "V.4.1", "proportional", values).points == D("1.25")
    for name in ("any-handling", "proportional"):
        none = {"security_incidents": 0, "security_incidents_handled": 0}
        assert score_alternative(HUE, "V.4.1", name, none).points == D(5)
        unhandled = {"security_incidents": 2, "security_incidents_handled": 0}
        assert score_alternative(HUE, "V.4.1", name, unhandled).points == D(0)


@pytest.mark.parametrize(
    ("node_id", "flag", "where", "words"),
    [
        ("IV.2.1", "dx_staff_assignment_decision", "001:1298", "huyện   huyến  hích"),
        (
            "IV.3.1",
            "cybersecurity_staff_assignment_decision",
            "001:1350",
            "cấp xã   có thể sử dụng nhân sự chuyên trách, kiêm",
        ),
    ],
)
def test_a_part_time_assignment_earns_and_the_strict_reading_is_on_record(
    node_id: str, flag: str, where: str, words: str
) -> None:
    """001:1314 "chuyên trách trong Quyết định" beside "khuyến khích đối với cấp xã": at commune level
    full-time staff is encouraged, so a kiêm nhiệm decision earns as encoded; `full-time-only` does not."""
    seed_says(where, words)
    node = HUE.nodes()[node_id]
    assert "kiêm nhiệm" in (node.rule.assumed or "")
    assert hue({flag: True}).node(node_id).points == D(10)
    strict = {flag: True, alternative(HUE, node_id, "full-time-only").rule.input: False}
    assert score_alternative(HUE, node_id, "full-time-only", strict).points == D(0)


def test_the_smartphone_condition_scored_line_by_line() -> None:
    """001:877 "- 100  nhân sự sử dụng điện thoại thông minh" and 001:879 "- 100  nhân sự cài đặt  ue-S"."""
    seed_says("001:877", "100  nhân sự sử dụng điện thoại thông minh")
    seed_says("001:879", "100  nhân sự cài đặt  ue-S")
    values = {"cbccvc_and_workers": 20, "staff_with_smartphone": 20, "staff_with_smartphone_hues": 10}
    assert hue(values).node("III.1.1").points == D("1.5")
    assert score_alternative(HUE, "III.1.1", "each-line", values).points == D("2.25")
    assert score_alternative(HUE, "III.1.1", "title-count", values).points == D(3)


@pytest.mark.parametrize(
    ("definition", "row", "where"),
    [(DEPARTMENT, "CQS.4.10.1", "002:1206"), (DISTRICT, "CQS.4.11.1", "002:2743")],
)
def test_the_bcci_rate_over_the_procedures_the_title_names(definition: Any, row: str, where: str) -> None:
    """002:1206 "Tỷ lệ TTHC đã triển khai có phát sinh hồ sơ …": the title's denominator is on record."""
    seed_says(where, "Tỷ lệ TTHC đã triển khai có phát sinh hồ sơ")
    assert definition.nodes()[row].title.startswith("Tỷ lệ TTHC đã triển khai")
    values = {"procedures_total": 100, "procedures_bcci_deployed": 20, "procedures_with_bcci": 10}
    points = definition.nodes()[row].points
    assert cds_index.score(definition, values, year=2024).node(row).points == points * D("0.1")
    assert score_alternative(definition, row, "title-count", values).points == points * D("0.5")
