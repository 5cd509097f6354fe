"""Waitlists, given/when/then: a full shift takes waitlist sign-ups in order; a freed place (a
withdrawal, more places) goes to the first still eligible in the same save, who is told; exactly
once under races, on the SQLite file and on PostgreSQL."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta
from pathlib import Path
from uuid import UUID

import pytest

from domain import errors
from domain.application import CareLedger
from domain.clock import FixedClock
from domain.notices import notice_id
from tests.conftest import postgres_schema
from tests.scenario import COORDINATOR, Hospital


def test_a_full_shift_takes_a_waitlist_and_a_withdrawal_promotes_the_first_in_line(ledger: CareLedger) -> None:
    hospital = Hospital(ledger)
    shift = hospital.shift(capacity=1)
    first, second, third = (hospital.volunteer(n) for n in ("Li Wei", "Wang Fang", "Zhao Min"))
    with pytest.raises(errors.PlacesFree):
        ledger.join_waitlist(shift, second, COORDINATOR)  # a free place: sign up instead
    ledger.sign_up(shift, first, COORDINATOR)
    assert ledger.join_waitlist(shift, second, COORDINATOR).value == 1
    assert ledger.join_waitlist(shift, third, COORDINATOR).value == 2
    assert ledger.join_waitlist(shift, second, COORDINATOR).value == 1  # again: the same place, nothing new
    with pytest.raises(errors.AlreadySignedUp):
        ledger.join_waitlist(shift, first, COORDINATOR)
    ledger.withdraw(shift, first, COORDINATOR)
    now = ledger.get_shift(shift)
    assert now.seat_of(second).state == "signed_up" and now.waitlist == [third]
    assert shift in ledger.get_volunteer(second).bookings
    told = ledger.get_notice(notice_id(f"waitlist_promoted:{shift}:{now.version}:{second}"))
    assert told.kind == "waitlist_promoted"
    events = hospital.events_of(shift)
    assert events[-3:] == ["Withdrawn", "Promoted", "SignedUp"]  # one save


def test_the_first_who_is_no_longer_eligible_keeps_their_place_and_the_next_is_promoted(ledger: CareLedger) -> None:
    hospital = Hospital(ledger)
    shift = hospital.shift(capacity=1)
    holder, busy, free = (hospital.volunteer(n) for n in ("Li Wei", "Wang Fang", "Zhao Min"))
    ledger.sign_up(shift, holder, COORDINATOR)
    ledger.join_waitlist(shift, busy, COORDINATOR)
    ledger.join_waitlist(shift, free, COORDINATOR)
    clashing = hospital.shift(starts=ledger.get_shift(shift).starts_at + timedelta(hours=1), hours=2, capacity=3)
    ledger.sign_up(clashing, busy, COORDINATOR)  # now booked at that time
    ledger.reschedule_shift(shift, ledger.get_shift(shift).starts_at, ledger.get_shift(shift).ends_at, 2, COORDINATOR)
    now = ledger.get_shift(shift)
    assert now.seat_of(free).state == "signed_up" and now.waitlist == [busy]
    ledger.leave_waitlist(shift, busy, COORDINATOR)
    assert ledger.get_shift(shift).waitlist == []


def race_for_a_freed_place(env: dict[str, str], clock: FixedClock) -> None:
    """Two holders withdraw at once from a full shift of 2 with 3 waiting: exactly two promoted, in order."""
    setup = CareLedger(env=env, clock=clock)
    hospital = Hospital(setup)
    shift = hospital.shift(capacity=2)
    holders = [hospital.volunteer(f"Holder {i}") for i in range(2)]
    waiting = [hospital.volunteer(f"Waiting {i}") for i in range(3)]
    for v in holders:
        setup.sign_up(shift, v, COORDINATOR)
    for v in waiting:
        setup.join_waitlist(shift, v, COORDINATOR)
    apps = [CareLedger(env=env, clock=clock) for _ in holders]
    start, outcomes = threading.Barrier(len(apps)), Counter()

    def leave(app: CareLedger, volunteer: UUID) -> None:
        start.wait()
        try:
            app.withdraw(shift, volunteer, COORDINATOR)
            outcomes["withdrawn"] += 1
        except errors.DomainError as refused:
            outcomes[refused.reason] += 1

    threads = [threading.Thread(target=leave, args=pair) for pair in zip(apps, holders, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    reader = CareLedger(env=env, clock=clock)
    final = reader.get_shift(shift)
    promoted = [e.volunteer_id for e in reader.events.get(shift) if type(e).__name__ == "Promoted"]
    withdrawn = sum(1 for e in reader.events.get(shift) if type(e).__name__ == "Withdrawn")
    assert promoted == waiting[:withdrawn], outcomes  # each freed place to the next in line, once
    assert final.filled <= final.capacity and final.waitlist == waiting[withdrawn:]
    assert {v for v in waiting if shift in reader.get_volunteer(v).bookings} == set(promoted)
    assert withdrawn == outcomes["withdrawn"] and withdrawn >= 1
    for app in (*apps, setup, reader):
        app.close()


def test_two_withdrawals_at_once_promote_each_waiting_volunteer_once_on_the_sqlite_file(
        tmp_path: Path, clock: FixedClock) -> None:
    race_for_a_freed_place({"PERSISTENCE_MODULE": "eventsourcing.sqlite",
                            "SQLITE_DBNAME": str(tmp_path / "events.sqlite3"), "SQLITE_LOCK_TIMEOUT": "30"}, clock)


@pytest.mark.postgres
def test_two_withdrawals_at_once_promote_each_waiting_volunteer_once_on_postgres(clock: FixedClock) -> None:
    for env in postgres_schema():
        race_for_a_freed_place({**env, "POSTGRES_POOL_SIZE": "2"}, clock)
