"""Handing a place over, given/when/then: offered to a colleague or to anyone, taken in one save by
someone who passes every rule of a sign-up, withdrawn until taken; the giver's seat ends handed over,
not cancelled."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain import errors
from domain.application import CareLedger
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
