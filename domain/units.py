"""Units (hospitals, districts) with their posts, and the catalogue of service types."""

from __future__ import annotations

from uuid import UUID, uuid5

from eventsourcing.domain import event

from domain import bounds
from domain.aggregate import Aggregate

from domain.errors import InvalidCommand
from domain.limits import Limits


class Unit(Aggregate):
    @classmethod
    def register(cls, name: str, district: str, actor: str, post_codes: bool = True) -> Unit:
        """A new unit checks in at its posts by their code (扫码签到) unless told otherwise."""
        return cls(bounds.text("name", name, bounds.TITLE), bounds.text("district", district, bounds.TITLE, 0), actor,
                   post_codes=bool(post_codes))

    @event("Registered")
    def __init__(self, name: str, district: str, actor: str, post_codes: bool = False) -> None:
        # units registered before post codes existed keep checking in from the phone as they did
        self.name, self.district, self.post_codes = name, district, post_codes
        self.posts: dict[str, frozenset[str]] = {}
        self.code_needed: dict[str, bool] = {}

    def define_post(self, post: str, requires: frozenset[str], actor: str) -> None:
        """Name a post and what every volunteer there must hold (qualifications, credentials)."""
        self._post_defined(bounds.text("post", post, bounds.NAME), frozenset(bounds.tags("requires", requires)), actor)

    @event("PostDefined")
    def _post_defined(self, post: str, requires: frozenset[str], actor: str) -> None:
        self.posts[post] = requires

    def set_certificate_details(self, responsible_person: str, contact: str, actor: str) -> None:
        """Who answers for the unit's service certificates (负责人) and how to reach the unit (联系方式)."""
        if not responsible_person.strip():
            raise InvalidCommand("responsible_person", "must name the person responsible for the unit")
        if not contact.strip():
            raise InvalidCommand("contact", "must give a telephone number or address to check a certificate with")
        self._certificate_details_set(bounds.text("responsible_person", responsible_person, bounds.NAME),
                                      bounds.text("contact", contact, bounds.TITLE), actor)

    @event("CertificateDetailsSet")
    def _certificate_details_set(self, responsible_person: str, contact: str, actor: str) -> None:
        self.responsible_person, self.contact = responsible_person, contact

    def require_post_code(self, post: str, needed: bool, actor: str) -> None:
        """Whether a volunteer's own phone checks in at this post only by scanning the post's code;
        `post` "" sets it for every post of the unit without a choice of its own."""
        post = bounds.text("post", post, bounds.NAME, 0)
        rules = getattr(self, "code_needed", {})
        if rules.get(post, None if post else getattr(self, "post_codes", False)) != needed:
            self._post_code_required(post, needed, actor)

    @event("PostCodeRequired")
    def _post_code_required(self, post: str, needed: bool, actor: str) -> None:
        self.code_needed = {**getattr(self, "code_needed", {}), post: needed}

    def needs_post_code(self, post: str) -> bool:
        rules = getattr(self, "code_needed", {})
        return rules.get(post, rules.get("", getattr(self, "post_codes", False)))

    def require_handover_approval(self, needed: bool, actor: str) -> None:
        """Whether a place one volunteer hands to another waits for a coordinator's approval here."""
        if self.handovers_need_approval != needed:
            self._handover_approval_required(needed, actor)

    @event("HandoverApprovalRequired")
    def _handover_approval_required(self, needed: bool, actor: str) -> None:
        self.handover_approval = needed

    @property
    def handovers_need_approval(self) -> bool:
        return getattr(self, "handover_approval", False)

    def set_limits(self, daily_hours: float | None, weekly_hours: float | None, rest_hours: float | None,
                   actor: str) -> None:
        """The unit's own fair limits (None: the programme's), e.g. a ward whose shifts are harder."""
        for field, value, top in (("daily_hours", daily_hours, 24), ("weekly_hours", weekly_hours, 24 * 7),
                                  ("rest_hours", rest_hours, 48)):
            if value is not None and not 0 < value <= top:
                raise InvalidCommand(field, "must be more than 0 and at most {top} hours", top=top)
        self._limits_set(daily_hours, weekly_hours, rest_hours, actor)

    @event("LimitsSet")
    def _limits_set(self, daily_hours: float | None, weekly_hours: float | None, rest_hours: float | None,
                    actor: str) -> None:
        self.own_limits = {"daily_hours": daily_hours, "weekly_hours": weekly_hours, "rest_hours": rest_hours}

    def limits(self, programme: Limits) -> Limits:
        return programme.overridden(**getattr(self, "own_limits", {}))

    def requirements_at(self, post: str) -> frozenset[str]:
        return self.posts.get(post, frozenset())


# The catalogue is data: one aggregate under a well-known id, seeded with the programme's types.
CATALOGUE_ID = uuid5(UUID("6f1c3c1e-9d8a-4a53-9a55-7c0e3a8f2b10"), "service-catalogue")
DEFAULT_SERVICE_TYPES = {
    "guidance": ("Guidance and wayfinding", "导医"),
    "communication": ("Communication", "交流"),
    "visitation": ("Visitation", "探视"),
    "psychological_support": ("Psychological relief", "心理舒缓"),
    "sign_language": ("Sign-language service", "手语服务"),
    "escort": ("Escort to tests and wards", "陪检陪诊"),
}


class ServiceCatalogue(Aggregate):
    @staticmethod
    def create_id() -> UUID:
        return CATALOGUE_ID

    @event("Opened")
    def __init__(self, actor: str) -> None:
        self.service_types: dict[str, tuple[str, str]] = {}

    def add(self, code: str, name_en: str, name_zh: str, actor: str) -> None:
        if not code.isidentifier() or code != code.lower():
            raise InvalidCommand("code", "must be lower_snake_case")
        if self.service_types.get(code) != (name_en, name_zh):
            self._service_type_added(code, name_en, name_zh, actor)

    @event("ServiceTypeAdded")
    def _service_type_added(self, code: str, name_en: str, name_zh: str, actor: str) -> None:
        self.service_types[code] = (name_en, name_zh)
