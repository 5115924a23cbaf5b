"""Responsibility overlays: the two Tứ Kỳ overlays load, and `check_overlay` finds what is wrong."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from cds_index.errors import DefinitionError, UsageError
from cds_index.formats.model import Definition
from cds_index.formats.overlay import Overlay, check_overlay, unassigned
from cds_index.read.loader import load_model, read_yaml, validate_model
from cds_index.read.registry import load

ROOT = Path(__file__).resolve().parent.parent
OVERLAYS = ROOT / "definitions" / "overlays"


@pytest.fixture(scope="module")
def district() -> Definition:
    return load("hai-duong-707-district")


@pytest.fixture(scope="module")
def tu_ky() -> Overlay:
    return load_model(Overlay, OVERLAYS / "tu-ky-707-district.yaml")


@pytest.fixture(scope="module")
def commune() -> Overlay:
    return load_model(Overlay, OVERLAYS / "tu-ky-107-commune.yaml")


def overlay_from(text: str) -> tuple[Overlay, object]:
    doc, problems = read_yaml(text, "mem.yaml")
    assert problems == []
    overlay, problems = validate_model(Overlay, doc)
    assert overlay is not None, problems
    return overlay, doc


HEADER = """\
kind: overlay
id: test-overlay
title: Thử
applies_to: hai-duong-707-district
source: {document: Công văn thử, date: "2022-08"}
"""


# --- the bundled overlays ---------------------------------------------------------------------


def test_tu_ky_assigns_every_district_criterion(tu_ky: Overlay, district: Definition) -> None:
    assert tu_ky.assignments is not None
    assert len(tu_ky.assignments) == len(district.criteria()) == 159
    assert check_overlay(tu_ky, district) == []
    assert unassigned(tu_ky, district) == []
    first = tu_ky.assignments["CQS.1.1.1"]
    assert first.lead == ["Đài Phát thanh", "Ban Biên tập Cổng TTĐT huyện"]
    assert first.coordinating == ["Phòng VH&TT huyện", "Văn phòng HĐND&UBND huyện"]
    assert first.timing == "Triển khai xây dựng ngay"
    # 707's second "4.4.4" is CQS.4.4.5; the overlay keeps the printed number
    assert tu_ky.assignments["CQS.4.4.5"].printed_id == "4.4.4"
    assert tu_ky.source.date == "2022-08"  # the day is blank in the letter


def test_commune_overlay_maps_onto_district_ids(commune: Overlay, district: Definition) -> None:
    assert commune.criteria is not None and commune.assignments is None
    assert len(commune.criteria) == 85
    assert commune.source.date == dt.date(2022, 8, 25)
    problems = check_overlay(commune, district)
    assert [p.code for p in problems] == ["overlay-unassigned"]
    assert problems[0].severity == "warning"
    missing = unassigned(commune, district)
    assert len(missing) == 159 - 85
    assert "CQS.1.1.2" in missing and "CQS.1.1.3" not in missing  # commune 1.1.2 adapts district 1.1.3
    for criterion_id in missing:
        assert criterion_id in problems[0].message
    # renumbered rows: commune KTS 4.1 is the district's KTS.5.7.1
    rows = commune.assignment_for("KTS.5.7.1")
    assert [(r.id, r.lead) for r in rows] == [("KTS.4.1", ["Điện lực Tứ Kỳ", "UBND xã"])]  # type: ignore[attr-defined]


# --- check_overlay ----------------------------------------------------------------------------


def test_unknown_assignment_id_has_code_and_line(district: Definition) -> None:
    overlay, doc = overlay_from(
        HEADER
        + """\
assignments:
  CQS.1.1.1: {lead: [Phòng VH&TT huyện]}
  CQS.9.9.9: {lead: [Phòng VH&TT huyện]}
  CQS.1.1: {lead: [Phòng VH&TT huyện]}
"""
    )
    problems = check_overlay(overlay, district, locate=doc.location)  # type: ignore[attr-defined]
    unknown = [p for p in problems if p.code == "overlay-unknown-node"]
    assert [(p.location.file, p.location.line) for p in unknown] == [("mem.yaml", 8), ("mem.yaml", 9)]
    assert "not a node" in unknown[0].message
    assert "a heading, not a criterion" in unknown[1].message  # CQS.1.1 is a component


def test_unassigned_is_one_warning_listing_the_criteria(district: Definition) -> None:
    overlay, _ = overlay_from(HEADER + "assignments:\n  CQS.1.1.1: {lead: [Phòng VH&TT huyện]}\n")
    problems = check_overlay(overlay, district)
    assert [(p.code, p.severity) for p in problems] == [("overlay-unassigned", "warning")]
    assert problems[0].message.startswith("158 of 159 criteria")
    assert "CQS.1.1.2" in problems[0].message and "CQS.1.1.1," not in problems[0].message
    assert unassigned(overlay, district)[:2] == ["CQS.1.1.2", "CQS.1.1.3"]


def test_adapted_list_unknown_correspondence_and_duplicate_id(district: Definition) -> None:
    overlay, doc = overlay_from(
        HEADER
        + """\
sections:
  - {id: CQS, title: CHÍNH QUYỀN SỐ, corresponds_to: CQS}
  - {id: CQS.9, title: Không có, corresponds_to: CQS.9}
criteria:
  - {id: CQS.1.1.1, title: Có Chuyên mục, corresponds_to: CQS.1.1.1, lead: [UBND xã]}
  - {id: CQS.1.1.1, title: Lặp số, corresponds_to: null}
  - {id: CQS.1.1.2, title: Sai tương ứng, corresponds_to: CQS.1.1.9}
"""
    )
    problems = check_overlay(overlay, district, locate=doc.location)  # type: ignore[attr-defined]
    by_code = {}
    for p in problems:
        by_code.setdefault(p.code, []).append(p)
    assert by_code["duplicate-id"][0].location.line == 11
    lines = sorted(p.location.line for p in by_code["overlay-unknown-node"])
    assert lines == [8, 12]  # the heading's and the criterion's corresponds_to
    assert by_code["overlay-unassigned"][0].severity == "warning"


def test_overlay_for_another_definition_is_refused() -> None:
    overlay, _ = overlay_from(HEADER + "assignments: {}\n")
    with pytest.raises(UsageError):
        check_overlay(overlay, load("hai-duong-707-department"))


# --- the model --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        # exactly one of `assignments` and `criteria`
        ("assignments: {}\ncriteria: []\n", "either `assignments`"),
        ("description: nothing\n", "either `assignments`"),
        # sections belong to an adapted list
        ("assignments: {}\nsections: []\n", "`sections` go with `criteria`"),
        # unknown keys are errors, not silently ignored
        ("assignments:\n  CQS.1.1.1: {leads: [x]}\n", "leads"),
    ],
)
def test_shape_errors(body: str, fragment: str) -> None:
    doc, _ = read_yaml(HEADER + body, "bad.yaml")
    overlay, problems = validate_model(Overlay, doc)
    assert overlay is None
    assert any(fragment in p.message for p in problems), [p.message for p in problems]


@pytest.mark.parametrize(
    ("date", "ok"),
    [('"2022"', True), ('"2022-08"', True), ("2022-08-25", True), ('"2022-8"', False), ('"tháng 8"', False)],
)
def test_partial_dates(date: str, ok: bool) -> None:
    text = HEADER.replace('date: "2022-08"', f"date: {date}") + "assignments: {}\n"
    doc, _ = read_yaml(text, "d.yaml")
    overlay, _ = validate_model(Overlay, doc)
    assert (overlay is not None) == ok


def test_titles_are_nfc() -> None:
    decomposed = "Co\u0301 Chuye\u0302n mu\u0323c"
    row = f"  - {{id: A.1, title: {decomposed}, corresponds_to: null}}\n"
    overlay, _ = overlay_from(HEADER + "criteria:\n" + row)
    assert overlay.criteria is not None
    assert overlay.criteria[0].title == "Có Chuyên mục"


def test_check_command_reports_an_overlay() -> None:
    from cds_index.check.checking import check_file

    report = check_file(OVERLAYS / "tu-ky-707-district.yaml")
    assert report.ok and report.kind == "overlay" and report.id == "tu-ky-707-district"
    assert report.facts["rows"] == 159


def test_load_model_raises_with_position(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(HEADER + "assignments:\n  CQS.1.1.1: {lead: [a], timng: Hằng năm}\n", encoding="utf-8")
    with pytest.raises(DefinitionError) as err:
        load_model(Overlay, bad)
    assert err.value.problems[0].code == "unknown-key"
    assert err.value.problems[0].location.line == 7
