"""The ledger every use case shares: storage, loading, saving and the lost-race retry."""

from __future__ import annotations

import asyncio
import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic
from eventsourcing.persistence import IntegrityError, Mapper
from eventsourcing.sqlite import SQLiteFactory

from domain.aggregate import copy_of
from domain.clock import Clock, SystemClock
from domain.storage.committer import Committer
from domain.errors import ConcurrentChange, NotFound, UnknownServiceType
from domain.storage.mapper import EventMapper
from domain.storage.vaults import vault_for
from domain.policy import CasePolicy, Policy
from domain.storage.recorder import GroupCommitRecorder
from domain.units import CATALOGUE_ID, DEFAULT_SERVICE_TYPES, ServiceCatalogue

A = TypeVar("A", bound=Aggregate)
R = TypeVar("R")


@dataclass(frozen=True)
class Receipt:
    """What a command hands back: the log position of its last event (None if nothing new was
    recorded, e.g. a repeated check-in), the id it created or acted on, and its answer."""

    position: int | None
    id: UUID | None = None
    value: Any = None


def _replay(aggregate: Any, events: Any) -> Any:
    """eventsourcing's project_aggregate without its per-event Protocol isinstance (slow in 3.11)."""
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate


class Ledger(Application[UUID]):
    name = "CareLedger"  # one log, whatever the mix of use cases
    # Recently used aggregates stay in memory. On PostgreSQL each get() reads any newer events
    # first (fast-forward); on the embedded log see _cached(). 100,000: at 20,000 a morning's
    # sign-ups pushed the day's check-ins out, to be read again on the event loop (bench/NOTES.md).
    env: ClassVar[dict[str, str]] = {"AGGREGATE_CACHE_MAXSIZE": "100000", "AGGREGATE_CACHE_FASTFORWARD": "y"}
    RACE_RETRIES = 5  # one retry left places empty while 20 racers were refused (see README)
    RETRY_SPREAD_SECONDS = 0.005
    HEAD_LOOK_SECONDS = 0.02

    def __init__(self, env: dict[str, str] | None = None, clock: Clock | None = None,
                 policy: Policy | None = None, case_policy: CasePolicy | None = None) -> None:
        super().__init__(env)
        self.clock = clock or SystemClock()
        self.policy = policy or Policy()
        self.case_policy = case_policy or CasePolicy()
        self._jitter = random.Random()
        self.on_saved: list[Callable[[int], None]] = []  # e.g. wake a projector in this process
        self._batches = threading.local()
        self._writers: ThreadPoolExecutor | None = None
        self._committer: Committer | None = None
        # The embedded log, which can say whether anyone else has written since we last looked:
        # there, cached aggregates are trusted without asking the log about each one.
        self._own_log = self.recorder if isinstance(self.recorder, GroupCommitRecorder) and \
            self.repository.cache else None
        self._head_seen_at = 0.0

    def construct_factory(self, env: Any) -> Any:
        factory = super().construct_factory(env)
        if isinstance(factory, SQLiteFactory) and not env.get("APPLICATION_RECORDER_TOPIC"):
            factory.application_recorder_class = GroupCommitRecorder  # see domain/storage/recorder.py
        elif type(factory).__module__ == "eventsourcing.postgres" and not env.get("APPLICATION_RECORDER_TOPIC"):
            from domain.storage.postgres import GroupCommitPostgresRecorder  # psycopg only where it is used

            factory.env["APPLICATION_RECORDER_TOPIC"] = get_topic(GroupCommitPostgresRecorder)  # see postgres.py
        return factory

    def construct_mapper(self) -> Mapper[UUID]:
        mapper = self.factory.mapper(transcoder=self.construct_transcoder(), mapper_class=EventMapper)
        # personal fields' keys, beside the log (on PostgreSQL through the log's own pool)
        mapper.vault = self.vault = vault_for(self.env, lambda: self.recorder.datastore)
        return mapper

    # --- plumbing every use case shares --------------------------------------------------

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Commands run inside save together, in ONE transaction, when the block ends: for bulk
        work (imports, generated history), where one commit per command would be most of the cost.
        A command that refuses inside the block discards the whole batch, so it is all or none too."""
        with self._gathering() as pending:
            yield
        if pending:
            self.save(*pending.values())
            self._keep(pending.values())

    @contextmanager
    def _gathering(self) -> Iterator[dict[UUID, Aggregate]]:
        """While open, commands in this thread gather what they would save here instead."""
        pending: dict[UUID, Aggregate] = {}
        self._batches.pending = pending
        try:
            yield pending
        finally:
            self._batches.pending = None

    async def perform(self, command: Callable[..., Receipt], *args: Any, **kwargs: Any) -> Receipt:
        """Run a command from an event loop: the deciding (microseconds) happens right here, and
        only the save goes to a writer thread, where saves that arrive together share one
        commit. A lost race is decided again, as in `_decide`."""
        loop = asyncio.get_running_loop()
        if self._committer is None and self._writers is None:
            if hasattr(self.recorder, "insert_batch"):
                self._committer = Committer(self)
            else:
                self._writers = ThreadPoolExecutor(max_workers=8, thread_name_prefix="writer")
        for attempt in range(self.RACE_RETRIES + 1):
            with self._gathering() as pending:
                receipt = command(*args, **kwargs)
            if not pending:
                return receipt  # nothing new to record (e.g. a repeated check-in)
            try:
                if self._committer is not None:
                    position = await self._committer.save(list(pending.values()))
                else:
                    position = await loop.run_in_executor(self._writers, self._commit, *pending.values())
            except IntegrityError:
                self._head_seen_at = 0.0  # someone wrote what we thought we knew: look again
                await asyncio.sleep(self._jitter.uniform(0, self.RETRY_SPREAD_SECONDS * 2**attempt))
                continue
            return Receipt(position, receipt.id, receipt.value)  # (dataclasses.replace: 2% of a check-in)
        raise ConcurrentChange("Someone else changed this at the same moment; please try again.")

    def _get(self, cls: type[A], id: UUID, kind: str, copy: bool = True) -> A:
        """An aggregate to decide on: a private copy, so that a refused command changes nothing."""
        pending = getattr(self._batches, "pending", None)
        if pending is not None and id in pending:
            aggregate = pending[id]
            if not isinstance(aggregate, cls):
                raise NotFound(kind, id)
            return aggregate  # type: ignore[return-value]
        if self._own_log is not None:
            aggregate = self._cached(id) or self._load(id)
            if aggregate is None:
                raise NotFound(kind, id)
        else:
            try:
                aggregate = self.repository.get(id, projector_func=_replay, deepcopy_from_cache=False)
            except AggregateNotFoundError:
                raise NotFound(kind, id) from None
        if not isinstance(aggregate, cls):
            raise NotFound(kind, id)
        return copy_of(aggregate) if copy else aggregate

    def _cached(self, id: UUID) -> Aggregate | None:
        """The cached aggregate as it is: while no one else has written to the log, what we saved
        last is the newest. Once another process has, the cache is dropped and this is None."""
        if not self._log_is_ours():
            return None
        try:
            return self.repository.cache.get(id)
        except KeyError:
            return None

    def _log_is_ours(self) -> bool:
        """Whether no other process has written since we last looked (asked at most every
        HEAD_LOOK_SECONDS: one look serves a whole request's reads; a write by another process
        inside that window is the same race as one landing just after the decision)."""
        now = time.monotonic()
        if now - self._head_seen_at < self.HEAD_LOOK_SECONDS:
            return True
        ours = self._own_log.head_is_ours(self._forget_cache)
        self._head_seen_at = now if ours else 0.0
        return ours

    def drop_cache(self) -> None:
        """Forget every aggregate held in memory: each is read from the log again when next asked for."""
        if self.repository.cache is not None:
            self._forget_cache()

    def _forget_cache(self) -> None:
        cache = self.repository.cache
        maxsize = getattr(cache, "maxsize", None)
        self.repository.cache = type(cache)(maxsize) if maxsize else type(cache)()

    def _load(self, id: UUID) -> Aggregate | None:
        """An aggregate not in the cache: its latest snapshot, if any, and the events after it,
        read through this thread's own connection; then cached."""
        snapshot, events = self._own_log.snapshot_and_events(id)
        aggregate = self.mapper.to_domain_event(snapshot).mutate(None) if snapshot else None
        for stored in events:
            aggregate = self.mapper.to_domain_event(stored).mutate(aggregate)
        if aggregate is not None:
            self.repository.cache.put(id, aggregate)
        return aggregate

    def warm(self, ids: Iterable[UUID]) -> int:
        """Load these aggregates into the cache, before any command runs (at start-up only: a load
        racing a command's save could cache an older version over a newer one). Returns how many."""
        loaded = 0
        for id in ids:
            if self._own_log is not None:
                if self._cached(id) is None and self._load(id) is not None:
                    loaded += 1
            elif self.repository.cache is not None:
                try:
                    self.repository.get(id)
                    loaded += 1
                except AggregateNotFoundError:
                    pass
        return loaded

    def _known(self, cls: type[A], id: UUID) -> A | None:
        """The aggregate as this process last read it, without asking the log (None if it has not)."""
        cache = self.repository.cache
        try:
            found = cache.get(id) if cache is not None else None
        except KeyError:
            return None
        return found if isinstance(found, cls) else None

    def _read(self, cls: type[A], id: UUID, kind: str) -> A:
        """An aggregate only to look at (never to change): the cached one itself, not a copy."""
        return self._get(cls, id, kind, copy=False)

    def _commit(self, *aggregates: Aggregate) -> int | None:
        pending = getattr(self._batches, "pending", None)
        if pending is not None:
            pending.update((a.id, a) for a in aggregates)
            return None
        recordings = self.save(*aggregates)
        self._keep(aggregates)
        return recordings[-1].notification.id if recordings else None

    def _keep(self, aggregates: Iterable[Aggregate]) -> None:
        """What was just saved is the newest state: cache it (the embedded log trusts its cache)."""
        if self._own_log is not None:
            for aggregate in aggregates:
                self.repository.cache.put(aggregate.id, aggregate)

    def _change(self, cls: type[A], id: UUID, kind: str, change: Callable[[A], Any]) -> Receipt:
        """Load one aggregate, let `change` decide on it (a refusal raises: nothing is saved), and
        save it; decided again on fresh state after a lost race. The receipt's value is what
        `change` answered. Use cases over several aggregates write their own `decide` for `_decide`."""
        def decide() -> Receipt:
            aggregate = self._get(cls, id, kind)
            answer = change(aggregate)
            return Receipt(self._commit(aggregate), id, answer)
        return self._decide(decide)

    def _decide(self, decision: Callable[[], R]) -> R:
        """Run a load-decide-save; a lost race is decided again on fresh state.

        Each lost race means someone else changed the same aggregate, so a sign-up that keeps
        losing soon sees a full shift instead. Only a command that loses RACE_RETRIES times
        in a row is refused with `concurrent_change`.
        """
        for attempt in range(self.RACE_RETRIES + 1):
            try:
                return decision()
            except IntegrityError:
                self._head_seen_at = 0.0  # someone wrote what we thought we knew: look again
                # Losers of one race would all collide again at once: spread their next attempt.
                time.sleep(self._jitter.uniform(0, self.RETRY_SPREAD_SECONDS * 2**attempt))
        raise ConcurrentChange("Someone else changed this at the same moment; please try again.")

    def close(self) -> None:
        if self._writers is not None:
            self._writers.shutdown(wait=True)
        if self._committer is not None:
            self._committer.close()
        if isinstance(self.recorder, GroupCommitRecorder):
            self.recorder.close()
        self.vault.close()
        super().close()

    def _notify(self, recordings: list[Any]) -> None:
        if recordings:
            for listener in self.on_saved:
                listener(recordings[-1].notification.id)

    @property
    def position(self) -> int:
        """The log position of the last event recorded by anyone."""
        return self.recorder.max_notification_id() or 0

    # --- the service-type catalogue, which several use cases check against -----------

    def service_types(self) -> dict[str, tuple[str, str]]:
        try:
            return dict(self._read(ServiceCatalogue, CATALOGUE_ID, "catalogue").service_types)
        except NotFound:
            return dict(DEFAULT_SERVICE_TYPES)

    def _ensure_service_types(self, field: str, codes: list[str]) -> None:
        known = self.service_types()
        for code in codes:
            if code not in known:
                raise UnknownServiceType(field, f"unknown service type {code!r}; known: {', '.join(known)}")

