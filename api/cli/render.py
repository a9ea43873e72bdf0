"""Plain-text rendering for the terminal: tables that line up with Chinese text."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

from domain.errors import STATUS_ZH

LABELS = {
    "zh": {
        "rank": "名次", "entrant": "组织代码", "name": "名称", "final": "最终得分", "award": "奖项",
        "promotion": "晋级", "reason": "原因", "round": "轮次", "rules": "规则", "status": "状态", "seal": "封存",
        "promoted": "晋级", "reserve": "候补", "not_promoted": "未晋级", "tied": "并列",
        "below_cutoff": "名次未达线", "below_min_score": "低于最低分", "tie_excluded": "同分排除",
        "disqualified": "取消资格", "withdrawn": "退出", "pending": "评分未完成",
    },
    "en": {
        "rank": "Rank", "entrant": "Entrant", "name": "Name", "final": "Final", "award": "Award",
        "promotion": "Promotion", "reason": "Reason", "round": "Round", "rules": "Rules", "status": "Status",
        "seal": "Seal", "promoted": "promoted", "reserve": "reserve", "not_promoted": "not promoted",
        "tied": "tied", "below_cutoff": "below cut-off", "below_min_score": "below min score",
        "tie_excluded": "tie excluded", "disqualified": "disqualified", "withdrawn": "withdrawn",
        "pending": "scoring incomplete",
    },
}


def label(key: str | None, lang: str) -> str:
    if key is None:
        return ""
    return LABELS["zh" if lang.startswith("zh") else "en"].get(key, key)


def status_text(status: str, lang: str) -> str:
    return STATUS_ZH.get(status, status) if lang.startswith("zh") else status


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, size: int, right: bool = False) -> str:
    gap = " " * max(0, size - width(text))
    return gap + text if right else text + gap


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], right: Sequence[int] = ()) -> str:
    cells = [[str("" if c is None else c) for c in row] for row in rows]
    sizes = [max([width(h)] + [width(r[i]) for r in cells]) for i, h in enumerate(headers)]
    lines = ["  ".join(pad(h, sizes[i], i in right) for i, h in enumerate(headers)).rstrip(),
             "  ".join("-" * s for s in sizes)]
    lines += ["  ".join(pad(c, sizes[i], i in right) for i, c in enumerate(r)).rstrip() for r in cells]
    return "\n".join(lines)


def ranking_text(doc: dict[str, Any], award_names: dict[str, str], lang: str) -> str:
    zh = lang.startswith("zh")
    components = list(doc["entries"][0]["components"]) if doc["entries"] else []
    show_promotion = any(e["promotion"] for e in doc["entries"])
    headers = [label("rank", lang), label("entrant", lang), label("name", lang), label("final", lang),
               *components, label("award", lang)]
    if show_promotion:
        headers += [label("promotion", lang), label("reason", lang)]
    rows = []
    for e in doc["entries"]:
        rank = "-" if e["rank"] is None else (f"{e['rank']}{'=' if e['tied'] else ''}")
        row = [rank, e["entrant"], e["name"], e["final"] or "-", *[e["components"].get(c, "") for c in components],
               award_names.get(e["award"], e["award"] or "")]
        if show_promotion:
            row += [label(e["promotion"], lang), label(e["reason"], lang)]
        rows.append(row)
    head = (f"{label('round', lang)} {doc['round']} · {label('rules', lang)} {doc['rules']['code']}@"
            f"{doc['rules']['version']} · {label('status', lang)} {status_text(doc['status'], lang)}")
    seal = f"{label('seal', lang)} {doc['seal']}" if doc["seal"] else (
        "尚未封存（名次为暂定）" if zh else "not sealed (provisional ranking)")
    lines = [head, seal, table(headers, rows, right=[0, 3] + [4 + i for i in range(len(components))])]
    if any(e["tied"] for e in doc["entries"]):
        lines.append("名次后的 = 表示并列。" if zh else "= after a rank marks a tie.")
    return "\n".join(lines)


def explain_text(x: dict[str, Any], lang: str) -> str:
    zh = lang.startswith("zh")
    out = []
    out.append(f"{'轮次' if zh else 'Round'} {x['round']} · {'规则' if zh else 'rules'} {x['rules']['code']}@"
               f"{x['rules']['version']} · {status_text(x['status'], lang)}"
               + (f" · {'封存' if zh else 'seal'} {x['seal']}" if x["seal"] else ""))
    out.append(f"{'参赛组织' if zh else 'Entrant'} {x['entrant']} {x['name']}"
               + ("" if x["entrant_status"] == "active" else f" [{label(x['entrant_status'], lang)}：{x['status_reason']}]"))
    p = x["panel"]
    if p is not None:
        method = {"mean": "平均" if zh else "mean", "median": "中位数" if zh else "median",
                  "trimmed_mean": (f"去掉 {p['trim']} 个最高分和 {p['trim']} 个最低分后平均" if zh
                                   else f"trimmed mean dropping {p['trim']} highest and {p['trim']} lowest")}[p["method"]]
        on = ("按总分" if p["trim_on"] == "total" else "按各指标分别计算") if zh else f"on {p['trim_on']}"
        out.append("")
        out.append((f"评分表：有效 {p['sheets_valid']} 份（至少需要 {p['sheets_needed']} 份）；计分方法：{method}，{on}"
                    if zh else f"Sheets: {p['sheets_valid']} valid (at least {p['sheets_needed']} needed); "
                    f"method: {method}, {on}"))
        dropped_label = {"lowest": "去掉（最低）" if zh else "dropped (lowest)",
                         "highest": "去掉（最高）" if zh else "dropped (highest)"}
        rows = []
        for s in x["sheets"]:
            marks = " ".join(f"{k}={v}" for k, v in s["marks"].items())
            history = "" if not s["corrections"] else (f"（更正 {s['corrections']} 次，原表 {s['first_event']}）" if zh
                                                        else f" (corrected {s['corrections']}x, first {s['first_event']})")
            note = dropped_label.get(s["dropped"], "") or ", ".join(
                f"{c}:{dropped_label[w]}" for c, w in s["dropped_criteria"].items())
            rows.append([s["judge"], s["judge_name"], s["event"] + history, marks, s["total"], note])
        out.append(table(["评委" if zh else "Judge", "姓名" if zh else "Name", "事件" if zh else "Event",
                          "分项" if zh else "Marks", "合计" if zh else "Total", ""], rows, right=[4]))
        out.append(f"{'小组得分' if zh else 'Panel score'} = {_both(p['readable'], p['value'], zh)}"
                   + ("" if p["trim_on"] == "total" else "（" + "，".join(f"{k} {v}" for k, v in p["by_criterion"].items()) + "）"))
    if x["not_counted"]:
        out.append("")
        out.append("不计入的评分表：" if zh else "Not counted:")
        why_zh = {"corrected": "已被更正", "voided": "已作废", "recused": "评委回避，此表不计",
                  "recusal": "评委回避"}
        reason_zh = {"home_unit": "与参赛组织同属一个单位"}
        why_en = {"corrected": "corrected", "voided": "voided", "recused": "the judge is recused: not counted",
                  "recusal": "judge recused"}
        reason_en = {"home_unit": "same unit as the entrant"}
        for n in x["not_counted"]:
            why = why_zh.get(n["why"], n["why"]) if zh else why_en.get(n["why"], n["why"])
            if n.get("reason"):
                why += (f"（{reason_zh.get(n['reason'], n['reason'])}）" if zh
                        else f" ({reason_en.get(n['reason'], n['reason'])})")
            by = f" → {n['by']}" if n.get("by") else ""
            out.append(f"  {n['event'] or '-'}  {n['judge']}  {why}{by}")
    out.append("")
    out.append("成绩项：" if zh else "Components:")
    for c in x["components"]:
        src = f"（取自轮次 {c['linked_round']}）" if zh and c["linked_round"] else (
            f" (from round {c['linked_round']})" if c["linked_round"] else "")
        value = "-" if c["value"] is None else _both(c["readable"], c["value"], zh)
        out.append(f"  {c['code']} [{source_name(c['source'], lang)}]{src} = {value}  × {'权重' if zh else 'weight'} "
                   f"{c['weight']}")
    for a in x["adjustments"]:
        out.append(f"  {'加减分' if zh else 'adjustment'} {a['points']}  {a['reason']}  ({a['event']})")
    if x.get("inputs"):
        out.append("考核数据和票数（每次登记的事件、操作人、时间和理由）：" if zh
                   else "Assessment values and votes (each value's event, actor, time and reason):")
        for i in x["inputs"]:
            out.append(f"  {i['component']} = {i['value']}")
            for h in i["history"]:
                why = ""
                if h["replaces"]:
                    why = (f"  替换 {h['replaces']}，理由：{h['reason'] or '（未记录）'}" if zh
                           else f"  replaces {h['replaces']}, reason: {h['reason'] or '(none recorded)'}")
                elif h["reason"]:
                    why = f"  理由：{h['reason']}" if zh else f"  reason: {h['reason']}"
                out.append(f"    {h['event']}  {h['value']}  {h['actor']}  {h['at'] or '-'}{why}")
    if x["exact_final"] is not None:
        out.append(f"{'未舍入得分' if zh else 'Unrounded final'} = {_both(x['exact_final_readable'], x['exact_final'], zh)}")
        out.append(f"最终得分（四舍五入到 {x['decimals']} 位小数）= {x['final']}" if zh else
                   f"Final (rounded half-up to {x['decimals']} decimals) = {x['final']}")
    else:
        out.append("尚无最终得分（评分未完成）" if zh else "No final yet (scoring incomplete)")
    if x["rank"] is not None:
        out.append(f"{'名次' if zh else 'Rank'} {x['rank']}" + (f"（{label('tied', lang)}）" if x["tied"] else ""))
    for t in x["ties"]:
        if t["breaker"] is None:
            out.append((f"  与 {t['other']} 最终得分相同，所有附加比较项也相同：并列" if zh
                        else f"  same final as {t['other']} and equal on every tie-breaker: tied"))
        else:
            out.append((f"  与 {t['other']} 最终得分相同，按{breaker_name(t['breaker'], lang)}区分（{t['mine']} 对 "
                        f"{t['theirs']}）" if zh else f"  same final as {t['other']}; "
                        f"{breaker_name(t['breaker'], lang)} decided ({t['mine']} vs {t['theirs']})"))
    if x["award"]:
        out.append(f"奖项：{x['award_name'] or x['award']}" if zh else f"Award: {x['award_name'] or x['award']}")
    if x["promotion"]:
        out.append((f"晋级：{label(x['promotion'], lang)}" if zh else f"Promotion: {label(x['promotion'], lang)}")
                   + ((f"（{label(x['reason'], lang)}）" if zh else f" ({label(x['reason'], lang)})") if x["reason"]
                      else ""))
    admission = x.get("admission")
    if admission and admission.get("source_name"):  # admitted from another deployment (市级联动)
        out.append((f"{admission['from_zh']}（得分 {admission['final']}，树头 {admission['size']} 条事件，"
                    f"第 {admission['admission']} 次接收）") if zh else
                   f"{admission['from_en']} (final {admission['final']}, head of {admission['size']} events, "
                   f"admission {admission['admission']})")
    elif admission:
        out.append((f"晋级来源：轮次 {admission['round']}，名次 {admission['rank']}，得分 {admission['final']}" if zh
                    else f"Promoted from round {admission['round']}: rank {admission['rank']}, final "
                         f"{admission['final']}"))
        for r in admission["revisions"]:
            kind = {"withdrawn": "退出", "admitted": "加入", "updated": "来源名次、得分更新"}.get(r["kind"], r["kind"]) \
                if zh else r["kind"]
            out.append(f"  {r['event']}  {kind}  {r['actor']}  {r['at'] or '-'}  {r['reason']}")
    for a in x["appeals"]:
        decision = (DECISION_ZH.get(a["decision"], "待答复") if zh else (a["decision"] or "pending"))
        out.append(f"{appeal_kind(a['kind'], lang) if zh else 'Appeal'} {a['event']} {a['filed_on']}：{decision}"
                   + (f"，{a['reply']}" if a["reply"] else "") + (f"，更正 {', '.join(a['corrections'])}" if a["corrections"] else ""))
    return "\n".join(out)


def _both(readable: str, exact: str, zh: bool) -> str:
    """A decimal for reading, with the exact fraction beside it when they differ."""
    if readable == exact:
        return exact
    return f"{readable}（精确值 {exact}）" if zh else f"{readable} (exactly {exact})"


def replay_text(report: dict[str, Any], lang: str) -> str:
    zh = lang.startswith("zh")
    rules = report["rules"]
    s = report["summary"]
    out = [(f"按规则 {rules['code']}@{rules['version']} 重算 {s['rounds']} 个轮次（{s['events']:,} 条事件，"
            f"{s['seconds']} 秒，未登记任何内容）：{s['rounds_changed']} 个轮次、{s['entrants_changed']} 个组织的结果会变化。")
           if zh else
           (f"Under {rules['code']}@{rules['version']}: {s['rounds']} rounds recomputed ({s['events']:,} events, "
            f"{s['seconds']}s, nothing recorded); {s['rounds_changed']} rounds and {s['entrants_changed']} "
            f"entrants would change."),
           replay_counts(s, lang)]
    for r in report["rounds"]:
        if not r["changes"]:
            continue
        out.append("")
        out.append(f"{'轮次' if zh else 'Round'} {r['round']}")
        rows = []
        for c in r["changes"]:
            def pair(key: str) -> str:
                if key not in c:
                    return ""
                a, b = c[key]
                return f"{label(a, lang) if key in ('promotion', 'reason') else a} → " \
                       f"{label(b, lang) if key in ('promotion', 'reason') else b}"
            rows.append([c["entrant"], c.get("name") or "", pair("rank"), pair("final"), pair("award"),
                         pair("promotion")])
        out.append(table(["组织" if zh else "Entrant", "名称" if zh else "Name", "名次" if zh else "Rank",
                          "得分" if zh else "Final", "奖项" if zh else "Award", "晋级" if zh else "Promotion"], rows))
    for f in report["finalists"]:
        if f["gained"] or f["lost"]:
            out.append("")
            out.append((f"{f['target']}：新进入 {', '.join(f['gained']) or '无'}；失去资格 {', '.join(f['lost']) or '无'}")
                       if zh else f"{f['target']}: would gain {', '.join(f['gained']) or 'nobody'}; "
                       f"would lose {', '.join(f['lost']) or 'nobody'}")
    for st in report["standings"]:
        moves = []
        for c in st["changes"]:
            key = "rank" if "rank" in c else "score"
            moves.append(f"{c['entrant']} {'名次' if zh and key == 'rank' else ''}{c[key][0]}→{c[key][1]}")
        track = f" {'赛道' if zh else 'track'} {st['track']}" if st.get("track") else ""  # 赛道 (section 20.4)
        out.append(f"{'期间排名变化' if zh else 'Standings'} {st['unit']} {st['period']}{track}: " + ", ".join(moves))
    for st in report["stars"]:
        out.append(f"{'星级建议变化' if zh else 'Stars'} {st['level']} {st['cycle']}: " + ", ".join(
            f"{c['organization']} {c['stars'][0]}→{c['stars'][1]}" for c in st["changes"]))
    out += voting_text(report.get("voting", []), zh)  # 投票: a recount is a replay (rulebook 18.5)
    out += work_text(report.get("work", []), zh)  # 结果运用: classes and tasks (rulebook 15-16)
    out += flags_text(report.get("flags", []), zh)  # 红旗 (rulebook 19.4)
    return "\n".join(out)


def flags_text(items: list[dict[str, Any]], zh: bool) -> list[str]:
    """What another rule set would change in each flag's criteria results."""
    from domain.rules.flags import describe

    def met(value: Any) -> str:
        if value is None:
            return "未核验" if zh else "not assessed"
        return ("满足" if value else "不满足") if zh else ("met" if value else "not met")

    out = []
    for f in items:
        head = (f"红旗 {f['organization']} {f['flag_name']} {f['cycle']}：{met(f['met'][0])}→{met(f['met'][1])}" if zh
                else f"Flag {f['organization']} {f['flag_name']} {f['cycle']}: {met(f['met'][0])} -> {met(f['met'][1])}")
        if not f["defined"]:
            head += "（新规则中没有这面红旗）" if zh else " (the new rules have no such flag)"
        out.append(head)
        out += ["    " + describe(r, "zh" if zh else "en") for r in f["after"]]
    return out


def work_text(items: list[dict[str, Any]], zh: bool) -> list[str]:
    """What the new rules would change in a period's classes and in the tasks its close issues."""
    out = []
    for w in items:
        where = f"{w['unit']} {w['period']}" + (f" {w['track']}" if w["track"] else "")
        state = ("已结束" if w["closed"] else "未结束") if zh else ("closed" if w["closed"] else "not closed")
        out.append(f"{'结果运用' if zh else 'Consequences'} {where}（{state}）：" if zh else
                   f"Consequences {where} ({state}):")
        if w["classes"]:
            out.append(("  分类 " if zh else "  classes ") + ", ".join(
                f"{e} {v[0] or '-'}→{v[1] or '-'}" for e, v in w["classes"].items()))
        for key, zh_word, en_word in (("tasks_gained", "新增任务", "tasks gained"), ("tasks_lost", "不再发出", "tasks lost")):
            if w[key]:
                out.append(f"  {zh_word if zh else en_word} " + ", ".join(
                    f"{t['entrant']}（第 {t['rung']} 级第 {t['step']} 步）" if zh else
                    f"{t['entrant']} (rung {t['rung']}, step {t['step']})" for t in w[key]))
    return out


def voting_text(items: list[dict[str, Any]], zh: bool) -> list[str]:
    """What a recount of each voting round would change: rank, weighted tally, going on, the votes fed."""
    words = {"rank": ("名次", "rank"), "weighted": ("加权得票", "weighted"), "carried": ("进入下一轮", "goes on"),
             "fed": ("计入票数", "votes fed")}
    out = []
    for v in items:
        where = f"{'重新计票' if zh else 'Recount'} {v['round']} {'第' if zh else 'voting round'} {v['voting_round']}" \
                f"{' 轮投票' if zh else ''}"
        if v.get("problem"):
            out.append(f"{where}：{v['problem'][1]}" if zh else f"{where}: {v['problem'][0]}")
            continue
        if not v["changes"] and not v.get("next_candidates"):
            out.append(f"{where}：没有变化" if zh else f"{where}: no change")
            continue
        def shown(value: Any) -> str:
            return (("是" if value else "否") if zh else ("yes" if value else "no")) if isinstance(value, bool) \
                else str(value)

        moves = [f"{c['entrant']} " + " ".join(f"{words[k][0 if zh else 1]} {shown(c[k][0])}→{shown(c[k][1])}"
                                              for k in words if k in c) for c in v["changes"]]
        out.append(f"{where}：" + "；".join(moves) if zh else f"{where}: " + "; ".join(moves))
        if v.get("next_candidates"):
            b, a = v["next_candidates"]
            out.append(f"  {'下一轮的候选组织会不同' if zh else 'the next voting round would have other candidates'}: "
                       f"{', '.join(b)} → {', '.join(a)}")
    return out


REPLAY_COUNTS = (  # (summary field, Chinese, English): what the replay page shows, in the same order
    ("ranks_changed", "名次变化", "rank changes"), ("finals_changed", "得分变化", "score changes"),
    ("awards_changed", "奖项变化", "prize changes"), ("promotions_changed", "晋级变化", "promotion changes"),
    ("stars_changed", "星级建议变化", "star recommendation changes"))


def replay_counts(summary: dict[str, Any], lang: str) -> str:
    """Each kind of change counted on its own, labelled in words."""
    zh = lang.startswith("zh")
    parts = [f"{z} {summary.get(key, 0)}" if zh else f"{e}: {summary.get(key, 0)}" for key, z, e in REPLAY_COUNTS]
    return ("其中 " + "，".join(parts) + "（组织数）。") if zh else ("Of which " + "; ".join(parts) + " (organizations).")


def judge_flag(why: str | None, lang: str) -> str:
    """Render stored flag reasons ("deviation:2.85:3.00;trimmed:94:60")."""
    if not why:
        return ""
    zh = lang.startswith("zh")
    out = []
    for item in why.split(";"):
        kind, value, limit = item.split(":")
        if kind == "deviation":
            out.append(f"平均偏差 {value}（≥{limit}）" if zh else f"mean deviation {value} (>= {limit})")
        else:
            out.append(f"{value}% 的评分表被去掉（≥{limit}%）" if zh else f"trimmed in {value}% of sheets (>= {limit}%)")
    return "⚑ " + "；".join(out) if zh else "⚑ " + "; ".join(out)


DECISION_ZH = {"dismissed": "不予支持", "upheld": "予以支持"}


# -- names for codes -------------------------------------------------------------------------

SOURCES_ZH = {"panel": "评委小组", "input": "录入数据", "votes": "投票", "round": "关联轮次"}
METHODS_ZH = {"mean": "平均", "median": "中位数", "trimmed_mean": "去掉最高分和最低分后平均"}
APPEAL_KINDS_ZH = {"objection": "异议", "appeal": "申诉"}
CERT_STATES_ZH = {"opened": "已立项", "self_assessed": "已自评", "initially_evaluated": "已初评", "decided": "已复评",
                  "certified": "已认定", "revoked": "已摘星"}
SHEET_CHANGES_ZH = {"submitted": "提交", "corrected": "更正", "voided": "作废", "input": "登记考核数据",
                    "input_replaced": "更改考核数据"}
CHECKS_ZH = {"seal": "封存值", "results": "结果", "read_model": "读模型", "quarantine": "无法应用的事件",
             "chain": "哈希链", "checkpoint": "签名检查点", "export_seal": "导出的封存值",
             "export_results": "导出的结果", "export": "导出文件", "tree": "Merkle 树", "head": "签名树头",
             "coverage": "签名覆盖", "finalists": "晋级选手", "held": "外部保存的树头", "witness": "见证方联署", "cosignature": "联署签名",
             "credentials": "密码哈希"}


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}" + ("" if count == 1 else "es" if word.endswith(("s", "sh", "ch", "x")) else "s")


def zh(lang: str) -> bool:
    return lang.startswith("zh")


def source_name(source: str, lang: str) -> str:
    return SOURCES_ZH.get(source, source) if zh(lang) else source


def method_text(method: str, trim: int, lang: str) -> str:
    if not zh(lang):
        return f"{method} (trim {trim})" if method == "trimmed_mean" else method
    if method == "trimmed_mean":
        return f"去掉 {trim} 个最高分和 {trim} 个最低分后平均" if trim != 1 else "去掉一个最高分、一个最低分后平均"
    return METHODS_ZH.get(method, method)


def breaker_name(breaker: str | None, lang: str) -> str:
    if breaker is None:
        return ""
    if not zh(lang):
        return breaker
    kind, _, code = breaker.partition(":")
    return {"unrounded": "未舍入得分", "component": f"成绩项 {code}", "criterion": f"评分指标 {code}"}.get(kind, breaker)


def number(value: Any) -> str:
    from domain.numbers import exact_text

    return exact_text(value)


def calendar_source(source: str, lang: str) -> str:
    if source.startswith("file:"):
        return ("已导入的文件 " if zh(lang) else "loaded file ") + source[5:]
    if source.startswith("fallback:"):
        return "只排除周末（无节假日数据）" if zh(lang) else "weekends only (no holiday data)"
    return ("国家法定节假日（" + source + "）") if zh(lang) else source


def appeal_kind(kind: str | None, lang: str) -> str:
    return APPEAL_KINDS_ZH.get(kind or "", kind or "") if zh(lang) else (kind or "")


def decision(value: str | None, lang: str) -> str:
    if zh(lang):
        return DECISION_ZH.get(value or "", "待答复")
    return value or "pending"


def short(text: str | None, size: int) -> str:
    text = (text or "").replace("\n", " ")
    return text if len(text) <= size else text[:size] + "…"


def cert_state(state: str | None, lang: str) -> str:
    if not state:
        return ""
    return CERT_STATES_ZH.get(state, state) if zh(lang) else state.replace("_", " ")


def stars(value: int | None, lang: str) -> str:
    if value is None:
        return "-"
    return ("★" * value or "0 星") if zh(lang) else f"{value}"


def recommendation_note(row: dict[str, Any], lang: str) -> str:
    if row["veto"]:
        return "一票否决" if zh(lang) else "veto"
    if row["capped"]:
        return (f"名额所限，由 {row['band_stars']} 星降档" if zh(lang)
                else f"lowered by the quota from {row['band_stars']}")
    return ""


def rank(entry: dict[str, Any]) -> str:
    return "-" if entry["rank"] is None else f"{entry['rank']}{'=' if entry['tied'] else ''}"


def sheet_change(kind: str, lang: str) -> str:
    return SHEET_CHANGES_ZH.get(kind, kind) if zh(lang) else kind


def check_name(check: str, lang: str) -> str:
    return CHECKS_ZH.get(check, check) if zh(lang) else check


def publicity_text(publicity: dict[str, Any] | None, lang: str, today: str | None = None) -> str:
    if not publicity:
        return ""
    p = publicity["current"]
    if today is not None and p["start"] > today:
        return (f"公示待开始（{p['start']} 起，至 {p['end']}）" if zh(lang)
                else f"publicity scheduled ({p['start']} to {p['end']})")
    again = len(publicity.get("periods", [])) > 1
    if zh(lang):
        return f"{'重新' if again else ''}公示期 {p['start']} 至 {p['end']}"
    return f"{'re-' if again else ''}published {p['start']} to {p['end']}"


def state_line(status: str, publicity: dict[str, Any] | None, lang: str, today: str) -> str:
    """The state of a round in words that never contradict each other."""
    if status == "published" and publicity:
        return publicity_text(publicity, lang, today)
    return status_text(status, lang)


def board_head(board: dict[str, Any], lang: str, today: str) -> str:
    status = board["status"]
    sheets = f"{board['sheets_in']}/{board['sheets_expected']}"
    if status == "scheduled":
        state = "尚未开始评分" if zh(lang) else "not open for scoring yet"
    elif status == "open":
        state = (f"评分中 · 暂定名次（评分表 {sheets}）" if zh(lang)
                 else f"scoring · provisional ranks ({sheets} sheets)")
    elif status == "closed":
        state = "已结束评分并封存（尚未公示）" if zh(lang) else "closed and sealed (not yet published)"
    elif status == "published":
        state = publicity_text(board.get("publicity"), lang, today) or status_text(status, lang)
    else:
        state = "已定案" if zh(lang) else "final"
    seal = f" · {'封存' if zh(lang) else 'seal'} {board['seal']}" if board["seal"] else ""
    theme = f" · {board['theme']}" if board.get("theme") else ""
    return f"{board['round']}{theme} · {state}{seal}"


def consequence(c: dict[str, Any], lang: str) -> str:
    d = c["detail"]
    if zh(lang):
        kinds = {"top": "前列（交流经验）", "bottom": "后列（约谈）", "improved": "进步最大", "pairing": "结对共建"}
        if c["kind"] == "improved":
            detail = f"名次 {d.get('from')} → {d.get('to')}（上升 {d.get('gain')} 位）"
        elif c["kind"] == "pairing":
            detail = f"第 {d.get('rank')} 名与第 {d.get('partner_rank')} 名"
        else:
            detail = f"第 {d.get('rank')} 名，{d.get('score')} 分"
    else:
        kinds = {"top": "top (shares experience)", "bottom": "bottom (interviewed)", "improved": "most improved",
                 "pairing": "paired"}
        if c["kind"] == "improved":
            detail = f"rank {d.get('from')} -> {d.get('to')} (+{d.get('gain')})"
        elif c["kind"] == "pairing":
            detail = f"rank {d.get('rank')} with rank {d.get('partner_rank')}"
        else:
            detail = f"rank {d.get('rank')}, {d.get('score')}"
    partner = f" ↔ {c['partner']} {c.get('partner_name') or ''}".rstrip() if c["partner"] else ""
    return f"{kinds.get(c['kind'], c['kind'])} {c['position']}: {c['entrant']} {c['name']}{partner}  （{detail}）" \
        if zh(lang) else f"{kinds.get(c['kind'], c['kind'])} {c['position']}: {c['entrant']} {c['name']}{partner}  ({detail})"


def verify_summary(report: Any, lang: str) -> str:
    covered = report.covered
    broken = any(f.check in ("chain", "checkpoint", "tree", "head") for f in report.findings)
    legacy = report.checkpoints
    if zh(lang):
        line = (f"已核对 {len(report.rounds)} 个轮次、{report.events:,} 条事件："
                + ("" if broken else "哈希链与 Merkle 树完整，") + f"{report.heads} 个签名树头"
                + (f"、{legacy} 个旧版签名检查点" if legacy else "") + ("" if broken else "有效")
                + (f"，{report.held} 个外部保存的树头" + (("均" if report.held > 1 else "") + "得到原样延续" if report.ok
                                                         else "已核对") if report.held else "")
                + (f"，要求见证方 {'、'.join(report.witnesses)} 中至少 {report.quorum} 个联署" if report.witnesses else "")
                + "，" + ("封存值与公布结果全部一致。" if report.ok else f"发现 {len(report.findings)} 处不一致（见上）。"))
        if report.origin:
            line += f"\n日志 {report.origin}：{report.tree_size:,} 条事件，根哈希 {report.root}"
        if report.keys:
            line += f"\n签名公钥指纹：{'、'.join(report.keys)}" + {
                "given": "（由您提供的公钥）", "deployment": "（本系统的签名密钥）"}.get(
                report.key_source, "（取自记录本身：请与公示或评分表上印的指纹核对，或用 --key 指定公钥）")
        elif report.key_source == "recorded" and (report.heads or report.checkpoints):
            line += "\n签名只用记录本身所附的公钥核对，这不能证明是谁签的：请用 --key 给出部署方的公钥。"
        if covered < report.last:
            line += f"\n签名覆盖到日志位置 {covered}；其后的事件尚待下一个签名树头。"
        return line
    line = (f"Checked {plural(len(report.rounds), 'round')} and {plural(report.events, 'event')}: "
            + ("" if broken else "the hash chain and the Merkle tree are intact, ")
            + plural(report.heads, "signed tree head") + (f" and {legacy} earlier signed checkpoints" if legacy else "")
            + (f"; {plural(report.held, 'head')} held outside the database" + (", each extended unchanged" if report.ok
                                                                                 else "") if report.held else "")
            + (f"; cosignatures of {report.quorum} of {', '.join(report.witnesses)} required" if report.witnesses else "")
            + "; " + ("every seal and published result matches." if report.ok else
                      f"{plural(len(report.findings), 'mismatch')} (above)."))
    if report.origin:
        line += f"\nLog {report.origin}: {report.tree_size:,} events, root {report.root}"
    if report.keys:
        line += f"\nSigning key fingerprint: {', '.join(report.keys)}" + {
            "given": " (the key you gave)", "deployment": " (this deployment's signing key)"}.get(
            report.key_source, " (named by the history itself: compare it with the one printed on the notice, "
                               "or give --key)")
    elif report.key_source == "recorded" and (report.heads or report.checkpoints):
        line += ("\nSignatures were checked only with the keys the history names, which proves nothing about who "
                 "signed: give the deployment's public key with --key.")
    if covered < report.last:
        line += f"\nSignatures cover the log up to position {covered}; later events await the next signed head."
    return line
