"""Who is acting, and for whom they may act: coordinators, kiosks, social workers and wards for
their units, a volunteer for itself, admins and auditors everywhere. Every command asks here."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from domain.errors import DomainError

ROLES = ("admin", "coordinator", "volunteer", "kiosk", "social_worker", "auditor", "ward")
# A ward is a nurse station's account, bound to its unit: it asks for help and sees who is coming.
UNIT_BOUND_ROLES = ("coordinator", "kiosk", "social_worker", "ward")
SYSTEM_ROLE = "system"  # the command line, the importer's own checks, the demo, the periodic jobs


class NotAllowed(DomainError):
    reason = "not_allowed"
    status = 403


@dataclass(frozen=True, slots=True)
class Actor:
    """The logged-in account, as the server knows it (never as the client claims)."""

    account_id: str
    username: str
    role: str
    unit_ids: tuple[str, ...]
    volunteer_id: str | None

    def acts_for(self, unit_id: str | UUID) -> bool:
        return self.role in ("admin", "auditor", SYSTEM_ROLE) or str(unit_id) in self.unit_ids

    def ensure_role(self, *roles: str) -> None:
        if self.role not in roles and self.role != SYSTEM_ROLE:
            raise NotAllowed(f"A {self.role} may not do this.")

    def ensure_unit(self, unit_id: str | UUID) -> None:
        if not self.acts_for(unit_id) or self.role == "volunteer":
            raise NotAllowed(f"{self.username} does not act for unit {unit_id}.")

    def ensure_volunteer(self, volunteer_id: str | UUID, unit_id: str | UUID) -> None:
        """A volunteer acts only for itself; coordinators and kiosks for volunteers of `unit_id`."""
        if self.role == "volunteer":
            if self.volunteer_id != str(volunteer_id):
                raise NotAllowed("A volunteer may act only for itself.")
        elif self.role not in ("admin", SYSTEM_ROLE) and str(unit_id) not in self.unit_ids:
            raise NotAllowed(f"{self.username} does not act for this volunteer's unit.")

    def scope(self) -> list[str] | None:
        """The units whose data this account may read (None: all units)."""
        return None if self.role in ("admin", "auditor", "volunteer", SYSTEM_ROLE) else list(self.unit_ids)


def system(name: str = "system") -> Actor:
    """The programme itself (CLI, demo, jobs): may run any command, for every unit; `name` is its audit name."""
    return Actor(name, name, SYSTEM_ROLE, (), None)
