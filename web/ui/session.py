"""Logging in and out (a session cookie holding the token), the language switch, each role's home."""

from __future__ import annotations


from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from web.auth import Principal, end_session, issue_token
from web.passwords import verify_password
from web.ui.common import back, page, translator

HOMES = {"coordinator": "/shifts", "volunteer": "/me", "kiosk": "/kiosk", "social_worker": "/social",
         "auditor": "/dashboard", "admin": "/dashboard"}
COOKIE = "token"


class SessionController(Controller):
    include_in_schema = False

    @get("/login", sync_to_thread=False)
    def login_form(self, request: Request) -> Template:
        return page(request, "login.html")

    @post("/login", sync_to_thread=True)
    def login(self, request: Request, data: URLEncodedBody[dict[str, str]]) -> Response:
        state, t = request.app.state, translator(request)
        username, password = data.get("username", "").strip(), data.get("password", "")
        if state.throttle.retry_after(username):
            return back(request, "/login", "error", t.gettext("Too many failed attempts. Please wait a few minutes."))
        account = state.ledger.find_account(username) if username else None
        if account is None or account.disabled or not verify_password(account.password_hash, password):
            state.throttle.failed(username)
            return back(request, "/login", "error", t.gettext("Unknown username or wrong password."))
        state.throttle.succeeded(username)
        token = issue_token(state, account)
        redirect = Redirect(path=HOMES.get(account.role, "/"), status_code=303)
        redirect.cookies.append(Cookie(key=COOKIE, value=token, path="/", httponly=True, samesite="strict",
                                       max_age=state.settings.token_minutes * 60))
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

    @get("/", sync_to_thread=False)
    def home(self, request: Request) -> Redirect:
        return Redirect(path=HOMES.get(request.user.role, "/login"), status_code=303)
