"""Date-range decomposition: the pieces must cover exactly the days of the range."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from index.dateranges import DAY, MONTH, YEAR, clamp, decompose


def covered(pieces: list[tuple[str, str]]) -> set[date]:
    days: set[date] = set()
    for field, term in pieces:
        if field == DAY:
            days.add(date.fromisoformat(term))
        elif field == MONTH:
            d = date.fromisoformat(term + "-01")
            while d.strftime("%Y-%m") == term:
                days.add(d)
                d += timedelta(days=1)
        else:
            assert field == YEAR
            d = date(int(term), 1, 1)
            while d.year == int(term):
                days.add(d)
                d += timedelta(days=1)
    return days


def test_a_long_range_is_edges_months_and_years() -> None:
    pieces = decompose(date(2022, 12, 30), date(2025, 2, 2))
    assert pieces == [
        (DAY, "2022-12-30"),
        (DAY, "2022-12-31"),
        (YEAR, "2023"),
        (YEAR, "2024"),
        (MONTH, "2025-01"),
        (DAY, "2025-02-01"),
        (DAY, "2025-02-02"),
    ]


def test_leap_day_and_month_ends() -> None:
    assert decompose(date(2024, 2, 1), date(2024, 2, 29)) == [(MONTH, "2024-02")]
    assert decompose(date(2024, 2, 1), date(2024, 2, 28))[-1] == (DAY, "2024-02-28")
    assert decompose(date(2024, 3, 5), date(2024, 3, 4)) == []


@given(
    st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 12, 31)),
    st.integers(min_value=0, max_value=4000),
)
def test_pieces_cover_exactly_the_range_and_stay_few(start: date, length: int) -> None:
    end = start + timedelta(days=length)
    pieces = decompose(start, end)
    days = covered(pieces)
    assert days == {start + timedelta(days=i) for i in range(length + 1)}
    assert len(pieces) == len(set(pieces))
    years = end.year - start.year + 1
    assert len(pieces) <= 62 + 22 + years  # edge days, edge months, whole years


def test_clamp_closes_open_ranges_with_what_the_index_knows() -> None:
    first, last = date(2019, 1, 1), date(2026, 12, 31)
    assert clamp(None, None, first, last) == (first, last)
    assert clamp(date(2023, 5, 1), None, first, last) == (date(2023, 5, 1), last)
    assert clamp(None, date(2010, 1, 1), first, last) is None
    assert clamp(date(2023, 1, 1), None, None, None) is None
