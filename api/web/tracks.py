"""Tracks (赛道, rulebook section 20) on the pages: a unit's standings for a period, track by
track with their consequences (public, like the results they are made of)."""

from __future__ import annotations

from typing import Any

from flask import render_template

from api.rest.errors import lang
from api.web.pages import _read, blp

KINDS = {"top": ("前列（交流经验）", "Top (share experience)"), "bottom": ("后列（约谈）", "Bottom (interviewed)"),
         "improved": ("进步最大", "Most improved"), "pairing": ("结对共建", "Paired")}


@blp.route("/standings/<contest>/<unit>/<period>")
def standings(contest: str, unit: str, period: str) -> Any:
    from projections.tracks import period as by_track

    read = _read()
    data = by_track(read, contest, unit, period)
    c = read.contest(data["contest"])
    # months, then quarters, then the year, in time order
    periods = sorted(read.periods(data["contest"], data["unit"]),
                     key=lambda p: (p[:4], 2 if len(p) == 4 else 1 if "Q" in p else 0, p))
    sections = [s for s in data["sections"] if s["standings"]]
    return render_template("standings.html", c=c, data=data, sections=sections, periods=periods,
                           headed=bool(data["tracks"]),
                           consequence_kind=lambda kind: KINDS.get(kind, (kind, kind))[lang() == "en"])
