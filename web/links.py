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


def scan_link(request: Request, code: str) -> str:
    """What a post's QR code holds: the phone's camera opens it, and the volunteer is at the post."""
    return str(request.base_url).rstrip("/") + "/scan/" + quote(code)


def apply_link(request: Request, unit_id: str) -> str:
    """A unit's public application form: on its posters and its page, as a link and a QR code."""
    return str(request.base_url).rstrip("/") + "/apply/" + quote(str(unit_id))
