"""The post's code (扫码签到): signed, naming its unit and post, good for 90 seconds; a check-in by it
happens at that post only, and a phone elsewhere is refused where the post asks for its code."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import errors, post_codes
from domain.application import CareLedger
from domain.clock import FixedClock
from tests.conftest import CST
from tests.scenario import COORDINATOR, DESK, Hospital

KEY = b"k" * 32
UNIT = uuid4()
NOON = datetime(2026, 11, 23, 12, 0, tzinfo=CST)


def test_a_shown_code_names_its_unit_and_post_and_holds_for_the_thirty_seconds_it_is_shown() -> None:
    code = post_codes.shown(KEY, UNIT, "七病区探访", NOON)
    assert post_codes.shown(KEY, UNIT, "七病区探访", NOON + timedelta(seconds=29)) == code
    assert post_codes.shown(KEY, UNIT, "七病区探访", NOON + timedelta(seconds=30)) != code
    read = post_codes.read(KEY, code, NOON + timedelta(seconds=10))
    assert (read.unit_id, read.post, read.issued_at) == (UNIT, "七病区探访", NOON)


def test_a_code_older_than_the_setting_is_refused_and_one_from_the_future_too() -> None:
    code = post_codes.shown(KEY, UNIT, DESK, NOON)
    post_codes.read(KEY, code, NOON + timedelta(seconds=90))
    with pytest.raises(errors.PostCodeExpired):
        post_codes.read(KEY, code, NOON + timedelta(seconds=91))
    with pytest.raises(errors.PostCodeExpired):
        post_codes.read(KEY, code, NOON + timedelta(seconds=61), longest_age=60)
    with pytest.raises(errors.PostCodeExpired):
        post_codes.read(KEY, code, NOON - timedelta(seconds=30))


def test_a_code_signed_with_another_key_or_altered_is_forged() -> None:
    code = post_codes.shown(KEY, UNIT, DESK, NOON)
    with pytest.raises(errors.PostCodeForged):
        post_codes.read(b"x" * 32, code, NOON)
    other_post = post_codes.shown(KEY, UNIT, "pharmacy", NOON).split(".")[1]
    unit, _, issued, signature = code.split(".")
    with pytest.raises(errors.PostCodeForged):  # another post's name under this code's signature
        post_codes.read(KEY, ".".join([unit, other_post, issued, signature]), NOON)
    with pytest.raises(errors.PostCodeForged):  # made younger
        post_codes.read(KEY, ".".join([unit, _, str(int(issued) + 300), signature]), NOON)


@given(st.text(max_size=300))
def test_no_text_is_taken_for_a_code_unless_we_signed_it(text: str) -> None:
    with pytest.raises((errors.PostCodeForged, errors.PostCodeExpired)):
        post_codes.read(KEY, text, NOON)


def test_the_printed_code_never_expires_and_its_short_code_changes_each_day() -> None:
    code = post_codes.printed(KEY, UNIT, DESK)
    assert post_codes.read(KEY, code, NOON + timedelta(days=400)).issued_at is None
    today = post_codes.short_code(KEY, UNIT, DESK, date(2026, 11, 23))
    assert len(today) == 4 and today.isdigit()
    days = {post_codes.short_code(KEY, UNIT, DESK, date(2026, 11, 23) + timedelta(days=n)) for n in range(10)}
    assert len(days) >= 8  # four digits a day: a repeat now and then, not a fixed code


@pytest.fixture
def hospital(ledger: CareLedger) -> Hospital:
    return Hospital(ledger, post_codes=True)


def test_a_phone_check_in_is_refused_where_the_post_asks_for_its_code_and_the_code_checks_in(
        hospital: Hospital, clock: FixedClock) -> None:
    ledger = hospital.ledger
    volunteer = hospital.volunteer()
    shift = hospital.shift(starts=clock.now() + timedelta(minutes=20))
    ledger.sign_up(shift, volunteer, COORDINATOR)
    assert ledger.get_unit(hospital.unit).needs_post_code(DESK)  # a new unit: yes
    with pytest.raises(errors.PostCodeRequired):
        ledger.check_in(shift, volunteer, "phone", COORDINATOR)
    with pytest.raises(errors.InvalidCommand):  # "qr" without a code is not a way in
        ledger.check_in(shift, volunteer, "qr", COORDINATOR)
    elsewhere = post_codes.read(KEY, post_codes.shown(KEY, hospital.unit, "pharmacy", clock.now()), clock.now())
    with pytest.raises(errors.NoShiftAtPost):
        ledger.check_in_at_post(shift, volunteer, elsewhere, COORDINATOR)
    assert "CheckedIn" not in hospital.events_of(shift)  # refusals record nothing
    here = post_codes.read(KEY, post_codes.shown(KEY, hospital.unit, DESK, clock.now()), clock.now())
    ledger.check_in_at_post(shift, volunteer, here, COORDINATOR)
    assert ledger.get_shift(shift).seat_of(volunteer).state == "checked_in"
    clock.advance(minutes=1)
    with pytest.raises(errors.PostCodeReplayed):  # the code of the check-in, again, to leave
        ledger.check_out_at_post(shift, volunteer, here, {"guidance": 3}, COORDINATOR)
    clock.advance(hours=2)
    fresh = post_codes.read(KEY, post_codes.shown(KEY, hospital.unit, DESK, clock.now()), clock.now())
    ledger.check_out_at_post(shift, volunteer, fresh, {"guidance": 3}, COORDINATOR)
    assert ledger.get_shift(shift).seat_of(volunteer).state == "checked_out"


def test_a_coordinator_lets_a_post_check_in_from_anywhere_and_an_older_unit_did_already(
        hospital: Hospital, clock: FixedClock) -> None:
    ledger = hospital.ledger
    volunteer = hospital.volunteer()
    shift = hospital.shift(starts=clock.now() + timedelta(minutes=20))
    ledger.sign_up(shift, volunteer, COORDINATOR)
    ledger.require_post_code(hospital.unit, DESK, False, COORDINATOR)
    ledger.check_in(shift, volunteer, "phone", COORDINATOR)
    assert hospital.events_of(hospital.unit)[-1] == "PostCodeRequired"
    older = ledger.register_unit("Renji Hospital", "Pudong", COORDINATOR, post_codes=False).id
    assert not ledger.get_unit(older).needs_post_code("any post")
