"""Every command, as each face runs it: the API, the browser forms, the command line, the importer,
the demo and the jobs call the same method here, which checks who is acting (role, unit, self, case
membership, supervision) and then runs the one use case. No face has permission logic of its own.

Each method's roles are read by the HTTP layer too (web/auth.py `may(Commands.check_out)`, a route guard),
so a route cannot ask for other roles than the command it runs."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta
from functools import cached_property, wraps
from typing import Any, TypeVar
from uuid import UUID
from zoneinfo import ZoneInfo

from litestar.di import NamedDependency

from domain import bounds, post_codes
from domain.applications import birth_date_of
from domain.identity import check_identity
from domain.usecases.applications import SCREENING, ApplicationForm
from domain.application import CareLedger
from domain.cases import Case
from domain.errors import (DomainError, InvalidCommand, InvitationInvalid, NoShiftAtPost, NotFound, ShortCodeWrong,
                           UnitNameTaken, Unreachable)
from domain.invitations import invitation_id
from domain.usecases.ledger import Receipt
from domain.certificates import Rated
from domain.stars import stars
from domain.requests import LONGEST_MINUTES, SIGN_LANGUAGE, needed_for
from domain.permissions import ROLES, Actor, NotAllowed
from domain.post_codes import PostCode
from projections import applications, awards, directory, evaluations, feedback, hours, requests
from web.agreements import AGREEMENT, DATA_CONSENT
from web import feedback_links
from web.at_post import AtPost, at_post
from web.certificates import lines_for
from web.jobs.mailroom import Postman
from web.pseudonyms import patient_ref

F = TypeVar("F", bound=Callable[..., Any])

VIA = {"kiosk": "kiosk", "volunteer": "phone", "coordinator": "coordinator", "admin": "coordinator",
       "system": "coordinator"}


def _an_account(actor: Actor) -> None:
    if actor.account_id.startswith("device:"):
        raise NotAllowed("A paired kiosk is not logged out at the desk: a coordinator unpairs it.")


class AlreadyRegistered(DomainError):
    """The same person (same name and phone) is already a volunteer of this unit."""

    reason = "already_registered"


def roles(*allowed: str) -> Callable[[F], F]:
    """The roles that may run a command at all; its body then checks for whom they act."""
    def wrap(command: F) -> F:
        @wraps(command)
        def checked(self: Commands, actor: Actor, *args: Any, **kwargs: Any) -> Any:
            actor.ensure_role(*allowed)
            return command(self, actor, *args, **kwargs)
        checked.roles = allowed  # type: ignore[attr-defined]
        return checked  # type: ignore[return-value]
    return wrap


class Commands:
    """The checked command path over the ledger; `read(position)` gives the read models once they
    hold `position` (None: as they are)."""

    def __init__(self, ledger: CareLedger, read: Callable[[int | None], Any], settings: Any,
                 pseudonym_secret: bytes | Callable[[], bytes]) -> None:
        self.ledger, self.read, self.settings = ledger, read, settings
        self.pseudonym_secret = pseudonym_secret
        # Called with (volunteer id, receipt) before a forgetting answers: each face's copies of the
        # person (read models, kept answers) are scrubbed by then, not some time later.
        self.after_forgetting: list[Callable[[UUID, Receipt], None]] = []

    # --- units, accounts, the catalogue ------------------------------------------------

    @roles("admin")
    def register_unit(self, actor: Actor, name: str, district: str, post_codes: bool = True) -> Receipt:
        """A new unit; refused when one of that name is registered already (no list could tell them apart).
        `post_codes`: whether its volunteers check in from their phones by scanning the post's code."""
        wanted, db = bounds.text("name", name, bounds.TITLE).casefold(), self.read(None)
        if db is not None and any(u["name"].strip().casefold() == wanted for u in directory.units(db)):
            raise UnitNameTaken(f"A unit named {name.strip()!r} is registered already.")
        return self.ledger.register_unit(name, district, actor.account_id, post_codes)

    @roles("admin")
    def define_post(self, actor: Actor, unit_id: UUID, post: str, requires: list[str]) -> Receipt:
        return self.ledger.define_post(unit_id, post, requires, actor.account_id)

    @roles("admin")
    def open_account(self, actor: Actor, username: str, password_hash: str, role: str, unit_ids: list[UUID],
                     volunteer_id: UUID | None) -> Receipt:
        return self.ledger.open_account(username, password_hash, role, unit_ids, volunteer_id, actor.account_id)

    @roles("admin")
    def disable_account(self, actor: Actor, account_id: UUID) -> Receipt:
        return self.ledger.disable_account(account_id, actor.account_id)

    @roles("admin")
    def enable_account(self, actor: Actor, account_id: UUID) -> Receipt:
        return self.ledger.enable_account(account_id, actor.account_id)

    @roles("admin")
    def assign_units(self, actor: Actor, account_id: UUID, unit_ids: list[UUID]) -> Receipt:
        return self.ledger.assign_units(account_id, unit_ids, actor.account_id)

    @roles("coordinator")
    def invite_volunteer(self, actor: Actor, volunteer_id: UUID, valid_days: int = 14) -> Receipt:
        """A one-time code for the volunteer to set up their own login; the receipt's value is the
        code (shown once, to be handed over: the log keeps only its digest)."""
        self._volunteer(actor, volunteer_id)
        code = "-".join(secrets.token_hex(2).upper() for _ in range(3))  # 48 bits, readable: 9F3A-0C7B-E214
        receipt = self.ledger.invite_volunteer(volunteer_id, code, self.ledger.clock.now() + timedelta(days=valid_days),
                                               actor.account_id)
        return replace(receipt, value=code)

    @roles("coordinator")
    def send_invitation(self, actor: Actor, code: str, link: str) -> Receipt:
        """The invitation sent to the volunteer's e-mail or phone by the mailroom (the receipt's value:
        which); refused when nothing could carry it (no channel set up, no address or phone)."""
        try:
            invitation = self.ledger.get_invitation(invitation_id(code))
        except NotFound:
            raise InvitationInvalid("This code is not known: check it, or make a new invitation.") from None
        volunteer = self._volunteer(actor, invitation.volunteer_id)
        channel = self.channel_to(volunteer.id)
        if channel is None:
            raise Unreachable(f"There is nothing to send it to {volunteer.name} by; hand over the code or the QR.")
        return replace(self.ledger.send_invitation(code, link, actor.account_id), value=channel)

    def channel_to(self, volunteer_id: UUID) -> str | None:
        """How a notice to this volunteer would go (e-mail, SMS), or None: for pages to offer only what works."""
        return self.postman.reaches(*self.ledger.contact_of(volunteer_id))

    @cached_property
    def postman(self) -> Postman:
        return self.settings.postman()

    def accept_invitation(self, code: str, username: str, password_hash: str) -> Receipt:
        """Anyone holding a code: the code is the permission (one volunteer's, once, until it expires)."""
        return self.ledger.accept_invitation(code, username, password_hash)

    @roles("admin")
    def reset_password(self, actor: Actor, account_id: UUID, password_hash: str) -> Receipt:
        """A new password for someone who lost theirs; every session of theirs ends with it."""
        return self.ledger.change_password(account_id, password_hash, actor.account_id)

    @roles("admin")
    def assign_supervision(self, actor: Actor, account_id: UUID, supervisor_id: UUID | None, intern: bool) -> Receipt:
        return self.ledger.assign_supervision(account_id, supervisor_id, intern, actor.account_id)

    @roles("admin")
    def add_service_type(self, actor: Actor, code: str, name_en: str, name_zh: str) -> Receipt:
        return self.ledger.add_service_type(code, name_en, name_zh, actor.account_id)

    @roles(*ROLES)
    def change_password(self, actor: Actor, password_hash: str) -> Receipt:
        """One's own password: every token issued before it stops working."""
        _an_account(actor)
        return self.ledger.change_password(UUID(actor.account_id), password_hash, actor.account_id)

    @roles(*ROLES)
    def sign_out_everywhere(self, actor: Actor) -> Receipt:
        _an_account(actor)
        return self.ledger.sign_out_everywhere(UUID(actor.account_id), actor.account_id)

    @roles(*ROLES)
    def end_session(self, actor: Actor, session_id: str, expires_at: datetime) -> Receipt:
        _an_account(actor)
        return self.ledger.end_session(UUID(actor.account_id), session_id, expires_at, actor.account_id)

    # --- volunteers ------------------------------------------------------------------------

    def _volunteer(self, actor: Actor, volunteer_id: UUID) -> Any:
        volunteer = self.ledger.get_volunteer(volunteer_id)
        actor.ensure_volunteer(volunteer_id, volunteer.unit_id)
        return volunteer

    @roles("coordinator")
    def register_volunteer(self, actor: Actor, name: str, phone: str, unit_id: UUID, languages: list[str],
                           skills: list[str], email: str = "", duplicates: bool = True) -> Receipt:
        """A new (pending) volunteer of `unit_id`; refused when the same name and phone are already
        registered there (`duplicates=False`: the importer has checked the whole file already)."""
        actor.ensure_unit(unit_id)
        if duplicates:
            self._ensure_new(name, phone, unit_id)
        return self.ledger.register_volunteer(name, phone, unit_id, languages, skills, actor.account_id, email)

    def _ensure_new(self, name: str, phone: str, unit_id: UUID) -> None:
        name, phone = bounds.text("name", name, bounds.NAME), bounds.phone("phone", phone)
        for found in directory.volunteers(self.read(None), [str(unit_id)], None, name, limit=200):
            if found["name"] == name and self.ledger.get_volunteer(UUID(found["id"])).phone == phone:
                raise AlreadyRegistered(f"{name} with this phone number is already registered here.",
                                        volunteer_id=found["id"])

    @roles("coordinator")
    def approve_volunteer(self, actor: Actor, volunteer_id: UUID) -> Receipt:
        self._volunteer(actor, volunteer_id)
        return self.ledger.approve_volunteer(volunteer_id, actor.account_id)

    @roles("coordinator")
    def suspend_volunteer(self, actor: Actor, volunteer_id: UUID, reason: str) -> Receipt:
        self._volunteer(actor, volunteer_id)
        return self.ledger.suspend_volunteer(volunteer_id, reason, actor.account_id)

    @roles("coordinator")
    def reinstate_volunteer(self, actor: Actor, volunteer_id: UUID) -> Receipt:
        self._volunteer(actor, volunteer_id)
        return self.ledger.reinstate_volunteer(volunteer_id, actor.account_id)

    @roles("coordinator")
    def retire_volunteer(self, actor: Actor, volunteer_id: UUID) -> Receipt:
        self._volunteer(actor, volunteer_id)
        return self.ledger.retire_volunteer(volunteer_id, actor.account_id)

    @roles("admin")
    def forget_volunteer(self, actor: Actor, volunteer_id: UUID) -> Receipt:
        receipt = self.ledger.forget_volunteer(volunteer_id, actor.account_id)
        for scrub in self.after_forgetting:
            scrub(volunteer_id, receipt)
        return receipt

    @roles("coordinator", "volunteer")
    def change_volunteer_email(self, actor: Actor, volunteer_id: UUID, email: str) -> Receipt:
        self._volunteer(actor, volunteer_id)
        return self.ledger.change_volunteer_email(volunteer_id, email, actor.account_id)

    @roles("coordinator")
    def record_credential(self, actor: Actor, volunteer_id: UUID, kind: str, recorded_on: date,
                          expires_on: date | None, declined: bool = False) -> Receipt:
        self._volunteer(actor, volunteer_id)
        return self.ledger.record_credential(volunteer_id, kind, recorded_on, expires_on, actor.account_id,
                                             declined=declined)

    @roles("coordinator")
    def record_insurance(self, actor: Actor, volunteer_id: UUID, policy_number: str, insurer: str, valid_from: date,
                         valid_until: date) -> Receipt:
        """Accident insurance (保险): the policy and the days it covers; posts that require it ask for it."""
        self._volunteer(actor, volunteer_id)
        return self.ledger.record_insurance(volunteer_id, policy_number, insurer, valid_from, valid_until,
                                            actor.account_id)

    @roles("volunteer")
    def accept_agreement(self, actor: Actor, volunteer_id: UUID, version: str) -> Receipt:
        """The volunteer accepts the service agreement in force (only that version may be accepted)."""
        self._volunteer(actor, volunteer_id)
        if version != AGREEMENT.version:
            raise InvalidCommand("version", "is not the agreement in force; read it again")
        return self.ledger.accept_agreement(volunteer_id, version, actor.account_id)

    @roles("coordinator")
    def grant_qualification(self, actor: Actor, volunteer_id: UUID, kind: str, valid_until: date | None) -> Receipt:
        self._volunteer(actor, volunteer_id)
        return self.ledger.grant_qualification(volunteer_id, kind, valid_until, actor.account_id)

    @roles("coordinator")
    def present_award(self, actor: Actor, volunteer_id: UUID, hours: int) -> Receipt:
        """A service award at an hour milestone the volunteer has reached."""
        self._volunteer(actor, volunteer_id)
        milestones = self.settings.award_hours
        if hours not in milestones:
            raise InvalidCommand("hours", "awards are given at {hours} hours", hours=", ".join(map(str, milestones)))
        db = self.read(None)
        if hours not in awards.due_hours(db, str(volunteer_id), milestones) and \
                awards.served_minutes(db, str(volunteer_id)) < hours * 60:
            raise InvalidCommand("hours", "this volunteer has not served {hours} hours yet", hours=hours)
        return self.ledger.present_award(volunteer_id, hours, actor.account_id)

    # --- trainings -----------------------------------------------------------------------

    def _course(self, actor: Actor, training_id: UUID, volunteer_id: UUID) -> Any:
        course = self.ledger.get_training(training_id)
        actor.ensure_unit(course.unit_id)
        self._volunteer(actor, volunteer_id)
        return course

    @roles("coordinator")
    def schedule_training(self, actor: Actor, title: str, kind: str, unit_id: UUID, starts_at: datetime,
                          ends_at: datetime, capacity: int, validity_days: int | None,
                          grants: str | None = None) -> Receipt:
        actor.ensure_unit(unit_id)
        return self.ledger.schedule_training(title, kind, unit_id, starts_at, ends_at, capacity, validity_days,
                                             actor.account_id, grants=grants)

    @roles("coordinator")
    def enrol(self, actor: Actor, training_id: UUID, volunteer_id: UUID) -> Receipt:
        self._course(actor, training_id, volunteer_id)
        return self.ledger.enrol(training_id, volunteer_id, actor.account_id)

    @roles("coordinator")
    def assess(self, actor: Actor, training_id: UUID, volunteer_id: UUID, passed: bool, score: float | None) -> Receipt:
        self._course(actor, training_id, volunteer_id)
        return self.ledger.assess(training_id, volunteer_id, passed, score, actor.account_id)

    # --- shifts --------------------------------------------------------------------------

    def _shift(self, actor: Actor, shift_id: UUID) -> Any:
        """The shift, if the actor acts for its unit (a volunteer: for any open shift)."""
        shift = self.ledger.get_shift(shift_id)
        if actor.role != "volunteer":
            actor.ensure_unit(shift.unit_id)
        return shift

    def _seat(self, actor: Actor, shift_id: UUID, volunteer_id: UUID) -> Any:
        shift = self._shift(actor, shift_id)
        actor.ensure_volunteer(volunteer_id, shift.unit_id)
        return shift

    @roles("coordinator")
    def schedule_shift(self, actor: Actor, unit_id: UUID, post: str, starts_at: datetime, ends_at: datetime,
                       capacity: int, requires: list[str]) -> Receipt:
        actor.ensure_unit(unit_id)
        return self.ledger.schedule_shift(unit_id, post, starts_at, ends_at, capacity, requires, actor.account_id)

    @roles("coordinator")
    def schedule_series(self, actor: Actor, unit_id: UUID, post: str, weekdays: list[str], start_time: Any,
                        end_time: Any, first_day: date, weeks: int, capacity: int, requires: list[str],
                        timezone: str) -> Receipt:
        actor.ensure_unit(unit_id)
        return self.ledger.schedule_series(unit_id, post, weekdays, start_time, end_time, first_day, weeks, capacity,
                                           requires, timezone, actor.account_id)

    @roles("coordinator")
    def reschedule_shift(self, actor: Actor, shift_id: UUID, starts_at: datetime, ends_at: datetime,
                         capacity: int) -> Receipt:
        self._shift(actor, shift_id)
        return self.ledger.reschedule_shift(shift_id, starts_at, ends_at, capacity, actor.account_id)

    @roles("coordinator")
    def cancel_shift(self, actor: Actor, shift_id: UUID, reason: str) -> Receipt:
        self._shift(actor, shift_id)
        return self.ledger.cancel_shift(shift_id, reason, actor.account_id)

    @roles("coordinator")
    def cancel_rest_of_series(self, actor: Actor, shift_id: UUID, reason: str) -> Receipt:
        self._shift(actor, shift_id)
        return self.ledger.cancel_rest_of_series(shift_id, reason, actor.account_id)

    @roles("coordinator", "volunteer")
    def offer_seat(self, actor: Actor, shift_id: UUID, volunteer_id: UUID, to: UUID | None = None) -> Receipt:
        """Offer the volunteer's place to a named colleague (told by a notice) or, `to` None, to anyone eligible."""
        self._seat(actor, shift_id, volunteer_id)
        return self.ledger.offer_seat(shift_id, volunteer_id, to, actor.account_id)

    @roles("coordinator", "volunteer")
    def withdraw_offer(self, actor: Actor, shift_id: UUID, volunteer_id: UUID) -> Receipt:
        self._seat(actor, shift_id, volunteer_id)
        return self.ledger.withdraw_offer(shift_id, volunteer_id, actor.account_id)

    @roles("volunteer")
    def take_seat(self, actor: Actor, shift_id: UUID, giver_id: UUID, taker_id: UUID) -> Receipt:
        """Take a place on offer: every rule of a sign-up holds for the taker, or nothing changes. The
        receipt's value: "handed_over", or "awaiting_approval" where the unit's coordinator approves."""
        self._seat(actor, shift_id, taker_id)
        self._volunteer(actor, taker_id)
        return self.ledger.take_seat(shift_id, giver_id, taker_id, actor.account_id)

    @roles("coordinator", "volunteer")
    def join_waitlist(self, actor: Actor, shift_id: UUID, volunteer_id: UUID) -> Receipt:
        """Wait in line for a full shift (the receipt's value: the place in line); promoted, and told,
        when a place frees up."""
        self._seat(actor, shift_id, volunteer_id)
        self._volunteer(actor, volunteer_id)
        return self.ledger.join_waitlist(shift_id, volunteer_id, actor.account_id)

    @roles("coordinator", "volunteer")
    def leave_waitlist(self, actor: Actor, shift_id: UUID, volunteer_id: UUID) -> Receipt:
        self._seat(actor, shift_id, volunteer_id)
        return self.ledger.leave_waitlist(shift_id, volunteer_id, actor.account_id)

    @roles("coordinator", "volunteer")
    def sign_up(self, actor: Actor, shift_id: UUID, volunteer_id: UUID, trainee: bool = False) -> Receipt:
        """A volunteer signs itself up for any open shift; a coordinator signs up its own units'
        volunteers for its own units' shifts (a booking binds the volunteer's time)."""
        self._seat(actor, shift_id, volunteer_id)
        self._volunteer(actor, volunteer_id)
        return self.ledger.sign_up(shift_id, volunteer_id, actor.account_id, trainee=trainee)

    @roles("coordinator", "volunteer")
    def withdraw(self, actor: Actor, shift_id: UUID, volunteer_id: UUID) -> Receipt:
        self._seat(actor, shift_id, volunteer_id)
        return self.ledger.withdraw(shift_id, volunteer_id, actor.account_id)

    @roles("coordinator", "volunteer", "kiosk")
    def check_in(self, actor: Actor, shift_id: UUID, volunteer_id: UUID) -> Receipt:
        self._seat(actor, shift_id, volunteer_id)
        return self.ledger.check_in(shift_id, volunteer_id, VIA.get(actor.role, "coordinator"), actor.account_id)

    # --- joining: from an application to the first shift ---------------------------------------

    def apply(self, form: ApplicationForm) -> Receipt:
        """Anyone, on the public form (each face limits how often from one address): the pending
        volunteer and the application, in one save. The same answer whether or not this person applied
        before: an earlier application with the same ID number or phone is marked for the coordinator
        (by a keyed digest, never the number), never told to whoever fills in the form."""
        number = check_identity(form.id_type, form.id_number)
        born = birth_date_of(form.id_type, number) or form.birth_date
        if born is None:
            raise InvalidCommand("birth_date", "give your date of birth")
        phone = bounds.phone("phone", form.phone)
        id_digest, phone_digest = self._digest(f"id:{form.id_type}:{number}"), self._digest(f"phone:{phone}")
        db = self.read(self.ledger.position)  # every application made so far (none while the demo seeds)
        earlier = applications.earlier(db, id_digest, phone_digest) if db is not None else None
        return self.ledger.apply(replace(form, birth_date=born), AGREEMENT.version, DATA_CONSENT.version, id_digest,
                                 phone_digest, UUID(earlier) if earlier else None, "public:application-form")

    def _digest(self, value: str) -> str:
        if callable(self.pseudonym_secret):
            self.pseudonym_secret = self.pseudonym_secret()
        return hmac.new(self.pseudonym_secret, value.encode(), hashlib.sha256).hexdigest()[:32]

    def _application(self, actor: Actor, application_id: UUID) -> Any:
        application = self.ledger.get_application(application_id)
        actor.ensure_unit(application.unit_id)
        return application

    @roles("coordinator")
    def interview_applicant(self, actor: Actor, application_id: UUID, note: str = "") -> Receipt:
        self._application(actor, application_id)
        return self.ledger.interview_applicant(application_id, note, actor.account_id)

    @roles("coordinator")
    def screen_applicant(self, actor: Actor, application_id: UUID) -> Receipt:
        """Screened: the volunteer holds each credential the programme asks of a newcomer (a setting)."""
        self._application(actor, application_id)
        required = getattr(self.settings, "screening", SCREENING)  # the demo seeds without settings
        return self.ledger.screen_applicant(application_id, required, actor.account_id)

    @roles("coordinator")
    def mark_applicant_trained(self, actor: Actor, application_id: UUID) -> Receipt:
        self._application(actor, application_id)
        return self.ledger.mark_applicant_trained(application_id, actor.account_id)

    @roles("coordinator")
    def activate_applicant(self, actor: Actor, application_id: UUID, link_for: Callable[[str], str]) -> Receipt:
        """Active, and invited to set a password: the invitation goes by e-mail or SMS where one can
        carry it (`link_for(code)` is the face's join link). The receipt's value is the code, to hand
        over when nothing could carry it."""
        application = self._application(actor, application_id)
        self.ledger.activate_applicant(application_id, actor.account_id)
        invited = self.invite_volunteer(actor, application.volunteer_id)
        try:
            self.send_invitation(actor, invited.value, link_for(invited.value))
        except Unreachable:
            pass  # the code is shown to the coordinator, to hand over
        return invited

    @roles("coordinator")
    def close_application(self, actor: Actor, application_id: UUID, how: str, reason: str) -> Receipt:
        """Rejected, or withdrawn by the applicant: with the reason, which the applicant is sent."""
        if how not in ("rejected", "withdrawn"):
            raise InvalidCommand("how", "must be rejected or withdrawn")
        application = self._application(actor, application_id)
        unit = next((u["name"] for u in directory.units(self.read(None)) if u["id"] == str(application.unit_id)), "")
        return self.ledger.close_application(application_id, how, reason, unit, actor.account_id)

    # --- feedback: the volunteer's rating of a shift; a patient's or family's word -----------

    @cached_property
    def feedback_key(self) -> bytes:
        return hmac.new(self.settings.secret("token_secret"), b"careledger feedback links", hashlib.sha256).digest()

    @roles("volunteer")
    def rate_shift(self, actor: Actor, shift_id: UUID, volunteer_id: UUID, rating: int, line: str) -> Receipt:
        self._volunteer(actor, volunteer_id)
        return self.ledger.rate_shift(shift_id, volunteer_id, rating, line, actor.account_id)

    @roles("volunteer")
    def feedback_link(self, actor: Actor, shift_id: UUID, volunteer_id: UUID) -> str:
        """The token of the link a volunteer shows after serving, for a patient or family member."""
        self._volunteer(actor, volunteer_id)
        self.ledger.ensure_feedback_open(shift_id, volunteer_id)
        return feedback_links.token(self.feedback_key, shift_id, volunteer_id)

    def leave_feedback(self, token: str, rating: int, line: str) -> Receipt:
        """Anyone holding the link: no account, nothing about themselves asked."""
        named = feedback_links.read(self.feedback_key, token)
        if named is None:
            raise InvalidCommand("link", "this feedback link is not one of ours; ask the volunteer to show it again")
        return self.ledger.leave_feedback(*named, rating, line, "public:feedback")

    @roles("coordinator")
    def feedback_lines(self, actor: Actor, first: str, last: str) -> list[dict]:
        """What people wrote, for the coordinators of the units it is about (read from the log)."""
        found = feedback.with_lines(self.read(None), list(actor.unit_ids), first, last)
        return [f | {"line": self.ledger.get_feedback(UUID(f["id"])).line} for f in found]

    # --- checking in at the post, by its code -------------------------------------------------

    @cached_property
    def post_code_key(self) -> bytes:
        """Derived from the token secret, which every node shares already: one more key to give, none."""
        return hmac.new(self.settings.secret("token_secret"), b"careledger post codes", hashlib.sha256).digest()

    @roles("coordinator")
    def set_unit_limits(self, actor: Actor, unit_id: UUID, daily_hours: float | None, weekly_hours: float | None,
                        rest_hours: float | None) -> Receipt:
        """The unit's own fair limits in place of the programme's (None: the programme's)."""
        actor.ensure_unit(unit_id)
        return self.ledger.set_unit_limits(unit_id, daily_hours, weekly_hours, rest_hours, actor.account_id)

    @roles("coordinator")
    def require_handover_approval(self, actor: Actor, unit_id: UUID, needed: bool) -> Receipt:
        """Whether places handed between volunteers of this unit wait for a coordinator's approval."""
        actor.ensure_unit(unit_id)
        return self.ledger.require_handover_approval(unit_id, needed, actor.account_id)

    @roles("coordinator")
    def approve_handover(self, actor: Actor, shift_id: UUID, giver_id: UUID) -> Receipt:
        self._shift(actor, shift_id)
        return self.ledger.approve_handover(shift_id, giver_id, actor.account_id)

    @roles("coordinator")
    def decline_handover(self, actor: Actor, shift_id: UUID, giver_id: UUID, reason: str) -> Receipt:
        self._shift(actor, shift_id)
        return self.ledger.decline_handover(shift_id, giver_id, reason, actor.account_id)

    @roles("coordinator")
    def evaluate_volunteer(self, actor: Actor, volunteer_id: UUID, first: date, last: date, rating: str,
                           comment: str) -> Receipt:
        """An evaluation (评价) of the volunteer's service in [first, last], on the programme's scale."""
        self._volunteer(actor, volunteer_id)
        return self.ledger.evaluate(volunteer_id, first, last, rating, comment, actor.username, actor.account_id,
                                    self.settings.evaluation_scale)

    @roles("coordinator")
    def amend_evaluation(self, actor: Actor, evaluation_id: UUID, rating: str, comment: str, reason: str) -> Receipt:
        """What an evaluation says from now on, and why (the first stays in the log as it was)."""
        actor.ensure_unit(self.ledger.get_evaluation(evaluation_id).unit_id)
        return self.ledger.amend_evaluation(evaluation_id, rating, comment, reason, actor.account_id,
                                            self.settings.evaluation_scale)

    @roles("volunteer", "coordinator")
    def evaluations_of(self, actor: Actor, volunteer_id: UUID, first: str = "0000-01-01",
                       last: str = "9999-12-31") -> list[dict]:
        """The volunteer's evaluations overlapping the days, with their comments read from the log: to
        the volunteer themself and their unit's coordinators."""
        self._volunteer(actor, volunteer_id)
        found = evaluations.of_volunteer(self.read(None), str(volunteer_id), first, last)
        return [e | {"comment": self.ledger.get_evaluation(UUID(e["id"])).comment} for e in found]

    @roles("coordinator")
    def clear_no_show_review(self, actor: Actor, volunteer_id: UUID) -> Receipt:
        """Talked over: the volunteer's no-shows so far no longer hold their sign-ups back."""
        self._volunteer(actor, volunteer_id)
        return self.ledger.clear_no_show_review(volunteer_id, actor.account_id)

    @roles("coordinator")
    def require_post_code(self, actor: Actor, unit_id: UUID, post: str, needed: bool) -> Receipt:
        actor.ensure_unit(unit_id)
        return self.ledger.require_post_code(unit_id, post, needed, actor.account_id)

    @roles("kiosk", "coordinator")
    def shown_post_code(self, actor: Actor, unit_id: UUID, post: str) -> str:
        """The code a post's display shows now (a paired screen at the post, or a coordinator's)."""
        actor.ensure_unit(unit_id)
        return post_codes.shown(self.post_code_key, unit_id, post, self.ledger.clock.now())

    @roles("coordinator")
    def printed_post_code(self, actor: Actor, unit_id: UUID, post: str) -> tuple[str, str]:
        """The printed code of a post without a screen, and today's short code said beside it."""
        actor.ensure_unit(unit_id)
        today = datetime.now(ZoneInfo(self.settings.timezone)).date()
        return (post_codes.printed(self.post_code_key, unit_id, post),
                post_codes.short_code(self.post_code_key, unit_id, post, today))

    def read_post_code(self, code: str, short: str | None = None) -> PostCode:
        """A scanned code, if it is ours and still good (a printed one with today's short code)."""
        found = post_codes.read(self.post_code_key, code, self.ledger.clock.now(),
                                self.settings.post_code_seconds)
        if found.issued_at is None and short is not None:
            today = datetime.now(ZoneInfo(self.settings.timezone)).date()
            if short.strip() != post_codes.short_code(self.post_code_key, found.unit_id, found.post, today):
                raise ShortCodeWrong("That is not today's code for this post: ask the coordinator.")
        return found

    @roles("volunteer")
    def at_post(self, actor: Actor, code: str) -> AtPost:
        """What the volunteer can do at the post whose code they scanned, or why not."""
        return at_post(self.read(None), str(actor.volunteer_id), self.read_post_code(code),
                       self.ledger.clock.now(), self.ledger.policy)

    @roles("volunteer")
    def check_in_by_post_code(self, actor: Actor, code: str, short: str = "",
                              served: dict[str, int] | None = None) -> Receipt:
        """Check in (or, checked in already, out) at the post whose code was scanned: the one tap after
        the scan. The receipt's value says which ("check_in", "check_out"); a refusal records nothing."""
        found = self.read_post_code(code, short if short.strip() else None)
        if found.issued_at is None and not short.strip():
            raise ShortCodeWrong("Type the four-digit code the coordinator gives for this post today.")
        where = at_post(self.read(None), str(actor.volunteer_id), found, self.ledger.clock.now(), self.ledger.policy)
        if where.action is None:
            raise NoShiftAtPost({"opens_later": "Check-in for your shift here is not open yet.",
                                 "other_post": "Your shift now is at another post."}.get(
                where.why or "", "You have no shift at this post now."), why=where.why,
                post=(where.shift or {}).get("post"))
        shift_id, volunteer_id = UUID(where.shift["shift_id"]), UUID(str(actor.volunteer_id))
        self._seat(actor, shift_id, volunteer_id)
        if where.action == "check_out":
            receipt = self.ledger.check_out_at_post(shift_id, volunteer_id, found, served or {}, actor.account_id)
        else:
            receipt = self.ledger.check_in_at_post(shift_id, volunteer_id, found, actor.account_id)
        return replace(receipt, value=where.action)

    @roles("coordinator")
    def offer_pairing(self, actor: Actor, unit_id: UUID, name: str, valid_minutes: int = 30) -> Receipt:
        """A code with which a tablet becomes this unit's kiosk (the receipt's value; shown once)."""
        actor.ensure_unit(unit_id)
        code = "-".join(secrets.token_hex(2).upper() for _ in range(3))  # 48 bits, for half an hour
        until = self.ledger.clock.now() + timedelta(minutes=valid_minutes)
        receipt = self.ledger.offer_pairing(code, unit_id, name, until, actor.account_id)
        return replace(receipt, value=code)

    def pair_device(self, code: str) -> Receipt:
        """Anyone holding a pairing code, once, within its half hour: the code is the permission."""
        return self.ledger.pair_device(code)

    @roles("coordinator")
    def revoke_device(self, actor: Actor, device_id: UUID) -> Receipt:
        actor.ensure_unit(self.ledger.get_device(device_id).unit_id)
        return self.ledger.revoke_device(device_id, actor.account_id)

    @roles("coordinator", "kiosk")
    def walk_in(self, actor: Actor, shift_id: UUID, volunteer_id: UUID) -> Receipt:
        """Someone not signed up, at the desk: a free place on a shift under way, and checked in."""
        self._seat(actor, shift_id, volunteer_id)
        self._volunteer(actor, volunteer_id)
        return self.ledger.walk_in(shift_id, volunteer_id, VIA.get(actor.role, "coordinator"), actor.account_id)

    def find_by_phone(self, actor: Actor, phone: str) -> Any | None:
        """The volunteer of the actor's units with exactly this phone number (lists hold only its
        ends, so the whole number names one person and guessing four digits names nobody)."""
        phone = bounds.phone("phone", phone)
        for found in directory.volunteers(self.read(None), list(actor.unit_ids), "active", phone, limit=50):
            volunteer = self.ledger.get_volunteer(UUID(found["id"]))
            if volunteer.phone == phone:
                return volunteer
        return None

    @roles("coordinator", "volunteer", "kiosk")
    def check_out(self, actor: Actor, shift_id: UUID, volunteer_id: UUID, served: dict[str, int]) -> Receipt:
        self._seat(actor, shift_id, volunteer_id)
        return self.ledger.check_out(shift_id, volunteer_id, served, actor.account_id)

    @roles("coordinator")
    def mark_no_show(self, actor: Actor, shift_id: UUID, volunteer_id: UUID) -> Receipt:
        self._seat(actor, shift_id, volunteer_id)
        return self.ledger.mark_no_show(shift_id, volunteer_id, actor.account_id)

    @roles()  # the programme alone: the sweeper
    def check_out_forgotten(self, actor: Actor, shift_id: UUID, volunteer_id: UUID) -> Receipt:
        return self.ledger.check_out_forgotten(shift_id, volunteer_id, actor.account_id)

    @roles("coordinator")
    def review_check_out(self, actor: Actor, shift_id: UUID, volunteer_id: UUID, minutes: int | None) -> Receipt:
        self._seat(actor, shift_id, volunteer_id)
        return self.ledger.review_check_out(shift_id, volunteer_id, minutes, actor.account_id)

    @roles("coordinator", "volunteer")
    def request_hours_correction(self, actor: Actor, shift_id: UUID, volunteer_id: UUID, minutes: int,
                                 reason: str) -> Receipt:
        self._seat(actor, shift_id, volunteer_id)
        return self.ledger.request_hours_correction(shift_id, volunteer_id, minutes, reason, actor.account_id)

    @roles("coordinator")
    def approve_hours_correction(self, actor: Actor, shift_id: UUID, request_id: UUID) -> Receipt:
        self._shift(actor, shift_id)
        return self.ledger.approve_hours_correction(shift_id, request_id, actor.account_id)

    @roles("coordinator")
    def decline_hours_correction(self, actor: Actor, shift_id: UUID, request_id: UUID, reason: str) -> Receipt:
        self._shift(actor, shift_id)
        return self.ledger.decline_hours_correction(shift_id, request_id, reason, actor.account_id)

    # --- social work: sessions; service requests from wards -------------------------------------------

    @roles("social_worker")
    def log_session(self, actor: Actor, unit_id: UUID, patient_id: str, service_type: str, mode: str,
                    started_at: datetime, minutes: int, persons: int, notes: str | None = None,
                    case_id: UUID | None = None) -> Receipt:
        """A session of the acting social worker; `patient_id` (the hospital's) becomes a pseudonym
        here and is never stored. The receipt's value is that pseudonym."""
        actor.ensure_unit(unit_id)
        ref = self._patient(patient_id)
        if case_id is not None:
            case = self.ledger.get_case(case_id)
            if case.unit_id != unit_id or case.patient_ref != ref:
                raise InvalidCommand("case_id", "belongs to another unit or another patient")
        receipt = self.ledger.log_session(unit_id, UUID(actor.account_id), ref, service_type, mode, started_at,
                                          minutes, persons, actor.account_id, notes=notes, case_id=case_id)
        return Receipt(receipt.position, receipt.id, ref)

    def pseudonym_of(self, patient_id: str) -> str:
        """The pseudonym a hospital number is kept as (to find a patient's cases); the number itself is kept nowhere."""
        return self._patient(patient_id)

    def _patient(self, patient_id: str) -> str:
        if callable(self.pseudonym_secret):  # read once, when first needed (the CLI needs it rarely)
            self.pseudonym_secret = self.pseudonym_secret()
        return patient_ref(bounds.text("patient_id", patient_id, bounds.PATIENT_ID), self.pseudonym_secret)

    @roles("ward", "social_worker", "coordinator")
    def request_service(self, actor: Actor, unit_id: UUID, kind: str, place: str, starts_at: datetime, minutes: int,
                        needs: list[str] = (), language: str | None = None,  # type: ignore[assignment]
                        patient_id: str | None = None, note: str | None = None,
                        session_id: UUID | None = None) -> Receipt:
        """Ask for a volunteer: the qualified ones on duty here or on call then (from the read
        models) are each sent a notice. A patient's hospital number becomes a pseudonym here. The
        receipt's value lists those asked."""
        actor.ensure_unit(unit_id)
        bounds.moment("starts_at", starts_at)
        bounds.count("minutes", minutes, 5, LONGEST_MINUTES)
        needs = needed_for(bounds.text("kind", kind, bounds.TAG), bounds.tags("needs", needs))
        found = requests.candidates(self.read(None), str(unit_id), kind, needs, starts_at,
                                    starts_at + timedelta(minutes=minutes), language)
        ref = self._patient(patient_id) if patient_id and patient_id.strip() else None
        receipt = self.ledger.request_service(unit_id, kind, place, starts_at, minutes,
                                              [UUID(c["volunteer_id"]) for c in found], actor.account_id,
                                              needs=needs, language=language, patient_ref=ref, note=note,
                                              session_id=session_id)
        return Receipt(receipt.position, receipt.id, found)

    @roles("social_worker")
    def request_interpreting(self, actor: Actor, unit_id: UUID, place: str, starts_at: datetime, minutes: int,
                             session_id: UUID | None = None) -> Receipt:
        """A sign-language interpreter: asked of everyone qualified who is free or on duty here then."""
        return self.request_service(actor, unit_id, SIGN_LANGUAGE, place, starts_at, minutes, session_id=session_id)

    @roles("volunteer", "coordinator")
    def accept_request(self, actor: Actor, request_id: UUID, volunteer_id: UUID) -> Receipt:
        """A volunteer takes a request; a coordinator books one for it (an escalated request)."""
        self._volunteer(actor, volunteer_id)
        if actor.role == "coordinator":
            actor.ensure_unit(self.ledger.get_request(request_id).unit_id)
        return self.ledger.accept_request(request_id, volunteer_id, actor.account_id)


    def _request(self, actor: Actor, request_id: UUID) -> Any:
        asked = self.ledger.get_request(request_id)
        if actor.role == "volunteer":
            if actor.volunteer_id is None or UUID(actor.volunteer_id) != asked.volunteer_id:
                raise NotAllowed("Only the volunteer booked, the ward or a coordinator records the service.")
        else:
            actor.ensure_unit(asked.unit_id)
        return asked

    @roles("ward", "social_worker", "coordinator", "volunteer")
    def serve_request(self, actor: Actor, request_id: UUID, minutes: int) -> Receipt:
        self._request(actor, request_id)
        return self.ledger.serve_request(request_id, minutes, actor.account_id)


    @roles("ward", "social_worker", "coordinator")
    def cancel_request(self, actor: Actor, request_id: UUID, reason: str) -> Receipt:
        self._request(actor, request_id)
        return self.ledger.cancel_request(request_id, reason, actor.account_id)


    @roles()
    def escalate_request(self, actor: Actor, request_id: UUID) -> Receipt:
        """The escalation round's: still open after the programme's wait."""
        return self.ledger.escalate_request(request_id, actor.account_id)

    def request_note(self, actor: Actor, request_id: UUID) -> str | None:
        """The note a ward wrote, from the log (never a read model): to the unit's staff and the
        volunteer booked."""
        asked = self._request(actor, request_id)
        return asked.note

    @roles("volunteer", "coordinator")
    def go_on_call(self, actor: Actor, volunteer_id: UUID, starts_at: datetime, ends_at: datetime) -> Receipt:
        self._volunteer(actor, volunteer_id)
        return self.ledger.go_on_call(volunteer_id, starts_at, ends_at, actor.account_id)

    def on_call_of(self, actor: Actor, volunteer_id: UUID) -> tuple[datetime, datetime] | None:
        """When this volunteer is on call, if they are now or later (to themselves and their coordinators)."""
        window = getattr(self._volunteer(actor, volunteer_id), "on_call", None)
        return window if window is not None and window[1] > self.ledger.clock.now() else None

    @roles("volunteer", "coordinator")
    def go_off_call(self, actor: Actor, volunteer_id: UUID) -> Receipt:
        self._volunteer(actor, volunteer_id)
        return self.ledger.go_off_call(volunteer_id, actor.account_id)

    # --- case work ---------------------------------------------------------------------

    def case_role(self, actor: Actor, case: Case) -> str | None:
        """'worker' for the case's social workers, 'supervisor' for their supervisors, else None."""
        if actor.role != "social_worker":
            return None
        me = UUID(actor.account_id)
        if me in case.workers:
            return "worker"
        if any(self.ledger.get_account(worker).supervisor_id == me for worker in case.workers):
            return "supervisor"
        return None

    def _case(self, actor: Actor, case_id: UUID, *, as_: tuple[str, ...] = ("worker", "supervisor")) -> Case:
        case = self.ledger.get_case(case_id)
        actor.ensure_unit(case.unit_id)
        if self.case_role(actor, case) not in as_:
            raise NotAllowed("Only the case's social workers may do this." if as_ == ("worker",) else
                             "Only the case's social workers and their supervisors may do this.")
        return case

    @roles("social_worker")
    def open_case(self, actor: Actor, unit_id: UUID, patient_id: str, source: str,
                  lead_worker: UUID | None = None) -> Receipt:
        """A case of `unit_id`, led by `lead_worker` (the actor by default); the receipt's value is the pseudonym."""
        actor.ensure_unit(unit_id)
        ref = self._patient(patient_id)
        receipt = self.ledger.open_case(unit_id, lead_worker or UUID(actor.account_id), ref, source, actor.account_id)
        return Receipt(receipt.position, receipt.id, ref)

    @roles("social_worker")
    def give_consent(self, actor: Actor, case_id: UUID, scope: list[str]) -> Receipt:
        self._case(actor, case_id)
        return self.ledger.give_consent(case_id, scope, actor.account_id)

    @roles("social_worker")
    def withdraw_consent(self, actor: Actor, case_id: UUID) -> Receipt:
        self._case(actor, case_id)
        return self.ledger.withdraw_consent(case_id, actor.account_id)

    @roles("social_worker")
    def assess_case(self, actor: Actor, case_id: UUID, risk: str, needs: list[str]) -> Receipt:
        self._case(actor, case_id)
        return self.ledger.assess_case(case_id, risk, needs, actor.account_id)

    @roles("social_worker")
    def plan_case(self, actor: Actor, case_id: UUID, goals: list[str]) -> Receipt:
        self._case(actor, case_id)
        return self.ledger.plan_case(case_id, goals, actor.account_id)

    @roles("social_worker")
    def record_case_note(self, actor: Actor, case_id: UUID, contact_at: datetime, contacted: list[str],
                         text: str) -> Receipt:
        """A progress note by the acting social worker; only the case's own workers write them."""
        self._case(actor, case_id, as_=("worker",))
        return self.ledger.record_case_note(case_id, UUID(actor.account_id), contact_at, contacted, text,
                                            actor.account_id)

    @roles("social_worker")
    def countersign_note(self, actor: Actor, case_id: UUID, note_id: UUID) -> Receipt:
        """Only the author's supervisor countersigns an intern's note."""
        case = self._case(actor, case_id)
        note = case.notes.get(note_id)
        if note is None:
            raise NotFound("note", note_id)
        if self.ledger.get_account(note.author).supervisor_id != UUID(actor.account_id):
            raise NotAllowed("Only the author's supervisor countersigns a note.")
        return self.ledger.countersign_note(case_id, note_id, UUID(actor.account_id), actor.account_id)

    @roles("social_worker")
    def refer_case_out(self, actor: Actor, case_id: UUID, to: str) -> Receipt:
        self._case(actor, case_id)
        return self.ledger.refer_case_out(case_id, to, actor.account_id)

    @roles("social_worker")
    def transfer_case(self, actor: Actor, case_id: UUID, to_worker: UUID) -> Receipt:
        self._case(actor, case_id)
        return self.ledger.transfer_case(case_id, to_worker, actor.account_id)

    @roles("social_worker")
    def evaluate_case(self, actor: Actor, case_id: UUID, result: str) -> Receipt:
        self._case(actor, case_id)
        return self.ledger.evaluate_case(case_id, result, actor.account_id)

    @roles("social_worker")
    def close_case(self, actor: Actor, case_id: UUID, outcome: str) -> Receipt:
        self._case(actor, case_id)
        return self.ledger.close_case(case_id, outcome, actor.account_id)

    @roles("social_worker")
    def form_group(self, actor: Actor, kind: str, unit_id: UUID, title: str, service_type: str) -> Receipt:
        actor.ensure_unit(unit_id)
        return self.ledger.form_group(kind, unit_id, title, service_type, UUID(actor.account_id), actor.account_id)

    @roles("social_worker")
    def hold_meeting(self, actor: Actor, group_id: UUID, started_at: datetime, minutes: int, persons: int) -> Receipt:
        actor.ensure_unit(self.ledger.get_group(group_id).unit_id)
        return self.ledger.hold_meeting(group_id, started_at, minutes, persons, actor.account_id)

    @roles("social_worker")
    def end_group(self, actor: Actor, group_id: UUID) -> Receipt:
        actor.ensure_unit(self.ledger.get_group(group_id).unit_id)
        return self.ledger.end_group(group_id, actor.account_id)

    @roles("coordinator", "volunteer")
    def update_volunteer_profile(self, actor: Actor, volunteer_id: UUID, phone: str, languages: list[str],
                                 skills: list[str]) -> Receipt:
        """A volunteer's phone, languages and skills, corrected by themselves or their coordinator."""
        self._volunteer(actor, volunteer_id)
        return self.ledger.update_volunteer_profile(volunteer_id, phone, languages, skills, actor.account_id)

    # --- certificates ------------------------------------------------------------------

    @roles("coordinator", "admin")
    def set_certificate_details(self, actor: Actor, unit_id: UUID, responsible_person: str, contact: str) -> Receipt:
        actor.ensure_unit(unit_id)
        return self.ledger.set_certificate_details(unit_id, responsible_person, contact, actor.account_id)

    @roles("coordinator", "volunteer")
    def record_identity(self, actor: Actor, volunteer_id: UUID, id_type: str, id_number: str,
                        volunteer_number: str) -> Receipt:
        self._volunteer(actor, volunteer_id)
        return self.ledger.record_identity(volunteer_id, id_type, id_number, volunteer_number, actor.account_id)

    @roles("coordinator", "volunteer")
    def issue_certificate(self, actor: Actor, volunteer_id: UUID, first: date, last: date, handler: str,
                          today: date) -> Receipt:
        """Certify a volunteer's service in [first, last] for their unit; the receipt names number and code."""
        volunteer = self._volunteer(actor, volunteer_id)
        bounds.day("from", first)
        bounds.day("to", last)
        db = self.read(self.ledger.position)  # every service recorded so far is on it
        lines = lines_for(db, str(volunteer_id), first.isoformat(), last.isoformat(), self.ledger.service_types())
        if actor.role == "volunteer":
            handler = "自助打印 (self-service)"
        level = stars(hours.certified_minutes(db, str(volunteer_id)), self.settings.star_hours).level
        rated = evaluations.of_volunteer(db, str(volunteer_id), first.isoformat(), last.isoformat())[:1]
        return self.ledger.issue_certificate(
            volunteer_id, volunteer.unit_id, first, last, lines, handler.strip() or actor.username, today,
            actor.account_id, star_level=level or None, evaluation=Rated(
                rated[0]["rating"], date.fromisoformat(rated[0]["first_day"]),
                date.fromisoformat(rated[0]["last_day"])) if rated else None)


# How a handler is given the command path: `commands: CommandPath` (a typed Litestar dependency).
CommandPath = NamedDependency[Commands]
# How a handler is given the ledger to read an aggregate: `ledger: TheLedger`.
TheLedger = NamedDependency[CareLedger]
