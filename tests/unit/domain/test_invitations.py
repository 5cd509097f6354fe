"""Invitations: a volunteer sets up their own login with a one-time code, once, in time; the log
never holds the code."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain import errors
from domain.application import CareLedger
from domain.invitations import invitation_id
from tests.scenario import COORDINATOR, Hospital

CODE = "9F3A-0C7B-E214"


@pytest.fixture
def hospital(ledger: CareLedger) -> Hospital:
    return Hospital(ledger)


def test_the_code_opens_the_volunteers_own_login_once(hospital: Hospital, clock) -> None:
    ledger = hospital.ledger
    volunteer = hospital.volunteer()
    ledger.invite_volunteer(volunteer, CODE, clock.now() + timedelta(days=14), COORDINATOR)
    account = ledger.accept_invitation(" 9f3a 0c7b e214 ", "liwei", "hash")  # as typed from a paper
    opened = ledger.get_account(account.id)
    assert (opened.role, opened.volunteer_id, opened.username) == ("volunteer", volunteer, "liwei")
    with pytest.raises(errors.InvitationInvalid):
        ledger.accept_invitation(CODE, "someone-else", "hash")
    with pytest.raises(errors.InvitationInvalid):
        ledger.accept_invitation("0000-0000-0000", "guess", "hash")
    stored = [n.state for n in ledger.recorder.select_notifications(1, 10_000)
              if n.originator_id == invitation_id(CODE)]
    assert stored and not any(CODE.replace("-", "").encode() in s or CODE.encode() in s for s in stored)


def test_an_expired_code_or_a_taken_username_opens_nothing(hospital: Hospital, clock) -> None:
    ledger = hospital.ledger
    volunteer = hospital.volunteer()
    ledger.open_account("taken", "hash", "auditor", [], None, "admin")
    ledger.invite_volunteer(volunteer, CODE, clock.now() + timedelta(days=1), COORDINATOR)
    before = ledger.position
    with pytest.raises(errors.UsernameTaken):
        ledger.accept_invitation(CODE, " Taken ", "hash")
    assert ledger.position == before  # nothing recorded: the code is still good
    clock.advance(days=2)
    with pytest.raises(errors.InvitationInvalid):
        ledger.accept_invitation(CODE, "liwei", "hash")
    assert ledger.position == before


def test_an_invitation_is_sent_once_with_its_notice_and_never_after_it_is_used_or_expired(hospital: Hospital,
                                                                                          clock) -> None:
    ledger = hospital.ledger
    volunteer = hospital.volunteer()
    ledger.invite_volunteer(volunteer, CODE, clock.now() + timedelta(days=14), COORDINATOR)
    with pytest.raises(errors.InvitationInvalid):
        ledger.send_invitation("0000-0000-0000", "https://x/join/0000", COORDINATOR)
    before = ledger.position
    notice = ledger.send_invitation(CODE.lower(), f"https://x/join/{CODE}", COORDINATOR)
    assert ledger.position == before + 2  # the invitation posted and its notice, in one save
    assert ledger.get_notice(notice.id).kind == "invitation"
    assert ledger.get_invitation(invitation_id(CODE)).posted == (CODE.replace("-", ""), f"https://x/join/{CODE}")
    with pytest.raises(errors.InvitationSent):
        ledger.send_invitation(CODE, f"https://x/join/{CODE}", COORDINATOR)
    late = "AAAA-BBBB-CCCC"
    ledger.invite_volunteer(volunteer, late, clock.now() + timedelta(days=1), COORDINATOR)
    clock.advance(days=2)
    before = ledger.position
    with pytest.raises(errors.InvitationInvalid, match="expired"):
        ledger.send_invitation(late, "https://x/join/late", COORDINATOR)
    assert ledger.position == before
