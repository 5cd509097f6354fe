"""Demo data: a small, realistic hospital group built only through the application's use cases.

Three units, ~40 volunteers, pre-job and sign-language trainings, health checks, two weeks of
shifts (last week served, this week signed up) and some social-work sessions.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.application import CareLedger
from domain.clock import FixedClock
from domain.errors import DomainError
from web.passwords import hash_password
from web.progress import SILENT, Reporter
from web.pseudonyms import patient_ref

ACTOR = "demo"
UNITS = [("Ruijin Hospital", "Huangpu"), ("Zhongshan Hospital", "Xuhui"), ("Renji Hospital", "Pudong")]
GUIDANCE, VISITATION, SIGN_DESK = "outpatient guidance desk", "inpatient visitation", "sign-language desk"
POSTS = {GUIDANCE: ["pre_job"], VISITATION: ["pre_job", "health_check"], SIGN_DESK: ["pre_job", "sign_language"]}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "霞", "平"]
DEMO_SECRET = b"careledger-demo-pseudonym-secret"
VOLUNTEERS_PER_UNIT = 13
SHIFTS = len(UNITS) * 2 * (5 + 6 + 3)  # two weeks of the three posts' series
STEPS = len(UNITS) * (VOLUNTEERS_PER_UNIT - 1) + 2 * SHIFTS  # what the progress bar counts


@dataclass
class DemoLogin:
    username: str
    password: str
    role: str
    note: str


@dataclass
class DemoSummary:
    units: int = 0
    volunteers: int = 0
    shifts: int = 0
    check_ins: int = 0
    person_times: int = 0
    sessions: int = 0
    logins: list[DemoLogin] = field(default_factory=list)


def build_demo(env: dict[str, str], today: date, timezone: str = "Asia/Shanghai",
               reporter: Reporter = SILENT, seed: int = 7) -> DemoSummary:
    """Seed the store described by `env` with demo data around `today`; returns what was made."""
    zone = ZoneInfo(timezone)
    rng = random.Random(seed)
    week_ago = today - timedelta(days=7)
    clock = FixedClock(datetime.combine(today - timedelta(days=30), time(9), zone))
    ledger = CareLedger(env=env, clock=clock)
    summary = DemoSummary()
    try:
        ledger.open_catalogue(ACTOR)
        units = []
        for name, district in UNITS:
            unit = ledger.register_unit(name, district, ACTOR).id
            for post, requires in POSTS.items():
                ledger.define_post(unit, post, requires, ACTOR)
            # what every service certificate of the unit names: who answers for it, where to ask
            ledger.set_certificate_details(unit, f"{rng.choice(SURNAMES)}主任", f"021-{rng.randrange(10**8):08d}",
                                           ACTOR)
            units.append(unit)
        summary.units = len(units)
        reporter.describe("demo: volunteers and trainings")

        volunteers: dict = {u: [] for u in units}
        for unit in units:
            pre_job = ledger.schedule_training(
                "岗前实务培训 Pre-job practical training", "pre_job", unit,
                datetime.combine(today - timedelta(days=21), time(9), zone),
                datetime.combine(today - timedelta(days=21), time(12), zone), 40, 730, ACTOR).id
            sign = ledger.schedule_training(
                "手语培训 Sign-language training", "sign_language", unit,
                datetime.combine(today - timedelta(days=14), time(14), zone),
                datetime.combine(today - timedelta(days=14), time(17), zone), 10, 730, ACTOR).id
            for i in range(VOLUNTEERS_PER_UNIT):
                name = rng.choice(SURNAMES) + rng.choice(GIVEN)
                languages = ["zh", "en"] if rng.random() < 0.3 else ["zh"]
                v = ledger.register_volunteer(name, f"139{rng.randrange(10**8):08d}", unit, languages,
                                              rng.sample(["first aid", "elderly care", "wayfinding"], 1), ACTOR).id
                ledger.enrol(pre_job, v, ACTOR)
                if i == VOLUNTEERS_PER_UNIT - 1:
                    continue  # still in training: pending, not yet assessed
                ledger.assess(pre_job, v, passed=i != VOLUNTEERS_PER_UNIT - 2, score=rng.randint(70, 98),
                              actor=ACTOR)
                ledger.approve_volunteer(v, ACTOR)
                if i < 3:
                    ledger.enrol(sign, v, ACTOR)
                    ledger.assess(sign, v, True, rng.randint(75, 95), ACTOR)
                if rng.random() < 0.8:
                    ledger.record_credential(v, "health_check", today - timedelta(days=rng.randint(30, 300)),
                                             today + timedelta(days=rng.randint(5, 330)), ACTOR)
                volunteers[unit].append(v)
                reporter.advance()
            summary.volunteers += VOLUNTEERS_PER_UNIT
        suspended = volunteers[units[0]].pop()
        ledger.suspend_volunteer(suspended, "missed three shifts without notice", ACTOR)

        reporter.describe("demo: two weeks of shifts")
        shifts: list = []
        for unit in units:
            monday = week_ago - timedelta(days=week_ago.weekday())
            for post, days, start, end, capacity in (
                (GUIDANCE, ["mon", "tue", "wed", "thu", "fri"], time(8), time(12), 3),
                (VISITATION, ["mon", "tue", "wed", "thu", "fri", "sat"], time(14), time(17), 2),
                (SIGN_DESK, ["mon", "wed", "fri"], time(9), time(11), 1),
            ):
                receipt = ledger.schedule_series(unit, post, days, start, end, monday, 2, capacity, [],
                                                 timezone, ACTOR)
                shifts += [(unit, s) for s in receipt.value]
        summary.shifts = len(shifts)

        for unit, shift_id in shifts:
            capacity = ledger.get_shift(shift_id).capacity
            wanted = rng.randint((capacity + 1) // 2, capacity)  # real rosters have gaps
            for v in rng.sample(volunteers[unit], len(volunteers[unit])):
                if ledger.get_shift(shift_id).filled >= wanted:
                    break
                try:
                    ledger.sign_up(shift_id, v, ACTOR)
                except DomainError:
                    continue
            reporter.advance()

        reporter.describe("demo: check-ins and person-times")
        now = datetime.combine(today, time(7), zone)
        past = sorted((ledger.get_shift(s) for _, s in shifts), key=lambda s: s.starts_at)
        for shift in past:
            reporter.advance()
            if shift.ends_at > now:
                continue
            for v, seat in shift.seats.items():
                if seat.state != "signed_up":
                    continue
                if rng.random() < 0.9:
                    clock.set(shift.starts_at - timedelta(minutes=rng.randint(0, 20)))
                    ledger.check_in(shift.id, v, rng.choice(["kiosk", "phone"]), ACTOR)
                    clock.set(shift.ends_at + timedelta(minutes=rng.randint(-15, 10)))
                    served = _served(shift.post, rng)
                    ledger.check_out(shift.id, v, served, ACTOR)
                    summary.check_ins += 1
                    summary.person_times += sum(served.values())
                else:
                    clock.set(shift.starts_at + timedelta(minutes=45))
                    ledger.mark_no_show(shift.id, v, ACTOR)

        reporter.describe("demo: accounts and social work")
        clock.set(now)
        summary.logins = _accounts(ledger, units, volunteers[units[0]][0])
        workers = [ledger.find_account(f"shegong{i}").id for i in (1, 2)]
        for _ in range(30):
            started = datetime.combine(week_ago + timedelta(days=rng.randint(0, 6)), time(rng.randint(9, 16)), zone)
            mode = rng.choice(["individual", "individual", "individual", "group"])
            ledger.log_session(
                units[0], rng.choice(workers), patient_ref(f"MRN{rng.randint(100000, 999999)}", DEMO_SECRET),
                rng.choice(["psychological_support", "communication", "visitation"]), mode, started,
                rng.choice([30, 45, 60]), 1 if mode == "individual" else rng.randint(4, 10), ACTOR,
                notes="Demo note: patient worried about discharge arrangements.",
            )
            summary.sessions += 1
        _case_work(ledger, clock, units[0], workers, rng, now)
        summary.person_times += _interpreting(ledger, clock, units[0], volunteers[units[0]][:3], workers[0], now)
        return summary
    finally:
        ledger.close()


def _case_work(ledger: CareLedger, clock: FixedClock, unit, workers: list, rng: random.Random, now: datetime) -> None:
    """shegong2 is an intern supervised by shegong1; a few cases at different stages, and a group."""
    head, intern = workers
    ledger.assign_supervision(intern, head, True, ACTOR)
    for i, stage in enumerate(("closed", "planned", "assessed", "open")):
        clock.set(now - timedelta(days=10 - 2 * i))
        lead = intern if i % 2 else head
        case = ledger.open_case(unit, lead, patient_ref(f"MRN{700000 + i}", DEMO_SECRET),
                                rng.choice(["self_referral", "outreach", "ward_referral", "agency_referral"]), ACTOR).id
        if stage == "open":
            continue
        ledger.give_consent(case, ["health_information", "referral"], ACTOR)
        ledger.assess_case(case, ["low", "medium", "high"][i % 3], ["financial"], ACTOR)
        if stage == "assessed":
            continue
        ledger.plan_case(case, ["apply to the medical assistance fund", "family meeting"], ACTOR)
        clock.advance(hours=5)
        note = ledger.record_case_note(case, lead, clock.now() - timedelta(hours=2), ["patient", "family"],
                                       "Demo note: family meeting held; fund application started.", ACTOR).value
        if stage == "closed":
            if lead == intern:
                ledger.countersign_note(case, note, head, ACTOR)
            ledger.evaluate_case(case, "goals_met", ACTOR)
            ledger.close_case(case, "goals_met", ACTOR)
    group = ledger.form_group("group", unit, "Caregivers' support group", "psychological_support", head, ACTOR).id
    for week in range(2):
        ledger.hold_meeting(group, now - timedelta(days=7 * week + 1), 90, rng.randint(6, 12), ACTOR)


def _interpreting(ledger: CareLedger, clock: FixedClock, unit, interpreters: list, worker, now: datetime) -> int:
    """Sign-language interpreting: one done three days ago, one asked for tomorrow afternoon.
    Returns the person-times served (one)."""
    done_at = (now - timedelta(days=3)).replace(hour=10)
    clock.set(done_at - timedelta(hours=2))
    done = ledger.request_interpreting(unit, "门诊大厅 Outpatient hall", done_at, 40, interpreters, str(worker)).id
    ledger.accept_interpreting(done, interpreters[0], ACTOR)
    clock.set(done_at + timedelta(minutes=50))
    ledger.serve_interpreting(done, 40, str(worker))
    clock.set(now)
    ledger.request_interpreting(unit, "眼科诊室 Eye clinic, room 3", (now + timedelta(days=1)).replace(hour=14), 30,
                                interpreters, str(worker))
    return 1


def _served(post: str, rng: random.Random) -> dict[str, int]:
    if post == GUIDANCE:
        return {"guidance": rng.randint(25, 60), "communication": rng.randint(0, 8)}
    if post == VISITATION:
        return {"visitation": rng.randint(6, 15), "psychological_support": rng.randint(1, 5)}
    return {"sign_language": rng.randint(2, 8)}


def _accounts(ledger: CareLedger, units: list, volunteer) -> list[DemoLogin]:
    logins = [
        DemoLogin("admin", "admin-demo", "admin", "everything"),
        DemoLogin("coordinator", "coordinator-demo", "coordinator", UNITS[0][0]),
        DemoLogin("volunteer", "volunteer-demo", "volunteer", "a volunteer at " + UNITS[0][0]),
        DemoLogin("kiosk", "kiosk-demo", "kiosk", "the volunteer desk at " + UNITS[0][0]),
        DemoLogin("shegong1", "shegong-demo", "social_worker", UNITS[0][0] + ", supervisor (督导)"),
        DemoLogin("shegong2", "shegong-demo", "social_worker", UNITS[0][0] + ", intern supervised by shegong1"),
        DemoLogin("auditor", "auditor-demo", "auditor", "city-wide tallies"),
    ]
    # the demo volunteer can print a service certificate and receives notices by e-mail (a sample ID)
    ledger.record_identity(volunteer, "resident_id", "11010519491231002X", "", ACTOR)
    ledger.change_volunteer_email(volunteer, "volunteer@example.org", ACTOR)
    for login in logins:
        bound = [units[0]] if login.role in ("coordinator", "kiosk", "social_worker") else []
        ledger.open_account(login.username, hash_password(login.password), login.role, bound,
                            volunteer if login.role == "volunteer" else None, ACTOR)
    return logins
