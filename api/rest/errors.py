"""Errors over HTTP, in one place: every refusal becomes ``{"code", "message", "errors"}``
with the status HTTP means, the message in the reader's language (``?lang=``, else
``Accept-Language``, else Chinese).

400 the request is malformed (not JSON, a field of the wrong type, an unknown field)
401 no or bad credentials · 403 not allowed · 404 unknown · 409 in conflict with the
round's state or a concurrent change (or the same idempotent request still running) ·
422 refused by the rules · 429 too many failed sign-ins · 503 the store is unavailable.
No input produces a 500.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Response, jsonify, request
from werkzeug.exceptions import HTTPException

from domain import errors as e

log = logging.getLogger("leitai.http")


class Unauthorized(e.LeitaiError):
    zh = "请先登录（缺少或无效的登录凭据：{why_zh}）。"
    en = "Sign in first (missing or invalid credentials: {why})."


class Forbidden(e.LeitaiError):
    zh = "账号 {account} 无权{action_zh}。"
    en = "Account {account} may not {action}."


class TooManyAttempts(e.LeitaiError):
    zh = "登录失败次数过多，请 {seconds} 秒后再试。"
    en = "Too many failed sign-ins; try again in {seconds} seconds."


class TooManyStreams(e.LeitaiError):
    zh = "实时推送的连接已满（{limit} 个），请几秒后再试，或改为定时刷新排行榜。"
    en = "All {limit} live connections are in use; retry in a few seconds, or poll the board instead."


class KeyReused(e.KeyReused):
    zh = "幂等键 {key} 已用于另一个请求；每个不同的请求请用新的 Idempotency-Key。"
    en = "Idempotency key {key} was used for a different request; use a new Idempotency-Key for each request."


class RequestInProgress(e.LeitaiError):
    zh = "带幂等键 {key} 的同一请求正在处理，请 {seconds} 秒后用同一个键重试，以取得它的结果。"
    en = ("The same request with Idempotency-Key {key} is still being processed; retry it with the same key in "
          "{seconds} seconds to get its answer.")


class NotYetProjected(e.LeitaiError):
    """A read asked for a log position (``Leitai-Position``) this server's read side has not reached."""

    zh = ("本服务器的读取端尚未包含位置 {position} 的记录（目前到 {projected}），请 {seconds} 秒后带同一个 "
          "Leitai-Position 重试。")
    en = ("This server's read side does not include log position {position} yet (it is at {projected}); retry "
          "with the same Leitai-Position in {seconds} s.")


class UnsafeFileName(e.LeitaiError):
    """An uploaded file's name holds a control or invisible character: the request is malformed (400)."""

    zh = "上传的文件名 {file} 含有控制字符或不可见字符，请改名后重新上传。"
    en = "The uploaded file name {file} holds a control or invisible character; rename the file and upload it again."

    def field_errors(self, lang: str = "zh") -> dict[str, str]:
        return {str(self.fields["file"]): self.message(lang)}


CONFLICT = (e.RoundStateError, e.SheetsNotAccepted, e.AlreadyPublished, e.AppealAlreadyRuled, e.NotFinalYet,
            e.ConcurrencyConflict, e.CertificationStateError, e.DuplicateSheet, e.RoundCodeTaken, e.RecordConflict,
            e.RuleSetConflict, e.PeriodAlreadyClosed, e.WorkStateError,
            e.FlagStateError, e.FlagCriteriaNotMet, e.FlagNeedsSecondPerson,  # 红旗 (rulebook 19.4)
            e.CommentAlreadyWithdrawn, e.VotingNotOpen, e.VotingCounted)  # the state of a comment, a ballot box
UNAVAILABLE = (e.StoreError, e.RoundSetAside, e.LogRewritten)


def status_of(error: e.LeitaiError) -> int:
    if isinstance(error, Unauthorized):
        return 401
    if isinstance(error, UnsafeFileName):
        return 400
    if isinstance(error, (Forbidden, e.OutOfScope)):
        return 403
    if isinstance(error, TooManyAttempts):
        return 429
    if isinstance(error, RequestInProgress):
        return 409
    if isinstance(error, e.NotFound):
        return 404
    if isinstance(error, CONFLICT):
        return 409
    if isinstance(error, (*UNAVAILABLE, TooManyStreams, NotYetProjected)):
        return 503
    return 422


def lang() -> str:
    wanted = request.args.get("lang") or request.cookies.get("leitai_lang")
    if not wanted and request.path.startswith("/api/"):  # the pages are Chinese unless switched
        wanted = request.accept_languages.best_match(["zh", "en"])
    return "en" if str(wanted).startswith("en") else "zh"


def body(code: str, message: str, errors: dict[str, Any] | None = None) -> dict[str, Any]:
    return _sendable({"code": code, "message": message, "errors": errors or {}})


def _sendable(value: Any) -> Any:
    """A message may quote what was sent; a lone surrogate ("\\ud800" in JSON) cannot be
    written as UTF-8, so it is quoted as its escape instead."""
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, dict):
        return {_sendable(k): _sendable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_sendable(v) for v in value]
    return value


def leitai_error(error: e.LeitaiError) -> Response:
    response = jsonify(body(type(error).__name__, error.message(lang()), error.field_errors(lang())))
    response.status_code = status_of(error)
    if isinstance(error, (TooManyAttempts, RequestInProgress, NotYetProjected)):
        response.headers["Retry-After"] = str(error.fields["seconds"])
    if isinstance(error, TooManyStreams):
        response.headers["Retry-After"] = "5"
    if isinstance(error, Unauthorized):
        response.headers["WWW-Authenticate"] = 'Bearer realm="leitai"'
    return response


MARSHMALLOW_ZH = {
    "Missing data for required field.": "必须填写",
    "Unknown field.": "未知字段",
    "Not a valid string.": "应为文本",
    "Not a valid integer.": "应为整数",
    "Not a valid boolean.": "应为 true 或 false",
    "Field may not be null.": "不能为空",
    "Not a valid list.": "应为列表",
    "Not a valid mapping type.": "应为对象",
    "Invalid input type.": "类型不符",
    "Invalid input object.": "应为 JSON 对象",
    "Not a valid date.": "应为日期 YYYY-MM-DD",
    "Shorter than minimum length 1.": "不能为空",
    "Invalid JSON body.": "不是有效的 JSON",
    "Not a valid number.": "应为数字",
    "Not a valid email address.": "不是有效的电子邮件地址",
    "Must be one of: ": "应为以下之一：",
}


def _flatten(messages: Any, prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix and key not in ("json", "query", "form", "files", "headers") else (
                prefix or ("" if key in ("json", "query", "form", "files", "headers") else str(key)))
            out.update(_flatten(value, name))
    elif isinstance(messages, list):
        texts = [m for m in messages if isinstance(m, str)]
        if texts:
            out[prefix or "_"] = "；".join(MARSHMALLOW_ZH.get(t, t) for t in texts) if lang() == "zh" else "; ".join(
                texts)
        for i, m in enumerate(messages):
            if not isinstance(m, str):
                out.update(_flatten(m, f"{prefix}[{i}]"))
    else:
        out[prefix or "_"] = str(messages)
    return out


def http_error(error: HTTPException) -> Response:
    """Werkzeug's errors (404 route, 405, 413...) and flask-smorest's aborts, incl. request
    validation (a malformed request: 400)."""
    data = getattr(error, "data", None) or {}
    status = error.code or 500
    if status == 422 and "messages" in data:  # webargs: the request did not match its schema
        status = 400
    errors = _flatten(data.get("messages") or data.get("errors") or {})
    zh = lang() == "zh"
    if status == 400:
        message = ("请求格式有误：" if zh else "Malformed request: ") + ("；" if zh else "; ").join(
            f"{k}：{v}" if zh else f"{k}: {v}" for k, v in errors.items()) if errors else (
            "请求格式有误（应为 JSON）" if zh else "Malformed request (expected JSON)")
        code = "Malformed"
    elif status == 404:
        message, code = ("没有这个地址。" if zh else "No such address."), "NotFound"
    elif status == 405:
        message, code = ("该地址不支持这种请求方法。" if zh else "That method is not allowed here."), "MethodNotAllowed"
    elif status == 413:
        from flask import current_app

        limit = current_app.config.get("MAX_CONTENT_LENGTH")
        message, code = (("请求过大" + (f"（上限 {limit:,} 字节）" if limit else "") + "。") if zh else
                         ("The request is too large" + (f" (the limit is {limit:,} bytes)" if limit else "") + ".")
                         ), "TooLarge"
    elif status >= 500:
        log.error("HTTP %s: %s", status, error)
        message, code = ("服务器内部错误，未登记任何不完整的内容；请重试，仍失败请联系系统管理员。" if zh else
                         "Internal error; nothing partial was recorded. Retry, and tell the administrator if it "
                         "persists."), "Internal"
    else:
        message, code = (data.get("message") or error.description or error.name), error.name.replace(" ", "")
    response = jsonify(body(code, message, errors))
    response.status_code = status
    return response


def unexpected(error: Exception) -> Response:
    """The last line of defence: a store that failed under a request is a 503; anything
    else a 500 with a message (and the details in the server's log), never a traceback page."""
    name = type(error).__module__
    if name.startswith(("eventsourcing", "psycopg", "sqlite3")):
        log.warning("store error: %s", error)
        response = jsonify(body("StoreUnavailable", "数据库暂时不可用，请稍后重试。" if lang() == "zh" else
                                "The database is unavailable for now; retry shortly."))
        response.status_code = 503
        return response
    log.exception("unexpected error")
    response = jsonify(body("Internal", "服务器内部错误，未登记任何不完整的内容；请重试，仍失败请联系系统管理员。"
                            if lang() == "zh" else "Internal error; nothing partial was recorded. Retry, and tell "
                            "the administrator if it persists."))
    response.status_code = 500
    return response
