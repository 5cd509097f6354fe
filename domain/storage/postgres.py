"""The PostgreSQL log, for many people at once: saves that arrive together share one lock and one commit.

eventsourcing's recorder takes the events table's EXCLUSIVE lock for each save (so that
positions are given out in commit order, and a reader tailing the log never passes a gap
filled later), and so serialises the saves of every node: one lock, one round of inserts and
one commit per save. Here, as in the embedded log (recorder.py), whoever holds the write lock
writes every save queued meanwhile in ONE transaction under ONE table lock, each save's
insert its own statement (its positions its own); a save that loses a race (the same
aggregate version) is found, rolled back alone to its savepoint and refused with the usual
IntegrityError, while the others commit. The lock, the ordering guarantee and the statements
are eventsourcing's own.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import psycopg
from eventsourcing.persistence import IntegrityError, InterfaceError, OperationalError, PersistenceError, StoredEvent
from eventsourcing.postgres import PostgresAggregateRecorder, PostgresApplicationRecorder

from domain.storage.recorder import GroupCommit, _Save

RETRIES = 5  # a dropped connection before the commit: the whole batch again, 0.1 s to 1.6 s later


class GroupCommitPostgresRecorder(GroupCommit, PostgresApplicationRecorder):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._start_queue()

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        if self.datastore.enable_db_functions:  # eventsourcing's own function inserts: one save each
            return PostgresApplicationRecorder.insert_events(self, stored_events, **kwargs)
        return super().insert_events(stored_events, **kwargs)

    def _write(self, batch: list[_Save]) -> None:
        try:
            for attempt in range(RETRIES + 1):
                try:
                    self._transaction(batch)
                    break
                except (InterfaceError, OperationalError):
                    if attempt == RETRIES:
                        raise
                    for save in batch:
                        save.ids, save.error = None, None
                    time.sleep(0.1 * 2**attempt)
        except Exception as e:  # nothing of this batch was written: every save in it is refused
            for save in batch:
                save.ids, save.error = None, e if isinstance(e, PersistenceError) else OperationalError(e)
        finally:
            for save in batch:
                save.done = True

    def _transaction(self, batch: list[_Save]) -> None:
        with self.datastore.get_connection() as conn:
            try:
                with conn.transaction(), conn.cursor() as curs:
                    self._lock_table(curs)
                    self._notify_channel(curs)
                    for save in batch:
                        save.ids = self._insert(curs, save)
                return
            except psycopg.IntegrityError:  # someone lost a race: find who, keep the others
                pass
            with conn.transaction(), conn.cursor() as curs:
                self._lock_table(curs)
                self._notify_channel(curs)
                for save in batch:
                    try:
                        with conn.transaction():  # a savepoint
                            save.ids = self._insert(curs, save)
                    except psycopg.IntegrityError as lost:
                        save.ids, save.error = None, IntegrityError(str(lost))

    def _insert(self, curs: Any, save: _Save) -> list[int]:
        if not save.stored_events:
            return []
        # eventsourcing's own insert (the application recorder's adds RETURNING notification_id),
        # without taking the lock again
        PostgresAggregateRecorder._insert_stored_events(self, curs, save.stored_events, **save.kwargs)
        return [row["notification_id"] for row in curs.fetchall()]
