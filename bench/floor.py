"""Litestar's own floor: a trivial msgspec endpoint, served as `careledger serve` serves
CareLedger (Granian, one worker). What a request costs before CareLedger does anything."""

from __future__ import annotations

import msgspec
from litestar import Litestar, post


class Asked(msgspec.Struct):
    volunteer_id: str


class Answered(msgspec.Struct):
    volunteer_id: str
    state: str = "checked_in"


@post("/floor", status_code=200)
async def floor(data: Asked) -> Answered:
    return Answered(data.volunteer_id)


def create_app() -> Litestar:
    return Litestar([floor], openapi_config=None)
