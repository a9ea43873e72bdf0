"""A session is one unit of work: aggregates are loaded once, commands change them in
memory, and the application saves every new event of the session in one transaction.

Nothing a session does is recorded until the whole of it succeeded, so a command -
or an import of a whole directory - either records everything or nothing.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from domain import text as texts
from domain.errors import ContestNotFound, InvalidValue, OrganizationNotFound, RoundNotFound, RuleSetNotFound
from domain.ids import calendar_id, contest_id, organization_id, round_id, ruleset_id
from domain.model.base import Actor, LeitaiAggregate
from domain.model.calendar import HolidayCalendar
from domain.model.contest import Contest
from domain.model.organization import Organization
from domain.model.round import LinkedRound, Round
from domain.model.ruleset_history import RuleSetHistory
from domain.rules.engine import RoundResult
from domain.rules.ruleset import RuleSet
from domain.workdays import WorkCalendar

if TYPE_CHECKING:
    from domain.services.app import Leitai

A = TypeVar("A", bound=LeitaiAggregate)
RULES_REF = re.compile(r"[a-z0-9-]{1,64}")
VERSION = re.compile(r"[0-9]{1,6}")


class SessionBase:
    def __init__(self, app: Leitai, cached: bool = False) -> None:
        self.app = app
        self.cached = cached  # the writer's session: aggregates come from (and go back to) its cache
        self.loaded: dict[UUID, LeitaiAggregate] = {}
        self.units_before: dict[UUID, str] = {}  # an organization's unit when first loaded (domain/authority.py)

    # -- loading ------------------------------------------------------------------

    def find(self, aggregate_id: UUID, kind: type[A]) -> A | None:
        if aggregate_id in self.loaded:
            found = self.loaded[aggregate_id]
        else:
            found = self.app.cache.get(aggregate_id) if self.cached else None
            if found is None:
                try:
                    found = self.app.repository.get(aggregate_id)
                except AggregateNotFoundError:
                    return None
            self.loaded[aggregate_id] = found
            if isinstance(found, Organization):
                self.units_before[aggregate_id] = found.unit
        if not isinstance(found, kind):
            raise InvalidValue("id", str(aggregate_id), f"is a {type(found).__name__}, not a {kind.__name__}",
                               "标识对应的记录类型不符")
        return found

    def add(self, aggregate: A) -> A:
        self.loaded[aggregate.id] = aggregate
        return aggregate

    def contest(self, code: str) -> Contest:
        code = texts.contest_code(code, "contest")
        found = self.find(contest_id(code), Contest)
        if found is None:
            raise ContestNotFound(contest=code)
        return found

    def round(self, code: str) -> Round:
        code = texts.entity_code(code, "round")
        found = self.find(round_id(code), Round)
        if found is None:
            raise RoundNotFound(round=code)
        return found

    def organization(self, code: str) -> Organization:
        code = texts.entity_code(code, "organization")
        found = self.find(organization_id(code), Organization)
        if found is None:
            raise OrganizationNotFound(organization=code)
        return found

    def ruleset_history(self, code: str) -> RuleSetHistory | None:
        return self.find(ruleset_id(code), RuleSetHistory)

    def holiday_calendar(self) -> HolidayCalendar | None:
        return self.find(calendar_id(), HolidayCalendar)

    def work_calendar(self, fallback: str | None = None) -> WorkCalendar:
        calendar = self.holiday_calendar()
        return WorkCalendar(calendar.years if calendar else {}, fallback)

    def after_remedy(self, rnd: Round, appeal: int | None, by: Actor) -> None:
        """A change recorded as the remedy of an upheld appeal re-seals the round at once
        (and republishes it when the published results changed)."""
        if appeal is not None:
            rnd.reseal(appeal, self.rules(rnd.rules), self.linked(rnd), self.work_calendar(), self.today(), by,
                       target=self.promotion_target(rnd))

    def promotion_target(self, rnd: Round) -> Round | None:
        """The round ``rnd`` promotes to, if it names one that exists."""
        if rnd.promotes_to is None:
            return None
        return self.find(round_id(rnd.promotes_to), Round)

    def pending_events(self) -> int:
        return sum(len(a.pending_events) for a in self.loaded.values())

    # -- what commands need to know ---------------------------------------------

    def today(self) -> date:
        return self.app.clock.today()

    def now(self) -> datetime:
        return self.app.clock.now()

    def rules_ref(self, reference: str) -> dict[str, Any]:
        """Resolve "code" (its highest version) or "code@version" to {code, version, digest}."""
        if not isinstance(reference, str) or len(reference) > 80:
            raise InvalidValue("rules", reference, "expected \"code\" or \"code@version\"", "应为“代码”或“代码@版本”")
        code, _, version = unicodedata.normalize("NFKC", reference).strip().lower().partition("@")
        if not RULES_REF.fullmatch(code) or (version and not VERSION.fullmatch(version)):
            raise InvalidValue("rules", reference, "expected \"code\" or \"code@version\" (like township-2025@2)",
                               "应为“代码”或“代码@版本”（如 township-2025@2）")
        history = self.ruleset_history(code)
        if history is None:
            raise RuleSetNotFound(rules=reference)
        return history.get(int(version) if version else None).ref()

    def rules(self, ref: dict[str, Any]) -> RuleSet:
        """The parsed rule set a round records (parsed once per application)."""
        cached = self.app.rules_cache.get(ref["digest"])
        if cached is not None:
            return cached
        history = self.ruleset_history(ref["code"])
        if history is None:
            raise RuleSetNotFound(rules=f"{ref['code']}@{ref['version']}")
        parsed = history.get(ref["version"]).parsed()
        self.app.rules_cache[ref["digest"]] = parsed
        return parsed

    def linked(self, rnd: Round, _path: tuple[str, ...] = ()) -> dict[str, LinkedRound]:
        """The rounds feeding this round's ``round`` components, with their unrounded finals."""
        out: dict[str, LinkedRound] = {}
        for component, code in sorted(rnd.links.items()):
            if code in _path or code == rnd.code:
                raise InvalidValue("links", code, "rounds feed each other in a circle", "轮次之间的成绩引用形成了循环")
            source = self.round(code)
            result = self.result(source, _path + (rnd.code,))
            finals = {e.entrant: e.exact_final for e in result.entries
                      if e.rank is not None and e.exact_final is not None}
            out[component] = LinkedRound(component, code, source.status, source.seal, finals)
        return out

    def result(self, rnd: Round, _path: tuple[str, ...] = (), rules: RuleSet | None = None) -> RoundResult:
        """The round's ranking computed now from its events (under ``rules`` if given)."""
        return rnd.compute(rules or self.rules(rnd.rules), self.linked(rnd, _path))
