"""The static check of a definition: ids, exact sums, errata, inputs, units, steps, targets."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cds_index.check.validate import achievable, check_definition
from cds_index.errors import Problem
from cds_index.formats.model import Definition
from cds_index.i18n import render
from cds_index.read.loader import read_file, validate_model

from .conftest import (
    DEFINITIONS,
    TINY,
    column_of,
    definition_from_text,
    erratum_kind,
    errors_of,
    label,
    line_of,
    mutate,
)

D = Decimal
RULE_A1 = """        rule:
          kind: yes_no
          input: has_plan
          assumed: "“Có …” is scored yes/no."
"""


def problems(text: str) -> list[Problem]:
    definition, found = definition_from_text(text)
    assert definition is not None, [p.format() for p in found]
    return found


def codes(text: str) -> list[str]:
    return [p.code for p in problems(text)]


def test_the_tiny_definition_is_clean() -> None:
    assert problems(TINY) == []


# --- sums, exactly ------------------------------------------------------------------------------


def test_parent_points_must_equal_the_sum_of_children() -> None:
    text = mutate(TINY, ("    points: 10\n", "    points: 12\n"), ("total: 10", "total: 12"))
    (problem,) = problems(text)
    assert problem.code == "points-mismatch"
    assert problem.location.line == line_of(text, "    points: 12")
    assert "A states 12 points but its children add up to 10" in problem.message
    assert problem.hint is not None and "printed: 12, computed: 10" in problem.hint


def test_sums_are_exact_decimals() -> None:
    # 0.1 + 0.2 is 0.3 exactly; a binary float would make this a mismatch
    text = mutate(
        TINY,
        ("    points: 10\n", "    points: 6.3\n"),
        ("total: 10", "total: 6.3"),
        ("        points: 4\n", "        points: 0.1\n"),
        ("        points: 6\n", "        points: 6.2\n"),
    )
    assert problems(text) == []
    text = mutate(text, ("        points: 0.1\n", "        points: 0.10000000000000001\n"))
    assert codes(text) == ["points-mismatch"]


def test_stated_total_must_equal_the_sum_of_pillars() -> None:
    text = mutate(TINY, ("total: 10", "total: 11"))
    (problem,) = problems(text)
    assert problem.code == "total-mismatch"
    assert problem.location.line == line_of(text, "total: 11")
    assert "11" in problem.message and "10" in problem.message


def test_a_parent_without_points_counts_as_the_sum_of_its_children() -> None:
    # 2263's components print no points of their own
    text = mutate(TINY, ("    points: 10\n", ""))
    assert problems(text) == []


def test_one_level_at_a_time_no_cascade() -> None:
    # a wrong criterion makes its parent wrong; the pillar above compares against printed points
    text = mutate(TINY, ("        points: 4\n", "        points: 5\n"))
    assert codes(text) == ["points-mismatch"]


def test_a_criterion_without_points_is_reported_once() -> None:
    text = mutate(TINY, ("        points: 4\n", ""))
    (problem,) = problems(text)
    assert problem.code == "missing-key"
    assert "A.1" in problem.message and "points" in problem.message


# --- errata -------------------------------------------------------------------------------------

PRINTED_12 = (("    points: 10\n", "    points: 12\n"), ("total: 10", "total: 12"))


def with_errata(entry: str, *edits: tuple[str, str]) -> str:
    return mutate(TINY, *edits, ("tree:\n", f"errata:\n  - {entry}\ntree:\n"))


def test_a_recorded_discrepancy_is_a_note_with_the_achievable_maximum() -> None:
    text = with_errata(
        "{node: A, kind: points-mismatch, printed: 12, computed: 10, note: printed 12}", *PRINTED_12
    )
    (problem,) = problems(text)
    assert (problem.code, problem.severity) == ("known-discrepancy", "info")
    assert "achievable maximum 10" in problem.message
    assert problem.location.line == line_of(text, "    points: 12")


def test_a_recorded_total_discrepancy() -> None:
    text = with_errata(
        "{node: total, kind: total-mismatch, printed: 11, computed: 10, note: x}", ("total: 10", "total: 11")
    )
    (problem,) = problems(text)
    assert (problem.code, problem.severity) == ("known-discrepancy", "info")


@pytest.mark.parametrize(
    ("entry", "key"),
    [
        ("{node: A, kind: points-mismatch, printed: 12, computed: 9, note: x}", "computed: 9"),
        ("{node: A, kind: points-mismatch, printed: 11, computed: 10, note: x}", "printed: 11"),
        # a printed number in quotes is still a number, and still checked
        ("{node: A, kind: points-mismatch, printed: '11', computed: 10, note: x}", "printed: '11'"),
    ],
)
def test_errata_must_say_what_the_definition_holds(entry: str, key: str) -> None:
    text = with_errata(entry, *PRINTED_12)
    (problem,) = problems(text)
    assert problem.code == "errata-mismatch"
    assert problem.location.line == line_of(text, key)
    assert problem.location.column == column_of(text, key) + key.index(": ") + 2  # at the value


def test_an_erratum_for_consistent_points_is_refused() -> None:
    text = with_errata("{node: A, kind: points-mismatch, printed: 10, computed: 10, note: x}")
    (problem,) = problems(text)
    assert problem.code == "errata-mismatch"
    assert problem.location.line == line_of(text, "node: A, kind")


def test_an_erratum_naming_no_node() -> None:
    text = with_errata("{node: A.9, kind: duplicate-title, note: x}")
    (problem,) = problems(text)
    assert problem.code == "errata-unknown-node"
    assert "'A.9'" in problem.message


def test_other_errata_kinds_need_no_arithmetic() -> None:
    text = with_errata("{node: A.2, kind: duplicate-number, printed: A.1, note: printed twice}")
    # no arithmetic to check, but the erratum is listed, with its kind, as a note (#10)
    (note,) = problems(text)
    assert (note.code, note.severity, note.node) == ("known-discrepancy", "info", ("A.2",))
    assert render(note.message, "en") == "a number printed twice: printed twice"  # the node: note.node
    assert note.location.line == line_of(text, "{node: A.2")


# --- the tree -----------------------------------------------------------------------------------


def test_duplicate_ids() -> None:
    text = mutate(TINY, ("      - id: A.2\n", "      - id: A.1\n"))
    (problem,) = problems(text)
    assert problem.code == "duplicate-id"
    assert problem.location.line == line_of(text, "- id: A.1", 2)
    assert f"first at line {line_of(text, '- id: A.1')}" in problem.message


def test_node_with_rule_and_children() -> None:
    child = (
        "        children:\n"
        "          - {id: A.1.1, title: x, points: 4, rule: {kind: yes_no, input: has_plan, text: x}}\n"
    )
    text = mutate(TINY, (RULE_A1, RULE_A1 + child))
    (problem,) = problems(text)
    assert problem.code == "node-rule-and-children"
    assert problem.location.line == line_of(text, "id: A.1")
    assert "A.1 has `children` and `rule`" in problem.message


def test_leaf_without_rule() -> None:
    text = mutate(TINY, (RULE_A1, ""))
    errors = errors_of(problems(text))
    assert [p.code for p in errors] == ["leaf-without-rule"]
    assert errors[0].location.line == line_of(text, "id: A.1")


# --- inputs, types and units --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("edit", "code", "words"),
    [
        # a rule naming an input nobody declared, with a suggestion
        (("input: has_plan", "input: has_plam"), "unknown-input", ["'has_plam'", "did you mean 'has_plan'"]),
        (("per: staff\n", "per: staf\n"), "unknown-input", ["'staf'"]),
        # inputs of a type the rule cannot measure
        (("input: has_plan", "input: staff"), "input-type-mismatch", ["'staff'", "yes_no", "boolean"]),
        (("input: staff_trained", "input: has_plan"), "input-type-mismatch", ["'has_plan'", "ratio"]),
        (
            ("kind: yes_no\n          input: has_plan", "kind: role\n          input: has_plan"),
            "input-type-mismatch",
            ["role"],
        ),
        (
            ("input: has_plan\n", "input: has_plan\n          applicable_if: staff\n"),
            "input-type-mismatch",
            ["applicable_if", "'staff'"],
        ),
        # a ratio of persons to households is no ratio
        (
            ("unit: person, min: 0, general", "unit: household, min: 0, general"),
            "unit-incompatible",
            ["person", "household"],
        ),
        # without `per`, only a percentage or a plain ratio
        (("          per: staff\n", ""), "unit-incompatible", ["'staff_trained'", "percent"]),
    ],
)
def test_rule_inputs(edit: tuple[str, str], code: str, words: list[str]) -> None:
    text = mutate(TINY, edit)
    errors = errors_of(problems(text))
    assert [p.code for p in errors] == [code]
    for word in words:
        assert word in errors[0].message
    rule_line = line_of(text, "rule:", 1 if "A.1" in errors[0].node else 2) + 1  # the rule's first key
    assert errors[0].location.line == rule_line


def test_an_unknown_unit_is_reported_once_at_the_input() -> None:
    text = mutate(TINY, ("unit: person, min: 0, general", "unit: people, min: 0, general"))
    (problem,) = problems(text)
    assert problem.code == "unit-unknown"
    assert problem.location.line == line_of(text, "unit: people")
    assert problem.location.column == column_of(text, "people")
    assert "'people'" in problem.message and "person" in problem.message  # the known units


def test_an_unused_input_is_a_warning() -> None:
    text = mutate(TINY, ("tree:\n", "  spare: {label: Dự phòng, type: boolean}\ntree:\n"))
    (problem,) = problems(text)
    assert (problem.code, problem.severity) == ("unused-input", "warning")
    assert problem.location.line == line_of(text, "spare:")


def test_enforce_deadline_needs_a_deadline() -> None:
    text = mutate(TINY, ("input: has_plan\n", "input: has_plan\n          enforce_deadline: true\n"))
    (problem,) = problems(text)
    assert problem.code == "invalid-value"
    assert "deadline" in problem.message


@pytest.mark.parametrize(("handled", "errors"), [("staff", ["invalid-value"]), ("staff_trained", [])])
def test_incidents_handled_is_not_the_count_itself(handled: str, errors: list[str]) -> None:
    """`handled: x` beside `input: x` counts every incident handled: always full points (#11)."""
    rule = f"kind: incidents\n          input: staff\n          handled: {handled}\n"
    text = mutate(TINY, ("kind: yes_no\n          input: has_plan\n", rule))
    text = mutate(text, ("  has_plan: {label: Có kế hoạch chuyển đổi số, type: boolean}\n", ""))
    found = errors_of(problems(text))
    assert [p.code for p in found] == errors
    if found:
        assert "'staff'" in found[0].message and "handled" in found[0].message
        assert render(found[0].message, "vi").startswith("`handled` ghi 'staff', chính là số sự cố")
        assert found[0].location.line == line_of(text, "kind: incidents")


# --- steps and rule points ----------------------------------------------------------------------


def steps_text(
    steps: str, input_spec: str = "{label: Số tin bài, type: integer, unit: item, min: 0}", per: str = ""
) -> str:
    rule = (
        "        rule:\n          kind: steps\n          input: articles\n"
        + per
        + "          assumed: x\n          steps:\n"
        + steps
    )
    return mutate(
        TINY,
        (RULE_A1, rule),
        ("tree:\n", f"  articles: {input_spec}\ntree:\n"),
        ("  has_plan: {label: Có kế hoạch chuyển đổi số, type: boolean}\n", ""),
    )


@pytest.mark.parametrize(
    ("steps", "code", "words"),
    [
        # a gap between bands
        (
            "            - {min: 0, max: 1, percent: 0}\n            - {min: 2, percent: 100}\n",
            "step-gap",
            ["between 1", "and 2"],
        ),
        # two exclusive bounds meeting leave the boundary value out
        (
            "            - {min: 0, max: 1, percent: 0}\n"
            "            - {min: 1, min_inclusive: false, percent: 100}\n",
            "step-gap",
            ["1 (exclusive)"],
        ),
        # two inclusive bounds meeting cover it twice
        (
            "            - {min: 0, max: 1, max_inclusive: true, percent: 0}\n"
            "            - {min: 1, percent: 100}\n",
            "step-overlap",
            ["1 falls in two steps"],
        ),
        (
            "            - {min: 0, max: 3, percent: 0}\n            - {min: 2, percent: 100}\n",
            "step-overlap",
            ["3 falls in two steps"],
        ),
        # a band without an upper bound followed by another
        (
            "            - {min: 0, percent: 0}\n            - {min: 2, percent: 100}\n",
            "step-overlap",
            ["no upper bound"],
        ),
        # the first band starts above the input's minimum (0)
        (
            "            - {min: 1, max: 2, percent: 50}\n            - {min: 2, percent: 100}\n",
            "step-gap",
            ["below 1", "minimum is 0"],
        ),
        # the last band ends below +∞
        (
            "            - {min: 0, max: 1, percent: 0}\n            - {min: 1, max: 9, percent: 100}\n",
            "step-gap",
            ["above 9"],
        ),
        # a band's points above the criterion's 4
        (
            "            - {min: 0, max: 1, points: 0}\n            - {min: 1, points: 5}\n",
            "rule-points",
            ["5", "4"],
        ),
    ],
)
def test_steps_cover_the_range_once(steps: str, code: str, words: list[str]) -> None:
    text = steps_text(steps)
    errors = errors_of(problems(text))
    assert [p.code for p in errors] == [code], [p.format() for p in errors]
    for word in words:
        assert word in errors[0].message
    assert errors[0].location.line == line_of(text, "kind: steps")


def test_steps_bounded_by_the_input_range() -> None:
    # an input declared 0–100: the last band may end at 100 inclusive
    spec = "{label: Tỷ lệ, type: number, unit: percent, min: 0, max: 100}"
    good = (
        "            - {min: 0, max: 50, percent: 0}\n"
        "            - {min: 50, max: 100, max_inclusive: true, percent: 100}\n"
    )
    assert errors_of(problems(steps_text(good, spec))) == []
    bad = good.replace("max_inclusive: true", "max_inclusive: false")
    assert [p.code for p in errors_of(problems(steps_text(bad, spec)))] == ["step-gap"]


def test_steps_on_a_yes_no_input_say_the_type_only() -> None:
    """A boolean has no range: its type is the error, not a gap between bands that no yes/no fills (#11)."""
    spec = "{label: Có kế hoạch, type: boolean}"
    bands = "            - {min: 1, max: 2, percent: 100}\n"
    assert [p.code for p in errors_of(problems(steps_text(bands, spec)))] == ["input-type-mismatch"]


@pytest.mark.parametrize(
    ("rule", "code"),
    [
        (
            "{kind: checklist, assumed: x, items: "
            "[{input: has_plan, points: 3}, {input: has_plan, points: 2}]}",
            "rule-points",
        ),
        ("{kind: per_item, input: staff, points_each: 1, cap: 5, assumed: x}", "rule-points"),
    ],
)
def test_a_rule_cannot_give_more_than_the_criterion(rule: str, code: str) -> None:
    text = mutate(TINY, (RULE_A1, f"        rule: {rule}\n"))
    errors = errors_of(problems(text))
    assert [p.code for p in errors] == [code]
    assert "4" in errors[0].message


# --- the bundled definitions --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "discrepancies", "achievable_total"),
    [
        ("hai-duong-707-department", {"CQS.3"}, D(196)),
        ("hai-duong-707-district", {"KTS.2.2", "KTS.5.5"}, D(419)),
    ],
)
def test_bundled_707_definitions(name: str, discrepancies: set[str], achievable_total: Decimal) -> None:
    doc, found = read_file(DEFINITIONS / f"{name}.yaml")
    assert found == []
    definition, found = validate_model(Definition, doc)
    assert definition is not None, found
    result = check_definition(definition, doc)
    assert errors_of(result) == []
    notes = [p for p in result if p.code == "known-discrepancy"]
    mismatch = label("points-mismatch")
    assert {p.node[-1] for p in notes if render(p.message, "en").startswith(mismatch)} == discrepancies
    # and every erratum is listed, once, with its kind and its node (#10)
    assert sorted((erratum_kind(p.message), p.node[-1:]) for p in notes) == sorted(
        (e.kind, () if e.node in {"total", "document"} else (e.node,)) for e in definition.errata
    )
    assert sum((achievable(p) for p in definition.tree), D(0)) == achievable_total
    recorded = {e.node for e in definition.errata if e.kind == "points-mismatch"}
    assert recorded == discrepancies


@pytest.mark.parametrize("path", sorted(DEFINITIONS.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_bundled_definition_has_no_error(path: object) -> None:
    doc, found = read_file(path)  # type: ignore[arg-type]
    definition, found = validate_model(Definition, doc)
    assert definition is not None, [p.format() for p in found]
    assert errors_of(check_definition(definition, doc)) == []
