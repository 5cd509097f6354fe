"""What every controller shares: the log position header, read-your-writes, the read database."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Request, Response
from litestar.exceptions import HTTPException

from domain.ledger import Receipt

POSITION = "X-CareLedger-Position"


def written(request: Request, receipt: Receipt, content: Any, status: int = 200) -> Response:
    """A successful write: its answer and the log position a later read may ask to see."""
    position = receipt.position if receipt.position is not None else request.app.state.ledger.position
    return Response(content=content, status_code=status, headers={POSITION: str(position)})


def local(request: Request, moment: datetime) -> datetime:
    """The programme's wall clock: a shift at 07:00 in Shanghai is on that Shanghai day, however
    the client wrote the offset (days in rosters and tallies are taken from this offset)."""
    return moment.astimezone(ZoneInfo(request.app.state.settings.timezone)) if moment.tzinfo else moment


def whole_span(first: date | None, last: date | None) -> tuple[str, str]:
    """A date range for a record: from the beginning, to the end, unless narrowed."""
    return (first or date(2000, 1, 1)).isoformat(), (last or date(2999, 12, 31)).isoformat()


def read_db(request: Request, min_position: int | None) -> Any:
    """The read models, once they hold `min_position` (503 with Retry-After if they don't in time)."""
    state = request.app.state
    if min_position is not None and min_position > 0:
        if not state.projector.wait(min_position, timeout=state.settings.read_wait_seconds):
            raise HTTPException(status_code=503, detail=f"The read models have not reached position "
                                f"{min_position} yet; try again shortly.", headers={"Retry-After": "1"})
    return state.reader()
