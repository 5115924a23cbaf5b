"""Every error code is triggered at least once, with its file, line and (where meaningful) column.

Codes that no file can produce are listed in NOT_FROM_A_FILE with the reason, and tested through
the library or the command line below.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from cds_index.check.checking import check_file
from cds_index.cli import main
from cds_index.engine.evaluate import score
from cds_index.errors import CODES, CdsIndexError, Problem
from cds_index.read import loader
from cds_index.read.registry import load_file
from cds_index.read.units_io import read_unit

from .conftest import TINY, column_of, criterion, definition_data, dump_yaml, line_of, mutate

RULE_A1 = """        rule:
          kind: yes_no
          input: has_plan
          assumed: "“Có …” is scored yes/no."
"""


def tiny(*edits: tuple[str, str]) -> str:
    return mutate(TINY, *edits)


def steps(body: str) -> str:
    rule = (
        "        rule:\n          kind: steps\n          input: staff_trained\n"
        "          assumed: x\n          steps:\n"
    )
    return tiny((RULE_A1, rule + body))


def with_formula(expression: str) -> str:
    return tiny((RULE_A1, f"        rule: {{kind: formula, expression: '{expression}', assumed: x}}\n"))


TARGETS = """\
kind: definition
id: targets
title: Chỉ tiêu thử nghiệm
issuer: Ủy ban nhân dân tỉnh Thử
decision: {number: 2/QĐ-UBND, date: 2022-05-01}
level: commune
effective: {from: 2022-05-01}
scoring: targets
years: [2022, 2023]
inputs:
  online: {label: Tỷ lệ hồ sơ trực tuyến, type: number, unit: percent, min: 0, max: 100}
tree:
  - id: "1"
    title: Chính quyền số
    children:
      - id: "1.1"
        title: Tỷ lệ hồ sơ trực tuyến
        targets:
          input: online
          years:
            2022: {at_least: 50}
            2024: {at_least: 60}
"""

# a definition for inputs files: yes/no, a bounded count, a role
UNITS_DEF = dump_yaml(
    definition_data(
        {
            "done": {"label": "Đã thực hiện", "type": "boolean"},
            "staff": {"label": "Số cán bộ", "type": "integer", "unit": "person", "min": 0, "max": 500},
            "leader": {"label": "Người chủ trì", "type": "role"},
        },
        [
            criterion("U.1", 1, {"kind": "yes_no", "input": "done"}),
            criterion("U.2", 1, {"kind": "count", "input": "staff", "target": 10}),
            criterion("U.3", 1, {"kind": "role", "input": "leader"}),
        ],
        id="units",
    )
)
UNIT_VALUES = """\
kind: inputs
definition: units.yaml
unit: {id: xa-a, name: Xã A (hư cấu)}
year: 2024
values:
  done: maybe
  staff: 900
  leader: boss
  stafff: 3
"""

# a definition with a constraint between inputs and a dated criterion (issue #10)
FIDELITY_DEF = dump_yaml(
    definition_data(
        {
            "staff": {"label": "Số CBCCVC", "type": "integer", "unit": "person", "min": 0},
            "trained": {"label": "Số CBCCVC được tập huấn", "type": "integer", "unit": "person", "min": 0},
            "met": {"label": "Có tổ chức họp Quý 1", "type": "boolean"},
        },
        [
            criterion("F.1", 1, {"kind": "ratio", "input": "trained", "per": "staff"}),
            criterion(
                "F.2", 1, {"kind": "yes_no", "input": "met", "enforce_deadline": True}, deadline="31.3"
            ),
        ],
        id="fidelity",
        constraints=[{"input": "trained", "at_most": "staff"}],
    )
)
FIDELITY_VALUES = """\
kind: inputs
definition: fidelity.yaml
unit: {id: xa-b, name: Xã B (hư cấu)}
year: 2024
values:
  staff: 20
  trained: 25
  met: true
"""

# the same without the constraint: a part above its whole is counted as 100 %, and said so (#13)
CLAMPED_DEF = FIDELITY_DEF.replace("id: fidelity", "id: clamped").split("constraints:")[0]


def amending(base: str, *, day: str = "2025-01-15", ident: str = "tiny") -> str:
    """An amending version of TINY (#13): its base, its own decision and period, one change."""
    return (
        f"kind: definition\nid: {ident}\nextends: {base}\n"
        "decision: {number: 2/QĐ-UBND, date: 2025-01-02}\n"
        f"effective: {{from: {day}}}\n"
        "changes:\n  - {op: points, node: A.1, points: 5}\n"
    )


# a chain of 17 amending versions, each extending the one before: one more than is followed
CHAIN = tuple(
    (
        f"v{n}.yaml",
        amending(f"v{n - 1}.yaml", ident=f"chain-{n}") if n else TINY.replace("id: tiny", "id: chain-0"),
    )
    for n in range(17)
)


def table_rule(body: str, inputs: str = "[has_plan]", policy: str = "unique") -> str:
    """TINY with A.1 scored by a decision table (#13)."""
    rule = (
        f"        rule:\n          kind: table\n          inputs: {inputs}\n          hit_policy: {policy}\n"
        f"          assumed: x\n          rows:\n{body}"
    )
    return tiny((RULE_A1, rule))


RATE_INPUT = ("inputs:\n", "inputs:\n  rate: {label: Tỷ lệ, type: number, unit: percent, min: 0, max: 100}\n")
HUGE_TABLE = "".join(
    f"            - {{when: {{staff_trained: {{min: {r}, max: {r + 1}}}, "
    f"staff: {{min: {r}, max: {r + 1}}}}}, percent: 0}}\n"
    for r in range(1000)
)

# a deduction from the parent that can take its pillar below 0 (#13)
FLOOR_DEF = dump_yaml(
    definition_data(
        {
            "done": {"label": "Đã thực hiện", "type": "boolean"},
            "late": {"label": "Số văn bản chậm hạn", "type": "integer", "unit": "document", "min": 0},
        },
        [
            criterion("L.1", 2, {"kind": "yes_no", "input": "done"}),
            criterion(
                "L.2",
                0,
                {"kind": "deduction", "input": "late", "points_each": 1, "cap": 5, "deducts_from": "parent"},
            ),
        ],
        id="floor",
    )
)

FLOOR_VALUES = """\
kind: inputs
definition: floor.yaml
unit: {id: xa-c, name: Xã C (hư cấu)}
year: 2024
values:
  done: true
  late: 4
"""

# a criterion scored by rank among the units (issue #13): one unit checked alone is pending
RANK_DEF = dump_yaml(
    definition_data(
        {"online": {"label": "Số hồ sơ trực tuyến", "type": "integer", "unit": "item", "min": 0}},
        [criterion("K.1", 5, {"kind": "rank", "input": "online", "places": [5, 4, 3, 2, 1]})],
        id="ranked",
    )
)
RANK_VALUES = """\
kind: inputs
definition: ranked.yaml
unit: {id: xa-c, name: Xã C (hư cấu)}
year: 2024
values:
  online: 12
"""

OVERLAY = """\
kind: overlay
id: phan-cong-thu
title: Phân công thực hiện (thử nghiệm)
applies_to: hai-duong-707-department
source: {document: Công văn số 1/UBND}
assignments:
  CQS.1.1.1: {lead: [Văn phòng]}
  CQS.9.9: {lead: [Phòng Nội vụ]}
"""

# a rearrangement (issue 16): two old units of the `units` definition, half of xa-b into xa-moi
OLD_UNIT = "kind: inputs\ndefinition: units.yaml\nunit: {{id: {id}}}\nyear: {year}\nvalues: {{done: true}}\n"
REARRANGEMENT = """\
kind: rearrangement
id: thu
title: Sắp xếp thử
level: commune
decision: {number: 1/NQ-UBTVQH15, date: 2025-06-16}
effective: 2025-07-01
definitions: [units.yaml]
inputs: [a.yaml, b.yaml]
units:
  - id: xa-moi
    from: [xa-a, {id: xa-b, share: 0.5}]
"""
OLD_UNITS = (
    ("units.yaml", UNITS_DEF),
    ("a.yaml", OLD_UNIT.format(id="xa-a", year=2024)),
    ("b.yaml", OLD_UNIT.format(id="xa-b", year=2024)),
)


def rearranged(*edits: tuple[str, str]) -> str:
    return mutate(REARRANGEMENT, *edits)


@dataclass(frozen=True)
class Trigger:
    code: str
    text: str
    at: str
    """Text on the line the problem must point at."""
    column: str | None = None
    """Where on that line, when the column is meaningful."""
    occurrence: int = 1
    name: str = "def.yaml"
    extra: tuple[tuple[str, str], ...] = ()
    """Other files to write beside it (a definition that an inputs file names)."""


FROM_A_FILE = [
    # --- reading files
    Trigger("yaml-syntax", tiny(("          input: has_plan\n", "\t  input: has_plan\n")), "\t  input", "\t"),
    Trigger(
        "yaml-duplicate-key",
        tiny(("        points: 4\n", "        points: 4\n        points: 5\n")),
        "points: 5",
        "points: 5",
    ),
    Trigger(
        "yaml-tag",
        tiny(("title: Bộ chỉ số thử nghiệm", "title: !!python/object:os.system x")),
        "!!python",
        "!!python",
    ),
    Trigger("kind-unknown", tiny(("kind: definition\n", "kind: definitionn\n")), "kind:", "definitionn"),
    # --- the shape of a definition
    Trigger(
        "unknown-key",
        tiny(("    title: Nhận thức số\n", "    title: Nhận thức số\n    evidnce: x\n")),
        "evidnce",
        "evidnce",
    ),
    Trigger("missing-key", tiny(("issuer: Ủy ban nhân dân tỉnh Thử\n", "")), "kind: definition", "kind"),
    Trigger("wrong-type", tiny(("        points: 4\n", "        points: bốn\n")), "points: bốn", "bốn"),
    Trigger("invalid-value", tiny(("level: commune", "level: province")), "level:", "province"),
    # --- the meaning of a definition
    Trigger("duplicate-id", tiny(("      - id: A.2\n", "      - id: A.1\n")), "id: A.1", "A.1", occurrence=2),
    Trigger(  # p3-hostile2: a tab (or newline, bidi, zero-width) breaks every table the title is printed in
        "title-text",
        tiny(("    title: Nhận thức số\n", '    title: "Nhận\\tthức số"\n')),
        'title: "Nhận',
        '"Nhận',
    ),
    Trigger(
        "points-mismatch",
        tiny(("    points: 10\n", "    points: 11\n"), ("total: 10", "total: 11")),
        "    points: 11",
        "11",
    ),
    Trigger("total-mismatch", tiny(("total: 10", "total: 9")), "total: 9", "9"),
    Trigger(
        "known-discrepancy",
        tiny(
            ("    points: 10\n", "    points: 11\n"),
            ("total: 10", "total: 11"),
            (
                "tree:\n",
                "errata:\n  - {node: A, kind: points-mismatch, printed: 11, computed: 10, note: x}\ntree:\n",
            ),
        ),
        "    points: 11",
        "11",
    ),
    Trigger(
        "errata-mismatch",
        tiny(
            ("    points: 10\n", "    points: 11\n"),
            ("total: 10", "total: 11"),
            (
                "tree:\n",
                "errata:\n  - {node: A, kind: points-mismatch, printed: 11, computed: 12, note: x}\ntree:\n",
            ),
        ),
        "computed: 12",
        "12",
    ),
    Trigger(
        "errata-unknown-node",
        tiny(("tree:\n", "errata:\n  - {node: B.1, kind: other, note: x}\ntree:\n")),
        "node: B.1",
        "B.1",
    ),
    Trigger("leaf-without-rule", tiny((RULE_A1, "")), "id: A.1", "id: A.1"),
    Trigger(  # #13: a weight for a pillar the tree does not have
        "index-weights",
        tiny(
            (
                "tree:\n",
                "index:\n  method: weighted_mean_of_pillar_percentages\n  weights: {A: 1, B: 1}\n"
                "  weights_total: 2\ntree:\n",
            )
        ),
        "weights: {A: 1, B: 1}",
    ),
    Trigger(  # #13: a tie-break by a measure the definition does not have
        "ranking-measure",
        tiny(("tree:\n", "ranking: {tie_break: [ZZ]}\ntree:\n")),
        "ranking:",
        "ZZ",
    ),
    Trigger(
        "node-rule-and-children",
        tiny(
            (
                RULE_A1,
                RULE_A1 + "        children:\n          - {id: A.1.1, "
                "title: x, points: 4, rule: {kind: yes_no, input: has_plan, text: x}}\n",
            )
        ),
        "id: A.1",
        "id: A.1",
    ),
    Trigger("unknown-input", tiny(("input: has_plan", "input: has_planned")), "kind: yes_no", "kind: yes_no"),
    Trigger("input-type-mismatch", tiny(("input: has_plan", "input: staff")), "kind: yes_no", "kind: yes_no"),
    Trigger(
        "unit-unknown",
        tiny(("unit: person, min: 0, general", "unit: people, min: 0, general")),
        "unit: people",
        "people",
    ),
    Trigger(
        "unit-incompatible",
        tiny(("unit: person, min: 0, general", "unit: village, min: 0, general")),
        "kind: ratio",
        "kind: ratio",
    ),
    Trigger(
        "step-gap",
        steps("            - {min: 0, max: 5, percent: 0}\n            - {min: 6, percent: 100}\n"),
        "kind: steps",
        "kind: steps",
    ),
    Trigger(
        "step-overlap",
        steps("            - {min: 0, max: 7, percent: 0}\n            - {min: 6, percent: 100}\n"),
        "kind: steps",
        "kind: steps",
    ),
    Trigger(
        "rule-points",
        steps("            - {min: 0, max: 5, points: 0}\n            - {min: 5, points: 9}\n"),
        "kind: steps",
        "kind: steps",
    ),
    # decision tables (#13): each problem at the row it is about, a gap at the rows
    Trigger(
        "table-gap",
        table_rule("            - {when: {has_plan: true}, percent: 100}\n"),
        "- {when",
        "- {when",
    ),
    Trigger(
        "table-overlap",
        table_rule(
            "            - {when: {has_plan: true}, percent: 100}\n            - {when: {}, percent: 0}\n"
        ),
        "- {when: {}",
        "{when: {}",
    ),
    Trigger(
        "table-unreachable",
        table_rule(
            "            - {when: {staff_trained: {max: 0}}, percent: 100}\n"
            "            - {when: {}, percent: 0}\n",
            "[staff_trained]",
            "first",
        ),
        "{max: 0}",
        "{when",
    ),
    Trigger(
        "table-too-complex", table_rule(HUGE_TABLE, "[staff_trained, staff]", "first"), "- {when", "- {when"
    ),
    Trigger(
        "scale-mismatch",
        mutate(
            table_rule(
                "            - {when: {rate: {min: 0.8}}, percent: 100}\n"
                "            - {when: {rate: {max: 0.8}}, percent: 0}\n",
                "[rate]",
            ),
            RATE_INPUT,
        ),
        "{min: 0.8}",
        "{min: 0.8}",
    ),
    Trigger("formula-syntax", with_formula("staff +"), "kind: formula", "{kind: formula"),
    Trigger("formula-name", with_formula("staff + stuff"), "kind: formula", "{kind: formula"),
    Trigger("formula-forbidden", with_formula("staff ** 2"), "kind: formula", "{kind: formula"),
    # issue #13: scales and formula ranges
    Trigger(
        "scale-mismatch",
        tiny(("          per: staff\n", "          per: staff\n          target: 80\n")),
        "target: 80",
        "80",
    ),
    Trigger("formula-range", with_formula("staff + 11"), "kind: formula", "'staff + 11'"),
    Trigger(
        "formula-too-complex", with_formula(" + ".join(["staff"] * 101)), "kind: formula", "{kind: formula"
    ),
    Trigger(
        "unused-input",
        tiny(("tree:\n", "  spare: {label: Dự phòng, type: boolean}\ntree:\n")),
        "spare:",
        "spare:",
    ),
    Trigger("target-year", TARGETS, "2024: {at_least", "{at_least: 60}"),
    # --- overlays
    Trigger("overlay-unknown-node", OVERLAY, "CQS.9.9", "{lead: [Phòng", name="overlay.yaml"),
    Trigger("overlay-unassigned", OVERLAY, "CQS.1.1.1", "CQS.1.1.1", name="overlay.yaml"),
    # --- rearrangements (issue 16)
    Trigger(
        "rearrangement-duplicate",
        rearranged(("units:\n", "units:\n  - {id: xa-moi, from: [{id: xa-b, share: 0.5}]}\n")),
        "  - id: xa-moi",
        "xa-moi",
        name="r.yaml",
        extra=OLD_UNITS,
    ),
    Trigger(
        "rearrangement-overused",
        rearranged(("units:\n", "units:\n  - {id: xa-khac, from: [{id: xa-b, share: 0.6}]}\n")),
        "share: 0.5",
        "{id: xa-b, share: 0.5}",
        name="r.yaml",
        extra=OLD_UNITS,
    ),
    Trigger(
        "rearrangement-unknown-unit",
        rearranged(("[xa-a,", "[xa-z,")),
        "xa-z",
        "xa-z",
        name="r.yaml",
        extra=OLD_UNITS,
    ),
    Trigger(
        "rearrangement-date",
        rearranged(("effective: 2025-07-01", "effective: 2023-07-01")),
        "effective: 2023",
        "2023-07-01",
        name="r.yaml",
        extra=OLD_UNITS,
    ),
    Trigger(
        "rollup-years",
        REARRANGEMENT,
        "from: [xa-a",
        "[xa-a",
        name="r.yaml",
        extra=(*OLD_UNITS[:2], ("b.yaml", OLD_UNIT.format(id="xa-b", year=2023))),
    ),
    Trigger(
        "rollup-not-additive",
        rearranged(("units:\n", "rescore: {inputs: {done: sum}}\nunits:\n")),
        "rescore:",
        "sum",
        name="r.yaml",
        extra=OLD_UNITS,
    ),
    Trigger(
        "rollup-weight",
        rearranged(("units:\n", "weight: leader\nunits:\n")),
        "weight:",
        "leader",
        name="r.yaml",
        extra=OLD_UNITS,
    ),
    # --- versions and amendments by date (#13)
    Trigger("extends-not-found", amending("nowhere.yaml"), "extends:", "nowhere"),
    Trigger("extends-not-found", amending("no-such-index@2024-01-01"), "extends:", "no-such-index"),
    Trigger("extends-cycle", amending("def.yaml"), "extends:", "def.yaml"),  # extends itself
    Trigger(
        "extends-cycle", amending("b.yaml"), "extends:", "b.yaml", extra=(("b.yaml", amending("def.yaml")),)
    ),
    Trigger("extends-depth", amending("v16.yaml", ident="chain-17"), "extends:", "v16", extra=CHAIN),
    Trigger(
        "extends-invalid",
        amending("tiny.yaml"),
        "extends:",
        "tiny.yaml",
        extra=(("tiny.yaml", tiny(("total: 10", "total: 11"))),),
    ),
    Trigger(  # the base stays open-ended: both in force from 2025-01-15
        "version-overlap",
        amending("tiny.yaml"),
        "effective:",
        "effective",
        name="tiny@2025.yaml",
        extra=(("tiny.yaml", TINY),),
    ),
    Trigger(  # one day, 2025-01-14, that no version covers
        "version-gap",
        amending("tiny.yaml"),
        "effective:",
        "effective",
        name="tiny@2025.yaml",
        extra=(
            (
                "tiny.yaml",
                tiny(("effective: {from: 2024-01-15}", "effective: {from: 2024-01-15, to: 2025-01-13}")),
            ),
        ),
    ),
    Trigger(
        "year-outside-period",
        OLD_UNIT.format(id="xa-a", year=2023),
        "year: 2023",
        "year",
        name="a.yaml",
        extra=(("units.yaml", UNITS_DEF),),
    ),
    # --- the inputs of a unit
    Trigger(
        "input-unknown", UNIT_VALUES, "stafff:", "3", name="unit.yaml", extra=(("units.yaml", UNITS_DEF),)
    ),
    Trigger(
        "input-type",
        UNIT_VALUES,
        "done: maybe",
        "maybe",
        name="unit.yaml",
        extra=(("units.yaml", UNITS_DEF),),
    ),
    Trigger(
        "input-range", UNIT_VALUES, "staff: 900", "900", name="unit.yaml", extra=(("units.yaml", UNITS_DEF),)
    ),
    Trigger(
        "input-constraint",
        FIDELITY_VALUES,
        "trained: 25",
        "25",
        name="unit.yaml",
        extra=(("fidelity.yaml", FIDELITY_DEF),),
    ),
    Trigger(
        "score-clamped",
        FIDELITY_VALUES.replace("fidelity.yaml", "clamped.yaml"),
        "trained: 25",
        "25",
        name="unit.yaml",
        extra=(("clamped.yaml", CLAMPED_DEF),),
    ),
    Trigger(
        "input-date-missing",
        FIDELITY_VALUES,
        "met: true",
        "true",
        name="unit.yaml",
        extra=(("fidelity.yaml", FIDELITY_DEF),),
    ),
    Trigger(
        "deduction-floor", FLOOR_VALUES, "late: 4", "4", name="unit.yaml", extra=(("floor.yaml", FLOOR_DEF),)
    ),
    Trigger(
        "rank-needs-batch",
        RANK_VALUES,
        "online: 12",
        "12",
        name="unit.yaml",
        extra=(("ranked.yaml", RANK_DEF),),
    ),
    Trigger(
        "input-choice",
        UNIT_VALUES,
        "leader: boss",
        "boss",
        name="unit.yaml",
        extra=(("units.yaml", UNITS_DEF),),
    ),
]

# Codes no file can produce, each with the reason, and each tested below.
NOT_FROM_A_FILE = {
    "file-not-found": "there is no file to point into (tested: file and no line)",
    "file-too-large": "refused before any line is read (tested: file and line 1)",
    "yaml-alias-limit": "a property of the whole document (tested: file and line 1)",
    "input-definition": "found when an inputs file is read against a given definition (tested via read_unit)",
    "input-year": "a year asked of an inputs file that states another, or that a file of several years "
    "lacks (tested via read_unit and score in test_hostile_session11.py)",
    "definition-not-found": "a bundled id, not a file (tested through the CLI: exit 2)",
    "usage": "a wrong command (tested through the CLI: exit 2)",
    "internal": "a bug in cds_index (tested through the CLI: exit 3, no traceback)",
    "overlay-definition": "an overlay used with another definition than it names (tested via check_overlay)",
    "formula-eval": "never raised: a formula that cannot be evaluated marks its criterion `invalid`, "
    "with the reason in the explanation (tested below and in test_formula.py)",
    # issue #9: outputs and the HTTP API (tested in test_adversarial_api.py)
    "output-path": "an output path on the command line (tested through the CLI: exit 2)",
    "io-error": "the operating system refusing a file (tested through the CLI: exit 1)",
    "request-json": "an HTTP body (tested through the HTTP API: 422)",
    "request-too-large": "an HTTP body (tested through the HTTP API: 413)",
    # issue #13 (tested in test_rank.py)
    "rank-peers-mismatch": "a unit's value that differs from the batch's standings given with it",
}


# Codes of reading files and tables (#9): each is triggered, with its file, line and column, by the
# adversarial corpus (tests/test_adversarial_reading.py::test_every_reading_code_is_triggered).
READING_CODES = {
    "file-special",
    "file-unreadable",
    "file-encoding",
    "table-header",
    "table-row",
    "input-ambiguous",
}


def test_every_code_is_covered_here() -> None:
    from .test_adversarial_tables import WORKBOOK_CODES  # found in workbooks, each tested there (#9)

    from_files = {t.code for t in FROM_A_FILE}
    assert from_files.isdisjoint(NOT_FROM_A_FILE)
    assert from_files | set(NOT_FROM_A_FILE) | WORKBOOK_CODES | READING_CODES == set(CODES)
    assert len(NOT_FROM_A_FILE) <= 15  # small and explicit: every other code comes from a file


@pytest.mark.parametrize("trigger", FROM_A_FILE, ids=[t.code for t in FROM_A_FILE])
def test_triggered_by_a_file(trigger: Trigger, write: Callable[..., Path]) -> None:
    for name, text in trigger.extra:
        write(text, name)
    path = write(trigger.text, trigger.name)
    found = [p for p in check_file(path).problems if p.code == trigger.code]
    assert found, [p.format() for p in check_file(path).problems]
    problem = found[0]
    assert problem.location.file == str(path)
    line = line_of(trigger.text, trigger.at, trigger.occurrence)
    assert problem.location.line == line, problem.format()
    if trigger.column is not None:
        line_text = trigger.text.splitlines()[line - 1]
        assert problem.location.column == line_text.index(trigger.column) + 1, problem.format()
    assert problem.message


# --- the codes that no file's line can carry ----------------------------------------------------


def test_file_not_found(tmp_path: Path) -> None:
    path = tmp_path / "missing.yaml"
    (problem,) = check_file(path).problems
    assert problem.code == "file-not-found"
    assert problem.location.file == str(path)
    assert problem.location.line is None
    assert "missing.yaml" in problem.message


def test_file_too_large(write: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loader, "MAX_BYTES", 1024)
    path = write(TINY + "# " + "x" * 1024 + "\n")
    (problem,) = check_file(path).problems
    assert (problem.code, problem.location.file, problem.location.line) == ("file-too-large", str(path), 1)
    # the same limit holds for text given directly, not only for files
    _, found = loader.read_yaml("a: " + "x" * 2000, "text.yaml")
    assert [(p.code, p.location.line) for p in found] == [("file-too-large", 1)]


def billion_laughs(levels: int = 9) -> str:
    lines = ["kind: definition", "l0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
    for n in range(1, levels):
        lines.append(f"l{n}: &l{n} [" + ", ".join([f"*l{n - 1}"] * 10) + "]")
    return "\n".join(lines) + "\n"


def test_alias_bomb_is_refused_in_bounded_time(write: Callable[..., Path]) -> None:
    import time

    path = write(billion_laughs())  # 10⁹ values once expanded
    start = time.perf_counter()
    (problem,) = check_file(path).problems
    assert time.perf_counter() - start < 5
    assert (problem.code, problem.location.file, problem.location.line) == ("yaml-alias-limit", str(path), 1)
    assert "aliases" in problem.message


def test_too_deep_nesting_is_refused(write: Callable[..., Path]) -> None:
    path = write("kind: definition\ntree: " + "[" * 150 + "]" * 150 + "\n")
    (problem,) = check_file(path).problems
    assert (problem.code, problem.location.line) == ("yaml-alias-limit", 1)
    assert "deeper" in problem.message


def test_a_few_aliases_are_fine() -> None:
    doc, found = loader.read_yaml(billion_laughs(3))  # 100 values
    assert found == []
    assert len(doc.data["l2"]) == 10


def test_input_definition(write: Callable[..., Path]) -> None:
    definition = load_file(write(UNITS_DEF, "units.yaml"))
    text = UNIT_VALUES.replace("definition: units.yaml", "definition: hai-duong-707-department")
    path = write(text, "unit.yaml")
    unit, (problem, *rest) = read_unit(definition, path)
    assert unit is None and rest == []
    assert problem.code == "input-definition"
    assert (problem.location.file, problem.location.line) == (str(path), line_of(text, "definition:"))
    assert problem.location.column == column_of(text, "hai-duong-707-department")


def test_definition_not_found(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "no-such-definition"]) == 2
    _, err = capsys.readouterr()
    assert "error[definition-not-found]" in err and "'no-such-definition'" in err


def test_usage(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["test", str(tmp_path)]) == 2  # a folder without any `kind: tests` file
    _, err = capsys.readouterr()
    assert "error[usage]" in err


def test_internal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import cds_index.cli.list as command

    monkeypatch.setenv("HOME", str(tmp_path))

    def boom(args: object) -> int:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(command, "run", boom)
    assert main(["list"]) == 3
    out, err = capsys.readouterr()
    assert "lỗi nội bộ" in err and "Xin hãy báo lỗi" in err  # Vietnamese by default (#12)
    assert main(["list", "--lang", "en"]) == 3
    out, err = capsys.readouterr()
    assert "internal error" in err and "Please report it" in err
    assert "Traceback" not in out + err
    assert "ZeroDivisionError" in (tmp_path / ".cds-index-crash.log").read_text(encoding="utf-8")
    # an error raised without a code is, by definition, ours
    assert CdsIndexError("something broke").code == "internal"


def test_formula_eval_is_reported_as_an_invalid_criterion(write: Callable[..., Path]) -> None:
    definition = load_file(write(with_formula("4 / staff")))
    node = score(definition, {"staff": 0, "staff_trained": 0}).node("A.1")
    assert node.status == "invalid"
    assert "4 / staff" in node.explanation


def test_unregistered_codes_are_refused() -> None:
    with pytest.raises(ValueError, match="unregistered"):
        Problem("no-such-code", "x")


def test_overlay_definition(write: Callable[..., Path]) -> None:
    from cds_index.errors import UsageError
    from cds_index.formats.overlay import Overlay, check_overlay
    from cds_index.read.loader import load_model
    from cds_index.read.registry import load

    overlay = load_model(Overlay, write(OVERLAY, "overlay.yaml"))
    with pytest.raises(UsageError) as raised:
        check_overlay(overlay, load("hai-duong-707-district"))
    assert raised.value.code == "overlay-definition"
    assert "hai-duong-707-department" in str(raised.value)
