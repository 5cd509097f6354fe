"""Feedback on a service: the volunteer's own rating of a shift they served (once), and what a patient
or family member leaves through the link the volunteer shows (no login, no personal data asked).
A rating from 1 to 5 and a line; the line is read by that unit's coordinators only."""

from __future__ import annotations

from datetime import date
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain import bounds
from domain.aggregate import Aggregate
from domain.errors import InvalidCommand

VOLUNTEER, PUBLIC = SOURCES = ("volunteer", "public")
LINE = 300


def _checked(rating: int, line: str) -> tuple[int, str]:
    bounds.count("rating", rating, 1, 5)
    return rating, bounds.text("line", line, LINE, 0).strip()


class Feedback(Aggregate):
    @staticmethod
    def create_id(source: str, shift_id: UUID, volunteer_id: UUID, nonce: str = "") -> UUID:
        """A volunteer rates a shift once (the id says which); each public feedback has its own."""
        return uuid5(NAMESPACE_URL, f"careledger/feedback/{source}/{shift_id}/{volunteer_id}/{nonce}")

    @classmethod
    def give(cls, source: str, shift_id: UUID, volunteer_id: UUID, unit_id: UUID, post: str, day: date,
             rating: int, line: str, actor: str, nonce: str = "") -> Feedback:
        if source not in SOURCES:
            raise InvalidCommand("source", "must be the volunteer's or the public's")
        rating, line = _checked(rating, line)
        return cls(source=source, shift_id=shift_id, volunteer_id=volunteer_id, unit_id=unit_id, post=post, day=day,
                   rating=rating, line=line, actor=actor, nonce=nonce)

    @event("Given")
    def __init__(self, source: str, shift_id: UUID, volunteer_id: UUID, unit_id: UUID, post: str, day: date,
                 rating: int, line: str, actor: str, nonce: str) -> None:
        self.source, self.shift_id, self.volunteer_id, self.unit_id = source, shift_id, volunteer_id, unit_id
        self.post, self.day, self.rating, self.line = post, day, rating, line
