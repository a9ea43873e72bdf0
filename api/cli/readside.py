"""Commands of the read side: projections, views, listings, replay, verification, export.

Views first bring the read models up to the last recorded event (so the command line
reads its own writes); when they are current already - a `leitai projections run` is
going - nothing but two small queries and the view's own run, which keeps a quick
command quick.
"""

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
from domain.errors import InvalidValue
from api.cli.context import Context, Mismatch, read_text

T = TypeVar("T")


def current(ctx: Context) -> Any:
    """The read models of the store, brought up to the last recorded event first."""
    from api.wiring import ensure_migrated

    ensure_migrated(ctx.store)
    return caught_up(ctx.store)


def caught_up(store: Any) -> Any:
    """The read models of ``store`` (ReadModels, to be closed by the caller), brought up to
    its last recorded event first when they are behind - as every reading command does."""
    from projections.queries import ReadModels

    read = ReadModels(store)
    try:
        behind = read.behind()
    except BaseException:
        read.close()
        raise
    if behind:
        from projections.runner import Projector

        projector = Projector(store)
        try:
            projector.load()
            projector.catch_up()
        finally:
            projector.close()
    return read


def _json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def view(ctx: Context, query: Callable[[Any], T]) -> T | None:
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


def cmd_projections_run(ctx: Context) -> None:
    from api.wiring import ensure_migrated
    from projections.runner import Projector

    store = ctx.store
    ensure_migrated(store)
    projector = Projector(store, batch_size=ctx.args.batch_size)
    if store.kind == "postgresql":  # several servers may share the database: one projects at a time
        from projections.election import Election

        projector.election = Election(projector.connection)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    _stop_with_parent(stop)
    ctx.say(f"投影进程已启动（{store.display}），按 Ctrl-C 停止。", f"Projecting {store.display}; Ctrl-C stops.")
    sys.stdout.flush()
    try:
        projector.run(stop)
    except KeyboardInterrupt:
        pass
    finally:
        projector.close()


def _stop_with_parent(stop: threading.Event) -> None:
    """Started by ``leitai serve`` (LEITAI_PARENT_PID): stop when that process is gone,
    even if it was killed without a chance to stop us (kill -9, an out-of-memory kill)."""
    import os

    parent = os.environ.get("LEITAI_PARENT_PID", "")
    if not parent.isdigit():
        return

    def watch() -> None:
        while not stop.wait(1.0):
            if os.getppid() != int(parent):
                print("leitai projector: the server that started it is gone; stopping", file=sys.stderr, flush=True)
                stop.set()

    threading.Thread(target=watch, daemon=True, name="leitai-parent-watch").start()


def cmd_projections_rebuild(ctx: Context) -> None:
    from api.wiring import ensure_migrated
    from projections.runner import Projector, print_progress

    store = ctx.store
    ensure_migrated(store)
    projector = Projector(store)
    try:
        report = projector.rebuild(print_progress)
    finally:
        projector.close()
    names = {"read+fold": "读取与折叠", "compute": "计算", "write": "写入", "switch": "切换"}
    phases = "，".join(f"{names.get(k, k)} {v:.2f} 秒" for k, v in report.phases.items())
    phases_en = ", ".join(f"{k} {v:.2f}s" for k, v in report.phases.items())
    ctx.say(f"读模型已重建：{report.events:,} 条事件，{report.rows:,} 行，用时 {report.seconds:.2f} 秒"
            f"（{report.rate:,.0f} 条/秒；{phases}）。已切换到第 {report.generation} 代，位置 {report.position}。",
            f"Read models rebuilt: {report.events:,} events, {report.rows:,} rows in {report.seconds:.2f}s "
            f"({report.rate:,.0f} events/s; {phases_en}); now generation {report.generation} at {report.position}.")


def cmd_projections_status(ctx: Context) -> None:
    from api.wiring import ensure_migrated
    from projections.queries import ReadModels

    store = ctx.store
    ensure_migrated(store)
    read = ReadModels(store)
    try:
        generation, position = read.store.state()
        last = read.last_event()
        quarantined = len(read.quarantine())
        lead = None
        if store.kind == "postgresql":  # several servers: whose projector projects (projections/election.py)
            from projections.election import holder

            lead = holder(read.store.connection())
    finally:
        read.close()
    ctx.say(f"读模型（{store.display}）：第 {generation} 代，已处理到 {position}；事件日志最新 {last}；落后 {last - position} 条。"
            + (f"有 {quarantined} 条事件无法应用，请运行 `leitai verify`。" if quarantined else "")
            + (f"正在投影：{lead['name']}。" if lead else "没有投影进程在运行。" if store.kind == "postgresql" else ""),
            f"Read models ({store.display}): generation {generation} at {position}; log at {last}; "
            f"{last - position} behind." + (f" {quarantined} events cannot be applied: run `leitai verify`."
                                            if quarantined else "")
            + (f" Projecting: {lead['name']}." if lead else " No projector is running."
               if store.kind == "postgresql" else ""))


# -- views ----------------------------------------------------------------------------------


def cmd_board(ctx: Context) -> None:
    board = view(ctx, lambda read: read.leaderboard(ctx.args.round))
    if board is None:
        return
    print(render.board_head(board, ctx.lang, today=_today()))
    rows = [[render.rank(e), e["entrant"], e["name"], f"{e['sheets_in']}/{e['sheets_expected']}", e["final"] or "-",
             board["awards"].get(e["award"], e["award"] or ""), render.label(e["promotion"], ctx.lang)]
            for e in board["entries"]]
    print(render.table([ctx.t("名次", "Rank"), ctx.t("组织", "Entrant"), ctx.t("名称", "Name"),
                        ctx.t("评分表", "Sheets"), ctx.t("得分", "Score"), ctx.t("奖项", "Award"),
                        ctx.t("晋级", "Promotion")], rows, right=[0, 3, 4]))


def _today() -> str:
    from api.wiring import clock_from_env

    return clock_from_env().today().isoformat()


def cmd_audit(ctx: Context) -> None:
    from api.cli.comments import comments_text
    from projections.comments import comments

    x = view(ctx, lambda read: {**read.audit(ctx.args.round, ctx.args.entrant),
                                "times": read.event_times(ctx.args.round),
                                "comments": comments(read, ctx.args.round, ctx.args.entrant)})
    if x is None:
        return
    print(render.explain_text(x, ctx.lang))
    if x["history"]:
        print()
        print(ctx.t("评分表和考核数据记录：", "Sheet and input history:"))
        for h in x["history"]:
            what = h["judge"] if h["judge"] else f"{h['component']}={h['value']}"
            at = h.get("at") or x["times"].get(h["event"]) or "-"
            print(f"  {h['event']}  {at}  {what}  {render.sheet_change(h['kind'], ctx.lang)}  "
                  f"{h['actor']}" + (f"  {h['reason']}" if h["reason"] else ""))
    if x["comments"]:  # 点评: never part of the score (rulebook 17.4), every version with who and why
        print()
        print(ctx.t("点评（不计入成绩）：", "Comments (never part of the score):"))
        print(comments_text(x["comments"], ctx.zh))


def cmd_finalists(ctx: Context) -> None:
    rows = view(ctx, lambda read: read.finalists(ctx.args.round))
    if rows is None:
        return
    if not rows:
        ctx.say("该轮次还没有通过晋级进入的选手。", "Nobody has entered this round by promotion yet.")
        return
    print(render.table([ctx.t("组织", "Entrant"), ctx.t("名称", "Name"), ctx.t("来自轮次", "From round"),
                        ctx.t("名次", "Rank"), ctx.t("得分", "Score")],
                       [[r["entrant"], r["name"], r["source_round"], r["source_rank"], r["source_final"]] for r in rows],
                       right=[3, 4]))


def cmd_judges(ctx: Context) -> None:
    a = ctx.args
    scope, key = ("round", a.round) if a.round else ("contest", a.contest)
    rows = view(ctx, lambda read: read.judges(scope, key))
    if rows is None:
        return
    if not rows:
        ctx.say("还没有评分表。", "No sheets yet.")
        return
    print(render.table([ctx.t("评委", "Judge"), ctx.t("姓名", "Name"), ctx.t("评分表", "Sheets"),
                        ctx.t("平均偏差", "Mean dev."), ctx.t("平均绝对偏差", "Mean |dev.|"),
                        ctx.t("被去掉次数", "Trimmed"), ctx.t("提示", "Flag")],
                       [[r["judge"], r["name"], r["sheets"], r["mean_deviation"], r["mean_abs_deviation"],
                         f"{r['trimmed']} ({r['trimmed_share']})", render.judge_flag(r["why"], ctx.lang)]
                        for r in rows], right=[2, 3, 4]))


def cmd_stars(ctx: Context) -> None:
    a = ctx.args
    rows = view(ctx, lambda read: read.certifications(a.contest, a.level, a.cycle))
    if rows is None:
        return
    if not rows:
        ctx.say(f"{a.level} 级 {a.cycle} 年还没有年度得分或星级评定记录。",
                f"No annual scores or certifications at level {a.level} for {a.cycle} yet.")
        return
    print(render.table([ctx.t("组织", "Organization"), ctx.t("名称", "Name"), ctx.t("年度得分", "Score"),
                        ctx.t("建议星级", "Recommended"), ctx.t("说明", "Note"), ctx.t("评定状态", "State"),
                        ctx.t("现有星级", "Stars")],
                       [[r["organization"], r["name"] or "", r["score"] or "-", render.stars(r["computed_stars"], ctx.lang),
                         render.recommendation_note(r, ctx.lang), render.cert_state(r["state"], ctx.lang),
                         render.stars(r["stars"], ctx.lang) if r["state"] else ""] for r in rows], right=[2]))
    from projections.evidence import basis, basis_words  # rulebook 19.3: how each combined score was made

    made = [(r["organization"], basis_words(basis(r), ctx.lang)) for r in rows]
    for organization, words in made:
        if words:
            ctx.say(f"  {organization} 合成分：{words}", f"  {organization} combined: {words}")


def cmd_contests(ctx: Context) -> None:
    rows = view(ctx, lambda read: read.contests())
    if rows is None:
        return
    if not rows:
        ctx.say("还没有比武活动。请先用 `leitai import 目录` 导入。", "No contests yet. Import one with `leitai import DIR`.")
        return
    print(render.table([ctx.t("活动", "Contest"), ctx.t("名称", "Title"), ctx.t("层级", "Levels"), ctx.t("单位", "Units"),
                        ctx.t("组织", "Organizations"), ctx.t("评委", "Judges"), ctx.t("轮次", "Rounds")],
                       [[r["contest"], r["title"], " → ".join(json.loads(r["levels"])), len(json.loads(r["units"])),
                         r["organizations"], r["judges"], r["rounds"]] for r in rows], right=[3, 4, 5, 6]))


def cmd_rounds(ctx: Context) -> None:
    a = ctx.args

    def query(read: Any) -> Any:
        if a.contest is not None:
            read.contest(a.contest)  # an unknown contest is "not found", never "no rounds match"
        return read.rounds(a.contest, a.status)

    rows = view(ctx, query)
    if rows is None:
        return
    if not rows:
        if a.contest is None and a.status is None:
            ctx.say("还没有轮次。请先用 `leitai import 目录` 导入活动。", "No rounds yet. Import a contest with `leitai import DIR`.")
        else:
            ctx.say("没有符合条件的轮次。", "No rounds match.")
        return
    today = _today()
    print(render.table([ctx.t("轮次", "Round"), ctx.t("活动", "Contest"), ctx.t("层级", "Level"), ctx.t("单位", "Unit"),
                        ctx.t("期间", "Period"), ctx.t("状态", "State"), ctx.t("评分表", "Sheets"), ctx.t("主题", "Theme")],
                       [[r["round"], r["contest"], r["level"], r["unit"], r["period"],
                         render.state_line(r["status"], json.loads(r["publicity"]) if r["publicity"] else None,
                                           ctx.lang, today),
                         f"{r['sheets_in']}/{r['sheets_expected']}", r["theme"] or ""] for r in rows], right=[6]))


# -- replay, verify, export -----------------------------------------------------------------


def cmd_replay(ctx: Context) -> None:
    from domain.rules.ruleset import parse_ruleset
    from projections.replay import replay
    from projections.source import EventSource
    from projections.verify import fold_store

    a = ctx.args
    path, text = read_text(a.rules, "--rules")
    rules = parse_ruleset(text, str(path))
    store = ctx.store
    source = EventSource(store)
    started = time.perf_counter()
    try:
        folder = fold_store(source)
    finally:
        source.close()
    report = replay(folder, rules, _selection(a, folder))
    report["summary"]["seconds"] = round(time.perf_counter() - started, 3)
    report["summary"]["events"] = folder.events
    if a.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return
    print(render.replay_text(report, ctx.lang))


def _selection(a: Any, folder: Any) -> Any:
    """The rounds replay is asked about, their codes read as the rulebook reads codes (3.2):
    `r-gl-2025-05` is R-GL-2025-05, `WUSHEN-2025` is wushen-2025; a contest or level that
    has no round is not found (never "0 rounds would change")."""
    from domain.errors import ContestNotFound
    from domain.text import contest_code, entity_code
    from projections.replay import Selection

    rounds = tuple(entity_code(r, "--round") for r in a.round or ())
    level = contest_code(a.level, "--level") if a.level else None
    contest = contest_code(a.contest, "--contest") if a.contest else None
    if contest is not None and contest not in folder.contests:
        raise ContestNotFound(contest=contest)
    if level is not None and not any(r.level == level for r in folder.rounds.values()):
        raise InvalidValue("--level", a.level, "no round of the contests is at this level",
                           "没有任何轮次属于这个层级")
    return Selection(rounds, level, contest)


def _credentials(store: Any) -> dict[str, str] | None:
    """The stored password hashes, to check against their commitments (None when this login
    may not read them, as the read-only role of PostgreSQL may not)."""
    from eventstore.sidecar import Sidecar

    sidecar = Sidecar(store)
    try:
        return sidecar.stored_hashes()
    except Exception:  # noqa: BLE001 - not readable here: the check is left to a login that may
        return None
    finally:
        sidecar.close()


def cmd_verify(ctx: Context) -> None:
    from api.cli import tlog
    from projections.verify import ExportUnreadable, verify_export, verify_store

    a = ctx.args
    if a.proof:
        tlog.verify_offline(ctx)
        return
    if a.checkpoint:
        raise InvalidValue("--checkpoint", a.checkpoint, "--checkpoint goes with --proof; to check the log against a "
                           "head, use --since", "--checkpoint 用于配合 --proof；要核对日志是否为某树头的延续，请用 --since")
    keys = tlog.public_keys(a.key)
    witnesses = tlog.witness_keys(a.witness)
    quorum = tlog.quorum(ctx, witnesses) if witnesses else 0
    held = tlog.held_heads(a.since)
    only = a.round.strip().upper() if a.round else None
    if a.from_export:
        path = Path(a.from_export)
        if not path.is_file():
            read_text(a.from_export, "--from-export")  # says what is wrong with the path
        try:
            report = verify_export(path, only, keys, held=held, witnesses=witnesses, quorum=quorum)
        except ExportUnreadable as error:
            raise InvalidValue("--from-export", a.from_export, error.en, error.zh) from None
    else:
        from projections.source import EventSource

        store = ctx.store
        deployment = False
        if not keys:  # the deployment's own key, if this machine holds it
            from eventstore.keys import default_path, load_signer

            key_path = default_path(store)
            if key_path.exists():
                keys, deployment = [load_signer(key_path, create=False).public_key], True
        held = held + tlog.signer_state(store)  # the last head this machine's signer signed, if here
        read = current(ctx)
        source = EventSource(store)
        try:
            if only is not None:
                read.round(only)  # an unknown round is "not found", never "all is well"
            served = {r["round"]: read.ranking(r["round"]) for r in read.rounds() if not only or r["round"] == only}
            report = verify_store(source, only, served, keys, held=held, witnesses=witnesses, quorum=quorum,
                                  accounts=None if only else read.accounts(),
                                  credentials=None if only else _credentials(store))
        finally:
            source.close()
            read.close()
        if deployment:
            report.key_source = "deployment"
    if a.json:
        _json(report.as_json())
        if not report.ok:
            raise Mismatch()
        return
    for f in report.findings:
        where = ctx.t("全部历史", "history") if f.round == "*" else f.round
        print(ctx.t("不一致 ", "MISMATCH ") + f"{where} [{render.check_name(f.check, ctx.lang)}] "
              + (f.detail_zh if ctx.zh else f.detail), file=sys.stderr)
    print(render.verify_summary(report, ctx.lang))
    if not report.ok:
        raise Mismatch()


def cmd_export_events(ctx: Context) -> None:
    from eventstore.keys import default_path
    from eventstore.signing import HeadSigner
    from eventstore.tree import TreeStore
    from projections.source import EventSource
    from projections.verify import export_events

    store = ctx.store
    path = Path(ctx.args.file)
    key_path = default_path(store)
    # this machine's key signs the head the export ends with (the signer refuses a rewritten log)
    signer = HeadSigner(key_path, TreeStore(store), create=False) if key_path.exists() else None
    source = EventSource(store)
    try:
        events, sealed, note = export_events(source, path, signer)
    except OSError as error:
        from domain.errors import InvalidValue

        raise InvalidValue("file", ctx.args.file, f"cannot be written ({error.strerror})",
                           f"无法写入（{error.strerror}）") from None
    finally:
        source.close()
    key = f" --key {signer.public_hex}" if signer else ctx.t(" --key 公钥", " --key PUBKEY")
    size = note.split("\n")[1] if note else None
    ctx.say(f"已导出 {events:,} 条事件（含哈希链）和 {sealed} 个轮次的封存值到 {path}"
            + (f"，结尾是本系统刚签署的 {size} 条事件的树头" if signer and note else
               f"，结尾是最近签署的 {size} 条事件的树头" if note else "；日志还没有签名树头")
            + f"。离线核对：leitai verify --from-export {path}{key}",
            f"Exported {events:,} events (with the hash chain) and {sealed} round seals to {path}"
            + (f", ending with the head of {size} events just signed with the deployment's key" if signer and note else
               f", ending with the latest signed head ({size} events)" if note else "; the log has no signed head yet")
            + f". Verify offline: leitai verify --from-export {path}{key}")
