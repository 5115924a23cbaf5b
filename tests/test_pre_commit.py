"""The pre-commit hooks of .pre-commit-hooks.yaml, run by pre-commit in a temporary repository (#14).

The temporary repository uses this checkout as its hook source (`repo: <checkout>`, `rev:` its HEAD
commit, so what is tested is what is committed), with a good definition, a bad one, one that only
warns and a YAML file that is not a cds_index file. pre-commit builds the hooks' environment once
(a virtualenv and `pip install` of this project: tens of seconds); both hooks share it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, TINY, mutate

pytestmark = pytest.mark.slow

OFFLINE = ("Could not find a version", "No matching distribution", "Failed to establish", "Temporary failure")


def _git(cwd: Path, *argv: str) -> str:
    done = subprocess.run(["git", *argv], cwd=cwd, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.fixture(scope="module")
def hook_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Run both hooks over the temporary repository once; their output, by hook id."""
    pytest.importorskip("pre_commit", reason="pre-commit is in the test extra: pip install -e '.[test]'")
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout (an sdist): pre-commit needs a commit of the hooks' repository")
    rev = _git(ROOT, "rev-parse", "HEAD")
    if "cds-index-check-strict" not in _git(ROOT, "show", f"{rev}:.pre-commit-hooks.yaml"):
        pytest.skip("the hooks are not committed yet")  # a local edit in progress

    repo = tmp_path_factory.mktemp("analysts")
    _git(repo, "init", "-q")
    (repo / "definitions").mkdir()
    (repo / "definitions" / "good.yaml").write_text(TINY, encoding="utf-8")
    (repo / "definitions" / "bad.yaml").write_text(
        mutate(TINY, ("          kind: yes_no", "          kind: yesno")), encoding="utf-8"
    )
    warned = TINY.replace(
        "inputs:\n", "inputs:\n  spare: {label: Không dùng, type: boolean}\n", 1
    )  # an input no criterion reads: a warning
    (repo / "definitions" / "warned.yaml").write_text(warned, encoding="utf-8")
    (repo / ".github").mkdir()
    (repo / ".github" / "ci.yml").write_text("on: [push]\njobs: {}\n", encoding="utf-8")
    (repo / ".pre-commit-config.yaml").write_text(
        "repos:\n"
        f"  - repo: {ROOT.as_posix()}\n"
        f"    rev: {rev}\n"
        "    hooks:\n"
        "      - {id: cds-index-check, name: check all}\n"
        "      - {id: cds-index-check, name: check clean, exclude: bad\\.yaml}\n"
        "      - {id: cds-index-check-strict, name: strict clean, exclude: bad\\.yaml}\n",
        encoding="utf-8",
    )
    _git(repo, "add", "-A")
    home = tmp_path_factory.mktemp("pre-commit-home")
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    env.pop("PYTHONPATH", None)  # the hooks run from their own environment, not this checkout
    done = subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files", "--verbose"],
        cwd=repo,
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    out = done.stdout + done.stderr
    log = home / "pre-commit.log"
    details = out + (log.read_text(encoding="utf-8", errors="replace") if log.exists() else "")
    if done.returncode not in (0, 1) and any(sign in details for sign in OFFLINE):
        pytest.skip("pre-commit could not build the hooks' environment offline (no package index)")
    assert done.returncode == 1, details  # bad.yaml fails `check all`
    sections: dict[str, str] = {}
    name = ""
    for line in out.splitlines():
        status = re.match(r"^(check all|check clean|strict clean)\.+(Passed|Failed)$", line)
        if status:
            name = status.group(1)
            sections[name] = status.group(2) + "\n"
        elif name:
            sections[name] += line + "\n"
    assert set(sections) == {"check all", "check clean", "strict clean"}, out
    return sections


def test_the_check_hook_fails_the_bad_definition_only(hook_run: dict[str, str]) -> None:
    out = hook_run["check all"]
    assert out.startswith("Failed")
    assert "OK   definitions/good.yaml" in out
    assert "OK   definitions/warned.yaml" in out  # a warning does not fail the plain hook
    assert "FAIL definitions/bad.yaml" in out
    assert "definitions/bad.yaml:" in out and "yesno" in out  # a positioned problem naming the typo
    assert "ci.yml" not in out  # not a cds_index file: skipped


def test_without_the_bad_file_the_check_hook_passes(hook_run: dict[str, str]) -> None:
    out = hook_run["check clean"]
    assert out.startswith("Passed")
    assert "OK   definitions/warned.yaml" in out and "unused-input" in out


def test_the_strict_hook_fails_on_a_warning(hook_run: dict[str, str]) -> None:
    out = hook_run["strict clean"]
    assert out.startswith("Failed")  # only warned.yaml can fail it: bad.yaml is excluded
    assert "unused-input" in out and "spare" in out
    assert "bad.yaml" not in out and "ci.yml" not in out
