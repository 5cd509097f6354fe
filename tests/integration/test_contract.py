"""The rest of the contract: trainings, sessions, idempotent retries, the OpenAPI document."""

from __future__ import annotations

import re

from openapi_spec_validator import validate

from tests.integration.conftest import World

# The resources table of the HTTP contract (shared/API.md), method and path as written there.
CONTRACT = [
    ("POST", "/units"),
    ("GET", "/units"),
    ("POST", "/accounts"),
    ("POST", "/volunteers"),
    ("POST", "/volunteers/{id}/approve"),
    ("POST", "/volunteers/{id}/suspend"),
    ("GET", "/volunteers/{id}"),
    ("GET", "/volunteers"),
    ("GET", "/volunteers/{id}/hours"),
    ("POST", "/trainings"),
    ("POST", "/trainings/{id}/enrolments"),
    ("POST", "/trainings/{id}/results"),
    ("POST", "/shifts"),
    ("GET", "/shifts"),
    ("GET", "/shifts/{id}"),
    ("POST", "/shifts/{id}/signups"),
    ("DELETE", "/shifts/{id}/signups/{volunteer_id}"),
    ("POST", "/shifts/{id}/check-in"),
    ("POST", "/shifts/{id}/check-out"),
    ("POST", "/shifts/{id}/no-show"),
    ("POST", "/shifts/{id}/cancel"),
    ("POST", "/sessions"),
    ("GET", "/sessions/{id}"),
    ("GET", "/sessions"),
    ("GET", "/reports/tallies"),
    ("GET", "/audit"),
    ("GET", "/healthz"),
]


def test_passing_a_training_over_http_grants_its_qualification(world: World) -> None:
    created = world.call("coord", "POST", "/api/v1/trainings", json={
        "title": "手语培训", "kind": "sign_language", "unit_id": str(world.hospital.unit),
        "starts_at": "2026-11-10T14:00:00+08:00", "ends_at": "2026-11-10T17:00:00+08:00", "capacity": 1,
        "validity_days": 730})
    assert created.status_code == 201
    training = created.json()["id"]
    me = str(world.volunteer)
    assert world.call("coord", "POST", f"/api/v1/trainings/{training}/enrolments",
                      json={"volunteer_id": me}).status_code == 201
    full = world.call("coord", "POST", f"/api/v1/trainings/{training}/enrolments",
                      json={"volunteer_id": str(world.other_volunteer)})
    assert full.status_code == 409 and full.json()["reason"] == "training_full"
    result = world.call("coord", "POST", f"/api/v1/trainings/{training}/results",
                        json={"volunteer_id": me, "passed": True, "score": 91})
    assert result.status_code == 200 and result.json()["qualification"] == "sign_language"
    profile = world.call("li", "GET", f"/api/v1/volunteers/{me}",
                         params={"min_position": result.headers["X-CareLedger-Position"]}).json()
    assert {q["kind"]: q["valid_until"] for q in profile["qualifications"]}["sign_language"] == "2028-11-09"
    bad = world.call("coord", "POST", "/api/v1/trainings", json={
        "title": "x", "kind": "juggling", "unit_id": str(world.hospital.unit),
        "starts_at": "2026-11-10T14:00:00+08:00", "ends_at": "2026-11-10T17:00:00+08:00", "capacity": 1})
    assert bad.status_code == 400 and "kind" in bad.json()["detail"]


def test_a_session_stores_a_pseudonym_and_shows_notes_only_to_its_author(world: World) -> None:
    body = {"unit_id": str(world.hospital.unit), "patient_id": "MRN-004211", "service_type": "psychological_support",
            "mode": "individual", "started_at": "2026-11-23T08:00:00+08:00", "minutes": 45,
            "notes": "Worried about the cost of surgery."}
    logged = world.call("sw", "POST", "/api/v1/sessions", json=body)
    assert logged.status_code == 201
    session, ref = logged.json()["id"], logged.json()["patient_ref"]
    assert ref.startswith("pr_") and "004211" not in ref
    again = world.call("sw", "POST", "/api/v1/sessions", json=body | {"notes": None})
    assert again.json()["patient_ref"] == ref  # the same patient, the same pseudonym
    position = again.headers["X-CareLedger-Position"]
    mine = world.call("sw", "GET", f"/api/v1/sessions/{session}", params={"min_position": position}).json()
    assert mine["notes"] == "Worried about the cost of surgery." and mine["patient_ref"] == ref
    world.ledger.open_account("sw2", world.ledger.find_account("sw").password_hash, "social_worker",
                              [world.hospital.unit], None, "admin")
    theirs = world.call("sw2", "GET", f"/api/v1/sessions/{session}").json()
    assert "notes" not in theirs
    listed = world.call("coord", "GET", "/api/v1/sessions", params={"min_position": position}).json()
    assert len(listed) == 2 and all("notes" not in s for s in listed)
    raw = b"".join(n.state for n in world.ledger.recorder.select_notifications(1, 100_000))
    assert b"MRN-004211" not in raw  # the hospital's id is stored nowhere


def test_a_retried_write_with_the_same_idempotency_key_records_nothing_new(world: World) -> None:
    body = {"unit_id": str(world.hospital.unit), "post": "desk", "starts_at": "2026-12-01T08:00:00+08:00",
            "ends_at": "2026-12-01T12:00:00+08:00", "capacity": 2}
    headers = {**world.headers("coord"), "Idempotency-Key": "a1b2c3"}
    first = world.client.post("/api/v1/shifts", json=body, headers=headers)
    before = world.ledger.position
    retry = world.client.post("/api/v1/shifts", json=body, headers=headers)
    assert retry.status_code == 201 and retry.json() == first.json()
    assert retry.headers["X-CareLedger-Position"] == first.headers["X-CareLedger-Position"]
    assert world.ledger.position == before
    reused = world.client.post("/api/v1/shifts", json=body | {"capacity": 3}, headers=headers)
    assert reused.status_code == 422 and reused.json()["reason"] == "idempotency_key_reused"
    other = world.client.post("/api/v1/shifts", json=body, headers={**headers, "Idempotency-Key": "d4e5f6"})
    assert other.status_code == 201 and other.json()["id"] != first.json()["id"]


def test_the_openapi_document_validates_and_holds_every_path_of_the_contract(world: World) -> None:
    document = world.client.get("/schema/openapi.json").json()
    validate(document)
    documented = {(method.upper(), re.sub(r"\{[^}]+\}", "{id}", path.replace("/api/v1", "")))
                  for path, item in document["paths"].items() for method in item if method != "parameters"}
    contract = {(method, re.sub(r"\{[^}]+\}", "{id}", path)) for method, path in CONTRACT}
    assert contract - documented == set()
    reference = world.client.get("/schema")
    assert reference.status_code == 200 and "/static/docs/swagger-ui-bundle.js" in reference.text


def test_the_document_says_what_the_server_enforces(world: World) -> None:
    document = world.client.get("/schema/openapi.json").json()
    schemas = document["components"]["schemas"]
    assert schemas["NewSeries"]["properties"]["start_time"]["format"] == "time"  # a time of day, not a duration
    assert schemas["NewSeries"]["properties"]["end_time"]["format"] == "time"
    assert schemas["Login"]["additionalProperties"] is False  # unknown fields are refused, and said to be
    public = {(method, path) for path, item in document["paths"].items() for method, operation in item.items()
              if isinstance(operation, dict) and operation.get("security") == []}
    assert ("post", "/api/v1/auth/token") in public and ("get", "/api/v1/healthz") in public
    assert not any(path.startswith("/api/v1/volunteers") for _, path in public)


def _resolved(document: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def test_every_answer_is_documented_as_it_is_sent(world: World) -> None:
    """Each operation's success has its real schema (no bare `{}` or untyped object), a 204 has
    no body, every 429 and 503 requires Retry-After, and each bound the server enforces is in
    the document: on a list's items, a map's values, an optional number, a query parameter."""
    document = world.client.get("/schema/openapi.json").json()
    untyped = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if not path.startswith("/api/") or not isinstance(operation, dict):
                continue
            for code, answer in operation["responses"].items():
                if code == "204":
                    assert "content" not in answer, (method, path)
                if code in ("429", "503") and path != "/api/v1/healthz":
                    assert answer["headers"]["Retry-After"]["required"] is True, (method, path, code)
                json_body = answer.get("content", {}).get("application/json")
                if code.startswith("2") and json_body is not None:
                    shown = json_body["schema"]
                    shown = _resolved(document, shown.get("items", shown))
                    if not shown.get("properties"):
                        untyped.append(f"{method.upper()} {path} {code}")
    assert untyped == []
    schemas = document["components"]["schemas"]
    assert schemas["NewShift"]["properties"]["requires"]["items"]["minLength"] == 1  # an item's bound
    assert schemas["CheckOut"]["properties"]["served"]["additionalProperties"]["maximum"] == 10_000  # a map's values
    assert schemas["CheckOutReview"]["properties"]["minutes"]["anyOf"][0]["minimum"] == 0  # an optional number
    assert schemas["NewShift"]["properties"]["starts_at"]["format"] == "date-time"
    assert schemas["Shift"]["required"] == ["id", "unit_id", "post", "starts_at", "ends_at", "capacity", "filled",
                                            "cancelled", "requires"]
    positions = [p["schema"] for p in document["paths"]["/api/v1/units"]["get"]["parameters"]
                 if p["name"] == "min_position"]
    assert positions[0]["oneOf"][0] == {"type": "integer", "minimum": 0, "maximum": 2**53 - 1}
