"""``leitai``: the command line.

Global options come before the command: ``--db URL`` (default ``LEITAI_DATABASE_URL``,
else ``sqlite:///leitai.db``), ``--lang zh|en`` (default ``LEITAI_LANG``, else zh),
``--as ACTOR`` (who is acting; default ``LEITAI_ACTOR``, else the login name).
Results go to stdout, errors to stderr with a non-zero exit code.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from api.cli import readside, render
from api.importing.scenario import import_scenario
from api.wiring import open_app
from domain.errors import InvalidValue, LeitaiError
from domain.model.base import Actor
from domain.rules.ruleset import parse_ruleset
from domain.services.app import Leitai
from domain.workdays import parse_year_file
from projections.explain import explanation
from projections.ranking_json import ranking_document


class Context:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.lang = args.lang or os.environ.get("LEITAI_LANG", "zh")
        self.actor = Actor(args.actor or os.environ.get("LEITAI_ACTOR") or _login(), "admin")
        self._app: Leitai | None = None

    @property
    def zh(self) -> bool:
        return self.lang.startswith("zh")

    @property
    def app(self) -> Leitai:
        if self._app is None:
            self._app = open_app(self.args.db)
        return self._app

    def say(self, zh: str, en: str) -> None:
        print(zh if self.zh else en)

    def progress(self, text: str) -> None:
        print(f"  … {text}", file=sys.stderr, flush=True)


def _login() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "operator"


# -- commands -------------------------------------------------------------------------


def cmd_import(ctx: Context) -> None:
    directory = Path(ctx.args.directory)
    ctx.say(f"导入 {directory} …", f"Importing {directory} …")
    reports = import_scenario(ctx.app, directory, ctx.actor, ctx.progress)
    rows = [[r.file, r.rows, r.recorded] for r in reports]
    print(render.table(["文件" if ctx.zh else "File", "行/项" if ctx.zh else "Rows", "新事件" if ctx.zh else "New events"],
                       rows, right=[1, 2]))
    for report in reports:
        for en, zh in report.warnings:
            print(("注意：" + zh) if ctx.zh else ("Note: " + en), file=sys.stderr)
    total = sum(r.recorded for r in reports)
    if total:
        ctx.say(f"共登记 {total} 条新事件。", f"{total} new events recorded.")
    else:
        ctx.say("没有新内容：这些数据此前已经导入。", "Nothing new: this data was imported before.")


def cmd_open(ctx: Context) -> None:
    for code in ctx.args.rounds:
        ctx.app.open_round(code, ctx.actor)
        ctx.say(f"轮次 {code} 开始评分。", f"Round {code} is open for scoring.")


def cmd_close(ctx: Context) -> None:
    for code in ctx.args.rounds:
        seal = ctx.app.close_round(code, ctx.actor)
        ctx.say(f"轮次 {code} 已结束评分并封存：{seal}", f"Round {code} closed and sealed: {seal}")


def cmd_reopen(ctx: Context) -> None:
    ctx.app.reopen_round(ctx.args.round, ctx.args.reason, ctx.actor)
    ctx.say(f"轮次 {ctx.args.round} 已重新开放评分。", f"Round {ctx.args.round} reopened.")


def cmd_ranking(ctx: Context) -> None:
    rnd, result = ctx.app.ranking(ctx.args.round)
    doc = ranking_document(rnd, result)
    if ctx.args.json:
        print(json.dumps(doc, ensure_ascii=False, indent=2))
        return
    print(render.ranking_text(doc, {a.code: a.name for a in result.rules.awards}, ctx.lang))


def cmd_explain(ctx: Context) -> None:
    rnd, result = ctx.app.ranking(ctx.args.round)
    x = explanation(rnd, result, ctx.args.entrant)
    if ctx.args.json:
        print(json.dumps(x, ensure_ascii=False, indent=2))
        return
    print(render.explain_text(x, ctx.lang))


def cmd_rules_check(ctx: Context) -> None:
    path = Path(ctx.args.file)
    rules = parse_ruleset(path.read_text(encoding="utf-8-sig"), str(path))
    crit = "、".join(f"{c.name}({c.code}) ≤{c.max}" for c in rules.criteria)
    ctx.say(f"{path}：有效。规则 {rules.ref}，{len(rules.criteria)} 项评分指标：{crit}；计分 {rules.panel.method}"
            f"（至少 {rules.panel.min_judges} 份评分表），结果保留 {rules.result_decimals} 位小数。摘要 {rules.digest}",
            f"{path}: valid. Rule set {rules.ref}, {len(rules.criteria)} criteria; panel {rules.panel.method} "
            f"(min {rules.panel.min_judges} sheets); results to {rules.result_decimals} decimals. Digest {rules.digest}")


def _marks(pairs: Sequence[str]) -> dict[str, str]:
    marks = {}
    for pair in pairs:
        code, sep, value = pair.partition("=")
        if not sep:
            raise InvalidValue("marks", pair, "write each mark as criterion=value, e.g. party=28.5",
                               "每项分数写成 指标=分数，如 party=28.5")
        marks[code.strip()] = value.strip()
    return marks


def cmd_sheet(ctx: Context) -> None:
    a = ctx.args
    number = ctx.app.submit_sheet(a.round, a.judge, a.entrant, _marks(a.marks), ctx.actor, a.key)
    ctx.say(f"已登记评分表 {a.round}#{number}。", f"Sheet recorded: {a.round}#{number}.")


def cmd_correct(ctx: Context) -> None:
    a = ctx.args
    number = ctx.app.correct_sheet(a.round, a.judge, a.entrant, _marks(a.marks), a.reason, ctx.actor, a.key)
    ctx.say(f"已登记更正 {a.round}#{number}。", f"Correction recorded: {a.round}#{number}.")


def cmd_publish(ctx: Context) -> None:
    a = ctx.args
    on = date.fromisoformat(a.on) if a.on else None
    p = ctx.app.publish(a.round, ctx.actor, on, a.days, a.calendar_fallback)
    source = "，".join(f"{y} 年：{s}" for y, s in p.calendar.items())
    ctx.say(f"轮次 {a.round} 结果已公示：{p.start} 至 {p.end}（{p.days} 个工作日；节假日数据 {source}）。",
            f"Round {a.round} published: {p.start} to {p.end} ({p.days} working days; calendar {p.calendar}).")


def cmd_appeal_file(ctx: Context) -> None:
    a = ctx.args
    number = ctx.app.file_appeal(a.round, a.kind, a.name, a.contact, a.text, ctx.actor, a.entrant)
    ctx.say(f"已受理 {a.round}#{number}。", f"Filed as {a.round}#{number}.")


def cmd_appeal_rule(ctx: Context) -> None:
    a = ctx.args
    seal = ctx.app.rule_appeal(a.round, a.appeal, a.decision, a.reply, ctx.actor)
    ctx.say(f"已答复 {a.round}#{a.appeal}。" + (f"重新封存：{seal}" if seal else ""),
            f"Ruled on {a.round}#{a.appeal}." + (f" Re-sealed: {seal}" if seal else ""))


def cmd_finalize(ctx: Context) -> None:
    ctx.app.finalize(ctx.args.round, ctx.actor)
    ctx.say(f"轮次 {ctx.args.round} 结果已定案。", f"Round {ctx.args.round} is final.")


def cmd_promote(ctx: Context) -> None:
    p = ctx.app.promote(ctx.args.round, ctx.actor)
    ctx.say(f"晋级：{', '.join(p['promoted']) or '无'}；候补：{', '.join(p['reserves']) or '无'}",
            f"Promoted: {', '.join(p['promoted']) or 'none'}; reserves: {', '.join(p['reserves']) or 'none'}")


def cmd_calendar_load(ctx: Context) -> None:
    path = Path(ctx.args.file)
    year = parse_year_file(path.read_text(encoding="utf-8-sig"), path.name)
    changed = ctx.app.load_holiday_year(year, ctx.actor)
    ctx.say(f"{year.year} 年节假日安排：{len(year.holidays)} 天放假，{len(year.workdays)} 天调休上班。"
            + ("" if changed else "（与已登记的相同，未重复登记）"),
            f"{year.year}: {len(year.holidays)} holidays, {len(year.workdays)} make-up working days."
            + ("" if changed else " (already recorded)"))


def cmd_db_migrate(ctx: Context) -> None:
    from api.wiring import ensure_migrated, store_from_env

    store = store_from_env(ctx.args.db)
    done = ensure_migrated(store)
    ctx.say(f"{store.display}：" + (f"已执行迁移 {', '.join(done)}" if done else "已是最新"),
            f"{store.display}: " + (f"applied {', '.join(done)}" if done else "up to date"))


def cmd_demo(ctx: Context) -> None:
    from api.cli.demo import run_demo

    run_demo(ctx)


# -- parser ---------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="leitai", description="擂台 Leitai — 书记擂台比武与星级评定 / arena contests and star certification")
    p.add_argument("--db", help="database URL (sqlite:///file.db or postgresql://...)")
    p.add_argument("--lang", choices=["zh", "en"], help="language of messages (default zh)")
    p.add_argument("--as", dest="actor", help="who is acting (recorded with every event)")
    sub = p.add_subparsers(dest="command", required=True)

    def add(name: str, fn: Callable[[Context], None], help_text: str, parent: Any = sub) -> argparse.ArgumentParser:
        parser = parent.add_parser(name, help=help_text)
        parser.set_defaults(run=fn)
        return parser

    add("import", cmd_import, "import a scenario directory").add_argument("directory")
    add("open", cmd_open, "open rounds for scoring").add_argument("rounds", nargs="+")
    add("close", cmd_close, "close and seal rounds").add_argument("rounds", nargs="+")
    r = add("reopen", cmd_reopen, "reopen a closed round (before publication)")
    r.add_argument("round")
    r.add_argument("--reason", required=True)
    r = add("ranking", cmd_ranking, "show a round's ranking")
    r.add_argument("round")
    r.add_argument("--json", action="store_true", help="the ranking JSON of the rulebook, nothing else")
    r = add("explain", cmd_explain, "explain how an entrant's result was reached")
    r.add_argument("round")
    r.add_argument("entrant")
    r.add_argument("--json", action="store_true")
    rules = add("rules", lambda ctx: None, "rule sets")
    rules_sub = rules.add_subparsers(dest="rules_command", required=True)
    add("check", cmd_rules_check, "validate a rule-set file", rules_sub).add_argument("file")
    for name, fn, help_text in (("sheet", cmd_sheet, "record a judge's sheet"),
                                ("correct", cmd_correct, "correct a judge's sheet")):
        r = add(name, fn, help_text)
        r.add_argument("round")
        r.add_argument("judge")
        r.add_argument("entrant")
        r.add_argument("marks", nargs="+", help="criterion=mark ...")
        r.add_argument("--key", help="idempotency key: repeating the command with it records nothing new")
        if name == "correct":
            r.add_argument("--reason", required=True)
    r = add("publish", cmd_publish, "publish results: start the publicity period")
    r.add_argument("round")
    r.add_argument("--on", help="publication date YYYY-MM-DD (default today)")
    r.add_argument("--days", type=int, default=5, help="working days of publicity (default 5)")
    r.add_argument("--calendar-fallback", choices=["weekends"], help="count only weekends where no holiday data exists (recorded)")
    appeal = add("appeal", lambda ctx: None, "objections and appeals")
    appeal_sub = appeal.add_subparsers(dest="appeal_command", required=True)
    r = add("file", cmd_appeal_file, "file an objection or appeal", appeal_sub)
    r.add_argument("round")
    r.add_argument("--kind", choices=["objection", "appeal"], default="objection")
    r.add_argument("--name", required=True)
    r.add_argument("--contact", required=True)
    r.add_argument("--text", required=True)
    r.add_argument("--entrant")
    r = add("rule", cmd_appeal_rule, "rule on an objection or appeal", appeal_sub)
    r.add_argument("round")
    r.add_argument("appeal", type=int, help="the number after # in its id")
    r.add_argument("--decision", choices=["dismissed", "upheld"], required=True)
    r.add_argument("--reply", required=True)
    add("finalize", cmd_finalize, "finalize a round after publicity").add_argument("round")
    add("promote", cmd_promote, "promote a final round's entrants to the next level").add_argument("round")
    cal = add("calendar", lambda ctx: None, "holiday calendar")
    cal_sub = cal.add_subparsers(dest="calendar_command", required=True)
    add("load", cmd_calendar_load, "load a year's holidays (date,holiday|workday per line)", cal_sub).add_argument("file")
    db = add("db", lambda ctx: None, "database")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    add("migrate", cmd_db_migrate, "apply pending migrations", db_sub)
    adopt = add("adopt", readside.cmd_rules_adopt, "adopt a rule-set version for a scope of a contest", rules_sub)
    adopt.add_argument("file")
    adopt.add_argument("--contest", required=True)
    adopt.add_argument("--scope", required=True, help="contest | level:LEVEL | unit:UNIT | rounds:R1,R2")
    adopt.add_argument("--from-period", help="only rounds of this period (YYYY-MM) and later")
    adopt.add_argument("--reason", required=True)
    r = add("rerank", readside.cmd_rerank, "re-rank a closed/final round under another rule-set version")
    r.add_argument("round")
    r.add_argument("--rules", required=True, help="code@version")
    r.add_argument("--reason", required=True)
    proj = add("projections", lambda ctx: None, "read models")
    proj_sub = proj.add_subparsers(dest="projections_command", required=True)
    r = add("run", readside.cmd_projections_run, "keep the read models current (runs until stopped)", proj_sub)
    r.add_argument("--batch-size", type=int, default=5000)
    add("rebuild", readside.cmd_projections_rebuild, "rebuild every read model from event 1", proj_sub)
    add("status", readside.cmd_projections_status, "how far the read models are", proj_sub)
    for name, fn, help_text in (("board", readside.cmd_board, "the live leaderboard of a round"),
                                ("finalists", readside.cmd_finalists, "a final's entrants and where they came from")):
        r = add(name, fn, help_text)
        r.add_argument("round")
        r.add_argument("--json", action="store_true")
    r = add("audit", readside.cmd_audit, "explanation and history of a result, from the read side")
    r.add_argument("round")
    r.add_argument("entrant")
    r.add_argument("--json", action="store_true")
    r = add("standings", readside.cmd_standings, "period standings and consequences of a unit")
    for arg in ("contest", "unit", "period"):
        r.add_argument(arg)
    r.add_argument("--json", action="store_true")
    r = add("judges", readside.cmd_judges, "judge statistics (bias check)")
    group = r.add_mutually_exclusive_group(required=True)
    group.add_argument("--round")
    group.add_argument("--contest")
    r.add_argument("--json", action="store_true")
    r = add("stars", readside.cmd_stars, "star recommendations and certification status")
    for arg in ("contest", "level", "cycle"):
        r.add_argument(arg)
    r.add_argument("--json", action="store_true")
    r = add("replay", readside.cmd_replay, "what would change under another rule set (records nothing)")
    r.add_argument("--rules", required=True)
    group = r.add_mutually_exclusive_group()
    group.add_argument("--round", action="append")
    group.add_argument("--level")
    group.add_argument("--contest")
    r.add_argument("--json", action="store_true")
    r = add("verify", readside.cmd_verify, "recompute closed rounds and check seals and published results")
    r.add_argument("round", nargs="?")
    r.add_argument("--from-export", help="verify an export file, without the database")
    r.add_argument("--json", action="store_true")
    exp = add("export", lambda ctx: None, "exports")
    exp_sub = exp.add_subparsers(dest="export_command", required=True)
    add("events", readside.cmd_export_events, "write the event history as NDJSON with the seals",
        exp_sub).add_argument("file")
    r = add("demo", cmd_demo, "run the example contest end to end")
    r.add_argument("--fresh", action="store_true", help="start from an empty database file")
    r.add_argument("--scenario", help="scenario directory (default: examples/wushen-2025)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    ctx = Context(args)
    try:
        args.run(ctx)
    except LeitaiError as error:
        print(("错误：" if ctx.zh else "Error: ") + error.message(ctx.lang), file=sys.stderr)
        if args.command == "import":
            print("未登记任何内容（整个目录作为一个整体导入）。请修改后重新导入。" if ctx.zh else
                  "Nothing was recorded (a directory is imported as a whole). Fix it and import again.",
                  file=sys.stderr)
        return type(error).exit_code
    except (FileNotFoundError, IsADirectoryError) as error:
        print(("错误：找不到文件 " if ctx.zh else "Error: no such file ") + str(error.filename), file=sys.stderr)
        return 2
    finally:
        if ctx._app is not None:
            ctx._app.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
