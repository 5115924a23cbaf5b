"""Mistakes a policy analyst makes when writing a definition: each gives exactly one clear error,
at the line (and column) where it was made, naming what is wrong.

Every case starts from the tiny, valid definition in conftest.TINY and changes one thing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from cds_index.cli import main
from cds_index.errors import Problem

from .conftest import TINY, errors_of, line_of, mutate

RULE_A1 = """        rule:
          kind: yes_no
          input: has_plan
          assumed: "“Có …” is scored yes/no."
"""
RULE_A2_TAIL = '          assumed: "“Tỷ lệ …” is scored in proportion."\n'
ARTICLES = "  articles: {label: Số tin bài, type: integer, unit: item, min: 0}\ntree:\n"
PLAN_INPUT = "  has_plan: {label: Có kế hoạch chuyển đổi số, type: boolean}\n"


def steps_rule(steps: str) -> tuple[tuple[str, str], ...]:
    """Replace A.1's rule with a steps rule on a new `articles` input."""
    rule = (
        "        rule:\n          kind: steps\n          input: articles\n"
        "          assumed: x\n          steps:\n"
    )
    return ((RULE_A1, rule + steps), ("tree:\n", ARTICLES), (PLAN_INPUT, ""))


@dataclass(frozen=True)
class Mistake:
    name: str
    edits: tuple[tuple[str, str], ...]
    code: str
    at: str
    """A text on the line where the error must point (its first occurrence after the edits)."""
    names: tuple[str, ...]
    """What the message must name."""
    column: str | None = None
    """Where on that line the error must point, when it points inside the line."""
    occurrence: int = 1
    """Which occurrence of ``at`` (the second, for a repeated id)."""


MISTAKES = [
    # --- writing YAML ----------------------------------------------------------------------------
    Mistake(
        "tab character for indentation",
        (("          input: has_plan\n", "\t  input: has_plan\n"),),
        "yaml-syntax",
        "\t  input",
        ("tab", "spaces"),  # in our words (#12), not the parser's "'\\t' that cannot start any token"
    ),
    Mistake(
        "wrong indentation",
        (("          input: has_plan\n", "         input: has_plan\n"),),
        "yaml-syntax",
        "         input: has_plan",
        ("indentation",),
    ),
    Mistake(
        "unclosed quote",
        (("    title: Nhận thức số\n", "    title: 'Nhận thức số\n"),),
        "yaml-syntax",
        "'Nhận thức số",
        ("quote", "never closed"),
        column="'Nhận",
    ),
    Mistake(
        "unclosed brace",
        ((PLAN_INPUT, PLAN_INPUT.replace("}", "")),),
        "yaml-syntax",
        "  staff: {",
        ("bracket is not closed", f"began at line {line_of(TINY, 'has_plan: {')}"),
    ),
    Mistake(
        "the same key twice",
        (("        points: 4\n", "        points: 4\n        points: 5\n"),),
        "yaml-duplicate-key",
        "points: 5",
        ("'points'", f"first at line {line_of(TINY, '        points: 4')}"),
        column="points: 5",
    ),
    Mistake("merge key to copy a node", (("  - id: A\n", "  - <<: {id: A}\n"),), "yaml-tag", "<<:", ("<<",)),
    # --- keys and their types ------------------------------------------------------------------
    Mistake(
        "typo in a key",
        (("    title: Nhận thức số\n", "    title: Nhận thức số\n    guidence: x\n"),),
        "unknown-key",
        "guidence",
        ("'guidence'",),
        column="guidence",
    ),
    Mistake(
        "typo in a rule key",
        (('          assumed: "“Có', '          asumed: "“Có'),),
        "unknown-key",
        "asumed",
        ("'asumed'",),
        column="asumed",
    ),
    Mistake(
        "a criterion without points",
        (("        points: 4\n", ""),),
        "missing-key",
        "- id: A.1",
        ("A.1", "`points`"),
    ),
    Mistake(
        "points written as text",
        (("        points: 4\n", "        points: 4 điểm\n"),),
        "wrong-type",
        "points: 4 điểm",
        ("'4 điểm'",),
        column="4 điểm",
    ),
    Mistake(
        "points with a decimal comma",
        (("        points: 4\n", "        points: 2,5\n"),),
        "wrong-type",
        "points: 2,5",
        ("'2,5'",),
        column="2,5",
    ),
    Mistake(
        "negative points",
        (("        points: 4\n", "        points: -4\n"),),
        "invalid-value",
        "points: -4",
        ("-4", "at least 0"),
        column="-4",
    ),
    Mistake(
        "a level in Vietnamese",
        (("level: commune", "level: xã"),),
        "invalid-value",
        "level: xã",
        ("'xã'", "`commune`"),  # the choices as code, the value as written (#12)
        column="xã",
    ),
    Mistake(
        "kind misspelt",
        (("kind: definition\n", "kind: definitions\n"),),
        "kind-unknown",
        "kind: definitions",
        ("'definitions'",),
        column="definitions",
    ),
    # --- rules ---------------------------------------------------------------------------------
    Mistake(
        "unknown rule kind",
        (("kind: yes_no", "kind: yesno"),),
        "invalid-value",
        "kind: yesno",
        ("'yesno'", "yes_no"),
    ),
    Mistake(
        "a rule without kind",
        (("          kind: yes_no\n", ""),),
        "missing-key",
        "input: has_plan",
        ("`kind:`",),
    ),
    Mistake(
        "a rule without provenance",
        (('          assumed: "“Có …” is scored yes/no."\n', ""),),
        "invalid-value",
        "kind: yes_no",
        ("`text`", "`assumed`"),
    ),
    Mistake(
        "a node with both a rule and children",
        (
            (
                RULE_A1,
                RULE_A1 + "        children:\n          - {id: A.1.1, title: x, points: 4, "
                "rule: {kind: yes_no, input: has_plan, text: x}}\n",
            ),
        ),
        "node-rule-and-children",
        "- id: A.1",
        ("A.1",),
    ),
    Mistake(
        "a criterion without a rule", ((RULE_A1, ""),), "leaf-without-rule", "- id: A.1", ("A.1", "`rule`")
    ),
    Mistake(
        "a ratio target written as a percentage",
        (("          per: staff\n", "          per: staff\n          target: 80\n"),),
        "scale-mismatch",
        "target: 80",
        ("80", "write 0.8 for 80 %"),  # "viết 0.8 cho 80 %" in Vietnamese: a definition writes 0.8 (#12)
        column="80",
    ),
    Mistake(
        "enforce_deadline without a deadline",
        (("input: has_plan\n", "input: has_plan\n          enforce_deadline: true\n"),),
        "invalid-value",
        "kind: yes_no",
        ("deadline",),
    ),
    Mistake(
        "checklist items worth more than the criterion",
        (
            (
                RULE_A1,
                "        rule: {kind: checklist, assumed: x, items: [{input: has_plan, points: 3}, "
                "{input: has_plan, points: 2}]}\n",
            ),
        ),
        "rule-points",
        "kind: checklist",
        ("5", "4"),
    ),
    # --- inputs and units ----------------------------------------------------------------------
    Mistake(
        "an input that is not declared",
        (("input: has_plan", "input: has_plans"),),
        "unknown-input",
        "kind: yes_no",
        ("'has_plans'", "'has_plan'"),
    ),
    Mistake(
        "a ratio of persons to households",
        (("unit: person, min: 0, general", "unit: household, min: 0, general"),),
        "unit-incompatible",
        "kind: ratio",
        ("'staff_trained'", "person", "'staff'", "household"),
    ),
    Mistake(
        "a ratio of a count without a denominator",
        (("          per: staff\n", ""),),
        "unit-incompatible",
        "kind: ratio",
        ("'staff_trained'", "`per`"),
    ),
    Mistake(
        "a unit the registry does not know",
        (("unit: person, min: 0, general", "unit: people, min: 0, general"),),
        "unit-unknown",
        "unit: people",
        ("'people'",),
        column="people",
    ),
    Mistake(
        "a yes/no rule on a number",
        (("input: has_plan", "input: staff"),),
        "input-type-mismatch",
        "kind: yes_no",
        ("'staff'", "boolean"),
    ),
    Mistake(
        "a choice input without choices",
        (("type: boolean}", "type: choice}"),),
        "invalid-value",
        "has_plan:",
        ("`choices`",),
    ),
    Mistake(
        "an input's min above its max",
        (("min: 0, general", "min: 5, max: 1, general"),),
        "invalid-value",
        "  staff:",
        ("`min`", "`max`"),
    ),
    Mistake(
        "an input name with capitals",
        (("  staff_trained: {", "  staffTrained: {"),),
        "invalid-value",
        "staffTrained",
        ("'staffTrained'",),
        column="staffTrained:",
    ),
    # --- yes and no ----------------------------------------------------------------------------
    Mistake(
        "yes/no written as an input type",
        (("type: boolean}", "type: yes/no}"),),
        "invalid-value",
        "type: yes/no",
        ("'yes/no'", "`boolean`"),
        column="yes/no",
    ),
    Mistake(
        "yes where an input name belongs",
        (("input: has_plan\n", "input: has_plan\n          applicable_if: true\n"),),
        "wrong-type",
        "applicable_if: true",
        ("true", "YAML"),  # as written, not Python's True, and why it is not a name (#11)
        column="true",
    ),
    Mistake(
        "có where true belongs",
        (("min: 0, general: true", "min: 0, general: có"),),
        "wrong-type",
        "general: có",
        ("'có'",),
        column="có",
    ),
    # --- steps ---------------------------------------------------------------------------------
    Mistake(
        "steps with a gap",
        steps_rule("            - {min: 0, max: 1, percent: 0}\n            - {min: 2, percent: 100}\n"),
        "step-gap",
        "kind: steps",
        ("1", "2"),
    ),
    Mistake(
        "steps overlapping",
        steps_rule(
            "            - {min: 0, max: 1, max_inclusive: true, percent: 0}\n"
            "            - {min: 1, percent: 100}\n"
        ),
        "step-overlap",
        "kind: steps",
        ("1 falls in two steps",),
    ),
    Mistake(
        "a step above 100 percent",
        steps_rule("            - {min: 0, max: 1, percent: 0}\n            - {min: 1, percent: 150}\n"),
        "invalid-value",
        "percent: 150",
        ("150", "100"),
        column="150",
    ),
    Mistake(
        "a step with both percent and points",
        steps_rule(
            "            - {min: 0, max: 1, percent: 0}\n            - {min: 1, percent: 100, points: 4}\n"
        ),
        "invalid-value",
        "points: 4}",
        ("`percent`", "`points`"),
        column="{min: 1",
    ),
    # --- the tree and its sums -----------------------------------------------------------------
    Mistake(
        "the same id twice",
        (("      - id: A.2\n", "      - id: A.1\n"),),
        "duplicate-id",
        "- id: A.1",
        ("'A.1'", f"first at line {line_of(TINY, '- id: A.1')}"),
        column="A.1",
        occurrence=2,
    ),
    Mistake(
        "an id with a space",
        (("      - id: A.2\n", "      - id: A 2\n"),),
        "invalid-value",
        "id: A 2",
        ("'A 2'",),
        column="A 2",
    ),
    Mistake(
        "children that do not add up, no errata",
        (("    points: 10\n", "    points: 12\n"), ("total: 10", "total: 12")),
        "points-mismatch",
        "    points: 12",
        ("12", "10"),
        column="12",
    ),
    Mistake(
        "a total that does not add up",
        (("total: 10", "total: 100"),),
        "total-mismatch",
        "total: 100",
        ("100", "10"),
        column="100",
    ),
    Mistake(
        "errata that do not match",
        (
            ("    points: 10\n", "    points: 12\n"),
            ("total: 10", "total: 12"),
            (
                "tree:\n",
                "errata:\n  - {node: A, kind: points-mismatch, printed: 12, computed: 8, note: x}\ntree:\n",
            ),
        ),
        "errata-mismatch",
        "computed: 8",
        ("8", "10"),
        column="8, note",
    ),
    Mistake(
        "errata for a node that is not there",
        (("tree:\n", "errata:\n  - {node: A.3, kind: duplicate-title, note: x}\ntree:\n"),),
        "errata-unknown-node",
        "node: A.3",
        ("'A.3'",),
        column="A.3",
    ),
    # --- dates ---------------------------------------------------------------------------------
    Mistake(
        "a date written day/month/year",
        (("date: 2024-01-15,", "date: 15/01/2024,"),),
        "wrong-type",
        "date: 15/01/2024",
        ("'15/01/2024'",),
        column="15/01/2024",
    ),
    Mistake(
        "a deadline written with a slash",
        (("        points: 4\n", "        points: 4\n        deadline: 31/3\n"),),
        "invalid-value",
        "deadline: 31/3",
        ("'31/3'",),
        column="31/3",
    ),
    Mistake(
        "effective to before from",
        (("effective: {from: 2024-01-15}", "effective: {from: 2024-01-15, to: 2023-12-31}"),),
        "invalid-value",
        "effective:",
        ("`to`", "`from`"),
    ),
    # --- formulas ------------------------------------------------------------------------------
    Mistake(
        "a formula naming an undeclared input",
        ((RULE_A1, "        rule: {kind: formula, expression: 'min(4, staf / 10)', assumed: x}\n"),),
        "formula-name",
        "kind: formula",
        ("'staf'",),
    ),
]


def test_there_are_at_least_twenty_kinds_of_mistakes() -> None:
    assert len({m.name for m in MISTAKES}) == len(MISTAKES) >= 20
    assert len({m.code for m in MISTAKES}) >= 20


@pytest.mark.parametrize("mistake", MISTAKES, ids=[m.name for m in MISTAKES])
def test_one_clear_positioned_error(mistake: Mistake, check: Callable[..., list[Problem]]) -> None:
    text = mutate(TINY, *mistake.edits)
    errors = errors_of(check(text, "mistake.yaml"))
    assert len(errors) == 1, "\n".join(p.format() for p in errors)
    (error,) = errors
    assert error.code == mistake.code, error.format()
    assert error.location.file is not None and error.location.file.endswith("mistake.yaml")
    assert error.location.line == line_of(text, mistake.at, mistake.occurrence), error.format()
    if mistake.column is not None:
        expected = text.splitlines()[error.location.line - 1].index(mistake.column) + 1
        assert error.location.column == expected, error.format()
    for word in mistake.names:
        assert word in error.message, error.format()


@pytest.mark.parametrize("mistake", MISTAKES[:: len(MISTAKES) // 6], ids=lambda m: m.name)
def test_the_cli_reports_it_without_a_traceback(
    mistake: Mistake, write: Callable[..., object], capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(mutate(TINY, *mistake.edits), "mistake.yaml")
    assert main(["check", str(path)]) == 1
    out, err = capsys.readouterr()
    assert f"mistake.yaml:{line_of(mutate(TINY, *mistake.edits), mistake.at, mistake.occurrence)}:" in out
    assert f"error[{mistake.code}]" in out
    assert "Traceback" not in out + err
