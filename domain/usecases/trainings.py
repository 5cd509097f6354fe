"""Training use cases: schedule a course, enrol, record attendance, assess (a pass grants the qualification)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from domain.trainings import TrainingCourse
from domain.units import Unit
from domain.usecases.ledger import Ledger, Receipt
from domain.volunteers import Volunteer


class TrainingUseCases(Ledger):

    def schedule_training(self, title: str, kind: str, unit_id: UUID, starts_at: datetime,
                          ends_at: datetime, capacity: int, validity_days: int | None, actor: str,
                          grants: str | None = None) -> Receipt:
        self._get(Unit, unit_id, "unit")
        course = TrainingCourse.schedule(title, kind, unit_id, starts_at, ends_at, capacity,
                                         validity_days, grants, actor)
        return Receipt(self._commit(course), course.id)

    def get_training(self, id: UUID) -> TrainingCourse:
        return self._read(TrainingCourse, id, "training")

    def enrol(self, training_id: UUID, volunteer_id: UUID, actor: str) -> Receipt:
        def decide() -> Receipt:
            course = self._get(TrainingCourse, training_id, "training")
            volunteer = self._get(Volunteer, volunteer_id, "volunteer")
            course.enrol(volunteer, actor)
            return Receipt(self._commit(course), training_id)
        return self._decide(decide)

    def record_attendance(self, training_id: UUID, volunteer_id: UUID, present: bool, actor: str) -> Receipt:
        return self._change(TrainingCourse, training_id, "training", lambda course: course.record_attendance(volunteer_id, present, actor))

    def assess(self, training_id: UUID, volunteer_id: UUID, passed: bool, score: float | None,
               actor: str) -> Receipt:
        def decide() -> Receipt:
            course = self._get(TrainingCourse, training_id, "training")
            volunteer = self._get(Volunteer, volunteer_id, "volunteer")
            course.assess(volunteer, passed, score, actor)
            return Receipt(self._commit(course, volunteer), training_id, passed)
        return self._decide(decide)

    def cancel_training(self, training_id: UUID, reason: str, actor: str) -> Receipt:
        return self._change(TrainingCourse, training_id, "training", lambda course: course.cancel(reason, actor))
