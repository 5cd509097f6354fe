"""Kiosk devices as a coordinator sees them: which tablets act for a unit, since when, and which
pairing codes are still waiting for a tablet."""

from __future__ import annotations

import sqlite3
from typing import Any

import sqlite_utils

from domain.devices import Device
from projections.store import ReadModel, ident, iso, within_units


def create(db: sqlite_utils.Database) -> None:
    db["devices"].create({"device_id": str, "unit_id": str, "name": str, "offered_at": str, "expires_at": str,
                          "paired_at": str, "revoked": int}, pk="device_id", if_not_exists=True)


devices = ReadModel("devices", create, tables=("devices",))


@devices.handles(Device.Offered)
def offered(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("INSERT OR REPLACE INTO devices VALUES (?, ?, ?, ?, ?, NULL, 0)",
              (ident(e.originator_id), ident(e.unit_id), e.name, iso(e.timestamp), iso(e.expires_at)))


@devices.handles(Device.Paired)
def paired(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("UPDATE devices SET paired_at = ? WHERE device_id = ?", (iso(e.at), ident(e.originator_id)))


@devices.handles(Device.Revoked)
def revoked(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("UPDATE devices SET revoked = 1 WHERE device_id = ?", (ident(e.originator_id),))


def of_units(db: sqlite_utils.Database, unit_ids: list[str] | None, now: str) -> list[dict]:
    """The units' paired kiosks and the codes still open, newest first (the unpaired and the expired left out)."""
    where, params = ["revoked = 0", "(paired_at IS NOT NULL OR expires_at > ?)"], [now]
    within_units(where, params, "unit_id", unit_ids)
    return list(db.query(f"SELECT device_id AS id, unit_id, name, offered_at, expires_at, paired_at FROM devices "
                         f"WHERE {' AND '.join(where)} ORDER BY offered_at DESC", params))
