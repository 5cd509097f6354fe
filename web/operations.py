"""What operators watch: Prometheus metrics at /metrics, and JSON logs (CARELEDGER_LOG_FORMAT=json).

Request latency per route template, method and status, commands by outcome, and the read
models' lag behind the log; served by Litestar's Prometheus controller (prometheus-client).
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import logging
import os
import time
from bisect import bisect_left
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler
from litestar.plugins.prometheus import PrometheusController
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client import REGISTRY, Counter
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily

from web.settings import json_logs

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class RequestTimes:
    """Request latency per method, route template and status, as a Prometheus histogram.

    Litestar's Prometheus middleware builds a label dict and updates three metrics under their
    locks per request (check-ins ran 15-20% slower with it in A/B runs on this noisy machine);
    this one adds one to a bucket of a list on the event loop's thread, and builds the histogram
    only when scraped."""

    BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)

    def __init__(self) -> None:
        self.series: dict[tuple[str, str, int], list[float]] = {}

    def middleware(self, app: ASGIApp) -> ASGIApp:
        series, buckets, clock = self.series, self.BUCKETS, time.perf_counter

        async def timed(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            started, status = clock(), [500]

            async def noting_status(message: Message) -> None:
                if message["type"] == "http.response.start":
                    status[0] = message["status"]
                await send(message)

            try:
                await app(scope, receive, noting_status)
            finally:
                method = scope["method"] if scope["method"] in METHODS else "OTHER"  # a label per made-up verb is a leak
                key = (method, scope.get("path_template") or "unmatched", status[0])
                counts = series.get(key)
                if counts is None:
                    counts = series[key] = [0.0] * (len(buckets) + 2)  # buckets, +Inf, sum
                elapsed = clock() - started
                counts[bisect_left(buckets, elapsed)] += 1
                counts[-1] += elapsed

        return timed

    def collect(self):  # noqa: ANN201 - prometheus_client's collector protocol
        family = HistogramMetricFamily("careledger_request_duration_seconds", "HTTP request latency",
                                       labels=["method", "path", "status_code"])
        for (method, path, status), counts in list(self.series.items()):
            cumulative, running = [], 0.0
            for bound, count in zip((*map(str, self.BUCKETS), "+Inf"), counts[:-1]):
                running += count
                cumulative.append((bound, running))
            family.add_metric([method, path, str(status)], cumulative, sum_value=counts[-1])
        yield family


REQUEST_TIMES = RequestTimes()
REGISTRY.register(REQUEST_TIMES)

COMMANDS = Counter("careledger_commands", "Commands sent over HTTP, by command and outcome "
                   "(recorded, or the reason a rule refused it)", ["command", "outcome"])
log = logging.getLogger("careledger")


def count_command(request: Request, outcome: str) -> None:
    handler = request.scope.get("route_handler")
    COMMANDS.labels(getattr(handler, "handler_name", "unknown"), outcome).inc()


class _ReadModelLag:
    """At each scrape: the log's head and how far each read model is behind it (in events)."""

    def __init__(self) -> None:
        self.state: Any = None  # the serving app's state (one app per process when served)

    def collect(self):  # noqa: ANN201 - prometheus_client's collector protocol
        if self.state is None:
            return
        watch = getattr(self.state, "log_watch", None)
        try:  # on the event loop: never asked of a database known to be silent
            head = None if watch is not None and watch.away else self.state.ledger.position
        except Exception:  # noqa: BLE001 - the log's database away: said by the gauge below, not a 500
            head = None
        positions = self.state.projector.positions()
        yield GaugeMetricFamily("careledger_log_reachable", "1 while the event log answers", value=head is not None)
        if head is not None:
            yield GaugeMetricFamily("careledger_log_position", "Position of the newest event in the log", value=head)
            lag = GaugeMetricFamily("careledger_projection_lag_events", "Events the read model has still to apply",
                                    labels=["read_model"])
            for name, at in sorted(positions.items()):
                lag.add_metric([name], head - at)
            yield lag
        stopped = GaugeMetricFamily("careledger_read_model_quarantined", "1 while the read model is stopped at an "
                                    "event it cannot apply (see /healthz)", labels=["read_model"])
        for name in sorted(positions):
            stopped.add_metric([name], 1 if name in self.state.projector.quarantined else 0)
        yield stopped
        yield GaugeMetricFamily("careledger_read_models_following", "0 while the read models cannot follow the log "
                                "(its database away, the disk full: see /healthz)",
                                value=0 if self.state.projector.trouble else 1)


def health(state: Any) -> dict[str, Any]:
    """What /healthz answers: `ok` only when the log answers and every read model follows it
    (none quarantined, none behind for longer than CARELEDGER_STALE_SECONDS); else `degraded`
    with each problem in words a person reads, and what to do."""
    problems: list[dict[str, Any]] = []
    projector = state.projector
    watch = getattr(state, "log_watch", None)
    try:
        if watch is not None:
            watch.ensure()  # not waiting on a database that does not answer
        position = state.ledger.position
    except Exception as unreachable:  # noqa: BLE001 - whatever the log's driver raises, say so
        position = None
        said = str(unreachable) if watch is not None and watch.away else \
            f"the event log cannot be read: {type(unreachable).__name__}"
        problems.append({"part": "log", "problem": said,
                         "do": "check the log's database (CARELEDGER_DATA or the PostgreSQL server)"})
    projections = projector.positions()
    if projector.trouble is not None:
        problems.append({"part": "read models", "problem": f"they cannot follow the log just now ({projector.trouble}); "
                         "they try again by themselves", "do": "look at the disk's free space and the log's database"})
    for found in projector.quarantined.values():
        problems.append({"part": f"read model {found.read_model}", "problem": f"stopped at position {found.position}: "
                         f"it cannot apply {found.event} ({found.error})", "do": "run `careledger doctor`",
                         **found.as_dict()})
    if position is not None:
        for name, at in sorted(projections.items()):
            if name in projector.quarantined or at >= position:
                continue
            behind = projector.behind_for(name, at)
            if behind > state.settings.stale_seconds:
                problems.append({"part": f"read model {name}", "problem": f"{position - at} events behind the log "
                                 f"for {behind:.0f} s", "do": "look at the server's log for the projector"})
    warnings = []
    if getattr(state.ledger.mapper, "cipher", None) is None:
        warnings.append({"part": "log", "problem": "notes are not encrypted at rest: this store was made in the clear",
                         "do": "stop the server (every node) and run `careledger encrypt` (on PostgreSQL with "
                         "CARELEDGER_CIPHER_KEY set, then set on every node)"})
    return {"status": "degraded" if problems else "ok", "position": position, "projections": projections,
            "lag": {name: position - at for name, at in projections.items()} if position is not None else {},
            "problems": problems, "warnings": warnings, "notes_encrypted": not warnings}


LAG = _ReadModelLag()
REGISTRY.register(LAG)


async def scraper_only(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """With CARELEDGER_METRICS_TOKEN set, the scraper sends it as a bearer token; without it, only
    this machine may read /metrics."""
    token = os.environ.get("CARELEDGER_METRICS_TOKEN")
    if token:
        given = connection.headers.get("authorization", "").removeprefix("Bearer ").strip()
        if hmac.compare_digest(given, token):
            return
        raise NotAuthorizedException("Metrics need the scraper's token")
    host = connection.client.host if connection.client else ""
    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        if host == "testclient":  # Litestar's test client
            return
    raise NotAuthorizedException("Metrics are served to this machine only (or set CARELEDGER_METRICS_TOKEN)")


class MetricsController(PrometheusController):
    path = "/metrics"
    include_in_schema = False
    guards = [scraper_only]


class JSONFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, and any `extra=` fields given."""

    _plain = set(vars(logging.makeLogRecord({})))

    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
                 + f".{int(record.msecs):03d}Z", "level": record.levelname.lower(), "logger": record.name,
                 "message": record.getMessage()}
        entry |= {k: v for k, v in vars(record).items() if k not in self._plain and k not in entry}
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging() -> None:
    """JSON lines on stderr when CARELEDGER_LOG_FORMAT=json; plain text otherwise."""
    handler = logging.StreamHandler()
    if json_logs():
        handler.setFormatter(JSONFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(os.environ.get("CARELEDGER_LOG_LEVEL", "INFO").upper())


def json_logging() -> Any:
    """Litestar's logging, every line a JSON object (its own records, ours, and exceptions)."""
    from litestar.logging.config import LoggingConfig

    # Refusals are not logged as exceptions (their words may name someone); failures are, by
    # web/errors.py's handler of last resort.
    return LoggingConfig(formatters={"standard": {"()": JSONFormatter}},
                         loggers={"careledger": {"level": "INFO", "propagate": True}})
