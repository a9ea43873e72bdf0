"""The pages' words: written in Chinese in the templates (``{{ _("评分中") }}``), with
their English here.  A test checks that every phrase the templates use has its English."""

from __future__ import annotations

from collections.abc import Callable

STATE_NAMES = {
    "scheduled": ("未开始", "Not started"),
    "open": ("评分中", "Scoring"),
    "closed": ("已封存", "Sealed"),
    "published": ("公示中", "In publicity"),
    "final": ("已定", "Final"),
}

# codes shown as words: promotion outcomes and the reasons of the not promoted (rulebook
# section 6), levels, what happened to a sheet
WORDS = {
    "promoted": ("晋级", "promoted"),
    "reserve": ("候补", "reserve"),
    "not_promoted": ("未晋级", "not promoted"),
    "below_cutoff": ("名次未达线", "below the cut-off"),
    "below_min_score": ("低于最低分", "below the minimum score"),
    "tie_excluded": ("同分排除", "tie excluded"),
    "disqualified": ("取消资格", "disqualified"),
    "withdrawn": ("退出比赛", "withdrawn"),
    # the usual levels of a contest (a contest may name others: shown as they are)
    "village": ("村级", "village"),
    "township": ("乡镇级", "township"),
    "county": ("县级", "county"),
    "city": ("市级", "city"),
    # what happened to a sheet (the audit page's timeline)
    "submitted": ("提交", "submitted"),
    "corrected": ("更正", "corrected"),
    "voided": ("作废", "voided"),
    # what happened to an assessment value or vote count, and to a finalist (the same timeline)
    "input": ("登记考核数据", "value recorded"),
    "input_replaced": ("更改考核数据", "value replaced"),
    "revision_withdrawn": ("不再晋级，退出本轮", "no longer promoted: withdrawn"),
    "revision_admitted": ("晋级，加入本轮", "promoted: admitted"),
    "revision_updated": ("来源轮次名次、得分更新", "source rank and final updated"),
}

CERT_STATE_EN = {"opened": "Opened", "self_assessed": "Self-assessed", "initially_evaluated": "Initially evaluated",
                 "decided": "Re-evaluated", "certified": "Certified", "revoked": "Withdrawn"}

# the rule set's codes as the audit page shows them (rulebook section 2; the command line's
# `explain` says the same): the panel's method, where a component's value comes from, and
# the components of the rulebook and the example rule sets (a rule set names a component
# by its code alone: one not here is shown by its source, its code beside it)
METHOD_NAMES = {"mean": ("平均", "mean"), "median": ("中位数", "median"),
                "trimmed_mean": ("去掉最高分和最低分后平均", "trimmed mean")}
SOURCE_NAMES = {"panel": ("评委小组评分", "the judges' marks"), "input": ("录入数据", "a recorded value"),
                "votes": ("投票", "votes"), "round": ("关联轮次的得分", "another round's score")}
COMPONENT_NAMES = {"arena": ("登台打擂", "on stage"),
                   "daily": ("日常现实表现和工作实绩", "daily performance and work done"),
                   "observation": ("现场观摩", "site observation")}
# what a certification's history records beyond its states (the organization page)
CERT_STEPS = {"downgraded": ("已降星", "Stars lowered")}

EN = {
    "擂台": "Leitai",
    "首页": "Home",
    "公示与星级": "Results and stars",
    "评委打分": "Judging",
    "本组织": "My organization",
    "管理": "Console",
    "登录": "Sign in",
    "退出": "Sign out",
    "用户名": "Name",
    "密码": "Password",
    "已登录": "Signed in as",
    "出错了": "Something went wrong",
    "返回首页": "Back to the home page",
    "活动": "Contests",
    "轮次": "Round",
    "层级": "Level",
    "单位": "Unit",
    "期间": "Period",
    "状态": "State",
    "大屏": "Big screen",
    "结果": "Results",
    "打分": "Score",
    "审计": "Audit",
    "名次": "Rank",
    "组织": "Organization",
    "书记": "Secretary",
    "得分": "Score",
    "奖项": "Prize",
    "晋级": "Promotion",
    "备注": "Note",
    "并列": "tied",
    "暂定": "provisional",
    "评分表": "Sheets",
    "已收评分表": "sheets in",
    "来自": "From",
    "公示至": "until",  # after the state "In publicity": "In publicity until 2025-06-06"
    "连接中断，正在重连。显示的是此时的结果：": "Connection lost, reconnecting. Showing the results as of",
    "实时更新": "Live",
    "没有可显示的轮次。": "No rounds to show.",
    "我评分的轮次": "Rounds I score",
    "评分中，可以打分": "open for scoring",
    "尚未开放打分": "not open for scoring",
    "出场顺序": "Running order",
    "结束评分前，评委只看得到自己的评分表：其他评委的评分、本轮的得分和名次在结束评分后才能查看。":
        "Until scoring closes a judge sees only their own sheets: the other judges' marks and this round's scores "
        "and ranks can be seen once scoring is closed.",
    "合计": "Total",
    "提交": "Submit",
    "更正": "Correct",
    "更正原因": "Reason for the correction",
    "更正必须填写原因。": "A correction needs a reason.",
    "已提交": "submitted",
    "待发送": "waiting to be sent",
    "发送中": "sending",
    "已发送": "sent",
    "被拒绝": "refused",
    "网络断开：评分表已保存在本机，恢复后自动发送。": "Offline: sheets are kept on this device and sent when the network returns.",
    "发送队列": "Outbox",
    "最高": "max",
    "小数位": "decimals",
    "超过最高分": "above the maximum",
    "小数位过多": "too many decimals",
    "不是数字": "not a number",
    # the judge's page: what a round's state allows, the marks and the total, offline start
    "尚未开放打分：本轮开始评分后才能提交评分表。": "Not open for scoring yet: sheets can be submitted once this round is "
                                          "opened.",
    "评分已结束：本轮已封存，不能再提交或更正评分表。": "Scoring is over: this round is sealed; sheets can no longer be "
                                            "submitted or corrected.",
    "评分已结束：本轮结果公示中，不能再提交或更正评分表。": "Scoring is over: this round's results are in publicity; sheets "
                                              "can no longer be submitted or corrected.",
    "评分已结束：本轮结果已确定，不能再提交或更正评分表。": "Scoring is over: this round's results are final; sheets can no "
                                              "longer be submitted or corrected.",
    "我的评分表（只读）": "My sheets (read only)",
    "评分指标": "Criterion",
    "分数": "Mark",
    "您在本轮没有评分表。": "You have no sheet in this round.",
    "只能使用 0-9 的数字": "use the digits 0-9",
    "不能为负数": "cannot be negative",
    "请填写每一项分数。": "Fill in every mark.",
    "请先改正标红的分数。": "Correct the marks in red first.",
    "不完整：{n} 项分数无效，未计入合计": "incomplete: {n} invalid mark(s) not counted",
    "不完整：还有 {n} 项未填": "incomplete: {n} mark(s) still to fill in",
    "您已为该组织提交过评分表（可能是在别的设备上），本页已改为更正。要修改分数，请在本页填写更正原因后点「更正」。":
        "You have already submitted a sheet for this entrant (perhaps on another device); this card is now a "
        "correction. To change the marks, give the reason for the correction on this page and press Correct.",
    "本轮评分已结束，不再接受评分表。如需修改分数，请联系组织方。": "Scoring of this round is over and sheets are no longer "
                                                "accepted. To change a mark, ask the organizers.",
    "本轮尚未开始评分，评分表未被接受。开始评分后请重新提交。": "This round is not open for scoring yet; the sheet was not "
                                              "accepted. Submit it again once scoring is open.",
    "未联网：这是本机保存的本页，轮次的状态可能已经变化。填写的评分表保存在本机，联网后自动发送。":
        "Offline: this is the copy of this page kept on this device; the round's state may have changed since. "
        "Sheets you fill in are kept on this device and sent when the network returns.",
    "未联网：这是本机保存的本页，轮次的状态可能已经变化。": "Offline: this is the copy of this page kept on this device; "
                                              "the rounds' states may have changed since.",
    "保存于": "Saved",
    "登录已失效：未发送的评分表仍保存在本机。": "Signed out: the sheets not yet sent are still kept on this device.",
    "重新登录后自动发送": "Sign in again and they are sent",
    "评委": "Judge",
    "事件": "Event",
    "时间": "Time",
    "去掉": "trimmed",
    "去掉最高分": "highest trimmed",
    "去掉最低分": "lowest trimmed",
    "作废": "voided",
    "计分方法": "Method",
    "有效评分表": "valid sheets",
    "评审组得分": "Panel score",
    "精确值": "exact",
    "组成": "Components",
    "权重": "Weight",
    "来源": "Source",
    "数值": "Value",
    "加减分": "Adjustments",
    "无": "none",
    "加分": "bonus",
    "扣分": "penalty",
    "原因": "Reason",
    "最终得分": "Final score",
    "保留小数": "decimals kept",
    "舍入前": "before rounding",
    "并列判定": "Tie-break",
    "经过": "Timeline",
    "异议与申诉": "Objections and appeals",
    "封存与核验": "Seal and verification",
    "封存值": "Seal",
    "规则": "Rules",
    "签名检查点": "Signed checkpoint",
    "公钥指纹": "Key fingerprint",
    "离线核验：": "To verify offline:",
    "尚无签名检查点。": "No signed checkpoint yet.",
    "以上每份评分表、更正、加减分和考核数据，都包含在 {day} 公示上所印的签名树头（共 {size} 条事件）所签署的日志中；共 {n} 项，每项附包含证明。":
        "Every sheet, correction, adjustment and input above is included in the log whose signed head is printed on "
        "the notice of {day} ({size} events in all); {n} items, each with its inclusion proof.",
    "以上每份评分表、更正、加减分和考核数据，都包含在评分汇总表上所印的签名树头（共 {size} 条事件）所签署的日志中；共 {n} 项，每项附包含证明。":
        "Every sheet, correction, adjustment and input above is included in the log whose signed head is printed on "
        "the score sheet ({size} events in all); {n} items, each with its inclusion proof.",
    "下载包含证明": "Download the inclusion proofs",
    "离线核验（只需公示上的检查点、证明文件和公钥，无需数据库和网络）：": "To verify offline (the notice's checkpoint, the proof "
                                                      "file and the public key are all it takes; no database, no network):",
    "检查点文件": "CHECKPOINT_FILE",
    "公钥": "PUBKEY",
    "最近的签名树头尚未涵盖本组织的全部事件；下次封存、公示或签署后即可下载证明。": "The latest signed head does not cover every "
        "event of this entrant yet; the proofs can be downloaded after the next seal, publication or signing.",
    "包含在签名树头所签署的日志中": "included in the log whose head is signed",
    "已入日志": "in the log",
    "得分明细": "How the result was reached",
    "组织管理": "Organizer console",
    "导入活动": "Import a contest",
    "选择压缩包（zip）": "Choose a zip of the scenario folder",
    "导入": "Import",
    "导入文件": "Import the files",
    "或者不打包，直接选择文件": "Or, without a zip, choose the files themselves",
    "选择文件（可多选）": "Choose the files (several at once)",
    "或选择整个目录": "or the whole scenario folder",
    "contest.toml、评分规则（其余 .toml 文件，作为 rules/ 目录中的文件导入）以及 organizations、judges、scores、inputs、adjustments 表格（.csv 或 .xlsx）；格式见导入说明（docs/import.md）。":
        "contest.toml, the rule sets (any other .toml file, imported as a file of the rules/ folder) and the "
        "organizations, judges, scores, inputs and adjustments tables (.csv or .xlsx); the format is in the "
        "import guide (docs/import.md).",
    "请选择活动目录中的文件，或选择整个目录。": "Choose the scenario's files, or its whole folder.",
    "导入所选文件中的活动、组织、评委、轮次和评分：全部成功才登记，任何一行有误则什么都不登记。":
        "Import the contest, organizations, judges, rounds and scores in the chosen files: all or nothing - "
        "one bad row and nothing is recorded.",
    "跳到正文": "Skip to the content",
    "轮次与操作": "Rounds and actions",
    "考核数据导出": "Assessment data",
    "每位书记、每个党组织一条记录：各轮名次和得分、期间名次、分类、任务完成情况（只计已定案的轮次），供年终考核使用。":
        "One record per secretary and organization: each round's rank and score, the period's rank, class and tasks "
        "done (finalized rounds only), for the yearly assessment.",
    "开始评分": "Open",
    "结束评分并封存": "Close and seal",
    "公示结果": "Publish",
    "确认结果": "Finalize",
    "晋级到下一级": "Promote",
    "重新开放": "Reopen",
    "确认": "Confirm",
    "取消": "Cancel",
    "将要：": "This will:",
    "异议与申诉收件箱": "Objections and appeals inbox",
    "待裁决": "pending",
    "已裁决": "ruled",
    "裁决": "Rule",
    "成立": "upheld",
    "不成立": "dismissed",
    "答复": "Reply",
    "评委与回避": "Judges and recusals",
    "加入评审组": "Seat on the panel",
    "回避": "Recuse",
    "评委代码": "Judge code",
    "组织代码": "Organization code",
    "星级评定": "Star certification",
    "建议星级": "Recommended",
    "评定状态": "State",
    "现有星级": "Stars",
    "年度得分": "Score",
    "一票否决": "veto",
    "按新规则重算": "Replay under other rules",
    "上传规则文件（TOML）": "Rule-set file (TOML)",
    "重算": "Replay",
    "采用这套规则": "Adopt these rules",
    "采用范围": "Scope",
    "起始期间": "From period",
    "名次变化": "Rank changes",
    "原名次": "Rank before",
    "新名次": "Rank after",
    "原得分": "Score before",
    "新得分": "Score after",
    "原奖项": "Prize before",
    "新奖项": "Prize after",
    "仅预览，未登记任何内容。": "A preview only: nothing was recorded.",
    "已公示的结果": "Published results",
    "星级": "Stars",
    "评委打分偏差": "Judges against the panel",
    "下载": "Download",
    "评分汇总表": "Score sheet",
    "公示通知": "Publicity notice",
    "各轮得分": "Scores in every round",
    "提出异议": "File an objection",
    "姓名": "Name",
    "联系方式": "Contact",
    "异议内容": "What is objected to",
    "类别": "Kind",
    "异议": "objection",
    "申诉": "appeal",
    "本组织的异议与申诉": "This organization's objections and appeals",
    "他人提出的异议：提出人和内容只有组织部门可见": "An objection filed by someone else: who filed it and what it says "
                                         "are for the organization department only",
    "评定历史": "Certification history",
    "偏差": "Deviation",
    "被去掉次数": "Times trimmed",
    "提示": "Flag",
    "份数": "Sheets",
    "操作成功": "Done",
    "单位星级分布": "Stars per unit",
    "阅读明细": "Details",
    "无法连接服务器": "The server cannot be reached",
    "实时": "live",
    "更新于": "updated",
    "最新": "latest",
    "本轮尚无结果。": "No results in this round yet.",
    "按期公示，可在公示期内提出异议。": "During the publicity period, objections may be filed.",
    "规则文件": "Rule file",
    "采用原因": "Reason for adopting",
    "审计员只读。": "Auditors read only.",
    "轮次代码": "Round code",
    "天数": "Days",
    "公示日期": "Publication day",
    "书面裁决这条异议或申诉：裁决一经登记不能撤回。": "Rule on this objection or appeal in writing: a recorded ruling cannot be taken back.",
    "公示结果：从公示日期起按工作日计算公示期，期间可提出异议和申诉。": "Publish the results: the publicity period counts working days from the publication day; objections and appeals may be filed during it.",
    "复评：登记评定的星级；与建议不同时须写明原因。": "Re-evaluation: record the stars decided; a decision other than the recommendation needs a reason.",
    "导入压缩包中的活动、组织、评委、轮次和评分：全部成功才登记，任何一行有误则什么都不登记。": "Import the contest, organizations, judges, rounds and scores in the zip: all or nothing - one bad row and nothing is recorded.",
    "开始评分：评委可以提交评分表。": "Open the round: judges can submit sheets.",
    "把评委加入该轮次的评审组。": "Seat the judge on the round's panel.",
    "提交异议或申诉：以实名登记，组织方须书面答复。": "File the objection or appeal: it is recorded under your name and the organizers must answer in writing.",
    "晋级：按规则把本轮的晋级者加入下一级比赛。": "Promote: admit this round's promoted entrants into the next level's round, as the rules say.",
    "登记评委回避：该评委不再为该组织打分。": "Record the recusal: the judge no longer scores this organization.",
    "确认结果：公示期须已结束、所有异议和申诉均已裁决；此后结果不再改变。": "Finalize: the publicity period must be over and every objection and appeal ruled; the results never change afterwards.",
    "结束评分并封存：不再接受评分表，按规则计算并封存结果（评委人数须达到规则的最低要求）。": "Close and seal: no more sheets; the results are computed by the rules and sealed (the panel must meet the rules' minimum).",
    "采用这套规则：尚未封存的轮次按新规则计分；已封存的结果不变，可另行按新规则重新排名。": "Adopt these rules: rounds not yet sealed are scored by them; sealed results stay as they are and may be re-ranked separately.",
    "重新开放评分：封存作废，评委可以再次提交评分表。": "Reopen scoring: the seal is void and judges can submit sheets again.",
    "同分": "Level with",
    "未晋级原因": "Not promoted because",
    "记录时间": "Recorded at",
    "考核数据和票数": "Assessment values and votes",
    "操作人": "Recorded by",
    "理由": "Reason",
    "已被替换": "replaced",
    "替换": "Replaces",
    "晋级来源": "Promoted from",
    "未能区分，名次并列": "not separated: the ranks are tied",
    # the replay page (what would change under other rules, as `leitai replay` reports it)
    "仅预览，未登记任何内容。与命令行 leitai replay 的结果相同。":
        "A preview: nothing is recorded. The same report as leitai replay on the command line.",
    "会有哪些变化": "What would change",
    "重算的轮次": "Rounds replayed",
    "结果有变化的轮次": "Rounds with changes",
    "得分变化": "Score changes",
    "奖项变化": "Prize changes",
    "晋级变化": "Promotion changes",
    "星级建议变化": "Star recommendation changes",
    "原建议星级": "Recommended before",
    "新建议星级": "Recommended after",
    "星级建议没有变化。": "No star recommendation would change.",
    "晋级名单的变化": "Who would enter or leave the next round",
    "新进入": "would enter",
    "失去资格": "would leave",
    "期间排名变化": "Changes to period standings",
    "本轮结果不变。": "Nothing in this round would change.",
    "不评定": "no rating",
    "初评建议": "the initial evaluation recommends",
    # stars: recommendations are marked as such; the charts count one column each
    "建议": "recommended",
    "建议星级按年度得分和评定规则计算，只是建议，不是评定结果；现有星级是审定后的星级。":
        "Recommended stars are computed from the annual scores by the rules: a recommendation, not a decision. "
        "Certified stars are those decided and certified.",
    "建议星级是初评推荐的星级，只是建议，不是评定结果；现有星级是审定后的星级。":
        "Recommended stars are those the initial evaluation recommends: a recommendation, not a decision. "
        "Certified stars are those decided and certified.",
    "各单位建议星级分布（建议，不是评定结果）": "Recommended stars per unit (recommendations, not decisions)",
    "各单位现有星级分布（已审定）": "Certified stars per unit",
    "统计下表“建议星级”一列": "counts the table's Recommended column",
    "统计下表“现有星级”一列": "counts the table's Stars column",
    "尚无审定的星级。": "No stars certified yet.",
    "（按规则计算）": "(computed by the rules)",
    "（初评推荐）": "(initial evaluation)",
    "（已审定）": "(certified)",
    # the console: a round promoted already; accepting a unit's recommendations in one step
    "已晋级到": "Promoted to",
    "一次采纳建议并审定": "Accept the recommendations in one step",
    "范围内每个已初评的组织登记复评并审定，每个组织一条事件：在表中“改定为”一列选了星级的，按手工改定的星级登记（例外，与计算建议不同时须写明理由）；其余采纳初评推荐的星级；已有复评决定的按该决定审定；已审定的不变。确认前会列出将要登记的全部内容。":
        "Every initially evaluated organization in the scope is re-evaluated and certified, one event each: those "
        "given stars in the table's Set to column get those stars (exceptions, set by hand; a reason is required "
        "where they differ from the computed recommendation); the others get the initial evaluation's "
        "recommendation; a decision recorded before is certified as it is; certified stars stay. Everything that "
        "will be recorded is listed before you confirm.",
    "范围": "Scope",
    "例外的理由": "Reason for the exceptions",
    "采纳建议并审定": "Accept and certify",
    "改定为": "Set to",
    "按建议": "as recommended",
    "复评并审定 {unit} 及下级单位 {level} {cycle} 年 {n} 个组织的星级：每个组织登记一条事件，操作人是您。":
        "Re-evaluate and certify the stars of {n} organization(s) of {unit} and the units below it, {level} level, "
        "{cycle}: one event for each organization, recorded as yours.",
    "手工改定（例外）{n} 个：": "Set by hand (exceptions), {n}:",
    "采纳建议 {n} 个：": "Recommendations accepted, {n}:",
    "按已登记的复评决定审定 {n} 个：": "Certified as decided before, {n}:",
    "已审定，不改动：{n} 个。": "Certified already, left as they are: {n}.",
    "没有需要登记的组织：范围内的组织都已审定。": "Nothing to record: every organization in the scope is certified already.",
    "{n} 个": "{n}",
    # the judges' page: a judge's flags (projections/judges.py), in the command line's words
    "平均偏差 {value} 分，达到提示线 {limit} 分": "mean deviation {value} points, at or above the flag line of {limit}",
    "{value}% 的评分表被去掉，达到提示线 {limit}%": "trimmed in {value}% of the sheets, at or above the flag line of "
                                           "{limit}%",
    "；": "; ",
    "偏差：评委每份评分表的合计与该组织评审组得分之差的平均（正数偏高，负数偏低）。被去掉次数：评分表作为最高分或最低分被去掉、且在保留的分数之外的次数。平均偏差达到满分的 {share}%，或至少 {sheets} 份评分表中被去掉的达到 {trimmed}% 时提示。":
        "Deviation: the mean of the judge's sheet totals minus the panel score of the same organization (above "
        "zero: higher than the panel; below: lower). Times trimmed: how often a sheet was dropped as a highest or "
        "lowest mark standing outside the marks kept. A judge is flagged when the mean deviation reaches {share}% "
        "of the maximum, or when at least {sheets} sheets were scored and {trimmed}% of them were trimmed.",
    # the audit page: the panel's method, tie-breakers, the offline check (rulebook section 2)
    "去掉一个最高分、一个最低分后平均": "trimmed mean: the highest and the lowest dropped",
    "去掉 {n} 个最高分和 {n} 个最低分后平均": "trimmed mean: the {n} highest and the {n} lowest dropped",
    "（按各指标分别计算）": " (on each criterion separately)",
    "未舍入得分": "the unrounded final",
    "成绩项「{name}」": "the component \"{name}\"",
    "评分指标「{name}」": "the criterion \"{name}\"",
    "按{breaker}区分（{mine} 对 {theirs}）": "decided by {breaker} ({mine} against {theirs})",
    "检查点文件：把上面的签名检查点（或公示上所印的）照录，存为文件。公钥：向组织部门另行索取部署方的验证公钥（部署方运行 leitai keys show 打印，形如“名称+编号+公钥”），其名称须为检查点签名行中的 {origin}。":
        "CHECKPOINT_FILE: the signed checkpoint above (or the one printed on the notice), saved as a file. PUBKEY: "
        "the deployment's verifier key, obtained separately from the organization department (the deployment's "
        "leitai keys show prints it, as NAME+ID+KEY); its name must be {origin}, the name in the checkpoint's "
        "signature line.",
    "导出文件": "EXPORT_FILE",
    "导出文件和公钥向组织部门另行索取：部署方运行 leitai export events 导出事件，运行 leitai keys show 打印公钥，其指纹须为 {fingerprint}。":
        "EXPORT_FILE and PUBKEY: obtained separately from the organization department (the deployment's leitai "
        "export events writes the export, its leitai keys show prints the key); the key's fingerprint must be "
        "{fingerprint}.",
    # prizes by the names the example rule sets give them
    "一等奖": "First prize",
    "二等奖": "Second prize",
    "三等奖": "Third prize",
}


def translate(lang: str) -> Callable[[str], str]:
    if lang == "en":
        return lambda text: EN.get(text, text)
    return lambda text: text
