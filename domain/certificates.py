"""Service record certificates (志愿服务记录证明): numbered per unit, issued once, reprinted identically.

The certificate's event holds everything printed on it, so a reprint years later shows what was
issued, whatever was corrected since. The volunteer's name and identity number in it are sealed
with the volunteer's own key: forgetting the volunteer erases them here too.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from uuid import UUID, uuid5

from eventsourcing.domain import event

from domain import bounds
from domain.aggregate import Aggregate
from domain.errors import InvalidCommand
from domain.personal import personal

REGISTERS = UUID("4c8f2d3a-1b6e-4f7a-9c2d-5e8b7a6f3d21")
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud over the phone
CODE_LENGTH = 12


@dataclass(frozen=True)
class ServiceLine:
    """One service on the certificate: its date, place, content and minutes (service time only)."""

    day: date
    place: str
    content: str
    minutes: int


@dataclass(frozen=True)
class Rated:
    """The evaluation a certificate prints (评价情况): the rating of the service over those days."""

    rating: str
    first_day: date
    last_day: date


class CertificateRegister(Aggregate):
    """A unit's register of certificates: the next number, taken by one issue at a time."""

    @staticmethod
    def create_id(unit_id: UUID) -> UUID:
        return uuid5(REGISTERS, str(unit_id))

    @event("Opened")
    def __init__(self, unit_id: UUID) -> None:
        self.unit_id = unit_id
        self.issued = 0

    def take_number(self, year: int) -> str:
        """The next certificate number of this unit, e.g. 2026-000042 (the sequence never restarts)."""
        number = f"{year}-{self.issued + 1:06d}"
        self._number_taken(self.issued + 1, number)
        return number

    @event("NumberTaken")
    def _number_taken(self, sequence: int, number: str) -> None:
        self.issued = sequence


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class ServiceCertificate(Aggregate):
    @staticmethod
    def create_id(unit_id: UUID, number: str) -> UUID:
        return uuid5(REGISTERS, f"{unit_id}/{number}")

    @classmethod
    def issue(cls, *, number: str, code: str, unit_id: UUID, unit_name: str, responsible_person: str, contact: str,
              handler: str, volunteer_id: UUID, name: str, id_type: str, id_number: str, volunteer_number: str,
              first_day: date, last_day: date, issued_on: date, lines: list[ServiceLine], actor: str,
              star_level: int | None = None, evaluation: Rated | None = None) -> ServiceCertificate:
        bounds.day("from", first_day)
        bounds.day("to", last_day)
        if last_day < first_day:
            raise InvalidCommand("to", "must not be before from")
        if not lines:
            raise InvalidCommand("from", "no service was recorded in these days: there is nothing to certify")
        if not handler.strip():
            raise InvalidCommand("handler", "must name who handles the certificate (经办人)")
        handler = bounds.text("handler", handler, bounds.NAME)
        return cls(number=number, code=code, unit_id=unit_id, unit_name=unit_name,
                   responsible_person=responsible_person, contact=contact, handler=handler.strip(),
                   volunteer_id=volunteer_id, name=name, id_type=id_type, id_number=id_number,
                   volunteer_number=volunteer_number, first_day=first_day, last_day=last_day, issued_on=issued_on,
                   lines=lines, total_minutes=sum(line.minutes for line in lines), star_level=star_level,
                   evaluation=evaluation, actor=actor)

    @event("Issued")
    def __init__(self, number: str, code: str, unit_id: UUID, unit_name: str, responsible_person: str, contact: str,
                 handler: str, volunteer_id: UUID, name: str, id_type: str, id_number: str, volunteer_number: str,
                 first_day: date, last_day: date, issued_on: date, lines: list[ServiceLine], total_minutes: int,
                 star_level: int | None, evaluation: Rated | None, actor: str) -> None:
        self.number, self.code, self.unit_id, self.unit_name = number, code, unit_id, unit_name
        self.responsible_person, self.contact, self.handler = responsible_person, contact, handler
        self.volunteer_id, self.name, self.id_type, self.id_number = volunteer_id, name, id_type, id_number
        self.volunteer_number, self.first_day, self.last_day = volunteer_number, first_day, last_day
        self.issued_on, self.lines, self.total_minutes = issued_on, lines, total_minutes
        self.star_level = star_level  # 星级 on the day of issue (None: issued before levels were printed)
        self.evaluation = evaluation  # the latest evaluation of service in these days, if any


personal(ServiceCertificate.Issued, "name", "id_number", owner="volunteer_id")


def _without_star_level(state: dict) -> None:
    state.setdefault("star_level", None)


def _without_evaluation(state: dict) -> None:
    state.setdefault("evaluation", None)


# Certificates issued before star levels and evaluations were printed on them say none.
ServiceCertificate.Issued.class_version = 3  # type: ignore[attr-defined]
ServiceCertificate.Issued.upcast_v1_v2 = staticmethod(_without_star_level)  # type: ignore[attr-defined]
ServiceCertificate.Issued.upcast_v2_v3 = staticmethod(_without_evaluation)  # type: ignore[attr-defined]
