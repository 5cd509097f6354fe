"""The code a post shows (扫码签到): it names its unit and post, is signed with the programme's key
and is good for a short while, so that a check-in by scanning it happened at the post. A post
without a screen has a printed code that never changes; with it goes a short code of the day that
the coordinator reads out. Nothing about a code is stored: it is checked, then forgotten."""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import date, datetime, timezone
from uuid import UUID

from domain.errors import PostCodeExpired, PostCodeForged

PERIOD_SECONDS = 30  # a post display shows a new code this often
LONGEST_AGE_SECONDS = 90  # a code older than this is refused, unless the programme sets otherwise
SKEW_SECONDS = 5  # a screen's clock a little ahead of the server's is still believed
PRINTED = "p"  # in place of the time: a printed code, which needs the short code of the day


@dataclass(frozen=True)
class PostCode:
    unit_id: UUID
    post: str
    issued_at: datetime | None  # None: the printed code


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(key: bytes, payload: str) -> str:
    return _b64(hmac.new(key, payload.encode(), hashlib.sha256).digest()[:12])


def shown(key: bytes, unit_id: UUID, post: str, at: datetime) -> str:
    """The code a post display shows at `at` (the same for the whole 30 seconds it falls in)."""
    issued = int(at.timestamp()) // PERIOD_SECONDS * PERIOD_SECONDS
    payload = f"{unit_id.hex}.{_b64(post.encode())}.{issued}"
    return f"{payload}.{_signature(key, payload)}"


def printed(key: bytes, unit_id: UUID, post: str) -> str:
    payload = f"{unit_id.hex}.{_b64(post.encode())}.{PRINTED}"
    return f"{payload}.{_signature(key, payload)}"


def short_code(key: bytes, unit_id: UUID, post: str, day: date) -> str:
    """Four digits for the printed code, new each day: said at the post, so a photo of the poster alone
    checks nobody in from home."""
    digest = hmac.new(key, f"short.{unit_id.hex}.{post}.{day.isoformat()}".encode(), hashlib.sha256).digest()
    return f"{int.from_bytes(digest[:4], 'big') % 10_000:04d}"


def read(key: bytes, code: str, now: datetime, longest_age: int = LONGEST_AGE_SECONDS) -> PostCode:
    """The unit and post a code names, if it is ours and still good; else PostCodeForged (not signed by us,
    or garbled) or PostCodeExpired (too old, or from the future)."""
    parts = code.strip().split(".")
    if len(parts) != 4 or len(code) > 200:
        raise PostCodeForged("This is not a CareLedger post code.")
    unit_hex, post_b64, issued, signature = parts
    if not hmac.compare_digest(_signature(key, f"{unit_hex}.{post_b64}.{issued}"), signature):
        raise PostCodeForged("This is not a CareLedger post code.")
    try:
        unit_id, post = UUID(hex=unit_hex), _unb64(post_b64).decode()
    except (ValueError, UnicodeDecodeError):  # signed by us, so never: but a code is input
        raise PostCodeForged("This is not a CareLedger post code.") from None
    if issued == PRINTED:
        return PostCode(unit_id, post, None)
    try:
        at = datetime.fromtimestamp(int(issued), timezone.utc)
    except (ValueError, OverflowError, OSError):
        raise PostCodeForged("This is not a CareLedger post code.") from None
    age = (now - at).total_seconds()
    if age > longest_age or age < -SKEW_SECONDS:
        raise PostCodeExpired("This code has expired: scan the code on the post's screen again.")
    return PostCode(unit_id, post, at)
