"""Pages of honours, platform data and flags (五面红旗) side by side with the stars (rulebook
section 19): the flags page of a contest and cycle, and what the organization and stars pages
show of honours, flags and the evidence of a recommendation."""

from __future__ import annotations

from typing import Any

from flask import render_template

from api.rest.errors import lang
from api.web.pages import _read, _viewer, blp
from domain import access
from domain.rules.flags import describe
from domain.rules.star_evidence import HONOUR_LEVEL_ZH
from projections import evidence
from projections.evidence import basis_words  # noqa: F401 - the stars page's words

FLAG_STATE_EN = {"nominated": "Nominated", "assessed": "Assessed", "awarded": "Awarded", "declined": "Declined",
                 "revoked": "Revoked"}


def flag_state(state: str, language: str) -> str:
    from domain.model.flag import STATE_ZH

    return STATE_ZH.get(state, state) if language == "zh" else FLAG_STATE_EN.get(state, state)


def honour_level(level: str, language: str) -> str:
    return HONOUR_LEVEL_ZH.get(level, level) if language == "zh" else level


def criteria_words(flag: dict[str, Any], language: str) -> list[str]:
    """Each criterion of a flag's last assessment in words ([] when it was not assessed)."""
    return [describe(r, language) for r in flag.get("results") or []]


def sees_evidence(p: Any, contest: str, organization: str | None = None) -> bool:
    """Organizers and auditors see the criteria results of every flag; an organization its own."""
    from api.rest.resources.contests import manages

    return manages(p, contest) or access.reads_everything(p, contest) or (
        organization is not None and organization in access.organizations(p))


def flags_by_organization(read: Any, contest: str, cycle: str) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for f in evidence.flags(read, contest, cycle):
        out.setdefault(f["organization"], []).append(f)
    return out


def organization_evidence(read: Any, p: Any, code: str) -> dict[str, Any]:
    """What the organization page shows of section 19: its honours, and its flags by cycle."""
    language = lang()
    flags = evidence.organization_flags(read, code)
    for f in flags:
        f["state_name"] = flag_state(f["state"], language)
        f["criteria"] = criteria_words(f, language) if sees_evidence(p, f["contest"], code) else []
    honours = evidence.honours(read, code)
    for h in honours:
        h["level_name"] = honour_level(h["level"], language)
    return {"honours": honours, "flags": flags}


@blp.route("/flags/<contest>/<cycle>")
def flags_page(contest: str, cycle: str) -> Any:
    """Every flag of a contest's cycle: its state and its criteria in words, organization by organization."""
    p = _viewer()
    read = _read()
    c = read.contest(contest)
    language = lang()
    rows = evidence.flags(read, c["contest"], cycle)
    for f in rows:
        f["state_name"] = flag_state(f["state"], language)
        f["criteria"] = criteria_words(f, language) if sees_evidence(p, c["contest"], f["organization"]) else []
    return render_template("flags.html", c=c, cycle=cycle, rows=rows)
