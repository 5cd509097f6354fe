"""The TrainingCourse: a pre-job, sign-language or other course; passing grants a qualification."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from eventsourcing.domain import event

from domain import bounds
from domain.aggregate import Aggregate

from domain.errors import InvalidCommand, NotEnrolled, TrainingCancelled, TrainingFull, VolunteerNotActive
from domain.volunteers import ACTIVE, PENDING, Volunteer

TRAINING_KINDS = ("pre_job", "sign_language", "other")


class TrainingCourse(Aggregate):
    @classmethod
    def schedule(
        cls, title: str, kind: str, unit_id: UUID, starts_at: datetime, ends_at: datetime,
        capacity: int, validity_days: int | None, grants: str | None, actor: str,
    ) -> TrainingCourse:
        title = bounds.text("title", title, bounds.TITLE)
        if kind not in TRAINING_KINDS:
            raise InvalidCommand("kind", f"must be one of {', '.join(TRAINING_KINDS)}")
        bounds.span(starts_at, ends_at, timedelta(days=bounds.TRAINING_DAYS))
        bounds.count("capacity", capacity, 1, bounds.TRAINING_PLACES)
        if validity_days is not None:
            bounds.count("validity_days", validity_days, 1, bounds.VALIDITY_DAYS)
        if grants is not None:
            grants = bounds.text("grants", grants, bounds.TAG)
        # An "other" course grants what it is said to, or nothing: "other" is no qualification anyone needs.
        grants = grants or (kind if kind != "other" else "")
        return cls(title, kind, unit_id, starts_at, ends_at, capacity, grants, validity_days, actor)

    @event("Scheduled")
    def __init__(
        self, title: str, kind: str, unit_id: UUID, starts_at: datetime, ends_at: datetime,
        capacity: int, grants: str, validity_days: int | None, actor: str,
    ) -> None:
        self.title, self.kind, self.unit_id = title, kind, unit_id
        self.starts_at, self.ends_at = starts_at, ends_at
        self.capacity, self.grants, self.validity_days = capacity, grants, validity_days
        self.enrolled: set[UUID] = set()
        self.attended: dict[UUID, bool] = {}
        self.results: dict[UUID, bool] = {}
        self.cancelled = False

    def _ensure_open(self) -> None:
        if self.cancelled:
            raise TrainingCancelled("This training has been cancelled.")

    def enrol(self, volunteer: Volunteer, actor: str) -> bool:
        """Enrol the volunteer; False when already enrolled (a retry)."""
        self._ensure_open()
        if volunteer.id in self.enrolled:
            return False
        if volunteer.status not in (PENDING, ACTIVE):
            raise VolunteerNotActive(f"{volunteer.name} is {volunteer.status}.", volunteer_status=volunteer.status)
        if len(self.enrolled) >= self.capacity:
            raise TrainingFull("This training is full.", capacity=self.capacity)
        self._enrolled(volunteer.id, actor)
        return True

    @event("Enrolled")
    def _enrolled(self, volunteer_id: UUID, actor: str) -> None:
        self.enrolled.add(volunteer_id)

    def record_attendance(self, volunteer_id: UUID, present: bool, actor: str) -> None:
        self._ensure_enrolled(volunteer_id)
        self._attendance_recorded(volunteer_id, present, actor)

    @event("AttendanceRecorded")
    def _attendance_recorded(self, volunteer_id: UUID, present: bool, actor: str) -> None:
        self.attended[volunteer_id] = present

    def _ensure_enrolled(self, volunteer_id: UUID) -> None:
        self._ensure_open()
        if volunteer_id not in self.enrolled:
            raise NotEnrolled("This volunteer is not enrolled in this training.")

    def assess(self, volunteer: Volunteer, passed: bool, score: float | None, actor: str) -> None:
        """Record the result; a pass grants the course's qualification in the same transaction."""
        self._ensure_enrolled(volunteer.id)
        if score is not None and not 0 <= score <= 100:
            raise InvalidCommand("score", "must be between 0 and 100")
        self._assessed(volunteer.id, passed, score, actor)
        if passed and self.grants and self.grants != "other":
            since = self.ends_at.date()
            until = min(since + timedelta(days=self.validity_days), bounds.LATEST_DAY) if self.validity_days else None
            volunteer.grant_qualification(self.grants, self.id, since, until, actor)

    @event("Assessed")
    def _assessed(self, volunteer_id: UUID, passed: bool, score: float | None, actor: str) -> None:
        self.results[volunteer_id] = passed

    def cancel(self, reason: str, actor: str) -> None:
        self._ensure_open()
        self._cancelled(reason, actor)

    @event("Cancelled")
    def _cancelled(self, reason: str, actor: str) -> None:
        self.cancelled = True


# Stores written before the domain checked these bounds may hold impossible counts: read them clamped.
bounds.repaired_on_read(TrainingCourse.Scheduled)(
    lambda state: bounds.clamped(state, {"capacity": (1, bounds.TRAINING_PLACES),
                                         "validity_days": (1, bounds.VALIDITY_DAYS)}))
