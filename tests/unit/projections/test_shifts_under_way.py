"""The queries that ask which shifts are under way bound a shift's start on both sides (so that
ten years of history are not read for today's desk): they must still find exactly the shifts
that overlap the window, the longest shift the domain allows included."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain import bounds
from projections import roster
from projections.store import ReadModelStore, iso

ORIGIN = datetime(2026, 12, 7, tzinfo=timezone.utc)
minutes = st.integers(min_value=-3 * 24 * 60, max_value=3 * 24 * 60)
shift = st.tuples(minutes, st.integers(min_value=1, max_value=bounds.DAY_MINUTES))  # start, length


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(shifts=st.lists(shift, max_size=25), first=minutes, length=st.integers(min_value=1, max_value=2 * 24 * 60))
def test_a_window_finds_every_shift_it_overlaps_and_no_other(store: ReadModelStore, shifts, first, length) -> None:
    store.conn.execute("DELETE FROM shifts")
    rows = []
    for n, (start, duration) in enumerate(shifts):
        starts = ORIGIN + timedelta(minutes=start)
        ends = starts + timedelta(minutes=duration)
        rows.append({"shift_id": f"s{n}", "unit_id": "u", "post": "desk", "starts_at": iso(starts), "ends_at": iso(ends),
                     "day": starts.date().isoformat(), "capacity": 2, "filled": 0, "trainees": 0, "cancelled": 0,
                     "series_id": None, "requires": "[]", "revision": 0, "changed_at": iso(starts)})
    store.db["shifts"].insert_all(rows)
    window_from, window_to = ORIGIN + timedelta(minutes=first), ORIGIN + timedelta(minutes=first + length)
    overlapping = {r["shift_id"] for r in rows if r["starts_at"] < iso(window_to) and r["ends_at"] > iso(window_from)}

    assert {r["shift_id"] for r in roster.calendar_of_unit(store.db, "u", window_from, window_to)} == overlapping
    assert set(roster.on_the_day(store.db, window_from, window_to)[0]) == overlapping
