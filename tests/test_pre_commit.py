"""The pre-commit hooks of .pre-commit-hooks.yaml (#14), run as pre-commit runs them.

The manifest is read by pre-commit's own reader (its schema and defaults); each hook's files are chosen
from a small analysts' repository as pre-commit chooses them (``files``, ``exclude``, ``types`` by the
`identify` tags pre-commit uses), and its ``entry`` is run through the console script it names (the
``[project.scripts]`` entry point, in this process) with those file names appended. The repository
holds a good definition, a bad one, one that only warns and a YAML file that is not a cds_index file.

One end-to-end run of ``pre-commit run`` over the same repository checks what is left: that pre-commit
accepts the hooks, passes the files and reports each hook's status. Its hooks are the manifest's, run
as ``python -m cds_index`` from this environment: building the hooks' own virtualenv (``pip install``
of this project, tens of seconds) would test pip, not the hooks; the wheel is tested in
test_packaging.py and the entry points in test_cli_package.py.
"""

from __future__ import annotations

import importlib
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from .conftest import ROOT, TINY, mutate

MANIFEST = ROOT / ".pre-commit-hooks.yaml"
FILES = ("definitions/bad.yaml", "definitions/good.yaml", "definitions/warned.yaml", ".github/ci.yml")


@pytest.fixture(scope="module")
def hooks() -> dict[str, dict[str, Any]]:
    """The manifest's hooks by id, as pre-commit reads them (validated, defaults filled in)."""
    clientlib = pytest.importorskip(
        "pre_commit.clientlib", reason="pre-commit is in the test extra: pip install -e '.[test]'"
    )
    return {hook["id"]: hook for hook in clientlib.load_manifest(str(MANIFEST))}


def _analysts(repo: Path) -> Path:
    """The analysts' repository: a good, a bad and a warned definition, and a CI workflow."""
    for name in FILES:
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
    (repo / "definitions" / "good.yaml").write_text(TINY, encoding="utf-8")
    (repo / "definitions" / "bad.yaml").write_text(
        mutate(TINY, ("          kind: yes_no", "          kind: yesno")), encoding="utf-8"
    )
    warned = TINY.replace(
        "inputs:\n", "inputs:\n  spare: {label: Không dùng, type: boolean}\n", 1
    )  # an input no criterion reads: a warning
    (repo / "definitions" / "warned.yaml").write_text(warned, encoding="utf-8")
    (repo / ".github" / "ci.yml").write_text("on: [push]\njobs: {}\n", encoding="utf-8")
    return repo


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _analysts(tmp_path_factory.mktemp("analysts"))


def _chosen(hook: dict[str, Any], repo: Path, exclude: str = "^$") -> list[str]:
    """The files pre-commit passes to ``hook`` (``exclude`` as a user's config adds it)."""
    from identify.identify import tags_from_path

    chosen = []
    for name in FILES:
        tags = tags_from_path(str(repo / name))
        if not re.search(hook["files"], name) or re.search(hook["exclude"], name) or re.search(exclude, name):
            continue
        typed = set(hook["types"]) <= tags and (not hook["types_or"] or set(hook["types_or"]) & tags)
        if typed and not set(hook["exclude_types"]) & tags:
            chosen.append(name)
    return chosen


def _script(name: str) -> Callable[[list[str]], int]:
    """The function behind this project's console script ``name`` (``[project.scripts]``)."""
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    module, _, attribute = scripts[name].partition(":")
    function: Callable[[list[str]], int] = getattr(importlib.import_module(module), attribute)
    return function


@pytest.fixture
def run(
    hooks: dict[str, dict[str, Any]],
    repo: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Callable[..., tuple[int, str]]:
    """Run a hook as pre-commit would, from the repository's root: ``(exit code, output)``."""

    def _run(hook_id: str, exclude: str = "^$") -> tuple[int, str]:
        hook = hooks[hook_id]
        program, *arguments = shlex.split(hook["entry"])
        files = _chosen(hook, repo, exclude)
        assert hook["pass_filenames"] and files
        monkeypatch.chdir(repo)
        monkeypatch.setenv("CDS_INDEX_LANG", "en")
        code = _script(program)([*arguments, *hook["args"], *files])
        captured = capsys.readouterr()
        return code, captured.out + captured.err

    return _run


def test_the_manifest_runs_the_projects_command_on_yaml_files(hooks: dict[str, dict[str, Any]]) -> None:
    assert set(hooks) == {"cds-index-check", "cds-index-check-strict"}
    for hook in hooks.values():
        assert hook["language"] == "python"  # pre-commit installs this project and runs its script
        assert shlex.split(hook["entry"])[:2] == ["cds-index", "check"]
        assert "yaml" in hook["types"]
    assert "--strict" in shlex.split(hooks["cds-index-check-strict"]["entry"])
    assert "--strict" not in shlex.split(hooks["cds-index-check"]["entry"])


def test_the_hooks_are_given_every_yaml_file(hooks: dict[str, dict[str, Any]], repo: Path) -> None:
    for hook in hooks.values():
        assert _chosen(hook, repo) == list(FILES)  # ci.yml too: the command itself skips it


def test_the_check_hook_fails_the_bad_definition_only(run: Callable[..., tuple[int, str]]) -> None:
    code, out = run("cds-index-check")
    assert code == 1
    assert "OK   definitions/good.yaml" in out
    assert "OK   definitions/warned.yaml" in out  # a warning does not fail the plain hook
    assert "FAIL definitions/bad.yaml" in out
    assert "definitions/bad.yaml:" in out and "yesno" in out  # a positioned problem naming the typo
    assert "ci.yml" not in out  # not a cds_index file: skipped


def test_without_the_bad_file_the_check_hook_passes(run: Callable[..., tuple[int, str]]) -> None:
    code, out = run("cds-index-check", exclude=r"bad\.yaml")
    assert code == 0
    assert "OK   definitions/warned.yaml" in out and "unused-input" in out


def test_the_strict_hook_fails_on_a_warning(run: Callable[..., tuple[int, str]]) -> None:
    code, out = run("cds-index-check-strict", exclude=r"bad\.yaml")
    assert code == 1  # only warned.yaml can fail it: bad.yaml is excluded
    assert "unused-input" in out and "spare" in out
    assert "bad.yaml" not in out and "ci.yml" not in out


def _git(cwd: Path, *argv: str) -> str:
    done = subprocess.run(["git", *argv], cwd=cwd, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.slow
def test_pre_commit_runs_the_hooks(hooks: dict[str, dict[str, Any]], tmp_path: Path) -> None:
    """``pre-commit run --all-files`` with the manifest's hooks: each hook's status and files."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = _analysts(tmp_path / "analysts")

    def local(hook_id: str, name: str, exclude: str = "^$") -> str:
        hook = hooks[hook_id]
        program, *arguments = shlex.split(hook["entry"])
        assert program == "cds-index"  # the console script is `python -m cds_index` (test_cli_package)
        entry = shlex.join([sys.executable, "-m", "cds_index", *arguments])
        fields = {
            "id": hook_id,
            "name": name,
            "entry": entry,
            "language": "unsupported",
            "files": hook["files"],
            "types": hook["types"],
            "exclude": exclude,
        }
        return "      - {" + ", ".join(f"{k}: {_yaml_scalar(v)}" for k, v in fields.items()) + "}\n"

    (repo / ".pre-commit-config.yaml").write_text(
        "repos:\n  - repo: local\n    hooks:\n"
        + local("cds-index-check", "check all")
        + local("cds-index-check", "check clean", r"bad\.yaml")
        + local("cds-index-check-strict", "strict clean", r"bad\.yaml"),
        encoding="utf-8",
    )
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    home = tmp_path / "pre-commit-home"
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never", "CDS_INDEX_LANG": "en"}
    done = subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files", "--verbose"],
        cwd=repo,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    out = done.stdout + done.stderr
    assert done.returncode == 1, out  # bad.yaml fails `check all`
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
    assert sections["check all"].startswith("Failed") and "FAIL definitions/bad.yaml" in sections["check all"]
    assert "OK   definitions/good.yaml" in sections["check all"] and "ci.yml" not in sections["check all"]
    assert sections["check clean"].startswith("Passed")
    assert sections["strict clean"].startswith("Failed") and "spare" in sections["strict clean"]


def _yaml_scalar(value: Any) -> str:
    """A value for a YAML flow mapping: lists as flow sequences, text single-quoted."""
    if isinstance(value, list):
        return "[" + ", ".join(_yaml_scalar(v) for v in value) + "]"
    return "'" + str(value).replace("'", "''") + "'"
