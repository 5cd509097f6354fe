"""What every page shares: the language, the logged-in person, flash messages, refusals in words."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Any
from urllib.parse import quote, unquote
from zoneinfo import ZoneInfo

from litestar import Request, Response
from markupsafe import Markup
from litestar.datastructures import Cookie
from litestar.response import Redirect, Template

from domain.errors import DomainError
from domain.ledger import Receipt
from web.i18n import Translator, negotiate
from web.security import CSRF_FIELD, csrf_token_of

FLASH = "flash"


def translator(request: Request) -> Translator:
    language = negotiate(request.cookies.get("lang"), request.headers.get("accept-language"))
    return Translator(language, request.app.state.settings.timezone)


def now_local(request: Request) -> datetime:
    return request.app.state.ledger.clock.now().astimezone(ZoneInfo(request.app.state.settings.timezone))


def page(request: Request, template: str, **context: Any) -> Template:
    """A whole page, with the flash message left by the last action (then forgotten)."""
    t = translator(request)
    flash = None
    if FLASH in request.cookies:
        try:
            flash = json.loads(unquote(request.cookies[FLASH]))
        except ValueError:
            flash = None
    response = Template(template_name=template, context={
        "t": t, "_": t.gettext, "lang": t.language, "user": request.scope.get("user"), "flash": flash,
        "path": request.url.path, "query": str(request.url.query or ""),
        "csrf_field": Markup(f'<input type="hidden" name="{CSRF_FIELD}" value="{csrf_token_of(request)}">'),
        **context})
    if flash is not None:
        response.cookies.append(Cookie(key=FLASH, value="", max_age=0, path="/"))
    return response


def back(request: Request, to: str, kind: str, text: str) -> Redirect:
    """After an action: back to a page (303), carrying one message in words."""
    redirect = Redirect(path=to, status_code=303)
    redirect.cookies.append(Cookie(key=FLASH, value=quote(json.dumps({"kind": kind, "text": text})), path="/",
                                   max_age=60, httponly=True, samesite="strict"))
    return redirect


def act(request: Request, to: str, done: str, command: Callable[[], Receipt], **words: Any) -> Response:
    """Run one use case for a form; wait until the read models hold it; say what happened in words."""
    t = translator(request)
    state = request.app.state
    try:
        receipt = command()
    except DomainError as refused:
        # The page we go back to should show the state that refused it, not an older one.
        state.projector.wait(state.ledger.position, timeout=state.settings.read_wait_seconds)
        return back(request, to, "error", t.reason(refused.reason, refused.message))
    except (ValueError, KeyError) as missing:
        return back(request, to, "error", t.gettext("Please check the form: {problem}", problem=str(missing)))
    if receipt.position is not None:
        state.projector.wait(receipt.position, timeout=state.settings.read_wait_seconds)
    return back(request, to, "ok", t.gettext(done, **words))


def reader(request: Request) -> Any:
    return request.app.state.reader()


def calendar_url(request: Request, scope: str) -> str:
    """The logged-in account's private calendar feed for `scope` (v-VOLUNTEER or u-UNIT)."""
    from uuid import UUID

    from web.calendar import feed_path

    state = request.app.state
    account = state.ledger.get_account(UUID(request.scope["user"].account_id))
    return str(request.base_url).rstrip("/") + feed_path(state.signing_secret, account, scope)


async def moves_of(projector: Any, read_model: str, pause: float = 0.5) -> AsyncIterator[int]:
    """Each new position of `read_model` as the log is applied to it (looked at every `pause`
    seconds, off the event loop): what a live page's stream of events is made of."""
    seen = -1
    while True:
        position = (await asyncio.to_thread(projector.positions)).get(read_model, 0)
        if position != seen:
            seen = position
            yield position
        await asyncio.sleep(pause)
