"""Who is asking: bearer tokens (JWT) for accounts, role guards, and unit and self scoping."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from datetime import timedelta
from uuid import UUID

import msgspec
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.openapi.spec import Components, SecurityScheme
from litestar.security.jwt import JWTAuth, JWTCookieAuth, Token

from domain.errors import NotFound

UNIT_BOUND = ("coordinator", "kiosk", "social_worker")


class Principal(msgspec.Struct, frozen=True):
    """The logged-in account, as the server knows it (never as the client claims)."""

    account_id: str
    username: str
    role: str
    unit_ids: tuple[str, ...]
    volunteer_id: str | None

    def acts_for(self, unit_id: str | UUID) -> bool:
        return self.role in ("admin", "auditor") or str(unit_id) in self.unit_ids

    def ensure_unit(self, unit_id: str | UUID) -> None:
        if not self.acts_for(unit_id) or self.role == "volunteer":
            raise PermissionDeniedException(f"{self.username} does not act for unit {unit_id}")

    def ensure_volunteer(self, volunteer_id: str | UUID, unit_id: str | UUID) -> None:
        """A volunteer acts only for itself; coordinators, kiosks for volunteers of their units."""
        if self.role == "volunteer":
            if self.volunteer_id != str(volunteer_id):
                raise PermissionDeniedException("A volunteer may act only for itself")
        elif self.role != "admin" and str(unit_id) not in self.unit_ids:
            raise PermissionDeniedException(f"{self.username} does not act for this volunteer's unit")

    def scope(self) -> list[str] | None:
        """The units whose data this account may read (None: all units)."""
        return None if self.role in ("admin", "auditor", "volunteer") else list(self.unit_ids)


def allow(*roles: str) -> Callable[[ASGIConnection, BaseRouteHandler], None]:
    """A guard: only these roles may call the handler."""
    def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
        principal = connection.user
        if not isinstance(principal, Principal):
            raise NotAuthorizedException("Log in first")
        if principal.role not in roles:
            raise PermissionDeniedException(f"A {principal.role} may not do this")
    guard.__name__ = f"allow_{'_'.join(roles)}"
    return guard


def principal_of(account) -> Principal:
    return Principal(str(account.id), account.username, account.role, tuple(str(u) for u in account.unit_ids),
                     str(account.volunteer_id) if account.volunteer_id else None)


def retrieve_principal(token: Token, connection: ASGIConnection) -> Principal | None:
    ledger = connection.app.state.ledger
    try:
        account = ledger.get_account(UUID(token.sub))
    except (NotFound, ValueError):
        return None
    return None if account.disabled else principal_of(account)


class BearerAuth(JWTCookieAuth[Principal]):
    """A bearer token in the Authorization header (API clients), or the same token in the browser
    UI's session cookie (HttpOnly, SameSite=Strict: other sites cannot post with it)."""

    @property
    def openapi_components(self) -> Components:
        # Litestar adds `name` to an http scheme, which OpenAPI 3.1 forbids; describe it plainly.
        return Components(security_schemes={self.openapi_security_scheme_name: SecurityScheme(
            type="http", scheme="Bearer", bearer_format="JWT", description="Bearer token from POST /api/v1/auth/token")})


def make_jwt_auth(secret: bytes, minutes: int) -> JWTAuth[Principal]:
    return BearerAuth(
        retrieve_user_handler=retrieve_principal,
        token_secret=secret.decode(),
        default_token_expiration=timedelta(minutes=minutes),
        exclude=["/api/v1/auth/token", "/api/v1/healthz", "/schema", "/login", "/static", "/lang/"],
        key="token",
        samesite="strict",
    )


class LoginThrottle:
    """At most `attempts` failed logins per account in `window` seconds: guessing is slow."""

    def __init__(self, attempts: int = 5, window: float = 300.0) -> None:
        self.attempts, self.window = attempts, window
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def retry_after(self, username: str) -> int:
        with self._lock:
            failures = self._failures[username.lower()]
            now = time.monotonic()
            while failures and failures[0] < now - self.window:
                failures.popleft()
            return int(failures[0] + self.window - now) + 1 if len(failures) >= self.attempts else 0

    def failed(self, username: str) -> None:
        with self._lock:
            self._failures[username.lower()].append(time.monotonic())

    def succeeded(self, username: str) -> None:
        with self._lock:
            self._failures.pop(username.lower(), None)
