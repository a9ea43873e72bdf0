"""Classification (一类创先进、二类促提升、三类抓调整, rulebook section 16): a class for
each organization computed from a period's standings.

Parsed from the rule set's ``[classes]`` table.  This module never imports
``domain.rules.ruleset`` (which imports it): ``r`` and ``p`` are its reader and problems.
"""

from __future__ import annotations

from typing import Any


def parse(r: Any, doc: dict[str, Any], p: Any) -> Any:
    """The ``[classes]`` settings, or None when the file has none."""
    return None


def canonical(classes: Any) -> Any:
    """JSON-ready settings for the digest; None when the file has none."""
    return None
