"""How the log is kept: batches of commands saved together, and volunteers loaded from snapshots."""

from __future__ import annotations

import typing
from datetime import timedelta

import pytest

from domain.application import CareLedger
from domain.errors import ShiftFull
from domain.volunteers import Volunteer
from tests.scenario import COORDINATOR, Hospital


@pytest.fixture
def hospital(ledger: CareLedger) -> Hospital:
    return Hospital(ledger)


def test_commands_in_a_batch_see_each_other_and_land_together(hospital: Hospital) -> None:
    ledger = hospital.ledger
    volunteer = hospital.volunteer()
    before = ledger.position
    with ledger.batch():
        shift = hospital.shift(capacity=1)
        ledger.sign_up(shift, volunteer, COORDINATOR)  # the shift exists only in the batch so far
        assert ledger.position == before  # nothing is in the log until the batch ends
    assert ledger.position > before
    assert hospital.events_of(shift) == ["Scheduled", "SignedUp"]
    assert shift in ledger.get_volunteer(volunteer).bookings


def test_a_refused_command_discards_the_whole_batch(hospital: Hospital) -> None:
    ledger = hospital.ledger
    first, second = hospital.volunteer("Li Wei"), hospital.volunteer("Wang Fang")
    shift = hospital.shift(capacity=1)
    before = ledger.position
    with pytest.raises(ShiftFull), ledger.batch():
        ledger.sign_up(shift, first, COORDINATOR)
        ledger.sign_up(shift, second, COORDINATOR)
    assert ledger.position == before
    assert ledger.get_shift(shift).filled == 0
    assert shift not in ledger.get_volunteer(first).bookings


def test_a_volunteer_loaded_from_a_snapshot_equals_one_replayed_from_every_event(hospital: Hospital) -> None:
    ledger = hospital.ledger
    volunteer = hospital.volunteer()
    ledger.record_credential(volunteer, "health_check", ledger.clock.now().date(), None, COORDINATOR)
    interval = type(ledger).snapshotting_intervals[Volunteer]
    starts = ledger.clock.now() + timedelta(days=1)
    with ledger.batch():
        for i in range(interval + 5):
            shift = hospital.shift(starts=starts + timedelta(days=i), post="ward visits")
            ledger.sign_up(shift, volunteer, COORDINATOR)
    assert ledger.snapshots is not None
    snapshots = list(ledger.snapshots.get(volunteer, desc=True, limit=1))
    assert snapshots and snapshots[0].originator_version >= interval

    from_snapshot = ledger.repository.get(volunteer, version=snapshots[0].originator_version + 3)
    replayed = _replay(ledger, volunteer, snapshots[0].originator_version + 3)
    assert vars(from_snapshot) == vars(replayed)
    assert isinstance(next(iter(from_snapshot.bookings)), type(shift))  # typed, not strings
    assert from_snapshot.credentials["health_check"].since == ledger.clock.now().date()


def test_a_volunteer_read_cold_from_the_log_is_its_snapshot_and_the_events_after_it(hospital: Hospital) -> None:
    ledger = hospital.ledger
    volunteer = hospital.volunteer()
    interval = type(ledger).snapshotting_intervals[Volunteer]
    starts = ledger.clock.now() + timedelta(days=1)
    with ledger.batch():
        for i in range(interval + 7):
            ledger.sign_up(hospital.shift(starts=starts + timedelta(days=i), post="ward visits"), volunteer,
                           COORDINATOR)
    live = ledger.get_volunteer(volunteer)
    if hasattr(ledger, "_forget_cache"):
        ledger._forget_cache()  # the next read goes to the log (one query: snapshot + later events)
    cold = ledger.get_volunteer(volunteer)
    assert cold is not live and vars(cold) == vars(live)
    assert vars(cold) == vars(_replay(ledger, volunteer, live.version))
    assert len(cold.bookings) == interval + 7


def _replay(ledger: CareLedger, id, version: int) -> Volunteer:
    aggregate = None
    for e in ledger.events.get(id, lte=version):
        aggregate = e.mutate(aggregate)
    assert isinstance(aggregate, Volunteer)
    return aggregate


def test_every_attribute_a_volunteer_keeps_is_annotated_so_snapshots_come_back_typed(hospital: Hospital) -> None:
    volunteer = hospital.ledger.get_volunteer(hospital.volunteer())
    hints = typing.get_type_hints(Volunteer)
    missing = [name for name in vars(volunteer) if not name.startswith("_") and name not in hints]
    assert missing == []


def test_a_forgotten_volunteer_reads_erased_from_the_log_on_every_store(hospital: Hospital) -> None:
    from domain.personal import ERASED

    ledger = hospital.ledger
    volunteer = ledger.register_volunteer("Gu Yue", "13700001234", hospital.unit, [], [], COORDINATOR).id
    assert ledger.vault.key(volunteer, create=False) is not None
    ledger.forget_volunteer(volunteer, "admin")
    assert ledger.vault.key(volunteer, create=False) is None
    registered = next(iter(ledger.events.get(volunteer)))  # read again from the log itself
    assert (registered.name, registered.phone) == (ERASED, ERASED)
    assert ledger.get_volunteer(volunteer).name == ERASED
