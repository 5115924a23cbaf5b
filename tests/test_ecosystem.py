"""What tools next to cds-index expect (#14): a version, schemas for editors, a licence, metadata,
`list` answering from the headings alone, check skipping YAML that is not a cds_index file."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

import cds_index
from cds_index.cli import main
from cds_index.formats.schema import ID_PREFIX, schemas
from cds_index.read.registry import list_definitions

from .conftest import ROOT, TINY

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_version_has_one_source(capsys: pytest.CaptureFixture[str]) -> None:
    project = PYPROJECT["project"]
    assert "version" not in project and "version" in project["dynamic"]
    assert PYPROJECT["tool"]["hatch"]["version"]["path"] == "src/cds_index/__init__.py"
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"cds-index {cds_index.__version__}\n"
    assert re.fullmatch(r"\d+\.\d+\.\d+", cds_index.__version__)


def test_licence_and_metadata_agree() -> None:
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n") and 'THE SOFTWARE IS PROVIDED "AS IS"' in text
    project = PYPROJECT["project"]
    assert project["license"] == {"text": "MIT"}
    assert "License :: OSI Approved :: MIT License" in project["classifiers"]
    assert "urls" not in project  # no public home yet: no invented address
    assert PYPROJECT["project"]["entry-points"]["pytest11"] == {
        "cds_index.pytest_plugin": "cds_index.pytest_plugin"
    }


def test_schema_command_writes_every_schema(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "editor" / "schemas"
    assert main(["schema", "-o", str(out)]) == 0
    printed = capsys.readouterr().out.splitlines()
    expected = schemas()
    assert sorted(Path(p).name for p in printed) == sorted(expected)
    for name, schema in expected.items():
        written = json.loads((out / name).read_text(encoding="utf-8"))
        assert written == schema
        # the same files as the committed schemas/: one source
        assert written == json.loads((ROOT / "schemas" / name).read_text(encoding="utf-8"))
        # an identifier, not an address nothing publishes
        assert written["$id"] == ID_PREFIX + name.removesuffix(".schema.json")
        assert not written["$id"].startswith("http")


@pytest.mark.usefixtures("english")
def test_schema_command_into_a_file_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "taken"
    blocker.write_text("x", encoding="utf-8")
    assert main(["schema", "-o", str(blocker)]) == 2
    assert "cannot write the schemas into" in capsys.readouterr().err


def test_template_names_its_schema(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from jsonschema import Draft202012Validator

    from cds_index.read.loader import read_file

    target = tmp_path / "so-a.yaml"
    assert main(["template", "hai-duong-707-department", "-o", str(target)]) == 0
    capsys.readouterr()
    first = target.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=schemas/inputs.schema.json"
    # the line points at what `cds-index schema -o schemas` writes next to the file, and it validates
    assert main(["schema", "-o", str(tmp_path / "schemas")]) == 0
    schema_path = tmp_path / first.split("$schema=", 1)[1]
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    doc, problems = read_file(target)
    assert problems == []
    assert list(Draft202012Validator(schema).iter_errors(doc.data)) == []


def test_list_reads_the_headings_as_the_full_load_would() -> None:
    fast = list_definitions(checked=False)
    assert fast == list_definitions()
    assert {i.id for i in fast} >= {"hai-duong-707-district", "thanh-hoa-1829-commune"}


def test_list_heading_of_a_broken_file_is_left_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cds_index.read import registry

    (tmp_path / "tiny.yaml").write_text(TINY, encoding="utf-8")
    (tmp_path / "bad.yaml").write_text(TINY.replace("level: commune", "level: [commune"), encoding="utf-8")
    (tmp_path / "bytes.yaml").write_bytes(b"kind: definition\nid: \x84\x93\n")
    # the heading's keys after the tree (an unusual order) are read too
    lines = TINY.splitlines(keepends=True)
    moved = [line for line in lines if not line.startswith(("total:", "level:"))]
    (tmp_path / "late.yaml").write_text(
        "".join(moved).replace("id: tiny", "id: late") + "total: 10\nlevel: commune\n", encoding="utf-8"
    )
    monkeypatch.setattr(registry, "bundled_dir", lambda: tmp_path)
    infos = list_definitions(checked=False)
    assert [(i.id, i.total, i.level) for i in infos] == [("late", "10", "commune"), ("tiny", "10", "commune")]
    assert infos == list_definitions()  # as the full load reads them


def test_check_skips_yaml_that_is_not_a_cds_index_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "ci.yml").write_text("on: [push]\njobs: {}\n", encoding="utf-8")
    (tmp_path / "typo.yaml").write_text(TINY.replace("kind: definition", "kind: definiton"), encoding="utf-8")
    assert main(["check", str(tmp_path / "ci.yml")]) == 1  # without the flag: not a cds_index file
    capsys.readouterr()
    assert main(["check", "--skip-other-yaml", str(tmp_path / "ci.yml")]) == 0
    assert "ci.yml" not in capsys.readouterr().out
    # a misspelt kind is still checked, and fails
    assert main(["check", "--skip-other-yaml", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "typo.yaml" in out and "kind-unknown" in out and "ci.yml" not in out
