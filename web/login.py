"""Logging in, the one way for every face (the API's token, the browser's form, a password change):
one spelling of the username, failed guesses counted per username and per client address,
unknown usernames taking as long as known ones, and password hashing in a small bounded pool
that turns a storm of logins away (429) instead of starving everyone else."""

from __future__ import annotations

import asyncio
import ipaddress
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

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


T = TypeVar("T")


def _yielding() -> None:
    """A password-checking thread gives way to the rest of the server when cores are short: a
    login may take a little longer in a storm, a check-in should not (Linux: a thread's own nice)."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
    except (AttributeError, OSError):  # not Linux, or not allowed: the pool's bound still holds
        pass


class HashingPool:
    """At most `workers` password checks at once and `waiting` more queued; any beyond are turned
    away at once (each check takes tens of megabytes and a core for a fraction of a second).
    A login is admitted on the event loop, before any thread is taken for it, and runs on the
    pool's own threads: a storm neither queues on the threads check-ins share nor slips past
    the count while the first of it is being scheduled."""

    def __init__(self, workers: int = 2, waiting: int = 2) -> None:
        self._slots = threading.BoundedSemaphore(workers)
        self._admitted, self._limit = 0, workers + waiting
        self._lock = threading.Lock()
        # `workers` threads: the admitted beyond them wait in the pool's queue, not in threads of
        # their own (each thread that hashes keeps its own 64 MiB arena)
        self._threads = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="password-check",
                                           initializer=_yielding)
        self._inside = threading.local()  # a check already admitted, on one of the pool's threads

    @contextmanager
    def _admission(self) -> Iterator[None]:
        with self._lock:
            if self._admitted >= self._limit:
                raise TooManyAttempts(1, busy=True)
            self._admitted += 1
        try:
            yield
        finally:
            with self._lock:
                self._admitted -= 1

    async def run(self, work: Callable[..., T], *args: Any) -> T:
        """`work(*args)` (a login) on the pool's threads, if admitted now; else TooManyAttempts."""
        with self._admission():
            return await asyncio.get_running_loop().run_in_executor(self._threads, self._admitted_call, work, args)

    def _admitted_call(self, work: Callable[..., T], args: tuple[Any, ...]) -> T:
        self._inside.admitted = True
        try:
            return work(*args)
        finally:
            self._inside.admitted = False

    def verify(self, password_hash: str, password: str) -> bool:
        """The check itself; admitted here when not already (a password change asked in a
        handler's own thread)."""
        if getattr(self._inside, "admitted", False):
            with self._slots:
                return verify_password(password_hash, password)
        with self._admission(), self._slots:
            return verify_password(password_hash, password)


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
        # Every X-Forwarded-For line, in order (a proxy may add a line of its own instead of
        # appending to the last), each hop without its port.
        lines = request.headers.getall("x-forwarded-for", [])
        hops = [_address(hop) for line in lines for hop in line.split(",") if hop.strip()]
        for hop in reversed(hops):
            if not _within(hop, trusted):
                return cls(hop, https)
        return cls(peer, https)

    @property
    def key(self) -> str:
        """The address as limits count it: an IPv6 address by its /64, which one household or phone
        is given whole (counting each of its 2^64 addresses apart would limit nobody)."""
        try:
            ip = ipaddress.ip_address(self.address)
        except ValueError:
            return self.address
        if isinstance(ip, ipaddress.IPv6Address):
            if ip.ipv4_mapped is not None:
                return str(ip.ipv4_mapped)
            return str(ipaddress.ip_network(f"{ip}/64", strict=False))
        return str(ip)

    def secure_cookies(self, setting: str) -> bool:
        """CARELEDGER_SECURE_COOKIES: always, never, or (auto) when the browser speaks HTTPS."""
        return {"always": True, "true": True, "never": False, "false": False}.get(setting.lower(), self.https)


def _address(hop: str) -> str:
    """A forwarded hop's address: `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1` or `[2001:db8::1]:443`."""
    hop = hop.strip().strip('"')
    if hop.startswith("["):
        return hop[1:].split("]", 1)[0]
    if hop.count(":") == 1:
        return hop.split(":", 1)[0]
    return hop


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
    wait = max(state.throttle.retry_after(name) if name else 0, state.address_throttle.retry_after(client.key))
    if wait:
        raise TooManyAttempts(wait)
    account = state.ledger.find_account(username) if name else None  # raw: its legacy id is of the raw spelling
    usable = account is not None and not account.disabled
    matches = state.hashing.verify(account.password_hash if usable else _dummy_hash(), password)
    if not (usable and matches):
        if name:
            state.throttle.failed(name)
        state.address_throttle.failed(client.key)
        raise WrongPassword()
    state.throttle.succeeded(name)
    return account


def check_own_password(state: Any, account: Account, password: str, client: Client) -> bool:
    """A logged-in person's current password, asked again (to change it): guesses count as at login."""
    wait = max(state.throttle.retry_after(account.username), state.address_throttle.retry_after(client.key))
    if wait:
        raise TooManyAttempts(wait)
    if state.hashing.verify(account.password_hash, password):
        return True
    state.throttle.failed(account.username)
    state.address_throttle.failed(client.key)
    return False
