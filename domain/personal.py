"""Personal data that can be forgotten although the log is never rewritten (crypto-shredding).

A volunteer's name and phone are sealed, wherever they are written to the log, with a key of
that volunteer's own, kept in a key vault beside the log. Forgetting the volunteer deletes the
key: the sealed values stay in the log, unreadable forever, and read as ERASED; everything else
(hours, tallies, who served when) reads as before. The vaults and the sealing itself are storage:
domain/storage/vaults.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

ERASED = "[erased]"

# event class -> the fields of it that are personal; aggregate class -> its personal attributes
PERSONAL_FIELDS: dict[type, tuple[str, ...]] = {}
# event class -> the field naming whose personal data it is, where that is not the event's aggregate
PERSONAL_OWNERS: dict[type, str] = {}


def personal(cls: type, *fields: str, owner: str | None = None) -> None:
    """Declare fields of an event class (or attributes of an aggregate, for its snapshots) personal;
    `owner` names the field holding the person's id when the event is another aggregate's (a
    certificate about a volunteer is sealed with that volunteer's key, and forgotten with it)."""
    PERSONAL_FIELDS[cls] = fields
    if owner is not None:
        PERSONAL_OWNERS[cls] = owner


def owner_of(cls: type, state: Mapping[str, Any], originator_id: UUID) -> UUID:
    field = PERSONAL_OWNERS.get(cls)
    if field is None:
        return originator_id
    value = state[field]
    return value if isinstance(value, UUID) else UUID(value)
