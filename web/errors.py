"""Every error as RFC 9457 problem details: status, title, detail, and `reason` for a broken rule."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.response import Redirect

from domain.errors import DomainError
from web.operations import count_command, log
from web.outages import outage

PROBLEM = "application/problem+json"


def local_path(path: str) -> bool:
    """A path on this site to send a person back to after logging in, never another site's."""
    return path.startswith("/") and not path.startswith("//") and "\\" not in path and len(path) < 600


TITLES = {400: "Invalid request", 401: "Not logged in", 403: "Not allowed", 404: "Not found",
          405: "Method not allowed", 409: "Refused", 422: "Precondition missing", 429: "Too many attempts",
          500: "Failed", 503: "Not ready yet"}


PAGE_MESSAGES = {403: "You are not allowed to do this.", 404: "This page does not exist.",
                 400: "Please check the form."}


def problem(status: int, detail: str, headers: dict[str, str] | None = None, **extra: Any) -> Response:
    body = {"type": "about:blank", "status": status, "title": TITLES.get(status, "Error"), "detail": detail, **extra}
    return Response(content=body, status_code=status, media_type=PROBLEM, headers=headers)


def domain_error(request: Request, error: DomainError) -> Response:
    count_command(request, error.reason)
    if not request.url.path.startswith(("/api/", "/schema", "/metrics")):
        return page_error(request, HTTPException(status_code=error.status, detail=error.message))
    # The reason only: a refusal's words may name a volunteer, and logs hold no personal data.
    log.info("refused", extra={"command": getattr(request.scope.get("route_handler"), "handler_name", ""),
                               "reason": error.reason, "status": error.status})
    extra: dict[str, Any] = {"reason": error.reason}
    if "field" in error.details:
        extra["field"] = error.details["field"]
    reserved = {"type", "status", "title", "detail", "reason", "field"}
    extra.update({k: v for k, v in error.details.items() if k not in reserved and isinstance(v, (str, int, list))})
    return problem(error.status, error.message, **extra)


def validation_error(request: Request, error: ValidationException) -> Response:
    if not request.url.path.startswith(("/api/", "/schema", "/metrics")):
        return page_error(request, error)
    fields = []
    for item in error.extra or []:
        if isinstance(item, dict):
            fields.append({"field": item.get("key") or item.get("source") or "body", "problem": item.get("message", "")})
    detail = "; ".join(f"{f['field']}: {f['problem']}" for f in fields) or str(error.detail)
    return problem(400, detail, reason="invalid_field", field=fields[0]["field"] if fields else "body",
                   errors=fields)


def http_error(request: Request, error: HTTPException) -> Response:
    if not request.url.path.startswith(("/api/", "/schema", "/metrics")):
        return page_error(request, error)
    headers = dict(error.headers or {})
    return problem(error.status_code, str(error.detail), headers=headers or None)


def page_error(request: Request, error: HTTPException, message: str | None = None) -> Response:
    """In the browser: not logged in goes to the login page; anything else is a page in words."""
    if error.status_code == 401:  # after logging in, back to the page asked for (a scanned post code)
        asked = request.url.path
        wanted = f"?next={quote(asked)}" if request.method == "GET" and local_path(asked) and asked != "/" else ""
        return Redirect(path="/login" + wanted, status_code=303)
    from web.ui.common import page

    message = message or PAGE_MESSAGES.get(error.status_code, "Something went wrong.")
    response = page(request, "error.html", message=message, status=error.status_code)
    response.status_code = error.status_code
    return response


def failure(request: Request, error: Exception) -> Response:
    """The handler of last resort: an outage (web/outages.py) is a 503 that says which; anything
    else is logged with its stack and answered as a problem without details."""
    down = outage(request.app.state, error)
    if down is not None:
        log.warning("unavailable", extra={"reason": down.reason, "method": request.method, "path": request.url.path,
                                          "error": f"{type(error).__name__}: {error}"[:300]})
        headers = {"Retry-After": str(down.retry_after)}
        if not request.url.path.startswith(("/api/", "/schema", "/metrics")):
            response = page_error(request, HTTPException(status_code=503, detail=down.message), down.message)
            response.headers.update(headers)
            return response
        return problem(503, down.detail, headers=headers, reason=down.reason)
    log.exception("failed", extra={"method": request.method, "path": request.url.path})
    if not request.url.path.startswith(("/api/", "/schema", "/metrics")):
        return page_error(request, HTTPException(status_code=500))
    return problem(500, "Something went wrong on our side; it has been logged.")


def too_deep(request: Request, error: RecursionError) -> Response:
    """A body nested deeper than any answer of ours could ever need (JSON 5,000 brackets deep)."""
    log.info("refused", extra={"reason": "nested_too_deep", "path": request.url.path})
    if not request.url.path.startswith(("/api/", "/schema", "/metrics")):
        return page_error(request, HTTPException(status_code=400))
    return problem(400, "body: is nested too deeply", reason="invalid_field", field="body",
                   errors=[{"field": "body", "problem": "is nested too deeply"}])


HANDLERS = {RecursionError: too_deep, DomainError: domain_error, ValidationException: validation_error, HTTPException: http_error,
            Exception: failure}
