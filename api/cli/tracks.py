"""Tracks (赛道, rulebook section 20) on the command line: a change of an organization's
track, its history, period standings shown track by track, and the demo's step."""

from __future__ import annotations

from typing import Any

from api.cli import render
from api.cli.context import Context
from api.cli.readside import view


def cmd_org_track(ctx: Context) -> None:
    a = ctx.args
    outcome = ctx.app.execute(lambda s: s.change_track(a.contest, a.organization, a.track, a.from_period, a.reason,
                                                       ctx.actor, ctx.key()), f"organization {a.organization}")
    org, track, month = a.organization.upper(), a.track.strip(), a.from_period
    if not outcome.value:
        ctx.say(f"{org} 从 {month} 起已属于赛道 {track}，未登记任何内容。",
                f"{org} is in track {track} from {month} already; nothing recorded.")
        return
    ctx.recorded(outcome, f"已登记：{org} 从 {month} 起属于赛道 {track}", f"Recorded: {org} competes in track {track} "
                 f"from {month}")


def cmd_org_tracks(ctx: Context) -> None:
    from projections.tracks import track_history

    rows = view(ctx, lambda read: track_history(read, ctx.args.organization))
    if rows is None:
        return
    if not rows:
        ctx.say(f"{ctx.args.organization.upper()} 没有设定赛道。", f"{ctx.args.organization.upper()} has no track.")
        return
    print(render.table([ctx.t("起始月份", "From"), ctx.t("赛道", "Track"), ctx.t("活动", "Contest"),
                        ctx.t("理由", "Reason"), ctx.t("操作人", "By"), ctx.t("登记时间", "Recorded")],
                       [[r["from_period"] or ctx.t("一开始", "the beginning"), r["track"], r["contest"], r["reason"],
                         r["actor"], r["recorded_at"] or "-"] for r in rows]))


def cmd_standings(ctx: Context) -> None:
    """`leitai standings`: a heading per track (by its name) when the contest has tracks."""
    from projections.tracks import period

    a = ctx.args
    data = view(ctx, lambda read: period(read, a.contest, a.unit, a.period, a.track))
    if data is None:
        return
    sections = [s for s in data["sections"] if s["standings"]]
    if not sections:
        where = f"（赛道 {a.track}）" if a.track else ""
        ctx.say(f"{data['unit']}{where} 在 {a.period} 没有已定案的轮次。",
                f"No finalized rounds of {data['unit']}{f' (track {a.track})' if a.track else ''} in {a.period}.")
        return
    headed = bool(data["tracks"])
    for index, section in enumerate(sections):
        if headed:
            name = section["name"] or ctx.t("未分赛道", "No track")
            code = f" ({section['track']})" if section["track"] else ""
            print(("" if index == 0 else "\n") + ctx.t(f"== 赛道：{name}{code} ==", f"== Track: {name}{code} =="))
        print(render.table([ctx.t("名次", "Rank"), ctx.t("组织", "Entrant"), ctx.t("名称", "Name"),
                            ctx.t("得分", "Score"), ctx.t("轮次数", "Rounds")],
                           [[f"{r['rank']}{'=' if r['tied'] else ''}", r["entrant"], r["name"], r["score"], r["rounds"]]
                            for r in section["standings"]], right=[0, 3, 4]))
        for c in section["consequences"]:
            print(render.consequence(c, ctx.lang))


def demo_tracks(ctx: Context, app: Any, contest: str, by: Any, step: Any) -> None:
    """The demo's step for tracks (赛道): the example declares two tracks (嘎查村, 社区) in its
    contest.toml and places each organization in organizations.csv; the standings of 无定河镇
    are ranked track by track, and a village that becomes a community from June (a change
    between periods) is recorded."""
    step("赛道：嘎查村和社区分别排名", "Tracks: villages and communities are ranked apart")
    names = app.read(lambda s: dict(s.contest(contest).tracks))
    for track, name in names.items():
        view = app.read(lambda s, t=track: s.standings(contest, "WS-WD", "2025-05", t))
        top = view.standings[0] if view.standings else None
        print("   " + (f"无定河镇 2025-05 · {name}：{len(view.standings)} 个组织" if ctx.zh else
                       f"WS-WD 2025-05 · {name}: {len(view.standings)} organizations")
              + (f"，第 1 名 {top.entrant} {top.name}" if ctx.zh and top else
                 f", 1st {top.entrant} {top.name}" if top else ""))
    if app.change_track(contest, "WS-WD-10", "community", "2025-06", "撤村建居，6 月起改设社区（示例）", by):
        print("   " + ("WS-WD-10 从 2025-06 起属于社区赛道（变更已登记；5 月和 2025 年度仍在嘎查村赛道排名）" if ctx.zh
                       else "WS-WD-10 competes in the community track from 2025-06 (recorded; May and the year 2025 "
                            "stay in the village track)"))
