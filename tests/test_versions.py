"""Several versions of one index side by side: `load(id, on=date)` picks the one in force."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

import cds_index
from cds_index.errors import UsageError
from cds_index.read.registry import resolve

VERSIONS = Path(__file__).parent / "data" / "versions"
ID = "fictional-commune-index"


@pytest.mark.parametrize(
    ("day", "decision", "total"),
    [
        # version 1: 2022-01-01 .. 2023-12-31 (both ends inclusive)
        (dt.date(2022, 1, 1), "1/QĐ-UBND", 30),
        (dt.date(2023, 12, 31), "1/QĐ-UBND", 30),
        # the amendment: from 2024-01-01, open-ended
        (dt.date(2024, 1, 1), "9/QĐ-UBND", 37),
        (dt.date(2030, 6, 15), "9/QĐ-UBND", 37),
    ],
)
def test_load_picks_the_version_in_force(day: dt.date, decision: str, total: int) -> None:
    definition = cds_index.load(ID, on=day, folder=VERSIONS)
    assert definition.decision.number == decision
    assert definition.total == total
    assert definition.effective.covers(day)


def test_no_version_in_force_before_the_first() -> None:
    with pytest.raises(UsageError) as caught:
        cds_index.load(ID, on=dt.date(2021, 12, 31), folder=VERSIONS)
    assert caught.value.code == "definition-not-found"
    assert "2021-12-31" in str(caught.value)


def test_without_a_date_the_version_in_force_today() -> None:
    # the amendment is open-ended, so it is the one in force today
    assert cds_index.load(ID, folder=VERSIONS).total == 37


def test_unknown_id_in_a_folder() -> None:
    with pytest.raises(UsageError) as caught:
        cds_index.load("no-such-index", folder=VERSIONS)
    assert caught.value.code == "definition-not-found"


def test_overlapping_versions_are_refused_not_guessed(tmp_path: Path) -> None:
    # two versions in force on the same day (an amendment that forgot to close the old one): no
    # version is picked for the days they share (#13: `check` reports it as version-overlap)
    for path in VERSIONS.glob("*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    old = tmp_path / f"{ID}.yaml"
    old.write_text(
        old.read_text(encoding="utf-8").replace("to: 2023-12-31", "to: 2025-12-31"), encoding="utf-8"
    )
    with pytest.raises(UsageError) as caught:
        resolve(ID, dt.date(2025, 6, 1), tmp_path)
    assert caught.value.code == "version-overlap"
    assert resolve(ID, dt.date(2023, 6, 1), tmp_path).name == f"{ID}.yaml"
    assert resolve(ID, dt.date(2026, 1, 1), tmp_path).name == f"{ID}@2024.yaml"


def test_versions_do_not_leak_into_the_bundled_definitions() -> None:
    # the fictional amendment lives in tests/data, never among the bundled definitions
    assert ID not in {info.id for info in cds_index.list_definitions()}
    with pytest.raises(UsageError):
        cds_index.load(ID)


def test_a_bundled_definition_loads_by_date() -> None:
    district = cds_index.load("hai-duong-707-district", on=dt.date(2024, 1, 1))
    assert district.effective.covers(dt.date(2024, 1, 1))
    with pytest.raises(UsageError):
        cds_index.load("hai-duong-707-district", on=dt.date(2020, 1, 1))
