"""The read models' query connections answer rows as dicts, and can never write."""

from __future__ import annotations

import sqlite3

import pytest

from projections.store import ReadModelStore


def test_a_reader_answers_rows_as_dicts(store: ReadModelStore) -> None:
    store.conn.execute("INSERT INTO shifts (shift_id, unit_id, post, starts_at, ends_at, day, capacity, filled) "
                       "VALUES ('s1', 'u1', 'desk', 'a', 'b', '2026-12-08', 3, 1)")
    rows = list(store.reader().query("SELECT shift_id, capacity - filled AS free FROM shifts WHERE unit_id = ?", ["u1"]))
    assert rows == [{"shift_id": "s1", "free": 2}]


def test_a_reader_refuses_to_write(store: ReadModelStore) -> None:
    store.conn.execute("INSERT INTO units (unit_id, name) VALUES ('u1', 'Ruijin Hospital')")
    reader = store.reader()
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        reader.execute("DELETE FROM units")
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        reader.query("DELETE FROM units RETURNING unit_id")
    assert store.conn.execute("SELECT name FROM units").fetchall() == [("Ruijin Hospital",)]
