"""What the OpenAPI document says about refusals: every API operation may answer an RFC 9457
problem (application/problem+json) with the codes CareLedger uses, and the document says so
(Litestar documents only its own JSON 400)."""

from __future__ import annotations

import html
from collections.abc import Iterator
from datetime import time
from typing import Any

import msgspec

from litestar import Request
from litestar.openapi.plugins import OpenAPIRenderPlugin
from litestar.openapi.spec import OpenAPI, OpenAPIMediaType, OpenAPIResponse, OpenAPIType, Reference, Schema

PROBLEM_CODES = {
    "400": "The request is malformed or a field is out of bounds (`field` names it)",
    "401": "Not logged in, or the token has expired or was revoked",
    "403": "This role may not do this, or not for this unit or volunteer",
    "404": "No such thing",
    "409": "Refused by a rule (`reason`: shift_full, overlapping_shift, concurrent_change, ...)",
    "413": "The request body is larger than 1 MiB",
    "422": "A precondition is missing (`reason`: not_qualified, credential_lapsed, ...)",
    "429": "Too many failed logins (see Retry-After)",
    "503": "The read models have not reached min_position yet (see Retry-After)",
}

PROBLEM = Schema(
    type=OpenAPIType.OBJECT, required=["type", "status", "title", "detail"],
    properties={
        "type": Schema(type=OpenAPIType.STRING), "status": Schema(type=OpenAPIType.INTEGER),
        "title": Schema(type=OpenAPIType.STRING), "detail": Schema(type=OpenAPIType.STRING),
        "reason": Schema(type=OpenAPIType.STRING, description="the rule broken, for programs"),
        "field": Schema(type=OpenAPIType.STRING, description="the field at fault"),
        "errors": Schema(type=OpenAPIType.ARRAY, items=Schema(type=OpenAPIType.OBJECT)),
    },
    description="RFC 9457 problem details",
)


def document_files(document: OpenAPI, prefix: str, media_types: tuple[str, ...]) -> None:
    """Operations under `prefix` answer a file in one of `media_types`, not JSON."""
    for path, item in (document.paths or {}).items():
        if path.startswith(prefix) and item.get is not None and item.get.responses:
            answer = item.get.responses.get("200")
            if isinstance(answer, OpenAPIResponse):
                answer.content = {media: OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING, format="binary"))
                                  for media in media_types}


def document_problems(document: OpenAPI) -> None:
    """Add the Problem schema and the refusals to every /api/ operation, in place."""
    if document.components.schemas is None:
        document.components.schemas = {}
    document.components.schemas["Problem"] = PROBLEM
    problem = {"application/problem+json": OpenAPIMediaType(schema=Reference(ref="#/components/schemas/Problem"))}
    for path, item in (document.paths or {}).items():
        if not path.startswith("/api/"):
            continue
        for method in ("get", "put", "post", "delete", "patch"):
            operation = getattr(item, method, None)
            if operation is None:
                continue
            responses = operation.responses or {}
            for code, description in PROBLEM_CODES.items():
                responses[code] = OpenAPIResponse(description=description, content=problem)
            operation.responses = responses


class ReferencePage(OpenAPIRenderPlugin):
    """The API reference at /schema: Swagger UI from this server's own static files (vendored
    swagger-ui-dist), no CDN and no inline script, so it works offline under the pages' own
    Content-Security-Policy."""

    def __init__(self) -> None:
        super().__init__(path="/")

    def render(self, request: Request, openapi_schema: dict[str, Any]) -> bytes:
        title = html.escape(str(openapi_schema.get("info", {}).get("title", "API")))
        return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title} · API reference</title>'
                '<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">'
                '<link rel="stylesheet" href="/static/docs/swagger-ui.css"></head><body><div id="reference"></div>'
                '<script src="/static/docs/swagger-ui-bundle.js" defer></script>'
                '<script src="/static/docs/start.js" defer></script></body></html>').encode()


PUBLIC = ("/api/v1/auth/token", "/api/v1/healthz", "/api/v1/calendar/feeds/", "/api/v1/certificates/verify/")


def _structs(base: type = msgspec.Struct) -> Iterator[type]:
    for sub in base.__subclasses__():
        yield sub
        yield from _structs(sub)


def document_as_enforced(document: OpenAPI) -> None:
    """What the server enforces, said in the document, in place: a body that refuses unknown
    fields has `additionalProperties: false`; a time of day is a `time`, not a duration; the
    operations open to anyone need no credentials (`security: []`)."""
    schemas = document.components.schemas or {}
    for struct in _structs():
        schema = schemas.get(struct.__name__)
        if not isinstance(schema, Schema):
            continue
        if struct.__struct_config__.forbid_unknown_fields:
            schema.additional_properties = False
        for field in msgspec.structs.fields(struct):
            if field.type in (time, time | None) and schema.properties and field.encode_name in schema.properties:
                shown = schema.properties[field.encode_name]
                if isinstance(shown, Schema):
                    shown.format = "time"
    for path, item in (document.paths or {}).items():
        if path.startswith(PUBLIC):
            for method in ("get", "post"):
                operation = getattr(item, method, None)
                if operation is not None:
                    operation.security = []
