"""A year of a city's volunteering, made through the real application (the same commands the
API runs, saved a day at a time in one transaction each), for the benchmarks to measure on.

    python -m bench.history --scale quick|full|city DIR
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from uuid import UUID

from domain.application import CareLedger
from domain.clock import FixedClock
from projections.projector import READ_MODELS, Projector
from projections.store import ReadModelStore

CST = timezone(timedelta(hours=8))
YEAR = 2025
SERVICE_TYPES = ["guidance", "communication", "visitation", "psychological_support", "sign_language"]
KIOSK_PASSWORD = "bench-kiosk-password"
# The people whose pages are measured: a coordinator of the first hospital, its kiosk, and one
# of its regulars (on a shift about once a week all year)
COORDINATOR, DESK, VOLUNTEER = "coordinator", "desk", "volunteer"


@dataclass(frozen=True)
class Scale:
    units: int
    volunteers_per_unit: int
    shifts_per_day: int  # per unit
    seats: int  # per shift
    days: int = 365
    load_pairs: int = 1000  # check-in + check-out pairs for the HTTP load, on shifts happening now
    lag_pairs: int = 1000  # more such seats, for the projection-lag run
    veteran_events: int = 5000  # one volunteer with this long a log
    signup_pairs: int = 0  # places on shifts to come, for the HTTP sign-up load
    idle_volunteers: int = 0  # registered and active, never on a shift here (the city's 50,000)

    @property
    def events(self) -> int:
        """About how many events the year makes (scheduled + 4 per seat)."""
        return self.units * self.days * self.shifts_per_day * (1 + 4 * self.seats)


SCALES = {
    # ~10k events: the small store that tally growth is measured against
    "small": Scale(units=2, volunteers_per_unit=30, shifts_per_day=1, seats=4, load_pairs=0, lag_pairs=0,
                   veteran_events=2),
    "quick": Scale(units=17, volunteers_per_unit=30, shifts_per_day=1, seats=4, load_pairs=2250, lag_pairs=750,
                   signup_pairs=3000, idle_volunteers=4500),
    # 62,050 shifts, 50,100 volunteers: the pages are measured at the size the targets name
    "full": Scale(units=170, volunteers_per_unit=30, shifts_per_day=1, seats=4, load_pairs=12000, lag_pairs=2500,
                  signup_pairs=15000, idle_volunteers=45000),
    # 152 hospitals, 50,000 volunteers, about 8.5 million person-times (~1.7M events)
    "city": Scale(units=152, volunteers_per_unit=329, shifts_per_day=1, seats=7, load_pairs=12000, lag_pairs=2500,
                  signup_pairs=15000),
}


@dataclass
class History:
    folder: Path
    units: list[UUID]
    veteran: UUID
    load: list[tuple[UUID, UUID]]  # (shift, volunteer) seats open for check-in now
    lag: list[tuple[UUID, UUID]]  # more of them
    signups: list[tuple[UUID, UUID]]  # (shift, volunteer) places free on shifts to come, none taken yet
    served_shift: UUID  # the first hospital's last served shift, for its roster page
    events: int
    person_times: int
    seconds: float

    @property
    def env(self) -> dict[str, str]:
        return event_store_env(self.folder)


def event_store_env(folder: Path) -> dict[str, str]:
    return {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(folder / "events.sqlite3"),
            "SQLITE_LOCK_TIMEOUT": "10"}


def build(folder: Path, scale: Scale, now: datetime | None = None, progress=None, seed: int = 1,
          years: int = 1) -> History:
    """The `years` up to the end of `YEAR` at `scale`, a veteran volunteer, and `load_pairs` seats
    on shifts open for check-in at `now`; read models brought up to date at the end."""
    from web.passwords import hash_password

    started = time.perf_counter()
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    first_day = date(YEAR - years + 1, 1, 1)
    clock = FixedClock(datetime(first_day.year - 1, 12, 1, 9, tzinfo=CST))
    ledger = CareLedger(env=event_store_env(folder), clock=clock)
    ledger.open_catalogue("bench")
    person_times = 0
    with ledger.batch():
        units = [ledger.register_unit(f"Hospital {u + 1:03d}", "Huangpu", "bench").id for u in range(scale.units)]
        volunteers: dict[UUID, list[UUID]] = {}
        for unit in units:
            volunteers[unit] = []
            for i in range(scale.volunteers_per_unit):
                v = ledger.register_volunteer(f"Volunteer {i}", f"139{rng.randrange(10**8):08d}", unit, ["zh"], [],
                                              "bench").id
                ledger.approve_volunteer(v, "bench")
                volunteers[unit].append(v)
    days = (date(YEAR + 1, 1, 1) - first_day).days if years > 1 else scale.days
    for d in range(days):
        day = first_day + timedelta(days=d)
        with ledger.batch():
            for unit in units:
                crew = volunteers[unit]
                for k in range(scale.shifts_per_day):
                    starts_at = datetime(day.year, day.month, day.day, 8 + 5 * k, tzinfo=CST)
                    ends_at = starts_at + timedelta(hours=4)
                    clock.set(starts_at - timedelta(days=7))
                    shift = ledger.schedule_shift(unit, "guidance desk", starts_at, ends_at, scale.seats, [],
                                                  "bench").id
                    if unit == units[0]:
                        last_of_first = shift
                    first = (d * scale.shifts_per_day + k) * scale.seats
                    seated = [crew[(first + j) % len(crew)] for j in range(scale.seats)]
                    clock.set(starts_at - timedelta(days=2))
                    for v in seated:
                        ledger.sign_up(shift, v, "bench")
                    clock.set(starts_at - timedelta(minutes=rng.randrange(0, 30)))
                    for v in seated:
                        ledger.check_in(shift, v, "kiosk", "bench")
                    clock.set(ends_at + timedelta(minutes=rng.randrange(0, 20)))
                    for v in seated:
                        served = {rng.choice(SERVICE_TYPES): rng.randrange(5, 40)}
                        person_times += sum(served.values())
                        ledger.check_out(shift, v, served, "bench")
        if progress is not None:
            progress(d + 1, days)

    veteran = _veteran(ledger, clock, units[0], scale.veteran_events)
    now = now or datetime.now(CST)
    load = _seats_open_now(ledger, clock, units, scale.load_pairs, now, rng)
    lag = _seats_open_now(ledger, clock, units, scale.lag_pairs, now, rng)
    signups = _places_to_come(ledger, clock, units, scale.signup_pairs, now, rng)
    _idle(ledger, clock, units, scale.idle_volunteers, now, rng)
    password = hash_password(KIOSK_PASSWORD)
    with ledger.batch():
        ledger.open_account("kiosk", password, "kiosk", units, None, "bench")
        ledger.open_account("scheduler", password, "coordinator", units, None, "bench")  # the sign-up load's
        ledger.open_account(COORDINATOR, password, "coordinator", units[:1], None, "bench")
        ledger.open_account(DESK, password, "kiosk", units[:1], None, "bench")
        ledger.open_account(VOLUNTEER, password, "volunteer", [], volunteers[units[0]][0], "bench")
    events = ledger.position
    store = ReadModelStore(folder / "read_models.sqlite3", READ_MODELS)
    Projector(ledger, store, batch_size=2000).catch_up()
    store.close()
    ledger.close()
    return History(folder, units, veteran, load, lag, signups, last_of_first, events, person_times,
                   time.perf_counter() - started)


def _veteran(ledger: CareLedger, clock: FixedClock, unit: UUID, events: int) -> UUID:
    """A volunteer who has signed up nearly every day since 2005: a log of `events` events."""
    clock.set(datetime(2004, 12, 1, 9, tzinfo=CST))
    with ledger.batch():
        v = ledger.register_volunteer("Veteran", "13900000000", unit, ["zh"], [], "bench").id
        ledger.approve_volunteer(v, "bench")
    first = datetime(2005, 1, 1, 8, tzinfo=CST)
    for start in range(0, events - 2, 1000):
        with ledger.batch():
            for i in range(start, min(start + 1000, events - 2)):
                starts_at = first + timedelta(days=i)
                clock.set(starts_at - timedelta(days=1))
                shift = ledger.schedule_shift(unit, "ward visits", starts_at, starts_at + timedelta(hours=3), 2, [],
                                              "bench").id
                ledger.sign_up(shift, v, "bench")
    return v


def _seats_open_now(ledger: CareLedger, clock: FixedClock, units: list[UUID], pairs: int, now: datetime,
                    rng: random.Random) -> list[tuple[UUID, UUID]]:
    """`pairs` volunteers signed up for shifts that started a few minutes ago (check-in is open)."""
    return _new_places(ledger, clock, units, pairs, now, rng, "Today", "138", "outpatient guidance", 4,
                       lambda k: now - timedelta(minutes=5), signed_up=True)


def _places_to_come(ledger: CareLedger, clock: FixedClock, units: list[UUID], pairs: int, now: datetime,
                    rng: random.Random) -> list[tuple[UUID, UUID]]:
    """`pairs` new volunteers and as many free places on next week's shifts (each volunteer a
    place of their own): the sign-ups the HTTP load makes."""
    return _new_places(ledger, clock, units, pairs, now, rng, "New", "137", "ward visits", 3,
                       lambda k: now + timedelta(days=7, hours=k % 48 * 5), signed_up=False)


def _new_places(ledger: CareLedger, clock: FixedClock, units: list[UUID], pairs: int, now: datetime,
                rng: random.Random, name: str, phone: str, post: str, hours: int,
                starts_at: Callable[[int], datetime], signed_up: bool) -> list[tuple[UUID, UUID]]:
    """`pairs` new volunteers, each with a place of their own on shifts of ten (the k-th starting
    at `starts_at(k)`), round the units; `signed_up`: already theirs."""
    clock.set(now - timedelta(hours=1))
    places: list[tuple[UUID, UUID]] = []
    per_shift = 10
    for first in range(0, pairs, 1000):
        with ledger.batch():
            for i in range(first, min(first + 1000, pairs)):
                unit = units[i % len(units)]
                if i % per_shift == 0:
                    begins = starts_at(i // per_shift)
                    shift = ledger.schedule_shift(unit, post, begins, begins + timedelta(hours=hours), per_shift, [],
                                                  "bench").id
                v = ledger.register_volunteer(f"{name} {i}", f"{phone}{rng.randrange(10**8):08d}", unit, ["zh"], [],
                                              "bench").id
                ledger.approve_volunteer(v, "bench")
                if signed_up:
                    ledger.sign_up(shift, v, "bench")
                places.append((shift, v))
    return places


def _idle(ledger: CareLedger, clock: FixedClock, units: list[UUID], count: int, now: datetime,
          rng: random.Random) -> None:
    """Volunteers registered and active who have not served here yet: a city's directory."""
    clock.set(now - timedelta(days=30))
    for first in range(0, count, 2000):
        with ledger.batch():
            for i in range(first, min(first + 2000, count)):
                v = ledger.register_volunteer(f"Idle {i}", f"136{rng.randrange(10**8):08d}", units[i % len(units)],
                                              ["zh"], [], "bench").id
                ledger.approve_volunteer(v, "bench")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=SCALES, default="quick")
    parser.add_argument("--years", type=int, default=1, help="years of history up to the end of YEAR")
    parser.add_argument("folder", type=Path)
    args = parser.parse_args()
    from web.progress import progress_bar

    scale = SCALES[args.scale]
    days = (date(YEAR + 1, 1, 1) - date(YEAR - args.years + 1, 1, 1)).days if args.years > 1 else scale.days
    with progress_bar(f"history ({args.scale}, {args.years} years, ~{scale.events * days // scale.days:,} events)",
                      days, unit="days") as bar:
        history = build(args.folder, scale, progress=lambda done, _: bar.advance(1), years=args.years)
    print(f"{history.events:,} events, {history.person_times:,} person-times in {history.seconds:.0f} s "
          f"-> {args.folder}")


if __name__ == "__main__":
    main()
