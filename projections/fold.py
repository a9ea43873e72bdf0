"""Folding recorded events into in-memory domain objects, fast.

The read side does not reimplement how an event changes state: it applies each
decoded event to a domain object with that event's own ``evolve`` (the same code the
aggregate runs), giving it a lightweight payload object in place of the event (no
event object is built, no timestamp parsed).  The result is an in-memory copy of every
aggregate - rounds, contests, organizations, rule sets, certifications - from which
the read models are computed, and which replay and verification use too.
"""

from __future__ import annotations

from collections import Counter, defaultdict
import gc
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.domain import CanInitAggregate

from domain.model.account import Account
from domain.model.calendar import HolidayCalendar
from domain.model.certification import Certification
from domain.model.contest import Contest
from domain.model.ledger import Ledger
from domain.model.organization import Organization
from domain.model.round import Round
from domain.model.round_events import RESULT_CHANGING
from domain.model.ruleset_history import RuleSetHistory
from domain.model.topics import aggregate_classes, event_classes
from domain.rules.ruleset import RuleSet, parse_ruleset

# Round events after which standings, stars and consequences may change
RESULT_EVENTS = {"Finalized", "Reranked", "Resealed"}
TRACKED = RESULT_EVENTS | RESULT_CHANGING  # round events that take the long path (see _touch)


@contextmanager
def bulk() -> Iterator[None]:
    """Cyclic garbage collection off while millions of long-lived objects are built: they
    are kept until the end anyway, and every collection would rescan them all (this
    alone more than doubles the folding rate of a province-year)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class Payload:
    """Stands in for an event object: its attributes are the decoded event's fields."""


@dataclass(frozen=True)
class Kind:
    evolve: Callable[[Any, Any], None]
    payload_type: type
    creates: bool
    name: str


@dataclass(frozen=True)
class Quarantined:
    """A recorded event the read side could not apply: which one, and why."""

    position: int
    aggregate: str
    version: int
    topic: str | None
    reason: str


class Unusable(Exception):
    """An event that cannot be applied (unknown topic, version gap, bad payload...)."""


_KINDS: dict[str, Kind] = {}
_AGGREGATE_CLASSES: dict[str, type] = {}


def kind_of(topic: Any) -> Kind:
    """The kind of a topic on Leitai's allow-list (domain.model.topics); nothing else is
    ever imported, whatever a stored topic names."""
    kind = _KINDS.get(topic)
    if kind is None:
        event_class = event_classes().get(topic) if isinstance(topic, str) else None
        if event_class is None:
            raise Unusable(f"topic {str(topic)[:80]!s} is not one of Leitai's event classes")
        # a Payload subclass named like the event, so that type(event).__name__ reads right
        payload_type = type(event_class.__name__, (Payload,), {})
        kind = Kind(event_class.evolve, payload_type, issubclass(event_class, CanInitAggregate),
                    event_class.__name__)
        _KINDS[topic] = kind
    return kind


def _new_aggregate(topic: Any) -> Any:
    cls = _AGGREGATE_CLASSES.get(topic)
    if cls is None:
        cls = aggregate_classes().get(topic) if isinstance(topic, str) else None
        if cls is None:
            raise Unusable(f"aggregate class {str(topic)[:80]} is not one of Leitai's")
        _AGGREGATE_CLASSES[topic] = cls
    obj = cls.__new__(cls)
    cls.__init__(obj)
    return obj


@dataclass
class Dirty:
    """What a batch of events touched, so that only that is recomputed."""

    rounds: set[str] = field(default_factory=set)
    units: set[tuple[str, str]] = field(default_factory=set)  # (contest, unit): standings, consequences
    levels: set[tuple[str, str, str]] = field(default_factory=set)  # (contest, level, year): stars
    contests: set[str] = field(default_factory=set)  # contest-wide judge statistics
    rulesets: set[tuple[str, int]] = field(default_factory=set)
    organizations: set[str] = field(default_factory=set)
    accounts: set[str] = field(default_factory=set)
    # aggregates of the parts of 结果运用 (tasks, pairs, ballot boxes, flags ...): class name -> their keys
    others: dict[str, set[Any]] = field(default_factory=lambda: defaultdict(set))
    quarantine: bool = False  # an event was quarantined: the quarantine read model changes
    checkpoints: bool = False  # a checkpoint was signed
    everything: bool = False

    def __bool__(self) -> bool:
        return bool(self.everything or self.rounds or self.units or self.levels or self.contests or self.rulesets
                    or self.quarantine or self.organizations or self.checkpoints or self.accounts
                    or any(self.others.values()))


class Folder:
    def __init__(self) -> None:
        self.aggregates: dict[Any, Any] = {}
        self.rounds: dict[str, Round] = {}
        self.contests: dict[str, Contest] = {}
        self.organizations: dict[str, Organization] = {}
        self.rulesets: dict[str, RuleSetHistory] = {}
        self.certifications: dict[tuple[str, str, str], Certification] = {}
        self.accounts: dict[str, Account] = {}
        # every other aggregate (the parts of 结果运用), by class name, then by aggregate key
        self.others: dict[str, dict[Any, Any]] = defaultdict(dict)
        self.other_positions: dict[Any, int] = {}  # their key -> the position of their last event
        self.calendar: HolidayCalendar | None = None
        self.position = 0
        self.events = 0
        self.round_events: dict[str, int] = {}  # events applied per round since the last take
        self.round_position: dict[str, int] = {}
        self.account_position: dict[str, int] = {}
        self.dependants: dict[str, set[str]] = defaultdict(set)  # round -> rounds it feeds
        self.dirty = Dirty()
        self._parsed: dict[str, RuleSet] = {}
        self.versions: dict[Any, int] = {}  # aggregate key -> the version folded so far
        self.quarantined: list[Quarantined] = []  # events that could not be applied, in log order
        self.broken: dict[Any, int] = {}  # aggregate key -> position of its first quarantined event
        self.unusable_rounds: dict[str, int] = {}  # round code -> that position
        self.round_problems: dict[str, Quarantined] = {}  # rounds whose results could not be computed
        self.ledger: Any = None
        self.checkpoint_positions: dict[int, int] = {}  # signed position -> the checkpoint event's position
        self.result_positions: dict[str, int] = {}  # round -> position of its last result-changing event
        self.head_positions: dict[int, int] = {}  # signed tree size -> the position of the event recording it

    # -- folding ----------------------------------------------------------------------

    def apply(self, position: int, key: Any, version: int, topic: str, state: bytes | str | dict[str, Any]) -> None:
        """Apply one event; an event that cannot be applied is quarantined, never folded
        in part and never a crash: its aggregate is set aside from then on."""
        try:
            self._apply(position, key, version, topic, state)
        except Exception as error:  # noqa: BLE001 - any failure of a recorded event is reported
            self._quarantine(position, key, version, topic, error)
        self.position = position
        self.events += 1

    def _apply(self, position: int, key: Any, version: int, topic: str, state: Any) -> None:
        if key in self.broken:
            raise Unusable(f"an earlier event of this aggregate (position {self.broken[key]}) was quarantined")
        kind = _KINDS.get(topic) or kind_of(topic)
        payload = state if isinstance(state, dict) else orjson.loads(state)
        if not isinstance(payload, dict):
            raise Unusable("the payload is not a JSON object")
        if isinstance(version, bool) or not isinstance(version, int):
            raise Unusable(f"version {version!s} is not a whole number")
        known = self.versions.get(key)
        if kind.creates:
            if known is not None or version != 1:
                raise Unusable(f"a creation event must be version 1 of a new aggregate (got version {version}"
                               + (f", the aggregate is at {known})" if known is not None else ")"))
            obj = _new_aggregate(payload.get("originator_topic"))
        else:
            if known is None:
                raise Unusable("no earlier event created this aggregate")
            if version != known + 1:
                raise Unusable(f"version {version} does not continue the aggregate's stream (at {known})")
            obj = self.aggregates[key]
        payload["originator_version"] = version
        event = object.__new__(kind.payload_type)
        event.__dict__ = payload
        kind.evolve(event, obj)
        self.versions[key] = version
        if kind.creates:
            self.aggregates[key] = obj
            self._index(obj)
        self._touch(obj, kind.name, position)

    def _quarantine(self, position: int, key: Any, version: Any, topic: Any, error: Exception) -> None:
        reason = str(error) if isinstance(error, Unusable) else f"{type(error).__name__}: {error}"
        self.quarantined.append(Quarantined(position, _key_text(key), version if isinstance(version, int) else -1,
                                            topic if isinstance(topic, str) else None, reason[:500]))
        self.dirty.quarantine = True
        obj = self.aggregates.get(key)
        if key not in self.broken and (obj is not None or self.versions.get(key) is not None):
            self.broken[key] = position
            if isinstance(obj, Round):
                self.set_aside(obj.code, position)

    def set_aside(self, code: str, position: int) -> None:
        """A round whose history the read side cannot trust is not computed (verify says why)."""
        self.unusable_rounds[code] = position
        self.dirty.rounds.add(code)

    def apply_rows(self, rows: Iterable[tuple[int, Any, int, str, Any]]) -> int:
        """``apply`` for many rows: the same steps, with the common case (an event of an
        existing round) kept in this loop, since it runs for every event of a rebuild."""
        kinds, aggregates, loads, versions = _KINDS, self.aggregates, orjson.loads, self.versions
        counts, positions, dirty_rounds = self.round_events, self.round_position, self.dirty.rounds
        count = fast = 0
        position = self.position
        for position, key, version, topic, state in rows:
            count += 1
            kind = kinds.get(topic)
            obj = aggregates.get(key)
            if (kind is None or kind.creates or type(obj) is not Round or kind.name in TRACKED
                    or versions.get(key) != version - 1 or key in self.broken):
                self.apply(position, key, version, topic, state)  # counts itself
                continue
            try:
                payload = state if isinstance(state, dict) else loads(state)
                payload["originator_version"] = version
                event = object.__new__(kind.payload_type)
                event.__dict__ = payload
                kind.evolve(event, obj)
            except Exception as error:  # noqa: BLE001 - see apply
                self._quarantine(position, key, version, topic, error)
                fast += 1
                continue
            versions[key] = version
            code = obj.code
            counts[code] = counts.get(code, 0) + 1
            positions[code] = position
            dirty_rounds.add(code)
            fast += 1
        self.position = position
        self.events += fast
        return count

    def _index(self, obj: Any) -> None:
        if isinstance(obj, Round):
            self.rounds[obj.code] = obj
            for linked in obj.links.values():
                self.dependants[linked].add(obj.code)
        elif isinstance(obj, Contest):
            self.contests[obj.code] = obj
        elif isinstance(obj, Organization):
            self.organizations[obj.code] = obj
        elif isinstance(obj, RuleSetHistory):
            self.rulesets[obj.code] = obj
        elif isinstance(obj, Certification):
            self.certifications[(obj.organization, obj.level, obj.cycle)] = obj
        elif isinstance(obj, HolidayCalendar):
            self.calendar = obj
        elif isinstance(obj, Ledger):
            self.ledger = obj
        elif isinstance(obj, Account):
            self.accounts[obj.name] = obj
        else:
            self.others[type(obj).__name__][obj.id] = obj

    def _touch(self, obj: Any, event: str, position: int) -> None:
        dirty = self.dirty
        if type(obj) is Round:  # by far the most events: the short path first
            code = obj.code
            counts = self.round_events
            counts[code] = counts.get(code, 0) + 1
            self.round_position[code] = position
            dirty.rounds.add(code)
            if event in RESULT_CHANGING:
                self.result_positions[code] = position
            if event in RESULT_EVENTS:
                dirty.units.add((obj.contest, obj.unit))
                dirty.levels.add((obj.contest, obj.level, obj.period[:4]))
        elif isinstance(obj, Certification):
            for contest in self.contests.values():
                if obj.organization in contest.roster:
                    dirty.levels.add((contest.code, obj.level, obj.cycle))
        elif isinstance(obj, Contest):
            dirty.contests.add(obj.code)
            if event == "ConsequencesSet":
                dirty.units.update((obj.code, unit) for unit in obj.units)
        elif isinstance(obj, RuleSetHistory) and obj.versions:
            dirty.rulesets.add((obj.code, max(obj.versions)))
        elif isinstance(obj, Organization):
            dirty.organizations.add(obj.code)
            if event == "TrackChanged":  # 赛道: which track it is ranked in (and pooled for stars)
                for contest in self.contests.values():
                    if obj.code in contest.roster:
                        dirty.units.update((contest.code, unit) for unit in contest.units)
                        dirty.levels.update((contest.code, e.level, e.period[:4]) for e in contest.rounds.values())
        elif isinstance(obj, Account):
            dirty.accounts.add(obj.name)
            self.account_position[obj.name] = position
        elif type(obj).__name__ in self.others:
            dirty.others[type(obj).__name__].add(obj.id)
            self.other_positions[obj.id] = position
        elif isinstance(obj, Ledger):
            dirty.checkpoints = True
            if event == "CheckpointSigned":
                self.checkpoint_positions[obj.checkpoints[-1]["position"]] = position
            elif event == "TreeHeadSigned":
                self.head_positions[obj.heads[-1]["size"]] = position

    def take_dirty(self) -> tuple[Dirty, Counter[str]]:
        """What changed since the last take, with the events applied per round."""
        dirty, counts = self.dirty, Counter(self.round_events)
        self.dirty, self.round_events = Dirty(), {}
        dirty.contests.update(self.rounds[code].contest for code in dirty.rounds if code in self.rounds)
        # a change to a round changes every round it feeds
        pending = list(dirty.rounds)
        while pending:
            for dependant in self.dependants.get(pending.pop(), ()):
                if dependant not in dirty.rounds:
                    dirty.rounds.add(dependant)
                    pending.append(dependant)
        return dirty, counts

    # -- what the computations need -------------------------------------------------------

    def rules(self, ref: dict[str, Any]) -> RuleSet:
        parsed = self._parsed.get(ref["digest"])
        if parsed is None:
            version = self.rulesets[ref["code"]].get(ref["version"])
            parsed = self._parsed[ref["digest"]] = parse_ruleset(version.text, version.source)
        return parsed


def _key_text(key: Any) -> str:
    """An aggregate key as text: raw UUID bytes on PostgreSQL, hex text on SQLite."""
    if isinstance(key, (bytes, bytearray, memoryview)) and len(key) == 16:
        return str(UUID(bytes=bytes(key)))
    try:
        return str(UUID(hex=str(key)))
    except ValueError:
        return str(key)[:64]
