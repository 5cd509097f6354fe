"""Volunteers: registered, approved and suspended by coordinators; read by themselves too."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery, JSONBody, QueryParameter

from domain.volunteers import CREDENTIAL_KINDS
from domain import bounds
from domain.stars import stars
from projections import directory, hours, notices, qualifications
from web.api.common import POSITION, Position, Search, Status, Tag, Tags, read_db, whole_span, written
from web.agreements import AGREEMENT
from web.i18n import translator
from web.auth import allow, may
from web.commands import CommandPath, Commands, TheLedger
from web.jobs.importing import IMPORT_MAX_BYTES, run_import


class NewVolunteer(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=bounds.NAME)]
    phone: Annotated[str, msgspec.Meta(min_length=1, max_length=30)]  # its form: domain/bounds.py
    unit_id: UUID
    languages: Tags = []
    skills: Tags = []
    email: Annotated[str, msgspec.Meta(max_length=bounds.EMAIL)] = ""  # where notices go; SMS (if set up) otherwise


class Email(msgspec.Struct, forbid_unknown_fields=True):
    email: Annotated[str, msgspec.Meta(max_length=bounds.EMAIL)]  # empty: notices by SMS where a hook is set


@dataclass
class VolunteerFile:
    file: UploadFile  # CSV (UTF-8 or GB18030) or .xlsx; at most 10 MiB
    unit_id: UUID | None = None  # the unit of rows without a unit column




class Award(msgspec.Struct, forbid_unknown_fields=True):
    hours: Annotated[int, msgspec.Meta(ge=1, le=bounds.AWARD_HOURS)]  # the milestone, e.g. 100


class Suspension(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=bounds.REASON)]


class Profile(msgspec.Struct, forbid_unknown_fields=True):
    phone: Annotated[str, msgspec.Meta(min_length=1, max_length=30)]  # its form: domain/bounds.py
    languages: Tags = []
    skills: Tags = []


class Credential(msgspec.Struct, forbid_unknown_fields=True):
    kind: Literal[CREDENTIAL_KINDS]  # type: ignore[valid-type]
    recorded_on: date
    expires_on: date | None = None
    declined: bool = False


class Registered(msgspec.Struct):
    id: UUID
    status: str
    name: str
    unit_id: UUID


class VolunteerStatus(msgspec.Struct):
    id: UUID
    status: Literal["pending", "active", "suspended", "retired"]


class AwardPresented(msgspec.Struct):
    id: UUID
    award_hours: int


class EmailChanged(msgspec.Struct):
    id: UUID
    email: str


class ProfileChanged(msgspec.Struct):
    id: UUID
    languages: list[str]
    skills: list[str]


class Forgotten(msgspec.Struct):
    id: UUID
    forgotten: bool


class CredentialRecorded(msgspec.Struct):
    id: UUID
    kind: str
    expires_on: date | None


class InsurancePolicy(msgspec.Struct, forbid_unknown_fields=True):
    policy_number: Annotated[str, msgspec.Meta(min_length=1, max_length=bounds.TAG)]
    valid_from: date
    valid_until: date
    insurer: Annotated[str, msgspec.Meta(max_length=bounds.TITLE)] = ""


class InsuranceRecorded(msgspec.Struct):
    volunteer_id: UUID
    policy_number: str
    valid_from: date
    valid_until: date


class AgreementAcceptance(msgspec.Struct, forbid_unknown_fields=True):
    version: Tag  # the version in force: GET …/agreement says it


class AgreementInForce(msgspec.Struct):
    version: str  # in force
    text: str  # in the language asked for (Accept-Language)
    accepted: str | None  # the version this volunteer accepted last


class ImportRefusal(msgspec.Struct):
    row: int
    field: str
    problem: str


class ImportReport(msgspec.Struct):
    """Rows read, volunteers registered, rows skipped as known phones, and rows refused with why."""
    rows: int
    created: int
    duplicates: list[int]
    errors: list[ImportRefusal]


class Invited(msgspec.Struct):
    """A one-time code for the volunteer to set up their own login (POST /api/v1/invitations/accept):
    answered once, here; the log keeps only its digest."""
    id: UUID
    volunteer_id: UUID
    code: str
    join_url: str


class Notice(msgspec.Struct):
    """A notice to a volunteer, and whether it went out (`facts`: what it told, by its kind)."""
    id: UUID
    volunteer_id: UUID
    name: str
    kind: str
    facts: dict[str, Any]
    state: Literal["queued", "dispatching", "sent", "retrying", "undeliverable"]
    attempts: int
    queued_at: datetime
    sent_at: datetime | None
    channel: str | None
    problem: str | None


class Volunteer(msgspec.Struct):
    """A directory entry: the phone shows its last digits only (the whole number is on the profile)."""
    id: UUID
    name: str
    phone: str
    unit_id: UUID
    status: str
    languages: list[str]
    skills: list[str]


class Qualification(msgspec.Struct):
    kind: str
    source: str
    since: date | None
    valid_until: date | None


class VolunteerProfile(Volunteer):
    qualifications: list[Qualification]


class Month(msgspec.Struct):
    month: str  # YYYY-MM
    minutes: int
    shifts: int
    no_shows: int
    late_cancellations: int


class StarLevelReached(msgspec.Struct):
    level: int  # 1 for 1★
    hours: int  # the threshold
    on: date  # the day of the service that reached it


class Hours(msgspec.Struct):
    minutes: int
    shifts: int
    no_shows: int
    late_cancellations: int
    attendance_rate: float | None  # None until a shift was settled
    by_month: list[Month]
    star_level: int  # 星级 by all certified hours (whatever the days asked), 0 before the first
    hours_to_next_star: float | None  # None at the highest level
    star_levels: list[StarLevelReached]


class Named(msgspec.Struct):
    id: UUID
    name: str


class ServiceEntry(msgspec.Struct):
    shift_id: UUID
    day: date
    starts_at: datetime
    ends_at: datetime
    unit: str
    post: str
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    minutes: int
    served: dict[str, int]  # person-times by service type


class ServiceRecord(msgspec.Struct, rename={"first": "from", "last": "to"}):
    volunteer: Named
    first: date
    last: date
    minutes: int
    entries: list[ServiceEntry]


class VolunteersController(Controller):
    path = "/api/v1/volunteers"
    tags = ["volunteers"]

    def _readable(self, request: Request, db, volunteer_id: UUID) -> dict:
        """The volunteer's directory entry, if this person may read it (404 or 403 otherwise)."""
        found = directory.volunteer(db, str(volunteer_id))
        if found is None:
            raise NotFoundException(f"No volunteer with id {volunteer_id}")
        request.user.ensure_volunteer(volunteer_id, found["unit_id"])
        return found

    @post("/", guards=[may(Commands.register_volunteer)], sync_to_thread=True)
    def register(self, request: Request, commands: CommandPath, data: JSONBody[NewVolunteer]) -> Response[Registered]:
        receipt = commands.register_volunteer(request.user, data.name, data.phone, data.unit_id, data.languages,
                                              data.skills, data.email)
        return written(request, receipt, Registered(receipt.id, receipt.value, data.name, data.unit_id), 201)

    @post("/import", guards=[allow("coordinator")], sync_to_thread=True, status_code=200,
          request_max_body_size=IMPORT_MAX_BYTES)
    def import_file(self, request: Request, ledger: TheLedger,
                    data: Annotated[VolunteerFile, Body(media_type=RequestEncodingType.MULTI_PART)]
                    ) -> Response[ImportReport]:
        """Register volunteers from a spreadsheet: columns by header (name/姓名, phone/手机号, unit/单位,
        languages/语言, skills/特长, email/邮箱); bad rows reported with their reason; known phones skipped."""
        report = run_import(request, data.file.file.read(), data.file.filename or "upload.csv", data.unit_id)
        return Response(content=report, headers={POSITION: str(ledger.position)})

    @post("/{volunteer_id:uuid}/approve", guards=[may(Commands.approve_volunteer)], sync_to_thread=True,
          status_code=200)
    def approve(self, request: Request, commands: CommandPath, volunteer_id: FromPath[UUID]) -> Response[VolunteerStatus]:
        receipt = commands.approve_volunteer(request.user, volunteer_id)
        return written(request, receipt, VolunteerStatus(volunteer_id, receipt.value))

    @post("/{volunteer_id:uuid}/awards", guards=[may(Commands.present_award)], sync_to_thread=True, status_code=200)
    def present_award(self, request: Request, commands: CommandPath, volunteer_id: FromPath[UUID],
                      data: JSONBody[Award]) -> Response[AwardPresented]:
        """Record that a service award (an hour milestone the volunteer has reached) was presented."""
        receipt = commands.present_award(request.user, volunteer_id, data.hours)
        return written(request, receipt, AwardPresented(volunteer_id, data.hours))

    @post("/{volunteer_id:uuid}/email", guards=[may(Commands.change_volunteer_email)], sync_to_thread=True,
          status_code=200)
    def change_email(self, request: Request, commands: CommandPath, volunteer_id: FromPath[UUID],
                     data: JSONBody[Email]) -> Response[EmailChanged]:
        """Where this volunteer's notices (shift changes, reminders) are e-mailed."""
        receipt = commands.change_volunteer_email(request.user, volunteer_id, data.email)
        return written(request, receipt, EmailChanged(volunteer_id, data.email.strip()))

    @get("/{volunteer_id:uuid}/notices", guards=[allow("coordinator", "volunteer")], sync_to_thread=True)
    def notices(self, request: Request, volunteer_id: FromPath[UUID],
                min_position: Position = None) -> list[Notice]:
        """What this volunteer was told (newest first) and whether it went out."""
        db = read_db(request, min_position)
        self._readable(request, db, volunteer_id)
        return notices.listed(db, None, str(volunteer_id))

    @post("/{volunteer_id:uuid}/profile", guards=[may(Commands.update_volunteer_profile)], sync_to_thread=True,
          status_code=200)
    def update_profile(self, request: Request, commands: CommandPath, volunteer_id: FromPath[UUID],
                       data: JSONBody[Profile]) -> Response[ProfileChanged]:
        """The volunteer's phone, languages and skills (the whole phone number is kept sealed)."""
        receipt = commands.update_volunteer_profile(request.user, volunteer_id, data.phone, data.languages,
                                                    data.skills)
        return written(request, receipt, ProfileChanged(volunteer_id, data.languages, data.skills))

    @post("/{volunteer_id:uuid}/invitations", guards=[may(Commands.invite_volunteer)], sync_to_thread=True)
    def invite(self, request: Request, commands: CommandPath, volunteer_id: FromPath[UUID]) -> Response[Invited]:
        receipt = commands.invite_volunteer(request.user, volunteer_id)
        return written(request, receipt, Invited(receipt.id, volunteer_id, receipt.value, f"/join/{receipt.value}"), 201)

    @post("/{volunteer_id:uuid}/forget", guards=[may(Commands.forget_volunteer)], sync_to_thread=True,
          status_code=200)
    def forget(self, request: Request, commands: CommandPath, volunteer_id: FromPath[UUID]) -> Response[Forgotten]:
        """The right to be forgotten (PIPL art. 47, GDPR art. 17): name and phone become unreadable
        for good; hours and tallies stay whole."""
        receipt = commands.forget_volunteer(request.user, volunteer_id)
        return written(request, receipt, Forgotten(volunteer_id, True))

    @post("/{volunteer_id:uuid}/suspend", guards=[may(Commands.suspend_volunteer)], sync_to_thread=True,
          status_code=200)
    def suspend(self, request: Request, commands: CommandPath, volunteer_id: FromPath[UUID],
                data: JSONBody[Suspension]) -> Response[VolunteerStatus]:
        receipt = commands.suspend_volunteer(request.user, volunteer_id, data.reason)
        return written(request, receipt, VolunteerStatus(volunteer_id, receipt.value))

    @get("/{volunteer_id:uuid}", guards=[allow("coordinator", "volunteer")], sync_to_thread=True)
    def profile(self, request: Request, ledger: TheLedger, volunteer_id: FromPath[UUID], min_position: Position = None) -> VolunteerProfile:
        db = read_db(request, min_position)
        found = self._readable(request, db, volunteer_id)
        # The whole phone number only here, from the log (read models keep its last digits).
        phone = ledger.get_volunteer(volunteer_id).phone
        return found | {"phone": phone, "qualifications": qualifications.held_by(db, str(volunteer_id))}

    @get("/", guards=[allow("coordinator")], sync_to_thread=True)
    def search(self, request: Request, unit_id: FromQuery[UUID | None] = None, status: Status = None,
               q: Search = None, min_position: Position = None) -> list[Volunteer]:
        units = request.user.scope()
        if unit_id is not None:
            request.user.ensure_unit(unit_id)
            units = [str(unit_id)]
        return directory.volunteers(read_db(request, min_position), units, status, q)

    @get("/{volunteer_id:uuid}/hours", guards=[allow("coordinator", "volunteer")], sync_to_thread=True)
    def hours(self, request: Request, volunteer_id: FromPath[UUID],
              from_: Annotated[date | None, QueryParameter(name="from")] = None, to: FromQuery[date | None] = None,
              min_position: Position = None) -> Hours:
        db = read_db(request, min_position)
        self._readable(request, db, volunteer_id)
        first, last = whole_span(from_, to)
        thresholds = request.app.state.settings.star_hours
        total = hours.certified_minutes(db, str(volunteer_id))
        level = stars(total, thresholds)
        reached = hours.days_reached(db, str(volunteer_id), thresholds, total)
        return hours.summary(db, str(volunteer_id), first, last) | {
            "star_level": level.level, "hours_to_next_star": None if level.hours_to_next is None else
            round(level.hours_to_next, 2), "star_levels": [StarLevelReached(i, h, date.fromisoformat(reached[h]))
                                                            for i, h in enumerate(thresholds, start=1) if h in reached]}

    @post("/{volunteer_id:uuid}/reinstate", guards=[may(Commands.reinstate_volunteer)], sync_to_thread=True,
          status_code=200)
    def reinstate(self, request: Request, commands: CommandPath,
                  volunteer_id: FromPath[UUID]) -> Response[VolunteerStatus]:
        receipt = commands.reinstate_volunteer(request.user, volunteer_id)
        return written(request, receipt, VolunteerStatus(volunteer_id, receipt.value))

    @post("/{volunteer_id:uuid}/retire", guards=[may(Commands.retire_volunteer)], sync_to_thread=True,
          status_code=200)
    def retire(self, request: Request, commands: CommandPath, volunteer_id: FromPath[UUID]) -> Response[VolunteerStatus]:
        receipt = commands.retire_volunteer(request.user, volunteer_id)
        return written(request, receipt, VolunteerStatus(volunteer_id, receipt.value))

    @post("/{volunteer_id:uuid}/credentials", guards=[may(Commands.record_credential)], sync_to_thread=True)
    def record_credential(self, request: Request, commands: CommandPath, volunteer_id: FromPath[UUID],
                          data: JSONBody[Credential]) -> Response[CredentialRecorded]:
        """A health check, TB test or flu vaccination (or its signed declination), with its expiry."""
        receipt = commands.record_credential(request.user, volunteer_id, data.kind, data.recorded_on,
                                             data.expires_on, declined=data.declined)
        return written(request, receipt, CredentialRecorded(volunteer_id, data.kind, data.expires_on), 201)

    @post("/{volunteer_id:uuid}/insurance", guards=[may(Commands.record_insurance)], sync_to_thread=True)
    def record_insurance(self, request: Request, commands: CommandPath, volunteer_id: FromPath[UUID],
                         data: JSONBody[InsurancePolicy]) -> Response[InsuranceRecorded]:
        """Accident insurance (保险) with its policy number and the days it covers: the credential
        `accident_insurance` that posts marked so require at sign-up and check-in."""
        receipt = commands.record_insurance(request.user, volunteer_id, data.policy_number, data.insurer,
                                            data.valid_from, data.valid_until)
        return written(request, receipt, InsuranceRecorded(volunteer_id, data.policy_number.strip(), data.valid_from,
                                                           data.valid_until), 201)

    @get("/{volunteer_id:uuid}/agreement", guards=[allow("coordinator", "volunteer")], sync_to_thread=True)
    def agreement(self, request: Request, ledger: TheLedger, volunteer_id: FromPath[UUID]) -> AgreementInForce:
        volunteer = ledger.get_volunteer(volunteer_id)
        request.user.ensure_volunteer(volunteer_id, volunteer.unit_id)
        return AgreementInForce(AGREEMENT.version, AGREEMENT.in_language(translator(request).language),
                                getattr(volunteer, "agreement", None))

    @post("/{volunteer_id:uuid}/agreement", guards=[may(Commands.accept_agreement)], sync_to_thread=True,
          status_code=200)
    def accept_agreement(self, request: Request, commands: CommandPath, volunteer_id: FromPath[UUID],
                         data: JSONBody[AgreementAcceptance]) -> Response[AgreementInForce]:
        """The volunteer accepts the service agreement in force (400 `version` for another)."""
        receipt = commands.accept_agreement(request.user, volunteer_id, data.version)
        return written(request, receipt, AgreementInForce(AGREEMENT.version, AGREEMENT.in_language(
            translator(request).language), data.version))

    @get("/{volunteer_id:uuid}/service-record", guards=[allow("coordinator", "volunteer")], sync_to_thread=True)
    def service_record(self, request: Request, volunteer_id: FromPath[UUID],
                       from_: Annotated[date | None, QueryParameter(name="from")] = None,
                       to: FromQuery[date | None] = None, min_position: Position = None) -> ServiceRecord:
        """志愿服务记录: who, where, when, what service, how long."""
        db = read_db(request, min_position)
        found = self._readable(request, db, volunteer_id)
        first, last = whole_span(from_, to)
        entries = hours.service_record(db, str(volunteer_id), first, last)
        return {"volunteer": {"id": found["id"], "name": found["name"]}, "from": first, "to": last,
                "minutes": sum(e["minutes"] for e in entries), "entries": entries}
