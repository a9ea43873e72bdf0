"""Ballots and voting rounds (rulebook section 18): ballot boxes, anonymous ballots, tallies, 现场公布."""

from __future__ import annotations

from domain.services.session import SessionBase


class VotingCommands(SessionBase):
    pass
