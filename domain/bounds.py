"""Every bound a value in a command has, in one place. The aggregates check them (so no face can
record an impossible value); the HTTP layer's schema repeats them from these constants."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from domain.errors import InvalidCommand

EARLIEST_DAY, LATEST_DAY = date(2000, 1, 1), date(2100, 12, 31)  # the years CareLedger keeps
DAY_MINUTES = 24 * 60  # a shift, session, meeting or credited stint is at most a day
PERSON_TIMES = 10_000  # person-times of one service type in one check-out
SERVICE_TYPES_SERVED = 30  # service types named in one check-out
PERSONS = 100_000  # persons reached by one session, meeting or community activity
PLACES = 500  # places on one shift
TRAINING_PLACES = 1_000
TRAINING_DAYS = 366  # a course runs at most a year
VALIDITY_DAYS = 3_650  # a qualification lasts at most ten years
SERIES_WEEKS = 104
AWARD_HOURS = 100_000
SCORE = 100

NAME = 100  # a person's name, a post, a responsible person
TITLE = 200  # a unit, training, group title; a place; a referral's destination; a contact
REASON = 500  # why: a suspension, cancellation, correction, a plan's goal
TAG = 60  # a language, skill, qualification, credential or service type code
TAGS = 30  # languages, skills, requirements, needs, goals in one command
NOTE = 20_000  # a session's or case's note
EMAIL = 200
PATIENT_ID = 64
PHONE_DIGITS = (6, 20)

_PHONE_SEPARATORS = re.compile(r"[\s\-()（）]")
_PHONE = re.compile(r"\+?\d{%d,%d}" % PHONE_DIGITS)


class OutOfBounds(InvalidCommand):
    """A value beyond what the programme can mean (a quadrillion person-times, year 9999)."""


def count(field: str, value: int, low: int, high: int) -> int:
    """A whole number between `low` and `high`, both included."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise OutOfBounds(field, "must be a whole number")
    if not low <= value <= high:
        raise OutOfBounds(field, "must be between {low} and {high}", low=low, high=high)
    return value


def text(field: str, value: str, longest: int, shortest: int = 1) -> str:
    """Text as typed, without the spaces around it; between `shortest` and `longest` characters."""
    if not isinstance(value, str):
        raise OutOfBounds(field, "must be text")
    value = value.strip()
    if len(value) < shortest:
        raise OutOfBounds(field, "must not be empty")
    if len(value) > longest:
        raise OutOfBounds(field, "must be at most {longest} characters", longest=longest)
    return value


def tags(field: str, values: Collection[str], most: int = TAGS, longest: int = TAG) -> list[str]:
    """A short list of short codes or words (languages, skills, requirements)."""
    if len(values) > most:
        raise OutOfBounds(field, "may name at most {most}", most=most)
    return [text(field, v, longest) for v in values]


def day(field: str, value: date) -> date:
    if not EARLIEST_DAY <= value <= LATEST_DAY:
        raise OutOfBounds(field, "must be between {low} and {high}", low=EARLIEST_DAY, high=LATEST_DAY)
    return value


def moment(field: str, value: datetime) -> datetime:
    """An instant with its UTC offset, inside the years CareLedger keeps."""
    if value.tzinfo is None:
        raise OutOfBounds(field, "needs a UTC offset, e.g. 2026-11-23T08:00:00+08:00")
    day(field, value.date())
    return value


def span(starts_at: datetime, ends_at: datetime, longest: timedelta, fields: tuple[str, str] = ("starts_at", "ends_at")
         ) -> None:
    """A stretch of time: both ends known and kept, in order, and not longer than `longest`."""
    moment(fields[0], starts_at)
    moment(fields[1], ends_at)
    if ends_at <= starts_at:
        raise OutOfBounds(fields[1], "must be after {other}", other=fields[0])
    if ends_at - starts_at > longest:
        raise OutOfBounds(fields[1], "must be at most {hours} hours after {other}",
                          hours=int(longest.total_seconds() // 3600), other=fields[0])


def served(field: str, person_times: Mapping[str, int]) -> dict[str, int]:
    """What a volunteer served: person-times per service type, each 0..PERSON_TIMES."""
    if len(person_times) > SERVICE_TYPES_SERVED:
        raise OutOfBounds(field, "may name at most {most}", most=SERVICE_TYPES_SERVED)
    return {text(field, code, TAG): count(f"{field}.{code}", n, 0, PERSON_TIMES) for code, n in person_times.items()}


def phone(field: str, value: str) -> str:
    """A telephone number, its spaces, dashes and brackets taken out: 6 to 20 digits, maybe a leading +."""
    digits = _PHONE_SEPARATORS.sub("", value if isinstance(value, str) else "")
    if not _PHONE.fullmatch(digits):
        raise OutOfBounds(field, "is not a telephone number (6 to 20 digits)")
    return digits


# --- a log written before these bounds were checked --------------------------------------

# event class -> a function that brings its out-of-bound values back within bounds, in the
# event's state as read, and names what it changed ([] when nothing was out of bounds)
REPAIRS: dict[type, Callable[[dict[str, Any]], list[str]]] = {}


def repaired_on_read(*event_classes: type) -> Callable[[Callable[[dict[str, Any]], list[str]]],
                                                         Callable[[dict[str, Any]], list[str]]]:
    """Register how an old event's impossible values are read (clamped to the bound they broke):
    the read models build and the rest of the log is served; history itself is never edited."""
    def register(repair: Callable[[dict[str, Any]], list[str]]) -> Callable[[dict[str, Any]], list[str]]:
        for event_class in event_classes:
            REPAIRS[event_class] = repair
        return repair
    return register


def clamped(state: dict[str, Any], limits: dict[str, tuple[int, int]]) -> list[str]:
    """Clamp each named count of `state` into its (low, high); the names of those that were outside.
    A count inside a mapping is named `mapping.key` (served.guidance)."""
    changed = []
    for name, (low, high) in limits.items():
        value = state.get(name)
        if isinstance(value, dict):
            for key, count in value.items():
                if not isinstance(count, int) or not low <= count <= high:
                    value[key] = min(max(count if isinstance(count, int) else low, low), high)
                    changed.append(f"{name}.{key}")
        elif isinstance(value, int) and not isinstance(value, bool) and not low <= value <= high:
            state[name] = min(max(value, low), high)
            changed.append(name)
    return changed
