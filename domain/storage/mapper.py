"""How events are written to the log: msgspec JSON, typed on the way back in.

eventsourcing's default mapper uses the standard-library JSON encoder with type tags; this one
encodes each event's fields with msgspec and decodes them against the event class's own
annotations, so a `datetime` comes back a `datetime` and a `frozenset` a `frozenset`.
"""

from __future__ import annotations

import base64
import typing
from dataclasses import fields, is_dataclass
from functools import cache
from typing import Any

import msgspec
from datetime import datetime
from eventsourcing.domain import CanSnapshotAggregate
from eventsourcing.persistence import Mapper, MapperDeserialisationError, StoredEvent
from eventsourcing.utils import get_topic, resolve_topic

from domain.bounds import REPAIRS
from domain.personal import ERASED, PERSONAL_FIELDS, owner_of
from domain.storage.vaults import KeyVault, seal, unseal

_HEADER = ("originator_id", "originator_version")
# What every snapshot's state holds besides the aggregate's own (annotated) attributes.
_AGGREGATE_STATE = {"_created_on": datetime, "_modified_on": datetime, "class_version": int}


@cache
def _payload_type(event_class: type) -> type[msgspec.Struct]:
    """A msgspec Struct with the event's payload fields and their annotated types."""
    hints = typing.get_type_hints(event_class)
    names = [f.name for f in fields(event_class)] if is_dataclass(event_class) else list(hints)
    return msgspec.defstruct(
        f"{event_class.__qualname__}Payload",
        [(name, hints.get(name, Any)) for name in names if name not in _HEADER],
    )


SEALED = "_sealed"  # the personal fields of an event, sealed with their owner's key


def _has_personal(cls: type) -> bool:
    return cls in PERSONAL_FIELDS or issubclass(cls, CanSnapshotAggregate)


# Topics of events with nothing to unseal or upcast: (class, decoder), learnt as they are read.
_PLAIN: dict[str, tuple[type, msgspec.json.Decoder]] = {}


@cache
def _decoder(event_class: type) -> msgspec.json.Decoder:
    return msgspec.json.Decoder(_payload_type(event_class))


@cache
def _state_types(aggregate_class: type) -> dict[str, Any]:
    """The type of each attribute of an aggregate, from its class annotations: a snapshot's
    state comes back typed (a `datetime` a `datetime`, a `Holding` a `Holding`)."""
    own = {name: hint for name, hint in typing.get_type_hints(aggregate_class).items() if not name.startswith("_")}
    return own | _AGGREGATE_STATE


def snapshot_state(aggregate_class: type, state: dict[str, Any]) -> dict[str, Any]:
    """A snapshot's decoded JSON state converted to the aggregate's attribute types. An attribute
    without an annotation would come back as plain JSON: tests hold every snapshotted class to it."""
    types = _state_types(aggregate_class)
    return {name: msgspec.convert(value, types.get(name, Any), strict=False) for name, value in state.items()}


def _personal_in(cls: type, state: dict[str, Any]) -> tuple[dict[str, Any], tuple[str, ...]]:
    """Where an event's personal fields are (a snapshot keeps them in its aggregate's state)."""
    if issubclass(cls, CanSnapshotAggregate):
        return state["state"], PERSONAL_FIELDS.get(resolve_topic(state["topic"]), ())
    return state, PERSONAL_FIELDS.get(cls, ())


def _event(cls: type, payload: msgspec.Struct, stored_event: StoredEvent) -> Any:
    """The domain event of `cls` with the decoded payload's fields and the stored event's header
    (built without __init__, as eventsourcing's own mapper does; out-of-bound values repaired)."""
    event_state = msgspec.structs.asdict(payload)
    event_state["originator_id"] = stored_event.originator_id
    event_state["originator_version"] = stored_event.originator_version
    if cls in REPAIRS:
        _repair(cls, event_state)
    domain_event = object.__new__(cls)
    object.__setattr__(domain_event, "__dict__", event_state)
    return domain_event


def _repair(cls: type, event_state: dict[str, Any]) -> None:
    """An event holding a value beyond its bound (written before the domain checked it) is read
    clamped to the bound; what was clamped is kept on the event, for the projector to log."""
    changed = REPAIRS[cls](event_state)
    if changed:
        event_state[REPAIRED] = changed


REPAIRED = "_repaired_on_read"


def _upcast(cls: type, state: dict[str, Any]) -> None:
    """An event written by an older version of its class, brought up to this one's fields."""
    from_version = state.pop("class_version", 1)
    while from_version < getattr(cls, "class_version", 1):
        getattr(cls, f"upcast_v{from_version}_v{from_version + 1}")(state)
        from_version += 1  # on an event read clamped: the fields that were out of bounds


class EventMapper(Mapper[Any]):
    """Maps domain events to stored events with msgspec, keeping the cipher and compressor, and
    sealing personal fields with their owner's own key (domain/personal.py)."""

    _encoder = msgspec.json.Encoder()
    vault: KeyVault | None = None

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        state = dict(vars(domain_event))
        originator_id = state.pop("originator_id")
        originator_version = state.pop("originator_version")
        class_version = getattr(type(domain_event), "class_version", 1)
        if class_version > 1:
            state["class_version"] = class_version
        if self.vault is not None:
            self._seal(type(domain_event), originator_id, state)
        data = self._encoder.encode(state)
        if self.compressor:
            data = self.compressor.compress(data)
        if self.cipher:
            data = self.cipher.encrypt(data)
        return StoredEvent(
            originator_id=originator_id,
            originator_version=originator_version,
            topic=get_topic(type(domain_event)),
            state=data,
        )

    def _seal(self, cls: type, owner: Any, state: dict[str, Any]) -> None:
        container, names = _personal_in(cls, state)
        if not names or all(container.get(name) == ERASED for name in names):
            return  # nothing personal, or only what is left of a forgotten person
        if issubclass(cls, CanSnapshotAggregate):
            state["state"] = container = dict(container)
        plain = self._encoder.encode({name: container.pop(name) for name in names if name in container})
        container[SEALED] = seal(self.vault, owner_of(cls, container, owner), plain)

    def _unseal(self, cls: type, owner: Any, state: dict[str, Any]) -> None:
        container, names = _personal_in(cls, state)
        sealed = container.pop(SEALED, None)
        if sealed is None:
            return
        owner = owner_of(cls, container, owner)
        plain = unseal(self.vault, owner, base64.b64decode(sealed)) if self.vault is not None else None
        container.update(msgspec.json.decode(plain) if plain is not None else dict.fromkeys(names, ERASED))

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        plain = None if self.compressor else _PLAIN.get(stored_event.topic)
        if plain is not None:  # most events: straight from JSON to typed fields (a rebuild reads millions)
            cls, decoder = plain
            data = self.cipher.decrypt(stored_event.state) if self.cipher else stored_event.state
            return _event(cls, decoder.decode(data), stored_event)
        return self._to_domain_event(stored_event)

    def _to_domain_event(self, stored_event: StoredEvent) -> Any:
        cls = resolve_topic(stored_event.topic)
        if not _has_personal(cls) and getattr(cls, "class_version", 1) == 1:
            _PLAIN[stored_event.topic] = (cls, _decoder(cls))
        data = stored_event.state
        try:
            if self.cipher:
                data = self.cipher.decrypt(data)
            if self.compressor:
                data = self.compressor.decompress(data)
            if _has_personal(cls) and SEALED.encode() in data:
                state = msgspec.json.decode(data)
                self._unseal(cls, stored_event.originator_id, state)
                _upcast(cls, state)
                payload = _decoder(cls).decode(self._encoder.encode(state))
            elif getattr(cls, "class_version", 1) == 1:
                payload = _decoder(cls).decode(data)  # straight to typed fields: nothing to upcast
            else:
                state = msgspec.json.decode(data)
                _upcast(cls, state)
                payload = msgspec.convert(state, _payload_type(cls))
            if issubclass(cls, CanSnapshotAggregate):
                payload.state = snapshot_state(resolve_topic(payload.topic), payload.state)
        except Exception as e:
            msg = f"Cannot read event {stored_event.topic} v{stored_event.originator_version}: {e}"
            raise MapperDeserialisationError(msg) from e
        return _event(cls, payload, stored_event)
