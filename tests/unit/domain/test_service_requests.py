"""Service requests (a ward asks for a companion, an escort, an interpreter): offered to the
qualified, booked by the first to accept (exactly one), escalated when nobody answers, counted once."""

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
WARD = "ward:test"
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
    asked = ledger.get_request(request)
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
    memory_ledger.accept_request(request, a, "volunteer:a")
    assert memory_ledger.accept_request(request, a, "volunteer:a").position is None  # a double tap
    with pytest.raises(errors.InterpreterAlreadyBooked) as refused:
        memory_ledger.accept_request(request, b, "volunteer:b")
    assert refused.value.status == 409
    assert memory_ledger.get_request(request).volunteer_id == a
    # Booked: the interpreter cannot take a shift at the same time.
    shift = hospital.shift(starts=TOMORROW_10 - timedelta(hours=1), hours=3)
    with pytest.raises(errors.OverlappingShift):
        memory_ledger.sign_up(shift, a, COORDINATOR)


def test_only_a_valid_sign_language_qualification_may_accept(memory_ledger: CareLedger) -> None:
    hospital = Hospital(memory_ledger)
    lapsed, unqualified = interpreter(hospital, "Ma Lin", valid_until=date(2026, 11, 23)), hospital.volunteer("Qian")
    request = ask(hospital, [lapsed])
    with pytest.raises(errors.QualificationExpired):
        memory_ledger.accept_request(request, lapsed, "volunteer")
    with pytest.raises(errors.NotQualified):
        memory_ledger.accept_request(request, unqualified, "volunteer")
    assert memory_ledger.get_request(request).state == "open"


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
        memory_ledger.accept_request(request, elsewhere, "volunteer")
    memory_ledger.accept_request(request, here, "volunteer")
    assert memory_ledger.get_request(request).volunteer_id == here


def test_served_once_then_closed_and_a_cancellation_frees_the_interpreter(memory_ledger: CareLedger,
                                                                         clock: FixedClock) -> None:
    hospital = Hospital(memory_ledger)
    a = interpreter(hospital, "Ma Lin")
    request = ask(hospital, [a])
    with pytest.raises(errors.InterpreterRequestClosed):
        memory_ledger.serve_request(request, 40, SW)  # not booked yet
    memory_ledger.accept_request(request, a, "volunteer")
    clock.set(TOMORROW_10 + timedelta(minutes=50))
    memory_ledger.serve_request(request, 40, SW)
    with pytest.raises(errors.InterpreterRequestClosed):
        memory_ledger.serve_request(request, 40, SW)
    with pytest.raises(errors.InterpreterRequestClosed):
        memory_ledger.cancel_request(request, "no longer needed", SW)

    clock.set(datetime(2026, 11, 23, 9, tzinfo=CST))
    second = ask(hospital, [a], starts_at=TOMORROW_10 + timedelta(days=1))
    memory_ledger.accept_request(second, a, "volunteer")
    memory_ledger.cancel_request(second, "patient discharged", SW)
    assert second not in memory_ledger.get_volunteer(a).bookings
    told = memory_ledger.get_notice(_id(f"interpreter_cancelled:{second}:{a}"))
    assert told.volunteer_id == a and told.facts["reason"] == "patient discharged"


def race_to_accept(env: dict[str, str], clock: FixedClock, kind: str = "sign_language") -> None:
    """Eight qualified volunteers, each on their own application, accept the same request at once."""
    setup = CareLedger(env=env, clock=clock)
    hospital = Hospital(setup)
    volunteers = [interpreter(hospital, f"Interpreter {i}") for i in range(8)]
    request = setup.request_service(hospital.unit, kind, "Ward 5, bed 12", TOMORROW_10, 45, volunteers, WARD).id
    apps = [CareLedger(env=env, clock=clock) for _ in volunteers]
    start, outcomes = threading.Barrier(len(apps)), {}

    def accept(app: CareLedger, volunteer: UUID) -> None:
        start.wait()
        try:
            app.accept_request(request, volunteer, "volunteer")
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
    taken = "interpreter_already_booked" if kind == "sign_language" else "request_taken"
    assert tally["booked"] == 1 and set(tally) <= {"booked", taken, "concurrent_change"}, tally
    reader = CareLedger(env=env, clock=clock)
    accepted = [e.volunteer_id for e in reader.events.get(request) if type(e).__name__ == "Accepted"]
    assert accepted == [v for v, outcome in outcomes.items() if outcome == "booked"]
    assert [v for v in volunteers if request in reader.get_volunteer(v).bookings] == accepted
    for app in (*apps, setup, reader):
        app.close()


@pytest.mark.parametrize("kind", ["sign_language", "visitation"])
def test_eight_accepting_at_once_book_exactly_one_on_the_sqlite_file(tmp_path: Path, clock: FixedClock,
                                                                     kind: str) -> None:
    race_to_accept({"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(tmp_path / "events.sqlite3"),
                    "SQLITE_LOCK_TIMEOUT": "30"}, clock, kind)


@pytest.mark.postgres
@pytest.mark.parametrize("kind", ["sign_language", "visitation"])
def test_eight_accepting_at_once_book_exactly_one_on_postgres(clock: FixedClock, kind: str) -> None:
    for env in postgres_schema():
        race_to_accept({**env, "POSTGRES_POOL_SIZE": "2"}, clock, kind)


# --- any service a ward asks for -------------------------------------------------------

def ask_for(hospital: Hospital, kind: str, candidates: list[UUID], **more) -> UUID:
    return hospital.ledger.request_service(hospital.unit, kind, "Ward 5, bed 12", TOMORROW_10, 60, candidates, WARD,
                                           **more).id


def test_a_ward_asks_for_a_companion_and_each_candidate_is_told_in_the_same_save(memory_ledger: CareLedger) -> None:
    hospital = Hospital(memory_ledger)
    a, b = hospital.volunteer("Ma Lin"), hospital.volunteer("Zhao Yu")
    request = ask_for(hospital, "visitation", [a, b], language="Cantonese", patient_ref="p-7f3a",
                      note="Alone since Monday; likes to talk about opera.")
    asked = memory_ledger.get_request(request)
    assert (asked.kind, asked.state, asked.needs, asked.language) == ("visitation", "open", [], "Cantonese")
    assert asked.note == "Alone since Monday; likes to talk about opera." and asked.patient_ref == "p-7f3a"
    notices = [memory_ledger.get_notice(_id(f"service_wanted:{request}:{v}")) for v in (a, b)]
    assert [(n.volunteer_id, n.kind, n.facts["kind_zh"]) for n in notices] == [
        (a, "service_wanted", "探视"), (b, "service_wanted", "探视")]


def test_a_kind_outside_the_catalogue_or_an_empty_place_is_refused_and_nothing_recorded(
        memory_ledger: CareLedger) -> None:
    hospital = Hospital(memory_ledger)
    a = hospital.volunteer("Ma Lin")
    before = memory_ledger.position
    with pytest.raises(errors.UnknownServiceType) as refused:
        ask_for(hospital, "massage", [a])
    assert refused.value.field == "kind"
    with pytest.raises(errors.InvalidCommand) as refused:
        memory_ledger.request_service(hospital.unit, "visitation", "  ", TOMORROW_10, 60, [a], WARD)
    assert refused.value.field == "place"
    with pytest.raises(errors.NobodyToAsk) as nobody:
        ask_for(hospital, "escort", [])
    assert nobody.value.reason == "nobody_to_ask"
    assert memory_ledger.position == before


def test_a_qualification_the_ward_asks_for_is_needed_to_accept(memory_ledger: CareLedger) -> None:
    hospital = Hospital(memory_ledger)
    trained, untrained = hospital.volunteer("Ma Lin"), hospital.volunteer("Zhao Yu")
    memory_ledger.grant_qualification(trained, "hospice_companion", None, COORDINATOR)
    request = ask_for(hospital, "visitation", [trained, untrained], needs=["hospice_companion"])
    with pytest.raises(errors.NotQualified):
        memory_ledger.accept_request(request, untrained, "volunteer")
    memory_ledger.accept_request(request, trained, "volunteer")
    with pytest.raises(errors.RequestTaken) as taken:
        memory_ledger.accept_request(request, untrained, "volunteer")
    assert taken.value.reason == "request_taken"
    assert memory_ledger.get_request(request).volunteer_id == trained
    assert request in memory_ledger.get_volunteer(trained).bookings  # their time is taken


def test_an_unanswered_request_is_escalated_once_and_not_once_taken(memory_ledger: CareLedger,
                                                                    clock: FixedClock) -> None:
    hospital = Hospital(memory_ledger)
    a = hospital.volunteer("Ma Lin")
    request = ask_for(hospital, "escort", [a])
    assert memory_ledger.escalate_request(request, "system").position is not None
    assert memory_ledger.escalate_request(request, "system").position is None  # the second round finds it done
    taken = ask_for(hospital, "escort", [a])
    memory_ledger.accept_request(taken, a, "volunteer")
    assert memory_ledger.escalate_request(taken, "system").position is None
    assert [type(e).__name__ for e in memory_ledger.events.get(request)] == ["Requested", "Escalated"]


def test_served_records_the_kind_asked_for(memory_ledger: CareLedger, clock: FixedClock) -> None:
    hospital = Hospital(memory_ledger)
    a = hospital.volunteer("Ma Lin")
    request = ask_for(hospital, "psychological_support", [a])
    memory_ledger.accept_request(request, a, "volunteer")
    clock.set(TOMORROW_10 + timedelta(minutes=70))
    memory_ledger.serve_request(request, 50, WARD)
    served = [e for e in memory_ledger.events.get(request) if type(e).__name__ == "Served"]
    assert [(e.kind, e.minutes, e.volunteer_id) for e in served] == [("psychological_support", 50, a)]


def test_going_on_call_takes_a_window_ahead_of_now_and_at_most_a_day(memory_ledger: CareLedger,
                                                                    clock: FixedClock) -> None:
    hospital = Hospital(memory_ledger)
    a = hospital.volunteer("Ma Lin")
    now = clock.now()
    for starts, ends, field in ((now, now - timedelta(minutes=1), "ends_at"), (now, now + timedelta(hours=25), "ends_at")):
        with pytest.raises(errors.InvalidCommand) as refused:
            memory_ledger.go_on_call(a, starts, ends, "volunteer")
        assert refused.value.field == field
    memory_ledger.go_on_call(a, now - timedelta(hours=1), now + timedelta(hours=3), "volunteer")
    assert memory_ledger.get_volunteer(a).on_call == (now, now + timedelta(hours=3))  # from now, not before
    memory_ledger.go_off_call(a, "volunteer")
    assert memory_ledger.get_volunteer(a).on_call is None
    assert memory_ledger.go_off_call(a, "volunteer").position is None  # off already: nothing to record


def test_an_interpreter_request_stored_before_requests_were_general_reads_as_sign_language() -> None:
    """Events written as `domain.interpreting:InterpreterRequest.*`, without a kind, come back as
    service requests of kind sign_language (the old topic is registered, the fields upcast)."""
    import msgspec
    from eventsourcing.persistence import StoredEvent

    from domain.requests import ServiceRequest
    from domain.storage.mapper import EventMapper

    mapper = EventMapper(transcoder=None)  # type: ignore[arg-type]
    request = ServiceRequest.ask(UUID(int=1), "sign_language", "Outpatient hall", TOMORROW_10, 45,
                                 TOMORROW_10 - timedelta(hours=1), SW, candidates=[UUID(int=2)])
    stored = mapper.to_stored_event(request.collect_events()[0])
    old_state = msgspec.json.decode(stored.state)
    for field in ("kind", "needs", "language", "patient_ref", "note", "at", "class_version"):
        old_state.pop(field)
    old = StoredEvent(stored.originator_id, stored.originator_version,
                      "domain.interpreting:InterpreterRequest.Requested", msgspec.json.encode(old_state))
    read = mapper.to_domain_event(old)
    assert type(read) is ServiceRequest.Requested
    assert (read.kind, read.needs, read.place, read.candidates) == ("sign_language", ["sign_language"],
                                                                    "Outpatient hall", [UUID(int=2)])
    assert read.mutate(None).state == "open"
