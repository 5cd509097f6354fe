"""Password hashing with argon2id (argon2-cffi): never stored or logged in the clear."""

from __future__ import annotations

import os
from typing import Annotated

import msgspec

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

# RFC 9106's low-memory profile; tests may ask for the cheapest one to stay fast.
_hasher = PasswordHasher.from_parameters(
    profiles.CHEAPEST if os.environ.get("CARELEDGER_PASSWORD_HASHING") == "cheapest-for-tests"
    else profiles.RFC_9106_LOW_MEMORY
)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# Long enough to resist guessing offline, short enough to type on a phone; no composition rules
# (NIST SP 800-63B): length is what counts.
MIN_PASSWORD_LENGTH = 10
NewPassword = Annotated[str, msgspec.Meta(min_length=MIN_PASSWORD_LENGTH, max_length=200,
                                          description="10 to 200 characters; a passphrase is best")]


def checked_password(field: str, password: str) -> str:
    """A new password typed into a form, held to the API's rule (NewPassword), refused by field."""
    from domain.errors import InvalidCommand

    try:
        return msgspec.convert(password, NewPassword)
    except msgspec.ValidationError:
        raise InvalidCommand(field, "must be {low} to {high} characters; a passphrase is best",
                             low=MIN_PASSWORD_LENGTH, high=200) from None
