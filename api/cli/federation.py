"""``leitai federation``: a city above its counties (市级联动, docs/federation.md).

On a source (county) deployment: ``export`` a final round with proof.  On the city's:
``add`` a source (its URL or an export, and its public key), ``admit`` a source round's
finalists into a round here (proofs checked first; a refused proof admits nothing),
``verify`` every admission again with no network, ``status`` (the province dashboard).
"""

from __future__ import annotations

import json
import sys
import urllib.parse
from pathlib import Path
from typing import Any

from api.cli.context import Context, Mismatch, read_text
from api.federation import fetch, fetch_consistency, is_url, read_summary
from domain.errors import InvalidValue


def _json(text: str, field: str, where: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        raise InvalidValue(field, where, "is not JSON", "不是 JSON") from None


def _key(value: str) -> bytes:
    from api.cli.tlog import public_keys

    return public_keys([value])[0]


# -- the source -------------------------------------------------------------------------------------------


def cmd_export(ctx: Context) -> None:
    from api.cli.readside import current
    from projections.federation import build_export
    from projections.proofs import ProofUnavailable

    read = current(ctx)
    try:
        export = build_export(read, ctx.args.round)
    except ProofUnavailable as error:
        raise InvalidValue("round", ctx.args.round, error.en, error.zh) from None
    finally:
        read.close()
    text = json.dumps(export, ensure_ascii=False, indent=2) + "\n"
    if not ctx.args.out:
        print(text, end="")
        return
    try:
        Path(ctx.args.out).write_text(text, encoding="utf-8")
    except OSError as error:
        raise InvalidValue("--out", ctx.args.out, f"cannot be written ({error.strerror})",
                           f"无法写入（{error.strerror}）") from None
    ctx.say(f"已写入轮次 {export['round']} 的定案结果及证明（{len(export['results'])} 个组织，树头 {export['size']} 条事件）："
            f"{ctx.args.out}\n上级部署：leitai federation admit 轮次 --source 代码 --export {ctx.args.out}",
            f"Wrote round {export['round']}'s final results with proof ({len(export['results'])} entrants, head of "
            f"{export['size']} events) to {ctx.args.out}\nThe deployment above: leitai federation admit ROUND --source "
            f"CODE --export {ctx.args.out}")


# -- the city ---------------------------------------------------------------------------------------------


def cmd_add(ctx: Context) -> None:
    """Register a source deployment: its URL or an export of it, and its public key."""
    from domain.model.federation import AdmissionRefused
    from domain.services.federation import register_source
    from eventstore.notes import log_key
    from projections.federation import signed_head
    from domain.checkpoint import Note, NoteError, b64

    a = ctx.args
    public = _key(a.key)
    url = a.source.rstrip("/") if is_url(a.source) else ""
    if url:
        text = fetch(url + "/api/checkpoint", "source")
    else:
        _, raw = read_text(a.source, "source")
        export = _json(raw, "source", a.source)
        text = export.get("checkpoint") if isinstance(export, dict) else None
        if not isinstance(text, str):
            raise InvalidValue("source", a.source, "holds no signed head: give an export made by `leitai federation "
                               "export`, or the source's URL", "其中没有签名树头：请给出 `leitai federation export` 生成的导出文件或来源网址")
    try:
        origin = Note.parse(text).checkpoint.origin
    except NoteError as error:
        raise InvalidValue("source", a.source, error.en, error.zh) from None
    try:
        note = signed_head(text, origin, public)
    except AdmissionRefused as error:
        raise InvalidValue("--key", a.key, error.fields["why"], error.fields["why_zh"]) from None
    head = note.checkpoint
    from api.cli.tlog import witness_keys

    witnesses = [str(w) for w in witness_keys(a.witness)]
    slug = origin.split("/")[1] if origin.count("/") >= 2 else "SOURCE"
    code = a.code or slug
    name = a.name or slug
    outcome = register_source(ctx.app, code, name, origin, str(log_key(origin, public)), url,
                              {"size": head.size, "root": b64(head.root), "checkpoint": str(note)},
                              a.reason or f"登记来源部署 {name} / registered the source deployment {name}", ctx.actor,
                              tuple(witnesses), a.quorum)
    ctx.recorded(outcome, f"已登记来源部署 {name}（代码 {code.upper()}，日志 {origin}，树头 {head.size} 条事件）",
                 f"Registered the source deployment {name} (code {code.upper()}, log {origin}, head of {head.size} events)")


def _source(ctx: Context, code: str) -> dict[str, Any]:
    from domain.model.federation import SourceNotFound
    from domain.services.federation import state
    from domain.text import entity_code

    f = state(ctx.app)
    code = entity_code(code, "--source")
    if f is None:
        raise SourceNotFound(source=code)
    return dict(f.source(code), heads=[dict(h) for h in f.source(code)["heads"]])


def cmd_admit(ctx: Context) -> None:
    """Import a source round's finalists, with proof, into a round here."""
    from domain.services.federation import admit
    from projections.federation import check_export, choose_rows

    a = ctx.args
    source = _source(ctx, a.source)
    if a.export:
        _, raw = read_text(a.export, "--export")
        export = _json(raw, "--export", a.export)
    elif a.round and source["url"]:
        where = f"{source['url']}/api/federation/export/{urllib.parse.quote(a.round)}"
        export = _json(fetch(where, "--round"), "--round", where)
    else:
        raise InvalidValue("--export", "", "give the source round's export (--export FILE), or its round (--round R) "
                           "for a source registered with a URL", "请用 --export 给出来源轮次的导出文件；来源以网址登记时也可用 --round 给出轮次")
    if a.round and isinstance(export, dict) and export.get("round") != a.round.strip().upper():
        raise InvalidValue("--round", a.round, f"the export is of round {export.get('round')}",
                           f"导出文件属于轮次 {export.get('round')}")
    consistency = read_text(a.consistency, "--consistency")[1] if a.consistency else None
    if consistency is None and source["url"] and isinstance(export, dict):
        consistency = fetch_consistency(source, export)
    checked = check_export(export, source, choose_rows(a.top), consistency)
    outcome = admit(ctx.app, a.into, checked.admission, ctx.actor)
    names = "、".join(f"{e['code']}（{e['name']}，第 {e['rank']} 名）" for e in checked.admission["entrants"])
    names_en = ", ".join(f"{e['code']} ({e['name']}, rank {e['rank']})" for e in checked.admission["entrants"])
    ctx.recorded(outcome, f"核对无误（签名、{1 + len(checked.admission['entrants'])} 个包含证明、一致性），"
                 f"已从 {source['name']} {checked.admission['round']} 轮接收到 {outcome.value['into']}：{names}",
                 f"Proofs hold (signature, {1 + len(checked.admission['entrants'])} inclusion proofs, consistency); "
                 f"admitted from {source['name']} round {checked.admission['round']} into {outcome.value['into']}: "
                 f"{names_en}")


def cmd_verify(ctx: Context) -> None:
    """Check every admission again against the heads it recorded: no network, no source."""
    from domain.services.federation import state
    from projections.federation import recheck

    f = state(ctx.app)
    admissions = f.admissions if f is not None else []
    report = []
    for adm in admissions:
        source = f.sources[adm["source"]]
        problems = recheck(adm, source)
        problems += _entrants_match(ctx, adm)
        report.append({"admission": adm["seq"], "source": adm["source"], "source_name": source["name"],
                       "round": adm["round"], "into": adm["into"], "size": adm["size"],
                       "entrants": [e["code"] for e in adm["entrants"]], "ok": not problems,
                       "problems": [{"en": en, "zh": zh} for en, zh in problems]})
    if ctx.args.json:
        json.dump({"ok": all(r["ok"] for r in report), "admissions": report}, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        for r in report:
            mark = "✓" if r["ok"] else "✗"
            ctx.say(f"{mark} 第 {r['admission']} 次接收：{r['source_name']} {r['round']} 轮 → {r['into']}"
                    f"（{'、'.join(r['entrants'])}；树头 {r['size']} 条事件）",
                    f"{mark} admission {r['admission']}: {r['source_name']} round {r['round']} → {r['into']} "
                    f"({', '.join(r['entrants'])}; head of {r['size']} events)")
            for p in r["problems"]:
                print(ctx.t("不一致 ", "MISMATCH ") + (p["zh"] if ctx.zh else p["en"]), file=sys.stderr)
        ctx.say(f"共核对 {len(report)} 次接收（离线，未联网）" + ("，全部有效。" if all(r["ok"] for r in report) else "，有不一致，见上。"),
                f"{len(report)} admission(s) checked offline" + (": all hold." if all(r["ok"] for r in report)
                                                                 else ": mismatches above."))
    if not all(r["ok"] for r in report):
        raise Mismatch()


def _entrants_match(ctx: Context, adm: dict[str, Any]) -> list[tuple[str, str]]:
    """Each finalist the admission names is in the round here with the source it recorded."""
    from domain.ids import round_id
    from domain.model.round import Round

    round_ = ctx.app.read(lambda s: s.find(round_id(adm["into"]), Round))
    problems = []
    for e in adm["entrants"]:
        record = round_.entrants.get(e["code"]) if round_ is not None else None
        source = record.source if record is not None else {}
        if (source.get("kind"), source.get("admission"), source.get("rank"), source.get("final")) != (
                "federation", adm["seq"], e["rank"], e["final"]):
            problems.append((f"{e['code']} in round {adm['into']} is not recorded as admission {adm['seq']} admitted it",
                             f"轮次 {adm['into']} 中的 {e['code']} 与第 {adm['seq']} 次接收登记的来源不符"))
    return problems


def cmd_list(ctx: Context) -> None:
    from domain.services.federation import state

    f = state(ctx.app)
    sources = list(f.sources.values()) if f is not None else []
    if ctx.args.json:
        json.dump({"sources": [{k: s[k] for k in ("code", "name", "origin", "vkey", "url")} |
                               {"size": max(h["size"] for h in s["heads"])} for s in sources],
                   "admissions": [{k: a[k] for k in ("seq", "source", "round", "into", "size")} |
                                  {"entrants": [e["code"] for e in a["entrants"]]} for a in (f.admissions if f else [])]},
                  sys.stdout, ensure_ascii=False, indent=2)
        print()
        return
    for s in sources:
        size = max(h["size"] for h in s["heads"])
        ctx.say(f"{s['code']}  {s['name']}  {s['origin']}  {s['url'] or '（文件）'}  最近树头 {size} 条事件",
                f"{s['code']}  {s['name']}  {s['origin']}  {s['url'] or '(file)'}  latest head {size} events")
    if not sources:
        ctx.say("尚未登记来源部署。", "No source deployment is registered.")


def cmd_status(ctx: Context) -> None:
    """The province dashboard: every registered source's summary, checked, and which are stale."""
    from domain.services.federation import state

    f = state(ctx.app)
    rows = [read_summary(source, ctx.args.stale_after, ctx.app.clock.now()) for source in
            (f.sources.values() if f is not None else [])]
    if ctx.args.json:
        json.dump({"sources": rows, "stale": [r["code"] for r in rows if r["stale"]]}, sys.stdout,
                  ensure_ascii=False, indent=2)
        print()
        return
    if not rows:
        ctx.say("尚未登记来源部署。", "No source deployment is registered.")
    for r in rows:
        state_zh = "过期" if r["stale"] else "正常"
        ctx.say(f"{r['name']}（{r['code']}）：{state_zh}；{r['why_zh']}", f"{r['name']} ({r['code']}): "
                f"{'STALE' if r['stale'] else 'fresh'}; {r['why']}")
        by_track: dict[tuple[str, str, int, int], int] = {}
        for s in r["stars"]:
            key = (s["cycle"], s["track"], s["stars"], s["recommended"])
            by_track[key] = by_track.get(key, 0) + s["organizations"]
        for (cycle, track, stars, recommended), n in sorted(by_track.items()):
            ctx.say(f"  {cycle} 赛道 {track or '（无）'}：认定 {stars} 星、建议 {recommended} 星 {n} 个",
                    f"  {cycle} track {track or '(none)'}: {n} certified {stars}, recommended {recommended} stars")
