"""Unit use cases: register a unit, define its posts and what they require, the service catalogue."""

from __future__ import annotations

from uuid import UUID

from domain.errors import NotFound
from domain.units import CATALOGUE_ID, DEFAULT_SERVICE_TYPES, ServiceCatalogue, Unit
from domain.usecases.ledger import Ledger, Receipt


class UnitUseCases(Ledger):

    def register_unit(self, name: str, district: str, actor: str, post_codes: bool = True) -> Receipt:
        unit = Unit.register(name, district, actor, post_codes)
        return Receipt(self._commit(unit), unit.id)

    def define_post(self, unit_id: UUID, post: str, requires: list[str], actor: str) -> Receipt:
        def decide() -> Receipt:
            unit = self._get(Unit, unit_id, "unit")
            unit.define_post(post, frozenset(requires), actor)
            return Receipt(self._commit(unit), unit.id)
        return self._decide(decide)

    def require_post_code(self, unit_id: UUID, post: str, needed: bool, actor: str) -> Receipt:
        def decide() -> Receipt:
            unit = self._get(Unit, unit_id, "unit")
            unit.require_post_code(post, needed, actor)
            return Receipt(self._commit(unit), unit.id)
        return self._decide(decide)

    def get_unit(self, unit_id: UUID) -> Unit:
        return self._read(Unit, unit_id, "unit")


    def open_catalogue(self, actor: str = "system") -> Receipt:
        """Seed the service-type catalogue with the programme's types (idempotent)."""
        def decide() -> Receipt:
            try:
                catalogue = self._get(ServiceCatalogue, CATALOGUE_ID, "catalogue")
            except NotFound:
                catalogue = ServiceCatalogue(actor)
            for code, (en, zh) in DEFAULT_SERVICE_TYPES.items():
                if code not in catalogue.service_types:
                    catalogue.add(code, en, zh, actor)
            return Receipt(self._commit(catalogue), catalogue.id)
        return self._decide(decide)

    def add_service_type(self, code: str, name_en: str, name_zh: str, actor: str) -> Receipt:
        def decide() -> Receipt:
            catalogue = self._get(ServiceCatalogue, CATALOGUE_ID, "catalogue")
            catalogue.add(code, name_en, name_zh, actor)
            return Receipt(self._commit(catalogue), catalogue.id)
        self.open_catalogue(actor)
        return self._decide(decide)
