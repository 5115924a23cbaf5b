"""The pytest plugin collects `kind: tests` files as items, only when asked, with readable failures."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.usefixtures("english")  # reads the English words of the failures (#12)

pytest_plugins = ["pytester"]

TESTS_FILE = """\
kind: tests
definition: hai-duong-707-department
cases:
  - name: có chuyên mục
    values: {has_dx_section: true}
    expect: {points: {CQS.1.1.1: 2}}
  - name: sai một phần trăm
    values: {has_dx_section: true}
    expect: {points: {CQS.1.1.1: 2.01}}
  - name: không báo cáo
    values: {}
    expect: {status: {CQS.1.1.1: not_reported}}
"""

OTHER_YAML = """\
kind: inputs
definition: hai-duong-707-department
unit: {id: so-a}
values: {has_dx_section: true}
"""


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makefile(".yaml", rules=TESTS_FILE, unit=OTHER_YAML)
    pytester.makefile(
        ".yml", broken="kind: tests\ndefinition: hai-duong-707-department\ncases: [{name: x}]\n"
    )
    return pytester


def _plugin(pytester: pytest.Pytester) -> list[str]:
    """`-p` the plugin unless its entry point already loaded it (an installed cds-index)."""
    loaded = pytester.parseconfig().pluginmanager.has_plugin("cds_index.pytest_plugin")
    return [] if loaded else ["-p", "cds_index.pytest_plugin"]


def test_off_unless_asked(project: pytest.Pytester) -> None:
    result = project.runpytest(*_plugin(project))
    result.assert_outcomes()  # nothing collected: no test modules, and the YAML is left alone
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED


@pytest.mark.usefixtures("english")  # reads the English words (#12)
def test_flag_collects_each_case_and_fails_readably(project: pytest.Pytester) -> None:
    result = project.runpytest(*_plugin(project), "--cds-index-tests", "-v")
    # rules.yaml: 2 pass, 1 fails; broken.yml: one failing item; unit.yaml (kind: inputs): not collected
    result.assert_outcomes(passed=2, failed=2)
    result.stdout.fnmatch_lines(
        [
            "*broken.yml::(unreadable) FAILED*",
            "*rules.yaml::có chuyên mục PASSED*",
            "*rules.yaml::sai một phần trăm FAILED*",
            "*rules.yaml:7: sai một phần trăm",
            "*CQS.1.1.1 points: expected 2.01, got 2",
            "*rule: `{kind: yes_no, input: has_dx_section}`; 2 points",
            "*read: has_dx_section = yes",
        ]
    )
    result.stdout.fnmatch_lines(["*broken.yml:3:9: error[[]missing-key[]] missing required key 'expect'"])
    assert "unit.yaml" not in result.stdout.str()
    assert "Traceback" not in result.stdout.str()


def test_ini_option_and_name_selection(project: pytest.Pytester) -> None:
    project.makeini("[pytest]\ncds_index_tests = true\n")
    result = project.runpytest(*_plugin(project), "-k", "báo", "rules.yaml")
    result.assert_outcomes(passed=1, deselected=2)


def test_pytest_junit_xml_names_each_case(project: pytest.Pytester) -> None:
    import xml.etree.ElementTree as ET

    result = project.runpytest(*_plugin(project), "--cds-index-tests", "--junit-xml=report.xml", "rules.yaml")
    result.assert_outcomes(passed=2, failed=1)
    cases = ET.parse(project.path / "report.xml").getroot().iter("testcase")  # pytest's own report
    failed = {c.get("name"): c.find("failure") for c in cases}
    assert set(failed) == {"có chuyên mục", "sai một phần trăm", "không báo cáo"}
    failure = failed["sai một phần trăm"]
    assert failure is not None and "CQS.1.1.1 points: expected 2.01, got 2" in (failure.text or "")


@pytest.mark.parametrize("flag", [[], ["-p", "cds_index.pytest_plugin"]], ids=["entry point", "and -p"])
def test_the_installed_entry_point_loads_it_once(
    project: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path_factory: pytest.TempPathFactory,
    flag: list[str],
) -> None:
    """As after `pip install cds-index`: the pytest11 entry point declared in pyproject.toml, found
    on sys.path, loads the plugin; `-p` beside it must not register it a second time."""
    import tomllib

    from .conftest import ROOT

    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    lines = "".join(f"{name} = {target}\n" for name, target in declared["entry-points"]["pytest11"].items())
    site = tmp_path_factory.mktemp("site")
    dist = site / "cds_index_installed-0.1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: cds-index-installed\nVersion: 0.1.0\n")
    (dist / "entry_points.txt").write_text("[pytest11]\n" + lines, encoding="utf-8")
    monkeypatch.syspath_prepend(str(site))
    result = project.runpytest(*flag, "--cds-index-tests", "rules.yaml")
    result.assert_outcomes(passed=2, failed=1)
