"""Who is asking: bearer tokens (JWT) for accounts, role guards, and unit and self scoping."""

from __future__ import annotations



import threading
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, timezone
from typing import Any, ClassVar
from uuid import UUID, uuid4

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.openapi.spec import Components, SecurityScheme
from litestar.security.jwt import JWTAuth, JWTCookieAuth, Token

from domain.errors import NotFound
from domain.permissions import ROLES, UNIT_BOUND_ROLES, Actor
from web.log_watch import LogAway, or_as_known

UNIT_BOUND = UNIT_BOUND_ROLES
ANY_ROLE = ROLES
Principal = Actor  # the logged-in account, as the server knows it (domain/permissions.py)


def allow(*roles: str) -> Callable[[ASGIConnection, BaseRouteHandler], Awaitable[None]]:
    """A guard: only these roles may call the handler. Async, so that Litestar runs it in
    place rather than sending it to a worker thread (a thread hop costs more than the check)."""
    async def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
        principal = connection.user
        if not isinstance(principal, Principal):
            raise NotAuthorizedException("Log in first")
        if principal.role not in roles:
            raise PermissionDeniedException(f"A {principal.role} may not do this")
    guard.__name__ = f"allow_{'_'.join(roles)}"
    return guard


def may(command: Callable[..., Any]) -> Callable[[ASGIConnection, BaseRouteHandler], Awaitable[None]]:
    """The route guard of a route that runs `command`: the roles the command itself allows."""
    return allow(*command.roles)  # type: ignore[attr-defined]


def issue_token(state: Any, account: Any) -> str:
    """A signed token for the account, void once the account changes its password or signs out
    everywhere, or once this session (its `jti`) signs out."""
    return state.jwt.create_token(identifier=str(account.id), token_unique_jwt_id=uuid4().hex,
                                  token_extras={"sessions_ended": account.sessions_ended})


def end_session(request: Any) -> Any:
    """Sign out the session the request came with (this device only); its receipt."""
    token = request.auth
    return request.app.state.commands.end_session(request.user, str(token.jti or ""), token.exp)


DEVICE = "device:"  # a token's subject that names a paired kiosk, not an account
DEVICE_LIFETIME = timedelta(days=400)  # a desk tablet is paired once; unpairing, not time, ends it


def issue_device_token(state: Any, device: Any) -> str:
    """The credential of a paired kiosk tablet: long-lived, void once the device is unpaired."""
    return state.jwt.create_token(identifier=f"{DEVICE}{device.id}", token_unique_jwt_id=uuid4().hex,
                                  token_expiration=DEVICE_LIFETIME)


def _device_principal(device: Any) -> Principal:
    return Principal(f"{DEVICE}{device.id}", device.name, "kiosk", (str(device.unit_id),), None)


async def _load(state: Any, get: Callable[[UUID], Any], known: Callable[[UUID], Any], id: UUID, what: str) -> Any:
    """An account or a device behind a token. The embedded log: the cached one, without asking the
    log. PostgreSQL: asked for newer events, never on the event loop; while it is silent, the one
    as last read here (reads from the local read models go on meanwhile)."""
    watch = getattr(state, "log_watch", None)
    if watch is None:
        return get(id)

    def as_known() -> Any:
        found = known(id)
        if found is None:
            raise LogAway(f"the event log's database cannot be reached, and {what} was not read here yet")
        return found
    return await or_as_known(watch, lambda: get(id), as_known)


async def _device_of(token: Token, state: Any) -> Principal | None:
    """A paired kiosk, asked afresh each time (so unpairing stops it at once)."""
    try:
        id = UUID(token.sub.removeprefix(DEVICE))
        device = await _load(state, state.ledger.get_device, state.ledger.known_device, id, "this kiosk")
    except (NotFound, ValueError):
        return None
    if not device.acting:
        return None
    key = (device.id, device.version)
    principal = state.principals.get(key)
    if principal is None:
        principal = state.principals[key] = _device_principal(device)
    return principal


def principal_of(account) -> Principal:
    return Principal(str(account.id), account.username, account.role, tuple(str(u) for u in account.unit_ids),
                     str(account.volunteer_id) if account.volunteer_id else None)


class RememberedToken(Token):
    """A token whose signature has been checked is remembered until it expires: parsing a JWT
    and checking its HMAC on every request cost more than the rest of a check-in. Whether the
    account may still act is asked afresh each time (retrieve_principal)."""

    _checked: ClassVar[dict[tuple[str, str], RememberedToken]] = {}

    @classmethod
    def decode(cls, encoded_token: str, secret: str, algorithm: str, **options: Any) -> RememberedToken:
        key = (encoded_token, secret)
        token = cls._checked.get(key)
        plain = not (options.get("audience") or options.get("issuer") or options.get("require_claims"))
        if token is not None and plain and token.exp > datetime.now(timezone.utc):
            return token
        token = super().decode(encoded_token, secret, algorithm, **options)
        if len(cls._checked) >= 10_000:
            cls._checked.clear()
        cls._checked[key] = token
        return token


async def retrieve_principal(token: Token, connection: ASGIConnection) -> Principal | None:
    """Async on purpose: a cached account is a dictionary look-up, cheaper than a hop to a thread.
    The account is read on every request, so a disabled account stops at once."""
    state = connection.app.state
    if token.sub.startswith(DEVICE):
        return await _device_of(token, state)
    try:
        id = UUID(token.sub)
        account = await _load(state, state.ledger.get_account, state.ledger.known_account, id, "this account")
    except (NotFound, ValueError):
        return None
    if account.disabled or token.extras.get("sessions_ended", 0) != account.sessions_ended:
        return None  # suspended, or the token predates a password change or a sign-out everywhere
    if token.jti in account.ended_sessions:
        return None  # this session signed out
    key = (account.id, account.version)
    principal = state.principals.get(key)
    if principal is None:
        principal = state.principals[key] = principal_of(account)
    return principal


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
        token_cls=RememberedToken,
        token_secret=secret.decode(),
        default_token_expiration=timedelta(minutes=minutes),
        # Regular expressions searched anywhere in the path: anchored, or "/volunteers/import/login"
        # would pass without a login.
        exclude=["^/api/v1/auth/token$", "^/api/v1/healthz$", "^/api/v1/invitations/accept$", "^/api/v1/calendar/feeds/", "^/api/v1/certificates/verify/",
                 "^/verify(/|$)", "^/metrics$", "^/schema(/|$)", "^/login$", "^/static/", "^/lang/",
                 "^/favicon.ico$", "^/join(/|$)", "^/pair$",
                 "^/apply/[0-9a-f-]{36}(/sent)?$", "^/api/v1/apply$",
                 "^/feedback/[A-Za-z0-9_-]{40,80}(/thanks)?$", "^/api/v1/feedback/[A-Za-z0-9_-]{40,80}$"],
        key="token",
        samesite="strict",
    )


class LoginThrottle:
    """At most `attempts` failed logins per key (an account, or an address) in `window` seconds:
    guessing is slow. At most `keys` are remembered, the longest quiet forgotten first, so a
    flood of made-up names cannot grow the server's memory."""

    def __init__(self, attempts: int = 5, window: float = 300.0, keys: int = 100_000) -> None:
        self.attempts, self.window, self.keys = attempts, window, keys
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def retry_after(self, username: str) -> int:
        with self._lock:
            failures = self._failures.get(username.lower())
            if not failures:
                return 0
            now = time.monotonic()
            while failures and failures[0] < now - self.window:
                failures.popleft()
            return int(failures[0] + self.window - now) + 1 if len(failures) >= self.attempts else 0

    def failed(self, username: str) -> None:
        with self._lock:
            key = username.lower()
            failures = self._failures.pop(key, None) or deque(maxlen=self.attempts)
            failures.append(time.monotonic())
            self._failures[key] = failures  # the most recent last
            while len(self._failures) > self.keys:
                self._failures.popitem(last=False)

    def succeeded(self, username: str) -> None:
        with self._lock:
            self._failures.pop(username.lower(), None)
