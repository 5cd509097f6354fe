"""The Volunteer: who it is, whether it may serve, what it holds, and the shifts it has promised."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from eventsourcing.domain import event

from domain import bounds
from domain.aggregate import Aggregate
from domain.identity import check_identity
from domain.limits import Limits, refusal, under_review
from domain.personal import ERASED, personal

from domain.errors import (
    InvalidCommand,
    InvalidTransition,
    NotQualified,
    OverlappingShift,
    QualificationExpired,
    VolunteerNotActive,
)

PENDING, ACTIVE, SUSPENDED, RETIRED = "pending", "active", "suspended", "retired"
CREDENTIAL_KINDS = ("health_check", "tb_test", "flu_vaccination")
INSURANCE = "accident_insurance"  # 意外保险: a credential with a policy number; posts marked so need it
# Bookings are forgotten this long after they end: sign-ups close at a shift's end, and a week's
# hours (domain/limits.py) count the shifts served earlier in that week.
_BOOKING_MEMORY = timedelta(days=8)
ON_CALL_LONGEST = timedelta(hours=24)
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass
class Holding:
    """A qualification or credential: held since `since`, valid through `valid_until` (None: no expiry)."""

    since: date
    valid_until: date | None
    source: str  # course id, "credential" or "declination"

    def valid_on(self, day: date) -> bool:
        return self.since <= day and (self.valid_until is None or day <= self.valid_until)


@dataclass(frozen=True, slots=True)
class Insurance:
    """An accident insurance policy (保险): who insures, its number, the days it covers."""

    policy_number: str
    insurer: str
    valid_from: date
    valid_until: date


class Volunteer(Aggregate):
    # Annotated so that a snapshot comes back typed (see domain/storage/mapper.py).
    name: str
    phone: str
    unit_id: UUID
    languages: list[str]
    skills: list[str]
    status: str
    suspension_reason: str | None
    qualifications: dict[str, Holding]
    credentials: dict[str, Holding]
    bookings: dict[UUID, tuple[datetime, datetime]]
    awards: list[int]
    email: str
    id_type: str
    id_number: str
    volunteer_number: str
    adult_from: date | None  # under 18 until then (an applicant's birth date); unset for adults
    no_shows: list[date]  # the days of their no-shows (for the programme's review after too many)
    reviewed_on: date | None  # a coordinator reviewed their no-shows: those before count no more
    on_call: tuple[datetime, datetime] | None  # when a ward may call on them beyond their shifts
    insurance: Insurance | None  # the accident insurance policy recorded last
    agreement: str | None  # the version of the service agreement they accepted last

    @classmethod
    def register(cls, name: str, phone: str, unit_id: UUID, languages: list[str], skills: list[str],
                 actor: str) -> Volunteer:
        return cls(bounds.text("name", name, bounds.NAME), bounds.phone("phone", phone), unit_id,
                   bounds.tags("languages", languages), bounds.tags("skills", skills), actor)

    @event("Registered")
    def __init__(
        self, name: str, phone: str, unit_id: UUID, languages: list[str], skills: list[str], actor: str
    ) -> None:
        self.name = name
        self.phone = phone
        self.unit_id = unit_id
        self.languages = languages
        self.skills = skills
        self.status = PENDING
        self.suspension_reason: str | None = None
        self.qualifications: dict[str, Holding] = {}
        self.credentials: dict[str, Holding] = {}
        self.bookings: dict[UUID, tuple[datetime, datetime]] = {}
        self.awards: list[int] = []  # the hour milestones whose service award was presented

    # --- lifecycle -----------------------------------------------------------------------

    def approve(self, actor: str) -> None:
        self._require_status("approve", PENDING)
        self._approved(actor)

    def suspend(self, reason: str, actor: str) -> None:
        reason = bounds.text("reason", reason, bounds.REASON)
        self._require_status("suspend", PENDING, ACTIVE)
        self._suspended(reason, actor)

    def reinstate(self, actor: str) -> None:
        self._require_status("reinstate", SUSPENDED)
        self._reinstated(actor)

    def retire(self, actor: str) -> None:
        self._require_status("retire", PENDING, ACTIVE, SUSPENDED)
        self._retired(actor)

    def update_profile(self, phone: str, languages: list[str], skills: list[str], actor: str) -> None:
        self._profile_updated(bounds.phone("phone", phone), bounds.tags("languages", languages),
                              bounds.tags("skills", skills), actor)

    def _require_status(self, action: str, *allowed: str) -> None:
        if self.status not in allowed:
            raise InvalidTransition(
                f"Cannot {action} a volunteer who is {self.status}.", volunteer_status=self.status, action=action
            )

    @event("Approved")
    def _approved(self, actor: str) -> None:
        self.status = ACTIVE

    @event("Suspended")
    def _suspended(self, reason: str, actor: str) -> None:
        self.status = SUSPENDED
        self.suspension_reason = reason

    @event("Reinstated")
    def _reinstated(self, actor: str) -> None:
        self.status = ACTIVE
        self.suspension_reason = None

    @event("Retired")
    def _retired(self, actor: str) -> None:
        self.status = RETIRED

    @event("ProfileUpdated")
    def _profile_updated(self, phone: str, languages: list[str], skills: list[str], actor: str) -> None:
        self.phone, self.languages, self.skills = phone, languages, skills

    def change_email(self, email: str, actor: str) -> None:
        """Where notices go by e-mail; empty for none (then by SMS, where a hook is set)."""
        email = bounds.text("email", email, bounds.EMAIL, shortest=0)
        if email and not _EMAIL.fullmatch(email):
            raise InvalidCommand("email", f"{email!r} is not an e-mail address")
        if email != getattr(self, "email", ""):
            self._email_changed(email, actor)

    @event("EmailChanged")
    def _email_changed(self, email: str, actor: str) -> None:
        self.email = email

    def record_identity(self, id_type: str, id_number: str, volunteer_number: str, actor: str) -> None:
        """The identity document a service certificate names, and the national volunteer number, if any."""
        id_number = check_identity(id_type, id_number)
        volunteer_number = volunteer_number.strip()
        if len(volunteer_number) > 40:
            raise InvalidCommand("volunteer_number", "must be at most 40 characters")
        self._identity_recorded(id_type, id_number, volunteer_number, actor)

    @event("IdentityRecorded")
    def _identity_recorded(self, id_type: str, id_number: str, volunteer_number: str, actor: str) -> None:
        self.id_type, self.id_number, self.volunteer_number = id_type, id_number, volunteer_number

    def record_minor(self, adult_from: date, actor: str) -> None:
        """Under 18 until `adult_from` (from the application's date of birth): daytime posts only, by the policy."""
        self._minor_recorded(adult_from, actor)

    @event("MinorRecorded")
    def _minor_recorded(self, adult_from: date, actor: str) -> None:
        self.adult_from = adult_from

    def minor_on(self, day: date) -> bool:
        adult_from = getattr(self, "adult_from", None)  # volunteers from before applications: adults
        return adult_from is not None and day < adult_from

    def present_award(self, hours: int, actor: str) -> None:
        """A service award for reaching `hours` hours of service, presented once."""
        bounds.count("hours", hours, 1, bounds.AWARD_HOURS)
        if hours in getattr(self, "awards", []):
            raise InvalidCommand("hours", f"the {hours}-hour award was already presented")
        self._award_presented(hours, actor)

    @event("AwardPresented")
    def _award_presented(self, hours: int, actor: str) -> None:
        self.awards = [*getattr(self, "awards", []), hours]

    @property
    def forgotten(self) -> bool:
        return self.name == ERASED

    def forget(self, actor: str) -> None:
        """The right to be forgotten: name and phone erased for good (see domain/personal.py);
        service, hours and qualifications stay, as the law allows and tallies need."""
        if not self.forgotten:
            self._forgotten(actor)

    @event("Forgotten")
    def _forgotten(self, actor: str) -> None:
        self.name = self.phone = self.email = ERASED
        if getattr(self, "id_number", None):
            self.id_number = ERASED

    # --- qualifications and credentials -----------------------------------------------

    def grant_qualification(
        self, kind: str, course_id: UUID | None, since: date, valid_until: date | None, actor: str
    ) -> None:
        kind = bounds.text("kind", kind, bounds.TAG)
        bounds.day("since", since)
        if valid_until is not None:
            bounds.day("valid_until", valid_until)
        self._qualification_granted(kind, course_id, since, valid_until, actor)

    def revoke_qualification(self, kind: str, reason: str, actor: str) -> None:
        reason = bounds.text("reason", reason, bounds.REASON)
        if kind not in self.qualifications:
            raise NotQualified(f"{self.name} does not hold {kind}.", missing=[kind])
        self._qualification_revoked(kind, reason, actor)

    def record_credential(
        self, kind: str, recorded_on: date, expires_on: date | None, declined: bool, actor: str
    ) -> None:
        bounds.day("recorded_on", recorded_on)
        if expires_on is not None:
            bounds.day("expires_on", expires_on)
        self._credential_recorded(kind, recorded_on, expires_on, declined, actor)

    @event("QualificationGranted")
    def _qualification_granted(
        self, kind: str, course_id: UUID | None, since: date, valid_until: date | None, actor: str
    ) -> None:
        self.qualifications[kind] = Holding(since, valid_until, str(course_id) if course_id else "")

    @event("QualificationRevoked")
    def _qualification_revoked(self, kind: str, reason: str, actor: str) -> None:
        del self.qualifications[kind]

    @event("CredentialRecorded")
    def _credential_recorded(
        self, kind: str, recorded_on: date, expires_on: date | None, declined: bool, actor: str
    ) -> None:
        self.credentials[kind] = Holding(recorded_on, expires_on, "declination" if declined else "credential")

    def record_insurance(self, policy_number: str, insurer: str, valid_from: date, valid_until: date,
                         actor: str) -> None:
        """Accident insurance: a credential like the others (posts may require it), with its policy."""
        if not policy_number.strip():
            raise InvalidCommand("policy_number", "must give the policy number")
        bounds.day("valid_from", valid_from)
        bounds.day("valid_until", valid_until)
        if valid_until < valid_from:
            raise InvalidCommand("valid_until", "must not be before the day it starts")
        self._insurance_recorded(bounds.text("policy_number", policy_number, bounds.TAG).strip(),
                                 bounds.text("insurer", insurer, bounds.TITLE, 0).strip(), valid_from, valid_until,
                                 actor)

    @event("InsuranceRecorded")
    def _insurance_recorded(self, policy_number: str, insurer: str, valid_from: date, valid_until: date,
                            actor: str) -> None:
        self.insurance = Insurance(policy_number, insurer, valid_from, valid_until)
        self.credentials[INSURANCE] = Holding(valid_from, valid_until, "insurance")

    def accept_agreement(self, version: str, actor: str) -> None:
        """The service agreement (志愿服务协议) of `version` accepted; accepting it again records nothing."""
        version = bounds.text("version", version, bounds.TAG).strip()
        if getattr(self, "agreement", None) != version:
            self._agreement_accepted(version, actor)

    @event("AgreementAccepted")
    def _agreement_accepted(self, version: str, actor: str) -> None:
        self.agreement = version

    def holding(self, kind: str) -> Holding | None:
        return self.qualifications.get(kind) or self.credentials.get(kind)

    def ensure_may_serve(self, requires: frozenset[str], on: date) -> None:
        """Refuse unless active and holding every required qualification and credential on `on`."""
        if self.status != ACTIVE:
            raise VolunteerNotActive(f"{self.name} is {self.status}, not active.", volunteer_status=self.status)
        missing = sorted(kind for kind in requires if self.holding(kind) is None)
        if missing:
            raise NotQualified(
                f"{self.name} does not hold: {', '.join(missing)}.", missing=missing
            )
        lapsed = sorted(kind for kind in requires if not self.holding(kind).valid_on(on))  # type: ignore[union-attr]
        if lapsed:
            raise QualificationExpired(
                f"{self.name}'s {', '.join(lapsed)} is not valid on {on.isoformat()}.", lapsed=lapsed
            )

    # --- bookings: the volunteer's own promises, kept with the shift's sign-up ----------

    def ensure_free(self, shift_id: UUID, starts_at: datetime, ends_at: datetime) -> None:
        for other_id, (other_starts, other_ends) in self.bookings.items():
            if other_id != shift_id and other_starts < ends_at and starts_at < other_ends:
                raise OverlappingShift(
                    f"{self.name} is already booked from {other_starts.isoformat()} "
                    f"to {other_ends.isoformat()}.",
                    shift_id=str(other_id),
                )

    def book(self, shift_id: UUID, starts_at: datetime, ends_at: datetime, at: datetime, actor: str,
             limits: Limits | None = None, zone: ZoneInfo | None = None) -> None:
        self.ensure_free(shift_id, starts_at, ends_at)
        if limits is not None:
            refused = self.beyond(limits, zone or ZoneInfo("UTC"), shift_id, starts_at, ends_at, at)
            if refused is not None:
                raise refused
        self._booked(shift_id, starts_at, ends_at, at, actor)

    def beyond(self, limits: Limits, zone: ZoneInfo, shift_id: UUID, starts_at: datetime, ends_at: datetime,
               at: datetime) -> Exception | None:
        """The fair limit a booking would break (for the screens, which offer no sign-up that would be refused)."""
        return refusal(limits, zone, shift_id, starts_at, ends_at, self.bookings.items(), getattr(self, "no_shows", []),
                       getattr(self, "reviewed_on", None), at.astimezone(zone).date())

    def no_shows_under_review(self, limits: Limits, today: date) -> int:
        return under_review(limits, getattr(self, "no_shows", []), getattr(self, "reviewed_on", None), today)

    def count_no_show(self, shift_id: UUID, day: date, actor: str) -> None:
        self._no_show_counted(shift_id, day, actor)

    @event("NoShowCounted")
    def _no_show_counted(self, shift_id: UUID, day: date, actor: str) -> None:
        self.no_shows = [*getattr(self, "no_shows", [])[-19:], day]  # the last twenty are enough to judge

    def clear_no_show_review(self, day: date, actor: str) -> None:
        """A coordinator has talked it over: the no-shows so far no longer hold sign-ups back."""
        self._no_show_review_cleared(day, actor)

    @event("NoShowReviewCleared")
    def _no_show_review_cleared(self, day: date, actor: str) -> None:
        self.reviewed_on = day

    # --- on call: reachable for a ward's request beyond one's shifts --------------------

    def go_on_call(self, starts_at: datetime, ends_at: datetime, now: datetime, actor: str) -> None:
        bounds.moment("starts_at", starts_at)
        bounds.moment("ends_at", ends_at)
        if ends_at <= starts_at:
            raise InvalidCommand("ends_at", "must be after the start")
        if ends_at <= now:
            raise InvalidCommand("ends_at", "is over already")
        if ends_at - starts_at > ON_CALL_LONGEST:
            raise InvalidCommand("ends_at", "one can be on call for at most a day at a time")
        self._require_status("go on call", ACTIVE)
        self._on_call(max(starts_at, now), ends_at, actor)

    @event("WentOnCall")
    def _on_call(self, starts_at: datetime, ends_at: datetime, actor: str) -> None:
        self.on_call = (starts_at, ends_at)

    def go_off_call(self, actor: str) -> None:
        if getattr(self, "on_call", None) is not None:
            self._off_call(actor)

    @event("WentOffCall")
    def _off_call(self, actor: str) -> None:
        self.on_call = None

    def release(self, shift_id: UUID, actor: str) -> None:
        if shift_id in self.bookings:
            self._released(shift_id, actor)

    @event("Booked")
    def _booked(
        self, shift_id: UUID, starts_at: datetime, ends_at: datetime, at: datetime, actor: str
    ) -> None:
        # Shifts that ended before this booking was made can never overlap a new sign-up.
        horizon = at - _BOOKING_MEMORY
        self.bookings = {k: v for k, v in self.bookings.items() if v[1] > horizon}
        self.bookings[shift_id] = (starts_at, ends_at)

    @event("Released")
    def _released(self, shift_id: UUID, actor: str) -> None:
        self.bookings.pop(shift_id, None)


# What the log may hold of a volunteer only as long as their key exists (domain/personal.py).
personal(Volunteer.Registered, "name", "phone")
personal(Volunteer.ProfileUpdated, "phone")
personal(Volunteer.EmailChanged, "email")
personal(Volunteer.IdentityRecorded, "id_number")
personal(Volunteer, "name", "phone", "email", "id_number")  # in snapshots
