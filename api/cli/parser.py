"""The commands of ``leitai`` and their options, in Chinese and English.

Each command is declared once, with its help text in both languages and the function
that runs it named by ``module:function``; only that module is imported when the
command runs, so a quick command starts quickly.  The global options (``--db``,
``--lang``, ``--as``) work before or after the command.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from typing import Any, NoReturn

H = tuple[str, str]  # (Chinese, English)


@dataclass(frozen=True)
class Arg:
    flags: tuple[str, ...]
    help: H
    options: dict[str, Any] = field(default_factory=dict)


def arg(*flags: str, help: H, **options: Any) -> Arg:  # noqa: A002 - argparse's own word
    return Arg(flags, help, options)


@dataclass(frozen=True)
class Command:
    path: tuple[str, ...]  # ("appeal", "rule")
    run: str  # "api.cli.publicity:cmd_appeal_rule"
    help: H
    args: tuple[Arg, ...] = ()
    exclusive: tuple[tuple[Arg, ...], ...] = ()  # groups of mutually exclusive options
    required_group: bool = False
    db_help: H | None = None  # --db's help where the command does not default to LEITAI_DATABASE_URL


KEY = arg("--key", help=("幂等键：带同一个键重复执行，不会重复登记；同一个键用于另一条命令会被拒绝",
                         "idempotency key: repeating the command with it records nothing new; another command with it "
                         "is refused"))
JSON = arg("--json", action="store_true", help=("只输出 JSON", "print JSON only"))
REASON = arg("--reason", required=True, help=("理由（记录在案）", "the reason (recorded)"))
APPEAL = arg("--appeal", type=int, metavar="N",
             help=("作为已答复“予以支持”的异议/申诉 #N 的更正登记（公示期间），并重新封存",
                   "record it as a remedy of the upheld objection/appeal #N (during publicity); re-seals the round"))
ROUND = arg("round", help=("轮次代码", "round code"))
ENTRANT = arg("entrant", help=("参赛党组织代码", "entrant (organization) code"))
JUDGE = arg("judge", help=("评委代码", "judge code"))
SCOPE = (arg("--contest", help=("活动代码（评委、单位管理员须指明）", "contest code (judges, unit admins)")),
         arg("--unit", help=("管理员所管单位（含下级单位）", "the admin's unit (and those below it)")),
         arg("--judge", help=("评委账号对应的评委代码", "the judge code of a judge account")),
         arg("--organization", help=("党组织账号对应的组织代码", "the organization code of an organization account")))
WORK_RECORD = (  # what a done task or a pair's exchange records (rulebook 15.2)
    arg("--date", help=("日期，如 2025-06-10", "date, e.g. 2025-06-10")),
    arg("--place", help=("地点", "place")),
    arg("--participants", help=("参加人员", "participants")),
    arg("--summary", help=("情况摘要", "summary")),
    arg("--attachment", metavar="FILE", help=("附件文件（只登记其 SHA-256 摘要）", "an attachment (only its SHA-256 is recorded)")))
WITNESS_DIR = arg("--dir", help=("见证方目录（默认 LEITAI_WITNESS_DIR，或用户数据目录下的 leitai/witness）",
                                  "the witness's directory (default LEITAI_WITNESS_DIR, else leitai/witness in the user's "
                                  "data directory)"))
FLAG = (arg("organization", help=("党组织代码", "organization code")),  # 红旗 (rulebook 19.4)
        arg("flag", help=("红旗代码（规则 [[flags]] 中的 code）", "flag code (a code of the rules' [[flags]])")),
        arg("cycle", help=("周期（年份）", "cycle (a year)")))
CERT = (arg("organization", help=("党组织代码", "organization code")),
        arg("level", help=("层级（如 township）", "level (e.g. township)")),
        arg("cycle", help=("评定周期（年份）", "cycle (a year)")))


def _commands() -> list[Command]:
    from api.cli.federation_commands import federation_commands  # here: it declares its commands with arg()

    S, R, P, C, V = ("api.cli.setup", "api.cli.scoring", "api.cli.publicity", "api.cli.certification",
                     "api.cli.readside")
    return [
        # -- setting a contest up -------------------------------------------------------
        Command(("import",), f"{S}:cmd_import", ("导入活动目录（整体导入，有错则全部不登记）",
                                                 "import a scenario directory (all or nothing)"),
                (arg("directory", help=("活动目录", "scenario directory")),)),
        Command(("rules",), "", ("评分规则", "rule sets")),
        Command(("rules", "check"), f"{S}:cmd_rules_check", ("检查规则文件", "validate a rule-set file"),
                (arg("file", help=("规则文件 .toml", "rule-set file .toml")),)),
        Command(("rules", "adopt"), f"{S}:cmd_rules_adopt",
                ("在活动的某个范围采用一版评分规则", "adopt a rule-set version for a scope of a contest"),
                (arg("file", help=("规则文件 .toml", "rule-set file .toml")),
                 arg("--contest", required=True, help=("活动代码", "contest code")),
                 arg("--scope", required=True, help=("范围：contest | level:层级 | unit:单位 | rounds:轮次1,轮次2",
                                                     "contest | level:LEVEL | unit:UNIT | rounds:R1,R2")),
                 arg("--from-period", help=("只含该期间（如 2025-06）及以后的轮次", "only rounds of this period and later")),
                 REASON)),
        Command(("calendar",), "", ("节假日安排", "holiday calendar")),
        Command(("calendar", "load"), f"{S}:cmd_calendar_load",
                ("导入一年的节假日安排（每行：日期,holiday|workday）", "load a year's holidays (date,holiday|workday)"),
                (arg("file", help=("节假日文件 .csv", "holiday file .csv")),)),
        Command(("db",), "", ("数据库", "database")),
        Command(("db", "migrate"), f"{S}:cmd_db_migrate", ("执行待执行的数据库迁移（没有数据库时创建）",
                                                          "apply pending migrations (creates the database)")),
        Command(("db", "upgrade"), f"{S}:cmd_db_migrate", ("同 db migrate：执行待执行的数据库迁移",
                                                          "the same as db migrate: apply pending migrations")),
        Command(("db", "copy"), "api.cli.dbcopy:cmd_db_copy",
                ("把整个部署复制到另一个空数据库（如 SQLite 文件迁到 PostgreSQL）：日志逐字节、账号，重建读模型并核对",
                 "copy a deployment into another, empty database (e.g. an SQLite file to PostgreSQL): the log byte for "
                 "byte, the accounts; rebuild the read models and verify"),
                (arg("source", help=("源数据库：sqlite:///文件.db 或 postgresql://…", "source database URL")),
                 arg("target", help=("目标数据库（新的空库；PostgreSQL 用所有者账号）",
                                     "target database URL (new and empty; on PostgreSQL its owner's account)")))),
        Command(("users",), "", ("账号与角色", "accounts and roles")),
        Command(("users", "add"), "api.cli.users:cmd_add", ("创建账号并打印一次性密码", "create an account; prints a one-time password"),
                (arg("name", help=("登录名（小写字母、数字、- _ .）", "sign-in name (small letters, digits, - _ .)")),
                 arg("--role", required=True, choices=["admin", "judge", "organization", "auditor"],
                     help=("角色", "role")), *SCOPE,
                 arg("--display-name", default="", help=("显示名称（如姓名）", "display name")))),
        Command(("users", "list"), "api.cli.users:cmd_list", ("列出账号及其角色", "list accounts and their roles"), (JSON,)),
        Command(("users", "grant"), "api.cli.users:cmd_grant", ("授予角色", "grant a role"),
                (arg("name", help=("登录名", "sign-in name")),
                 arg("--role", required=True, choices=["admin", "judge", "organization", "auditor"], help=("角色", "role")),
                 *SCOPE, REASON)),
        Command(("users", "revoke"), "api.cli.users:cmd_revoke", ("撤销角色（其令牌随即失效）", "revoke a role (its tokens are void)"),
                (arg("name", help=("登录名", "sign-in name")),
                 arg("--role", required=True, choices=["admin", "judge", "organization", "auditor"], help=("角色", "role")),
                 *SCOPE, REASON)),
        Command(("users", "password"), "api.cli.users:cmd_password", ("设置新的一次性密码", "set a new one-time password"),
                (arg("name", help=("登录名", "sign-in name")),)),
        Command(("users", "disable"), "api.cli.users:cmd_disable", ("停用账号", "disable an account"),
                (arg("name", help=("登录名", "sign-in name")), REASON)),
        Command(("users", "enable"), "api.cli.users:cmd_enable", ("重新启用账号", "enable an account again"),
                (arg("name", help=("登录名", "sign-in name")), REASON)),
        Command(("serve",), "api.cli.users:cmd_serve", ("运行 HTTP 服务（生产用 waitress）和投影进程，Ctrl-C 停止",
                                                        "run the HTTP service (waitress) with the projector; Ctrl-C stops"),
                (arg("--host", default="127.0.0.1", help=("监听地址", "address to listen on")),
                 arg("--port", type=int, default=5000, help=("端口", "port")),
                 arg("--threads", type=int, default=256, help=("工作线程数（含实时推送的连接）",
                                                               "worker threads (live-push connections included)")))),
        Command(("document",), "api.cli.users:cmd_document", ("生成轮次的评分汇总表或公示文件（HTML 可打印，或 .xlsx）",
                                                              "a round's score sheet or publicity notice (printable HTML or .xlsx)"),
                (arg("kind", choices=["score-sheet", "notice"], help=("score-sheet（评分汇总表）或 notice（公示）",
                                                                      "score-sheet or notice")),
                 ROUND, arg("--out", "-o", required=True, help=("输出文件 .html 或 .xlsx", "output file .html or .xlsx")))),
        Command(("live-board",), f"{R}:cmd_live_board", ("现场亮分：评分中的实时排行榜是否公开", "show the live board to the public while scoring"),
                (ROUND, arg("state", choices=["on", "off"], help=("on 或 off", "on or off")))),
        Command(("keys",), "", ("签名密钥", "signing key")),
        Command(("keys", "show"), f"{S}:cmd_keys_show", ("显示本系统的签名公钥及指纹（交给审计人员）",
                                                        "show the deployment's public signing key and fingerprint")),
        Command(("judge",), "", ("评委", "judges")),
        Command(("judge", "update"), f"{S}:cmd_judge_update", ("修改评委信息（须说明理由）", "change a judge's details"),
                (arg("contest", help=("活动代码", "contest code")), JUDGE,
                 arg("--name", help=("姓名", "name")),
                 arg("--home-unit", help=("所属单位代码（空字符串表示无）", "home unit code (\"\" for none)")),
                 arg("--affiliation", help=("工作单位", "affiliation")), REASON, KEY)),
        Command(("org",), "", ("党组织", "organizations")),
        Command(("org", "update"), f"{S}:cmd_org_update", ("修改党组织信息（须说明理由）",
                                                          "change an organization's details"),
                (arg("contest", help=("活动代码", "contest code")), arg("organization", help=("党组织代码", "code")),
                 arg("--name", help=("名称", "name")), arg("--unit", help=("所属单位代码", "unit code")),
                 arg("--sector", help=("类别（农村、社区…）", "sector")), arg("--category", help=("分类", "category")),
                 arg("--secretary", help=("书记姓名（更换书记）", "secretary (a replacement)")), REASON, KEY)),
        Command(("contests",), f"{V}:cmd_contests", ("列出比武活动", "list contests"), (JSON,)),
        Command(("rounds",), f"{V}:cmd_rounds", ("列出轮次及其状态", "list rounds and their state"),
                (arg("--contest", help=("只列出该活动的轮次", "only this contest's rounds")),
                 arg("--status", choices=["scheduled", "open", "closed", "published", "final"],
                     help=("只列出该状态的轮次", "only rounds in this state")), JSON)),
        # -- the scoring hall -----------------------------------------------------------
        Command(("open",), f"{R}:cmd_open", ("开始评分", "open rounds for scoring"),
                (arg("rounds", nargs="+", help=("轮次代码", "round codes")),)),
        Command(("close",), f"{R}:cmd_close", ("结束评分并封存", "close and seal rounds"),
                (arg("rounds", nargs="+", help=("轮次代码", "round codes")),)),
        Command(("reopen",), f"{R}:cmd_reopen", ("重新开放评分（公示前）", "reopen a closed round (before publication)"),
                (ROUND, REASON)),
        Command(("seat",), f"{R}:cmd_seat", ("增补评委", "seat a judge on a round's panel"), (ROUND, JUDGE, KEY)),
        Command(("admit",), f"{R}:cmd_admit", ("增加参赛组织（须在活动名册中）", "admit an entrant from the roster"),
                (ROUND, ENTRANT, KEY)),
        Command(("recuse",), f"{R}:cmd_recuse", ("登记评委回避", "record a judge's recusal from an entrant"),
                (ROUND, JUDGE, ENTRANT, REASON, KEY)),
        Command(("sheet",), f"{R}:cmd_sheet", ("登记一位评委对一个组织的评分表", "record a judge's sheet"),
                (ROUND, JUDGE, ENTRANT, arg("marks", nargs="+", help=("指标=分数 …", "criterion=mark ...")), KEY)),
        Command(("correct",), f"{R}:cmd_correct", ("更正评分表（须说明理由）", "correct a judge's sheet"),
                (ROUND, JUDGE, ENTRANT, arg("marks", nargs="+", help=("指标=分数 …", "criterion=mark ...")), REASON,
                 APPEAL, KEY)),
        Command(("void",), f"{R}:cmd_void", ("作废评分表（须说明理由）", "void a judge's sheet"),
                (ROUND, JUDGE, ENTRANT, REASON, APPEAL, KEY)),
        Command(("adjustment",), "", ("加减分", "bonuses and penalties")),
        Command(("adjustment", "add"), f"{R}:cmd_adjustment_add", ("登记加分（正数）或减分（负数）",
                                                                  "record a bonus (> 0) or a penalty (< 0)"),
                (ROUND, ENTRANT, arg("points", help=("分值，如 1.5 或 -0.2", "points, e.g. 1.5 or -0.2")), REASON,
                 APPEAL, KEY)),
        Command(("adjustment", "revoke"), f"{R}:cmd_adjustment_revoke", ("撤销一项加减分", "revoke an adjustment"),
                (ROUND, arg("adjustment", type=int, help=("加减分的编号（事件号 # 后的数字）", "its number (after # in its id)")),
                 REASON, APPEAL, KEY)),
        Command(("input",), f"{R}:cmd_input", ("登记一项考核数据或票数（改动已登记的值须说明理由）",
                                              "record an assessment value or a vote count (a change needs a reason)"),
                (ROUND, ENTRANT, arg("component", help=("成绩项代码", "component code")),
                 arg("value", help=("数值", "value")),
                 arg("--reason", help=("改动已登记的值时必填：理由（记录在案，原值保留在记录中）",
                                       "required when it replaces a recorded value: the reason (recorded; the old "
                                       "value stays in the history)")), APPEAL, KEY)),
        Command(("disqualify",), f"{R}:cmd_disqualify", ("取消参赛资格（须说明理由）", "disqualify an entrant"),
                (ROUND, ENTRANT, REASON, APPEAL, KEY)),
        Command(("withdraw",), f"{R}:cmd_withdraw", ("登记退出比赛（须说明理由）", "record an entrant's withdrawal"),
                (ROUND, ENTRANT, REASON, APPEAL, KEY)),
        Command(("rerank",), f"{R}:cmd_rerank", ("按另一版规则重新排名（已结束评分的轮次）",
                                                "re-rank a closed round under another rule-set version"),
                (ROUND, arg("--rules", required=True, help=("规则代码@版本", "code@version")), REASON)),
        Command(("ranking",), f"{R}:cmd_ranking", ("按事件计算的排名", "a round's ranking, computed from its events"),
                (ROUND, arg("--json", action="store_true", help=("只输出规则手册规定的排名 JSON",
                                                                 "the rulebook's ranking JSON only")))),
        Command(("explain",), f"{R}:cmd_explain", ("一个组织的得分如何得出", "how an entrant's result was reached"),
                (ROUND, ENTRANT, JSON)),
        # -- publicity and appeals ------------------------------------------------------
        Command(("publish",), f"{P}:cmd_publish", ("公示结果（公示期按工作日计算）",
                                                  "publish results: start the publicity period"),
                (ROUND, arg("--on", help=("公示日期 YYYY-MM-DD（默认今天；不得早于结束评分日，最多补记 3 天前）",
                                          "publication date YYYY-MM-DD (default today)")),
                 arg("--days", type=int, default=5, help=("公示工作日数（默认 5）", "working days (default 5)")),
                 arg("--calendar-fallback", choices=["weekends"],
                     help=("没有节假日数据的年份只排除周末（记录在案）", "weekends only where no holiday data exists")))),
        Command(("republish",), f"{P}:cmd_republish", ("重新公示或延长公示期（须说明理由）",
                                                      "publish the results again / extend the period"),
                (ROUND, REASON, arg("--on", help=("新公示期的开始日期（默认今天）", "start of the new period (default today)")),
                 arg("--days", type=int, help=("工作日数（默认与原公示期相同）", "working days (default: as before)")),
                 arg("--calendar-fallback", choices=["weekends"], help=("同 publish", "as for publish")))),
        Command(("appeal",), "", ("异议与申诉", "objections and appeals")),
        Command(("appeal", "file"), f"{P}:cmd_appeal_file", ("受理一项实名异议或申诉", "file a named objection or appeal"),
                (ROUND, arg("--kind", choices=["objection", "appeal"], default="objection",
                            help=("objection（异议）或 appeal（申诉）", "objection or appeal")),
                 arg("--name", required=True, help=("提出人姓名", "name of who files it")),
                 arg("--contact", required=True, help=("联系方式", "contact")),
                 arg("--text", required=True, help=("异议内容", "what is objected to")),
                 arg("--entrant", help=("涉及的参赛组织代码", "the entrant concerned")), KEY)),
        Command(("appeal", "rule"), f"{P}:cmd_appeal_rule", ("书面答复异议或申诉", "rule on an objection or appeal"),
                (ROUND, arg("appeal", type=int, help=("编号（事件号 # 后的数字）", "its number (after # in its id)")),
                 arg("--decision", choices=["dismissed", "upheld"], required=True,
                     help=("dismissed（不予支持）或 upheld（予以支持；之后用 --appeal 登记更正）",
                           "dismissed, or upheld (then record its remedies with --appeal)")),
                 arg("--reply", required=True, help=("书面答复", "the written reply")), KEY)),
        Command(("appeals",), f"{P}:cmd_appeals", ("列出异议与申诉", "list objections and appeals"),
                (arg("round", nargs="?", help=("轮次代码", "round code")),
                 arg("--contest", help=("活动代码", "contest code")),
                 arg("--pending", action="store_true", help=("只列出尚未答复的", "only those not yet ruled")), JSON)),
        Command(("finalize",), f"{P}:cmd_finalize", ("公示期满、异议均已答复后定案", "finalize a round after publicity"),
                (ROUND,)),
        Command(("promote",), f"{P}:cmd_promote", ("把已定案轮次的晋级者送入下一级轮次",
                                                  "promote a final round's entrants to the next level"), (ROUND,)),
        # -- stars ----------------------------------------------------------------------
        Command(("cert",), "", ("星级评定（自评、一票否决、初评、复评、审定、降星、摘星）",
                                "star certification lifecycle")),
        Command(("cert", "list"), f"{V}:cmd_stars", ("列出星级建议与评定状态", "list recommendations and states"),
                (arg("contest", help=("活动代码", "contest code")), CERT[1], CERT[2], JSON)),
        Command(("cert", "self-assess"), f"{C}:cmd_self_assess", ("登记自评", "record a self-assessment"),
                (*CERT, arg("--stars", type=int, required=True, help=("自评星级 0-5", "stars 0-5")),
                 arg("--note", default="", help=("说明", "note")), KEY)),
        Command(("cert", "veto"), f"{C}:cmd_veto", ("登记一票否决事项", "record a veto item"),
                (*CERT, arg("--item", required=True, help=("事项（如 safety_incident）", "item (e.g. safety_incident)")),
                 REASON, KEY)),
        Command(("cert", "evaluate"), f"{C}:cmd_evaluate", ("初评：登记计算出的星级建议",
                                                           "initial evaluation: record the computed recommendation"),
                (arg("contest", help=("活动代码", "contest code")), CERT[1], CERT[2],
                 arg("organizations", nargs="*", help=("党组织代码（默认：该层级所有有年度得分的组织）",
                                                       "organization codes (default: every one with a score)")),
                 arg("--stars", type=int, help=("初评推荐星级（与计算建议不同时须说明理由）",
                                                "recommended stars (a different one needs a reason)")),
                 arg("--reason", help=("理由", "reason")))),
        Command(("cert", "decide"), f"{C}:cmd_decide", ("复评：决定星级", "re-evaluation: decide the stars"),
                (*CERT, arg("--stars", required=True, help=("星级 0-5，或 none（不评定）", "stars 0-5, or none")),
                 arg("--reason", help=("理由（与建议不同时必填）", "reason (required if it differs)")), KEY)),
        Command(("cert", "certify"), f"{C}:cmd_certify", ("审定：确认复评决定", "certify the decision"), (*CERT, KEY)),
        Command(("cert", "accept"), f"{C}:cmd_accept",
                ("一次采纳一个单位（含下级单位）的星级建议：逐个组织登记复评并审定，手工改定的列为例外",
                 ("accept a unit's recommendations in one step: each organization re-evaluated and certified, "
                  "the exceptions set by hand")),
                (arg("--contest", required=True, help=("活动代码", "contest code")),
                 arg("--unit", required=True, help=("单位代码（含其下级单位）", "unit code (and the units below it)")),
                 arg("--level", required=True, help=("层级（如 township）", "level (e.g. township)")),
                 arg("--cycle", "--period", dest="cycle", required=True, help=("评定周期（年份）", "cycle (a year)")),
                 arg("--except", dest="exceptions", action="append", metavar="ORG=STARS",
                     help=("例外：该组织改定为此星级（0-5 或 none），可多次",
                           "an exception: this organization gets these stars (0-5 or none) instead; repeatable")),
                 arg("--reason", help=("例外的理由（与计算建议不同时必填）",
                                       "the exceptions' reason (required where they differ from the computed)")),
                 arg("--dry-run", action="store_true",
                     help=("只列出将登记的内容，不登记", "list what would be recorded; record nothing")),
                 KEY)),
        Command(("cert", "downgrade"), f"{C}:cmd_downgrade", ("降星", "lower the stars"),
                (*CERT, arg("--stars", type=int, required=True, help=("降至星级", "new stars")), REASON, KEY)),
        Command(("cert", "revoke"), f"{C}:cmd_revoke", ("摘星", "withdraw the stars"), (*CERT, REASON, KEY)),
        # -- the read side ----------------------------------------------------------------
        Command(("projections",), "", ("读模型", "read models")),
        Command(("projections", "run"), f"{V}:cmd_projections_run", ("持续更新读模型（直到停止）",
                                                                    "keep the read models current (until stopped)"),
                (arg("--batch-size", type=int, default=5000, help=("每批事件数", "events per batch")),)),
        Command(("projections", "rebuild"), f"{V}:cmd_projections_rebuild", ("从第 1 条事件起重建全部读模型",
                                                                            "rebuild every read model from event 1")),
        Command(("projections", "status"), f"{V}:cmd_projections_status", ("读模型进度", "how far the read models are")),
        Command(("board",), f"{V}:cmd_board", ("实时排行榜", "the live leaderboard of a round"), (ROUND, JSON)),
        Command(("finalists",), f"{V}:cmd_finalists", ("决赛选手及其来源", "a final's entrants and where they came from"),
                (ROUND, JSON)),
        Command(("audit",), f"{V}:cmd_audit", ("得分的来龙去脉及评分表记录", "explanation and history of a result"),
                (ROUND, ENTRANT, JSON)),
        Command(("standings",), "api.cli.tracks:cmd_standings", ("月/季/年排名及其结果（设有赛道的逐个赛道显示）",
                                                                "period standings and consequences (track by track)"),
                (arg("contest", help=("活动代码", "contest code")), arg("unit", help=("单位代码", "unit code")),
                 arg("period", help=("期间：2025、2025-Q2 或 2025-05", "period: 2025, 2025-Q2 or 2025-05")),
                 arg("--track", help=("只显示这个赛道（代码）", "only this track (its code)")), JSON)),
        Command(("judges",), f"{V}:cmd_judges", ("评委打分统计（偏差检查）", "judge statistics (bias check)"), (JSON,),
                ((arg("--round", help=("轮次代码", "round code")), arg("--contest", help=("活动代码", "contest code"))),),
                required_group=True),
        Command(("stars",), f"{V}:cmd_stars", ("星级建议与评定状态", "star recommendations and certification status"),
                (arg("contest", help=("活动代码", "contest code")), CERT[1], CERT[2], JSON)),
        Command(("replay",), f"{V}:cmd_replay", ("按另一套规则重算，看哪些结果会变（不登记任何内容）",
                                                "what would change under another rule set (records nothing)"),
                (arg("--rules", required=True, help=("规则文件 .toml", "rule-set file .toml")), JSON),
                ((arg("--round", action="append", help=("轮次（可多次）", "round (repeatable)")),
                  arg("--level", help=("层级", "level")), arg("--contest", help=("活动", "contest"))),)),
        Command(("verify",), f"{V}:cmd_verify", ("核对 Merkle 树、签名树头、哈希链、封存值和公布结果；或离线核对证明",
                                                "check the Merkle tree, signed heads, hash chain, seals and published "
                                                "results; or check a proof offline"),
                (arg("round", nargs="?", help=("只核对该轮次的结果", "only this round's results")),
                 arg("--from-export", metavar="FILE", help=("核对导出文件（不需要数据库）", "verify an export file, offline")),
                 arg("--key", action="append", metavar="PUBKEY",
                     help=("用该公钥（64 位十六进制、PEM 文件或验证公钥 名称+编号+公钥）核对签名，可多次",
                           "check signatures with this public key (hex, PEM file or verifier key NAME+ID+KEY); "
                           "repeatable")),
                 arg("--since", action="append", metavar="CHECKPOINT",
                     help=("先证明日志是该树头的原样延续：检查点文件（保存的、见证方的、照公示录入的）或见证方目录，可多次",
                           "first prove the log extends this head unchanged: a checkpoint file (saved, a witness's, "
                           "typed from a notice) or a witness's directory; repeatable")),
                 arg("--witness", action="append", metavar="WITNESS_KEY",
                     help=("要求该见证方（验证公钥，类型 04）的联署签名，可多次", "require cosignatures of this witness "
                           "(verifier key, type 04); repeatable")),
                 arg("--quorum", type=int, metavar="K", help=("至少 K 个见证方联署（默认：全部 --witness）",
                                                               "at least K of the witnesses (default: all given)")),
                 arg("--checkpoint", metavar="FILE", help=("离线核对证明时信任的检查点（如照公示录入的）",
                                                           "with --proof: the checkpoint to trust (e.g. typed from a notice)")),
                 arg("--proof", metavar="FILE", help=("离线核对该证明文件（leitai prove 生成），不需要数据库和网络",
                                                      "check this proof file (made by leitai prove) offline: no database, "
                                                      "no network")), JSON)),
        Command(("checkpoint",), "api.cli.tlog:cmd_checkpoint", ("立即签署日志的树头（签名检查点）并打印",
                                                                 "sign the log's tree head now and print the checkpoint"),
                (arg("--show", action="store_true", help=("只显示最近签署的树头（含见证方联署），不签新的",
                                                           "only show the latest signed head, with its cosignatures")),
                 JSON)),
        Command(("prove",), "", ("证明", "proofs")),
        Command(("prove", "inclusion"), "api.cli.tlog:cmd_prove_inclusion",
                ("某组织在某轮次的成绩所依据的每条事件，各附其在签名树头中的包含证明", "every event behind an entrant's result in a round, "
                 "each with its inclusion proof to a signed head"),
                (ROUND, ENTRANT,
                 arg("--checkpoint", metavar="FILE", help=("证明到该检查点（如公示上印的）", "prove to this checkpoint (e.g. the notice's)")),
                 arg("--size", type=int, help=("证明到这个大小的已签署树头", "prove to the signed head of this size")),
                 arg("--out", "-o", help=("写入文件（默认输出到屏幕）", "write to this file (default: print)")))),
        Command(("prove", "consistency"), "api.cli.tlog:cmd_prove_consistency",
                ("证明最新签署的树头是某个旧树头的原样延续", "prove the latest signed head extends an old one unchanged"),
                (arg("old", help=("旧检查点文件（如照公示录入的）", "the old checkpoint file (e.g. typed from a notice)")),
                 arg("--size", type=int, help=("证明到这个大小的已签署树头（默认最新）", "to the signed head of this size (default: latest)")),
                 arg("--out", "-o", help=("写入文件（默认输出到屏幕）", "write to this file (default: print)")))),
        Command(("witness",), "", ("见证方（独立核对日志是否被改写）", "witnesses (who check the log is never rewritten)")),
        Command(("witness", "init"), "api.cli.witness:cmd_init", ("建立见证方：生成见证密钥并打印见证公钥",
                                                                  "make a witness: its key, and print its witness key"),
                (arg("name", help=("见证方名称（如 jjjc.wushen/w1，不含空格和 +）", "the witness's name (no spaces or +)")), WITNESS_DIR)),
        Command(("witness", "add"), "api.cli.witness:cmd_add", ("开始见证一个日志（网址或检查点文件）",
                                                                "watch a log (its URL, or a checkpoint file)"),
                (arg("source", help=("日志的网址（如 https://…）或检查点文件", "the log's URL or a checkpoint file")),
                 arg("--key", required=True, help=("日志的公钥（leitai keys show 打印的验证公钥或 64 位十六进制）",
                                                   "the log's public key (the verifier key leitai keys show prints, or hex)")),
                 WITNESS_DIR)),
        Command(("witness", "pull"), "api.cli.witness:cmd_pull", ("拉取最新树头和一致性证明，核对后保存并联署；日志被改写则拒绝（退出码 6）",
                                                                  "fetch the latest head and its consistency proof; store and "
                                                                  "cosign it, or refuse (exit 6) if the log was rewritten"),
                (arg("origin", nargs="?", help=("只拉取该日志", "only this log")), WITNESS_DIR)),
        Command(("witness", "list"), "api.cli.witness:cmd_list", ("列出见证的日志及保存的树头", "list the logs watched and the heads held"),
                (WITNESS_DIR, JSON)),
        Command(("witness", "register"), "api.cli.witness:cmd_register", ("（本系统管理员）接受该见证方的联署签名",
                                                                          "(the deployment's admin) accept this witness's cosignatures"),
                (arg("vkey", help=("见证公钥（见证方 init 时打印）", "the witness key (printed by the witness's init)")), REASON)),
        Command(("witness", "unregister"), "api.cli.witness:cmd_unregister", ("（本系统管理员）不再接受该见证方的联署签名",
                                                                              "(the deployment's admin) stop accepting a witness"),
                (arg("name", help=("见证方名称", "the witness's name")), REASON)),
        *federation_commands(),  # 市级联动 (api/cli/federation_commands.py)
        # -- 结果运用 (each part's commands live in its own module of api/cli) ---------------------
        # -- tracks (api/cli/tracks.py) --
        Command(("org", "track"), "api.cli.tracks:cmd_org_track", ("变更党组织的赛道（从某月起，须说明理由）",
                                                                  "change an organization's track from a month"),
                (arg("contest", help=("活动代码", "contest code")), arg("organization", help=("党组织代码", "code")),
                 arg("track", help=("赛道代码（活动 contest.toml 中声明的）", "track code (declared in contest.toml)")),
                 arg("--from", dest="from_period", required=True, metavar="YYYY-MM",
                     help=("起始月份，如 2025-07：须晚于该组织已计分的期间", "the first month, e.g. 2025-07: after every "
                           "period already scored for it")), REASON, KEY)),
        Command(("org", "tracks"), "api.cli.tracks:cmd_org_tracks", ("党组织的赛道历史", "an organization's track history"),
                (arg("organization", help=("党组织代码", "code")), JSON)),
        # -- comments (api/cli/comments.py) --
        Command(("comment",), "", ("点评（不计入成绩）", "comments on entrants (never part of a score)")),
        Command(("comment", "add"), "api.cli.comments:cmd_comment_add",
                ("登记评委或领导对一个参赛组织的点评", "record a judge's or a leader's comment on an entrant"),
                (ROUND, ENTRANT, arg("--text", required=True, help=("点评内容（最多 2000 字）", "the comment (at most 2000 characters)")),
                 arg("--stage", help=("环节，如 汇报演讲、现场观摩", "the stage, e.g. 汇报演讲 (presentation)")),
                 arg("--reason", help=("结束评分后代评委登记点评时必填：理由（记录在案）",
                                       "required to record a judge's comment once scoring has closed: why (recorded)")),
                 KEY),
                exclusive=((arg("--judge", help=("评委代码（评委点评）", "the judge's code (a judge's comment)")),
                            arg("--leader", help=("点评领导的职务和姓名，如 \"镇党委书记 张三\"",
                                                  "the leader's title and name, e.g. \"镇党委书记 张三\"")),),),
                required_group=True),
        Command(("comment", "correct"), "api.cli.comments:cmd_comment_correct",
                ("更正点评（须说明理由，原文保留）", "correct a comment (with a reason; the original is kept)"),
                (ROUND, arg("comment", type=int, help=("点评编号", "the comment's number")),
                 arg("--text", required=True, help=("更正后的点评内容", "the corrected text")), REASON, KEY)),
        Command(("comment", "withdraw"), "api.cli.comments:cmd_comment_withdraw",
                ("撤回点评（须说明理由，记录保留）", "withdraw a comment (with a reason; it stays on record)"),
                (ROUND, arg("comment", type=int, help=("点评编号", "the comment's number")), REASON, KEY)),
        Command(("comments",), "api.cli.comments:cmd_comments", ("列出轮次的点评及其更正", "list a round's comments"),
                (ROUND, arg("entrant", nargs="?", help=("只列出该参赛组织的点评", "only the comments on this entrant")),
                 JSON)),
        # -- voting (api/cli/voting.py) --
        Command(("vote",), "", ("投票（投票组别、多轮投票、计票与现场公布）", "ballots and voting rounds")),
        Command(("vote", "open"), "api.cli.voting:cmd_open", ("开启第 1 轮投票（候选为全部正常参赛组织）",
                                                             "open voting round 1 (every active entrant a candidate)"),
                (ROUND, KEY)),
        Command(("vote", "cast"), "api.cli.voting:cmd_cast", ("登记一张选票（不登记投票人）",
                                                             "record one ballot (never the voter)"),
                (ROUND, arg("--group", required=True, help=("投票组别代码（规则 [[voting.groups]]）",
                                                           "the voter group's code ([[voting.groups]])")),
                 arg("--choices", required=True, help=("所选组织代码，用逗号分隔；空白票写 \"\"",
                                                      "the entrants chosen, comma-separated; \"\" for a blank ballot")),
                 arg("--ballot", help=("选票编号（纸质选票上的编号；不写则按顺序生成）",
                                       "the ballot's number (as printed; default: the next in sequence)")), KEY)),
        Command(("vote", "void"), "api.cli.voting:cmd_void", ("计票前作废一张选票", "void a ballot before the count"),
                (ROUND, arg("ballot", help=("选票编号", "the ballot's number")), REASON, KEY)),
        Command(("vote", "import"), "api.cli.voting:cmd_import", ("从 CSV/Excel 导入选票（整体导入，有错则全部不登记）",
                                                                 "import ballots from CSV/xlsx (all or nothing)"),
                (ROUND, arg("file", help=("选票文件（列：ballot,group,choices）", "ballots file (ballot,group,choices)")))),
        Command(("vote", "count"), "api.cli.voting:cmd_count",
                ("计票并现场公布；开启下一轮投票，或在最后一轮后计入 votes 成绩项",
                 "count and announce; open the next voting round, or after the last feed the votes component"),
                (ROUND, KEY)),
        Command(("vote", "tally"), "api.cli.voting:cmd_tally", ("各轮投票的票数和计票结果", "the ballot boxes and tallies"),
                (ROUND, JSON)),
        # -- consequences as work: classes, tasks, pairs (api/cli/work.py) --
        Command(("period",), "", ("期间（月、季、年）的结果运用", "a period's consequences (month, quarter, year)")),
        Command(("period", "close"), "api.cli.work:cmd_period_close",
                ("结束期间：登记最终排名与分类，按后果阶梯发出任务和结对（规则手册第 15 节）",
                 "close a period: record its final standings and classes, issue the ladder's tasks and pairs"),
                (arg("contest", help=("活动代码", "contest code")), arg("unit", help=("单位代码", "unit code")),
                 arg("period", help=("期间，如 2025-05、2025-Q2、2025", "period, e.g. 2025-05, 2025-Q2, 2025")), KEY)),
        Command(("classes",), "api.cli.work:cmd_classes", ("已结束期间的分类（一类、二类、三类）",
                                                          "the classes of a closed period"),
                (arg("contest", help=("活动代码", "contest code")), arg("unit", help=("单位代码", "unit code")),
                 arg("period", help=("期间，如 2025-05", "period, e.g. 2025-05")), JSON)),
        Command(("tasks",), "api.cli.work:cmd_tasks", ("后果阶梯发出的任务（约谈、表态发言、经验交流……）",
                                                      "the ladder's tasks (interviews, statements, sharing ...)"),
                (arg("contest", help=("活动代码", "contest code")),
                 arg("--unit", help=("只列这个单位的", "only this unit's")),
                 arg("--entrant", help=("只列这个组织的", "only this organization's")),
                 arg("--overdue", action="store_true", help=("只列逾期的", "only the overdue ones")), JSON)),
        Command(("task",), "", ("登记任务办结或免办", "record a task done or excused")),
        Command(("task", "done"), "api.cli.work:cmd_task_done",
                ("登记任务办结（须给出该步要求登记的各项）", "record a task as done (with what its step requires)"),
                (arg("task", help=("任务编号（leitai tasks 列出）", "task code (leitai tasks lists them)")), *WORK_RECORD, KEY)),
        Command(("task", "excuse"), "api.cli.work:cmd_task_excuse", ("登记任务免办", "excuse a task"),
                (arg("task", help=("任务编号", "task code")), REASON, KEY)),
        Command(("pairs",), "api.cli.work:cmd_pairs", ("结对及其交流次数", "pairs and their exchanges"),
                (arg("contest", help=("活动代码", "contest code")),
                 arg("--unit", help=("只列这个单位的", "only this unit's")), JSON)),
        Command(("pair",), "", ("结对：查看、登记交流、结束", "a pair: show it, record an exchange, end it")),
        Command(("pair", "show"), "api.cli.work:cmd_pair_show", ("结对的交流与要求对照", "a pair's exchanges against its obligation"),
                (arg("pair", help=("结对编号（leitai pairs 列出）", "pair code (leitai pairs lists them)")), JSON)),
        Command(("pair", "exchange"), "api.cli.work:cmd_pair_exchange", ("登记结对的一次交流", "record an exchange of a pair"),
                (arg("pair", help=("结对编号", "pair code")), *WORK_RECORD, KEY)),
        Command(("pair", "end"), "api.cli.work:cmd_pair_end", ("提前结束结对", "end a pair early"),
                (arg("pair", help=("结对编号", "pair code")), REASON, KEY)),
        # -- evidence and flags (api/cli/evidence.py) --
        Command(("honour",), "", ("荣誉（登记、撤销）", "honours (record, withdraw)")),
        Command(("honour", "add"), "api.cli.evidence:cmd_honour_add", ("登记党组织获得的荣誉", "record an honour of an organization"),
                (arg("organization", help=("党组织代码", "organization code")),
                 arg("--name", required=True, help=("荣誉名称", "the honour's name")),
                 arg("--level", required=True, help=("级别：national 国家级、provincial 省级、city 市级、county 县级、"
                                                     "township 乡镇级", "level: national, provincial, city, county, township")),
                 arg("--date", required=True, help=("授予日期 YYYY-MM-DD（不能晚于今天）", "date given, YYYY-MM-DD (not after today)")),
                 arg("--issuer", required=True, help=("颁发单位", "the issuer")), KEY)),
        Command(("honour", "withdraw"), "api.cli.evidence:cmd_honour_withdraw", ("撤销登记的荣誉（须说明理由）",
                                                                   "withdraw a recorded honour (with a reason)"),
                (arg("organization", help=("党组织代码", "organization code")),
                 arg("number", type=int, help=("荣誉编号（见 leitai honours）", "the honour's number (see leitai honours)")),
                 REASON, KEY)),
        Command(("honours",), "api.cli.evidence:cmd_honours", ("列出党组织的荣誉", "list an organization's honours"),
                (arg("organization", help=("党组织代码", "organization code")), JSON)),
        Command(("platform",), "", ("平台数据（日常掌握情况）", "platform data (daily assessment)")),
        Command(("platform", "import"), "api.cli.evidence:cmd_platform_import", ("按来源和期间导入平台数据（CSV：organization,value）",
                                                                   "import one source's data for a period (CSV: organization,value)"),
                (arg("contest", help=("活动代码", "contest code")),
                 arg("period", help=("期间：YYYY、YYYY-Qn 或 YYYY-MM", "period: YYYY, YYYY-Qn or YYYY-MM")),
                 arg("file", help=("CSV 文件", "the CSV file")),
                 arg("--source", required=True, help=("来源名称，如 灯塔-党建在线", "the source's name, e.g. 灯塔-党建在线")),
                 arg("--reason", help=("再次导入同一来源和期间时必填：替换的理由", "required to replace an earlier import: why")),
                 KEY)),
        Command(("platform", "show"), "api.cli.evidence:cmd_platform_show", ("查看导入的平台数据", "show imported platform data"),
                (arg("contest", help=("活动代码", "contest code")), arg("period", help=("期间", "period")),
                 arg("--source", required=True, help=("来源名称", "the source's name")), JSON)),
        Command(("flag",), "", ("红旗（提名、核验、授予、不授予、撤销）", "flags (nominate, assess, award, decline, revoke)")),
        Command(("flag", "nominate"), "api.cli.evidence:cmd_flag_nominate", ("提名党组织争创一面红旗", "nominate an organization for a flag"),
                (arg("contest", help=("活动代码", "contest code")), *FLAG,
                 arg("--rules", help=("红旗所依据的规则：代码、代码@版本，或规则文件 .toml（同时登记）；默认取本周期最后一个"
                                      "带 [[flags]] 的已定案轮次的规则",
                                      "the rules the flag follows: code, code@version, or a .toml file (registered "
                                      "too); default: those of the cycle's last finalized round with [[flags]]")), KEY)),
        Command(("flag", "assess"), "api.cli.evidence:cmd_flag_assess", ("核验红旗的条件并登记结果", "check a flag's criteria and record the results"),
                (*FLAG, KEY)),
        Command(("flag", "award"), "api.cli.evidence:cmd_flag_award", ("授予红旗（须已核验且条件全部满足）",
                                                         "award a flag (assessed, every criterion met)"),
                (*FLAG, arg("--note", help=("说明", "note")), KEY)),
        Command(("flag", "decline"), "api.cli.evidence:cmd_flag_decline", ("决定不授予红旗", "decline a flag"), (*FLAG, REASON, KEY)),
        Command(("flag", "revoke"), "api.cli.evidence:cmd_flag_revoke", ("撤销已授予的红旗", "revoke an awarded flag"), (*FLAG, REASON, KEY)),
        Command(("flags",), "api.cli.evidence:cmd_flags", ("列出一个周期的红旗及其条件", "list a cycle's flags and their criteria"),
                (arg("contest", help=("活动代码", "contest code")), arg("cycle", help=("周期（年份）", "cycle (a year)")),
                 arg("--organization", help=("只列出这个党组织的", "only this organization's")), JSON)),
        Command(("export",), "", ("导出", "exports")),
        Command(("export", "events"), f"{V}:cmd_export_events", ("导出全部事件（NDJSON，含哈希链与签名）",
                                                                "the event history as NDJSON with chain and signature"),
                (arg("file", help=("输出文件", "output file")),)),
        Command(("export", "results"), f"{P}:cmd_export_results", ("导出轮次结果（公示名单），.csv 或 .xlsx",
                                                                  "a round's results (the publicity list), .csv or .xlsx"),
                (ROUND, arg("file", help=("输出文件 .csv 或 .xlsx", "output file .csv or .xlsx")))),
        Command(("export", "assessment"), "api.cli.assessment:cmd_export_assessment",
                ("导出期间考核数据（每位书记一条：成绩、名次、分类、任务完成情况），.csv、.xlsx 或 .json",
                 "a period's assessment data (one record per secretary: results, ranks, class, tasks done), "
                 ".csv, .xlsx or .json"),
                (arg("contest", help=("活动代码", "contest code")),
                 arg("period", help=("期间：2025、2025-Q2 或 2025-05", "period: 2025, 2025-Q2 or 2025-05")),
                 arg("file", help=("输出文件 .csv、.xlsx 或 .json", "output file .csv, .xlsx or .json")),
                 arg("--unit", help=("只导出该单位及其下级", "only this unit and the units below it")))),
        Command(("demo",), "api.cli.demo:cmd_demo", (("用示例数据完整演示一次比赛，然后在 http://127.0.0.1:端口"
                                                      "（默认 5000）提供服务"),
                                                     ("play the example contest end to end, then serve it on "
                                                      "http://127.0.0.1:PORT (default 5000)")),
                (arg("--fresh", action="store_true", help=("从空数据库开始：先删除 --db 文件（只含演示活动时）及其密钥",
                                                           ("start from an empty database: first delete the --db file "
                                                            "(only if it holds nothing but the demo) and its keys"))),
                 arg("--scenario", help=("活动目录（默认 examples/wushen-2025）",
                                         "scenario directory (default examples/wushen-2025)")),
                 arg("--no-serve", action="store_true", help=("演示后不启动服务（用于脚本）", "stop after the rankings (scripts)")),
                 arg("--port", type=int, default=5000, help=("服务端口（默认 5000）", "the port to serve on (default 5000)"))),
                db_help=("演示用的数据库（默认 sqlite:///demo.db；从不使用 LEITAI_DATABASE_URL，以免把演示数据写进正式数据库）",
                         ("the demo's database (default sqlite:///demo.db; never LEITAI_DATABASE_URL, so the demo "
                          "never writes into a real store)"))),
    ]


COMMANDS = _commands()


class Parser(argparse.ArgumentParser):
    """argparse with its usage errors in English, each followed by where to find help."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n(`{self.prog} --help` lists the options)\n")


class ChineseParser(Parser):
    """argparse with its usage errors in Chinese (an unknown option, a missing argument,
    an invalid choice or value): the exit code stays 2, and no traceback."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}：错误：{chinese_error(message)}\n（用 `{self.prog} --help` 查看全部选项）\n")


_TYPES_ZH = {"int": "整数", "float": "数字"}


# argparse's own messages (Python 3.11 and later), each with its Chinese; the first that
# matches the whole message is used, and what it captured is kept as given
_ERRORS_ZH: tuple[tuple[re.Pattern[str], Any], ...] = tuple((re.compile(pattern, re.S), zh) for pattern, zh in (
    (r"argument (?P<name>[^:]+?): (?P<inner>.*)", lambda m: f"参数 {m['name']}：{chinese_error(m['inner'])}"),
    (r"unrecognized arguments: (?P<args>.*)", lambda m: f"无法识别的参数：{m['args']}"),
    (r"the following arguments are required: (?P<args>.*)", lambda m: f"缺少必需的参数：{m['args']}"),
    (r"one of the arguments (?P<args>.*) is required", lambda m: f"以下参数必须给出其中一个：{m['args']}"),
    (r"not allowed with argument (?P<other>.*)", lambda m: f"不能与参数 {m['other']} 同时使用"),
    (r"invalid choice: (?P<value>.*?) \(choose from (?P<choices>.*)\)",
     lambda m: f"无效的选择 {m['value']}（可选：{m['choices']}）"),
    (r"invalid (?P<type>\w+) value: (?P<value>.*)",
     lambda m: f"{m['value']} 不是有效的{_TYPES_ZH.get(m['type'], m['type'])}"),
    (r"expected one argument", lambda m: "需要一个值"),
    (r"expected at most one argument", lambda m: "最多只能有一个值"),
    (r"expected at least one argument", lambda m: "至少需要一个值"),
    (r"expected (?P<n>\d+) arguments?", lambda m: f"需要 {m['n']} 个值"),
    (r"ambiguous option: (?P<option>.*) could match (?P<matches>.*)",
     lambda m: f"选项 {m['option']} 不明确，可能是：{m['matches']}"),
    (r"ignored explicit argument (?P<value>.*)", lambda m: f"该选项不接受值：{m['value']}"),
    (r"unexpected option string: (?P<option>.*)", lambda m: f"意外的选项：{m['option']}"),
))


def chinese_error(message: str) -> str:
    """An argparse usage error in Chinese; a message argparse did not write stays as it is."""
    for pattern, zh in _ERRORS_ZH:
        match = pattern.fullmatch(message)
        if match:
            return zh(match)
    return message


def build_parser(lang: str = "zh") -> argparse.ArgumentParser:
    zh = lang.startswith("zh")
    cls = ChineseParser if zh else Parser

    def h(pair: H) -> str:
        return pair[0] if zh else pair[1]

    def add(parser: Any, a: Arg) -> None:
        options = dict(a.options)
        parser.add_argument(*a.flags, help=h(a.help), **options)

    common = cls(add_help=False)
    _global_options(common, h, argparse.SUPPRESS)
    root = cls(
        prog="leitai", parents=[], formatter_class=argparse.RawDescriptionHelpFormatter,
        description=h(("擂台 Leitai — 基层党组织书记擂台比武与星级评定。每条命令的说明：leitai 命令 --help",
                       "Leitai — arena contests and star certification. Help on a command: leitai COMMAND --help")),
        epilog=h(("退出码：0 成功，2 被拒绝/输入有误，3 找不到，4 并发冲突，5 数据库问题，6 核对发现不一致",
                  "Exit codes: 0 ok, 2 refused/invalid input, 3 not found, 4 concurrent conflict, 5 store problem, "
                  "6 verification found a mismatch")))
    _global_options(root, h, None)
    if zh:
        _translate(root)
    groups: dict[tuple[str, ...], Any] = {(): root.add_subparsers(dest="command", metavar=h(("命令", "COMMAND")))}
    for command in COMMANDS:
        parent = groups[command.path[:-1]]
        parser = parent.add_parser(command.path[-1], help=h(command.help), description=h(command.help),
                                   parents=[] if command.db_help else [common])
        if command.db_help:  # the global options, with this command's own --db
            _global_options(parser, h, argparse.SUPPRESS, command.db_help)
        if zh:
            _translate(parser)
        parser.set_defaults(run=command.run, path=command.path)
        if not command.run:
            groups[command.path] = parser.add_subparsers(dest=f"{'_'.join(command.path)}_command",
                                                         metavar=h(("子命令", "SUBCOMMAND")))
            continue
        for a in command.args:
            add(parser, a)
        for group in command.exclusive:
            exclusive = parser.add_mutually_exclusive_group(required=command.required_group)
            for a in group:
                add(exclusive, a)
    return root


def _global_options(parser: argparse.ArgumentParser, h: Any, default: Any, db_help: H | None = None) -> None:
    kw = {} if default is None else {"default": default}
    parser.add_argument("--db", help=h(db_help or ("数据库：sqlite:///文件.db 或 postgresql://…（默认 LEITAI_DATABASE_URL）",
                                                   "database URL (default LEITAI_DATABASE_URL)")), **kw)
    parser.add_argument("--lang", choices=["zh", "en"], help=h(("消息语言（默认中文）", "language (default zh)")), **kw)
    parser.add_argument("--as", dest="actor", help=h(("操作人（记录在每条事件中）", "who is acting (recorded)")), **kw)


def _translate(parser: argparse.ArgumentParser) -> None:
    """argparse's own words in Chinese (usage, options, the help option)."""
    for action in parser._actions:  # noqa: SLF001 - argparse offers no other way
        if isinstance(action, argparse._HelpAction):  # noqa: SLF001
            action.help = "显示帮助并退出"
    parser._positionals.title = "参数"  # noqa: SLF001
    parser._optionals.title = "选项"  # noqa: SLF001


def language(argv: list[str], environ: dict[str, str]) -> str:
    """The language asked for anywhere on the command line, else LEITAI_LANG, else Chinese."""
    for i, item in enumerate(argv):
        if item == "--lang" and i + 1 < len(argv):
            return "en" if argv[i + 1] == "en" else "zh"
        if item.startswith("--lang="):
            return "en" if item.split("=", 1)[1] == "en" else "zh"
    return "en" if environ.get("LEITAI_LANG", "zh").startswith("en") else "zh"
