"""What is answered at the door, before any route runs: OPTIONS from the routes themselves (every
method a path really has, whatever controller declares it, and no guard runs for it), and a path
no route could ever match (a NUL byte in it) is a 404, not a failure."""

from __future__ import annotations

from typing import Any

from litestar.types import ASGIApp, Receive, Scope, Send
from litestar.utils import normalize_path

from web.security import COMMON_HEADERS

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def allowed(app: Any, path: str) -> list[str]:
    """The methods some route answers at `path`, and OPTIONS."""
    found = []
    for method in METHODS:
        try:
            app.asgi_router.handle_routing(path=normalize_path(path), method=method)
        except Exception:  # noqa: BLE001 - NotFound or MethodNotAllowed: not this method here
            continue
        found.append(method)
    return [*found, "OPTIONS"] if found else []


def at_the_door(inner: ASGIApp, app: Any) -> ASGIApp:
    async def door(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await inner(scope, receive, send)
            return
        if "\x00" in scope["path"]:
            await _answer(send, 404, [(b"content-type", b"text/plain; charset=utf-8")], b"Not found")
            return
        if scope["method"] == "OPTIONS":
            methods = allowed(app, scope["path"])
            if not methods:
                await _answer(send, 404, [(b"content-type", b"text/plain; charset=utf-8")], b"Not found")
                return
            await _answer(send, 204, [(b"allow", ", ".join(methods).encode())], b"")
            return
        await inner(scope, receive, send)

    return door


async def _answer(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [*headers, *COMMON_HEADERS, (b"cache-control", b"no-store")]})
    await send({"type": "http.response.body", "body": body})
