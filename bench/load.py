"""An HTTP load of kiosk check-ins and check-outs: N keep-alive connections, each taking the next
seat, checking the volunteer in and then out, as fast as the server answers.

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
    timeline: list[tuple[float, float]] = field(default_factory=list)  # (sent at, latency ms)

    @property
    def per_s(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(len(ordered) * p))] if ordered else 0.0


def _request(path: str, token: str, body: dict) -> bytes:
    payload = json.dumps(body).encode()
    return (f"POST {path} HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n").encode() + payload


async def _answer(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    body = await reader.readexactly(length) if length else b""
    return status, body


async def post(host: str, port: int, path: str, body: dict, token: str = "") -> tuple[int, dict]:
    """One request on its own connection (for logging in and the like)."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        payload = json.dumps(body).encode()
        auth = f"Authorization: Bearer {token}\r\n" if token else ""
        writer.write((f"POST {path} HTTP/1.1\r\nHost: bench\r\n{auth}Content-Type: application/json\r\n"
                      f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n").encode() + payload)
        await writer.drain()
        status, answer = await _answer(reader)
        return status, json.loads(answer or b"{}")
    finally:
        writer.close()


async def check_ins(host: str, port: int, token: str, seats: list[tuple[UUID, UUID]],
                    connections: int = 64, rate: float | None = None) -> LoadResult:
    """Every seat checked in and then out, over `connections` concurrent connections.

    Without `rate`, each connection sends its next request as soon as the last is answered (the
    most the server can do: its latency is then 64 / throughput by Little's law, queueing
    included). With `rate`, requests are sent on a schedule adding up to `rate` a second, and
    each latency counts from when its request was due, so a server that falls behind is charged
    for the wait (no coordinated omission)."""
    result = LoadResult()
    # Each connection is a kiosk of its own shifts (a shift's seats are not shared between them).
    shifts = list(dict.fromkeys(shift for shift, _ in seats))
    mine = {shift: i % connections for i, shift in enumerate(shifts)}
    queues = [[seat for seat in seats if mine[seat[0]] == k] for k in range(connections)]
    # Paced: each connection spreads its requests over the same span, so that together they
    # arrive at `rate` from start to end (connections hold different numbers of seats).
    span = 2 * len(seats) / rate if rate else 0.0

    async def client(k: int, queue: list[tuple[UUID, UUID]]) -> None:
        reader, writer = await asyncio.open_connection(host, port)
        interval = span / (2 * len(queue)) if queue else 0.0
        due = start + interval * k / connections
        try:
            for shift, volunteer in queue:
                for step, body in (("check-in", {"volunteer_id": str(volunteer)}),
                                   ("check-out", {"volunteer_id": str(volunteer), "served": {"guidance": 12}})):
                    sent = time.perf_counter()
                    if rate:
                        if due > sent:
                            await asyncio.sleep(due - sent)
                        sent, due = due, due + interval
                    writer.write(_request(f"/api/v1/shifts/{shift}/{step}", token, body))
                    status, answer = await _answer(reader)
                    result.latencies_ms.append((time.perf_counter() - sent) * 1000)
                    result.timeline.append((sent, result.latencies_ms[-1]))
                    result.requests += 1
                    if status != 200:
                        result.failures.append(f"{step} {status} {answer[:200]!r}")
        finally:
            writer.close()

    start = time.perf_counter()
    await asyncio.gather(*(client(k, queue) for k, queue in enumerate(queues)))
    result.seconds = time.perf_counter() - start
    return result
