"""Application use cases: applying (a pending volunteer and their application, in one save), each
step of the pipeline, and closing it with the applicant told why."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from domain.applications import ADULT_AGE, Application
from domain.identity import check_identity
from domain.notices import Notice
from domain.units import Unit
from domain.usecases.ledger import Ledger, Receipt
from domain.usecases.volunteers import EARTHS_LEAD
from domain.volunteers import Holding, Volunteer

PRE_JOB = "pre_job"  # the qualification the pre-job practical training grants
SCREENING = ("health_check",)  # the credentials a newcomer's screening records, unless the programme says otherwise


@dataclass(frozen=True)
class ApplicationForm:
    """What the public form asks, as typed (checked by the aggregates)."""

    unit_id: UUID
    name: str
    phone: str
    id_type: str
    id_number: str
    birth_date: date
    availability: list[str]
    languages: list[str]
    skills: list[str]
    emergency_name: str
    emergency_phone: str
    agreement_accepted: bool
    consent_given: bool
    guardian_name: str = ""
    guardian_phone: str = ""
    guardian_consents: bool = False


class ApplicationUseCases(Ledger):
    def apply(self, form: ApplicationForm, agreement_version: str, consent_version: str, id_digest: str,
              phone_digest: str, duplicate_of: UUID | None, actor: str) -> Receipt:
        """The pending volunteer (name, phone, identity document) and the application, in one save."""
        self._read(Unit, form.unit_id, "unit")
        volunteer = Volunteer.register(form.name, form.phone, form.unit_id, form.languages, form.skills, actor)
        volunteer.record_identity(form.id_type, check_identity(form.id_type, form.id_number), "", actor)
        application = Application.submit(
            volunteer.id, form.unit_id, form.birth_date, form.availability, form.emergency_name,
            form.emergency_phone, form.guardian_name, form.guardian_phone, form.guardian_consents, agreement_version,
            form.agreement_accepted, consent_version, form.consent_given, id_digest, phone_digest, duplicate_of,
            self.clock.now(), actor)
        if application.minor:
            born = application.born
            adult_from = born.replace(year=born.year + ADULT_AGE) if (born.month, born.day) != (2, 29) else \
                date(born.year + ADULT_AGE, 3, 1)
            volunteer.record_minor(adult_from, actor)
        return Receipt(self._commit(volunteer, application), application.id)

    def get_application(self, id: UUID) -> Application:
        return self._read(Application, id, "application")

    def interview_applicant(self, id: UUID, note: str, actor: str) -> Receipt:
        return self._change(Application, id, "application", lambda a: a.interview(note, self.clock.now(), actor))

    def screen_applicant(self, id: UUID, required: tuple[str, ...], actor: str) -> Receipt:
        """Screened once the volunteer holds every credential the programme asks for, valid today."""
        def screen(application: Application) -> None:
            application.screen(required, self._credentials_held(application), self.clock.now(), actor)
        return self._change(Application, id, "application", screen)

    def mark_applicant_trained(self, id: UUID, actor: str) -> Receipt:
        def train(application: Application) -> None:
            application.train(self._passed_pre_job(application), self.clock.now(), actor)
        return self._change(Application, id, "application", train)

    def ready_for_next_step(self, id: UUID, required: tuple[str, ...]) -> bool:
        """Whether screening or training would be recorded now (the board offers no step that would be refused)."""
        application = self.get_application(id)
        if application.stage == "interviewed":
            return set(required) <= self._credentials_held(application)
        if application.stage == "screened":
            return self._passed_pre_job(application)
        return True

    def _credentials_held(self, application: Application) -> set[str]:
        volunteer = self._read(Volunteer, application.volunteer_id, "volunteer")
        return {kind for kind, holding in volunteer.credentials.items() if self._held_today(holding)}

    def _passed_pre_job(self, application: Application) -> bool:
        held = self._read(Volunteer, application.volunteer_id, "volunteer").qualifications.get(PRE_JOB)
        return held is not None and self._held_today(held)

    def _held_today(self, holding: Holding) -> bool:
        """Valid today on the programme's wall clock, whichever zone it keeps: a check recorded this
        morning in Shanghai is already 'tomorrow' in UTC's terms."""
        now = self.clock.now()
        return holding.valid_on(now.date()) or holding.valid_on((now + EARTHS_LEAD).date())

    def activate_applicant(self, id: UUID, actor: str) -> Receipt:
        """Active: the application and the volunteer's approval in one save."""
        def decide() -> Receipt:
            application = self._get(Application, id, "application")
            volunteer = self._get(Volunteer, application.volunteer_id, "volunteer")
            application.activate(self.clock.now(), actor)
            volunteer.approve(actor)
            if application.agreement_version:  # the agreement accepted on the form goes with them
                volunteer.accept_agreement(application.agreement_version, actor)
            return Receipt(self._commit(application, volunteer), application.volunteer_id)
        return self._decide(decide)

    def close_application(self, id: UUID, how: str, reason: str, unit_name: str, actor: str) -> Receipt:
        """Rejected or withdrawn, with the applicant told why (a notice in the same save); their
        registration retired, so that no list offers them."""
        def decide() -> Receipt:
            application = self._get(Application, id, "application")
            volunteer = self._get(Volunteer, application.volunteer_id, "volunteer")
            (application.reject if how == "rejected" else application.withdraw)(reason, self.clock.now(), actor)
            volunteer.retire(actor)
            notice = Notice(key=f"application_{how}:{application.id}", volunteer_id=volunteer.id,
                            kind=f"application_{how}", facts={"reason": application.reason, "unit": unit_name,
                                                                "applied_on": application.submitted_at.date().isoformat()},
                            at=self.clock.now(), actor=actor)
            return Receipt(self._commit(application, volunteer, notice), application.id)
        return self._decide(decide)
