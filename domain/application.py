"""CareLedger, the whole application: every use case (domain/usecases/, one module per aggregate
noun) over one log. Every method records all its events or none."""

from __future__ import annotations

from domain.usecases.accounts import AccountUseCases
from domain.usecases.applications import ApplicationUseCases
from domain.usecases.devices import DeviceUseCases
from domain.usecases.evaluations import EvaluationUseCases
from domain.usecases.feedback import FeedbackUseCases
from domain.usecases.cases import CaseUseCases
from domain.usecases.certificates import CertificateUseCases
from domain.usecases.groups import GroupUseCases
from domain.usecases.requests import RequestUseCases
from domain.usecases.ledger import Receipt
from domain.usecases.notices import NoticeUseCases
from domain.usecases.sessions import SessionUseCases
from domain.usecases.shifts import ShiftUseCases
from domain.usecases.trainings import TrainingUseCases
from domain.usecases.units import UnitUseCases
from domain.usecases.volunteers import VolunteerUseCases
from domain.volunteers import Volunteer

__all__ = ["CareLedger", "Receipt"]


class CareLedger(UnitUseCases, AccountUseCases, VolunteerUseCases, TrainingUseCases, ShiftUseCases, SessionUseCases,
                 RequestUseCases, CaseUseCases, GroupUseCases, NoticeUseCases, CertificateUseCases,
                 DeviceUseCases, ApplicationUseCases, EvaluationUseCases,
                 FeedbackUseCases):
    """The application: storage, loading, saving and the lost-race retry in Ledger; the use cases
    in their mixins."""

    # A volunteer's log grows for as long as they serve: load it from a snapshot and the rest.
    snapshotting_intervals = {Volunteer: 100}
