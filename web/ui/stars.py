"""What a page shows of a volunteer's star level (the phone's home, the service record, the profile)."""

from __future__ import annotations

from typing import Any

from litestar import Request

from domain.stars import stars
from projections import hours


def star_context(request: Request, db: Any, volunteer_id: str) -> dict[str, Any]:
    thresholds = request.app.state.settings.star_hours
    total = hours.certified_minutes(db, volunteer_id)
    return {"stars": stars(total, thresholds), "star_levels": len(thresholds),
            "star_days": hours.days_reached(db, volunteer_id, thresholds, total), "star_hours": thresholds}
