"""The browser screens, driven through forms without a browser: each action lands and says so."""

from __future__ import annotations

import re
from datetime import timedelta
from uuid import UUID

from tests.integration.conftest import PASSWORD, World, login_token
from tests.integration.test_api import MONDAY_8, schedule


def log_in(world: World, username: str, language: str = "en") -> None:
    world.client.cookies.clear()
    world.client.cookies.set("lang", language)
    answer = world.client.post("/login", data={"username": username, "password": PASSWORD,
                                               **login_token(world.client)}, follow_redirects=False)
    assert answer.status_code == 303
    world.client.cookies.set("token", answer.cookies["token"])


def form_token(world: World) -> str:
    """The session's form token, read off a page as a browser would have it."""
    found = re.search(r'name="_csrf" value="([0-9a-f]+)"', world.client.get("/", follow_redirects=True).text)
    assert found, "pages carry the form token"
    return found.group(1)


def submit(world: World, path: str, form: dict | None = None) -> str:
    """Post a form (with the page's form token), follow the redirect, return the page with its message."""
    answer = world.client.post(path, data={**(form or {}), "_csrf": form_token(world)}, follow_redirects=True)
    assert answer.status_code == 200, answer.text
    return answer.text


def test_logging_in_returns_to_the_page_asked_for_and_never_to_another_site(world: World) -> None:
    world.client.cookies.clear()
    asked = world.client.get("/volunteers", follow_redirects=False).headers["location"]
    form = world.client.get(asked)
    assert 'name="next" value="/volunteers"' in form.text
    back = world.client.post("/login", data={"username": "coord", "password": PASSWORD, "next": "/volunteers",
                                             **login_token(world.client)}, follow_redirects=False)
    assert back.headers["location"] == "/volunteers"
    world.client.cookies.clear()
    for elsewhere in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        away = world.client.post("/login", data={"username": "coord", "password": PASSWORD, "next": elsewhere,
                                                 **login_token(world.client)}, follow_redirects=False)
        assert away.headers["location"] == "/shifts", elsewhere  # the coordinator's home, not the other site
        world.client.cookies.clear()
        assert 'name="next"' not in world.client.get("/login", params={"next": elsewhere}).text


def test_without_a_session_every_screen_sends_you_to_the_login_page(world: World) -> None:
    world.client.cookies.clear()
    for path in ("/", "/shifts", "/me", "/kiosk", "/social", "/dashboard", "/board", "/volunteers"):
        answer = world.client.get(path, follow_redirects=False)
        assert answer.status_code == 303, path
        assert answer.headers["location"] == ("/login" if path == "/" else f"/login?next={path}"), path
    wrong = world.client.post("/login", data={"username": "coord", "password": "nope", **login_token(world.client)},
                              follow_redirects=True)
    assert "Unknown username or wrong password." in wrong.text


def test_each_role_lands_on_its_own_home_and_is_refused_elsewhere(world: World) -> None:
    for username, home in (("coord", "/shifts"), ("li", "/me"), ("kiosk", "/kiosk"), ("sw", "/social"),
                           ("auditor", "/dashboard")):
        log_in(world, username)
        assert world.client.get("/", follow_redirects=False).headers["location"] == home
    log_in(world, "li")
    refused = world.client.get("/volunteers")
    assert refused.status_code == 403 and "You are not allowed to do this." in refused.text


def test_a_coordinator_registers_approves_and_suspends_a_volunteer(world: World) -> None:
    log_in(world, "coord")
    page = submit(world, "/volunteers", {"name": "Chen Jing", "phone": "13912345678",
                                         "unit_id": str(world.hospital.unit), "languages": "zh, en"})
    assert "Volunteer registered." in page and "Chen Jing" in page
    found = world.client.get("/volunteers", params={"q": "Chen"}).text
    volunteer_id = found.split('action="/volunteers/')[1].split("/")[0]
    assert "Volunteer approved." in submit(world, f"/volunteers/{volunteer_id}/approve")
    again = submit(world, f"/volunteers/{volunteer_id}/approve")
    assert "That change of status is not possible now." in again
    assert "Volunteer suspended." in submit(world, f"/volunteers/{volunteer_id}/suspend", {"reason": "paperwork"})


def test_a_coordinator_runs_a_training_from_enrolment_to_result(world: World) -> None:
    log_in(world, "coord")
    page = submit(world, "/trainings", {"title": "手语培训", "kind": "sign_language", "unit_id": str(world.hospital.unit),
                                        "day": "2026-11-30", "start": "14:00", "end": "17:00", "capacity": "10",
                                        "validity_days": "730"})
    assert "Training scheduled." in page
    training = page.split('href="/trainings/')[1].split('"')[0]
    assert "Enrolled." in submit(world, f"/trainings/{training}/enrol", {"volunteer_id": str(world.volunteer)})
    result = submit(world, f"/trainings/{training}/result", {"volunteer_id": str(world.volunteer), "passed": "yes",
                                                             "score": "92"})
    assert "Result recorded." in result and "Passed" in result
    assert "sign_language" in world.ledger.get_volunteer(world.volunteer).qualifications


def test_the_roster_page_signs_up_marks_no_shows_and_cancels(world: World, clock) -> None:
    shift = schedule(world)
    log_in(world, "coord")
    page = submit(world, f"/shifts/{shift}/signup", {"volunteer_id": str(world.volunteer)})
    assert "Signed up." in page and "Li Wei" in page
    clock.set(MONDAY_8 + timedelta(minutes=30))
    assert "Marked as a no-show." in submit(world, f"/shifts/{shift}/no-show", {"volunteer_id": str(world.volunteer)})
    clock.set(MONDAY_8 - timedelta(days=1))
    other = schedule(world)
    assert "Shift cancelled." in submit(world, f"/shifts/{other}/cancel", {"reason": "ward closed"})
    late = submit(world, f"/shifts/{other}/signup", {"volunteer_id": str(world.other_volunteer)})
    assert "This shift has been cancelled." in late


def test_a_refusal_is_said_in_chinese_on_the_chinese_pages(world: World) -> None:
    shift = schedule(world, capacity=1)
    world.ledger.sign_up(UUID(shift), world.other_volunteer, "coord")
    log_in(world, "coord", language="zh")
    page = submit(world, f"/shifts/{shift}/signup", {"volunteer_id": str(world.volunteer)})
    assert "本班次已满" in page and "排班名单" in page


def test_a_volunteer_checks_in_and_out_and_prints_its_record(world: World, clock) -> None:
    shift = schedule(world)
    log_in(world, "li")
    assert "You are signed up." in submit(world, f"/me/shifts/{shift}/signup")
    clock.set(MONDAY_8 - timedelta(minutes=5))
    assert "Checked in. Thank you for serving!" in submit(world, f"/me/shifts/{shift}/check-in")
    clock.set(MONDAY_8 + timedelta(hours=4))
    page = submit(world, f"/me/shifts/{shift}/check-out", {"served_guidance": "25", "served_communication": ""})
    assert "Checked out. Thank you!" in page
    record = world.client.get("/me/record").text
    assert "Ruijin Hospital" in record and "guidance desk" in record and "240" in record


def test_the_kiosk_and_the_live_board(world: World, clock) -> None:
    shift = schedule(world)
    world.ledger.sign_up(UUID(shift), world.volunteer, "coord")
    world.ledger.sign_up(UUID(shift), world.other_volunteer, "coord")
    clock.set(MONDAY_8 + timedelta(minutes=5))
    world.settle()
    log_in(world, "kiosk")
    desk = world.client.get("/kiosk").text
    assert "Li Wei" in desk and "Wang Fang" in desk
    page = submit(world, "/kiosk/check-in", {"shift_id": shift, "volunteer_id": str(world.volunteer), "name": "Li Wei"})
    assert "Li Wei is checked in. Welcome!" in page
    board = world.client.get("/board").text
    on_duty, missing = board.split("Missing")
    assert "Li Wei" in on_duty and "Wang Fang" in missing
    assert 'data-live-board="/board/stream"' in board  # it fetches itself again when the roster moves
    for username in ("li", "auditor", "sw"):  # the board and its stream are the desk's, not everyone's
        log_in(world, username)
        assert world.client.get("/board").status_code == 403
        assert world.client.get("/board/stream").status_code == 403


def test_the_kiosk_says_when_check_in_opens_and_forgets_a_shift_that_is_over(world: World, clock) -> None:
    shift = schedule(world)  # Monday 08:00-12:00; check-in opens an hour before
    world.ledger.sign_up(UUID(shift), world.volunteer, "coord")
    clock.set(MONDAY_8 - timedelta(hours=2))
    world.settle()
    log_in(world, "kiosk")
    desk = world.client.get("/kiosk").text
    row = desk.split('data-name="Li Wei"')[1].split('class="person"')[0]
    assert "Check-in opens at 07:00" in row and "/kiosk/check-in" not in row
    assert desk.index("data-later") < desk.index('data-name="Li Wei"')  # folded under "later today", not in the way
    clock.set(MONDAY_8 - timedelta(minutes=30))
    row = world.client.get("/kiosk").text.split('data-name="Li Wei"')[1].split('class="person"')[0]
    assert "/kiosk/check-in" in row and "opens at" not in row
    assert 'data-tail="' + world.ledger.get_volunteer(world.volunteer).phone[-4:] + '"' in world.client.get("/kiosk").text
    clock.set(MONDAY_8 + timedelta(hours=5))  # over, never checked in: nothing left to do at the desk
    assert 'data-name="Li Wei"' not in world.client.get("/kiosk").text


def test_a_social_worker_logs_a_session_and_asks_for_an_interpreter(world: World) -> None:
    log_in(world, "sw")
    page = submit(world, "/social/sessions", {"unit_id": str(world.hospital.unit), "patient_id": "MRN-1",
                                              "service_type": "communication", "mode": "individual",
                                              "day": "2026-11-23", "start": "08:00", "minutes": "30", "persons": "1",
                                              "notes": "private"})
    assert "Session logged." in page and "MRN-1" not in page
    session = page.split('name="session_id" value="')[1].split('"')[0]
    ask = {"unit_id": str(world.hospital.unit), "session_id": session, "kind": "sign_language", "when": "later",
           "place": "Ward 5", "day": "2026-11-24", "start": "14:00", "minutes": "45"}
    nobody = submit(world, "/requests", ask)
    assert "No volunteer holding a valid sign-language qualification" in nobody
    world.ledger.grant_qualification(world.volunteer, "sign_language", None, "coordinator")
    world.settle()
    asked = submit(world, "/requests", ask)
    assert "Asked. The volunteers who can come are told" in asked and "1 volunteer told" in asked
    assert 'name="session_id"' not in world.client.get("/social").text  # the session shows as requested now

    # The volunteer accepts on their phone; the social worker records the interpreting once it happened.
    log_in(world, "li", "zh")
    offered = world.client.get("/me").text
    assert "Ward 5" in offered and "等待志愿者接受" in offered and "手语服务" in offered
    request_id = offered.split('action="/me/requests/')[1].split("/")[0]
    booked = submit(world, f"/me/requests/{request_id}/accept")
    assert "您已获派" in booked and "已派定" in booked
    log_in(world, "sw")
    assert "Li Wei" in world.client.get("/requests").text  # who is coming
    world.ledger.clock.set(world.ledger.clock.now().replace(day=24, hour=15))
    done = submit(world, f"/requests/{request_id}/served", {"minutes": "40"})
    assert "The service is recorded." in done and "Li Wei" in done and "40 min" in done
    missing = submit(world, "/social/sessions", {"unit_id": str(world.hospital.unit), "patient_id": " ",
                                                 "service_type": "communication", "mode": "individual",
                                                 "day": "2026-11-23", "start": "10:00", "minutes": "30"})
    assert "patient_id" in missing


def test_the_dashboard_shows_the_counter_and_the_language_switch_works(world: World) -> None:
    log_in(world, "auditor")
    page = world.client.get("/dashboard").text
    assert "data-live-tallies" in page and "Person-times served" in page
    switched = world.client.get("/lang/zh", params={"next": "/dashboard"}, follow_redirects=False)
    assert switched.status_code == 303 and switched.headers["location"] == "/dashboard"
    world.client.cookies.set("lang", "zh")
    assert "服务人次" in world.client.get("/dashboard").text
    assert world.client.get("/lang/zh", params={"next": "//evil.example"}, follow_redirects=False
                            ).headers["location"] == "/"


def test_a_social_worker_starts_a_group_and_records_a_meeting(world: World) -> None:
    log_in(world, "sw")
    page = submit(world, "/social/groups", {"kind": "group", "unit_id": str(world.hospital.unit),
                                            "title": "Caregivers' support group", "service_type": "psychological_support"})
    assert "Group formed." in page and "Caregivers&#39; support group" in page
    group = page.split('action="/social/groups/')[1].split("/")[0]
    met = submit(world, f"/social/groups/{group}/meetings", {"day": "2026-11-23", "start": "15:00", "minutes": "90",
                                                             "persons": "9"})
    assert "Meeting recorded." in met and "<title>Social work · CareLedger</title>" in met
    row = met.split('data-group="Caregivers&#39; support group"')[1].split("</tr>")[0]
    assert "<td>1</td>" in row and "<td>9</td>" in row


def test_a_case_is_opened_and_transferred_from_its_page(world: World) -> None:
    colleague = world.ledger.open_account("zhou", "h", "social_worker", [world.hospital.unit], None, "admin").id
    log_in(world, "sw")
    opened = world.client.post("/cases", data={"unit_id": str(world.hospital.unit), "patient_id": "MRN-5",
                                               "source": "outreach", "_csrf": form_token(world)}, follow_redirects=False)
    case = opened.headers["location"].rsplit("/", 1)[-1]  # the new case's own page
    page = world.client.get(f"/cases/{case}").text
    assert "Case opened." in page and "MRN-5" not in page
    moved = submit(world, f"/cases/{case}/transfer", {"to_worker_id": str(colleague)})
    assert "Case transferred." in moved
    assert world.ledger.get_case(UUID(case)).lead_worker == colleague


def test_the_admins_page_says_whether_a_backup_was_made_and_where(world: World, tmp_path) -> None:
    from web.jobs.backup import backup

    log_in(world, "admin")
    page = world.client.get("/admin").text
    assert 'data-backup="none"' in page and "careledger backup" in page
    backup(world.client.app.state.settings, tmp_path / "monday")
    page = world.client.get("/admin").text
    assert "Last backup" in page and str((tmp_path / "monday").resolve()) in page
    assert 'data-status="ok"' in page


def test_a_shift_page_offers_only_volunteers_who_hold_what_it_requires(world: World) -> None:
    """The command would refuse the others (not qualified): the page says why instead."""
    h, ledger = world.hospital, world.ledger
    shift = h.shift(MONDAY_8 + timedelta(days=3))
    ledger.define_post(h.unit, "sign-language desk", ["sign_language"], "admin")
    signing = ledger.schedule_shift(h.unit, "sign-language desk", MONDAY_8 + timedelta(days=4),
                                    MONDAY_8 + timedelta(days=4, hours=2), 2, [], "admin").id
    world.settle()
    log_in(world, "coord")
    open_to_all = world.client.get(f"/shifts/{shift}").text
    assert f'value="{world.volunteer}"' in open_to_all
    needs_signing = world.client.get(f"/shifts/{signing}").text
    assert f'value="{world.volunteer}"' not in needs_signing
    assert "data-unqualified" in needs_signing and "Nobody of this unit holds what this shift requires." in needs_signing


def test_every_page_has_an_icon_and_a_browser_asking_for_favicon_ico_finds_it(world: World) -> None:
    found = world.client.get("/favicon.ico", follow_redirects=False)
    assert found.status_code == 301 and found.headers["location"] == "/static/favicon.svg"
    icon = world.client.get("/static/favicon.svg")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
    assert '<link rel="icon" href="/static/favicon.svg"' in world.client.get("/login").text


def test_the_audit_trail_is_searched_back_through_the_whole_log(world: World) -> None:
    ledger = world.ledger
    first_unit = world.hospital.unit
    for n in range(150):  # the unit's registration is now far behind the newest page
        ledger.register_volunteer(f"Volunteer {n}", f"1390000{n:04d}", first_unit, [], [], "admin")
    world.settle()
    log_in(world, "admin")
    page = world.client.get("/admin/audit?kind=Unit.Registered").text
    assert "Unit.Registered" in page and "Nothing recorded here." not in page
    by_name = world.client.get("/admin/audit?actor=coord").text  # a username, where the log holds an id
    assert "Nothing recorded here." not in by_name


def test_a_paired_tablet_acts_as_its_units_kiosk_until_it_is_unpaired(world: World) -> None:
    from projections import devices
    from web.ui.session import COOKIE

    commands = world.client.app.state.commands
    coordinator = world.ledger.find_account("coord")
    actor = world.client.app.state.principals.get((coordinator.id, coordinator.version)) or \
        __import__("web.auth", fromlist=["principal_of"]).principal_of(coordinator)
    code = commands.offer_pairing(actor, world.hospital.unit, "Main hall desk").value
    world.client.cookies.clear()
    token = re.search(r'name="_csrf" value="([0-9a-f]+)"', world.client.get("/pair").text).group(1)
    forged = world.client.post("/pair", data={"code": code, "_csrf": "0" * 40}, follow_redirects=False)
    assert forged.status_code == 403  # a pairing posted from another site (no token of this browser's) is refused
    paired = world.client.post("/pair", data={"code": code, "_csrf": token}, follow_redirects=False)
    assert paired.status_code == 303 and paired.headers["location"].endswith("/kiosk"), paired.text
    assert world.client.cookies.get(COOKIE)
    desk = world.client.get("/kiosk")
    assert desk.status_code == 200 and "Main hall desk" in desk.text and 'action="/logout"' not in desk.text
    assert world.client.post("/logout", data={"_csrf": form_token(world)}).status_code == 403
    token = world.client.cookies.get(COOKIE)
    changed = world.client.post("/api/v1/auth/password", headers={"Authorization": f"Bearer {token}"},
                                json={"current_password": "x", "new_password": "a long new passphrase"})
    assert changed.status_code == 403  # a device has no password to change (no 500 on its id)
    world.settle()
    [device] = devices.of_units(world.client.app.state.reader(), [str(world.hospital.unit)], "2000-01-01")
    commands.revoke_device(actor, UUID(device["id"]))
    assert world.client.get("/kiosk", follow_redirects=False).status_code in (302, 303, 401)


def test_an_unknown_verification_code_is_said_to_be_unknown_with_the_code_to_correct(world: World) -> None:
    world.client.cookies.clear()
    world.client.cookies.set("lang", "zh")
    answer = world.client.get("/verify/NOSUCHCODE99")
    assert answer.status_code == 404
    assert "没有核验码为 NOSUCHCODE99 的证明" in answer.text and 'value="NOSUCHCODE99"' in answer.text
    assert "This page does not exist" not in answer.text and "页面不存在" not in answer.text


def test_a_social_worker_finds_a_patients_case_by_the_hospital_number_and_the_number_is_kept_nowhere(
        world: World) -> None:
    log_in(world, "sw")
    opened = world.client.post("/cases", data={"unit_id": str(world.hospital.unit), "patient_id": "MRN-55012",
                                               "source": "ward_referral", "_csrf": form_token(world)},
                               follow_redirects=False)
    assert opened.status_code == 303 and re.search(r"/cases/[0-9a-f-]{36}$", opened.headers["location"])  # on it
    case_id = opened.headers["location"].rsplit("/", 1)[-1]
    world.settle()
    found = submit(world, "/cases/find", {"patient_id": " MRN-55012 "})
    assert f'data-case="{case_id}"' in found and "MRN-55012" not in found
    nobody = submit(world, "/cases/find", {"patient_id": "MRN-55013"})
    assert f'data-case="{case_id}"' not in nobody and "No case of this patient here" in nobody
    listed = world.client.get("/cases").text
    assert re.search(r'href="/cases/' + case_id + r'">[^<]+ · <code>pr_', listed)  # a worklist item names its case


def test_the_auditor_reads_tables_beside_the_charts_with_totals_and_quiet_days_as_zero(world: World, clock) -> None:
    shift = world.hospital.shift(clock.now() - timedelta(minutes=30))
    world.ledger.sign_up(shift, world.volunteer, "coord")
    world.ledger.check_in(shift, world.volunteer, "kiosk", "kiosk")
    world.ledger.check_out(shift, world.volunteer, {"guidance": 30, "communication": 12}, "kiosk")
    world.settle()
    log_in(world, "auditor")
    page = world.client.get("/dashboard", params={"from": "2026-11-17", "to": "2026-11-23"}).text
    days = re.findall(r'data-day="([0-9-]+)" data-value="(\d+)"', page)
    assert [d for d, _ in days] == [f"2026-11-{n}" for n in range(17, 24)]  # every day drawn, the quiet ones too
    assert dict(days)["2026-11-20"] == "0" and dict(days)["2026-11-23"] == "42"
    sums = re.findall(r'data-sum>([^<]+)<', page)
    assert sums == ["42", "42", "42"]  # by service type, by month, by unit: each table adds up to the counter
    assert "Nov 2026" in page and "Ruijin Hospital" in page.split("data-by-unit")[1]
    assert "/api/v1/exports/tallies?by=month&amp;from=2026-11-17&amp;to=2026-11-23&amp;format=csv" in page
