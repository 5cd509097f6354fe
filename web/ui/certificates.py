"""Service record certificates on screen: the coordinator's register, the volunteer's own, the
printable certificate, and the public page that verifies one by its code."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import HTTPException, NotFoundException
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Template

from domain.identity import ID_TYPES, masked
from projections import certificates, directory
from web.login import Client
from web.i18n import catalogue
from web.auth import allow
from web.certificates import ID_TYPE_NAMES, readable, shown, verified
from web.commands import CommandPath, TheLedger
from web.ui.common import act, form_day, form_id, now_local, page, reader

Form = URLEncodedBody[dict[str, str]]


class CertificatesPagesController(Controller):
    include_in_schema = False

    @get("/certificates", guards=[allow("coordinator")], sync_to_thread=True)
    def register(self, request: Request, ledger: TheLedger) -> Template:
        db = reader(request)
        units = [u for u in directory.units(db) if u["id"] in request.user.unit_ids]
        details = {u["id"]: ledger.get_unit(UUID(u["id"])) for u in units}
        today = now_local(request).date()
        return page(request, "certificates.html", units=units, details=details,
                    volunteers=directory.volunteers(db, list(request.user.unit_ids), "active", None, limit=1000),
                    issued=certificates.of_units(db, list(request.user.unit_ids)), today=today,
                    year_start=today.replace(month=1, day=1), id_types=ID_TYPES, id_type=None,
                    missing_details=[u["name"] for u in units if not getattr(details[u["id"]], "responsible_person", "")],
                    ready=any(getattr(details[u["id"]], "responsible_person", "") for u in units))

    @post("/certificates/details", guards=[allow("coordinator")], sync_to_thread=True)
    def details(self, request: Request, commands: CommandPath, data: Form) -> Response:
        return act(request, "/certificates", "The certificate details are saved.",
                   lambda: commands.set_certificate_details(request.user, form_id(data, "unit_id"),
                                                            data.get("responsible_person", ""), data.get("contact", "")),
                   form="details")

    @post("/certificates/identity", guards=[allow("coordinator")], sync_to_thread=True)
    def identity(self, request: Request, commands: CommandPath, data: Form) -> Response:
        return act(request, "/certificates", "The identity document is recorded.", lambda: commands.record_identity(
            request.user, form_id(data, "volunteer_id"), data.get("id_type", ""), data.get("id_number", ""),
            data.get("volunteer_number", "")), form="identity", typed=dict(data))

    @post("/certificates/issue", guards=[allow("coordinator")], sync_to_thread=True)
    def issue_for(self, request: Request, commands: CommandPath, data: Form) -> Response:
        return act(request, "/certificates", "Certificate issued: open it below to print.",
                   lambda: commands.issue_certificate(request.user, form_id(data, "volunteer_id"),
                                                      form_day(data, "from"), form_day(data, "to"),
                                                      data.get("handler", ""), now_local(request).date()),
                   form="issue", typed=dict(data))

    @get("/certificates/{certificate_id:uuid}", guards=[allow("coordinator", "volunteer")], sync_to_thread=True)
    def certificate(self, request: Request, ledger: TheLedger, certificate_id: FromPath[UUID]) -> Template:
        """The certificate as issued, to print: the identity number masked on screen, whole on paper."""
        certificate = readable(ledger, request.user, certificate_id)
        zh = catalogue("zh")  # the certificate is in Chinese, whatever the page's language
        return page(request, "certificate.html", c=shown(certificate), whole_id=certificate.id_number,
                    verify_url=f"{str(request.base_url).rstrip('/')}/verify/{certificate.code}",
                    rating_zh={r: zh.get(f"rating:{r}", r) for r in request.app.state.settings.evaluation_scale})

    # --- the volunteer's own ------------------------------------------------------------

    @get("/me/certificates", guards=[allow("volunteer")], sync_to_thread=True)
    def mine(self, request: Request, ledger: TheLedger) -> Template:
        me = request.user.volunteer_id
        volunteer = ledger.get_volunteer(UUID(me))
        today = now_local(request).date()
        return page(request, "my_certificates.html", issued=certificates.of_volunteer(reader(request), me),
                    id_type=getattr(volunteer, "id_type", ""), id_number=masked(getattr(volunteer, "id_number", "")),
                    id_types=ID_TYPES, id_type_names=ID_TYPE_NAMES, today=today,
                    year_start=today.replace(month=1, day=1))

    @post("/me/identity", guards=[allow("volunteer")], sync_to_thread=True)
    def my_identity(self, request: Request, commands: CommandPath, data: Form) -> Response:
        return act(request, "/me/certificates", "The identity document is recorded.",
                   lambda: commands.record_identity(request.user, UUID(request.user.volunteer_id),
                                                    data.get("id_type", ""), data.get("id_number", ""),
                                                    data.get("volunteer_number", "")),
                   form="identity", typed=dict(data))

    @post("/me/certificates", guards=[allow("volunteer")], sync_to_thread=True)
    def issue_mine(self, request: Request, commands: CommandPath, data: Form) -> Response:
        return act(request, "/me/certificates", "Certificate issued: open it below to print.",
                   lambda: commands.issue_certificate(request.user, UUID(request.user.volunteer_id),
                                                      form_day(data, "from"), form_day(data, "to"), "",
                                                      now_local(request).date()), form="issue",
                   typed=dict(data))

    # --- anyone ---------------------------------------------------------------------------

    @get("/verify", sync_to_thread=True)
    def verify_form(self, request: Request, code: FromQuery[str | None] = None) -> Response:
        if code:
            return Response(content="", status_code=303, headers={"location": f"/verify/{code.strip().upper()[:40]}"})
        return page(request, "verify.html", found=None, code="")

    @get("/verify/{code:str}", sync_to_thread=True)
    def verify(self, request: Request, ledger: TheLedger, code: FromPath[str]) -> Template:
        """A certificate's code, checked by anyone (an employer, a school) without logging in."""
        wait = request.app.state.verifications.retry_after(Client.of(request).address)
        if wait:
            raise HTTPException(status_code=429, detail="Too many verifications from here; wait a minute.",
                                headers={"Retry-After": str(wait)})
        found = certificates.by_code(reader(request), code[:40])
        if found is None:  # said on the page, with the code to correct: a typo is the likeliest cause
            answer = page(request, "verify.html", found=None, code=code[:40], unknown=True)
            answer.status_code = 404
            return answer
        return page(request, "verify.html", found=verified(ledger.get_certificate(UUID(found["id"]))),
                    code=code)
