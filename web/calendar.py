"""Calendar feeds (RFC 5545, with the `icalendar` package): a volunteer's own shifts, or a unit's
shifts for its coordinators, at a private URL a phone's calendar subscribes to.

The URL carries an HMAC of (account, what it shows, how many times the account has signed out):
no storage, valid on every node, and void once the account changes its password or signs out.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

PRODUCT = "-//CareLedger//Volunteer shifts//EN"


def feed_signature(secret: bytes, account: Any, scope: str) -> str:
    message = f"calendar:{account.id}:{scope}:{account.sessions_ended}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:32]


def feed_path(secret: bytes, account: Any, scope: str) -> str:
    return f"/api/v1/calendar/feeds/{account.id}/{scope}/{feed_signature(secret, account, scope)}.ics"


def feed(name: str, shifts: list[dict], summary: Any, now: datetime, zone: ZoneInfo | None = None) -> bytes:
    """An iCalendar file of shifts: `summary(shift)` names each event. A cancelled shift (or a
    seat given up) stays, with STATUS:CANCELLED, so that subscribed calendars mark it. Each change
    raises SEQUENCE and moves LAST-MODIFIED (and DTSTAMP, which equals it in a feed without a
    METHOD, RFC 5545 §3.8.7.2): calendars that keep an event until told otherwise are told. Times
    are in the programme's zone, with its VTIMEZONE."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    for shift in shifts:
        event = Event()
        changed = datetime.fromisoformat(shift["changed_at"]) if shift.get("changed_at") else now
        event.add("uid", f"{shift['shift_id']}@careledger")
        event.add("dtstamp", changed.astimezone(timezone.utc))
        event.add("last-modified", changed.astimezone(timezone.utc))
        event.add("sequence", int(shift.get("revision") or 0))
        starts, ends = datetime.fromisoformat(shift["starts_at"]), datetime.fromisoformat(shift["ends_at"])
        event.add("dtstart", starts.astimezone(zone) if zone else starts)
        event.add("dtend", ends.astimezone(zone) if zone else ends)
        event.add("summary", summary(shift))
        event.add("location", shift.get("unit") or "")
        cancelled = shift.get("cancelled") or shift.get("state") == "withdrawn"
        event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        calendar.add_component(event)
    if zone is not None:
        calendar.add_missing_timezones()
    return calendar.to_ical()
