"""The public's pages (公示与星级): published results, how one result came about (审计), the
judges' statistics of a round, and the stars of a contest."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import orjson
from flask import render_template, url_for

from api.rest.errors import lang
from api.rest.security import require, round_view
from api.web import charts
from api.web.hall import screen_context
from api.web.pages import _not_while_judging, _read, _viewer, blp
from domain import access
from projections.tables import ORGANIZATIONS, STANDINGS

# -- audit ---------------------------------------------------------------------------------------


@blp.route("/audit/<code>/<entrant>")
def audit(code: str, entrant: str) -> Any:
    p, view = _viewer(), round_view(code)
    entrant = entrant.strip().upper()
    _not_while_judging(p, view)
    require(access.sees_entrant(p, view, entrant), p, f"see how {entrant}'s result was reached",
            f"查看 {entrant} 的得分明细")
    read = _read()
    explained = read.audit(view.code, entrant)
    checkpoint = read.checkpoint_for(view.code)
    row = read.round(view.code)
    from projections.proofs import ProofUnavailable

    try:  # which of the events shown are proven to be in the log whose head the round's documents print
        proven = read.inclusion_proof(view.code, entrant)
    except ProofUnavailable:
        proven = None
    head = read.head_for(view.code)
    rules = read.rules(explained["rules"]["code"], explained["rules"]["version"])
    marked = {c for s in explained["sheets"] for c in s["marks"]}
    criteria = [(c.code, c.name or c.code) for c in rules.criteria if c.code in marked]
    criteria += [(c, c) for c in sorted(marked - {code for code, _ in criteria})]
    from projections.comments import comments  # 点评 on this entrant, as the reader may see them (never a score)

    said = [c for c in (access.comment_as_seen(p, view, r) for r in comments(read, view.code, entrant)) if c]
    # the round's admins record a leader's comment, correct and withdraw comments, here (until it is final)
    comment_url = (url_for("comments.CommentsResource", code=view.code)
                   if access.manages_round(p, view) and view.status in ("open", "closed", "published") else None)
    return render_template("audit.html", a=explained, checkpoint=checkpoint, criteria=criteria, row=row,
                           comments=said, comment_url=comment_url, times=read.event_times(view.code), head=head, proven=proven,
                           included={e["event"] for e in proven["entries"]} if proven else set(),
                           notice_day=_notice_day(row), **_rule_words(rules, lang()))


def _rule_words(rules: Any, language: str) -> dict[str, Any]:
    """The rule set's codes as words on the audit page: its panel method, each component and
    where its value comes from, each criterion (a tie-breaker names one)."""
    from api.web.text import COMPONENT_NAMES, METHOD_NAMES, SOURCE_NAMES

    en = language == "en"

    def source_name(source: str) -> str:
        return SOURCE_NAMES.get(source, (source, source))[en]

    def component_name(code: str) -> str:
        if code in COMPONENT_NAMES:
            return COMPONENT_NAMES[code][en]
        component = rules.component(code)
        return f"{source_name(component.source)} ({code})" if component else code

    def criterion_name(code: str) -> str:
        criterion = rules.criterion(code)
        return criterion.name if criterion and criterion.name else code

    return {"component_name": component_name, "source_name": source_name, "criterion_name": criterion_name,
            "method_name": lambda method: METHOD_NAMES.get(method, (method, method))[en]}


def _notice_day(row: dict[str, Any]) -> str | None:
    """The day the round's results were (last) published: the notice that prints its head."""
    publicity = orjson.loads(row["publicity"]) if row.get("publicity") else None
    current = (publicity or {}).get("current") or {}
    return current.get("published_on") or current.get("start")


# -- published results and stars -----------------------------------------------------------------


@blp.route("/results")
def results() -> Any:
    p = _viewer()
    read = _read()
    contests = []
    for c in read.contests():
        units = {u["code"]: u["name"] for u in orjson.loads(c["units"])}
        rounds = [r for r in read.rounds(c["contest"]) if r["status"] in access.PUBLIC_RESULTS
                  or access.sees_round(p, round_view(r["round"]))]
        by_level: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in rounds:
            by_level[r["level"]].append({**r, "unit_name": units.get(r["unit"], r["unit"])})
        contests.append({**c, "levels": [(lvl, by_level[lvl]) for lvl in orjson.loads(c["levels"])
                                         if by_level.get(lvl)]})
    return render_template("results.html", contests=contests)


@blp.route("/results/<code>")
def result(code: str) -> Any:
    context = screen_context(code)
    board = context["board"]
    documents = board["status"] in ("closed", "published", "final")
    return render_template("result.html", documents=documents, **context)


@blp.route("/stars/<contest>")
def stars(contest: str) -> Any:
    p = _viewer()
    read = _read()
    c = read.contest(contest)
    from api.rest.resources.contests import manages, visible_certifications

    full = manages(p, c["contest"]) or access.reads_everything(p, c["contest"])
    units = {u["code"]: u for u in orjson.loads(c["units"])}
    organizations = {o["organization"]: o for o in read.store.select(ORGANIZATIONS, {})}
    cycles = sorted({r["period"][:4] for r in read.rounds(c["contest"])})
    boards = []
    for level in orjson.loads(c["levels"]):
        for cycle in cycles:
            rows = visible_certifications(full, c["contest"], level, cycle)
            if not rows:
                continue
            # the annual scores are public (the unit's standings); each row's recommendation is
            # what the reader may see of it: computed for organizers, the initial evaluation's
            # (a recorded step) for everyone else - a recommendation, never a decision
            scores = {s["entrant"]: s["score"] for s in read.store.select(STANDINGS, {"contest": c["contest"],
                                                                                     "period": cycle})
                      if units.get(s["unit"], {}).get("level") == level}
            from api.web.evidence import basis_words, flags_by_organization  # rulebook section 19

            flags = flags_by_organization(read, c["contest"], cycle)
            recommended: dict[str, Counter[int]] = defaultdict(Counter)
            certified: dict[str, Counter[int]] = defaultdict(Counter)
            shown = []
            for r in rows:
                unit = organizations.get(r["organization"], {}).get("unit", "")
                name = units.get(unit, {}).get("name", unit)
                steps = (r.get("history") or {}).get("history") or []
                evaluated = [h["stars"] for h in steps if h["step"] == "initially_evaluated"]
                rec = r.get("computed_stars") if full else (evaluated[-1] if evaluated else None)
                shown.append({**r, "unit_name": name, "score": r.get("score") or scores.get(r["organization"]),
                              "recommended": rec, "flags": flags.get(r["organization"], []),  # 红旗 (rulebook 19.4)
                              "basis_words": basis_words(r.get("basis"), lang()) if full else ""})
                if rec is not None and rec > 0:
                    recommended[name][int(rec)] += 1
                if r["stars"] is not None and r["stars"] > 0:
                    certified[name][int(r["stars"])] += 1
            zh = lang() == "zh"
            boards.append({"level": level, "cycle": cycle, "rows": shown,
                           "recommended_chart": charts.star_distribution(
                               recommended, lang(), "各单位建议星级分布（建议，不是评定结果）" if zh else
                               "Recommended stars per unit (recommendations, not decisions)"),
                           "certified_chart": charts.star_distribution(
                               certified, lang(), "各单位现有星级分布（已审定）" if zh else
                               "Certified stars per unit")})
    from api.web.evidence import flag_state

    return render_template("stars.html", c=c, boards=boards, full=full, flag_state=lambda s: flag_state(s, lang()))


@blp.route("/judges/<code>")
def judge_bias(code: str) -> Any:
    """Each judge's marks against the panel in one round (public once the round is final)."""
    p, view = _viewer(), round_view(code)
    _not_while_judging(p, view)
    require(access.sees_all_marks(p, view), p, f"see the judges' marks of round {view.code}",
            f"查看轮次 {view.code} 的评委打分")
    read = _read()
    rows = [{**r, "flags": _judge_flags(r["why"])} for r in read.judges("round", view.code)]
    sheets = read.sheets(view.code)
    from domain.numbers import show
    from projections.judges import FLAG_DEVIATION, FLAG_MIN_SHEETS, FLAG_TRIMMED_SHARE

    flag_line = {"deviation": show(FLAG_DEVIATION * 100, 0), "trimmed": show(FLAG_TRIMMED_SHARE * 100, 0),
                 "sheets": FLAG_MIN_SHEETS}
    return render_template("judges.html", rows=rows, code=view.code, round=read.round(view.code),
                           chart=charts.judge_bias(sheets, lang()), flag_line=flag_line)


def _judge_flags(why: str | None) -> list[dict[str, str]]:
    """A judge's flags as the read side stores them ("deviation:3.02:3.00; trimmed:100:60",
    projections/judges.py): each one's kind, the judge's value and the line it reached."""
    flags = []
    for item in (why or "").split(";"):
        if item.strip():
            kind, value, limit = item.strip().split(":")
            flags.append({"kind": kind, "value": value, "limit": limit})
    return flags
