"""cds_index: Vietnamese provinces' digital-transformation indices as declarative YAML, scored exactly.

>>> import cds_index
>>> definition = cds_index.load("hai-duong-707-district")
>>> result = cds_index.score(definition, {"has_dx_section": True})
>>> result.max
Decimal('420')
"""

from __future__ import annotations

from .errors import CdsIndexError, DefinitionError, InputError, Location, Problem, UsageError
from .evaluate import NodeResult, Result, score
from .model import Definition, Node
from .registry import list_definitions, load, load_file

__version__ = "0.1.0"

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
    "list_definitions",
    "load",
    "load_file",
    "score",
]
