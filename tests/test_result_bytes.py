"""The API's score answer written straight to bytes (`render.jsonbytes.result_bytes`, #11) is the
general answer, byte for byte: `json_bytes(result_json(result))`, on random units of every bundled
points definition; its string escaping is pydantic's and json.dumps's on any text; and the API
notices a definition file changed on disk."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic_core import to_json

from cds_index.engine import evaluate
from cds_index.read.registry import bundled_dir
from cds_index.render.documents import result_json
from cds_index.render.jsonbytes import json_bytes, result_bytes

from .test_flat_plan import DEFINITIONS, IDS, _mutated


@settings(max_examples=40, deadline=None, database=None)
@given(
    st.sampled_from(IDS),
    st.integers(0, 10_000),
    st.lists(st.integers(0, 10), min_size=0, max_size=80),
    st.booleans(),
)
def test_the_written_answer_is_the_general_one(
    definition_id: str, seed: int, edits: list[int], explain: bool
) -> None:
    definition = DEFINITIONS[definition_id]
    result = evaluate.score(definition, _mutated(definition, seed, edits), year=2024)
    assert result_bytes(result, explain=explain) == json_bytes(result_json(result, explain=explain))


@settings(max_examples=500, database=None)
@given(st.text())
def test_a_string_is_escaped_as_pydantic_and_json_dumps_escape_it(text: str) -> None:
    from json.encoder import encode_basestring

    assert encode_basestring(text).encode() == to_json(text) == json.dumps(text, ensure_ascii=False).encode()


def test_the_api_notices_a_changed_definition_file(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from cds_index.server import create_app

    name = "hai-duong-707-district"
    path = tmp_path / f"{name}.yaml"
    shutil.copy(bundled_dir() / f"{name}.yaml", path)
    with TestClient(create_app(tmp_path)) as client:
        url = f"/definitions/{name}/score?explain=false"
        before = client.post(url, json={}).json()
        text = path.read_text(encoding="utf-8")
        title = before["children"][0]["title"]
        path.write_text(text.replace(f"title: {title}\n", f"title: {title} (sửa)\n", 1), encoding="utf-8")
        assert path.read_text(encoding="utf-8") != text
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
        after = client.post(url, json={}).json()
        assert after["children"][0]["title"] == title + " (sửa)"
