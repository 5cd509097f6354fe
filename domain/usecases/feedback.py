"""Feedback use cases: a volunteer rates a shift they served (once); a patient or family member
leaves feedback on a volunteer's service, through the link the volunteer shows."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID, uuid4

from domain.errors import AlreadyRated, FeedbackNotOpen
from domain.feedback import PUBLIC, VOLUNTEER, Feedback
from domain.shifts import CHECKED_OUT, Shift
from domain.usecases.ledger import Ledger, Receipt

OPEN_FOR = timedelta(days=14)  # after the shift's end


class FeedbackUseCases(Ledger):
    def ensure_feedback_open(self, shift_id: UUID, volunteer_id: UUID) -> Shift:
        """The shift, if this volunteer served it within the last two weeks (else refused)."""
        shift = self._read(Shift, shift_id, "shift")
        seat = shift.seats.get(volunteer_id)
        if seat is None or seat.state != CHECKED_OUT:
            raise FeedbackNotOpen("Feedback is for a shift served: this one was not (yet).")
        if self.clock.now() > shift.ends_at + OPEN_FOR:
            raise FeedbackNotOpen("Feedback is open for two weeks after the shift; this one is older.")
        return shift

    def rate_shift(self, shift_id: UUID, volunteer_id: UUID, rating: int, line: str, actor: str) -> Receipt:
        """The volunteer's own rating of a shift they served, once (a second is refused, a race too)."""
        def decide() -> Receipt:
            shift = self.ensure_feedback_open(shift_id, volunteer_id)
            if Feedback.create_id(VOLUNTEER, shift_id, volunteer_id) in self.repository:
                raise AlreadyRated("You have rated this shift already. Thank you!")
            feedback = Feedback.give(VOLUNTEER, shift_id, volunteer_id, shift.unit_id, shift.post,
                                     shift.starts_at.date(), rating, line, actor)
            return Receipt(self._commit(feedback), feedback.id)
        return self._decide(decide)

    def leave_feedback(self, shift_id: UUID, volunteer_id: UUID, rating: int, line: str, actor: str) -> Receipt:
        """A patient's or family member's word on a volunteer's service (as many as leave one)."""
        shift = self.ensure_feedback_open(shift_id, volunteer_id)
        feedback = Feedback.give(PUBLIC, shift_id, volunteer_id, shift.unit_id, shift.post, shift.starts_at.date(),
                                 rating, line, actor, nonce=uuid4().hex)
        return Receipt(self._commit(feedback), feedback.id)

    def get_feedback(self, feedback_id: UUID) -> Feedback:
        return self._read(Feedback, feedback_id, "feedback")
