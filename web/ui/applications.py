"""Joining as a volunteer in the browser: the public application form of a unit (no login), and the
coordinator's pipeline board from application to the first shift."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import segno
from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Template

from domain.applications import AVAILABILITY, STAGES
from domain.identity import ID_TYPES
from domain.usecases.applications import SCREENING, ApplicationForm
from projections import applications, directory
from web.agreements import AGREEMENT, DATA_CONSENT
from web.auth import allow, may
from web.commands import CommandPath, Commands
from web.links import apply_link, join_link
from web.login import Client
from web.ui.common import act, back, flash_of, form_day, listed, now_local, page, reader, translator
from web.ui.session import before_a_session

Form = URLEncodedBody[dict[str, str]]


def application_form(data: dict[str, str], unit_id: UUID) -> ApplicationForm:
    """The public form as the command takes it (each value checked there, not here)."""
    born = form_day(data, "birth_date") if data.get("birth_date", "").strip() else None
    return ApplicationForm(
        unit_id=unit_id, name=data.get("name", ""), phone=data.get("phone", ""), id_type=data.get("id_type", ""),
        id_number=data.get("id_number", ""), birth_date=born,  # type: ignore[arg-type]
        availability=[a for a in AVAILABILITY if data.get(f"availability_{a}") == "on"],
        languages=listed(data.get("languages", "")), skills=listed(data.get("skills", "")),
        emergency_name=data.get("emergency_name", ""), emergency_phone=data.get("emergency_phone", ""),
        agreement_accepted=data.get("agreement") == "on", consent_given=data.get("consent") == "on",
        guardian_name=data.get("guardian_name", ""), guardian_phone=data.get("guardian_phone", ""),
        guardian_consents=data.get("guardian_consent") == "on")


class ApplicationsController(Controller):
    include_in_schema = False

    @get("/apply/{unit_id:uuid}", sync_to_thread=True)
    def form(self, request: Request, unit_id: FromPath[UUID]) -> Template:
        """Anyone may open it: no login, a form token bound to this browser (as the login form's)."""
        unit = next((u for u in directory.units(reader(request)) if u["id"] == str(unit_id)), None)
        if unit is None:
            raise NotFoundException("No such unit")
        return before_a_session(request, "apply.html", "/apply", unit=unit, id_types=ID_TYPES,
                                availability=AVAILABILITY, agreement=AGREEMENT, consent=DATA_CONSENT)

    @post("/apply/{unit_id:uuid}", sync_to_thread=True)
    def submit(self, request: Request, commands: CommandPath, unit_id: FromPath[UUID], data: Form) -> Response:
        """The same answer whether or not this person applied before (a duplicate is the coordinator's
        to see on the board, never the form's to tell)."""
        state, t = request.app.state, translator(request)
        typed = {k: v for k, v in data.items() if k != "_csrf"}
        address = Client.of(request).key
        if state.applications.full(address):  # applications made, not tries: a refused one records nothing
            return back(request, f"/apply/{unit_id}", "error",
                        t.gettext("Too many applications from here; please try again in a few minutes."),
                        form="apply", values=typed)

        def apply() -> Any:
            receipt = commands.apply(application_form(data, unit_id))
            state.applications.retry_after(address)
            return receipt
        return act(request, f"/apply/{unit_id}/sent", "Thank you: your application is received.", apply, form="apply",
                   typed=typed, refused_to=f"/apply/{unit_id}")

    @get("/apply/{unit_id:uuid}/sent", sync_to_thread=True)
    def sent(self, request: Request, unit_id: FromPath[UUID]) -> Template:
        return page(request, "apply_sent.html")

    @get("/applications", guards=[allow("coordinator")], sync_to_thread=True)
    def board(self, request: Request, commands: CommandPath) -> Template:
        """The pipeline, a column per stage; who waits longer than the programme allows is marked."""
        db = reader(request)
        units = list(request.user.unit_ids)
        names = {u["id"]: u["name"] for u in directory.units(db)}
        now = commands.ledger.clock.now()
        waiting = timedelta(days=request.app.state.settings.applicant_wait_days)
        cards = [a | {"late": now - _moment(a["changed_at"]) > waiting, "ready": _ready(commands, a)}
                 for a in applications.board(db, units)]
        flash = flash_of(request) or {}
        code = (flash.get("values") or {}).get("code") if str(flash.get("form", "")).startswith("activate-") else None
        links = [{"unit": names.get(u, u), "link": apply_link(request, u)} for u in sorted(units)]
        for link in links:
            link["qr"] = segno.make(link["link"], error="m").svg_data_uri(scale=4, dark="#1b1f24")
        return page(request, "applications.html", columns=[(s, [c for c in cards if c["stage"] == s])
                                                            for s in STAGES[:-1]],
                    late=sum(c["late"] for c in cards), unit_names=names, links=links, code=code,
                    join=join_link(request, code) if code else None,
                    wait_days=request.app.state.settings.applicant_wait_days)

    @post("/applications/{application_id:uuid}/{step:str}", guards=[allow("coordinator")], sync_to_thread=True)
    def step(self, request: Request, commands: CommandPath, application_id: FromPath[UUID], step: FromPath[str],
             data: Form) -> Response:
        """One step of the pipeline, by the same command the API runs."""
        steps = {
            "interview": ("Interview recorded.", lambda: commands.interview_applicant(
                request.user, application_id, data.get("note", ""))),
            "screen": ("Screening recorded.", lambda: commands.screen_applicant(request.user, application_id)),
            "train": ("Training recorded.", lambda: commands.mark_applicant_trained(request.user, application_id)),
            "activate": ("Active: the invitation to set a password is sent.",
                         lambda: commands.activate_applicant(request.user, application_id,
                                                             lambda code: join_link(request, code))),
            "reject": ("The application is rejected; the applicant is told why.", lambda: commands.close_application(
                request.user, application_id, "rejected", data.get("reason", ""))),
            "withdraw": ("The application is withdrawn; the applicant is told.", lambda: commands.close_application(
                request.user, application_id, "withdrawn", data.get("reason", ""))),
        }
        if step not in steps:
            raise NotFoundException("No such step")
        done, command = steps[step]
        return act(request, "/applications", done, command, form=f"{step}-{application_id}", typed=dict(data),
                   shown=(lambda receipt: {"code": receipt.value}) if step == "activate" else None)


def _ready(commands: Commands, card: dict) -> bool:
    """Whether the card's next step would be taken, by the rule the step's command applies."""
    return card["stage"] not in ("interviewed", "screened") or commands.ledger.ready_for_next_step(
        UUID(card["application_id"]), getattr(commands.settings, "screening", SCREENING))


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text)
