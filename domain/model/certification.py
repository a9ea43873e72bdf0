"""The Certification aggregate: an organization's star status at one level and cycle.

Its life follows the practice of 初评 / 复评 / 审定: an optional self-assessment, an
initial evaluation that records the computed recommendation (rulebook section 8) and
what it recommends, a re-evaluation that decides, and the certification.  Later the
stars can be lowered (降星) or withdrawn (摘星), always with a reason.  A veto item
(一票否决) recorded in the cycle blocks any rating.
"""

from __future__ import annotations

from typing import Any

from domain import text as texts
from domain.errors import CertificationStateError, DecisionNeedsReason, InvalidValue
from domain.ids import certification_id
from domain.model.base import Actor, LeitaiAggregate, require_reason

OPENED, SELF_ASSESSED, EVALUATED, DECIDED, CERTIFIED, REVOKED = (
    "opened", "self_assessed", "initially_evaluated", "decided", "certified", "revoked")
STATE_ZH = {OPENED: "已立项", SELF_ASSESSED: "已自评", EVALUATED: "已初评", DECIDED: "已复评",
            CERTIFIED: "已认定", REVOKED: "已摘星"}


class Certification(LeitaiAggregate):
    class Opened(LeitaiAggregate.Created):
        organization: str
        level: str
        cycle: str

        def evolve(self, c: Certification) -> None:
            c.organization, c.level, c.cycle = self.organization, self.level, self.cycle

    class SelfAssessed(LeitaiAggregate.Event):
        stars: int
        note: str

        def evolve(self, c: Certification) -> None:
            c.self_assessed, c.state = self.stars, SELF_ASSESSED
            c.history.append({"step": "self_assessed", "stars": self.stars, "seq": self.originator_version})

    class VetoRecorded(LeitaiAggregate.Event):
        item: str
        reason: str

        def evolve(self, c: Certification) -> None:
            c.vetoes.append({"item": self.item, "reason": self.reason, "seq": self.originator_version})

    class InitiallyEvaluated(LeitaiAggregate.Event):
        recommended: int | None
        computed: dict[str, Any]
        reason: str

        def evolve(self, c: Certification) -> None:
            c.recommended, c.computed, c.state = self.recommended, dict(self.computed), EVALUATED
            c.evaluation_reason = self.reason
            c.history.append({"step": "initially_evaluated", "stars": self.recommended,
                              "seq": self.originator_version})

    class ReEvaluated(LeitaiAggregate.Event):
        decided: int | None
        reason: str

        def evolve(self, c: Certification) -> None:
            c.decided, c.state = self.decided, DECIDED
            c.history.append({"step": "decided", "stars": self.decided, "seq": self.originator_version})

    class Certified(LeitaiAggregate.Event):
        stars: int | None

        def evolve(self, c: Certification) -> None:
            c.stars, c.state = self.stars, CERTIFIED
            c.history.append({"step": "certified", "stars": self.stars, "seq": self.originator_version})

    class RecommendationAccepted(LeitaiAggregate.Event):
        """复评 and 审定 in one step, as one organization's part of accepting the
        recommendations of a unit (``unit``): ``stars`` is the initial evaluation's
        recommendation (``recommended``), or what the admin set by hand (``exception``)."""

        stars: int | None
        recommended: int | None
        exception: bool
        unit: str
        reason: str

        def evolve(self, c: Certification) -> None:
            c.decided = c.stars = self.stars
            c.state = CERTIFIED
            c.history.append({"step": "decided", "stars": self.stars, "seq": self.originator_version,
                              "accepted": True})
            c.history.append({"step": "certified", "stars": self.stars, "seq": self.originator_version})

    class Downgraded(LeitaiAggregate.Event):
        previous: int
        stars: int
        reason: str

        def evolve(self, c: Certification) -> None:
            c.stars = self.stars
            c.history.append({"step": "downgraded", "stars": self.stars, "seq": self.originator_version})

    class Revoked(LeitaiAggregate.Event):
        previous: int | None
        reason: str

        def evolve(self, c: Certification) -> None:
            c.stars, c.state = None, REVOKED
            c.history.append({"step": "revoked", "stars": None, "seq": self.originator_version})

    def __init__(self) -> None:
        super().__init__()
        self.organization = self.level = self.cycle = ""
        self.state = OPENED
        self.self_assessed: int | None = None
        self.recommended: int | None = None
        self.computed: dict[str, Any] = {}
        self.evaluation_reason = ""  # why the initial evaluation recommended other than computed
        self.decided: int | None = None
        self.stars: int | None = None
        self.vetoes: list[dict[str, Any]] = []
        self.history: list[dict[str, Any]] = []

    @classmethod
    def open(cls, organization: str, level: str, cycle: str, by: Actor) -> Certification:
        return cls._start(cls.Opened, certification_id(organization, level, cycle), by, None,
                          organization=organization, level=level, cycle=cycle)

    def self_assess(self, stars: int, note: str, by: Actor, key: str | None = None) -> None:
        self._in(OPENED, SELF_ASSESSED, action="record a self-assessment", action_zh="登记自评")
        self._record(self.SelfAssessed, by, key, stars=_stars(stars),
                     note=texts.text(note or "", "note", limit=texts.TEXT_MAX, required=False))

    def record_veto(self, item: str, reason: str, by: Actor, key: str | None = None) -> None:
        if self.seen(key) is not None:
            return
        item = texts.name(item, "item")
        self._in(OPENED, SELF_ASSESSED, EVALUATED, DECIDED, action="record a veto item",
                 action_zh="登记一票否决事项")
        self._record(self.VetoRecorded, by, key, item=item,
                     reason=require_reason(reason, "record a veto item", "登记一票否决事项"))

    def evaluate(self, recommended: int | None, computed: dict[str, Any], reason: str | None, by: Actor,
                 key: str | None = None) -> None:
        """初评: record the computed recommendation and what this evaluation recommends."""
        self._in(OPENED, SELF_ASSESSED, EVALUATED, action="record the initial evaluation",
                 action_zh="登记初评")
        recommended = None if recommended is None else _stars(recommended)
        if recommended is not None and self.vetoes:
            raise InvalidValue("stars", recommended, "a veto item was recorded this cycle: no rating",
                               "本周期已登记一票否决事项，不能评定星级")
        if recommended != computed.get("stars") and not (reason or "").strip():
            raise DecisionNeedsReason(organization=self.organization, decided=recommended,
                                      recommended="veto" if computed.get("veto") else computed.get("stars"))
        self._record(self.InitiallyEvaluated, by, key, recommended=recommended, computed=dict(computed),
                     reason=texts.text(reason or "", "reason", required=False))

    def decide(self, decided: int | None, reason: str | None, by: Actor, key: str | None = None) -> None:
        """复评: decide; a decision that differs from the computed recommendation needs a reason."""
        self._in(EVALUATED, DECIDED, action="record the re-evaluation", action_zh="登记复评")
        decided = None if decided is None else _stars(decided)
        if decided is not None and self.vetoes:
            raise InvalidValue("stars", decided, "a veto item was recorded this cycle: no rating",
                               "本周期已登记一票否决事项，不能评定星级")
        computed = self.computed.get("stars")
        reason = texts.text(reason or "", "reason", required=False)
        if decided != computed and not reason:
            raise DecisionNeedsReason(organization=self.organization, decided=decided,
                                      recommended="veto" if self.computed.get("veto") else computed)
        self._record(self.ReEvaluated, by, key, decided=decided, reason=reason)

    def check_acceptance(self, stars: int | None, exception: bool, reason: str | None) -> tuple[int | None, str]:
        """What accepting would record - (stars, reason) - or the refusal: the same rules as a
        re-evaluation (a veto allows no rating; other than computed needs a reason)."""
        if self.state == DECIDED and not exception:
            return self.decided, ""  # decided by hand before: certified as decided
        self._in(EVALUATED, DECIDED, action="accept the recommendation", action_zh="采纳星级建议")
        stars = None if stars is None else _stars(stars)
        if stars is not None and self.vetoes:
            raise InvalidValue("stars", stars, f"{self.organization}: a veto item was recorded this cycle: no rating",
                               f"{self.organization} 本周期已登记一票否决事项，不能评定星级")
        computed = self.computed.get("stars")
        reason = texts.text(reason or "", "reason", required=False)
        if stars != computed and not reason:
            raise DecisionNeedsReason(organization=self.organization, decided=stars,
                                      recommended="veto" if self.computed.get("veto") else computed)
        return stars, reason

    def accept(self, stars: int | None, exception: bool, unit: str, reason: str | None, by: Actor,
               key: str | None = None) -> str | None:
        """Accept the initial evaluation's recommendation (or, as an exception, the stars set
        by hand) and certify, in one event; a decision recorded by hand before is certified as
        it is.  Returns the step recorded ("accepted", "certified"), None if this command ran."""
        if self.seen(key) is not None:
            return None
        stars, reason = self.check_acceptance(stars, exception, reason)
        if self.state == DECIDED and not exception:
            self._record(self.Certified, by, key, stars=self.decided)
            return "certified"
        self._record(self.RecommendationAccepted, by, key, stars=stars, recommended=self.recommended,
                     exception=exception, unit=unit, reason=reason)
        return "accepted"

    def certify(self, by: Actor, key: str | None = None) -> None:
        """审定: confirm the re-evaluation's decision."""
        if self.state == CERTIFIED:
            return
        self._in(DECIDED, action="certify", action_zh="审定")
        self._record(self.Certified, by, key, stars=self.decided)

    def downgrade(self, stars: int, reason: str, by: Actor, key: str | None = None) -> None:
        self._in(CERTIFIED, action="lower the stars", action_zh="降星")
        stars = _stars(stars)
        if self.stars is None or stars >= self.stars:
            raise InvalidValue("stars", stars, f"a downgrade must go below the current {self.stars} stars",
                               f"降星后的星级必须低于现有的 {self.stars} 星")
        self._record(self.Downgraded, by, key, previous=self.stars, stars=stars,
                     reason=require_reason(reason, "lower the stars", "降星"))

    def revoke(self, reason: str, by: Actor, key: str | None = None) -> None:
        self._in(CERTIFIED, action="withdraw the stars", action_zh="摘星")
        self._record(self.Revoked, by, key, previous=self.stars,
                     reason=require_reason(reason, "withdraw the stars (摘星)", "摘星"))

    def _in(self, *states: str, action: str, action_zh: str) -> None:
        if self.state not in states:
            raise CertificationStateError(organization=self.organization, state=self.state.replace("_", " "),
                                          state_zh=STATE_ZH[self.state], action=action, action_zh=action_zh)


def _stars(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 5:
        raise InvalidValue("stars", value, "stars must be a whole number from 0 to 5", "星级应为 0 到 5 的整数")
    return value
