"""Tracks (赛道)."""

from __future__ import annotations

from api.rest.base import Blueprint

blp = Blueprint("tracks", __name__, url_prefix="/api", description="Tracks (赛道)")
