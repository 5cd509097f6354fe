"""The coordinator's screens: the week calendar of shifts, a shift's roster, volunteers, trainings."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any
from uuid import UUID

import segno

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template

from domain import bounds
from domain.errors import DomainError, InvalidCommand
from domain.trainings import TRAINING_KINDS
from domain.volunteers import CREDENTIAL_KINDS
from projections import (awards, certificates, directory, hours, notices, qualifications, reviews, roster, trainings,
                         waitlists)
from projections.store import iso
from web.auth import allow
from web.commands import CommandPath, TheLedger
from web.jobs.importing import IMPORT_MAX_BYTES, start_import
from web.links import join_link
from web.ui.stars import star_context
from web.ui.common import (act, calendar_url, form_day, form_id, form_moment, form_score, form_time, form_whole,
                           flash_of, fragment_for, listed, now_local, page, reader, translator)

Form = URLEncodedBody[dict[str, str]]


def _unit(request: Request, unit: str | None) -> str:
    """The unit this page shows: the one asked for, if the coordinator acts for it, else its first."""
    units = list(request.user.unit_ids) or [u["id"] for u in directory.units(reader(request))]
    chosen = unit if unit in units else (units[0] if units else "")
    if not chosen:
        raise NotFoundException("No unit yet")
    return chosen


def requirable(db: Any, unit_id: str) -> list[str]:
    """What a shift can require: a qualification someone can gain (a training of this unit grants
    it, or a kind of training or credential CareLedger knows), never free text nobody can hold."""
    known = [k for k in TRAINING_KINDS if k != "other"] + list(CREDENTIAL_KINDS)
    return list(dict.fromkeys([*known, *trainings.granted(db, [unit_id])]))


def chosen_requirements(db: Any, data: dict[str, list[str]] | dict[str, str], unit_id: UUID) -> list[str]:
    chosen = data.get("requires", [])
    chosen = [chosen] if isinstance(chosen, str) else chosen
    known = requirable(db, str(unit_id))
    for kind in chosen:
        if kind not in known:
            raise InvalidCommand("requires", "choose one from the list")
    return [k for k in chosen if k]


def _shown_invitation(request: Request) -> dict[str, str] | None:
    """The invitation just issued (its code is in the flash, once): its link and QR."""
    flash = flash_of(request) or {}
    code = (flash.get("values") or {}).get("code") if flash.get("form") == "invitation" else None
    if not code:
        return None
    link = join_link(request, code)
    return {"code": code, "link": link, "qr": segno.make(link, error="m").svg_data_uri(scale=5, dark="#1b1f24")}


def form_values(request: Request, data: dict[str, Any]) -> dict[str, str]:
    """A form's fields as typed (a list of checkboxes: comma-joined), to fill it in again."""
    return {k: ",".join(v) if isinstance(v, list) else v for k, v in data.items()}


class CoordinatorController(Controller):
    include_in_schema = False
    guards = [allow("coordinator")]

    # --- the week calendar ------------------------------------------------------------

    @get("/shifts", sync_to_thread=True)
    def week(self, request: Request, unit: FromQuery[str | None] = None, week: FromQuery[date | None] = None) -> Template:
        unit_id = _unit(request, unit)
        today = now_local(request).date()
        if week is not None and not bounds.EARLIEST_DAY <= week <= bounds.LATEST_DAY:
            week = None  # a week no one schedules in: this week instead
        monday = (week or today) - timedelta(days=(week or today).weekday())
        zone = now_local(request).tzinfo
        db = reader(request)
        shifts = roster.shifts(db, [unit_id], datetime.combine(monday, time(0), zone),
                               datetime.combine(monday + timedelta(days=7), time(0), zone))
        days = [monday + timedelta(days=i) for i in range(7)]
        posts = sorted({s["post"] for s in shifts} | set(directory.posts(db, unit_id)))
        by_cell: dict[tuple[str, str], list[dict]] = {}
        for s in shifts:
            by_cell.setdefault((s["post"], s["day"]), []).append(s)
        # a row a post, a cell a day: looked up here once, not by the template for every cell
        grid = [(post, [(d, by_cell.get((post, d.isoformat()), [])) for d in days]) for post in posts]
        units = [u for u in directory.units(db) if u["id"] in request.user.unit_ids]
        return page(request, "shifts_week.html", calendar=calendar_url(request, f"u-{unit_id}"), unit_id=unit_id,
                    units=units, days=days, posts=posts, grid=grid, qualifications=requirable(db, unit_id),
                    monday=monday, previous=monday - timedelta(days=7), following=monday + timedelta(days=7),
                    today=today)

    @post("/shifts", sync_to_thread=True)
    def schedule(self, request: Request, commands: CommandPath,
                 data: URLEncodedBody[dict[str, str | list[str]]]) -> Response:
        zone = now_local(request).tzinfo
        to = f"/shifts?unit={data.get('unit_id', '')}&week={data.get('day', '')}"
        return act(request, to, "Shift scheduled.", lambda: commands.schedule_shift(
            request.user, form_id(data, "unit_id"), data.get("post", ""),
            form_moment(data, "day", "start", zone, "starts_at"), form_moment(data, "day", "end", zone, "ends_at"),
            form_whole(data, "capacity", 0), chosen_requirements(reader(request), data, form_id(data, "unit_id"))),
            form="shift", typed=form_values(request, data))

    # --- one shift's roster -----------------------------------------------------------

    @get("/shifts/{shift_id:uuid}", sync_to_thread=True)
    def shift(self, request: Request, shift_id: FromPath[UUID]) -> Template:
        db = reader(request)
        found = roster.shift(db, str(shift_id))
        if found is None:
            raise NotFoundException("No such shift")
        request.user.ensure_unit(found["unit_id"])
        on_roster = {s["volunteer_id"] for s in found["roster"]}
        candidates = [v for v in directory.active_names(db, found["unit_id"]) if v["id"] not in on_roster]
        # Who cannot be signed up for want of a qualification is not offered (the command would refuse)
        lacking = qualifications.missing_for(db, [v["id"] for v in candidates], found["requires"], found["day"])
        unqualified = [v | {"lacks": lacking[v["id"]]} for v in candidates if v["id"] in lacking]
        candidates = [v for v in candidates if v["id"] not in lacking]
        now = now_local(request)
        started = now >= datetime.fromisoformat(found["starts_at"])
        over = now >= datetime.fromisoformat(found["ends_at"])
        series = roster.series_of(db, found["series_id"]) if found["series_id"] else []
        rest = [s for s in series if s["starts_at"] >= found["starts_at"] and not s["cancelled"]
                and datetime.fromisoformat(s["ends_at"]) > now]
        return page(request, "shift.html", shift=found, waiting=waitlists.of_shift(db, str(shift_id)),
                    handovers=waitlists.handovers_awaiting(db, str(shift_id)), candidates=candidates, unqualified=unqualified,
                    started=started, over=over,
                    told=sum(1 for s in found["roster"] if s["state"] == "signed_up"),
                    served=any(s["state"] in ("checked_in", "checked_out") for s in found["roster"]),
                    series=series, rest=rest, rest_told=sum(s["filled"] + s["trainees"] for s in rest))

    @post("/shifts/series", sync_to_thread=True)
    def schedule_series(self, request: Request, commands: CommandPath,
                        data: URLEncodedBody[dict[str, str | list[str]]]) -> Response:
        unit = str(data.get("unit_id", ""))
        weekdays = data.get("weekdays", [])
        return act(request, f"/shifts?unit={unit}&week={data.get('first_day', '')}", "Weekly series scheduled.",
                   lambda: commands.schedule_series(
                       request.user, form_id(data, "unit_id"), str(data.get("post", "")),  # type: ignore[arg-type]
                       [weekdays] if isinstance(weekdays, str) else list(weekdays), form_time(data, "start_time"),
                       form_time(data, "end_time"), form_day(data, "first_day"),  # type: ignore[arg-type]
                       form_whole(data, "weeks", 0), form_whole(data, "capacity", 0),  # type: ignore[arg-type]
                       chosen_requirements(reader(request), data, form_id(data, "unit_id")),  # type: ignore[arg-type]
                       request.app.state.settings.timezone),
                   form="series", typed=form_values(request, data))

    @post("/shifts/{shift_id:uuid}/reschedule", sync_to_thread=True)
    def reschedule(self, request: Request, commands: CommandPath, shift_id: FromPath[UUID], data: Form) -> Response:
        """Change this occurrence alone; the rest of its series stays as it is."""
        zone = now_local(request).tzinfo
        return act(request, f"/shifts/{shift_id}", "This occurrence was changed; anyone signed up is told.",
                   lambda: commands.reschedule_shift(
                       request.user, shift_id, form_moment(data, "day", "start", zone, "starts_at"),
                       form_moment(data, "day", "end", zone, "ends_at"), form_whole(data, "capacity", 0)),
                   form="reschedule", typed=form_values(request, data))

    @post("/shifts/{shift_id:uuid}/cancel-rest", sync_to_thread=True)
    def cancel_rest(self, request: Request, commands: CommandPath, shift_id: FromPath[UUID], data: Form) -> Response:
        return act(request, f"/shifts/{shift_id}", "This and the rest of the series are cancelled.",
                   lambda: commands.cancel_rest_of_series(request.user, shift_id,
                                                          data.get("reason", "").strip() or "-"))

    @post("/shifts/{shift_id:uuid}/signup", sync_to_thread=True)
    def sign_up(self, request: Request, commands: CommandPath, shift_id: FromPath[UUID], data: Form) -> Response:
        return act(request, f"/shifts/{shift_id}", "Signed up.", lambda: commands.sign_up(
            request.user, shift_id, form_id(data, "volunteer_id"), trainee=data.get("trainee") == "on"))

    @post("/shifts/{shift_id:uuid}/no-show", sync_to_thread=True)
    def no_show(self, request: Request, commands: CommandPath, shift_id: FromPath[UUID], data: Form) -> Response:
        return act(request, f"/shifts/{shift_id}", "Marked as a no-show.", lambda: commands.mark_no_show(
            request.user, shift_id, form_id(data, "volunteer_id")))

    @post("/shifts/{shift_id:uuid}/handovers/{giver_id:uuid}/approve", sync_to_thread=True)
    def approve_handover(self, request: Request, commands: CommandPath, shift_id: FromPath[UUID],
                         giver_id: FromPath[UUID]) -> Response:
        return act(request, f"/shifts/{shift_id}", "Approved: the place has changed hands and both are told.",
                   lambda: commands.approve_handover(request.user, shift_id, giver_id))

    @post("/shifts/{shift_id:uuid}/handovers/{giver_id:uuid}/decline", sync_to_thread=True)
    def decline_handover(self, request: Request, commands: CommandPath, shift_id: FromPath[UUID],
                         giver_id: FromPath[UUID], data: Form) -> Response:
        return act(request, f"/shifts/{shift_id}", "Declined: the place stays on offer and the volunteer is told why.",
                   lambda: commands.decline_handover(request.user, shift_id, giver_id, data.get("reason", "")),
                   form=f"decline-{giver_id}", typed=dict(data))

    @post("/shifts/{shift_id:uuid}/cancel", sync_to_thread=True)
    def cancel(self, request: Request, commands: CommandPath, shift_id: FromPath[UUID], data: Form) -> Response:
        return act(request, f"/shifts/{shift_id}", "Shift cancelled.", lambda: commands.cancel_shift(
            request.user, shift_id, data.get("reason", "").strip() or "-"))

    # --- volunteers ---------------------------------------------------------------------

    @get("/volunteers", sync_to_thread=True)
    def volunteers(self, request: Request, ledger: TheLedger, q: FromQuery[str | None] = None,
                   status: FromQuery[str | None] = None) -> Template:
        db = reader(request)
        units = list(request.user.unit_ids)
        found = directory.volunteers(db, units, status or None, q or None, limit=300)
        # To call: the whole numbers, from the log (read models keep the last digits only)
        phones = {v["id"]: ledger.get_volunteer(UUID(v["id"])).phone for v in found}
        held = {v["id"]: qualifications.held_by(db, v["id"]) for v in found}
        expiring = qualifications.expiring(db, now_local(request).date(), 30, units)
        unit_names = {u["id"]: u["name"] for u in directory.units(db)}
        template = "partials/volunteer_rows.html" if fragment_for(request, "volunteer-rows") and \
            request.headers.get("hx-target") == "volunteer-rows" else "volunteers.html"
        to_review = reviews.pending(db, units)
        corrections = reviews.corrections_pending(db, units)
        awards_due = awards.due(db, units, request.app.state.settings.award_hours)
        now = ledger.clock.now()
        uninsured = qualifications.uninsured(db, units, iso(now), iso(now + timedelta(days=7)))
        return page(request, template, volunteers=found, held=held, expiring=expiring, q=q or "", phones=phones,
                    to_review=to_review, awards_due=awards_due, corrections=corrections,
                    star_hours=list(request.app.state.settings.star_hours), uninsured=uninsured,
                    status=status or "", units=[(u, unit_names.get(u, u)) for u in units])

    @get("/volunteers/{volunteer_id:uuid}", sync_to_thread=True)
    def volunteer(self, request: Request, ledger: TheLedger, volunteer_id: FromPath[UUID]) -> Template:
        """One volunteer's page: who (the whole number, to call), what they hold and until when,
        hours and attendance by month, shifts to come and served, certificates; and what a
        coordinator may do next."""
        db = reader(request)
        found = directory.volunteer(db, str(volunteer_id))
        if found is None:
            raise NotFoundException("No such volunteer")
        request.user.ensure_volunteer(volunteer_id, found["unit_id"])
        today = now_local(request).date()
        whole = ledger.get_volunteer(volunteer_id)
        summary = hours.summary(db, str(volunteer_id), bounds.EARLIEST_DAY.isoformat(), today.isoformat())
        record = hours.service_record(db, str(volunteer_id), bounds.EARLIEST_DAY.isoformat(), today.isoformat())
        return page(request, "volunteer.html", volunteer=found, phone=whole.phone, email=getattr(whole, "email", ""),
                    **star_context(request, db, str(volunteer_id)),
                    evaluations=request.app.state.commands.evaluations_of(request.user, volunteer_id),
                    insurance=getattr(whole, "insurance", None), agreement=getattr(whole, "agreement", None),
                    scale=request.app.state.settings.evaluation_scale,
                    evaluate_from=(today - timedelta(days=182)).isoformat(),
                    held=qualifications.held_by(db, str(volunteer_id)), summary=summary,
                    months=summary["by_month"][-12:], served=list(reversed(record))[:20],
                    coming=roster.seats_of(db, str(volunteer_id), now_local(request)),
                    certificates=certificates.of_volunteer(db, str(volunteer_id)), today=today,
                    login=directory.login_of(db, str(volunteer_id)),
                    invited=directory.invitations_open(db, str(volunteer_id), iso(ledger.clock.now())),
                    invitation=_shown_invitation(request),
                    reach=request.app.state.commands.channel_to(volunteer_id),
                    soon=(today + timedelta(days=30)).isoformat(), credential_kinds=CREDENTIAL_KINDS,
                    under_review=whole.no_shows_under_review(ledger.limits_at(UUID(found["unit_id"]))[0], today))

    @post("/volunteers/{volunteer_id:uuid}/insurance", sync_to_thread=True)
    def record_insurance(self, request: Request, commands: CommandPath, volunteer_id: FromPath[UUID],
                         data: Form) -> Response:
        return act(request, f"/volunteers/{volunteer_id}", "The insurance policy is recorded.",
                   lambda: commands.record_insurance(request.user, volunteer_id, data.get("policy_number", ""),
                                                     data.get("insurer", ""), form_day(data, "valid_from"),
                                                     form_day(data, "valid_until")), form="insurance", typed=dict(data))

    @post("/volunteers/{volunteer_id:uuid}/evaluations", sync_to_thread=True)
    def evaluate(self, request: Request, commands: CommandPath, volunteer_id: FromPath[UUID], data: Form) -> Response:
        return act(request, f"/volunteers/{volunteer_id}", "The evaluation is recorded; the volunteer can read it.",
                   lambda: commands.evaluate_volunteer(request.user, volunteer_id, form_day(data, "from"),
                                                       form_day(data, "to"), data.get("rating", ""),
                                                       data.get("comment", "")), form="evaluate", typed=dict(data))

    @post("/evaluations/{evaluation_id:uuid}/amend", sync_to_thread=True)
    def amend_evaluation(self, request: Request, commands: CommandPath, evaluation_id: FromPath[UUID],
                         data: Form) -> Response:
        volunteer = data.get("volunteer_id", "")
        back_to = f"/volunteers/{volunteer}" if re.fullmatch(r"[0-9a-f-]{36}", volunteer) else "/volunteers"
        return act(request, back_to, "The evaluation is amended; what it said before stays on record.",
                   lambda: commands.amend_evaluation(request.user, evaluation_id, data.get("rating", ""),
                                                     data.get("comment", ""), data.get("reason", "")),
                   form=f"amend-{evaluation_id}", typed=dict(data))

    @post("/volunteers/{volunteer_id:uuid}/no-show-review/clear", sync_to_thread=True)
    def clear_review(self, request: Request, commands: CommandPath, volunteer_id: FromPath[UUID]) -> Response:
        return act(request, f"/volunteers/{volunteer_id}", "The review is cleared: their sign-ups go through again.",
                   lambda: commands.clear_no_show_review(request.user, volunteer_id))

    @post("/volunteers/{volunteer_id:uuid}/profile", sync_to_thread=True)
    def update_profile(self, request: Request, commands: CommandPath, volunteer_id: FromPath[UUID],
                       data: Form) -> Response:
        return act(request, f"/volunteers/{volunteer_id}", "Profile saved.", lambda: commands.update_volunteer_profile(
            request.user, volunteer_id, data.get("phone", ""), listed(data.get("languages", "")),
            listed(data.get("skills", ""))), form="profile", typed=form_values(request, data))

    @post("/volunteers/{volunteer_id:uuid}/credentials", sync_to_thread=True)
    def record_credential(self, request: Request, commands: CommandPath, volunteer_id: FromPath[UUID],
                          data: Form) -> Response:
        expires = data.get("expires_on", "").strip()
        kind, _, declined = data.get("kind", "").partition(":")  # "flu_vaccination:declined", a choice of its own
        return act(request, f"/volunteers/{volunteer_id}", "Credential recorded.", lambda: commands.record_credential(
            request.user, volunteer_id, kind, form_day(data, "recorded_on"),
            form_day(data, "expires_on") if expires else None, declined=declined == "declined"),
            form="credential", typed=form_values(request, data))

    @post("/volunteers/{volunteer_id:uuid}/invite", sync_to_thread=True)
    def invite(self, request: Request, commands: CommandPath, volunteer_id: FromPath[UUID]) -> Response:
        """A one-time code for the volunteer to set up their own login, shown once on their page
        (a link, the code and a QR for their phone)."""
        return act(request, f"/volunteers/{volunteer_id}",
                   "Hand this to the volunteer: with it they set up their own login.",
                   lambda: commands.invite_volunteer(request.user, volunteer_id), form="invitation",
                   shown=lambda receipt: {"code": receipt.value})

    @post("/volunteers/{volunteer_id:uuid}/invite/send", sync_to_thread=True)
    def send_invitation(self, request: Request, commands: CommandPath, volunteer_id: FromPath[UUID],
                        data: Form) -> Response:
        """The invitation just shown, sent to the volunteer by e-mail or SMS (the mailroom's outbox)."""
        code = data.get("code", "")
        return act(request, f"/volunteers/{volunteer_id}", "The invitation is on its way: see Notices.",
                   lambda: commands.send_invitation(request.user, code, join_link(request, code)), form="invitation",
                   typed={"code": code})  # refused, the code and its QR are shown again to hand over

    @post("/volunteers/{volunteer_id:uuid}/reinstate", sync_to_thread=True)
    def reinstate(self, request: Request, commands: CommandPath, volunteer_id: FromPath[UUID]) -> Response:
        return act(request, f"/volunteers/{volunteer_id}", "Volunteer reinstated.",
                   lambda: commands.reinstate_volunteer(request.user, volunteer_id))

    @post("/volunteers/{volunteer_id:uuid}/retire", sync_to_thread=True)
    def retire(self, request: Request, commands: CommandPath, volunteer_id: FromPath[UUID]) -> Response:
        return act(request, f"/volunteers/{volunteer_id}", "Volunteer retired.",
                   lambda: commands.retire_volunteer(request.user, volunteer_id))

    @post("/check-out-reviews/{shift_id:uuid}/{volunteer_id:uuid}", sync_to_thread=True)
    def review_check_out(self, request: Request, commands: CommandPath, shift_id: FromPath[UUID],
                         volunteer_id: FromPath[UUID], data: Form) -> Response:
        return act(request, "/volunteers", "Check-out reviewed.", lambda: commands.review_check_out(
            request.user, shift_id, volunteer_id, form_whole(data, "minutes")), form=f"review-{shift_id}-{volunteer_id}")

    @post("/corrections/{shift_id:uuid}/{request_id:uuid}/approve", sync_to_thread=True)
    def approve_correction(self, request: Request, commands: CommandPath, shift_id: FromPath[UUID],
                           request_id: FromPath[UUID]) -> Response:
        return act(request, "/volunteers", "Correction approved: the hours are changed.",
                   lambda: commands.approve_hours_correction(request.user, shift_id, request_id))

    @post("/corrections/{shift_id:uuid}/{request_id:uuid}/decline", sync_to_thread=True)
    def decline_correction(self, request: Request, commands: CommandPath, shift_id: FromPath[UUID],
                           request_id: FromPath[UUID], data: Form) -> Response:
        return act(request, "/volunteers", "Correction declined; the volunteer is told why.",
                   lambda: commands.decline_hours_correction(request.user, shift_id, request_id,
                                                             data.get("reason", "")),
                   form=f"decline-{request_id}")

    @post("/volunteers/{volunteer_id:uuid}/awards/{hours:int}", sync_to_thread=True)
    def present_award(self, request: Request, commands: CommandPath, volunteer_id: FromPath[UUID],
                      hours: FromPath[int]) -> Response:
        return act(request, "/volunteers", "Award recorded as presented.",
                   lambda: commands.present_award(request.user, volunteer_id, hours))

    @get("/notices", sync_to_thread=True)
    def notices(self, request: Request, state_: Annotated[str | None, QueryParameter(name="state")] = None) -> Template:
        """The outbox: what the unit's volunteers were told, whether it went, and why not."""
        states = ("queued", "dispatching", "sent", "retrying", "undeliverable")
        state = state_ if state_ in states else None
        found = notices.listed(reader(request), list(request.user.unit_ids), state=state)
        return page(request, "notices.html", notices=found, state=state or "", states=states,
                    channels=request.app.state.postman.open)

    @get("/volunteers/import", sync_to_thread=True)
    def import_form(self, request: Request) -> Template:
        names = {u["id"]: u["name"] for u in directory.units(reader(request))}
        return page(request, "volunteers_import.html", report=None,
                    units=[(u, names.get(u, u)) for u in request.user.unit_ids])

    @post("/volunteers/import", sync_to_thread=True, request_max_body_size=IMPORT_MAX_BYTES)
    def import_file(self, request: Request,
                    data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]) -> Template:
        upload, unit = data.get("file"), data.get("unit_id") or None
        names = {u["id"]: u["name"] for u in directory.units(reader(request))}
        units = [(u, names.get(u, u)) for u in request.user.unit_ids]
        if not isinstance(upload, UploadFile):
            return page(request, "volunteers_import.html", report=None, units=units,
                        problem=translator(request).gettext("Choose a CSV or Excel file."))
        try:
            job = start_import(request, upload.file.read(), upload.filename or "upload.csv", UUID(unit) if unit else None)
        except (DomainError, ValueError) as refused:
            return page(request, "volunteers_import.html", report=None, units=units,
                        problem=getattr(refused, "message", str(refused)))
        return Redirect(path=f"/volunteers/import/{job}", status_code=303)

    @get("/volunteers/import/{job:str}", sync_to_thread=True)
    def import_progress(self, request: Request, job: FromPath[str]) -> Template:
        """The import's progress bar, refreshed every second by the page until the report is in."""
        found = request.app.state.imports.get(job)
        if found is None or found.owner != request.user.account_id:
            raise NotFoundException("No such import (it may have run on another node, or before a restart).")
        template = "partials/import_progress.html" if fragment_for(request, "import-progress") else \
            "volunteers_import.html"
        names = {u["id"]: u["name"] for u in directory.units(reader(request))}
        return page(request, template, job=found, job_id=job, report=found.report, problem=found.problem,
                    units=[(u, names.get(u, u)) for u in request.user.unit_ids])

    @post("/volunteers", sync_to_thread=True)
    def register(self, request: Request, commands: CommandPath, data: Form) -> Response:
        languages = listed(data.get("languages", ""))
        return act(request, "/volunteers", "Volunteer registered.", lambda: commands.register_volunteer(
            request.user, data.get("name", ""), data.get("phone", ""), form_id(data, "unit_id"), languages, []),
            form="register", typed=form_values(request, data))

    @post("/volunteers/{volunteer_id:uuid}/approve", sync_to_thread=True)
    def approve(self, request: Request, commands: CommandPath, volunteer_id: FromPath[UUID]) -> Response:
        return act(request, "/volunteers", "Volunteer approved.",
                   lambda: commands.approve_volunteer(request.user, volunteer_id))

    @post("/volunteers/{volunteer_id:uuid}/suspend", sync_to_thread=True)
    def suspend(self, request: Request, commands: CommandPath, volunteer_id: FromPath[UUID], data: Form) -> Response:
        to = f"/volunteers/{volunteer_id}" if data.get("back") == "volunteer" else "/volunteers"
        return act(request, to, "Volunteer suspended.", lambda: commands.suspend_volunteer(
            request.user, volunteer_id, data.get("reason", "")), form=f"suspend-{volunteer_id}")

    # --- trainings ----------------------------------------------------------------------

    @get("/trainings", sync_to_thread=True)
    def trainings(self, request: Request) -> Template:
        db = reader(request)
        return page(request, "trainings.html", courses=trainings.courses(db, list(request.user.unit_ids)),
                    units=[u for u in directory.units(db) if u["id"] in request.user.unit_ids],
                    today=now_local(request).date())

    @post("/trainings", sync_to_thread=True)
    def schedule_training(self, request: Request, commands: CommandPath, data: Form) -> Response:
        zone = now_local(request).tzinfo
        return act(request, "/trainings", "Training scheduled.", lambda: commands.schedule_training(
            request.user, data.get("title", ""), data.get("kind", ""), form_id(data, "unit_id"),
            form_moment(data, "day", "start", zone, "starts_at"), form_moment(data, "day", "end", zone, "ends_at"),
            form_whole(data, "capacity", 0), form_whole(data, "validity_days"),
            grants=data.get("grants", "").strip() or None), form="training",
            typed=form_values(request, data))

    @get("/trainings/{training_id:uuid}", sync_to_thread=True)
    def training(self, request: Request, training_id: FromPath[UUID]) -> Template:
        db = reader(request)
        course = trainings.course(db, str(training_id))
        if course is None:
            raise NotFoundException("No such training")
        request.user.ensure_unit(course["unit_id"])
        enrolled = {e["volunteer_id"] for e in course["enrolments"]}
        candidates = [v for v in directory.volunteers(db, [course["unit_id"]], None, limit=1000)
                      if v["id"] not in enrolled and v["status"] in ("pending", "active")]
        return page(request, "training.html", course=course, candidates=candidates)

    @post("/trainings/{training_id:uuid}/enrol", sync_to_thread=True)
    def enrol(self, request: Request, commands: CommandPath, training_id: FromPath[UUID], data: Form) -> Response:
        return act(request, f"/trainings/{training_id}", "Enrolled.", lambda: commands.enrol(
            request.user, training_id, form_id(data, "volunteer_id")))

    @post("/trainings/{training_id:uuid}/result", sync_to_thread=True)
    def result(self, request: Request, commands: CommandPath, training_id: FromPath[UUID], data: Form) -> Response:
        return act(request, f"/trainings/{training_id}", "Result recorded.", lambda: commands.assess(
            request.user, training_id, form_id(data, "volunteer_id"), data.get("passed") == "yes",
            form_score(data, "score")))

