"""Watching the log's PostgreSQL from a thread of its own, so that nothing else waits on it: while
it does not answer (stopped, unreachable, paused), whatever needs it is refused at once with a 503
and Retry-After, the event loop never waits, reads from the local read models go on (marked
stale), and everything resumes by itself once it answers again."""

from __future__ import annotations

import asyncio
import html
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import msgspec
import psycopg
from eventsourcing.persistence import PersistenceError
from litestar.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("careledger")

# A request caught in flight may yet be recorded when the database answers again: say so.
IN_FLIGHT = ("The event log's database stopped answering while this request was on its way: it may or may "
             "not have been recorded. Send it again (with the same Idempotency-Key it is recorded once).")
IN_FLIGHT_PAGE = "The event log's database stopped answering: this may not have been recorded. Check, then try again."
IN_FLIGHT_PAGE_ZH = "事件日志数据库暂时没有响应：本次操作可能未被记录。请核对后再试。"
STALE_HEADER = (b"careledger-stale", b"the event log's database cannot be reached: read models may be behind")


class LogAway(PersistenceError):
    """The log's database has not answered for a while: refused without trying (web/outages.py).
    Not an OperationalError: eventsourcing retries those ten times, 0.2 s apart."""


class LogWatch:
    """Asks the database `SELECT 1` every `interval` seconds on a connection of its own. It is away
    once a question has waited `patience` seconds for its answer: a refused connection says so at
    once, a paused or partitioned server (which never refuses, only never answers) by the silence.
    Only a question asked counts: a watch thread merely slow to be scheduled on a busy machine is
    not a silent database."""

    def __init__(self, params: dict[str, Any], interval: float = 0.25, patience: float = 1.2) -> None:
        self.params = {**params, "connect_timeout": 2}  # libpq's least
        self.interval, self.patience = interval, patience
        self.asked_at: float | None = None  # when the question now waiting for its answer was asked
        self.problem: str | None = None  # what the last attempt met, if it failed

    @property
    def away(self) -> bool:
        asked = self.asked_at
        return self.problem is not None or (asked is not None and time.monotonic() - asked > self.patience)

    def why(self) -> str:
        asked = self.asked_at
        return self.problem or f"no answer for {time.monotonic() - (asked or time.monotonic()):.1f} s"

    def ensure(self) -> None:
        if self.away:
            raise LogAway(f"the event log's database cannot be reached ({self.why()})")

    def gate(self, connect: Callable[..., Any]) -> Callable[..., Any]:
        """`connect` (a pool's connection context manager), refused at once while the database is away."""
        @contextmanager
        def gated(*args: Any, **kwargs: Any) -> Iterator[Any]:
            self.ensure()
            with connect(*args, **kwargs) as conn:
                yield conn
        return gated

    def follow(self, stop: threading.Event) -> threading.Thread:
        thread = threading.Thread(target=self._ask, args=(stop,), name="log watch", daemon=True)
        thread.start()
        return thread

    def _ask(self, stop: threading.Event) -> None:
        conn: psycopg.Connection | None = None
        was_away = False
        while not stop.is_set():
            self.asked_at = time.monotonic()
            try:
                if conn is None:
                    conn = psycopg.connect(**self.params, autocommit=True)
                conn.execute("SELECT 1")
                self.asked_at, self.problem = None, None
                if was_away:
                    log.warning("the event log's database answers again")
                was_away = False
            except psycopg.Error as failed:
                self.problem = f"{type(failed).__name__}: {failed}".strip()[:300]
                if conn is not None:
                    conn.close()
                    conn = None
            if self.away and not was_away:
                was_away = True
                log.error("the event log's database cannot be reached: writes are refused (503) until it answers",
                          extra={"problem": self.why()})
            stop.wait(self.interval)
        if conn is not None:
            conn.close()


async def or_as_known(watch: LogWatch, ask: Callable[[], Any], known: Callable[[], Any], poll: float = 0.05) -> Any:
    """`ask()` in a thread; should the database fall silent meanwhile, `known()` instead (what this
    process last read), and `ask` left to finish in the background."""
    if watch.away:
        return known()
    asking = asyncio.ensure_future(asyncio.to_thread(ask))
    while True:
        done, _ = await asyncio.wait({asking}, timeout=poll)
        if done:
            return asking.result()
        if watch.away:
            asking.add_done_callback(lambda task: task.cancelled() or task.exception())
            return known()


def answered_in_time(app: ASGIApp, watch: LogWatch, poll: float = 0.1, grace: float = 1.4,
                     settle: float = 0.3) -> ASGIApp:
    """Middleware: a request unanswered after `grace` seconds while the log's database is away gets
    a 503 (its work, stuck on the database, finishes or fails in the background), so every answer
    comes within 2 s; one that reads what this node holds answers meanwhile, saying the read
    models may be behind (STALE_HEADER): it is given `settle` seconds from when the silence is
    known, to turn to what this node holds, before it is given up on."""

    async def in_time(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        started, given_up = False, False

        async def relay(message: Message) -> None:
            nonlocal started
            if given_up:
                return
            if message["type"] == "http.response.start":
                started = True
                if watch.away:
                    message = {**message, "headers": [*message.get("headers", []), STALE_HEADER]}
            await send(message)

        began, known_away = time.monotonic(), None
        work = asyncio.ensure_future(app(scope, receive, relay))
        while True:
            done, _ = await asyncio.wait({work}, timeout=poll)
            if done:
                work.result()
                return
            if started:  # answering (a stream may stay open for hours): nothing left to watch
                await work
                return
            now = time.monotonic()
            if not watch.away:
                known_away = None
                continue
            known_away = known_away or now
            if now - began >= grace and now - known_away >= settle:
                given_up = True
                work.add_done_callback(lambda task: task.cancelled() or task.exception())
                await _refuse(scope, send)
                return

    return in_time


async def _refuse(scope: Scope, send: Send) -> None:
    """The 503 of a request given up on: problem details for the API, a page in both languages else."""
    from web.outages import LOG_AWAY

    if scope["path"].startswith("/api/"):
        kind, body = b"application/problem+json", msgspec.json.encode({
            "type": "about:blank", "status": 503, "title": "Not ready yet", "reason": LOG_AWAY.reason,
            "detail": IN_FLIGHT})
    else:
        cookies = dict(scope.get("headers", [])).get(b"cookie", b"")
        zh = b"lang=zh" in cookies or (b"lang=" not in cookies and
                                       b"zh" in dict(scope.get("headers", [])).get(b"accept-language", b"")[:8])
        said, lang = (IN_FLIGHT_PAGE_ZH, "zh-CN") if zh else (html.escape(IN_FLIGHT_PAGE), "en")
        kind, body = b"text/html; charset=utf-8", (
            f'<!doctype html><html lang="{lang}"><meta charset="utf-8"><title>503</title>'
            f'<h1 data-problem>{said}</h1></html>').encode()
    await send({"type": "http.response.start", "status": 503, "headers": [
        (b"content-type", kind), (b"retry-after", str(LOG_AWAY.retry_after).encode()), (b"cache-control", b"no-store")]})
    await send({"type": "http.response.body", "body": body})
