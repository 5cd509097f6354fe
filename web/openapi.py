"""What the OpenAPI document says about refusals: every API operation may answer an RFC 9457
problem (application/problem+json) with the codes CareLedger uses, and the document says so
(Litestar documents only its own JSON 400)."""

from __future__ import annotations

import html
import sys
from collections.abc import Iterator
from datetime import datetime, time
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

import msgspec

from litestar import Litestar, Request
from litestar.params import ParameterKwarg
from litestar.routes import HTTPRoute
from litestar.openapi.plugins import OpenAPIRenderPlugin
from litestar.openapi.spec import OpenAPI, OpenAPIHeader, OpenAPIMediaType, OpenAPIResponse, OpenAPIType, Reference, Schema

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

# A refusal for now says when to come back (RFC 9110 §10.2.3): every 429 and 503 carries it.
COME_BACK: dict[str, OpenAPIHeader | Reference] = {
    "Retry-After": OpenAPIHeader(required=True, schema=Schema(type=OpenAPIType.INTEGER, minimum=0),
                                 description="seconds to wait before asking again")}

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
                if code in responses and code not in ("400",):  # the operation says what this answer holds
                    continue
                responses[code] = OpenAPIResponse(description=description, content=problem,
                                                  headers=COME_BACK if code in ("429", "503") else None)
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


PUBLIC = ("/api/v1/auth/token", "/api/v1/healthz", "/api/v1/calendar/feeds/", "/api/v1/certificates/verify/",
          "/api/v1/invitations/accept", "/api/v1/apply", "/api/v1/feedback/")


def _structs(base: type = msgspec.Struct) -> Iterator[type]:
    for sub in base.__subclasses__():
        yield sub
        yield from _structs(sub)


def _api_structs() -> dict[str, type]:
    """Every Struct the API speaks (bodies and answers), by name: the names are its component names."""
    found: dict[str, type] = {}
    for struct in _structs():
        module = sys.modules.get(struct.__module__)
        # named in its module: Litestar makes a signature model per handler, and one per app
        if struct.__module__.startswith("web.api.") and getattr(module, struct.__name__, None) is struct:
            assert found.setdefault(struct.__name__, struct) is struct, f"two API structs are named {struct.__name__}"
    return found


FORMATS = {datetime: "date-time", time: "time"}  # msgspec 0.23 leaves these plain strings


def _bare(kind: Any) -> list[Any]:
    """The types a field may hold, without Annotated, None or Union."""
    if get_origin(kind) is Annotated:
        return _bare(get_args(kind)[0])
    if get_origin(kind) in (Union, UnionType):
        return [bare for arg in get_args(kind) if arg is not type(None) for bare in _bare(arg)]
    return [kind]


def _with_formats(struct: type, schema: dict[str, Any]) -> None:
    """A moment or a time of day says its RFC 3339 format, as the API takes and gives them."""
    properties = schema.get("properties", {})
    for field in msgspec.structs.fields(struct):
        shown = properties.get(field.encode_name)
        formats = [FORMATS[kind] for kind in _bare(field.type) if kind in FORMATS]
        if shown is None or not formats:
            continue
        for branch in shown.get("anyOf", [shown]):
            if branch.get("type") == "string" and "format" not in branch:
                branch["format"] = formats[0]


BOUNDS = {"ge": "minimum", "gt": "exclusive_minimum", "le": "maximum", "lt": "exclusive_maximum",
          "min_length": "min_length", "max_length": "max_length", "pattern": "pattern"}


def _parameters_as_enforced(app: Litestar, document: OpenAPI) -> None:
    """Each query and path parameter with the bounds its handler enforces. Litestar drops a bound
    of 0 and puts an optional one's beside its `oneOf`, where it bounds nothing. (A query's
    "null" is read as none, so the null branch stays.)"""
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or route.path_format not in (document.paths or {}):
            continue
        item = document.paths[route.path_format]  # type: ignore[index]
        for handler in route.route_handlers:
            declared = {}
            for name, field in handler.parsed_fn_signature.parameters.items():
                kwarg = field.kwarg_definition
                if isinstance(kwarg, ParameterKwarg):
                    declared[kwarg.query or kwarg.header or name] = kwarg
            for method in handler.http_methods:
                operation = getattr(item, method.lower(), None)
                for parameter in (operation.parameters or []) if operation is not None else []:
                    shown, kwarg = parameter.schema, declared.get(parameter.name)
                    if not isinstance(shown, Schema):
                        continue
                    branches = [b for b in (shown.one_of or []) if not (isinstance(b, Schema) and b.type == OpenAPIType.NULL)]
                    if len(branches) == 1 and isinstance(branches[0], Schema):
                        for bound in (*BOUNDS.values(), "format"):  # on the value, not beside the oneOf
                            if getattr(shown, bound) is not None:
                                setattr(branches[0], bound, getattr(shown, bound))
                                setattr(shown, bound, None)
                        shown = branches[0]
                    if kwarg is not None:
                        for name, bound in BOUNDS.items():
                            if getattr(kwarg, name, None) is not None:
                                setattr(shown, bound, getattr(kwarg, name))


def document_as_enforced(app: Litestar) -> None:
    """What the server enforces, said in the document, in place. Each body and answer is described
    by msgspec itself, which decodes and encodes them: every bound on a list's items, a map's
    values or an optional number, `additionalProperties: false` where unknown fields are refused,
    a time of day as a `time`. A 204 has no body. The operations open to anyone need no
    credentials (`security: []`)."""
    document = app.openapi_schema
    _parameters_as_enforced(app, document)
    schemas = document.components.schemas if document.components.schemas is not None else {}
    structs = _api_structs()
    named = [structs[name] for name in schemas if name in structs]
    _, components = msgspec.json.schema_components(named, ref_template="#/components/schemas/{name}")
    for name, schema in components.items():
        _with_formats(structs[name], schema)
        schemas[name] = schema  # type: ignore[assignment]  # plain JSON Schema, as msgspec states it
    for path, item in (document.paths or {}).items():
        for method in ("get", "post", "put", "delete", "patch"):
            operation = getattr(item, method, None)
            if operation is None:
                continue
            if path.startswith(PUBLIC):
                operation.security = []
            for code, answer in (operation.responses or {}).items():
                if code == "204" and isinstance(answer, OpenAPIResponse):
                    answer.content = None
