"""The composition root: one place that turns settings into a running application.

``open_app()`` reads ``LEITAI_DATABASE_URL`` (SQLite file by default), applies any
pending migrations (with ``LEITAI_ADMIN_DATABASE_URL`` when the application's own
account may not create tables) and returns the Leitai application.
"""

from __future__ import annotations

import os
from typing import Any

import migrations
from domain.services.app import Leitai
from domain.services.clock import FixedClock, SystemClock
from domain.services.store import StoreURL, application_env, parse_url


def store_from_env(url: str | None = None) -> StoreURL:
    return parse_url(url)


def admin_store() -> StoreURL | None:
    url = os.environ.get("LEITAI_ADMIN_DATABASE_URL")
    return parse_url(url) if url else None


def clock_from_env() -> Any:
    """``LEITAI_CLOCK=2025-06-03T10:00`` runs on a fixed moment (drills, tests); else real time."""
    moment = os.environ.get("LEITAI_CLOCK")
    return FixedClock(moment) if moment else SystemClock()


def ensure_migrated(store: StoreURL) -> list[str]:
    pending = {m.version for m in migrations.runner.available(store.kind)} - set(migrations.applied(store))
    if not pending:
        return []
    return migrations.migrate(store, admin_store())


def open_app(url: str | None = None, clock: Any = None, migrate: bool = True) -> Leitai:
    store = store_from_env(url)
    if migrate:
        ensure_migrated(store)
    return Leitai(env=application_env(store), clock=clock or clock_from_env(), store=store)
