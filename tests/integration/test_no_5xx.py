"""Requests that answered 500 once, and every OPTIONS: the server answers each in words, 2xx or 4xx."""

from __future__ import annotations

import re

import pytest

from tests.integration.conftest import World

ANY_ID = "00000000-0000-4000-8000-000000000000"
ROLES = [None, "admin", "coord", "li", "kiosk", "sw", "auditor"]


def test_options_says_every_method_the_document_has_for_each_path_for_anyone(world: World) -> None:
    document = world.client.get("/schema/openapi.json").json()
    for path, operations in document["paths"].items():
        concrete = re.sub(r"\{[^}]+\}", ANY_ID, path)
        if "{" in path and any(p.get("schema", {}).get("type") == "integer" for op in operations.values()
                               if isinstance(op, dict) for p in op.get("parameters", [])):
            concrete = re.sub(r"\{[^}]+\}", "1", path)
        declared = {method.upper() for method in operations if method in ("get", "post", "put", "patch", "delete")}
        for who in ("admin", None):
            answer = world.call(who, "OPTIONS", concrete)
            assert answer.status_code == 204, (path, who, answer.status_code, answer.text[:200])
            allowed = {m.strip() for m in answer.headers["allow"].split(",")}
            assert declared <= allowed and "OPTIONS" in allowed, (path, declared, allowed)


@pytest.mark.parametrize("who", ROLES)
def test_options_on_the_trainings_routes_for_every_role(world: World, who: str | None) -> None:
    for path in ("/api/v1/trainings", f"/api/v1/trainings/{ANY_ID}/enrolments", f"/api/v1/trainings/{ANY_ID}/results"):
        answer = world.call(who, "OPTIONS", path)
        assert answer.status_code == 204 and "POST" in answer.headers["allow"], (path, who, answer.status_code)


@pytest.mark.parametrize("after", ["-117928495930422493184", str(2**70), "-1"])
def test_an_audit_position_out_of_range_is_a_400(world: World, after: str) -> None:
    answer = world.call("auditor", "GET", f"/api/v1/audit?after={after}")
    assert answer.status_code == 400 and "after" in answer.text


def test_json_nested_5000_deep_is_a_400(world: World) -> None:
    answer = world.call("admin", "POST", "/api/v1/units", content="[" * 5000 + "]" * 5000,
                        headers={"content-type": "application/json"})
    assert answer.status_code == 400 and answer.json()["field"] == "body"


def test_a_calendar_feed_with_a_non_ascii_signature_is_not_found(world: World) -> None:
    from urllib.parse import urlsplit

    path = urlsplit(world.call("li", "GET", "/api/v1/calendar/links").json()["feeds"][0]["url"]).path
    assert world.client.get(path).status_code == 200  # the real one
    answer = world.client.get(path.rsplit("/", 1)[0] + "/%E4%BD%A0%E5%A5%BD.ics")
    assert answer.status_code in (403, 404), answer.status_code


def test_a_nul_byte_in_a_path_is_not_found(world: World) -> None:
    assert world.client.get("/static/app.js%00").status_code == 404
    assert world.client.get("/api/v1/units%00").status_code == 404


def test_a_path_containing_an_exempt_word_still_needs_a_login(world: World) -> None:
    world.client.cookies.clear()
    page = world.client.get("/volunteers/import/login", follow_redirects=False)
    assert page.status_code in (303, 404) and page.headers.get("location", "/login").startswith("/login")
    for path in ("/api/v1/volunteers/login", "/api/v1/shifts/static", "/api/v1/units/metrics"):
        answer = world.client.get(path)
        assert answer.status_code in (401, 404), (path, answer.status_code)
        assert answer.status_code != 200


def test_an_idempotency_key_belongs_to_its_own_browser_session(world: World) -> None:
    """Two coordinators' browsers (cookie sessions, no Authorization header) send the same key and
    body: the second is a request of its own (refused for the other unit), not the first's answer."""
    from tests.integration.conftest import login_token
    from web.security import csrf_token

    answers = []
    for username in ("coord", "other_coord"):
        world.client.cookies.clear()
        login = world.client.post("/login", data={"username": username, "password": "correct horse battery",
                                                  **login_token(world.client)}, follow_redirects=False)
        cookie = login.cookies["token"]
        world.client.cookies.set("token", cookie)
        answers.append(world.client.post(
            "/api/v1/volunteers", headers={"Idempotency-Key": "the-same-key",
                                           "x-csrf-token": csrf_token(world.client.app.state.signing_secret, cookie)},
            json={"name": "Qian Li", "phone": "13900001111", "unit_id": str(world.hospital.unit)}))
    world.client.cookies.clear()
    assert answers[0].status_code == 201, answers[0].text
    assert answers[1].status_code == 403, answers[1].text  # not the first browser's kept 201


def test_what_is_shown_to_one_person_is_never_cached(world: World) -> None:
    for who, path in (("coord", f"/api/v1/volunteers/{world.volunteer}"), ("coord", "/api/v1/volunteers"),
                      ("coord", "/api/v1/exports/hours?from=2026-01-01&to=2026-12-31"),
                      ("sw", "/api/v1/sessions")):
        answer = world.call(who, "GET", path)
        assert answer.status_code == 200, (path, answer.status_code)
        assert answer.headers["cache-control"] == "no-store", path
    assert "no-store" not in world.client.get("/static/app.css").headers.get("cache-control", "")


def test_every_answer_is_counted_in_the_metrics_refusals_and_not_found_too(world: World) -> None:
    assert world.client.get("/api/v1/volunteers").status_code == 401  # refused by authentication
    assert world.client.get("/api/v1/no-such-thing").status_code == 404  # no route at all
    metrics = world.client.get("/metrics").text
    assert re.search(r'careledger_request_duration_seconds_count\{method="GET",path="/api/v1/volunteers",'
                     r'status_code="401"\} [1-9]', metrics), "a 401 is counted"
    assert re.search(r'careledger_request_duration_seconds_count\{method="GET",path="unmatched",'
                     r'status_code="404"\} [1-9]', metrics), "a 404 is counted"


def test_made_up_methods_share_one_metrics_label(world: World) -> None:
    """Each label value is a series kept for ever: a scanner sending 500 made-up verbs must not
    make 500 of them."""
    for n in range(30):
        assert world.client.request(f"BREW{n}", "/api/v1/units").status_code < 500
    metrics = world.client.get("/metrics").text
    assert "BREW" not in metrics
    assert re.search(r'careledger_request_duration_seconds_count\{method="OTHER",path="[^"]+",'
                     r'status_code="405"\} 30', metrics), metrics[-2000:]
