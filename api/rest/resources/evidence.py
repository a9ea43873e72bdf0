"""Honours, platform data and flags (荣誉、平台数据、红旗)."""

from __future__ import annotations

from api.rest.base import Blueprint

blp = Blueprint("evidence", __name__, url_prefix="/api", description="Honours, platform data and flags (荣誉、平台数据、红旗)")
