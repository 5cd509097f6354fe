"""Logging in and out (a session cookie holding the token), the language switch, each role's home."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import quote

from markupsafe import Markup
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from web.auth import Principal, end_session, issue_token
from web.errors import local_path
from web.login import Client, TooManyAttempts, WrongPassword, log_in
from web.security import CSRF_FIELD, LOGIN_NONCE, csrf_token
from web.passwords import checked_password, hash_password
from web.ui.common import act, back, page, translator

HOMES = {"coordinator": "/shifts", "volunteer": "/me", "kiosk": "/kiosk", "social_worker": "/social", "ward": "/requests",
         "auditor": "/dashboard", "admin": "/admin"}
COOKIE = "token"


def login_path(request: Request) -> str:
    """Where the login form is, as the browser sees it (under the proxy's prefix, if any)."""
    return request.scope.get("root_path", "").rstrip("/") + "/login"


def before_a_session(request: Request, template: str, route: str, **context: Any) -> Template:
    """A form posted before there is a session (logging in, pairing a kiosk): its token is bound to
    a cookie of this browser's own, so a form posted from another site (login CSRF) has neither."""
    nonce = request.cookies.get(LOGIN_NONCE) or secrets.token_hex(16)
    token = csrf_token(request.app.state.signing_secret, "login:" + nonce)
    response = page(request, template, csrf_field=Markup(f'<input type="hidden" name="{CSRF_FIELD}" value="{token}">'),
                    **context)
    response.headers["Cache-Control"] = "no-store"  # the form's token is this browser's alone
    path = request.scope.get("root_path", "").rstrip("/") + route
    response.cookies.append(Cookie(key=LOGIN_NONCE, value=nonce, path=path, httponly=True, samesite="strict",
                                   max_age=3600,
                                   secure=Client.of(request).secure_cookies(request.app.state.settings.secure_cookies)))
    return response


class SessionController(Controller):
    include_in_schema = False

    @get("/login", sync_to_thread=False)
    def login_form(self, request: Request, next: FromQuery[str] = "") -> Template:
        """The form carries a token bound to a cookie of this browser's own: a login posted from
        another site (login CSRF, logging the victim in as the attacker) has neither."""
        return before_a_session(request, "login.html", "/login", next=next if local_path(next) else "")

    @post("/login")
    async def login(self, request: Request, data: URLEncodedBody[dict[str, str]]) -> Response:
        state, t = request.app.state, translator(request)
        client = Client.of(request)
        asked = data.get("next", "")
        again = "/login" + (f"?next={quote(asked)}" if local_path(asked) else "")
        try:
            # admitted on the event loop: a storm is turned away before it takes a thread
            account = await state.hashing.run(log_in, state, data.get("username", ""), data.get("password", ""),
                                              client)
        except TooManyAttempts as wait:
            text = t.gettext("Many people are logging in at this moment. Please try again in a second.") if \
                wait.busy else t.gettext("Too many failed attempts. Please wait a few minutes.")
            return back(request, again, "error", text)
        except WrongPassword:
            return back(request, again, "error", t.gettext("Unknown username or wrong password."))
        token = issue_token(state, account)
        redirect = Redirect(path=asked if local_path(asked) else HOMES.get(account.role, "/"), status_code=303)
        redirect.cookies.append(Cookie(key=COOKIE, value=token, path="/", httponly=True, samesite="strict",
                                       secure=client.secure_cookies(state.settings.secure_cookies),
                                       max_age=state.settings.token_minutes * 60))
        redirect.cookies.append(Cookie(key=LOGIN_NONCE, value="", path=login_path(request), max_age=0))
        return redirect

    @post("/logout", sync_to_thread=True)
    def logout(self, request: Request, everywhere: FromQuery[bool] = False) -> Redirect:
        """Logging out ends this session (a copied cookie of it is worthless after), or with
        `everywhere` every session of the account (a phone left somewhere)."""
        if isinstance(request.user, Principal):
            if everywhere:
                request.app.state.commands.sign_out_everywhere(request.user)
            else:
                end_session(request)
        redirect = Redirect(path="/login", status_code=303)
        redirect.cookies.append(Cookie(key=COOKIE, value="", path="/", max_age=0))
        return redirect

    @get("/lang/{code:str}", sync_to_thread=False)
    def language(self, code: FromPath[str], next: FromQuery[str] = "/") -> Redirect:
        redirect = Redirect(path=next if next.startswith("/") and not next.startswith("//") else "/", status_code=303)
        redirect.cookies.append(Cookie(key="lang", value=code if code in ("en", "zh") else "en", path="/",
                                       max_age=365 * 86400, samesite="lax"))
        return redirect

    @get("/join", sync_to_thread=False)
    def join_form(self, request: Request, code: FromQuery[str] = "") -> Template:
        """Where a volunteer sets up their login with a code: a username and a password."""
        return page(request, "join.html", code=code[:40])

    @get("/join/{code:str}", sync_to_thread=False)
    def join_link(self, request: Request, code: FromPath[str]) -> Template:
        """Where an invitation's link (or its QR) leads: the code filled in."""
        return page(request, "join.html", code=code[:40])

    @post("/join", sync_to_thread=True)
    def join(self, request: Request, data: URLEncodedBody[dict[str, str]]) -> Response:
        state, t = request.app.state, translator(request)
        typed = {k: v for k, v in data.items() if k != "password"}
        if state.joins.retry_after(Client.of(request).key):  # a code cannot be walked from one place
            return back(request, "/join", "error", t.gettext("Too many tries from here; wait a minute."),
                        form="join", values=typed)
        return act(request, "/login", "Your login is ready: log in with it.", lambda: state.commands.accept_invitation(
            data.get("code", ""), data.get("username", ""),
            hash_password(checked_password("password", data.get("password", "")))),
            form="join", typed=typed, refused_to="/join")

    @get("/favicon.ico", sync_to_thread=False)
    def favicon(self) -> Redirect:
        """Where a browser looks on a page that names no icon (the API reference, a file)."""
        return Redirect(path="/static/favicon.svg", status_code=301)

    @get("/", sync_to_thread=False)
    def home(self, request: Request) -> Redirect:
        return Redirect(path=HOMES.get(request.user.role, "/login"), status_code=303)
