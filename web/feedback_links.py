"""The link a volunteer shows a patient or family member to leave feedback on their service: it names
the shift and the volunteer, signed, so that nobody can make one up for another (no login needed)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from uuid import UUID

_MAC = 9  # bytes of signature: a forgery is a 1 in 2**72 guess


def token(key: bytes, shift_id: UUID, volunteer_id: UUID) -> str:
    body = shift_id.bytes + volunteer_id.bytes
    mac = hmac.new(key, body, hashlib.sha256).digest()[:_MAC]
    return base64.urlsafe_b64encode(body + mac).decode().rstrip("=")


def read(key: bytes, text: str) -> tuple[UUID, UUID] | None:
    """The (shift, volunteer) a token names, or None for anything not made here."""
    if not 40 <= len(text) <= 80:
        return None
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except ValueError:
        return None
    if len(raw) != 32 + _MAC:
        return None
    body, mac = raw[:32], raw[32:]
    if not hmac.compare_digest(mac, hmac.new(key, body, hashlib.sha256).digest()[:_MAC]):
        return None
    return UUID(bytes=body[:16]), UUID(bytes=body[16:])
