"""Messages in the reader's language (#12): catalogues, lazy messages, the one language choice, numbers."""

from __future__ import annotations

import ast
import datetime as dt
import os
import pickle
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import cds_index
from cds_index import i18n
from cds_index.errors import CODES, Problem, code_title, did_you_mean
from cds_index.i18n import LanguageError, Message, T, accept_language, choose_language, render, using

from .conftest import ROOT

SRC = ROOT / "src" / "cds_index"
LOCALE_VARS = ("CDS_INDEX_LANG", "LC_ALL", "LC_MESSAGES", "LANG")


def _catalogue(lang: str) -> dict[str, str]:
    from babel.messages.pofile import read_po

    with i18n.catalogue_path(lang).open("rb") as handle:
        return {m.id: m.string for m in read_po(handle) if m.id}


def _msgids_in_source() -> set[str]:
    """Every literal first argument of ``T(...)`` in the package, read from its syntax trees."""
    found: set[str] = set()
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "T":
                (first, *_) = node.args
                assert isinstance(first, ast.Constant), f"{path}:{node.lineno}: T() of a non-literal"
                found.add(first.value)
    return found


# --- the catalogues --------------------------------------------------------------------------------


def test_every_message_of_the_code_is_in_both_catalogues() -> None:
    """`pybabel extract` + `update` were run: no message of the code is missing from a catalogue."""
    used = _msgids_in_source()
    assert len(used) > 200
    for lang in ("vi", "en"):
        missing = sorted(used - set(_catalogue(lang)))
        assert missing == [], f"{lang}: run the steps of docs/translators.md; missing {missing[:5]}"


def test_vietnamese_is_complete_and_keeps_every_placeholder() -> None:
    vi = _catalogue("vi")
    untranslated = sorted(msgid for msgid, text in vi.items() if not text)
    assert untranslated == []
    for msgid, text in vi.items():
        assert i18n.placeholders(text) == i18n.placeholders(msgid), msgid


def test_english_is_the_identity() -> None:
    """The English catalogue exists (a language to add is copied from it) and translates nothing."""
    assert set(_catalogue("en").values()) == {""}


def test_every_problem_code_has_a_vietnamese_and_an_english_title() -> None:
    for code, title in CODES.items():
        assert isinstance(title, Message), code
        english, vietnamese = code_title(code, "en"), code_title(code, "vi")
        assert english == str(title) and english.strip(), code
        assert vietnamese.strip() and vietnamese != english, code


def test_the_catalogue_is_compiled_in_memory_without_a_mo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A source checkout has only the .po: it is compiled on first use; a .mo older than it is ignored."""
    folder = tmp_path / "vi" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    po = folder / "cds_index.po"
    po.write_bytes(i18n.catalogue_path("vi").read_bytes())
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    monkeypatch.setattr(i18n, "_TRANSLATIONS", {})
    assert render(T("yes"), "vi") == "có"
    # a stale .mo (older than its .po) that says otherwise is not read
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    stale = Catalog(locale="vi")
    stale.add("yes", "CŨ")
    with (folder / "cds_index.mo").open("wb") as out:
        write_mo(out, stale)
    os.utime(folder / "cds_index.mo", (1, 1))
    monkeypatch.setattr(i18n, "_TRANSLATIONS", {})
    assert render(T("yes"), "vi") == "có"
    # a fresh .mo is read as it is (the wheel's case)
    os.utime(folder / "cds_index.mo", None)
    os.utime(po, (1, 1))
    monkeypatch.setattr(i18n, "_TRANSLATIONS", {})
    assert render(T("yes"), "vi") == "CŨ"


def test_a_missing_catalogue_is_an_error_not_english(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    monkeypatch.setattr(i18n, "_TRANSLATIONS", {})
    with pytest.raises(FileNotFoundError, match="catalogue is missing"):
        render(T("yes"), "vi")


def test_the_build_hook_compiles_what_the_runtime_compiles(tmp_path: Path) -> None:
    """hatch_build.py and the runtime fallback write the same .mo bytes (one compiler: Babel's)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    po = i18n.catalogue_path("vi")
    with po.open("rb") as handle:
        catalog = read_po(handle, domain="cds_index")
    out = tmp_path / "x.mo"
    with out.open("wb") as handle:
        write_mo(handle, catalog, use_fuzzy=False)
    assert out.read_bytes() == i18n.compile_po(po)
    hook = (ROOT / "hatch_build.py").read_text(encoding="utf-8")
    assert "write_mo(out, catalog, use_fuzzy=False)" in hook


# --- lazy messages ---------------------------------------------------------------------------------


def test_a_message_is_its_english_text_and_renders_per_language() -> None:
    message = T("expected a number, got {value}", value="'25 người'")
    assert message == "expected a number, got '25 người'"
    assert isinstance(message, str) and "25 người" in message
    assert render(message, "en") == "expected a number, got '25 người'"
    assert render(message, "vi") == "cần một số, nhận được '25 người'"
    assert render("Nhận thức số", "en") == "Nhận thức số"  # the decision's words: as they are


def test_a_cached_problem_is_rendered_in_the_language_asked_each_time() -> None:
    problem = Problem("input-range", T("{value} is above the maximum {max}", value=Decimal(9500), max=100))
    assert "9.500 lớn hơn mức tối đa 100" in problem.format("vi")
    assert "9,500 is above the maximum 100" in problem.format("en")
    assert "9.500 lớn hơn" in problem.format("vi")  # nothing was frozen by the first rendering
    assert problem.to_dict("en")["message"] == "9,500 is above the maximum 100"
    assert problem.message == "9500 is above the maximum 100"  # the str value: as the code wrote it


def test_parameters_are_rendered_nested_and_by_locale() -> None:
    inner = did_you_mean("staf", ["staff"])
    assert inner is not None
    message = T("{name}: {message}", name="staf", message=inner)
    assert render(message, "vi") == "staf: có phải ý bạn là 'staff'?"
    when = T(
        "{value} is not a date of the calendar (day {day}, month {month})",
        value=dt.date(2025, 6, 20),
        day="31",
        month="2",
    )
    assert render(when, "vi").startswith("20/06/2025 ")
    assert render(when, "en").startswith("2025-06-20 ")
    amount = T("{value} is below the minimum {min}", value=Decimal("9500000.5"), min=Decimal("10000000"))
    assert render(amount, "vi") == "9.500.000,5 nhỏ hơn mức tối thiểu 10.000.000"
    assert render(amount, "en") == "9,500,000.5 is below the minimum 10,000,000"


def test_a_problem_format_puts_hint_and_node_in_the_language() -> None:
    problem = Problem(
        "unknown-key",
        T("unknown key {key}", key="'tittle'"),
        node=("A",),
        hint=did_you_mean("tittle", ["title"]),
    )
    assert problem.format("vi").endswith(
        "khoá không hợp lệ 'tittle' (tại A)\n    gợi ý: có phải ý bạn là 'title'?"
    )
    assert problem.format("en").endswith("unknown key 'tittle' (at A)\n    hint: did you mean 'title'?")
    assert "error[unknown-key]" in problem.format("vi")  # severity and code: stable for tools


def test_messages_survive_pickling_as_messages() -> None:
    problem = Problem("input-type", T("expected a number, got {value}", value="'x'"))
    again = pickle.loads(pickle.dumps(problem))
    assert isinstance(again.message, Message) and render(again.message, "vi") == "cần một số, nhận được 'x'"


def test_a_translation_with_wrong_placeholders_shows_the_english(monkeypatch: pytest.MonkeyPatch) -> None:
    class Broken:
        def gettext(self, msgid: str) -> str:
            return "cần {khong_co}"

    monkeypatch.setitem(i18n._TRANSLATIONS, "vi", Broken())  # type: ignore[arg-type]
    assert render(T("expected a number, got {value}", value="'x'"), "vi") == "expected a number, got 'x'"


def test_a_msgid_without_its_parameter_fails_at_once() -> None:
    with pytest.raises(KeyError):
        T("expected a number, got {value}")


@given(st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**15), max_value=10**15, places=6))
def test_numbers_read_back_from_either_locale(value: Decimal) -> None:
    vi, en = i18n.number(value, "vi"), i18n.number(value, "en")
    assert Decimal(vi.replace(".", "").replace(",", ".")) == value
    assert Decimal(en.replace(",", "")) == value


def test_numbers_beyond_what_is_read_never_fail() -> None:
    assert i18n.number(Decimal("1e30"), "vi") == "1" + ".000" * 10
    assert i18n.number(Decimal("1e300"), "en") == "1E+300"
    assert i18n.number(Decimal("NaN"), "vi") == "NaN"


# --- choosing the language -------------------------------------------------------------------------


@pytest.fixture
def no_locale(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in LOCALE_VARS:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.mark.parametrize(
    ("environ", "explicit", "expected"),
    [
        ({}, None, "vi"),
        ({"LANG": "C.UTF-8"}, None, "vi"),
        ({"LANG": "fr_FR.UTF-8"}, None, "vi"),
        ({"LANG": "en_GB.UTF-8"}, None, "en"),
        ({"LANG": "en_GB.UTF-8", "LC_MESSAGES": "vi_VN.UTF-8"}, None, "vi"),
        ({"LC_MESSAGES": "vi_VN", "LC_ALL": "en_US.UTF-8"}, None, "en"),
        ({"LC_ALL": "en_US", "CDS_INDEX_LANG": "vi"}, None, "vi"),
        ({"CDS_INDEX_LANG": "EN"}, None, "en"),
        ({"CDS_INDEX_LANG": "en"}, "vi", "vi"),
        ({"LANG": "vi_VN"}, "en-US", "en"),
    ],
)
def test_explicit_then_environment_then_locale_then_vietnamese(
    no_locale: pytest.MonkeyPatch, environ: dict[str, str], explicit: str | None, expected: str
) -> None:
    for name, value in environ.items():
        no_locale.setenv(name, value)
    assert choose_language(explicit) == expected


@pytest.mark.parametrize(("explicit", "environ"), [("fr", {}), (None, {"CDS_INDEX_LANG": "tiếng việt"})])
def test_an_unknown_language_asked_for_is_refused(
    no_locale: pytest.MonkeyPatch, explicit: str | None, environ: dict[str, str]
) -> None:
    for name, value in environ.items():
        no_locale.setenv(name, value)
    with pytest.raises(LanguageError) as caught:
        choose_language(explicit)
    assert "vi, en" in str(caught.value)
    assert "dùng một trong vi, en" in render(caught.value.message, "vi")


def test_using_sets_the_language_of_a_block(no_locale: pytest.MonkeyPatch) -> None:
    no_locale.setenv("CDS_INDEX_LANG", "vi")
    with using("en"):
        assert choose_language() == "en" and choose_language("vi") == "vi"
        assert render(T("yes")) == "yes"
    assert choose_language() == "vi"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "vi"),
        ("", "vi"),
        ("en", "en"),
        ("en-US,en;q=0.9", "en"),
        ("fr-CH, fr;q=0.9, en;q=0.8, vi;q=0.7", "en"),
        ("vi;q=0.5, en;q=0.6", "en"),
        ("en;q=0.5, vi", "vi"),
        ("en;q=0", "vi"),
        ("de, *;q=0.1", "vi"),
        ("en;q=abc, vi;q=0.1", "vi"),
        ("en;q=2", "vi"),
        ("en;q=nan", "vi"),
        ("ja", "vi"),
        (",,;;=", "vi"),
    ],
)
def test_accept_language(header: str | None, expected: str) -> None:
    assert accept_language(header) == expected


@given(st.text(max_size=200))
def test_accept_language_never_fails(header: str) -> None:
    assert accept_language(header) in {"vi", "en"}


def test_import_stays_light() -> None:
    """`import cds_index` and building a message load no Babel; rendering one does."""
    code = (
        "import sys, cds_index; from cds_index.i18n import T; m = T('yes');"
        "assert 'babel' not in sys.modules, 'babel at import';"
        "from cds_index.i18n import render; render(T('{n}', n=1), 'vi'); assert 'babel' in sys.modules"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


def test_using_none_keeps_the_choice_around_it(no_locale: pytest.MonkeyPatch) -> None:
    with using("en"), using(None):
        assert choose_language() == "en"


# --- the command line ------------------------------------------------------------------------------


def test_every_command_has_the_one_lang_flag() -> None:
    import argparse

    from cds_index.cli.main import build_parser

    parser = build_parser()
    (commands,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert len(commands.choices) >= 15
    for name, sub in commands.choices.items():
        (flag,) = [a for a in sub._actions if "--lang" in a.option_strings]
        assert (flag.choices, flag.default) == (["vi", "en"], None), name


def test_the_command_line_follows_the_environment_and_the_flag(
    no_locale: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from cds_index.cli import main

    bad = tmp_path / "xa.yaml"
    bad.write_text(
        "kind: inputs\ndefinition: hue-2263-commune\nunit: {id: xa}\nyear: 2024\n"
        "values: {population: 25 người}\n",
        encoding="utf-8",
    )
    assert main(["check", str(bad)]) == 1
    assert "viết 25, không viết '25 người'" in capsys.readouterr().out  # no locale at all: Vietnamese
    no_locale.setenv("LANG", "en_US.UTF-8")
    assert main(["check", str(bad)]) == 1
    assert "write 25, not '25 người'" in capsys.readouterr().out
    no_locale.setenv("CDS_INDEX_LANG", "vi")
    assert main(["check", str(bad)]) == 1
    assert "viết 25" in capsys.readouterr().out
    assert main(["check", str(bad), "--lang", "en"]) == 1
    assert "write 25" in capsys.readouterr().out


def test_an_unknown_language_in_the_environment_is_a_usage_error(
    no_locale: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from cds_index.cli import main

    no_locale.setenv("CDS_INDEX_LANG", "fr")
    assert main(["list"]) == 2
    err = capsys.readouterr().err
    assert "error[usage]" in err and "CDS_INDEX_LANG='fr'" in err and "Traceback" not in err
    assert main(["list", "--lang", "en"]) == 0  # the flag decides before the environment is read


# --- the mistakes of an author, in the analyst's words (read/loader.py) ---------------------------


def _first_problem(text: str) -> Problem:
    from cds_index.formats.model import Definition
    from cds_index.read.loader import read_yaml, validate_model

    doc, problems = read_yaml(text, "dinh-nghia.yaml")
    if not problems:
        _, problems = validate_model(Definition, doc)
    assert problems, text
    return problems[0]


@pytest.mark.parametrize(
    ("old", "new", "vietnamese", "english"),
    [
        ("points: 4\n", "points: 0,5\n", "viết 0.5, không viết 0,5", "write 0.5, not 0,5"),
        ("points: 4\n", "points: 80%\n", "viết 80 cho 80 %", "write 80 for 80 %"),
        ("points: 4\n", "points: 4 điểm\n", "viết 4, không viết 4 điểm", "write 4, not 4 điểm"),
        (
            "title: Nhận thức số",
            "title: Nhận thức: số",
            "đặt tiêu đề trong dấu nháy",
            "put the title in quotes",
        ),
        (
            "has_plan: {label: Có kế hoạch chuyển đổi số,",
            "has_plan: {label: Có kế hoạch: chuyển đổi số,",
            "đặt tiêu đề trong dấu nháy",
            "put the title in quotes",
        ),
        (
            "has_plan: {label: Có kế hoạch chuyển đổi số,",
            "has_plan: {label: Có kế hoạch, chuyển đổi số,",
            "đặt tiêu đề trong dấu nháy",
            "put the title in quotes",
        ),
        (
            "    title: Nhận thức số",
            "    tittle: Nhận thức số",
            "có phải ý bạn là 'title'?",
            "did you mean 'title'?",
        ),
        ("kind: yes_no", "kind: yesno", "có phải ý bạn là 'yes_no'?", "did you mean 'yes_no'?"),
        ("  - id: A\n", "  - id: A\n   extra: 1\n", "thụt lề chưa đúng", "the indentation is off"),
        ("          input: has_plan\n", "\t  input: has_plan\n", "chỉ thụt lề bằng dấu cách", "spaces only"),
        # a key one space too far right continues the value above: not a colon inside a title
        ("          input: has_plan\n", "           input: has_plan\n", "thụt lề sai", "indentation is off"),
        ("          per: staff\n", "           per: staff\n", "cùng cột với các khoá", "same column"),
        ("total: 10", "total: mười", "cần một số, nhận được 'mười'", "expected a number, got 'mười'"),
        (
            "          per: staff\n",
            "          per: staff\n          target: 80\n",
            "viết 0.8 cho 80 %",
            "write 0.8",
        ),
    ],
)
def test_an_authors_mistake_says_what_to_write(old: str, new: str, vietnamese: str, english: str) -> None:
    from .conftest import TINY

    assert old in TINY
    problem = _first_problem(TINY.replace(old, new, 1))
    assert vietnamese in problem.format("vi")
    assert english in problem.format("en")
    for pydantic_words in ("Input should", "valid decimal", "Extra inputs", "mapping values are not allowed"):
        assert pydantic_words not in problem.format("en")


@given(st.sampled_from(["0,5", "12,25", "-3,5", "80%", "80 %", "12,5%", "7 người", "1.5 ha"]))
def test_a_number_written_for_people_is_refused_with_how_to_write_it(text: str) -> None:
    from .conftest import TINY

    problem = _first_problem(TINY.replace("points: 4\n", f"points: '{text}'\n", 1))
    assert problem.code == "wrong-type" and "viết " in problem.format("vi")


@pytest.mark.parametrize(
    ("old", "new", "word"),
    [("level: commune", "level: xã", "`commune`"), ("type: boolean}", "type: yes/no}", "`boolean`")],
)
def test_a_vietnamese_word_for_a_format_word_is_named(old: str, new: str, word: str) -> None:
    from .conftest import TINY

    problem = _first_problem(TINY.replace(old, new, 1))
    assert problem.hint is not None and word in render(problem.hint, "vi")
    assert "viết " + word in problem.format("vi") and "write " + word in problem.format("en")


def test_the_python_api_takes_lang_where_it_returns_messages(tmp_path: Path) -> None:
    from cds_index.check.checking import check_file

    bad = tmp_path / "xa.yaml"
    bad.write_text(
        "kind: inputs\ndefinition: hue-2263-commune\nunit: {id: xa}\nyear: 2024\n"
        "values:\n  population: 0,5\n",
        encoding="utf-8",
    )
    report = check_file(bad)
    assert "cần một số nguyên" in report.to_dict("vi")["problems"][0]["message"]
    assert "expected a whole number" in report.to_dict("en")["problems"][0]["message"]
    assert "lỗi" in report.summary("vi") and "error(s)" in report.summary("en")
    from cds_index.formats.model import Definition
    from cds_index.read.loader import load_model

    with pytest.raises(cds_index.DefinitionError) as caught:
        load_model(Definition, bad)  # an inputs file read as a definition: missing keys
    assert "thiếu khoá bắt buộc" in caught.value.format("vi")
    assert "missing required key" in caught.value.format("en")


def test_a_decimal_comma_in_flow_style_is_named(tmp_path: Path) -> None:
    """`{population: 0,5}`: YAML reads a key `5`; the message says why and what to write."""
    from cds_index.check.checking import check_file

    bad = tmp_path / "xa.yaml"
    bad.write_text(
        "kind: inputs\ndefinition: hue-2263-commune\nunit: {id: xa}\nyear: 2024\nvalues: {population: 0,5}\n",
        encoding="utf-8",
    )
    (problem,) = check_file(bad).problems
    assert "dấu phẩy" in problem.format("vi") and "(0.5)" in problem.format("vi")
    assert "a decimal comma starts a new key" in problem.format("en")
