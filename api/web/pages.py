"""The pages: each reads the read models through the hub and asks the access policy
exactly as the API does (a page never shows what the API would refuse its reader)."""

from __future__ import annotations

import base64
import gzip
import hashlib
import re
import secrets
from collections import Counter, defaultdict
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import orjson
from flask import Blueprint, Response, g, redirect, render_template, request, url_for
from markupsafe import Markup

from api.rest.base import hub
from api.rest.errors import TooManyAttempts, Unauthorized, lang
from api.rest.security import COOKIE, TOKEN_HOURS, principal, refuse, require, round_view, sign_in
from api.web import charts
from api.web.text import CERT_STATE_EN, WORDS, STATE_NAMES, translate
from domain import access
from projections.tables import ENTRIES, ORGANIZATIONS, STANDINGS

blp = Blueprint("web", __name__, template_folder="templates", static_folder="static",
                static_url_path="/static/web")


# -- the stylesheet and the scripts, inside each page ---------------------------------------------
# A phone on a slow line pays a round trip for every file a page asks for; the stylesheet
# and the scripts are small, so each page carries the ones it uses in its own answer (one
# request, compressed).  The policy lets exactly these texts run (by their SHA-256), nothing
# else inline: no attribute, no other script or style element.

STATIC = Path(__file__).resolve().parent / "static"
INLINE = ("leitai.css", "leitai.js", "judge.js", "screen.js", "replay.js", "console.js")


def _asset(name: str) -> str:
    text = (STATIC / name).read_text(encoding="utf-8")
    if re.search(r"</(script|style)|<!--", text, re.IGNORECASE):  # would end (or confuse) its element
        raise ValueError(f"{name} cannot be inlined: it holds '</script', '</style' or '<!--'")
    return text


def _digest(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


ASSETS = {name: _asset(name) for name in INLINE}
SCRIPTS = " ".join(_digest(text) for name, text in ASSETS.items() if name.endswith(".js"))
STYLES = " ".join(_digest(text) for name, text in ASSETS.items() if name.endswith(".css"))
SECURITY_HEADERS = {
    # everything from this server; inline, only our own stylesheet and scripts (by hash) - no
    # other inline script or style can run, nothing is loaded from elsewhere
    "Content-Security-Policy": f"default-src 'self'; script-src 'self' {SCRIPTS}; style-src 'self' {STYLES}; "
                               "img-src 'self' data:; connect-src 'self'; worker-src 'self'; frame-ancestors 'none'; "
                               "base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
COMPRESS_FROM = 1024  # bytes: a smaller page is sent as it is


@blp.app_template_global("inline_asset")
def inline_asset(name: str) -> Markup:
    """The text of one of our own static files, for a <style> or <script> element."""
    return Markup(ASSETS[name])  # our own file, checked by _asset and allowed by its hash


def masked(token: str) -> str:
    """The session token as the page carries it: under a fresh random pad on every answer, so
    that compressing pages never lets an eavesdropper guess it byte by byte (BREACH);
    leitai.js takes the pad off."""
    data = token.encode("utf-8")
    pad = secrets.token_bytes(len(data))
    return (base64.urlsafe_b64encode(pad).decode("ascii") + "."
            + base64.urlsafe_b64encode(bytes(a ^ b for a, b in zip(data, pad, strict=True))).decode("ascii"))


# -- the frame of every page ----------------------------------------------------------------------


@blp.app_context_processor
def frame() -> dict[str, Any]:
    if not _is_page():
        return {}
    language = lang()
    p = _viewer()
    cookie = request.cookies.get(COOKIE)
    return {"_": translate(language), "lang": language, "viewer": p, "state_name": _state_name(language),
            "word": _word(language),
            "cert_state": _cert_state(language),
            "token": masked(cookie) if cookie and not p.public else "",
            "other_lang": "en" if language == "zh" else "zh", "nav": _nav(p), "here": request.full_path.rstrip("?")}


@blp.after_request
def remember_language(response: Response) -> Response:
    wanted = request.args.get("lang")
    if wanted in ("zh", "en"):
        response.set_cookie("leitai_lang", wanted, max_age=365 * 86400, samesite="Lax")
    if g.pop("forget_token", False):
        response.delete_cookie(COOKIE)
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if response.mimetype == "text/html":
        # a signed-in page carries the (masked) session token: never kept by a browser or proxy
        # cache; a public page is always asked for again, so a screen never shows an old state
        response.headers.setdefault("Cache-Control", "no-store" if request.cookies.get(COOKIE) else "no-cache")
    return compressed(response)


def compressed(response: Response) -> Response:
    """A page (HTML) gzipped for a browser that takes it: a judge's page shrinks to a sixth,
    which is what a phone on a slow line waits for."""
    response.vary.add("Accept-Encoding")
    if (response.mimetype != "text/html" or response.direct_passthrough or response.is_streamed
            or "Content-Encoding" in response.headers or response.status_code in (204, 304)
            or not request.accept_encodings["gzip"]):
        return response
    data = response.get_data()
    if len(data) < COMPRESS_FROM:
        return response
    response.set_data(gzip.compress(data, compresslevel=6, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    return response


def _is_page() -> bool:
    return not request.path.startswith("/api/")


def _viewer() -> Any:
    """Who reads the page; an expired or voided session cookie just makes a public reader."""
    try:
        return principal()
    except Unauthorized:
        g.forget_token = True
        from domain.access import Principal

        g.principal = Principal(None)
        return g.principal


def _lookup(table: dict[str, tuple[str, str]], language: str) -> Any:
    """A code as words from a (Chinese, English) table; an unknown code as it is."""
    return lambda code: table.get(code, (code, code))[language == "en"] if code else ""


def _word(language: str) -> Any:
    """Promotion outcomes, reasons, levels, what happened to a sheet."""
    return _lookup(WORDS, language)


def _state_name(language: str) -> Any:
    return _lookup(STATE_NAMES, language)


def _cert_state(language: str) -> Any:
    from domain.model.certification import STATE_ZH

    def name(state: str | None) -> str:
        if state is None:
            return "—"
        return STATE_ZH.get(state, state) if language == "zh" else CERT_STATE_EN.get(state, state)

    return name


def _nav(p: Any) -> list[tuple[str, str]]:
    items = [("web.home", "首页"), ("web.results", "公示与星级")]
    if p.roles("judge"):
        items.append(("web.judge_rounds", "评委打分"))
    if p.roles("organization"):
        items.append(("web.my_organization", "本组织"))
    if p.roles("admin") or p.is_auditor:
        items.append(("web.console", "管理"))
    return items


def error_page(status: int, code: str, message: str) -> Response:
    """An error met on a page: the page's frame with the message (and the way back); an
    expired session goes to the sign-in page and back."""
    if status == 401 and request.method == "GET":
        g.forget_token = True
        response = redirect(url_for("web.login", next=request.full_path.rstrip("?")))
        response.delete_cookie(COOKIE)
        return response
    html = render_template("error.html", status=status, code=code, message=message)
    response = Response(html, status=status, mimetype="text/html")
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _read() -> Any:
    return hub().read()


def _seen(code: str) -> Any:
    from api.rest.resources.rounds import seen

    return seen(code)


def _not_while_judging(p: Any, view: Any) -> None:
    from api.rest.resources.rounds import not_while_judging

    not_while_judging(p, view)


# -- signing in ---------------------------------------------------------------------------------


def _safe_next(target: str | None) -> str:
    parts = urlsplit(target or "")
    if not target or parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("web.home")
    return target


@blp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    error = None
    name = ""
    if request.method == "POST":
        name = (request.form.get("name") or "").strip()[:100]
        try:
            _, token, seconds = sign_in(name, request.form.get("password") or "")
        except (Unauthorized, TooManyAttempts) as failure:  # shown on the form
            error = failure.message(lang())
        else:
            response = redirect(_safe_next(request.args.get("next")))
            response.set_cookie(COOKIE, token, max_age=min(seconds, TOKEN_HOURS * 3600), httponly=True,
                                samesite="Strict", secure=request.is_secure)
            return response
    return render_template("login.html", error=error, name=name), 401 if error else 200


@blp.route("/logout", methods=["POST"])
def logout() -> Any:
    response = redirect(url_for("web.home"))
    response.delete_cookie(COOKIE)
    return response


# -- home ----------------------------------------------------------------------------------------


@blp.route("/")
def home() -> Any:
    p = _viewer()
    read = _read()
    contests = []
    for c in read.contests():
        rounds = []
        for r in read.rounds(c["contest"]):
            view = round_view(r["round"])
            if access.sees_round(p, view) or access.manages_round(p, view) or access.judge_code(p, view):
                rounds.append({**r, "judging": access.judge_code(p, view) is not None and r["status"] == "open",
                               "visible": access.sees_round(p, view)})
        contests.append({**c, "rounds": rounds})
    return render_template("home.html", contests=contests)


# -- the big screen ------------------------------------------------------------------------------


def _board(code: str) -> tuple[Any, dict[str, Any]]:
    view = _seen(code)
    _, body = hub().board(view.code, "any", lambda read: read.leaderboard(view.code))
    return view, orjson.loads(body)


def _screen_context(code: str) -> dict[str, Any]:
    view, board = _board(code)
    read = _read()
    units = {u["code"]: u["name"] for u in orjson.loads(read.contest(board["contest"])["units"])}
    finalists = {f["entrant"]: f for f in read.finalists(view.code)}
    return {"board": board, "units": units, "finalists": finalists, "code": view.code,
            "shows_scores": access.sees_round(principal(), view)}


@blp.route("/screen/<code>")
def screen(code: str) -> Any:
    return render_template("screen.html", **_screen_context(code))


@blp.route("/screen/<code>/table")
def screen_table(code: str) -> Any:
    """The screen's changing part, fetched again on each pushed change."""
    return render_template("screen_table.html", **_screen_context(code))


# -- judging -------------------------------------------------------------------------------------


def _judging(p: Any) -> list[tuple[dict[str, Any], str]]:
    out = []
    for r in _read().rounds():
        me = access.judge_code(p, round_view(r["round"]))
        if me is not None:
            out.append((r, me))
    return out


@blp.route("/judge")
def judge_rounds() -> Any:
    p = _viewer()
    if p.public:
        raise Unauthorized(why="this needs an account", why_zh="此操作需要登录")
    return render_template("judge_rounds.html", rounds=_judging(p))


@blp.route("/judge/sw.js")
def judge_worker() -> Any:
    """The judge's pages without a network (static/judge-sw.js says what it keeps, for whom and
    why): its scope is /judge, the rounds list and each round's page; always asked for again."""
    response = blp.send_static_file("judge-sw.js")
    response.content_type = "text/javascript; charset=utf-8"
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/judge"
    return response


@blp.route("/judge/<code>")
def judge_round(code: str) -> Any:
    p, view = _viewer(), round_view(code)
    me = access.judge_code(p, view)
    require(me is not None, p, f"score round {view.code}", f"为轮次 {view.code} 打分")
    read = _read()
    row = read.round(view.code)
    rules = read.rules(row["rules_code"], row["rules_version"])
    entrants = read.store.select(ENTRIES, {"round": view.code}, order="entrant")
    mine = {s["entrant"]: s for s in read.sheets(view.code) if s.get("judge") == me}
    criteria = [{"code": c.code, "name": c.name or c.code, "max": _plain(c.max)} for c in rules.criteria]
    totals = {e: str(sum((Decimal(v) for v in s["marks"].values()), Decimal(0))) for e, s in mine.items()}
    return render_template("judge_round.html", round=row, me=me, criteria=criteria, entrants=entrants, mine=mine,
                           totals=totals,
                           decimals=rules.mark_decimals, judge_name=p.display_name or p.name)


def _plain(value: Any) -> str:
    """A rule's maximum as written (the rulebook allows only finite decimals)."""
    f = Fraction(value)
    if f.denominator == 1:
        return str(f.numerator)
    return format((Decimal(f.numerator) / Decimal(f.denominator)).normalize(), "f")


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
    return render_template("audit.html", a=explained, checkpoint=checkpoint, criteria=criteria, row=row,
                           times=read.event_times(view.code), head=head, proven=proven,
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
    return render_template("console_contest.html", c=c, rounds=rounds, appeals=appeals,
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


@blp.route("/console/<contest>/replay")
def replay(contest: str) -> Any:
    p = _console_reader()
    c = _read().contest(contest)
    from api.rest.resources.contests import manages

    return render_template("replay.html", c=c, may_adopt=manages(p, c["contest"]))


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
    context = _screen_context(code)
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
                              "recommended": rec})
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
    return render_template("stars.html", c=c, boards=boards, full=full)


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
    return render_template("organization.html", org=org, entries=entries, own=own, appeals=appeals,
                           certs=certs, chart=charts.rank_history(history, lang(), _word(lang())),
                           cert_step=_cert_step(lang()))


def _cert_step(language: str) -> Any:
    """A step of a certification's history: its states, and what else it records (降星)."""
    from api.web.text import CERT_STEPS

    state = _cert_state(language)
    return lambda step: CERT_STEPS[step][language == "en"] if step in CERT_STEPS else state(step)
