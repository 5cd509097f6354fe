"""Addresses a person is sent to from outside the pages (a message, a QR code): built in one place."""

from __future__ import annotations

from urllib.parse import quote

from litestar import Request

from domain.invitations import normal_code


def join_link(request: Request, code: str) -> str:
    """The invitation's link, with the code as issued (four and four and four), whatever was typed."""
    plain = normal_code(code)
    grouped = "-".join(plain[i:i + 4] for i in range(0, len(plain), 4))
    return str(request.base_url).rstrip("/") + "/join/" + quote(grouped)
