"""The Leitai application: runs commands in sessions, saves them atomically, one writer
at a time, without making concurrent commands collide.

Every command is a function of a session: it loads what it needs, calls aggregates,
and the application saves the new events.  Commands are not run side by side: they
queue, and whichever caller finds no command running becomes the writer and runs the
queued commands one after the other on one shared session, then saves all their events
in one transaction (group commit).  So judges who press "submit" in the same second
never conflict - each command sees the state its predecessors left - and a batch costs
one round trip and one commit however many commands it holds.

Each command is still all-or-nothing: a command that is refused records nothing (if it
raised after recording some events, the batch is run again without it), and a caller
gets its own value, its own event count and the log position of its own last event.

Aggregates stay in memory between batches (an LRU cache) while nobody else writes to
the store; before each batch one query tells whether another process has written
since, and if so the cache is dropped.  Another process can still change an aggregate
between loading and saving; then the save fails on the event numbers (optimistic
concurrency), the batch runs again on fresh state, up to ``max_attempts`` times, and
only then reports :class:`~domain.errors.ConcurrencyConflict`.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from domain.access import Principal
from domain.authority import Touch, refusal
from domain.errors import ConcurrencyConflict, LogRewritten, OutOfScope
from domain.ids import contest_id, ledger_id, organization_id, round_id
from domain.model.base import Actor, LeitaiAggregate
from domain.model.contest import Contest
from domain.model.ledger import Ledger
from domain.model.organization import Organization
from domain.model.round import Round
from domain.model.round_events import RESULT_CHANGING
from domain.rules.engine import RoundResult
from domain.rules.ruleset import RuleSet
from domain.services.accounts import AccountCommands
from domain.services.certification import CertificationCommands
from domain.services.clock import SystemClock
from domain.services.comments import CommentCommands
from domain.services.evidence import EvidenceCommands
from domain.services.publicity import Correction, PublicityCommands, Ruling
from domain.services.scoring import ScoringCommands
from domain.services.setup import RoundSpec, SetupCommands
from domain.services.store import StoreURL
from domain.services.tracks import TrackCommands
from domain.services.voting import VotingCommands
from domain.services.work import WorkCommands
from domain.workdays import YearCalendar

T = TypeVar("T")
log = logging.getLogger("leitai")
SYSTEM = Actor("leitai", "system")
CHECKPOINTED = RESULT_CHANGING  # round events after which the log's head is signed


class Session(SetupCommands, ScoringCommands, PublicityCommands, CertificationCommands, AccountCommands,
              TrackCommands, CommentCommands, VotingCommands, WorkCommands, EvidenceCommands):
    """Every command and query, on one unit of work."""


class SessionDirectory:
    """What the authorization decision looks up, from the session (domain/authority.py)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._units: dict[str, dict[str, str | None]] = {}
        self._rosters: dict[str, dict[str, str]] = {}
        self._existed: dict[str, bool] = {}
        self._contest_rules: dict[str, set[str]] = {}

    def units(self, contest: str) -> dict[str, str | None]:
        if contest not in self._units:
            found = self.session.find(contest_id(contest), Contest) if contest else None
            self._units[contest] = {} if found is None else {u.code: u.parent for u in found.units.values()}
        return self._units[contest]

    def round(self, code: str) -> Round | None:
        return self.session.find(round_id(code), Round) if code else None

    def organization(self, code: str) -> Organization | None:
        return self.session.find(organization_id(code), Organization) if code else None

    def roster(self, contest: str) -> dict[str, str]:
        """The contest's roster as recorded before this command (read from the store, not the session)."""
        if contest not in self._rosters:
            try:
                found = self.session.app.repository.get(contest_id(contest)) if contest else None
            except AggregateNotFoundError:
                found = None
            self._rosters[contest] = dict(found.roster) if isinstance(found, Contest) else {}
        return self._rosters[contest]

    def contest_rules(self, contest: str) -> set[str]:
        """The digests of the rule sets the contest's rounds follow (as recorded before this
        command) and of those its organizers adopted."""
        if contest not in self._contest_rules:
            digests: set[str] = set()
            try:
                found = self.session.app.repository.get(contest_id(contest)) if contest else None
            except AggregateNotFoundError:
                found = None
            if isinstance(found, Contest):
                digests.update(str(a["rules"].get("digest")) for a in found.adoptions)
                for code in found.rounds:
                    try:
                        rnd = self.session.app.repository.get(round_id(code))
                    except AggregateNotFoundError:
                        continue
                    digests.add(str(rnd.rules.get("digest")))
            self._contest_rules[contest] = digests
        return self._contest_rules[contest]

    def existed(self, organization: str) -> bool:
        if organization not in self._existed:
            try:
                self.session.app.repository.get(organization_id(organization))
                self._existed[organization] = True
            except AggregateNotFoundError:
                self._existed[organization] = False
        return self._existed[organization]


@dataclass(frozen=True)
class Outcome(Generic[T]):
    value: T
    recorded: int  # how many events the command recorded (0: nothing new)
    position: int | None = None  # the log position of its last event (for read-your-writes)
    changed: frozenset[UUID] = frozenset()  # the aggregates it recorded events of


class _Command:
    __slots__ = ("work", "what", "principal", "finished", "value", "error", "events", "outcome")

    def __init__(self, work: Callable[[Session], Any], what: str, principal: Principal | None = None) -> None:
        self.work, self.what, self.principal = work, what, principal
        self.finished = False
        self.value: Any = None
        self.error: BaseException | None = None
        self.events: list[Any] = []
        self.outcome: Outcome[Any] | None = None


class _Tainted(Exception):
    """A command raised after recording events in the shared session: run the batch again."""


class AggregateCache:
    """The aggregates the writer holds in memory, each at its last saved version."""

    def __init__(self, maxsize: int = 512) -> None:
        self.maxsize = maxsize
        self._items: OrderedDict[UUID, LeitaiAggregate] = OrderedDict()

    def get(self, key: UUID) -> LeitaiAggregate | None:
        found = self._items.get(key)
        if found is not None:
            self._items.move_to_end(key)
        return found

    def put(self, aggregate: LeitaiAggregate) -> None:
        self._items[aggregate.id] = aggregate
        self._items.move_to_end(aggregate.id)
        while len(self._items) > self.maxsize:
            self._items.popitem(last=False)

    def evict(self, keys: Any) -> None:
        for key in keys:
            self._items.pop(key, None)

    def clear(self) -> None:
        self._items.clear()


class Leitai(Application):
    name = "Leitai"
    max_attempts = 8
    max_batch = 256

    def __init__(self, env: dict[str, str] | None = None, clock: Any = None, store: StoreURL | None = None,
                 signer: Any = None) -> None:
        super().__init__(env)
        self.store = store  # which store this is (the read side needs it too)
        self.clock = clock or SystemClock()
        self.signer = signer  # signs checkpoints of the hash chain (None: no checkpoints)
        self.rules_cache: dict[str, RuleSet] = {}
        self.conflicts = 0  # batches re-run because another process changed the same aggregate first
        self.batches = 0
        self.recorded_listeners: list[Callable[[frozenset[UUID]], None]] = []  # told what each batch changed
        self.cache = AggregateCache()
        self._cache_position: int | None = None  # the log position up to which the cache is known current
        self._writer = threading.Condition()
        self._queue: list[_Command] = []
        self._writing = False
        self._local = threading.local()

    # -- running commands ----------------------------------------------------------------

    def execute(self, work: Callable[[Session], T], what: str = "command",
                principal: Principal | None = None) -> Outcome[T]:
        """Run ``work`` as one command (in the next batch) and save what it recorded.  With a
        ``principal`` (a signed-in account), everything the command changes must be within
        its scope (domain/authority.py), else it is refused (OutOfScope) and records nothing."""
        if getattr(self._local, "writing", False):
            raise RuntimeError("a command cannot run another command; call the session's methods instead")
        command = _Command(work, what, principal)
        with self._writer:
            self._queue.append(command)
            while not command.finished:
                if self._writing:
                    self._writer.wait()
                    continue
                self._writing = True
                batch, self._queue = self._queue[:self.max_batch], self._queue[self.max_batch:]
                self._writer.release()
                try:
                    self._local.writing = True
                    self._run_batch(batch)
                finally:
                    self._local.writing = False
                    self._writer.acquire()
                    self._writing = False
                    self._writer.notify_all()
        if command.error is not None:
            raise command.error
        assert command.outcome is not None
        return command.outcome

    def run(self, work: Callable[[Session], T], what: str = "command") -> T:
        return self.execute(work, what).value

    def read(self, work: Callable[[Session], T]) -> T:
        """Run a query on a fresh session (its own copies of the aggregates); nothing is saved."""
        return work(Session(self))

    def _run_batch(self, batch: list[_Command]) -> None:
        self.batches += 1
        try:
            self._save_batch(batch)
        except BaseException as error:  # the store failed: every command still open gets the error
            for command in batch:
                if not command.finished:
                    command.error, command.finished = error, True

    def _save_batch(self, batch: list[_Command]) -> None:
        attempt = 0
        while True:
            self._refresh_cache()
            session = Session(self, cached=True)
            try:
                live = self._run_commands(batch, session)
            except _Tainted:
                self.cache.evict(list(session.loaded))
                continue  # the tainted command is finished (refused); run the rest again
            if self._guard_heads(live, session):
                continue  # the refused commands are finished; run the others again
            changed = [a for a in session.loaded.values() if a.pending_events]
            if not changed:
                self._finish(batch, live, {})
                return
            try:
                recordings = self.save(*changed)
            except IntegrityError:
                self.conflicts += 1
                attempt += 1
                self.cache.clear()
                self._cache_position = None
                if attempt >= self.max_attempts:
                    for command in live:
                        command.error = ConcurrencyConflict(target=command.what, attempts=attempt)
                    self._finish(batch, [], {})
                    return
                time.sleep(random.uniform(0.001, 0.005 * attempt))
                for command in batch:  # refusals on stale state are decided again
                    if not command.finished:
                        command.error = None
                continue
            except BaseException:
                self.cache.evict(list(session.loaded))
                self._cache_position = None
                raise
            positions = {id(r.domain_event): r.notification.id for r in recordings}
            ids = list(positions.values())
            self._track(ids)
            for aggregate in session.loaded.values():
                self.cache.put(aggregate)
            self._finish(batch, live, positions)
            try:
                self.after_save(recordings, session)
            except Exception:  # noqa: BLE001 - the commands are saved; verify reports the round not covered
                log.exception("the tree head after position %s could not be signed and recorded", max(ids, default=0))
            return

    def _run_commands(self, batch: list[_Command], session: Session) -> list[_Command]:
        live = []
        for command in batch:
            if command.finished or command.error is not None:
                continue
            before = {key: len(a.pending_events) for key, a in session.loaded.items()}
            try:
                value = command.work(session)
            except Exception as error:  # noqa: BLE001 - handed to the command's caller
                command.error = error
                if any(len(a.pending_events) != before.get(key, 0) for key, a in session.loaded.items()):
                    command.finished = True
                    raise _Tainted() from None
                continue
            command.value = value
            command.events = [event for key, a in session.loaded.items()
                              for event in a.pending_events[before.get(key, 0):]]
            if command.principal is not None and command.events:
                refused = self._refusal(command, session)
                if refused is not None:
                    command.error, command.finished = refused, True
                    raise _Tainted()
            live.append(command)
        return live

    @staticmethod
    def _refusal(command: _Command, session: Session) -> OutOfScope | None:
        """One decision over every aggregate the command changed (domain/authority.py)."""
        changed: dict[UUID, list[Any]] = {}
        for event in command.events:
            changed.setdefault(event.originator_id, []).append(event)
        touches = [Touch(session.loaded[key], tuple(events), session.units_before.get(key))
                   for key, events in changed.items()]
        assert command.principal is not None
        found = refusal(command.principal, touches, SessionDirectory(session))
        return None if found is None else OutOfScope(what=found.what, what_zh=found.what_zh)

    def _finish(self, batch: list[_Command], live: list[_Command], positions: dict[int, int]) -> None:
        for command in live:
            mine = [positions[id(e)] for e in command.events if id(e) in positions]
            command.outcome = Outcome(command.value, len(command.events), max(mine, default=None),
                                      frozenset(e.originator_id for e in command.events))
        changed = frozenset().union(*(c.outcome.changed for c in live if c.outcome is not None))
        for listener in self.recorded_listeners:  # e.g. the HTTP service's folded accounts (api/rest/rights.py)
            listener(changed)
        for command in batch:
            command.finished = True

    def _refresh_cache(self) -> None:
        current = self.recorder.max_notification_id() or 0
        if current != self._cache_position:
            self.cache.clear()
            self._cache_position = current

    def _track(self, positions: Any) -> None:
        """Keep the cache current only if our events directly follow what it was current at."""
        ids = sorted(positions)
        start = self._cache_position
        if start is not None and ids == list(range(start + 1, start + 1 + len(ids))):
            self._cache_position = ids[-1]
        else:
            self._cache_position = None

    # -- signed tree heads ----------------------------------------------------------------

    def _guard_heads(self, live: list[_Command], session: Session) -> bool:
        """Before a batch that seals, publishes, republishes, finalizes or re-ranks a round
        is saved: the signer must be able to sign the head after it, i.e. the log must
        extend, unchanged, the last head it signed.  If not, those commands are refused
        (nothing of theirs is recorded) and True is returned: run the rest again."""
        if self.signer is None:
            return False
        wanting = [c for c in live if any(type(e).__name__ in CHECKPOINTED for e in c.events)]
        if not wanting:
            return False
        try:
            self.signer.check()
        except LogRewritten as error:
            for command in wanting:
                command.error, command.finished = error, True
            self.cache.evict(list(session.loaded))
            return True
        return False

    def after_save(self, recordings: list[Any], session: Session) -> None:
        """After a batch that sealed, published, republished, finalized or re-ranked a
        round: sign the head of the log's tree and record it."""
        if self.signer is None:
            return
        reasons = []
        for recording in recordings:
            event = recording.domain_event
            if type(event).__name__ in CHECKPOINTED:
                owner = session.loaded.get(event.originator_id)
                reasons.append(f"{getattr(owner, 'code', '?')} {type(event).__name__}")
        if not reasons:
            return
        head = self.signer.sign_head()
        for _ in range(self.max_attempts):  # inside the writer: saved directly, like a batch
            ledger_session = Session(self, cached=True)
            ledger = ledger_session.find(ledger_id(), Ledger) or ledger_session.add(Ledger.start(SYSTEM))
            if not ledger.tree_head(head.size, head.root_b64, head.note, head.vkey, reasons, SYSTEM):
                return
            try:
                saved = self.save(ledger)
            except IntegrityError:
                self.cache.evict([ledger.id])
                self._cache_position = None
                continue
            self._track(r.notification.id for r in saved)
            self.cache.put(ledger)
            return

    def sign_head(self, reasons: list[str], by: Actor = SYSTEM, principal: Principal | None = None) -> Outcome[Any]:
        """Sign the head of the log now, on demand (``leitai checkpoint``), and record it;
        the signer refuses a rewritten log (LogRewritten).  The outcome's value is the head."""
        if self.signer is None:
            raise RuntimeError("this application has no signer")
        head = self.signer.sign_head()

        def record(s: Session) -> Any:
            ledger = s.find(ledger_id(), Ledger) or s.add(Ledger.start(SYSTEM))
            ledger.tree_head(head.size, head.root_b64, head.note, head.vkey, reasons, by)
            return head

        return self.execute(record, "ledger", principal)

    def register_witness(self, name: str, vkey: str, reason: str, by: Actor) -> Outcome[bool]:
        """Accept cosignatures from the witness ``name`` with the (checked) verifier key."""
        return self.execute(lambda s: self._ledger(s).register_witness(name, vkey, reason, by), "ledger")

    def remove_witness(self, name: str, reason: str, by: Actor) -> Outcome[bool]:
        return self.execute(lambda s: self._ledger(s).remove_witness(name, reason, by), "ledger")

    def record_cosignatures(self, size: int, root: str, signatures: list[tuple[str, str]], by: Actor,
                            principal: Principal | None = None) -> Outcome[int]:
        """Record witnesses' (checked) cosignatures of the recorded head of ``size``:
        ``signatures`` are (witness name, signature line); returns how many were new."""

        def work(s: Session) -> int:
            ledger = self._ledger(s)
            return sum(ledger.cosign(size, root, name, line, by) for name, line in signatures)

        return self.execute(work, "ledger", principal)

    @staticmethod
    def _ledger(s: Session) -> Ledger:
        return s.find(ledger_id(), Ledger) or s.add(Ledger.start(SYSTEM))

    # -- queries ---------------------------------------------------------------------

    def ranking(self, round_code: str, rules: RuleSet | None = None) -> tuple[Round, RoundResult]:
        """The round and its ranking computed from its events (under ``rules`` if given)."""

        def query(s: Session) -> tuple[Round, RoundResult]:
            rnd = s.round(round_code)
            return rnd, s.result(rnd, rules=rules)

        return self.read(query)

    # -- setup -------------------------------------------------------------------------

    def create_contest(self, code: str, title: str, levels: list[str], by: Actor) -> None:
        self.run(lambda s: s.create_contest(code, title, levels, by), f"contest {code}")

    def add_unit(self, contest: str, code: str, name: str, level: str, parent: str | None, by: Actor) -> None:
        self.run(lambda s: s.add_unit(contest, code, name, level, parent, by), f"contest {contest}")

    def register_judge(self, contest: str, code: str, name: str, home_unit: str | None, affiliation: str,
                       by: Actor) -> None:
        self.run(lambda s: s.register_judge(contest, code, name, home_unit, affiliation, by), f"contest {contest}")

    def register_organization(self, contest: str, code: str, name: str, unit: str, sector: str,
                              category: str, secretary: str, by: Actor) -> None:
        self.run(lambda s: s.register_organization(contest, code, name, unit, sector, category, secretary, by),
                 f"organization {code}")

    def replace_secretary(self, organization: str, secretary: str, reason: str, by: Actor,
                          key: str | None = None) -> None:
        self.run(lambda s: s.replace_secretary(organization, secretary, reason, by, key), f"organization {organization}")

    def register_ruleset(self, text: str, source: str, by: Actor) -> RuleSet:
        return self.run(lambda s: s.register_ruleset(text, source, by), f"rule set {source}")

    def adopt_ruleset(self, contest: str, reference: str, scope: dict[str, Any], reason: str,
                      by: Actor) -> dict[str, Any]:
        return self.run(lambda s: s.adopt_ruleset(contest, reference, scope, reason, by), f"contest {contest}")

    def set_consequences(self, contest: str, top: int, bottom: int, by: Actor) -> None:
        self.run(lambda s: s.contest(contest).set_consequences(top, bottom, by), f"contest {contest}")

    def schedule_round(self, contest: str, spec: RoundSpec, by: Actor) -> None:
        self.run(lambda s: s.schedule_round(contest, spec, by), f"round {spec.code}")

    def seat_judge(self, round_code: str, judge: str, by: Actor, key: str | None = None) -> bool:
        return self.run(lambda s: s.seat_judge(round_code, judge, by, key), f"round {round_code}")

    def admit_entrant(self, round_code: str, organization: str, by: Actor, key: str | None = None) -> bool:
        return self.run(lambda s: s.admit_entrant(round_code, organization, by, key), f"round {round_code}")

    def recuse_judge(self, round_code: str, judge: str, entrant: str, reason: str, by: Actor,
                     key: str | None = None) -> bool:
        return self.run(lambda s: s.recuse_judge(round_code, judge, entrant, reason, by, key), f"round {round_code}")

    def update_judge(self, contest: str, judge: str, reason: str, by: Actor, **details: Any) -> bool:
        return self.run(lambda s: s.update_judge(contest, judge, reason, by, **details), f"contest {contest}")

    def update_organization(self, contest: str, organization: str, reason: str, by: Actor, **details: Any) -> int:
        return self.run(lambda s: s.update_organization(contest, organization, by, reason, **details),
                        f"organization {organization}")

    # -- scoring -------------------------------------------------------------------------

    def open_round(self, round_code: str, by: Actor, key: str | None = None) -> None:
        self.run(lambda s: s.open_round(round_code, by, key), f"round {round_code}")

    def submit_sheet(self, round_code: str, judge: str, entrant: str, marks: dict[str, Any], by: Actor,
                     key: str | None = None) -> int:
        return self.run(lambda s: s.submit_sheet(round_code, judge, entrant, marks, by, key), f"round {round_code}")

    def correct_sheet(self, round_code: str, judge: str, entrant: str, marks: dict[str, Any], reason: str,
                      by: Actor, key: str | None = None, appeal: int | None = None) -> int:
        return self.run(lambda s: s.correct_sheet(round_code, judge, entrant, marks, reason, by, key, appeal),
                        f"round {round_code}")

    def void_sheet(self, round_code: str, judge: str, entrant: str, reason: str, by: Actor,
                   key: str | None = None, appeal: int | None = None) -> int:
        return self.run(lambda s: s.void_sheet(round_code, judge, entrant, reason, by, key, appeal),
                        f"round {round_code}")

    def record_adjustment(self, round_code: str, entrant: str, points: Any, reason: str, by: Actor,
                          key: str | None = None, appeal: int | None = None) -> int:
        return self.run(lambda s: s.record_adjustment(round_code, entrant, points, reason, by, key, appeal),
                        f"round {round_code}")

    def revoke_adjustment(self, round_code: str, adjustment: int, reason: str, by: Actor,
                          key: str | None = None, appeal: int | None = None) -> int:
        return self.run(lambda s: s.revoke_adjustment(round_code, adjustment, reason, by, key, appeal),
                        f"round {round_code}")

    def record_input(self, round_code: str, entrant: str, component: str, value: Any, by: Actor,
                     key: str | None = None, appeal: int | None = None, reason: str | None = None) -> int | None:
        return self.run(lambda s: s.record_input(round_code, entrant, component, value, by, key, appeal, reason),
                        f"round {round_code}")

    def disqualify(self, round_code: str, entrant: str, reason: str, by: Actor, key: str | None = None,
                   appeal: int | None = None) -> int:
        return self.run(lambda s: s.disqualify(round_code, entrant, reason, by, key, appeal), f"round {round_code}")

    def withdraw(self, round_code: str, entrant: str, reason: str, by: Actor, key: str | None = None,
                 appeal: int | None = None) -> int:
        return self.run(lambda s: s.withdraw(round_code, entrant, reason, by, key, appeal), f"round {round_code}")

    def close_round(self, round_code: str, by: Actor, key: str | None = None) -> str:
        return self.run(lambda s: s.close_round(round_code, by, key), f"round {round_code}")

    def reopen_round(self, round_code: str, reason: str, by: Actor, key: str | None = None) -> None:
        self.run(lambda s: s.reopen_round(round_code, reason, by, key), f"round {round_code}")

    def rerank(self, round_code: str, reference: str, reason: str, by: Actor, key: str | None = None) -> str:
        """Re-rank a closed, published or final round under another rule-set version."""
        return self.run(lambda s: s.rerank(round_code, reference, reason, by, key), f"round {round_code}")

    # -- publicity, appeals, promotion ----------------------------------------------------

    def load_holiday_year(self, year: YearCalendar, by: Actor) -> bool:
        return self.run(lambda s: s.load_holiday_year(year, by), "holiday calendar")

    def publish(self, round_code: str, by: Actor, on: date | None = None, days: int = 5,
                calendar_fallback: str | None = None, key: str | None = None) -> Any:
        return self.run(lambda s: s.publish(round_code, by, on, days, calendar_fallback, key), f"round {round_code}")

    def republish(self, round_code: str, reason: str, by: Actor, on: date | None = None, days: int | None = None,
                  calendar_fallback: str | None = None, key: str | None = None) -> Any:
        return self.run(lambda s: s.republish(round_code, reason, by, on, days, calendar_fallback, key),
                        f"round {round_code}")

    def file_appeal(self, round_code: str, kind: str, name: str, contact: str, text: str, by: Actor,
                    entrant: str | None = None, key: str | None = None) -> int:
        return self.run(lambda s: s.file_appeal(round_code, kind, name, contact, text, by, entrant, key),
                        f"round {round_code}")

    def rule_appeal(self, round_code: str, appeal: int, decision: str, reply: str, by: Actor,
                    corrections: tuple[Correction, ...] = (), key: str | None = None) -> Ruling:
        return self.run(lambda s: s.rule_appeal(round_code, appeal, decision, reply, by, corrections, key),
                        f"round {round_code}")

    def finalize(self, round_code: str, by: Actor, key: str | None = None) -> None:
        self.run(lambda s: s.finalize(round_code, by, key), f"round {round_code}")

    def promote(self, round_code: str, by: Actor, key: str | None = None) -> dict[str, Any]:
        return self.run(lambda s: s.promote(round_code, by, key), f"round {round_code}")

    # -- certification ----------------------------------------------------------------------

    def self_assess(self, organization: str, level: str, cycle: str, stars: int, note: str, by: Actor) -> None:
        self.run(lambda s: s.self_assess(organization, level, cycle, stars, note, by), f"certification {organization}")

    def record_veto(self, organization: str, level: str, cycle: str, item: str, reason: str, by: Actor) -> None:
        self.run(lambda s: s.record_veto(organization, level, cycle, item, reason, by), f"certification {organization}")

    def evaluate_initially(self, contest: str, organization: str, level: str, cycle: str, by: Actor,
                           recommended: int | None = None, reason: str | None = None) -> dict[str, Any]:
        return self.run(lambda s: s.evaluate_initially(contest, organization, level, cycle, by, recommended, reason),
                        f"certification {organization}")

    def decide_stars(self, organization: str, level: str, cycle: str, stars: int | None, by: Actor,
                     reason: str | None = None) -> None:
        self.run(lambda s: s.decide_stars(organization, level, cycle, stars, by, reason), f"certification {organization}")

    def certify(self, organization: str, level: str, cycle: str, by: Actor) -> None:
        self.run(lambda s: s.certify(organization, level, cycle, by), f"certification {organization}")

    def accept_recommendations(self, contest: str, unit: str, level: str, cycle: str, by: Actor,
                               exceptions: dict[str, Any] | None = None, reason: str | None = None,
                               key: str | None = None) -> dict[str, Any]:
        """Accept the recommendations of a unit in one step (see CertificationCommands)."""
        return self.run(lambda s: s.accept_recommendations(contest, unit, level, cycle, by, exceptions, reason, key),
                        f"certifications of {unit}")

    def downgrade(self, organization: str, level: str, cycle: str, stars: int, reason: str, by: Actor) -> None:
        self.run(lambda s: s.downgrade(organization, level, cycle, stars, reason, by), f"certification {organization}")

    def revoke(self, organization: str, level: str, cycle: str, reason: str, by: Actor) -> None:
        self.run(lambda s: s.revoke(organization, level, cycle, reason, by), f"certification {organization}")

    # -- tracks (赛道) ------------------------------------------------------------------------

    def declare_track(self, contest: str, code: str, name: str, by: Actor) -> bool:
        return self.run(lambda s: s.declare_track(contest, code, name, by), f"contest {contest}")

    def change_track(self, contest: str, organization: str, track: str, from_period: str, reason: str,
                     by: Actor, key: str | None = None) -> bool:
        return self.run(lambda s: s.change_track(contest, organization, track, from_period, reason, by, key),
                        f"organization {organization}")

    # -- comments (点评) ----------------------------------------------------------------------

    def record_comment(self, round_code: str, entrant: str, text: str, by: Actor, key: str | None = None, *,
                       judge: str | None = None, leader: str | None = None, stage: str | None = None,
                       reason: str | None = None) -> int:
        return self.run(lambda s: s.record_comment(round_code, entrant, text, by, key, judge=judge, leader=leader,
                                                   stage=stage, reason=reason), f"round {round_code}")

    def correct_comment(self, round_code: str, comment: int, text: str, reason: str, by: Actor,
                        key: str | None = None) -> int:
        return self.run(lambda s: s.correct_comment(round_code, comment, text, reason, by, key), f"round {round_code}")

    def withdraw_comment(self, round_code: str, comment: int, reason: str, by: Actor, key: str | None = None) -> int:
        return self.run(lambda s: s.withdraw_comment(round_code, comment, reason, by, key), f"round {round_code}")

    # -- voting (投票) ------------------------------------------------------------------------

    def open_voting(self, round_code: str, by: Actor, key: str | None = None) -> int:
        return self.run(lambda s: s.open_voting(round_code, by, key), f"round {round_code}")

    def cast_ballot(self, round_code: str, group: str, ballot: str | None, choices: list[str], by: Actor,
                    key: str | None = None) -> dict[str, Any]:
        return self.run(lambda s: s.cast_ballot(round_code, group, ballot, choices, by, key), f"round {round_code}")

    def void_ballot(self, round_code: str, ballot: str, reason: str, by: Actor, key: str | None = None) -> int:
        return self.run(lambda s: s.void_ballot(round_code, ballot, reason, by, key), f"round {round_code}")

    def count_votes(self, round_code: str, by: Actor, key: str | None = None) -> dict[str, Any]:
        return self.run(lambda s: s.count_votes(round_code, by, key), f"round {round_code}")

    # -- consequences as work (结果运用: classes, tasks, pairs) --------------------------------

    def close_period(self, contest: str, unit: str, period: str, by: Actor, key: str | None = None) -> list[dict[str, Any]]:
        return self.run(lambda s: s.close_period(contest, unit, period, by, key), f"period {contest} {unit} {period}")

    def task_done(self, task: str, by: Actor, key: str | None = None, **given: Any) -> None:
        self.run(lambda s: s.task_done(task, by, key, **given), f"task {task}")

    def task_excuse(self, task: str, reason: str, by: Actor, key: str | None = None) -> None:
        self.run(lambda s: s.task_excuse(task, reason, by, key), f"task {task}")

    def pair_exchange(self, pair: str, by: Actor, key: str | None = None, **given: Any) -> None:
        self.run(lambda s: s.pair_exchange(pair, by, key, **given), f"pair {pair}")

    def pair_end(self, pair: str, reason: str, by: Actor, key: str | None = None) -> None:
        self.run(lambda s: s.pair_end(pair, reason, by, key), f"pair {pair}")

    # -- evidence and flags (荣誉、平台数据、红旗) ----------------------------------------------

    def record_honour(self, organization: str, name: str, level: str, on: str, issuer: str, by: Actor) -> int:
        return self.run(lambda s: s.record_honour(organization, name, level, on, issuer, by),
                        f"organization {organization}")

    def withdraw_honour(self, organization: str, number: int, reason: str, by: Actor) -> None:
        self.run(lambda s: s.withdraw_honour(organization, number, reason, by), f"organization {organization}")

    def import_platform(self, contest: str, period: str, source: str, data: bytes, file: str, by: Actor,
                        reason: str | None = None) -> dict[str, Any]:
        return self.run(lambda s: s.import_platform(contest, period, source, data, file, by, reason),
                        f"platform data of {contest}")

    def nominate_flag(self, contest: str, organization: str, flag: str, cycle: str, by: Actor,
                      rules: str | None = None) -> None:
        self.run(lambda s: s.nominate_flag(contest, organization, flag, cycle, by, rules=rules) and None,
                 f"flag {flag}")

    def assess_flag(self, organization: str, flag: str, cycle: str, by: Actor) -> list[dict[str, Any]]:
        return self.run(lambda s: s.assess_flag(organization, flag, cycle, by), f"flag {flag}")

    def award_flag(self, organization: str, flag: str, cycle: str, by: Actor, note: str | None = None) -> None:
        self.run(lambda s: s.award_flag(organization, flag, cycle, by, note), f"flag {flag}")

    def decline_flag(self, organization: str, flag: str, cycle: str, reason: str, by: Actor) -> None:
        self.run(lambda s: s.decline_flag(organization, flag, cycle, reason, by), f"flag {flag}")

    def revoke_flag(self, organization: str, flag: str, cycle: str, reason: str, by: Actor) -> None:
        self.run(lambda s: s.revoke_flag(organization, flag, cycle, reason, by), f"flag {flag}")
