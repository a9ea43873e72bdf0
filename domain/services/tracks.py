"""Tracks (赛道, rulebook section 8): which track each organization competes in, period by period."""

from __future__ import annotations

from domain.services.session import SessionBase


class TrackCommands(SessionBase):
    pass
