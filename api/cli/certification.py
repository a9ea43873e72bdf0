"""The star-certification lifecycle (rulebook section 8): self-assessment (自评), veto
items (一票否决), initial evaluation (初评) with the computed recommendation,
re-evaluation (复评), certification (审定), lowering (降星) and withdrawal (摘星)."""

from __future__ import annotations

from typing import Any

from api.cli.context import Context
from domain.errors import InvalidValue, level_zh


def _who(ctx: Context) -> str:
    a = ctx.args
    return f"{a.organization.upper()}（{level_zh(a.level.lower())} {a.cycle}）" if ctx.zh else f"{a.organization.upper()} ({a.level}, {a.cycle})"


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


def _stars_given(text: str, field: str) -> int | None:
    text = text.strip().lower()
    if text in ("none", "无", "不评定"):
        return None
    if text.isdigit() and len(text) == 1 and int(text) <= 5:
        return int(text)
    raise InvalidValue(field, text, "a number of stars 0-5, or none", "应为 0 到 5 的星级，或 none（不评定）")


def exceptions(pairs: list[str] | None) -> dict[str, Any]:
    """``--except ORG=STARS`` (repeatable) -> the stars set by hand, per organization."""
    from domain.services.certification import ByHand
    from domain.text import entity_code

    out: dict[str, Any] = {}
    for pair in pairs or ():
        org, sep, stars = pair.partition("=")
        if not sep or not org.strip():
            raise InvalidValue("--except", pair, "write each exception as ORG=STARS, e.g. WS-GL-03=3 (or =none)",
                               "每个例外写成 组织代码=星级，如 WS-GL-03=3（不评定写 =none）")
        code = entity_code(org, "--except")  # as the rulebook reads codes (3.2): full width, any case
        if code in out:
            raise InvalidValue("--except", code, "the organization is named twice", "该组织重复给出")
        out[code] = ByHand(_stars_given(stars, "--except"))
    return out


def stars_text(stars: int | None, zh: bool) -> str:
    if stars is None:
        return "不评定" if zh else "no rating"
    return "★" * stars if stars else ("0 星" if zh else "0 stars")


def acceptance_lines(report: dict[str, Any], zh: bool) -> list[str]:
    """What accepting a unit's recommendations records (or would), one line per organization,
    the exceptions set by hand first."""
    rows = sorted(report["accepted"], key=lambda a: (not a["exception"], a["organization"]))
    out = []
    for a in rows:
        shown = stars_text(a["stars"], zh)
        if a["exception"]:
            what = (f"手工改定为 {shown}（建议 {stars_text(a['recommended'], zh)}）" if zh else
                    f"set by hand to {shown} (recommended {stars_text(a['recommended'], zh)})")
        elif a["step"] == "certified":
            what = f"按已登记的复评决定 {shown} 审定" if zh else f"certified as decided before: {shown}"
        else:
            what = f"采纳建议 {shown}" if zh else f"recommendation accepted: {shown}"
        why = (f"；理由：{a['reason']}" if zh else f"; reason: {a['reason']}") if a["exception"] and a["reason"] else ""
        out.append(f"  {a['organization']}  {a['name']}  {what}{why}")
    return out


def cmd_accept(ctx: Context) -> None:
    """复评 and 审定 of a unit's organizations in one step: the recommendations, except those set by hand."""
    a = ctx.args
    by_hand = exceptions(a.exceptions)

    def work(s: Any) -> dict[str, Any]:
        return s.accept_recommendations(a.contest, a.unit, a.level, a.cycle, ctx.actor, by_hand, a.reason,
                                        ctx.key(), preview=a.dry_run)

    if a.dry_run:
        report = ctx.app.read(work)
    else:
        outcome = ctx.app.execute(work, f"certifications of {a.unit}")
        report = outcome.value
    accepted = report["accepted"]
    hand = sum(1 for x in accepted if x["exception"])
    where = (f"{report['unit']} 及下级单位 {level_zh(report['level'])} {report['cycle']}" if ctx.zh else
             f"{report['unit']} and the units below it, level {report['level']}, {report['cycle']}")
    for line in acceptance_lines(report, ctx.zh):
        print(line)
    if report["already"]:
        ctx.say(f"  已审定，未改动：{len(report['already'])} 个组织", f"  certified already, left as they are: "
                f"{len(report['already'])} organization(s)")
    if a.dry_run:
        ctx.say(f"预览（未登记任何内容）：{where} 将登记 {len(accepted)} 个组织的复评和审定，其中手工改定 {hand} 个。",
                f"Preview (nothing recorded): {where}: {len(accepted)} organization(s) would be re-evaluated and "
                f"certified, {hand} of them set by hand.")
        return
    ctx.recorded(outcome, f"{where}：已登记 {len(accepted)} 个组织的复评和审定，其中手工改定 {hand} 个",
                 f"{where}: {len(accepted)} organization(s) re-evaluated and certified, {hand} of them set by hand")


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
