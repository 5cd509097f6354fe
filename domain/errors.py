"""Domain errors: each broken rule carries a reason code from API.md and words a coordinator understands."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A command refused by a rule. `status` is the HTTP status the web layer should answer with."""

    reason: str = "refused"
    status: int = 409

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class InvalidCommand(DomainError):
    """A value in the command is malformed or out of range; `field` names it."""

    reason = "invalid_field"
    status = 400

    def __init__(self, field: str, problem: str, **values: object) -> None:
        # `problem` may hold {placeholders}: a screen translates the sentence, then fills them in
        super().__init__(f"{field}: {problem.format(**values) if values else problem}", field=field)
        self.field, self.problem, self.values = field, problem, values


class NotFound(DomainError):
    reason = "not_found"
    status = 404

    def __init__(self, kind: str, id: object) -> None:
        super().__init__(f"No {kind} with id {id}", kind=kind, id=str(id))


class ConcurrentChange(DomainError):
    reason = "concurrent_change"


class ShiftFull(DomainError):
    reason = "shift_full"


class OverlappingShift(DomainError):
    reason = "overlapping_shift"


class NotQualified(DomainError):
    reason = "not_qualified"
    status = 422


class QualificationExpired(DomainError):
    reason = "qualification_expired"
    status = 422


class VolunteerNotActive(DomainError):
    reason = "volunteer_not_active"
    status = 422


class NotSignedUp(DomainError):
    reason = "not_signed_up"


class AlreadyCheckedOut(DomainError):
    reason = "already_checked_out"


class AlreadyCheckedIn(DomainError):
    reason = "already_checked_in"


class NotCheckedIn(DomainError):
    reason = "not_checked_in"


class MarkedNoShow(DomainError):
    reason = "marked_no_show"


class OutsideCheckInWindow(DomainError):
    reason = "outside_check_in_window"


class ShiftCancelled(DomainError):
    reason = "shift_cancelled"


class ShiftStarted(DomainError):
    reason = "shift_started"


class ShiftNotStarted(DomainError):
    reason = "shift_not_started"


class VolunteersOnDuty(DomainError):
    reason = "volunteers_on_duty"


class CapacityBelowSignups(DomainError):
    reason = "capacity_below_signups"


class TrainingFull(DomainError):
    reason = "training_full"


class TrainingCancelled(DomainError):
    reason = "training_cancelled"


class NotEnrolled(DomainError):
    reason = "not_enrolled"


class InvalidTransition(DomainError):
    """A status change that makes no sense from the current status (e.g. approving a retired volunteer)."""

    reason = "invalid_transition"


class CorrectionNotPending(DomainError):
    reason = "correction_not_pending"


class SessionClosed(DomainError):
    reason = "session_closed"


class UsernameTaken(DomainError):
    reason = "username_taken"


class UnitNameTaken(DomainError):
    """Two units of one name cannot be told apart in any list of units."""

    reason = "unit_name_taken"


class UnknownServiceType(InvalidCommand):
    reason = "unknown_service_type"


class ConsentMissing(DomainError):
    """PIPL: processing a patient's health information needs the patient's separate, valid consent."""

    reason = "consent_missing"
    status = 422


class CaseClosed(DomainError):
    reason = "case_closed"


class CaseStepOutOfOrder(DomainError):
    reason = "case_step_out_of_order"


class CountersignaturePending(DomainError):
    reason = "countersignature_pending"


class NotPending(DomainError):
    reason = "note_not_pending"


class NoticeNotDue(DomainError):
    reason = "notice_not_due"


class NobodyToAsk(DomainError):
    """Nobody qualified is on duty there or on call at that time."""

    reason = "nobody_to_ask"
    status = 422


class NoInterpreterAvailable(NobodyToAsk):
    """Nobody holding a valid sign-language qualification is free or on duty at that time."""

    reason = "no_interpreter_available"


class RequestTaken(DomainError):
    reason = "request_taken"


class RequestClosed(DomainError):
    reason = "request_closed"


class InterpreterAlreadyBooked(RequestTaken):
    reason = "interpreter_already_booked"


class InterpreterRequestClosed(RequestClosed):
    reason = "interpreter_request_closed"


class CertificateDetailsMissing(DomainError):
    """A certificate must name the unit's responsible person and a contact: set them first."""

    reason = "certificate_details_missing"
    status = 422


class IdentityMissing(DomainError):
    """A certificate names the volunteer's identity document: record it first."""

    reason = "identity_missing"
    status = 422


class InvitationInvalid(DomainError):
    """The code is unknown, used already or past its day: the coordinator can issue a new one."""

    reason = "invitation_invalid"
    status = 422


class InvitationSent(DomainError):
    """An invitation goes to the volunteer once: a second tap is the first one's echo."""

    reason = "invitation_sent"
    status = 409


class Unreachable(DomainError):
    """Nothing to send it by: no mail or SMS channel on this server, or no address or phone for the person."""

    reason = "unreachable"
    status = 422


class PairingInvalid(DomainError):
    """A kiosk's pairing code is unknown, used already or past its time: the coordinator makes a new one."""

    reason = "pairing_invalid"
    status = 422


class PostCodeForged(DomainError):
    """A scanned code that is not a post code of this programme (or was altered)."""

    reason = "post_code_forged"
    status = 422


class PostCodeExpired(DomainError):
    """A post code older than the programme allows: a photo, or a link passed on."""

    reason = "post_code_expired"
    status = 422


class PostCodeReplayed(DomainError):
    """The code that checked this volunteer in, shown again to check out: a new scan is needed."""

    reason = "post_code_replayed"
    status = 422


class ShortCodeWrong(DomainError):
    """A printed post code with a short code that is not today's."""

    reason = "short_code_wrong"
    status = 422


class PostCodeRequired(DomainError):
    """This post checks in by scanning its code, not from anywhere."""

    reason = "post_code_required"
    status = 422


class NoShiftAtPost(DomainError):
    """The scanned post has no shift of this volunteer's that can be checked into now."""

    reason = "no_shift_at_post"
    status = 409


class ApplicationStepOutOfOrder(DomainError):
    """An application's step taken at the wrong stage (interviewed twice, activated before training)."""

    reason = "application_step_out_of_order"


class ScreeningIncomplete(DomainError):
    """The health screening the programme asks of a newcomer is not all recorded yet."""

    reason = "screening_incomplete"
    status = 422


class TrainingIncomplete(DomainError):
    """The applicant has not passed the pre-job training yet."""

    reason = "training_incomplete"
    status = 422


class MinorOutsideDaytime(DomainError):
    """A volunteer under 18 and a shift outside the daytime the programme allows them."""

    reason = "minor_outside_daytime"
    status = 422


class OverDailyHours(DomainError):
    """A sign-up that would take a volunteer past the programme's (or unit's) hours of shifts a day."""

    reason = "over_daily_hours"
    status = 422


class OverWeeklyHours(DomainError):
    reason = "over_weekly_hours"
    status = 422


class TooLittleRest(DomainError):
    """Two shifts closer together than the rest the programme asks for."""

    reason = "too_little_rest"
    status = 422


class NoShowReview(DomainError):
    """Too many no-shows lately: a coordinator reviews (and clears) before new sign-ups."""

    reason = "no_show_review"
    status = 409


class PlacesFree(DomainError):
    """A waitlist for a shift that has a free place: a sign-up takes it."""

    reason = "places_free"


class AlreadySignedUp(DomainError):
    reason = "already_signed_up"


class NoOffer(DomainError):
    """A place taken that is not offered, or offered to someone else."""

    reason = "no_offer"


class NoHandoverPending(DomainError):
    """An approval or a refusal of a handover nobody has asked for (or decided already)."""

    reason = "no_handover_pending"


class FeedbackNotOpen(DomainError):
    """Feedback is for a shift served, within two weeks of it."""

    reason = "feedback_not_open"
    status = 422


class AlreadyRated(DomainError):
    reason = "already_rated"
