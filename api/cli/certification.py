"""The star-certification lifecycle (rulebook section 8): self-assessment (自评), veto
items (一票否决), initial evaluation (初评) with the computed recommendation,
re-evaluation (复评), certification (审定), lowering (降星) and withdrawal (摘星)."""

from __future__ import annotations

from typing import Any

from api.cli.context import Context
from domain.errors import InvalidValue


def _who(ctx: Context) -> str:
    a = ctx.args
    return f"{a.organization.upper()}（{a.level} 级 {a.cycle}）" if ctx.zh else f"{a.organization.upper()} ({a.level}, {a.cycle})"


def cmd_self_assess(ctx: Context) -> None:
    a = ctx.args
    outcome = ctx.app.execute(lambda s: s.self_assess(a.organization, a.level, a.cycle, a.stars, a.note, ctx.actor,
                                                      ctx.key()), f"certification {a.organization}")
    ctx.recorded(outcome, f"已登记 {_who(ctx)} 的自评：{a.stars} 星", f"Self-assessment of {_who(ctx)}: {a.stars} stars")


def cmd_veto(ctx: Context) -> None:
    a = ctx.args
    outcome = ctx.app.execute(lambda s: s.record_veto(a.organization, a.level, a.cycle, a.item, a.reason, ctx.actor,
                                                      ctx.key()), f"certification {a.organization}")
    ctx.recorded(outcome, f"已登记 {_who(ctx)} 的一票否决事项「{a.item}」：本周期不评定星级",
                 f"Veto item {a.item} recorded for {_who(ctx)}: no rating this cycle")


def cmd_evaluate(ctx: Context) -> None:
    a = ctx.args
    if a.stars is not None and len(a.organizations) != 1:
        raise InvalidValue("--stars", a.stars, "a recommendation of one's own is for one organization at a time",
                           "自行给出的推荐星级一次只能针对一个组织")

    def work(s: Any) -> list[tuple[str, dict[str, Any]]]:
        codes = a.organizations or sorted(s.star_recommendations(a.contest, a.level, a.cycle))
        return [(code, s.evaluate_initially(a.contest, code, a.level, a.cycle, ctx.actor, a.stars, a.reason))
                for code in codes]

    outcome = ctx.app.execute(work, f"certification of {a.contest}")
    for code, basis in outcome.value:
        if basis["veto"]:
            computed = ctx.t("一票否决，不评定", "veto: no rating")
        elif basis["stars"] is None:
            computed = ctx.t("没有年度得分", "no annual score")
        else:
            computed = ctx.t(f"{basis['stars']} 星", f"{basis['stars']} stars") + (
                ctx.t(f"（名额限制，由 {basis['band']} 星降档）", f" (lowered from {basis['band']} by the quota)")
                if basis["capped"] else "")
        chosen = a.stars if a.stars is not None else basis["stars"]
        ctx.say(f"  {code}：计算建议 {computed}；初评推荐 {chosen if chosen is not None else '不评定'}",
                f"  {code}: computed {computed}; recommended {chosen if chosen is not None else 'no rating'}")
    ctx.recorded(outcome, f"已登记 {len(outcome.value)} 个组织的初评", f"Initial evaluation of {len(outcome.value)} "
                 "organizations recorded")


def cmd_decide(ctx: Context) -> None:
    a = ctx.args
    text = a.stars.strip().lower()
    if text in ("none", "无", "不评定"):
        stars = None
    elif text.isdigit() and len(text) == 1:
        stars = int(text)
    else:
        raise InvalidValue("--stars", a.stars, "a number of stars 0-5, or none", "应为 0 到 5 的星级，或 none（不评定）")
    outcome = ctx.app.execute(lambda s: s.decide_stars(a.organization, a.level, a.cycle, stars, ctx.actor, a.reason,
                                                       ctx.key()), f"certification {a.organization}")
    shown = ctx.t("不评定", "no rating") if stars is None else ctx.t(f"{stars} 星", f"{stars} stars")
    ctx.recorded(outcome, f"已登记 {_who(ctx)} 的复评决定：{shown}", f"Re-evaluation of {_who(ctx)}: {shown}")


def cmd_certify(ctx: Context) -> None:
    a = ctx.args
    outcome = ctx.app.execute(lambda s: s.certify(a.organization, a.level, a.cycle, ctx.actor, ctx.key()),
                              f"certification {a.organization}")
    ctx.recorded(outcome, f"{_who(ctx)} 的星级已审定", f"Stars of {_who(ctx)} certified")


def cmd_downgrade(ctx: Context) -> None:
    a = ctx.args
    outcome = ctx.app.execute(lambda s: s.downgrade(a.organization, a.level, a.cycle, a.stars, a.reason, ctx.actor,
                                                    ctx.key()), f"certification {a.organization}")
    ctx.recorded(outcome, f"{_who(ctx)} 已降为 {a.stars} 星", f"{_who(ctx)} lowered to {a.stars} stars")


def cmd_revoke(ctx: Context) -> None:
    a = ctx.args
    outcome = ctx.app.execute(lambda s: s.revoke(a.organization, a.level, a.cycle, a.reason, ctx.actor, ctx.key()),
                              f"certification {a.organization}")
    ctx.recorded(outcome, f"{_who(ctx)} 的星级已摘除", f"Stars of {_who(ctx)} withdrawn")
