"""A volunteer's open shifts and full ones to come: exactly those of the window, in order, each
read from its own partial index (so that a city's full weeks are not read to find no open shift)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from projections import roster
from projections.store import ReadModelStore, iso

ORIGIN = datetime(2026, 12, 8, tzinfo=timezone.utc)
a_shift = st.tuples(st.integers(min_value=-48, max_value=30 * 24), st.integers(min_value=1, max_value=10),
                    st.integers(min_value=0, max_value=10), st.booleans())  # start (hours), places, filled, cancelled


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(shifts=st.lists(a_shift, max_size=30), full=st.booleans())
def test_the_shifts_to_come_are_those_with_a_place_or_without(store: ReadModelStore, shifts, full) -> None:
    store.conn.execute("DELETE FROM shifts")
    rows = []
    for n, (start, capacity, filled, cancelled) in enumerate(shifts):
        starts = ORIGIN + timedelta(hours=start)
        rows.append({"shift_id": f"s{n:02d}", "unit_id": "u", "post": "desk", "starts_at": iso(starts),
                     "ends_at": iso(starts + timedelta(hours=4)), "day": starts.date().isoformat(),
                     "capacity": capacity, "filled": min(filled, capacity), "trainees": 0, "cancelled": int(cancelled),
                     "series_id": None, "requires": "[]", "revision": 0, "changed_at": iso(starts)})
    store.db["shifts"].insert_all(rows)
    window_to = ORIGIN + timedelta(days=21)
    expected = sorted((r["starts_at"], r["shift_id"]) for r in rows if ORIGIN.isoformat() <= r["starts_at"] < iso(window_to)
                      and not r["cancelled"] and (r["filled"] >= r["capacity"]) == full)

    found = list(roster.to_come(store.db, ORIGIN, window_to, full))
    assert sorted((s["starts_at"], s["id"]) for s in found) == expected  # shifts starting together: any order
    assert [s["starts_at"] for s in found] == sorted(s["starts_at"] for s in found)


def test_each_list_is_read_from_its_own_index(store: ReadModelStore) -> None:
    for full, index in ((False, "shifts_open"), (True, "shifts_full")):
        asked: list[str] = []
        store.conn.set_trace_callback(asked.append)  # the statement to_come itself sends
        list(roster.to_come(store.db, ORIGIN, ORIGIN + timedelta(days=21), full))
        store.conn.set_trace_callback(None)
        sql = next(s for s in asked if "FROM shifts" in s)
        plan = " ".join(row[3] for row in store.conn.execute(f"EXPLAIN QUERY PLAN {sql}"))
        assert f"USING INDEX {index}" in plan, plan
