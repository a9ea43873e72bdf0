"""市级联动 / federation: what the city's command line and server read from a source
deployment over HTTP (its signed head, exports, consistency proofs, summaries), and the
province dashboard's reading of each source (docs/federation.md)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from domain.errors import InvalidValue

TIMEOUT = 15  # seconds for each request to a source
MAX_ANSWER = 20_000_000  # bytes: an export of a few thousand entrants


def is_url(value: str) -> bool:
    return value.startswith(("http://", "https://"))


def fetch(url: str, field: str) -> str:
    request = urllib.request.Request(url, headers={"User-Agent": "leitai-federation"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:  # noqa: S310 - an operator's URL
            return answer.read(MAX_ANSWER).decode("utf-8")
    except urllib.error.HTTPError as error:
        body = error.read(4000).decode("utf-8", "replace")
        try:
            message = json.loads(body).get("message") or body
        except ValueError:
            message = body
        raise InvalidValue(field, url, f"the source answered {error.code}: {message}",
                           f"来源部署答复 {error.code}：{message}") from None
    except (urllib.error.URLError, OSError, UnicodeDecodeError) as error:
        raise InvalidValue(field, url, f"cannot be reached ({getattr(error, 'reason', error)}): check the URL and that "
                           "the source's server runs", f"无法访问（{getattr(error, 'reason', error)}）：请检查网址及来源服务器是否运行") \
            from None


def fetch_consistency(source: dict[str, Any], export: dict[str, Any]) -> str | None:
    """The consistency proof between the export's head and the largest seen, from the source."""
    from domain.checkpoint import Note, NoteError

    try:
        size = Note.parse(str(export.get("checkpoint"))).checkpoint.size
    except NoteError:
        return None  # the check says what is wrong with the head
    seen = max(h["size"] for h in source["heads"])
    if size == seen:
        return None
    low, high = sorted((size, seen))
    return fetch(f"{source['url']}/api/proof/consistency?from={low}&to={high}", "consistency")


def read_summary(source: dict[str, Any], stale_after: float, now: Any) -> dict[str, Any]:
    """Fetch a source's summary, check its head (signature, consistency with the heads seen
    from it), and say whether it is stale: unreachable, refused, or older than ``stale_after`` hours."""
    from datetime import datetime

    from domain.checkpoint import VerifierKey
    from domain.model.federation import AdmissionRefused
    from projections.federation import consistent, signed_head

    out: dict[str, Any] = {"code": source["code"], "name": source["name"], "url": source["url"], "stale": True,
                           "size": None, "as_of": None, "stars": []}
    if not source["url"]:
        return {**out, "why": "registered from a file: no URL to read", "why_zh": "以文件登记，没有可读取的网址"}
    try:
        answer = json.loads(fetch(source["url"] + "/api/federation/summary", "source"))
        key = VerifierKey.parse(source["vkey"])
        note = signed_head(answer.get("checkpoint"), source["origin"], key.public)
        seen = max(source["heads"], key=lambda h: h["size"])
        proof = None
        if note.checkpoint.size != seen["size"]:
            low, high = sorted((note.checkpoint.size, seen["size"]))
            proof = fetch(f"{source['url']}/api/proof/consistency?from={low}&to={high}", "source")
        consistent(seen, note, proof, source["origin"], key.public)
    except InvalidValue as error:
        return {**out, "why": f"not reachable: {error.message('en')}", "why_zh": f"无法访问：{error.message('zh')}"}
    except (ValueError, AttributeError):
        return {**out, "why": "its answer is not a summary", "why_zh": "其答复不是摘要"}
    except AdmissionRefused as error:
        return {**out, "why": f"refused: {error.message('en')}", "why_zh": f"拒绝：{error.message('zh')}"}
    as_of = datetime.fromisoformat(str(answer.get("as_of")))
    age = (now - as_of).total_seconds() / 3600 if as_of.tzinfo and now.tzinfo else float("inf")
    stale = age > stale_after
    return {**out, "stale": stale, "size": note.checkpoint.size, "as_of": answer["as_of"], "stars": answer["stars"],
            "why": f"head of {note.checkpoint.size} events (signed, consistent), summary {age:.1f} h old",
            "why_zh": f"树头 {note.checkpoint.size} 条事件（签名有效、与此前一致），摘要 {age:.1f} 小时前"}
