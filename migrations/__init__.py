"""Versioned, forward-only SQL migrations for both stores; see :mod:`migrations.runner`."""

from migrations.runner import MigrationError, applied, migrate

__all__ = ["MigrationError", "applied", "migrate"]
