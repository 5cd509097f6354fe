"""The HTTP contract of API.md: a day driven over HTTP, errors in words, roles enforced."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from tests.conftest import CST
from tests.integration.conftest import World

MONDAY_8 = datetime(2026, 11, 24, 8, tzinfo=CST)


def schedule(world: World, capacity: int = 3, user: str = "coord") -> str:
    answer = world.call(user, "POST", "/api/v1/shifts", json={
        "unit_id": str(world.hospital.unit), "post": "guidance desk", "starts_at": MONDAY_8.isoformat(),
        "ends_at": (MONDAY_8 + timedelta(hours=4)).isoformat(), "capacity": capacity})
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


def test_a_whole_day_over_http_with_read_your_writes(world: World, clock) -> None:
    shift = schedule(world)
    me = str(world.volunteer)
    signed = world.call("li", "POST", f"/api/v1/shifts/{shift}/signups", json={"volunteer_id": me})
    assert signed.status_code == 201 and int(signed.headers["X-CareLedger-Position"]) > 0
    position = signed.headers["X-CareLedger-Position"]
    seen = world.call("coord", "GET", f"/api/v1/shifts/{shift}", params={"min_position": position}).json()
    assert seen["filled"] == 1 and seen["roster"][0]["name"] == "Li Wei"
    assert seen["roster"][0]["state"] == "signed_up"
    clock.set(MONDAY_8 - timedelta(minutes=10))
    checked_in = world.call("kiosk", "POST", f"/api/v1/shifts/{shift}/check-in", json={"volunteer_id": me})
    assert checked_in.status_code == 200
    assert checked_in.json()["checked_in_at"].startswith("2026-11-24T07:50:00")
    again = world.call("kiosk", "POST", f"/api/v1/shifts/{shift}/check-in", json={"volunteer_id": me})
    assert again.json() == checked_in.json()
    clock.set(MONDAY_8 + timedelta(hours=4))
    out = world.call("li", "POST", f"/api/v1/shifts/{shift}/check-out",
                     json={"volunteer_id": me, "served": {"guidance": 42, "communication": 3}})
    assert out.status_code == 200 and out.json() == {"minutes": 240}
    after = out.headers["X-CareLedger-Position"]
    report = world.call("auditor", "GET", "/api/v1/reports/tallies",
                        params={"from": "2026-11-01", "to": "2026-11-30", "min_position": after}).json()
    assert report["total_person_times"] == 45 and report["by"] == "service_type"
    hours = world.call("li", "GET", f"/api/v1/volunteers/{me}/hours", params={"min_position": after}).json()
    assert (hours["minutes"], hours["shifts"], hours["no_shows"]) == (240, 1, 0)


def test_a_broken_rule_is_a_problem_with_a_reason_in_words(world: World) -> None:
    shift = schedule(world, capacity=1)
    world.call("coord", "POST", f"/api/v1/shifts/{shift}/signups", json={"volunteer_id": str(world.volunteer)})
    full = world.call("coord", "POST", f"/api/v1/shifts/{shift}/signups",
                      json={"volunteer_id": str(world.other_volunteer)})
    assert full.status_code == 409 and full.headers["content-type"].startswith("application/problem+json")
    assert full.json()["reason"] == "shift_full" and full.json()["detail"] == "This shift is full."
    untrained = world.hospital.volunteer("Zhao Min", trained=False)
    other = schedule(world)
    refused = world.call("coord", "POST", f"/api/v1/shifts/{other}/signups", json={"volunteer_id": str(untrained)})
    assert refused.status_code == 422 and refused.json()["reason"] == "not_qualified"


def test_bad_input_names_the_field(world: World) -> None:
    unknown = world.call("coord", "POST", "/api/v1/shifts", json={
        "unit_id": str(world.hospital.unit), "post": "desk", "starts_at": MONDAY_8.isoformat(),
        "ends_at": MONDAY_8.isoformat(), "capacity": 2, "colour": "red"})
    assert unknown.status_code == 400 and "colour" in unknown.json()["detail"]
    backwards = world.call("coord", "POST", "/api/v1/shifts", json={
        "unit_id": str(world.hospital.unit), "post": "desk", "starts_at": MONDAY_8.isoformat(),
        "ends_at": (MONDAY_8 - timedelta(hours=1)).isoformat(), "capacity": 2})
    assert backwards.status_code == 400 and backwards.json()["field"] == "ends_at"
    zero = world.call("coord", "POST", "/api/v1/shifts", json={
        "unit_id": str(world.hospital.unit), "post": "desk", "starts_at": MONDAY_8.isoformat(),
        "ends_at": (MONDAY_8 + timedelta(hours=1)).isoformat(), "capacity": 0})
    assert zero.status_code == 400 and "capacity" in zero.json()["detail"]
    missing = world.call("coord", "GET", "/api/v1/shifts/00000000-0000-4000-8000-000000000000")
    assert missing.status_code == 404


def test_each_acts_only_for_its_units_or_itself(world: World) -> None:
    shift = schedule(world)
    other_unit = world.call("other_coord", "POST", f"/api/v1/shifts/{shift}/signups",
                            json={"volunteer_id": str(world.volunteer)})
    assert other_unit.status_code == 403
    for_someone_else = world.call("li", "POST", f"/api/v1/shifts/{shift}/signups",
                                  json={"volunteer_id": str(world.other_volunteer)})
    assert for_someone_else.status_code == 403
    their_hours = world.call("li", "GET", f"/api/v1/volunteers/{world.other_volunteer}/hours")
    assert their_hours.status_code == 403
    assert world.call(None, "GET", "/api/v1/units").status_code == 401


def test_wrong_passwords_are_refused_then_throttled(world: World) -> None:
    for _ in range(5):
        wrong = world.client.post("/api/v1/auth/token", json={"username": "coord", "password": "guess"})
        assert wrong.status_code == 401
    throttled = world.client.post("/api/v1/auth/token", json={"username": "coord", "password": "guess"})
    assert throttled.status_code == 429 and int(throttled.headers["Retry-After"]) > 0


def test_eleven_clients_race_for_ten_places_and_exactly_ten_win(world: World) -> None:
    shift = schedule(world, capacity=10)
    volunteers = [world.hospital.volunteer(f"Racer {i}") for i in range(11)]
    world.headers("coord")
    start, statuses = threading.Barrier(11), []

    def take(volunteer) -> None:
        start.wait()
        statuses.append(world.call("coord", "POST", f"/api/v1/shifts/{shift}/signups",
                                   json={"volunteer_id": str(volunteer)}).status_code)

    threads = [threading.Thread(target=take, args=(v,)) for v in volunteers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(statuses) == [201] * 10 + [409]


def test_a_read_waits_for_a_position_and_gives_up_with_503(world: World, tmp_path) -> None:
    import sqlite3

    blocker = sqlite3.connect(world.client.app.state.store.path, isolation_level=None, timeout=0.1)
    blocker.execute("BEGIN IMMEDIATE")  # the read models cannot move on while this is held
    try:
        position = world.ledger.register_unit("Longhua Hospital", "Xuhui", "admin").position
        late = world.call("coord", "GET", "/api/v1/units", params={"min_position": position})
        assert late.status_code == 503 and late.headers["Retry-After"] == "1"
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert world.call("coord", "GET", "/api/v1/units", params={"min_position": position}).status_code == 200
    beyond = world.call("coord", "GET", "/api/v1/units", params={"min_position": 10**9})
    assert beyond.status_code == 503 and beyond.headers["Retry-After"] == "1"  # as API.md says
    assert "No write has reached position 1000000000" in beyond.json()["detail"]


def test_health_reports_each_read_model_and_its_lag(world: World) -> None:
    health = world.client.get("/api/v1/healthz").json()
    assert health["status"] == "ok" and set(health["projections"]) >= {"roster", "hours", "tallies"}


def test_the_openapi_document_describes_the_api(world: World) -> None:
    document = world.client.get("/schema/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    for path in ("/api/v1/units", "/api/v1/accounts", "/api/v1/volunteers", "/api/v1/volunteers/{volunteer_id}",
                 "/api/v1/shifts", "/api/v1/shifts/{shift_id}/signups", "/api/v1/shifts/{shift_id}/check-in",
                 "/api/v1/shifts/{shift_id}/check-out", "/api/v1/reports/tallies", "/api/v1/audit",
                 "/api/v1/healthz", "/api/v1/auth/token"):
        assert path in document["paths"], path


def test_a_shift_written_in_utc_counts_on_the_programmes_local_day(world: World, clock) -> None:
    # 07:00 in Shanghai is 23:00 UTC the evening before.
    answer = world.call("coord", "POST", "/api/v1/shifts", json={
        "unit_id": str(world.hospital.unit), "post": "guidance desk", "starts_at": "2026-11-23T23:00:00Z",
        "ends_at": "2026-11-24T03:00:00Z", "capacity": 1})
    listed = world.call("coord", "GET", "/api/v1/shifts", params={
        "from": "2026-11-24", "to": "2026-11-24", "min_position": answer.headers["X-CareLedger-Position"]}).json()
    assert [s["id"] for s in listed] == [answer.json()["id"]]
    shown = world.call("coord", "GET", f"/api/v1/shifts/{answer.json()['id']}").json()
    assert shown["day"] == "2026-11-24"


def test_a_volunteer_is_invited_over_the_api_and_sets_up_a_login_once(world: World) -> None:
    invited = world.call("coord", "POST", f"/api/v1/volunteers/{world.volunteer}/invitations")
    assert invited.status_code == 201, invited.text
    code = invited.json()["code"]
    assert invited.json()["join_url"] == f"/join/{code}" and code not in str(world.ledger.get_volunteer(world.volunteer).__dict__)
    body = {"code": code, "username": "li-own", "password": "a long passphrase"}
    opened = world.client.post("/api/v1/invitations/accept", json=body)
    assert opened.status_code == 201 and opened.json()["role"] == "volunteer", opened.text
    again = world.client.post("/api/v1/invitations/accept", json=body | {"username": "li-other"})
    assert again.status_code == 422 and again.json()["reason"] == "invitation_invalid"
    token = world.client.post("/api/v1/auth/token", json={"username": "li-own", "password": "a long passphrase"})
    assert token.status_code == 200 and token.json()["volunteer_id"] == str(world.volunteer)


def test_an_invitation_sent_by_sms_reaches_the_volunteer_and_the_log_keeps_its_code_sealed(world: World) -> None:
    from tests.sms_hook import SENT, send
    from web.jobs.mailroom import Postman, deliver

    commands = world.client.app.state.commands
    invited = world.call("coord", "POST", f"/api/v1/volunteers/{world.volunteer}/invitations").json()
    nowhere = world.call("coord", "POST", "/api/v1/invitations/send", json={"code": invited["code"]})
    assert nowhere.status_code == 422 and nowhere.json()["reason"] == "unreachable"  # no channel set up
    commands.postman = Postman(None, send)
    stranger = world.call("other_coord", "POST", "/api/v1/invitations/send", json={"code": invited["code"]})
    assert stranger.status_code == 403
    posted = world.call("coord", "POST", "/api/v1/invitations/send", json={"code": invited["code"]})
    assert posted.status_code == 202 and posted.json()["channel"] == "sms", posted.text
    again = world.call("coord", "POST", "/api/v1/invitations/send", json={"code": invited["code"]})
    assert again.status_code == 409 and again.json()["reason"] == "invitation_sent"
    world.settle()
    SENT.clear()
    assert deliver(world.ledger, world.client.app.state.reader(), commands.postman, ZoneInfo("Asia/Shanghai")) == \
        {"sent": 1, "failed": 0}
    [(phone, text)] = SENT
    assert phone == world.ledger.get_volunteer(world.volunteer).phone
    assert invited["code"] in text and f"/join/{invited['code']}" in text
    world.settle()
    outbox = world.call("coord", "GET", "/api/v1/reports/notices", params={"min_position": world.ledger.position})
    [told] = [n for n in outbox.json() if n["kind"] == "invitation"]
    assert told["state"] == "sent" and invited["code"] not in str(told)
    code = invited["code"].replace("-", "")
    stored = [bytes(e.state) for e in world.ledger.recorder.select_events(UUID(invited["id"]))]
    assert len(stored) == 2 and not any(code.encode() in state for state in stored)  # sealed with Li's key
    body = {"code": invited["code"], "username": "li-texted", "password": "a long passphrase"}
    assert world.client.post("/api/v1/invitations/accept", json=body).status_code == 201


def test_an_invitation_past_its_day_is_not_sent_and_a_failed_send_records_no_words_of_the_gateway(
        world: World, clock) -> None:
    from web.jobs.mailroom import Postman, deliver

    commands = world.client.app.state.commands
    said: list[str] = []

    def gateway_down(phone: str, text: str) -> None:
        said.append(text)
        raise ConnectionError(f"gateway refused GET /send?to={phone}&text={text}")

    commands.postman = Postman(None, gateway_down)
    code = world.call("coord", "POST", f"/api/v1/volunteers/{world.volunteer}/invitations").json()["code"]
    assert world.call("coord", "POST", "/api/v1/invitations/send", json={"code": code}).status_code == 202
    world.settle()
    zone = ZoneInfo("Asia/Shanghai")
    assert deliver(world.ledger, world.client.app.state.reader(), commands.postman, zone) == {"sent": 0, "failed": 1}
    world.settle()
    [failed] = [n for n in world.call("coord", "GET", "/api/v1/reports/notices",
                                      params={"min_position": world.ledger.position}).json() if n["kind"] == "invitation"]
    assert failed["problem"] == "ConnectionError" and code.replace("-", "")[:4] not in str(failed)
    clock.advance(days=15)  # past its fourteen days: trying again tells nobody a dead code
    said.clear()
    assert deliver(world.ledger, world.client.app.state.reader(), commands.postman, zone)["sent"] == 0
    assert said == []
