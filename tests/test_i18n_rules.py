"""Rules, formulas, the models' validators and the engine speak the reader's language (#12, i18n-rules).

Each bad rule below is checked, and each problem shown in Vietnamese must hold no common English
word, in English no Vietnamese letter (the decisions' words and what is quoted or code are removed
first, by the shared leak detector). Explanations of the bundled examples likewise, and their
numbers follow the locale.
"""

from __future__ import annotations

import copy
import pickle
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import cds_index
from cds_index.check.checking import check_file
from cds_index.i18n import LANGUAGES, Message, T, render, translation
from cds_index.rules.common import ROLE_WORDS, WORDS, At

from .conftest import DEFINITIONS, EXAMPLES, TINY, mutate
from .test_i18n_leaks import _assert_speaks, _content_of

RATIO = """        rule:
          kind: ratio
          input: staff_trained
          per: staff
          assumed: "“Tỷ lệ …” is scored in proportion."
"""


def _rule(body: str) -> tuple[tuple[str, str], ...]:
    return ((RATIO, body),)


BAD_RULES: dict[str, tuple[tuple[str, str], ...]] = {
    "unknown input with a close match": _rule(
        "        rule: {kind: count, input: staf, target: 3, assumed: x}\n"
    ),
    "unknown input": _rule("        rule: {kind: count, input: nobody, target: 3, assumed: x}\n"),
    "a type mismatch": _rule("        rule: {kind: role, input: staff, assumed: x}\n"),
    "a ratio of itself": _rule("        rule: {kind: ratio, input: staff, per: staff, assumed: x}\n"),
    "a ratio of a sum without per": _rule(
        "        rule: {kind: ratio, input: [staff, staff_trained], assumed: x}\n"
    ),
    "steps with a gap and an overlap": _rule(
        "        rule:\n          kind: steps\n          input: staff\n          assumed: x\n"
        "          steps:\n            - {min: 1, max: 5, points: 2}\n"
        "            - {min: 4, max: 8, points: 9}\n            - {min: 10, points: 6}\n"
    ),
    "percent bounds on a fraction": (
        (
            "  staff_trained: {label: Số cán bộ được đào tạo, type: integer, unit: person, min: 0}\n",
            "  staff_trained: {label: Số cán bộ được đào tạo, type: integer, unit: person, min: 0}\n"
            "  share: {label: Tỷ lệ, type: number, unit: percent, min: 0, max: 100}\n",
        ),
        (
            RATIO,
            "        rule:\n          kind: steps\n          input: share\n          assumed: x\n"
            "          steps:\n            - {max: 0.5, points: 0}\n            - {min: 0.5, points: 6}\n",
        ),
    ),
    "a checklist worth too much": _rule(
        "        rule:\n          kind: checklist\n          assumed: x\n          items:\n"
        "            - {input: has_plan, points: 5, requires: nothing}\n"
        "            - {input: has_plan, points: 5}\n"
    ),
    "a deduction from a criterion with a cap too large": _rule(
        "        rule: {kind: deduction, input: staff, points_each: 1, cap: 9, assumed: x}\n"
    ),
    "a bonus with points": _rule(
        "        rule: {kind: bonus, input: staff, points_each: 1, cap: 2, assumed: x}\n"
    ),
    "a per_item cap too large": _rule(
        "        rule: {kind: per_item, input: staff, points_each: 1, cap: 9, assumed: x}\n"
    ),
    "a rank that rewards the worse": _rule(
        "        rule: {kind: rank, input: staff, places: [1, 3], rest: 9, "
        "enforce_deadline: true, assumed: x}\n"
    ),
    "a table with gaps, overlaps and a wrong column": _rule(
        "        rule:\n          kind: table\n          hit_policy: unique\n"
        "          assumed: x\n          inputs: [staff, has_plan, has_plan]\n"
        "          rows:\n            - {when: {staff: {min: 0, max: 3}, has_plan: true}, points: 9}\n"
        "            - {when: {staff: {min: 2, max: 5}, has_pla: true}, points: 1}\n"
    ),
    "a table with a gap": _rule(
        "        rule:\n          kind: table\n          hit_policy: unique\n"
        "          assumed: x\n          inputs: [staff, has_plan]\n"
        "          rows:\n            - {when: {staff: {min: 0, max: 3}, has_plan: true}, points: 6}\n"
        "            - {when: {staff: {min: 2, max: 5}, has_plan: '-'}, points: 1}\n"
        "            - {when: {staff: 2, has_plan: maybe}, points: 1}\n"
    ),
    "a table with a gap and an overlap": _rule(
        "        rule:\n          kind: table\n          hit_policy: unique\n"
        "          assumed: x\n          inputs: [staff]\n"
        "          rows:\n            - {when: {staff: {min: 0, max: 3}}, points: 6}\n"
        "            - {when: {staff: {min: 2, max: 5}}, points: 1}\n"
    ),
    "a formula with forbidden parts": _rule(
        "        rule: {kind: formula, expression: 'staf * 2 + __import__(1) + 0x10 + max(1) + \"a\"', "
        "assumed: x}\n"
    ),
    "a formula out of range": _rule(
        "        rule: {kind: formula, expression: 'staff * 2 + 100', assumed: x}\n"
    ),
    "a formula that can leave the range": _rule(
        "        rule: {kind: formula, expression: 'staff - staff_trained', assumed: x}\n"
    ),
    "a formula that is not an expression": _rule(
        "        rule: {kind: formula, expression: 'staff +', assumed: x}\n"
    ),
    "period_from after the deadline": _rule(
        "        deadline: '31.3'\n        rule: {kind: yes_no, input: has_plan, enforce_deadline: true, "
        "period_from: '1.6', dated_by: staff, applicable_if: staff, assumed: x}\n"
    ),
    "a range's min above its max": _rule(
        "        rule:\n          kind: table\n          hit_policy: unique\n"
        "          assumed: x\n          inputs: [staff]\n"
        "          rows:\n            - {when: {staff: {min: 5, max: 3}}, points: 6}\n"
    ),
}


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", BAD_RULES)
def test_a_bad_rule_is_refused_in_the_language(tmp_path: Path, name: str, lang: str) -> None:
    path = tmp_path / "dinh-nghia.yaml"
    path.write_text(mutate(TINY, *BAD_RULES[name]), encoding="utf-8")
    report = check_file(path)
    assert report.problems, name
    content = _content_of(path, extra=["staf", "has_pla", "nobody", "nothing", "maybe", "__import__"])
    for problem in report.problems:
        _assert_speaks(problem.format(lang), lang, content)


def test_the_bad_rules_reach_the_rule_checks(tmp_path: Path) -> None:
    """The cases above are refused by the rules' own checks, not earlier (else they test nothing)."""
    codes: set[str] = set()
    for edits in BAD_RULES.values():
        path = tmp_path / "dinh-nghia.yaml"
        path.write_text(mutate(TINY, *edits), encoding="utf-8")
        codes |= {p.code for p in check_file(path).problems}
    assert {
        "unknown-input",
        "input-type-mismatch",
        "step-gap",
        "step-overlap",
        "scale-mismatch",
        "rule-points",
        "table-gap",
        "table-overlap",
        "formula-name",
        "formula-forbidden",
        "formula-range",
        "formula-syntax",
        "invalid-value",
    } <= codes


def test_a_type_mismatch_and_a_close_match_in_vietnamese(tmp_path: Path) -> None:
    path = tmp_path / "dinh-nghia.yaml"
    path.write_text(mutate(TINY, *BAD_RULES["unknown input with a close match"]), encoding="utf-8")
    (problem,) = [p for p in check_file(path).problems if p.code == "unknown-input"]
    assert problem.format("vi").endswith(
        "`input` 'staf' không phải chỉ tiêu đã khai báo (có phải ý bạn là 'staff'?) (tại A.2)"
    )
    assert "`input` 'staf' is not a declared input (did you mean 'staff'?)" in problem.format("en")
    path.write_text(mutate(TINY, *BAD_RULES["a type mismatch"]), encoding="utf-8")
    (problem,) = [p for p in check_file(path).problems if p.code == "input-type-mismatch"]
    assert "có kiểu `integer`; quy tắc `role` cần kiểu `role`" in problem.format("vi")
    assert "is of type `integer`; a `role` rule needs `role`" in problem.format("en")


def test_a_positioned_message_is_a_message() -> None:
    """`At` is a `Message` with a path (one mechanism): rendered per language, pickled with both."""
    message = At(
        T("row {row} is never reached: earlier rows match every value it matches", row="2"), ("rows", 1)
    )
    assert isinstance(message, Message)
    for again in (copy.deepcopy(message), pickle.loads(pickle.dumps(message)), copy.copy(message)):
        assert isinstance(again, At) and again.path == ("rows", 1)
        assert render(again, "vi").startswith("dòng 2 không bao giờ được dùng")
        assert (
            render(again, "en")
            == str(again)
            == "row 2 is never reached: earlier rows match every value it matches"
        )


def test_a_positioned_message_keeps_braces_of_a_written_text() -> None:
    message = At("a {literal} text", ("rows",))
    assert render(message, "vi") == render(message, "en") == "a {literal} text"


def test_every_word_of_the_explanations_is_in_both_catalogues() -> None:
    from cds_index.engine.evaluate import INDEX_WORDS, STATUS_WORDS
    from cds_index.rules.rank import TEXTS
    from cds_index.rules.targets import STATUS_LABELS

    for table in (WORDS, ROLE_WORDS, TEXTS, STATUS_LABELS, STATUS_WORDS, INDEX_WORDS):
        for context, msgid in table.entries():
            vietnamese = translation("vi").pgettext(context, msgid)
            assert vietnamese != msgid or msgid.startswith("{"), (context, msgid)
        assert table["en"] == {key: (v if isinstance(v, str) else v[1]) for key, v in table.msgids.items()}
    assert WORDS["vi"]["max"] == "tối đa" and WORDS["vi"]["deduct_max"] == "tối đa trừ"  # one English word


WEAK = EXAMPLES / "hue-2263-commune-weak.yaml"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(
    ("definition_id", "example"),
    [
        ("hue-2263-commune", WEAK),
        ("hai-duong-707-district", EXAMPLES / "hai-duong-707-district-huyen-a.yaml"),
    ],
)
def test_explanations_speak_the_language(definition_id: str, example: Path, lang: str) -> None:
    from cds_index.read.units_io import read_unit

    definition = cds_index.load(definition_id)
    unit, _ = read_unit(definition, example)
    assert unit is not None
    result = cds_index.score(definition, unit, lang=lang)  # type: ignore[arg-type]
    content = _content_of(*DEFINITIONS.rglob(f"{definition_id}*.yaml"), example)
    texts = [node.explanation for node in result.walk()]
    assert len(texts) > 20
    for text in texts:
        _assert_speaks(text, lang, content)
    for problem in result.to_dict()["problems"]:
        _assert_speaks(problem["message"], lang, content)


def test_explanation_numbers_follow_the_locale() -> None:
    definition = cds_index.load("hue-2263-commune")
    pairs = [(n, s.per) for n, s in _ratio_rules(definition)]
    assert pairs
    part, whole = pairs[0]
    values = {part: Decimal("9500000"), whole: Decimal("19000000")}
    for lang, shown in (("vi", "9.500.000/19.000.000 = 50%"), ("en", "9,500,000/19,000,000 = 50%")):
        result = cds_index.score(definition, values, lang=lang)  # type: ignore[arg-type]
        assert any(shown in node.explanation for node in result.walk()), lang


def _ratio_rules(definition: Any) -> list[tuple[str, Any]]:
    """(input, rule) of each ratio of one input over one other, of a number input without a `max`."""
    found = []
    for _, node in definition.walk():
        rule = getattr(node, "rule", None)
        if (
            getattr(rule, "kind", None) == "ratio"
            and isinstance(rule.input, str)
            and isinstance(rule.per, str)
        ):
            spec = definition.inputs[rule.input]
            if spec.max is None and definition.inputs[rule.per].max is None:
                found.append((rule.input, rule))
    return found


def test_the_result_renders_its_problems_in_its_language() -> None:
    definition = cds_index.load("hai-duong-707-district")
    path = EXAMPLES / "hai-duong-707-district-huyen-a.yaml"
    from cds_index.read.units_io import read_unit

    unit, _ = read_unit(definition, path, year=2025)
    assert unit is not None
    vi = cds_index.score(definition, unit, lang="vi").to_dict()
    en = cds_index.score(definition, unit, lang="en").to_dict()
    (warned_vi,) = [p["message"] for p in vi["problems"] if p["code"] == "year-outside-period"]
    (warned_en,) = [p["message"] for p in en["problems"] if p["code"] == "year-outside-period"]
    assert "30/06/2025" in warned_vi and "không đánh giá năm 2025" in warned_vi
    assert "2025-06-30" in warned_en and "does not assess 2025" in warned_en


def test_a_formula_without_a_value_says_why_in_the_language() -> None:
    from cds_index.check.formula import FormulaEvalError, compile_formula

    formula, problems = compile_formula("staff / (staff - staff)", {"staff": None})
    assert formula is not None and not problems
    with pytest.raises(FormulaEvalError) as caught:
        formula({"staff": Decimal(2)})
    assert (
        render(caught.value.message, "vi")
        == "một phép tính không có giá trị (0 / 0, x % 0, hoặc một kết quả quá lớn để chia)"
        or render(caught.value.message, "vi") == "chia cho 0"
    )
    assert str(caught.value) in {
        "division by zero",
        "an operation without a value (0 / 0, x % 0, or a result too large to divide)",
    }
