"""Service record certificates as the API and the screens share them: what to certify (from the
service record), what a certificate shows (identity masked), and the national-system export rows."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from domain.certificates import ServiceCertificate, ServiceLine
from domain.identity import masked, masked_name, masked_publicly
from domain.stars import SHANGHAI, stars
from projections import hours
from projections.hours import INTERPRETING, ON_REQUEST

# The fields national volunteer-record systems take (全国志愿服务信息系统 and its provincial peers)
NATIONAL_COLUMNS = [("name", "姓名"), ("id_type", "证件类型"), ("id_number", "证件号码"),
                    ("volunteer_number", "志愿者编号"), ("organisation", "服务组织"), ("content", "服务内容"),
                    ("day", "服务日期"), ("hours", "服务时长（小时）"), ("star_level", "星级")]
ID_TYPE_NAMES = {"resident_id": "居民身份证", "passport": "护照", "hk_macao_permit": "港澳居民来往内地通行证",
                 "taiwan_permit": "台湾居民来往大陆通行证", "foreign_permanent_residence": "外国人永久居留身份证"}


def content_of(post: str, served: dict[str, int], service_types: dict[str, tuple[str, str]]) -> str:
    """What was done: the post, and the services given there (in Chinese, as the certificate is)."""
    kinds = [service_types.get(code, (code, code))[1] for code, n in sorted(served.items()) if n]
    head, sep, place = post.partition(": ")
    if sep and head in (INTERPRETING, ON_REQUEST):
        post = f"{'手语翻译' if head == INTERPRETING else '应病区之请'}：{place}"
    return f"{post}（{'、'.join(kinds)}）" if kinds else post


def lines_for(db: Any, volunteer_id: str, first_day: str, last_day: str,
              service_types: dict[str, tuple[str, str]]) -> list[ServiceLine]:
    """Each served shift or interpreting in the days: its date, place, content and minutes of service
    (check-in to check-out as credited; travel is never counted)."""
    return [ServiceLine(date.fromisoformat(e["day"]), e["unit"], content_of(e["post"], e["served"], service_types),
                        e["minutes"])
            for e in hours.service_record(db, volunteer_id, first_day, last_day) if e["minutes"]]


def shown(certificate: ServiceCertificate, full_identity: bool = False) -> dict:
    """The certificate as printed (from its event, so a reprint is the same certificate); the
    identity number masked unless `full_identity` (the printed copy for the volunteer or the unit)."""
    return {
        "id": str(certificate.id), "number": certificate.number, "verification_code": certificate.code,
        "issued_on": certificate.issued_on, "from": certificate.first_day, "to": certificate.last_day,
        "unit": {"id": str(certificate.unit_id), "name": certificate.unit_name,
                 "responsible_person": certificate.responsible_person, "contact": certificate.contact},
        "handler": certificate.handler,
        "volunteer": {"id": str(certificate.volunteer_id), "name": certificate.name,
                      "id_type": certificate.id_type, "id_type_name": ID_TYPE_NAMES.get(certificate.id_type, ""),
                      "id_number": certificate.id_number if full_identity else masked(certificate.id_number),
                      "volunteer_number": certificate.volunteer_number},
        "services": [{"day": line.day, "place": line.place, "content": line.content, "minutes": line.minutes,
                      "hours": round(line.minutes / 60, 2)} for line in certificate.lines],
        "total_minutes": certificate.total_minutes, "total_hours": round(certificate.total_minutes / 60, 2),
        "star_level": getattr(certificate, "star_level", None),
        "evaluation": None if getattr(certificate, "evaluation", None) is None else {
            "rating": certificate.evaluation.rating, "from": certificate.evaluation.first_day,
            "to": certificate.evaluation.last_day},
    }


def readable(ledger: Any, actor: Any, certificate_id: UUID) -> ServiceCertificate:
    """The certificate, if `actor` may read it: the volunteer it certifies, or its unit's coordinators."""
    certificate = ledger.get_certificate(certificate_id)
    actor.ensure_volunteer(certificate.volunteer_id, certificate.unit_id)
    return certificate


def verified(certificate: ServiceCertificate) -> dict:
    """What anyone holding the code may see: enough to match the paper, nothing more."""
    return {"valid": True, "number": certificate.number, "issued_on": certificate.issued_on,
            "unit": certificate.unit_name, "contact": certificate.contact, "from": certificate.first_day,
            "to": certificate.last_day, "volunteer": masked_name(certificate.name),
            "id_number": masked_publicly(certificate.id_number),
            "services": len(certificate.lines), "total_hours": round(certificate.total_minutes / 60, 2)}


def national_rows(ledger: Any, db: Any, volunteers: list[dict], first_day: str, last_day: str,
                  service_types: dict[str, tuple[str, str]], star_hours: tuple[int, ...] = SHANGHAI) -> list[dict]:
    """One row per service, with the volunteer's identity read (unsealed) from the log, and their
    star level (by all their certified hours, today)."""
    rows = []
    totals = hours.certified_minutes_of(db, [found["id"] for found in volunteers])
    for found in volunteers:
        level = stars(totals.get(found["id"], 0), star_hours).level
        volunteer = ledger.get_volunteer(UUID(found["id"]))
        id_type = getattr(volunteer, "id_type", "")
        for line in lines_for(db, found["id"], first_day, last_day, service_types):
            rows.append({"name": volunteer.name, "id_type": ID_TYPE_NAMES.get(id_type, ""),
                         "id_number": getattr(volunteer, "id_number", ""),
                         "volunteer_number": getattr(volunteer, "volunteer_number", ""),
                         "organisation": line.place, "content": line.content, "day": line.day.isoformat(),
                         "hours": round(line.minutes / 60, 2), "star_level": level or ""})
    return rows
