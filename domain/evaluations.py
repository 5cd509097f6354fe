"""An evaluation (评价) of a volunteer's service over a period, by a coordinator: a rating from the
programme's scale and a comment. A record's contents include it (志愿服务记录与证明出具办法), so it
is never edited: a later amendment says what it is now, and why."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import event

from domain import bounds
from domain.aggregate import Aggregate
from domain.errors import InvalidCommand
from domain.personal import personal

SCALE = ("excellent", "good", "pass", "fail")  # 优秀、良好、合格、不合格
COMMENT = 1000


def _checked(rating: str, comment: str, scale: tuple[str, ...]) -> tuple[str, str]:
    if rating not in scale:
        raise InvalidCommand("rating", "must be one of the programme's ratings: {ratings}", ratings=", ".join(scale))
    return rating, bounds.text("comment", comment, COMMENT, 0).strip()


class Evaluation(Aggregate):
    @classmethod
    def give(cls, volunteer_id: UUID, unit_id: UUID, first_day: date, last_day: date, rating: str, comment: str,
             scale: tuple[str, ...], evaluator: str, actor: str) -> Evaluation:
        bounds.day("from", first_day)
        bounds.day("to", last_day)
        if last_day < first_day:
            raise InvalidCommand("to", "must not be before from")
        rating, comment = _checked(rating, comment, scale)
        return cls(volunteer_id, unit_id, first_day, last_day, rating, comment,
                   bounds.text("evaluator", evaluator, bounds.NAME), actor)

    @event("Given")
    def __init__(self, volunteer_id: UUID, unit_id: UUID, first_day: date, last_day: date, rating: str, comment: str,
                 evaluator: str, actor: str) -> None:
        self.volunteer_id, self.unit_id, self.first_day, self.last_day = volunteer_id, unit_id, first_day, last_day
        self.rating, self.comment, self.evaluator = rating, comment, evaluator
        self.amendments = 0

    def amend(self, rating: str, comment: str, reason: str, scale: tuple[str, ...], actor: str) -> None:
        rating, comment = _checked(rating, comment, scale)
        if not reason.strip():
            raise InvalidCommand("reason", "say why the evaluation changes")
        if (rating, comment) == (self.rating, self.comment):
            raise InvalidCommand("rating", "is what the evaluation says already")
        self._amended(self.volunteer_id, rating, comment, bounds.text("reason", reason, bounds.REASON).strip(), actor)

    @event("Amended")
    def _amended(self, volunteer_id: UUID, rating: str, comment: str, reason: str, actor: str) -> None:
        self.rating, self.comment = rating, comment
        self.amendments += 1


# What a coordinator wrote of a person is theirs: sealed with their key, forgotten with them.
personal(Evaluation.Given, "comment", owner="volunteer_id")
personal(Evaluation.Amended, "comment", owner="volunteer_id")
