"""Questions only a log can answer: how a shift's roster stood at any past moment."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from domain.shifts import WITHDRAWN, Shift


def roster_as_of(ledger: Any, shift_id: UUID, as_of: datetime) -> list[dict] | None:
    """The seats of a shift as recorded at `as_of` (None if the shift did not exist yet)."""
    version = None
    for event in ledger.events.get(shift_id):
        if event.timestamp > as_of:
            break
        version = event.originator_version
    if version is None:
        return None
    shift: Shift = ledger.repository.get(shift_id, version=version)
    return [
        {"volunteer_id": str(volunteer_id), "state": seat.state, "trainee": seat.trainee}
        for volunteer_id, seat in shift.seats.items() if seat.state != WITHDRAWN
    ]
