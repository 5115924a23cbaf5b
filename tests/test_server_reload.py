"""The API notices a definition file changed on disk (its freshness is one stat a request, #11)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from cds_index.read.registry import bundled_dir


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


def test_a_definition_is_kept_only_while_loading_it_would_read_nothing(tmp_path: Path) -> None:
    """The API scores a small request on its event loop only when the definition is loaded and
    unchanged (`kept_definition`); a new, edited or broken file is read in the thread pool (#11)."""
    from cds_index.read.registry import kept_definition, load_file

    name = "hai-duong-707-district"
    path = tmp_path / f"{name}.yaml"
    shutil.copy(bundled_dir() / f"{name}.yaml", path)
    assert kept_definition(path) is None  # never loaded: loading it reads the file
    loaded = load_file(path)
    assert kept_definition(path) is loaded
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("title:", "title: X", 1), encoding="utf-8")
    assert kept_definition(path) is None  # edited: loading it reads the file again
    path.write_text(text.replace("kind: definition", "kind: definitio", 1), encoding="utf-8")
    assert kept_definition(path) is None  # broken: loading it raises, in the thread pool
    assert kept_definition(tmp_path / "missing.yaml") is None


def test_an_edited_definition_scores_the_same_request_as_the_library_does(tmp_path: Path) -> None:
    """The first request after an edit (read in the thread pool) and the next (scored at once on the
    event loop) answer the same document, and both are the edited definition's."""
    from fastapi.testclient import TestClient

    from cds_index import load, score
    from cds_index.server import create_app

    name = "hai-duong-707-district"
    path = tmp_path / f"{name}.yaml"
    shutil.copy(bundled_dir() / f"{name}.yaml", path)
    body = {"unit": {"id": "huyen-a"}, "values": {"staff_total": 620, "district_staff": 150}}
    with TestClient(create_app(tmp_path)) as client:
        url = f"/definitions/{name}/score"
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("title:", "title: Sửa", 1), encoding="utf-8")
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
        first, second = (client.post(url, json=body) for _ in range(2))
    expected = score(load(path), body["values"], unit_id="huyen-a").to_dict()
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json() == expected
    assert first.json()["children"] == expected["children"]
