"""Comments on entrants (点评), rulebook section 17: recorded and corrected like sheets, never part of a score."""

from __future__ import annotations

from domain import text as texts
from domain.model.base import Actor
from domain.services.session import SessionBase


class CommentCommands(SessionBase):
    def record_comment(self, round_code: str, entrant: str, text: str, by: Actor, key: str | None = None, *,
                       judge: str | None = None, leader: str | None = None, stage: str | None = None,
                       reason: str | None = None) -> int:
        """A judge's comment (``judge``) or a leader's (``leader``: their title and name) on
        one entrant; returns the comment's number in the round."""
        rnd = self.round(round_code)
        return rnd.record_comment(texts.entity_code(entrant, "entrant"), text, by, key,
                                  judge=texts.optional_code(judge, "judge"), leader=leader, stage=stage, reason=reason)

    def correct_comment(self, round_code: str, comment: int, text: str, reason: str, by: Actor,
                        key: str | None = None) -> int:
        return self.round(round_code).correct_comment(comment, text, reason, by, key)

    def withdraw_comment(self, round_code: str, comment: int, reason: str, by: Actor, key: str | None = None) -> int:
        return self.round(round_code).withdraw_comment(comment, reason, by, key)
