"""The README's Quickstart, .ci/run and the wheel agree with each other and carry what users need."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from cds_index.formats.prose import translated

ROOT = Path(__file__).resolve().parents[1]


def _quickstart_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section, flags=re.S)


def test_quickstart_has_two_commands() -> None:
    commands = _quickstart_commands()
    assert len(commands) == 2, commands
    main_job, test_job = commands
    assert "cds-index score" in main_job and "examples/" in main_job
    assert "pytest" in test_job


def test_ci_runs_exactly_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_job = _quickstart_commands()[1]
    assert test_job in ci.splitlines(), "the README's test command and .ci/run differ"


def test_quickstart_example_exists_and_names_its_definition() -> None:
    main_job = _quickstart_commands()[0]
    example = re.search(r"(examples/\S+\.yaml)", main_job)
    assert example is not None
    text = (ROOT / example.group(1)).read_text(encoding="utf-8")
    definition_id = main_job.split("cds-index score", 1)[1].split()[0]
    assert f"definition: {definition_id}" in text


def test_every_bundled_definition_is_listed_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for path in (ROOT / "definitions").glob("*.yaml"):
        assert f"`{path.stem.split('@')[0]}`" in readme, path.stem


def test_changelog_entries_name_their_issue() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    entries = [line for line in text.splitlines() if line.startswith("- ")]
    assert entries
    for line in entries:
        # an entry may wrap; its first line or its continuation names the issue
        block = text.split(line, 1)[1].split("\n- ", 1)[0]
        assert re.search(r"#\d+", line + block), line


@pytest.mark.slow
def test_wheel_bundles_definitions_and_schemas(tmp_path: Path) -> None:
    """`cds_index.load(id)` must work after a plain `pip install`, not only in a checkout."""
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if built.returncode != 0 and "Could not find a version" in built.stderr:
        pytest.skip("the build backend could not be fetched (no package index)")
    assert built.returncode == 0, built.stderr
    wheel = next(tmp_path.glob("cds_index-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for path in (ROOT / "definitions").rglob("*.yaml"):
        rel = path.relative_to(ROOT / "definitions").as_posix()
        assert f"cds_index/_bundled/definitions/{rel}" in names
    assert "cds_index/_bundled/schemas/definition.schema.json" in names
    assert "cds_index/py.typed" in names
    # (#12) the catalogues travel compiled: the build hook (hatch_build.py) wrote each .mo with Babel
    for lang in ("vi", "en"):
        assert f"cds_index/locale/{lang}/LC_MESSAGES/cds_index.mo" in names
    import gettext
    import io

    mo = zipfile.ZipFile(wheel).read("cds_index/locale/vi/LC_MESSAGES/cds_index.mo")
    assert gettext.GNUTranslations(io.BytesIO(mo)).gettext("yes") == "có"
    # and the definitions' prose (#12): the vi catalogue of domain `definitions`, compiled alike
    prose = zipfile.ZipFile(wheel).read("cds_index/locale/vi/LC_MESSAGES/definitions.mo")
    some = next(iter(sorted(translated("vi"))), None)
    if some is not None:
        assert gettext.GNUTranslations(io.BytesIO(prose)).gettext(some) != some
    # (#14) the licence travels with the wheel, and its version is the package's one version
    assert any(n.endswith("/LICENSE") and ".dist-info/" in n for n in names)
    from cds_index import __version__

    assert wheel.name.startswith(f"cds_index-{__version__}-")
