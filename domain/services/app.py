"""The Leitai application: runs commands in sessions, saves them atomically, retries
on concurrent changes.

Every command method below runs one session: load what it needs, call the aggregate,
save all new events in one transaction.  If another command changed the same
aggregate in the meantime (optimistic concurrency: the event numbers collide), the
whole command runs again on fresh state, up to ``max_attempts`` times, then fails
with :class:`~domain.errors.ConcurrencyConflict`.  Nothing is ever half-recorded.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

from eventsourcing.application import Application
from eventsourcing.persistence import IntegrityError

from domain.errors import ConcurrencyConflict
from domain.model.base import Actor
from domain.model.round import Round
from domain.rules.engine import RoundResult
from domain.rules.ruleset import RuleSet
from domain.services.certification import CertificationCommands
from domain.services.clock import SystemClock
from domain.services.publicity import Correction, PublicityCommands
from domain.services.scoring import ScoringCommands
from domain.services.setup import RoundSpec, SetupCommands
from domain.services.store import StoreURL
from domain.workdays import YearCalendar

T = TypeVar("T")


class Session(SetupCommands, ScoringCommands, PublicityCommands, CertificationCommands):
    """Every command and query, on one unit of work."""


@dataclass(frozen=True)
class Outcome(Generic[T]):
    value: T
    recorded: int  # how many events the command recorded (0: nothing new)
    position: int | None = None  # the log position of its last event (for read-your-writes)


class Leitai(Application):
    name = "Leitai"
    max_attempts = 8

    def __init__(self, env: dict[str, str] | None = None, clock: Any = None, store: StoreURL | None = None) -> None:
        super().__init__(env)
        self.store = store  # which store this is (the read side needs it too)
        self.clock = clock or SystemClock()
        self.rules_cache: dict[str, RuleSet] = {}
        self.conflicts = 0  # commands re-run because another changed the same aggregate first

    # -- running sessions ------------------------------------------------------------

    def execute(self, work: Callable[[Session], T], what: str = "command") -> Outcome[T]:
        """Run ``work`` in a fresh session and save what it recorded, retrying on conflict."""
        for attempt in range(1, self.max_attempts + 1):
            session = Session(self)
            value = work(session)
            changed = [a for a in session.loaded.values() if a.pending_events]
            if not changed:
                return Outcome(value, 0)
            count = session.pending_events()
            try:
                recordings = self.save(*changed)
            except IntegrityError:
                self.conflicts += 1
                if attempt == self.max_attempts:
                    raise ConcurrencyConflict(target=what, attempts=attempt) from None
                time.sleep(random.uniform(0.001, 0.005 * attempt))
                continue
            return Outcome(value, count, max((r.notification.id for r in recordings), default=None))
        raise AssertionError("unreachable")

    def run(self, work: Callable[[Session], T], what: str = "command") -> T:
        return self.execute(work, what).value

    def read(self, work: Callable[[Session], T]) -> T:
        """Run a query on a fresh session; nothing is saved."""
        return work(Session(self))

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

    def seat_judge(self, round_code: str, judge: str, by: Actor) -> None:
        self.run(lambda s: s.seat_judge(round_code, judge, by), f"round {round_code}")

    def admit_entrant(self, round_code: str, organization: str, by: Actor) -> None:
        self.run(lambda s: s.admit_entrant(round_code, organization, by), f"round {round_code}")

    def recuse_judge(self, round_code: str, judge: str, entrant: str, reason: str, by: Actor,
                     key: str | None = None) -> None:
        self.run(lambda s: s.recuse_judge(round_code, judge, entrant, reason, by, key), f"round {round_code}")

    # -- scoring -------------------------------------------------------------------------

    def open_round(self, round_code: str, by: Actor, key: str | None = None) -> None:
        self.run(lambda s: s.open_round(round_code, by, key), f"round {round_code}")

    def submit_sheet(self, round_code: str, judge: str, entrant: str, marks: dict[str, Any], by: Actor,
                     key: str | None = None) -> int:
        return self.run(lambda s: s.submit_sheet(round_code, judge, entrant, marks, by, key), f"round {round_code}")

    def correct_sheet(self, round_code: str, judge: str, entrant: str, marks: dict[str, Any], reason: str,
                      by: Actor, key: str | None = None) -> int:
        return self.run(lambda s: s.correct_sheet(round_code, judge, entrant, marks, reason, by, key),
                        f"round {round_code}")

    def void_sheet(self, round_code: str, judge: str, entrant: str, reason: str, by: Actor,
                   key: str | None = None) -> int:
        return self.run(lambda s: s.void_sheet(round_code, judge, entrant, reason, by, key), f"round {round_code}")

    def record_adjustment(self, round_code: str, entrant: str, points: Any, reason: str, by: Actor,
                          key: str | None = None) -> int:
        return self.run(lambda s: s.record_adjustment(round_code, entrant, points, reason, by, key),
                        f"round {round_code}")

    def revoke_adjustment(self, round_code: str, adjustment: int, reason: str, by: Actor,
                          key: str | None = None) -> int:
        return self.run(lambda s: s.revoke_adjustment(round_code, adjustment, reason, by, key), f"round {round_code}")

    def record_input(self, round_code: str, entrant: str, component: str, value: Any, by: Actor,
                     key: str | None = None) -> int | None:
        return self.run(lambda s: s.record_input(round_code, entrant, component, value, by, key),
                        f"round {round_code}")

    def disqualify(self, round_code: str, entrant: str, reason: str, by: Actor, key: str | None = None) -> int:
        return self.run(lambda s: s.disqualify(round_code, entrant, reason, by, key), f"round {round_code}")

    def withdraw(self, round_code: str, entrant: str, reason: str, by: Actor, key: str | None = None) -> int:
        return self.run(lambda s: s.withdraw(round_code, entrant, reason, by, key), f"round {round_code}")

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

    def file_appeal(self, round_code: str, kind: str, name: str, contact: str, text: str, by: Actor,
                    entrant: str | None = None, key: str | None = None) -> int:
        return self.run(lambda s: s.file_appeal(round_code, kind, name, contact, text, by, entrant, key),
                        f"round {round_code}")

    def rule_appeal(self, round_code: str, appeal: int, decision: str, reply: str, by: Actor,
                    corrections: tuple[Correction, ...] = (), key: str | None = None) -> str | None:
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

    def downgrade(self, organization: str, level: str, cycle: str, stars: int, reason: str, by: Actor) -> None:
        self.run(lambda s: s.downgrade(organization, level, cycle, stars, reason, by), f"certification {organization}")

    def revoke(self, organization: str, level: str, cycle: str, reason: str, by: Actor) -> None:
        self.run(lambda s: s.revoke(organization, level, cycle, reason, by), f"certification {organization}")
