"""cds_index: Vietnamese provinces' digital-transformation indices as declarative YAML, scored exactly.

>>> import cds_index
>>> definition = cds_index.load("hai-duong-707-district")
>>> result = cds_index.score(definition, {"has_dx_section": True})
>>> definition.total, result.max  # the decision's total; the maximum its printed points can reach
(Decimal('420'), Decimal('419'))
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # what mypy users see: the real signatures of every name, loaded on first use (#11)
    from .analyse.ranking import rank
    from .analyse.roll_up import rollup
    from .analyse.sensitivity import sensitivity
    from .check.checking import check_file
    from .engine.evaluate import NodeResult, Result, score, standings
    from .engine.targets import evaluate_year, evaluate_years
    from .errors import CdsIndexError, DefinitionError, InputError, Location, Problem, UsageError
    from .formats.model import Definition, Node
    from .io.batch import read_units, score_many
    from .read.registry import list_definitions, load, load_file
    from .rules.rank import Standings

__version__ = "0.1.0"

# Every part loads on first use, so `import cds_index` (and `cds-index --help`) stays light: no
# pydantic until a definition is read, no pint, openpyxl or HTTP stack until they are needed.
_LAZY = {
    "CdsIndexError": "errors",
    "DefinitionError": "errors",
    "InputError": "errors",
    "Location": "errors",
    "Problem": "errors",
    "UsageError": "errors",
    "NodeResult": "engine.evaluate",
    "Result": "engine.evaluate",
    "score": "engine.evaluate",
    "Standings": "rules.rank",  # issue 13: rank criteria, scored among the batch
    "standings": "engine.evaluate",
    "Definition": "formats.model",
    "Node": "formats.model",
    "list_definitions": "read.registry",
    "load": "read.registry",
    "load_file": "read.registry",
    "score_many": "io.batch",
    "read_units": "io.batch",
    "rank": "analyse.ranking",
    "evaluate_year": "engine.targets",
    "evaluate_years": "engine.targets",
    "check_file": "check.checking",
    "rollup": "analyse.roll_up",  # issue 16
    "sensitivity": "analyse.sensitivity",  # issue 15: the function; the module is callable too
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'cds_index' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value  # once loaded, an ordinary attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


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
    "Standings",
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
    "standings",
]
