"""What every controller shares: the log position header, read-your-writes, the read database."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException
from litestar.params import QueryParameter

from domain import bounds
from domain.errors import InvalidCommand
from domain.usecases.ledger import Receipt
from web.operations import count_command
from web.wallclock import local  # noqa: F401 (the API's handlers take it from here)

POSITION = "X-CareLedger-Position"

# Bounds on what a client may send (a test holds every field of the OpenAPI document to one).
Tag = Annotated[str, msgspec.Meta(min_length=1, max_length=bounds.TAG)]  # a language, skill, credential, service type
Tags = Annotated[list[Tag], msgspec.Meta(max_length=bounds.TAGS)]
UnitIds = Annotated[list[UUID], msgspec.Meta(max_length=500)]
Search = Annotated[str | None, QueryParameter(max_length=100)]  # a name or phone typed into a search box
Status = Annotated[str | None, QueryParameter(max_length=30)]
# A log position: JSON's largest exact integer bounds it, so every client reads the bound alike.
MAX_POSITION = 2**53 - 1
Position = Annotated[int | None, QueryParameter(ge=0, le=MAX_POSITION)]


def written(request: Request, receipt: Receipt, content: msgspec.Struct | None, status: int = 200) -> Response:
    """A successful write: its answer and the log position a later read may ask to see."""
    position = receipt.position if receipt.position is not None else request.app.state.ledger.position
    count_command(request, "recorded")
    return Response(content=content, status_code=status, headers={POSITION: str(position)})


EARLIEST, LATEST = bounds.EARLIEST_DAY, bounds.LATEST_DAY
A_YEAR = 366


def checked_span(first: date | None, last: date | None, longest_days: int | None = None) -> tuple[date | None, date | None]:
    """A date range a client asked for, in order, and (for lists of rows) not so long that one
    answer holds more than anyone reads (400 naming the field). Days outside the years CareLedger
    keeps hold nothing, so they are read as its first or last day. Totals come from monthly
    roll-ups, so any span of them is cheap."""
    first, last = (None if day is None else min(max(day, EARLIEST), LATEST) for day in (first, last))
    if first is not None and last is not None:
        if last < first:
            raise InvalidCommand("to", "must not be before from")
        if longest_days is not None and (last - first).days >= longest_days:
            raise InvalidCommand("to", f"a range may span at most {longest_days} days; ask for it in parts")
    return first, last


def report_span(request: Request, first: date | None, last: date | None,
                longest_days: int | None = None) -> tuple[str, str]:
    """A report's days, checked; by default from the first of this month to today, on the
    programme's wall clock."""
    first, last = checked_span(first, last, longest_days)
    today = datetime.now(ZoneInfo(request.app.state.settings.timezone)).date()
    return (first or today.replace(day=1)).isoformat(), (last or today).isoformat()


def units_asked(request: Request, unit_id: UUID | None) -> list[str] | None:
    """The units a report covers: the one asked for (if the person acts for it), else all theirs."""
    if unit_id is None:
        return request.user.scope()
    request.user.ensure_unit(unit_id)
    return [str(unit_id)]


def whole_span(first: date | None, last: date | None) -> tuple[str, str]:
    """A date range for a record: from the beginning, to the end, unless narrowed."""
    first, last = checked_span(first, last)
    return (first or EARLIEST).isoformat(), (last or LATEST).isoformat()


def read_db(request: Request, min_position: int | None) -> Any:
    """The read models, once they hold `min_position` (503 with Retry-After if they don't in time)."""
    state = request.app.state
    if min_position is not None and min_position > 0:
        head = state.ledger.position
        if min_position > head:  # no write has been given it yet: as late as can be (API.md), said at once
            raise HTTPException(status_code=503, detail=f"No write has reached position {min_position} yet (the log "
                                f"ends at {head}); try again shortly.", headers={"Retry-After": "1"})
        if not state.projector.wait(min_position, timeout=state.settings.read_wait_seconds):
            raise HTTPException(status_code=503, detail=f"The read models have not reached position "
                                f"{min_position} yet; try again shortly.", headers={"Retry-After": "1"})
    return state.reader()


async def only_true_or_false(request: Request, *fields: str) -> None:
    """Litestar decodes bodies in msgspec's lax mode, where 0 and "no" pass for false: a switch that
    changes what happens at a post takes a JSON true or false only."""
    body = await request.json()
    for field in fields:
        if isinstance(body, dict) and field in body and not isinstance(body[field], bool):
            raise InvalidCommand(field, "must be true or false")
