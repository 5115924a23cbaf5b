"""A definition's own prose in the reader's language: the `definitions` catalogue (#12)."""

from __future__ import annotations

import functools
import json
import pickle
from pathlib import Path
from typing import Any

import pytest

from cds_index import i18n
from cds_index.formats.model import Definition
from cds_index.formats.prose import entries, file_model, main, prose_of, translated
from cds_index.i18n import Prose, render

from .conftest import DEFINITIONS, TINY, definition_from_text


def tiny(text: str = TINY) -> Definition:
    definition, problems = definition_from_text(text)
    assert definition is not None, problems
    return definition


BUNDLED = sorted(DEFINITIONS.rglob("*.yaml"))


@functools.cache
def bundled_prose(path: Path) -> tuple[tuple[tuple[str | int, ...], Prose], ...]:
    """The prose of a bundled file, read and validated once per test process (the files do not change
    during a run; a test that edits prose works on its own copy)."""
    return tuple(prose_of(file_model(path)))


@functools.cache
def vietnamese() -> frozenset[str]:
    """The msgids the bundled Vietnamese `definitions` catalogue translates, read once."""
    return frozenset(translated("vi"))


@pytest.fixture
def catalogue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A locale folder of our own with a `definitions` catalogue translating one text."""
    folder = tmp_path / "vi" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    for domain in ("cds_index",):  # the code's messages, as installed
        (folder / f"{domain}.po").write_bytes(i18n.catalogue_path("vi").read_bytes())
    (folder / "definitions.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
        'msgid "“Có …” is scored yes/no."\nmsgstr "“Có …” được chấm có/không."\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(i18n, "LOCALE_DIR", str(tmp_path))
    monkeypatch.setattr(i18n, "_TRANSLATIONS", {})
    return folder


def test_prose_is_shown_in_the_readers_language(catalogue: Path) -> None:
    definition = tiny()
    assumed = definition.tree[0].children[0].rule.assumed  # type: ignore[index,union-attr]
    assert isinstance(assumed, Prose)
    assert render(assumed, "vi") == "“Có …” được chấm có/không."
    assert render(assumed, "en") == "“Có …” is scored yes/no."
    # a parameter of a message is rendered alike
    assert render(i18n.T("assumed: {reading}", reading=assumed), "vi").endswith("được chấm có/không.")
    # a text with no entry (a province's own words, in Vietnamese) is shown as written in both
    other = definition.tree[0].children[1].rule.assumed  # type: ignore[index,union-attr]
    assert render(other, "vi") == render(other, "en") == str(other)
    own = Prose("Giả định của tỉnh: chấm theo tỷ lệ.")
    assert render(own, "vi") == render(own, "en") == str(own)


def test_the_decisions_words_are_never_looked_up(catalogue: Path) -> None:
    definition = tiny(TINY.replace("title: Có kế hoạch chuyển đổi số", "title: “Có …” is scored yes/no."))
    title = definition.tree[0].children[0].title
    assert not isinstance(title, Prose)
    assert render(title, "vi") == "“Có …” is scored yes/no."


def test_a_language_without_a_prose_catalogue_shows_it_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "vi" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "cds_index.po").write_bytes(i18n.catalogue_path("vi").read_bytes())
    monkeypatch.setattr(i18n, "LOCALE_DIR", str(tmp_path))
    monkeypatch.setattr(i18n, "_TRANSLATIONS", {})
    assert render(Prose("The decision is silent."), "vi") == "The decision is silent."


def test_prose_travels_as_itself_and_is_written_as_text() -> None:
    definition = tiny()
    assumed = definition.tree[0].children[0].rule.assumed  # type: ignore[index,union-attr]
    again = pickle.loads(pickle.dumps(assumed))
    assert type(again) is Prose and again == assumed
    dumped = definition.model_dump()["tree"][0]["children"][0]["rule"]["assumed"]
    assert type(dumped) is str and dumped == assumed
    assert json.loads(definition.model_dump_json())["tree"][0]["children"][0]["rule"]["assumed"] == assumed


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_every_bundled_text_has_a_vietnamese_translation(path: Path) -> None:
    """A text edited since its translation (or a new one) is listed here: extract it, translate it."""
    done = vietnamese()
    missing = [
        f"{'.'.join(map(str, where))}: {text[:60]}" for where, text in bundled_prose(path) if text not in done
    ]
    assert not missing, f"{len(missing)} untranslated (python -m cds_index.formats.prose {path})"


def test_every_entry_of_the_catalogue_is_a_bundled_text() -> None:
    """No stale entry: a msgid whose English was edited away is removed with it."""
    texts = {str(t) for path in BUNDLED for _, t in bundled_prose(path)}
    assert vietnamese() <= texts


def test_show_assumptions_in_vietnamese_reads_the_translation(capsys: pytest.CaptureFixture[str]) -> None:
    from cds_index.cli import main as cli

    path = DEFINITIONS / "hue-2263-commune.yaml"
    done = vietnamese()
    shown = [t for where, t in bundled_prose(path) if t in done and where[-1] == "assumed"]
    if not shown:
        pytest.skip("no assumption of this definition is translated yet")
    assert cli(["show", str(path), "--assumptions", "--lang", "vi"]) == 0
    out = capsys.readouterr().out
    assert render(shown[0], "vi") in out and str(shown[0]) not in out
    assert cli(["show", str(path), "--assumptions", "--lang", "en"]) == 0
    assert str(shown[0]) in capsys.readouterr().out


def test_the_extractor_writes_entries_a_catalogue_reads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from babel.messages.pofile import read_po

    path = DEFINITIONS / "thanh-hoa-1829-commune.yaml"
    po = tmp_path / "new.po"
    po.write_text(entries(path), encoding="utf-8")
    with po.open("rb") as handle:
        ids = [str(m.id) for m in read_po(handle) if m.id]
    assert ids == list(dict.fromkeys(str(t) for _, t in bundled_prose(path)))
    assert main([str(path), "--all"]) == 0
    assert capsys.readouterr().out.count("\nmsgid ") + 1 >= len(ids)


def test_the_extractor_reads_each_file_once(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`main` over two files validates each once, and leaves out of the second what the first wrote."""
    from cds_index.formats import prose

    read: list[Path] = []

    def counted(path: Any) -> Any:
        read.append(Path(path))
        return file_model(path)

    monkeypatch.setattr(prose, "file_model", counted)
    first, second = DEFINITIONS / "hai-duong-707-district.yaml", DEFINITIONS / "hai-duong-707-department.yaml"
    assert main([str(first), str(second), "--all"]) == 0
    assert read == [first, second]
    out = capsys.readouterr().out
    ids = [line for line in out.splitlines() if line.startswith("msgid ")]
    assert len(ids) == len(set(ids))  # a text of both files is written once, under the first
    assert len(ids) == len({str(t) for path in (first, second) for _, t in bundled_prose(path)})
