"""One resolver of definition references (#11 item 4, #13 item 5): every command, every file kind, the API."""

from __future__ import annotations

import ast
import json
import shutil
from pathlib import Path

import pytest

import cds_index
from cds_index.cli import main
from cds_index.errors import UsageError, close_match, did_you_mean
from cds_index.read.registry import resolve, resolve_id, searching

pytestmark = pytest.mark.usefixtures("english")  # reads the English words of messages (#12)

VERSIONS = Path(__file__).parent / "data" / "versions"
ID = "fictional-commune-index"
SRC = Path(__file__).resolve().parents[1] / "src" / "cds_index"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of one's own: the two versions of the fictional index, and nothing bundled."""
    where = tmp_path_factory.mktemp("defs")
    for path in VERSIONS.glob("*.yaml"):
        shutil.copy(path, where / path.name)
    return where


@pytest.mark.parametrize(
    ("ref", "total"),
    [(f"{ID}@2022-06-01", 30), (f"{ID}@2024-03-01", 37), (f"{ID}@2024", 37), (ID + "@2023-12-31", 30)],
)
def test_id_at_date_and_version_stem(folder: Path, ref: str, total: int) -> None:
    assert cds_index.load(ref, folder=folder).total == total
    with searching(folder):  # what --folder does for a whole command
        assert cds_index.load(ref).total == total


def test_the_environment_names_the_folder(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CDS_INDEX_FOLDER", str(folder))
    assert cds_index.load(f"{ID}@2022-06-01").total == 30
    monkeypatch.delenv("CDS_INDEX_FOLDER")
    with pytest.raises(UsageError) as missing:
        cds_index.load(ID)
    assert missing.value.code == "definition-not-found"


def test_a_date_given_twice_must_agree(folder: Path) -> None:
    assert cds_index.load(f"{ID}@2022-06-01", on="2022-06-01", folder=folder).total == 30
    with pytest.raises(UsageError, match="give the date once"):
        cds_index.load(f"{ID}@2022-06-01", on="2024-06-01", folder=folder)


def test_no_version_in_force(folder: Path) -> None:
    with pytest.raises(UsageError, match="in force on 2019-01-01") as e:
        cds_index.load(f"{ID}@2019-01-01", folder=folder)
    assert e.value.code == "definition-not-found"


def test_a_misspelt_id_gets_one_suggestion() -> None:
    with pytest.raises(UsageError) as e:
        cds_index.load("hai-duong-707-distrct")
    assert "did you mean 'hai-duong-707-district'?" in e.value.problems[0].message


def test_relative_to_the_referencing_file(folder: Path, tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    shutil.copy(VERSIONS / f"{ID}.yaml", tmp_path / "sub" / "d.yaml")
    beside = resolve("d.yaml", relative_to=tmp_path / "sub" / "overlay.yaml")
    assert beside == tmp_path / "sub" / "d.yaml"
    # an id is not a path beside the file, even when a file of that name is there
    (tmp_path / "sub" / ID).write_text("not a definition", encoding="utf-8")
    assert resolve(ID, folder=folder, relative_to=tmp_path / "sub" / "x.yaml").parent == folder


@pytest.mark.parametrize(
    "ref", ["../versions/fictional-commune-index", "/etc/passwd", f"../{ID}@2024", "x@../../etc/passwd", "*"]
)
def test_ids_only_never_reach_a_file(ref: str, folder: Path) -> None:
    with pytest.raises(UsageError) as e:
        resolve_id(ref, folder=folder)
    assert e.value.code == "definition-not-found"


def test_ids_only_accept_id_at_date(folder: Path) -> None:
    assert resolve_id(f"{ID}@2024-06-01", folder=folder).name == f"{ID}@2024.yaml"


@pytest.mark.parametrize(
    "argv",
    [
        ["show", "{ID}@2022-06-01", "--format", "json"],
        ["template", "{ID}@2022-06-01"],
        ["diff", "{ID}@2022-06-01", "{ID}@2024-06-01", "--format", "json"],
    ],
)
def test_every_command_takes_id_at_date_and_folder(
    argv: list[str], folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main([a.replace("{ID}", ID) for a in argv] + ["--folder", str(folder)])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert ID in out.out


def test_show_id_at_date_picks_that_version(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", f"{ID}@2022-06-01", "--format", "json", "--folder", str(folder)]) == 0
    assert json.loads(capsys.readouterr().out)["total"] == "30"
    assert main(["show", f"{ID}@2024-06-01", "--format", "json", "--folder", str(folder)]) == 0
    assert json.loads(capsys.readouterr().out)["total"] == "37"


def test_check_with_folder_checks_a_template_of_a_custom_definition(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "mau.yaml"
    assert main(["template", f"{ID}@2024-06-01", "--folder", str(folder), "-o", str(out)]) == 0
    capsys.readouterr()
    # the template names the version's file by its path, so it checks with or without --folder (#13)
    assert main(["check", str(out)]) == 0, capsys.readouterr().out
    assert main(["check", str(out), "--folder", str(folder)]) == 0, capsys.readouterr().out


@pytest.mark.usefixtures("english")
def test_a_missing_folder_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", ID, "--folder", "/no/such/folder"]) == 2
    assert "no such folder" in capsys.readouterr().err


def test_the_api_resolves_id_at_date_in_its_folder(folder: Path) -> None:
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from cds_index.server import create_app

    with TestClient(create_app(folder=folder)) as c:
        assert c.get(f"/definitions/{ID}@2022-06-01").json()["total"] == "30"
        assert c.get(f"/definitions/{ID}@2024").json()["total"] == "37"
        assert c.get("/definitions/hai-duong-707-district").status_code == 404  # not in the folder


@pytest.mark.parametrize(
    ("name", "known", "expected"),
    [
        ("staff_totl", ["staff_total", "population"], "staff_total"),
        ("label", ["label", "labels"], "labels"),  # never the name itself
        ("zzz", ["staff_total"], None),
    ],
)
def test_one_did_you_mean(name: str, known: list[str], expected: str | None) -> None:
    assert close_match(name, known) == expected
    assert did_you_mean(name, known) == (None if expected is None else f"did you mean {expected!r}?")


def test_difflib_is_used_in_one_place() -> None:
    users = [p.name for p in SRC.rglob("*.py") if "difflib" in p.read_text(encoding="utf-8")]
    assert users == ["errors.py"]


def _imports(path: Path) -> list[tuple[str, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        (node.module or "", alias.name)
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.level > 0
        for alias in node.names
    ]


def test_no_private_name_is_imported_across_modules() -> None:
    """`from .x import _y` couples a module to another's internals (#11): make the name public."""
    found = [
        f"{path.relative_to(SRC)}: from .{module} import {name}"
        for path in sorted(SRC.rglob("*.py"))
        for module, name in _imports(path)
        if name.startswith("_") and not name.startswith("__")
    ]
    assert found == []


def test_no_two_modules_import_each_other() -> None:
    """Data flows one way (#11): batch ↔ excel and checking ↔ overlay were cycles; none is left.
    Imports inside functions count; `if TYPE_CHECKING:` blocks (annotations only) do not."""
    graph: dict[str, set[str]] = {}
    for path in SRC.rglob("*.py"):
        parts = path.relative_to(SRC).with_suffix("").parts
        is_package = parts[-1] == "__init__"
        module = ".".join(parts[:-1] if is_package else parts)
        package = (
            module + "." if is_package and module else ".".join(parts[:-1]) + "." if len(parts) > 1 else ""
        )
        tree = ast.parse(path.read_text(encoding="utf-8"))
        typing_only = {
            id(inner)
            for node in ast.walk(tree)
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
            for inner in ast.walk(node)
        }
        deps: set[str] = set()
        for node in ast.walk(tree):
            if id(node) in typing_only or not isinstance(node, ast.ImportFrom) or node.level != 1:
                continue
            if node.module:
                deps.add(package + node.module)
            else:
                deps.update(package + alias.name for alias in node.names)
        graph[module] = deps
    mutual = sorted(
        {tuple(sorted((a, b))) for a, deps in graph.items() for b in deps if a in graph.get(b, set())}
    )
    assert mutual == []


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("ref", [f"{ID}@2022-06-01", f"{ID}@2023-12-31"])
def test_every_file_kind_names_a_version_by_date(folder: Path, tmp_path: Path, ref: str) -> None:
    """A scenario, a tests file and an inputs file name `id@date`; `check --folder` finds it (#13)."""
    from cds_index.check.checking import check_file

    scenario = _write(
        tmp_path / "kb.yaml",
        f"kind: scenario\nid: kb\ntitle: Thử\ndefinition: {ref}\n"
        "changes:\n  - {op: points, node: II.3, points: 2}\n",
    )
    tests = _write(
        tmp_path / "t.yaml",
        f"kind: tests\ndefinition: {ref}\ncases:\n"
        "  - name: có chuyên mục\n    values: {has_dx_section: true}\n    expect: {points: {I.1: 4}}\n",
    )
    inputs = _write(
        tmp_path / "xa.yaml",
        f"kind: inputs\ndefinition: {ref}\nunit: {{id: xa-a}}\nyear: 2022\nvalues: {{has_radio: true}}\n",
    )
    for path in (scenario, tests, inputs):
        with searching(folder):
            report = check_file(path)
        assert report.ok, [p.format() for p in report.problems]
        assert "30" in str(report.facts.get("total", "30"))
    assert main(["test", str(tests), "--folder", str(folder)]) == 0


def test_a_relative_definition_beside_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A scenario names `d.yaml`: the file beside it, wherever the command runs from."""
    from cds_index.check.checking import check_file

    (tmp_path / "defs").mkdir()
    shutil.copy(VERSIONS / f"{ID}.yaml", tmp_path / "defs" / "d.yaml")
    scenario = _write(
        tmp_path / "defs" / "kb.yaml",
        "kind: scenario\nid: kb\ntitle: Thử\ndefinition: d.yaml\n"
        "changes:\n  - {op: points, node: II.3, points: 2}\n",
    )
    monkeypatch.chdir(tmp_path)
    report = check_file(scenario)
    assert report.ok, [p.format() for p in report.problems]
    assert report.facts["definition"] == ID


def test_list_with_a_folder_lists_that_folder(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "--format", "json", "--folder", str(folder)]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(i["id"], i["effective_from"]) for i in listed] == [(ID, "2022-01-01"), (ID, "2024-01-01")]


@pytest.mark.parametrize(
    ("ref", "code", "words"),
    [
        ("a" * 5000, "definition-not-found", "..."),  # a name the system cannot hold: no OSError
        ("a" * 300 + ".yaml", "file-not-found", "..."),
        ("hai-duong-707-district@2024-02-30", "usage", "hai-duong-707-district@2024-01-01"),
        ("hai-duong-707-district@", "definition-not-found", "did you mean"),
        ("huyện-a\u0000", "definition-not-found", "known:"),
    ],
)
def test_hostile_references_are_problems(ref: str, code: str, words: str) -> None:
    from cds_index.errors import CdsIndexError

    with pytest.raises(CdsIndexError) as e:
        cds_index.load(ref)
    assert e.value.code == code
    message = e.value.problems[0].message
    assert words in message and len(message) < 600


def test_no_version_in_force_lists_the_periods(folder: Path) -> None:
    with pytest.raises(UsageError) as e:
        cds_index.load(f"{ID}@2019-01-01", folder=folder)
    assert "covers 2022-01-01–2023-12-31" in e.value.problems[0].message
