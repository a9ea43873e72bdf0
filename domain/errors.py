"""Errors a person can act on, each with a Chinese and an English message.

Every refusal in Leitai is one of these classes.  ``str(error)`` is the English
message (for logs); ``error.message("zh")`` is what the command line and the pages
show by default.  Each message says what went wrong and, where there is one, what to
do next.  The fields are kept on ``error.fields`` so that tests and the API can
report them without parsing text.
"""

from __future__ import annotations

from typing import Any, ClassVar

STATUS_ZH = {
    "scheduled": "已排定（尚未开始评分）",
    "open": "评分中",
    "closed": "已结束评分",
    "published": "公示中",
    "final": "已定案",
}


class LeitaiError(Exception):
    """Base class: a refusal with a message in Chinese and in English."""

    zh: ClassVar[str] = "操作被拒绝。"
    en: ClassVar[str] = "The operation was refused."
    exit_code: ClassVar[int] = 2
    field_name: ClassVar[str | None] = None  # the input this refusal is about, when it is not in ``fields``

    def __init__(self, **fields: Any) -> None:
        self.fields = fields
        super().__init__(self.message("en"))

    def message(self, lang: str = "zh") -> str:
        zh = lang.startswith("zh")
        template = self.zh if zh else self.en
        values = dict(self.fields)
        if "status" in values:
            values.setdefault("status_zh", STATUS_ZH.get(values["status"], values["status"]))
        if "level" in values:
            values.setdefault("level_zh", level_zh(values["level"]))
        for key in QUOTED:
            if key in values:
                values[key] = shown(values[key], zh)
        return template.format(**values)

    def field_errors(self, lang: str = "zh") -> dict[str, str]:
        """Each input the refusal is about -> what is wrong with it (for an API's ``errors``)."""
        name = self.fields.get("field") or self.fields.get("criterion") or self.field_name
        return {str(name): self.message(lang)} if name else {}


# the usual levels of a contest in words (a contest may name others: "<code> 级")
LEVEL_ZH = {"village": "村级", "township": "乡镇级", "county": "县级", "city": "市级", "province": "省级"}


def level_zh(level: Any) -> str:
    return LEVEL_ZH.get(str(level), f"{level} 级")


QUOTED = ("value", "recorded", "given")  # values a person typed or a file held: shown quoted


def shown(value: Any, zh: bool = True) -> str:
    """A value as a person reads it in a message (never a Python repr)."""
    if value is None or value == "":
        return "（空）" if zh else "(empty)"
    if isinstance(value, dict):
        return ("，" if zh else ", ").join(f"{k}={shown(v, zh)}" for k, v in value.items())
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
        return ("、" if zh else ", ").join(str(v) for v in items) or ("（空）" if zh else "(empty)")
    return f"「{value}」" if zh else f'"{value}"'


class NotFound(LeitaiError):
    exit_code = 3


class ContestNotFound(NotFound):
    zh = "找不到比武活动 {contest}。请先用 `leitai import` 导入活动目录。"
    en = "Contest {contest} does not exist. Import its scenario directory first with `leitai import`."


class RoundNotFound(NotFound):
    zh = "找不到轮次 {round}。请检查轮次代码，或先导入 contest.toml。"
    en = "Round {round} does not exist. Check the round code, or import contest.toml first."


class RoundSetAside(LeitaiError):
    zh = ("轮次 {round} 的事件记录有无法应用的内容（位置 {position}：{reason}），读模型暂不显示该轮次。"
          "请运行 `leitai verify` 查看详情，并联系系统管理员。")
    en = ("Round {round} has recorded events that cannot be applied (position {position}: {reason}); the read side "
          "does not show it. Run `leitai verify` for details and tell the system administrator.")
    exit_code = 5


class OrganizationNotFound(NotFound):
    zh = "找不到党组织 {organization}。请先在 organizations.csv 中登记。"
    en = "Organization {organization} does not exist. Register it in organizations.csv first."


class JudgeNotFound(NotFound):
    zh = "比武活动 {contest} 中没有评委 {judge}。请先在 judges.csv 中登记。"
    en = "Contest {contest} has no judge {judge}. Register the judge in judges.csv first."


class UnitNotFound(NotFound):
    zh = "比武活动 {contest} 中没有单位 {unit}。请在 contest.toml 的 [[units]] 中添加。"
    en = "Contest {contest} has no unit {unit}. Add it under [[units]] in contest.toml."


class RuleSetNotFound(NotFound):
    field_name = "rules"
    zh = "找不到评分规则 {rules}。请先登记该规则：随活动目录导入（rules/*.toml），或用 `leitai rules adopt` 采用。"
    en = ("Rule set {rules} is not registered. Register it first: import it with a scenario (rules/*.toml), "
          "or adopt it with `leitai rules adopt`.")


class AppealNotFound(NotFound):
    zh = "轮次 {round} 中没有编号为 {appeal} 的异议/申诉。"
    en = "Round {round} has no objection or appeal {appeal}."


class CertificationNotFound(NotFound):
    zh = "党组织 {organization} 在 {level_zh} {cycle} 周期还没有星级评定记录。"
    en = "Organization {organization} has no star certification at level {level} for cycle {cycle}."


class AccountNotFound(NotFound):
    zh = "没有账号 {account}。请让系统管理员用 `leitai users add` 创建。"
    en = "There is no account {account}. Ask the administrator to create it with `leitai users add`."


class RuleSetInvalid(LeitaiError):
    zh = "评分规则 {source} 有误：\n{problems_zh}"
    en = "Rule set {source} is invalid:\n{problems_en}"

    def __init__(self, source: str, problems: list[tuple[str, str, str]]) -> None:
        # problems: (field, english, chinese)
        self.problems = problems
        super().__init__(
            source=source,
            problems=[field for field, _, _ in problems],
            problems_en="\n".join(f"  - {f}: {en}" for f, en, _ in problems),
            problems_zh="\n".join(f"  - {f}：{zh}" for f, _, zh in problems),
        )

    def field_errors(self, lang: str = "zh") -> dict[str, str]:
        return {field: zh if lang.startswith("zh") else en for field, en, zh in self.problems}


class RuleSetConflict(LeitaiError):
    zh = "评分规则 {code} 第 {version} 版已登记，内容不同。修改规则请提高 version。"
    en = (
        "Rule set {code} version {version} is already registered with different content. "
        "To change the rules, raise the version number."
    )


KINDS_ZH = {"contest": "比武活动", "unit": "单位", "judge": "评委", "round": "轮次", "organization": "党组织",
            "account": "账号"}


class RecordConflict(LeitaiError):
    zh = "{kind_zh} {code} 已登记，{field} 为 {recorded}，现在给出的是 {given}。{hint_zh}"
    en = "{kind} {code} is already recorded with {field} = {recorded}; now given {given}. {hint_en}"

    def __init__(self, kind: str, code: str, field: str, recorded: Any, given: Any, hint: str | None = None) -> None:
        super().__init__(
            kind=kind.capitalize(), kind_zh=KINDS_ZH.get(kind, kind), code=code, field=field, recorded=recorded,
            given=given,
            hint_zh=(f"已登记的内容请用 `{hint}` 修改（须说明理由），不能靠重新导入覆盖。" if hint
                     else "已登记的内容不能靠重新导入覆盖。"),
            hint_en=(f"Change recorded data with `{hint}` (a reason is required); a re-import does not "
                     "overwrite it." if hint else "A re-import does not overwrite recorded data."))


class RoundCodeTaken(LeitaiError):
    zh = "轮次代码 {round} 已被比武活动 {contest} 使用。轮次代码在全系统内唯一，请换一个。"
    en = "Round code {round} is already used by contest {contest}. Round codes are unique; choose another."


class InvalidValue(LeitaiError):
    zh = "{field} 的值 {value} 无效：{problem_zh}"
    en = "{field}: invalid value {value}: {problem}"

    def __init__(self, field: str, value: Any, problem: str, problem_zh: str) -> None:
        super().__init__(field=field, value=value, problem=problem, problem_zh=problem_zh)


class RoundStateError(LeitaiError):
    zh = "轮次 {round} 当前{status_zh}，不能{action_zh}。{hint_zh}"
    en = "Round {round} is {status}; {action} is not possible now. {hint}"

    def __init__(self, round: str, status: str, action: str, action_zh: str,
                 hint: str = "", hint_zh: str = "") -> None:
        super().__init__(round=round, status=status, action=action, action_zh=action_zh,
                         hint=hint, hint_zh=hint_zh)


class SheetsNotAccepted(LeitaiError):
    zh = ("轮次 {round} {status_zh}，不能再提交评分表。公示前可用 `leitai reopen` 说明理由后重新开放；"
          "公示后只能通过成立的申诉更正。")
    en = ("Round {round} is {status}; sheets can no longer be submitted. Before publication, "
          "`leitai reopen` reopens it with a reason; after publication marks change only through "
          "an upheld appeal.")


class SheetsNotYetAccepted(SheetsNotAccepted):
    zh = "轮次 {round} 尚未开始评分，不能提交评分表。请先开始评分（`leitai open {round}`）。"
    en = "Round {round} has not been opened for scoring yet. Open it first (`leitai open {round}`)."


class JudgeNotSeated(LeitaiError):
    field_name = "judge"
    zh = "评委 {judge} 不在轮次 {round} 的评委席中，其评分表不予接收。"
    en = "Judge {judge} does not sit on the panel of round {round}; the sheet is refused."


class JudgeRecused(LeitaiError):
    field_name = "judge"
    zh = "评委 {judge} 对 {entrant} 回避（{reason_zh}），不能为其评分。"
    en = "Judge {judge} is recused from {entrant} ({reason}) and cannot score it."


class EntrantNotAdmitted(LeitaiError):
    field_name = "entrant"
    zh = "{entrant} 不是轮次 {round} 的参赛组织。"
    en = "{entrant} is not an entrant of round {round}."


class EntrantNotActive(LeitaiError):
    field_name = "entrant"
    zh = "{entrant} 在轮次 {round} 中已{entrant_status_zh}，不能再{action_zh}。"
    en = "{entrant} is {entrant_status} in round {round}; cannot {action}."


class DuplicateSheet(LeitaiError):
    zh = ("评委 {judge} 已为 {entrant} 在轮次 {round} 提交过评分表（{sheet}）。"
          "如需修改分数，请提交更正（`leitai correct`），并说明理由。")
    en = ("Judge {judge} already has a sheet ({sheet}) for {entrant} in round {round}. "
          "To change marks, record a correction (`leitai correct`) with a reason.")


class SheetNotFound(NotFound):
    zh = "评委 {judge} 在轮次 {round} 中没有 {entrant} 的有效评分表。"
    en = "Judge {judge} has no valid sheet for {entrant} in round {round}."


class MarkInvalid(LeitaiError):
    zh = "评委 {judge} 给 {entrant} 的「{criterion}」分数 {value} 无效：{problem_zh}"
    en = "Mark {value} from judge {judge} for {entrant} on criterion {criterion} is invalid: {problem}"


class TooFewSheets(LeitaiError):
    zh = ("轮次 {round} 不能结束评分：{entrant} 只有 {have} 份有效评分表，规则要求至少 {need} 份。"
          "请补齐评分，或将其登记为取消资格/退出。")
    en = ("Round {round} cannot close: {entrant} has {have} valid sheets and the rules need "
          "at least {need}. Collect the missing sheets, or record the entrant as disqualified or withdrawn.")


class LinkedRoundNotClosed(LeitaiError):
    zh = "轮次 {round} 的「{component}」成绩取自轮次 {linked}，而该轮次{status_zh}。请先结束轮次 {linked} 的评分。"
    en = "Round {round} takes component {component} from round {linked}, which is {status}. Close {linked} first."


class AdjustmentOverCap(LeitaiError):
    field_name = "points"
    zh = "{entrant} 在轮次 {round} 的{kind_zh}合计将达 {total} 分，超过规则上限 {cap} 分，不予登记。"
    en = "{entrant} would have {total} {kind} points in round {round}, above the cap of {cap}; refused."


class ReasonRequired(LeitaiError):
    field_name = "reason"
    zh = "{action_zh}必须填写理由。"
    en = "A reason is required to {action}."


class InputReplacementNeedsReason(ReasonRequired):
    """A recorded assessment value or vote count is replaced by another only with a reason."""

    zh = ("轮次 {round} 中 {entrant} 的「{component}」已登记为 {recorded}（{event}），改为 {given} 必须填写理由"
          "（reason，命令行 --reason）；原来的值保留在记录中。")
    en = ("{entrant}'s {component} in round {round} is recorded as {recorded} ({event}); replacing it with {given} "
          "needs a reason (reason, on the command line --reason); the value it replaces stays in the history.")


class AppealOutsidePeriod(LeitaiError):
    zh = "轮次 {round} 的公示期为 {start} 至 {end}，{date} 不在公示期内，异议/申诉不予受理。"
    en = "The publicity period of round {round} runs from {start} to {end}; {date} is outside it, so the filing is refused."


class AppealAnonymous(LeitaiError):
    field_name = "name"
    zh = "异议/申诉必须署真实姓名并留联系方式（缺少：{missing_zh}），匿名异议不予受理。"
    en = "An objection or appeal must carry a real name and a contact (missing: {missing}); anonymous filings are refused."


class AppealAlreadyRuled(LeitaiError):
    zh = "异议/申诉 {appeal} 已于此前作出答复（{decision}），不能重复答复。"
    en = "Objection/appeal {appeal} was already ruled ({decision})."


class AlreadyPublished(LeitaiError):
    zh = ("轮次 {round} 的结果已公示（{start} 至 {end}）。如需重新公示或延长公示期，请用 "
          "`leitai republish {round} --on 日期 --days 天数 --reason 理由`。")
    en = ("The results of round {round} are already published ({start} to {end}). To publish them again or "
          "extend the period, use `leitai republish {round} --on DATE --days N --reason …`.")


class PublicationBackdated(LeitaiError):
    field_name = "on"
    zh = "轮次 {round} 的公示日期 {on} 早于允许的日期：{why_zh} {limit}。请填写实际张贴公示的日期（不早于 {limit}）。"
    en = "Round {round}: the publication date {on} is too early: {why} {limit}. Give the day the notice was posted (not before {limit})."


class AppealNotUpheld(LeitaiError):
    zh = "公示后的更正必须对应一项已答复为“予以支持”的异议/申诉，而 {appeal} {decision_zh}。{hint_zh}"
    en = "A change after publication must be the remedy of an upheld objection or appeal; {appeal} is {decision}. {hint}"

    def __init__(self, round: str, appeal: str, number: int, decision: str) -> None:
        pending = decision == "pending"
        super().__init__(
            round=round, appeal=appeal, number=number, decision=decision,
            decision_zh={"pending": "尚未答复", "dismissed": "已答复为不予支持"}.get(decision, decision),
            hint_zh=f"请先答复：`leitai appeal rule {round} {number} --decision upheld --reply …`。" if pending else "",
            hint=f"Rule on it first: `leitai appeal rule {round} {number} --decision upheld --reply …`." if pending
            else "")


class NotFinalYet(LeitaiError):
    zh = "轮次 {round} 还不能定案：{why_zh}"
    en = "Round {round} cannot be finalized yet: {why}"


class NoPromotion(LeitaiError):
    zh = "轮次 {round} {why_zh}"
    en = "Round {round}: {why}"


class PromotionsLocked(RoundStateError):
    """A change of a round's results would change who it promotes, and the round it promotes
    to has started: its finalists can no longer change."""

    zh = ("轮次 {round} 的晋级名单会因此改变（{change_zh}），但它晋级的目标轮次 {target} 当前{status_zh}，"
          "参赛选手已不能变更，本次操作未登记任何内容。只有目标轮次尚未开始评分时，才能变更晋级名单。")
    en = ("This would change whom round {round} promotes ({change}), but the round it promotes to, {target}, is "
          "{status}: its entrants can no longer change, and nothing was recorded. Promotions change only while the "
          "next round has not started scoring.")

    def __init__(self, round: str, target: str, status: str, change: str, change_zh: str) -> None:
        LeitaiError.__init__(self, round=round, target=target, status=status, change=change, change_zh=change_zh)


class CalendarMissing(LeitaiError):
    field_name = "calendar_fallback"
    zh = ("没有 {year} 年的节假日安排数据，无法按工作日计算公示期。请用 "
          "`leitai calendar load FILE` 导入国务院办公厅公布的 {year} 年放假安排"
          "（格式见 README），或明确选择 `--calendar-fallback weekends`（只排除周末，并记录在案）。")
    en = ("There is no holiday data for {year}, so working days cannot be counted. Load the State "
          "Council's {year} holiday schedule with `leitai calendar load FILE` (format in the README), "
          "or choose `--calendar-fallback weekends` explicitly (weekends only; recorded with the result).")


class DecisionNeedsReason(LeitaiError):
    field_name = "reason"
    zh = "{organization} 的复评决定为 {decided} 星，与计算建议 {recommended} 不同，必须说明理由。"
    en = ("The re-evaluation decides {decided} stars for {organization}, which differs from the "
          "computed recommendation ({recommended}); a reason is required.")


class CertificationStateError(LeitaiError):
    zh = "{organization} 的星级评定当前为「{state_zh}」，不能{action_zh}。"
    en = "The certification of {organization} is {state}; cannot {action}."


class NotYetEvaluated(CertificationStateError):
    zh = ("{unit} 及下级单位有 {count} 个组织在 {level_zh} {cycle} 周期尚未初评（{organizations}），不能一次采纳星级建议。"
          "请先登记初评（leitai cert evaluate），本次未登记任何内容。")
    en = ("{count} organization(s) of {unit} and the units below it have no initial evaluation at level {level} for "
          "{cycle} yet ({organizations}); their recommendations cannot be accepted. Record the initial evaluation "
          "first (leitai cert evaluate); nothing was recorded.")


class ConcurrencyConflict(LeitaiError):
    zh = "{target} 正被同时修改，已重试 {attempts} 次仍冲突。请稍后重试该操作。"
    en = "{target} was changed concurrently and the command still conflicted after {attempts} attempts. Retry it."
    exit_code = 4


class KeyReused(LeitaiError):
    zh = "幂等键 {key} 已用于另一条不同的命令，这条命令未登记。重试同一条命令才用同一个键；不同的命令请用新的键（--key）。"
    en = ("Idempotency key {key} was used for a different command; this one was not recorded. Reuse a key only to "
          "retry the same command; give a different command a new key (--key).")


class ImportRowError(LeitaiError):
    zh = "{file}{row_zh}{column_zh}：{problem_zh}"
    en = "{file}{row_en}{column_en}: {problem}"

    def __init__(self, file: str, row: int | None, column: str | None, problem: str,
                 problem_zh: str | None = None) -> None:
        super().__init__(
            file=file, row=row, column=column, problem=problem,
            problem_zh=problem_zh or problem,
            column_zh=f"「{column}」" if column else "",
            column_en=f", {'column ' if row else ''}{column}" if column else "",
            row_zh=f" 第 {row} 行" if row else "",
            row_en=f" row {row}" if row else "",
        )

    def field_errors(self, lang: str = "zh") -> dict[str, str]:
        f = self.fields
        where = ":".join(str(part) for part in (f["file"], f["row"], f["column"]) if part)
        return {where: self.message(lang)}


IMPORT_ERRORS_SHOWN = 20  # refused rows of one file reported at once


class ImportErrors(LeitaiError):
    """Several refused rows of one import; nothing was recorded."""

    exit_code = 2

    def __init__(self, errors: list[ImportRowError]) -> None:
        self.errors = errors
        more = "" if len(errors) < IMPORT_ERRORS_SHOWN else f"\n(stopped after {IMPORT_ERRORS_SHOWN} errors)"
        more_zh = "" if len(errors) < IMPORT_ERRORS_SHOWN else f"\n（已报告前 {IMPORT_ERRORS_SHOWN} 处错误）"
        super().__init__(
            en="\n".join(e.message("en") for e in errors) + more,
            zh="\n".join(e.message("zh") for e in errors) + more_zh,
        )

    def message(self, lang: str = "zh") -> str:
        return self.fields["zh" if lang.startswith("zh") else "en"]

    def field_errors(self, lang: str = "zh") -> dict[str, str]:
        out: dict[str, str] = {}
        for error in self.errors:
            out.update(error.field_errors(lang))
        return out


class StoreError(LeitaiError):
    zh = "数据库问题：{problem_zh}"
    en = "Database problem: {problem}"
    exit_code = 5


class LogRewritten(LeitaiError):
    """The deployment's signer refuses to sign a tree head: the log is not an unchanged
    extension of the last head it signed (kept outside the database, beside its key)."""

    zh = ("签名被拒绝：日志已不是本系统上次签署的树头（{signed_size} 条事件）的原样延续——{problem_zh}。"
          "历史记录可能被改写。本次操作未登记任何内容。请立即通知审计人员，运行 `leitai verify` 检查，并与见证方保存的树头核对。")
    en = ("Signing refused: the log no longer extends, unchanged, the last tree head this deployment signed "
          "({signed_size} events) — {problem}. The history may have been rewritten. Nothing was recorded by this "
          "command. Tell the auditors now, run `leitai verify`, and compare with the heads the witnesses hold.")
    exit_code = 6


class OutOfScope(LeitaiError):
    """A command would change something outside the acting account's scope (domain/authority.py)."""

    zh = "无权执行该操作：它会改动{what_zh}，不在您的管理范围内。整个操作未登记任何内容。"
    en = "Not permitted: the command would change {what}, which is outside your scope. Nothing was recorded."
    exit_code = 2


# -- comments (点评, rulebook section 17) --------------------------------------------------------


class CommentsNotAccepted(RoundStateError):
    """A comment recorded, corrected or withdrawn before the round opens or once it is final."""

    def __init__(self, round: str, status: str, action: str, action_zh: str) -> None:
        if status == "scheduled":
            hint, hint_zh = (f"Comments are recorded once scoring has started: open it first (`leitai open {round}`).",
                             f"点评从开始评分起登记：请先开始评分（`leitai open {round}`）。")
        elif status != "final":
            # a judge's own account, once scoring has closed (rulebook 17.2)
            hint, hint_zh = ("A judge records, corrects and withdraws comments while scoring runs; once it has closed "
                             "(and the judges see each other's comments) ask the round's admin, who records the "
                             "change with its reason.",
                             "评委只能在评分期间登记、更正、撤回自己的点评；结束评分后（评委已能看到彼此的点评），"
                             "请由本轮的管理员登记并写明理由。")
        else:
            hint, hint_zh = ("Comments are settled with the results when a round is finalized; they no longer change.",
                             "定案后点评与结果一同定稿，不再改动。")
        super().__init__(round, status, action, action_zh, hint, hint_zh)


class CommentNotFound(NotFound):
    field_name = "comment"
    zh = "轮次 {round} 中没有编号为 {comment} 的点评。请用 `leitai comments {round}` 查看点评编号。"
    en = "Round {round} has no comment number {comment}. `leitai comments {round}` lists the comments and their numbers."


class CommentAlreadyWithdrawn(LeitaiError):
    field_name = "comment"
    zh = "轮次 {round} 的点评 {comment} 已于 {when} 撤回（{reason}），不能再{action_zh}。如需点评，请登记一条新的点评。"
    en = ("Comment {comment} of round {round} was withdrawn on {when} ({reason}); it cannot be {action} any more. "
          "Record a new comment instead.")


# -- voting (投票, rulebook section 18) -----------------------------------------------------------


class NoVoting(LeitaiError):
    field_name = "round"
    zh = "轮次 {round} 的评分规则 {rules} 没有 [voting] 设置，不能投票。请采用带 [voting] 的规则（规则手册第 18 节）。"
    en = "The rule set {rules} of round {round} has no [voting] section: no voting. Adopt rules with [voting] (rulebook section 18)."


class VotingNotOpen(LeitaiError):
    field_name = "round"
    zh = "轮次 {round} 还没有开启投票。请先 `leitai vote open {round}`。"
    en = "Round {round} has no voting round open. Open it first: `leitai vote open {round}`."


class VotingCounted(LeitaiError):
    field_name = "round"
    zh = "轮次 {round} 第 {number} 轮投票已经计票，不能再{action_zh}。重新计票请用 `leitai replay --rules` 核对（规则手册 18.5）。"
    en = ("Voting round {number} of round {round} is counted already: it can no longer {action}. A recount is a "
          "replay: `leitai replay --rules` (rulebook 18.5).")


class VotesFromBallots(LeitaiError):
    field_name = "component_code"
    zh = ("轮次 {round} 的成绩项 {component} 由投票计票得出（规则手册 18.4），不能手工登记。请登记选票并计票："
          "`leitai vote cast`、`leitai vote count {round}`；本次未登记任何内容。")
    en = ("Component {component} of round {round} is fed by the ballot count (rulebook 18.4): it cannot be entered "
          "by hand. Record the ballots and count them: `leitai vote cast`, `leitai vote count {round}`; nothing was "
          "recorded.")


class BallotFileImportedAlready(LeitaiError):
    """The same ballots file (by its SHA-256) into the same ballot box again (rulebook 18.2)."""

    field_name = "file"
    zh = ("选票文件 {file}（SHA-256 {digest}）与 {when} 由 {actor} 导入轮次 {round} 第 {number} 轮投票的文件 {earlier} "
          "内容完全相同（当时导入 {rows} 张选票），不能再导入一次，否则同一批选票会计两次；本次未登记任何内容。"
          "`leitai vote tally {round}` 显示已登记的选票数。若确实是另一批选票，请核对文件是否选错；若需补登个别选票，"
          "请用 `leitai vote cast`。")
    en = ("The ballots file {file} (SHA-256 {digest}) is the very file {earlier} that {actor} imported into voting "
          "round {number} of round {round} at {when} ({rows} ballots): importing it again would count the same "
          "ballots twice; nothing was recorded. `leitai vote tally {round}` shows the ballots recorded. If these are "
          "other ballots, check that the right file was chosen; to add a single ballot, use `leitai vote cast`.")


# -- consequences as work (结果运用: tasks, pairs, classes, rulebook sections 15-16) ------------------


class TaskNotFound(NotFound):
    field_name = "task"
    zh = "没有任务 {task}。`leitai tasks 活动` 列出各任务的编号。"
    en = "No task {task}. `leitai tasks CONTEST` lists the tasks with their codes."


class PairNotFound(NotFound):
    field_name = "pair"
    zh = "没有结对 {pair}。`leitai pairs 活动` 列出各结对的编号。"
    en = "No pair {pair}. `leitai pairs CONTEST` lists the pairs with their codes."


class PeriodAlreadyClosed(LeitaiError):
    field_name = "period"
    zh = ("{unit} 的 {period} 已于 {on} 结束（发出 {tasks} 个任务、{pairs} 个结对）；同一期间只能结束一次（规则手册 15.1）。"
          "不再适用的任务请登记免办：leitai task excuse 任务 --reason 理由。")
    en = ("{period} of {unit} was closed on {on} ({tasks} tasks, {pairs} pairs issued); a period is closed once "
          "(rulebook 15.1). Excuse a task that no longer applies: leitai task excuse TASK --reason REASON.")


class PeriodNotFinal(LeitaiError):
    field_name = "period"
    zh = "{unit} 的 {period} 不能结束：{problem_zh}。期间过完、期间内每个轮次定案后才能结束（规则手册 15.1）；本次未登记任何内容。"
    en = ("{period} of {unit} cannot be closed: {problem}. A period closes once it is over and each of its rounds "
          "is final (rulebook 15.1); nothing was recorded.")


class WorkStateError(LeitaiError):
    zh = "{kind_zh} {code} 当前为「{state_zh}」，不能{action_zh}。{hint_zh}"
    en = "{kind} {code} is {state}; cannot {action}. {hint}"

    def __init__(self, kind: str, kind_zh: str, code: str, state: str, state_zh: str, action: str, action_zh: str,
                 hint: str = "", hint_zh: str = "") -> None:
        super().__init__(kind=kind, kind_zh=kind_zh, code=code, state=state, state_zh=state_zh, action=action,
                         action_zh=action_zh, hint=hint, hint_zh=hint_zh)

    def field_errors(self, lang: str = "zh") -> dict[str, str]:
        return {str(self.fields["kind"]).lower(): self.message(lang)}  # "task" or "pair"


class JudgeRecusedFromComment(JudgeRecused):
    zh = "评委 {judge} 对 {entrant} 回避（{reason_zh}），不能点评它。"
    en = "Judge {judge} is recused from {entrant} ({reason}) and cannot comment on it."


# -- evidence and flags (荣誉、平台数据、红旗, rulebook section 19) ------------------------------------


class FlagNotFound(NotFound):
    field_name = "flag"
    zh = "{organization} 在 {cycle} 周期没有「{flag}」红旗的记录。请先提名（`leitai flag nominate`）。"
    en = "{organization} has no record of flag {flag} for cycle {cycle}. Nominate it first (`leitai flag nominate`)."


class FlagStateError(LeitaiError):
    field_name = "flag"
    zh = "{organization} 的「{flag}」（{cycle}）当前为「{state_zh}」，不能{action_zh}。"
    en = "Flag {flag} of {organization} ({cycle}) is {state}; cannot {action}."


class FlagNeedsSecondPerson(LeitaiError):
    """Four eyes on a flag (rulebook 19.4): the account that assessed it does not award it."""

    field_name = "flag"
    zh = ("{assessor} 核验了 {organization} 的「{flag}」（{cycle}），或登记了它所依据的荣誉，不能再由这个账号授予："
          "授予须由另一位有权的管理员审核核验结果后登记（双人审核，规则手册 19.4）；本次未登记任何内容。")
    en = ("{assessor} assessed flag {flag} of {organization} ({cycle}) or recorded an honour it rests on: that "
          "account may not award it. Another admin with the right reviews the assessment and awards it (four eyes, "
          "rulebook 19.4); nothing was recorded.")


class FlagCriteriaNotMet(LeitaiError):
    """A flag decided without its criteria: not assessed, or a criterion not met (no override)."""

    field_name = "flag"
    zh = ("不能授予 {organization} 的「{flag}」（{cycle}）：{why_zh}。{unmet_zh}"
          "红旗只能在核验且全部条件满足后授予（先 `leitai flag assess`），本次未登记任何内容。")
    en = ("Flag {flag} cannot be awarded to {organization} ({cycle}): {why}.{unmet} "
          "A flag is awarded only once its criteria are assessed and all met (`leitai flag assess` first); "
          "nothing was recorded.")
