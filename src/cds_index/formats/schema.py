"""JSON Schemas of every file kind and of every JSON document written, generated from the models
(committed under `schemas/`).

The models are the one source: `python -m cds_index.formats.schema` regenerates the committed `schemas/`,
and `cds-index schema -o DIR` writes the same files wherever a user wants them (an analyst who
installed with pip has no checkout). No address publishes the schemas, so their ``$id`` is a URN that
names the kind (``urn:cds-index:schema:definition``), not a URL an editor would try to fetch: point
the editor at the written file instead (``# yaml-language-server: $schema=schemas/inputs.schema.json``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field

ID_PREFIX = "urn:cds-index:schema:"
"""Each schema's ``$id`` is this and its kind: an identifier, not an address (nothing publishes them)."""


def schemas() -> dict[str, dict[str, Any]]:
    """File name → JSON Schema, for editors (yaml-language-server) and other tools."""
    from pydantic import TypeAdapter

    from .changes import Amendment
    from .model import Definition, InputsFile, TestFile

    # a definition file is a whole definition, or an amending version (`extends:` + `changes:`, #13)
    definition_file = TypeAdapter(Annotated[Definition | Amendment, Field(title="cds_index definition")])
    kinds: dict[str, Any] = {
        "definition.schema.json": definition_file,
        "inputs.schema.json": InputsFile,
        "tests.schema.json": TestFile,
    }
    try:
        from .overlay import Overlay

        kinds["overlay.schema.json"] = Overlay
    except ImportError:  # pragma: no cover - the overlay model ships with the package
        pass
    try:
        from ..analyse.scenario import Scenario

        kinds["scenario.schema.json"] = Scenario
    except ImportError:  # pragma: no cover
        pass
    from .rearrangement import Rearrangement

    kinds["rearrangement.schema.json"] = Rearrangement
    from ..render.documents import SCHEMAS

    # the JSON cds_index writes (CLI --format json, the HTTP API): results, ranking, gaps, problems
    kinds.update({f"{name}.schema.json": model for name, model in SCHEMAS.items()})
    out = {}
    for name, model in kinds.items():
        if isinstance(model, TypeAdapter):
            schema = model.json_schema(by_alias=True)
            # not `anyOf`: with if/then/else an editor (and jsonschema) points at the broken key
            whole, amending = schema.pop("anyOf")
            schema.update({"if": {"required": ["extends"]}, "then": amending, "else": whole})
        else:
            schema = model.model_json_schema(by_alias=True)
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["$id"] = ID_PREFIX + name.removesuffix(".schema.json")
        out[name] = schema
    return out


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write(folder: str | Path) -> list[Path]:
    """Write every schema into ``folder``; return the paths written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in schemas().items():
        path = folder / name
        path.write_text(render(schema), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":  # `python -m cds_index.formats.schema` regenerates schemas/
    for p in write(Path(__file__).resolve().parents[3] / "schemas"):
        print(p)
