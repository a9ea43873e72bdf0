"""Command-line commands of the read side: projections, views, replay, verification."""

from __future__ import annotations

import json
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from api.cli import render
from api.wiring import ensure_migrated, store_from_env
from domain.errors import InvalidValue
from domain.rules.ruleset import parse_ruleset
from projections.queries import ReadModels
from projections.replay import Selection, replay
from projections.runner import Projector, print_progress
from projections.source import EventSource
from projections.verify import export_events, fold_store, verify_export, verify_folder


def _store(ctx: Any) -> Any:
    store = store_from_env(ctx.args.db)
    ensure_migrated(store)
    return store


def current(ctx: Any) -> ReadModels:
    """The read models, first brought up to the last recorded event (read-your-writes for
    the command line; a running `leitai projections run` keeps them current anyway)."""
    store = _store(ctx)
    projector = Projector(store)
    try:
        if projector.source.last_position() > projector.read.state()[1]:
            projector.load()
            projector.catch_up()
    finally:
        projector.close()
    return ReadModels(store)


def _json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


T = TypeVar("T")


def view(ctx: Any, query: Callable[[ReadModels], T]) -> T | None:
    """Ask the (current) read models; with --json print the answer and return None."""
    read = current(ctx)
    try:
        data = query(read)
    finally:
        read.close()
    if getattr(ctx.args, "json", False):
        _json(data)
        return None
    return data


# -- projections ---------------------------------------------------------------------------


def cmd_projections_run(ctx: Any) -> None:
    store = _store(ctx)
    projector = Projector(store, batch_size=ctx.args.batch_size)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    ctx.say(f"投影进程已启动（{store.display}），按 Ctrl-C 停止。",
            f"Projecting {store.display}; Ctrl-C stops.")
    try:
        projector.run(stop)
    except KeyboardInterrupt:
        pass
    finally:
        projector.close()


def cmd_projections_rebuild(ctx: Any) -> None:
    store = _store(ctx)
    projector = Projector(store)
    try:
        report = projector.rebuild(print_progress)
    finally:
        projector.close()
    phases = ", ".join(f"{k} {v:.2f}s" for k, v in report.phases.items())
    ctx.say(f"读模型已重建：{report.events:,} 条事件，{report.rows:,} 行，用时 {report.seconds:.2f} 秒"
            f"（{report.rate:,.0f} 条/秒；{phases}）。已切换到第 {report.generation} 代，位置 {report.position}。",
            f"Read models rebuilt: {report.events:,} events, {report.rows:,} rows in {report.seconds:.2f}s "
            f"({report.rate:,.0f} events/s; {phases}); now generation {report.generation} at {report.position}.")


def cmd_projections_status(ctx: Any) -> None:
    store = _store(ctx)
    source = EventSource(store)
    read = ReadModels(store)
    try:
        generation, position = read.store.state()
        last = source.last_position()
    finally:
        source.close()
        read.close()
    ctx.say(f"读模型：第 {generation} 代，已处理到 {position}；事件日志最新 {last}；落后 {last - position} 条。",
            f"Read models: generation {generation} at {position}; log at {last}; {last - position} behind.")


# -- views ----------------------------------------------------------------------------------


def cmd_board(ctx: Any) -> None:
    board = view(ctx, lambda read: read.leaderboard(ctx.args.round))
    if board is None:
        return
    zh = ctx.zh
    head = (f"{board['round']} · {render.status_text(board['status'], ctx.lang)} · "
            + (("暂定名次（评分进行中）" if zh else "provisional (scoring)") if board["provisional"]
               else (f"封存 {board['seal']}" if zh else f"seal {board['seal']}")))
    rows = [[("-" if e["rank"] is None else f"{e['rank']}{'=' if e['tied'] else ''}"), e["entrant"], e["name"],
             f"{e['sheets_in']}/{e['sheets_expected']}", e["final"] or "-", board["awards"].get(e["award"], ""),
             render.label(e["promotion"], ctx.lang)] for e in board["entries"]]
    print(head)
    print(render.table(["名次" if zh else "Rank", "组织" if zh else "Entrant", "名称" if zh else "Name",
                        "评分表" if zh else "Sheets", "得分" if zh else "Score", "奖项" if zh else "Award",
                        "晋级" if zh else "Promotion"], rows, right=[0, 3, 4]))


def cmd_audit(ctx: Any) -> None:
    x = view(ctx, lambda read: read.audit(ctx.args.round, ctx.args.entrant))
    if x is None:
        return
    print(render.explain_text(x, ctx.lang))
    if x["history"]:
        print()
        print("评分表记录：" if ctx.zh else "Sheet history:")
        kinds = {"submitted": "提交", "corrected": "更正", "voided": "作废"} if ctx.zh else {}
        for h in x["history"]:
            print(f"  {h['event']}  {h['judge']}  {kinds.get(h['kind'], h['kind'])}  {h['actor']}"
                  + (f"  {h['reason']}" if h["reason"] else ""))


def cmd_standings(ctx: Any) -> None:
    a = ctx.args
    data = view(ctx, lambda read: {"contest": a.contest, "unit": a.unit, "period": a.period,
                                   "standings": read.standings(a.contest, a.unit, a.period),
                                   "consequences": read.consequences(a.contest, a.unit, a.period)})
    if data is None:
        return
    rows, consequences = data["standings"], data["consequences"]
    zh = ctx.zh
    if not rows:
        ctx.say(f"{a.unit} 在 {a.period} 没有已定案的轮次。", f"No finalized rounds of {a.unit} in {a.period}.")
        return
    print(render.table(["名次" if zh else "Rank", "组织" if zh else "Entrant", "名称" if zh else "Name",
                        "得分" if zh else "Score", "轮次数" if zh else "Rounds"],
                       [[f"{r['rank']}{'=' if r['tied'] else ''}", r["entrant"], r["name"], r["score"], r["rounds"]]
                        for r in rows], right=[0, 3, 4]))
    kinds = ({"top": "前列（交流经验）", "bottom": "后列（约谈）", "improved": "进步最大", "pairing": "结对共建"}
             if zh else {})
    for c in consequences:
        partner = f" ↔ {c['partner']}" if c["partner"] else ""
        print(f"{kinds.get(c['kind'], c['kind'])} {c['position']}: {c['entrant']} {c['name']}{partner}  ({c['detail']})")


def cmd_finalists(ctx: Any) -> None:
    rows = view(ctx, lambda read: read.finalists(ctx.args.round))
    if rows is None:
        return
    zh = ctx.zh
    print(render.table(["组织" if zh else "Entrant", "名称" if zh else "Name", "来自轮次" if zh else "From round",
                        "名次" if zh else "Rank", "得分" if zh else "Score"],
                       [[r["entrant"], r["name"], r["source_round"], r["source_rank"], r["source_final"]] for r in rows],
                       right=[3, 4]))


def cmd_judges(ctx: Any) -> None:
    a = ctx.args
    scope, key = ("round", a.round) if a.round else ("contest", a.contest)
    rows = view(ctx, lambda read: read.judges(scope, key))
    if rows is None:
        return
    zh = ctx.zh
    print(render.table(["评委" if zh else "Judge", "姓名" if zh else "Name", "评分表" if zh else "Sheets",
                        "平均偏差" if zh else "Mean dev.", "平均绝对偏差" if zh else "Mean |dev.|",
                        "被去掉次数" if zh else "Trimmed", "提示" if zh else "Flag"],
                       [[r["judge"], r["name"], r["sheets"], r["mean_deviation"], r["mean_abs_deviation"],
                         f"{r['trimmed']} ({r['trimmed_share']})", render.judge_flag(r["why"], ctx.lang)]
                        for r in rows], right=[2, 3, 4]))


def cmd_stars(ctx: Any) -> None:
    a = ctx.args
    rows = view(ctx, lambda read: read.certifications(a.contest, a.level, a.cycle))
    if rows is None:
        return
    zh = ctx.zh
    print(render.table(["组织" if zh else "Organization", "年度得分" if zh else "Score",
                        "建议星级" if zh else "Recommended", "一票否决" if zh else "Veto",
                        "评定状态" if zh else "State", "现有星级" if zh else "Stars"],
                       [[r["organization"], r["score"] or "-", r["computed_stars"] if r["computed_stars"] is not None
                         else "-", "是" if zh and r["veto"] else ("yes" if r["veto"] else ""), r["state"] or "",
                         r["stars"] if r["stars"] is not None else ""] for r in rows], right=[1, 2, 5]))


# -- replay, adopt, rerank, verify, export -------------------------------------------------------


def cmd_replay(ctx: Any) -> None:
    a = ctx.args
    path = Path(a.rules)
    rules = parse_ruleset(path.read_text(encoding="utf-8-sig"), str(path))
    store = _store(ctx)
    source = EventSource(store)
    started = time.perf_counter()
    try:
        folder = fold_store(source)
    finally:
        source.close()
    report = replay(folder, rules, Selection(tuple(a.round or ()), a.level, a.contest))
    report["summary"]["seconds"] = round(time.perf_counter() - started, 3)
    report["summary"]["events"] = folder.events
    if a.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return
    print(render.replay_text(report, ctx.lang))


def parse_scope(text: str, from_period: str | None) -> dict[str, Any]:
    kind, _, value = text.partition(":")
    if kind == "contest" and not value:
        scope: dict[str, Any] = {"contest": True}
    elif kind in ("level", "unit") and value:
        scope = {kind: value}
    elif kind == "rounds" and value:
        scope = {"rounds": [v.strip() for v in value.split(",") if v.strip()]}
    else:
        raise InvalidValue("--scope", text, "use contest, level:LEVEL, unit:UNIT or rounds:R1,R2",
                           "范围应写成 contest、level:层级、unit:单位 或 rounds:轮次1,轮次2")
    if from_period:
        scope["from_period"] = from_period
    return scope


def cmd_rules_adopt(ctx: Any) -> None:
    a = ctx.args
    path = Path(a.file)
    text = path.read_text(encoding="utf-8-sig")
    scope = parse_scope(a.scope, a.from_period)

    def work(s: Any) -> Any:
        rules = s.register_ruleset(text, path.name, ctx.actor)
        return s.adopt_ruleset(a.contest, rules.ref, scope, a.reason, ctx.actor)

    outcome = ctx.app.run(work, f"contest {a.contest}")
    ref = outcome["rules"]
    ctx.say(f"已采用 {ref['code']}@{ref['version']}（范围 {a.scope}）。按新规则计算的未结束轮次："
            f"{', '.join(outcome['assigned']) or '无'}；已结束的轮次保留原结果："
            f"{', '.join(outcome['kept']) or '无'}（如需按新规则重新排名，请用 `leitai rerank`）。",
            f"Adopted {ref['code']}@{ref['version']} (scope {a.scope}). Rounds not yet closed now computed under "
            f"it: {', '.join(outcome['assigned']) or 'none'}; closed rounds keep their results: "
            f"{', '.join(outcome['kept']) or 'none'} (re-rank one with `leitai rerank`).")


def cmd_rerank(ctx: Any) -> None:
    a = ctx.args
    seal = ctx.app.rerank(a.round, a.rules, a.reason, ctx.actor)
    ctx.say(f"轮次 {a.round} 已按 {a.rules} 重新排名并重新封存：{seal}",
            f"Round {a.round} re-ranked under {a.rules} and re-sealed: {seal}")


def cmd_verify(ctx: Any) -> None:
    a = ctx.args
    if a.from_export:
        report = verify_export(Path(a.from_export), a.round)
    else:
        store = _store(ctx)
        source = EventSource(store)
        try:
            folder = fold_store(source)
        finally:
            source.close()
        read = current(ctx)
        try:
            served = {code: read.ranking(code) for code in folder.rounds if code and (not a.round or code == a.round)}
        finally:
            read.close()
        report = verify_folder(folder, a.round, served)
    if a.json:
        _json({"ok": report.ok, "rounds": report.rounds, "events": report.events,
               "findings": [vars(f) for f in report.findings]})
    for f in report.findings:
        detail = f.detail if f.check != "seal" else f"{f.detail}: recorded {f.expected}, events give {f.found}"
        print(("不一致 " if ctx.zh else "MISMATCH ") + f"{f.round} [{f.check}] {detail}", file=sys.stderr)
    if a.json:
        if not report.ok:
            raise SystemExit(6)
        return
    ctx.say(f"已核对 {len(report.rounds)} 个轮次（{report.events:,} 条事件）："
            + ("封存值与公布结果全部一致。" if report.ok else f"发现 {len(report.findings)} 处不一致。"),
            f"Checked {len(report.rounds)} rounds ({report.events:,} events): "
            + ("every seal and published result matches." if report.ok else f"{len(report.findings)} mismatches."))
    if not report.ok:
        raise SystemExit(6)


def cmd_export_events(ctx: Any) -> None:
    store = _store(ctx)
    source = EventSource(store)
    try:
        events, sealed = export_events(source, Path(ctx.args.file))
    finally:
        source.close()
    ctx.say(f"已导出 {events:,} 条事件和 {sealed} 个轮次的封存值到 {ctx.args.file}。离线核对：leitai verify --from-export {ctx.args.file}",
            f"Exported {events:,} events and {sealed} round seals to {ctx.args.file}. "
            f"Verify offline: leitai verify --from-export {ctx.args.file}")
