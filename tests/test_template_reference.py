"""A template written for a custom definition, or for one version of several, can be checked and scored as
it is written, without --folder (#13: `definition-not-found`, and the latest version instead of the one
asked for)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cds_index.cli.main import main

AMENDED = Path(__file__).parent / "data" / "amendments"
ID = "fictional-commune-index"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out + err


@pytest.fixture
def defs(tmp_path: Path) -> Path:
    folder = tmp_path / "defs"
    folder.mkdir()
    for path in AMENDED.glob("*.yaml"):
        shutil.copy(path, folder / path.name)
    (tmp_path / "units").mkdir()
    return folder


def line(text: str, key: str) -> str:
    return next(x for x in text.splitlines() if x.startswith(f"{key}:"))


def test_template_of_a_custom_file_checks_without_folder(
    capsys: pytest.CaptureFixture[str], defs: Path, tmp_path: Path
) -> None:
    out = tmp_path / "units" / "a.yaml"
    code, _ = run(capsys, "template", str(defs / f"{ID}.yaml"), "-o", str(out))
    assert code == 0
    text = out.read_text(encoding="utf-8")
    assert line(text, "definition") == f"definition: ../defs/{ID}.yaml"
    code, shown = run(capsys, "check", str(out))
    assert code == 0, shown
    assert "definition-not-found" not in shown


def test_template_of_a_dated_version_in_a_folder_names_that_version(
    capsys: pytest.CaptureFixture[str], defs: Path, tmp_path: Path
) -> None:
    out = tmp_path / "units" / "old.yaml"
    code, _ = run(capsys, "template", f"{ID}@2022-06-01", "--folder", str(defs), "-o", str(out))
    assert code == 0
    text = out.read_text(encoding="utf-8")
    # the 2022 version's file, not the id (which finds the 2024 version, without has_radio)
    assert line(text, "definition") == f"definition: ../defs/{ID}.yaml"
    assert line(text, "year") == "year: 2022"
    assert "has_radio" in text
    code, shown = run(capsys, "check", str(out))
    assert code == 0, shown
    assert "input-unknown" not in shown and "year-outside-period" not in shown


def test_template_of_a_bundled_dated_version_keeps_the_date(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "hue.yaml"
    assert run(capsys, "template", "hue-2263-commune@2025-06-01", "-o", str(out))[0] == 0
    text = out.read_text(encoding="utf-8")
    assert line(text, "definition") == "definition: hue-2263-commune@2025-06-01"
    assert line(text, "year") == "year: 2025"
    assert run(capsys, "check", str(out))[0] == 0
    # an undated bundled id stays an id; --year wins over the date's year
    code, shown = run(capsys, "template", "hue-2263-commune@2025-06-01", "--year", "2024")
    assert code == 0 and "year: 2024" in shown
    code, shown = run(capsys, "template", "hue-2263-commune")
    assert code == 0 and "definition: hue-2263-commune\n" in shown
