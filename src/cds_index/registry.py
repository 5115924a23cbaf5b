"""Finding and loading definitions: bundled ones by id (and date), any file by path."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .errors import DefinitionError, Location, Problem, UsageError
from .loader import Document, read_file, validate_model
from .model import Definition


@cache
def bundled_dir() -> Path:
    """The folder of bundled definitions: inside the installed wheel, or the checkout's `definitions/`."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_bundled" / "definitions", here.parents[1] / "definitions"):
        if candidate.is_dir():
            return candidate
    return here / "_bundled" / "definitions"


@dataclass(frozen=True)
class Loaded:
    """A definition and every finding of its static check (warnings and known discrepancies)."""

    definition: Definition
    problems: tuple[Problem, ...]


_CACHE: dict[tuple[str, int, int], Loaded] = {}


def _key(path: Path) -> tuple[str, int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (str(path.resolve()), stat.st_mtime_ns, stat.st_size)


def inspect_definition(
    path: str | Path, doc: Document | None = None
) -> tuple[Definition | None, list[Problem]]:
    """Read (unless ``doc`` is the file already read), validate and check a definition.

    Returns the definition (``None`` when its shape is wrong) and every finding. A definition without
    errors is kept, keyed by path, size and modification time, so a file is parsed once per process
    however many overlays, inputs and tests name it.
    """
    from .validate import check_definition

    path = Path(path)
    key = _key(path)
    if key is not None and key in _CACHE:
        cached = _CACHE[key]
        return cached.definition, list(cached.problems)
    if doc is None:
        doc, problems = read_file(path)
        if problems:
            return None, problems
    kind = doc.data.get("kind") if isinstance(doc.data, dict) else None
    if kind != "definition":
        return None, [
            Problem(
                "kind-unknown",
                f"expected a definition (`kind: definition`), found kind {kind!r}",
                doc.location(("kind",)),
            )
        ]
    definition, problems = validate_model(Definition, doc)
    if definition is None:
        return None, problems
    problems = check_definition(definition, doc)
    if key is not None and not any(p.severity == "error" for p in problems):
        definition._origin = str(path)
        _CACHE[key] = Loaded(definition, tuple(problems))
    return definition, problems


def load_checked(path: str | Path) -> Loaded:
    """Read, validate and check a definition file; raise :class:`DefinitionError` listing every error."""
    path = Path(path)
    definition, problems = inspect_definition(path)
    if definition is None or any(p.severity == "error" for p in problems):
        raise DefinitionError(problems)
    key = _key(path)
    if key is not None and key in _CACHE:
        return _CACHE[key]
    definition._origin = str(path)
    return Loaded(definition, tuple(problems))


def load_file(path: str | Path) -> Definition:
    """Load a definition file (any path), checked."""
    return load_checked(path).definition


def _candidates(definition_id: str, folder: Path | None = None) -> list[Path]:
    """Every version of one id in ``folder``: ``<id>.yaml`` and ``<id>@<anything>.yaml``."""
    folder = folder if folder is not None else bundled_dir()
    return sorted(
        p for p in folder.glob("*.yaml") if p.stem == definition_id or p.stem.startswith(definition_id + "@")
    )


def resolve(ref: str | Path, on: dt.date | None = None, folder: str | Path | None = None) -> Path:
    """A bundled id (optionally the version in force ``on`` a date) or a path → the file's path.

    ``folder`` looks the id up there instead of among the bundled definitions.
    """
    path = Path(ref)
    if path.suffix in {".yaml", ".yml", ".json"} or path.exists():
        if not path.exists():
            raise DefinitionError(Problem("file-not-found", f"no such file: {path}", Location(str(path))))
        return path
    candidates = _candidates(str(ref), Path(folder) if folder is not None else None)
    if not candidates:
        if folder is not None:
            raise UsageError(
                Problem("definition-not-found", f"no definition has the id {str(ref)!r} in {folder}")
            )
        known = ", ".join(info.id for info in list_definitions()) or "none"
        raise UsageError(
            Problem(
                "definition-not-found", f"no bundled definition has the id {str(ref)!r}; bundled: {known}"
            )
        )
    if len(candidates) == 1 and on is None:
        return candidates[0]
    day = on or dt.date.today()
    in_force = []
    for candidate in candidates:
        definition = load_file(candidate)
        if definition.effective.covers(day):
            in_force.append((definition.effective.from_, candidate))
    if not in_force:
        raise UsageError(
            Problem("definition-not-found", f"no version of {ref!r} is in force on {day.isoformat()}")
        )
    return max(in_force)[1]


def load(ref: str | Path, on: dt.date | None = None, folder: str | Path | None = None) -> Definition:
    """Load a bundled definition by id, or any definition file by path.

    With several versions of one id side by side, ``on`` picks the one in force that day
    (default: today). ``folder`` looks ids up in another folder of definitions than the bundled one.

    >>> import cds_index
    >>> cds_index.load("hai-duong-707-district").total
    Decimal('420')
    """
    return load_file(resolve(ref, on, folder))


@dataclass(frozen=True)
class DefinitionInfo:
    id: str
    title: str
    decision: str
    level: str
    effective_from: dt.date
    effective_to: dt.date | None
    total: str | None
    path: str

    def to_dict(self) -> dict[str, str | None]:
        """The JSON of `cds-index list --format json` and of the HTTP API's `/definitions`."""
        return {
            "id": self.id,
            "title": self.title,
            "decision": self.decision,
            "level": self.level,
            "effective_from": self.effective_from.isoformat(),
            "effective_to": self.effective_to.isoformat() if self.effective_to else None,
            "total": self.total,
            "path": self.path,
        }


def list_definitions(*, checked: bool = True) -> list[DefinitionInfo]:
    """Every bundled definition (each version), sorted by id and date.

    ``checked=False`` reads only each file's heading (the keys before `inputs:`/`tree:`), which is
    what `cds-index list` shows: instant, but a definition with errors further down is still listed
    (`cds-index check` finds those).
    """
    if not checked:
        headers = (_header(path) for path in sorted(bundled_dir().glob("*.yaml")))
        return sorted((i for i in headers if i is not None), key=lambda i: (i.id, i.effective_from))
    infos = []
    for path in sorted(bundled_dir().glob("*.yaml")):
        try:
            d = load_file(path)
        except DefinitionError:
            continue
        infos.append(
            DefinitionInfo(
                d.id,
                d.title,
                d.decision.number,
                d.level,
                d.effective.from_,
                d.effective.to,
                None if d.total is None else str(d.total),
                str(path),
            )
        )
    return sorted(infos, key=lambda i: (i.id, i.effective_from))


# `list` reads only a definition's heading (#14): its top-level keys without the big blocks. In a
# YAML mapping at column 0, a line that starts at column 0 (not a comment) is the next key.
_TOP_KEY = re.compile(r"^(?=[^\s#])", re.M)
_BODY = ("inputs", "tree", "errata", "description")


def _heading_text(text: str) -> str:
    """The text without the blocks of ``_BODY`` keys, wherever they are in the file."""
    blocks = _TOP_KEY.split(text)
    return "".join(b for b in blocks if b.split(":", 1)[0].strip() not in _BODY)


def _header(path: Path) -> DefinitionInfo | None:
    """A definition's heading (id, title, decision, level, dates, total) without reading its tree."""
    from decimal import Decimal

    from pydantic import BaseModel, ConfigDict, ValidationError

    from .loader import read_yaml
    from .model import Decision, Effective, Text

    class Heading(BaseModel):
        model_config = ConfigDict(extra="ignore")
        kind: str
        id: str
        title: Text
        decision: Decision
        level: str
        effective: Effective
        total: Decimal | None = None

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    doc, problems = read_yaml(_heading_text(text), str(path))
    try:
        h = Heading.model_validate(doc.data)
    except ValidationError:
        return None
    if problems or h.kind != "definition":
        return None
    total = None if h.total is None else str(h.total)
    return DefinitionInfo(
        h.id, h.title, h.decision.number, h.level, h.effective.from_, h.effective.to, total, str(path)
    )
