"""Ballots, voting rounds and their tallies (投票)."""

from __future__ import annotations

from api.rest.base import Blueprint

blp = Blueprint("voting", __name__, url_prefix="/api", description="Ballots, voting rounds and their tallies (投票)")
