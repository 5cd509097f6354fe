"""One thread that saves for an event loop: it takes every save waiting and writes them in one
transaction (each save still all or none), so a morning rush of check-ins shares its commits
and only two threads, the loop and this one, ever want the GIL for them."""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Sequence
from typing import Any

from eventsourcing.application import ProcessingEvent

logger = logging.getLogger(__name__)


class Committer:
    def __init__(self, ledger: Any) -> None:
        self.ledger = ledger
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def save(self, aggregates: Sequence[Any]) -> asyncio.Future[int | None]:
        """The log position of the save once written (None if it held no new event);
        IntegrityError if it lost a race."""
        if self._thread is None:
            with self._lock:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._run, name="committer", daemon=True)
                    self._thread.start()
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._queue.put((aggregates, loop, future))
        return future

    def close(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            batch = [item]
            while True:  # everything that queued while the last commit was syncing
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    self._queue.put(None)
                    break
                batch.append(item)
            try:
                outcomes = self._write([aggregates for aggregates, _, _ in batch])
            except Exception as error:  # noqa: BLE001 - every waiting save hears of it
                outcomes = [error] * len(batch)
            for (_, loop, future), outcome in zip(batch, outcomes):
                try:
                    loop.call_soon_threadsafe(_settle, future, outcome)
                except RuntimeError:  # that caller's event loop is gone; the others still wait
                    pass

    def _write(self, saves: list[Sequence[Any]]) -> list[Any]:
        ledger = self.ledger
        processing = []
        for aggregates in saves:
            event = ProcessingEvent()
            event.collect_events(*aggregates)
            processing.append(event)
        stored = [[ledger.mapper.to_stored_event(e) for e in p.events] for p in processing]
        written = ledger.recorder.insert_batch(stored)
        outcomes: list[Any] = []
        for event, aggregates, save in zip(processing, saves, written):
            if save.error is not None:
                outcomes.append(save.error)
                continue
            if not save.ids:
                outcomes.append(None)  # nothing new to record (a repeated check-in)
                continue
            position = save.ids[-1]
            ledger._keep(aggregates)
            outcomes.append(position)  # recorded: nothing after this may turn it into a failure
            try:
                ledger._take_snapshots(event)  # a snapshot only saves time on a later load
                for listener in ledger.on_saved:
                    listener(position)
            except Exception:  # noqa: BLE001
                logger.exception("after saving at %s", position)
        return outcomes


def _settle(future: asyncio.Future[int], outcome: Any) -> None:
    if future.done():
        return
    if isinstance(outcome, BaseException):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)
