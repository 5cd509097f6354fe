"""Patients are known only by a keyed hash of the hospital's patient id: the raw id is stored nowhere."""

from __future__ import annotations

import hashlib
import hmac


def patient_ref(patient_id: str, secret: bytes) -> str:
    """HMAC-SHA256 of the normalised patient id; the same patient gives the same reference."""
    digest = hmac.new(secret, patient_id.strip().upper().encode(), hashlib.sha256).hexdigest()
    return f"pr_{digest[:32]}"
