"""What every page shares: the language, the logged-in person, flash messages, refusals in words."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Callable
from datetime import date, datetime, time
from typing import Any
from urllib.parse import quote, unquote
from uuid import UUID

from litestar import Request, Response
from markupsafe import Markup
from litestar.datastructures import Cookie
from litestar.response import Redirect, Template

from domain import bounds
from domain.errors import DomainError, InvalidCommand
from domain.permissions import NotAllowed
from domain.usecases.ledger import Receipt
from web.i18n import translator
from web.wallclock import now_local  # noqa: F401 (the pages take it from here)
from web.security import CSRF_FIELD, csrf_token_of
from web.templating import for_language

FLASH = "flash"


def flash_of(request: Request) -> dict[str, Any] | None:
    """The message the last action left for this page (see back()), if any."""
    if FLASH not in request.cookies:
        return None
    try:
        found = json.loads(unquote(request.cookies[FLASH]))
    except ValueError:
        return None
    return found if isinstance(found, dict) else None


def page(request: Request, template: str, **context: Any) -> Template:
    """A whole page, with the flash message left by the last action (then forgotten)."""
    t = translator(request)
    flash = flash_of(request)
    def typed(form: str, field: str, default: Any = "") -> Any:
        """What the person typed into `field` of `form` before it was refused, else `default`."""
        if flash and flash.get("form") == form and isinstance(flash.get("values"), dict):
            return flash["values"].get(field, default)
        return default

    response = Template(template_name=for_language(t.language, template), context={
        "t": t, "_": t.gettext, "typed": typed, "colon": "：" if t.language == "zh" else ":", "lang": t.language, "user": request.scope.get("user"), "flash": flash,
        "path": request.url.path, "query": str(request.url.query or ""), "bounds": bounds,
        "log_away": getattr(request.app.state, "log_watch", None) is not None and request.app.state.log_watch.away,
        "csrf_field": Markup(f'<input type="hidden" name="{CSRF_FIELD}" value="{csrf_token_of(request)}">'),
        **context})
    if flash is not None:
        response.cookies.append(Cookie(key=FLASH, value="", max_age=0, path="/"))
    return response


# Rules whose refusal is about one field of the form that asked: the page says it there too
FIELD_OF = {"already_registered": "phone", "username_taken": "username", "invitation_invalid": "code",
            "unit_name_taken": "name"}
KEPT_BYTES = 2500  # what a refused form's values may take in its cookie (a cookie holds 4 kB)


def _kept(values: dict[str, str] | None) -> dict[str, str]:
    """A refused form's values to show again: never a password or the form's token, and only
    what fits a cookie (a long text that does not is left out; the page still says why)."""
    kept = {k: v for k, v in (values or {}).items()
            if isinstance(v, str) and k != CSRF_FIELD and "password" not in k}
    while kept and len(quote(json.dumps(kept))) > KEPT_BYTES:
        kept.pop(max(kept, key=lambda k: len(kept[k])))
    return kept


def back(request: Request, to: str, kind: str, text: str, field: str | None = None,
         form: str | None = None, problem: str | None = None, values: dict[str, str] | None = None) -> Redirect:
    """After an action: back to a page (303), carrying one message in words, and the field it is
    about with the problem alone (the page shows it beside that field), the form it came from
    and, when refused, what was typed into it (the page fills it in again)."""
    redirect = Redirect(path=to, status_code=303)
    message = {"kind": kind, "text": text, **({"field": field, "problem": problem} if field else {}),
               **({"form": form} if form else {}), **({"values": _kept(values)} if form and values else {})}
    redirect.cookies.append(Cookie(key=FLASH, value=quote(json.dumps(message)), path="/",
                                   max_age=60, httponly=True, samesite="strict"))
    return redirect


def act(request: Request, to: str, done: str | Callable[[Receipt], str], command: Callable[[], Receipt],
        form: str | None = None,
        typed: dict[str, str] | None = None, shown: Callable[[Receipt], dict[str, str]] | None = None,
        refused_to: str | None = None, landing: Callable[[Receipt], str] | None = None, **words: Any) -> Response:
    """Run one command for a form; wait until the read models hold it; say what happened in words
    (a bad value: beside its field, in the page's language). Refused, the form comes back as it
    was `typed`; done, `shown` says what the next page shows of the receipt, once. Not allowed
    is a 403 page."""
    t = translator(request)
    state = request.app.state
    done_to, to = to, refused_to or to
    try:
        receipt = command()
    except NotAllowed:
        raise
    except InvalidCommand as refused:
        labels = {f"served.{code}": names[1] if t.language == "zh" else names[0]
                  for code, names in state.ledger.service_types().items()} if refused.field.startswith("served.") else None
        label, problem = t.problem(refused, labels)
        return back(request, to, "error", t.gettext("{label}: {problem}", label=label, problem=problem),
                    field=refused.field, form=form, problem=problem,
                    values=typed)
    except DomainError as refused:
        # The page we go back to should show the state that refused it, not an older one.
        state.projector.wait(state.ledger.position, timeout=state.settings.read_wait_seconds)
        to_me = getattr(request.scope.get("user"), "role", None) == "volunteer"  # said to the person it is about
        said = t.reason(refused.reason, refused.message, to_me=to_me)
        field = FIELD_OF.get(refused.reason) if form else None  # said beside the field it is about, too
        return back(request, to, "error", said, form=form, values=typed, field=field, problem=said if field else None)
    except (ValueError, KeyError) as missing:  # a form's value none of the form_* readers expected
        return back(request, to, "error", t.gettext("Please check the form: {problem}", problem=str(missing)),
                    form=form, values=typed)
    if receipt.position is not None:
        state.projector.wait(receipt.position, timeout=state.settings.read_wait_seconds)
    if landing is not None:  # done, the page of what was made (a new case)
        done_to = landing(receipt)
    if callable(done):  # what was done, as the command decided it
        done = done(receipt)
    if shown is not None:
        return back(request, done_to, "ok", t.gettext(done, **words), form=form, values=shown(receipt))
    return back(request, done_to, "ok", t.gettext(done, **words), form=form)  # the form done: its drafts forgotten


def fragment_for(request: Request, target: str) -> bool:
    """Whether htmx asked for a part of the page (`target`) rather than the page: a boosted link
    or form (HX-Boosted) navigates, and is answered with the whole page."""
    headers = request.headers
    return bool(headers.get("hx-request")) and not headers.get("hx-boosted") and \
        headers.get("hx-target", target) == target


def reader(request: Request, stale: bool = False) -> Any:
    return request.app.state.reader(stale)


def calendar_url(request: Request, scope: str) -> str:
    """The logged-in account's private calendar feed for `scope` (v-VOLUNTEER or u-UNIT)."""

    from web.calendar import feed_path

    state = request.app.state
    account = state.ledger.get_account(UUID(request.scope["user"].account_id))
    return str(request.base_url).rstrip("/") + feed_path(state.signing_secret, account, scope)


async def moves_of(projector: Any, *read_models: str, pause: float = 0.5) -> AsyncIterator[int]:
    """Each new position of the read models as the log is applied to them (looked at every `pause`
    seconds, off the event loop): what a live page's stream of events is made of."""
    seen = -1
    while True:
        positions = await asyncio.to_thread(projector.positions)
        position = max(positions.get(name, 0) for name in read_models)
        if position != seen:
            seen = position
            yield position
        await asyncio.sleep(pause)


# --- what a form sent, read as the command wants it (a bad value names its field) ---------


def form_id(data: dict[str, str], field: str) -> UUID:
    try:
        return UUID(data.get(field, ""))
    except ValueError:
        raise InvalidCommand(field, "choose one from the list") from None


def form_whole(data: dict[str, str], key: str, default: int | None = None, field: str | None = None) -> int | None:
    """A whole number typed into `key` (empty: `default`); refused as the command's `field` (default: `key`)."""
    text = data.get(key, "").strip()
    if not text:
        return default
    if not re.fullmatch(r"-?[0-9]{1,40}", text):
        raise InvalidCommand(field or key, "must be a whole number")
    return int(text)


def form_served(data: dict[str, str]) -> dict[str, int]:
    """What a volunteer served, from the check-out form's served_<type> fields (each a count)."""
    return {k.removeprefix("served_"): form_whole(data, k, field=f"served.{k.removeprefix('served_')}")
            for k in data if k.startswith("served_") and data[k].strip()}  # type: ignore[misc]


def form_day(data: dict[str, str], field: str) -> date:
    try:
        return date.fromisoformat(data.get(field, ""))
    except ValueError:
        raise InvalidCommand(field, "needs a date") from None


def form_time(data: dict[str, str], field: str) -> time:
    try:
        return time.fromisoformat(str(data.get(field, "")))
    except ValueError:
        raise InvalidCommand(field, "needs a time") from None


def form_moment(data: dict[str, str], day_field: str, time_field: str, zone: Any, field: str) -> datetime:
    """A date and a time typed on the programme's wall clock."""
    day = form_day(data, day_field)
    try:
        at = time.fromisoformat(data.get(time_field, ""))
    except ValueError:
        raise InvalidCommand(time_field, "needs a time") from None
    return datetime.combine(day, at, zone)


def form_score(data: dict[str, str], field: str) -> float | None:
    """A score out of 100 (empty: none given)."""
    text = data.get(field, "").strip()
    if not text:
        return None
    try:
        score = float(text)
    except ValueError:
        raise InvalidCommand(field, "must be a number") from None
    if not 0 <= score <= 100:  # also NaN and infinity
        raise InvalidCommand(field, "must be between {low} and {high}", low=0, high=100)
    return score


def listed(text: str) -> list[str]:
    """A list typed into one field (languages, skills, needs): commas of either language, 、 or ;."""
    return [part.strip() for part in re.split(r"[,，、;；]", text) if part.strip()]
