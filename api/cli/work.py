"""Consequences as tracked work (rulebook sections 15-16): closing a period, its classes,
the tasks on the ladder (done, excused, overdue) and the pairs with their exchanges."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from api.cli import render
from api.cli.context import Context
from domain.errors import InvalidValue


def _today() -> Any:
    from api.wiring import clock_from_env

    return clock_from_env().today()


def attachment_digest(path_text: str | None) -> str | None:
    """``sha256:<hex>`` of the file given with --attachment (the file itself is not stored)."""
    if not path_text:
        return None
    path = Path(path_text)
    if not path.is_file():
        raise InvalidValue("--attachment", path_text, "no such file", "没有这个文件")
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 16), b""):
            digest.update(chunk)
    return "sha256:" + digest.hexdigest()


def _given(ctx: Context) -> dict[str, Any]:
    a = ctx.args
    return {"on": a.date, "place": a.place, "participants": a.participants, "summary": a.summary,
            "attachment": attachment_digest(a.attachment)}


# -- commands -----------------------------------------------------------------------------------


def cmd_period_close(ctx: Context) -> None:
    a = ctx.args
    outcome = ctx.app.execute(lambda s: s.close_period(a.contest, a.unit, a.period, ctx.actor, ctx.key()),
                              f"period {a.contest} {a.unit} {a.period}")
    names = ctx.app.read(lambda s: dict(getattr(s.contest(a.contest), "tracks", {})))  # 赛道: code -> name
    for r in outcome.value:
        shown = names.get(r["track"], r["track"])
        track = f"（赛道：{shown}）" if r["track"] and ctx.zh else f" (track {shown})" if r["track"] else ""
        ctx.say(f"{r['unit']} {r['period']}{track}：{r['entrants']} 个组织，发出任务 {len(r['tasks'])} 个、结对 "
                f"{len(r['pairs'])} 个",
                f"{r['unit']} {r['period']}{track}: {r['entrants']} organizations, {len(r['tasks'])} tasks and "
                f"{len(r['pairs'])} pairs issued")
        for code in r["tasks"]:
            print(f"  {ctx.t('任务', 'task')} {code}")
        for code in r["pairs"]:
            print(f"  {ctx.t('结对', 'pair')} {code}")
    ctx.recorded(outcome, f"已结束 {a.unit} 的 {a.period}", f"{a.period} of {a.unit} closed")


def cmd_task_done(ctx: Context) -> None:
    a = ctx.args
    given = _given(ctx)
    outcome = ctx.app.execute(lambda s: s.task_done(a.task, ctx.actor, ctx.key(), **given), f"task {a.task}")
    ctx.recorded(outcome, f"已登记任务 {a.task} 办结", f"Task {a.task} recorded as done")


def cmd_task_excuse(ctx: Context) -> None:
    a = ctx.args
    outcome = ctx.app.execute(lambda s: s.task_excuse(a.task, a.reason, ctx.actor, ctx.key()), f"task {a.task}")
    ctx.recorded(outcome, f"已登记任务 {a.task} 免办", f"Task {a.task} excused")


def cmd_pair_exchange(ctx: Context) -> None:
    a = ctx.args
    given = _given(ctx)
    outcome = ctx.app.execute(lambda s: s.pair_exchange(a.pair, ctx.actor, ctx.key(), **given), f"pair {a.pair}")
    ctx.recorded(outcome, f"已登记结对 {a.pair} 的一次交流", f"An exchange of pair {a.pair} recorded")


def cmd_pair_end(ctx: Context) -> None:
    a = ctx.args
    outcome = ctx.app.execute(lambda s: s.pair_end(a.pair, a.reason, ctx.actor, ctx.key()), f"pair {a.pair}")
    ctx.recorded(outcome, f"结对 {a.pair} 已结束", f"Pair {a.pair} ended")


# -- queries ------------------------------------------------------------------------------------


def cmd_tasks(ctx: Context) -> None:
    from api.cli.readside import view
    from projections import work

    a = ctx.args
    today = _today()
    rows = view(ctx, lambda read: work.tasks(read, a.contest, today, unit=a.unit, entrant=a.entrant,
                                             overdue=a.overdue))
    if rows is None:
        return
    if not rows:
        ctx.say("没有逾期的任务。" if a.overdue else "还没有任务（期间结束后由后果阶梯发出）。",
                "No overdue tasks." if a.overdue else "No tasks yet (a closed period's ladder issues them).")
        return
    print(render.table(
        [ctx.t("任务", "Task"), ctx.t("组织", "Entrant"), ctx.t("事项", "Action"), ctx.t("由谁办", "By"),
         ctx.t("期限", "Due"), ctx.t("状态", "State"), ctx.t("原因", "Why")],
        [[r["task"], f"{r['entrant']} {r['name']}", r["action_name"] if ctx.zh else r["action"], r["by_whom"],
          r["due"], r["state_zh"] if ctx.zh else r["state_en"], r["why_zh"] if ctx.zh else r["why_en"]]
         for r in rows]))
    late = sum(1 for r in rows if r["overdue"])
    if late and not a.overdue:
        ctx.say(f"其中 {late} 个逾期（截至 {today.isoformat()}）。", f"{late} overdue (as of {today.isoformat()}).")


def cmd_pairs(ctx: Context) -> None:
    from api.cli.readside import view
    from projections import work

    a = ctx.args
    today = _today()
    rows = view(ctx, lambda read: work.pairs(read, a.contest, today, unit=a.unit))
    if rows is None:
        return
    if not rows:
        ctx.say("还没有结对。", "No pairs yet.")
        return
    print(render.table(
        [ctx.t("结对", "Pair"), ctx.t("先进", "Leader"), ctx.t("后进", "Lagger"), ctx.t("要求", "Obligation"),
         ctx.t("期间", "Span"), ctx.t("交流", "Exchanges"), ctx.t("未达到", "Short"), ctx.t("状态", "State")],
        [[r["pair"], f"{r['leader']} {r['leader_name']}", f"{r['lagger']} {r['lagger_name']}",
          ctx.t(f"{r['per_zh']}至少 {r['exchanges']} 次", f"{r['exchanges']} per {r['per']}"),
          f"{r['start_month']}–{r['end_month']}", len(r["log"]), r["short"],
          r["state_zh"] if ctx.zh else r["state"]] for r in rows], right=[5, 6]))


def cmd_pair_show(ctx: Context) -> None:
    from api.cli.readside import view
    from projections import work

    today = _today()
    r = view(ctx, lambda read: work.pair(read, ctx.args.pair, today))
    if r is None:
        return
    ctx.say(f"结对 {r['pair']}：{r['leader']} {r['leader_name']} 带 {r['lagger']} {r['lagger_name']}，"
            f"{r['per_zh']}至少交流 {r['exchanges']} 次，{r['start_month']} 至 {r['end_month']}（{r['state_zh']}）",
            f"Pair {r['pair']}: {r['leader']} helps {r['lagger']}, at least {r['exchanges']} exchanges per {r['per']}, "
            f"{r['start_month']} to {r['end_month']} ({r['state']})")
    print(render.table([ctx.t("期", "From"), ctx.t("至", "To"), ctx.t("交流次数", "Exchanges"),
                        ctx.t("要求", "Required"), ctx.t("情况", "Status")],
                       [[w["from"], w["to"], w["count"], w["required"], w["status_zh"] if ctx.zh else w["status"]]
                        for w in r["windows"]], right=[2, 3]))
    for x in r["log"]:
        print(f"  {x['date']}  {x['place']}  {x['participants']}  {x['summary']}")


def cmd_classes(ctx: Context) -> None:
    from api.cli.readside import view
    from projections import work

    a = ctx.args
    rows = view(ctx, lambda read: work.classes(read, a.contest, a.unit, a.period))
    if rows is None:
        return
    if not rows:
        ctx.say(f"{a.unit} 的 {a.period} 还没有结束（leitai period close），没有分类。",
                f"{a.period} of {a.unit} is not closed yet (leitai period close): no classes.")
        return
    print(render.table([ctx.t("赛道", "Track"), ctx.t("名次", "Rank"), ctx.t("组织", "Entrant"), ctx.t("名称", "Name"),
                        ctx.t("得分", "Score"), ctx.t("分类", "Class")],
                       [[r["track"] or "-", r["rank"], r["entrant"], r["name"], r["score"],
                         r["class_name"] or ctx.t("（无）", "(none)")] for r in rows], right=[1, 4]))


# -- the demo's step (api/cli/demo.py) ------------------------------------------------------------


def demo_work(app: Any, clock: Any, by: Any, step: Any, zh: bool, contest: str = "wushen-2025",
              unit: str = "WS-GL") -> None:
    """结果运用 in the demo: a township's May closed, its ladder's tasks and pairs issued; on the
    drill clock, some tasks done, one excused, others left overdue, a pair's exchanges recorded."""
    from datetime import date, timedelta

    from projections.work import exchange_windows

    if clock.today() <= date(2025, 5, 31):  # a period closes once it is over (rulebook 15.1)
        clock.set("2025-06-01T09:00")
    step("结果运用：结束嘎鲁图镇 2025 年 5 月，按后果阶梯发出任务与结对",
         "Consequences: May 2025 of 嘎鲁图镇 closed; the ladder issues tasks and pairs")
    closed = app.close_period(contest, unit, "2025-05", by)
    codes = [c for r in closed for c in r["tasks"]]
    pairs = [c for r in closed for c in r["pairs"]]
    tasks = app.read(lambda s: [s.task(c) for c in codes])
    for r in closed:
        names = r["class_names"]
        counts: dict[str, int] = {}
        for code in r["classes"].values():
            counts[code] = counts.get(code, 0) + 1
        print("   " + ("分类：" if zh else "classes: ") + ", ".join(f"{names.get(k, k)} {v}" for k, v in sorted(counts.items())))
    for t in tasks:
        print(f"   {t.name}：{t.action_name}（{t.by_whom}，{t.due} 前）— {t.why_zh}" if zh else
              f"   {t.entrant}: {t.action} by {t.by_whom}, due {t.due} — {t.why_en}")
    interviews = [t for t in tasks if t.action == "interview"]
    shares = [t for t in tasks if t.action == "share"]
    due = date.fromisoformat(max(t.due for t in tasks))
    step("登记办理情况：一次约谈办结、一次经验交流办结、一项免办，其余逾期；结对交流",
         "Work recorded: an interview and a sharing done, one excused, the rest overdue; pairs' exchanges")
    # each recorded on the day it happened (the drill clock moves with them): what is recorded after
    # its due date or its month shows as late (rulebook 15.2, 15.3)
    work: list[tuple[str, Any]] = []
    if interviews:
        t = interviews[0]
        on = (date.fromisoformat(t.due) - timedelta(days=2)).isoformat()
        work.append((on, lambda t=t, on=on: app.task_done(
            t.code, by, on=on, place="镇党委会议室", participants=f"党委副书记、{t.name}党组织书记",
            summary="逐项分析失分原因，制定整改清单，限期一个月整改")))
    if shares:
        t = shares[0]
        on = (date.fromisoformat(t.due) - timedelta(days=5)).isoformat()
        work.append((on, lambda t=t, on=on: app.task_done(t.code, by, on=on, place="镇党群服务中心",
                                                          summary="在全镇书记例会上介绍产业发展经验")))
    for number, code in enumerate(pairs):
        for day in ("2025-06-10", "2025-06-24")[: 2 - number % 2]:
            work.append((day, lambda code=code, day=day: app.pair_exchange(
                code, by, on=day, place="先进村党群服务中心", participants="两村党组织书记、村“两委”成员",
                summary="实地观摩产业项目，交流集体经济发展做法")))
    for on, record in sorted(work, key=lambda w: w[0]):
        clock.set(max(on, clock.today().isoformat()) + "T17:00")
        record()
    clock.set(max(due + timedelta(days=3), date(2025, 7, 2)).isoformat() + "T09:00")
    if len(shares) > 1:
        app.task_excuse(shares[1].code, "已在同月全旗经验交流会上作典型发言，不再重复安排", by)
    late = app.read(lambda s: [s.task(c) for c in codes if s.task(c).state == "open"
                               and s.task(c).due < clock.today().isoformat()])
    print("   " + (f"逾期 {len(late)} 项：" if zh else f"{len(late)} overdue: ")
          + ", ".join(t.name if zh else t.entrant for t in late))
    for code in pairs:
        p = app.read(lambda s, c=code: s.pair(c))
        windows = exchange_windows(p.start, p.end, p.per, p.exchanges, p.log, p.state, clock.today())
        shown = ", ".join(f"{w['from']} {w['count']}/{w['required']} {w['status_zh'] if zh else w['status']}"
                          for w in windows)
        print(f"   {p.leader_name} → {p.lagger_name}：{shown}" if zh else f"   {p.leader} → {p.lagger}: {shown}")
