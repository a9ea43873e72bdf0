"""Flags (五面红旗 and the like, rulebook section 19): independent certifications of an
organization, each with its own criteria.

Parsed from the rule set's ``[[flags]]`` tables.  This module never imports
``domain.rules.ruleset`` (which imports it): ``r`` and ``p`` are its reader and problems.
"""

from __future__ import annotations

from typing import Any


def parse(r: Any, doc: dict[str, Any], p: Any) -> tuple[Any, ...]:
    """The ``[[flags]]`` settings (``()`` when the file has none)."""
    return ()


def canonical(flags: tuple[Any, ...]) -> Any:
    """JSON-ready settings for the digest; None when the file has none."""
    return None
