"""Finding and loading definitions: bundled ones by id (and date), any file by path."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..errors import CdsIndexError, DefinitionError, Location, Problem, UsageError, did_you_mean
from ..formats.model import Definition, Effective
from ..i18n import Message, T
from .loader import MAX_BYTES, Document, read_bytes, read_file, validate_model


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
    depends: tuple[FileKey, ...] = ()
    """The files an amending version was resolved from (its base, the base's base …), as cache keys:
    a cached version is read again when one of them changes."""


FileKey = tuple[str, int, int, int, int, int, bytes]
"""A file as a cache knows it: its real path, modification time (ns), size (``key[2]``), device,
inode, change time (ns) and, for a file changed less than :data:`SETTLED_NS` ago, a digest of its
bytes (else ``b""``)."""

_CACHE: dict[FileKey, Loaded] = {}
_LOADING: ContextVar[tuple[str, ...]] = ContextVar("cds_index_loading", default=())
"""The definition files being loaded, outermost first: an amending version whose base is one of them
extends itself (A extends B extends A)."""


def _fresh(loaded: Loaded) -> bool:
    return all(file_key(Path(dep[0])) == dep for dep in loaded.depends)


def file_key(path: Path) -> FileKey | None:
    """One ``stat`` of the file (#11: the API asks once per request); its real path is resolved once
    per spelling, directory and inode (``resolve`` walks every folder of the path, 8× the stat), and
    the inode is part of the key, so a stale real path never names another file's content."""
    try:
        stat = os.stat(path)
    except (OSError, ValueError):  # ValueError: a NUL byte in the path
        return None
    spelled = os.fspath(path)
    where = (spelled, "" if os.path.isabs(spelled) else os.getcwd(), stat.st_dev, stat.st_ino)
    real = _REAL.get(where)
    if real is None:
        real = str(Path(path).resolve())
        if len(_REAL) >= _BOUND:
            _REAL.clear()  # a bound, not an eviction policy: the files in use come back at once
        _REAL[where] = real
    digest = b""
    # the change time too: `touch -r old.yaml edited.yaml` (or `cp -p`, an unzip, a checkout that
    # keeps times) puts back a modification time, and an edit of the same size was served from the
    # cache (#11); the change time is the kernel's, set to now by every write and by that touch
    changed = max(stat.st_mtime_ns, stat.st_ctime_ns)
    if time.time_ns() - changed < SETTLED_NS:
        # changed within a tick of a coarse clock, the same size: its time and size may be those of
        # the text it replaced (#11, as git treats a racily clean file); its bytes say which it is
        # read as every file is (a regular file only, never a FIFO; within the limit of a document)
        data, _ = read_bytes(path, MAX_BYTES)
        if data is None:
            return None  # not a regular file, too large or unreadable now: not kept
        digest = hashlib.blake2b(data, digest_size=16).digest()
    return (real, stat.st_mtime_ns, stat.st_size, stat.st_dev, stat.st_ino, stat.st_ctime_ns, digest)


_REAL: dict[tuple[str, str, int, int], str] = {}
_BOUND = 1 << 12
_LISTINGS: dict[tuple[str, str], tuple[tuple[int, int, int, int], tuple[Path, ...]]] = {}
SETTLED_NS = 2_000_000_000
"""A folder's listing is kept once its modification time is this old (2 s) when it is listed."""


def yaml_files(where: Path) -> tuple[Path, ...]:
    """``sorted(where.glob("*.yaml"))``, listed again only when the folder changed (#11: the API
    resolves an id per request). The listing is kept with the folder's device, inode and modification
    time, and only when that time was at least :data:`SETTLED_NS` old as it was listed: a file added
    within the same tick of a coarse clock (a second, on some file systems) leaves the time as it
    was, so a folder changed that recently is listed every time until it settles (as git treats a
    file changed in the second it was indexed)."""
    try:
        stat = os.stat(where)
    except (OSError, ValueError):
        return tuple(sorted(where.glob("*.yaml")))
    spelled = os.fspath(where)
    key = (spelled, "" if os.path.isabs(spelled) else os.getcwd())
    state = (stat.st_dev, stat.st_ino, stat.st_mtime_ns, stat.st_ctime_ns)
    kept = _LISTINGS.get(key)
    if kept is not None and kept[0] == state:
        return kept[1]
    listed_at = time.time_ns()
    files = tuple(sorted(where.glob("*.yaml")))
    if listed_at - max(stat.st_mtime_ns, stat.st_ctime_ns) >= SETTLED_NS:
        if len(_LISTINGS) >= _BOUND:
            _LISTINGS.clear()
        _LISTINGS[key] = (state, files)
    return files


def inspect_definition(
    path: str | Path, doc: Document | None = None
) -> tuple[Definition | None, list[Problem]]:
    """Read (unless ``doc`` is the file already read), validate and check a definition.

    Returns the definition (``None`` when its shape is wrong) and every finding. A definition without
    errors is kept, keyed by path, size and modification time, so a file is parsed once per process
    however many overlays, inputs and tests name it.
    """
    definition, problems, _ = _inspected(Path(path), doc)
    return definition, problems


def _inspected(
    path: Path, doc: Document | None = None
) -> tuple[Definition | None, list[Problem], Loaded | None]:
    """:func:`inspect_definition`, and what the cache keeps of the definition (``None``: not kept),
    from one look at the file (#11)."""
    key = file_key(path)
    if key is not None:
        cached = _CACHE.get(key)
        if cached is not None and _fresh(cached):
            return cached.definition, list(cached.problems), cached
    definition, problems = _read(path, doc, key)
    kept = _CACHE.get(key) if key is not None else None
    return definition, problems, kept if kept is not None and kept.definition is definition else None


_PARSED: dict[FileKey, Document] = {}
_PARSED_BYTES = 4 * 1024 * 1024
"""At most this many bytes of files are kept parsed (about 16× as much memory: positions and data);
the bundled definitions are under half a MiB."""


def read_document(path: Path, key: FileKey | None = None) -> tuple[Document, list[Problem]]:
    """:func:`~cds_index.read.loader.read_file`, parsed once per process while the file is unchanged,
    for every reader: ``load`` and ``check`` (#11: a folder is checked by every ``cds-index check`` of
    a test run, a server, a watch loop, after its definitions were loaded; the YAML parse is most of
    the work). Kept under :func:`file_key` (taken before the read, so a change during it gives the
    next read another key), so an edited file is parsed again; only a document read without a
    problem is kept (a file that could not be read is tried again). Readers read a document and never
    change it; a scenario changes a copy of its base."""
    key = file_key(path) if key is None else key
    if key is not None:
        kept = _PARSED.get(key)
        if kept is not None:
            return kept, []
    doc, problems = read_file(path)
    if key is not None and not problems:
        # the keys copied at once (in C): another thread's read may add one while they are summed
        if sum(k[2] for k in list(_PARSED)) + key[2] > _PARSED_BYTES:
            _PARSED.clear()  # a bound, not an eviction policy: the files in use come back at once
        _PARSED[key] = doc
    return doc, problems


def _read(path: Path, doc: Document | None, key: FileKey | None) -> tuple[Definition | None, list[Problem]]:
    from ..check.validate import check_definition

    if doc is None:
        doc, problems = read_document(path, key)
        if problems:
            return None, problems
    kind = doc.data.get("kind") if isinstance(doc.data, dict) else None
    if kind == "definition" and "extends" in doc.data:
        return _amended(path, doc, key)
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


def _amended(path: Path, doc: Document, key: FileKey | None) -> tuple[Definition | None, list[Problem]]:
    """An amending version (``extends:``): its base resolved (by the one resolver, relative to this
    file), loaded (its own chain first) and changed by this file's ``changes`` and fields (#13).

    A base that cannot be found is ``extends-not-found``, one being loaded already (A extends B extends
    A, or a file extending itself) ``extends-cycle``, a chain longer than ``MAX_EXTENDS``
    ``extends-depth``, a base with errors ``extends-invalid``; each at this file's ``extends:``.
    """
    from ..analyse.scenario import change_definition
    from ..formats.changes import APPENDED, MAX_EXTENDS, Amendment

    amendment, problems = validate_model(Amendment, doc)
    if amendment is None:
        return None, problems
    at = doc.location(("extends",))
    here = str(path.resolve())
    stack = _LOADING.get()
    if len(stack) >= MAX_EXTENDS:
        chain = " → ".join(Path(p).name for p in (*stack, here))
        return None, [
            Problem(
                "extends-depth",
                T(
                    "more than {count} versions extend one another ({chain}); write a whole version",
                    count=MAX_EXTENDS,
                    chain=chain,
                ),
                at,
            )
        ]
    token = _LOADING.set((*stack, here))
    try:
        try:
            base_path = resolve(amendment.extends, folder=_beside(amendment.extends, path), relative_to=path)
        except CdsIndexError as exc:
            first = exc.problems[0] if exc.problems else None
            beside = {v.id for c in path.parent.glob("*.yaml") if (v := version_of(c)) is not None}
            hint = did_you_mean(amendment.extends.partition("@")[0].strip(), beside)
            return None, [
                Problem(
                    "extends-not-found",
                    T(
                        "`extends: {ref}` names no definition: {reason}",
                        ref=_shown(amendment.extends),
                        reason=first.message if first else T("not found"),
                    ),
                    at,
                    hint=hint or (first.hint if first else None),
                )
            ]
        target = str(base_path.resolve())
        if target in (*stack, here):
            loop = [*stack[stack.index(target) :], here, target] if target in stack else [here, here]
            chain = " → ".join(Path(p).name for p in loop)
            return None, [
                Problem(
                    "extends-cycle",
                    T("the versions extend one another in a circle: {chain}", chain=chain)
                    if target != here
                    else T(
                        "the versions extend one another in a circle: {chain} (a version cannot extend "
                        "itself)",
                        chain=chain,
                    ),
                    at,
                )
            ]
        base, found = inspect_definition(base_path)
    finally:
        _LOADING.reset(token)
    errors = [p for p in found if p.severity == "error"]
    chained = [p for p in errors if p.code in {"extends-cycle", "extends-depth"}]
    if chained:  # said at every file of the chain, each at its own `extends:`
        return None, [
            Problem(
                chained[0].code,
                T(
                    "`extends: {ref}`: {file} cannot be built: {reason}",
                    ref=_shown(amendment.extends),
                    file=base_path.name,
                    reason=chained[0].message,
                ),
                at,
            ),
            *errors,
        ]
    if base is None or errors:
        return None, [
            Problem(
                "extends-invalid",
                T(
                    "`extends: {ref}`: {file} has {count} error(s), so this version cannot be built from it "
                    "(they are listed below)",
                    ref=_shown(amendment.extends),
                    file=base_path.name,
                    count=len(errors),
                )
                if errors
                else T(
                    "`extends: {ref}`: {file} has shape error(s), so this version cannot be built from it "
                    "(they are listed below)",
                    ref=_shown(amendment.extends),
                    file=base_path.name,
                ),
                at,
            ),
            *errors,
        ]
    own = {"kind", "format", "extends", "inputs", "changes", *APPENDED}
    dumped = amendment.model_dump(mode="python", by_alias=True, exclude_none=True)
    fields = {name: dumped[name] for name in dumped if name not in own and name in _given(amendment)}
    appended = {name: dumped[name] for name in APPENDED if dumped.get(name)}
    changed, problems = change_definition(
        base, amendment.inputs, amendment.changes, doc, fields=fields, appended=appended
    )
    if changed is None:
        return None, problems
    changed._origin = str(path)
    base_key = file_key(base_path)
    cached = _CACHE.get(base_key) if base_key is not None else None
    depends = ((base_key,) if base_key else ()) + (cached.depends if cached else ())
    if key is not None and not any(p.severity == "error" for p in problems):
        _CACHE[key] = Loaded(changed, tuple(problems), depends)
    return changed, problems


def _given(model: object) -> set[str]:
    """The fields a file gave (by name and alias): an amendment replaces only those."""
    fields: set[str] = set(getattr(model, "model_fields_set", ()))
    infos = getattr(type(model), "model_fields", {})
    return fields | {infos[name].alias for name in fields if name in infos and infos[name].alias}


def load_checked(path: str | Path) -> Loaded:
    """Read, validate and check a definition file; raise :class:`DefinitionError` listing every error."""
    path = Path(_ref(path))
    definition, problems, kept = _inspected(path)
    if definition is None or any(p.severity == "error" for p in problems):
        raise DefinitionError(problems)
    if kept is not None:
        return kept
    definition._origin = str(path)
    return Loaded(definition, tuple(problems))


def load_file(path: str | Path) -> Definition:
    """Load a definition file (any path), checked."""
    return load_checked(path).definition


def kept_definition(path: Path) -> Definition | None:
    """The definition :func:`load_file` would give, when it is loaded already and its files are
    unchanged (one ``stat`` each, nothing read); ``None`` when loading it would read a file, or
    would raise. The API scores a small request at once when this answers (#11)."""
    key = file_key(path)
    kept = _CACHE.get(key) if key is not None else None
    if kept is None or not _fresh(kept) or any(p.severity == "error" for p in kept.problems):
        return None
    return kept.definition


def _candidates(definition_id: str, folder: Path | None = None) -> list[Path]:
    """Every version of one id in ``folder``: ``<id>.yaml`` and ``<id>@<anything>.yaml``, else the files
    whose heading's ``id:`` is that id (a folder of one's own need not name its files by id)."""
    where = folder if folder is not None else bundled_dir()
    files = yaml_files(where)
    named = [p for p in files if p.stem == definition_id or p.stem.startswith(definition_id + "@")]
    if named or folder is None:
        return named
    # the headings only: nothing is loaded to find a version (an amending version resolving its base
    # here would otherwise load itself); the version chosen is then loaded, and its errors said
    return [p for p in files if (v := version_of(p)) is not None and v.id == definition_id]


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
        stems = [p for p in yaml_files(where or bundled_dir()) if p.stem == text]
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
    periods = [(candidate, _period_or_load(candidate)) for candidate in candidates]
    in_force = [(period, candidate) for candidate, period in periods if period.covers(day)]
    if not in_force:
        raise UsageError(
            Problem(
                "definition-not-found",
                T(
                    "no version of {id} is in force on {day}: {versions}",
                    id=repr(ref),
                    day=day,
                    versions=_joined([_covers(c, period) for c, period in periods]),
                ),
            )
        )
    if len(in_force) > 1:  # never a guess: `check` reports the overlap (version-overlap)
        raise UsageError(
            Problem(
                "version-overlap",
                T(
                    "{count} versions of {id} are in force on {day}: {versions}; end the earlier version's "
                    "period the day before the later one begins (`to:`)",
                    count=len(in_force),
                    id=repr(ref),
                    day=day,
                    versions=_joined([_covers(c, period) for period, c in in_force]),
                ),
            )
        )
    return in_force[0][1]


def _span(period: Effective) -> Message:
    """``24/03/2022–30/06/2025`` (``2022-03-24–2025-06-30`` in English); ``…`` when it has no end."""
    return T("{start}–{end}", start=period.from_, end=period.to or "…")


@dataclass(frozen=True)
class Version:
    """One version of a definition in a folder, as its heading says: file, id and period."""

    path: Path
    id: str
    effective: Effective


_PERIODS: dict[FileKey, Version | None] = {}


def version_of(path: Path) -> Version | None:
    """A definition file's id and period from its heading only (not its tree), cached by path, size
    and modification time; ``None`` when the heading cannot be read (``check`` of that file says why).
    An amending version states both (``id``, ``effective``), so no base is opened to find them."""
    from pydantic import BaseModel, ConfigDict, ValidationError

    from .loader import read_yaml

    key = file_key(path)
    if key is not None and key in _PERIODS:
        return _PERIODS[key]

    class Heading(BaseModel):
        model_config = ConfigDict(extra="ignore")
        kind: str
        id: str
        effective: Effective

    found: Version | None = None
    try:
        doc, problems = read_yaml(_heading_text(path.read_text(encoding="utf-8")), str(path))
        h = Heading.model_validate(doc.data)
        if not problems and h.kind == "definition":
            found = Version(path, h.id, h.effective)
    except (OSError, UnicodeDecodeError, ValidationError):
        pass
    if key is not None:
        _PERIODS[key] = found
    return found


def _beside(ref: str, path: Path) -> Path | None:
    """The folder of an amending version, when a version of the id its ``extends:`` names is there:
    versions sit side by side, so an id is looked up beside the file first, then where every id is."""
    ident = ref.partition("@")[0].strip()
    for candidate in path.parent.glob("*.yaml"):
        if candidate.stem == ident or candidate.stem.startswith(ident + "@"):
            return path.parent
        version = version_of(candidate)
        if version is not None and version.id == ident:
            return path.parent
    return None


def _period_or_load(path: Path) -> Effective:
    version = version_of(path)
    return version.effective if version is not None else load_file(path).effective  # raises its errors


@cache
def _in_force_beside(origin: str, definition_id: str, day: dt.date, _listed: int) -> str | None:
    """``_listed`` is the folder's modification time: a version added or removed is seen."""
    folder = Path(origin).parent
    for candidate in sorted(folder.glob("*.yaml")):
        version = version_of(candidate)
        if version is not None and version.id == definition_id and version.effective.covers(day):
            return candidate.name
    return None


def version_hint(definition: Definition, day: dt.date) -> str | None:
    """Which version of the definition is in force on ``day``, beside the file it was read from: the
    hint of a period warning (scoring 2024 data with the 2025 version, #13); ``None`` when none is."""
    if definition._origin is None:
        return None
    origin = Path(definition._origin).resolve()
    try:
        listed = origin.parent.stat().st_mtime_ns
    except OSError:
        return None
    name = _in_force_beside(str(origin), definition.id, day, listed)
    if name is None or Path(definition._origin).name == name:
        return None
    return T(
        "the version in force on {day} is {name}: score with {ref}",
        day=day,
        name=name,
        ref=f"{definition.id}@{day.isoformat()}",
    )


def _named_version(path: Path, definition_id: str) -> bool:
    return path.stem == definition_id or path.stem.startswith(definition_id + "@")


def check_versions(path: str | Path, definition: Definition, doc: Document | None = None) -> list[Problem]:
    """Overlaps and gaps between this version of a definition and the other versions of its id in its
    folder (the files named ``<id>.yaml`` and ``<id>@….yaml``, as versions are kept; their headings
    only), reported at this file's ``effective:`` when this version begins
    after the other (so each is reported once, at the later version):

    - ``version-overlap`` (error): another version is still in force on a day this one is;
    - ``version-gap`` (warning): days between the end of the versions before this one and its start
      that no version covers.
    """
    path = Path(path)
    here = path.resolve()
    mine = definition.effective
    at = doc.location(("effective",), key=True) if doc is not None else Location(str(path))
    if not _named_version(path, definition.id):
        return []  # versions are the files named `<id>.yaml` and `<id>@….yaml` (a copy elsewhere is not one)
    others = []
    for candidate in sorted(path.parent.glob("*.yaml")):
        if candidate.resolve() == here or not _named_version(candidate, definition.id):
            continue
        version = version_of(candidate)
        if version is not None and version.id == definition.id:
            others.append(version)
    problems: list[Problem] = []
    for other in others:
        theirs = other.effective
        earlier = (theirs.from_, other.path.name) < (mine.from_, path.name)
        if not earlier:
            continue
        last = min(d for d in (theirs.to, mine.to, dt.date.max) if d is not None)
        if theirs.to is not None and theirs.to < mine.from_:
            continue
        days = (last - mine.from_).days + 1
        length = T("{days} day(s)", days=days) if last != dt.date.max else T("every day from then on")
        problems.append(
            Problem(
                "version-overlap",
                T(
                    "{other} ({theirs}) and this version ({mine}) of {id} are both in force from {start} "
                    "({length}); two versions in force on one day leave the version to score by unsaid",
                    other=other.path.name,
                    theirs=_span(theirs),
                    mine=_span(mine),
                    id=definition.id,
                    start=mine.from_,
                    length=length,
                ),
                at,
                hint=T(
                    "end {other}'s period the day before this one begins: {to}",
                    other=other.path.name,
                    to=f"`to: {mine.from_ - dt.timedelta(days=1)}`",
                ),
            )
        )
    before = [o.effective for o in others if o.effective.from_ < mine.from_]
    if before and all(e.to is not None for e in before):
        covered_to = max(e.to for e in before if e.to is not None)
        if covered_to + dt.timedelta(days=1) < mine.from_:
            first, last = covered_to + dt.timedelta(days=1), mine.from_ - dt.timedelta(days=1)
            days = (last - first).days + 1
            problems.append(
                Problem(
                    "version-gap",
                    T(
                        "no version of {id} is in force from {first} to {last} ({days} day(s)): the versions "
                        "before this one end on {end}, this one begins on {start}",
                        id=definition.id,
                        first=first,
                        last=last,
                        days=days,
                        end=covered_to,
                        start=mine.from_,
                    ),
                    at,
                    severity="warning",
                    hint=T(
                        "if the amendment applies from the day after the old version ends, say so in {code}; "
                        "a real gap (no decision in force) can stay, with this warning",
                        code=f"`from: {first}`",
                    ),
                )
            )
    return problems


def _covers(path: Path, period: Effective) -> Message:
    return T("{file} covers {span}", file=path.name, span=_span(period))


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

    The definition is the process's one copy of that file (loaded once, its rules compiled once):
    do not change its lists or mappings in place (``d.inputs.pop(…)`` would change it for every
    caller, and its compiled rules would not follow). A changed definition is a copy:
    ``d.model_copy(update={"tree": …})``, which is compiled and scored by its own rules.

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
            infos.append(_info(load_file(path), path))
        except DefinitionError:
            continue
    return sorted(infos, key=lambda i: (i.id, i.effective_from))


def _info(d: Definition, path: Path) -> DefinitionInfo:
    total = None if d.total is None else str(d.total)
    return DefinitionInfo(
        d.id, d.title, d.decision.number, d.level, d.effective.from_, d.effective.to, total, str(path)
    )


# `list` reads only a definition's heading (#14): its top-level keys without the big blocks. In a
# YAML mapping at column 0, a line that starts at column 0 (not a comment) is the next key.
_TOP_KEY = re.compile(r"^(?=[^\s#])", re.M)
_BODY = ("inputs", "tree", "errata", "description", "changes")


def _heading_text(text: str) -> str:
    """The text without the blocks of ``_BODY`` keys, wherever they are in the file."""
    blocks = _TOP_KEY.split(text)
    return "".join(b for b in blocks if b.split(":", 1)[0].strip() not in _BODY)


def _header(path: Path, _depth: int = 0) -> DefinitionInfo | None:
    """A definition's heading (id, title, decision, level, dates, total) without reading its tree; an
    amending version's missing fields are its base's (through ``extends:``)."""
    from decimal import Decimal

    from pydantic import BaseModel, ConfigDict, ValidationError

    from ..formats.model import Decision, Text
    from .loader import read_yaml

    class Heading(BaseModel):
        model_config = ConfigDict(extra="ignore")
        kind: str
        id: str | None = None
        title: Text | None = None
        decision: Decision
        level: str | None = None
        effective: Effective
        total: Decimal | None = None
        extends: str | None = None

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
    base: DefinitionInfo | None = None
    if h.extends is not None:  # an amending version's total is known once its changes are applied
        try:
            return _info(load_file(path), path)
        except CdsIndexError:
            pass  # listed from its heading and its base's; `check` says what is wrong
    if h.extends is not None and _depth < 16 and None in (h.id, h.title, h.level, h.total):
        try:
            base = _header(resolve(h.extends, folder=_beside(h.extends, path), relative_to=path), _depth + 1)
        except CdsIndexError:
            base = None
    ident = h.id or (base.id if base else None)
    title = h.title or (base.title if base else None)
    level = h.level or (base.level if base else None)
    if ident is None or title is None or level is None:
        return None
    total = str(h.total) if h.total is not None else (base.total if base else None)
    return DefinitionInfo(
        ident, title, h.decision.number, level, h.effective.from_, h.effective.to, total, str(path)
    )
