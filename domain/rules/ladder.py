"""The ladder of consequences (结果运用, rulebook section 15): who a period's final
standings concern, what follows, by whom and by when, and what must be recorded.

Parsed from the rule set's ``[[ladder]]`` tables.  This module never imports
``domain.rules.ruleset`` (which imports it): ``r`` and ``p`` are its reader and problems.
"""

from __future__ import annotations

from typing import Any


def parse(r: Any, doc: dict[str, Any], p: Any) -> tuple[Any, ...]:
    """The rungs of ``[[ladder]]`` (``()`` when the file has none)."""
    return ()


def canonical(ladder: tuple[Any, ...]) -> Any:
    """JSON-ready settings for the digest; None when the file has no ladder."""
    return None
