"""Given/when/then for a volunteer's record: evaluations amended, never edited; insurance a credential
the posts that need it check; a volunteer's rating of a shift once; feedback only for a shift served."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from domain import errors
from domain.application import CareLedger
from domain.clock import FixedClock
from tests.scenario import COORDINATOR, Hospital


def test_an_evaluation_is_amended_by_a_later_event_that_says_why(memory_ledger: CareLedger) -> None:
    hospital = Hospital(memory_ledger)
    li = hospital.volunteer()
    given = memory_ledger.evaluate(li, date(2026, 5, 1), date(2026, 10, 31), "excellent", "Calm.", "coord",
                                   COORDINATOR).id
    with pytest.raises(errors.InvalidCommand) as off_scale:
        memory_ledger.amend_evaluation(given, "superb", "", "why", COORDINATOR)
    assert off_scale.value.field == "rating"
    with pytest.raises(errors.InvalidCommand) as no_reason:
        memory_ledger.amend_evaluation(given, "good", "Late twice.", " ", COORDINATOR)
    assert no_reason.value.field == "reason"
    memory_ledger.amend_evaluation(given, "good", "Late twice.", "late twice in October", COORDINATOR)
    now = memory_ledger.get_evaluation(given)
    assert (now.rating, now.comment, now.amendments) == ("good", "Late twice.", 1)
    assert hospital.events_of(given) == ["Given", "Amended"]


def test_insurance_is_the_credential_a_post_that_needs_it_checks_on_the_shifts_day(memory_ledger: CareLedger) -> None:
    hospital = Hospital(memory_ledger)
    li = hospital.volunteer()
    memory_ledger.define_post(hospital.unit, "ward escort", ["accident_insurance"], "admin")
    shift = hospital.shift(post="ward escort")  # on 24 November
    with pytest.raises(errors.NotQualified):
        memory_ledger.sign_up(shift, li, COORDINATOR)
    memory_ledger.record_insurance(li, "PICC-1", "PICC", date(2026, 1, 1), date(2026, 11, 23), COORDINATOR)
    with pytest.raises(errors.QualificationExpired):
        memory_ledger.sign_up(shift, li, COORDINATOR)  # it ends the day before
    memory_ledger.record_insurance(li, "PICC-2", "PICC", date(2026, 1, 1), date(2027, 1, 1), COORDINATOR)
    memory_ledger.sign_up(shift, li, COORDINATOR)
    assert memory_ledger.get_volunteer(li).insurance.policy_number == "PICC-2"


def test_a_shift_is_rated_once_and_only_once_served(memory_ledger: CareLedger, clock: FixedClock) -> None:
    hospital = Hospital(memory_ledger)
    li = hospital.volunteer()
    shift = hospital.shift()
    memory_ledger.sign_up(shift, li, COORDINATOR)
    with pytest.raises(errors.FeedbackNotOpen):
        memory_ledger.rate_shift(shift, li, 5, "", "volunteer")
    starts = memory_ledger.get_shift(shift).starts_at
    clock.set(starts)
    memory_ledger.check_in(shift, li, "kiosk", COORDINATOR)
    clock.set(starts + timedelta(hours=4))
    memory_ledger.check_out(shift, li, {}, COORDINATOR)
    with pytest.raises(errors.InvalidCommand):
        memory_ledger.rate_shift(shift, li, 0, "", "volunteer")
    memory_ledger.rate_shift(shift, li, 4, "The lift queue was long.", "volunteer")
    with pytest.raises(errors.AlreadyRated):
        memory_ledger.rate_shift(shift, li, 5, "", "volunteer")
    first = memory_ledger.leave_feedback(shift, li, 5, "So kind.", "public").id
    second = memory_ledger.leave_feedback(shift, li, 3, "", "public").id
    assert first != second  # each family member's own
    clock.set(starts + timedelta(days=15))
    with pytest.raises(errors.FeedbackNotOpen):
        memory_ledger.leave_feedback(shift, li, 5, "", "public")
