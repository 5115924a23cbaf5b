"""YAML in, models out: safe loading with positions, and pydantic errors turned into file:line:column."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from pydantic import BaseModel, ValidationError

from ..errors import DefinitionError, Location, Problem, close_match, did_you_mean
from ..formats.model import RULE_KINDS
from ..i18n import Message, T, system_reason

MAX_BYTES = 2 * 1024 * 1024
"""Largest document accepted; the biggest decision (707 district) is 130 KB of YAML. (It was 8 MiB:
the YAML scanner reads some 1 MB a second, so 8 MiB took seconds to refuse, #9 p2-hostile.)"""
MAX_MARKS = 25_000
"""Most structure marks (``, : - [ {`` and line breaks) a document may hold, counted before it is
parsed: the pure-Python YAML scanner takes up to 80 µs a mark, so 1 MiB of ``[1,1,1,…]`` took 40 s.
The biggest bundled definition has 7,008."""
MAX_NODES = 250_000
"""Most YAML nodes a document may expand to, counting every alias expansion (billion-laughs guard)."""
MAX_DEPTH = 100

PathKey = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)


@dataclass
class Document:
    """Plain Python data read from YAML, with the position of every value and key."""

    file: str | None
    data: Any
    positions: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    texts: dict[PathKey, str] = field(default_factory=dict)
    """The text of each plain number YAML reads one way and a Vietnamese office another: ``1.000``
    is the float 1 to YAML, one thousand to Vietnamese eyes. Inputs files read such a value from
    its text, by the declared number format (#9)."""

    def location(self, path: Sequence[str | int], *, key: bool = False) -> Location:
        """The location of the value (or key) at ``path``, or of its nearest ancestor that has one."""
        path = tuple(path)
        table = self.key_positions if key else self.positions
        probe = path
        while True:
            if probe in table:
                line, column = table[probe]
                return Location(self.file, line, column, path)
            if probe in self.positions:
                line, column = self.positions[probe]
                return Location(self.file, line, column, path)
            if not probe:
                return Location(self.file, 1, 1, path)
            probe = probe[:-1]

    def node_path(self, path: Sequence[str | int]) -> tuple[str, ...]:
        """The ids of the tree nodes along ``path`` (``("CQS", "CQS.1", "CQS.1.1")``)."""
        ids: list[str] = []
        current = self.data
        for part in path:
            try:
                current = current[part]
            except (KeyError, IndexError, TypeError):
                break
            if (
                isinstance(current, Mapping)
                and isinstance(current.get("id"), str)
                and current["id"].strip()  # a blank id names no node: "(tại )" said nothing (#11)
                and ("title" in current or "points" in current)
            ):
                ids.append(current["id"])
        return tuple(ids)


class _Budget:
    def __init__(self) -> None:
        self.nodes = 0


_TWO_READINGS = re.compile(r"[-+]?[1-9][0-9]{0,2}\.[0-9]{3}")
"""A YAML float that is also a Vietnamese thousands form: ``1.000``, ``9.500``, ``12.345``."""
_DIGITS = re.compile(r"[-+]?[0-9]+")
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?$")


def _scalar(node: Any, file: str | None, problems: list[Problem]) -> Any:
    tag: str = node.tag
    text: str = node.value
    line, column = node.start_mark.line + 1, node.start_mark.column + 1
    if tag.endswith(":str"):
        return text
    if tag.endswith(":null"):
        return None
    if tag.endswith(":bool"):
        return text.lower() == "true"
    if tag.endswith(":int"):
        cleaned = text.replace("_", "")
        if len(cleaned) > 40:  # int() of 4,301 digits raises; no count or year has 40 digits
            problems.append(
                Problem(
                    "wrong-type",
                    T(
                        "a number of {digits} digits is beyond what cds_index reads (at most 10^15)",
                        digits=len(cleaned),
                    ),
                    Location(file, line, column),
                )
            )
            return None
        if _DIGITS.fullmatch(cleaned):  # `012` is twelve, as in a CSV cell (YAML 1.1 would say ten)
            return int(cleaned)
        # `0x1A`, `0o17`, `0b11`: a programmer's bases, never how a count or a year is written
        problems.append(
            Problem(
                "wrong-type",
                T(
                    "{value} is a number written in base 16, 8 or 2; write it in decimal digits",
                    value=repr(text),
                ),
                Location(file, line, column),
            )
        )
        return None
    if tag.endswith(":float"):
        if _FLOAT.match(text):
            try:
                # Exact: `0.1` becomes Decimal("0.1"), never the binary float 0.1000000000000000055…
                return Decimal(text.replace("_", ""))
            except InvalidOperation:
                pass
        problems.append(
            Problem(
                "wrong-type",
                T("{value} is not a finite number", value=repr(text)),
                Location(file, line, column),
            )
        )
        return None
    if tag.endswith(":timestamp"):
        try:
            return dt.date.fromisoformat(text) if len(text) == 10 else dt.datetime.fromisoformat(text)
        except ValueError:
            return text
    problems.append(
        Problem(
            "yaml-tag",
            T("the tag {tag} is not supported; write plain values", tag=repr(tag)),
            Location(file, line, column),
        )
    )
    return text


def _construct(
    node: Any,
    path: PathKey,
    doc: Document,
    problems: list[Problem],
    budget: _Budget,
) -> Any:
    budget.nodes += 1
    if budget.nodes > MAX_NODES:
        raise _TooLarge()
    if len(path) > MAX_DEPTH:
        raise _TooDeep()
    doc.positions.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
    kind = type(node).__name__
    if kind == "ScalarNode":
        if node.tag.endswith(":float") and _TWO_READINGS.fullmatch(node.value):
            doc.texts[path] = node.value
        return _scalar(node, doc.file, problems)
    if node.tag not in {"tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"}:  # `!!python/…`, `!!set`, `!x`
        problems.append(
            Problem(
                "yaml-tag",
                T("the tag {tag} is not supported; write plain values", tag=repr(node.tag)),
                Location(doc.file, node.start_mark.line + 1, node.start_mark.column + 1, path),
            )
        )
    if kind == "SequenceNode":
        return [
            _construct(child, (*path, index), doc, problems, budget) for index, child in enumerate(node.value)
        ]
    if kind == "MappingNode":
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            line, column = key_node.start_mark.line + 1, key_node.start_mark.column + 1
            if key_node.tag == "tag:yaml.org,2002:merge":
                problems.append(
                    Problem(
                        "yaml-tag",
                        T("merge keys (`<<:`) are not supported; write the keys out"),
                        Location(doc.file, line, column, path),
                    )
                )
                continue
            if type(key_node).__name__ != "ScalarNode":
                problems.append(
                    Problem(
                        "wrong-type",
                        T("a mapping key must be a plain value"),
                        Location(doc.file, line, column, path),
                    )
                )
                continue
            key = _scalar(key_node, doc.file, problems)
            if isinstance(key, Decimal):
                key = str(key)
            if key in result:
                first = doc.key_positions.get((*path, key))
                problems.append(
                    Problem(
                        "yaml-duplicate-key",
                        T(
                            "the key {key} appears twice in one mapping (first at line {line})",
                            key=repr(key),
                            line=str(first[0]),
                        )
                        if first
                        else T("the key {key} appears twice in one mapping", key=repr(key)),
                        Location(doc.file, line, column, (*path, key)),
                        doc.node_path(path),
                    )
                )
                continue
            doc.key_positions[(*path, key)] = (line, column)
            result[key] = _construct(value_node, (*path, key), doc, problems, budget)
        return result
    raise TypeError(f"unexpected YAML node {kind}")


_FIRST_KEY = re.compile(r"\s*(?:-\s+)?[^\s:#'\"{}\[\],]+")
"""What comes before a line's colon when that colon ends the line's first key (``   points_each``)."""


def _yaml_words(exc: Any, fallback: Message, *, elsewhere: bool = False, text: str = "") -> Message:
    """The YAML parser's complaint in our words, saying what to write, where it is a known mistake.

    ``elsewhere``: the construct the parser was in began on another line (an unclosed ``{``).
    ``text``: the document, to tell a key indented too far from a colon inside a value.
    """
    problem, context = str(exc.problem or ""), str(exc.context or "")
    if elsewhere and ("flow mapping" in context or "flow sequence" in context):
        return T("a bracket is not closed: close the {{ or [ where it began, on its own line")
    if "mapping values are not allowed" in problem and _key_indented_too_far(exc.problem_mark, text):
        return T(
            "the indentation is off: this key starts further right than the keys above it, so YAML "
            "reads it as part of the value above; start it in the same column as its sibling keys"
        )
    if "mapping values are not allowed" in problem or ("flow mapping" in context and "got ':'" in problem):
        return T(
            "a colon followed by a space inside a value starts a new key: put the title in quotes, "
            'e.g. title: "Nhận thức: số"'
        )
    if "'\\t'" in problem or "\\t" in problem or "\t" in problem:
        return T("a tab in the indentation: YAML is indented with spaces only")
    if "expected <block end>" in problem or "could not find expected ':'" in problem:
        return T(
            "the indentation is off: the keys of one mapping start in one column, and a list item's "
            "keys start under the first key after `- `"
        )
    if "end of stream" in problem and "quoted scalar" in context:
        return T("a quote is opened and never closed: close it with the same quote mark")
    if "found undefined alias" in problem:
        return T("an alias (*name) with no anchor (&name) before it")
    if "flow sequence" in context or "flow mapping" in context:
        return T(
            "a bracket is not closed, or a comma or colon inside [ … ] or {{ … }} is not in quotes: "
            "put such values in quotes"
        )
    start = _CANNOT_START.search(problem)
    if start:  # `title: @Tin bài`, `` title: `Tin` bài ``, `title: %Tin`
        return T(
            'a value cannot begin with {char} in YAML: put it in quotes, e.g. title: "{char}…"',
            char=start.group(1),
        )
    if "expected a single document" in context:
        return T(
            "a second document begins here (`---`): a cds_index file holds one; put it in a file of its own"
        )
    if "unknown escape character" in problem:
        return T(
            "inside double quotes a backslash begins an escape (\\n, \\t): put the text in single quotes, "
            "or write the backslash twice"
        )
    if "chomping or indentation indicators" in problem:
        return T(
            "after `|` or `>` nothing but a digit, `+` or `-` may follow: begin the text on the next line"
        )
    if "mapping keys are not allowed here" in problem:
        return T("`? ` begins a key in YAML: put a value that begins with a question mark in quotes")
    return fallback


_CANNOT_START = re.compile(r"found character '(.)' that cannot start any token")


def _key_indented_too_far(mark: Any, text: str) -> bool:
    """Whether the colon YAML refused ends the first key of a line that continues the line above.

    ``kind: per_item`` then `` points_each: 0.5`` one space further right: YAML reads the second
    line as more of ``per_item`` and stops at its colon. A colon inside a title (``title: Nhận
    thức: số``) comes after a key and a value on its own line, so it is not this mistake.
    """
    if mark is None or not text:
        return False
    lines = text.splitlines()
    if not 0 < mark.line < len(lines):
        return False
    before = lines[mark.line][: mark.column]
    return _FIRST_KEY.fullmatch(before) is not None and before[:1] == " "


def _reused_anchors(root: Any, file: str | None) -> list[Problem]:
    """An anchor (``&a``) given again: YAML lets an alias after it mean the second, which is never
    what a copied block meant (ruamel says it as a Python warning, on stderr or raised)."""
    first: dict[str, Any] = {}
    problems: list[Problem] = []
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:  # an alias: the anchored node itself, met again
            continue
        seen.add(id(node))
        anchor = getattr(node, "anchor", None)
        if anchor is not None:
            earlier = first.setdefault(anchor, node)
            if earlier is not node:
                problems.append(
                    Problem(
                        "yaml-syntax",
                        T(
                            "the anchor &{anchor} is given again (first at line {line}): an alias "
                            "*{anchor} after this would mean this one; give each anchor its own name",
                            anchor=anchor,
                            line=str(earlier.start_mark.line + 1),
                        ),
                        Location(file, node.start_mark.line + 1, node.start_mark.column + 1),
                    )
                )
        if isinstance(node.value, list):
            for item in reversed(node.value):
                stack.extend(reversed(item) if isinstance(item, tuple) else (item,))
    problems.sort(key=lambda p: (p.location.line or 0, p.location.column or 0))
    return problems


class _TooLarge(Exception):
    pass


class _TooDeep(Exception):
    pass


def read_yaml(text: str, file: str | None = None) -> tuple[Document, list[Problem]]:
    """Parse YAML safely into plain data with positions; never raises for bad input.

    Numbers with a fraction become ``Decimal``; dates become ``datetime.date``; no Python objects
    are ever constructed from tags.
    """
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError
    from ruamel.yaml.reader import ReaderError

    doc = Document(file, None)
    problems: list[Problem] = []
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        problems.append(
            Problem(
                "file-too-large",
                T(
                    "the document is larger than {size} MiB; split it or check it is the right file",
                    size=MAX_BYTES // (1024 * 1024),
                ),
                Location(file, 1, 1),
            )
        )
        return doc, problems
    marks = sum(text.count(mark) for mark in ",:-[{\n")
    if marks > MAX_MARKS:
        problems.append(
            Problem(
                "file-too-large",
                T(
                    "the document holds {marks} separators and line breaks, more than the {limit} read "
                    "(the largest definition has about 7,000); split it or check it is the right file",
                    marks=marks,
                    limit=MAX_MARKS,
                ),
                Location(file, 1, 1),
            )
        )
        return doc, problems
    # The plain (safe) scanner, not the round-trip one: the round-trip scanner marks every fold of a
    # folded scalar (`>-`) with a BEL character (\x07) that ended up in titles and notes, and it is
    # ~30% slower (measured, benchmarks/README.md). Tags are resolved by the same YAML 1.2 resolver.
    yaml = YAML(typ="safe", pure=True)
    yaml.composer.warn_double_anchors = False  # said as a problem below, not as a Python warning
    try:
        root = yaml.compose(io.StringIO(text))
    except ReaderError as exc:  # a control character: at its line, in our words (not "<file>", position)
        before = text[: exc.position] if isinstance(exc.position, int) else ""
        problems.append(
            Problem(
                "yaml-syntax",
                T(
                    "a control character ({code}) YAML does not allow, often copied from a PDF or a "
                    "word processor: delete it",
                    code=f"U+{exc.character:04X}" if isinstance(exc.character, int) else repr(exc.character),
                ),
                Location(file, before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1),
            )
        )
        return doc, problems
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        detail = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        began = exc.context_mark
        elsewhere = began is not None and mark is not None and began.line != mark.line
        message = _yaml_words(exc, T("YAML syntax: {detail}", detail=detail), elsewhere=elsewhere, text=text)
        if began is not None and mark is not None and elsewhere:
            if "end of stream" in str(exc.problem):  # past the last line: point where it began
                mark = began
            else:
                message = T(
                    "{message} (it began at line {line}, column {column})",
                    message=message,
                    line=str(began.line + 1),
                    column=str(began.column + 1),
                )
        line = mark.line + 1 if mark else 1
        column = mark.column + 1 if mark else 1
        problems.append(Problem("yaml-syntax", message, Location(file, line, column)))
        return doc, problems
    except (YAMLError, RecursionError) as exc:
        problems.append(
            Problem("yaml-syntax", T("YAML syntax: {detail}", detail=str(exc)), Location(file, 1, 1))
        )
        return doc, problems
    version = yaml.doc_infos[-1].doc_version if yaml.doc_infos else None
    if version is not None and (version.major, version.minor) != (1, 2):
        # `%YAML 1.1` turns `yes`/`on` into booleans, `1:30` into 90 and `010` into 8 (#11)
        directive = re.search(r"^%YAML\b", text, re.MULTILINE)
        problems.append(
            Problem(
                "yaml-syntax",
                T(
                    "the file asks for YAML {version} (`%YAML {version}`), which reads `yes`, `on`, "
                    "`1:30` and `010` otherwise: cds_index reads YAML 1.2; delete this line",
                    version=f"{version.major}.{version.minor}",
                ),
                Location(file, text.count("\n", 0, directive.start()) + 1 if directive else 1, 1),
            )
        )
        return doc, problems
    if root is not None:
        problems.extend(_reused_anchors(root, file))
        if problems:
            return doc, problems
    if root is None:
        doc.data = None
        return doc, problems
    try:
        doc.data = _construct(root, (), doc, problems, _Budget())
    except _TooLarge:
        problems.append(
            Problem(
                "yaml-alias-limit",
                T(
                    "the document expands to more than {limit} values (anchors and aliases multiply); "
                    "write the repeated parts out or split the file",
                    limit=MAX_NODES,
                ),
                Location(file, 1, 1),
            )
        )
        doc.data = None
    except _TooDeep:
        problems.append(
            Problem(
                "yaml-alias-limit",
                T("the document nests deeper than {depth} levels", depth=MAX_DEPTH),
                Location(file, 1, 1),
            )
        )
        doc.data = None
    return doc, problems


def open_input(path: str | Path) -> tuple[BinaryIO | None, Problem | None]:
    """Open a file for reading, in binary: ``(handle, None)`` or ``(None, problem)``; never raises.

    Only regular files are opened: a device (``/dev/zero``), a FIFO, a socket or a folder is refused
    from ``os.stat`` before opening (opening a FIFO would wait for a writer forever), and checked again
    on the opened descriptor, in case the path was swapped in between.
    """
    path = Path(path)
    where = Location(str(path))
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return None, Problem("file-not-found", T("no such file: {path}", path=str(path)), where)
    except OSError as exc:
        return None, Problem(
            "file-unreadable",
            T("cannot read {path}: {reason}", path=str(path), reason=system_reason(exc)),
            where,
        )
    if not stat.S_ISREG(mode):
        return None, Problem(
            "file-special",
            T("{path} is {kind}, not a file; give a file", path=str(path), kind=_file_kind(mode)),
            where,
        )
    flags = (
        os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    )
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        return None, Problem("file-not-found", T("no such file: {path}", path=str(path)), where)
    except OSError as exc:
        return None, Problem(
            "file-unreadable",
            T(
                "cannot read {path}: {reason} (check its permissions)",
                path=str(path),
                reason=system_reason(exc),
            ),
            where,
        )
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        kind = _file_kind(os.fstat(fd).st_mode)
        os.close(fd)
        return None, Problem(
            "file-special", T("{path} is {kind}, not a file; give a file", path=str(path), kind=kind), where
        )
    return os.fdopen(fd, "rb"), None


def _file_kind(mode: int) -> Message:
    if stat.S_ISDIR(mode):
        return T("a folder")
    if stat.S_ISFIFO(mode):
        return T("a pipe (FIFO)")
    if stat.S_ISSOCK(mode):
        return T("a socket")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return T("a device")
    return T("not a regular file")


def read_bytes(path: str | Path, limit: int) -> tuple[bytes | None, Problem | None]:
    """At most ``limit`` bytes of a regular file: the limit counts the bytes actually read.

    (A file's stated size can lie: a file still growing, ``/proc``; so ``limit + 1`` bytes are read
    and a file that has them is refused.)
    """
    handle, problem = open_input(path)
    if handle is None:
        return None, problem
    with handle:
        try:
            data = handle.read(limit + 1)
        except OSError as exc:
            return None, Problem(
                "file-unreadable",
                T("cannot read {path}: {reason}", path=str(path), reason=system_reason(exc)),
                Location(str(path)),
            )
    if len(data) > limit:
        return None, Problem(
            "file-too-large",
            T(
                "the file is larger than {limit} bytes, the limit; split it or check it is the right file",
                limit=limit,
            ),
            Location(str(path), 1, 1),
        )
    return data, None


def decode_utf8(data: bytes, file: str | None) -> tuple[str | None, Problem | None]:
    """UTF-8 text (a BOM is dropped), or a ``file-encoding`` problem at the line of the first bad byte."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), None
        except UnicodeDecodeError as exc:
            return None, Problem(
                "file-encoding",
                T("the file starts as UTF-16 but byte {offset} is not", offset=exc.start),
                Location(file, 1, 1),
            )
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        return None, Problem(
            "file-encoding", not_utf8(data[exc.start : exc.start + 1]), Location(file, line, column)
        )


def not_utf8(byte: bytes) -> Message:
    """Why a byte cannot be read, and how to save the file instead."""
    return T(
        "the byte 0x{byte} is not UTF-8: the file is in a legacy encoding (Windows-1258, "
        "Windows-1252 or latin-1, as old Vietnamese software saves); save it as UTF-8 "
        "(Excel: Save As → CSV UTF-8; Notepad: Save As → Encoding UTF-8)",
        byte=byte.hex(),
    )


def read_file(path: str | Path) -> tuple[Document, list[Problem]]:
    """Read a YAML or JSON document from a regular file of at most :data:`MAX_BYTES` bytes."""
    data, problem = read_bytes(path, MAX_BYTES)
    if data is None:
        assert problem is not None
        return Document(str(path), None), [problem]
    text, problem = decode_utf8(data, str(path))
    if text is None:
        assert problem is not None
        return Document(str(path), None), [problem]
    return read_yaml(text, str(path))


# --- pydantic errors → positioned problems --------------------------------------------------

_TYPE_TO_CODE = {
    "extra_forbidden": "unknown-key",
    "missing": "missing-key",
    "scale_mismatch": "scale-mismatch",  # a number written on the wrong scale (50 for 0.5), #13
}


def model_vocabulary(model: type[BaseModel], seen: set[type[BaseModel]] | None = None) -> set[str]:
    """Every field name (and alias) of a model and the models inside it, for 'did you mean'."""
    seen = seen if seen is not None else set()
    if model in seen:
        return set()
    seen.add(model)
    names: set[str] = set()
    for name, info in model.model_fields.items():
        names.add(info.alias or name)
        for inner in _models_in(info.annotation):
            names |= model_vocabulary(inner, seen)
    return names


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        yield from _models_in(arg)
    origin_meta = getattr(annotation, "__metadata__", None)
    if origin_meta is not None:
        yield from _models_in(getattr(annotation, "__origin__", None))


def _resolve(data: Any, loc: Sequence[str | int]) -> PathKey:
    """Follow pydantic's ``loc`` through the data.

    A name in ``loc`` that is not a key where it stands, and is not the last element, is the label of
    a union branch (a rule kind, ``AtLeast``, ``function-after[…]``): it is skipped, whatever
    pydantic calls it. The last element is kept even when absent (a missing or an unknown key).
    """
    path: list[str | int] = []
    current = data
    last = len(loc) - 1
    for index, part in enumerate(loc):
        if isinstance(current, Mapping):
            key: Any = part
            if key not in current and isinstance(part, str) and part.isdigit() and int(part) in current:
                key = int(part)
            if key not in current and part == "from_":
                key = "from"  # `Effective.from_` is written `from`
            if key in current:
                path.append(key)
                current = current[key]
                continue
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            path.append(part)
            current = current[part]
            continue
        if isinstance(part, str) and index < last:
            continue  # a union branch's label, not a key
        path.append(part)
        current = None
    return tuple(path)


_DECIMAL_COMMA = re.compile(r"[-+]?[0-9]+,[0-9]+")
_PERCENT = re.compile(r"([-+]?[0-9]+(?:[.,][0-9]+)?) *%")
_WITH_WORDS = re.compile(r"([-+]?[0-9]+(?:\.[0-9]+)?) *[^\W\d_].*")
_NUMBER_TYPES = {"decimal_parsing", "decimal_type", "float_parsing", "float_type", "int_parsing", "int_type"}
_NUMBER_TYPES |= {"int_from_float", "finite_number"}
_TYPE_WORDS = {
    "string_type": T("expected text"),
    "bool_parsing": T("expected true or false"),
    "bool_type": T("expected true or false"),
    "list_type": T("expected a list (lines starting with `- `)"),
    "dict_type": T("expected a mapping (`key: value` lines)"),
    "model_type": T("expected a mapping (`key: value` lines)"),
    "model_attributes_type": T("expected a mapping (`key: value` lines)"),
    "date_parsing": T("expected a date written 2024-01-15"),
    "date_type": T("expected a date written 2024-01-15"),
    "date_from_datetime_parsing": T("expected a date written 2024-01-15"),
    "date_from_datetime_inexact": T("expected a date written 2024-01-15"),  # `from: 2025`: a number
}
_BOUNDS: dict[str, tuple[str, Callable[[str, Any], Message]]] = {
    "greater_than_equal": (
        "ge",
        lambda v, b: T("{value} is too small: it must be at least {bound}", value=v, bound=b),
    ),
    "greater_than": (
        "gt",
        lambda v, b: T("{value} is too small: it must be more than {bound}", value=v, bound=b),
    ),
    "less_than_equal": (
        "le",
        lambda v, b: T("{value} is too large: it must be at most {bound}", value=v, bound=b),
    ),
    "less_than": (
        "lt",
        lambda v, b: T("{value} is too large: it must be less than {bound}", value=v, bound=b),
    ),
}


_FORMAT_WORDS = {
    # what an official writes → the format's word (levels, input types), for "write `commune`"
    "xã": "commune",
    "phường": "commune",
    "thị trấn": "commune",
    "huyện": "district",
    "quận": "district",
    "thị xã": "district",
    "sở": "department",
    "ban": "department",
    "ngành": "department",
    "yes/no": "boolean",
    "có/không": "boolean",
    "bool": "boolean",
    "số": "number",
    "số nguyên": "integer",
    "int": "integer",
    "ngày": "date",
    "lựa chọn": "choice",
}


def _number_words(value: Any, whole: bool = False) -> Message:
    """Why a definition's value is not a number, and how to write it: the mistakes people make (#12).
    ``whole``: a whole number was asked for (a year, a count), so ``2024.0`` is said not to be one,
    not to be no number (#11)."""
    shown = _short(value)
    if isinstance(value, str):
        text = value.strip()
        if _DECIMAL_COMMA.fullmatch(text):
            return T(
                "expected a number, got {value}: a definition writes a point before decimals; "
                "write {dot}, not {comma}",
                value=shown,
                dot=text.replace(",", "."),
                comma=text,
            )
        percent = _PERCENT.fullmatch(text)
        if percent:
            number = percent.group(1).replace(",", ".")
            return T(
                "expected a number, got {value}: write {number} for {number} %, without the percent sign",
                value=shown,
                number=number,
            )
        words = _WITH_WORDS.fullmatch(text)
        if words:
            return T(
                "expected a number, got {value}: write {number}, not {text}",
                value=shown,
                number=words.group(1),
                text=text,
            )
    if whole and isinstance(value, float | Decimal) and not isinstance(value, bool):
        return T("expected a whole number, got {value}", value=shown)
    return T("expected a number, got {value}", value=shown)


_PATTERN_WORDS: dict[str, Message] = {
    # formats/model.py's NodeId: an analyst reads no regular expression (#11)
    r"^[A-Za-z0-9]+(\.[A-Za-z0-9]+)*$": T(
        "a node id is the decision's numbering in letters without accents and digits, its parts "
        "joined by dots (`I.2.3`, `KTS.2.2.1`): no spaces or other signs"
    ),
    r"^[a-z][a-z0-9_]*$": T(  # InputName
        "an input's name is lower-case letters without accents, digits and `_`, starting with a "
        "letter (`ty_le_ho_so`)"
    ),
    r"^[a-z0-9]+(-[a-z0-9]+)*$": T(  # the ids of definitions, overlays, scenarios, units, readings
        "an id is lower-case letters without accents and digits, its words joined by `-` (`xa-a`)"
    ),
    r"^\d{1,2}\.\d{1,2}$": T("a deadline is day.month, as printed (`31.3`)"),  # DayMonth
    r"^\d{4}(-\d{2}(-\d{2})?)?$": T(  # overlay.py's PartialDate
        "a date as far as it is printed: a year, a year and month, or a day (`2022`, `2022-08`, `2022-08-25`)"
    ),
}
"""A pattern's rule in words, by the pattern (the models' ``Field(pattern=…)``)."""


def _as_pattern(written: str, pattern: str) -> str | None:
    """``written`` made to match ``pattern`` by the usual slips (accents, capitals, spaces or other
    signs between the parts), if one of them does: ``Ị 3`` → ``I.3``, ``Tỷ lệ`` → ``ty_le``."""
    from .literals import unaccented

    bare = unaccented(written.strip())
    for text in (bare, bare.lower()):
        for joiner in (".", "_", "-"):
            candidate = re.sub(r"[^A-Za-z0-9]+", joiner, text).strip(joiner)
            if candidate and candidate != written and re.fullmatch(pattern, candidate):
                return candidate
    return None


def pydantic_words(err: Mapping[str, Any], vocabulary: set[str]) -> tuple[str, str, Message | None]:
    """A pydantic error in our words: never pydantic's English (``Input should be a valid decimal``)."""
    kind = err["type"]
    loc = err["loc"]
    last = loc[-1] if loc else None
    ctx = err.get("ctx") or {}
    code = _TYPE_TO_CODE.get(kind)
    hint: Message | None = None
    message: str  # a Message, but for the words of formats/model.py's scale check (vi and en)
    if code == "unknown-key":
        message = T("unknown key {key}", key=repr(last))
        hint = did_you_mean(str(last), vocabulary)
        if hint is None and last == "tree" and {"extends", "changes"} <= vocabulary:
            # an amending version (`extends:`) written as a whole definition: two ways in one file
            hint = T(
                "a version with `extends:` lists its `changes:` to the version it amends; to write the "
                "whole tree instead, delete `extends:`"
            )
        if hint is None and isinstance(last, str) and (" " in last.strip() or not last.isascii()):
            # `{label: Có kế hoạch, chuyển đổi số}`: the comma ended the value and began a key
            hint = T(
                "a comma inside {{ … }} ends the value before it: put the title in quotes, "
                'e.g. {{label: "Có kế hoạch, chuyển đổi số"}}'
            )
    elif code == "missing-key":
        message = T("missing required key {key}", key=repr(last))
    elif code == "scale-mismatch" and {"value", "percent", "hint"} <= ctx.keys():
        # formats/model.py's ratio target above 1 (`target: 80` meant 80 %), in our words (#12)
        hint_value = str(ctx["hint"])
        message = T(
            "`target` is a fraction of 1, not a percent: {value} would need {percent} % of the whole; "
            "write {hint} for {value} %",
            value=str(ctx["value"]),
            percent=str(ctx["percent"]),
            hint=hint_value if hint_value[:1].isdigit() else T("a number from 0 to 1"),
        )
    elif code == "scale-mismatch":
        message = str(err["msg"])
    elif kind == "union_tag_invalid":
        code = "invalid-value"
        tag = ctx.get("tag")
        message = T(
            "unknown rule kind {kind}; the kinds are {kinds}", kind=repr(tag), kinds=_listed(RULE_KINDS)
        )
        hint = did_you_mean(str(tag), RULE_KINDS)
    elif kind == "union_tag_not_found":
        code = "missing-key"
        message = T("a rule needs `kind:` ({kinds})", kinds=_listed(RULE_KINDS))
    elif kind == "too_short":
        code = "invalid-value"
        least = ctx.get("min_length", 1)
        message = (
            T("{key} is empty; it needs at least {least} item(s)", key=repr(last), least=least)
            if isinstance(last, str)
            else T("needs at least {least} item(s)", least=least)
        )
    elif kind in {"decimal_max_places", "decimal_max_digits"}:  # a number, but too fine or too long
        code = "invalid-value"
        key = "decimal_places" if kind == "decimal_max_places" else "max_digits"
        message = (
            T(
                "{value} has too many digits: write at most {places} digits after the point",
                value=_short(err.get("input")),
                places=str(ctx.get(key, "")),
            )
            if kind == "decimal_max_places"
            else T(
                "{value} has too many digits: write at most {digits} digits",
                value=_short(err.get("input")),
                digits=str(ctx.get(key, "")),
            )
        )
    elif kind in _NUMBER_TYPES:
        code = "wrong-type"
        message = _number_words(err.get("input"), whole=kind.startswith("int_"))
    elif kind == "string_type" and loc and loc[-1] == "[key]" and isinstance(err.get("input"), int | Decimal):
        # `values: {population: 0,5}`: the comma ended the value, and `5` became a key
        code = "wrong-type"
        message = T(
            "{value} is not a name: a comma inside {{ … }} ends the value before it, so a decimal "
            "comma starts a new key; write the number in quotes ('0,5') or with a point (0.5)",
            value=_short(err.get("input")),
        )
    elif kind == "string_type" and (
        err.get("input") is None or isinstance(err.get("input"), int | float | Decimal | dt.date)
    ):
        # `id: 00001` is the number 1, `id: 2024-01-01` a date, `true` yes, `~` nothing: YAML read them
        # before we did (#11)
        code = "wrong-type"
        found = err.get("input")
        message = T(
            "expected text, got {value}, which YAML read as {kind}: write the text in quotes, exactly as "
            "it should read (id: '00001', not id: 00001)",
            value="null"
            if found is None
            else str(found).lower()
            if isinstance(found, bool)
            else _short(found),
            kind=_yaml_kind(found),
        )
    elif kind in _TYPE_WORDS:
        code = "wrong-type"
        message = T("{expected}, got {value}", expected=_TYPE_WORDS[kind], value=_short(err.get("input")))
    elif kind.endswith("_type") or kind.endswith("_parsing"):
        code = "wrong-type"
        message = T(
            "a value of the wrong type: {detail}, got {value}",
            detail=str(err["msg"]),
            value=_short(err.get("input")),
        )
    elif kind == "string_unicode":  # a lone surrogate (JSON's "\ud800"): never echoed, it is no text (#11)
        code = "invalid-value"
        message = T(
            "the text is not valid Unicode: it holds half of a character (a lone surrogate, written "
            "\\ud800 to \\udfff in JSON); send the text as UTF-8, with every character whole"
        )
    elif kind in _BOUNDS:
        code = "invalid-value"
        bound, words = _BOUNDS[kind]
        message = words(_short(err.get("input")), ctx.get(bound))
        about_points = bool(loc) and (last in POINTS_KEYS or (len(loc) > 1 and loc[-2] == "percent"))
        if kind in {"greater_than_equal", "greater_than"} and about_points and _negative(err.get("input")):
            hint = NEGATIVE_HINT
    elif kind in {"literal_error", "enum"}:
        code = "invalid-value"
        choices = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        message = T(
            "expected one of {expected}, got {value}",
            expected=_listed(choices) if choices else str(ctx.get("expected")),
            value=_short(err.get("input")),
        )
        hint = did_you_mean(str(err.get("input")), choices)
        written = str(err.get("input")).strip().lower()
        if hint is None and _FORMAT_WORDS.get(written) in choices:
            hint = T(
                "write {word}: the format's word for {value}",
                word=f"`{_FORMAT_WORDS[written]}`",
                value=repr(written),
            )
    elif kind in {"string_too_short", "string_too_long", "too_long"}:
        code = "invalid-value"
        shown = _short(err.get("input"))
        if kind == "string_too_short":
            message = T(
                "{value} is too short: it needs at least {least} character(s)",
                value=shown,
                least=ctx.get("min_length", 1),
            )
        elif kind == "string_too_long":
            message = T("the text is too long: at most {most} characters", most=ctx.get("max_length"))
        else:
            message = T("too many items: at most {most}", most=ctx.get("max_length"))
    elif kind == "string_pattern_mismatch":
        code = "invalid-value"
        shape, given = str(ctx.get("pattern")), err.get("input")
        said_shape = _PATTERN_WORDS.get(shape)
        message = (
            T("{value} is not written as this key needs: {words}", value=_short(given), words=said_shape)
            if said_shape is not None
            else T(
                "{value} is not written as this key needs (the pattern {pattern})",
                value=_short(given),
                pattern=shape,
            )
        )
        fixed = _as_pattern(given, shape) if isinstance(given, str) else None
        if isinstance(given, str) and ("/" in given or given.lower().endswith((".yaml", ".yml"))):
            # `applies_to: ./base.yaml`: not a slip of an id (`base-yaml` would mislead), a file's name
            hint = T("this key takes an id, not a file's name: write the `id:` written in that file")
        elif fixed is not None:
            hint = T("write {fixed}", fixed=repr(fixed))
    else:
        code = "invalid-value"
        error = ctx.get("error")
        said = error.args[0] if isinstance(error, ValueError) and error.args else None
        if isinstance(said, Message):  # our own validators (formats/model.py) speak through T
            shown = _short(err.get("input"))
            message = (
                said
                # a whole mapping shown as "a mapping" is noise; a message that shows the value already
                # (its `{value}`) would say it twice ("nhận được '1:2' (nhận được '1:2')")
                if isinstance(err.get("input"), dict | list) or "value" in said.params
                else T("{message} (got {value})", message=said, value=shown)
            )
        else:
            msg = str(err["msg"])
            if msg.startswith("Value error, "):
                msg = msg[len("Value error, ") :]
            message = T("{message} (got {value})", message=msg, value=_short(err.get("input")))
    return code, message, hint


def _listed(names: Iterable[str]) -> str:
    """Names of the format (keys, kinds, types) as code: ```yes_no`, `ratio```."""
    return ", ".join(f"`{name}`" for name in names)


NEGATIVE_HINT = T(
    "points, shares and caps are never negative; to take points off ('trừ điểm'), write the criterion "
    "with `kind: deduction` (`points_each` and `cap` as positive numbers, `deducts_from: criterion` or "
    "`parent`)"
)
"""The hint beside a negative number of points where the format wants one ≥ 0 (#13)."""
POINTS_KEYS = frozenset({"points", "percent", "cap", "points_each", "total"})


def _negative(value: Any) -> bool:
    try:
        return not isinstance(value, bool) and Decimal(str(value)) < 0
    except (InvalidOperation, ValueError):
        return False


def _yaml_kind(value: Any) -> Message:
    if value is None:
        return T("nothing (null)")
    if isinstance(value, bool):
        return T("a yes/no value")
    if isinstance(value, dt.date):
        return T("a date")
    return T("a number")


def _short(value: Any) -> str:
    if isinstance(value, dt.date | dt.time | dt.timedelta):  # 01/01/2024, never datetime.date(…) (#11)
        from .literals import short

        return short(value)
    if isinstance(value, dict):
        return T("a mapping")
    if isinstance(value, list):
        return T("a list")
    if isinstance(value, Decimal) and value.is_finite():
        # as the author wrote it (0.0000001, not Decimal('1E-7')); a huge exponent stays short
        exponent = value.as_tuple().exponent
        text = format(value, "f") if isinstance(exponent, int) and -30 <= exponent <= 30 else str(value)
        return text if len(text) <= 60 else text[:57] + "..."
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def validate_model(model: type[M], doc: Document) -> tuple[M | None, list[Problem]]:
    """Validate ``doc.data`` against ``model``; every pydantic error becomes a positioned Problem."""
    try:
        return model.model_validate(doc.data), []
    except ValidationError as exc:
        vocabulary = model_vocabulary(model)
        problems: list[Problem] = []
        seen: set[tuple[PathKey, str]] = set()
        errors = exc.errors(include_url=False)
        # A misspelt required key is one mistake: keep "unknown key 'tittle' (did you mean 'title'?)"
        # and drop the "missing required key 'title'" beside it.
        unknown = {
            (_resolve(doc.data, e["loc"][:-1]), str(e["loc"][-1]))
            for e in errors
            if e["type"] == "extra_forbidden" and e["loc"]
        }
        errors = [
            e
            for e in errors
            if not (
                e["type"] == "missing"
                and e["loc"]
                and any(
                    parent == _resolve(doc.data, e["loc"][:-1])
                    and close_match(str(e["loc"][-1]), [key]) is not None
                    for parent, key in unknown
                )
            )
        ]
        for err in errors:
            code, message, hint = pydantic_words(err, vocabulary)
            path = _resolve(doc.data, err["loc"])
            if (path, code) in seen:
                continue  # several union branches failing at one place: say it once
            seen.add((path, code))
            at_key = bool(path) and path[-1] == "[key]"  # pydantic's marker for a bad mapping key
            if at_key:
                path = path[:-1]
            location = doc.location(path, key=at_key or code == "unknown-key")
            problems.append(Problem(code, message, location, doc.node_path(path), hint=hint))
        problems.sort(key=lambda p: (p.location.line or 0, p.location.column or 0))
        return None, problems


def load_model(model: type[M], source: str | Path | Document) -> M:
    """Read and validate one file; raise :class:`DefinitionError` with every problem found."""
    problems: list[Problem]
    if isinstance(source, Document):
        doc, problems = source, []
    else:
        doc, problems = read_file(source)
    if problems:
        raise DefinitionError(problems)
    result, problems = validate_model(model, doc)
    if result is None:
        raise DefinitionError(problems)
    return result
