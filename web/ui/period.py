"""The filter every figure page shares (the dashboard, the case reports): the days and the unit,
read the same way, carried from one view to the next, and handed to the exports unchanged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

from litestar import Request

from projections import directory
from web.ui.common import now_local, reader

LAST_DAYS = 30  # what a figure page shows unless asked: the last thirty days, today included
DASHBOARD_ROLES = ("coordinator", "auditor", "admin")
CASE_REPORT_ROLES = ("social_worker", "coordinator", "auditor", "admin")
VIEWS = (("/dashboard", "Dashboard", DASHBOARD_ROLES), ("/cases/reports", "Case reports", CASE_REPORT_ROLES))


@dataclass(frozen=True)
class Period:
    first: str
    last: str
    unit: str  # "" for all the person's units
    units: list[dict]  # the units the person may choose from
    views: list[tuple[str, str]]  # the other figure pages this person may open, with this filter

    @property
    def reversed(self) -> bool:  # said beside the field, never a silent 0
        return self.last < self.first

    @property
    def unit_ids(self) -> list[str] | None:
        return [self.unit] if self.unit else None

    def query(self, unit_key: str = "unit") -> str:
        """The filter as a query: `unit` for the pages, `unit_id` for the exports of the API."""
        return urlencode({"from": self.first, "to": self.last} | ({unit_key: self.unit} if self.unit else {}))


def period_of(request: Request, first: date | None, last: date | None, unit: str | None) -> Period:
    today = now_local(request).date()
    if unit:
        request.user.ensure_unit(unit)
    units = [u for u in directory.units(reader(request, stale=True)) if request.user.acts_for(u["id"])]
    views = [(path, name) for path, name, roles in VIEWS if path != request.url.path and request.user.role in roles]
    return Period((first or today - timedelta(days=LAST_DAYS - 1)).isoformat(), (last or today).isoformat(),
                  unit or "", units, views)
