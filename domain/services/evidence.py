"""Stars from several kinds of evidence and flags (rulebook section 19): honours, platform data, flags."""

from __future__ import annotations

from domain.services.session import SessionBase


class EvidenceCommands(SessionBase):
    pass
