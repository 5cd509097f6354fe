"""Tokens end when they should: on expiry, on a new password, on signing out, on suspension."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

from tests.integration.conftest import PASSWORD, World, login_token
from tests.integration.test_ui_pages import form_token


def _token(world: World, username: str, password: str = PASSWORD):
    return world.client.post("/api/v1/auth/token", json={"username": username, "password": password})


def _units(world: World, token: str):
    return world.client.get("/api/v1/units", headers={"Authorization": f"Bearer {token}"})


def test_a_new_password_voids_every_earlier_token_and_only_the_new_password_logs_in(world: World) -> None:
    phone, desktop = _token(world, "coord").json()["access_token"], _token(world, "coord").json()["access_token"]
    changed = world.client.post("/api/v1/auth/password", headers={"Authorization": f"Bearer {phone}"},
                                json={"current_password": PASSWORD, "new_password": "a brand new passphrase"})
    assert changed.status_code == 200, changed.text
    assert _units(world, phone).status_code == 401
    assert _units(world, desktop).status_code == 401
    assert _token(world, "coord").status_code == 401
    fresh = _token(world, "coord", "a brand new passphrase")
    assert fresh.status_code == 200 and _units(world, fresh.json()["access_token"]).status_code == 200


def test_a_password_change_needs_the_current_password_and_a_long_enough_new_one(world: World) -> None:
    wrong = world.call("li", "POST", "/api/v1/auth/password",
                       json={"current_password": "not it", "new_password": "a brand new passphrase"})
    assert wrong.status_code == 400 and wrong.json()["field"] == "current_password"
    short = world.call("li", "POST", "/api/v1/auth/password",
                       json={"current_password": PASSWORD, "new_password": "short"})
    assert short.status_code == 400 and short.json()["field"] == "new_password"
    assert world.call("li", "GET", "/api/v1/units").status_code == 200  # nothing changed


def test_signing_out_voids_the_token_everywhere(world: World) -> None:
    token, other_device = _token(world, "auditor").json()["access_token"], _token(world, "auditor").json()["access_token"]
    assert world.client.post("/api/v1/auth/sign-out", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert _units(world, token).status_code == 401 and _units(world, other_device).status_code == 401
    assert _units(world, _token(world, "auditor").json()["access_token"]).status_code == 200


def test_signing_out_one_session_leaves_the_accounts_other_devices_signed_in(world: World) -> None:
    desk, phone = _token(world, "coord").json()["access_token"], _token(world, "coord").json()["access_token"]
    ended = world.client.post("/api/v1/auth/sign-out", params={"scope": "session"},
                              headers={"Authorization": f"Bearer {desk}"})
    assert ended.status_code == 200 and ended.json() == {"signed_out": True, "scope": "session"}
    assert _units(world, desk).status_code == 401
    assert _units(world, phone).status_code == 200
    assert world.client.post("/api/v1/auth/sign-out", params={"scope": "nowhere"},
                             headers={"Authorization": f"Bearer {phone}"}).status_code == 400
    # Each sign-out is kept only until its token would have expired anyway: the account stays small.
    for _ in range(3):
        token = _token(world, "coord").json()["access_token"]
        world.client.post("/api/v1/auth/sign-out", params={"scope": "session"},
                          headers={"Authorization": f"Bearer {token}"})
    account = world.ledger.find_account("coord")
    assert len(account.ended_sessions) == 4
    # (tokens expire by the real clock: the ledger's is moved past that)
    world.ledger.clock.set(datetime.now(timezone.utc) + timedelta(minutes=world.client.app.state.settings.token_minutes + 1))
    world.ledger.end_session(account.id, "a-later-session", world.ledger.clock.now() + timedelta(hours=8), "coord")
    assert list(world.ledger.find_account("coord").ended_sessions) == ["a-later-session"]


def test_a_suspended_account_is_refused_at_once_and_cannot_log_in(world: World) -> None:
    token = _token(world, "kiosk").json()["access_token"]
    account = world.ledger.find_account("kiosk").id
    assert world.call("admin", "POST", f"/api/v1/accounts/{account}/disable").status_code == 200
    assert _units(world, token).status_code == 401
    assert _token(world, "kiosk").status_code == 401
    enabled = world.call("admin", "POST", f"/api/v1/accounts/{account}/enable")
    assert enabled.status_code == 200 and enabled.json()["disabled"] is False
    assert _units(world, token).status_code == 401  # what it held before its suspension stays void
    fresh = _token(world, "kiosk")
    assert fresh.status_code == 200 and _units(world, fresh.json()["access_token"]).status_code == 200


def test_an_admin_moves_a_coordinator_to_other_units_and_what_it_may_touch_follows(world: World) -> None:
    coord = world.ledger.find_account("coord").id
    moved = world.call("admin", "POST", f"/api/v1/accounts/{coord}/units", json={"unit_ids": [str(world.other_unit)]})
    assert moved.status_code == 200, moved.text
    assert world.call("coord", "GET", f"/api/v1/volunteers/{world.volunteer}").status_code == 403
    refused = world.call("admin", "POST", f"/api/v1/accounts/{coord}/units", json={"unit_ids": []})
    assert refused.status_code == 400 and refused.json()["field"] == "unit_ids"
    auditor = world.ledger.find_account("auditor").id
    city = world.call("admin", "POST", f"/api/v1/accounts/{auditor}/units", json={"unit_ids": [str(world.other_unit)]})
    assert city.status_code == 400 and "whole city" in city.text
    world.settle()
    from projections import directory
    [row] = [a for a in directory.accounts(world.client.app.state.reader()) if a["username"] == "coord"]
    assert row["unit_ids"] == [str(world.other_unit)]


def test_a_username_is_letters_digits_and_a_little_punctuation(world: World) -> None:
    for bad in ("ward nurse", "li;drop", "<b>"):
        answer = world.call("admin", "POST", "/api/v1/accounts", json={"username": bad, "password": PASSWORD,
                                                                       "role": "auditor"})
        assert answer.status_code == 400 and answer.json()["field"] == "username", bad
    for good in ("li.wei@ruijin", "王芳", "desk-2_b"):
        answer = world.call("admin", "POST", "/api/v1/accounts", json={"username": good, "password": PASSWORD,
                                                                       "role": "auditor"})
        assert answer.status_code == 201, answer.text


def test_an_expired_token_is_refused(world: World) -> None:
    account = world.ledger.find_account("auditor")
    token = world.client.app.state.jwt.create_token(
        identifier=str(account.id), token_expiration=timedelta(seconds=1),
        token_extras={"sessions_ended": account.sessions_ended})
    assert _units(world, token).status_code == 200
    time.sleep(1.2)
    assert _units(world, token).status_code == 401


def _browser_session(world: World) -> str:
    world.client.cookies.clear()
    login = world.client.post("/login", data={"username": "coord", "password": PASSWORD, **login_token(world.client)},
                              follow_redirects=False)
    cookie = login.cookies.get("token") or world.client.cookies.get("token")
    assert cookie
    world.client.cookies.set("token", cookie)
    return cookie


def test_logging_out_of_the_browser_ends_its_session_and_on_every_device_all_of_them(world: World) -> None:
    phone = _token(world, "coord").json()["access_token"]
    cookie = _browser_session(world)
    assert world.client.post("/logout", data={"_csrf": form_token(world)}, follow_redirects=False).status_code == 303
    world.client.cookies.clear()
    assert _units(world, cookie).status_code == 401  # the copied cookie is worthless now
    assert _units(world, phone).status_code == 200  # the phone stays signed in
    cookie = _browser_session(world)
    assert "on every device" in world.client.get("/shifts").text
    everywhere = world.client.post("/logout", params={"everywhere": "true"}, data={"_csrf": form_token(world)},
                                   follow_redirects=False)
    assert everywhere.status_code == 303
    world.client.cookies.clear()
    assert _units(world, cookie).status_code == 401 and _units(world, phone).status_code == 401
