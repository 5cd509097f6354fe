"""Ten years of a city: `--scale city --years 10` (152 hospitals, 50,000 volunteers, ~17M events),
built once into a folder that later runs reuse, then the figures issue 25 asks of it, each beside
its baseline in the same run.

    python -m bench.decade [--years 10] [--scale city] [--skip-rebuild] [DIR]   # DIR: var/bench-decade

The build goes through the application, as `bench.history` does (hours: it says how long when
done, and keeps that in DIR/built.json).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

from bench.__main__ import PAGE_CONNECTIONS, PAGE_RATE, cookie_of, raw_scan_rows_per_s, table, tally_p50_ms
from bench.history import COORDINATOR, SCALES, YEAR, build
from bench.load import pages
from bench.server import Server
from web.progress import progress_bar

TARGETS = {"rebuild_vs_raw_scan": (0.1, "min"), "serve_ready_s": (10, "max"), "rss_mb": (300, "max"),
           "tally_p50_ms": (2, "max"), "week_page_p99_ms": (10, "max")}


def built(folder: Path, scale_name: str, years: int) -> dict:
    """What was built into `folder` (built now if it holds nothing yet)."""
    marker = folder / "built.json"
    if marker.exists():
        return json.loads(marker.read_text())
    scale = replace(SCALES[scale_name], load_pairs=0, lag_pairs=0, signup_pairs=0, idle_volunteers=0)
    days = 365 * years
    with progress_bar(f"{years} years at scale {scale_name} (~{scale.events * years:,} events)", days,
                      unit="days") as bar:
        history = build(folder, scale, progress=lambda done, total: bar.advance(1), years=years)
    facts = {"events": history.events, "person_times": history.person_times, "seconds": history.seconds,
             "years": years, "scale": scale_name}
    marker.write_text(json.dumps(facts))
    return facts


def rebuild_events_per_s(folder: Path, events: int) -> float:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PERSISTENCE_", "POSTGRES_", "SQLITE_"))}
    start = time.perf_counter()
    subprocess.run([str(Path(sys.executable).with_name("careledger")), "rebuild"], check=True,
                   env={**env, "CARELEDGER_DATA": str(folder)}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return events / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.decade", description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--scale", choices=["quick", "full", "city"], default="city")
    parser.add_argument("--skip-rebuild", action="store_true", help="leave out the rebuild (longer than the rest)")
    parser.add_argument("folder", type=Path, nargs="?", default=Path("var/bench-decade"))
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    facts = built(args.folder, args.scale, args.years)
    print(f"store: {facts['events']:,} events ({facts['person_times']:,} person-times), built in "
          f"{facts['seconds'] / 60:.0f} min", flush=True)
    figures: dict[str, float] = {"events": facts["events"]}
    figures["raw_scan_rows_per_s"] = raw_scan_rows_per_s(args.folder / "events.sqlite3")
    print(f"  baseline raw_scan_rows_per_s: {figures['raw_scan_rows_per_s']:,.0f}", flush=True)
    figures["tally_p50_ms"] = tally_p50_ms(SimpleNamespace(folder=args.folder))  # type: ignore[arg-type]
    print(f"  tally: {figures['tally_p50_ms']:.3f} ms", flush=True)
    (args.folder / "read_models.sqlite3.left-clean").unlink(missing_ok=True)  # as the build left it: no clean stop
    first = Server(args.folder)  # every page of the read models is read first
    figures["serve_first_ready_s"] = first.ready_after
    first.stop()  # a clean stop: the restart that follows does not read them through again
    server = Server(args.folder)
    try:
        figures["serve_ready_s"] = server.ready_after
        cookie = cookie_of(server.port, COORDINATOR)
        week = f"/shifts?week={YEAR}-06-02"  # a week of the last year, as full as any
        asyncio.run(pages("127.0.0.1", server.port, week, cookie, 50, 1))
        paced = asyncio.run(pages("127.0.0.1", server.port, week, cookie, 1000, PAGE_CONNECTIONS, PAGE_RATE))
        if paced.failures:
            raise RuntimeError(f"week page: {paced.failures[:2]}")
        figures["week_page_p50_ms"], figures["week_page_p99_ms"] = paced.percentile(0.5), paced.percentile(0.99)
        figures["rss_mb"] = server.peak_rss_mb()
    finally:
        server.stop()
    print(f"  server listening {figures['serve_first_ready_s']:.1f} s after the first start, "
          f"{figures['serve_ready_s']:.1f} s after a restart; week page at {PAGE_RATE}/s p50 "
          f"{figures['week_page_p50_ms']:.1f} ms, p99 {figures['week_page_p99_ms']:.1f} ms; peak RSS "
          f"{figures['rss_mb']:.0f} MB", flush=True)
    if not args.skip_rebuild:
        figures["rebuild_events_per_s"] = rebuild_events_per_s(args.folder, facts["events"])
        figures["rebuild_vs_raw_scan"] = figures["rebuild_events_per_s"] / figures["raw_scan_rows_per_s"]
        print(f"  rebuild: {figures['rebuild_events_per_s']:,.0f} events/s", flush=True)
    print("\n" + table(figures, TARGETS))
    print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in figures.items()}))


if __name__ == "__main__":
    main()
