"""Batch scoring: folders, CSV files and workbooks read the same, nothing is dropped, output streams."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import cds_index
from cds_index.analyse.ranking import keys, rank
from cds_index.cli import main
from cds_index.io.batch import (
    BatchRow,
    UnitFailure,
    column_letter,
    read_units,
    score_many,
    write_csv,
    write_json,
)
from cds_index.read.inputs import UnitInputs

from .synthetic import make_units, write_folder, write_workbook
from .synthetic import write_csv as write_units_csv

# The 707 district definition: three pillars and a declared final index (mean of pillar percentages).
DEFINITION = "hai-duong-707-district"
LABELLED = ("staff_total", "has_dx_section", "population")  # columns headed by the Vietnamese label
COUNT = 60  # units in each source (8 of them twins of others): ties, shared ranks, rows streamed


@pytest.fixture(scope="module")
def district() -> cds_index.Definition:
    return cds_index.load(DEFINITION)


@pytest.fixture(scope="module")
def units(district: cds_index.Definition) -> list[dict[str, Any]]:
    return make_units(district, COUNT, seed=707, twins=8)


@pytest.fixture(scope="module")
def sources(
    district: cds_index.Definition, units: list[dict[str, Any]], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("districts")
    return {
        "folder": write_folder(district, units, root / "yaml"),
        "csv": write_units_csv(district, units, root / "districts.csv", labels=LABELLED, delimiter=";"),
        "xlsx": write_workbook(district, units, root / "districts.xlsx", labels=LABELLED),
    }


@pytest.fixture(scope="module")
def scored(district: cds_index.Definition, sources: dict[str, Path]) -> dict[str, list[BatchRow]]:
    return {kind: list(score_many(district, [path])) for kind, path in sources.items()}


def test_every_source_reads_every_unit(
    scored: dict[str, list[BatchRow]], units: list[dict[str, Any]]
) -> None:
    for kind, rows in scored.items():
        assert len(rows) == COUNT, kind
        assert [r.problems for r in rows if not r.ok] == [], kind
        assert {r.unit_id for r in rows} == {u["id"] for u in units}, kind
        assert {r.unit_name for r in rows} == {u["name"] for u in units}, kind


def test_batch_scores_equal_scoring_each_unit_alone(
    district: cds_index.Definition, scored: dict[str, list[BatchRow]], units: list[dict[str, Any]]
) -> None:
    """The readers do not change a value: each unit scores as its raw values scored directly."""
    expected = {u["id"]: cds_index.score(district, u["values"]) for u in units[:25]}
    for kind, rows in scored.items():
        for row in rows:
            if row.unit_id in expected:
                assert row.result is not None
                assert row.result.points == expected[row.unit_id].points, (kind, row.unit_id)
                assert row.result.index == expected[row.unit_id].index, (kind, row.unit_id)
                got = [(c.id, c.points, c.status) for c in row.result.criteria()]
                assert got == [(c.id, c.points, c.status) for c in expected[row.unit_id].criteria()]


def test_folder_csv_and_workbook_rank_the_same(
    district: cds_index.Definition, scored: dict[str, list[BatchRow]], units: list[dict[str, Any]]
) -> None:
    assert "index" in keys(district)  # 707 districts are also ranked by the declared final index
    rankings = {}
    for kind, rows in scored.items():
        results = [r.result for r in rows if r.result is not None]
        rankings[kind] = {
            by: [(r.rank, r.unit_id, r.score) for r in rank(results, by)] for by in keys(district)
        }
    assert rankings["csv"] == rankings["folder"]
    assert rankings["xlsx"] == rankings["folder"]
    total = rankings["folder"]["total"]
    # competition ranking: a unit's rank is 1 + the number of units with a strictly better score
    for place, unit_id, score in total:
        assert place == 1 + sum(1 for _, _, other in total if other > score), unit_id
    # the twins (copies of earlier units' values) tie with their originals, on every key
    twins = {u["id"]: u["values"] for u in units[-8:]}
    for by, ranking in rankings["folder"].items():
        by_id = {unit_id: (place, score) for place, unit_id, score in ranking}
        for twin_id, values in twins.items():
            original = next(u["id"] for u in units[:-8] if u["values"] == values)
            assert by_id[twin_id] == by_id[original], (by, twin_id, original)
    shared = [place for place, _, _ in total]
    assert len(set(shared)) < len(shared)  # some ranks are shared …
    assert max(shared) == COUNT or shared.count(max(shared)) > 1  # … and ranks after a tie skip


class _Recorder(io.StringIO):
    """A stream that notes, at each write, how many units the reader had produced so far."""

    def __init__(self, produced: list[int]) -> None:
        super().__init__()
        self.produced = produced
        self.seen: list[tuple[int, int]] = []  # (lines written so far, units produced at that time)
        self.lines = 0

    def write(self, text: str) -> int:
        self.seen.append((self.lines, self.produced[0]))
        self.lines += text.count("\n")
        return super().write(text)


def _counting(
    units: Iterator[UnitInputs | UnitFailure], produced: list[int]
) -> Iterator[UnitInputs | UnitFailure]:
    for unit in units:
        produced[0] += 1
        yield unit


@pytest.mark.parametrize("writer", ["csv", "json"])
def test_writers_stream_row_by_row(
    district: cds_index.Definition, sources: dict[str, Path], writer: str
) -> None:
    """Each row is written before the next unit is read: nothing is gathered first."""
    produced = [0]
    stream = _Recorder(produced)
    rows = score_many(district, _counting(read_units(district, [sources["csv"]]), produced))
    if writer == "csv":
        count, failed = write_csv(district, rows, stream)
    else:
        count, failed = write_json(rows, stream)
    assert (count, failed) == (COUNT, 0)
    # at every write, at most one unit more than the rows already written had been read
    assert max(units - lines for lines, units in stream.seen) <= 1
    if writer == "json":
        data = json.loads(stream.getvalue())
        assert len(data) == COUNT and all(item["ok"] for item in data)


def test_a_bad_unit_gets_a_row_and_the_batch_goes_on(
    district: cds_index.Definition, units: list[dict[str, Any]], tmp_path: Path
) -> None:
    folder = write_folder(district, units[:3], tmp_path / "in")
    (folder / "broken.yaml").write_text("kind: inputs\nunit: {id: huyen-hong\n", encoding="utf-8")
    text = (folder / f"{units[1]['id']}.yaml").read_text(encoding="utf-8")
    (folder / f"{units[1]['id']}.yaml").write_text(
        text.replace("  staff_total: ", "  staff_total: nhiều # ", 1), encoding="utf-8"
    )
    (folder / "other.yaml").write_text(
        "kind: inputs\ndefinition: hue-2263-commune\nunit: {id: xa-khac, name: Xã khác}\nyear: 2024\n"
        "values: {}\n",
        encoding="utf-8",
    )
    rows = {r.unit_id: r for r in score_many(district, [folder])}
    assert set(rows) == {units[0]["id"], units[1]["id"], units[2]["id"], "<broken.yaml>", "xa-khac"}
    assert rows[units[0]["id"]].ok and rows[units[2]["id"]].ok
    bad = rows[units[1]["id"]]
    assert not bad.ok and bad.result is not None  # scored, the refused value's criteria invalid
    assert [p.code for p in bad.problems] == ["input-type"]
    assert "staff_total" in bad.problems[0].message and "'nhiều'" in bad.problems[0].message
    assert bad.problems[0].location.line is not None
    assert {c.status for c in bad.result.criteria() if "staff_total" in c.inputs} == {"invalid"}
    assert rows["<broken.yaml>"].result is None and rows["<broken.yaml>"].problems[0].code == "yaml-syntax"
    assert rows["xa-khac"].problems[0].code == "input-definition"


def test_cli_score_csv_names_every_unit_and_fails(
    district: cds_index.Definition,
    units: list[dict[str, Any]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    table = write_units_csv(district, units[:4], tmp_path / "in.csv")
    lines = table.read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(",")
    column = header.index("population")
    cells = lines[3].split(",")
    cells[column] = "-5"  # out of range (min 0)
    lines[3] = ",".join(cells)
    table.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    assert main(["score", DEFINITION, str(table), "--format", "csv", "-o", str(out)]) == 1
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel's UTF-8 mark (#9)
    rows = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert [r["unit_id"] for r in rows] == [u["id"] for u in units[:4]]
    assert [r["status"] for r in rows] == ["ok", "ok", "invalid", "ok"]
    # the cell as a spreadsheet names it: its column letter and line 4 of the file
    assert rows[2]["problems"].startswith(f"[input-range] {column_letter(column + 1)}4: population")
    err = capsys.readouterr().err
    assert "4 đơn vị đã đọc = 4 đã chấm + 0 bị từ chối; 1 có lỗi số liệu" in err
    assert "\r" not in err  # no progress bar when stderr is not a terminal


def test_cli_score_folder_json_and_table(
    district: cds_index.Definition,
    units: list[dict[str, Any]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = write_folder(district, units[:3], tmp_path / "in")
    assert main(["score", DEFINITION, str(folder), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [d["unit"]["id"] for d in data] == [u["id"] for u in units[:3]]
    expected = cds_index.score(district, units[0]["values"])
    assert data[0]["points"] == expected.to_dict()["points"]
    assert main(["score", DEFINITION, str(folder)]) == 0
    out = capsys.readouterr().out
    assert all(u["id"] in out for u in units[:3])


def test_duplicate_unit_ids_are_flagged(
    district: cds_index.Definition, units: list[dict[str, Any]], tmp_path: Path
) -> None:
    twice = [units[0], {**units[1], "id": units[0]["id"]}]
    table = write_units_csv(district, twice, tmp_path / "twice.csv")
    rows = list(score_many(district, [table]))
    assert [r.ok for r in rows] == [True, False]
    assert "appears twice" in rows[1].problems[-1].message


def test_decimal_comma_and_semicolons(district: cds_index.Definition, tmp_path: Path) -> None:
    """A CSV saved by a Vietnamese Excel: `;` between cells, `0,5` for a half, a BOM."""
    percent = next(n for n, s in district.inputs.items() if s.unit == "percent" and s.type == "number")
    path = tmp_path / "vn.csv"
    path.write_text(f"Mã đơn vị;Tên đơn vị;{percent}\nh1;Huyện 1;87,5\n", encoding="utf-8-sig")
    (unit,) = list(read_units(district, [path]))
    assert isinstance(unit, UnitInputs) and not unit.problems
    assert str(unit.values[percent].value) == "87.5"
    assert (unit.unit_id, unit.unit_name) == ("h1", "Huyện 1")


def test_targets_definitions_are_refused() -> None:
    with pytest.raises(cds_index.UsageError):
        list(score_many(cds_index.load("thanh-hoa-1829-commune"), []))


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_on_a_terminal_only(
    district: cds_index.Definition,
    units: list[dict[str, Any]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    table = write_units_csv(district, units[:3], tmp_path / "in.csv")
    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    assert (
        main(
            [
                "score",
                DEFINITION,
                str(table),
                "--format",
                "csv",
                "-o",
                str(tmp_path / "o.csv"),
                "--lang",
                "en",
            ]
        )
        == 0
    )
    shown = terminal.getvalue()
    # drawn with the total (rich's bar, or the plain line without rich), then cleared (#14)
    assert ("0/3" in shown or "1/3 units" in shown) and shown.count("\r") >= 2
    assert "3 units read = 3 scored + 0 refused" in shown
