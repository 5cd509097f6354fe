"""Where a volunteer stands at the post whose code they scanned: a shift to check into or out of
there now, or exactly why not (none here today, check-in opens later, their shift is at another post)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from domain.policy import Policy
from domain.post_codes import PostCode
from projections import roster


@dataclass(frozen=True)
class AtPost:
    code: PostCode
    action: str | None  # "check_in", "check_out", or None (then `why` says why not)
    shift: dict | None = None  # the seat's shift (or, for "opens_later" and "other_post", the one meant)
    why: str | None = None  # "opens_later", "other_post", "no_shift_here"


def at_post(db: Any, volunteer_id: str, code: PostCode, now: datetime, policy: Policy) -> AtPost:
    seats = [s for s in roster.seats_of(db, volunteer_id, now - timedelta(hours=1)) if not s["cancelled"]]
    here = [s for s in seats if s["unit_id"] == str(code.unit_id) and s["post"] == code.post]
    for seat in here:
        if seat["state"] == "checked_in":
            return AtPost(code, "check_out", seat)
    for seat in here:
        opens, closes = policy.check_in_window(datetime.fromisoformat(seat["starts_at"]),
                                                datetime.fromisoformat(seat["ends_at"]))
        if seat["state"] == "signed_up" and opens <= now <= closes:
            return AtPost(code, "check_in", seat)
    today = [s for s in here if s["state"] == "signed_up" and datetime.fromisoformat(s["starts_at"]) > now
             and datetime.fromisoformat(s["starts_at"]) - now < timedelta(hours=18)]
    if today:
        return AtPost(code, None, today[0] | {"opens_at": policy.check_in_window(
            datetime.fromisoformat(today[0]["starts_at"]), datetime.fromisoformat(today[0]["ends_at"]))[0]},
            "opens_later")
    for seat in seats:  # on now, but somewhere else
        opens, closes = policy.check_in_window(datetime.fromisoformat(seat["starts_at"]),
                                                datetime.fromisoformat(seat["ends_at"]))
        if seat["state"] in ("signed_up", "checked_in") and opens <= now <= closes:
            return AtPost(code, None, seat, "other_post")
    return AtPost(code, None, None, "no_shift_here")
