"""Sign-language interpreter requests: offered to the qualified, booked by the first to accept — exactly one."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from uuid import UUID

import pytest

from domain import errors
from domain.application import CareLedger
from domain.clock import FixedClock
from tests.conftest import CST, postgres_schema
from tests.scenario import COORDINATOR, Hospital

SW = "social_worker:test"
TOMORROW_10 = datetime(2026, 11, 24, 10, tzinfo=CST)


def interpreter(hospital: Hospital, name: str, valid_until: date | None = date(2027, 12, 31)) -> UUID:
    volunteer = hospital.volunteer(name)
    hospital.ledger.grant_qualification(volunteer, "sign_language", valid_until, COORDINATOR)
    return volunteer


def ask(hospital: Hospital, candidates: list[UUID], starts_at: datetime = TOMORROW_10, minutes: int = 45) -> UUID:
    return hospital.ledger.request_interpreting(hospital.unit, "Outpatient hall, desk 3", starts_at, minutes,
                                                candidates, SW).id


def test_a_request_notifies_every_candidate_in_the_same_save(ledger: CareLedger) -> None:
    hospital = Hospital(ledger)
    a, b = interpreter(hospital, "Ma Lin"), interpreter(hospital, "Zhao Yu")
    request = ask(hospital, [a, b])
    asked = ledger.get_interpreting(request)
    assert asked.state == "open" and asked.candidates == [a, b]
    notices = [n for n in (ledger.get_notice(_id(f"interpreter_wanted:{request}:{v}")) for v in (a, b))]
    assert [(n.volunteer_id, n.kind, n.facts["place"]) for n in notices] == [
        (a, "interpreter_wanted", "Outpatient hall, desk 3"), (b, "interpreter_wanted", "Outpatient hall, desk 3")]


def _id(key: str) -> UUID:
    from domain.notices import notice_id

    return notice_id(key)


def test_nobody_to_ask_is_refused_and_nothing_is_recorded(memory_ledger: CareLedger) -> None:
    hospital = Hospital(memory_ledger)
    before = memory_ledger.recorder.max_notification_id()
    with pytest.raises(errors.NoInterpreterAvailable) as refused:
        ask(hospital, [])
    assert refused.value.status == 422
    assert memory_ledger.recorder.max_notification_id() == before


@pytest.mark.parametrize(("field", "change"), [("place", {"place": " "}), ("minutes", {"minutes": 2}),
                                               ("starts_at", {"starts_at": datetime(2026, 11, 22, 9, tzinfo=CST)})])
def test_a_request_names_its_bad_field(memory_ledger: CareLedger, field: str, change: dict) -> None:
    hospital = Hospital(memory_ledger)
    values = {"unit_id": hospital.unit, "place": "Ward 5", "starts_at": TOMORROW_10, "minutes": 30,
              "candidates": [interpreter(hospital, "Ma Lin")], "actor": SW} | change
    with pytest.raises(errors.InvalidCommand) as refused:
        memory_ledger.request_interpreting(**values)
    assert refused.value.field == field


def test_the_first_to_accept_is_booked_and_the_second_is_told_it_is_taken(memory_ledger: CareLedger) -> None:
    hospital = Hospital(memory_ledger)
    a, b = interpreter(hospital, "Ma Lin"), interpreter(hospital, "Zhao Yu")
    request = ask(hospital, [a, b])
    memory_ledger.accept_interpreting(request, a, "volunteer:a")
    assert memory_ledger.accept_interpreting(request, a, "volunteer:a").position is None  # a double tap
    with pytest.raises(errors.InterpreterAlreadyBooked) as refused:
        memory_ledger.accept_interpreting(request, b, "volunteer:b")
    assert refused.value.status == 409
    assert memory_ledger.get_interpreting(request).volunteer_id == a
    # Booked: the interpreter cannot take a shift at the same time.
    shift = hospital.shift(starts=TOMORROW_10 - timedelta(hours=1), hours=3)
    with pytest.raises(errors.OverlappingShift):
        memory_ledger.sign_up(shift, a, COORDINATOR)


def test_only_a_valid_sign_language_qualification_may_accept(memory_ledger: CareLedger) -> None:
    hospital = Hospital(memory_ledger)
    lapsed, unqualified = interpreter(hospital, "Ma Lin", valid_until=date(2026, 11, 23)), hospital.volunteer("Qian")
    request = ask(hospital, [lapsed])
    with pytest.raises(errors.QualificationExpired):
        memory_ledger.accept_interpreting(request, lapsed, "volunteer")
    with pytest.raises(errors.NotQualified):
        memory_ledger.accept_interpreting(request, unqualified, "volunteer")
    assert memory_ledger.get_interpreting(request).state == "open"


def test_on_duty_here_may_step_away_but_booked_elsewhere_may_not(memory_ledger: CareLedger) -> None:
    hospital = Hospital(memory_ledger)
    here, elsewhere = interpreter(hospital, "Ma Lin"), interpreter(hospital, "Zhao Yu")
    memory_ledger.sign_up(hospital.shift(starts=TOMORROW_10 - timedelta(hours=2)), here, COORDINATOR)
    other_unit = memory_ledger.register_unit("Huashan Hospital", "Jing'an", "admin").id
    far = memory_ledger.schedule_shift(other_unit, "desk", TOMORROW_10 - timedelta(hours=1), TOMORROW_10 + timedelta(hours=2),
                                       2, [], COORDINATOR).id
    memory_ledger.sign_up(far, elsewhere, COORDINATOR)
    request = ask(hospital, [here, elsewhere])
    with pytest.raises(errors.OverlappingShift):
        memory_ledger.accept_interpreting(request, elsewhere, "volunteer")
    memory_ledger.accept_interpreting(request, here, "volunteer")
    assert memory_ledger.get_interpreting(request).volunteer_id == here


def test_served_once_then_closed_and_a_cancellation_frees_the_interpreter(memory_ledger: CareLedger,
                                                                         clock: FixedClock) -> None:
    hospital = Hospital(memory_ledger)
    a = interpreter(hospital, "Ma Lin")
    request = ask(hospital, [a])
    with pytest.raises(errors.InterpreterRequestClosed):
        memory_ledger.serve_interpreting(request, 40, SW)  # not booked yet
    memory_ledger.accept_interpreting(request, a, "volunteer")
    clock.set(TOMORROW_10 + timedelta(minutes=50))
    memory_ledger.serve_interpreting(request, 40, SW)
    with pytest.raises(errors.InterpreterRequestClosed):
        memory_ledger.serve_interpreting(request, 40, SW)
    with pytest.raises(errors.InterpreterRequestClosed):
        memory_ledger.cancel_interpreting(request, "no longer needed", SW)

    clock.set(datetime(2026, 11, 23, 9, tzinfo=CST))
    second = ask(hospital, [a], starts_at=TOMORROW_10 + timedelta(days=1))
    memory_ledger.accept_interpreting(second, a, "volunteer")
    memory_ledger.cancel_interpreting(second, "patient discharged", SW)
    assert second not in memory_ledger.get_volunteer(a).bookings
    told = memory_ledger.get_notice(_id(f"interpreter_cancelled:{second}:{a}"))
    assert told.volunteer_id == a and told.facts["reason"] == "patient discharged"


def race_to_accept(env: dict[str, str], clock: FixedClock) -> None:
    """Eight qualified volunteers, each on their own application, accept the same request at once."""
    setup = CareLedger(env=env, clock=clock)
    hospital = Hospital(setup)
    volunteers = [interpreter(hospital, f"Interpreter {i}") for i in range(8)]
    request = ask(hospital, volunteers)
    apps = [CareLedger(env=env, clock=clock) for _ in volunteers]
    start, outcomes = threading.Barrier(len(apps)), {}

    def accept(app: CareLedger, volunteer: UUID) -> None:
        start.wait()
        try:
            app.accept_interpreting(request, volunteer, "volunteer")
            outcomes[volunteer] = "booked"
        except errors.DomainError as refused:
            outcomes[volunteer] = refused.reason
        except Exception as unexpected:  # noqa: BLE001 - reported in the tally, not lost with the thread
            outcomes[volunteer] = repr(unexpected)

    threads = [threading.Thread(target=accept, args=pair) for pair in zip(apps, volunteers, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    tally = Counter(outcomes.values())
    assert tally["booked"] == 1 and set(tally) <= {"booked", "interpreter_already_booked", "concurrent_change"}, tally
    reader = CareLedger(env=env, clock=clock)
    accepted = [e.volunteer_id for e in reader.events.get(request) if type(e).__name__ == "Accepted"]
    assert accepted == [v for v, outcome in outcomes.items() if outcome == "booked"]
    assert [v for v in volunteers if request in reader.get_volunteer(v).bookings] == accepted
    for app in (*apps, setup, reader):
        app.close()


def test_eight_accepting_at_once_book_exactly_one_on_the_sqlite_file(tmp_path: Path, clock: FixedClock) -> None:
    race_to_accept({"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(tmp_path / "events.sqlite3"),
                    "SQLITE_LOCK_TIMEOUT": "30"}, clock)


@pytest.mark.postgres
def test_eight_accepting_at_once_book_exactly_one_on_postgres(clock: FixedClock) -> None:
    for env in postgres_schema():
        race_to_accept({**env, "POSTGRES_POOL_SIZE": "2"}, clock)
