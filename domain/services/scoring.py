"""Commands of the scoring hall: sheets, corrections, adjustments, inputs, closing."""

from __future__ import annotations

from typing import Any

from domain.model.base import Actor
from domain.services.session import SessionBase


class ScoringCommands(SessionBase):
    def open_round(self, round_code: str, by: Actor, key: str | None = None) -> None:
        self.round(round_code).open(by, key)

    def submit_sheet(self, round_code: str, judge: str, entrant: str, marks: dict[str, Any], by: Actor,
                     key: str | None = None) -> int:
        """Record one judge's marks for one entrant; returns the sheet's event number."""
        rnd = self.round(round_code)
        return rnd.submit_sheet(self.rules(rnd.rules), judge, entrant, marks, by, key)

    def correct_sheet(self, round_code: str, judge: str, entrant: str, marks: dict[str, Any], reason: str,
                      by: Actor, key: str | None = None, appeal: int | None = None) -> int:
        rnd = self.round(round_code)
        return rnd.correct_sheet(self.rules(rnd.rules), judge, entrant, marks, reason, by, key, appeal)

    def void_sheet(self, round_code: str, judge: str, entrant: str, reason: str, by: Actor,
                   key: str | None = None, appeal: int | None = None) -> int:
        return self.round(round_code).void_sheet(judge, entrant, reason, by, key, appeal)

    def record_adjustment(self, round_code: str, entrant: str, points: Any, reason: str, by: Actor,
                          key: str | None = None, appeal: int | None = None) -> int:
        rnd = self.round(round_code)
        return rnd.record_adjustment(self.rules(rnd.rules), entrant, points, reason, by, key, appeal)

    def revoke_adjustment(self, round_code: str, adjustment: int, reason: str, by: Actor,
                          key: str | None = None, appeal: int | None = None) -> int:
        return self.round(round_code).revoke_adjustment(adjustment, reason, by, key, appeal)

    def record_input(self, round_code: str, entrant: str, component: str, value: Any, by: Actor,
                     key: str | None = None, appeal: int | None = None) -> int | None:
        rnd = self.round(round_code)
        return rnd.record_input(self.rules(rnd.rules), entrant, component, value, by, key, appeal)

    def disqualify(self, round_code: str, entrant: str, reason: str, by: Actor, key: str | None = None,
                   appeal: int | None = None) -> int:
        return self.round(round_code).disqualify(entrant, reason, by, key, appeal)

    def withdraw(self, round_code: str, entrant: str, reason: str, by: Actor, key: str | None = None) -> int:
        return self.round(round_code).withdraw(entrant, reason, by, key)

    def close_round(self, round_code: str, by: Actor, key: str | None = None) -> str:
        """Close scoring and seal the round; returns the seal."""
        rnd = self.round(round_code)
        return rnd.close(self.rules(rnd.rules), self.linked(rnd), by, key)

    def reopen_round(self, round_code: str, reason: str, by: Actor, key: str | None = None) -> None:
        self.round(round_code).reopen(reason, by, key)

    def rerank(self, round_code: str, reference: str, reason: str, by: Actor, key: str | None = None) -> str:
        rnd = self.round(round_code)
        ref = self.rules_ref(reference)
        return rnd.rerank(ref, self.rules(ref), self.linked(rnd), reason, by, key)
