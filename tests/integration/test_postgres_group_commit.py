"""On PostgreSQL, saves that arrive together share one table lock and one commit, and each is
still all or none: a save that loses a race is refused alone, the others are written, and the
log's positions follow the commit order a reader relies on."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta

import pytest
from eventsourcing.persistence import IntegrityError

from domain.application import CareLedger
from domain.clock import FixedClock
from domain.errors import DomainError
from domain.storage.postgres import GroupCommitPostgresRecorder
from tests.conftest import postgres_schema
from tests.scenario import Hospital

pytestmark = pytest.mark.postgres


def test_a_batch_with_a_lost_race_writes_the_others_and_refuses_that_one(clock: FixedClock) -> None:
    for env in postgres_schema():
        ledger = CareLedger(env=env, clock=clock)
        assert isinstance(ledger.recorder, GroupCommitPostgresRecorder)
        hospital = Hospital(ledger)
        first, second = hospital.volunteer("Li Na"), hospital.volunteer("Wang Fang")
        head = ledger.position
        # Two copies of Li Na's record, both at the same version: whichever is second lost the race.
        a, stale = ledger.repository.get(first), ledger.repository.get(first)
        b = ledger.repository.get(second)
        a.change_email("li@example.org", "coordinator")
        stale.change_email("na@example.org", "coordinator")
        b.change_email("wang@example.org", "coordinator")
        saves = [[ledger.mapper.to_stored_event(e) for e in x.collect_events()] for x in (a, stale, b)]
        written = ledger.recorder.insert_batch(saves)
        assert isinstance(written[1].error, IntegrityError) and written[1].ids is None
        assert written[0].error is None and written[2].error is None
        [at_a], [at_b] = written[0].ids, written[2].ids
        assert head < at_a < at_b, "in the order they were saved (a sequence may skip what a rollback took)"
        assert ledger.get_volunteer(first).email == "li@example.org"
        assert ledger.get_volunteer(second).email == "wang@example.org"
        assert [n.id for n in ledger.recorder.select_notifications(head + 1, 10)] == [at_a, at_b]
        ledger.close()


def test_many_saves_at_once_are_each_written_in_order_and_readers_see_no_gap(clock: FixedClock) -> None:
    for env in postgres_schema():
        setup = CareLedger(env=env, clock=clock)
        hospital = Hospital(setup)
        shifts = [hospital.shift(clock.now() + timedelta(days=1, hours=5 * i), capacity=3) for i in range(12)]
        volunteers = [hospital.volunteer(f"Volunteer {i}") for i in range(36)]
        head = setup.position
        node = CareLedger(env={**env, "POSTGRES_POOL_SIZE": "6"}, clock=clock)
        errors: list[Exception] = []

        def person(k: int) -> None:
            for j in range(3):
                try:
                    node.sign_up(shifts[k], volunteers[k * 3 + j], "coordinator")
                except Exception as e:  # noqa: BLE001
                    errors.append(e)

        people = [threading.Thread(target=person, args=(k,)) for k in range(12)]
        for p in people:
            p.start()
        for p in people:
            p.join()
        assert errors == []
        notifications = setup.recorder.select_notifications(head + 1, 1000)
        assert [n.id for n in notifications] == list(range(head + 1, head + 1 + 36 * 2)), "consecutive, no gaps"
        for shift in shifts:
            assert setup.get_shift(shift).filled == 3
        node.close()
        setup.close()


def test_the_last_place_raced_on_the_event_loop_goes_to_exactly_one(clock: FixedClock) -> None:
    for env in postgres_schema():
        ledger = CareLedger(env=env, clock=clock)
        hospital = Hospital(ledger)
        shift = hospital.shift(clock.now() + timedelta(days=1), capacity=1)
        volunteers = [hospital.volunteer(f"Volunteer {i}") for i in range(10)]

        async def everyone() -> list[object]:
            return await asyncio.gather(*(ledger.perform(ledger.sign_up, shift, v, "coordinator")
                                          for v in volunteers), return_exceptions=True)

        outcomes = asyncio.run(everyone())
        won = [o for o in outcomes if not isinstance(o, BaseException)]
        assert len(won) == 1
        assert all(isinstance(o, DomainError) for o in outcomes if isinstance(o, BaseException)), outcomes
        assert ledger.get_shift(shift).filled == 1
        booked = [v for v in volunteers if shift in ledger.get_volunteer(v).bookings]
        assert len(booked) == 1
        ledger.close()
