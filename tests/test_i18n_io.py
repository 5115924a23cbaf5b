"""CSV and Excel in the reader's language; CSV numbers for programs unless asked (#12, i18n-io).

- ``--number-format vi|en`` writes a CSV's numbers as people write them (``9.500.000,5``), and the
  reader (``read_number``, ``read_csv``) gives back the same Decimals; without it, ``9500000.5``.
- ``--headers keys|vi|en``: the stable keys by default, titles in a language for people.
- The results workbook and the self-assessment form speak the language asked (no English in
  Vietnamese, no Vietnamese UI words in English), and a form in either language is read back.
- Nothing written runs as a formula, whatever the number format.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cds_index
from cds_index.cli import main
from cds_index.i18n import using
from cds_index.io import excel
from cds_index.io.batch import (
    BatchRow,
    column_titles,
    read_csv,
    score_many,
    summary_keys,
    table_writer,
    write_csv,
)
from cds_index.io.safe import cell_number, csv_cell
from cds_index.read.inputs import UnitInputs
from cds_index.read.literals import read_number

from .conftest import DEFINITIONS, EXAMPLES
from .test_i18n_leaks import _content_of
from .test_i18n_leaks import leaks as _shared_leaks

HUE = "hue-2263-commune"
EXAMPLE_FILES = sorted(str(p) for p in EXAMPLES.glob(f"{HUE}-*.yaml"))
openpyxl = pytest.importorskip("openpyxl")


def leaks(text: str, lang: str, content: Any) -> list[str]:
    """The shared detector, less the English "words" it finds inside Vietnamese ones (`to` of `toán`,
    whose `á` is not an ASCII letter): a leak is a whole word of the text."""
    import re

    words = set(re.findall(r"\w+", text))
    return [w for w in _shared_leaks(text, lang, content) if lang != "vi" or w in words]


# --- numbers -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "fmt", "text"),
    [
        (Decimal("9500000.5"), None, "9500000.5"),
        (Decimal("9500000.5"), "vi", "9.500.000,5"),
        (Decimal("9500000.5"), "en", "9,500,000.5"),
        (Decimal("-1234.50"), "vi", "-1.234,5"),
        (Decimal("-0.001"), "vi", "0"),  # rounded to 2 places: no "-0"
        (Decimal("999"), "vi", "999"),
        (Decimal("1000"), "vi", "1.000"),
        (Decimal("0.25"), "vi", "0,25"),
        (1234567, "vi", "1.234.567"),
    ],
)
def test_cell_numbers_by_format(value: Any, fmt: str | None, text: str) -> None:
    places = 2 if value == Decimal("-0.001") else None
    assert cell_number(value, places, fmt) == text


decimals = st.decimals(
    min_value=Decimal("-1e12"), max_value=Decimal("1e12"), allow_nan=False, allow_infinity=False, places=4
)


@settings(max_examples=100, deadline=None)
@given(value=decimals, fmt=st.sampled_from(["vi", "en"]), places=st.sampled_from([None, 0, 2]))
def test_a_number_written_for_people_reads_back_the_same(
    value: Decimal, fmt: str, places: int | None
) -> None:
    """Whatever the digits, the reader with the same format gives back the Decimal written."""
    from cds_index.io.safe import rounded

    text = cell_number(value, places, fmt)
    read, code, message = read_number(text, number_format=fmt)  # type: ignore[arg-type]
    assert code is None, (text, message)
    assert read == rounded(value, places), text


def _batch(definition: cds_index.Definition) -> list[BatchRow]:
    return list(score_many(definition, EXAMPLE_FILES))


def test_the_summary_csv_in_vi_numbers_gives_the_same_decimals() -> None:
    definition = cds_index.load(HUE)
    rows = _batch(definition)
    plain, vi = io.StringIO(), io.StringIO()
    write_csv(definition, rows, plain, exact=True)
    write_csv(definition, rows, vi, exact=True, number_format="vi")
    machine = list(csv.reader(io.StringIO(plain.getvalue())))
    people = list(csv.reader(io.StringIO(vi.getvalue()), delimiter=";"))  # Excel vi's separator
    assert machine[0] == people[0] == summary_keys(definition)  # keys, whatever the numbers
    numbers = 0
    for ours, theirs in zip(machine[1:], people[1:], strict=True):
        for a, b in zip(ours, theirs, strict=True):
            try:
                exact = Decimal(a)
            except ArithmeticError:
                assert a == b  # text: the same
                continue
            read, code, _ = read_number(b, number_format="vi")
            assert code is None and read == exact, (a, b)
            numbers += 1
    assert numbers > 30
    assert any("," in cell for row in people[1:] for cell in row)  # decimal commas were written


def test_the_cli_writes_vi_numbers_only_when_asked(capsys: pytest.CaptureFixture[str]) -> None:
    main(["score", HUE, *EXAMPLE_FILES, "--format", "csv", "--exact", "--no-bom"])
    plain = capsys.readouterr().out
    main(["score", HUE, *EXAMPLE_FILES, "--format", "csv", "--exact", "--no-bom", "--number-format", "vi"])
    vi = capsys.readouterr().out
    assert plain.splitlines()[0].startswith("unit_id,unit_name,status,")
    assert vi.splitlines()[0].startswith("unit_id;unit_name;status;")
    first_plain = next(csv.reader(io.StringIO(plain.splitlines()[1])))
    first_vi = next(csv.reader(io.StringIO(vi.splitlines()[1]), delimiter=";"))
    total = summary_keys(cds_index.load(HUE)).index("points")
    assert "," not in first_plain[total] and "." in first_plain[total]  # 188.175…: for programs
    assert read_number(first_vi[total], number_format="vi")[0] == Decimal(first_plain[total])


def test_inputs_written_with_vi_numbers_are_read_back_by_read_csv(tmp_path: Path) -> None:
    """The table reader (read_csv) reads a CSV written with vi numbers to the same Decimals."""
    definition = cds_index.load(HUE)
    names = [n for n, s in definition.inputs.items() if s.type == "number" and s.max is None][:4]
    assert names
    values = [Decimal("9500000.5"), Decimal("1234"), Decimal("0.75"), Decimal("12.25")][: len(names)]
    path = tmp_path / "xa.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        write = table_writer(stream, ["unit_id", "unit_name", *names], bom=True, number_format="vi")
        write(["xa-a", "Xã A", *values], None)
    assert "9.500.000,5" in path.read_text(encoding="utf-8-sig")
    (unit,) = read_csv(definition, path, number_format="vi")
    assert isinstance(unit, UnitInputs) and not unit.problems
    assert [unit.values[n].value for n in names] == values


@pytest.mark.parametrize("fmt", [None, "vi", "en"])
def test_nothing_written_to_csv_runs_as_a_formula(fmt: str | None) -> None:
    stream = io.StringIO()
    write = table_writer(stream, ["=SUM(A1)", "unit_name", "points"], number_format=fmt)  # type: ignore[arg-type]
    for name in ['=HYPERLINK("http://x")', "+1", "-2", "@cmd", " =1", "\uff1d1"]:
        write(["xa", name, Decimal("-5.5")], 2)
    delimiter = ";" if fmt == "vi" else ","
    rows = list(csv.reader(io.StringIO(stream.getvalue()), delimiter=delimiter))
    assert rows[0][0] == "'=SUM(A1)"
    for row in rows[1:]:
        assert row[1].startswith("'")
        assert row[2] == {None: "-5.5", "vi": "-5,5", "en": "-5.5"}[fmt]  # a number, not text
    assert csv_cell("=1", 2, "vi") == "'=1"


# --- headers -------------------------------------------------------------------------------------


def test_headers_keys_by_default_titles_when_asked(capsys: pytest.CaptureFixture[str]) -> None:
    definition = cds_index.load(HUE)
    keys = summary_keys(definition)
    vi = column_titles(keys, "vi", definition)
    en = column_titles(keys, "en", definition)
    assert vi[:3] == ["Mã đơn vị", "Tên đơn vị", "Trạng thái"] and "Tổng điểm" in vi
    assert en[:3] == ["Unit id", "Unit name", "Status"]
    pillar = definition.tree[0]
    assert f"{pillar.id} {pillar.title}" in vi and f"{pillar.id} {pillar.title}" in en
    main(["score", HUE, *EXAMPLE_FILES, "--format", "csv", "--no-bom", "--headers", "vi", "--lang", "en"])
    header = capsys.readouterr().out.splitlines()[0]
    assert header.split(",")[:3] == ["Mã đơn vị", "Tên đơn vị", "Trạng thái"]


def test_ranking_csv_headers_in_vi(capsys: pytest.CaptureFixture[str]) -> None:
    main(
        [
            "rank",
            HUE,
            *EXAMPLE_FILES,
            "--format",
            "csv",
            "--no-bom",
            "--headers",
            "vi",
            "--number-format",
            "vi",
        ]
    )
    out = capsys.readouterr().out
    header = next(csv.reader(io.StringIO(out), delimiter=";"))
    assert header[:3] == ["Hạng", "Mã đơn vị", "Tên đơn vị"]
    assert any(h.startswith("Hạng theo ") for h in header)


# --- leaks ---------------------------------------------------------------------------------------


def _bad_table(tmp_path: Path) -> Path:
    definition = cds_index.load(HUE)
    number = next(n for n, s in definition.inputs.items() if s.type == "number")
    path = tmp_path / "bang.csv"
    path.write_text(
        f"Mã đơn vị;Tên đơn vị;{number};cot-la\n"
        "xa-a;Xã A;25 người;1\n"
        "xa-a;Xã A lặp;5;\n"
        "Tổng cộng;;9;\n"
        ";Xã không mã;3;\n"
        'xa-b;"Xã B;4;\n'
        "xa-c;Xã C;1;2;3;4\n",
        encoding="utf-8",
    )
    return path


def _content(*extra: str) -> list[str]:
    return _content_of(
        *DEFINITIONS.glob(f"{HUE}*.yaml"),
        *(Path(p) for p in EXAMPLE_FILES),
        extra=["25 người", "cot-la", "Xã A", "Xã A lặp", "Tổng cộng", "Xã không mã", "Xã B", "Xã C", *extra],
    )


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_csv_for_people_speaks_the_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lang: str
) -> None:
    table = _bad_table(tmp_path)
    main(["score", HUE, str(table), *EXAMPLE_FILES, "--format", "csv", "--headers", lang, "--lang", lang])
    out, err = capsys.readouterr()
    assert "[input-type]" in out and "[table-row]" in out and "[invalid-value]" in out
    found = leaks(out + err, lang, _content(str(table)))
    assert found == [], f"{lang} CSV has {found}:\n{out}\n{err}"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_batch_table_and_tally_speak_the_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lang: str
) -> None:
    table = _bad_table(tmp_path)
    main(["score", HUE, str(table), "--lang", lang])
    out, err = capsys.readouterr()
    assert ("đơn vị đã đọc" in err) == (lang == "vi") and ("units read" in err) == (lang == "en")
    from cds_index import load

    # the header wraps the pillars' titles (the decision's words) word by word under their columns
    words = [word for pillar in load(HUE).tree for word in pillar.title.split()]
    found = leaks(out + err, lang, _content(str(table), *words))
    assert found == [], f"{lang} output has {found}:\n{out}\n{err}"


def _workbook_text(book: Any) -> str:
    """Every text of a loaded workbook: sheet titles, cells, validation messages."""
    parts = []
    for ws in book.worksheets:
        parts.append(ws.title)
        for row in ws.iter_rows(values_only=True):
            parts += [str(v) for v in row if isinstance(v, str)]
        for dv in ws.data_validations.dataValidation:
            parts += [t for t in (dv.error, dv.errorTitle) if t]
    return "\n".join(parts)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_results_workbook_speaks_the_language(tmp_path: Path, lang: str) -> None:
    definition = cds_index.load(HUE)
    table = _bad_table(tmp_path)
    with using(lang):
        rows = list(score_many(definition, [str(table), *EXAMPLE_FILES], lang=lang))  # type: ignore[arg-type]
        out = tmp_path / "ket-qua.xlsx"
        excel.write_results(definition, rows, out, lang=lang)  # type: ignore[arg-type]
    book = openpyxl.load_workbook(out)  # read once, for its words and its sheets
    text = _workbook_text(book)
    assert book.sheetnames[0] == {"vi": "Tổng hợp", "en": "Summary"}[lang]
    # rule explanations (rules/*, engine/) are another module's words: this checks the workbook's own
    explanations = [
        str(c)
        for ws in book.worksheets[1:]
        for row in ws.iter_rows(min_col=7, max_col=7, values_only=True)
        for c in row
        if c
    ]
    found = leaks(text, lang, _content(str(table), *explanations, definition.title))
    assert found == [], f"{lang} workbook has {found}"


def test_the_results_workbook_number_formats_are_locale_codes(tmp_path: Path) -> None:
    """`#,##0.00`: Excel groups and places the decimal sign per the viewer's locale (9.500,50 in vi)."""
    definition = cds_index.load(HUE)
    out = tmp_path / "ket-qua.xlsx"
    excel.write_results(definition, _batch(definition), out, lang="vi")
    formats = {
        c.number_format
        for ws in openpyxl.load_workbook(out).worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, int | float) and not isinstance(c.value, bool) and c.column > 3
    }
    places = definition.display.decimals
    assert "#,##0." + "0" * places in formats and all(
        f.startswith("#,##0") or f == "General" for f in formats
    )


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("definition_id", [HUE, "hai-duong-707-district"])
def test_the_form_speaks_the_language_and_is_read_back(tmp_path: Path, lang: str, definition_id: str) -> None:
    definition = cds_index.load(definition_id)
    form = tmp_path / "phieu.xlsx"
    excel.write_template(definition, form, year=2024, lang=lang)
    book = openpyxl.load_workbook(form)  # read once: its words, then filled in below
    text = _workbook_text(book)
    labels = [s.label for s in definition.inputs.values()] + [
        f"{n.id}. {n.title}".upper() for n in definition.tree
    ]
    content = _content_of(
        *DEFINITIONS.glob(f"{definition_id}*.yaml"),
        extra=[*labels, definition.title, definition.issuer, definition.decision.number],
    )
    found = leaks(text, lang, content)
    assert found == [], f"{lang} form has {found}"
    ws = book.worksheets[0]
    assert ws.title == {"vi": "Tự đánh giá", "en": "Self-assessment"}[lang]
    header = [c.value for c in ws[9]]
    assert header[0] == {"vi": "Mã số liệu", "en": "Data code"}[lang]
    date_formats = {c.number_format for c in ws["G"][9:] if c.number_format != "General"}
    assert date_formats == {{"vi": "DD/MM/YYYY", "en": "YYYY-MM-DD"}[lang]}
    # fill it in and read it back: the English form is read like the Vietnamese one
    ws["B4"], ws["B5"] = "xa-a", "Xã A"
    number = next(n for n, s in definition.inputs.items() if s.type in {"number", "integer"})
    boolean = next((n for n, s in definition.inputs.items() if s.type == "boolean"), None)
    rows = {ws.cell(r, 1).value: r for r in range(10, ws.max_row + 1)}
    ws.cell(rows[number], 5, 12)
    if boolean is not None:
        ws.cell(rows[boolean], 5, {"vi": "Có", "en": "yes"}[lang])
    book.save(form)
    (unit,) = excel.read_workbook(definition, form)
    assert isinstance(unit, UnitInputs), unit
    assert unit.unit_id == "xa-a" and unit.year == 2024 and not unit.problems
    assert unit.values[number].value == 12
    if boolean is not None:
        assert unit.values[boolean].value is True


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_workbook_reading_problems_speak_the_language(tmp_path: Path, lang: str) -> None:
    definition = cds_index.load(HUE)
    path = tmp_path / "bang.xlsx"
    book = openpyxl.Workbook()
    ws = book.active
    number = next(n for n, s in definition.inputs.items() if s.type == "number")
    ws.append(["Mã đơn vị", "Tên đơn vị", number, "cot-la", None])
    ws.append(["xa-a", "Xã A", "25 người", 1, "lạc"])
    ws.append(["Tổng cộng", None, 5, None])
    ws.append(["xa-b", "Xã B", "=1/0", None])
    book.save(path)
    broken = tmp_path / "hong.xlsx"
    broken.write_bytes(b"not a zip")
    units = list(excel.read_workbook(definition, path)) + list(excel.read_workbook(definition, broken))
    problems = [p for u in units for p in u.problems]
    assert {"input-type", "input-unknown", "excel-stray-cell", "table-row", "excel-corrupt"} <= {
        p.code for p in problems
    }
    content = _content(str(path), str(broken), "lạc", "=1/0", "not a zip", "File is not a zip file")
    for problem in problems:
        found = leaks(problem.format(lang), lang, content)
        assert found == [], f"{lang}: {found} in {problem.format(lang)}"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_yaml_template_speaks_the_language(lang: str) -> None:
    import re

    from cds_index.io.template import inputs_template

    definition = cds_index.load(HUE)
    text = inputs_template(definition, year=2024, lang=lang)
    comments = "\n".join(line.split("#", 1)[1] for line in text.splitlines() if "#" in line)
    comments = comments.replace("yaml-language-server: $schema=schemas/inputs.schema.json", "")
    comments = re.sub(r"\{[^}]*\}", " ", comments)  # {self: x, …}: keys, what the user writes
    content = _content_of(*DEFINITIONS.glob(f"{HUE}*.yaml"), extra=[definition.decision.number])
    found = leaks(comments, lang, content)
    assert found == [], f"{lang} template has {found}"
    assert ("Điền giá trị thay cho null" in text) == (lang == "vi")
