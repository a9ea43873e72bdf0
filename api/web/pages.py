"""The pages: each reads the read models through the hub and asks the access policy
exactly as the API does (a page never shows what the API would refuse its reader)."""

from __future__ import annotations

import base64
import gzip
import hashlib
import re
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import orjson
from flask import Blueprint, Response, g, redirect, render_template, request, url_for
from markupsafe import Markup

from api.rest.base import hub
from api.rest.errors import TooManyAttempts, Unauthorized, lang
from api.rest.security import COOKIE, TOKEN_HOURS, principal, round_view, sign_in
from api.web.text import CERT_STATE_EN, STATE_NAMES, WORDS, translate
from domain import access

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
        units = {u["code"]: u["name"] for u in orjson.loads(c["units"])}
        rounds = []
        for r in read.rounds(c["contest"]):
            view = round_view(r["round"])
            if access.sees_round(p, view) or access.manages_round(p, view) or access.judge_code(p, view):
                rounds.append({**r, "judging": access.judge_code(p, view) is not None and r["status"] == "open",
                               "visible": access.sees_round(p, view), "unit_name": units.get(r["unit"], r["unit"])})
        contests.append({**c, "rounds": rounds})
    return render_template("home.html", contests=contests)
