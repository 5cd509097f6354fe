"""Who may do what, enforced on the server: every endpoint x every role (and no token), from ONE table.
A new endpoint without a row here fails `test_every_endpoint_has_a_row`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from uuid import UUID, uuid4

import pytest

from tests.conftest import CST
from tests.integration.conftest import PASSWORD, World

ROLES = {"admin": "admin", "coordinator": "coord", "volunteer": "li", "kiosk": "kiosk",
         "social_worker": "sw", "auditor": "auditor", "ward": "ward"}
ANY = set(ROLES)
MONDAY_8 = datetime(2026, 11, 24, 8, tzinfo=CST)


PAST = MONDAY_8 - timedelta(days=1)  # sessions are logged after they happen; the clock stands on Sunday


class Ids:
    def __init__(self, world: World) -> None:
        ledger, h = world.ledger, world.hospital
        self.unit, self.volunteer = str(h.unit), str(world.volunteer)
        self.shift = str(h.shift())
        self.training = str(h.pre_job)
        sw = ledger.find_account("sw").id
        self.session = str(ledger.log_session(h.unit, sw, "pr_x", "communication", "individual", PAST, 30, 1,
                                              str(sw)).id)
        case = ledger.open_case(h.unit, sw, "pr_x", "outreach", str(sw)).id
        intern = ledger.open_account("intern", "h", "social_worker", [h.unit], None, "admin").id
        ledger.assign_supervision(intern, sw, True, "admin")
        ledger.give_consent(case, ["health_information"], str(sw))
        self.note = str(ledger.record_case_note(case, intern, ledger.clock.now(), ["patient"], "visit", str(intern)).value)
        self.case = str(case)
        self.group = str(ledger.form_group("group", h.unit, "Caregivers", "communication", sw, str(sw)).id)
        self.account = str(sw)
        self.intern = str(intern)
        # A sign-language request offered to and accepted by the volunteer
        ledger.grant_qualification(world.volunteer, "sign_language", None, "coordinator")
        self.interp = str(ledger.request_interpreting(h.unit, "Ward 5", datetime(2026, 11, 24, 10, tzinfo=CST), 30,
                                                      [world.volunteer], str(sw)).id)
        ledger.accept_request(UUID(self.interp), world.volunteer, "volunteer")
        # A certificate of the volunteer's, and what a new one needs
        ledger.set_certificate_details(h.unit, "Wang", "021-1", "admin")
        ledger.record_identity(world.volunteer, "passport", "E12345678", "", "admin")
        from domain.certificates import ServiceLine
        self.certificate = str(ledger.issue_certificate(
            world.volunteer, h.unit, MONDAY_8.date(), MONDAY_8.date(), [ServiceLine(MONDAY_8.date(), "Ruijin", "desk", 60)],
            "coord", MONDAY_8.date(), "admin").id)


Body = Callable[[Ids], dict] | None
# method, path, body, roles allowed (None for a public endpoint)
MATRIX: list[tuple[str, str, Body, set[str] | None]] = [
    ("POST", "/api/v1/auth/token", lambda i: {"username": "auditor", "password": PASSWORD}, None),
    ("GET", "/api/v1/healthz", None, None),
    ("POST", "/api/v1/units", lambda i: {"name": "Xinhua Hospital", "district": "Yangpu"}, {"admin"}),
    ("GET", "/api/v1/units", None, ANY),
    ("POST", "/api/v1/accounts", lambda i: {"username": "new", "password": "long enough", "role": "auditor"},
     {"admin"}),
    ("POST", "/api/v1/volunteers", lambda i: {"name": "Zhou", "phone": "139", "unit_id": i.unit}, {"coordinator"}),
    ("GET", "/api/v1/volunteers", None, {"coordinator"}),
    ("GET", "/api/v1/volunteers/{volunteer}", None, {"coordinator", "volunteer"}),
    ("POST", "/api/v1/volunteers/{volunteer}/approve", None, {"coordinator"}),
    ("POST", "/api/v1/volunteers/{volunteer}/suspend", lambda i: {"reason": "test"}, {"coordinator"}),
    ("GET", "/api/v1/volunteers/{volunteer}/hours", None, {"coordinator", "volunteer"}),
    ("POST", "/api/v1/trainings", lambda i: {"title": "T", "kind": "other", "unit_id": i.unit,
                                             "starts_at": "2026-12-01T09:00:00+08:00",
                                             "ends_at": "2026-12-01T10:00:00+08:00", "capacity": 5},
     {"coordinator"}),
    ("POST", "/api/v1/trainings/{training}/enrolments", lambda i: {"volunteer_id": i.volunteer}, {"coordinator"}),
    ("POST", "/api/v1/trainings/{training}/results", lambda i: {"volunteer_id": i.volunteer, "passed": True},
     {"coordinator"}),
    ("POST", "/api/v1/shifts", lambda i: {"unit_id": i.unit, "post": "desk", "starts_at": "2026-12-01T08:00:00+08:00",
                                          "ends_at": "2026-12-01T12:00:00+08:00", "capacity": 2}, {"coordinator"}),
    ("GET", "/api/v1/shifts", None, {"coordinator", "volunteer", "kiosk"}),
    ("GET", "/api/v1/shifts/{shift}", None, {"coordinator", "volunteer", "kiosk"}),
    ("POST", "/api/v1/shifts/{shift}/signups", lambda i: {"volunteer_id": i.volunteer}, {"coordinator", "volunteer"}),
    ("DELETE", "/api/v1/shifts/{shift}/signups/{volunteer}", None, {"coordinator", "volunteer"}),
    ("POST", "/api/v1/shifts/{shift}/check-in", lambda i: {"volunteer_id": i.volunteer},
     {"coordinator", "volunteer", "kiosk"}),
    ("POST", "/api/v1/shifts/{shift}/check-out", lambda i: {"volunteer_id": i.volunteer, "served": {}},
     {"coordinator", "volunteer", "kiosk"}),
    ("POST", "/api/v1/shifts/{shift}/no-show", lambda i: {"volunteer_id": i.volunteer}, {"coordinator"}),
    ("POST", "/api/v1/shifts/{shift}/cancel", lambda i: {"reason": "test"}, {"coordinator"}),
    ("POST", "/api/v1/sessions", lambda i: {"unit_id": i.unit, "patient_id": "MRN1", "service_type": "communication",
                                            "mode": "individual", "started_at": "2026-11-23T10:00:00+08:00",
                                            "minutes": 30}, {"social_worker"}),
    ("GET", "/api/v1/sessions/{session}", None, {"social_worker"}),
    ("GET", "/api/v1/sessions", None, {"social_worker", "coordinator"}),
    ("GET", "/api/v1/reports/tallies", None, {"coordinator", "auditor", "admin"}),
    ("GET", "/api/v1/audit", None, {"admin", "auditor"}),
    # Beyond API.md: what coordinators, volunteers and kiosks need every week.
    ("POST", "/api/v1/shifts/series", lambda i: {"unit_id": i.unit, "post": "desk", "weekdays": ["mon"],
                                                 "start_time": "08:00:00", "end_time": "12:00:00",
                                                 "first_day": "2026-12-07", "weeks": 2, "capacity": 2},
     {"coordinator"}),
    ("POST", "/api/v1/shifts/{shift}/reschedule", lambda i: {"starts_at": "2026-11-24T09:00:00+08:00",
                                                              "ends_at": "2026-11-24T13:00:00+08:00", "capacity": 3},
     {"coordinator"}),
    ("POST", "/api/v1/shifts/{shift}/corrections", lambda i: {"volunteer_id": i.volunteer, "minutes": 60,
                                                               "reason": "forgot to check out"},
     {"coordinator", "volunteer"}),
    ("POST", "/api/v1/shifts/{shift}/corrections/{request}/approve", None, {"coordinator"}),
    ("POST", "/api/v1/shifts/{shift}/corrections/{request}/decline", lambda i: {"reason": "no"}, {"coordinator"}),
    ("POST", "/api/v1/volunteers/{volunteer}/reinstate", None, {"coordinator"}),
    ("POST", "/api/v1/volunteers/{volunteer}/invitations", None, {"coordinator"}),
    ("POST", "/api/v1/invitations/send", lambda i: {"code": "0000-0000-0000"}, {"coordinator"}),
    ("POST", "/api/v1/shifts/{shift}/walk-in", lambda i: {"volunteer_id": i.volunteer}, {"coordinator", "kiosk"}),
    ("POST", "/api/v1/invitations/accept", lambda i: {"code": "0000-0000-0000", "username": "z",
                                                       "password": "long enough pass"}, None),
    ("POST", "/api/v1/accounts/{intern}/password", lambda i: {"password": "another long password"}, {"admin"}),
    ("POST", "/api/v1/accounts/{intern}/enable", None, {"admin"}),
    ("POST", "/api/v1/accounts/{intern}/units", lambda i: {"unit_ids": [i.unit]}, {"admin"}),
    ("POST", "/api/v1/shifts/{shift}/cancel-rest-of-series", lambda i: {"reason": "lift repairs"}, {"coordinator"}),
    ("POST", "/api/v1/volunteers/{volunteer}/forget", None, {"admin"}),
    ("POST", "/api/v1/volunteers/import", None, {"coordinator"}),
    ("POST", "/api/v1/volunteers/{volunteer}/retire", None, {"coordinator"}),
    ("POST", "/api/v1/volunteers/{volunteer}/credentials", lambda i: {"kind": "health_check",
                                                                       "recorded_on": "2026-11-01"},
     {"coordinator"}),
    ("GET", "/api/v1/volunteers/{volunteer}/service-record", None, {"coordinator", "volunteer"}),
    ("GET", "/api/v1/reports/fill-rates", None, {"coordinator", "auditor", "admin"}),
    ("GET", "/api/v1/reports/check-out-reviews", None, {"coordinator"}),
    ("GET", "/api/v1/reports/awards-due", None, {"coordinator"}),
    ("GET", "/api/v1/reports/notices", None, {"coordinator", "admin"}),
    ("POST", "/api/v1/volunteers/{volunteer}/email", lambda i: {"email": "li@example.org"},
     {"coordinator", "volunteer"}),
    ("GET", "/api/v1/volunteers/{volunteer}/notices", None, {"coordinator", "volunteer"}),
    ("POST", "/api/v1/volunteers/{volunteer}/awards", lambda i: {"hours": 100}, {"coordinator"}),
    ("POST", "/api/v1/shifts/{shift}/check-out-review", lambda i: {"volunteer_id": i.volunteer}, {"coordinator"}),
    ("GET", "/api/v1/reports/missing", None, {"coordinator", "kiosk"}),
    ("GET", "/api/v1/reports/expiring", None, {"coordinator"}),
    ("GET", "/api/v1/reports/compliance", None, {"coordinator", "auditor", "admin"}),
    ("GET", "/api/v1/service-types", None, ANY),
    ("GET", "/api/v1/calendar/links", None, {"volunteer", "coordinator"}),
    ("GET", "/api/v1/calendar/feeds/{account}/{shows}/{signature}", None, None),
    ("GET", "/api/v1/exports/roster", None, {"coordinator", "admin"}),
    ("GET", "/api/v1/exports/hours", None, {"coordinator", "admin"}),
    ("GET", "/api/v1/exports/tallies", None, {"coordinator", "auditor", "admin"}),
    ("GET", "/api/v1/exports/fill-rates", None, {"coordinator", "auditor", "admin"}),
    ("POST", "/api/v1/units/{unit}/post-codes", lambda i: {"post": "guidance desk", "needed": True}, {"coordinator"}),
    ("GET", "/api/v1/units/{unit}/post-code?post=guidance%20desk", None, {"coordinator", "kiosk"}),
    ("POST", "/api/v1/check-ins/by-post-code", lambda i: {"code": "not.a.real.code"}, {"volunteer"}),
    ("POST", "/api/v1/apply", lambda i: {"unit_id": i.unit}, None),
    ("POST", "/api/v1/units/{unit}/limits", lambda i: {"daily_hours": 10}, {"coordinator"}),
    ("POST", "/api/v1/shifts/{shift}/waitlist", lambda i: {"volunteer_id": i.volunteer}, {"coordinator", "volunteer"}),
    ("DELETE", "/api/v1/shifts/{shift}/waitlist/{volunteer}", None, {"coordinator", "volunteer"}),
    ("GET", "/api/v1/shifts/{shift}/waitlist", None, {"coordinator"}),
    ("GET", "/api/v1/shifts/offers", None, {"volunteer"}),
    ("POST", "/api/v1/shifts/{shift}/offers", lambda i: {"volunteer_id": i.volunteer}, {"coordinator", "volunteer"}),
    ("DELETE", "/api/v1/shifts/{shift}/offers/{volunteer}", None, {"coordinator", "volunteer"}),
    ("POST", "/api/v1/shifts/{shift}/offers/{volunteer}/take", lambda i: {"volunteer_id": i.volunteer}, {"volunteer"}),
    ("POST", "/api/v1/shifts/{shift}/offers/{volunteer}/approve", None, {"coordinator"}),
    ("POST", "/api/v1/shifts/{shift}/offers/{volunteer}/decline", lambda i: {"reason": "new here"}, {"coordinator"}),
    ("POST", "/api/v1/units/{unit}/handover-approval", lambda i: {"needed": True}, {"coordinator"}),
    ("POST", "/api/v1/volunteers/{volunteer}/no-show-review/clear", None, {"coordinator"}),
    ("GET", "/api/v1/applications", None, {"coordinator"}),
    ("POST", "/api/v1/applications/{application}/interview", lambda i: {}, {"coordinator"}),
    ("POST", "/api/v1/applications/{application}/screen", None, {"coordinator"}),
    ("POST", "/api/v1/applications/{application}/train", None, {"coordinator"}),
    ("POST", "/api/v1/applications/{application}/activate", None, {"coordinator"}),
    ("POST", "/api/v1/applications/{application}/reject", lambda i: {"reason": "r"}, {"coordinator"}),
    ("POST", "/api/v1/applications/{application}/withdraw", lambda i: {"reason": "r"}, {"coordinator"}),
    ("GET", "/api/v1/exports/cases", None, {"social_worker", "coordinator", "auditor", "admin"}),
    # Case work: only social workers, and for notes only the case's own workers and supervisors.
    ("POST", "/api/v1/cases", lambda i: {"unit_id": i.unit, "patient_id": "MRN-9", "source": "outreach"},
     {"social_worker"}),
    ("GET", "/api/v1/cases", None, {"social_worker"}),
    ("GET", "/api/v1/cases/worklist", None, {"social_worker"}),
    ("GET", "/api/v1/cases/{case}", None, {"social_worker"}),
    ("GET", "/api/v1/cases/{case}/notes", None, {"social_worker"}),
    ("POST", "/api/v1/cases/{case}/consent", lambda i: {"scope": ["health_information"]}, {"social_worker"}),
    ("POST", "/api/v1/cases/{case}/consent/withdraw", None, {"social_worker"}),
    ("POST", "/api/v1/cases/{case}/assessment", lambda i: {"risk": "low"}, {"social_worker"}),
    ("POST", "/api/v1/cases/{case}/plan", lambda i: {"goals": ["g"]}, {"social_worker"}),
    ("POST", "/api/v1/cases/{case}/notes", lambda i: {"contact_at": "2026-11-23T08:30:00+08:00",
                                                       "contacted": ["patient"], "text": "t"}, {"social_worker"}),
    ("POST", "/api/v1/cases/{case}/notes/{note}/countersign", None, {"social_worker"}),
    ("POST", "/api/v1/cases/{case}/referrals", lambda i: {"to": "hospice"}, {"social_worker"}),
    ("POST", "/api/v1/cases/{case}/transfer", lambda i: {"to_worker_id": i.account}, {"social_worker"}),
    ("POST", "/api/v1/cases/{case}/evaluation", lambda i: {"result": "goals_met"}, {"social_worker"}),
    ("POST", "/api/v1/cases/{case}/close", lambda i: {"outcome": "other"}, {"social_worker"}),
    ("POST", "/api/v1/groups", lambda i: {"kind": "group", "unit_id": i.unit, "title": "G",
                                          "service_type": "communication"}, {"social_worker"}),
    ("POST", "/api/v1/groups/{group}/meetings", lambda i: {"started_at": "2026-11-23T15:00:00+08:00",
                                                            "minutes": 60, "persons": 5}, {"social_worker"}),
    ("POST", "/api/v1/groups/{group}/end", None, {"social_worker"}),
    ("POST", "/api/v1/volunteers/{volunteer}/profile", lambda i: {"phone": "13900009999", "languages": ["zh"]},
     {"coordinator", "volunteer"}),
    ("POST", "/api/v1/accounts/{account}/supervision", lambda i: {"supervisor_id": None}, {"admin"}),
    ("POST", "/api/v1/accounts/{intern}/disable", None, {"admin"}),
    # Each role's own account: a new password, or signing out everywhere (both void the token used).
    ("POST", "/api/v1/auth/password", lambda i: {"current_password": PASSWORD, "new_password": "a new passphrase"},
     ANY),
    ("POST", "/api/v1/auth/sign-out", None, ANY),
    ("GET", "/api/v1/reports/cases", None, {"social_worker", "coordinator", "auditor", "admin"}),
    ("POST", "/api/v1/interpreter-requests", lambda i: {"unit_id": i.unit, "place": "Ward 5",
                                                        "starts_at": "2026-11-25T10:00:00+08:00", "minutes": 30},
     {"social_worker"}),
    ("GET", "/api/v1/interpreter-requests", None, {"social_worker", "coordinator", "volunteer"}),
    ("GET", "/api/v1/interpreter-requests/{interp}", None, {"social_worker", "coordinator", "volunteer"}),
    ("POST", "/api/v1/interpreter-requests/{interp}/accept", lambda i: {"volunteer_id": i.volunteer},
     {"volunteer", "coordinator"}),
    ("POST", "/api/v1/interpreter-requests/{interp}/served", lambda i: {"minutes": 30},
     {"social_worker", "volunteer", "coordinator", "ward"}),
    ("POST", "/api/v1/service-requests", lambda i: {"unit_id": i.unit, "kind": "visitation", "place": "Ward 5, bed 1",
                                                    "minutes": 30}, {"ward", "social_worker", "coordinator"}),
    ("GET", "/api/v1/service-requests", None, {"ward", "social_worker", "coordinator", "volunteer"}),
    ("GET", "/api/v1/service-requests/{interp}", None, {"ward", "social_worker", "coordinator", "volunteer"}),
    ("POST", "/api/v1/service-requests/{interp}/accept", lambda i: {"volunteer_id": i.volunteer},
     {"volunteer", "coordinator"}),
    ("POST", "/api/v1/service-requests/{interp}/served", lambda i: {"minutes": 30},
     {"ward", "social_worker", "coordinator", "volunteer"}),
    ("POST", "/api/v1/service-requests/{interp}/cancel", lambda i: {"reason": "discharged"},
     {"ward", "social_worker", "coordinator"}),
    ("GET", "/api/v1/volunteers/{volunteer}/on-call", None, {"volunteer", "coordinator"}),
    ("GET", "/api/v1/reports/value", None, {"coordinator", "auditor", "admin"}),
    ("GET", "/api/v1/reports/uninsured", None, {"coordinator"}),
    ("GET", "/api/v1/reports/feedback", None, {"coordinator", "auditor", "admin"}),
    ("GET", "/api/v1/reports/feedback/lines", None, {"coordinator"}),
    ("POST", "/api/v1/shifts/{shift}/ratings", lambda i: {"volunteer_id": i.volunteer, "rating": 5}, {"volunteer"}),
    ("GET", "/api/v1/shifts/{shift}/feedback-link?volunteer_id={volunteer}", None, {"volunteer"}),
    ("POST", "/api/v1/feedback/{token}", lambda i: {"rating": 5}, None),
    ("POST", "/api/v1/volunteers/{volunteer}/insurance", lambda i: {"policy_number": "PICC-1", "valid_from": "2026-11-01",
                                                                    "valid_until": "2027-10-31"}, {"coordinator"}),
    ("GET", "/api/v1/volunteers/{volunteer}/agreement", None, {"coordinator", "volunteer"}),
    ("POST", "/api/v1/volunteers/{volunteer}/agreement", lambda i: {"version": "2026-12"}, {"volunteer"}),
    ("POST", "/api/v1/volunteers/{volunteer}/evaluations", lambda i: {"from": "2026-05-01", "to": "2026-10-31",
                                                                      "rating": "good"}, {"coordinator"}),
    ("GET", "/api/v1/volunteers/{volunteer}/evaluations", None, {"coordinator", "volunteer"}),
    ("POST", "/api/v1/evaluations/{evaluation}/amend", lambda i: {"rating": "pass", "reason": "late"}, {"coordinator"}),
    ("PUT", "/api/v1/volunteers/{volunteer}/on-call", lambda i: {"ends_at": "2026-11-24T12:00:00+08:00"},
     {"volunteer", "coordinator"}),
    ("DELETE", "/api/v1/volunteers/{volunteer}/on-call", None, {"volunteer", "coordinator"}),
    ("POST", "/api/v1/units/{unit}/certificate-details", lambda i: {"responsible_person": "Wang", "contact": "021"},
     {"coordinator", "admin"}),
    ("POST", "/api/v1/volunteers/{volunteer}/identity", lambda i: {"id_type": "passport", "id_number": "E7654321"},
     {"coordinator", "volunteer"}),
    ("POST", "/api/v1/volunteers/{volunteer}/certificates", lambda i: {"from": "2026-11-01", "to": "2026-11-30"},
     {"coordinator", "volunteer"}),
    ("GET", "/api/v1/volunteers/{volunteer}/certificates", None, {"coordinator", "volunteer"}),
    ("GET", "/api/v1/certificates", None, {"coordinator", "admin"}),
    ("GET", "/api/v1/certificates/{certificate}", None, {"coordinator", "volunteer"}),
    ("GET", "/api/v1/certificates/verify/{code}", None, None),
    ("GET", "/api/v1/exports/service-records", None, {"coordinator", "admin"}),
    ("POST", "/api/v1/interpreter-requests/{interp}/cancel", lambda i: {"reason": "discharged"},
     {"social_worker", "coordinator", "ward"}),
]


def test_every_endpoint_has_a_row(world: World) -> None:
    served = {(method, route.path.replace(":uuid", "").replace(":str", "")) for route in world.client.app.routes
              for handler in getattr(route, "route_handlers", []) for method in handler.http_methods
              if route.path.startswith("/api/") and method not in ("HEAD", "OPTIONS")}
    import re

    in_table = {(method, re.sub(r"\{(\w+)\}", lambda m: "{" + {"volunteer": "volunteer_id", "shift": "shift_id",
                                                               "training": "training_id",
                                                               "session": "session_id",
                                                               "request": "request_id", "case": "case_id", "note": "note_id",
                                                               "group": "group_id", "account": "account_id",
                                                               "intern": "account_id", "shows": "shows", "interp": "request_id",
                                                               "unit": "unit_id", "certificate": "certificate_id",
                                                               "code": "code", "application": "application_id",
                                                               "signature": "signature", "evaluation": "evaluation_id",
                                                               "token": "token"}[m.group(1)] + "}", path))
                for method, path, _, _ in MATRIX}
    assert served == {(method, path.partition("?")[0]) for method, path in in_table}


@pytest.mark.parametrize(("method", "path", "body", "allowed"), MATRIX, ids=[f"{m} {p}" for m, p, _, _ in MATRIX])
def test_each_role_is_allowed_or_refused_as_the_contract_says(world: World, method, path, body, allowed) -> None:
    ids = Ids(world)
    url = path.format(volunteer=ids.volunteer, shift=ids.shift, training=ids.training, session=ids.session,
                      request="00000000-0000-4000-8000-000000000001", case=ids.case, group=ids.group, note=ids.note,
                      account=ids.account, intern=ids.intern, interp=ids.interp, unit=ids.unit, certificate=ids.certificate,
                      code="ABCDEFGHJKLM", shows="v-x", signature="bad.ics", application=str(uuid4()),
                      evaluation=str(uuid4()), token="A" * 55)
    json = body(ids) if body else None
    anonymous = world.call(None, method, url, json=json)
    if allowed is None:
        assert anonymous.status_code not in (401, 403), anonymous.text
        return
    assert anonymous.status_code == 401, anonymous.text
    for role, username in ROLES.items():
        answer = world.call(username, method, url, json=json)
        if role in allowed:
            assert answer.status_code not in (401, 403), f"{role}: {answer.status_code} {answer.text}"
        else:
            assert answer.status_code == 403, f"{role}: {answer.status_code} {answer.text}"
