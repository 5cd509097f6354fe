"""Given events, each read model holds the rows a coordinator, volunteer or auditor expects."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.clock import FixedClock
from projections import caseload, directory, hours, qualifications, roster, tallies
from projections.history import roster_as_of
from projections.store import ReadModelStore
from tests.conftest import CST
from tests.scenario import COORDINATOR, Hospital

MONDAY_8 = datetime(2026, 11, 24, 8, tzinfo=CST)


def serve(hospital: Hospital, clock: FixedClock, shift, volunteer, served: dict[str, int], minutes: int = 240):
    clock.set(MONDAY_8 - timedelta(minutes=5))
    hospital.ledger.check_in(shift, volunteer, "kiosk", COORDINATOR)
    clock.set(MONDAY_8 + timedelta(minutes=minutes))
    hospital.ledger.check_out(shift, volunteer, served, COORDINATOR)


def test_roster_shows_each_seat_state_and_the_fill_rate(hospital, clock, store, project) -> None:
    ledger = hospital.ledger
    shift = hospital.shift(capacity=4)
    li, wang, zhao, trainee = (hospital.volunteer(n) for n in ("Li Wei", "Wang Fang", "Zhao Min", "Sun Li"))
    for v in (li, wang, zhao):
        ledger.sign_up(shift, v, COORDINATOR)
    ledger.sign_up(shift, trainee, COORDINATOR, trainee=True)
    serve(hospital, clock, shift, li, {"guidance": 30})
    ledger.mark_no_show(shift, wang, COORDINATOR)
    project()
    found = roster.shift(store.db, str(shift))
    assert (found["capacity"], found["filled"], found["trainees"]) == (4, 3, 1)
    assert {r["name"]: r["state"] for r in found["roster"]} == {
        "Li Wei": "checked_out", "Wang Fang": "no_show", "Zhao Min": "signed_up", "Sun Li": "signed_up"}
    rates = roster.fill_rates(store.db, None, "2026-11-24", "2026-11-24", by="post")
    assert rates == [{"key": f"{hospital.unit} / guidance desk", "filled": 3, "capacity": 4, "shifts": 1,
                      "fill_rate": 0.75}]


def test_a_cancelled_shift_leaves_the_fill_rate_and_frees_its_seats(hospital, store, project) -> None:
    shift, other = hospital.shift(capacity=2), hospital.shift(MONDAY_8 + timedelta(days=1), capacity=2)
    hospital.ledger.sign_up(shift, hospital.volunteer(), COORDINATOR)
    hospital.ledger.cancel_shift(shift, "ward closed", COORDINATOR)
    project()
    assert roster.shift(store.db, str(shift))["cancelled"] is True
    assert roster.shift(store.db, str(shift))["roster"] == []
    assert [r["key"] for r in roster.fill_rates(store.db, None, "2026-11-01", "2026-11-30", by="day")] == [
        "2026-11-25"]
    assert other


def test_whos_missing_lists_signed_up_volunteers_not_checked_in_once_the_shift_started(
    hospital, clock, store, project
) -> None:
    shift = hospital.shift()
    here, late = hospital.volunteer("Li Wei"), hospital.volunteer("Wang Fang")
    for v in (here, late):
        hospital.ledger.sign_up(shift, v, COORDINATOR)
    clock.set(MONDAY_8 + timedelta(minutes=5))
    hospital.ledger.check_in(shift, here, "kiosk", COORDINATOR)
    project()
    assert roster.missing(store.db, MONDAY_8 - timedelta(minutes=1)) == []  # not started yet
    assert [m["name"] for m in roster.missing(store.db, MONDAY_8 + timedelta(minutes=10))] == ["Wang Fang"]
    assert roster.missing(store.db, MONDAY_8 + timedelta(hours=5)) == []  # over


def test_hours_gives_minutes_shifts_no_shows_by_month_and_the_service_record(hospital, clock, store, project) -> None:
    ledger = hospital.ledger
    volunteer = hospital.volunteer()
    first = hospital.shift(capacity=2)
    december = hospital.shift(datetime(2026, 12, 1, 8, tzinfo=CST))
    absent = hospital.shift(datetime(2026, 12, 2, 8, tzinfo=CST))
    for s in (first, december, absent):
        ledger.sign_up(s, volunteer, COORDINATOR)
    serve(hospital, clock, first, volunteer, {"guidance": 40, "communication": 2}, minutes=200)
    clock.set(datetime(2026, 12, 1, 7, 55, tzinfo=CST))
    ledger.check_in(december, volunteer, "phone", volunteer.hex)
    clock.set(datetime(2026, 12, 1, 12, 0, tzinfo=CST))
    ledger.check_out(december, volunteer, {"guidance": 10}, volunteer.hex)
    clock.set(datetime(2026, 12, 2, 9, tzinfo=CST))
    ledger.mark_no_show(absent, volunteer, COORDINATOR)
    project()
    summary = hours.summary(store.db, str(volunteer), "2026-01-01", "2026-12-31")
    assert (summary["minutes"], summary["shifts"], summary["no_shows"]) == (440, 2, 1)
    assert [(m["month"], m["minutes"]) for m in summary["by_month"]] == [("2026-11", 200), ("2026-12", 240)]
    record = hours.service_record(store.db, str(volunteer), "2026-11-01", "2026-11-30")
    assert record == [{
        "shift_id": str(first), "day": "2026-11-24", "starts_at": "2026-11-24T00:00:00+00:00", "ends_at": "2026-11-24T04:00:00+00:00",
        "unit": "Ruijin Hospital", "post": "guidance desk", "checked_in_at": "2026-11-23T23:55:00+00:00",
        "checked_out_at": "2026-11-24T03:20:00+00:00", "minutes": 200,
        "served": {"communication": 2, "guidance": 40},
    }]


def test_an_approved_hours_correction_shows_in_the_hours(hospital, clock, store, project) -> None:
    shift, volunteer = hospital.shift(), hospital.volunteer()
    hospital.ledger.sign_up(shift, volunteer, COORDINATOR)
    serve(hospital, clock, shift, volunteer, {"guidance": 1}, minutes=30)
    request = hospital.ledger.request_hours_correction(shift, volunteer, 240, "checked out too early", "v").value
    hospital.ledger.approve_hours_correction(shift, request, COORDINATOR)
    project()
    assert hours.summary(store.db, str(volunteer), "2026-11-01", "2026-11-30")["minutes"] == 240


def test_tallies_count_person_times_by_service_type_unit_day_and_month(hospital, clock, store, project) -> None:
    ledger = hospital.ledger
    shift = hospital.shift()
    a, b = hospital.volunteer("A"), hospital.volunteer("B")
    for v in (a, b):
        ledger.sign_up(shift, v, COORDINATOR)
    serve(hospital, clock, shift, a, {"guidance": 30, "communication": 5})
    clock.set(MONDAY_8)
    ledger.check_in(shift, b, "kiosk", COORDINATOR)
    ledger.check_out(shift, b, {"guidance": 20}, COORDINATOR)
    clock.set(datetime(2026, 12, 3, 12, tzinfo=CST))  # a session is logged after it happened
    session = ledger.log_session(hospital.unit, b, "pr_1", "psychological_support", "group",
                                 datetime(2026, 12, 3, 10, tzinfo=CST), 60, 8, "sw").id
    project()
    by_type = tallies.report(store.db, "2026-11-01", "2026-12-31", by="service_type")
    assert by_type == {"total_person_times": 63, "by": "service_type", "rows": [
        {"key": "communication", "person_times": 5}, {"key": "guidance", "person_times": 50},
        {"key": "psychological_support", "person_times": 8}]}
    assert tallies.report(store.db, "2026-11-01", "2026-12-31", by="month")["rows"] == [
        {"key": "2026-11", "person_times": 55}, {"key": "2026-12", "person_times": 8}]
    assert tallies.report(store.db, "2026-11-24", "2026-11-24", [str(hospital.unit)], by="unit")["rows"] == [
        {"key": str(hospital.unit), "person_times": 55}]
    assert tallies.report(store.db, "2026-11-24", "2026-11-24", ["another-unit"])["total_person_times"] == 0
    # An amended session moves its person-times, never double counts them.
    ledger.amend_session(session, "communication", "group", datetime(2026, 12, 4, 10, tzinfo=CST), 60, 6,
                         "miscounted", "sw")
    project()
    assert tallies.report(store.db, "2026-12-01", "2026-12-31", by="day")["rows"] == [
        {"key": "2026-12-04", "person_times": 6}]
    assert tallies.city_total(store.db) == 61


def test_the_tally_query_uses_an_index_not_a_table_scan(store: ReadModelStore) -> None:
    for by in tallies.BY:
        for units in (None, ["u1", "u2"]):
            for first, last in (("2020-01-01", "2026-12-31"), ("2020-01-15", "2026-12-20"), ("2026-03-02", "2026-03-09")):
                sql, params = tallies.tally_query(first, last, units, by)
                plan = " | ".join(row[3] for row in store.conn.execute(f"EXPLAIN QUERY PLAN {sql}", params))
                assert "SEARCH" in plan and "SCAN person_times" not in plan, plan
                assert "SCAN city_person_times" not in plan and "SCAN person_times_monthly" not in plan, plan


def test_qualifications_show_what_is_held_and_what_expires_soon(hospital, store, project) -> None:
    ledger = hospital.ledger
    volunteer = hospital.volunteer()
    ledger.record_credential(volunteer, "health_check", date(2025, 12, 1), date(2026, 12, 10), COORDINATOR)
    ledger.record_credential(volunteer, "flu_vaccination", date(2026, 10, 1), date(2027, 4, 30), COORDINATOR,
                             declined=True)
    project()
    assert qualifications.held_by(store.db, str(volunteer)) == [
        {"kind": "flu_vaccination", "source": "declination", "since": "2026-10-01", "valid_until": "2027-04-30"},
        {"kind": "health_check", "source": "credential", "since": "2025-12-01", "valid_until": "2026-12-10"},
        {"kind": "pre_job", "source": "qualification", "since": "2026-11-01", "valid_until": "2027-11-01"},
    ]
    soon = qualifications.expiring(store.db, date(2026, 11, 23), days=30)
    assert [(s["name"], s["kind"]) for s in soon] == [("Li Wei", "health_check")]
    ledger.revoke_qualification(volunteer, "pre_job", "record withdrawn", COORDINATOR)
    project()
    assert "pre_job" not in {h["kind"] for h in qualifications.held_by(store.db, str(volunteer))}


def test_compliance_finds_check_ins_without_a_valid_qualification_at_that_moment(
    hospital, clock, store, project
) -> None:
    ledger = hospital.ledger
    shift = hospital.shift()
    trainee = hospital.volunteer("Sun Li", approved=False, trained=False)
    qualified = hospital.volunteer("Li Wei")
    ledger.sign_up(shift, trainee, COORDINATOR, trainee=True)
    ledger.sign_up(shift, qualified, COORDINATOR)
    clock.set(MONDAY_8)
    ledger.check_in(shift, trainee, "kiosk", COORDINATOR)
    ledger.check_in(shift, qualified, "kiosk", COORDINATOR)
    project()
    findings = qualifications.compliance(store.db, "2026-11-01", "2026-11-30")
    assert [(f["name"], f["kind"], f["problem"], f["trainee"]) for f in findings] == [
        ("Sun Li", "pre_job", "never_held", True)]
    ledger.enrol(hospital.pre_job, trainee, COORDINATOR)
    ledger.assess(hospital.pre_job, trainee, True, 80, COORDINATOR)  # passes afterwards
    project()
    assert [f["problem"] for f in qualifications.compliance(store.db, "2026-11-01", "2026-11-30")] == [
        "granted_later"]


def test_caseload_counts_sessions_per_worker_and_never_holds_notes(hospital, store, project) -> None:
    ledger = hospital.ledger
    secret = "Patient disclosed family conflict over the cost of treatment"
    for worker, persons in (("w1", 1), ("w1", 1), ("w2", 5)):
        sid = ledger.log_session(hospital.unit, hospital.unit, f"pr_{worker}", "communication",
                                 "individual" if persons == 1 else "group", datetime(2026, 11, 23, 8, tzinfo=CST),
                                 30, persons, worker, notes=secret).id
    ledger.refer_session(sid, "community rehabilitation centre", "w2")
    project()
    rows = caseload.sessions(store.db, [str(hospital.unit)], "2026-11-01", "2026-11-30")
    assert len(rows) == 3 and all(r["has_notes"] == 1 for r in rows)
    assert sum(r["referrals"] for r in rows) == 1
    for table in [t for m in store.models.values() for t in m.tables]:
        for row in store.conn.execute(f"SELECT * FROM [{table}]"):
            assert not any(isinstance(v, str) and "family conflict" in v for v in row), table


def test_the_directory_lists_volunteers_by_unit_status_and_search(hospital, store, project) -> None:
    hospital.volunteer("Li Wei")
    pending = hospital.volunteer("Wang Fang", approved=False, trained=False)
    hospital.ledger.suspend_volunteer(pending, "paperwork missing", COORDINATOR)
    project()
    assert [v["name"] for v in directory.volunteers(store.db, [str(hospital.unit)], "active")] == ["Li Wei"]
    assert [v["status"] for v in directory.volunteers(store.db, None, None, q="Wang")] == ["suspended"]
    assert directory.units(store.db)[0]["name"] == "Ruijin Hospital"


def test_a_roster_as_it_stood_at_a_past_moment(hospital, clock) -> None:
    ledger = hospital.ledger
    shift = hospital.shift()
    li, wang = hospital.volunteer("Li Wei"), hospital.volunteer("Wang Fang")
    ledger.sign_up(shift, li, COORDINATOR)
    between = datetime.now(CST)
    ledger.sign_up(shift, wang, COORDINATOR)
    ledger.withdraw(shift, li, COORDINATOR)
    then = roster_as_of(ledger, shift, between)
    assert then == [{"volunteer_id": str(li), "state": "signed_up", "trainee": False}]
    now = roster_as_of(ledger, shift, datetime.now(CST))
    assert now == [{"volunteer_id": str(wang), "state": "signed_up", "trainee": False}]
    assert roster_as_of(ledger, shift, datetime(2020, 1, 1, tzinfo=CST)) is None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    counts=st.lists(st.tuples(st.dates(date(2025, 11, 1), date(2027, 2, 28)), st.sampled_from(["u1", "u2"]),
                              st.sampled_from(["guidance", "visitation"]), st.integers(1, 50)), max_size=40),
    first=st.dates(date(2025, 10, 1), date(2027, 3, 31)), length=st.integers(0, 500),
    by=st.sampled_from(list(tallies.BY)), units=st.sampled_from([None, ["u1"], ["u1", "u2"]]),
)
def test_a_tally_over_any_range_equals_adding_up_the_days(store, counts, first, length, by, units) -> None:
    store.conn.execute("BEGIN")
    for table in ("person_times", "person_times_monthly", "city_person_times_monthly"):
        store.conn.execute(f"DELETE FROM {table}")
    for day, unit, kind, n in counts:
        tallies._add(store.conn, day.isoformat(), unit, kind, n)
    store.conn.execute("COMMIT")
    last = first + timedelta(days=length)
    expected: dict[str, int] = {}
    for day, unit, kind, n in counts:
        if first <= day <= last and (units is None or unit in units):
            key = {"service_type": kind, "unit": unit, "day": day.isoformat(), "month": day.isoformat()[:7]}[by]
            expected[key] = expected.get(key, 0) + n
    found = tallies.report(store.db, first.isoformat(), last.isoformat(), units, by)
    assert {r["key"]: r["person_times"] for r in found["rows"]} == expected


def test_the_forgotten_check_out_sweep_reads_only_the_checked_in_seats(store: ReadModelStore) -> None:
    from projections import reviews

    plan = " | ".join(row[3] for row in store.conn.execute(f"EXPLAIN QUERY PLAN {reviews.FORGOTTEN}", ["2026"]))
    assert "s USING INDEX seats_checked_in" in plan, plan  # the partial index, not every seat
