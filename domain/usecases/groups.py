"""Group work (小组) and community activity use cases: form a group, hold a meeting."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from domain.groups import GroupWork
from domain.usecases.ledger import Ledger, Receipt
from domain.units import Unit


class GroupUseCases(Ledger):
    def form_group(self, kind: str, unit_id: UUID, title: str, service_type: str, worker: UUID,
                   actor: str) -> Receipt:
        self._get(Unit, unit_id, "unit")
        self._ensure_service_types("service_type", [service_type])
        group = GroupWork.form(kind, unit_id, title, service_type, worker, actor)
        return Receipt(self._commit(group), group.id)

    def get_group(self, id: UUID) -> GroupWork:
        return self._read(GroupWork, id, "group")

    def end_group(self, id: UUID, actor: str) -> Receipt:
        """The group has met for the last time: it leaves the worker's list (its meetings stay counted)."""
        return self._change(GroupWork, id, "group", lambda group: group.end(actor))

    def hold_meeting(self, id: UUID, started_at: datetime, minutes: int, persons: int, actor: str) -> Receipt:
        return self._change(GroupWork, id, "group", lambda group: group.hold_meeting(started_at, minutes, persons, actor))
