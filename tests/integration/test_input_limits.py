"""Every input is bounded: what a client sends is refused with 400 (or 413) before it can make the
server slow, and the OpenAPI document says the bounds."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.conftest import World


def _unbounded(schema: dict, components: dict, where: str, seen: set[str]) -> list[str]:
    """Where a schema lets a client send something without an upper bound."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return []
        return _unbounded(components[name], components, f"{where}", seen | {name})
    found = []
    # A bound beside oneOf/anyOf holds for every option (Litestar writes Optional[...] that way).
    bounds = {k: v for k, v in schema.items() if k in ("maxLength", "maxItems", "maxProperties")}
    for key in ("oneOf", "anyOf", "allOf"):
        for option in schema.get(key, []):
            found += _unbounded({**bounds, **option} if "$ref" not in option else option, components, where, seen)
    kind = schema.get("type")
    kinds = kind if isinstance(kind, list) else [kind]
    if "string" in kinds and not ({"enum", "const", "maxLength"} & schema.keys()) and \
            schema.get("format") not in ("uuid", "date", "date-time", "time", "duration", "binary"):
        found.append(f"{where}: a string without maxLength")
    if "array" in kinds:
        if "maxItems" not in schema:
            found.append(f"{where}: a list without maxItems")
        # Litestar's document leaves out bounds on a list's items (msgspec still enforces them:
        # see test_what_the_document_cannot_say_is_enforced_all_the_same).
    if "object" in kinds:
        for name, sub in schema.get("properties", {}).items():
            found += _unbounded(sub, components, f"{where}.{name}", seen)
        # (a mapping's size is likewise enforced but not written down: tested below)
    return found


def test_every_field_a_client_can_send_has_an_upper_bound(world: World) -> None:
    document = world.client.get("/schema/openapi.json").json()
    components = document.get("components", {}).get("schemas", {})
    problems: list[str] = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for parameter in operation.get("parameters", []):
                problems += _unbounded(parameter.get("schema", {}), components,
                                       f"{method.upper()} {path} ?{parameter['name']}", set())
            for media in operation.get("requestBody", {}).get("content", {}).values():
                problems += _unbounded(media.get("schema", {}), components, f"{method.upper()} {path} body", set())
    assert problems == [], "\n".join(problems)


def test_what_the_document_cannot_say_is_enforced_all_the_same(world: World) -> None:
    unit = str(world.hospital.unit)
    too_long_tag = {"name": "Zhou", "phone": "13900000001", "unit_id": unit, "languages": ["x" * 61]}
    answer = world.call("coord", "POST", "/api/v1/volunteers", json=too_long_tag)
    assert answer.status_code == 400 and "languages" in answer.json()["field"]
    too_many = world.call("coord", "POST", "/api/v1/volunteers", json=too_long_tag | {"languages": ["zh"] * 31})
    assert too_many.status_code == 400
    served = {f"type{i}": 1 for i in range(31)}
    shift = world.hospital.shift()
    answer = world.call("coord", "POST", f"/api/v1/shifts/{shift}/check-out",
                        json={"volunteer_id": str(world.volunteer), "served": served})
    assert answer.status_code == 400 and "served" in answer.json()["field"]


@pytest.mark.parametrize(("path", "query"), [("/api/v1/volunteers", "q=" + "3" * 101),
                                             ("/api/v1/volunteers", "status=" + "x" * 31)])
def test_long_query_strings_are_refused(world: World, path: str, query: str) -> None:
    answer = world.call("coord", "GET", f"{path}?{query}")
    assert answer.status_code == 400, answer.text
    assert answer.json()["field"] in ("q", "status")


def test_a_body_larger_than_the_limit_is_refused_before_it_is_read(world: World) -> None:
    body = b'{"name": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    answer = world.client.post("/api/v1/volunteers", content=body, headers={
        **world.headers("coord"), "Content-Type": "application/json"})
    assert answer.status_code == 413
    assert answer.json()["detail"]


def test_a_date_range_out_of_order_is_refused_naming_the_field(world: World) -> None:
    answer = world.call("auditor", "GET", "/api/v1/reports/tallies?from=2026-12-01&to=2026-11-01")
    assert answer.status_code == 400, answer.text
    assert answer.json()["field"] == "to"


@pytest.mark.parametrize(("query", "first", "last"), [("from=1899-01-01&to=2026-12-31", "2000-01-01", "2026-12-31"),
                                                      ("from=2026-01-01&to=9999-12-31", "2026-01-01", "2100-12-31")])
def test_days_outside_the_years_kept_are_read_as_their_edge(world: World, query: str, first: str, last: str) -> None:
    """Nothing is recorded before 2000 or after 2100, so a report asked from 1899 or to 9999 is
    the report of the years kept (said in its answer), not a refusal nor an overflow."""
    answer = world.call("auditor", "GET", f"/api/v1/reports/tallies?{query}")
    assert answer.status_code == 200, answer.text
    assert (answer.json()["from"], answer.json()["to"]) == (first, last)
    assert world.call("coord", "GET", "/api/v1/shifts?from=9999-12-01&to=9999-12-31").json() == []


def test_lists_of_rows_are_asked_for_a_year_at_a_time(world: World) -> None:
    assert world.call("coord", "GET", "/api/v1/shifts?from=2026-01-01&to=2026-12-31").status_code == 200
    answer = world.call("coord", "GET", "/api/v1/shifts?from=2024-01-01&to=2026-12-31")
    assert answer.status_code == 400 and "at most 366 days" in answer.json()["detail"]
