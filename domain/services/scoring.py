"""Commands of the scoring hall: sheets, corrections, adjustments, inputs, closing.

The changes that can also be the remedy of an upheld objection or appeal take
``appeal``: after publication they are accepted only under an upheld appeal, and each
re-seals the round at once (republishing it when the published results changed).
"""

from __future__ import annotations

from typing import Any

from domain import text as texts
from domain.model.base import Actor
from domain.services.session import SessionBase


class ScoringCommands(SessionBase):
    def open_round(self, round_code: str, by: Actor, key: str | None = None) -> None:
        self.round(round_code).open(by, key)

    def submit_sheet(self, round_code: str, judge: str, entrant: str, marks: dict[str, Any], by: Actor,
                     key: str | None = None) -> int:
        """Record one judge's marks for one entrant; returns the sheet's event number."""
        rnd = self.round(round_code)
        return rnd.submit_sheet(self.rules(rnd.rules), texts.entity_code(judge, "judge"),
                                texts.entity_code(entrant, "entrant"), marks, by, key)

    def correct_sheet(self, round_code: str, judge: str, entrant: str, marks: dict[str, Any], reason: str,
                      by: Actor, key: str | None = None, appeal: int | None = None) -> int:
        rnd = self.round(round_code)
        done = rnd.correct_sheet(self.rules(rnd.rules), texts.entity_code(judge, "judge"),
                                 texts.entity_code(entrant, "entrant"), marks, reason, by, key, appeal)
        self.after_remedy(rnd, appeal, by)
        return done

    def void_sheet(self, round_code: str, judge: str, entrant: str, reason: str, by: Actor,
                   key: str | None = None, appeal: int | None = None) -> int:
        rnd = self.round(round_code)
        done = rnd.void_sheet(texts.entity_code(judge, "judge"), texts.entity_code(entrant, "entrant"), reason, by,
                              key, appeal)
        self.after_remedy(rnd, appeal, by)
        return done

    def record_adjustment(self, round_code: str, entrant: str, points: Any, reason: str, by: Actor,
                          key: str | None = None, appeal: int | None = None) -> int:
        rnd = self.round(round_code)
        done = rnd.record_adjustment(self.rules(rnd.rules), texts.entity_code(entrant, "entrant"), points, reason,
                                     by, key, appeal)
        self.after_remedy(rnd, appeal, by)
        return done

    def revoke_adjustment(self, round_code: str, adjustment: int, reason: str, by: Actor,
                          key: str | None = None, appeal: int | None = None) -> int:
        rnd = self.round(round_code)
        done = rnd.revoke_adjustment(adjustment, reason, by, key, appeal)
        self.after_remedy(rnd, appeal, by)
        return done

    def record_input(self, round_code: str, entrant: str, component: str, value: Any, by: Actor,
                     key: str | None = None, appeal: int | None = None, reason: str | None = None) -> int | None:
        """Record an assessment value or a vote count; one that replaces another needs ``reason``."""
        rnd = self.round(round_code)
        done = rnd.record_input(self.rules(rnd.rules), texts.entity_code(entrant, "entrant"), component, value, by,
                                key, appeal, reason)
        self.after_remedy(rnd, appeal, by)
        return done

    def disqualify(self, round_code: str, entrant: str, reason: str, by: Actor, key: str | None = None,
                   appeal: int | None = None) -> int:
        rnd = self.round(round_code)
        done = rnd.disqualify(texts.entity_code(entrant, "entrant"), reason, by, key, appeal)
        self.after_remedy(rnd, appeal, by)
        return done

    def withdraw(self, round_code: str, entrant: str, reason: str, by: Actor, key: str | None = None,
                 appeal: int | None = None) -> int:
        rnd = self.round(round_code)
        done = rnd.withdraw(texts.entity_code(entrant, "entrant"), reason, by, key, appeal)
        self.after_remedy(rnd, appeal, by)
        return done

    def close_round(self, round_code: str, by: Actor, key: str | None = None) -> str:
        """Close scoring and seal the round; returns the seal."""
        rnd = self.round(round_code)
        return rnd.close(self.rules(rnd.rules), self.linked(rnd), self.today(), by, key)

    def reopen_round(self, round_code: str, reason: str, by: Actor, key: str | None = None) -> None:
        self.round(round_code).reopen(reason, by, key)

    def rerank(self, round_code: str, reference: str, reason: str, by: Actor, key: str | None = None) -> str:
        """Re-rank a closed, published or final round under another rule-set version.  Changed
        published results are published again; changed promotions revise the next round's
        finalists while it has not started (and are refused once it has)."""
        rnd = self.round(round_code)
        ref = self.rules_ref(reference)
        return rnd.rerank(ref, self.rules(ref), self.linked(rnd), reason, by, key, calendar=self.work_calendar(),
                          today=self.today(), target=self.promotion_target(rnd))
