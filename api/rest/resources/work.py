"""Consequences as tracked work: classes, tasks, pairs (结果运用)."""

from __future__ import annotations

from api.rest.base import Blueprint

blp = Blueprint("work", __name__, url_prefix="/api", description="Consequences as tracked work: classes, tasks, pairs (结果运用)")
