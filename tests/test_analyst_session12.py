"""A hostile policy analyst's findings (session 12): each a broken or odd file and what `check` says."""

from __future__ import annotations

from pathlib import Path

import pytest

from cds_index.check.checking import FileReport, check_file
from cds_index.i18n import render

DATA = Path(__file__).parent / "data" / "analyst12"
BASE = (DATA / "base.yaml").read_text(encoding="utf-8")


def _variant(tmp_path: Path, old: str, new: str, name: str = "variant.yaml") -> Path:
    assert old in BASE, old
    path = tmp_path / name
    path.write_text(BASE.replace(old, new, 1), encoding="utf-8")
    return path


def _only(report: FileReport, code: str) -> list:
    return [p for p in report.problems if p.code == code]


# --- a percent input whose `max` is 1: the message was an English f-string under Vietnamese


def test_a_percent_inputs_max_of_1_is_said_in_the_readers_language(tmp_path: Path) -> None:
    path = _variant(tmp_path, "unit: percent, min: 0, max: 100", "unit: percent, min: 0, max: 1")
    [problem] = _only(check_file(path), "scale-mismatch")
    assert problem.location.line == 12
    vi, en = render(problem.message, "vi"), render(problem.message, "en")
    assert "chỉ tiêu 'rate'" in vi and "viết max: 100" in vi and "write" not in vi
    assert "input 'rate' is in percent" in en and "write max: 100" in en and "viết" not in en


# --- a tests file: a case copied and not renamed passed `check` without a word; an expected node
# that does not exist was placed at `expect:`, with no node suggested


@pytest.fixture(scope="module")
def tests_dup() -> FileReport:
    return check_file(DATA / "tests-dup.yaml")


def test_two_cases_with_one_name_are_said(tests_dup: FileReport) -> None:
    [problem] = _only(tests_dup, "duplicate-id")
    assert (problem.severity, problem.location.line, problem.location.column) == ("warning", 9, 11)
    assert "dòng 5" in render(problem.message, "vi")


def test_an_unknown_expected_node_is_placed_at_its_id_with_the_node_meant(tests_dup: FileReport) -> None:
    [problem] = _only(tests_dup, "invalid-value")
    assert (problem.location.line, problem.location.column) == (12, 25)
    assert problem.hint is not None and "'I.2'" in render(problem.hint, "vi")


# --- a percentage (0–100) given as a fraction of 1 (0.85 for 85 %) scored 0 points without a word


def test_a_percentage_written_as_a_fraction_is_said_in_an_inputs_file() -> None:
    report = check_file(DATA / "inputs-fraction.yaml")
    [problem] = _only(report, "scale-mismatch")
    assert (problem.severity, problem.location.line, problem.location.column) == ("warning", 7, 9)
    assert "viết 85" in render(problem.message, "vi") and "write 85" in render(problem.message, "en")


def test_a_percentage_written_as_a_fraction_is_said_in_a_tests_file(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text(BASE, encoding="utf-8")
    path = tmp_path / "cases.yaml"
    path.write_text(
        "kind: tests\ndefinition: ./base.yaml\ncases:\n"
        "  - name: a\n    values: {rate: 85, posts: 1}\n    expect: {total: 10}\n"
        "  - name: b\n    values: {rate: 0.5, posts: 1}\n    expect: {total: 6}\n",
        encoding="utf-8",
    )
    [problem] = _only(check_file(path), "scale-mismatch")
    assert (problem.location.line, problem.location.column) == (8, 20)


# --- an id or an input's name not written as the format needs was told by its regular expression
# (`mẫu ^[A-Za-z0-9]+(\.[A-Za-z0-9]+)*$`), with nothing to write instead; a blank id said "(tại )"


@pytest.mark.parametrize(
    ("old", "new", "words", "fixed"),
    [
        # a node id with a Vietnamese letter, with a space
        ("id: I.3", "id: Ị.3", "chữ cái không dấu", "'I.3'"),
        ("id: I.3", "id: I 3", "nối bằng dấu chấm", "'I.3'"),
        # an input's name with accents and a capital
        (
            "  posts: {label",
            "  Số_tin: {label: X, type: boolean}\n  posts: {label",
            "tên chỉ tiêu",
            "'so_tin'",
        ),
        # a definition id with a space and capitals
        ("id: tinh-y-test", "id: Tinh Y", "các từ nối bằng `-`", "'tinh-y'"),
    ],
)
def test_an_id_not_written_as_needed_is_said_in_words_with_what_to_write(
    tmp_path: Path, old: str, new: str, words: str, fixed: str
) -> None:
    [problem] = _only(check_file(_variant(tmp_path, old, new)), "invalid-value")
    message = render(problem.message, "vi")
    assert words in message and "^" not in message
    assert problem.hint is not None and render(problem.hint, "vi") == f"viết {fixed}"


def test_a_blank_id_is_placed_under_its_parent() -> None:
    from cds_index.read.loader import Document

    doc = Document("f.yaml", {"tree": [{"id": "I", "title": "A", "children": [{"id": " ", "title": "B"}]}]})
    assert doc.node_path(("tree", 0, "children", 0)) == ("I",)


# --- the YAML parser's odd cases: a `%YAML 1.1` header read `yes` as false and `1:30` as a number in
# "base 16, 8 or 2"; a reused anchor was a Python warning (raised under -W error) and the file OK; a
# control character was placed at 1:1 with `in "<file>", position 909`; and the parser's English


def _yaml_problem(text: str) -> tuple[str, int, int]:
    from cds_index.read.loader import read_yaml

    _, problems = read_yaml(text, "f.yaml")
    [problem] = problems
    assert problem.code == "yaml-syntax"
    return render(problem.message, "vi"), problem.location.line or 0, problem.location.column or 0


@pytest.mark.parametrize(
    ("text", "words", "line", "column"),
    [
        ("%YAML 1.1\n---\nkind: inputs\nvalues: {has_portal: yes}\n", "YAML 1.2", 1, 1),
        ("a: &x 1\nb: &x 2\nc: *x\n", "neo &x được đặt lại (lần đầu ở dòng 1)", 2, 4),
        ("kind: tests\ntitle: Tin\x07bài\n", "U+0007", 2, 11),
        ("title: @Tin bài\n", "không được bắt đầu bằng @", 1, 8),
        ("kind: tests\n---\nkind: tests\n", "văn bản thứ hai", 2, 1),
        ('title: "Tin \\q bài"\n', "dấu nháy đơn", 1, 14),
        ("title: |x\n  Tin\n", "dòng sau", 1, 9),
        ("title: ? Tin\n", "dấu hỏi", 1, 8),
    ],
)
def test_the_yaml_parsers_odd_cases_are_said_where_they_are(
    text: str, words: str, line: int, column: int
) -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        message, at_line, at_column = _yaml_problem(text)
    assert words in message
    assert (at_line, at_column) == (line, column)
    for english in ("found", "expected", "position", "while scanning", "<file>"):
        assert english not in message


# --- a file naming a definition that is not found: "cds-index: error[definition-not-found]" with no
# file, line or column (a CI annotation could not place it)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("kind: inputs\ndefinition: hue-2263-comune\nunit: {id: a, name: A}\nyear: 2024\nvalues: {}\n", 2),
        ("kind: tests\ndefinition: hue-2263-comune\ncases: [{name: a, values: {}, expect: {total: 0}}]\n", 2),
        (
            "kind: scenario\nid: s\ntitle: S\ndefinition: hue-2263-comune\n"
            "changes: [{op: points, node: I, points: 3}]\n",
            4,
        ),
    ],
)
def test_a_definition_not_found_is_placed_at_the_key_naming_it(tmp_path: Path, text: str, line: int) -> None:
    path = tmp_path / "f.yaml"
    path.write_text(text, encoding="utf-8")
    [problem] = check_file(path).problems
    assert problem.code == "definition-not-found"
    assert (problem.location.file, problem.location.line, problem.location.column) == (str(path), line, 13)


def test_a_files_name_where_an_id_is_needed_is_not_taken_for_a_slip_of_an_id(tmp_path: Path) -> None:
    path = tmp_path / "ov.yaml"
    path.write_text(
        "kind: overlay\nformat: 1\nid: ov\ntitle: Phân công\napplies_to: ./base.yaml\nlevel: commune\n"
        "source: {document: Công văn, date: '2022-08', issuer: UBND}\nassignments: {}\n",
        encoding="utf-8",
    )
    [problem] = _only(check_file(path), "invalid-value")
    assert problem.hint is not None
    hint = render(problem.hint, "vi")
    assert "base-yaml" not in hint and "không phải tên tệp" in hint


# --- a value our own validator shows was said twice: "nhận được '1:2' (nhận được '1:2')"


def test_a_value_the_message_shows_is_not_said_again(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(
        "kind: rearrangement\nid: r\ntitle: R\nlevel: commune\n"
        "decision: {number: 1/NQ, date: 2025-06-16, title: N}\neffective: 2025-07-01\n"
        "definitions: [hue-2263-commune]\ninputs: [./2024]\nmethod: mean_index\n"
        "units:\n  - {id: p1, name: P1, from: [{id: xa-a, share: '1:2'}]}\n",
        encoding="utf-8",
    )
    [problem] = _only(check_file(path), "invalid-value")
    assert render(problem.message, "vi").count("'1:2'") == 1


# --- formulas: `min(5, 0,5 * x)` (a Vietnamese decimal) was min(5, 0, 5 * x), always 0, without a word;
# a syntax error was Python's English with no mark under the place; a construct was Python's class name


@pytest.mark.parametrize(
    ("expression", "words", "marker"),
    [
        ("min(5, 0,5 * posts)", "`0,5` được đọc là hai số, 0 và 5", "           ~~^"),
        ("min(posts, 5", "không được đóng", "       ^"),
        ("posts × 2", "viết * thay cho ×", "          ^"),
        ("posts +", "thiếu một phép tính", "           ^"),
        ("2posts", "viết 2 * x cho 2x", "    ^"),
        ("posts.real", "một dấu chấm sau một tên", "    ~~~~~~~~~^"),
    ],
)
def test_a_formula_mistake_is_said_in_words_under_its_place(expression: str, words: str, marker: str) -> None:
    from cds_index.check.formula import compile_formula

    _, problems = compile_formula(expression, {"posts": None})
    [(code, message)] = problems
    text = render(message, "vi")
    assert code.startswith("formula-") and words in text
    assert text.splitlines()[-1] == marker
    assert "was never closed" not in text and "invalid" not in text and "Attribute" not in text


def test_two_numbers_written_with_a_space_are_two_numbers() -> None:
    from cds_index.check.formula import compile_formula

    assert compile_formula("min(5, 0, 5 * posts)", {"posts": None})[1] == []


# --- rules: `points_each: 10` on a 5-point criterion (one item earns all) passed without a word; the
# types a rule needs were written as code (`integer` | `number`)

R3 = 'rule: {kind: per_item, input: posts, points_each: 1, cap: 5, text: "mỗi tin 1 điểm"}'


def test_an_item_worth_more_than_its_criterion_is_said(tmp_path: Path) -> None:
    path = _variant(tmp_path, R3, R3.replace("points_each: 1, cap: 5", "points_each: 10"))
    [problem] = _only(check_file(path), "rule-points")
    assert "cap: 5" in render(problem.message, "vi") and problem.node == ("I", "I.3")
    capped = _variant(tmp_path, R3, R3.replace("points_each: 1", "points_each: 10"), "capped.yaml")
    assert not _only(check_file(capped), "rule-points")  # written as the decision means it


def test_the_types_a_rule_needs_are_joined_in_words(tmp_path: Path) -> None:
    path = _variant(tmp_path, R3, 'rule: {kind: ratio, input: has_portal, text: "t"}')
    [problem] = _only(check_file(path), "input-type-mismatch")
    assert "`integer` hoặc `number`" in render(problem.message, "vi")
    assert "`integer` or `number`" in render(problem.message, "en")


# --- `check --format github`: an annotation lost the criterion and the hint (what to write instead)


def test_a_github_annotation_names_the_criterion_and_keeps_the_hint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from cds_index.cli.main import main

    path = _variant(tmp_path, "id: I.3", "id: I.2")
    assert main(["check", str(path), "--format", "github"]) == 1
    [line] = [x for x in capsys.readouterr().out.splitlines() if "title=duplicate-id" in x]
    assert line.startswith(f"::error file={path},line=35,col=13,")
    assert "(tại I.2)%0Agợi ý: " in line and "errata" in line


# --- a choice listed twice (or once decomposed, once composed) passed `check`; `from: 2025` for a date
# was pydantic's English ("Datetimes provided to dates should have zero time")


@pytest.mark.parametrize("second", ["Có", "Co\u0301", "có "])
def test_a_choice_listed_twice_is_refused(tmp_path: Path, second: str) -> None:
    choice = f'  state: {{label: Trạng thái, type: choice, choices: [Có, Không, "{second}"]}}\n'
    path = _variant(tmp_path, "  posts: {label", choice + "  posts: {label")
    [problem] = _only(check_file(path), "invalid-value")
    assert "hai lần" in render(problem.message, "vi")
    assert (problem.location.line, problem.location.column) == (14, 65)


def test_a_year_for_a_date_is_said_in_the_readers_language(tmp_path: Path) -> None:
    path = _variant(tmp_path, "from: 2025-01-01", "from: 2025")
    [problem] = check_file(path).problems
    assert problem.code == "wrong-type"
    assert render(problem.message, "vi") == "cần một ngày viết dạng 2024-01-15, nhận được 2025"


# --- `cds-index test definition.yaml` listed a dozen unknown keys of a tests file


def test_a_file_of_another_kind_given_to_test_is_said_so_once(capsys: pytest.CaptureFixture[str]) -> None:
    from cds_index.cli.main import main

    assert main(["test", str(DATA / "base.yaml")]) == 1
    out = capsys.readouterr().out
    assert out.count("error[") == 1 and "error[kind-unknown]" in out and "`definition`" in out


# --- full points out of reach of the input's declared `max` (count target 10 of at most 3 posts; 1
# point an item, at most 3 items, on 5 points) passed `check` as "điểm đạt được tối đa: 20"

BOUNDED = ("unit: item, min: 0}", "unit: item, min: 0, max: 3}")


@pytest.mark.parametrize(
    ("rule", "words", "reachable"),
    [
        ('rule: {kind: count, input: posts, target: 10, text: "t"}', "trọn số điểm cần 10", "target: 3"),
        (
            'rule: {kind: per_item, input: posts, points_each: 1, text: "t"}',
            "được 3 điểm, ít hơn 5",
            "points_each: 2",
        ),
    ],
)
def test_full_points_out_of_reach_of_the_inputs_max_are_said(
    tmp_path: Path, rule: str, words: str, reachable: str
) -> None:
    path = tmp_path / "d.yaml"
    path.write_text(BASE.replace(*BOUNDED).replace(R3, rule), encoding="utf-8")
    [problem] = _only(check_file(path), "invalid-value")
    assert words in render(problem.message, "vi") and problem.node == ("I", "I.3")
    fixed = tmp_path / "reachable.yaml"
    written = rule.replace("target: 10", reachable).replace("points_each: 1", reachable)
    fixed.write_text(BASE.replace(*BOUNDED).replace(R3, written), encoding="utf-8")
    assert not _only(check_file(fixed), "invalid-value")


# --- `year: 24` in an inputs or tests file was the year 24 (a warning that 24 is outside the period)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("kind: inputs\ndefinition: ./base.yaml\nunit: {id: a, name: A}\nyear: 24\nvalues: {posts: 1}\n", 4),
        ("kind: inputs\ndefinition: ./base.yaml\nunit: {id: a, name: A}\nyears:\n  3000: {posts: 1}\n", 5),
        (
            "kind: tests\ndefinition: ./base.yaml\ncases:\n"
            "  - {name: a, year: 25, values: {}, expect: {total: 0}}\n",
            4,
        ),
    ],
)
def test_a_year_outside_1900_2100_is_refused(tmp_path: Path, text: str, line: int) -> None:
    (tmp_path / "base.yaml").write_text(BASE, encoding="utf-8")
    path = tmp_path / "f.yaml"
    path.write_text(text, encoding="utf-8")
    [problem] = check_file(path).problems
    assert problem.code == "invalid-value" and problem.location.line == line
    assert "1900 đến 2100" in render(problem.message, "vi")


# --- a rule's number written `1e3` was shown as Python writes it, "mức tối đa 1E+3"


def test_a_rules_numbers_are_shown_plain(tmp_path: Path) -> None:
    [problem] = _only(check_file(_variant(tmp_path, "cap: 5,", "cap: 1e3,")), "rule-points")
    assert "1000" in render(problem.message, "vi") and "E+" not in render(problem.message, "vi")


# --- an invisible character in a title (a zero-width space, a direction mark) was told to be "written
# on one line", with a hint to fold a long title: there is no line to fold


@pytest.mark.parametrize("char", ["\u200b", "\u202e", "\ufeff"])
def test_an_invisible_character_in_a_title_is_said_to_be_deleted(tmp_path: Path, char: str) -> None:
    [problem] = _only(
        check_file(_variant(tmp_path, "title: Tin bài", f'title: "Tin{char}bài"')), "title-text"
    )
    assert "hãy xoá" in render(problem.message, "vi") and problem.hint is None


def test_a_line_break_in_a_title_keeps_the_folding_hint(tmp_path: Path) -> None:
    [problem] = _only(check_file(_variant(tmp_path, "title: Tin bài", 'title: "Tin\\nbài"')), "title-text")
    assert problem.hint is not None and "title: >-" in render(problem.hint, "vi")


# --- a whole definition with `extends:` added was told "unknown key 'tree'", with nothing to do


def test_a_tree_under_extends_says_to_list_changes_or_delete_extends(tmp_path: Path) -> None:
    path = _variant(tmp_path, "kind: definition\n", "kind: definition\nextends: hue-2263-commune\n")
    [problem] = _only(check_file(path), "unknown-key")
    assert problem.hint is not None and "`changes:`" in render(problem.hint, "vi")
