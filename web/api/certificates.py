"""Service record certificates (志愿服务记录证明): issued, read, verified by anyone with the code."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.exceptions import HTTPException, NotFoundException
from litestar.params import FromPath, FromQuery, JSONBody, Parameter, QueryParameter

from domain import bounds
from domain.errors import InvalidCommand
from domain.identity import ID_TYPES, masked
from projections import certificates, directory
from web.login import Client
from web.api.common import A_YEAR, Position, checked_span, read_db, units_asked, written
from web.api.exports import AsFile, Day
from web.auth import allow, may
from web.commands import CommandPath, Commands, TheLedger
from web.certificates import NATIONAL_COLUMNS, national_rows, readable, shown, verified
from web.exports import table
from web.wallclock import now_local


class CertificateDetails(msgspec.Struct, forbid_unknown_fields=True):
    responsible_person: Annotated[str, msgspec.Meta(min_length=1, max_length=bounds.NAME)]  # 负责人
    contact: Annotated[str, msgspec.Meta(min_length=1, max_length=bounds.TITLE)]  # a telephone or an address


class Identity(msgspec.Struct, forbid_unknown_fields=True):
    id_type: Annotated[str, msgspec.Meta(max_length=40, description=f"one of {', '.join(ID_TYPES)}")]
    id_number: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
    volunteer_number: Annotated[str, msgspec.Meta(max_length=40)] = ""  # the national system's, if any


class CertificateAsked(msgspec.Struct, forbid_unknown_fields=True, rename={"first": "from", "last": "to"}):
    first: date
    last: date
    handler: Annotated[str, msgspec.Meta(max_length=bounds.NAME)] = ""  # 经办人; the coordinator's name by default


class DetailsSet(msgspec.Struct):
    id: UUID
    responsible_person: str
    contact: str


class IdentityRecorded(msgspec.Struct):
    id: UUID
    id_type: str
    id_number: str  # masked
    volunteer_number: str


class Issued(msgspec.Struct):
    id: UUID
    number: str
    verification_code: str
    verify_url: str


class Listed(msgspec.Struct):
    """A line of a certificate register."""
    id: UUID
    number: str
    unit_id: UUID
    unit_name: str
    volunteer_id: UUID
    name: str
    first_day: date
    last_day: date
    issued_on: date
    total_minutes: int
    services: int
    handler: str


class CertifyingUnit(msgspec.Struct):
    id: UUID
    name: str
    responsible_person: str
    contact: str


class Certified(msgspec.Struct):
    id: UUID
    name: str
    id_type: str
    id_type_name: str
    id_number: str  # masked, but on the printed copy
    volunteer_number: str


class ServiceLine(msgspec.Struct):
    day: date
    place: str
    content: str
    minutes: int
    hours: float


class CertifiedRating(msgspec.Struct, rename={"first": "from", "last": "to"}):
    rating: str
    first: date
    last: date


class Certificate(msgspec.Struct, rename={"first": "from", "last": "to"}):
    """A certificate as issued (志愿服务证明)."""
    id: UUID
    number: str
    verification_code: str
    issued_on: date
    first: date
    last: date
    unit: CertifyingUnit
    handler: str
    volunteer: Certified
    services: list[ServiceLine]
    total_minutes: int
    total_hours: float
    star_level: int | None = None  # 星级 on the day of issue
    evaluation: CertifiedRating | None = None  # the latest evaluation of service in these days (评价情况)


class Verification(msgspec.Struct, rename={"first": "from", "last": "to"}):
    """What anyone holding a certificate's code may see: enough to match the paper, masked."""
    valid: bool
    number: str
    issued_on: date
    unit: str
    contact: str
    first: date
    last: date
    volunteer: str
    id_number: str
    services: int
    total_hours: float


class CertificatesController(Controller):
    path = "/api/v1"
    tags = ["certificates"]

    @post("/units/{unit_id:uuid}/certificate-details", guards=[may(Commands.set_certificate_details)],
          sync_to_thread=True, status_code=200)
    def details(self, request: Request, commands: CommandPath, unit_id: FromPath[UUID],
                data: JSONBody[CertificateDetails]) -> Response[DetailsSet]:
        """Who answers for the unit's certificates, and where to check one; printed on every certificate."""
        receipt = commands.set_certificate_details(request.user, unit_id, data.responsible_person, data.contact)
        return written(request, receipt, DetailsSet(unit_id, data.responsible_person, data.contact))

    @post("/volunteers/{volunteer_id:uuid}/identity", guards=[may(Commands.record_identity)], sync_to_thread=True,
          status_code=200)
    def identity(self, request: Request, commands: CommandPath, volunteer_id: FromPath[UUID],
                 data: JSONBody[Identity]) -> Response[IdentityRecorded]:
        """The identity document a certificate names (a resident ID's check digit is checked); kept
        sealed as personal data, answered masked."""
        receipt = commands.record_identity(request.user, volunteer_id, data.id_type, data.id_number,
                                           data.volunteer_number)
        number = commands.ledger.get_volunteer(volunteer_id).id_number
        return written(request, receipt, IdentityRecorded(volunteer_id, data.id_type, masked(number),
                                                          data.volunteer_number))

    @post("/volunteers/{volunteer_id:uuid}/certificates", guards=[may(Commands.issue_certificate)],
          sync_to_thread=True)
    def issue(self, request: Request, commands: CommandPath, volunteer_id: FromPath[UUID],
              data: JSONBody[CertificateAsked]) -> Response[Issued]:
        """Issue a numbered certificate of the service in the days given; 422 when the unit's
        responsible person or the volunteer's identity document is missing."""
        first, last = checked_span(data.first, data.last)
        receipt = commands.issue_certificate(request.user, volunteer_id, first, last, data.handler,
                                             now_local(request).date())
        number, code = receipt.value
        return written(request, receipt, Issued(receipt.id, number, code, f"/verify/{code}"), 201)

    @get("/volunteers/{volunteer_id:uuid}/certificates", guards=[allow("coordinator", "volunteer")],
         sync_to_thread=True)
    def of_volunteer(self, request: Request, volunteer_id: FromPath[UUID],
                     min_position: Position = None) -> list[Listed]:
        db = read_db(request, min_position)
        found = directory.volunteer(db, str(volunteer_id))
        if found is None:
            raise NotFoundException(f"No volunteer with id {volunteer_id}")
        request.user.ensure_volunteer(volunteer_id, found["unit_id"])
        return certificates.of_volunteer(db, str(volunteer_id))

    @get("/certificates", guards=[allow("coordinator", "admin")], sync_to_thread=True)
    def of_units(self, request: Request, unit_id: FromQuery[UUID | None] = None,
                 min_position: Position = None) -> list[Listed]:
        """The units' register of issued certificates, newest first."""
        return certificates.of_units(read_db(request, min_position), units_asked(request, unit_id))

    @get("/certificates/{certificate_id:uuid}", guards=[allow("coordinator", "volunteer")], sync_to_thread=True)
    def show(self, request: Request, ledger: TheLedger, certificate_id: FromPath[UUID]) -> Certificate:
        """The certificate exactly as issued (identity number masked)."""
        return shown(readable(ledger, request.user, certificate_id))

    @get("/certificates/verify/{code:str}", sync_to_thread=True, security=[])
    def verify(self, request: Request, ledger: TheLedger, code: Annotated[str, Parameter(min_length=4, max_length=40)]) -> Verification:
        """For anyone holding a certificate: is it real? No login; the name and number come masked,
        and one address may ask 20 times a minute."""
        wait = request.app.state.verifications.retry_after(Client.of(request).key)
        if wait:
            raise HTTPException(status_code=429, detail="Too many verifications from here; wait a minute.",
                                headers={"Retry-After": str(wait)})
        if not 4 <= len(code) <= 40:
            raise InvalidCommand("code", "is 12 letters and digits, as printed on the certificate")
        found = certificates.by_code(read_db(request, None), code)
        if found is None:
            raise NotFoundException("No certificate has this verification code.")
        return verified(ledger.get_certificate(UUID(found["id"])))

    @get("/exports/service-records", guards=[allow("coordinator", "admin")], sync_to_thread=True,
         response_description="service records in the national volunteer-record systems' fields, CSV or XLSX")
    def national(self, request: Request, ledger: TheLedger, from_: Day = None,
                 to: Annotated[date | None, QueryParameter(name="to")] = None,
                 unit_id: FromQuery[UUID | None] = None, fmt: AsFile = "csv") -> Response:
        """One row per service: identity (full: this file is for upload to the national system),
        organisation, content, date and hours."""
        today = now_local(request).date()
        first, last = from_ or today.replace(month=1, day=1), to or today
        first, last = checked_span(first, last, A_YEAR)
        db = read_db(request, None)
        volunteers = directory.volunteers(db, units_asked(request, unit_id), None, None, limit=1_000_000)
        rows = national_rows(ledger, db, volunteers, first.isoformat(), last.isoformat(),
                             ledger.service_types(), request.app.state.settings.star_hours)
        return table(rows, NATIONAL_COLUMNS, lambda title: title, fmt, f"service-records-{first}-{last}")
