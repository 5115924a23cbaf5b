"""The one pint unit registry: the units a definition's inputs may be measured in."""

from __future__ import annotations

from functools import cache
from typing import Any, Literal

from ..i18n import T

# Each countable thing the decisions measure is its own dimension, so that a ratio of dossiers to
# procedures is refused while dossiers to dossiers is a plain ratio.
_BASE_UNITS = (
    "person",
    "household",
    "item",
    "document",
    "meeting",
    "procedure",
    "service",
    "dossier",
    "computer",
    "organization",
    "village",
    "system",
    "database",
    "account",
    "business",
)


@cache
def registry() -> Any:
    """The registry, created on first use (importing pint costs ~0.4 s, so `import cds_index` does not)."""
    import pint

    ureg: Any = pint.UnitRegistry(filename=None)
    for name in _BASE_UNITS:
        ureg.define(f"{name} = [{name}]")
    ureg.define("VND = [currency] = đồng")
    ureg.define("percent = 0.01 = %")
    ureg.define("fraction = 1")
    return ureg


# The answers pint gives for the names the format documents, so that checking a definition that uses
# only these (all bundled ones do) does not import pint and build its registry (measured: 0.4–1.4 s of
# a 3 s `cds-index check definitions`; see benchmarks/README.md). tests/test_fast_paths.py checks each
# answer against pint; any other spelling (plurals, `person/person`) still goes to pint.
_KNOWN: dict[str, tuple[str, Any]] = {
    "1": ("dimensionless", 1),
    "percent": ("dimensionless", 0.01),
    "%": ("dimensionless", 0.01),
    "fraction": ("dimensionless", 1),
    "VND": ("[currency]", 1),
    "đồng": ("[currency]", 1),
    **{name: (f"[{name}]", 1) for name in _BASE_UNITS},
}


@cache
def parse(unit: str) -> tuple[str, Any] | str:
    """Return ``(dimensionality, factor to the base unit)``, or an error message for an unknown unit."""
    known = _KNOWN.get(unit)
    if known is not None:
        return known
    ureg = registry()
    try:
        parsed = ureg.parse_units(unit)
    except Exception:  # pint raises several error types for a bad unit string
        known_units = ", ".join(f"`{u}`" for u in ("1", "percent", "fraction", "VND", *_BASE_UNITS))
        return T("unknown unit {unit}; the units known are {known}", unit=repr(unit), known=known_units)
    quantity = ureg.Quantity(1, parsed).to_base_units()
    return str(quantity.dimensionality), quantity.magnitude


Scale = Literal["percent", "fraction"]

SCALE_WORDS: dict[Scale, str] = {
    "percent": "percent (0–100: write 50 for 50 %; viết 50 cho 50 %)",
    "fraction": "a fraction (0–1: write 0.5 for 50 %; viết 0,5 cho 50 %)",
}
"""How each scale is written, for messages (one place, so that they can be translated)."""


@cache
def scale(unit: str) -> Scale | None:
    """The scale a share in ``unit`` is written on: ``percent`` (0–100: `percent`, `%`), ``fraction``
    (0–1: `fraction`), or None for any other unit (a count, an amount, a plain number `1`)."""
    if unit == "fraction":
        return "fraction"
    parsed = parse(unit)
    if isinstance(parsed, str) or parsed[0] != "dimensionless":
        return None
    return "percent" if parsed[1] == 0.01 else None
