"""The `careledger` command: one entry point, a subcommand per job, `--help` on each."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from eventsourcing.persistence import OperationalError, PersistenceError
from psycopg_pool import PoolTimeout

from domain.permissions import ROLES, system
from domain.application import CareLedger
from domain.errors import DomainError
from web.settings import ConfigurationError, Settings, json_logs


def psycopg_errors() -> type[Exception]:
    try:
        import psycopg

        return psycopg.Error
    except ImportError:  # pragma: no cover - psycopg comes with eventsourcing[postgres]
        return OSError


def store_address() -> str:
    if os.environ.get("PERSISTENCE_MODULE") == "eventsourcing.postgres":
        return (f"PostgreSQL {os.environ.get('POSTGRES_USER', '')}@{os.environ.get('POSTGRES_HOST', '')}:"
                f"{os.environ.get('POSTGRES_PORT', '5432')}/{os.environ.get('POSTGRES_DBNAME', '')}")
    return f"SQLite {Settings().events_path}"


def _ledger(settings: Settings) -> CareLedger:
    return CareLedger(env=settings.event_store_env(), policy=settings.policy,
                      case_policy=settings.case_policy)


def _read_models(settings: Settings, ledger: CareLedger, thorough: bool = False) -> Any:
    """This node's read-model store, checked first: a damaged file, or one from another log or
    ahead of it, is set aside and begun again (the caller catches it up, with progress). Every
    page is read (`thorough`) by serve and rebuild; short jobs look at what is cheap to look at."""
    from projections.checkup import open_checked
    from projections.projector import READ_MODELS

    return open_checked(settings.read_models_path, ledger.recorder, READ_MODELS, thorough)


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from web.jobs.demo import STEPS, build_demo
    from web.progress import progress_bar

    with _ledger(settings) as ledger:
        if ledger.position > 0:
            print(f"The event store already holds {ledger.position} events; demo data not added again.")
            return 0
    today = args.today or datetime.now(ZoneInfo(settings.timezone)).date()
    with progress_bar("demo data", STEPS, unit="steps") as reporter:
        summary = build_demo(settings.event_store_env(), today, settings.timezone, reporter,
                             pseudonym_secret=settings.secret("pseudonym_secret"))
    print(f"Demo: {summary.units} units, {summary.volunteers} volunteers, {summary.shifts} shifts, "
          f"{summary.check_ins} check-ins, {summary.person_times} person-times, {summary.sessions} sessions.")
    print("Demo logins (username / password / role):")
    for login in summary.logins:
        print(f"  {login.username:<12} {login.password:<18} {login.role:<14} {login.note}")
    return 0


def cmd_create_user(args: argparse.Namespace, settings: Settings) -> int:
    from web.passwords import MIN_PASSWORD_LENGTH, hash_password

    if len(args.password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"--password: at least {MIN_PASSWORD_LENGTH} characters (a passphrase is best)")
    with _ledger(settings) as ledger:
        receipt = _commands(ledger, settings).open_account(
            system("cli"), args.username, hash_password(args.password), args.role, [UUID(u) for u in args.unit],
            UUID(args.volunteer) if args.volunteer else None)
    print(f"Account {args.username} ({args.role}) created: {receipt.id}")
    return 0


def cmd_rebuild(args: argparse.Namespace, settings: Settings) -> int:
    from projections.projector import models_named
    from projections.rebuild import rebuild
    from web.progress import progress_bar

    names = [m.name for m in models_named(args.names)]
    with _ledger(settings) as ledger, progress_bar(f"rebuild {', '.join(names)}", ledger.position) as reporter:
        _read_models(settings, ledger, thorough=True).close()  # a damaged file is set aside, not fought with
        positions = rebuild(ledger, settings.read_models_path, names, reporter)
        head = ledger.position
    stopped = {name: at for name, at in positions.items() if at < head}
    built = [name for name in names if name not in stopped]
    print(f"Rebuilt {', '.join(built) or 'nothing'} to position {head}.")
    for name, at in stopped.items():  # quarantined: the log above says which event and why
        print(f"{name} stopped at position {at}: it cannot apply the event after it (see the log above); "
              f"run `careledger doctor`.", file=sys.stderr)
    return 1 if stopped else 0


def cmd_doctor(args: argparse.Namespace, settings: Settings) -> int:
    """What is wrong with this node's data and what to do: the log, the read-model file, each read model."""
    from projections.projector import READ_MODELS, Projector
    from projections.store import ReadModelStore

    problems: list[tuple[str, str]] = []
    with _ledger(settings) as ledger:
        head = ledger.position
        print(f"log: reachable, {head} events")
        from projections.checkup import examine

        damaged = examine(settings.read_models_path, ledger.recorder)
        if damaged is not None:
            print(f"read-model file {settings.read_models_path}: {damaged}. The next `careledger serve` (or "
                  "`careledger rebuild`) moves it aside and makes it again from the log, with progress.")
            return 1
        store = ReadModelStore(settings.read_models_path, READ_MODELS)
        projector = Projector(ledger, store)
        projector.catch_up()  # as the server would: what can be applied is, what cannot is quarantined
        for name, at in sorted(store.positions().items()):
            found = projector.quarantined.get(name)
            if found is not None:
                problems.append((f"read model {name}", f"stopped at position {found.position}: it cannot apply "
                                 f"{found.event} ({found.error}). Its screens and reports show what it held "
                                 f"before. Upgrade CareLedger to a release that reads this event, then run "
                                 f"`careledger rebuild {name}`; the other read models are up to date."))
            elif at > head:
                problems.append((f"read model {name}", f"at position {at}, past the log's {head}: the file is from "
                                 f"another log. Run `careledger rebuild`."))
            else:
                print(f"read model {name}: up to date (position {at})")
        store.close()
    for part, problem in problems:
        print(f"{part}: {problem}")
    print("All is well." if not problems else f"{len(problems)} problem(s).")
    return 1 if problems else 0


def cmd_project(args: argparse.Namespace, settings: Settings) -> int:
    import signal
    import threading

    from projections.projector import Projector
    from web.progress import progress_bar

    with _ledger(settings) as ledger:
        store = _read_models(settings, ledger)
        projector = Projector(ledger, store, batch_size=args.batch_size)
        behind = ledger.position - min(store.positions().values(), default=0)
        with progress_bar("catching up", max(behind, 0)) as reporter:
            projector.catch_up(reporter)
        print(f"Read models at position {min(store.positions().values())}.", flush=True)
        if args.follow:
            stop = threading.Event()
            for sig in (signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, lambda *_: stop.set())
            print("Following the log (Ctrl-C to stop)...", flush=True)
            if settings.shared_log:  # other nodes' writes are heard at once, not at the next look
                from web.nodes import hear_writes

                hear_writes(settings, ledger.recorder.channel_name, projector.wake, stop)
            projector.follow(stop, poll_seconds=args.poll)
        store.close()
    return 0


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    """Print the roster and the tallies (what the demo produced) from the read models."""
    from projections import roster, tallies
    from projections.directory import units
    from projections.projector import Projector

    today = datetime.now(ZoneInfo(settings.timezone)).date()
    first, last = (args.first or today.replace(day=1)).isoformat(), (args.last or today).isoformat()
    with _ledger(settings) as ledger:
        store = _read_models(settings, ledger)
        Projector(ledger, store).catch_up()
        names = {u["id"]: u["name"] for u in units(store.db)}
        report = tallies.report(store.db, first, last, by="service_type")
        print(f"Person-times (人次) {first} .. {last}: {report['total_person_times']:,}"
              f"   city total: {tallies.city_total(store.db):,}")
        for row in report["rows"]:
            print(f"  {row['key']:<24}{row['person_times']:>10,}")
        print("Fill rate by unit:")
        for row in roster.fill_rates(store.db, None, first, last):
            print(f"  {names.get(row['key'], row['key']):<24}{row['filled']:>4}/{row['capacity']:<4} "
                  f"{row['fill_rate']:>7.0%}  ({row['shifts']} shifts)")
        store.close()
    return 0


def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    from web.jobs.backup import backup, pages_to_copy
    from web.progress import progress_bar

    with progress_bar("backup", pages_to_copy(settings) if not settings.shared_log else None, unit="pages") as bar:
        written = backup(settings, args.path, bar)
    print(f"Backed up {', '.join(p.name for p in written)} to {args.path}. The cipher key "
          f"(CARELEDGER_CIPHER_KEY, or {settings.cipher_key_path}) is not in it: keep a copy apart from it.")
    return 0


def cmd_restore(args: argparse.Namespace, settings: Settings) -> int:
    from web.jobs.backup import key_missing, restore

    aside = restore(settings, args.path)
    print(f"Restored {args.path} into {settings.data_dir}" + (f"; what was there is in {aside}" if aside else "")
          + ". Start the server: read models catch up with the restored log.")
    if key_missing(settings):
        print(f"The restored log is encrypted: put its cipher key into {settings.cipher_key_path} (mode 0600) or "
              "set CARELEDGER_CIPHER_KEY before starting the server.")
    return 0


def cmd_forget_volunteer(args: argparse.Namespace, settings: Settings) -> int:
    from projections.projector import Projector

    with _ledger(settings) as ledger:
        commands = _commands(ledger, settings)

        def scrub_copies(volunteer: UUID, _: Any) -> None:
            """This node's copies go before this answers, as the server's would (a running server
            hears of the forgetting through the log and drops its own)."""
            from web.nodes import kept_between_requests

            kept = kept_between_requests(settings)
            try:
                kept.answers.forget_mentioning(str(volunteer))
            finally:
                kept.close()
            store = _read_models(settings, ledger)
            Projector(ledger, store).catch_up()  # the read models erase the person and empty their log
            store.close()
        commands.after_forgetting.append(scrub_copies)
        commands.forget_volunteer(system("cli"), args.volunteer_id)
    print(f"Volunteer {args.volunteer_id} forgotten: name and phone are unreadable from now on; hours and "
          "tallies are kept. Backups taken before now still hold the key: let them expire.")
    return 0


def _commands(ledger: CareLedger, settings: Settings, db: Any = None) -> Any:
    """The same checked command path the server's faces use, over this process's ledger."""
    from web.commands import Commands

    return Commands(ledger, lambda _: db, settings, lambda: settings.secret("pseudonym_secret"))


@contextmanager
def _up_to_date(settings: Settings) -> Iterator[tuple[CareLedger, Any]]:
    """The ledger and read models brought up to the log (a command decides on what the log holds
    now), and brought up again after the command's writes."""
    from projections.projector import Projector

    with _ledger(settings) as ledger:
        store = _read_models(settings, ledger)
        try:
            Projector(ledger, store).catch_up()
            yield ledger, store.reader()
            Projector(ledger, store).catch_up()
        finally:
            store.close()


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    from web.jobs.importing import import_volunteers, read_table
    from web.progress import progress_bar

    table = read_table(args.file.read_bytes(), args.file.name)
    with _up_to_date(settings) as (ledger, db):
        with progress_bar(f"import {args.file.name}", max(0, len(table) - 1), unit="rows") as bar:
            report = import_volunteers(_commands(ledger, settings, db), system("cli"), db, table, args.unit,
                                       bar.advance)
    print(f"{report.created} volunteers registered, {len(report.duplicates)} already known (rows "
          f"{', '.join(map(str, report.duplicates[:20]))}{'…' if len(report.duplicates) > 20 else ''}), "
          f"{len(report.errors)} rows refused.")
    for error in report.errors:
        print(f"  row {error['row']}: {error['field']}: {error['problem']}")
    return 1 if report.errors else 0


def cmd_sweep(args: argparse.Namespace, settings: Settings) -> int:
    from web.jobs.escalation import escalate
    from web.jobs.sweeper import sweep

    with _up_to_date(settings) as (ledger, db):
        commands = _commands(ledger, settings, db)
        done = sweep(commands, db)
        escalated = escalate(commands, db, settings.request_escalate_minutes)
    print(f"{done} forgotten check-outs recorded, for coordinators to review; "
          f"{escalated} unanswered requests escalated to them.")
    return 0


def cmd_notices(args: argparse.Namespace, settings: Settings) -> int:
    from zoneinfo import ZoneInfo

    from projections.projector import Projector
    from web.jobs.mailroom import deliver, queue_reminders

    from web.jobs.national import queue_records, within

    postman, national = settings.postman(), settings.national()
    with _ledger(settings) as ledger:
        store = _read_models(settings, ledger)
        projector = Projector(ledger, store)
        try:
            projector.catch_up()
            print(f"{queue_reminders(ledger, store.reader(), settings.star_hours)} reminders queued.")
            if national is not None:
                since = within(settings.national_days, ledger.clock.now().date())
                print(f"{queue_records(ledger, store.reader(), since)} service records queued for the national system.")
            if not postman.open and national is None:
                print("No channel set (CARELEDGER_SMTP_HOST, CARELEDGER_SMS_HOOK): nothing sent.")
                return 0
            projector.catch_up()  # the mailroom reads what is due from the read model
            counts = deliver(ledger, store.reader(), postman, ZoneInfo(settings.timezone), national=national)
            projector.catch_up()
        finally:
            store.close()
    print(f"{counts['sent']} notices sent, {counts['failed']} failed (retried later or shown as undeliverable).")
    return 0


def cmd_encrypt(args: argparse.Namespace, settings: Settings) -> int:
    """Encrypt a store made in the clear (the server stopped)."""
    from web.jobs.encrypting import encrypt, rows_to_seal, rows_to_seal_postgres
    from web.progress import progress_bar

    if settings.shared_log:
        total = rows_to_seal_postgres(settings)
    else:
        total = rows_to_seal(settings) if settings.events_path.exists() else None
    with progress_bar("encrypting the log", total, unit="events") as bar:
        sealed = encrypt(settings, bar)
    if not sealed:
        print("The log is encrypted already: nothing to do.")
        return 0
    where = "CARELEDGER_CIPHER_KEY" if settings.cipher_key else str(settings.cipher_key_path)
    print(f"{sealed} events and snapshots encrypted with the key in {where}. Keep a copy of the key apart from "
          "the data and its backups; backups made before hold the notes in the clear: destroy them.")
    return 0


def cmd_new_key(args: argparse.Namespace, settings: Settings) -> int:
    """A fresh 256-bit AES key for CARELEDGER_CIPHER_KEY (keep it apart from the data and its backups)."""
    from eventsourcing.cipher import AESCipher

    print(AESCipher.create_key(num_bytes=32))
    return 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from web.operations import configure_logging, log

    configure_logging()
    from projections.projector import Projector
    from web.progress import progress_bar

    settings.secret("token_secret"), settings.secret("pseudonym_secret")  # refuse early, not on the first login
    # A new or returning node first brings its local read models up to the log, with progress.
    with _ledger(settings) as ledger:
        if ledger.mapper.cipher is None:
            log.warning("notes are NOT encrypted at rest: this store was made in the clear. Stop the server and "
                        "run `careledger encrypt` (on PostgreSQL with CARELEDGER_CIPHER_KEY set, then set on every node).")
        store = _read_models(settings, ledger, thorough=True)
        behind = ledger.position - min(store.positions().values(), default=0)
        if behind > 0:
            with progress_bar("read models catching up", behind) as reporter:
                Projector(ledger, store).catch_up(reporter)
        store.close()
        position = ledger.position
    address = f"http://{args.host}:{args.port}"
    if os.environ.get("CARELEDGER_LOG_FORMAT", "").lower() == "json":
        log.info("serving", extra={"address": address, "server": args.server, "position": position})
    else:
        print(f"CareLedger at {address}  (API docs: {address}/schema)", flush=True)
    if args.server == "uvicorn":
        import uvicorn

        from web.app import create_app

        uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="warning",
                    access_log=False)  # one log line per check-in costs more than the check-in
        return 0
    # Granian parses HTTP in Rust: about 15% more check-ins a second than uvicorn here (bench/).
    # This process becomes Granian's supervisor: a fresh interpreter that never imports
    # CareLedger (40 MB less than keeping this one), whose worker serves the app. GRANIAN_*
    # variables tune it further (see `granian --help`). The app is named by its file: Granian puts
    # the folder of a target's package first on the import path (for a dotted name, the working
    # directory's), so the worker serves the CareLedger this command is part of.
    sys.stdout.flush()
    sys.stderr.flush()
    os.environ["CARELEDGER_READ_MODELS_CHECKED"] = str(settings.read_models_path)  # every page, just now
    os.execv(sys.executable, [sys.executable, "-P", "-m", "granian", "--interface", "asgi", "--factory",
                              "--host", args.host, "--port", str(args.port), "--workers", "1", "--no-ws",
                              "--log-level", "warning", f"{Path(__file__).resolve().with_name('app.py')}:create_app"])


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="careledger", description="CareLedger: hospital volunteers and "
                                     "medical social work, event-sourced. Data lives under $CARELEDGER_DATA "
                                     "(default ./var).")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser("demo", help="seed demo data (3 units, ~40 volunteers, two weeks of shifts)")
    demo.add_argument("--today", type=date.fromisoformat, help="the demo's 'today' (YYYY-MM-DD)")
    demo.set_defaults(run=cmd_demo)

    user = commands.add_parser("create-user", help="create an account")
    user.add_argument("--username", required=True)
    user.add_argument("--password", required=True)
    user.add_argument("--role", required=True, choices=ROLES)
    user.add_argument("--unit", action="append", default=[], metavar="UNIT_ID", help="a unit it acts for")
    user.add_argument("--volunteer", metavar="VOLUNTEER_ID", help="the volunteer a volunteer account is")
    user.set_defaults(run=cmd_create_user)

    serve = commands.add_parser("serve", help="serve the HTTP API (read models follow the log in-process)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--server", choices=["granian", "uvicorn"], default="granian",
                       help="the HTTP server (default granian; one worker, the read models follow in it)")
    serve.set_defaults(run=cmd_serve)

    backup = commands.add_parser("backup", help="copy the log, read models and secrets into a new folder, "
                                 "while the server runs")
    backup.add_argument("path", type=Path, metavar="PATH")
    backup.set_defaults(run=cmd_backup)

    restore = commands.add_parser("restore", help="put a backup in place of the data folder (server stopped; "
                                  "what was there is moved aside)")
    restore.add_argument("path", type=Path, metavar="PATH")
    restore.set_defaults(run=cmd_restore)

    forget = commands.add_parser("forget-volunteer", help="erase a volunteer's personal data for good "
                                 "(crypto-shredding; hours and tallies stay)")
    forget.add_argument("volunteer_id", type=UUID, metavar="ID")
    forget.set_defaults(run=cmd_forget_volunteer)

    importing = commands.add_parser("import", help="import volunteers from a CSV or Excel file (columns by "
                                    "header, English or Chinese; re-running adds no duplicates)")
    importing.add_argument("what", choices=["volunteers"])
    importing.add_argument("file", type=Path, metavar="FILE")
    importing.add_argument("--unit", type=UUID, help="the unit of rows without a unit column")
    importing.set_defaults(run=cmd_import)

    sweeper = commands.add_parser("sweep", help="check out volunteers who forgot to, and escalate the "
                                  "requests nobody answered (the server does both every minute)")
    sweeper.set_defaults(run=cmd_sweep)

    mail = commands.add_parser("notices", help="queue the reminders that fell due and send queued notices "
                               "(the server does it every 15 s)")
    mail.set_defaults(run=cmd_notices)

    encrypting = commands.add_parser("encrypt", help="encrypt a log made in the clear, in place (server stopped; "
                                     "the key: CARELEDGER_CIPHER_KEY, else a new cipher.key in the data folder)")
    encrypting.set_defaults(run=cmd_encrypt)

    new_key = commands.add_parser("new-key", help="print a new key for CARELEDGER_CIPHER_KEY (events encrypted "
                                  "at rest)")
    new_key.set_defaults(run=cmd_new_key)

    rebuild = commands.add_parser("rebuild", help="replay read models from the log (aside, then swapped in)")
    from projections.projector import BY_NAME

    rebuild.add_argument("names", nargs="*", metavar="NAME",  # checked by models_named: argparse's
                         help=f"one or more of: {', '.join(BY_NAME)} (default: all)")  # choices refuse none
    rebuild.set_defaults(run=cmd_rebuild)

    doctor = commands.add_parser("doctor", help="say what is wrong with the log and the read models, and what to do")
    doctor.set_defaults(run=cmd_doctor)

    project = commands.add_parser("project", help="bring the read models up to date with the log")
    project.add_argument("--follow", action="store_true", help="keep following the log until stopped")
    project.add_argument("--poll", type=float, default=0.25,
                         help="seconds between looks at the log when no write was heard of")
    project.add_argument("--batch-size", type=int, default=500, help="events applied per transaction")
    project.set_defaults(run=cmd_project)

    report = commands.add_parser("report", help="print person-time tallies and fill rates")
    report.add_argument("--from", dest="first", type=date.fromisoformat, help="first day (default: 1st of month)")
    report.add_argument("--to", dest="last", type=date.fromisoformat, help="last day (default: today)")
    report.set_defaults(run=cmd_report)
    return parser


def check_event_store(settings: Settings) -> None:
    """On PostgreSQL, connect once first: a wrong host, database or password is then one clear
    sentence from the server ("role ... does not exist"), not a pool timeout or a traceback."""
    import psycopg

    if not settings.shared_log:
        return
    with psycopg.connect(**settings.postgres_params()):
        pass


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    os.umask(0o077)  # the log, read models, keys and backups are for this account alone
    if json_logs():  # progress of long work is logged then
        from web.operations import configure_logging

        configure_logging()
    try:
        settings = Settings()
        check_event_store(settings)
        return args.run(args, settings)
    except ConfigurationError as problem:
        print(f"careledger: {problem}", file=sys.stderr)
        return 2
    except (PersistenceError, OperationalError, PoolTimeout, psycopg_errors()) as problem:
        print(f"careledger: cannot reach the event store ({store_address()}): {problem}".strip(), file=sys.stderr)
        return 2
    except DomainError as refused:
        print(f"careledger: {refused.message} ({refused.reason})", file=sys.stderr)
        return 2
    except (ValueError, FileNotFoundError, FileExistsError) as problem:
        print(f"careledger: {problem}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
