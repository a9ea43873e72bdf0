"""The events of a Round, and the small records its state is made of.

Each event says what happened; ``evolve`` says how it changes the round.  Events that
determine results also add an entry to the round's seal log (rulebook section 10):
that list, not the raw events, is what a seal hashes, so that timestamps and actors
do not change a seal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from domain.model.base import LeitaiAggregate
from domain.services.clock import CHINA

SCHEDULED, OPEN, CLOSED, PUBLISHED, FINAL = "scheduled", "open", "closed", "published", "final"
# Round events that seal or change published results: after each, the log's head is signed
# (domain.services.app), and `leitai verify` wants every such event covered by a signed head.
RESULT_CHANGING = frozenset({"Closed", "Published", "Republished", "Finalized", "Resealed", "Reranked"})


@dataclass(slots=True)
class EntrantRecord:
    code: str
    name: str
    unit: str
    source: dict[str, Any]
    status: str = "active"
    reason: str | None = None


@dataclass(slots=True)
class JudgeSeat:
    code: str
    name: str
    home_unit: str | None


@dataclass(slots=True)
class SheetRecord:
    sheet: int  # the version of the event that first submitted it
    judge: str
    entrant: str
    marks: dict[str, str]
    ref: int  # the version of the event that set the current marks
    history: list[int] = field(default_factory=list)
    voided: bool = False
    submitted_by: str = ""
    changes: list[list[Any]] | None = None  # [version, "corrected"|"voided", actor, reason], once there is one

    @property
    def log(self) -> list[list[Any]]:
        """Who submitted, corrected or voided this sheet, and why, oldest first."""
        return [[self.sheet, "submitted", self.submitted_by, None], *(self.changes or [])]


@dataclass(slots=True)
class AdjustmentRecord:
    id: int
    entrant: str
    points: str
    reason: str
    revoked: bool = False


@dataclass
class AppealRecord:
    id: int
    kind: str
    entrant: str | None
    name: str
    contact: str
    text: str
    filed_on: str
    decision: str | None = None
    reply: str | None = None
    corrections: list[int] = field(default_factory=list)  # the remedies recorded under it
    ruled_on: str | None = None
    filed_by: str = ""
    ruled_by: str | None = None


@dataclass
class Publicity:
    start: str
    end: str
    days: int
    calendar: dict[str, str]
    published_on: str = ""
    seq: int = 0  # the event that started this period
    reason: str | None = None  # why the results were published again (None: the first publication)


def _seal(r: Any, event: LeitaiAggregate.Event, **fields: Any) -> None:
    fields["event"] = type(event).__name__
    fields["seq"] = event.originator_version
    r.seal_log.append(fields)


def recorded_at(event: Any) -> str | None:
    """When an event was recorded, China Standard Time to the second: from the event's own
    timestamp, a datetime on an aggregate's event, its stored form on the read side's payload."""
    return stamp_text(getattr(event, "timestamp", None))


def stamp_text(stamp: Any) -> str | None:
    """An event's timestamp (a datetime, or as stored) as China Standard Time to the second."""
    if isinstance(stamp, dict):
        stamp = stamp.get("_data_")
    if isinstance(stamp, str):
        try:
            stamp = datetime.fromisoformat(stamp)
        except ValueError:
            return None
    if not isinstance(stamp, datetime):
        return None
    return stamp.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")


def _correction(r: Any, event: Any) -> None:
    if event.appeal is not None:
        r.appeals[event.appeal].corrections.append(event.originator_version)


class Scheduled(LeitaiAggregate.Created):
    code: str
    contest: str
    level: str
    unit: str
    period: str
    theme: str
    form: str
    rules: dict[str, Any]
    links: dict[str, str]
    promotes_to: str | None
    entrants_mode: str
    track: str = ""  # 赛道 (rulebook section 20): events recorded before tracks existed have none

    def evolve(self, r: Any) -> None:
        r.code, r.contest, r.level, r.unit, r.period = self.code, self.contest, self.level, self.unit, self.period
        r.theme, r.form, r.rules = self.theme, self.form, dict(self.rules)
        r.links, r.promotes_to, r.entrants_mode = dict(self.links), self.promotes_to, self.entrants_mode
        r.track = getattr(self, "track", "") or ""


class RulesAssigned(LeitaiAggregate.Event):
    rules: dict[str, Any]
    reason: str

    def evolve(self, r: Any) -> None:
        r.rules = dict(self.rules)


class JudgeSeated(LeitaiAggregate.Event):
    judge: str
    name: str
    home_unit: str | None

    def evolve(self, r: Any) -> None:
        r.judges[self.judge] = JudgeSeat(self.judge, self.name, self.home_unit)
        _seal(r, self, judge=self.judge)


class EntrantAdmitted(LeitaiAggregate.Event):
    entrant: str
    name: str
    unit: str
    source: dict[str, Any]

    def evolve(self, r: Any) -> None:
        before = r.entrants.get(self.entrant)
        r.entrants[self.entrant] = EntrantRecord(self.entrant, self.name, self.unit, dict(self.source))
        revision = self.source.get("revision")
        if revision:  # admitted again (or its source updated) when its source round's results changed
            r.revisions.append({"seq": self.originator_version,
                                "kind": "updated" if before is not None and before.status == "active" else "admitted",
                                "entrant": self.entrant, "source": dict(self.source), "reason": revision,
                                "actor": self.actor, "at": recorded_at(self)})
        _seal(r, self, entrant=self.entrant)


class JudgeRecused(LeitaiAggregate.Event):
    judge: str
    entrant: str
    reason: str
    automatic: bool

    def evolve(self, r: Any) -> None:
        r.recusals[(self.judge, self.entrant)] = self.reason
        _seal(r, self, judge=self.judge, entrant=self.entrant)


class LiveBoardSet(LeitaiAggregate.Event):
    """Whether the round shows its scores on the spot (现场亮分): its live board is public."""

    on: bool

    def evolve(self, r: Any) -> None:
        r.live_board = self.on


class Opened(LeitaiAggregate.Event):
    def evolve(self, r: Any) -> None:
        r.status = OPEN


class SheetSubmitted(LeitaiAggregate.Event):
    judge: str
    entrant: str
    marks: dict[str, str]

    def evolve(self, r: Any) -> None:
        v = self.originator_version
        marks = self.marks  # recorded marks are never changed in place, only replaced
        r.sheets[v] = SheetRecord(v, self.judge, self.entrant, marks, v, [v], False, self.actor)
        r.live[(self.judge, self.entrant)] = v
        r.seal_log.append({"judge": self.judge, "entrant": self.entrant, "marks": marks,
                           "event": "SheetSubmitted", "seq": v})


class SheetCorrected(LeitaiAggregate.Event):
    sheet: int
    replaces: int
    judge: str
    entrant: str
    marks: dict[str, str]
    reason: str
    appeal: int | None

    def evolve(self, r: Any) -> None:
        record = r.sheets[self.sheet]
        record.marks, record.ref = self.marks, self.originator_version
        record.history.append(self.originator_version)
        record.changes = [*(record.changes or []), [self.originator_version, "corrected", self.actor, self.reason]]
        _correction(r, self)
        _seal(r, self, sheet=self.sheet, replaces=self.replaces, marks=self.marks)


class SheetVoided(LeitaiAggregate.Event):
    sheet: int
    replaces: int
    judge: str
    entrant: str
    reason: str
    appeal: int | None

    def evolve(self, r: Any) -> None:
        record = r.sheets[self.sheet]
        record.voided = True
        record.history.append(self.originator_version)
        record.changes = [*(record.changes or []), [self.originator_version, "voided", self.actor, self.reason]]
        r.live.pop((self.judge, self.entrant), None)
        _correction(r, self)
        _seal(r, self, sheet=self.sheet, replaces=self.replaces)


class AdjustmentRecorded(LeitaiAggregate.Event):
    entrant: str
    points: str
    reason: str
    appeal: int | None

    def evolve(self, r: Any) -> None:
        v = self.originator_version
        r.adjustments[v] = AdjustmentRecord(v, self.entrant, self.points, self.reason)
        _correction(r, self)
        _seal(r, self, entrant=self.entrant, points=self.points)


class AdjustmentRevoked(LeitaiAggregate.Event):
    adjustment: int
    reason: str
    appeal: int | None

    def evolve(self, r: Any) -> None:
        r.adjustments[self.adjustment].revoked = True
        _correction(r, self)
        _seal(r, self, adjustment=self.adjustment)


@dataclass(slots=True)
class InputEntry:
    """One recorded value of an assessment or a vote count: the event, who, when and why."""

    version: int
    value: str
    actor: str
    stamp: Any  # the event's timestamp as it came (read as text only when shown: see ``at``)
    reason: str | None  # why it replaced the value before it (None for a first value)
    appeal: int | None

    @property
    def at(self) -> str | None:
        return stamp_text(self.stamp)


class InputRecorded(LeitaiAggregate.Event):
    """An assessment value or a vote count (日常考核数据、票数).  A value that replaces another
    carries the reason; the value it replaced stays in the history.  Events recorded before
    reasons were required have none (``getattr``)."""

    entrant: str
    component: str
    value: str
    appeal: int | None
    reason: str | None = None

    def evolve(self, r: Any) -> None:
        v = self.originator_version
        r.inputs[(self.entrant, self.component)] = (self.value, v)
        r.input_log.setdefault((self.entrant, self.component), []).append(
            InputEntry(v, self.value, self.actor, getattr(self, "timestamp", None), getattr(self, "reason", None),
                       self.appeal))
        _correction(r, self)
        _seal(r, self, entrant=self.entrant, component=self.component, value=self.value)


class EntrantDisqualified(LeitaiAggregate.Event):
    entrant: str
    reason: str
    appeal: int | None

    def evolve(self, r: Any) -> None:
        record = r.entrants[self.entrant]
        record.status, record.reason = "disqualified", self.reason
        _correction(r, self)
        _seal(r, self, entrant=self.entrant)


class EntrantWithdrawn(LeitaiAggregate.Event):
    entrant: str
    reason: str
    appeal: int | None

    def evolve(self, r: Any) -> None:
        record = r.entrants[self.entrant]
        record.status, record.reason = "withdrawn", self.reason
        _correction(r, self)
        _seal(r, self, entrant=self.entrant)


class Closed(LeitaiAggregate.Event):
    seal: str
    results: list[dict[str, Any]]
    closed_on: str  # the day by the application's clock (drills run on their own dates)

    def evolve(self, r: Any) -> None:
        r.status, r.seal, r.results = CLOSED, self.seal, list(self.results)
        r.closed_on = self.closed_on


class Reopened(LeitaiAggregate.Event):
    reason: str

    def evolve(self, r: Any) -> None:
        r.status, r.seal, r.results, r.closed_on = OPEN, None, None, None


class Published(LeitaiAggregate.Event):
    published_on: str
    start: str
    end: str
    days: int
    calendar: dict[str, str]
    seal: str

    def evolve(self, r: Any) -> None:
        r.status = PUBLISHED
        r.publicity = Publicity(self.start, self.end, self.days, dict(self.calendar), self.published_on,
                                self.originator_version)
        r.publications.append(r.publicity)


class Republished(LeitaiAggregate.Event):
    """A new publicity period for the same round (重新公示): after an upheld appeal or a
    re-rank changed the published results, or to extend the period; the reason says which
    (and, after a change, what changed).  A final round whose re-rank changed its results
    is in publicity again: it is final again only when the new period is over."""

    published_on: str
    start: str
    end: str
    days: int
    calendar: dict[str, str]
    seal: str
    reason: str
    appeal: int | None

    def evolve(self, r: Any) -> None:
        r.status = PUBLISHED
        r.publicity = Publicity(self.start, self.end, self.days, dict(self.calendar), self.published_on,
                                self.originator_version, self.reason)
        r.publications.append(r.publicity)


class AppealFiled(LeitaiAggregate.Event):
    kind: str
    entrant: str | None
    name: str
    contact: str
    text: str
    filed_on: str

    def evolve(self, r: Any) -> None:
        v = self.originator_version
        r.appeals[v] = AppealRecord(v, self.kind, self.entrant, self.name, self.contact, self.text, self.filed_on,
                                    filed_by=self.actor)


class AppealRuled(LeitaiAggregate.Event):
    appeal: int
    decision: str
    reply: str
    corrections: list[int]
    ruled_on: str

    def evolve(self, r: Any) -> None:
        record = r.appeals[self.appeal]
        record.decision, record.reply = self.decision, self.reply
        record.ruled_on, record.ruled_by = self.ruled_on, self.actor


class Resealed(LeitaiAggregate.Event):
    """New results and seal after the remedies of an upheld appeal; ``changed`` names the
    entrants whose published outcome changed."""

    seal: str
    results: list[dict[str, Any]]
    appeal: int | None
    reason: str
    changed: list[str]

    def evolve(self, r: Any) -> None:
        r.seal, r.results = self.seal, list(self.results)


class Finalized(LeitaiAggregate.Event):
    seal: str
    results: list[dict[str, Any]]

    def evolve(self, r: Any) -> None:
        r.status, r.seal, r.results = FINAL, self.seal, list(self.results)


class EntrantsPromoted(LeitaiAggregate.Event):
    """The promotion into ``target`` as it stands: recorded when promoting, and again (with
    ``revision``, why) each time a change of this round's results revised the finalists."""

    target: str
    promoted: list[str]
    reserves: list[str]
    already_entered: list[str]
    seal: str
    rules: dict[str, Any]
    revision: str | None = None

    def evolve(self, r: Any) -> None:
        r.promotions[self.target] = {
            "promoted": list(self.promoted), "reserves": list(self.reserves),
            "already_entered": list(self.already_entered), "seq": self.originator_version,
        }


class Reranked(LeitaiAggregate.Event):
    """A closed, published or final round recomputed under another rule-set version by an
    explicit decision; the earlier results stay in the history.  ``changed`` names the
    entrants whose published outcome changed (None in events recorded before it was kept)."""

    rules: dict[str, Any]
    seal: str
    results: list[dict[str, Any]]
    reason: str
    changed: list[str] | None = None

    def evolve(self, r: Any) -> None:
        r.rules, r.seal, r.results = dict(self.rules), self.seal, list(self.results)


class FinalistWithdrawn(LeitaiAggregate.Event):
    """An entrant admitted by promotion whom its source round no longer promotes (a re-rank
    changed that round's results before this round started): withdrawn from this round,
    with the reason; ``source`` names the round and its seal now."""

    entrant: str
    source: dict[str, Any]
    reason: str

    def evolve(self, r: Any) -> None:
        record = r.entrants[self.entrant]
        record.status, record.reason = "withdrawn", self.reason
        r.revisions.append({"seq": self.originator_version, "kind": "withdrawn", "entrant": self.entrant,
                            "source": dict(self.source), "reason": self.reason, "actor": self.actor,
                            "at": recorded_at(self)})
        _seal(r, self, entrant=self.entrant)
