"""Logging in (username and password in, a bearer token out), changing the password, signing out."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, post
from litestar.exceptions import HTTPException, NotAuthorizedException, PermissionDeniedException
from litestar.params import JSONBody, QueryParameter

from domain.accounts import USERNAME
from domain.errors import InvalidCommand
from web.api.common import written
from web.auth import DEVICE, end_session, issue_token, may, principal_of
from web.commands import CommandPath, Commands
from web.login import Client, TooManyAttempts, WrongPassword, check_own_password, log_in
from web.passwords import NewPassword, hash_password


class Login(msgspec.Struct, forbid_unknown_fields=True):
    username: Annotated[str, msgspec.Meta(max_length=USERNAME)]
    password: Annotated[str, msgspec.Meta(max_length=200)]


class PasswordChange(msgspec.Struct, forbid_unknown_fields=True):
    current_password: Annotated[str, msgspec.Meta(max_length=200)]
    new_password: NewPassword


class TokenAnswer(msgspec.Struct):
    access_token: str
    token_type: str
    role: str
    expires_in: int
    unit_ids: list[str]
    volunteer_id: str | None


class PasswordChanged(msgspec.Struct):
    changed: bool
    signed_out: str


class SignedOut(msgspec.Struct):
    signed_out: bool
    scope: Literal["everywhere", "session"]


def _too_many(wait: TooManyAttempts) -> HTTPException:
    detail = ("Too many logins are being checked at this moment; try again in a second." if wait.busy
              else "Too many failed logins; wait and try again.")
    return HTTPException(status_code=429, detail=detail, headers={"Retry-After": str(wait.retry_after)})


class AuthController(Controller):
    path = "/api/v1/auth"
    tags = ["auth"]

    @post("/token", status_code=200, security=[])
    async def token(self, request: Request, data: JSONBody[Login]) -> TokenAnswer:
        state = request.app.state
        try:  # admitted on the event loop: a storm is turned away before it takes a thread
            account = await state.hashing.run(log_in, state, data.username, data.password, Client.of(request))
        except TooManyAttempts as wait:
            raise _too_many(wait) from None
        except WrongPassword:
            raise NotAuthorizedException("Unknown username or wrong password") from None
        minutes = state.settings.token_minutes
        token = issue_token(state, account)
        principal = principal_of(account)
        return TokenAnswer(token, "bearer", principal.role, minutes * 60, list(principal.unit_ids),
                           principal.volunteer_id)


    @post("/password", guards=[may(Commands.change_password)], sync_to_thread=True, status_code=200)
    def change_password(self, request: Request, commands: CommandPath, data: JSONBody[PasswordChange]) -> Response[PasswordChanged]:
        """A new password for the logged-in account; every token issued before it stops working."""
        state = request.app.state
        if request.user.account_id.startswith(DEVICE):
            raise PermissionDeniedException("A paired kiosk has no password; a coordinator unpairs it.")
        account = state.ledger.get_account(UUID(request.user.account_id))
        try:
            if not check_own_password(state, account, data.current_password, Client.of(request)):
                raise InvalidCommand("current_password", "is not the account's password")
        except TooManyAttempts as wait:
            raise _too_many(wait) from None
        receipt = commands.change_password(request.user, hash_password(data.new_password))
        return written(request, receipt, PasswordChanged(True, "every earlier session"))

    @post("/sign-out", guards=[may(Commands.sign_out_everywhere)], sync_to_thread=True, status_code=200)
    def sign_out(self, request: Request, commands: CommandPath, scope_: Annotated[Literal["everywhere", "session"],
                                                           QueryParameter(name="scope")] = "everywhere") -> Response[SignedOut]:
        """`everywhere` (the default): every token of the account stops working, this one included
        (a lost phone). `session`: only this token does; the account's other devices stay signed in."""
        if scope_ == "session":
            return written(request, end_session(request), SignedOut(True, scope_))
        receipt = commands.sign_out_everywhere(request.user)
        return written(request, receipt, SignedOut(True, scope_))
