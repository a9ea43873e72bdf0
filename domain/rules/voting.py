"""Ballots and voting rounds (rulebook section 18): voter groups and their weights, how
many voting rounds, how many choices a ballot carries, what each round eliminates, and
how the final tally feeds the ``votes`` component.

Parsed from the rule set's ``[voting]`` table.  This module never imports
``domain.rules.ruleset`` (which imports it): ``r`` and ``p`` are its reader and problems.
"""

from __future__ import annotations

from typing import Any


def parse(r: Any, doc: dict[str, Any], p: Any, components: list[Any]) -> Any:
    """The ``[voting]`` settings, or None when the file has none."""
    return None


def canonical(voting: Any) -> Any:
    """JSON-ready settings for the digest; None when the file has none."""
    return None
