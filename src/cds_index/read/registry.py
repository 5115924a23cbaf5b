"""Finding and loading definitions: bundled ones by id (and date), any file by path."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..errors import DefinitionError, Location, Problem, UsageError, did_you_mean
from ..formats.model import Definition
from ..i18n import Message, T
from .loader import Document, read_file, validate_model


@cache
def bundled_dir() -> Path:
    """The folder of bundled definitions: inside the installed wheel, or the checkout's `definitions/`."""
    here = Path(__file__).resolve().parents[1]  # the package folder (this file is in read/)
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
    from ..check.validate import check_definition

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
                T("expected a definition (`kind: definition`), found kind {kind}", kind=repr(kind)),
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
    path = Path(_ref(path))
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
    """Every version of one id in ``folder``: ``<id>.yaml`` and ``<id>@<anything>.yaml``, else the files
    whose ``id:`` is that id (a folder of one's own need not name its files by id)."""
    where = folder if folder is not None else bundled_dir()
    named = sorted(
        p for p in where.glob("*.yaml") if p.stem == definition_id or p.stem.startswith(definition_id + "@")
    )
    if named or folder is None:
        return named
    return [Path(info.path) for info in list_definitions(folder) if info.id == definition_id]


def _day(on: object) -> dt.date | None:
    """``on=`` as a date: a date, a datetime (its day) or an ISO string ``"2024-01-01"``."""
    if on is None or (isinstance(on, dt.date) and not isinstance(on, dt.datetime)):
        return on
    if isinstance(on, dt.datetime):
        return on.date()
    if isinstance(on, str):
        try:
            return dt.date.fromisoformat(on.strip())
        except ValueError:
            pass
    raise UsageError(
        Problem(
            "usage",
            T(
                "on= is a date (datetime.date or 'YYYY-MM-DD', e.g. '2024-01-01'), got {value}",
                value=repr(on),
            ),
        )
    )


def _ref(ref: object) -> str | Path:
    if isinstance(ref, str | Path) and str(ref).strip():
        return ref
    raise UsageError(
        Problem(
            "usage",
            T(
                "a definition is named by its id (e.g. 'hai-duong-707-district') or a file path, got {value}",
                value=repr(ref),
            ),
        )
    )


FOLDER_ENV = "CDS_INDEX_FOLDER"
"""An environment variable naming the folder of definitions that ids are looked up in, instead of the
bundled ones: read by every command (unless ``--folder`` is given), the library and the HTTP API."""

_FOLDER: ContextVar[Path | None] = ContextVar("cds_index_folder", default=None)


@contextmanager
def searching(folder: str | Path | None) -> Iterator[None]:
    """Within the block, ids are looked up in ``folder`` (``None``: no change), as ``--folder`` does for
    a whole command: the definitions that overlays, scenarios, tests and inputs files name included."""
    if folder is None:
        yield
        return
    token = _FOLDER.set(Path(folder))
    try:
        yield
    finally:
        _FOLDER.reset(token)


def search_folder(folder: str | Path | None = None) -> Path | None:
    """Where ids are looked up: ``folder``, else the one :func:`searching` set (``--folder``), else the
    ``CDS_INDEX_FOLDER`` environment variable, else ``None`` (the bundled definitions)."""
    if folder is not None:
        return Path(folder)
    chosen = _FOLDER.get()
    if chosen is not None:
        return chosen
    env = os.environ.get(FOLDER_ENV, "").strip()
    return Path(env) if env else None


_PATH_SUFFIXES = (".yaml", ".yml", ".json")
_DATE_LIKE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")


def _exists(path: Path) -> bool:
    """Whether a file is there; a name the system cannot hold (too long, a NUL byte) is not."""
    try:
        return path.exists()
    except (OSError, ValueError):
        return False


def _shown(ref: str) -> str:
    return repr(ref if len(ref) <= 80 else ref[:77] + "...")


def resolve(
    ref: str | Path,
    on: dt.date | str | None = None,
    folder: str | Path | None = None,
    *,
    relative_to: str | Path | None = None,
    paths: bool = True,
) -> Path:
    """The one resolver of a definition reference (#11): the file it names.

    ``ref`` is one of

    - an id, ``hai-duong-707-district``: the version in force ``on`` a date (default today; the only
      version when there is one), looked up in the search folder (:func:`search_folder`: ``folder``,
      ``--folder``, ``CDS_INDEX_FOLDER``) or else among the bundled definitions;
    - ``id@YYYY-MM-DD``: the version of that id in force that day;
    - ``id@suffix``: a version's file stem (``hai-duong-707-district@2024.yaml``);
    - a path (``.yaml``, ``.yml``, ``.json``, or any existing file); a relative path written in another
      file (an overlay's ``applies_to``, a scenario's, tests' or inputs file's ``definition``) is
      looked for beside ``relative_to``, that file, first.

    ``paths=False`` resolves ids only, never a path (the HTTP API: no request reaches another file).
    """
    ref, on = _ref(ref), _day(on)
    text = str(ref).strip() if isinstance(ref, str) else str(ref)
    if paths:
        path = Path(ref)
        if relative_to is not None and not path.is_absolute() and path.suffix in _PATH_SUFFIXES:
            beside = Path(relative_to).parent / path
            if _exists(beside):
                return beside
        if path.suffix in _PATH_SUFFIXES or _exists(path):
            if not _exists(path):
                raise DefinitionError(
                    Problem(
                        "file-not-found",
                        T("no such file: {path}", path=_shown(str(path))),
                        Location(str(path)[:200]),
                    )
                )
            return path
    where = search_folder(folder)
    if "@" in text:
        base, _, tail = text.partition("@")
        try:
            day = dt.date.fromisoformat(tail.strip())
        except ValueError:
            day = None
            if _DATE_LIKE.fullmatch(tail.strip()):
                raise UsageError(
                    Problem(
                        "usage",
                        T(
                            "{ref}: {day} is not a day of the calendar; name a version by the day it is "
                            "in force, as YYYY-MM-DD, e.g. {example}",
                            ref=_shown(text),
                            day=repr(tail.strip()),
                            example=f"{base.strip()}@2024-01-01",
                        ),
                    )
                ) from None
        if day is not None:
            if on is not None and on != day:
                raise UsageError(
                    Problem(
                        "usage",
                        T(
                            "{ref} names the version in force on {day} but on= asks for {on}: give the "
                            "date once",
                            ref=repr(text),
                            day=day,
                            on=on,
                        ),
                    )
                )
            return _resolve_id(base.strip(), day, where)
        # a version's file stem, compared with the files' names, never opened as a path
        stems = [p for p in (where or bundled_dir()).glob("*.yaml") if p.stem == text]
        if stems:
            return stems[0]
    return _resolve_id(text, on, where)


def names_definition(ref: object, definition: Definition) -> bool:
    """Whether a reference written in a file (an inputs file's or a form's ``definition``) names this
    definition: its id, a version of it (``id@2024-01-01``, ``id@2025``), or the file it was read from."""
    text = str(ref).strip()
    return text.partition("@")[0].strip() == definition.id or text == definition._origin


def resolve_id(definition_id: str, on: dt.date | str | None = None, folder: str | Path | None = None) -> Path:
    """An id (or ``id@date``) → its file, never a path: :func:`resolve` with ``paths=False``."""
    return resolve(definition_id, on, folder, paths=False)


def _resolve_id(ref: str, on: dt.date | None, folder: Path | None) -> Path:
    """An id → the file of the version in force ``on`` a date, in ``folder`` or among the bundled
    definitions. Compared with the files' names and ids, never opened as a path: "../x" and
    "/etc/passwd" match nothing."""
    candidates = _candidates(ref, folder)
    if not candidates:
        known = list(dict.fromkeys(info.id for info in list_definitions(folder, checked=False)))
        hint = did_you_mean(ref, known) if len(ref) <= 200 else None
        listed: Message | str = ", ".join(known[:20]) or T("none")
        if len(known) > 20:
            listed = T("{names} and {count} more", names=listed, count=len(known) - 20)
        raise UsageError(
            Problem(
                "definition-not-found",
                T(
                    "no definition has the id {id} {where}{hint} (known: {known}; a file is named by its "
                    "path, e.g. dinh-nghia.yaml)",
                    id=_shown(ref),
                    where=T("in {folder}", folder=str(folder))
                    if folder is not None
                    else T("among the bundled definitions"),
                    hint=T("; {hint}", hint=hint) if hint else "",
                    known=listed,
                ),
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
            Problem(
                "definition-not-found",
                T(
                    "no version of {id} is in force on {day}: {versions}",
                    id=repr(ref),
                    day=day,
                    versions=_joined([_covers(c) for c in candidates]),
                ),
            )
        )
    return max(in_force)[1]


def _covers(path: Path) -> Message:
    effective = load_file(path).effective
    return T("{file} covers {start}–{end}", file=path.name, start=effective.from_, end=effective.to or "…")


def _joined(messages: list[Message]) -> Message | str:
    """Messages one after the other, ``; `` between them, each rendered in the reader's language."""
    if not messages:
        return ""
    joined = messages[0]
    for message in messages[1:]:
        joined = T("{first}; {then}", first=joined, then=message)
    return joined


def load(
    ref: str | Path,
    on: dt.date | str | None = None,
    folder: str | Path | None = None,
    *,
    relative_to: str | Path | None = None,
) -> Definition:
    """Load a definition by id, ``id@YYYY-MM-DD`` or path (:func:`resolve` says how each is found).

    With several versions of one id side by side, ``on`` picks the one in force that day
    (default: today; a date or an ISO string ``"2024-01-01"``). ``folder`` looks ids up in another
    folder of definitions than the bundled one (default: ``CDS_INDEX_FOLDER``, if set).

    >>> import cds_index
    >>> cds_index.load("hai-duong-707-district").total
    Decimal('420')
    """
    return load_file(resolve(ref, on, folder, relative_to=relative_to))


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


def list_definitions(folder: str | Path | None = None, *, checked: bool = True) -> list[DefinitionInfo]:
    """Every bundled definition (or every one in ``folder``), each version, sorted by id and date.

    ``checked=False`` reads only each file's heading (the keys before `inputs:`/`tree:`), which is
    what `cds-index list` shows: instant, but a definition with errors further down is still listed
    (`cds-index check` finds those).
    """
    where = search_folder(folder) or bundled_dir()
    if not checked:
        headers = (_header(path) for path in sorted(where.glob("*.yaml")))
        return sorted((i for i in headers if i is not None), key=lambda i: (i.id, i.effective_from))
    infos = []
    for path in sorted(where.glob("*.yaml")):
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

    from ..formats.model import Decision, Effective, Text
    from .loader import read_yaml

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
