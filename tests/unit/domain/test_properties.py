"""For any sequence of commands: capacity holds, bookings never overlap, and reloading from the
stored events gives back exactly the state the commands built."""

from __future__ import annotations

from itertools import combinations
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.application import CareLedger
from domain.shifts import WITHDRAWN
from tests.scenario import play_story



class RememberingLedger(CareLedger):
    """Keeps the live objects it saved, to compare with what the log gives back."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.live: dict[Any, Any] = {}

    def save(self, *aggregates: Any, **kwargs: Any) -> Any:
        recordings = super().save(*aggregates, **kwargs)
        self.live.update({a.id: a for a in aggregates})
        return recordings


command = st.one_of(
    st.tuples(st.just("sign_up"), st.integers(0, 3), st.integers(0, 5), st.booleans()),
    st.tuples(st.just("withdraw"), st.integers(0, 3), st.integers(0, 5)),
    st.tuples(st.just("check_in"), st.integers(0, 3), st.integers(0, 5)),
    st.tuples(st.just("check_out"), st.integers(0, 3), st.integers(0, 5), st.integers(0, 30)),
    st.tuples(st.just("no_show"), st.integers(0, 3), st.integers(0, 5)),
    st.tuples(st.just("cancel"), st.integers(0, 3)),
    st.tuples(st.just("later"), st.integers(1, 240)),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(capacities=st.lists(st.integers(1, 3), min_size=4, max_size=4), commands=st.lists(command, max_size=40))
def test_any_sequence_of_commands_keeps_the_rules_and_replays_exactly(
    capacities: list[int], commands: list[tuple]
) -> None:
    ledger, shifts, volunteers = play_story(capacities, commands, RememberingLedger)

    for shift_id in shifts:
        shift = ledger.get_shift(shift_id)
        assert shift.filled <= shift.capacity
    for volunteer_id in volunteers:
        volunteer = ledger.get_volunteer(volunteer_id)
        for (a_start, a_end), (b_start, b_end) in combinations(volunteer.bookings.values(), 2):
            assert a_end <= b_start or b_end <= a_start, "overlapping bookings"
        # Every seat still held on a live shift is also the volunteer's own booking, and vice versa.
        held = {s for s in shifts if not ledger.get_shift(s).cancelled
                and ledger.get_shift(s).seats.get(volunteer_id, None) is not None
                and ledger.get_shift(s).seats[volunteer_id].state != WITHDRAWN}
        assert held == set(volunteer.bookings)
    for aggregate_id, live in ledger.live.items():
        assert vars(ledger.repository.get(aggregate_id)) == vars(live)
