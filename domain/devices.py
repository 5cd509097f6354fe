"""Kiosk devices: a tablet at a volunteer desk, paired once with a code a coordinator gives it, then
acting for that unit alone on a credential of its own until someone unpairs it. Like an invitation,
only the code's digest is kept, and the device's id is derived from it."""

from __future__ import annotations

import hashlib
from datetime import datetime
from uuid import UUID, uuid5

from eventsourcing.domain import event

from domain import bounds
from domain.aggregate import Aggregate
from domain.errors import PairingInvalid

_DEVICES = UUID("3e0f4c55-1b7d-4a9e-8f26-6c1d0b9a7e42")


def pairing_digest(code: str) -> str:
    return hashlib.sha256("".join(ch for ch in code.upper() if ch.isalnum()).encode()).hexdigest()


def device_id(code: str) -> UUID:
    return Device.create_id(pairing_digest(code))


class Device(Aggregate):
    @staticmethod
    def create_id(digest: str) -> UUID:
        return uuid5(_DEVICES, digest)

    @classmethod
    def offer(cls, code: str, unit_id: UUID, name: str, expires_at: datetime, actor: str) -> Device:
        return cls(pairing_digest(code), unit_id, bounds.text("name", name, bounds.NAME), expires_at, actor)

    @event("Offered")
    def __init__(self, digest: str, unit_id: UUID, name: str, expires_at: datetime, actor: str) -> None:
        self.unit_id, self.name, self.expires_at = unit_id, name, expires_at
        self.paired_at: datetime | None = None
        self.revoked = False

    @property
    def acting(self) -> bool:
        """Whether its credential works: paired, and not unpaired since."""
        return self.paired_at is not None and not self.revoked

    def pair(self, at: datetime, actor: str) -> None:
        if self.revoked or self.paired_at is not None:
            raise PairingInvalid("This pairing code was used already; ask the coordinator for a new one.")
        if at > self.expires_at:
            raise PairingInvalid("This pairing code has expired; ask the coordinator for a new one.")
        self._paired(at, actor)

    @event("Paired")
    def _paired(self, at: datetime, actor: str) -> None:
        self.paired_at = at

    def revoke(self, actor: str) -> None:
        if not self.revoked:
            self._revoked(actor)

    @event("Revoked")
    def _revoked(self, actor: str) -> None:
        self.revoked = True
