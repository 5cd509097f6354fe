"""Idempotency-Key: a retried write with the same key and body gets the first answer, and
nothing new is recorded. Answers are kept in a small SQLite file beside the read models."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any, Protocol

from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from domain.storage.wal import fold_wal

log = logging.getLogger("careledger")

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
PENDING = -1
# A first request still unanswered after this long died with its node: a retry may run it again
# (nothing it did was recorded without an answer: a command records all its events or none).
ABANDONED_SECONDS = 60


class Answers(Protocol):
    """Where answers are kept: this process's SQLite file, or PostgreSQL for several nodes (web/nodes.py)."""

    def claim(self, key: str, body_hash: str) -> tuple[str, Any]: ...
    def store(self, key: str, status: int, headers: list, body: bytes) -> None: ...
    def forget(self, key: str) -> None: ...
    def forget_mentioning(self, text: str) -> None: ...


def verdict(kept_hash: str, status: int, headers: str, body: bytes, body_hash: str) -> tuple[str, Any]:
    """What a request may do, given the claim kept under its key."""
    if kept_hash != body_hash:
        return "conflict", None
    if status == PENDING:
        return "busy", None
    return "done", (status, json.loads(headers), body)


class IdempotencyStore:
    def __init__(self, path: Path, keep_hours: int = 48, abandoned_seconds: float = ABANDONED_SECONDS) -> None:
        self.conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=10)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA secure_delete=ON")  # an answer dropped leaves no copy in free space
        self.conn.execute("PRAGMA synchronous=NORMAL")  # WAL: a crash of the server loses none; power loss, the last
        self.conn.execute("CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, body_hash TEXT, status INTEGER, "
                          "headers TEXT, body BLOB, stored_at REAL)")
        self.conn.execute("CREATE INDEX IF NOT EXISTS answers_stored_at ON answers (stored_at)")
        self.keep_seconds, self.abandoned_seconds = keep_hours * 3600, abandoned_seconds
        self.lock = threading.Lock()

    def claim(self, key: str, body_hash: str) -> tuple[str, Any]:
        """('new', None) if this request may run; ('done', answer) to replay; ('conflict'|'busy', None)."""
        with self.lock:
            now = time.time()
            self.conn.execute("DELETE FROM answers WHERE stored_at < ?", (now - self.keep_seconds,))
            row = self.conn.execute("SELECT body_hash, status, headers, body, stored_at FROM answers WHERE key = ?",
                                    (key,)).fetchone()
            if row is None:
                self.conn.execute("INSERT INTO answers VALUES (?, ?, ?, '[]', x'', ?)", (key, body_hash, PENDING, now))
                return "new", None
            if row[:2] == (body_hash, PENDING) and row[4] < now - self.abandoned_seconds:
                self.conn.execute("UPDATE answers SET stored_at = ? WHERE key = ?", (now, key))
                return "new", None
        return verdict(*row[:4], body_hash)

    def store(self, key: str, status: int, headers: list, body: bytes) -> None:
        with self.lock:
            self.conn.execute("UPDATE answers SET status = ?, headers = ?, body = ? WHERE key = ?",
                              (status, json.dumps(headers), body, key))

    def forget(self, key: str) -> None:
        with self.lock:
            self.conn.execute("DELETE FROM answers WHERE key = ?", (key,))

    def forget_mentioning(self, text: str) -> None:
        """Drop every answer that mentions `text` (a forgotten volunteer's id: the answer to their
        registration names them), and empty the write-ahead log that held it."""
        with self.lock:
            self.conn.execute("DELETE FROM answers WHERE instr(body, ?) > 0", (text.encode(),))
            fold_wal(self.conn)


def _problem(send: Send, status: int, detail: str) -> Any:
    body = json.dumps({"type": "about:blank", "status": status, "title": "Idempotency-Key", "detail": detail,
                       "reason": "idempotency_key_reused" if status == 422 else "in_progress"}).encode()
    headers = [(b"content-type", b"application/problem+json"), (b"content-length", str(len(body)).encode())]
    if status == 409:
        headers.append((b"retry-after", b"1"))

    async def answer() -> None:
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
    return answer()


def _session_of(cookies: bytes) -> bytes:
    """The session cookie's value among a request's cookies (empty if it has none)."""
    for pair in cookies.split(b";"):
        name, _, value = pair.strip().partition(b"=")
        if name == b"token":
            return value
    return b""


class IdempotencyMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)

    def __init__(self, store: Answers) -> None:
        self.answers = store

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        headers = dict(scope.get("headers", []))
        key_header = headers.get(b"idempotency-key")
        if scope["method"] not in WRITES or not key_header:
            await next_app(scope, receive, send)
            return
        chunks, more = [], True
        while more:
            message = await receive()
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        # A key belongs to whoever sent it: the same key from another account is another request.
        # (a browser's session is its cookie: without it every cookie session shared one key space)
        who = hashlib.sha256(headers.get(b"authorization", b"") + b"\0" + _session_of(headers.get(b"cookie", b""))
                             ).hexdigest()[:16]
        key = f"{who}:{scope['method']}:{scope['path']}:{key_header.decode(errors='replace')}"
        body_hash = hashlib.sha256(body).hexdigest()
        for _ in range(50):
            # A thread: on PostgreSQL (web/nodes.py) each question is a round trip to the database.
            outcome, answer = await asyncio.to_thread(self.answers.claim, key, body_hash)
            if outcome != "busy":
                break
            await asyncio.sleep(0.1)  # the first request with this key is still running
        if outcome == "conflict":
            await _problem(send, 422, "This Idempotency-Key was used with a different body.")
            return
        if outcome == "busy":
            await _problem(send, 409, "A request with this Idempotency-Key is still running.")
            return
        if outcome == "done":
            status, stored_headers, stored_body = answer
            await send({"type": "http.response.start", "status": status,
                        "headers": [(k.encode(), v.encode()) for k, v in stored_headers]})
            await send({"type": "http.response.body", "body": stored_body})
            return

        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        started: dict[str, Any] = {}
        sent_body: list[bytes] = []
        kept = False

        async def capture(message: Message) -> None:
            """The answer is kept before the client hears any of it: a command sent after this
            answer (forgetting whom it names, say) always finds it kept. Should keeping it fail,
            the answer still goes out (it was recorded) and the failure is logged."""
            nonlocal kept
            if message["type"] == "http.response.start":
                started.update(message)
                return  # held back until the body is whole
            if message["type"] != "http.response.body":
                await send(message)
                return
            sent_body.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            status = started.get("status", 500)
            if status < 500:
                headers = [(k.decode(), v.decode()) for k, v in started.get("headers", [])]
                kept = True  # answered: the claim stays even if keeping the answer fails (a retry waits, then runs)
                try:
                    await asyncio.to_thread(self.answers.store, key, status, headers, b"".join(sent_body))
                except Exception:  # noqa: BLE001 - the write happened: its answer must still be given
                    log.exception("an answer could not be kept for retries", extra={"status": status})
            await send(started)
            await send({"type": "http.response.body", "body": b"".join(sent_body)})

        try:
            await next_app(scope, replay, capture)
        finally:
            if not kept:  # a failure is not an answer: the retry runs again
                try:
                    await asyncio.to_thread(self.answers.forget, key)
                except Exception:  # noqa: BLE001 - left pending: a retry runs again once it is abandoned
                    log.exception("a pending retry claim could not be dropped")
