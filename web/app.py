"""The Litestar application: create_app() wires settings, the ledger, the read models and the API."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from uuid import UUID
from zoneinfo import ZoneInfo

from typing import Any

from litestar import Litestar
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.datastructures import State
from litestar.openapi import OpenAPIConfig
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from domain.application import CareLedger
from domain.storage.wal import fold_wal
from domain.volunteers import Volunteer
from projections import roster
from projections.checkup import open_checked, stopped_cleanly
from projections.projector import READ_MODELS, Projector
from projections.store import connect
from web.api.auth import AuthController
from web.api.calendar import CalendarController
from web.api.cases import CasesController
from web.api.certificates import CertificatesController
from web.api.exports import ExportsController
from web.api.evaluations import EvaluationsController
from web.api.feedback import FeedbackController as FeedbackApi
from web.api.interpreting import InterpretingController
from web.api.requests import OnCallController, ServiceRequestsController
from web.api.reports import ReportsController
from web.api.sessions import SessionsController
from web.api.applications import ApplicationsController as ApplicationsApi
from web.api.post_codes import PostCodesController as PostCodesApi
from web.api.shifts import ShiftsController
from web.api.trainings import TrainingsController
from web.api.units import UnitsController
from web.api.volunteers import VolunteersController
from web.auth import make_jwt_auth
from web.commands import Commands
from web.garbage import between_requests
from web.edges import at_the_door
from web.errors import HANDLERS
from web.exports import MEDIA_TYPES as EXPORT_TYPES
from web.idempotency import IdempotencyMiddleware
from web.jobs.escalation import escalate
from web.jobs.national import queue_records, within
from web.jobs.mailroom import deliver, queue_reminders
from web.log_watch import LogWatch, answered_in_time
from web.limits import PerAddress
from web.login import HashingPool, trusted_networks
from web.nodes import hear_writes, kept_between_requests
from web.answers import check_answer
from web.openapi import ReferencePage, document_as_enforced, document_files, document_problems
from web.operations import LAG, REQUEST_TIMES, MetricsController, json_logging
from web.security import add_security_headers, check_csrf
from web.settings import Settings, json_logs
from web.store_lock import hold_shared
from web.templating import tune_templates
from web.jobs.sweeper import every, sweep
from web.ui.admin import AdminController, AuditPageController
from web.ui.cases import CasesPagesController
from web.ui.certificates import CertificatesPagesController
from web.ui.coordinator import CoordinatorController
from web.ui.dashboard import DashboardController
from web.ui.desk import DeskController
from web.ui.post_codes import PostCodesController
from web.ui.applications import ApplicationsController
from web.ui.session import SessionController
from web.ui.feedback import FeedbackController
from web.ui.requests import RequestsController
from web.ui.social import SocialWorkController
from web.ui.volunteer import VolunteerController

HERE = Path(__file__).parent
UI = [SessionController, CoordinatorController, VolunteerController, DeskController, PostCodesController, ApplicationsController, SocialWorkController, RequestsController, FeedbackController,
      DashboardController, CasesPagesController, CertificatesPagesController, AdminController, AuditPageController]


MAX_BODY_BYTES = 1024 * 1024  # the longest note is 20,000 characters (~60 kB); anything bigger is refused (413)
SERVER_GC_THRESHOLDS = (10_000, 50, 100)  # young, middle, full collections (bench/: p99 -25%)
WARM_BEFORE, WARM_AHEAD = timedelta(hours=4), timedelta(hours=12)  # shifts loaded at start-up


def create_app(settings: Settings | None = None, ledger: CareLedger | None = None) -> Litestar:
    """The app on the data under CARELEDGER_DATA; projections follow the log in this process."""
    settings = settings or Settings()
    ledger = ledger or CareLedger(env=settings.event_store_env(), policy=settings.policy,
                                  case_policy=settings.case_policy)
    ledger.open_catalogue()
    # `careledger serve` read every page of the file a moment ago, before handing over to this worker.
    checked = os.environ.pop("CARELEDGER_READ_MODELS_CHECKED", "") == str(settings.read_models_path)
    store = open_checked(settings.read_models_path, ledger.recorder, READ_MODELS, thorough=not checked)
    projector = Projector(ledger, store)
    ledger.on_saved.append(projector.wake)
    kept = kept_between_requests(settings)
    watch = None
    if settings.shared_log:  # nothing waits on PostgreSQL while it does not answer (web/log_watch.py)
        watch = LogWatch(settings.postgres_params(), settings.log_watch_seconds, settings.log_patience_seconds)
        datastore = ledger.recorder.datastore
        datastore.get_connection = watch.gate(datastore.get_connection)
        pool = getattr(kept.answers, "pool", None)
        if pool is not None:
            pool.connection = watch.gate(pool.connection)
    # Answers kept for retries name whom they registered: a forgotten volunteer's go, on every node.
    projector.watch(Volunteer.Forgotten, lambda gone: kept.answers.forget_mentioning(str(gone.originator_id)))
    if settings.shared_log:
        # A volunteer forgotten through another node: what this node holds of them unsealed in
        # memory (their certificates' names and ID numbers) goes too, as on the node that forgot.
        projector.watch(Volunteer.Forgotten, lambda _: ledger.drop_cache())
    jwt = make_jwt_auth(settings.secret("token_secret"), settings.token_minutes)
    stop = threading.Event()
    follower = threading.Thread(target=projector.follow, args=(stop, settings.poll_seconds), name="projector",
                                daemon=True)
    readers = threading.local()

    def reader(stale: bool = False):
        """This thread's connection to the read models. Queries on a quarantined model's tables
        are refused (503, web/errors.py) unless `stale`: a screen that says they stopped (the
        dashboard's banner) may show what they held."""
        if stale:
            db = getattr(readers, "stale", None)
            if db is None:
                db = readers.stale = store.reader()
            return db
        db = getattr(readers, "db", None)
        if db is None:
            db, readers.guarded = store.reader(), -1
            readers.db = db
        if readers.guarded != projector.quarantines:
            projector.guard(db.conn)
            readers.guarded = projector.quarantines
        return db

    def read(position: int | None) -> Any:
        """The read models, once they hold `position` (a command that reads them must see its own past)."""
        if position and not projector.wait(position, timeout=settings.read_wait_seconds):
            raise HTTPException(status_code=503, detail=f"The read models have not reached position {position} yet; "
                                "try again shortly.", headers={"Retry-After": "1"})
        return reader()

    commands = Commands(ledger, read, settings, settings.secret("pseudonym_secret"))

    def scrub_copies(volunteer: UUID, receipt: Any) -> None:
        """Before a forgetting answers: the read models have erased the person and emptied their
        write-ahead log (the projector's watcher, heard once wait() returns), and no kept answer names them."""
        kept.answers.forget_mentioning(str(volunteer))
        if receipt.position and not projector.wait(receipt.position, timeout=max(30.0, settings.read_wait_seconds)):
            raise HTTPException(status_code=503, detail="Forgotten, but the read models have not erased every copy "
                                "yet; send it again shortly (forgetting twice is harmless).", headers={"Retry-After": "5"})
        folding = connect(store.path)  # whatever the watcher managed: their write-ahead log emptied, here
        try:
            fold_wal(folding)
        finally:
            folding.close()
    commands.after_forgetting.append(scrub_copies)
    postman, zone, national = commands.postman, ZoneInfo(settings.timezone), settings.national()

    def post(_: int) -> None:
        """Reminders are always queued (the outbox shows them); sent once a channel is set."""
        if postman.open or national is not None:
            deliver(ledger, reader(), postman, zone, national=national)

    held: list[Any] = []

    def start() -> None:
        if not settings.shared_log:  # `careledger encrypt` and `restore` wait until this server stops
            held.append(hold_shared(settings.data_dir))
        if watch is not None:
            watch.follow(stop)
        projector.catch_up()
        # The morning rush checks in to today's shifts: have them and their volunteers in memory
        # before the first kiosk asks (a cold load was a sixth of a check-in's time in bench/).
        now = ledger.clock.now()
        shifts, volunteers = roster.on_the_day(reader(), now - WARM_BEFORE, now + WARM_AHEAD)
        warmed = ledger.warm(UUID(i) for i in (*shifts, *volunteers))
        logging.getLogger("careledger").info("aggregates loaded for the day ahead", extra={"aggregates": warmed})
        follower.start()
        if watch is not None:
            # Requests run in the loop's default threads (6 on two cores): a silent database holds
            # those it caught until it answers, and the rest must still find one.
            asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(settings.threads, "request"))
        if settings.shared_log:
            hear_writes(settings, ledger.recorder.channel_name, projector.wake, stop)
        every(settings.sweep_seconds, lambda: kept.take_turn("sweep", settings.sweep_seconds) and
              sweep(commands, reader()), stop, "check-out sweeper")
        if national is not None:
            every(settings.national_seconds, lambda: kept.take_turn("national", settings.national_seconds) and
                  queue_records(ledger, reader(), within(settings.national_days, ledger.clock.now().date())), stop,
                  "national record")
        every(settings.sweep_seconds, lambda: kept.take_turn("escalation", settings.sweep_seconds) and
              escalate(commands, reader(), settings.request_escalate_minutes), stop, "request escalation")
        every(settings.notice_seconds, lambda: kept.take_turn("mailroom", settings.notice_seconds) and
              post(queue_reminders(ledger, reader(), settings.star_hours)), stop, "mailroom")
        # What start-up made lives as long as the server: keep it out of every later collection
        # (a full collection over it paused all requests for tens of milliseconds).
        gc.collect()
        gc.freeze()
        # A request's objects die young; with the default 700 the 64 requests in flight were
        # promoted and full collections over the aggregate cache paused everyone 50-90 ms.
        gc.set_threshold(*SERVER_GC_THRESHOLDS)

    def finish() -> None:
        stop.set()
        projector.wake()
        follower.join(timeout=5)
        kept.close()
        if not follower.is_alive():  # left whole: the write-ahead log folded into the file
            try:
                store.scrub()
            except sqlite3.OperationalError as full:  # a disk too full to fold it: SQLite folds it at the next start
                logging.getLogger("careledger").warning("the read models' write-ahead log was left unfolded at "
                                                        "shutdown: %s", full)
            store.close()
            stopped_cleanly(settings.read_models_path)
        for lock in held:
            lock.close()

    app = Litestar(
        route_handlers=[AuthController, UnitsController, VolunteersController, TrainingsController, ShiftsController,
                        PostCodesApi, ApplicationsApi,
                        SessionsController, InterpretingController, ServiceRequestsController, OnCallController, EvaluationsController, FeedbackApi, CasesController, ReportsController, ExportsController,
                        CalendarController, CertificatesController, MetricsController, *UI,
                        create_static_files_router(path="/static", directories=[HERE / "static"],
                                                   include_in_schema=False)],
        template_config=TemplateConfig(directory=HERE / "templates", engine=JinjaTemplateEngine,
                                       engine_callback=lambda engine: tune_templates(engine, ZoneInfo(settings.timezone))),
        on_app_init=[jwt.on_app_init],
        on_startup=[start, lambda app: (setattr(LAG, "state", app.state), document_problems(app.openapi_schema),
                                        document_as_enforced(app),
                                        document_files(app.openapi_schema, "/api/v1/exports/", EXPORT_TYPES),
                                        document_files(app.openapi_schema, "/api/v1/calendar/feeds/",
                                                       ("text/calendar",)))],
        before_request=check_csrf,
        before_send=[add_security_headers, *([check_answer] if settings.check_answers else [])],
        **({"logging_config": json_logging()} if json_logs() else {}),
        request_max_body_size=MAX_BODY_BYTES,
        on_shutdown=[finish],
        exception_handlers=HANDLERS,
        middleware=[IdempotencyMiddleware(kept.answers)],
        dependencies={"commands": Provide(lambda: commands, use_cache=True, sync_to_thread=False),
                      "ledger": Provide(lambda: ledger, use_cache=True, sync_to_thread=False)},
        state=State({"settings": settings, "ledger": ledger, "commands": commands, "store": store, "projector": projector,
                     "reader": reader, "jwt": jwt, "principals": {}, "postman": postman,
                     "imports": kept.imports,  # uploads being imported, by job id
                     # form tokens and calendar URLs: HMACs under the token secret, shared by every node
                     "signing_secret": settings.secret("token_secret"),
                     # read once: the HMAC key of every pseudonym (kept in a file unless given)
                     "pseudonym_secret": settings.secret("pseudonym_secret"),
                     "throttle": kept.throttle, "address_throttle": kept.address_throttle,
                     "hashing": HashingPool(settings.password_checks, settings.password_checks),
                     "trusted_proxies": trusted_networks(settings.trusted_proxies), "log_watch": watch,
                     "verifications": PerAddress(20, 60.0), "joins": PerAddress(10, 60.0),
                     "applications": PerAddress(30, 600.0),
                     # a family leaves a few; more from one address in ten minutes is stuffing the box
                     "feedback_givers": PerAddress(10, 600.0)}),
        openapi_config=OpenAPIConfig(title="CareLedger", version="0.1.0", path="/schema",
                                     render_plugins=[ReferencePage()]),
    )
    # Timed outside routing and authentication: a 401 or a 404 is an answer to count too.
    # Garbage collected after the answer is timed: the collection is nobody's latency.
    app.asgi_handler = between_requests(REQUEST_TIMES.middleware(at_the_door(app.asgi_handler, app)))
    if watch is not None:  # outside everything, authentication included: nothing waits on a silent database
        app.asgi_handler = answered_in_time(app.asgi_handler, watch)
    return app
