"""Run one measurement in its own process (so peak memory is its own) and print JSON."""

from __future__ import annotations

import json
import resource
import sys

from domain.services.store import parse_url
from projections.runner import Projector


def main() -> None:
    command, url = sys.argv[1], sys.argv[2]
    if command != "rebuild":
        raise SystemExit(f"unknown command {command}")
    projector = Projector(parse_url(url))
    report = projector.rebuild()
    projector.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"events": report.events, "rows": report.rows, "seconds": report.seconds, "rate": report.rate,
                      "phases": report.phases, "peak_rss_mb": peak}))


if __name__ == "__main__":
    main()
