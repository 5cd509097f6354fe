"""One way in: a browser form is refused what the API refuses, because both run the same command.
Every form route x every role from ONE table (a new form route without a row fails), the scope
breaches found by hand, and values beyond every bound refused with nothing recorded."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from uuid import UUID, uuid4

import pytest

from domain.clock import FixedClock
from tests.conftest import CST
from tests.integration.conftest import PASSWORD, World
from tests.integration.test_authorisation import ROLES, Ids
from web.auth import issue_token
from web.passwords import hash_password
from web.security import csrf_token

MONDAY_8 = datetime(2026, 11, 24, 8, tzinfo=CST)


def browser(world: World, username: str | None) -> None:
    """The client as a browser logged in as `username` (its session cookie), or logged out."""
    world.client.cookies.clear()
    if username is not None:
        account = world.ledger.find_account(username)
        world.client.cookies.set("token", issue_token(world.client.app.state, account))


def post_form(world: World, path: str, form: dict[str, str] | None = None):
    """Post a form as the page would (its form token), without following the redirect."""
    session = world.client.cookies.get("token")
    token = csrf_token(world.client.app.state.signing_secret, session) if session else ""
    return world.client.post(path, data={**(form or {}), "_csrf": token}, follow_redirects=False)


Form = Callable[[Ids], dict[str, str]] | None
# path, form, roles allowed: every form a browser can post
FORMS: list[tuple[str, Form, set[str]]] = [
    ("/me/requests/{interp}/accept", None, {"volunteer"}),
    ("/me/requests/{interp}/served", lambda i: {"minutes": "30"}, {"volunteer"}),
    ("/me/on-call", lambda i: {"until": "12:00"}, {"volunteer"}),
    ("/me/on-call/end", None, {"volunteer"}),
    ("/me/email", lambda i: {"email": "li@example.org"}, {"volunteer"}),
    ("/me/shifts/{shift}/signup", None, {"volunteer"}),
    ("/me/shifts/{shift}/withdraw", None, {"volunteer"}),
    ("/me/shifts/{shift}/check-in", None, {"volunteer"}),
    ("/me/shifts/{shift}/check-out", lambda i: {"served_guidance": "3"}, {"volunteer"}),
    ("/me/identity", lambda i: {"id_type": "passport", "id_number": "E7654321"}, {"volunteer"}),
    ("/me/certificates", lambda i: {"from": "2026-11-01", "to": "2026-11-30"}, {"volunteer"}),
    ("/kiosk/check-in", lambda i: {"shift_id": i.shift, "volunteer_id": i.volunteer}, {"kiosk"}),
    ("/kiosk/check-out", lambda i: {"shift_id": i.shift, "volunteer_id": i.volunteer}, {"kiosk"}),
    ("/shifts", lambda i: {"unit_id": i.unit, "post": "desk", "day": "2026-12-01", "start": "08:00",
                           "end": "12:00", "capacity": "2"}, {"coordinator"}),
    ("/shifts/{shift}/signup", lambda i: {"volunteer_id": i.volunteer}, {"coordinator"}),
    ("/shifts/{shift}/no-show", lambda i: {"volunteer_id": i.volunteer}, {"coordinator"}),
    ("/admin/units", lambda i: {"name": "Huashan Hospital", "district": "Jing'an"}, {"admin"}),
    ("/admin/units/{unit}/posts", lambda i: {"post": "pharmacy desk"}, {"admin"}),
    ("/admin/accounts", lambda i: {"username": "new-desk", "password": "a long enough password", "role": "auditor"},
     {"admin"}),
    # of an account nobody in the table logs in with: a reset or a suspension would end that session
    ("/admin/accounts/{intern}/password", lambda i: {"password": "another long password"}, {"admin"}),
    ("/admin/accounts/{intern}/disable", None, {"admin"}),
    ("/admin/accounts/{intern}/enable", None, {"admin"}),
    ("/admin/accounts/{intern}/units", lambda i: {"unit_ids": i.unit}, {"admin"}),
    ("/admin/service-types", lambda i: {"code": "escort", "name_en": "Escort", "name_zh": "陪同"}, {"admin"}),
    ("/shifts/series", lambda i: {"unit_id": i.unit, "post": "desk", "start_time": "08:00", "end_time": "12:00",
                                  "first_day": "2026-12-07", "weeks": "2", "capacity": "2", "weekdays": "mon"},
     {"coordinator"}),
    ("/shifts/{shift}/reschedule", lambda i: {"day": "2026-11-25", "start": "09:00", "end": "11:00", "capacity": "3"},
     {"coordinator"}),
    ("/shifts/{shift}/cancel-rest", lambda i: {"reason": "lift repairs"}, {"coordinator"}),
    ("/me/shifts/{shift}/correction", lambda i: {"minutes": "90", "reason": "stayed late"}, {"volunteer"}),
    ("/corrections/{shift}/{request}/approve", None, {"coordinator"}),
    ("/corrections/{shift}/{request}/decline", lambda i: {"reason": "the sheet says otherwise"}, {"coordinator"}),
    ("/board/check-in", lambda i: {"shift_id": i.shift, "volunteer_id": i.volunteer}, {"coordinator"}),
    ("/board/no-show", lambda i: {"shift_id": i.shift, "volunteer_id": i.volunteer}, {"coordinator"}),
    ("/shifts/{shift}/cancel", lambda i: {"reason": "test"}, {"coordinator"}),
    ("/check-out-reviews/{shift}/{volunteer}", None, {"coordinator"}),
    ("/volunteers/{volunteer}/awards/100", None, {"coordinator"}),
    ("/volunteers/import", None, {"coordinator"}),
    ("/volunteers", lambda i: {"name": "Zhou Min", "phone": "13900001111", "unit_id": i.unit}, {"coordinator"}),
    ("/volunteers/{volunteer}/approve", None, {"coordinator"}),
    ("/volunteers/{volunteer}/suspend", lambda i: {"reason": "test"}, {"coordinator"}),
    ("/volunteers/{volunteer}/profile", lambda i: {"phone": "13900001234", "languages": "zh, en"}, {"coordinator"}),
    ("/volunteers/{volunteer}/credentials", lambda i: {"kind": "tb_test", "recorded_on": "2026-11-20"},
     {"coordinator"}),
    ("/volunteers/{volunteer}/reinstate", None, {"coordinator"}),
    ("/volunteers/{volunteer}/no-show-review/clear", None, {"coordinator"}),
    ("/me/shifts/{shift}/waitlist", None, {"volunteer"}),
    ("/me/shifts/{shift}/offer", None, {"volunteer"}),
    ("/me/shifts/{shift}/offer/withdraw", None, {"volunteer"}),
    ("/me/shifts/{shift}/take/{giver}", None, {"volunteer"}),
    ("/shifts/{shift}/handovers/{giver}/approve", None, {"coordinator"}),
    ("/shifts/{shift}/handovers/{giver}/decline", lambda i: {"reason": "new here"}, {"coordinator"}),
    ("/posts/handover-approval", lambda i: {"unit_id": i.unit, "needed": "yes"}, {"coordinator"}),
    ("/volunteers/{volunteer}/evaluations", lambda i: {"from": "2026-05-01", "to": "2026-10-31", "rating": "good"},
     {"coordinator"}),
    ("/evaluations/{evaluation}/amend", lambda i: {"rating": "pass", "reason": "late"}, {"coordinator"}),
    ("/volunteers/{volunteer}/insurance", lambda i: {"policy_number": "PICC-1", "valid_from": "2026-11-01",
                                                     "valid_until": "2027-10-31"}, {"coordinator"}),
    ("/me/agreement", lambda i: {"accept": "yes", "version": "2026-12"}, {"volunteer"}),
    ("/me/shifts/{shift}/rating", lambda i: {"rating": "5"}, {"volunteer"}),
    ("/me/shifts/{shift}/waitlist/leave", None, {"volunteer"}),
    ("/posts/limits", lambda i: {"unit_id": i.unit, "daily_hours": "10"}, {"coordinator"}),
    ("/volunteers/{volunteer}/invite", None, {"coordinator"}),
    ("/volunteers/{volunteer}/invite/send", lambda i: {"code": "0000-0000-0000"}, {"coordinator"}),
    ("/kiosk/walk-in", lambda i: {"shift_id": i.shift, "volunteer_id": i.volunteer, "name": "Li"}, {"kiosk"}),
    ("/kiosk/walk-in/find", lambda i: {"phone": "13800000000"}, {"kiosk"}),
    ("/kiosks", lambda i: {"unit_id": i.unit, "name": "Main hall desk"}, {"coordinator"}),
    ("/kiosks/{device}/revoke", None, {"coordinator"}),
    ("/posts/code", lambda i: {"unit_id": i.unit, "post": "guidance desk", "needed": "no"}, {"coordinator"}),
    ("/scan/{code}", None, {"volunteer"}),
    ("/applications/{application}/{step}", lambda i: {"note": "n"}, {"coordinator"}),
    ("/cases/find", lambda i: {"patient_id": "MRN-1"}, {"social_worker"}),
    ("/volunteers/{volunteer}/retire", None, {"coordinator"}),
    ("/trainings", lambda i: {"title": "T", "kind": "other", "unit_id": i.unit, "day": "2026-12-01",
                              "start": "09:00", "end": "10:00", "capacity": "5"}, {"coordinator"}),
    ("/trainings/{training}/enrol", lambda i: {"volunteer_id": i.volunteer}, {"coordinator"}),
    ("/trainings/{training}/result", lambda i: {"volunteer_id": i.volunteer, "passed": "yes"}, {"coordinator"}),
    ("/certificates/details", lambda i: {"unit_id": i.unit, "responsible_person": "Wang", "contact": "021"},
     {"coordinator"}),
    ("/certificates/identity", lambda i: {"volunteer_id": i.volunteer, "id_type": "passport",
                                          "id_number": "E7654321"}, {"coordinator"}),
    ("/certificates/issue", lambda i: {"volunteer_id": i.volunteer, "from": "2026-11-01", "to": "2026-11-30"},
     {"coordinator"}),
    ("/social/groups", lambda i: {"kind": "group", "unit_id": i.unit, "title": "G", "service_type": "communication"},
     {"social_worker"}),
    ("/social/groups/{group}/meetings", lambda i: {"day": "2026-11-23", "start": "15:00", "minutes": "60",
                                                   "persons": "5"}, {"social_worker"}),
    ("/social/sessions", lambda i: {"unit_id": i.unit, "patient_id": "MRN1", "service_type": "communication",
                                    "mode": "individual", "day": "2026-11-23", "start": "08:00", "minutes": "30"},
     {"social_worker"}),
    ("/social/groups/{group}/end", None, {"social_worker"}),
    ("/me/profile", lambda i: {"phone": "13900009999", "languages": "zh, en"}, {"volunteer"}),
    ("/requests", lambda i: {"unit_id": i.unit, "kind": "sign_language", "place": "Ward 5", "when": "later",
                             "day": "2026-11-25", "start": "10:00", "minutes": "30"},
     {"social_worker", "ward", "coordinator"}),
    ("/requests/{interp}/served", lambda i: {"minutes": "30"}, {"social_worker", "ward", "coordinator"}),
    ("/requests/{interp}/cancel", lambda i: {"reason": "discharged"}, {"social_worker", "ward", "coordinator"}),
    ("/requests/{interp}/book", lambda i: {"volunteer_id": i.volunteer}, {"coordinator"}),
    ("/cases", lambda i: {"unit_id": i.unit, "patient_id": "MRN-9", "source": "outreach"}, {"social_worker"}),
    ("/cases/{case}/consent", lambda i: {"scope_health_information": "on"}, {"social_worker"}),
    ("/cases/{case}/assessment", lambda i: {"risk": "low"}, {"social_worker"}),
    ("/cases/{case}/plan", lambda i: {"goals": "g"}, {"social_worker"}),
    ("/cases/{case}/notes", lambda i: {"day": "2026-11-23", "time": "08:30", "contacted_patient": "on",
                                       "text": "t"}, {"social_worker"}),
    ("/cases/{case}/notes/{note}/countersign", None, {"social_worker"}),
    ("/cases/{case}/referral", lambda i: {"to": "hospice"}, {"social_worker"}),
    ("/cases/{case}/transfer", lambda i: {"to_worker_id": i.account}, {"social_worker"}),
    ("/cases/{case}/evaluation", lambda i: {"result": "goals_met"}, {"social_worker"}),
    ("/cases/{case}/close", lambda i: {"outcome": "other"}, {"social_worker"}),
]
PUBLIC_FORMS = {"/login", "/logout", "/join", "/pair", "/apply/{unit_id}", "/feedback/{token}"}  # anyone: logging in, out, in first with a code, pairing a kiosk


def test_every_form_route_has_a_row(world: World) -> None:
    served = {re.sub(r":\w+}", "}", route.path) for route in world.client.app.routes
              for handler in getattr(route, "route_handlers", []) if "POST" in handler.http_methods
              and not route.path.startswith("/api/")}
    names = {"interp": "request_id", "shift": "shift_id", "volunteer": "volunteer_id", "training": "training_id",
             "group": "group_id", "case": "case_id", "note": "note_id", "unit": "unit_id", "account": "account_id",
             "intern": "account_id", "request": "request_id", "device": "device_id", "code": "code",
             "application": "application_id", "step": "step", "giver": "giver_id",
             "evaluation": "evaluation_id"}
    in_table = {re.sub(r"\{(\w+)\}", lambda m: "{" + names[m.group(1)] + "}", path).replace("/100", "/{hours}")
                for path, _, _ in FORMS}
    assert served == in_table | PUBLIC_FORMS


@pytest.mark.parametrize(("path", "form", "allowed"), FORMS, ids=[p for p, _, _ in FORMS])
def test_each_role_may_post_a_form_exactly_as_the_api_allows(world: World, path, form, allowed) -> None:
    ids = Ids(world)
    url = path.format(interp=ids.interp, shift=ids.shift, volunteer=ids.volunteer, training=ids.training,
                      group=ids.group, case=ids.case, note=ids.note, unit=ids.unit, account=ids.account,
                      intern=ids.intern, request=str(uuid4()), device=str(uuid4()), code="not.a.real.code",
                      application=str(uuid4()), step="interview", giver=str(uuid4()),
                      evaluation=str(uuid4()))
    data = form(ids) if form else None
    browser(world, None)
    assert post_form(world, url, data).status_code in (303, 401), "logged out: to the login page"
    for role, username in ROLES.items():
        browser(world, username)
        answer = post_form(world, url, data)
        if role in allowed:
            assert answer.status_code not in (401, 403), f"{role}: {answer.status_code} {answer.text[:300]}"
        else:
            assert answer.status_code == 403, f"{role}: {answer.status_code}"
            assert "not allowed" in answer.text.lower(), role


def recorded(world: World) -> int:
    return world.ledger.position


def test_a_coordinator_cannot_enrol_or_pass_another_units_volunteer_through_the_form(world: World) -> None:
    """The breach found by hand: a unit-A sign-language course, a unit-B volunteer, a unit-A coordinator."""
    ledger = world.ledger
    stranger = ledger.register_volunteer("Zhao Lei", "13900002222", world.other_unit, [], [], "admin").id
    course = ledger.schedule_training("Sign language", "sign_language", world.hospital.unit,
                                      MONDAY_8 + timedelta(days=3), MONDAY_8 + timedelta(days=3, hours=2), 5, None,
                                      "admin").id
    before = recorded(world)
    browser(world, "coord")
    assert post_form(world, f"/trainings/{course}/enrol", {"volunteer_id": str(stranger)}).status_code == 403
    assert post_form(world, f"/trainings/{course}/result", {"volunteer_id": str(stranger),
                                                            "passed": "yes"}).status_code == 403
    browser(world, None)
    api = world.call("coord", "POST", f"/api/v1/trainings/{course}/enrolments", json={"volunteer_id": str(stranger)})
    assert api.status_code == 403 and api.json()["reason"] == "not_allowed"
    assert recorded(world) == before and "sign_language" not in ledger.get_volunteer(stranger).qualifications


@pytest.fixture
def supervised_case(world: World) -> tuple[UUID, UUID]:
    """A case of sw's with a note by sw's intern, waiting for sw's countersignature; and another social
    worker, sw2, who supervises nobody here. The case and its note, by id."""
    ledger, unit = world.ledger, world.hospital.unit
    sw = ledger.find_account("sw").id
    intern = ledger.open_account("intern", hash_password(PASSWORD), "social_worker", [unit], None, "admin").id
    ledger.open_account("sw2", hash_password(PASSWORD), "social_worker", [unit], None, "admin")
    ledger.assign_supervision(intern, sw, True, "admin")
    case = ledger.open_case(unit, intern, "pr_y", "outreach", str(intern)).id
    ledger.give_consent(case, ["health_information"], str(intern))
    note = ledger.record_case_note(case, intern, ledger.clock.now(), ["patient"], "visit", str(intern)).value
    world.settle()
    return case, note


def test_only_the_interns_supervisor_countersigns_through_the_form(world: World, supervised_case) -> None:
    case, note = supervised_case
    before = recorded(world)
    browser(world, "sw2")
    assert post_form(world, f"/cases/{case}/notes/{note}/countersign").status_code == 403
    assert recorded(world) == before and world.ledger.get_case(case).notes[note].pending
    browser(world, "sw")  # the supervisor
    assert post_form(world, f"/cases/{case}/notes/{note}/countersign").status_code == 303
    assert not world.ledger.get_case(case).notes[note].pending


def test_a_supervisor_reads_but_does_not_write_the_case_notes(world: World, supervised_case) -> None:
    case, _ = supervised_case
    before = recorded(world)
    browser(world, "sw")
    note = {"day": "2026-11-23", "time": "08:30", "contacted_patient": "on", "text": "I was not there"}
    assert post_form(world, f"/cases/{case}/notes", note).status_code == 403
    browser(world, None)
    assert world.call("sw", "POST", f"/api/v1/cases/{case}/notes", json={
        "contact_at": "2026-11-23T08:30:00+08:00", "contacted": ["patient"], "text": "t"}).status_code == 403
    assert recorded(world) == before
    browser(world, "sw")
    assert "visit" in world.client.get(f"/cases/{case}").text  # what a supervisor may do: read them


def checked_in(world: World, clock: FixedClock) -> UUID:
    shift = world.hospital.shift(clock.now() - timedelta(minutes=30))
    world.ledger.sign_up(shift, world.volunteer, "coord")
    world.ledger.check_in(shift, world.volunteer, "kiosk", "kiosk")
    world.settle()  # the pages show them checked in, with the check-out form
    return shift


QUADRILLIONS = ["18446744073709551621", str(10**15), "10001", "-1", "1e3", "３", "12.5"]


@pytest.mark.parametrize("served", QUADRILLIONS)
def test_the_volunteers_check_out_form_refuses_what_no_one_could_serve(world: World, clock: FixedClock,
                                                                      served: str) -> None:
    shift = checked_in(world, clock)
    before = recorded(world)
    browser(world, "li")
    world.client.cookies.set("lang", "zh")
    answer = post_form(world, f"/me/shifts/{shift}/check-out", {"served_guidance": served})
    assert answer.status_code == 303 and recorded(world) == before
    page = world.client.get("/me").text
    beside = re.search(r'<input id="served-[^"]*-guidance"[^>]*aria-invalid="true"[^>]*>(?:(?!<input)[\s\S]){0,400}?'
                       r'<p class="field-problem"[^>]*>([^<]*)</p>', page)  # after its − and + buttons
    assert beside, "the message stands beside the field"
    assert beside.group(1) in ("必须是整数", "必须在 0 到 10,000 之间")
    assert "已签退" not in page and "服务人次" not in beside.group(1)


def test_the_kiosk_and_the_social_work_form_refuse_out_of_bound_counts(world: World, clock: FixedClock) -> None:
    shift = checked_in(world, clock)
    before = recorded(world)
    browser(world, "kiosk")
    answer = post_form(world, "/kiosk/check-out", {"shift_id": str(shift), "volunteer_id": str(world.volunteer),
                                                   "served_guidance": "18446744073709551621"})
    assert answer.status_code == 303 and recorded(world) == before
    assert 'data-field="served.guidance">must be between 0 and 10,000</p>' in world.client.get("/kiosk").text
    browser(world, "sw")
    session = {"unit_id": str(world.hospital.unit), "patient_id": "MRN1", "service_type": "communication",
               "mode": "group", "day": "2026-11-23", "start": "08:00", "minutes": "30",
               "persons": str(10**15)}
    assert post_form(world, "/social/sessions", session).status_code == 303 and recorded(world) == before
    assert 'data-field="persons">must be between 1 and 100,000</p>' in world.client.get("/social").text
    within = post_form(world, "/kiosk/check-out", {"shift_id": str(shift), "volunteer_id": str(world.volunteer),
                                                   "served_guidance": "12"}) if browser(world, "kiosk") is None else None
    assert within is not None and within.status_code == 303 and recorded(world) > before


def test_registering_by_hand_refuses_a_bad_phone_and_the_same_person_twice(world: World) -> None:
    browser(world, "coord")
    unit = str(world.hospital.unit)
    for phone in ("12345", "abc"):
        before = recorded(world)
        post_form(world, "/volunteers", {"name": "Zhou Min", "phone": phone, "unit_id": unit})
        assert recorded(world) == before
        assert "phone" in world.client.get("/volunteers").text
    assert post_form(world, "/volunteers", {"name": "Zhou Min", "phone": "139 0000 1111", "unit_id": unit}
                     ).status_code == 303
    world.settle()
    before = recorded(world)
    post_form(world, "/volunteers", {"name": "Zhou Min", "phone": "13900001111", "unit_id": unit})
    assert recorded(world) == before and "already registered" in world.client.get("/volunteers").text
    browser(world, None)
    api = world.call("coord", "POST", "/api/v1/volunteers", json={"name": "Zhou Min", "phone": "13900001111",
                                                                  "unit_id": unit})
    assert api.status_code == 409 and api.json()["reason"] == "already_registered"


def test_every_sentence_a_bound_says_is_in_chinese() -> None:
    from pathlib import Path

    from web.i18n import catalogue

    said = re.findall(r'OutOfBounds\(\w+, "([^"]+)"', Path("domain/bounds.py").read_text(encoding="utf-8"))
    assert len(said) >= 8
    assert [s for s in said if s not in catalogue("zh")] == []


def test_a_coordinator_cannot_book_another_units_volunteer_onto_its_shift(world: World) -> None:
    """Found in review: the seat was checked against the shift's unit only; a booking binds the
    volunteer's time, so it is for their own unit's coordinators (or themselves) to make."""
    stranger = world.ledger.register_volunteer("Zhao Lei", "13900002222", world.other_unit, [], [], "admin").id
    world.ledger.approve_volunteer(stranger, "admin")
    shift = world.hospital.shift()
    before = recorded(world)
    browser(world, "coord")
    assert post_form(world, f"/shifts/{shift}/signup", {"volunteer_id": str(stranger)}).status_code == 403
    browser(world, None)
    assert world.call("coord", "POST", f"/api/v1/shifts/{shift}/signups",
                      json={"volunteer_id": str(stranger)}).status_code == 403
    assert recorded(world) == before


@pytest.mark.parametrize("typed", ["--5", "5-", "- 5", "٣"])
def test_a_count_typed_oddly_is_refused_beside_its_field(world: World, clock: FixedClock, typed: str) -> None:
    shift = checked_in(world, clock)
    browser(world, "li")
    post_form(world, f"/me/shifts/{shift}/check-out", {"served_guidance": typed})
    assert 'data-field="served.guidance">must be a whole number</p>' in world.client.get("/me").text
