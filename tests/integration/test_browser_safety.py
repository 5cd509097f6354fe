"""What protects a browser session: form tokens against cross-site posts, and security headers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.integration.conftest import World
from tests.integration.test_ui_pages import form_token, log_in

TEMPLATES = Path(__file__).resolve().parents[2] / "web" / "templates"


def test_a_form_posted_without_the_pages_token_is_refused_and_changes_nothing(world: World) -> None:
    log_in(world, "coord")
    before = world.ledger.position
    for forged in ({}, {"_csrf": "0" * 40}):
        answer = world.client.post(f"/volunteers/{world.volunteer}/suspend", data={"reason": "forged", **forged},
                                   follow_redirects=False)
        assert answer.status_code == 403
    assert world.ledger.position == before
    genuine = world.client.post(f"/volunteers/{world.volunteer}/suspend",
                                data={"reason": "asked to pause", "_csrf": form_token(world)}, follow_redirects=False)
    assert genuine.status_code == 303 and world.ledger.position > before


def test_a_token_from_another_session_does_not_fit(world: World) -> None:
    log_in(world, "coord")
    theirs = form_token(world)
    log_in(world, "li")
    answer = world.client.post("/logout", data={"_csrf": theirs}, follow_redirects=False)
    assert answer.status_code == 403


def test_the_api_with_the_session_cookie_needs_the_token_header_but_bearer_clients_do_not(world: World) -> None:
    log_in(world, "coord")
    body = {"name": "Zhou Min", "phone": "13900000001", "unit_id": str(world.hospital.unit)}
    assert world.client.post("/api/v1/volunteers", json=body).status_code == 403
    assert world.client.post("/api/v1/volunteers", json=body,
                             headers={"X-CSRF-Token": form_token(world)}).status_code == 201
    world.client.cookies.clear()
    assert world.call("coord", "POST", "/api/v1/volunteers", json=body | {"phone": "13900000002"}).status_code == 201


@pytest.mark.parametrize("path", ["/login", "/api/v1/healthz", "/static/app.js", "/no-such-page"])
def test_every_answer_carries_the_security_headers(world: World, path: str) -> None:
    headers = world.client.get(path).headers
    policy = headers["content-security-policy"]
    script = re.search(r"script-src ([^;]*)", policy).group(1)
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script
    assert "frame-ancestors 'none'" in policy
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"


def test_no_page_has_inline_script_the_policy_would_block() -> None:
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), f"inline <script> in {template.name}"
        assert not re.search(r"\son[a-z]+\s*=", text), f"inline event handler in {template.name}"
        assert "javascript:" not in text, template.name
