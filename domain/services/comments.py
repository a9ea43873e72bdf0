"""Comments on entrants (点评), rulebook section 17: recorded and corrected like sheets, never part of a score."""

from __future__ import annotations

from domain.services.session import SessionBase


class CommentCommands(SessionBase):
    pass
