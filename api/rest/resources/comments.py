"""Comments on entrants (点评)."""

from __future__ import annotations

from api.rest.base import Blueprint

blp = Blueprint("comments", __name__, url_prefix="/api", description="Comments on entrants (点评)")
