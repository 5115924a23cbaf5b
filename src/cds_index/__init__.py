"""cds_index: Vietnamese provinces' digital-transformation indices as declarative YAML, scored exactly.

>>> import cds_index
>>> definition = cds_index.load("hai-duong-707-district")
>>> result = cds_index.score(definition, {"has_dx_section": True})
>>> definition.total, result.max  # the decision's total; the maximum its printed points can reach
(Decimal('420'), Decimal('419'))
"""

from __future__ import annotations

from .errors import CdsIndexError, DefinitionError, InputError, Location, Problem, UsageError
from .evaluate import NodeResult, Result, score
from .model import Definition, Node
from .registry import list_definitions, load, load_file

__version__ = "0.1.0"

# Heavier parts load on first use, so `import cds_index` stays light (no pint, openpyxl or HTTP stack).
_LAZY = {
    "score_many": "batch",
    "read_units": "batch",
    "rank": "ranking",
    "evaluate_year": "targets",
    "evaluate_years": "targets",
    "check_file": "checking",
    "rollup": "roll_up",  # issue 16
    "sensitivity": "sensitivity",  # issue 15: the function; the module is callable too
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'cds_index' has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f".{module}", __name__), name)


__all__ = [
    "CdsIndexError",
    "Definition",
    "DefinitionError",
    "InputError",
    "Location",
    "Node",
    "NodeResult",
    "Problem",
    "Result",
    "UsageError",
    "__version__",
    "check_file",
    "evaluate_year",
    "evaluate_years",
    "list_definitions",
    "load",
    "load_file",
    "rank",
    "read_units",
    "rollup",
    "score",
    "score_many",
    "sensitivity",
]
