"""YAML in, models out: exact scalars, positions, every error reported, and hostile documents refused."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from cds_index.errors import DefinitionError
from cds_index.formats.model import Definition
from cds_index.read.loader import Document, load_model, read_file, read_yaml, validate_model

from .conftest import TINY, column_of, line_of, mutate

D = Decimal


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # numbers with a fraction are exact Decimals, never binary floats
        ("0.1", D("0.1")),
        ("2.50", D("2.50")),
        ("1e3", D("1E+3")),
        ("12", 12),
        ("1_000", 1000),
        ("012", 12),  # decimal, as in a CSV cell (YAML 1.1's octal would make it 10)
        # dates, booleans and null
        ("2024-03-01", dt.date(2024, 3, 1)),
        ("2024-03-01 10:00:00", dt.datetime(2024, 3, 1, 10, 0)),
        ("true", True),
        ("false", False),
        ("~", None),
        # YAML 1.2: `yes`, `no`, `on`, `off` are text, not booleans (the Norway problem)
        ("yes", "yes"),
        ("no", "no"),
        ("NO", "NO"),
        ("off", "off"),
        # text stays text
        ("'12'", "12"),
        ("31.3", D("31.3")),
        ("'31.3'", "31.3"),
    ],
)
def test_scalars(text: str, value: object) -> None:
    doc, problems = read_yaml(f"v: {text}\n")
    assert problems == []
    assert doc.data["v"] == value
    assert type(doc.data["v"]) is type(value)


@pytest.mark.parametrize("text", [".inf", "-.inf", ".nan", ".NaN"])
def test_non_finite_numbers_are_refused(text: str) -> None:
    _, (problem,) = read_yaml(f"a: 1\nv: {text}\n", "x.yaml")
    assert (problem.code, problem.location.line, problem.location.column) == ("wrong-type", 2, 4)
    assert text in problem.message


def test_positions_of_values_and_keys() -> None:
    doc, _ = read_yaml("a:\n  b: [1, {c: 2}]\n  d: x\n")
    assert doc.positions[("a", "b")] == (2, 6)
    assert doc.positions[("a", "b", 1, "c")] == (2, 14)
    assert doc.key_positions[("a", "d")] == (3, 3)
    # a path with no position of its own points at its nearest ancestor
    assert doc.location(("a", "b", 1, "missing")).line == 2
    assert doc.location(("a", "d"), key=True).column == 3
    assert doc.location(("a", "d")).column == 6
    assert doc.location(("nowhere",)).line == 1


def test_node_path_names_the_tree_nodes() -> None:
    doc, _ = read_yaml(TINY)
    assert doc.node_path(("tree", 0, "children", 1, "rule", "per")) == ("A", "A.2")


def test_empty_document() -> None:
    doc, problems = read_yaml("# nothing here\n")
    assert (doc.data, problems) == (None, [])


def test_duplicate_keys_name_both_lines() -> None:
    text = "a: 1\nb:\n  c: 1\n  c: 2\n"
    _, (problem,) = read_yaml(text, "x.yaml")
    assert (problem.code, problem.location.line, problem.location.column) == ("yaml-duplicate-key", 4, 3)
    assert "'c'" in problem.message and "first at line 3" in problem.message


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("a: !!python/object/apply:os.system ['true']\n", "python/object/apply"),
        ("a: !custom 1\n", "!custom"),
        ("a: !!binary aGVsbG8=\n", "binary"),
        ("a: &x {b: 1}\nc:\n  <<: *x\n", "merge keys"),
    ],
)
def test_tags_construct_nothing(text: str, words: str) -> None:
    _, problems = read_yaml(text)
    assert [p.code for p in problems] == ["yaml-tag"]
    assert words in problems[0].message


def test_a_mapping_as_key_is_refused() -> None:
    _, (problem,) = read_yaml("? [a, b]\n: 1\n")
    assert (problem.code, problem.location.line) == ("wrong-type", 1)


def test_aliases_expand_within_limits() -> None:
    doc, problems = read_yaml("a: &x [1, 2]\nb: *x\n")
    assert problems == []
    assert doc.data["b"] == [1, 2]


def test_syntax_error_position_and_where_it_began() -> None:
    text = "a: 1\nb: {c: 2\nd: 3\n"
    _, (problem,) = read_yaml(text, "x.yaml")
    assert problem.code == "yaml-syntax"
    assert problem.location.line == 3
    assert "began at line 2" in problem.message


def test_an_unclosed_quote_points_where_it_began() -> None:
    text = "a: 1\nb: 'open\nc: 3\n"
    _, (problem,) = read_yaml(text, "x.yaml")
    assert (problem.code, problem.location.line, problem.location.column) == ("yaml-syntax", 2, 4)


def test_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("id: x\ntitle: Ch\u00e0o\n".encode("latin-1"))
    _, (problem,) = read_file(path)
    assert (problem.code, problem.location.file, problem.location.line) == ("file-encoding", str(path), 2)
    assert "0xe0" in problem.message and "Windows-1258" in problem.message and "UTF-8" in problem.message


def test_utf16_with_a_bom_is_read(tmp_path: Path) -> None:
    path = tmp_path / "utf16.yaml"
    path.write_bytes("title: Chỉ số\n".encode("utf-16"))
    doc, problems = read_file(path)
    assert problems == [] and doc.data == {"title": "Chỉ số"}


# --- validate_model: pydantic errors become positioned problems ---------------------------------


def test_every_error_is_reported_not_only_the_first() -> None:
    text = mutate(
        TINY,
        ("level: commune", "level: ward"),
        ("        points: 4\n", "        points: four\n"),
        ("    title: Nhận thức số\n", "    title: Nhận thức số\n    colour: red\n"),
        ("          per: staff\n", "          per: staff\n          target: 2\n"),
    )
    doc, _ = read_yaml(text, "x.yaml")
    model, problems = validate_model(Definition, doc)
    assert model is None
    found = sorted((p.code, p.location.line) for p in problems)
    assert found == sorted(
        [
            ("invalid-value", line_of(text, "level: ward")),
            ("wrong-type", line_of(text, "points: four")),
            ("unknown-key", line_of(text, "colour: red")),
            ("scale-mismatch", line_of(text, "target: 2")),  # a target above 1: a percent (#13)
        ]
    )
    # each with the path into the document and the tree nodes it concerns
    (colour,) = [p for p in problems if p.code == "unknown-key"]
    assert colour.location.path == ("tree", 0, "colour")
    assert colour.node == ("A",)
    assert colour.location.column == column_of(text, "colour")


def test_an_unknown_key_close_to_a_known_one_gets_a_hint() -> None:
    text = mutate(TINY, ("        points: 4\n", "        points: 4\n        dealine: 31.3\n"))
    doc, _ = read_yaml(text)
    _, (problem,) = validate_model(Definition, doc)
    assert problem.hint == "did you mean 'deadline'?"


def test_one_error_per_place_even_when_union_branches_all_fail() -> None:
    text = mutate(TINY, ("          input: has_plan\n", "          input: [has_plan]\n"))
    doc, _ = read_yaml(text)
    _, problems = validate_model(Definition, doc)
    assert [(p.code, p.location.line) for p in problems] == [
        ("wrong-type", line_of(text, "input: [has_plan]"))
    ]


def test_titles_are_stored_in_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Nhận thức số")
    text = mutate(TINY, ("    title: Nhận thức số\n", f"    title: {decomposed}\n"))
    doc, _ = read_yaml(text)
    model, _ = validate_model(Definition, doc)
    assert model is not None
    assert model.tree[0].title == unicodedata.normalize("NFC", "Nhận thức số")


def test_load_model_raises_with_every_problem(write: Callable[..., Path]) -> None:
    text = mutate(TINY, ("level: commune", "level: ward"), ("        points: 4\n", "        points: four\n"))
    with pytest.raises(DefinitionError) as raised:
        load_model(Definition, write(text))
    assert sorted(p.code for p in raised.value.problems) == ["invalid-value", "wrong-type"]
    assert str(raised.value).count("def.yaml:") == 2  # each on its own line, with its position


def test_load_model_from_a_document() -> None:
    doc, _ = read_yaml(TINY, "mem.yaml")
    model = load_model(Definition, doc)
    assert model.id == "tiny"
    assert model.total == 10
    assert isinstance(Document("x", None), Document)


@pytest.mark.parametrize(
    "text",
    [
        "a: !!python/object/apply:os.system ['true']\n",
        "a: !foo {x: 1}\n",
        "a: !!set {x, y}\n",
        "a: !!omap [x: 1]\n",
    ],
)
def test_tags_on_collections_are_refused_too(text: str) -> None:
    _, problems = read_yaml(text, "x.yaml")
    assert [(p.code, p.location.line, p.location.column) for p in problems] == [("yaml-tag", 1, 4)]
