"""The command line's last English (#12): the system's refusals, the command's own name, -o and --format."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from cds_index.cli import main
from cds_index.i18n import render, system_reason

from .conftest import EXAMPLES

DISTRICTS = str(EXAMPLES / "hai-duong-707-districts.csv")


@pytest.mark.parametrize("number", [errno.ENOENT, errno.EEXIST, errno.EACCES, errno.EISDIR, errno.ENOSPC])
def test_a_system_refusal_is_in_our_words(number: int) -> None:
    error = OSError(number, "the system's English", "/x")
    vi, en = render(system_reason(error), "vi"), render(system_reason(error), "en")
    assert vi != en and "English" not in vi + en


def test_an_unknown_system_refusal_keeps_the_systems_words_quoted() -> None:
    error = OSError(errno.EXDEV, "Invalid cross-device link")
    assert render(system_reason(error), "vi") == "hệ điều hành báo 'Invalid cross-device link' (EXDEV)"


def test_schema_over_a_file_says_why_in_vietnamese(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "schemas"
    blocker.write_text("x", encoding="utf-8")
    assert main(["schema", "-o", str(blocker), "--lang", "vi"]) == 2
    err = capsys.readouterr().err
    assert "đã có một tệp trùng tên" in err and "File exists" not in err and str(blocker) in err


@pytest.mark.parametrize(
    ("options", "hint"),
    [([], "--format xlsx"), (["--format", "csv"], "--format xlsx"), (["--format", "json"], "--format xlsx")],
)
def test_a_workbook_name_for_another_format_is_refused_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], options: list[str], hint: str
) -> None:
    out = tmp_path / "ket-qua.xlsx"
    code = main(["score", "hai-duong-707-district", DISTRICTS, "-o", str(out), *options, "--lang", "en"])
    err = capsys.readouterr().err
    assert code == 2 and "error[output-path]" in err and hint in err
    assert not out.exists()  # a text table in a file Excel cannot open is never written


def test_a_name_that_matches_its_format_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "ket-qua.csv"
    assert main(["score", "hai-duong-707-district", DISTRICTS, "-o", str(out), "--format", "csv"]) in {0, 1}
    assert out.read_text(encoding="utf-8-sig").startswith("unit_id,")
    other = tmp_path / "ket-qua.txt"  # a name that promises no format: any text format
    assert main(["score", "hai-duong-707-district", DISTRICTS, "-o", str(other)]) in {0, 1}
    assert other.stat().st_size > 0


@pytest.mark.parametrize(("lang", "word"), [("vi", "LỆNH"), ("en", "COMMAND")])
def test_the_missing_command_is_named_in_the_language(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, lang: str, word: str
) -> None:
    monkeypatch.setenv("CDS_INDEX_LANG", lang)
    assert main([]) == 2
    err = capsys.readouterr().err
    assert err.rstrip().endswith(word) and "command" not in err


def test_sensitivity_says_what_it_wrote(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "nhay.html"
    units = [str(EXAMPLES / f"hue-2263-commune-{k}.yaml") for k in ("weak", "average")]
    assert main(["sensitivity", "hue-2263-commune", *units, "--format", "html", "-o", str(out)]) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and f"đã ghi {out}" in captured.err and out.read_text(encoding="utf-8")


def test_a_batch_header_is_whole_where_there_is_room() -> None:
    import cds_index
    from cds_index.io.batch import summary_columns
    from cds_index.render.report import batch_header

    definition = cds_index.load("hai-duong-707-district")
    names = summary_columns(definition, "vi")[:-3]
    for size in (None, 400):
        (line,) = batch_header(definition, "vi", size=size).splitlines()
        assert all(name in line for name in names), line
    narrow = batch_header(definition, "vi", size=60).splitlines()
    assert len(narrow) > 1  # wrapped between words, never inside one (test_i18n_render)
