"""A small hospital to tell test stories in: a unit, a desk post needing pre-job training, volunteers."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from domain.application import CareLedger
from domain.clock import FixedClock
from domain.errors import DomainError
from tests.conftest import CST

COORDINATOR = "coordinator:test"
DESK = "guidance desk"


class Hospital:
    def __init__(self, ledger: CareLedger, post_codes: bool = False) -> None:
        """`post_codes`: whether phones check in only by the post's code (a new unit's default; these
        stories check in from anywhere unless they are about the codes)."""
        self.ledger = ledger
        self.unit = ledger.register_unit("Ruijin Hospital", "Huangpu", "admin:test", post_codes=post_codes).id
        ledger.define_post(self.unit, DESK, ["pre_job"], COORDINATOR)
        self.pre_job = ledger.schedule_training(
            "Pre-job practical training", "pre_job", self.unit,
            datetime(2026, 11, 1, 9, tzinfo=CST), datetime(2026, 11, 1, 12, tzinfo=CST),
            capacity=100, validity_days=365, actor=COORDINATOR,
        ).id

    def volunteer(self, name: str = "Li Wei", *, approved: bool = True, trained: bool = True) -> UUID:
        volunteer = self.ledger.register_volunteer(name, "13800000000", self.unit, ["zh"], [], COORDINATOR).id
        if approved:
            self.ledger.approve_volunteer(volunteer, COORDINATOR)
        if trained:
            self.ledger.enrol(self.pre_job, volunteer, COORDINATOR)
            self.ledger.assess(self.pre_job, volunteer, True, 90, COORDINATOR)
        return volunteer

    def shift(self, starts: datetime = datetime(2026, 11, 24, 8, tzinfo=CST), hours: float = 4,
              capacity: int = 3, post: str = DESK, requires: list[str] | None = None) -> UUID:
        return self.ledger.schedule_shift(
            self.unit, post, starts, starts + timedelta(hours=hours), capacity, requires or [], COORDINATOR
        ).id

    def events_of(self, aggregate_id: UUID) -> list[str]:
        """The names of the events recorded for one aggregate, oldest first."""
        return [type(e).__name__ for e in self.ledger.events.get(aggregate_id)]


def run_commands(ledger: CareLedger, clock: FixedClock, shifts: list[UUID], volunteers: list[UUID],
                 commands: list[tuple]) -> None:
    """Play a generated story: ("sign_up", shift, volunteer, trainee), ("withdraw", s, v),
    ("check_in", s, v), ("check_out", s, v, person_times), ("no_show", s, v), ("cancel", s),
    ("later", minutes). Refusals are part of the story."""
    for name, *args in commands:
        try:
            if name == "sign_up":
                ledger.sign_up(shifts[args[0]], volunteers[args[1]], COORDINATOR, trainee=args[2])
            elif name == "withdraw":
                ledger.withdraw(shifts[args[0]], volunteers[args[1]], COORDINATOR)
            elif name == "check_in":
                ledger.check_in(shifts[args[0]], volunteers[args[1]], "kiosk", COORDINATOR)
            elif name == "check_out":
                ledger.check_out(shifts[args[0]], volunteers[args[1]], {"guidance": args[2]}, COORDINATOR)
            elif name == "no_show":
                ledger.mark_no_show(shifts[args[0]], volunteers[args[1]], COORDINATOR)
            elif name == "cancel":
                ledger.cancel_shift(shifts[args[0]], "test", COORDINATOR)
            else:
                clock.advance(minutes=args[0])
        except DomainError:
            pass


STORY_DAY = datetime(2026, 11, 24, 8, tzinfo=CST)
# Start hour and length of four shifts that overlap in several ways.
STORY_SHIFTS = [(0, 3), (2, 3), (3, 2), (6, 4)]


def play_story(capacities: list[int], commands: list[tuple], ledger_class: type[CareLedger] = CareLedger):
    """A generated story in memory: four overlapping shifts, six volunteers (one pending, one untrained),
    the commands played two days before. Returns the ledger, its shifts and its volunteers."""
    clock = FixedClock(STORY_DAY - timedelta(days=2))
    ledger = ledger_class(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, clock=clock)
    ledger.open_catalogue()
    hospital = Hospital(ledger)
    shifts = [hospital.shift(STORY_DAY + timedelta(hours=h), hours=n, capacity=c)
              for (h, n), c in zip(STORY_SHIFTS, capacities, strict=True)]
    volunteers = [hospital.volunteer(f"V{i}", approved=i != 4, trained=i != 5) for i in range(6)]
    run_commands(ledger, clock, shifts, volunteers, commands)
    return ledger, shifts, volunteers
