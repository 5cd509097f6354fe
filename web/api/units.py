"""Units and accounts: admin's business."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import msgspec
from litestar.params import FromPath, FromQuery, JSONBody
from litestar import Controller, Request, Response, get, post

from projections import directory
from web.api.common import UnitIds, read_db, written
from web.auth import allow
from web.passwords import NewPassword, hash_password

Text = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class NewUnit(msgspec.Struct, forbid_unknown_fields=True):
    name: Text
    district: Annotated[str, msgspec.Meta(max_length=200)] = ""


class NewAccount(msgspec.Struct, forbid_unknown_fields=True):
    username: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    password: NewPassword
    role: Annotated[str, msgspec.Meta(max_length=30)]
    unit_ids: UnitIds = []
    volunteer_id: UUID | None = None


class UnitsController(Controller):
    path = "/api/v1"
    tags = ["units and accounts"]

    @post("/units", guards=[allow("admin")], sync_to_thread=True)
    def create_unit(self, request: Request, data: JSONBody[NewUnit]) -> Response:
        receipt = request.app.state.ledger.register_unit(data.name, data.district, request.user.account_id)
        return written(request, receipt, {"id": str(receipt.id), "name": data.name.strip(),
                                          "district": data.district.strip()}, 201)

    @get("/units", guards=[allow("admin", "coordinator", "volunteer", "kiosk", "social_worker", "auditor")],
         sync_to_thread=True)
    def list_units(self, request: Request, min_position: FromQuery[int | None] = None) -> list[dict]:
        return directory.units(read_db(request, min_position))

    @post("/accounts", guards=[allow("admin")], sync_to_thread=True)
    def create_account(self, request: Request, data: JSONBody[NewAccount]) -> Response:
        receipt = request.app.state.ledger.open_account(
            data.username, hash_password(data.password), data.role, data.unit_ids, data.volunteer_id,
            request.user.account_id)
        return written(request, receipt, {"id": str(receipt.id), "username": data.username.strip().lower(),
                                          "role": data.role, "unit_ids": [str(u) for u in data.unit_ids],
                                          "volunteer_id": str(data.volunteer_id) if data.volunteer_id else None}, 201)

    @post("/accounts/{account_id:uuid}/disable", guards=[allow("admin")], sync_to_thread=True, status_code=200)
    def disable_account(self, request: Request, account_id: FromPath[UUID]) -> Response:
        """Suspend an account: its tokens stop working at once, and it cannot log in again."""
        receipt = request.app.state.ledger.disable_account(account_id, request.user.account_id)
        return written(request, receipt, {"id": str(account_id), "disabled": True})
