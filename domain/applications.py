"""An application to volunteer (志愿者报名), from the public form to the first shift: applied →
interviewed → screened (the credentials the programme asks for, recorded) → trained (pre-job training
passed) → active; or rejected, or withdrawn, with a reason the applicant is told.

The applicant is a pending Volunteer from the moment they apply (their name and phone are sealed
there, as every volunteer's); the Application holds the pipeline, the agreement and the consent they
accepted, and the emergency contact and guardian, sealed with the same person's key."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from eventsourcing.domain import event

from domain import bounds
from domain.aggregate import Aggregate
from domain.errors import ApplicationStepOutOfOrder, InvalidCommand, ScreeningIncomplete, TrainingIncomplete
from domain.personal import personal

APPLIED, INTERVIEWED, SCREENED, TRAINED, ACTIVE = "applied", "interviewed", "screened", "trained", "active"
REJECTED, WITHDRAWN = "rejected", "withdrawn"
STAGES = (APPLIED, INTERVIEWED, SCREENED, TRAINED, ACTIVE)
CLOSED = (ACTIVE, REJECTED, WITHDRAWN)
AVAILABILITY = ("weekday_mornings", "weekday_afternoons", "weekday_evenings", "weekend_mornings",
                "weekend_afternoons", "weekend_evenings")
ADULT_AGE = 18
_NEXT = {APPLIED: INTERVIEWED, INTERVIEWED: SCREENED, SCREENED: TRAINED, TRAINED: ACTIVE}


def birth_date_of(id_type: str, id_number: str) -> date | None:
    """The birth date a resident identity card number carries (digits 7–14, YYYYMMDD), else None."""
    if id_type != "resident_id" or len(id_number) != 18:
        return None
    try:
        return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except ValueError:
        return None


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class Application(Aggregate):
    @classmethod
    def submit(cls, volunteer_id: UUID, unit_id: UUID, born: date, availability: list[str],
               emergency_name: str, emergency_phone: str, guardian_name: str, guardian_phone: str,
               guardian_consents: bool, agreement_version: str, agreement_accepted: bool, consent_version: str,
               consent_given: bool, id_digest: str, phone_digest: str, duplicate_of: UUID | None, at: datetime,
               actor: str) -> Application:
        """The form as checked: the agreement and the consent each accepted, a minor's guardian named
        and consenting; recorded with both acceptances (and the guardian's) as events of their own."""
        if not agreement_accepted:
            raise InvalidCommand("agreement", "read and accept the service agreement to apply")
        if not consent_given:
            raise InvalidCommand("consent", "consent to the processing of your personal data to apply")
        for item in availability:
            if item not in AVAILABILITY:
                raise InvalidCommand("availability", f"must be among {', '.join(AVAILABILITY)}")
        if born > at.date() or born.year < 1900:
            raise InvalidCommand("birth_date", "must be a real date of birth")
        if not emergency_name.strip():
            raise InvalidCommand("emergency_name", "name someone to call in an emergency")
        emergency_phone = bounds.phone("emergency_phone", emergency_phone)
        minor = age_on(born, at.date()) < ADULT_AGE
        if minor:
            if not guardian_name.strip():
                raise InvalidCommand("guardian_name", "an applicant under 18 needs a guardian's name")
            guardian_phone = bounds.phone("guardian_phone", guardian_phone)
            if not guardian_consents:
                raise InvalidCommand("guardian_consent", "an applicant under 18 needs a guardian's consent")
        application = cls(volunteer_id, unit_id, born, minor, sorted(set(availability)),
                          bounds.text("emergency_name", emergency_name, bounds.NAME), emergency_phone,
                          bounds.text("guardian_name", guardian_name, bounds.NAME) if minor else "",
                          guardian_phone if minor else "", id_digest, phone_digest, duplicate_of, at, actor)
        application._agreement_accepted(agreement_version, at, actor)
        application._data_consent_given(consent_version, at, actor)
        if minor:
            application._guardian_consented(at, actor)
        return application

    @event("Submitted")
    def __init__(self, volunteer_id: UUID, unit_id: UUID, born: date, minor: bool, availability: list[str],
                 emergency_name: str, emergency_phone: str, guardian_name: str, guardian_phone: str,
                 id_digest: str, phone_digest: str, duplicate_of: UUID | None, at: datetime, actor: str) -> None:
        self.volunteer_id, self.unit_id, self.born, self.minor = volunteer_id, unit_id, born, minor
        self.availability, self.submitted_at, self.duplicate_of = availability, at, duplicate_of
        self.emergency_name, self.emergency_phone = emergency_name, emergency_phone
        self.guardian_name, self.guardian_phone = guardian_name, guardian_phone
        self.stage = APPLIED
        self.agreement_version = self.consent_version = ""
        self.reason = ""

    @event("AgreementAccepted")
    def _agreement_accepted(self, version: str, at: datetime, actor: str) -> None:
        self.agreement_version = version

    @event("DataConsentGiven")
    def _data_consent_given(self, version: str, at: datetime, actor: str) -> None:
        self.consent_version = version

    @event("GuardianConsented")
    def _guardian_consented(self, at: datetime, actor: str) -> None:
        pass

    # --- the pipeline -------------------------------------------------------------------------

    def _ensure_at(self, stage: str, step: str) -> None:
        if self.stage in CLOSED:
            raise ApplicationStepOutOfOrder(f"This application is {self.stage}.", stage=self.stage)
        if self.stage != stage:
            raise ApplicationStepOutOfOrder(f"This application is {self.stage}: it cannot be {step} now.",
                                            stage=self.stage)

    def interview(self, note: str, at: datetime, actor: str) -> None:
        self._ensure_at(APPLIED, "interviewed")
        self._interviewed(bounds.text("note", note, bounds.REASON, 0), at, actor)

    @event("Interviewed")
    def _interviewed(self, note: str, at: datetime, actor: str) -> None:
        self.stage = INTERVIEWED

    def screen(self, required: tuple[str, ...], held: set[str], at: datetime, actor: str) -> None:
        """Health screening done: each credential the programme asks for is among those the volunteer `held`."""
        self._ensure_at(INTERVIEWED, "screened")
        missing = [kind for kind in required if kind not in held]
        if missing:
            raise ScreeningIncomplete(f"Still to record: {', '.join(missing)}.", missing=missing)
        self._screened(sorted(required), at, actor)

    @event("Screened")
    def _screened(self, credentials: list[str], at: datetime, actor: str) -> None:
        self.stage = SCREENED

    def train(self, passed_pre_job: bool, at: datetime, actor: str) -> None:
        self._ensure_at(SCREENED, "marked trained")
        if not passed_pre_job:
            raise TrainingIncomplete("The pre-job training is not passed yet.")
        self._trained(at, actor)

    @event("Trained")
    def _trained(self, at: datetime, actor: str) -> None:
        self.stage = TRAINED

    def activate(self, at: datetime, actor: str) -> None:
        self._ensure_at(TRAINED, "activated")
        self._activated(at, actor)

    @event("Activated")
    def _activated(self, at: datetime, actor: str) -> None:
        self.stage = ACTIVE

    def reject(self, reason: str, at: datetime, actor: str) -> None:
        self._close("rejected", reason, at, actor)

    def withdraw(self, reason: str, at: datetime, actor: str) -> None:
        self._close("withdrawn", reason, at, actor)

    def _close(self, how: str, reason: str, at: datetime, actor: str) -> None:
        if self.stage in CLOSED:
            raise ApplicationStepOutOfOrder(f"This application is {self.stage}.", stage=self.stage)
        if not reason.strip():
            raise InvalidCommand("reason", "say why: the applicant is told")
        reason = bounds.text("reason", reason, bounds.REASON)
        (self._rejected if how == "rejected" else self._withdrawn)(reason, at, actor)

    @event("Rejected")
    def _rejected(self, reason: str, at: datetime, actor: str) -> None:
        self.stage, self.reason = REJECTED, reason

    @event("Withdrawn")
    def _withdrawn(self, reason: str, at: datetime, actor: str) -> None:
        self.stage, self.reason = WITHDRAWN, reason

    def next_stage(self) -> str | None:
        return _NEXT.get(self.stage)


# Sealed with the applicant's own key (their volunteer's), and forgotten with them.
personal(Application.Submitted, "emergency_name", "emergency_phone", "guardian_name", "guardian_phone",
         "id_digest", "phone_digest", owner="volunteer_id")
personal(Application, "emergency_name", "emergency_phone", "guardian_name", "guardian_phone", owner="volunteer_id")
