"""Kiosk device use cases: offer a pairing code, pair with it, unpair."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from domain.devices import Device, device_id
from domain.errors import NotFound, PairingInvalid
from domain.units import Unit
from domain.usecases.ledger import Ledger, Receipt


class DeviceUseCases(Ledger):
    def offer_pairing(self, code: str, unit_id: UUID, name: str, expires_at: datetime, actor: str) -> Receipt:
        self._get(Unit, unit_id, "unit")
        device = Device.offer(code, unit_id, name, expires_at, actor)
        return Receipt(self._commit(device), device.id)

    def pair_device(self, code: str) -> Receipt:
        """The tablet holding the code becomes the unit's kiosk (once: a second tablet is refused)."""
        def decide() -> Receipt:
            try:
                device = self._get(Device, device_id(code), "device")
            except NotFound:
                raise PairingInvalid("This pairing code is not known: check it, or ask the coordinator.") from None
            device.pair(self.clock.now(), f"device:{device.id}")
            return Receipt(self._commit(device), device.id)
        return self._decide(decide)

    def revoke_device(self, id: UUID, actor: str) -> Receipt:
        return self._change(Device, id, "device", lambda device: device.revoke(actor))

    def get_device(self, id: UUID) -> Device:
        return self._read(Device, id, "device")

    def known_device(self, id: UUID) -> Device | None:
        """The device as this process last read it, without asking the log: a desk goes on while
        the log's database is away (an unpairing cannot be recorded meanwhile either)."""
        return self._known(Device, id)
