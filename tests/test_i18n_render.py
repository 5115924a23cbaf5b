"""Terminal tables, the HTML report and the command line in the reader's language (#12, render-i18n).

Terminal tables never cut a title or a header mid-word: they measure display width (a decomposed
Vietnamese letter is one column) and wrap. Numbers are grouped by locale. Every command's normal
output, and its help, is in the language asked for (the leak detector of test_i18n_leaks.py).
"""

from __future__ import annotations

import copy
import functools
import html
import re
import unicodedata
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import cds_index
from cds_index.cli import main
from cds_index.render.report import batch_header, definition_table, result_table
from cds_index.render.terminal import grouped, wrap
from cds_index.render.terminal import width as display_width

from .conftest import DEFINITIONS, EXAMPLES
from .test_i18n_leaks import _assert_speaks, _content_of, leaks

HUE, WEAK = "hue-2263-commune", str(EXAMPLES / "hue-2263-commune-weak.yaml")
LONG = (
    "Tỷ lệ hồ sơ thủ tục hành chính được tiếp nhận, giải quyết trực tuyến toàn trình trên Cổng "
    "Dịch vụ công quốc gia của Ủy ban nhân dân cấp xã trong năm đánh giá"
)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


# --- display width and wrapping ----------------------------------------------------------------


def test_display_width_counts_what_shows() -> None:
    assert display_width("Điểm tối đa") == display_width(_nfd("Điểm tối đa")) == 11
    assert len(_nfd("Điểm tối đa")) > 11  # the code points are more: measuring them cut "đa"
    assert display_width("中文") == 4  # a wide character takes two columns


def test_a_header_wraps_whole_words() -> None:
    assert wrap("Điểm tối đa", 10) == ["Điểm tối", "đa"]
    assert wrap(_nfd("Điểm tối đa"), 10) == [_nfd("Điểm tối"), _nfd("đa")]
    assert wrap("Điểm tối đa", None) == ["Điểm tối đa"]  # a pipe: no width, nothing wrapped
    assert wrap("Siêudài", 3) == ["Siêudài"]  # a word wider than the column stays whole


WORDS = st.text(alphabet="aăâđeêoôơuưyỳýỷỹỵếềểễệ̣́̀̉̃ABĐ中", min_size=1, max_size=12)


@given(st.lists(WORDS, min_size=1, max_size=25), st.integers(min_value=1, max_value=60))
def test_wrapping_loses_nothing_and_keeps_to_the_width(words: list[str], size: int) -> None:
    text = " ".join(words)
    lines = wrap(text, size)
    assert " ".join(lines).split() == text.split()  # every word, whole, in order
    for line in lines:
        assert display_width(line) <= size or len(line.split()) == 1


# --- numbers grouped by locale -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "lang", "places", "text"),
    [
        ("9500000.5", "vi", None, "9.500.000,5"),
        ("9500000.5", "en", None, "9,500,000.5"),
        ("-1234567", "vi", None, "-1.234.567"),
        ("999", "vi", None, "999"),
        ("1000", "en", 2, "1,000"),
        ("12345.678", "vi", 2, "12.345,68"),
        ("0.5", "vi", None, "0,5"),
    ],
)
def test_numbers_are_grouped_by_locale(value: str, lang: Any, places: int | None, text: str) -> None:
    assert grouped(Decimal(value), lang, places) == text


def test_a_repeating_decimal_keeps_its_approximation_mark() -> None:
    assert grouped(Decimal(20000) / Decimal(3), "vi") == "≈6.666,6667"


# --- the result table: long Vietnamese titles, narrow terminals --------------------------------


@functools.cache
def _with_long_title(form: str) -> tuple[Any, str]:
    """The bundled definition with a long title on its first criterion, made (and so compiled) once
    per form for every test that reads it (none changes it)."""
    definition = cds_index.load(HUE)
    title = unicodedata.normalize(form, LONG)
    first = definition.tree[0].children[0]
    data = definition.model_dump(mode="json", by_alias=True, exclude_none=True)
    data = copy.deepcopy(data)
    data["tree"][0]["children"][0]["title"] = title
    changed = type(definition).model_validate(data)
    assert changed.tree[0].children[0].id == first.id
    return changed, title


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("form", ["NFC", "NFD"])
@pytest.mark.parametrize("size", [60, 100, None])
def test_a_long_title_is_whole_in_the_table(form: str, lang: Any, size: int | None) -> None:
    definition, title = _with_long_title(form)
    result = cds_index.score(definition, {}, lang=lang)
    table = result_table(result, lang=lang, size=size)
    assert "…" not in table
    # every word of the title, whole and in order, on the node's line and the lines under it
    flat = unicodedata.normalize("NFC", " ".join(table.split()))  # the loader may normalize titles
    assert unicodedata.normalize("NFC", " ".join(title.split())) in flat
    if size is not None:
        for line in table.splitlines():
            words = line.split()
            assert display_width(line) <= size or any(display_width(w) > 24 for w in words), line


def test_the_table_wraps_at_columns_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    definition, _ = _with_long_title("NFC")
    result = cds_index.score(definition, {}, lang="vi")
    monkeypatch.setenv("COLUMNS", "60")
    narrow = result_table(result, lang="vi")
    monkeypatch.delenv("COLUMNS")
    whole = result_table(result, lang="vi")  # not a terminal, no COLUMNS: lines whole
    assert max(display_width(line) for line in narrow.splitlines()[2:-4]) <= 60
    assert any(LONG in line for line in whole.splitlines())
    assert " ".join(narrow.split()).count("Cổng Dịch vụ công") == " ".join(whole.split()).count(
        "Cổng Dịch vụ công"
    )


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_table_groups_its_numbers(lang: Any) -> None:
    definition = cds_index.load("hai-duong-707-district")
    result = cds_index.score(definition, {}, lang=lang)
    text = result_table(result, lang=lang, size=None)
    total = {"vi": "Tổng điểm: 0/1.000", "en": "Total: 0/1,000"}[lang]
    assert total in text or str(result.max) != "1000"


def test_the_outline_wraps_under_its_title() -> None:
    definition, title = _with_long_title("NFD")
    text = definition_table(definition, "vi", size=60)
    assert _nfc(" ".join(title.split())) in _nfc(" ".join(text.split()))
    assert "Tổng cộng: " in text and "Total: " in definition_table(definition, "en", size=60)


@pytest.mark.parametrize("size", [None, 60, 120])
def test_a_batch_header_is_never_cut(size: int | None) -> None:
    definition = cds_index.load("hai-duong-707-district")
    header = batch_header(definition, "vi", size=size)
    assert "Điểm tối đ " not in header + " " and "Điểm tối đ\n" not in header
    words = " ".join(header.split())
    for name in ("Điểm tối đa", "Tổng điểm", "Trạng thái", "Tên đơn vị", "Mã đơn vị"):
        assert all(w in words.split() for w in name.split()), name
    if size is not None:  # 7 number columns cannot fit 60: the header wraps within the narrowest layout
        assert all(display_width(line) <= max(size, 82) for line in header.splitlines())


def test_a_batch_at_60_columns(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    assert main(["score", "hai-duong-707-district", str(EXAMPLES / "hai-duong-707-districts.csv")]) in {0, 1}
    out = capsys.readouterr().out
    assert all(display_width(line) <= 82 for line in out.splitlines()), out  # 10 columns: the narrowest
    assert "Điểm tối đ\n" not in out and "Huyện A (hư" in out
    assert max(display_width(line) for line in out.splitlines()) < 140  # narrower than without COLUMNS


# --- the HTML report ---------------------------------------------------------------------------


def _page(lang: Any) -> tuple[str, Any]:
    from cds_index.read.units_io import read_unit
    from cds_index.render.htmlreport import unit_report

    definition = cds_index.load(HUE)
    unit, _ = read_unit(definition, WEAK)
    assert unit is not None
    return unit_report(definition, cds_index.score(definition, unit, lang=lang), lang=lang), definition


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_html_report_speaks_the_language(lang: Any) -> None:
    page, definition = _page(lang)
    assert f'<html lang="{lang}">' in page
    day = definition.decision.date
    assert (day.strftime("%d/%m/%Y") if lang == "vi" else day.isoformat()) in page
    body = re.sub(r"<style>.*?</style>", " ", page, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", body))
    content = _content_of(*DEFINITIONS.glob(f"{HUE}*.yaml"), Path(WEAK), extra=["cds_index", "DOCTYPE"])
    _assert_speaks(text, lang, content)


def test_the_summary_page_speaks_english(tmp_path: Path) -> None:
    from cds_index.io.batch import score_many
    from cds_index.render.htmlreport import write_reports

    definition = cds_index.load("hai-duong-707-district")
    rows = score_many(definition, [str(EXAMPLES / "hai-duong-707-districts.csv")], lang="en")
    written, _ = write_reports(definition, rows, tmp_path, lang="en")
    page = written[0].read_text(encoding="utf-8")
    assert '<html lang="en">' in page and "Summary of results" in page and "Tổng hợp" not in page
    assert "Lowest" in page and "Highest" in page


# --- every command's normal output, and the help -----------------------------------------------

THANH = "thanh-hoa-1829-commune"
TARGETS = str(next(EXAMPLES.glob("thanh-hoa*.yaml"), EXAMPLES / "none.yaml"))
SCENARIO = str(EXAMPLES / "scenarios" / "hai-duong-707-district-online-services.yaml")
HUYEN = str(EXAMPLES / "hai-duong-707-district-huyen-a.yaml")

# (name, argv, {lang: the other helper's module whose words are still in the output})
COMMANDS: list[tuple[str, list[str], dict[str, str]]] = [
    ("list", ["list"], {}),
    ("show a table", ["show", HUE], {}),
    ("show markdown", ["show", HUE, "--format", "markdown"], {}),
    ("show assumptions", ["show", HUE, "--assumptions"], {}),
    ("score a unit", ["score", HUE, WEAK], {}),
    ("score brief", ["score", HUE, WEAK, "--brief", "--depth", "2"], {}),
    ("score a batch", ["score", "hai-duong-707-district", str(EXAMPLES / "hai-duong-707-districts.csv")], {}),
    ("report", ["report", HUE, WEAK, "-o", "{out}"], {}),
    ("template", ["template", HUE, "-o", "{out}/mau.yaml"], {}),
    ("test", ["test", str(Path(__file__).parent / "cases" / "hue-2263-ratios.yaml")], {}),
    ("check", ["check", str(DEFINITIONS / f"{HUE}.yaml")], {}),
    ("help", ["--help"], {}),
    ("help of score", ["score", "--help"], {}),
    ("help of report", ["report", "--help"], {}),
]


def _cases() -> list[Any]:
    cases = []
    for name, argv, gaps in COMMANDS:
        for lang in ("vi", "en"):
            module = gaps.get(lang)
            marks = [pytest.mark.xfail(reason=f"{module}: not converted yet", strict=True)] if module else []
            cases.append(pytest.param(argv, lang, marks=marks, id=f"{name}-{lang}"))
    return cases


def _argparse_own(text: str) -> str:
    """What argparse itself prints in the help: `{a,b}` choices and metavars, which are code."""
    from cds_index.cli.main import COMMANDS

    names = "|".join(c.__name__.rsplit(".", 1)[-1] for c in COMMANDS)
    text = re.sub(rf"cds-index(?: \w+)?|^\s+(?:{names})\b", " ", text, flags=re.M)  # prog, commands
    return re.sub(r"\{[^}]*\}|\b[A-Z][A-Z_|]+\b|--?[a-z][\w-]*", " ", text)


@functools.cache
def _command_content() -> tuple[str, ...]:
    """The decisions' words and the examples' values, gathered once for every command's case."""
    cells = (
        (EXAMPLES / "hai-duong-707-districts.csv").read_text(encoding="utf-8").replace("\n", ",").split(",")
    )
    return tuple(
        _content_of(*DEFINITIONS.rglob("*.yaml"), Path(WEAK), extra=["cds-index", "cds_index", "DTI", *cells])
    )


@pytest.mark.parametrize(("argv", "lang"), _cases())
def test_every_command_speaks_the_language(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    lang: str,
) -> None:
    """With ``CDS_INDEX_LANG`` (help is built before `--lang` is parsed, so the variable chooses it)."""
    monkeypatch.setenv("CDS_INDEX_LANG", lang)
    monkeypatch.delenv("COLUMNS", raising=False)
    code = main([a.format(out=tmp_path) for a in argv])
    out, err = capsys.readouterr()
    assert code in {0, 1}, err
    assert out + err
    content = list(_command_content())
    if argv[-1].endswith("hai-duong-707-districts.csv"):  # the batch header wraps the pillars' titles
        titles = [n.title for n in cds_index.load("hai-duong-707-district").tree]
        content += sorted({w for t in titles for w in t.split()}, key=len, reverse=True)
    text = _argparse_own(out + err) if "--help" in argv else out + err
    _assert_speaks(text, lang, content)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_lang_on_the_command_line_chooses_the_help(capsys: pytest.CaptureFixture[str], lang: str) -> None:
    assert main(["score", "--help", "--lang", lang]) == 0
    out = capsys.readouterr().out
    assert (
        ("cách dùng:" in out and "tùy chọn" in out)
        if lang == "vi"
        else ("usage:" in out and "options" in out)
    )
    assert leaks(_argparse_own(out), lang, ["cds-index", "DTI"]) == []


def test_an_unknown_language_still_gets_a_help_in_vietnamese(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CDS_INDEX_LANG", "fr")
    assert main(["list"]) == 2  # refused, never guessed
    assert "CDS_INDEX_LANG" in capsys.readouterr().err


def test_every_erratum_kind_has_its_label_in_both_languages() -> None:
    from typing import get_args

    from cds_index.formats.model import ERRATUM_KINDS, ErratumKind
    from cds_index.i18n import render

    assert set(ERRATUM_KINDS) == set(get_args(ErratumKind))
    for kind, label in ERRATUM_KINDS.items():
        vi, en = render(label, "vi"), render(label, "en")
        assert vi != en and kind not in vi.split() and kind not in en.split()


def test_the_markdown_errata_table_names_each_kind_in_the_readers_words() -> None:
    from cds_index.formats.model import ERRATUM_KINDS
    from cds_index.i18n import render
    from cds_index.render.report import definition_markdown

    definition = cds_index.load("hai-duong-707-department")
    for lang in ("vi", "en"):
        text = definition_markdown(definition, lang)
        errata = text.split("\n## ")[-1].splitlines()
        rows = errata[errata.index("|---|---|---|---|") + 1 :]
        assert len(rows) == len(definition.errata)
        for row, erratum in zip(rows, definition.errata, strict=True):
            cells = [c.strip() for c in row.strip("|").split(" | ")]
            assert cells[1] == render(ERRATUM_KINDS[erratum.kind], lang)
            assert "-" not in erratum.kind or erratum.kind not in row
    vi = definition_markdown(definition, "vi")
    assert "| 15 |" in vi  # the printed points in the reader's format
