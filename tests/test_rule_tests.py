"""`cds-index test`: a name filter, a JUnit report, a trace of each failing criterion (#14)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cds_index.cli import main
from cds_index.testing import fold, name_filter, rule_text

pytestmark = pytest.mark.usefixtures("english")  # reads the English words of the failures (#12)

DEPARTMENT = """\
kind: tests
definition: hai-duong-707-department
cases:
  - name: Có chuyên mục CĐS
    values: {has_dx_section: có}
    expect: {points: {CQS.1.1.1: 2}}
  - name: Tỷ lệ sai — đếm nhầm
    values: {has_dx_section: true}
    expect: {points: {CQS.1.1.1: 2.01}, total: 3}
  - name: không báo cáo
    values: {}
    expect: {status: {CQS.1.1.1: not_reported}}
"""

TARGETS = """\
kind: tests
definition: thanh-hoa-1829-commune
cases:
  - name: kế hoạch năm 2023
    year: 2023
    values: {dx_targets_plan: Không}
    expect: {targets: {"1.1": met}}
"""


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    out = {}
    for name, text in {"department": DEPARTMENT, "targets": TARGETS}.items():
        out[name] = tmp_path / f"{name}.yaml"
        out[name].write_text(text, encoding="utf-8")
    out["broken"] = tmp_path / "broken.yaml"
    out["broken"].write_text(
        "kind: tests\ndefinition: no-such-definition\ncases: [{name: x, expect: {total: 1}}]\n",
        encoding="utf-8",
    )
    return out


def test_fold_ignores_case_and_vietnamese_marks() -> None:
    assert fold("Tỷ Lệ ĐÚNG") == "ty le dung"
    select = name_filter(["ty le", "BÁO"])
    assert select is not None
    assert select("Tỷ lệ sai") and select("không báo cáo") and not select("Có chuyên mục")
    assert name_filter([]) is None


@pytest.mark.parametrize(
    ("keyword", "code", "summary"),
    [
        (["chuyên mục"], 0, "1 passed, 0 failed, 2 deselected"),
        (["ty le"], 1, "0 passed, 1 failed, 2 deselected"),
        (["chuyen muc", "bao cao"], 0, "2 passed, 0 failed, 1 deselected"),
    ],
)
def test_name_filter(
    files: dict[str, Path], keyword: list[str], code: int, summary: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["test", str(files["department"])]
    for k in keyword:
        argv += ["-k", k]
    assert main(argv) == code
    assert capsys.readouterr().out.splitlines()[-1] == summary


def test_a_filter_that_matches_nothing_is_a_usage_error(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["test", str(files["department"]), "-k", "không có tên này"]) == 2
    assert "no case name matches -k không có tên này" in capsys.readouterr().err


def test_the_trace_names_rule_inputs_expected_and_actual(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["test", str(files["department"]), str(files["targets"])]) == 1
    out = capsys.readouterr().out
    assert f"FAIL {files['department']}:7: Tỷ lệ sai — đếm nhầm" in out
    assert "    CQS.1.1.1 points: expected 2.01, got 2\n" in out
    assert "        rule: `{kind: yes_no, input: has_dx_section}`; 2 points\n" in out
    assert "        read: has_dx_section = yes\n" in out
    assert "    total points: expected 3, got 2\n        (2/" in out and "earned by CQS.1.1.1 2)" in out
    # a yearly target: the targets as encoded and the value read
    assert f"FAIL {files['targets']}:4: kế hoạch năm 2023" in out
    assert "    1.1 target: expected met, got unmet\n" in out
    assert "rule: targets on dx_targets_plan: 2022: Có, 2023: Có, 2024: Có, 2025: Có" in out
    assert "read: dx_targets_plan = Không" in out
    assert out.splitlines()[-1] == "2 passed, 2 failed"


def test_junit_xml(files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = tmp_path / "junit.xml"
    code = main(["test", str(files["department"]), str(files["broken"]), "--junit-xml", str(report)])
    out = capsys.readouterr().out
    assert code == 1
    assert f"ERROR {files['broken']}: cannot run this tests file" in out
    suite = ET.parse(report).getroot().find("testsuite")  # our own file, written just now
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("4", "1", "1")
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == [
        "Có chuyên mục CĐS",
        "Tỷ lệ sai — đếm nhầm",
        "không báo cáo",
        "(unreadable)",
    ]
    failure = cases[1].find("failure")
    assert failure is not None and failure.get("message") == "CQS.1.1.1 points: expected 2.01, got 2"
    assert "rule: `{kind: yes_no" in (failure.text or "")
    assert cases[1].get("line") == "7" and cases[1].get("file") == str(files["department"])
    assert cases[0].find("failure") is None
    error = cases[3].find("error")
    assert error is not None and "no-such-definition" in (error.text or "")


def test_rule_text_of_a_parent_and_a_ratio() -> None:
    import cds_index

    d = cds_index.load("hai-duong-707-district")
    assert (
        rule_text(d, "CQS.4.1.1")
        == "`{kind: ratio, input: staff_with_email, per: district_staff, target: 1}`; 2 points"
    )
    assert rule_text(d, "CQS.1.1").startswith("sum of CQS.1.1.1, CQS.1.1.2")
    assert rule_text(d, "NO.SUCH") == ""


def test_a_rule_is_shown_as_the_yaml_its_author_writes() -> None:
    """Steps, tables and role maps were Python reprs (`steps=[{'min': '80', …}]`); each rule is YAML's
    flow style now, which reads back as the rule's own fields."""
    from ruamel.yaml import YAML

    import cds_index

    for definition_id in ("hai-duong-707-district", "hue-2263-commune"):
        d = cds_index.load(definition_id)
        for node in d.criteria():
            if node.rule is None:
                continue
            shown = str(rule_text(d, node.id))
            assert "'" not in shown.split("`")[1] or '"' in shown, shown  # no Python repr quotes
            read = YAML(typ="safe").load(shown.split("`")[1])
            assert read["kind"] == node.rule.kind
            written = node.rule.model_dump(by_alias=True, exclude_none=True)
            for key in set(read) - {"kind"}:
                assert _same(read[key], written[key]), (node.id, key, read[key], written[key])


def _same(read: Any, written: Any) -> bool:
    """A value YAML read back is the rule's own (numbers by value, dates as text)."""
    if isinstance(written, dict):
        return (
            isinstance(read, dict)
            and read.keys() == written.keys()
            and all(_same(read[k], written[k]) for k in read)
        )
    if isinstance(written, list | tuple):
        return isinstance(read, list) and len(read) == len(written) and all(map(_same, read, written))
    if isinstance(written, bool) or written is None:
        return read is written
    if isinstance(written, Decimal | int):
        return isinstance(read, int | float) and not isinstance(read, bool) and Decimal(str(read)) == written
    return str(read) == str(getattr(written, "value", written))


def test_junit_xml_survives_hostile_names(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A control character (legal in YAML's double quotes, illegal in XML) or markup in a case name."""
    tests = tmp_path / "hostile.yaml"
    tests.write_text(
        "kind: tests\n"
        "definition: hai-duong-707-department\n"
        "cases:\n"
        '  - name: "tab\\vvertical <b>&amp;</b> \\"quoted\\""\n'
        "    values: {has_dx_section: true}\n"
        "    expect: {points: {CQS.1.1.1: 1}}\n",
        encoding="utf-8",
    )
    report = tmp_path / "junit.xml"
    assert main(["test", str(tests), "--junit-xml", str(report)]) == 1
    capsys.readouterr()
    case = ET.parse(report).getroot().find("testsuite/testcase")  # parses: well-formed
    assert case is not None
    assert case.get("name") == 'tab\ufffdvertical <b>&amp;</b> "quoted"'


def test_junit_xml_into_a_missing_folder_is_a_usage_error(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "no" / "such" / "junit.xml"
    assert main(["test", str(files["department"]), "--junit-xml", str(target)]) == 2
    assert f"cannot write {target}" in capsys.readouterr().err


# --- properties -------------------------------------------------------------------------------


@given(st.text(), st.data())
def test_a_name_matches_any_part_of_itself(name: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(name)))
    end = data.draw(st.integers(start, len(name)))
    select = name_filter([name[start:end]])
    assert select is not None and select(name)


@given(st.text())
def test_any_case_name_gives_well_formed_junit_xml(name: str) -> None:
    import io

    from cds_index.testing import CaseOutcome, Mismatch, write_junit

    outcome = CaseOutcome("t.yaml", name, 3, [Mismatch("A.1", "points", name, "0", name)])
    out = io.BytesIO()
    write_junit([outcome], [("broken.yaml", name)], out)  # type: ignore[arg-type]
    root = ET.fromstring(out.getvalue())  # our own output: well-formed whatever the name
    case = root.find("testsuite/testcase")
    assert case is not None and case.get("name") is not None


def test_a_fifo_named_yaml_in_a_tests_folder_is_passed_over(tmp_path: Path) -> None:
    """Looking for `kind: tests` files never opens a FIFO (it would wait for a writer forever)."""
    import os

    from cds_index.testing import is_tests_file

    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    good = tmp_path / "ok.yaml"
    good.write_text("kind: tests\ndefinition: x\ncases: []\n", encoding="utf-8")
    assert is_tests_file(good)
    assert not is_tests_file(fifo)


def test_rule_tests_read_values_by_the_definitions_number_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A definition that declares `number_format: vi` reads a rule test's "1.000" as `score` does."""
    from tests.conftest import criterion, definition_data, dump_yaml

    rule = {"kind": "count", "input": "budget", "target": 1000}
    data = definition_data({"budget": {"label": "Kinh phí", "type": "number"}}, [criterion("P.1", 2, rule)])
    data["number_format"] = "vi"
    (tmp_path / "def.yaml").write_text(dump_yaml(data), encoding="utf-8")
    tests = tmp_path / "tests.yaml"
    tests.write_text(
        "kind: tests\ndefinition: def.yaml\ncases:\n"
        "  - name: một nghìn\n    values: {budget: '1.000'}\n    expect: {points: {P.1: 2}}\n",
        encoding="utf-8",
    )
    assert main(["test", str(tests)]) == 0, capsys.readouterr()


@pytest.fixture(autouse=True)
def _english(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command lines' messages pinned here are the English ones (#12: Vietnamese by default)."""
    monkeypatch.setenv("CDS_INDEX_LANG", "en")
