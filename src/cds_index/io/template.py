"""A YAML inputs file to fill in: every input with its label, unit and the criteria that use it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..formats.model import Definition, rule_inputs
from ..i18n import Message, T, choose_language, render

PLACEHOLDER_ID = "ma-don-vi"
"""The unit id a template is written with, to be replaced by the unit's own (YAML and forms)."""
PLACEHOLDER_NAME = "Tên đơn vị"
"""The unit name a YAML template is written with."""


def blank_template(unit_id: Any, unit_name: Any) -> Message | None:
    """Why a unit whose id or name is still the template's placeholder is not scored, else ``None``:
    a template left in a folder of filled files was ranked as unit ``ma-don-vi`` with 0 points (#11).
    Compared as ids are (:func:`cds_index.io.seen.id_key`): capitals, spaces and invisible characters
    aside."""
    from .seen import id_key

    for value, placeholder in ((unit_id, PLACEHOLDER_ID), (unit_name, PLACEHOLDER_NAME)):
        if isinstance(value, str) and id_key(value) == id_key(placeholder):
            return T(
                "the unit is the blank template's {placeholder}: fill in the unit's id, name and figures, "
                "or take the file out of the folder; it was not scored",
                placeholder=repr(placeholder),
            )
    return None


def users_of_inputs(definition: Definition) -> dict[str, list[str]]:
    """Input name → the ids of the criteria that read it."""
    users: dict[str, list[str]] = {name: [] for name in definition.inputs}
    for _, node in definition.walk():
        names = _read_by(definition, node.rule) if node.rule else []
        if node.targets is not None:
            names.append(node.targets.input)
        for name in dict.fromkeys(names):
            users.setdefault(name, []).append(node.id)
    return users


def readings_of_inputs(definition: Definition, users: dict[str, list[str]]) -> dict[str, list[str]]:
    """Input name → the readings not chosen (``V.4.1/proportional``) that read it, for the inputs no
    criterion's own rule reads (``users``: :func:`users_of_inputs`): asked for by the audit's record,
    scored by none (#11)."""
    readings: dict[str, list[str]] = {}
    for _, node in definition.walk():
        for alternative in getattr(node.rule, "alternatives", None) or ():
            if alternative.rule is None:
                continue
            for name in dict.fromkeys(_read_by(definition, alternative.rule)):
                if not users.get(name):
                    readings.setdefault(name, []).append(f"{node.id}/{alternative.name}")
    return readings


def uses_text(name: str, users: dict[str, list[str]], readings: dict[str, list[str]], lang: str) -> str:
    """Which criteria read ``name``, for a form's reader; an input only a reading not chosen reads says
    it earns no points, so that an official does not look for its criterion in the score."""
    if users.get(name):
        return ", ".join(users[name])
    if readings.get(name):
        return render(
            T("— (only for the readings not chosen {ids}: not scored)", ids=", ".join(readings[name])), lang
        )
    return "—"


def _read_by(definition: Definition, rule: Any) -> list[str]:
    names = rule_inputs(rule)
    if rule.kind == "formula":
        from ..check.formula import compile_formula

        formula, _ = compile_formula(rule.expression, definition.inputs)
        names.extend(sorted(formula.names) if formula else [])
    return names


def _describe(definition: Definition, name: str) -> str:
    spec = definition.inputs[name]
    parts: list[str] = [spec.type]
    if spec.unit != "1":
        parts.append(spec.unit)
    if spec.type == "role":
        parts.append("head | deputy | none")
    if spec.choices:
        parts.append(" | ".join(spec.choices))
    if spec.min is not None:
        parts.append(f"≥ {spec.min}")
    if spec.max is not None:
        parts.append(f"≤ {spec.max}")
    return ", ".join(parts)


def inputs_template(
    definition: Definition,
    *,
    year: int | None = None,
    reference: str | None = None,
    lang: str | None = None,
) -> str:
    """The template text. Every value starts as ``null`` (= not reported); fill in what you have.

    ``reference`` is what the file's ``definition:`` says (default: the id): a path or ``id@date``
    when the id alone would not find this version again (#13). Its comments are in ``lang``
    (default: the current language); keys, kinds and the decision's words are the same in every
    language.
    """
    lang = choose_language(lang)
    users = users_of_inputs(definition)
    readings = readings_of_inputs(definition, users)
    year = year or dt.date.today().year
    lines = [
        # the schema `cds-index schema -o schemas` writes next to this file, for editors (#14)
        "# yaml-language-server: $schema=schemas/inputs.schema.json",
        "# "
        + render(
            T(
                "One unit's figures for: {title} ({number})",
                title=definition.title,
                number=definition.decision.number,
            ),
            lang,
        ),
        "# "
        + render(
            T("Write a value in place of null. Left null = not reported (0 points). n/a = not applicable."),
            lang,
        ),
        "# "
        + render(
            T(
                "You can write {{self: x, appraised: y}} (self-assessed / appraisal council) and "
                "{{value: x, date: YYYY-MM-DD}}."
            ),
            lang,
        ),
        "kind: inputs",
        f"definition: {reference or definition.id}",
        f"unit: {{id: {PLACEHOLDER_ID}, name: {PLACEHOLDER_NAME}}}",
    ]
    general = [n for n, s in definition.inputs.items() if s.general]
    measured = [n for n, s in definition.inputs.items() if not s.general]
    if definition.scoring == "targets":
        lines.append("years:")
        for y in definition.years or [year]:
            lines.append(f"  {y}:")
            for name in general + measured:
                lines += _entry(definition, name, users, readings, "    ", lang)
    else:
        lines.append(f"year: {year}")
        lines.append("values:")
        if general:
            lines.append("  # --- " + render(T("General information"), lang) + " ---")
        for name in general:
            lines += _entry(definition, name, users, readings, "  ", lang)
        if measured and general:
            lines.append("  # --- " + render(T("Figures by criterion"), lang) + " ---")
        for name in measured:
            lines += _entry(definition, name, users, readings, "  ", lang)
    return "\n".join(lines) + "\n"


def _entry(
    definition: Definition,
    name: str,
    users: dict[str, list[str]],
    readings: dict[str, list[str]],
    indent: str,
    lang: str,
) -> list[str]:
    spec = definition.inputs[name]
    criteria = render(T("criteria: {ids}", ids=uses_text(name, users, readings, lang)), lang)
    return [
        f"{indent}# {spec.label} [{_describe(definition, name)}] — {criteria}",
        f"{indent}{name}: null",
    ]
