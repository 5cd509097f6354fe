"""Every answer as the OpenAPI document says it (CARELEDGER_CHECK_ANSWERS, on in the tests and the
fuzzing): a 2xx JSON body is decoded with the type its handler declares, as a typed client
would, and an answer that does not decode is an error, not a quiet lie in the document."""

from __future__ import annotations

import logging
from typing import Any, get_args, get_origin

import msgspec
from litestar import Response
from litestar.types import Message, Scope

log = logging.getLogger("careledger")


class AnswerBreaksTheDocument(RuntimeError):
    pass


def declared(handler: Any) -> Any:
    """The type a handler's 2xx body is documented as, or None when it is not one (a file, a page)."""
    kind = handler.parsed_fn_signature.return_type.annotation
    if get_origin(kind) is Response or kind is Response:
        args = get_args(kind)
        kind = args[0] if args else None
    return None if kind in (None, type(None), dict, list, Any) else kind


async def check_answer(message: Message, scope: Scope) -> None:
    """Litestar's before_send hook: the body of a JSON 2xx of /api/, against its handler's type."""
    if message["type"] == "http.response.start":
        headers = dict(message.get("headers", []))
        scope.setdefault("state", {})["answer_is_json"] = 200 <= message["status"] < 300 and \
            headers.get(b"content-type", b"").startswith(b"application/json")
        return
    handler = scope.get("route_handler")
    if message["type"] != "http.response.body" or not scope.get("state", {}).get("answer_is_json") \
            or handler is None or not scope.get("path", "").startswith("/api/"):
        return
    kind = declared(handler)
    if kind is None or not message.get("body"):
        return
    try:
        msgspec.json.decode(message["body"], type=kind)
    except msgspec.ValidationError as wrong:
        log.error("the answer of %s %s breaks the document: %s", scope.get("method"), scope.get("path"), wrong)
        raise AnswerBreaksTheDocument(f"{scope.get('method')} {scope.get('path')}: {wrong}") from None
