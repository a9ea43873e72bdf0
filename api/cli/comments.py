"""Comments on entrants (点评, rulebook section 17): ``leitai comment add|correct|withdraw``
and ``leitai comments``; and the demo's step that shows them."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from api.cli.context import Context

WHAT_ZH = {"recorded": "登记", "corrected": "更正", "withdrawn": "撤回"}
STATE_ZH = {"recorded": "", "corrected": "已更正", "withdrawn": "已撤回"}
STATE_EN = {"recorded": "", "corrected": "corrected", "withdrawn": "withdrawn"}


def cmd_comment_add(ctx: Context) -> None:
    a = ctx.args
    outcome = ctx.app.execute(lambda s: s.record_comment(a.round, a.entrant, a.text, ctx.actor, ctx.key(),
                                                         judge=a.judge, leader=a.leader, stage=a.stage,
                                                         reason=a.reason),
                              f"round {a.round}")
    who = ctx.t(f"评委 {a.judge.upper()}", f"judge {a.judge.upper()}") if a.judge else a.leader
    ctx.recorded(outcome, f"已登记 {who} 对 {a.entrant.upper()} 的点评（点评编号 {outcome.value}）",
                 f"Comment by {who} on {a.entrant.upper()} recorded (comment number {outcome.value})")


def cmd_comment_correct(ctx: Context) -> None:
    a = ctx.args
    outcome = ctx.app.execute(lambda s: s.correct_comment(a.round, a.comment, a.text, a.reason, ctx.actor, ctx.key()),
                              f"round {a.round}")
    ctx.recorded(outcome, f"已更正轮次 {a.round.upper()} 的点评 {a.comment}（原文保留在记录中）",
                 f"Comment {a.comment} of round {a.round.upper()} corrected (the original stays on record)")


def cmd_comment_withdraw(ctx: Context) -> None:
    a = ctx.args
    outcome = ctx.app.execute(lambda s: s.withdraw_comment(a.round, a.comment, a.reason, ctx.actor, ctx.key()),
                              f"round {a.round}")
    ctx.recorded(outcome, f"已撤回轮次 {a.round.upper()} 的点评 {a.comment}（记录保留，不再向参赛组织和公众显示）",
                 f"Comment {a.comment} of round {a.round.upper()} withdrawn (kept on record, no longer shown to the "
                 "entrants and the public)")


def author_text(row: dict[str, Any], zh: bool) -> str:
    """Who commented, as a person reads it: 评委 王五（J1） / 镇党委书记 张三（领导点评）."""
    if row["author_kind"] == "leader":
        return f"{row['author']}（领导点评）" if zh else f"{row['author']} (leader)"
    return f"评委 {row['author']}（{row['judge']}）" if zh else f"judge {row['author']} ({row['judge']})"


def comments_text(rows: list[dict[str, Any]], zh: bool) -> str:
    """Each comment with its number, entrant, author, stage and text, then its corrections
    and withdrawal (with the earlier text, who, when and why)."""
    out: list[str] = []
    for row in rows:
        state = (STATE_ZH if zh else STATE_EN)[row["state"]]
        head = [f"点评 {row['comment']}" if zh else f"Comment {row['comment']}", f"{row['entrant']} {row['entrant_name']}",
                author_text(row, zh)]
        if row["stage"]:
            head.append(row["stage"])
        if state:
            head.append(state)
        out.append(" · ".join(head))
        out.extend(f"  {line}" for line in row["text"].splitlines())
        history = row["history"]
        for before, entry in pairwise(history):
            if zh:
                line = f"  {WHAT_ZH[entry['what']]}：{entry['at'] or ''} {entry['actor']}，理由：{entry['reason']}"
                line += f"；原文：{' '.join(before['text'].split())}" if entry["what"] == "corrected" else ""
            else:
                line = f"  {entry['what']}: {entry['at'] or ''} by {entry['actor']}, reason: {entry['reason']}"
                line += f"; before: {' '.join(before['text'].split())}" if entry["what"] == "corrected" else ""
            out.append(line)
        first = history[0]
        why = first.get("reason")  # an admin entering a judge's comment after scoring closed (17.2)
        if zh:
            out.append(f"  （{first['at'] or ''} {first['actor']} 登记{f'，理由：{why}' if why else ''}）")
        else:
            out.append(f"  (recorded {first['at'] or ''} by {first['actor']}{f', reason: {why}' if why else ''})")
    return "\n".join(out)


def cmd_comments(ctx: Context) -> None:
    from api.cli.readside import view
    from projections.comments import comments

    a = ctx.args
    rows = view(ctx, lambda read: comments(read, a.round, a.entrant))
    if rows is None:
        return
    if not rows:
        ctx.say("没有点评。", "No comments.")
        return
    print(comments_text(rows, ctx.zh))


# -- the demo ----------------------------------------------------------------------------------


def demo_comments(ctx: Context, app: Any, final: str, by: Any, step: Any) -> None:
    """The final's 书记点评: a judge's comment (corrected once) and two leaders', recorded while
    the final is scored (illustrative names); never part of its score."""
    from domain.model.base import Actor

    rnd = app.read(lambda s: s.round(final))
    entrants = sorted(rnd.entrants)
    judges = sorted(j for j in rnd.judges if not any((j, e) in rnd.recusals for e in entrants[:1]))
    if rnd.comments or not entrants or not judges:
        return
    step("书记点评：评委和领导对参赛村的点评（不计入成绩）", "Comments (书记点评) by a judge and leaders: never part of the score")
    first, judge = entrants[0], judges[0]
    app.record_comment(final, first, "汇报紧扣产业发展，数据翔实；建议进一步说明村集体经济收益的分配办法。",
                       Actor(judge, "judge"), judge=judge, stage="汇报演讲")
    app.correct_comment(final, 1, "汇报紧扣产业发展，数据翔实；建议进一步说明村集体经济收益如何分配到户。",
                        "措辞更准确", Actor(judge, "judge"))
    app.record_comment(final, first, "党建引领产业发展的路子走得实，要把好经验在全旗推广。", by,
                       leader="旗委书记 王某", stage="书记点评")
    if len(entrants) > 1:
        app.record_comment(final, entrants[1], "治理有效，村规民约执行到位；产业带动还需加强。", by,
                           leader="旗委组织部部长 李某", stage="书记点评")
    rnd = app.read(lambda s: s.round(final))  # as recorded (the demo leaves the read side to `leitai serve`)
    shown = [{"comment": c.comment, "entrant": c.entrant, "entrant_name": rnd.entrants[c.entrant].name,
              "author_kind": c.author, "judge": c.judge, "stage": c.stage, "text": c.text, "state": c.state,
              "history": c.history,
              "author": c.title if c.author == "leader" else rnd.judges[c.judge].name} for c in rnd.comments.values()]
    print("   " + comments_text(shown, ctx.zh).replace("\n", "\n   "))
