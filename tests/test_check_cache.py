"""`check_file` and `load` parse a file once per process while it is unchanged, and again once it
changes (#11)."""

from __future__ import annotations

import os
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from cds_index.check.checking import check_file
from cds_index.read import loader, registry

from .conftest import TINY, mutate


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files parsed (by any reader: `load`, `check`), in order."""
    seen: list[str] = []
    real = loader.read_yaml

    def counted(text: str, file: str | None = None) -> Any:
        seen.append(Path(file or "").name)
        return real(text, file)

    monkeypatch.setattr(loader, "read_yaml", counted)
    return seen


def test_an_unchanged_file_is_parsed_once(write: Callable[..., Path], reads: list[str]) -> None:
    path = write(TINY, "once.yaml")
    first, second = check_file(path), check_file(path)
    assert reads == ["once.yaml"]
    assert first.ok and second.ok and first.to_dict() == second.to_dict()


def test_an_edited_file_is_parsed_again(write: Callable[..., Path], reads: list[str]) -> None:
    path = write(TINY, "edited.yaml")
    assert check_file(path).ok
    # the same size and the same modification time, another inode: still read again
    typo = mutate(TINY, ("kind: yes_no", "kind: yesno"))
    assert len(typo) != len(TINY)
    same_size = mutate(TINY, ("total: 10", "total: 11"))
    stat = path.stat()
    fresh = path.with_name("fresh.yaml")
    fresh.write_text(same_size, encoding="utf-8")
    os.utime(fresh, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    fresh.replace(path)
    assert path.stat().st_size == stat.st_size and path.stat().st_mtime_ns == stat.st_mtime_ns
    assert "total-mismatch" in {p.code for p in check_file(path).problems}
    path.write_text(typo, encoding="utf-8")  # another size
    assert not check_file(path).ok
    assert reads == ["edited.yaml"] * 3


def test_a_file_that_could_not_be_read_is_tried_again(write: Callable[..., Path], reads: list[str]) -> None:
    path = write("kind: [definition\n", "broken.yaml")
    assert not check_file(path).ok and not check_file(path).ok
    assert reads == ["broken.yaml"] * 2


def test_the_documents_kept_are_bounded(write: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "_PARSED", {})
    monkeypatch.setattr(registry, "_PARSED_BYTES", 3 * len(TINY.encode()))
    for n in range(10):
        check_file(write(TINY, f"many-{n}.yaml"))
        assert sum(key[2] for key in registry._PARSED) <= registry._PARSED_BYTES
    assert registry._PARSED


def test_a_file_loaded_then_checked_is_parsed_once(write: Callable[..., Path], reads: list[str]) -> None:
    """`load` and `check` share one parse: a server that loads its definitions and then checks them,
    a test run that loads a definition and checks its folder, parse each file once."""
    from cds_index.read.registry import load_file

    path = write(TINY, "loaded.yaml")
    assert load_file(path).id == "tiny"
    assert check_file(path).ok
    assert load_file(path).id == "tiny"
    assert reads == ["loaded.yaml"]


def test_a_file_rewritten_in_place_within_a_tick_is_read_again(
    write: Callable[..., Path], reads: list[str]
) -> None:
    """The same inode, the same size and the same modification time (a coarse clock's tick, or a tool
    that keeps times: `rsync -t --inplace`, `cp -p`): a file changed less than two seconds ago is known
    by its bytes too, so the new text is read, not the old one's rules (#11)."""
    from cds_index.read.registry import load_file

    path = write(TINY, "in-place.yaml")
    assert load_file(path).total == Decimal(10)
    stat = path.stat()
    same_size = mutate(TINY, ("points: 4\n", "points: 3\n"), ("points: 6\n", "points: 7\n"))
    assert len(same_size) == len(TINY)
    with path.open("r+", encoding="utf-8") as handle:  # in place: the same inode
        handle.write(same_size)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert (path.stat().st_ino, path.stat().st_size, path.stat().st_mtime_ns) == (
        stat.st_ino,
        stat.st_size,
        stat.st_mtime_ns,
    )
    assert [c.points for c in load_file(path).criteria()] == [Decimal(3), Decimal(7)]
    assert reads == ["in-place.yaml"] * 2
