"""What every answer and every browser form carries for safety: security headers, CSRF tokens."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from litestar import Request
from litestar.exceptions import PermissionDeniedException
from litestar.types import Message, Scope

SESSION_COOKIE = "token"
CSRF_FIELD = "_csrf"
CSRF_HEADER = "x-csrf-token"
LOGIN_NONCE = "login_nonce"  # the login form's own cookie: its token is bound to it
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# No inline script anywhere (style attributes only); nothing framed, posted or fetched elsewhere.
PAGE_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
               "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
_COMMON = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin"),
           (b"x-frame-options", b"DENY"), (b"permissions-policy", b"camera=(), microphone=(), geolocation=()")]


_PAGE = [*_COMMON, (b"content-security-policy", PAGE_POLICY.encode())]
COMMON_HEADERS = _PAGE  # for answers given before any route runs (web/edges.py)


async def add_security_headers(message: Message, scope: Scope) -> None:
    """Litestar's before_send hook: on every HTTP answer, not-found and errors included."""
    if message["type"] == "http.response.start":
        headers = [*message.get("headers", ()), *_PAGE]  # the API reference too: it runs no inline script
        if _credentialed(scope) and not any(name.lower() == b"cache-control" for name, _ in headers):
            # What is shown to one person (notes, profiles, identity numbers, exports) is kept by no
            # cache along the way and by no browser history once they leave.
            headers.append((b"cache-control", b"no-store"))
        message["headers"] = headers


def _credentialed(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"authorization" or (name == b"cookie" and b"token=" in value):
            return True
    return False


def csrf_token(secret: bytes, session: str) -> str:
    """The form token of one browser session: derived from the session cookie, so it needs no
    storage, holds on every node, and dies with the session (HMAC-based, as OWASP describes)."""
    return hmac.new(secret, b"csrf:" + session.encode(), hashlib.sha256).hexdigest()[:40]


def csrf_token_of(request: Request) -> str:
    session = request.cookies.get(SESSION_COOKIE)
    return csrf_token(request.app.state.signing_secret, session) if session else ""


async def check_csrf(request: Request) -> Any:
    """A change sent with the session cookie (a browser) must carry the page's form token: another
    site can make a browser send the cookie, but cannot read the token. Bearer-token clients
    (Authorization header) are not open to this and are let through."""
    if request.method not in UNSAFE or "authorization" in request.headers:
        return None
    session = request.cookies.get(SESSION_COOKIE)
    # Before a session the token is bound to the login form's cookie. The route, not the raw
    # path: behind a proxy that mounts CareLedger under a prefix, the path carries the prefix.
    if request.scope.get("path_template") in ("/login", "/pair") or request.scope.get("path_template", "").startswith(
            ("/apply/", "/feedback/")):  # forms before a session
        nonce = request.cookies.get(LOGIN_NONCE)
        given = (await request.form()).get(CSRF_FIELD) if nonce else None
        if not nonce or not isinstance(given, str) or not hmac.compare_digest(
                given, csrf_token(request.app.state.signing_secret, "login:" + nonce)):
            raise PermissionDeniedException("This login form is out of date or was sent from another site; "
                                            "reload the page and try again.")
        return None
    if not session:
        return None
    given = request.headers.get(CSRF_HEADER)
    if given is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        given = (await request.form()).get(CSRF_FIELD)
    if not isinstance(given, str) or not hmac.compare_digest(given, csrf_token(request.app.state.signing_secret, session)):
        raise PermissionDeniedException("This form is out of date or was sent from another site; "
                                        "reload the page and try again.")
    return None
