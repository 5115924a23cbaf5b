"""`role`: a share of the maximum by who leads (the head, a deputy, nobody)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ..formats.model import InputDef, Node, Role
from ..numbers import HUNDRED, ZERO, Lang
from .common import ROLE_WORDS, Compiled, Need, Problems, Values, award_text, label

MODEL = Role


def check(
    rule: Role,
    node: Node,
    maximum: Decimal,
    inputs: Mapping[str, InputDef],
    need: Need,
    problems: Problems,
) -> None:
    need(rule.input, {"role"}, "input")


def compile(rule: Role, maximum: Decimal, inputs: Mapping[str, InputDef]) -> Compiled:
    name = rule.input
    shown = label(inputs, name)
    shares = {role: rule.percent.get(role, ZERO) / HUNDRED for role in ("head", "deputy", "none")}
    awarded = {role: maximum * share for role, share in shares.items()}

    def points(v: Values) -> tuple[Decimal, Any]:
        return awarded[v[name]], None

    def explain(v: Values, facts: Any, lang: Lang) -> str:
        role: str = v[name]
        return f"{shown}: {ROLE_WORDS[lang][role]} → {award_text(shares[role], maximum, awarded[role], lang)}"

    return Compiled((name,), points, explain, {name: "none"}, kind=rule.kind)
