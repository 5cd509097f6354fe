"""The national (or city) volunteer-record system: each service record leaves through the outbox in
the log, once per record and revision (a correction of its hours is a new revision), to the HTTP
endpoint the operator sets. Each is POSTed as JSON in the national export's fields, signed
(`X-CareLedger-Signature: sha256=<HMAC of the body>`) and with its outbox id as `Idempotency-Key`,
so that a retry after a lost answer is recognisably the same; failures are retried with backoff and
shown on the notices page, like any notice."""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from projections import hours
from web.certificates import ID_TYPE_NAMES, content_of

KIND = "national_record"


def key_of(record: dict) -> str:
    return f"{KIND}:{record['shift_id']}:{record['volunteer_id']}:{record['minutes']}"


def queue_records(ledger: Any, db: Any, since: date, limit: int = 2000) -> int:
    """Queue the served records since `since` not yet sent as they stand now; returns how many."""
    wanted = [(key_of(r), UUID(r["volunteer_id"]), KIND,
               {"record_id": f"{r['shift_id']}:{r['volunteer_id']}", "shift_id": r["shift_id"], "unit": r["unit"],
                "post": r["post"], "day": r["day"], "minutes": str(r["minutes"]), "served": r["served"] or "{}"})
              for r in hours.records_to_send(db, since.isoformat(), limit)]
    return ledger.queue_notices(wanted, actor="system:national-record") if wanted else 0


class Refused(Exception):
    """The endpoint answered that this record will never be taken (a 4xx other than 408 and 429)."""


@dataclass(frozen=True)
class NationalSystem:
    url: str
    secret: bytes
    timeout: float = 10.0

    def body(self, ledger: Any, notice: Any, service_types: dict[str, tuple[str, str]]) -> bytes:
        """The record in the national export's fields; the identity read (unsealed) from the log now."""
        f, volunteer = notice.facts, ledger.get_volunteer(notice.volunteer_id)
        served = {k: int(v) for k, v in json.loads(f.get("served", "{}")).items()}
        return json.dumps({
            "record_id": f["record_id"], "revision": int(f["minutes"]), "name": volunteer.name,
            "id_type": ID_TYPE_NAMES.get(getattr(volunteer, "id_type", ""), ""),
            "id_number": getattr(volunteer, "id_number", ""),
            "volunteer_number": getattr(volunteer, "volunteer_number", ""), "organisation": f["unit"],
            "content": content_of(f["post"], served, service_types), "day": f["day"],
            "hours": round(int(f["minutes"]) / 60, 2)}, ensure_ascii=False, sort_keys=True).encode()

    def send(self, notice_id: UUID, body: bytes) -> None:
        signature = hmac.new(self.secret, body, hashlib.sha256).hexdigest()
        request = urllib.request.Request(self.url, data=body, method="POST", headers={
            "Content-Type": "application/json; charset=utf-8", "X-CareLedger-Signature": f"sha256={signature}",
            "Idempotency-Key": str(notice_id), "User-Agent": "CareLedger"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:  # noqa: S310 - the operator's URL
                answer.read()
        except urllib.error.HTTPError as error:
            if 400 <= error.code < 500 and error.code not in (408, 429):
                raise Refused(f"the national system refused the record: HTTP {error.code}") from None
            raise


def within(days: int, today: date) -> date:
    return today - timedelta(days=days)
