"""The programme's wall clock (CARELEDGER_TIMEZONE), as both faces read it: a shift at 07:00 in
Shanghai is on that Shanghai day, however a client wrote the offset."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from litestar import Request


def now_local(request: Request) -> datetime:
    """Now, on the programme's wall clock (the ledger's clock: a test's fixed one)."""
    return request.app.state.ledger.clock.now().astimezone(ZoneInfo(request.app.state.settings.timezone))


def local(request: Request, moment: datetime) -> datetime:
    """`moment` on the programme's wall clock (days in rosters and tallies are taken from this offset)."""
    return moment.astimezone(ZoneInfo(request.app.state.settings.timezone)) if moment.tzinfo else moment
