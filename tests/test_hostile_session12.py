"""Silent wrong results an outside tester of reading found in session 12 (#11): each value was read
otherwise than meant, or kept without a word; it is read as meant, or refused by name, now."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import cds_index
from cds_index.i18n import render
from cds_index.read.literals import read_date

DATE = "q1_meeting_date"  # a date input of hue-2263-commune


@pytest.fixture(scope="module")
def hue() -> cds_index.Definition:
    return cds_index.load("hue-2263-commune")


# --- a date with a time no day has -----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "20/06/2025 99:99",  # the previous session's finding
        "20/06/2025 24:00",
        "20/06/2025 23:60",
        "20/06/2025 23:59:60",
        "2025-06-20T25:00",
        "20/06/2025 14:30 PM",  # a 12-hour clock has no 14
        "20/06/2025 00:15 AM",
    ],
)
def test_a_date_with_an_impossible_time_is_refused_with_how_to_write_it(
    hue: cds_index.Definition, text: str
) -> None:
    """The time after a date was skipped unread: `20/06/2025 99:99` was 20 June, as if typed right.
    A slip in the time is perhaps one in the date too: refused, saying how to write it."""
    result = cds_index.score(hue, {DATE: text}, year=2025)
    (problem,) = [p for p in result.problems if p.location.path[-1:] == (DATE,)]
    assert problem.code == "input-type" and problem.severity == "error"
    vi, en = render(problem.message, "vi"), render(problem.message, "en")
    assert "không phải là một giờ trong ngày" in vi and "20/06/2025 14:30" in vi
    assert "is not a time of day" in en


@given(
    st.integers(0, 99),
    st.integers(0, 99),
    st.none() | st.integers(0, 99),
    st.sampled_from(["", " AM", " pm"]),
)
def test_a_time_after_a_date_is_read_only_when_a_day_has_it(
    hour: int, minute: int, second: int | None, half: str
) -> None:
    time = f"{hour:02d}:{minute:02d}" + ("" if second is None else f":{second:02d}") + half
    day, code, _ = read_date(f"20/06/2025 {time}")
    hours = range(1, 13) if half else range(24)
    possible = hour in hours and minute < 60 and (second or 0) < 60
    assert (day is not None, code) == ((True, None) if possible else (False, "input-type"))
    if possible:
        assert read_date(f"2025-06-20T{time}") == (day, None, None)
