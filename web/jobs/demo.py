"""Demo data: a small, realistic hospital group built only through the checked commands every
face runs (web/commands.py), as the programme itself or as the demo's social workers.

Three units, ~40 volunteers, pre-job and sign-language trainings, health checks, two weeks of
shifts (last week served, this week signed up) and some social-work sessions.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from domain.application import CareLedger
from domain.applications import AVAILABILITY
from domain.usecases.applications import ApplicationForm
from domain.clock import FixedClock
from domain.errors import DomainError
from domain.permissions import UNIT_BOUND_ROLES, Actor, system
from web.auth import principal_of
from web.commands import Commands
from web.passwords import hash_password
from web.progress import SILENT, Reporter

ACTOR = "demo"
PROGRAMME = system(ACTOR)
# Names as the hospitals sign them, in both languages: each screen is whole in either
UNITS = [("瑞金医院 Ruijin Hospital", "黄浦区 Huangpu"), ("中山医院 Zhongshan Hospital", "徐汇区 Xuhui"),
         ("仁济医院 Renji Hospital", "浦东新区 Pudong")]
GUIDANCE, VISITATION, SIGN_DESK = ("门诊导医台 outpatient guidance desk", "住院探视 inpatient visitation",
                                   "手语服务台 sign-language desk")
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
               reporter: Reporter = SILENT, seed: int = 7, pseudonym_secret: bytes = DEMO_SECRET) -> DemoSummary:
    """Seed the store described by `env` with demo data around `today`; returns what was made.
    Patients' hospital numbers become pseudonyms under `pseudonym_secret` (the server's, from the CLI)."""
    zone = ZoneInfo(timezone)
    rng = random.Random(seed)
    week_ago = today - timedelta(days=7)
    clock = FixedClock(datetime.combine(today - timedelta(days=30), time(9), zone))
    ledger = CareLedger(env=env, clock=clock)
    # no read models while seeding: nothing the demo runs reads them (it checks no duplicates)
    commands = Commands(ledger, lambda _: None, None, pseudonym_secret)
    summary = DemoSummary()
    try:
        ledger.open_catalogue(ACTOR)
        units = []
        for name, district in UNITS:
            unit = commands.register_unit(PROGRAMME, name, district).id
            for post, requires in POSTS.items():
                commands.define_post(PROGRAMME, unit, post, requires)
            # what every service certificate of the unit names: who answers for it, where to ask
            commands.set_certificate_details(PROGRAMME, unit, f"{rng.choice(SURNAMES)}主任", f"021-{rng.randrange(10**8):08d}",
                                           )
            units.append(unit)
        summary.units = len(units)
        kiosk = Actor(ACTOR, "kiosk", "kiosk", tuple(str(u) for u in units), None)  # the desks' check-ins
        reporter.describe("demo: volunteers and trainings")

        volunteers: dict = {u: [] for u in units}
        for unit in units:
            pre_job = commands.schedule_training(PROGRAMME, 
                "岗前实务培训 Pre-job practical training", "pre_job", unit,
                datetime.combine(today - timedelta(days=21), time(9), zone),
                datetime.combine(today - timedelta(days=21), time(12), zone), 40, 730).id
            sign = commands.schedule_training(PROGRAMME, 
                "手语培训 Sign-language training", "sign_language", unit,
                datetime.combine(today - timedelta(days=14), time(14), zone),
                datetime.combine(today - timedelta(days=14), time(17), zone), 10, 730).id
            for i in range(VOLUNTEERS_PER_UNIT):
                name = rng.choice(SURNAMES) + rng.choice(GIVEN)
                languages = ["zh", "en"] if rng.random() < 0.3 else ["zh"]
                v = commands.register_volunteer(PROGRAMME, name, f"139{rng.randrange(10**8):08d}", unit, languages,
                                              rng.sample(["first aid", "elderly care", "wayfinding"], 1), duplicates=False).id
                commands.enrol(PROGRAMME, pre_job, v)
                if i == VOLUNTEERS_PER_UNIT - 1:
                    continue  # still in training: pending, not yet assessed
                commands.assess(PROGRAMME, pre_job, v, passed=i != VOLUNTEERS_PER_UNIT - 2, score=rng.randint(70, 98))
                commands.approve_volunteer(PROGRAMME, v)
                if i < 3:
                    commands.enrol(PROGRAMME, sign, v)
                    commands.assess(PROGRAMME, sign, v, True, rng.randint(75, 95))
                if rng.random() < 0.8:
                    commands.record_credential(PROGRAMME, v, "health_check", today - timedelta(days=rng.randint(30, 300)),
                                             today + timedelta(days=rng.randint(5, 330)))
                volunteers[unit].append(v)
                reporter.advance()
            summary.volunteers += VOLUNTEERS_PER_UNIT
        suspended = volunteers[units[0]].pop()
        commands.suspend_volunteer(PROGRAMME, suspended, "missed three shifts without notice")

        reporter.describe("demo: two weeks of shifts")
        shifts: list = []
        for unit in units:
            monday = week_ago - timedelta(days=week_ago.weekday())
            for post, days, start, end, capacity in (
                (GUIDANCE, ["mon", "tue", "wed", "thu", "fri"], time(8), time(12), 3),
                (VISITATION, ["mon", "tue", "wed", "thu", "fri", "sat"], time(14), time(17), 2),
                (SIGN_DESK, ["mon", "wed", "fri"], time(9), time(11), 1),
            ):
                receipt = commands.schedule_series(PROGRAMME, unit, post, days, start, end, monday, 2, capacity, [],
                                                   timezone)
                shifts += [(unit, s) for s in receipt.value]
        summary.shifts = len(shifts)

        for unit, shift_id in shifts:
            capacity = ledger.get_shift(shift_id).capacity
            wanted = rng.randint((capacity + 1) // 2, capacity)  # real rosters have gaps
            for v in rng.sample(volunteers[unit], len(volunteers[unit])):
                if ledger.get_shift(shift_id).filled >= wanted:
                    break
                try:
                    commands.sign_up(PROGRAMME, shift_id, v)
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
                    commands.check_in(kiosk if rng.random() < 0.5 else PROGRAMME, shift.id, v)
                    clock.set(shift.ends_at + timedelta(minutes=rng.randint(-15, 10)))
                    served = _served(shift.post, rng)
                    commands.check_out(PROGRAMME, shift.id, v, served)
                    summary.check_ins += 1
                    summary.person_times += sum(served.values())
                else:
                    clock.set(shift.starts_at + timedelta(minutes=45))
                    commands.mark_no_show(PROGRAMME, shift.id, v)

        reporter.describe("demo: accounts and social work")
        clock.set(now)
        summary.logins = _accounts(commands, units, volunteers[units[0]][0])
        workers = [principal_of(ledger.find_account(f"shegong{i}")) for i in (1, 2)]
        for _ in range(30):
            started = datetime.combine(week_ago + timedelta(days=rng.randint(0, 6)), time(rng.randint(9, 16)), zone)
            mode = rng.choice(["individual", "individual", "individual", "group"])
            commands.log_session(
                rng.choice(workers), units[0], f"MRN{rng.randint(100000, 999999)}",
                rng.choice(["psychological_support", "communication", "visitation"]), mode, started,
                rng.choice([30, 45, 60]), 1 if mode == "individual" else rng.randint(4, 10),
                notes="演示记录：患者担心出院安排。Demo note: patient worried about discharge arrangements.",
            )
            summary.sessions += 1
        _case_work(commands, clock, units[0], workers, rng, now)
        summary.person_times += _requests(commands, clock, units[0], volunteers[units[0]][:3], workers[0], now)
        _applicants(commands, clock, units[0], rng, now)
        return summary
    finally:
        ledger.close()


def _case_work(commands: Commands, clock: FixedClock, unit, workers: list[Actor], rng: random.Random,
               now: datetime) -> None:
    """shegong2 is an intern supervised by shegong1; a few cases at different stages, and a group."""
    head, intern = workers
    commands.assign_supervision(PROGRAMME, UUID(intern.account_id), UUID(head.account_id), True)
    for i, stage in enumerate(("closed", "planned", "assessed", "open")):
        clock.set(now - timedelta(days=10 - 2 * i))
        lead = intern if i % 2 else head
        case = commands.open_case(lead, unit, f"MRN{700000 + i}",
                                  rng.choice(["self_referral", "outreach", "ward_referral", "agency_referral"])).id
        if stage == "open":
            continue
        commands.give_consent(lead, case, ["health_information", "referral"])
        commands.assess_case(lead, case, ["low", "medium", "high"][i % 3], ["financial"])
        if stage == "assessed":
            continue
        commands.plan_case(lead, case, ["apply to the medical assistance fund", "family meeting"])
        clock.advance(hours=5)
        note = commands.record_case_note(lead, case, clock.now() - timedelta(hours=2), ["patient", "family"],
                                         "演示记录：已召开家庭会议，已开始申请基金。Demo note: family meeting held; fund application started.").value
        if stage == "closed":
            if lead == intern:
                commands.countersign_note(head, case, note)
            commands.evaluate_case(lead, case, "goals_met")
            commands.close_case(lead, case, "goals_met")
    group = commands.form_group(head, "group", unit, "Caregivers' support group", "psychological_support").id
    for week in range(2):
        commands.hold_meeting(head, group, now - timedelta(days=7 * week + 1), 90, rng.randint(6, 12))


def _requests(commands: Commands, clock: FixedClock, unit, helpers: list, worker: Actor, now: datetime) -> int:
    """Requests for volunteers: an interpreting and a companionship done days ago, an interpreting
    asked for tomorrow afternoon and a ward's visit asked for now. Returns the person-times served
    (two). Each request names its candidates itself: the command finds them in the read models,
    which do not exist while the demo seeds the log."""
    ledger = commands.ledger
    served = 0
    for kind, place, days, minutes in (("sign_language", "门诊大厅 Outpatient hall", 3, 40),
                                       ("visitation", "5病区 12床 Ward 5, bed 12", 2, 50)):
        done_at = (now - timedelta(days=days)).replace(hour=10)
        clock.set(done_at - timedelta(hours=2))
        done = ledger.request_service(unit, kind, place, done_at, minutes, helpers, worker.account_id).id
        commands.accept_request(PROGRAMME, done, helpers[served])
        clock.set(done_at + timedelta(minutes=minutes + 10))
        commands.serve_request(worker, done, minutes)
        served += 1
    clock.set(now)
    ledger.request_service(unit, "sign_language", "眼科诊室 Eye clinic, room 3",
                           (now + timedelta(days=1)).replace(hour=14), 30, helpers, worker.account_id)
    ledger.request_service(unit, "visitation", "3病区 8床 Ward 3, bed 8", now, 45, helpers[1:], worker.account_id,
                           note="演示：老人独自住院，想有人聊聊天。Demo: an elderly patient alone, would like company.")
    return served


def _applicants(commands: Commands, clock: FixedClock, unit, rng: random.Random, now: datetime) -> None:
    """Strangers who applied on the public form in the last fortnight, at each stage of the board."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    for n, stage in enumerate(("applied", "applied", "interviewed", "interviewed", "screened")):
        clock.set(now - timedelta(days=12 - 2 * n, hours=3))
        born = date(1975 + rng.randrange(30), rng.randint(1, 12), rng.randint(1, 28))
        body = f"310104{born:%Y%m%d}{n:03d}"
        id_number = body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights)) % 11]
        application = commands.apply(ApplicationForm(
            unit, rng.choice(SURNAMES) + rng.choice(GIVEN), f"137{rng.randrange(10**8):08d}", "resident_id", id_number,
            born, [rng.choice(AVAILABILITY)], ["zh"], [], rng.choice(SURNAMES) + rng.choice(GIVEN),
            f"138{rng.randrange(10**8):08d}", True, True)).id
        if stage != "applied":
            commands.interview_applicant(PROGRAMME, application, "演示面谈 Demo interview")
        if stage == "screened":
            volunteer = commands.ledger.get_application(application).volunteer_id
            commands.record_credential(PROGRAMME, volunteer, "health_check", clock.now().date(), None)
            commands.screen_applicant(PROGRAMME, application)
    clock.set(now)


def _served(post: str, rng: random.Random) -> dict[str, int]:
    if post == GUIDANCE:
        return {"guidance": rng.randint(25, 60), "communication": rng.randint(0, 8)}
    if post == VISITATION:
        return {"visitation": rng.randint(6, 15), "psychological_support": rng.randint(1, 5)}
    return {"sign_language": rng.randint(2, 8)}


def _accounts(commands: Commands, units: list, volunteer) -> list[DemoLogin]:
    logins = [
        DemoLogin("admin", "admin-demo", "admin", "everything"),
        DemoLogin("coordinator", "coordinator-demo", "coordinator", UNITS[0][0]),
        DemoLogin("volunteer", "volunteer-demo", "volunteer", "a volunteer at " + UNITS[0][0]),
        DemoLogin("kiosk", "kiosk-demo", "kiosk", "the volunteer desk at " + UNITS[0][0]),
        DemoLogin("shegong1", "shegong-demo", "social_worker", UNITS[0][0] + ", supervisor (督导)"),
        DemoLogin("shegong2", "shegong-demo", "social_worker", UNITS[0][0] + ", intern supervised by shegong1"),
        DemoLogin("ward5", "ward-demo", "ward", "the nurse station of Ward 5 at " + UNITS[0][0]),
        DemoLogin("auditor", "auditor-demo", "auditor", "city-wide tallies"),
    ]
    # the demo volunteer can print a service certificate and receives notices by e-mail (a sample ID)
    commands.record_identity(PROGRAMME, volunteer, "resident_id", "11010519491231002X", "")
    commands.change_volunteer_email(PROGRAMME, volunteer, "volunteer@example.org")
    for login in logins:
        bound = [units[0]] if login.role in UNIT_BOUND_ROLES else []
        commands.open_account(PROGRAMME, login.username, hash_password(login.password), login.role, bound,
                              volunteer if login.role == "volunteer" else None)
    return logins
