"""Units and accounts: admin's business."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

import msgspec
from litestar.params import FromPath, FromQuery, JSONBody
from litestar import Controller, Request, Response, get, post
from litestar.exceptions import HTTPException

from domain import bounds
from domain.accounts import ROLES, USERNAME, normal_username
from projections import directory
from web.api.common import Position, UnitIds, read_db, written
from web.auth import allow, may
from web.commands import CommandPath, Commands
from web.links import join_link
from web.login import Client
from web.passwords import NewPassword, hash_password

Text = Annotated[str, msgspec.Meta(min_length=1, max_length=bounds.TITLE)]


class NewUnit(msgspec.Struct, forbid_unknown_fields=True):
    name: Text
    district: Annotated[str, msgspec.Meta(max_length=bounds.TITLE)] = ""


class NewAccount(msgspec.Struct, forbid_unknown_fields=True):
    username: Annotated[str, msgspec.Meta(min_length=1, max_length=USERNAME)]
    password: NewPassword
    role: Literal[ROLES]  # type: ignore[valid-type]
    unit_ids: UnitIds = []
    volunteer_id: UUID | None = None


class Unit(msgspec.Struct):
    id: UUID
    name: str
    district: str


class Account(msgspec.Struct):
    id: UUID
    username: str
    role: str
    unit_ids: list[UUID]
    volunteer_id: UUID | None


class AccountDisabled(msgspec.Struct):
    id: UUID
    disabled: bool


class PasswordReset(msgspec.Struct, forbid_unknown_fields=True):
    password: NewPassword


class PasswordWasReset(msgspec.Struct):
    id: UUID
    signed_out: bool  # every session of the account ended with it


class InvitationAccepted(msgspec.Struct, forbid_unknown_fields=True):
    code: Annotated[str, msgspec.Meta(min_length=4, max_length=40)]
    username: Annotated[str, msgspec.Meta(min_length=1, max_length=USERNAME)]
    password: NewPassword


class UnitsAssigned(msgspec.Struct, forbid_unknown_fields=True):
    unit_ids: UnitIds


class InvitationToSend(msgspec.Struct, forbid_unknown_fields=True):
    code: Annotated[str, msgspec.Meta(min_length=4, max_length=40)]


class InvitationPosted(msgspec.Struct):
    """The invitation in the outbox: `notice_id` says how its sending went (GET /api/v1/notices)."""
    notice_id: UUID
    channel: Literal["email", "sms"]


class LoginOpened(msgspec.Struct):
    id: UUID
    username: str
    role: Literal["volunteer"]


class UnitsController(Controller):
    path = "/api/v1"
    tags = ["units and accounts"]

    @post("/units", guards=[may(Commands.register_unit)], sync_to_thread=True)
    def create_unit(self, request: Request, commands: CommandPath, data: JSONBody[NewUnit]) -> Response[Unit]:
        receipt = commands.register_unit(request.user, data.name, data.district)
        return written(request, receipt, Unit(receipt.id, data.name.strip(), data.district.strip()), 201)

    @get("/units", guards=[allow(*ROLES)],
         sync_to_thread=True)
    def list_units(self, request: Request, min_position: Position = None) -> list[Unit]:
        return directory.units(read_db(request, min_position))

    @post("/accounts", guards=[may(Commands.open_account)], sync_to_thread=True)
    def create_account(self, request: Request, commands: CommandPath, data: JSONBody[NewAccount]) -> Response[Account]:
        receipt = commands.open_account(request.user, data.username, hash_password(data.password), data.role,
                                        data.unit_ids, data.volunteer_id)
        return written(request, receipt, Account(receipt.id, data.username.strip().lower(), data.role,
                                                 list(data.unit_ids), data.volunteer_id), 201)

    @post("/accounts/{account_id:uuid}/password", guards=[may(Commands.reset_password)], sync_to_thread=True,
          status_code=200)
    def reset_password(self, request: Request, commands: CommandPath, account_id: FromPath[UUID],
                       data: JSONBody[PasswordReset]) -> Response[PasswordWasReset]:
        """A new password for someone who lost theirs; their sessions end with it."""
        receipt = commands.reset_password(request.user, account_id, hash_password(data.password))
        return written(request, receipt, PasswordWasReset(account_id, True))

    @post("/invitations/accept", sync_to_thread=True, security=[], status_code=201)
    def accept_invitation(self, request: Request, commands: CommandPath,
                          data: JSONBody[InvitationAccepted]) -> Response[LoginOpened]:
        """A volunteer's own login, set up with the one-time code their coordinator gave them (422
        `invitation_invalid` when it is unknown, used or expired). Ten tries a minute per address."""
        state = request.app.state
        wait = state.joins.retry_after(Client.of(request).key)
        if wait:
            raise HTTPException(status_code=429, detail="Too many tries from here; wait a minute.",
                                headers={"Retry-After": str(wait)})
        receipt = commands.accept_invitation(data.code, data.username, hash_password(data.password))
        return written(request, receipt, LoginOpened(receipt.id, normal_username(data.username), "volunteer"), 201)

    @post("/invitations/send", guards=[may(Commands.send_invitation)], sync_to_thread=True, status_code=202)
    def send_invitation(self, request: Request, commands: CommandPath,
                        data: JSONBody[InvitationToSend]) -> Response[InvitationPosted]:
        """The invitation (its code from POST /api/v1/volunteers/{id}/invitations) sent to the volunteer,
        by e-mail where they have an address, else by SMS. 422 `unreachable` when nothing can carry it,
        409 `invitation_sent` when it was sent already."""
        receipt = commands.send_invitation(request.user, data.code, join_link(request, data.code))
        return written(request, receipt, InvitationPosted(receipt.id, receipt.value), 202)

    @post("/accounts/{account_id:uuid}/enable", guards=[may(Commands.enable_account)], sync_to_thread=True,
          status_code=200)
    def enable_account(self, request: Request, commands: CommandPath,
                       account_id: FromPath[UUID]) -> Response[AccountDisabled]:
        """A suspended account may log in again (tokens from before its suspension stay void)."""
        receipt = commands.enable_account(request.user, account_id)
        return written(request, receipt, AccountDisabled(account_id, False))

    @post("/accounts/{account_id:uuid}/units", guards=[may(Commands.assign_units)], sync_to_thread=True,
          status_code=200)
    def assign_units(self, request: Request, commands: CommandPath, account_id: FromPath[UUID],
                     data: JSONBody[UnitsAssigned]) -> Response[UnitsAssigned]:
        """The units a coordinator, kiosk or social worker acts for, from now on (422 for an admin or auditor)."""
        receipt = commands.assign_units(request.user, account_id, data.unit_ids)
        return written(request, receipt, UnitsAssigned(data.unit_ids))

    @post("/accounts/{account_id:uuid}/disable", guards=[may(Commands.disable_account)], sync_to_thread=True,
          status_code=200)
    def disable_account(self, request: Request, commands: CommandPath,
                        account_id: FromPath[UUID]) -> Response[AccountDisabled]:
        """Suspend an account: its tokens stop working at once, and it cannot log in again."""
        receipt = commands.disable_account(request.user, account_id)
        return written(request, receipt, AccountDisabled(account_id, True))
