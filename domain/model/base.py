"""What every Leitai aggregate and event shares: who acted, in what role, and the
idempotency key of the command that caused the event.

A key may carry the digest of what its command asked (:func:`with_digest`: the HTTP
request's fingerprint, the command line's arguments): the aggregate remembers the digest
the key was first recorded with, and the same key asking for something else is refused
(``KeyReused``) instead of being taken for "already done"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain import text as texts
from domain.errors import InvalidValue, KeyReused, ReasonRequired

ROLES = ("admin", "judge", "organization", "auditor", "public", "system")

A = TypeVar("A", bound="LeitaiAggregate")


DIGEST_MARK = "|sha256:"  # key|sha256:<32 hex digits>: the key and what its command asked


def with_digest(key: str | None, digest: str) -> str | None:
    """``key`` carrying the (hex) digest of its command's input."""
    return None if key is None else f"{key}{DIGEST_MARK}{digest[:32]}"


def split_key(key: str) -> tuple[str, str | None]:
    """(the key as given, the digest it carries or None)."""
    given, mark, digest = key.rpartition(DIGEST_MARK)
    return (given, digest) if mark else (key, None)


@dataclass(frozen=True)
class Actor:
    """Who runs a command: an account id and the role it acts in."""

    id: str
    role: str

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id.strip():
            raise InvalidValue("actor", self.id, "an actor id is required", "必须注明操作人")
        object.__setattr__(self, "id", texts.name(self.id, "actor", limit=64))
        if self.role not in ROLES:
            raise InvalidValue("role", self.role, f"role must be one of {', '.join(ROLES)}",
                               f"角色应为 {', '.join(ROLES)} 之一")



class LeitaiAggregate(Aggregate):
    class Event(Aggregate.Event):
        actor: str
        role: str
        key: str | None

        def apply(self, aggregate: Any) -> None:
            if self.key is not None:
                given, digest = split_key(self.key)
                if given not in aggregate.keys:
                    aggregate.keys[given] = self.originator_version
                    if digest is not None:
                        aggregate.key_digests[given] = digest
            self.evolve(aggregate)

        def evolve(self, aggregate: Any) -> None:
            """How this event changes its aggregate's state."""

    class Created(Event, Aggregate.Created):
        pass

    def __init__(self) -> None:
        self.keys: dict[str, int] = {}  # key as given -> the version first recorded under it
        self.key_digests: dict[str, str] = {}  # key as given -> the digest of what its command asked

    @classmethod
    def _start(cls: type[A], event_class: type[Any], id: UUID, by: Actor, key: str | None,
               **fields: Any) -> A:
        return cls._create(event_class, id=id, actor=by.id, role=by.role, key=key, **fields)

    def _record(self, event_class: type[Any], by: Actor, key: str | None, **fields: Any) -> int:
        """Trigger an event; returns its version (the event's number in this aggregate).
        A key recorded before for a different command is refused (KeyReused)."""
        self.seen(key)
        self.trigger_event(event_class, actor=by.id, role=by.role, key=key, **fields)
        return self.version

    def seen(self, key: str | None) -> int | None:
        """The version recorded under an idempotency key, if this command already ran;
        KeyReused if the key was recorded with the digest of a different command."""
        if key is None:
            return None
        given, digest = split_key(key)
        version = self.keys.get(given)
        if version is not None and digest is not None and self.key_digests.get(given, digest) != digest:
            raise KeyReused(key=given)
        return version


def require_reason(reason: str | None, action: str, action_zh: str, limit: int = texts.REASON_MAX) -> str:
    """A reason that must be given: cleaned as free text (see domain.text)."""
    if reason is None or (isinstance(reason, str) and not reason.strip()):
        raise ReasonRequired(action=action, action_zh=action_zh)
    return texts.text(reason, "reason", limit=limit)
