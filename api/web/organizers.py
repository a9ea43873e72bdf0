"""The organizers' pages (管理): the console of every contest and of one, and the replay of a
contest's rounds under other rules."""

from __future__ import annotations

from typing import Any

import orjson
from flask import render_template

from api.rest.errors import lang
from api.rest.security import refuse, round_view
from api.web.pages import _read, _viewer, blp
from domain import access
from projections.tables import ORGANIZATIONS

# -- the organizer console -----------------------------------------------------------------------


def _console_reader() -> Any:
    p = _viewer()
    if not (p.roles("admin") or p.is_auditor):
        raise refuse(p, "use the organizer console", "使用管理页面")
    return p


@blp.route("/console")
def console() -> Any:
    p = _console_reader()
    read = _read()
    from api.rest.resources.contests import manages

    contests = [c for c in read.contests() if manages(p, c["contest"]) or access.reads_everything(p, c["contest"])
                or any(access.manages_round(p, round_view(r["round"])) for r in read.rounds(c["contest"]))]
    return render_template("console.html", contests=contests, may_import=bool(p.roles("admin")))


@blp.route("/console/<contest>")
def console_contest(contest: str) -> Any:
    p = _console_reader()
    read = _read()
    c = read.contest(contest)
    from api.rest.resources.contests import manages

    rounds = []
    for r in read.rounds(c["contest"]):
        view = round_view(r["round"])
        if access.manages_round(p, view) or access.reads_everything(p, c["contest"]):
            rounds.append({**r, "manages": access.manages_round(p, view),
                           "judges_list": orjson.loads(r["judges"] or "[]"),
                           "publicity_doc": orjson.loads(r["publicity"]) if r["publicity"] else None})
    codes = {r["round"] for r in rounds}
    appeals = sorted((a for a in read.appeals(contest=c["contest"]) if a["round"] in codes),
                     key=lambda a: (a["decision"] is not None, a["round"], a["appeal"]))
    levels = orjson.loads(c["levels"])
    cycles = sorted({r["period"][:4] for r in rounds})
    certifications = {(level, cycle): read.certifications(c["contest"], level, cycle)
                      for level in levels for cycle in cycles}
    certifications = {k: v for k, v in certifications.items() if v}
    from api.rest.base import leitai

    finals = {r["round"] for r in rounds if r["status"] == "final"}
    judges, promotes, promoted = leitai().read(lambda s: _judges_and_promotions(s, c["contest"], finals, read))
    for r in rounds:  # a final round offers its promotion only until it has promoted (then: done, and where to)
        r["promotes_to"], r["promoted"] = promotes.get(r["round"]), r["round"] in promoted
    from api.web.ballots import voting_rounds  # 投票: the rounds whose rules have [voting] get a counting desk

    with_voting = voting_rounds([r["round"] for r in rounds])
    for r in rounds:
        r["voting"] = r["round"] in with_voting
    assessment_periods = []
    if manages(p, c["contest"]) or access.reads_everything(p, c["contest"]):  # secretaries' results: not for all
        from domain.rules.standings import periods_of

        found = {q for r in rounds if r["status"] == "final" for q in periods_of(r["period"])}
        assessment_periods = [(q, period_words(q, lang())) for q in
                              sorted(found, key=lambda q: (q[:4], len(q) > 4, "Q" not in q, q))]
    from projections.tracks import tracks  # 赛道 (section 20): each round's track by its name

    track_names = {t["track"]: t["name"] for t in tracks(read, c["contest"])}
    return render_template("console_contest.html", c=c, rounds=rounds, appeals=appeals, track_names=track_names,
                           assessment_periods=assessment_periods,
                           certifications=certifications, judges=judges,
                           manages_contest=manages(p, c["contest"]), shown={r["round"] for r in rounds},
                           acceptance=_acceptance(p, c, levels, certifications))


def _judges_and_promotions(s: Any, contest: str, finals: set[str], read: Any) -> tuple[list[Any], dict[str, str],
                                                                                     set[str]]:
    """The contest's judges; the round each round promotes to; which final rounds have promoted
    (their finalists are in the round above; one that promoted nobody, by its own events)."""
    found = s.contest(contest)
    promotes = {code: e.promotes_to for code, e in found.rounds.items() if e.promotes_to}
    sources: set[str] = set()
    from domain.errors import RoundNotFound, RoundSetAside

    for target in set(promotes.values()):
        try:
            admitted = read.finalists(target)
        except (RoundNotFound, RoundSetAside):  # the round above not (yet) on the read side: nobody admitted
            admitted = []
        sources |= {f["source_round"] for f in admitted}
    promoted = {code for code in finals if code in promotes
                and (code in sources or promotes[code] in s.round(code).promotions)}
    return sorted(found.judges.values(), key=lambda j: j.code), promotes, promoted


def _acceptance(p: Any, c: dict[str, Any], levels: list[str],
                certifications: dict[tuple[str, str], list[dict[str, Any]]]) -> dict[str, Any]:
    """For accepting a unit's star recommendations in one step: the units the reader may
    certify (those at or above each level), and each organization's unit and the units above it."""
    from api.rest.resources.contests import _unit_path

    units = orjson.loads(c["units"])
    paths = {u["code"]: _unit_path(c["contest"], u["code"]) for u in units}
    org_units = {o["organization"]: o["unit"] for o in _read().store.select(ORGANIZATIONS, {})}
    choices = {}
    for level, _cycle in certifications:
        at = levels.index(level) if level in levels else 0
        choices[level] = [u for u in sorted(units, key=lambda u: (-levels.index(u["level"])
                                                                  if u["level"] in levels else 0, u["code"]))
                          if u["level"] in levels and levels.index(u["level"]) >= at
                          and access.may_certify(p, c["contest"], paths[u["code"]])]
    return {"units": choices, "paths": {org: " ".join(paths.get(unit, [unit])) for org, unit in org_units.items()}}


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def period_words(period: str, language: str) -> str:
    """A period as people say it: 2025 年 5 月 / May 2025, 2025 年第 2 季度 / Q2 2025."""
    year, _, rest = period.partition("-")
    zh = language.startswith("zh")
    if not rest:
        return f"{year} 年" if zh else year
    if rest.startswith("Q"):
        return f"{year} 年第 {rest[1:]} 季度" if zh else f"{rest} {year}"
    return f"{year} 年 {int(rest)} 月" if zh else f"{MONTHS[int(rest) - 1]} {year}"


@blp.route("/console/<contest>/replay")
def replay(contest: str) -> Any:
    p = _console_reader()
    c = _read().contest(contest)
    from api.rest.resources.contests import manages

    return render_template("replay.html", c=c, may_adopt=manages(p, c["contest"]))
