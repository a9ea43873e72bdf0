"""The seal of a round (rulebook section 10).

A seal is ``sha256:`` + the SHA-256 of the canonical JSON text of::

    {"round": CODE,
     "rules": {"code": ..., "version": N, "digest": "sha256:..."},
     "events": [EVENT, ...],            # in recorded order
     "links": {COMPONENT: {"round": CODE, "seal": "sha256:..."}}}

where each EVENT is ``{"event": TYPE, "seq": N, ...its result-determining fields}``
(no timestamps, no actor) and canonical JSON means UTF-8, keys sorted, no spaces
(``json.dumps(x, sort_keys=True, ensure_ascii=False, separators=(",", ":"))``).
Anyone holding the events and this description can recompute a published seal.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def compute_seal(round_code: str, rules: Mapping[str, Any], events: Sequence[Mapping[str, Any]],
                 links: Mapping[str, Mapping[str, str]]) -> str:
    document = {"round": round_code, "rules": dict(rules), "events": list(events), "links": dict(links)}
    return "sha256:" + hashlib.sha256(canonical_json(document).encode("utf-8")).hexdigest()
