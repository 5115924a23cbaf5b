"""The analyses and the `test` command speak the language asked for (#12, branch i18n-analyse).

`diff`, `gaps`, `whatif`, `sensitivity`, `rollup`, `rank` and `test` run on the bundled definitions and
examples, and on bad inputs (an unknown id, a day that is not one, a missing file, a failing case),
in Vietnamese and in English; the leak detector of tests/test_i18n_leaks.py looks at what they print.
Reading names of `sensitivity` (``index/sum``, ``weight/I×2``, ``split-5-5 (2 criteria)``) are
identifiers, as stable as problem codes: content here, like the decisions' words.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import cds_index
from cds_index.analyse.diff import diff, render_markdown, render_text
from cds_index.i18n import render
from cds_index.testing import rule_text, run_file

from .conftest import DEFINITIONS, EXAMPLES
from .test_i18n_leaks import _assert_speaks, _content_of, leaks

HUE, HD = "hue-2263-commune", "hai-duong-707-district"
HUE_UNITS = [str(EXAMPLES / f"hue-2263-commune-{n}.yaml") for n in ("weak", "average", "strong")]
SCENARIO = str(EXAMPLES / "scenarios" / "hai-duong-707-district-online-services.yaml")
REARRANGEMENT = EXAMPLES / "rearrangements" / "hue-communes.yaml"

FAILING_TESTS = """\
kind: tests
definition: hue-2263-commune
cases:
  - name: sai điểm
    year: 2024
    values: {{{values}}}
    expect:
      points: {{{node}: 999}}
      total: 1
  - name: không có mục
    values: {{}}
    expect:
      points: {{KHONG-CO: 1}}
"""


def _tests_file(tmp_path: Path) -> Path:
    definition = cds_index.load(HUE)
    yes_no = next(n for n, s in definition.inputs.items() if s.type == "boolean")
    node = next(c.id for c in definition.criteria() if c.rule is not None and yes_no in _inputs_of(c))
    path = tmp_path / "kiem-thu.yaml"
    path.write_text(FAILING_TESTS.format(values=f"{yes_no}: có", node=node), encoding="utf-8")
    return path


def _inputs_of(node: Any) -> str:
    return str(node.rule.model_dump(mode="json"))


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return {str(k) for k in value} | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list | tuple):
        return {k for v in value for k in _keys(v)}
    return set()


def _diff_keys() -> list[str]:
    """The format's keys a diff shows (`title: A → B`, `{from: …, to: …}`): code, as the user types them."""
    d = diff(cds_index.load(HD), cds_index.load(HUE))
    found = {name for name, _, _ in d.metadata} | _keys([[b, a] for _, b, a in d.metadata])
    for r in d.rules:
        found |= {k for k, _, _ in r.changes} | _keys([[b, a] for _, b, a in r.changes])
    return [f"{k}:" for k in found]


def _sensitivity_names() -> list[str]:
    from cds_index.analyse.sensitivity import sensitivity

    report = sensitivity(cds_index.load(HUE), HUE_UNITS, vary_index=True, vary_weights=True)
    return [r.name for r in report.readings]


# (name, argv) — {tests} is a failing tests file, {tmp} the test's folder
CASES: list[tuple[str, list[str]]] = [
    ("diff two definitions", ["diff", HD, HUE]),
    ("diff as markdown", ["diff", HD, HUE, "--format", "markdown"]),
    ("diff with a misspelt id", ["diff", "hue-2263-comune", HUE]),
    ("diff with a day that is not one", ["diff", f"{HUE}@2024-02-30", HUE]),
    ("diff with a missing file", ["diff", "{tmp}/khong-co.yaml", HUE]),
    ("gaps as markdown", ["gaps", HUE, HUE_UNITS[0], "--format", "markdown"]),
    (
        "gaps with an overlay",
        [
            "gaps",
            HD,
            str(EXAMPLES / "hai-duong-707-district-huyen-a.yaml"),
            "--overlay",
            str(DEFINITIONS / "overlays" / "tu-ky-707-district.yaml"),
        ],
    ),
    ("whatif", ["whatif", HD, SCENARIO, str(EXAMPLES / "hai-duong-707-districts.csv")]),
    (
        "whatif as markdown",
        ["whatif", HD, SCENARIO, str(EXAMPLES / "hai-duong-707-districts.csv"), "--format", "markdown"],
    ),
    ("rank", ["rank", HUE, *HUE_UNITS]),
    ("sensitivity", ["sensitivity", HUE, *HUE_UNITS, "--vary-index", "--vary-weights"]),
    ("sensitivity as markdown", ["sensitivity", HUE, *HUE_UNITS, "--format", "markdown"]),
    (
        "rollup",
        ["rollup", HUE, str(EXAMPLES / "rearrangements" / "2024"), "--rearrangement", str(REARRANGEMENT)],
    ),
    (
        "rollup compared",
        [
            "rollup",
            HUE,
            str(EXAMPLES / "rearrangements" / "2024"),
            "--rearrangement",
            str(REARRANGEMENT),
            "--compare",
            str(EXAMPLES / "rearrangements" / "2025"),
        ],
    ),
    (
        "rollup as markdown",
        [
            "rollup",
            HUE,
            str(EXAMPLES / "rearrangements" / "2024"),
            "--rearrangement",
            str(REARRANGEMENT),
            "--format",
            "markdown",
        ],
    ),
    ("test a failing file", ["test", "{tests}"]),
    ("test the bundled cases", ["test", str(Path(__file__).parent / "cases"), "-v"]),
]


@pytest.fixture(scope="module")
def content() -> list[str]:
    paths = [
        *DEFINITIONS.rglob("*.yaml"),
        *EXAMPLES.rglob("*.yaml"),
        *(Path(__file__).parent / "cases").glob("*"),
    ]
    import csv

    with (EXAMPLES / "hai-duong-707-districts.csv").open(encoding="utf-8") as handle:
        cells = [cell for row in csv.reader(handle) for cell in row]
    extra = [
        *cells,
        *_sensitivity_names(),
        *_diff_keys(),
        "hue-2263-comune",
        "KHONG-CO",
        "sai điểm",
        "không có mục",
    ]
    return _content_of(*paths, extra=extra)


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize(("argv"), [argv for _, argv in CASES], ids=[name for name, _ in CASES])
def test_analyses_speak_the_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: list[str], argv: list[str], lang: str
) -> None:
    from cds_index.cli import main

    tests = _tests_file(tmp_path)
    main([a.format(tests=tests, tmp=tmp_path) for a in argv] + ["--lang", lang])
    out, err = capsys.readouterr()
    assert out + err
    _assert_speaks(out + err, lang, [*content, str(tests), str(tmp_path)])


# --- the library: the same words without the command line ------------------------------------------


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_diff_is_in_the_language_with_its_numbers_and_dates(lang: str) -> None:
    d = diff(cds_index.load(HD), cds_index.load(HUE))
    text, markdown = render_text(d, lang=lang), render_markdown(d, lang=lang)
    if lang == "vi":
        assert "từ 24/03/2022" in text and "tổng điểm theo quyết định: 420 → 600" in text
        assert "| hiệu lực từ | 24/03/2022 | 27/09/2023 |" in markdown
    else:
        assert "from 2022-03-24" in text and "stated total: 420 → 600" in text
        assert "| in force from | 2022-03-24 | 2023-09-27 |" in markdown
    content = _content_of(*DEFINITIONS.glob("*.yaml"), extra=_diff_keys())
    assert leaks(text + markdown, lang, content) == []


def test_a_diff_follows_the_chosen_language_when_none_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    d = diff(cds_index.load(HD), cds_index.load(HUE))
    monkeypatch.setenv("CDS_INDEX_LANG", "en")
    assert "stated total" in render_text(d)
    monkeypatch.setenv("CDS_INDEX_LANG", "vi")
    assert "tổng điểm theo quyết định" in render_text(d)


@pytest.mark.parametrize(
    ("ref", "vi", "en"),
    [
        ("hue-2263-comune", "có phải ý bạn là 'hue-2263-commune'?", "did you mean 'hue-2263-commune'?"),
        ("hue-2263-commune@2024-02-30", "không phải một ngày có thật", "is not a day of the calendar"),
        ("khong-co.yaml", "không có tệp", "no such file"),
        ("", "một bộ chỉ số được gọi bằng mã", "a definition is named by its id"),
    ],
)
def test_the_resolver_speaks_both_languages(ref: str, vi: str, en: str) -> None:
    with pytest.raises(cds_index.CdsIndexError) as caught:
        cds_index.load(ref)
    assert vi in caught.value.format("vi") and en in caught.value.format("en")
    for lang in ("vi", "en"):
        _assert_speaks(
            caught.value.format(lang), lang, [ref, "hue-2263-commune", HD, "tinh-x-commune-fictional"]
        )


def _versions(tmp_path: Path) -> Path:
    text = (DEFINITIONS / f"{HUE}.yaml").read_text(encoding="utf-8")
    (tmp_path / f"{HUE}@a.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def test_no_version_in_force_gives_dates_by_locale(tmp_path: Path) -> None:
    folder = _versions(tmp_path)
    with pytest.raises(cds_index.CdsIndexError) as caught:
        cds_index.load(HUE, on=dt.date(2001, 2, 3), folder=folder)
    vi, en = caught.value.format("vi"), caught.value.format("en")
    assert "không có phiên bản nào" in vi and "03/02/2001" in vi and "27/09/2023" in vi
    assert "no version of" in en and "2001-02-03" in en and "covers 2023-09-27" in en


def test_a_long_list_of_known_ids_is_cut_in_the_language(tmp_path: Path) -> None:
    text = (DEFINITIONS / f"{HUE}.yaml").read_text(encoding="utf-8")
    for n in range(25):
        (tmp_path / f"d{n:02}.yaml").write_text(
            text.replace(f"id: {HUE}", f"id: d{n:02}", 1), encoding="utf-8"
        )
    with pytest.raises(cds_index.CdsIndexError) as caught:
        cds_index.load("zzz", folder=tmp_path)
    assert "và 5 mã khác" in caught.value.format("vi")
    assert "and 5 more" in caught.value.format("en")


def test_a_failing_case_reads_expected_and_got_in_the_language(tmp_path: Path) -> None:
    (outcome, missing) = run_file(_tests_file(tmp_path))
    assert not outcome.passed and not missing.passed
    vi, en = outcome.describe("vi"), outcome.describe("en")
    assert ": cần 999, nhận được " in vi and "cách chấm: " in vi and "= có" in vi
    assert ": expected 999, got " in en and "rule: " in en and "= yes" in en
    assert "tổng (total) điểm" not in vi  # the node is the case's: `total` stays an id
    assert "không có mục này" in missing.describe("vi") and "no such node" in missing.describe("en")
    assert outcome.mismatches[0].headline("vi").endswith(tuple("0123456789"))


def test_numbers_of_the_test_command_follow_the_locale() -> None:
    from cds_index.testing import Mismatch, _text

    m = Mismatch("A.1", "points", _text(Decimal("1234.5")), _text(Decimal("0.25")))
    assert m.headline("vi") == "A.1 points: cần 1.234,5, nhận được 0,25"
    assert m.headline("en") == "A.1 points: expected 1,234.5, got 0.25"


def test_rule_text_is_a_message() -> None:
    definition = cds_index.load(HD)
    parent = definition.tree[0]
    text = rule_text(definition, parent.id)
    assert render(text, "vi").startswith("tổng của ") and render(text, "en").startswith("sum of ")
