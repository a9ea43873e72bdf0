"""Consequences as tracked work (rulebook sections 15-16): classes, tasks on a ladder, pairs and their exchanges."""

from __future__ import annotations

from domain.services.session import SessionBase


class WorkCommands(SessionBase):
    pass
