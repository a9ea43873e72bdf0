"""Commands of the scoring hall: opening and closing rounds, panels, sheets and their
corrections, adjustments, inputs, disqualification and withdrawal, re-ranking, and the
ranking and explanation computed from a round's events."""

from __future__ import annotations

import json
from typing import Any

from api.cli import render
from api.cli.context import Context, marks


def _round(ctx: Context) -> str:
    return ctx.args.round.strip().upper()


def _remedy(ctx: Context) -> tuple[str, str]:
    """The suffix a command's message gets when it is an appeal's remedy: re-sealed, and
    - when the published results changed - published again."""
    number = getattr(ctx.args, "appeal", None)
    if number is None:
        return "", ""
    rnd = ctx.app.read(lambda s: s.round(ctx.args.round))
    p = rnd.publicity
    again = p is not None and p.reason is not None and p.published_on == ctx.app.clock.today().isoformat()
    if again:
        return (f"（申诉 #{number} 的更正；轮次已重新封存，结果有变化，重新公示 {p.start} 至 {p.end}）",
                f" (remedy of appeal #{number}; re-sealed; the results changed and are published again "
                f"{p.start} to {p.end})")
    return (f"（申诉 #{number} 的更正；轮次已重新封存，公示结果没有变化）",
            f" (remedy of appeal #{number}; re-sealed; the published results did not change)")


def cmd_open(ctx: Context) -> None:
    for code in ctx.args.rounds:
        outcome = ctx.app.execute(lambda s, c=code: s.open_round(c, ctx.actor), f"round {code}")
        ctx.recorded(outcome, f"轮次 {code.upper()} 开始评分", f"Round {code.upper()} is open for scoring")


def cmd_close(ctx: Context) -> None:
    for code in ctx.args.rounds:
        outcome = ctx.app.execute(lambda s, c=code: s.close_round(c, ctx.actor), f"round {code}")
        ctx.recorded(outcome, f"轮次 {code.upper()} 已结束评分并封存：{outcome.value}",
                     f"Round {code.upper()} closed and sealed: {outcome.value}")


def cmd_reopen(ctx: Context) -> None:
    outcome = ctx.app.execute(lambda s: s.reopen_round(ctx.args.round, ctx.args.reason, ctx.actor),
                              f"round {ctx.args.round}")
    ctx.recorded(outcome, f"轮次 {_round(ctx)} 已重新开放评分", f"Round {_round(ctx)} reopened")


def cmd_live_board(ctx: Context) -> None:
    a = ctx.args
    on = a.state == "on"
    outcome = ctx.app.execute(lambda s: s.set_live_board(a.round, on, ctx.actor, ctx.key()), f"round {a.round}")
    ctx.recorded(outcome, f"轮次 {_round(ctx)} 的实时排行榜" + ("对公众公开（现场亮分）" if on else "不对公众公开"),
                 f"The live board of round {_round(ctx)} is " + ("public (scores shown on the spot)" if on else "not public"))


def cmd_seat(ctx: Context) -> None:
    a = ctx.args
    outcome = ctx.app.execute(lambda s: s.seat_judge(a.round, a.judge, ctx.actor, ctx.key()), f"round {a.round}")
    ctx.recorded(outcome, f"评委 {a.judge.upper()} 已进入轮次 {_round(ctx)} 的评委席",
                 f"Judge {a.judge.upper()} seated on round {_round(ctx)}")


def cmd_admit(ctx: Context) -> None:
    a = ctx.args
    outcome = ctx.app.execute(lambda s: s.admit_entrant(a.round, a.entrant, ctx.actor, ctx.key()), f"round {a.round}")
    ctx.recorded(outcome, f"{a.entrant.upper()} 已成为轮次 {_round(ctx)} 的参赛组织",
                 f"{a.entrant.upper()} admitted to round {_round(ctx)}")


def cmd_recuse(ctx: Context) -> None:
    a = ctx.args
    outcome = ctx.app.execute(lambda s: s.recuse_judge(a.round, a.judge, a.entrant, a.reason, ctx.actor, ctx.key()),
                              f"round {a.round}")
    ctx.recorded(outcome, f"评委 {a.judge.upper()} 对 {a.entrant.upper()} 回避（其评分表不计入）",
                 f"Judge {a.judge.upper()} recused from {a.entrant.upper()} (any sheet of theirs stops counting)")


def cmd_sheet(ctx: Context) -> None:
    a = ctx.args
    given = marks(a.marks)
    outcome = ctx.app.execute(lambda s: s.submit_sheet(a.round, a.judge, a.entrant, given, ctx.actor, ctx.key()),
                              f"round {a.round}")
    ctx.recorded(outcome, f"已登记评分表 {_round(ctx)}#{outcome.value}", f"Sheet recorded: {_round(ctx)}#{outcome.value}")


def cmd_correct(ctx: Context) -> None:
    a = ctx.args
    given = marks(a.marks)
    outcome = ctx.app.execute(lambda s: s.correct_sheet(a.round, a.judge, a.entrant, given, a.reason, ctx.actor,
                                                        ctx.key(), a.appeal), f"round {a.round}")
    zh, en = _remedy(ctx)
    if outcome.recorded == 0:
        ctx.say(f"与现有评分表 {_round(ctx)}#{outcome.value} 相同，没有更正，未登记任何内容。",
                f"The same marks as sheet {_round(ctx)}#{outcome.value}: nothing to correct, nothing recorded.")
        return
    ctx.recorded(outcome, f"已登记更正 {_round(ctx)}#{outcome.value}{zh}", f"Correction recorded: "
                 f"{_round(ctx)}#{outcome.value}{en}")


def cmd_void(ctx: Context) -> None:
    a = ctx.args
    outcome = ctx.app.execute(lambda s: s.void_sheet(a.round, a.judge, a.entrant, a.reason, ctx.actor, ctx.key(),
                                                     a.appeal), f"round {a.round}")
    zh, en = _remedy(ctx)
    ctx.recorded(outcome, f"评分表已作废 {_round(ctx)}#{outcome.value}{zh}", f"Sheet voided: {_round(ctx)}#{outcome.value}{en}")


def cmd_adjustment_add(ctx: Context) -> None:
    a = ctx.args
    outcome = ctx.app.execute(lambda s: s.record_adjustment(a.round, a.entrant, a.points, a.reason, ctx.actor,
                                                            ctx.key(), a.appeal), f"round {a.round}")
    zh, en = _remedy(ctx)
    ctx.recorded(outcome, f"已登记加减分 {_round(ctx)}#{outcome.value}（{a.points} 分）{zh}",
                 f"Adjustment recorded: {_round(ctx)}#{outcome.value} ({a.points} points){en}")


def cmd_adjustment_revoke(ctx: Context) -> None:
    a = ctx.args
    outcome = ctx.app.execute(lambda s: s.revoke_adjustment(a.round, a.adjustment, a.reason, ctx.actor, ctx.key(),
                                                            a.appeal), f"round {a.round}")
    zh, en = _remedy(ctx)
    ctx.recorded(outcome, f"已撤销加减分 {_round(ctx)}#{a.adjustment}{zh}",
                 f"Adjustment {_round(ctx)}#{a.adjustment} revoked{en}")


def cmd_input(ctx: Context) -> None:
    from domain.model.round import criterion_key
    from domain.text import entity_code

    a = ctx.args

    def work(s: Any) -> tuple[int | None, str | None]:
        rnd = s.round(a.round)
        before = rnd.inputs.get((entity_code(a.entrant, "entrant"), criterion_key(a.component)))
        number = s.record_input(a.round, a.entrant, a.component, a.value, ctx.actor, ctx.key(), a.appeal, a.reason)
        return number, (None if before is None or number is None or number == before[1] else rnd.ref(before[1]))

    outcome = ctx.app.execute(work, f"round {a.round}")
    number, replaced = outcome.value
    zh, en = _remedy(ctx)
    event = f"{_round(ctx)}#{number}：" if number is not None else ""
    ctx.recorded(outcome, f"已登记 {event}{a.entrant.upper()} 的「{a.component}」= {a.value}"
                          + (f"（替换 {replaced}，原值和理由保留在记录中）" if replaced else "") + zh,
                 f"Recorded {event.rstrip('：')}{': ' if event else ''}{a.component} = {a.value} for "
                 f"{a.entrant.upper()}" + (f" (replaces {replaced}; the old value and the reason stay in the history)"
                                           if replaced else "") + en)


def cmd_disqualify(ctx: Context) -> None:
    a = ctx.args
    outcome = ctx.app.execute(lambda s: s.disqualify(a.round, a.entrant, a.reason, ctx.actor, ctx.key(), a.appeal),
                              f"round {a.round}")
    zh, en = _remedy(ctx)
    ctx.recorded(outcome, f"已取消 {a.entrant.upper()} 的参赛资格{zh}", f"{a.entrant.upper()} disqualified{en}")


def cmd_withdraw(ctx: Context) -> None:
    a = ctx.args
    outcome = ctx.app.execute(lambda s: s.withdraw(a.round, a.entrant, a.reason, ctx.actor, ctx.key(), a.appeal),
                              f"round {a.round}")
    zh, en = _remedy(ctx)
    ctx.recorded(outcome, f"已登记 {a.entrant.upper()} 退出比赛{zh}", f"{a.entrant.upper()} withdrawn{en}")


def cmd_rerank(ctx: Context) -> None:
    a = ctx.args

    def work(s: Any) -> tuple[str, Any, list[dict[str, Any]], str | None]:
        rnd = s.round(a.round)
        periods = len(rnd.publications)
        target = s.promotion_target(rnd)
        revisions = len(target.revisions) if target is not None else 0
        seal = s.rerank(a.round, a.rules, a.reason, ctx.actor)
        again = rnd.publicity if len(rnd.publications) > periods else None
        revised = target.revisions[revisions:] if target is not None else []
        return seal, again, revised, None if target is None else target.code

    outcome = ctx.app.execute(work, f"round {a.round}")
    seal, again, revised, target = outcome.value
    zh = [f"轮次 {_round(ctx)} 已按 {a.rules} 重新排名并重新封存：{seal}"]
    en = [f"Round {_round(ctx)} re-ranked under {a.rules} and re-sealed: {seal}"]
    if again is not None:
        zh.append(f"已公示的结果有变化，重新公示 {again.start} 至 {again.end}（{again.days} 个工作日）：{again.reason}")
        en.append(f"Published results changed: published again {again.start} to {again.end} ({again.days} working "
                  f"days): {again.reason}")
    if revised:
        out = [r["entrant"] for r in revised if r["kind"] == "withdrawn"]
        inn = [r["entrant"] for r in revised if r["kind"] == "admitted"]
        zh.append(f"轮次 {target} 的晋级选手已变更：退出 {'、'.join(out) or '无'}；加入 {'、'.join(inn) or '无'}")
        en.append(f"Finalists of round {target} revised: withdrawn {', '.join(out) or 'none'}; admitted "
                  f"{', '.join(inn) or 'none'}")
    ctx.recorded(outcome, "\n".join(zh), "\n".join(en))


def cmd_ranking(ctx: Context) -> None:
    from projections.ranking_json import ranking_document

    rnd, result = ctx.app.ranking(ctx.args.round)
    doc = ranking_document(rnd, result)
    if ctx.args.json:
        print(json.dumps(doc, ensure_ascii=False, indent=2))
        return
    print(render.ranking_text(doc, {a.code: a.name for a in result.rules.awards}, ctx.lang))


def cmd_explain(ctx: Context) -> None:
    from projections.explain import explanation

    rnd, result = ctx.app.ranking(ctx.args.round)
    x: Any = explanation(rnd, result, ctx.args.entrant.strip().upper())
    if ctx.args.json:
        print(json.dumps(x, ensure_ascii=False, indent=2))
        return
    print(render.explain_text(x, ctx.lang))
