"""POST /api/v1/auth/token: username and password in, a bearer token out."""

from __future__ import annotations

import msgspec
from litestar.params import JSONBody
from litestar import Controller, Request, post
from litestar.exceptions import HTTPException, NotAuthorizedException

from web.auth import principal_of
from web.passwords import verify_password


class Login(msgspec.Struct, forbid_unknown_fields=True):
    username: str
    password: str


class TokenAnswer(msgspec.Struct):
    access_token: str
    token_type: str
    role: str
    expires_in: int
    unit_ids: list[str]
    volunteer_id: str | None


class AuthController(Controller):
    path = "/api/v1/auth"
    tags = ["auth"]

    @post("/token", status_code=200, sync_to_thread=True, security=[])
    def token(self, request: Request, data: JSONBody[Login]) -> TokenAnswer:
        state = request.app.state
        wait = state.throttle.retry_after(data.username)
        if wait:
            raise HTTPException(status_code=429, detail="Too many failed logins; wait and try again.",
                                headers={"Retry-After": str(wait)})
        account = state.ledger.find_account(data.username)
        if account is None or account.disabled or not verify_password(account.password_hash, data.password):
            state.throttle.failed(data.username)
            raise NotAuthorizedException("Unknown username or wrong password")
        state.throttle.succeeded(data.username)
        minutes = state.settings.token_minutes
        token = state.jwt.create_token(identifier=str(account.id))
        principal = principal_of(account)
        return TokenAnswer(token, "bearer", principal.role, minutes * 60, list(principal.unit_ids),
                           principal.volunteer_id)

