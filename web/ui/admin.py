"""The admin's desk: units and their posts, accounts and roles, the service catalogue, the audit
trail, and whether keys and read models are sound. Every change goes through the commands the API
calls (web/commands.py)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, QueryParameter, URLEncodedBody
from litestar.response import Template

from domain.permissions import ROLES, UNIT_BOUND_ROLES
from projections import directory, roster
from web import audit
from web.auth import allow
from web.commands import CommandPath, TheLedger
from web.i18n import translator
from web.jobs.backup import last_backup
from web.operations import health
from web.passwords import checked_password, hash_password
from web.ui.common import act, form_id, page, reader
from web.ui.coordinator import chosen_requirements, form_values, requirable

Form = URLEncodedBody[dict[str, str | list[str]]]
TRAIL_PAGE = 100
AUDIT_CHUNK, AUDIT_SCAN = 2_000, 200_000  # a search reads the log back this far per page, at most


def _back(data: dict[str, Any], account_id: UUID) -> str:
    """Back to the page the form was on: the account's own, or the list."""
    return f"/admin/accounts/{account_id}" if data.get("back") == "account" else "/admin/accounts"


def _many(data: dict[str, Any], key: str) -> list[str]:
    value = data.get(key, [])
    return [value] if isinstance(value, str) else list(value)


class AdminController(Controller):
    include_in_schema = False
    guards = [allow("admin")]

    @get("/admin", sync_to_thread=True)
    def overview(self, request: Request) -> Template:
        """What needs the admin: the keys, the read models and the log, said as /healthz says them."""
        state = request.app.state
        found = health(state)
        settings = state.settings
        return page(request, "admin.html", health=found, on_postgres=settings.shared_log,
                    backup=None if settings.shared_log else last_backup(settings),
                    cipher_key="CARELEDGER_CIPHER_KEY" if settings.shared_log else str(settings.cipher_key_path))

    # --- units and their posts ---------------------------------------------------------

    @get("/admin/units", sync_to_thread=True)
    def units(self, request: Request) -> Template:
        db = reader(request)
        units = directory.units(db)
        return page(request, "admin_units.html", units=units,
                    posts={u["id"]: directory.posts_with_requirements(db, u["id"]) for u in units},
                    requirable={u["id"]: requirable(db, u["id"]) for u in units})

    @post("/admin/units", sync_to_thread=True)
    def register_unit(self, request: Request, commands: CommandPath, data: Form) -> Response:
        return act(request, "/admin/units", "Unit registered.", lambda: commands.register_unit(
            request.user, str(data.get("name", "")), str(data.get("district", ""))),
            form="unit", typed=form_values(request, data))

    @post("/admin/units/{unit_id:uuid}/posts", sync_to_thread=True)
    def define_post(self, request: Request, commands: CommandPath, unit_id: FromPath[UUID], data: Form) -> Response:
        return act(request, "/admin/units", "Post saved.", lambda: commands.define_post(
            request.user, unit_id, str(data.get("post", "")), chosen_requirements(reader(request), data, unit_id)),
            form=f"post-{unit_id}", typed=form_values(request, data))

    # --- accounts ----------------------------------------------------------------------

    @get("/admin/accounts", sync_to_thread=True)
    def accounts(self, request: Request) -> Template:
        db = reader(request)
        units = directory.units(db)
        volunteers = directory.volunteers(db, None, "active", None, limit=2000)
        return page(request, "admin_accounts.html", accounts=directory.accounts(db), units=units,
                    unit_names={u["id"]: u["name"] for u in units}, roles=ROLES, volunteers=volunteers)

    @post("/admin/accounts", sync_to_thread=True)
    def open_account(self, request: Request, commands: CommandPath, data: Form) -> Response:
        volunteer = str(data.get("volunteer_id", "") or "")
        return act(request, "/admin/accounts", "Account opened.", lambda: commands.open_account(
            request.user, str(data.get("username", "")),
            hash_password(checked_password("password", str(data.get("password", "")))), str(data.get("role", "")),
            [UUID(u) for u in _many(data, "unit_ids") if u], form_id(data, "volunteer_id") if volunteer else None),  # type: ignore[arg-type]
            form="account", typed=form_values(request, data))

    @get("/admin/accounts/{account_id:uuid}", sync_to_thread=True)
    def account(self, request: Request, account_id: FromPath[UUID]) -> Template:
        """One account: its role and state, the units it acts for (to change), and what an admin may do."""
        db = reader(request)
        found = next((a for a in directory.accounts(db) if a["id"] == str(account_id)), None)
        if found is None:
            raise NotFoundException("No such account")
        units = directory.units(db)
        names = {u["id"]: u["name"] for u in units}
        return page(request, "admin_account.html", account=found, units=units,
                    acts_for=[names.get(u, u) for u in found["unit_ids"]], unit_bound=found["role"] in UNIT_BOUND_ROLES)

    @post("/admin/accounts/{account_id:uuid}/units", sync_to_thread=True)
    def assign_units(self, request: Request, commands: CommandPath, account_id: FromPath[UUID],
                     data: Form) -> Response:
        return act(request, f"/admin/accounts/{account_id}", "Units saved.", lambda: commands.assign_units(
            request.user, account_id, [UUID(u) for u in _many(data, "unit_ids") if u]), form="units",
            typed=form_values(request, data))

    @post("/admin/accounts/{account_id:uuid}/disable", sync_to_thread=True)
    def disable(self, request: Request, commands: CommandPath, account_id: FromPath[UUID], data: Form) -> Response:
        return act(request, _back(data, account_id), "Account suspended.",
                   lambda: commands.disable_account(request.user, account_id))

    @post("/admin/accounts/{account_id:uuid}/enable", sync_to_thread=True)
    def enable(self, request: Request, commands: CommandPath, account_id: FromPath[UUID], data: Form) -> Response:
        return act(request, _back(data, account_id), "Account re-enabled: it can log in again.",
                   lambda: commands.enable_account(request.user, account_id))

    @post("/admin/accounts/{account_id:uuid}/password", sync_to_thread=True)
    def reset_password(self, request: Request, commands: CommandPath, account_id: FromPath[UUID],
                       data: Form) -> Response:
        return act(request, "/admin/accounts", "Password reset: the account's sessions have ended.",
                   lambda: commands.reset_password(request.user, account_id, hash_password(
                       checked_password("password", str(data.get("password", ""))))),
                   form=f"password-{account_id}")

    # --- the service catalogue -----------------------------------------------------------

    @get("/admin/service-types", sync_to_thread=True)
    def service_types(self, request: Request, ledger: TheLedger) -> Template:
        return page(request, "admin_service_types.html", service_types=ledger.service_types())

    @post("/admin/service-types", sync_to_thread=True)
    def add_service_type(self, request: Request, commands: CommandPath, data: Form) -> Response:
        return act(request, "/admin/service-types", "Service type added.", lambda: commands.add_service_type(
            request.user, str(data.get("code", "")), str(data.get("name_en", "")), str(data.get("name_zh", ""))),
            form="service-type", typed=form_values(request, data))



class AuditPageController(Controller):
    include_in_schema = False
    guards = [allow("admin", "auditor")]

    @get("/admin/audit", sync_to_thread=True)
    def audit_trail(self, request: Request, ledger: TheLedger,
                    before: Annotated[int | None, QueryParameter(ge=1, le=2**53 - 1)] = None,
                    kind: Annotated[str | None, QueryParameter(max_length=60)] = None,
                    actor: Annotated[str | None, QueryParameter(max_length=100)] = None) -> Template:
        """Who did what, when: the newest first, narrowed to an event type or an actor, the whole
        log searched back from `before` (a page of matches at a time)."""
        head = ledger.position
        db = reader(request)
        accounts = directory.accounts(db)
        names = {a["id"]: a["username"] for a in accounts}
        wanted_actors = None
        if actor:  # a username or a volunteer's name: what the log holds is an id
            needle = actor.lower()
            wanted_actors = {key for key, name in names.items() if needle in name.lower()} | {actor}
            wanted_actors |= {f"volunteer:{v['id']}" for v in directory.volunteers(db, None, None, actor, limit=1000)}
        top = head if before is None else min(before - 1, head)
        entries, scanned, position = [], 0, top
        while position > 0 and len(entries) < TRAIL_PAGE and scanned < AUDIT_SCAN:
            first = max(0, position - AUDIT_CHUNK)
            chunk = audit.trail(ledger, first, position - first)
            entries += [e for e in reversed(chunk) if (not kind or kind.lower() in e.type.lower())
                        and (wanted_actors is None or e.actor in wanted_actors or actor in e.actor)]
            scanned += position - first
            position = first
        entries = entries[:TRAIL_PAGE]
        # volunteers by name: only those the page shows (a city has a hundred thousand)
        shown = sorted({e.actor.removeprefix("volunteer:") for e in entries if e.actor.startswith("volunteer:")})
        names |= {f"volunteer:{v}": name for v, name in roster.names(db, shown).items()}
        # where to go on: before the last shown, or before where this search stopped reading
        older = (entries[-1].position if len(entries) == TRAIL_PAGE else position + 1) if position > 0 or \
            len(entries) == TRAIL_PAGE else None
        return page(request, "audit.html", entries=entries, names=names, kind=kind or "", actor=actor or "",
                    older=older, searched=top - position, newest=before is not None,
                    event_types=sorted(audit.event_types(), key=translator(request).event))
