"""Engine fast paths from issue 6 (measured in benchmarks/): they must not change any answer."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cds_index.formats import units


@pytest.mark.parametrize("name", sorted(units._KNOWN))
def test_known_unit_matches_pint(name: str) -> None:
    ureg = units.registry()
    quantity = ureg.Quantity(1, ureg.parse_units(name)).to_base_units()
    expected = (str(quantity.dimensionality), quantity.magnitude)
    got = units._KNOWN[name]
    assert got == expected
    assert type(got[1]) is type(expected[1])  # 0.01 stays the float pint gives (rules turn it via str)


def test_other_spellings_still_go_to_pint() -> None:
    assert units.parse("persons") == ("[person]", 1)
    assert units.parse("dossier/dossier") == ("dimensionless", 1)
    assert isinstance(units.parse("Person"), str)


def test_checking_the_bundled_definitions_does_not_import_pint() -> None:
    code = (
        "import sys; from cds_index.cli import main; "
        "code = main(['check', 'definitions']); "
        "print('pint' in sys.modules, code)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[1],
    ).stdout
    assert out.strip().splitlines()[-1] == "False 0"


def test_folded_scalars_have_no_fold_marks() -> None:
    # the round-trip scanner used to leave a BEL (\x07) at every fold of a `>-` scalar
    from cds_index.read.loader import read_yaml

    doc, problems = read_yaml("a: >-\n  one\n  two\n\n  three\n")
    assert problems == [] and doc.data == {"a": "one two\nthree"}
