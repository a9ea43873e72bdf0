"""Honours (荣誉), platform data (平台数据) and flags (红旗, e.g. 五面红旗): rulebook section 19."""

from __future__ import annotations

from typing import Any

from api.cli import render
from api.cli.context import MAX_FILE, Context
from domain.errors import InvalidValue
from domain.rules.flags import describe
from domain.rules.star_evidence import HONOUR_LEVEL_ZH

FLAG_STATE_EN = {"nominated": "nominated", "assessed": "assessed", "awarded": "awarded", "declined": "declined",
                 "revoked": "revoked"}


def _read_bytes(path_text: str) -> tuple[str, bytes]:
    from pathlib import Path

    path = Path(path_text)
    try:
        if path.is_dir():
            raise InvalidValue("file", path_text, "is a directory, not a file", "是目录，不是文件")
        if path.stat().st_size > MAX_FILE:
            raise InvalidValue("file", path_text, f"larger than {MAX_FILE:,} bytes", f"文件超过 {MAX_FILE:,} 字节")
        return path.name, path.read_bytes()
    except FileNotFoundError:
        raise InvalidValue("file", path_text, "no such file", "找不到该文件") from None
    except OSError as error:
        raise InvalidValue("file", path_text, f"cannot be read ({error.strerror})", f"无法读取（{error.strerror}）") from None


# -- honours ----------------------------------------------------------------------------------


def cmd_honour_add(ctx: Context) -> None:
    a = ctx.args
    outcome = ctx.app.execute(lambda s: s.record_honour(a.organization, a.name, a.level, a.date, a.issuer, ctx.actor,
                                                        ctx.key()), f"organization {a.organization}")
    ctx.recorded(outcome, f"已登记 {a.organization.upper()} 的荣誉 {outcome.value}：{a.name}",
                 f"Honour {outcome.value} of {a.organization.upper()} recorded: {a.name}")


def cmd_honour_withdraw(ctx: Context) -> None:
    a = ctx.args
    outcome = ctx.app.execute(lambda s: s.withdraw_honour(a.organization, a.number, a.reason, ctx.actor, ctx.key()),
                              f"organization {a.organization}")
    ctx.recorded(outcome, f"已撤销 {a.organization.upper()} 的荣誉 {a.number}",
                 f"Honour {a.number} of {a.organization.upper()} withdrawn")


def cmd_honours(ctx: Context) -> None:
    from api.cli.readside import view
    from projections import evidence

    a = ctx.args
    rows = view(ctx, lambda read: evidence.honours(read, a.organization))
    if rows is None:
        return
    if not rows:
        ctx.say(f"{a.organization.upper()} 还没有登记荣誉。", f"No honours recorded for {a.organization.upper()}.")
        return
    print(render.table([ctx.t("编号", "No."), ctx.t("荣誉", "Honour"), ctx.t("级别", "Level"), ctx.t("日期", "Date"),
                        ctx.t("颁发单位", "Issuer"), ctx.t("状态", "State")],
                       [[r["number"], r["name"], ctx.t(HONOUR_LEVEL_ZH.get(r["level"], r["level"]), r["level"]),
                         r["date"], r["issuer"],
                         ctx.t(f"已撤销：{r['withdrawn']}", f"withdrawn: {r['withdrawn']}") if r["withdrawn"]
                         else ctx.t("有效", "valid")] for r in rows], right=[0]))


# -- platform data ------------------------------------------------------------------------------


def cmd_platform_import(ctx: Context) -> None:
    a = ctx.args
    name, data = _read_bytes(a.file)
    outcome = ctx.app.execute(lambda s: s.import_platform(a.contest, a.period, a.source, data, name, ctx.actor,
                                                          a.reason, ctx.key()), f"platform data of {a.contest}")
    done = outcome.value
    if done["step"] == "unchanged":
        ctx.say(f"{done['source']} {done['period']} 的数据与上次导入的文件相同，未重复登记。",
                f"The {done['source']} data of {done['period']} is the same file as imported before; nothing recorded.")
        return
    verb = ctx.t("替换", "replaced") if done["step"] == "replaced" else ctx.t("导入", "imported")
    ctx.recorded(outcome, f"已{verb} {done['source']} {done['period']} 的平台数据：{done['rows']} 个组织（{done['digest'][:19]}…）",
                 f"Platform data of {done['source']} for {done['period']} {verb}: {done['rows']} organizations "
                 f"({done['digest'][:19]}…)")


def cmd_platform_show(ctx: Context) -> None:
    from api.cli.readside import view
    from projections import evidence

    a = ctx.args
    rows = view(ctx, lambda read: evidence.platform_data(read, a.contest, a.period, a.source))
    if rows is None:
        return
    if not rows:
        ctx.say(f"还没有导入 {a.source} {a.period} 的平台数据。", f"No {a.source} data imported for {a.period}.")
        return
    history = rows[0]["history"]
    for h in history:
        what = ctx.t("导入", "imported") if h["step"] == "imported" else ctx.t("替换", "replaced")
        why = f"（{h['reason']}）" if h["reason"] and ctx.zh else (f" ({h['reason']})" if h["reason"] else "")
        ctx.say(f"  {what} {h['rows']} 行，{h['digest'][:19]}…，{h['actor']}{why}",
                f"  {what} {h['rows']} rows, {h['digest'][:19]}…, {h['actor']}{why}")
    print(render.table([ctx.t("组织", "Organization"), ctx.t("数值", "Value")],
                       [[r["organization"], r["value"]] for r in rows], right=[1]))


# -- flags --------------------------------------------------------------------------------------


def _flag_who(ctx: Context) -> str:
    a = ctx.args
    return f"{a.organization.upper()} 争创「{a.flag}」（{a.cycle}）" if ctx.zh else f"flag {a.flag} of {a.organization.upper()} ({a.cycle})"


def cmd_flag_nominate(ctx: Context) -> None:
    a = ctx.args
    given = None
    if a.rules and a.rules.lower().endswith(".toml"):  # a rules file: registered in the same command
        from api.cli.context import read_text

        given = read_text(a.rules, "--rules")

    def work(s: Any) -> str:
        rules = a.rules
        if given is not None:
            rules = s.register_ruleset(given[1], given[0].name, ctx.actor).ref
        return s.nominate_flag(a.contest, a.organization, a.flag, a.cycle, ctx.actor, ctx.key(), rules).name

    outcome = ctx.app.execute(work, f"flag {a.flag}")
    ctx.recorded(outcome, f"已提名 {a.organization.upper()} 争创「{outcome.value}」（{a.cycle}）",
                 f"{a.organization.upper()} nominated for flag {outcome.value} ({a.cycle})")


def cmd_flag_assess(ctx: Context) -> None:
    a = ctx.args
    outcome = ctx.app.execute(lambda s: s.assess_flag(a.organization, a.flag, a.cycle, ctx.actor, ctx.key()),
                              f"flag {a.flag}")
    for result in outcome.value:
        print("  " + describe(result, ctx.lang))
    met = all(r["met"] for r in outcome.value)
    ctx.recorded(outcome, f"已登记 {_flag_who(ctx)}的核验：" + ("条件全部满足" if met else "有条件不满足"),
                 f"Assessment of {_flag_who(ctx)} recorded: " + ("all criteria met" if met else "criteria not met"))


def cmd_flag_award(ctx: Context) -> None:
    a = ctx.args
    outcome = ctx.app.execute(lambda s: s.award_flag(a.organization, a.flag, a.cycle, ctx.actor, a.note, ctx.key()),
                              f"flag {a.flag}")
    ctx.recorded(outcome, f"已授予 {_flag_who(ctx)}", f"Awarded {_flag_who(ctx)}")


def cmd_flag_decline(ctx: Context) -> None:
    a = ctx.args
    outcome = ctx.app.execute(lambda s: s.decline_flag(a.organization, a.flag, a.cycle, a.reason, ctx.actor,
                                                       ctx.key()), f"flag {a.flag}")
    ctx.recorded(outcome, f"已登记不授予 {_flag_who(ctx)}", f"Declined {_flag_who(ctx)}")


def cmd_flag_revoke(ctx: Context) -> None:
    a = ctx.args
    outcome = ctx.app.execute(lambda s: s.revoke_flag(a.organization, a.flag, a.cycle, a.reason, ctx.actor,
                                                      ctx.key()), f"flag {a.flag}")
    ctx.recorded(outcome, f"已撤销 {_flag_who(ctx)}", f"Revoked {_flag_who(ctx)}")


def cmd_flags(ctx: Context) -> None:
    from api.cli.readside import view
    from projections import evidence

    a = ctx.args
    rows = view(ctx, lambda read: evidence.flags(read, a.contest, a.cycle, a.organization))
    if rows is None:
        return
    if not rows:
        ctx.say(f"{a.cycle} 年还没有红旗记录。", f"No flags recorded for {a.cycle}.")
        return
    print(render.table([ctx.t("组织", "Organization"), ctx.t("名称", "Name"), ctx.t("红旗", "Flag"),
                        ctx.t("状态", "State"), ctx.t("条件", "Criteria")],
                       [[r["organization"], r["org_name"], r["name"],
                         ctx.t(r["state_zh"], FLAG_STATE_EN.get(r["state"], r["state"])),
                         ctx.t("未核验", "not assessed") if r["met"] is None
                         else ("；" if ctx.zh else "; ").join(describe(x, ctx.lang) for x in r["results"])]
                        for r in rows]))


# -- the demo -------------------------------------------------------------------------------------


def demo_evidence(ctx: Context, app: Any, contest: str, scenario: Any, by: Any, step: Any) -> None:
    """Honours, one platform data import and flags (五面红旗) on the example contest (rulebook section 19)."""
    from domain.model.base import Actor

    folder = scenario / "evidence"
    if not folder.is_dir():
        return
    step("荣誉与平台数据：登记几项荣誉，导入“灯塔-党建在线”2025 年数据（示例数据）",
         "Honours and platform data: a few honours, the 2025 data of 灯塔-党建在线 (illustrative data)")
    honours = (("WS-GL-01", "全国乡村治理示范村", "national", "2025-03-18", "农业农村部、中央农办"),
               ("WS-GL-01", "旗级先进基层党组织", "county", "2025-04-28", "中共乌审旗委员会"),
               ("WS-WSZ-01", "自治区级文明村镇", "provincial", "2025-02-20", "内蒙古自治区精神文明建设委员会"),
               ("WS-TK-02", "镇级五好党支部", "township", "2025-05-06", "图克镇党委"))
    for org, name, level, on, issuer in honours:
        app.record_honour(org, name, level, on, issuer, by)
        print(f"   {org}  {name}（{HONOUR_LEVEL_ZH[level]}，{on}，{issuer}）" if ctx.zh else f"   {org}  {name} ({level}, {on})")
    data = (folder / "dengta-2025.csv").read_bytes()
    done = app.import_platform(contest, "2025", "灯塔-党建在线", data, "dengta-2025.csv", by)
    print(f"   灯塔-党建在线 2025：{done['rows']} 个组织，{done['digest'][:19]}…" if ctx.zh
          else f"   灯塔-党建在线 2025: {done['rows']} organizations, {done['digest'][:19]}…")
    step("五面红旗：提名、逐项核验条件，满足的授予，不满足的不授予", "Five flags: nominate, assess each criterion, award or decline")
    rules = (folder / "flags-2025.toml").read_text(encoding="utf-8")
    app.register_ruleset(rules, "flags-2025.toml", by)
    for org, flag in (("WS-GL-01", "party-building"), ("WS-GL-01", "civility"), ("WS-WSZ-01", "governance"),
                      ("WS-TK-02", "prosperity")):
        app.nominate_flag(contest, org, flag, "2025", by, rules="wushen-flags")
        results = app.assess_flag(org, flag, "2025", by)
        met = all(r["met"] for r in results)
        if met:  # four eyes: the county's reviewer awards what the township's admin assessed (rulebook 19.4)
            app.award_flag(org, flag, "2025", Actor(f"{by.id}-复核", "admin"))
        else:
            app.decline_flag(org, flag, "2025", "核验有条件不满足" if ctx.zh else "criteria not met", by)
        name = app.read(lambda s, o=org, f=flag: s.flag(o, f, "2025").name)
        verdict = ("授予" if met else "不授予") if ctx.zh else ("awarded" if met else "declined")
        print(f"   {org} {name}：{verdict}" if ctx.zh else f"   {org} {name}: {verdict}")
        for r in results:
            print("     " + describe(r, ctx.lang))
