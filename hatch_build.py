"""Build hook: compile the gettext catalogues (``locale/*/LC_MESSAGES/*.po``) to ``.mo`` with Babel.

A wheel ships the ``.mo`` files, so an installed cds_index reads its messages without compiling them;
a source checkout compiles a ``.po`` in memory on first use instead (``cds_index.i18n``, #12).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CatalogueHook(BuildHookInterface):  # type: ignore[misc]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        if self.target_name != "wheel":
            return  # an sdist carries the .po files; its wheel build compiles them
        for po in sorted(Path(self.root, "src", "cds_index", "locale").glob("*/LC_MESSAGES/*.po")):
            with po.open("rb") as handle:
                catalog = read_po(handle, domain=po.stem)
            mo = po.with_suffix(".mo")
            partial = mo.with_name(f".{mo.name}.{os.getpid()}.tmp")
            with partial.open("wb") as out:
                write_mo(out, catalog, use_fuzzy=False)
            os.replace(partial, mo)  # whole or not at all: a reader never sees half a catalogue
