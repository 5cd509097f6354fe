"""Star levels follow from certified hours alone: for all minutes and any rising thresholds."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.stars import SHANGHAI, checked_thresholds, stars

thresholds = st.lists(st.integers(1, 5000), min_size=1, max_size=8, unique=True).map(lambda hs: tuple(sorted(hs)))


@given(st.integers(0, 10_000 * 60), thresholds)
def test_a_level_counts_the_thresholds_reached_and_the_next_is_the_first_above(minutes: int, hours: tuple) -> None:
    level = stars(minutes, hours)
    assert level.level == sum(1 for h in hours if minutes >= h * 60)
    above = [h for h in hours if minutes < h * 60]
    assert level.next_hours == (above[0] if above else None)
    if level.hours_to_next is not None:
        assert 0 < level.hours_to_next <= above[0]


@given(st.integers(0, 10_000 * 60), st.integers(0, 600), thresholds)
def test_more_hours_never_lower_a_level(minutes: int, more: int, hours: tuple) -> None:
    assert stars(minutes + more, hours).level >= stars(minutes, hours).level


def test_shanghais_levels_by_default() -> None:
    assert [stars(h * 60).level for h in (99, 100, 299, 300, 600, 1000, 1499, 1500, 9999)] == [0, 1, 1, 2, 3, 4, 4, 5, 5]
    assert stars(250 * 60).hours_to_next == 50 and stars(1500 * 60).hours_to_next is None
    assert SHANGHAI == (100, 300, 600, 1000, 1500)


@pytest.mark.parametrize("bad", [(), (0, 10), (300, 100), (100, 100)])
def test_thresholds_must_rise_above_zero(bad: tuple) -> None:
    with pytest.raises(ValueError):
        checked_thresholds(bad)
