"""HTTP loads on bare asyncio streams: N keep-alive connections, each sending its own queue of
requests, as fast as the server answers or on a schedule.

Written on bare asyncio streams so that the client costs little of the second core; a
Python HTTP library would be the bottleneck before the server is.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from uuid import UUID


@dataclass
class LoadResult:
    requests: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    @property
    def per_s(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(len(ordered) * p))] if ordered else 0.0


def posting(path: str, body: dict, token: str = "", cookie: str = "") -> bytes:
    payload = json.dumps(body).encode()
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    cookies = f"Cookie: {cookie}\r\n" if cookie else ""
    return (f"POST {path} HTTP/1.1\r\nHost: bench\r\n{auth}{cookies}Content-Type: application/json\r\n"
            f"Content-Length: {len(payload)}\r\n\r\n").encode() + payload


def getting(path: str, cookie: str = "") -> bytes:
    cookies = f"Cookie: {cookie}\r\n" if cookie else ""
    return f"GET {path} HTTP/1.1\r\nHost: bench\r\n{cookies}\r\n".encode()


async def _answer(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    length, chunked = 0, False
    for line in lines[1:]:
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
        elif line.lower().startswith(b"transfer-encoding:") and b"chunked" in line.lower():
            chunked = True
    if not chunked:
        return status, await reader.readexactly(length) if length else b""
    body = b""
    while True:
        size = int((await reader.readuntil(b"\r\n")).strip(), 16)
        body += await reader.readexactly(size + 2)
        if size == 0:
            return status, body


async def post(host: str, port: int, path: str, body: dict, token: str = "") -> tuple[int, dict]:
    """One request on its own connection (for logging in and the like)."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        request = posting(path, body, token).replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n", 1)
        writer.write(request)
        await writer.drain()
        status, answer = await _answer(reader)
        return status, json.loads(answer or b"{}")
    finally:
        writer.close()


async def hammer(host: str, port: int, queues: list[list[bytes]], rate: float | None = None,
                 expect: int = 200) -> LoadResult:
    """Each queue sent in order on a connection of its own, all connections at once.

    Without `rate`, each connection sends its next request as soon as the last is answered (the
    most the server can do: its latency is then connections / throughput by Little's law,
    queueing included). With `rate`, requests are sent on a schedule adding up to `rate` a
    second, and each latency counts from when its request was due, so a server that falls
    behind is charged for the wait (no coordinated omission)."""
    result = LoadResult()
    connections = len(queues)
    # Paced: each connection spreads its requests over the same span, so that together they
    # arrive at `rate` from start to end (connections may hold different numbers of requests).
    span = sum(map(len, queues)) / rate if rate else 0.0

    async def client(k: int, queue: list[bytes]) -> None:
        reader, writer = await asyncio.open_connection(host, port)
        interval = span / len(queue) if queue else 0.0
        due = start + interval * k / connections
        try:
            for request in queue:
                sent = time.perf_counter()
                if rate:
                    if due > sent:
                        await asyncio.sleep(due - sent)
                    sent, due = due, due + interval
                writer.write(request)
                try:
                    status, answer = await _answer(reader)
                except (asyncio.IncompleteReadError, ConnectionError) as closed:  # counted, then a new connection
                    result.failures.append(f"{request.split(b' ', 2)[1].decode()} connection lost: {closed!r}")
                    writer.close()
                    reader, writer = await asyncio.open_connection(host, port)
                    continue
                result.latencies_ms.append((time.perf_counter() - sent) * 1000)
                result.requests += 1
                if status != expect:
                    result.failures.append(f"{request.split(b' ', 2)[1].decode()} {status} {answer[:200]!r}")
        finally:
            writer.close()

    start = time.perf_counter()
    await asyncio.gather(*(client(k, queue) for k, queue in enumerate(queues)))
    result.seconds = time.perf_counter() - start
    return result


def by_shift(seats: list[tuple[UUID, UUID]], connections: int) -> list[list[tuple[UUID, UUID]]]:
    """Each connection a kiosk (or a coordinator) of its own shifts: no two share a shift."""
    shifts = list(dict.fromkeys(shift for shift, _ in seats))
    mine = {shift: i % connections for i, shift in enumerate(shifts)}
    return [[seat for seat in seats if mine[seat[0]] == k] for k in range(connections)]


async def check_ins(host: str, port: int, token: str, seats: list[tuple[UUID, UUID]],
                    connections: int = 64, rate: float | None = None) -> LoadResult:
    """Every seat checked in and then out over `connections` connections (see `hammer`)."""
    queues = [[request for shift, volunteer in queue for request in (
        posting(f"/api/v1/shifts/{shift}/check-in", {"volunteer_id": str(volunteer)}, token),
        posting(f"/api/v1/shifts/{shift}/check-out", {"volunteer_id": str(volunteer), "served": {"guidance": 12}},
                token))] for queue in by_shift(seats, connections)]
    return await hammer(host, port, queues, rate)


async def sign_ups(host: str, port: int, token: str, places: list[tuple[UUID, UUID]],
                   connections: int = 64, rate: float | None = None) -> LoadResult:
    """Every volunteer signed up for their place by a coordinator, over `connections` connections."""
    queues = [[posting(f"/api/v1/shifts/{shift}/signups", {"volunteer_id": str(volunteer)}, token)
               for shift, volunteer in queue] for queue in by_shift(places, connections)]
    return await hammer(host, port, queues, rate, expect=201)


async def pages(host: str, port: int, path: str, cookie: str, count: int, connections: int,
                rate: float | None = None) -> LoadResult:
    """`count` GETs of one page as a logged-in person, over `connections` connections."""
    request = getting(path, cookie)
    queues = [[request] * (count // connections + (k < count % connections)) for k in range(connections)]
    return await hammer(host, port, queues, rate)
