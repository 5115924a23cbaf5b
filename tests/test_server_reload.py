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
