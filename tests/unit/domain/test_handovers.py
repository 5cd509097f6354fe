"""Handing a place over, given/when/then: offered to a colleague or to anyone, taken in one save by
someone who passes every rule of a sign-up, withdrawn until taken; the giver's seat ends handed over,
not cancelled."""

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
from tests.conftest import postgres_schema
from tests.scenario import COORDINATOR, Hospital


def test_a_place_offered_to_a_colleague_is_taken_in_one_save_and_counts_as_no_cancellation(ledger: CareLedger) -> None:
    hospital = Hospital(ledger)
    shift = hospital.shift(capacity=1)
    giver, colleague, stranger = (hospital.volunteer(n) for n in ("Li Wei", "Wang Fang", "Zhao Min"))
    ledger.sign_up(shift, giver, COORDINATOR)
    ledger.offer_seat(shift, giver, colleague, COORDINATOR)
    with pytest.raises(errors.NoOffer):
        ledger.take_seat(shift, giver, stranger, COORDINATOR)  # offered to someone else
    ledger.take_seat(shift, giver, colleague, COORDINATOR)
    taken = ledger.get_shift(shift)
    assert taken.seat_of(colleague).state == "signed_up" and taken.seats[giver].outcome == "handed_over"
    assert taken.filled == 1 and taken.offers == {}
    assert shift in ledger.get_volunteer(colleague).bookings and shift not in ledger.get_volunteer(giver).bookings
    assert hospital.events_of(shift)[-3:] == ["HandedOver", "Withdrawn", "SignedUp"]
    with pytest.raises(errors.NoOffer):
        ledger.take_seat(shift, giver, stranger, COORDINATOR)  # gone


def test_the_taker_must_pass_every_rule_and_an_offer_can_be_withdrawn_until_taken(ledger: CareLedger) -> None:
    hospital = Hospital(ledger)
    shift = hospital.shift(capacity=2)
    giver = hospital.volunteer("Li Wei")
    untrained = hospital.volunteer("Sun Li", trained=False)
    busy = hospital.volunteer("Wang Fang")
    ledger.sign_up(shift, giver, COORDINATOR)
    ledger.offer_seat(shift, giver, None, COORDINATOR)
    with pytest.raises(errors.NotQualified):
        ledger.take_seat(shift, giver, untrained, COORDINATOR)
    starts = ledger.get_shift(shift).starts_at
    ledger.sign_up(hospital.shift(starts=starts + timedelta(hours=1), capacity=3), busy, COORDINATOR)
    with pytest.raises(errors.OverlappingShift):
        ledger.take_seat(shift, giver, busy, COORDINATOR)
    assert ledger.get_shift(shift).seat_of(giver).state == "signed_up"  # nothing half-done
    ledger.withdraw_offer(shift, giver, COORDINATOR)
    with pytest.raises(errors.NoOffer):
        ledger.take_seat(shift, giver, busy, COORDINATOR)


def test_where_the_unit_wants_approval_a_take_waits_and_the_seat_stays_the_givers(ledger: CareLedger) -> None:
    hospital = Hospital(ledger)
    ledger.require_handover_approval(hospital.unit, True, COORDINATOR)
    shift = hospital.shift(capacity=1)
    giver, taker, other = (hospital.volunteer(n) for n in ("Li Wei", "Wang Fang", "Zhao Min"))
    ledger.sign_up(shift, giver, COORDINATOR)
    ledger.offer_seat(shift, giver, None, COORDINATOR)
    # when the colleague takes it, it waits: still the giver's seat, the taker's time not yet booked
    assert ledger.take_seat(shift, giver, taker, COORDINATOR).value == "awaiting_approval"
    waiting = ledger.get_shift(shift)
    assert waiting.seat_of(giver).state == "signed_up" and taker not in waiting.seats
    assert waiting.handovers_asked == {giver: taker} and shift not in ledger.get_volunteer(taker).bookings
    assert ledger.take_seat(shift, giver, taker, COORDINATOR).position is None  # a double tap: still waiting
    with pytest.raises(errors.NoOffer):
        ledger.take_seat(shift, giver, other, COORDINATOR)  # one asks at a time
    # then the coordinator approves: the seat changes hands in one save
    assert ledger.approve_handover(shift, giver, COORDINATOR).value == taker
    taken = ledger.get_shift(shift)
    assert taken.seat_of(taker).state == "signed_up" and taken.seats[giver].outcome == "handed_over"
    assert taken.filled == 1 and taken.handovers_asked == {} and taken.offers == {}
    assert shift in ledger.get_volunteer(taker).bookings and shift not in ledger.get_volunteer(giver).bookings
    with pytest.raises(errors.NoHandoverPending):
        ledger.approve_handover(shift, giver, COORDINATOR)


def test_a_declined_take_leaves_the_offer_open_and_approval_checks_every_rule_again(ledger: CareLedger) -> None:
    hospital = Hospital(ledger)
    ledger.require_handover_approval(hospital.unit, True, COORDINATOR)
    shift = hospital.shift(capacity=1)
    giver, taker, next_one = (hospital.volunteer(n) for n in ("Li Wei", "Wang Fang", "Zhao Min"))
    ledger.sign_up(shift, giver, COORDINATOR)
    ledger.offer_seat(shift, giver, None, COORDINATOR)
    ledger.take_seat(shift, giver, taker, COORDINATOR)
    with pytest.raises(errors.InvalidCommand):
        ledger.decline_handover(shift, giver, " ", COORDINATOR)
    assert ledger.decline_handover(shift, giver, "Wang Fang is new; this post needs experience", COORDINATOR).value \
        == taker
    assert ledger.get_shift(shift).offers == {giver: None}  # still on offer
    ledger.take_seat(shift, giver, next_one, COORDINATOR)
    # while it waited, the one who asked took another shift at that time: approving now is refused
    starts = ledger.get_shift(shift).starts_at
    ledger.sign_up(hospital.shift(starts=starts + timedelta(hours=1), capacity=3), next_one, COORDINATOR)
    with pytest.raises(errors.OverlappingShift):
        ledger.approve_handover(shift, giver, COORDINATOR)
    assert ledger.get_shift(shift).seat_of(giver).state == "signed_up"  # nothing half-done
    ledger.withdraw_offer(shift, giver, COORDINATOR)  # the giver keeps the place after all
    assert ledger.get_shift(shift).handovers_asked == {}
    with pytest.raises(errors.NoHandoverPending):
        ledger.approve_handover(shift, giver, COORDINATOR)


def race_to_take(env: dict[str, str], clock: FixedClock, approval: bool) -> None:
    """Six colleagues take the same offered place at once, each on their own application: exactly
    one gets it (or, where the coordinator approves, exactly one waits for approval)."""
    setup = CareLedger(env=env, clock=clock)
    hospital = Hospital(setup)
    setup.require_handover_approval(hospital.unit, approval, COORDINATOR)
    shift = hospital.shift(capacity=1)
    giver = hospital.volunteer("Giver")
    takers = [hospital.volunteer(f"Taker {i}") for i in range(6)]
    setup.sign_up(shift, giver, COORDINATOR)
    setup.offer_seat(shift, giver, None, COORDINATOR)
    apps = [CareLedger(env=env, clock=clock) for _ in takers]
    start, outcomes = threading.Barrier(len(apps)), Counter()

    def take(app: CareLedger, volunteer: UUID) -> None:
        start.wait()
        try:
            outcomes[app.take_seat(shift, giver, volunteer, "volunteer").value] += 1
        except errors.DomainError as refused:
            outcomes[refused.reason] += 1

    threads = [threading.Thread(target=take, args=pair) for pair in zip(apps, takers, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    won = "awaiting_approval" if approval else "handed_over"
    assert outcomes[won] == 1 and set(outcomes) <= {won, "no_offer", "concurrent_change"}, outcomes
    final = CareLedger(env=env, clock=clock).get_shift(shift)
    holders = [v for v, seat in final.seats.items() if seat.state == "signed_up"]
    if approval:
        assert holders == [giver] and len(final.handovers_asked) == 1
    else:
        assert len(holders) == 1 and holders[0] in takers and final.filled == 1
    for app in (*apps, setup):
        app.close()


@pytest.mark.parametrize("approval", [False, True])
def test_six_taking_one_offered_place_at_once_on_the_sqlite_file(tmp_path: Path, clock: FixedClock,
                                                                approval: bool) -> None:
    race_to_take({"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(tmp_path / "events.sqlite3"),
                  "SQLITE_LOCK_TIMEOUT": "30"}, clock, approval)


@pytest.mark.postgres
@pytest.mark.parametrize("approval", [False, True])
def test_six_taking_one_offered_place_at_once_on_postgres(clock: FixedClock, approval: bool) -> None:
    for env in postgres_schema():
        race_to_take({**env, "POSTGRES_POOL_SIZE": "2"}, clock, approval)
