"""Lost races become clean refusals: optimistic concurrency on every event store."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta
from pathlib import Path
from uuid import UUID

import pytest
from eventsourcing.persistence import IntegrityError

from domain import errors
from domain.application import CareLedger
from domain.clock import FixedClock
from tests.conftest import postgres_schema
from tests.scenario import COORDINATOR, Hospital


def test_a_race_lost_once_is_decided_again(memory_ledger: CareLedger, monkeypatch: pytest.MonkeyPatch) -> None:
    hospital = Hospital(memory_ledger)
    shift, volunteer = hospital.shift(), hospital.volunteer()
    real_save, calls = memory_ledger.save, []

    def loses_first_race(*aggregates, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise IntegrityError("someone else saved version 2 first")
        return real_save(*aggregates, **kwargs)

    monkeypatch.setattr(memory_ledger, "save", loses_first_race)
    memory_ledger.sign_up(shift, volunteer, COORDINATOR)
    assert len(calls) == 2 and memory_ledger.get_shift(shift).filled == 1


def test_a_command_that_keeps_losing_races_is_refused_as_a_concurrent_change(
    memory_ledger: CareLedger, monkeypatch: pytest.MonkeyPatch
) -> None:
    hospital = Hospital(memory_ledger)
    shift, volunteer = hospital.shift(), hospital.volunteer()

    def always_loses(*aggregates, **kwargs):
        raise IntegrityError("conflict")

    monkeypatch.setattr(memory_ledger, "save", always_loses)
    with pytest.raises(errors.ConcurrentChange) as refused:
        memory_ledger.sign_up(shift, volunteer, COORDINATOR)
    assert refused.value.reason == "concurrent_change" and refused.value.status == 409


def race_for_five_places(env: dict[str, str], clock: FixedClock) -> None:
    """20 threads, each its own application on the same store, sign 20 volunteers up for 5 places."""
    setup = CareLedger(env=env, clock=clock)
    hospital = Hospital(setup)
    shift = hospital.shift(capacity=5)
    volunteers = [hospital.volunteer(f"Volunteer {i}") for i in range(20)]
    apps = [CareLedger(env=env, clock=clock) for _ in volunteers]
    start = threading.Barrier(len(apps))
    outcomes: dict[UUID, str] = {}

    def take_a_place(app: CareLedger, volunteer: UUID) -> None:
        start.wait()
        try:
            app.sign_up(shift, volunteer, COORDINATOR)
            outcomes[volunteer] = "signed_up"
        except errors.DomainError as refused:
            outcomes[volunteer] = refused.reason

    threads = [threading.Thread(target=take_a_place, args=pair) for pair in zip(apps, volunteers, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    tally = Counter(outcomes.values())
    assert tally["signed_up"] == 5, tally
    assert set(tally) <= {"signed_up", "shift_full", "concurrent_change"}, tally
    assert sum(tally.values()) == 20
    # The stored events agree: five SignedUp on the shift, one Booked for each winner and no one else.
    reader = CareLedger(env=env, clock=clock)
    signed_up = {e.volunteer_id for e in reader.events.get(shift) if type(e).__name__ == "SignedUp"}
    assert signed_up == {v for v, outcome in outcomes.items() if outcome == "signed_up"}
    booked = {v for v in volunteers if shift in reader.get_volunteer(v).bookings}
    assert booked == signed_up
    for app in (*apps, setup, reader):
        app.close()


def test_twenty_volunteers_race_for_five_places_on_the_sqlite_file(tmp_path: Path, clock: FixedClock) -> None:
    env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(tmp_path / "events.sqlite3"),
           "SQLITE_LOCK_TIMEOUT": "30"}
    race_for_five_places(env, clock)


@pytest.mark.postgres
def test_twenty_volunteers_race_for_five_places_on_postgres(clock: FixedClock) -> None:
    for env in postgres_schema():
        race_for_five_places({**env, "POSTGRES_POOL_SIZE": "2"}, clock)


def test_a_double_tapped_check_in_from_two_devices_records_one_check_in(tmp_path: Path, clock: FixedClock) -> None:
    env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(tmp_path / "events.sqlite3"),
           "SQLITE_LOCK_TIMEOUT": "30"}
    hospital = Hospital(CareLedger(env=env, clock=clock))
    shift, volunteer = hospital.shift(), hospital.volunteer()
    hospital.ledger.sign_up(shift, volunteer, COORDINATOR)
    clock.set(hospital.ledger.get_shift(shift).starts_at - timedelta(minutes=5))
    kiosk, phone = CareLedger(env=env, clock=clock), CareLedger(env=env, clock=clock)
    start, answers = threading.Barrier(2), []

    def tap(app: CareLedger, via: str) -> None:
        start.wait()
        answers.append(app.check_in(shift, volunteer, via, COORDINATOR).value)

    threads = [threading.Thread(target=tap, args=(kiosk, "kiosk")), threading.Thread(target=tap, args=(phone, "phone"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(answers) == 2 and answers[0] == answers[1]
    assert hospital.events_of(shift).count("CheckedIn") == 1
