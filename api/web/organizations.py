"""An organization's own pages: its rounds, ranks, appeals and stars (/org/<code>, and /me for
the signed-in organization)."""

from __future__ import annotations

from typing import Any

import orjson
from flask import redirect, render_template, url_for

from api.rest.errors import lang
from api.rest.security import refuse, round_view
from api.web import charts
from api.web.pages import _cert_state, _read, _viewer, _word, blp
from domain import access
from projections.tables import ENTRIES

# -- an organization's page ----------------------------------------------------------------------


@blp.route("/me")
def my_organization() -> Any:
    p = _viewer()
    mine = sorted(access.organizations(p))
    if not mine:
        raise refuse(p, "see an organization's page", "查看本组织页面")
    return redirect(url_for("web.organization", code=mine[0]))


@blp.route("/org/<code>")
def organization(code: str) -> Any:
    p = _viewer()
    read = _read()
    org = read.organization(code)
    entries = []
    for e in read.store.select(ENTRIES, {"entrant": org["organization"]}):
        view = round_view(e["round"])
        if not access.sees_round(p, view):
            continue
        r = read.round(e["round"])
        entries.append({**e, "r": r, "explained": access.sees_entrant(p, view, e["entrant"]),
                        "may_appeal": r["status"] == "published"
                        and access.may_file_appeal(p, view, org["organization"])})
    # in time order: by period, and in one period a lower level's round before the one it promotes to
    levels = {c: orjson.loads(read.contest(c)["levels"]) for c in {e["r"]["contest"] for e in entries}}

    def when(e: dict[str, Any]) -> tuple[str, int, str]:
        order = levels[e["r"]["contest"]]
        return e["r"]["period"], order.index(e["r"]["level"]) if e["r"]["level"] in order else len(order), e["round"]

    entries.sort(key=when)
    rule_sets: dict[tuple[str, int], Any] = {}
    for e in entries:  # a prize by the name its rule set gives it
        ref = (e["r"]["rules_code"], e["r"]["rules_version"])
        if e["award"] and ref not in rule_sets:
            rule_sets[ref] = read.rules(*ref)
        e["award_name"] = next((a.name for a in rule_sets[ref].awards if a.code == e["award"]), None) \
            if e["award"] else None
    history = [(e["r"]["period"], e["rank"], e["round"], e["r"]["level"], len(read.entrant_codes(e["round"])))
               for e in entries if e["rank"] is not None]
    own = org["organization"] in access.organizations(p)
    appeals = []
    if own:  # what the policy lets this account see of each: all of its own, the outcome of another's
        for e in entries:
            view = round_view(e["round"])
            appeals += [seen for seen in (access.appeal_as_seen(p, view, a) for a in read.appeals(e["round"])
                                          if a["entrant"] == org["organization"]) if seen is not None]
    certs = []
    if entries:
        c = read.contest(entries[-1]["r"]["contest"])
        for level in orjson.loads(c["levels"]):
            for cycle in sorted({e["r"]["period"][:4] for e in entries}):
                found = read.certification(org["organization"], level, cycle)
                if found and found["state"] is not None:
                    certs.append(found)
    from projections.comments import comments  # 点评 on this organization, as the reader may see them

    for e in entries:
        view = round_view(e["round"])
        e["comments"] = [c for c in (access.comment_as_seen(p, view, r)
                                     for r in comments(read, e["round"], org["organization"])) if c]
    from projections.tracks import organization_tracks  # 赛道 (section 20.3): its history, and its standings

    tracks, standings = organization_tracks(read, org["organization"], entries)
    from api.web.evidence import organization_evidence  # 荣誉、红旗 (section 19)
    return render_template("organization.html", org=org, entries=entries, own=own, appeals=appeals,
                           certs=certs, chart=charts.rank_history(history, lang(), _word(lang())),
                           cert_step=_cert_step(lang()), tracks=tracks, standings=standings,
                           evidence=organization_evidence(read, p, org["organization"]))


def _cert_step(language: str) -> Any:
    """A step of a certification's history: its states, and what else it records (降星)."""
    from api.web.text import CERT_STEPS

    state = _cert_state(language)
    return lambda step: CERT_STEPS[step][language == "en"] if step in CERT_STEPS else state(step)
