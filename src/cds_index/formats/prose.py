"""The prose of a definition or an overlay, for its translators (#12).

A definition's own words about itself (assumptions, readings not chosen, errata notes, descriptions)
are :class:`~cds_index.i18n.Prose`; a reader sees them in their language where the ``definitions``
catalogue (``locale/<lang>/LC_MESSAGES/definitions.po``) translates them. This module finds every such
text of a file and writes the catalogue entries a translator fills::

    python -m cds_index.formats.prose definitions/hue-2263-commune.yaml > new-entries.po

Each entry's ``msgid`` is the text exactly as the loader reads it (folded, NFC), so the lookup finds
it; ``#:`` names the file and the key path. An entry already in the catalogue is left out (``--all``
writes them too). See docs/translators.md.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from ..i18n import Prose


def prose_of(model: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], Prose]]:
    """Every :class:`Prose` text inside ``model`` (a definition, an overlay, any of their parts), with
    the path of keys to it, in document order."""
    if isinstance(model, Prose):
        yield path, model
    elif isinstance(model, BaseModel):
        for name in type(model).model_fields:
            yield from prose_of(getattr(model, name), (*path, name))
    elif isinstance(model, list | tuple):
        for index, item in enumerate(model):
            yield from prose_of(item, (*path, index))
    elif isinstance(model, dict):
        for key, item in model.items():
            yield from prose_of(item, (*path, str(key)))


def file_model(path: str | Path) -> BaseModel:
    """A definition or an overlay file, validated (its ``kind:`` says which)."""
    from ..read.loader import load_model, read_file
    from .model import Definition
    from .overlay import Overlay

    doc, _ = read_file(path)
    kind = doc.data.get("kind") if isinstance(doc.data, dict) else None
    return load_model(Overlay if kind == "overlay" else Definition, doc)


def _quoted(text: str) -> str:
    return (
        '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t") + '"'
    )


def entries(path: str | Path, *, known: set[str] | None = None) -> str:
    """The catalogue entries of the file's prose not in ``known`` (msgstr empty), once each."""
    return _entries(path, list(prose_of(file_model(path))), known)


Found = list[tuple[tuple[str | int, ...], Prose]]
"""The prose of one file with the path of keys to each text, as :func:`prose_of` yields it."""


def _entries(path: str | Path, found: Found, known: set[str] | None) -> str:
    """The entries of ``found`` (the file's prose, read once) not in ``known``."""
    seen = set(known or ())
    out = []
    for where, text in found:
        if str(text) in seen:
            continue
        seen.add(str(text))
        out.append(f'#: {path} {".".join(map(str, where))}\nmsgid {_quoted(str(text))}\nmsgstr ""\n')
    return "\n".join(out)


def translated(lang: str = "vi") -> set[str]:
    """The msgids the ``definitions`` catalogue of ``lang`` translates."""
    from babel.messages.pofile import read_po

    from ..i18n import PROSE_DOMAIN, catalogue_path

    po = catalogue_path(lang, domain=PROSE_DOMAIN)
    if not po.is_file():
        return set()
    with po.open("rb") as handle:
        return {str(m.id) for m in read_po(handle) if m.id and m.string}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m cds_index.formats.prose",
        description="Write the catalogue entries of a definition's prose for a translator (#12).",
    )
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--lang", default="vi", help="the catalogue whose entries are left out (default vi)")
    parser.add_argument("--all", action="store_true", help="write entries already translated too")
    args = parser.parse_args(argv)
    known = set() if args.all else translated(args.lang)
    for file in args.files:
        found = list(prose_of(file_model(file)))  # each file is read and validated once
        text = _entries(file, found, known)
        if text:
            sys.stdout.write(text + "\n")
        known |= {str(t) for _, t in found}
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
