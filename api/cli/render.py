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
    note = "名次后的 = 表示并列。" if zh else "= after a rank marks a tie."
    return "\n".join([head, seal, table(headers, rows, right=[0, 3] + [4 + i for i in range(len(components))]), note])


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
        for n in x["not_counted"]:
            why = why_zh.get(n["why"], n["why"]) if zh else n["why"]
            if n.get("reason"):
                why += f"（{reason_zh.get(n['reason'], n['reason'])}）" if zh else f" ({n['reason']})"
            by = f" → {n['by']}" if n.get("by") else ""
            out.append(f"  {n['event'] or '-'}  {n['judge']}  {why}{by}")
    out.append("")
    out.append("成绩项：" if zh else "Components:")
    for c in x["components"]:
        src = f"（取自轮次 {c['linked_round']}）" if zh and c["linked_round"] else (
            f" (from round {c['linked_round']})" if c["linked_round"] else "")
        value = "-" if c["value"] is None else _both(c["readable"], c["value"], zh)
        out.append(f"  {c['code']} [{c['source']}]{src} = {value}  × {'权重' if zh else 'weight'} {c['weight']}")
    for a in x["adjustments"]:
        out.append(f"  {'加减分' if zh else 'adjustment'} {a['points']}  {a['reason']}  ({a['event']})")
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
            out.append((f"  与 {t['other']} 最终得分相同，按 {t['breaker']} 区分（{t['mine']} 对 {t['theirs']}）" if zh
                        else f"  same final as {t['other']}; {t['breaker']} decided ({t['mine']} vs {t['theirs']})"))
    if x["award"]:
        out.append(f"{'奖项' if zh else 'Award'}：{x['award_name'] or x['award']}")
    if x["promotion"]:
        out.append(f"{'晋级' if zh else 'Promotion'}：{label(x['promotion'], lang)}"
                   + (f"（{label(x['reason'], lang)}）" if x["reason"] else ""))
    for a in x["appeals"]:
        decision = (DECISION_ZH.get(a["decision"], "待答复") if zh else (a["decision"] or "pending"))
        out.append(f"{'异议/申诉' if zh else 'Appeal'} {a['event']} {a['filed_on']}：{decision}"
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
            f"entrants would change.")]
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
        out.append(f"{'期间排名变化' if zh else 'Standings'} {st['unit']} {st['period']}: " + ", ".join(moves))
    for st in report["stars"]:
        out.append(f"{'星级建议变化' if zh else 'Stars'} {st['level']} {st['cycle']}: " + ", ".join(
            f"{c['organization']} {c['stars'][0]}→{c['stars'][1]}" for c in st["changes"]))
    return "\n".join(out)


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
