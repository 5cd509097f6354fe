"""Certificate use cases: who answers for a unit's certificates, a volunteer's identity, issuing."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from domain.certificates import (
    CertificateRegister,
    ServiceCertificate,
    ServiceLine,
    new_code,
)
from domain.errors import CertificateDetailsMissing, IdentityMissing, NotFound
from domain.usecases.ledger import Ledger, Receipt
from domain.units import Unit
from domain.volunteers import Volunteer


class CertificateUseCases(Ledger):
    def set_certificate_details(self, unit_id: UUID, responsible_person: str, contact: str, actor: str) -> Receipt:
        return self._change(Unit, unit_id, "unit", lambda unit: unit.set_certificate_details(responsible_person, contact, actor))

    def record_identity(self, volunteer_id: UUID, id_type: str, id_number: str, volunteer_number: str,
                        actor: str) -> Receipt:
        return self._change(Volunteer, volunteer_id, "volunteer", lambda volunteer: volunteer.record_identity(id_type, id_number, volunteer_number, actor))

    def issue_certificate(self, volunteer_id: UUID, unit_id: UUID, first_day: date, last_day: date,
                          lines: list[ServiceLine], handler: str, issued_on: date, actor: str,
                          star_level: int | None = None, evaluation: Rated | None = None) -> Receipt:
        """Number and record a certificate of the lines given (the volunteer's service record for
        the days, read by the caller); the receipt's value is (number, verification code)."""
        def decide() -> Receipt:
            unit = self._get(Unit, unit_id, "unit")
            if not getattr(unit, "responsible_person", None):
                raise CertificateDetailsMissing(f"{unit.name} has no responsible person and contact for its "
                                                "certificates yet; a coordinator sets them first.")
            volunteer = self._read(Volunteer, volunteer_id, "volunteer")
            if not getattr(volunteer, "id_number", None):
                raise IdentityMissing(f"{volunteer.name}'s identity document is not recorded; record it first.")
            try:
                register = self._get(CertificateRegister, CertificateRegister.create_id(unit_id), "register")
            except NotFound:
                register = CertificateRegister(unit_id=unit_id)
            number = register.take_number(issued_on.year)
            certificate = ServiceCertificate.issue(
                number=number, code=new_code(), unit_id=unit_id, unit_name=unit.name,
                responsible_person=unit.responsible_person, contact=unit.contact, handler=handler,
                volunteer_id=volunteer_id, name=volunteer.name, id_type=volunteer.id_type,
                id_number=volunteer.id_number, volunteer_number=volunteer.volunteer_number, first_day=first_day,
                last_day=last_day, issued_on=issued_on, lines=lines, actor=actor, star_level=star_level,
                evaluation=evaluation)
            return Receipt(self._commit(register, certificate), certificate.id, (number, certificate.code))
        return self._decide(decide)

    def get_certificate(self, id: UUID) -> ServiceCertificate:
        return self._read(ServiceCertificate, id, "certificate")
