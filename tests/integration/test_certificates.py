"""Service record certificates: numbered per unit, every issue an event, reprinted identically,
verified by anyone with the code, identity masked on screen; the national-system export."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from pathlib import Path
from uuid import UUID

import pytest

from domain.clock import FixedClock
from tests.conftest import CST
from tests.integration.conftest import World, nodes_on_postgres
from tests.integration.test_ui_pages import log_in, submit
from tests.scenario import COORDINATOR

ID = "11010519491231002X"  # a resident ID whose check digit is right


def serve(world: World, volunteer: UUID, day: int = 24, served: int = 12) -> None:
    """A four-hour shift served at the guidance desk, checked in and out."""
    starts = datetime(2026, 11, day, 8, tzinfo=CST)
    shift = world.hospital.shift(starts=starts)
    world.ledger.sign_up(shift, volunteer, COORDINATOR)
    world.ledger.clock.set(starts - timedelta(minutes=5))
    world.ledger.check_in(shift, volunteer, "kiosk", COORDINATOR)
    world.ledger.clock.set(starts + timedelta(hours=4))
    world.ledger.check_out(shift, volunteer, {"guidance": served}, COORDINATOR)


def ready(world: World) -> None:
    unit = world.hospital.unit
    assert world.call("coord", "POST", f"/api/v1/units/{unit}/certificate-details",
                      json={"responsible_person": "王主任", "contact": "021-64370045"}).status_code == 200
    answer = world.call("coord", "POST", f"/api/v1/volunteers/{world.volunteer}/identity",
                        json={"id_type": "resident_id", "id_number": ID, "volunteer_number": "31010012345"})
    assert answer.status_code == 200 and answer.json()["id_number"] == "1101**********002X"


def issue(world: World, user: str = "li", volunteer: UUID | None = None, **period) -> dict:
    answer = world.call(user, "POST", f"/api/v1/volunteers/{volunteer or world.volunteer}/certificates",
                        json={"from": "2026-11-01", "to": "2026-11-30", **period})
    return {"status": answer.status_code, **answer.json()}


def test_a_volunteer_prints_a_numbered_certificate_and_its_reprint_is_the_same(world: World) -> None:
    ready(world)
    serve(world, world.volunteer)
    first = issue(world)
    assert first["status"] == 201, first
    assert first["number"] == "2026-000001" and len(first["verification_code"]) == 12
    shown = world.call("li", "GET", f"/api/v1/certificates/{first['id']}").json()
    assert shown["volunteer"]["name"] == "Li Wei" and shown["volunteer"]["id_number"] == "1101**********002X"
    assert shown["volunteer"]["id_type_name"] == "居民身份证" and shown["volunteer"]["volunteer_number"] == "31010012345"
    assert shown["unit"] == {"id": str(world.hospital.unit), "name": "Ruijin Hospital", "responsible_person": "王主任",
                             "contact": "021-64370045"}
    assert shown["handler"].startswith("自助")  # the volunteer printed it themself
    assert [(s["day"], s["place"], s["hours"]) for s in shown["services"]] == [("2026-11-24", "Ruijin Hospital", 4.0)]
    assert "guidance desk" in shown["services"][0]["content"] and "导医" in shown["services"][0]["content"]
    assert shown["total_hours"] == 4.0 and shown["issued_on"] == "2026-11-24"

    # More service and an hour correction later: the certificate issued stays what it was.
    serve(world, world.volunteer, day=25)
    again = world.call("coord", "GET", f"/api/v1/certificates/{first['id']}").json()
    assert again == shown
    second = issue(world, "coord", handler="Zhang Min")
    assert second["number"] == "2026-000002"
    assert world.call("coord", "GET", f"/api/v1/certificates/{second['id']}").json()["total_hours"] == 8.0
    listed = world.call("li", "GET", f"/api/v1/volunteers/{world.volunteer}/certificates",
                        params={"min_position": world.ledger.position}).json()
    assert [c["number"] for c in listed] == ["2026-000002", "2026-000001"]


def test_missing_details_are_named_and_use_no_number(world: World) -> None:
    serve(world, world.volunteer)
    no_details = issue(world)
    assert no_details["status"] == 422 and no_details["reason"] == "certificate_details_missing"
    world.call("coord", "POST", f"/api/v1/units/{world.hospital.unit}/certificate-details",
               json={"responsible_person": "王主任", "contact": "021-64370045"})
    no_identity = issue(world)
    assert no_identity["status"] == 422 and no_identity["reason"] == "identity_missing"
    bad = world.call("li", "POST", f"/api/v1/volunteers/{world.volunteer}/identity",
                     json={"id_type": "resident_id", "id_number": "110105194912310021"})
    assert bad.status_code == 400 and bad.json()["field"] == "id_number" and "check digit" in bad.json()["detail"]
    world.call("li", "POST", f"/api/v1/volunteers/{world.volunteer}/identity",
               json={"id_type": "resident_id", "id_number": ID})
    nothing = issue(world, **{"from": "2026-10-01", "to": "2026-10-31"})
    assert nothing["status"] == 400 and "nothing to certify" in nothing["detail"]
    assert issue(world)["number"] == "2026-000001"


def test_anyone_verifies_a_certificate_by_its_code_without_logging_in(world: World) -> None:
    ready(world)
    serve(world, world.volunteer)
    issued = issue(world)
    world.settle()
    world.client.cookies.clear()
    answer = world.client.get(f"/api/v1/certificates/verify/{issued['verification_code'].lower()}")
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"valid": True, "number": "2026-000001", "issued_on": "2026-11-24",
                             "unit": "Ruijin Hospital", "contact": "021-64370045", "from": "2026-11-01",
                             "to": "2026-11-30", "volunteer": "Li W.", "id_number": "1****************X",
                             "services": 1, "total_hours": 4.0}  # no region, no birth date, no gender digit
    assert world.client.get("/api/v1/certificates/verify/NOSUCHCODE99").status_code == 404
    page = world.client.get(issued["verify_url"])
    assert page.status_code == 200 and "This certificate is genuine." in page.text and ID not in page.text
    assert world.client.get("/verify", params={"code": issued["verification_code"]},
                            follow_redirects=True).url.path == issued["verify_url"]


def test_only_the_volunteer_and_their_units_coordinators_read_or_issue(world: World) -> None:
    ready(world)
    serve(world, world.volunteer)
    issued = issue(world)
    for user in ("other_coord", "kiosk", "sw", "auditor"):
        assert world.call(user, "GET", f"/api/v1/certificates/{issued['id']}").status_code == 403, user
    assert issue(world, volunteer=world.other_volunteer)["status"] == 403  # Li for Wang
    assert issue(world, "other_coord")["status"] == 403


def test_forgetting_the_volunteer_erases_them_from_their_certificates(world: World) -> None:
    ready(world)
    serve(world, world.volunteer)
    issued = issue(world)
    world.ledger.forget_volunteer(world.volunteer, "admin")
    world.settle()
    shown = world.call("coord", "GET", f"/api/v1/certificates/{issued['id']}").json()
    assert shown["volunteer"]["name"] == "[erased]" and shown["volunteer"]["id_number"] == "[erased]"
    assert shown["total_hours"] == 4.0  # the service stays
    world.settle()
    assert world.client.get(f"/api/v1/certificates/verify/{issued['verification_code']}").json()["volunteer"] == \
        "[erased]"


def test_two_issued_at_once_get_two_numbers(world: World) -> None:
    ready(world)
    serve(world, world.volunteer)
    start, numbers = threading.Barrier(2), []

    def go(user: str) -> None:
        headers = world.headers(user)
        start.wait()
        answer = world.client.post(f"/api/v1/volunteers/{world.volunteer}/certificates", headers=headers,
                                   json={"from": "2026-11-01", "to": "2026-11-30"})
        numbers.append(answer.json().get("number", answer.text))

    world.headers("li"), world.headers("coord")
    threads = [threading.Thread(target=go, args=(u,)) for u in ("li", "coord")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(numbers) == ["2026-000001", "2026-000002"]


def test_service_records_export_in_the_national_systems_fields(world: World) -> None:
    ready(world)
    serve(world, world.volunteer, served=12)
    world.settle()
    answer = world.call("coord", "GET", "/api/v1/exports/service-records",
                        params={"from": "2026-11-01", "to": "2026-11-30", "format": "csv"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    lines = answer.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "姓名,证件类型,证件号码,志愿者编号,服务组织,服务内容,服务日期,服务时长（小时）,星级"
    assert lines[1].startswith(f"Li Wei,居民身份证,{ID},31010012345,Ruijin Hospital,guidance desk（导医）,2026-11-24,4.0")
    assert len(lines) == 2  # Wang served nothing
    assert world.call("li", "GET", "/api/v1/exports/service-records").status_code == 403
    xlsx = world.call("coord", "GET", "/api/v1/exports/service-records", params={"format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_the_printable_certificate_masks_the_number_on_screen_only(world: World) -> None:
    ready(world)
    serve(world, world.volunteer)
    world.settle()
    log_in(world, "li", "zh")
    page = submit(world, "/me/certificates", {"from": "2026-11-01", "to": "2026-11-30"})
    assert "证明已出具" in page and "2026-000001" in page
    certificate = page.split('href="/certificates/')[1].split('"')[0]
    printable = world.client.get(f"/certificates/{certificate}").text
    assert "志愿服务记录证明" in printable and "王主任" in printable and "合计" in printable
    assert '<span class="screen-only" data-id-number>1101**********002X</span>' in printable
    assert f'<span class="print-only">{ID}</span>' in printable
    assert "/verify/" in printable
    log_in(world, "coord")
    register = world.client.get("/certificates").text
    assert "2026-000001" in register and "Li Wei" in register
    refused = submit(world, "/certificates/identity", {"volunteer_id": str(world.other_volunteer),
                                                       "id_type": "resident_id", "id_number": "123"})
    assert "id_number" in refused


@pytest.mark.postgres
def test_forgotten_through_one_node_the_volunteer_is_erased_from_what_another_node_holds(
        tmp_path: Path, clock: FixedClock, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two nodes on one PostgreSQL log: node B has shown (and so holds) Li's certificate when
    node A forgets Li; B hears of it from the log and shows the certificate erased too."""
    with nodes_on_postgres(tmp_path, clock, monkeypatch) as (a, b):
        world = World(a, a.app.state.ledger)
        ready(world)
        serve(world, world.volunteer)
        issued = issue(world)
        at_b = f"/api/v1/certificates/{issued['id']}"
        shown = b.get(at_b, headers=world.headers("coord"), params={"min_position": world.ledger.position})
        assert shown.json()["volunteer"]["name"] == "Li Wei"
        world.ledger.forget_volunteer(world.volunteer, "admin")
        assert b.app.state.projector.wait(world.ledger.position, timeout=10)  # B has followed the log
        erased = b.get(at_b, headers=world.headers("coord"))
        assert erased.json()["volunteer"]["name"] == "[erased]"
        assert erased.json()["volunteer"]["id_number"] == "[erased]"


def test_the_public_verification_is_limited_per_address_and_hides_the_name_s_length(world: World) -> None:
    from domain.identity import masked_name

    assert masked_name("欧阳娜娜") == "欧**" and masked_name("李伟") == "李**"  # the same length for both
    assert masked_name("Li Wei Ming") == "Li W."
    world.client.cookies.clear()
    answers = [world.client.get("/api/v1/certificates/verify/NOSUCHCODE99").status_code for _ in range(25)]
    assert answers[:20] == [404] * 20 and set(answers[20:]) == {429}  # walking the codes meets a wall
    page = world.client.get("/verify/NOSUCHCODE99")
    assert page.status_code == 429
