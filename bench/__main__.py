"""CareLedger's benchmarks, each figure beside a baseline measured in the same run.

    python -m bench            # full size (make bench): a 1M-event year of 170 hospitals
    python -m bench --quick    # a tenth of the size, under a minute
    python -m bench --scale city   # 152 hospitals, 50,000 volunteers, ~8M person-times (long)

Prints a table, then ONE line of JSON with every figure, both baselines and the ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import random
import shutil
import sqlite3
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench.history import COORDINATOR, DESK, KIOSK_PASSWORD, SCALES, VOLUNTEER, YEAR, History, build
from bench.load import check_ins, hammer, pages, post, posting, sign_ups
from bench.postgres import postgres_rates
from bench.server import Server
from web.progress import progress_bar

# The latency target holds at the throughput target: 64 kiosks sending 1,000 requests a second
# between them. (Flat out, 64 clients that never pause wait 64 / throughput on average: at
# 1,000/s that is 64 ms, so a p99 of 50 ms can only be asked of a paced load.)
PACED_RATE = 1000
# A page's latency is asked at a city's rush of people opening pages: 8 at once, 100 a second.
PAGE_RATE, PAGE_CONNECTIONS = 100, 8

# figure: (target, "min" if the figure must reach it, "max" if it must stay under it)
TARGETS = {
    "signup_vs_floor": (0.25, "min"),
    "signup_p99_ms": (50, "max"),
    "checkin_vs_floor": (0.5, "min"),
    "week_page_vs_floor": (0.1, "min"),
    "week_page_p99_ms": (10, "max"),
    "roster_page_vs_floor": (0.1, "min"),
    "roster_page_p99_ms": (10, "max"),
    "phone_home_p99_ms": (10, "max"),
    "kiosk_page_p99_ms": (10, "max"),
    "board_page_p99_ms": (10, "max"),
    "checkin_per_s": (1000, "min"),
    "checkin_vs_raw_commit": (0.25, "min"),
    "checkin_p99_ms": (50, "max"),
    "checkin_storm_p99_ms": (50, "max"),
    "tally_p50_ms": (2, "max"),
    "tally_growth": (1.5, "max"),
    "rebuild_events_per_s": (50_000, "min"),
    "rebuild_vs_raw_scan": (0.05, "min"),
    "lag_p99_ms": (250, "max"),
    "load_volunteer_ms": (5, "max"),
    "rss_mb": (300, "max"),
    "pg_signup_vs_raw": (0.5, "min"),
    "pg_three_vs_one": (2, "min"),
}


def raw_commit_per_s(folder: Path, n: int = 3000) -> float:
    """Single-row INSERT + COMMIT per transaction, WAL, synchronous FULL: the event store's setting."""
    conn = sqlite3.connect(folder / "raw.sqlite3", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)")
    start = time.perf_counter()
    for _ in range(n):
        conn.execute("BEGIN")
        conn.execute("INSERT INTO t (v) VALUES (?)", (b"x" * 200,))
        conn.execute("COMMIT")
    rate = n / (time.perf_counter() - start)
    conn.close()
    return rate


def raw_scan_rows_per_s(events_db: Path) -> float:
    """Every row of the stored events, read with plain sqlite3."""
    conn = sqlite3.connect(events_db)
    start = time.perf_counter()
    rows = 0
    for _ in conn.execute("SELECT rowid, * FROM stored_events"):
        rows += 1
    rate = rows / (time.perf_counter() - start)
    conn.close()
    return rate


def tally_p50_ms(history: History, repeat: int = 200) -> float:
    """The auditor's question: a year's person-times by service type, all units."""
    from projections import tallies
    from projections.projector import READ_MODELS
    from projections.store import ReadModelStore

    store = ReadModelStore(history.folder / "read_models.sqlite3", READ_MODELS)
    db = store.reader()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        tallies.report(db, f"{YEAR}-01-01", f"{YEAR}-12-31", None, "service_type")
        times.append((time.perf_counter() - start) * 1000)
    db.conn.close()
    store.close()
    return statistics.median(times)


def rebuild_events_per_s(history: History) -> float:
    """`careledger rebuild` of every read model, the command itself in a process of its own
    (start-up counted), on the live read-model file the server just used."""
    import os
    import subprocess
    import sys

    from domain.application import CareLedger

    with CareLedger(env=history.env) as ledger:
        events = ledger.position
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PERSISTENCE_", "POSTGRES_", "SQLITE_"))}
    start = time.perf_counter()
    subprocess.run([str(Path(sys.executable).with_name("careledger")), "rebuild"], check=True,
                   env={**env, "CARELEDGER_DATA": str(history.folder)}, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return events / (time.perf_counter() - start)


def load_volunteer_ms(history: History, repeat: int = 50) -> tuple[float, int]:
    """A cold load (no cache) of a volunteer whose log holds `veteran_events` events."""
    from domain.application import CareLedger

    with CareLedger(env=history.env) as ledger:
        version = ledger.get_volunteer(history.veteran).version
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            ledger.repository.get(history.veteran, version=version)  # a version: past the cache
            times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), version


def lag_p99_ms(history: History, writes_per_s: int = 500) -> tuple[float, int]:
    """Projection lag as the server has it: the read models follow the log in a thread of the
    process that writes, while check-ins and check-outs arrive at `writes_per_s`."""
    from domain.application import CareLedger
    from projections.projector import READ_MODELS, Projector
    from projections.store import ReadModelStore

    ledger = CareLedger(env=history.env)
    store = ReadModelStore(history.folder / "read_models.sqlite3", READ_MODELS)
    projector = Projector(ledger, store)
    projector.catch_up()
    applied: list[tuple[float, int]] = []
    projector.on_applied.append(lambda position: applied.append((time.perf_counter(), position)))
    ledger.on_saved.append(projector.wake)
    stop = threading.Event()
    follower = threading.Thread(target=projector.follow, args=(stop,), daemon=True)
    follower.start()
    written: list[tuple[float, int]] = []
    start = time.perf_counter()
    commands = [(ledger.check_in, shift, volunteer) for shift, volunteer in history.lag]
    commands += [(ledger.check_out, shift, volunteer) for shift, volunteer in history.lag]
    for i, (command, shift, volunteer) in enumerate(commands):
        due = start + i / writes_per_s
        pause = due - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        if command == ledger.check_in:
            receipt = command(shift, volunteer, "kiosk", "bench")
        else:
            receipt = command(shift, volunteer, {"guidance": 3}, "bench")
        written.append((time.perf_counter(), receipt.position))
    projector.wait(written[-1][1], timeout=30)
    stop.set()
    projector.wake()
    follower.join()
    store.close()
    ledger.close()
    lags, j = [], 0
    for at, position in written:
        while applied[j][1] < position:
            j += 1
        lags.append(max(0.0, applied[j][0] - at) * 1000)
    lags.sort()
    rate = len(written) / (written[-1][0] - start)
    return lags[int(len(lags) * 0.99)], round(rate)


def _storm(port: int, logins: int, done: Any, answers: Any) -> None:
    """A process of its own: `logins` clients, each logging in over and over until `done` is set
    (waiting as Retry-After asks when turned away); then the answers' statuses, counted."""
    from collections import Counter

    statuses: Counter = Counter()

    async def one_person() -> None:
        while not done.is_set():
            status, _ = await post("127.0.0.1", port, "/api/v1/auth/token",
                                   {"username": "kiosk", "password": KIOSK_PASSWORD})
            statuses[status] += 1
            if status == 429:  # as Retry-After asks, each at a moment of its own
                await asyncio.sleep(random.uniform(1, 2))

    async def everyone() -> None:
        await asyncio.gather(*(one_person() for _ in range(logins)))
    asyncio.run(everyone())
    answers.put(dict(statuses))


async def during_a_login_storm(port: int, token: str, seats: list, connections: int,
                               logins: int = 100) -> tuple[Any, dict[int, int]]:
    """Paced check-ins while another process keeps `logins` logins in flight (the morning rush, or
    an attack): password hashing must not starve the check-ins. The answers to the logins, by status."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    done, answers = context.Event(), context.Queue()
    storm = context.Process(target=_storm, args=(port, logins, done, answers), daemon=True)
    storm.start()
    await asyncio.sleep(1.0)  # the storm under way before the first check-in is timed
    try:
        result = await check_ins("127.0.0.1", port, token, seats, connections, rate=PACED_RATE)
    finally:
        done.set()
        counted = answers.get(timeout=60)
        storm.join(timeout=30)
    return result, counted


def floor_per_s(folder: Path, requests: int, connections: int = 64) -> float:
    """The baseline of the HTTP figures: bench/floor.py's trivial endpoint, 64 clients flat out."""
    folder.mkdir(parents=True, exist_ok=True)
    server = Server(folder, floor=True)
    try:
        body = posting("/floor", {"volunteer_id": "00000000-0000-0000-0000-000000000000"})
        asyncio.run(hammer("127.0.0.1", server.port, [[body] * 50 for _ in range(connections)]))  # warm
        result = asyncio.run(hammer("127.0.0.1", server.port, [[body] * (requests // connections)] * connections))
        if result.failures:
            raise RuntimeError(f"the floor failed: {result.failures[:3]}")
        return result.per_s
    finally:
        server.stop()


def cookie_of(port: int, username: str) -> str:
    """A person's session, logged in through the login form as a browser is."""
    import re

    import httpx

    with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
        form = re.search(r'name="_csrf" value="([0-9a-f]+)"', client.get("/login").text)
        if form is None:
            raise RuntimeError("the login page carries no form token")
        answer = client.post("/login", data={"username": username, "password": KIOSK_PASSWORD,
                                              "_csrf": form.group(1)})
        if answer.status_code != 303:
            raise RuntimeError(f"{username} could not log in: {answer.status_code}")
        return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


def page_figures(port: int, history: History, count: int) -> dict[str, float]:
    """Each page a person waits on, as that person: flat out from 64 connections (answers a
    second) and paced at PAGE_RATE from PAGE_CONNECTIONS (its p99)."""
    cookies = {who: cookie_of(port, who) for who in (COORDINATOR, DESK, VOLUNTEER)}
    measured = {"week_page": (COORDINATOR, "/shifts"), "roster_page": (COORDINATOR, f"/shifts/{history.served_shift}"),
                "phone_home": (VOLUNTEER, "/me"), "kiosk_page": (DESK, "/kiosk"), "board_page": (COORDINATOR, "/board")}
    figures: dict[str, float] = {}
    for name, (who, path) in measured.items():
        for rate, connections, n in ((None, 64, count), (PAGE_RATE, PAGE_CONNECTIONS, count // 4)):
            result = asyncio.run(pages("127.0.0.1", port, path, cookies[who], n, connections, rate))
            if result.failures:
                raise RuntimeError(f"{name}: {len(result.failures)} of {result.requests} failed, "
                                   f"e.g. {result.failures[:2]}")
            if rate is None:
                figures[f"{name}_per_s"] = result.per_s
            else:
                figures[f"{name}_p50_ms"] = result.percentile(0.5)
                figures[f"{name}_p99_ms"] = result.percentile(0.99)
    return figures


def http_figures(history: History, page_count: int, connections: int = 64) -> dict[str, float]:
    """On one server: sign-ups (two thirds flat out from 64 coordinators, a third paced at
    PACED_RATE), check-ins the same way and again during a login storm, then the pages."""
    server = Server(history.folder)
    figures: dict[str, float] = {"serve_ready_s": server.ready_after}
    try:
        status, answer = asyncio.run(post("127.0.0.1", server.port, "/api/v1/auth/token",
                                          {"username": "scheduler", "password": KIOSK_PASSWORD}))
        if status != 200:
            raise RuntimeError(f"scheduler login refused: {status} {answer}")
        places = history.signups
        split = len(places) * 2 // 3
        flat_out = asyncio.run(sign_ups("127.0.0.1", server.port, answer["access_token"], places[:split], connections))
        paced = asyncio.run(sign_ups("127.0.0.1", server.port, answer["access_token"], places[split:], connections,
                                     rate=PACED_RATE))
        for result in (flat_out, paced):
            if result.failures:
                raise RuntimeError(f"{len(result.failures)} of {result.requests} sign-ups failed, e.g. "
                                   f"{result.failures[:3]}")
        figures.update(signup_per_s=flat_out.per_s, signup_flat_out_p99_ms=flat_out.percentile(0.99),
                       signup_p50_ms=paced.percentile(0.5), signup_p99_ms=paced.percentile(0.99),
                       signup_paced_per_s=paced.per_s)
        figures.update(http_check_ins(server, history, connections))
        figures.update(page_figures(server.port, history, page_count))
        figures["rss_mb"] = server.peak_rss_mb()
        return figures
    finally:
        server.stop()


def http_check_ins(server: Server, history: History, connections: int = 64) -> dict[str, float]:
    """Two thirds of the open seats as fast as 64 kiosks can go (throughput), the last third
    paced at the throughput target from the same 64 kiosks (latency at that load)."""
    split = len(history.load) * 2 // 3
    status, answer = asyncio.run(post("127.0.0.1", server.port, "/api/v1/auth/token",
                                      {"username": "kiosk", "password": KIOSK_PASSWORD}))
    if status != 200:
        raise RuntimeError(f"kiosk login refused: {status} {answer}")
    token = answer["access_token"]
    flat_out = asyncio.run(check_ins("127.0.0.1", server.port, token, history.load[:split], connections))
    calm = split + (len(history.load) - split) // 2
    paced = asyncio.run(check_ins("127.0.0.1", server.port, token, history.load[split:calm], connections,
                                  rate=PACED_RATE))
    # The same pace while 100 people log in at once, again and again (the morning rush, or a
    # storm): password hashing must not starve the check-ins.
    stormy, logins = asyncio.run(during_a_login_storm(server.port, token, history.load[calm:], connections))
    for result in (flat_out, paced, stormy):
        if result.failures:
            raise RuntimeError(f"{len(result.failures)} of {result.requests} check-ins failed, e.g. "
                               f"{result.failures[:3]}")
    return {"checkin_per_s": flat_out.per_s, "checkin_p50_ms": paced.percentile(0.5),
            "checkin_p99_ms": paced.percentile(0.99), "checkin_paced_per_s": paced.per_s,
            "checkin_flat_out_p50_ms": flat_out.percentile(0.5),
            "checkin_flat_out_p99_ms": flat_out.percentile(0.99),
            "checkin_storm_p99_ms": stormy.percentile(0.99), "storm_logins_answered": logins.get(200, 0),
            "storm_logins_turned_away": logins.get(429, 0),
            "checkin_requests": flat_out.requests + paced.requests + stormy.requests}


def say(text: str) -> None:
    print(text, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the size (under a minute)")
    parser.add_argument("--scale", choices=["quick", "full", "city"], help="the size of the year (default: full)")
    parser.add_argument("--keep", type=Path, help="keep the generated stores in this folder")
    args = parser.parse_args()
    scale_name = args.scale or ("quick" if args.quick else "full")
    random.seed(1)
    began = time.perf_counter()
    root = Path(tempfile.mkdtemp(prefix="careledger-bench-"))
    figures: dict[str, float] = {}
    try:
        say(f"CareLedger benchmark, scale {scale_name}, {platform.node()} "
            f"({platform.processor() or platform.machine()}, Python {platform.python_version()})")
        figures["raw_commit_per_s"] = raw_commit_per_s(root)
        say(f"  baseline raw_commit_per_s: {figures['raw_commit_per_s']:,.0f}")
        small = build(root / "small", SCALES["small"])
        scale = SCALES[scale_name]
        t = time.perf_counter()
        with progress_bar(f"history ({scale_name}, ~{scale.events:,} events)", scale.days, unit="days") as bar:
            history = build(root / "large", scale, progress=lambda done, total: bar.advance(1))
        figures["history_events"] = history.events
        figures["history_events_per_s"] = history.events / (time.perf_counter() - t)
        say(f"  history: {history.events:,} events ({history.person_times:,} person-times) built through the "
            f"application in {history.seconds:.1f} s")
        figures["raw_scan_rows_per_s"] = raw_scan_rows_per_s(history.folder / "events.sqlite3")
        say(f"  baseline raw_scan_rows_per_s: {figures['raw_scan_rows_per_s']:,.0f}")
        figures["tally_small_p50_ms"] = tally_p50_ms(small)
        figures["tally_p50_ms"] = tally_p50_ms(history)
        figures["tally_growth"] = figures["tally_p50_ms"] / figures["tally_small_p50_ms"]
        figures["small_events"] = small.events
        say(f"  tally: {figures['tally_p50_ms']:.2f} ms at {history.events:,} events, "
            f"{figures['tally_small_p50_ms']:.2f} ms at {small.events:,}")
        figures["load_volunteer_ms"], figures["volunteer_events"] = load_volunteer_ms(history)
        say(f"  load volunteer ({figures['volunteer_events']:,} events): {figures['load_volunteer_ms']:.2f} ms")
        figures["lag_p99_ms"], figures["lag_writes_per_s"] = lag_p99_ms(history)
        say(f"  projection lag p99 {figures['lag_p99_ms']:.0f} ms at {figures['lag_writes_per_s']} writes/s")
        figures.update(http_figures(history, page_count=3000 if scale_name != "quick" else 1000))
        say(f"  server listening {figures['serve_ready_s']:.1f} s after start")
        say(f"  HTTP sign-ups flat out: {figures['signup_per_s']:,.0f}/s (p99 {figures['signup_flat_out_p99_ms']:.1f} ms); "
            f"paced at {figures['signup_paced_per_s']:,.0f}/s: p50 {figures['signup_p50_ms']:.1f} ms, "
            f"p99 {figures['signup_p99_ms']:.1f} ms")
        say(f"  HTTP check-ins flat out: {figures['checkin_per_s']:,.0f}/s (p50 "
            f"{figures['checkin_flat_out_p50_ms']:.1f} ms, p99 {figures['checkin_flat_out_p99_ms']:.1f} ms); "
            f"paced at {figures['checkin_paced_per_s']:,.0f}/s: p50 {figures['checkin_p50_ms']:.1f} ms, "
            f"p99 {figures['checkin_p99_ms']:.1f} ms")
        say(f"  the same pace during a storm of 100 logins: p99 {figures['checkin_storm_p99_ms']:.1f} ms "
            f"({figures['storm_logins_answered']:,} logins answered, {figures['storm_logins_turned_away']:,} "
            "turned away with 429)")
        for name in ("week_page", "roster_page", "phone_home", "kiosk_page", "board_page"):
            say(f"  {name}: {figures[name + '_per_s']:,.0f}/s flat out; at {PAGE_RATE}/s p50 "
                f"{figures[name + '_p50_ms']:.1f} ms, p99 {figures[name + '_p99_ms']:.1f} ms")
        say(f"  server peak RSS {figures['rss_mb']:.0f} MB")
        figures["floor_per_s"] = floor_per_s(root / "floor", requests=60_000 if scale_name != "quick" else 20_000)
        say(f"  baseline floor_per_s (a trivial msgspec endpoint, Granian, one worker, 64 clients): "
            f"{figures['floor_per_s']:,.0f}")
        figures["rebuild_events_per_s"] = rebuild_events_per_s(history)
        say(f"  rebuild: {figures['rebuild_events_per_s']:,.0f} events/s")
        pg = postgres_rates()
        if pg:  # the scale-out store, for comparison (no target)
            figures["pg_signup_per_s"], figures["pg_raw_commit_per_s"] = pg["one"], pg["raw"]
            figures["pg_signup_3_writers_per_s"] = pg["many"]
            figures["pg_signup_vs_raw"] = pg["one"] / pg["raw"]
            figures["pg_three_vs_one"] = pg["many"] / pg["one"]
            say(f"  PostgreSQL sign-ups: {pg['one']:,.0f}/s one writer, {pg['many']:,.0f}/s three "
                f"(raw INSERT+COMMIT {pg['raw']:,.0f}/s)")
        figures["checkin_vs_raw_commit"] = figures["checkin_per_s"] / figures["raw_commit_per_s"]
        for name in ("signup", "checkin", "week_page", "roster_page"):
            figures[f"{name}_vs_floor"] = figures[f"{name}_per_s"] / figures["floor_per_s"]
        figures["rebuild_vs_raw_scan"] = figures["rebuild_events_per_s"] / figures["raw_scan_rows_per_s"]
        figures["seconds"] = time.perf_counter() - began
        say("")
        say(table(figures))
        if args.keep:
            shutil.copytree(root, args.keep, dirs_exist_ok=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in figures.items()}))


def table(figures: dict[str, float], targets: dict[str, tuple[float, str]] = TARGETS) -> str:
    lines = ["| figure | value | target | met |", "| --- | ---: | --- | --- |"]
    for name, (target, kind) in targets.items():
        if name not in figures:
            lines.append(f"| `{name}` | not measured | {'>=' if kind == 'min' else '<='} {target:,} | NO |")
            continue
        value = figures[name]
        met = value >= target if kind == "min" else value <= target
        shown = f"{value:,.3f}" if value < 10 else f"{value:,.0f}"
        lines.append(f"| `{name}` | {shown} | {'>=' if kind == 'min' else '<='} {target:,} | {'yes' if met else 'NO'} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
