"""The `careledger` command: one entry point, a subcommand per job, `--help` on each."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date, datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from domain.application import CareLedger
from domain.errors import DomainError
from web.settings import Settings


def _ledger(settings: Settings) -> CareLedger:
    return CareLedger(env=settings.event_store_env(), policy=settings.policy)


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from web.demo import STEPS, build_demo
    from web.progress import progress_bar

    with _ledger(settings) as ledger:
        if ledger.position > 0:
            print(f"The event store already holds {ledger.position} events; demo data not added again.")
            return 0
    today = args.today or datetime.now(ZoneInfo(settings.timezone)).date()
    with progress_bar("demo data", STEPS, unit="steps") as reporter:
        summary = build_demo(settings.event_store_env(), today, settings.timezone, reporter)
    print(f"Demo: {summary.units} units, {summary.volunteers} volunteers, {summary.shifts} shifts, "
          f"{summary.check_ins} check-ins, {summary.person_times} person-times, {summary.sessions} sessions.")
    print("Demo logins (username / password / role):")
    for login in summary.logins:
        print(f"  {login.username:<12} {login.password:<18} {login.role:<14} {login.note}")
    return 0


def cmd_create_user(args: argparse.Namespace, settings: Settings) -> int:
    from web.passwords import hash_password

    with _ledger(settings) as ledger:
        receipt = ledger.open_account(args.username, hash_password(args.password), args.role,
                                      [UUID(u) for u in args.unit], UUID(args.volunteer) if args.volunteer else None,
                                      actor="cli")
    print(f"Account {args.username} ({args.role}) created: {receipt.id}")
    return 0


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
    user.add_argument("--role", required=True,
                      choices=["admin", "coordinator", "volunteer", "kiosk", "social_worker", "auditor"])
    user.add_argument("--unit", action="append", default=[], metavar="UNIT_ID", help="a unit it acts for")
    user.add_argument("--volunteer", metavar="VOLUNTEER_ID", help="the volunteer a volunteer account is")
    user.set_defaults(run=cmd_create_user)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args, Settings())
    except DomainError as refused:
        print(f"careledger: {refused.message} ({refused.reason})", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
