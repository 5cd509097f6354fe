"""Logging in, the one way for every face (the API's token, the browser's form, a password change):
one spelling of the username, failed guesses counted per username and per client address,
unknown usernames taking as long as known ones, and password hashing in a small bounded pool
that turns a storm of logins away (429) instead of starving everyone else."""

from __future__ import annotations

import ipaddress
import os
import threading
from dataclasses import dataclass
from typing import Any

from domain.accounts import Account, normal_username
from web.passwords import hash_password, verify_password


class TooManyAttempts(Exception):
    """Too many failed guesses lately (for this username or from this address), or too many logins
    being checked at this moment: wait `retry_after` seconds."""

    def __init__(self, retry_after: int, busy: bool = False) -> None:
        super().__init__(retry_after)
        self.retry_after, self.busy = retry_after, busy


class WrongPassword(Exception):
    """Unknown username, suspended account or wrong password: one answer for all three."""


class HashingPool:
    """At most `workers` password checks at once and `waiting` more queued; any beyond are turned
    away at once (each check takes tens of megabytes and a core for a fraction of a second)."""

    def __init__(self, workers: int = 2, waiting: int = 2) -> None:
        self._slots = threading.BoundedSemaphore(workers)
        self._admitted, self._limit = 0, workers + waiting
        self._lock = threading.Lock()

    def full(self) -> bool:
        """Whether a check asked for now would be turned away (asked on the event loop, before a
        thread is taken for it: a storm is refused at the cost of a look)."""
        return self._admitted >= self._limit

    def verify(self, password_hash: str, password: str) -> bool:
        with self._lock:
            if self._admitted >= self._limit:
                raise TooManyAttempts(1, busy=True)
            self._admitted += 1
        try:
            with self._slots:
                return verify_password(password_hash, password)
        finally:
            with self._lock:
                self._admitted -= 1


_DUMMY: list[str] = []


def _dummy_hash() -> str:
    """A hash no password matches, made once: an unknown username is checked against it, so that
    it takes as long to refuse as a known one (usernames cannot be told by timing)."""
    if not _DUMMY:
        _DUMMY.append(hash_password(os.urandom(24).hex()))
    return _DUMMY[0]


@dataclass(frozen=True)
class Client:
    """Who is asking, as far as the server can tell: the peer's address, or behind a proxy the
    settings trust, the nearest address in X-Forwarded-For that is not one of those proxies."""

    address: str
    https: bool  # the browser's connection: directly, or as a trusted proxy forwards it

    @classmethod
    def of(cls, request: Any) -> Client:
        trusted = request.app.state.trusted_proxies
        peer = request.client.host if request.client else ""
        direct = request.url.scheme == "https"
        if not trusted or not _within(peer, trusted):
            return cls(peer, direct)
        https = direct or request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower() == "https"
        hops = [hop.strip() for hop in request.headers.get("x-forwarded-for", "").split(",") if hop.strip()]
        for hop in reversed(hops):
            if not _within(hop, trusted):
                return cls(hop, https)
        return cls(peer, https)

    def secure_cookies(self, setting: str) -> bool:
        """CARELEDGER_SECURE_COOKIES: always, never, or (auto) when the browser speaks HTTPS."""
        return {"always": True, "true": True, "never": False, "false": False}.get(setting.lower(), self.https)


def _within(address: str, networks: tuple[Any, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def trusted_networks(setting: str) -> tuple[Any, ...]:
    """CARELEDGER_TRUSTED_PROXIES: addresses or networks, comma-separated."""
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in setting.split(",") if part.strip())


def log_in(state: Any, username: str, password: str, client: Client) -> Account:
    """The account, if the password is its own; else WrongPassword or TooManyAttempts."""
    name = normal_username(username)
    wait = max(state.throttle.retry_after(name) if name else 0, state.address_throttle.retry_after(client.address))
    if wait:
        raise TooManyAttempts(wait)
    account = state.ledger.find_account(username) if name else None  # raw: its legacy id is of the raw spelling
    usable = account is not None and not account.disabled
    matches = state.hashing.verify(account.password_hash if usable else _dummy_hash(), password)
    if not (usable and matches):
        if name:
            state.throttle.failed(name)
        state.address_throttle.failed(client.address)
        raise WrongPassword()
    state.throttle.succeeded(name)
    return account


def check_own_password(state: Any, account: Account, password: str, client: Client) -> bool:
    """A logged-in person's current password, asked again (to change it): guesses count as at login."""
    wait = max(state.throttle.retry_after(account.username), state.address_throttle.retry_after(client.address))
    if wait:
        raise TooManyAttempts(wait)
    if state.hashing.verify(account.password_hash, password):
        return True
    state.throttle.failed(account.username)
    state.address_throttle.failed(client.address)
    return False
