"""Notices queued in bulk: each key once, whatever repeats within a round, across rounds or stores."""

from __future__ import annotations

from uuid import uuid4

from domain.application import CareLedger
from domain.notices import notice_id


def test_each_key_is_queued_once_across_rounds_and_within_one(ledger: CareLedger) -> None:
    volunteer = uuid4()
    wanted = [(f"shift_reminder:{i}", volunteer, "shift_reminder", {"n": str(i)}) for i in range(450)]
    assert ledger.queue_notices(wanted) == 450  # three saves of at most 200
    assert ledger.queue_notices(wanted) == 0
    twice = [("qualification_expiring:x", volunteer, "qualification_expiring", {}),
             ("qualification_expiring:x", volunteer, "qualification_expiring", {}),
             ("qualification_expiring:y", volunteer, "qualification_expiring", {})]
    assert ledger.queue_notices(twice) == 2  # the save refused the repeat; queued one by one instead
    assert ledger.get_notice(notice_id("qualification_expiring:x")).state == "queued"
    assert ledger.get_notice(notice_id("shift_reminder:449")).facts == {"n": "449"}
