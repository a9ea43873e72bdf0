"""Official documents from the read side: a round's score sheet (评分汇总表) and its
publicity notice (公示), as printable HTML (A4, the system's Chinese fonts) and as .xlsx.

The score sheet is laid out as an organization department prints one: a title block
(contest, round, level, unit, date, rule set), the results of every entrant (汇总), then
for each entrant a table with one column per criterion of the rule set under its name
and maximum and one row per judge (name and code) with the row's total, the marks the
panel method left out bracketed and struck through (with a legend), the panel's mean, each
component, the adjustments, the final, rank, award and promotion; the event that recorded
each sheet stays in a small column (``#114`` is the round's event ``R#114``, as
``leitai audit`` names it).  Signature lines for the judges, the scorer and the supervisor
close it.  The notice gives the period, where and how to object, the list, and the issuing
unit with the date.  Both end with what pins them: the seal, and the signed head of the
log's Merkle tree signed for the round (the whole checkpoint note, with the witnesses'
cosignatures recorded for it, in small type and as a QR code), with how to verify a result
from the paper alone.  Rounds sealed before the tree existed print their signed chain
checkpoint instead.  The .xlsx score sheet has the same columns, one row per sheet.
"""

from __future__ import annotations

import html
import io
from decimal import Decimal
from fractions import Fraction
from typing import Any

import orjson

from api.comment_documents import comments_html, comments_sheet, gather_comments
from domain.numbers import exact_text, show_exact_text

KINDS = ("score-sheet", "notice")
FONTS = ('"Noto Serif CJK SC", "Source Han Serif SC", "Songti SC", "SimSun", "STSong", "Noto Sans CJK SC", '
         '"WenQuanYi Zen Hei", "Microsoft YaHei", serif')
LABEL = {
    "zh": {"promoted": "晋级", "reserve": "候补", "not_promoted": "", "tied": "并列", "rank": "名次",
           "entrant": "组织代码", "name": "名称", "secretary": "书记", "final": "最终得分", "award": "奖项",
           "promotion": "晋级", "judge": "评委", "judge_code": "评委代码", "total": "合计", "event": "事件",
           "components": "成绩项", "adjustments": "加减分", "seal": "封存值", "checkpoint": "签名检查点",
           "fingerprint": "公钥指纹", "max": "满分", "note": "备注", "left_out": "去掉", "highest": "最高分",
           "lowest": "最低分", "organization": "参赛组织", "contest": "活动", "round": "轮次", "level": "层级",
           "unit": "单位", "date": "日期", "rules": "计分规则", "summary": "一、成绩汇总",
           "details": "二、评委评分明细", "judges_sign": "评委签字", "scorer_sign": "计分员签字",
           "supervisor_sign": "监督员签字", "blank_date": "______年____月____日", "issuer": "发布单位",
           "issued": "发布日期", "period": "公示时间", "objections": "受理异议",
           "panel": "评委评分", "withdrawn": "退出", "disqualified": "取消资格", "sealed_on": "评分封存",
           "not_sealed": "尚未封存，成绩为暂定", "corrected": "更正"},
    "en": {"promoted": "promoted", "reserve": "reserve", "not_promoted": "", "tied": "tied", "rank": "Rank",
           "entrant": "Code", "name": "Name", "secretary": "Secretary", "final": "Final", "award": "Award",
           "promotion": "Promotion", "judge": "Judge", "judge_code": "Judge code", "total": "Total",
           "event": "Event", "components": "Components", "adjustments": "Adjustments", "seal": "Seal",
           "checkpoint": "Checkpoint", "fingerprint": "Key fingerprint", "max": "max", "note": "Note",
           "left_out": "Left out", "highest": "highest", "lowest": "lowest", "organization": "Organization",
           "contest": "Contest", "round": "Round", "level": "Level", "unit": "Unit", "date": "Date",
           "rules": "Rule set", "summary": "1. Results", "details": "2. The judges' marks",
           "judges_sign": "Judges' signatures", "scorer_sign": "Scorer's signature",
           "supervisor_sign": "Supervisor's signature", "blank_date": "____-____-____", "issuer": "Issued by",
           "issued": "Date of issue", "period": "Publicity period", "objections": "Objections",
           "panel": "Panel", "withdrawn": "withdrawn", "disqualified": "disqualified", "sealed_on": "scores sealed",
           "not_sealed": "not sealed yet: the scores are provisional", "corrected": "corrected"},
}
LEVELS_ZH = {"village": "村级", "township": "乡镇（苏木）级", "district": "区级", "county": "县（旗）级",
             "city": "市级", "province": "省级"}
SOURCES = {"zh": {"input": "录入数据", "votes": "投票", "round": "关联轮次"},
           "en": {"input": "input", "votes": "votes", "round": "linked round"}}


def gather(read: Any, code: str, kind: str) -> dict[str, Any]:
    """Everything a document prints, from the read side."""
    board = read.leaderboard(code)
    contest = read.contest(board["contest"])
    row = read.round(board["round"])
    units = {u["code"]: u["name"] for u in orjson.loads(contest["units"])}
    path = orjson.loads(row["unit_path"]) if row.get("unit_path") else [board["unit"]]
    data = {"kind": kind, "board": board, "contest": contest, "unit_name": units.get(board["unit"], board["unit"]),
            "unit_path": [units.get(u, u) for u in reversed(path)],  # the county first, then the township
            "judges": orjson.loads(row["judges"]) if row.get("judges") else [],
            "head": read.head_for(board["round"]), "checkpoint": read.checkpoint_for(board["round"])}
    head = data["head"]
    if head is not None and not head["cosignatures"]:  # a later head the witnesses cosigned extends it
        data["witnessed"] = next((h for h in reversed(read.heads()) if h["cosignatures"] and h["size"] > head["size"]),
                                 None)
    if kind == "score-sheet":
        data["explanations"] = read.explanations(board["round"])
        data["rules"] = read.rules(board["rules"]["code"], board["rules"]["version"])
        data["comments"] = gather_comments(read, board["round"])  # 点评: printed after the marks, never a score
    data["revisions"] = read.revisions(board["round"])  # finalists revised when a source round's results changed
    return data


# -- what both formats print -------------------------------------------------------------------


def _title(data: dict[str, Any], zh: bool) -> str:
    if data["kind"] == "notice":
        return f"{data['unit_name']}{'擂台比武结果公示' if zh else ' – publicity notice of the results'}"
    return f"{data['unit_name']}{'擂台比武评分汇总表' if zh else ' – score sheet'}"


def _date(text: str | None, zh: bool) -> str:
    """``2025-05-30`` as a Chinese document writes it (2025年5月30日); ``2025-05`` as 2025年5月."""
    if not text:
        return ""
    parts = str(text).split("-")
    if not zh or not all(p.isdigit() for p in parts) or len(parts) not in (2, 3):
        return str(text)
    return f"{parts[0]}年{int(parts[1])}月" + (f"{int(parts[2])}日" if len(parts) == 3 else "")


def _level(data: dict[str, Any], zh: bool) -> str:
    level = data["board"]["level"]
    return LEVELS_ZH.get(level, level) if zh else level


def _day(data: dict[str, Any], zh: bool) -> str:
    """The round's date: the day its scores were sealed (the application's clock), else its period."""
    labels = LABEL["zh" if zh else "en"]
    board = data["board"]
    closed = (board.get("publicity") or {}).get("closed_on")
    if closed:
        return f"{_date(closed, zh)}（{labels['sealed_on']}）" if zh else f"{closed} ({labels['sealed_on']})"
    when = _date(board["period"], zh)
    if board["status"] in ("scheduled", "open"):
        return f"{when}（{labels['not_sealed']}）" if zh else f"{when} ({labels['not_sealed']})"
    return when


def _rank(e: dict[str, Any], zh: bool = True) -> str:
    if e["rank"] is None:
        return "-"
    return f"{e['rank']}（并列）" if zh and e["tied"] else f"{e['rank']} (tied)" if e["tied"] else str(e["rank"])


def _criteria(data: dict[str, Any]) -> list[Any]:
    return list(data["rules"].criteria)


def _full_marks(data: dict[str, Any]) -> str:
    return exact_text(sum((c.max for c in _criteria(data)), Fraction(0)))


def _component_label(c: dict[str, Any], zh: bool) -> str:
    if c["source"] == "panel":
        name = LABEL["zh" if zh else "en"]["panel"]
    else:
        kind = SOURCES["zh" if zh else "en"].get(c["source"], c["source"])
        name = f"{c['code']}（{kind}）" if zh else f"{c['code']} ({kind})"
    return name if c["weight"] == "1" else f"{name} ×{c['weight']}"


def _adjustment(x: dict[str, Any]) -> str:
    """The adjustments' sum as printed: +0.5, -0.2, 0."""
    total = Decimal(x["bonus"]) - Decimal(x["penalty"]) if "/" not in x["bonus"] + x["penalty"] else None
    if total is None:
        return f"+{x['bonus']} -{x['penalty']}"
    return f"+{total}" if total > 0 else str(total)


def _panel_words(data: dict[str, Any], zh: bool) -> str:
    from api.cli.render import method_text

    panel = data["rules"].panel
    return method_text(panel.method, panel.trim, "zh" if zh else "en")


def _short(ref: str | None, round_code: str) -> str:
    """``R#114`` printed as ``#114`` under a column that says which round's events they are."""
    if not ref:
        return ""
    return ref[len(round_code):] if ref.startswith(round_code + "#") else ref


def _left_out(s: dict[str, Any], data: dict[str, Any], zh: bool) -> str:
    labels = LABEL["zh" if zh else "en"]
    names = {c.code: c.name for c in _criteria(data)}
    out = []
    if s["dropped"]:
        out.append(f"{labels['left_out']}{labels[s['dropped']]}" if zh else f"{labels['left_out']} ({s['dropped']})")
    for code, which in s["dropped_criteria"].items():
        out.append(f"{labels['left_out']}{names.get(code, code)}{labels[which]}" if zh else
                   f"{names.get(code, code)} left out ({which})")
    return "；".join(out) if zh else "; ".join(out)


# -- HTML -------------------------------------------------------------------------------------


def html_document(data: dict[str, Any], lang: str = "zh") -> str:
    zh = lang.startswith("zh")
    board = data["board"]
    title = _title(data, zh)
    body = _notice_html(data, zh) if data["kind"] == "notice" else _sheet_html(data, zh)
    sheet = data["kind"] == "score-sheet"
    running = f"{board['round']} {('评分汇总表' if zh else 'score sheet') if sheet else ('公示' if zh else 'notice')}"
    pages = ('"第 " counter(page) " 页，共 " counter(pages) " 页"' if zh else
             '"Page " counter(page) " of " counter(pages)')
    # a score sheet's every page is initialled by the scorer and the supervisor: no page can be swapped
    initial = "本页核对：计分员 __________  监督员 __________" if zh else "Checked: scorer ________  supervisor ________"
    initials = f"@bottom-left {{ content: {_css_text(initial)}; font-size: 8pt; }}" if sheet else ""
    return f"""<!doctype html>
<html lang="{'zh-CN' if zh else 'en'}"><head><meta charset="utf-8"><title>{_e(title)}</title>
<style>
@page {{ size: A4; margin: 15mm 14mm 16mm;
  @top-right {{ content: {_css_text(running)}; font-size: 7.5pt; color: #333; }}
  @bottom-right {{ content: {pages}; font-size: 8pt; }} {initials} }}
body {{ font-family: {FONTS}; font-size: 10.5pt; color: #000; margin: 0 auto; max-width: 182mm; line-height: 1.45; }}
@media screen {{ body {{ margin: 8mm auto; padding: 0 6mm; }} }}
h1 {{ font-size: 17pt; text-align: center; margin: 0 0 3mm; letter-spacing: .08em; }}
h2 {{ font-size: 12pt; margin: 5mm 0 2mm; }}
h3 {{ font-size: 10.5pt; margin: 0 0 1mm; display: flex; justify-content: space-between; gap: 4mm; }}
p {{ margin: 1.5mm 0; }}
.meta {{ display: grid; grid-template-columns: auto 1fr auto 1fr; gap: .6mm 3mm; font-size: 9.5pt;
        border-top: 1pt solid #000; border-bottom: .5pt solid #000; padding: 1.5mm 0; margin-bottom: 3mm; }}
.meta b {{ font-weight: bold; white-space: nowrap; }}
.meta .wide {{ grid-column: 2 / 5; }}
table {{ border-collapse: collapse; width: 100%; margin: 1.5mm 0; }}
thead {{ display: table-header-group; }}
th, td {{ border: .5pt solid #000; padding: .6mm 1.2mm; text-align: center; font-size: 9.5pt; }}
th {{ font-weight: bold; background: #eee; }}
th small {{ display: block; font-weight: normal; font-size: 7.5pt; }}
td.l, th.l {{ text-align: left; }}
td.n {{ font-variant-numeric: tabular-nums; white-space: nowrap; }}
td small {{ font-size: 7pt; color: #333; margin-left: 1mm; }}
td small.b {{ display: block; margin: 0; font-weight: normal; }}
.k {{ white-space: nowrap; }}
tfoot td {{ font-weight: bold; }}
tr {{ break-inside: avoid; page-break-inside: avoid; }}
.out {{ text-decoration: line-through; }}
.ev {{ font-size: 6.5pt; white-space: nowrap; }}
.entrant {{ break-inside: avoid; page-break-inside: avoid; margin: 0 0 5mm; }}
.result th, .result td {{ font-size: 9pt; }}
.fine {{ font-size: 8pt; }}
.legend {{ font-size: 8.5pt; border: .5pt solid #000; padding: 1.5mm 2mm; margin: 3mm 0; break-inside: avoid; }}
.signatures {{ break-inside: avoid; page-break-inside: avoid; margin-top: 5mm; font-size: 10pt; }}
.signatures .judges {{ display: grid; grid-template-columns: repeat(4, 1fr); gap: 4mm 5mm; margin: 1mm 0 4mm; }}
.signatures .line {{ border-bottom: .5pt solid #000; height: 8mm; }}
.signatures .who {{ font-size: 7.5pt; color: #333; }}
.signatures .row {{ display: flex; gap: 2mm; align-items: flex-end; white-space: nowrap; }}
.signatures .row b {{ margin-left: 4mm; }}
.signatures .row b:first-child {{ margin-left: 0; }}
.signatures .row span.fill {{ display: inline-block; border-bottom: .5pt solid #000; min-width: 30mm; height: 7mm; }}
.sub {{ text-align: center; margin: 0 0 5mm; }}
.sign {{ width: fit-content; margin: 8mm 8mm 0 auto; text-align: center; line-height: 2; break-inside: avoid; }}
.objection {{ margin: 1mm 0 2mm 8mm; padding: 0; }}
p.lead, p.period {{ text-indent: 2em; }}
.pin {{ font-size: 8pt; margin-top: 6mm; border-top: .5pt solid #000; padding-top: 2mm; word-break: break-all;
       break-inside: avoid; page-break-inside: avoid; }}
.note {{ display: flex; gap: 4mm; align-items: flex-start; margin-top: 2mm; }}
.note pre {{ font-family: "DejaVu Sans Mono", "Noto Sans Mono", Consolas, monospace; font-size: 7pt; margin: 0;
            white-space: pre-wrap; word-break: break-all; flex: 1; }}
.note svg {{ width: 30mm; height: 30mm; flex: none; }}
@media print {{ h2 {{ break-after: avoid; }} .details {{ break-before: page; }} }}
</style></head><body>
<h1>{_e(title)}</h1>
{_meta_html(data, zh) if sheet else _subtitle_html(data)}
{body}
{_pin_html(data, zh)}
</body></html>
"""


def _meta_html(data: dict[str, Any], zh: bool) -> str:
    """The title block: contest, round (and theme), level, unit, date; the rule set on a score sheet."""
    labels = LABEL["zh" if zh else "en"]
    board = data["board"]
    round_text = _e(board["round"]) + (f"　{_e(board['theme'])}" if board["theme"] else "")
    cells = [f"<b>{labels['contest']}</b><span class='wide'>{_e(data['contest']['title'])}</span>",
             f"<b>{labels['round']}</b><span class='wide'>{round_text}</span>",
             (f"<b>{labels['level']}</b><span>{_e(_level(data, zh))}</span>"
              f"<b>{labels['unit']}</b><span>{_e(' '.join(data['unit_path']))}</span>"),
             f"<b>{labels['date']}</b><span class='wide'>{_e(_day(data, zh))}</span>"]
    if data["kind"] == "score-sheet":
        rules = data["rules"]
        cells.append(f"<b>{labels['rules']}</b><span class='wide'>{_e(rules.title)}（{_e(rules.ref)}）；"
                     f"{labels['panel']}：{_e(_panel_words(data, zh))}</span>" if zh else
                     f"<b>{labels['rules']}</b><span class='wide'>{_e(rules.title)} ({_e(rules.ref)}); "
                     f"panel: {_e(_panel_words(data, zh))}</span>")
    return f"<div class='meta'>{''.join(cells)}</div>"


def _subtitle_html(data: dict[str, Any]) -> str:
    board = data["board"]
    return (f"<div class='sub'>{_e(data['contest']['title'])}<br>{_e(board['theme'] or '')}"
            f"（{_e(board['round'])}）</div>")


def _notice_html(data: dict[str, Any], zh: bool) -> str:
    board = data["board"]
    p = (board.get("publicity") or {}).get("current")
    labels = LABEL["zh" if zh else "en"]
    contest = _e(data["contest"]["title"])
    theme = f"{_e(board['theme'])}，{_e(board['round'])}" if board["theme"] else _e(board["round"])
    if zh:
        intro = f"经评委现场评分、计分核算，现将{contest}（{theme}）的结果予以公示（名单附后）。"
        period = (f"{_date(p['start'], zh)}至{_date(p['end'], zh)}（{p['days']} 个工作日）。" if p else "（尚未公示）")
    else:
        intro = f"The results of {contest} ({theme}) are published (the list follows)."
        period = f"from {p['start']} to {p['end']} ({p['days']} working days)." if p else "(not published yet)"
    entries = board["entries"]
    columns = [("rank", lambda e: _rank(e, zh), "n"),
               ("organization", None, "l"),
               ("secretary", lambda e: e.get("secretary") or "", ""),
               ("final", lambda e: e["final"] or "-", "n")]
    if any(e["award"] for e in entries):
        columns.append(("award", lambda e: board["awards"].get(e["award"], e["award"] or ""), ""))
    if any(e["promotion"] for e in entries):
        columns.append(("promotion", lambda e: labels.get(e["promotion"] or "", e["promotion"] or ""), ""))
    rows = "".join("<tr>" + "".join(
        f"<td class='l'>{_e(e['name'])}<small>{_e(e['entrant'])}</small></td>" if value is None else
        f"<td class='{css}'>{_e(value(e))}</td>" for _, value, css in columns) + "</tr>" for e in entries)
    heads = "".join(f"<th>{labels[k]}</th>" for k, _, _ in columns)
    again = ""
    if p and p.get("reason"):  # published again: why, and what changed
        again = (f"<p class='again'>本次为重新公示：{_e(p['reason'])}</p>" if zh
                 else f"<p class='again'>Published again: {_e(p['reason'])}</p>")
    revised = _revisions_html(data.get("revisions") or [], zh)
    issued = _date(p["published_on"], zh) if p else labels["blank_date"]
    sign = f"<div class='sign'>{_e(data['unit_name'])}<br>{_e(issued)}</div>"
    list_head = "附：公示名单" if zh else "The list"
    return (f"<p class='lead'>{intro}</p><p class='period'><b>{labels['period']}{_colon(zh)}</b>{_e(period)}</p>{again}"
            f"{_objections_html(data, p, zh)}{sign}"
            f"<h2>{list_head}</h2><table><thead><tr>{heads}</tr></thead><tbody>{rows}</tbody></table>{revised}")


def _objections_html(data: dict[str, Any], p: dict[str, Any] | None, zh: bool) -> str:
    """How and where to object: until when, the contact the contest gives, the organization's
    own page, and that an objection carries a real name."""
    contact = data["contest"].get("contact") or ""
    until = _date(p["end"], zh) if p else ""
    if zh:
        items = [f"受理时间：公示期内{f'，截至 {until}' if until else ''}。"]
        if contact:
            items.append(f"受理方式：{_e(contact)}")
        items.append("参赛组织也可在公示期内登录本系统的本组织页面，实名提交异议或申诉。")
        items.append("反映问题须实事求是，以实名方式反映并留下联系方式；匿名异议不予受理。")
        head = "受理异议："
    else:
        items = [f"Until: the end of the publicity period{f', {until}' if until else ''}."]
        if contact:
            items.append(f"Where: {_e(contact)}")
        items.append("An entrant organization may also file an objection or appeal on its own page in Leitai.")
        items.append("Objections must carry a real name and a contact; anonymous objections are not handled.")
        head = "Objections:"
    return f"<p><b>{head}</b></p><ol class='objection'>{''.join(f'<li>{i}</li>' for i in items)}</ol>"


def _revisions_html(revisions: list[dict[str, Any]], zh: bool) -> str:
    """The finalists withdrawn or admitted because a source round's results changed."""
    if not revisions:
        return ""
    kind_zh = {"withdrawn": "退出", "admitted": "加入", "updated": "来源名次、得分更新"}
    items = "".join(f"<li>{_e(r['entrant'])} {_e(r['name'])}：{kind_zh.get(r['kind'], r['kind'])}（{_e(r['event'])}）"
                    f"——{_e(r['reason'])}</li>" if zh else
                    f"<li>{_e(r['entrant'])} {_e(r['name'])}: {_e(r['kind'])} ({_e(r['event'])}) — {_e(r['reason'])}</li>"
                    for r in revisions)
    head = "晋级名单变更（来源轮次的结果变更后）：" if zh else "Finalists revised after a source round's results changed:"
    return f"<div class='revised'><p>{head}</p><ul>{items}</ul></div>"


def _sheet_html(data: dict[str, Any], zh: bool) -> str:
    """The results first, signed by the panel, the scorer and the supervisor; then each
    entrant's marks, every page initialled (the page's bottom margin)."""
    labels = LABEL["zh" if zh else "en"]
    out = [f"<h2>{labels['summary']}</h2>", _summary_html(data, zh), _signatures_html(data, zh),
           f"<div class='details'><h2>{labels['details']}</h2>", _legend_html(data, zh)]
    out.extend(_entrant_html(data, x, zh) for x in data["explanations"])
    out.append(comments_html(data, zh))
    out.append("</div>")
    return "".join(out)


def _outcomes(data: dict[str, Any]) -> list[str]:
    """Award and promotion, each only when some entrant of the round has one."""
    explanations = data["explanations"]
    return [k for k in ("award", "promotion") if any(x[k] for x in explanations)]


def _outcome_cells(x: dict[str, Any], data: dict[str, Any], zh: bool) -> str:
    labels = LABEL["zh" if zh else "en"]
    values = {"award": x["award_name"] or x["award"] or "",
              "promotion": labels.get(x["promotion"] or "", x["promotion"] or "")}
    return "".join(f"<td>{_e(values[k])}</td>" for k in _outcomes(data))


def _summary_html(data: dict[str, Any], zh: bool) -> str:
    labels = LABEL["zh" if zh else "en"]
    explanations = data["explanations"]
    components = explanations[0]["components"] if explanations else []
    heads = (f"<th>{labels['rank']}</th><th class='l'>{labels['organization']}</th><th>{labels['secretary']}</th>"
             + "".join(f"<th>{_e(_component_label(c, zh))}</th>" for c in components)
             + f"<th>{labels['adjustments']}</th><th>{labels['final']}</th>"
             + "".join(f"<th>{labels[k]}</th>" for k in _outcomes(data)))
    secretaries = {e["entrant"]: e.get("secretary") or "" for e in data["board"]["entries"]}
    rows = "".join(
        f"<tr><td class='n'>{_e(_rank(x, zh))}</td><td class='l'>{_e(x['name'])}<small>{_e(x['entrant'])}</small></td>"
        f"<td>{_e(secretaries.get(x['entrant'], ''))}</td>"
        + "".join(f"<td class='n'>{_e(c['shown'] or '-')}</td>" for c in x["components"])
        + f"<td class='n'>{_e(_adjustment(x))}</td><td class='n'><b>{_e(x['final'] or '-')}</b></td>"
        + _outcome_cells(x, data, zh) + "</tr>"
        for x in explanations)
    return f"<table class='summary'><thead><tr>{heads}</tr></thead><tbody>{rows}</tbody></table>"


def _entrant_html(data: dict[str, Any], x: dict[str, Any], zh: bool) -> str:
    """One entrant: a row per judge, a column per criterion, what was left out, the result."""
    labels = LABEL["zh" if zh else "en"]
    rules, code = data["rules"], data["board"]["round"]
    criteria = _criteria(data)
    decimals = rules.mark_decimals
    heads = (f"<th class='l'>{labels['judge']}</th>"
             + "".join(f"<th{' class=' + chr(39) + 'k' + chr(39) if len(c.name) <= 6 else ''}>{_e(c.name)}"
                       f"<small>{labels['max']} {exact_text(c.max)}</small></th>" for c in criteria)
             + f"<th>{labels['total']}<small>{labels['max']} {_full_marks(data)}</small></th>"
             f"<th>{labels['note']}</th><th class='ev'>{labels['event']}</th>")
    rows = []
    for s in x["sheets"]:
        cells = []
        for c in criteria:
            value = s["marks"].get(c.code)
            shown = "-" if value is None else show_exact_text(value, decimals)
            out = bool(s["dropped"]) or c.code in s["dropped_criteria"]
            cells.append(f"<td class='n{' out' if out else ''}'>{'[' + shown + ']' if out else shown}</td>")
        total = show_exact_text(s["total"], decimals)
        note = _left_out(s, data, zh)
        if s["corrections"]:
            first = _short(str(s["first_event"]), code)
            note += ("；" if note else "") + (f"{labels['corrected']} {s['corrections']} 次（首次 {first}）" if zh else
                                             f"{labels['corrected']} {s['corrections']}× (first {first})")
        rows.append(
            f"<tr{' class=' + chr(39) + 'dropped' + chr(39) if s['dropped'] else ''}>"
            f"<td class='l'>{_e(s['judge_name'] or s['judge'])}<small>{_e(s['judge'])}</small></td>{''.join(cells)}"
            f"<td class='n{' out' if s['dropped'] else ''}'>{'[' + total + ']' if s['dropped'] else total}</td>"
            f"<td class='fine k'>{_e(note)}</td><td class='ev' title='{_e(s['event'])}'>{_e(_short(s['event'], code))}</td>"
            "</tr>")
    foot = ""
    panel = x.get("panel")
    if panel is not None:
        d = x["decimals"] + 2
        means = "".join(f"<td class='n'>{_e(show_exact_text(panel['by_criterion'][c.code], d))}</td>"
                        if c.code in panel["by_criterion"] else "<td></td>" for c in criteria)
        foot = (f"<tfoot><tr><td class='l'>{labels['panel']}<small class='b'>{_e(_panel_words(data, zh))}</small></td>"
                f"{means}<td class='n'>"
                f"{_e(show_exact_text(panel['value'], d))}</td><td></td><td></td></tr></tfoot>")
    marks = f"<table class='marks'><thead><tr>{heads}</tr></thead><tbody>{''.join(rows)}</tbody>{foot}</table>"
    result_heads = ("".join(f"<th>{_e(_component_label(c, zh))}</th>" for c in x["components"])
                    + f"<th>{labels['adjustments']}</th><th>{labels['final']}</th><th>{labels['rank']}</th>"
                    + "".join(f"<th>{labels[k]}</th>" for k in _outcomes(data)))
    result_cells = ("".join(f"<td class='n'>{_e(c['shown'] or '-')}</td>" for c in x["components"])
                    + f"<td class='n'>{_e(_adjustment(x))}</td><td class='n'><b>{_e(x['final'] or '-')}</b></td>"
                    f"<td class='n'>{_e(_rank(x, zh))}</td>" + _outcome_cells(x, data, zh))
    result = f"<table class='result'><thead><tr>{result_heads}</tr></thead><tbody><tr>{result_cells}</tr></tbody></table>"
    notes = []
    if x["adjustments"]:
        items = "；".join(f"{a['points']} {a['reason']}（{_short(a['event'], code)}）" for a in x["adjustments"])
        notes.append(f"{labels['adjustments']}：{items}" if zh else f"{labels['adjustments']}: {items}")
    if x["entrant_status"] != "active":
        status = labels.get(x["entrant_status"], x["entrant_status"])
        notes.append(f"{status}：{x['status_reason'] or ''}" if zh else f"{status}: {x['status_reason'] or ''}")
    if x.get("admission"):
        a = x["admission"]
        notes.append((a["from_zh"] if zh else a["from_en"]) if a.get("source_name") else
                     f"由 {a['round']} 第 {a['rank']} 名（{a['final']}）晋级" if zh else
                     f"promoted from {a['round']}, rank {a['rank']} ({a['final']})")
    if x["exact_final"] is not None and x["exact_final"] != x["final"]:
        notes.append(f"未舍入得分 {x['exact_final_readable']}" if zh else f"unrounded {x['exact_final_readable']}")
    secretary = next((e.get("secretary") for e in data["board"]["entries"] if e["entrant"] == x["entrant"]), None)
    who = (f"{labels['rank']} {_rank(x, zh)}　{x['name']}（{x['entrant']}）" if zh else
           f"{labels['rank']} {_rank(x, zh)} · {x['name']} ({x['entrant']})")
    if secretary:
        who += f"　{labels['secretary']}：{secretary}" if zh else f" · {labels['secretary']}: {secretary}"
    end = f"{labels['final']} {x['final'] or '-'}" + (f"　{x['award_name'] or x['award']}" if x["award"] else "")
    return (f"<section class='entrant'><h3><span>{_e(who)}</span><span>{_e(end)}</span></h3>{marks}{result}"
            + (f"<p class='fine'>{_e('；'.join(notes) if zh else '; '.join(notes))}</p>" if notes else "")
            + "</section>")


def _legend_html(data: dict[str, Any], zh: bool) -> str:
    """How to read the tables, with examples taken from them."""
    code = data["board"]["round"]
    sheets = [s for x in data["explanations"] for s in x["sheets"]]
    dropped = next((s for s in sheets if s["dropped"]), None)
    left_out = f"[{show_exact_text(dropped['total'], data['rules'].mark_decimals)}]" if dropped else "[ ]"
    event = sheets[0]["event"] if sheets else f"{code}#1"
    short = _short(event, code)
    if zh:
        text = (f"说明：1. 方括号内加删除线的评分（如 {left_out}）是按计分规则去掉的评分（{_panel_words(data, zh)}），"
                "不计入评委评分；备注栏写明去掉的是最高分还是最低分。2. 合计为该评委各项评分之和；评委评分为去掉后的平均，"
                "保留到最终得分小数位数后两位；最终得分按计分规则四舍五入。"
                f"3. “事件”栏是记录该评分表的事件编号，{short} 即本轮次的事件 {event}，可用 leitai audit {code} "
                "组织代码 核对每一项评分的来历。")
    else:
        text = (f"Notes: 1. A mark in brackets and struck through (e.g. {left_out}) was left out by the panel method "
                f"({_panel_words(data, zh)}) and does not count; the Note column says whether it was the highest or "
                "the lowest. 2. The total is the sum of a judge's marks; the panel's mark is the mean of what remains. "
                f"3. The Event column names the event that recorded the sheet: {short} is the round's event {event} "
                f"(leitai audit {code} ENTRANT shows where every mark came from).")
    return f"<div class='legend'>{_e(text)}</div>"


def _signatures_html(data: dict[str, Any], zh: bool) -> str:
    """Where the panel, the scorer and the supervisor sign, and the date."""
    labels = LABEL["zh" if zh else "en"]
    judges = data.get("judges") or [{"code": s["judge"], "name": s["judge_name"]}
                                    for x in data["explanations"][:1] for s in x["sheets"]]
    boxes = "".join(f"<div><div class='line'></div><div class='who'>{_e(j['name'] or j['code'])}（{_e(j['code'])}）"
                    "</div></div>" for j in judges)
    colon = _colon(zh)
    return (f"<section class='signatures'><div><b>{labels['judges_sign']}{colon}</b></div>"
            f"<div class='judges'>{boxes}</div>"
            f"<div class='row'><b>{labels['scorer_sign']}{colon}</b><span class='fill'></span>"
            f"<b>{labels['supervisor_sign']}{colon}</b><span class='fill'></span>"
            f"<b>{labels['date']}{colon}</b><span>{labels['blank_date']}</span></div></section>")


def _pin_html(data: dict[str, Any], zh: bool) -> str:
    board, head, cp = data["board"], data.get("head"), data["checkpoint"]
    lines = [f"{LABEL['zh' if zh else 'en']['seal']}：{_e(board['seal'] or ('尚未封存' if zh else 'not sealed'))}"]
    if head is not None:
        note = head["cosigned"]
        witnesses = len(head["cosignatures"])
        lines.append((f"签名树头：日志共 {head['size']} 条事件时签署" + (f"，{witnesses} 个见证方已联署" if witnesses else "")
                      + "。下面是完整的签名检查点（可照录或扫描二维码）：") if zh else
                     (f"Signed tree head: signed when the log held {head['size']} events"
                      + (f", cosigned by {witnesses} witness(es)" if witnesses else "")
                      + ". The whole signed checkpoint (type it, or scan the QR code):"))
        body = "<br>".join(lines)
        howto = ("核对方法：把上面的检查点存为文件，向组织部门索取公钥和本组织的证明文件（leitai prove inclusion 轮次 组织），"
                 "运行 leitai verify --checkpoint 检查点文件 --proof 证明文件 --key 公钥：无需数据库和网络，即可证明每份评分表"
                 "都在这次签署的日志中；任何人都可以用 leitai verify --since 检查点文件 证明日志此后没有被改写。" if zh else
                 "To verify: save the checkpoint above as a file, obtain the public key and the organization's proof file "
                 "(leitai prove inclusion ROUND ENTRANT), and run leitai verify --checkpoint FILE --proof PROOF --key KEY: "
                 "with no database and no network it proves every sheet is in the log this head signs; leitai verify "
                 "--since FILE proves the log was not rewritten since.")
        witnessed = data.get("witnessed")
        later = ""
        if witnessed is not None:
            names = "、".join(c["witness"] for c in witnessed["cosignatures"]) if zh else \
                ", ".join(c["witness"] for c in witnessed["cosignatures"])
            later = ((f"见证方 {names} 已联署其后 {witnessed['size']} 条事件的树头（它是上面树头的原样延续，可用 "
                      "leitai prove consistency 证明）：") if zh else
                     (f"The witnesses {names} cosigned the later head of {witnessed['size']} events (it extends the "
                      "head above unchanged; leitai prove consistency proves it):"))
            later = f"{_e(later)}<div class='note'><pre>{_e(witnessed['cosigned'])}</pre></div>"
        return (f"<div class='pin'>{body}<div class='note'><pre>{_e(note)}</pre>{_qr_svg(note)}</div>"
                f"{later}{_e(howto)}</div>")
    if cp is not None:
        lines.append(f"签名检查点：日志位置 {cp['position']}，哈希链 {cp['head']}，公钥指纹 {cp['fingerprint']}"
                     if zh else f"Checkpoint: log position {cp['position']}, chain link {cp['head']}, key "
                     f"{cp['fingerprint']}")
        lines.append("核对方法：向组织部门索取事件导出文件和公钥，运行 leitai verify --from-export 文件 --key 公钥；"
                     "导出文件在上述位置的哈希链须与本页所印一致。" if zh else
                     "To verify: obtain the event export and the public key, run leitai verify --from-export FILE "
                     "--key KEY; the export's chain link at that position must equal the one printed here.")
    return "<div class='pin'>" + "<br>".join(lines) + "</div>"


def _qr_svg(text: str) -> str:
    """The checkpoint as a QR code (inline SVG: nothing loaded from elsewhere)."""
    import segno

    out = io.BytesIO()
    segno.make(text, error="m", micro=False).save(out, kind="svg", scale=1, border=2, xmldecl=False,
                                                   svgns=True, nl=False, svgclass=None, lineclass=None,
                                                   title="checkpoint")
    return out.getvalue().decode("utf-8")


def _colon(zh: bool) -> str:
    return "：" if zh else ": "


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _css_text(value: str) -> str:
    """A CSS string holding any text: every character but ASCII letters and digits escaped as six
    hex digits (spaces too: an escape swallows the one space after it)."""
    return '"' + "".join(ch if ch.isascii() and ch.isalnum() else f"\\{ord(ch):06x}" for ch in value) + '"'


# -- xlsx -------------------------------------------------------------------------------------


def _format(decimals: int) -> str:
    """Excel's number format showing ``decimals`` decimals, as the documents print them."""
    return "0." + "0" * decimals if decimals > 0 else "0"


def _number(value: str | None) -> Any:
    """A score as a number cell when it is a plain decimal (the text otherwise: "-", a fraction)."""
    if value is None:
        return "-"
    try:
        return Decimal(value) if "/" not in value else value
    except ArithmeticError:
        return value


def xlsx_document(data: dict[str, Any], lang: str = "zh") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from api.spreadsheets import append

    # every text a text cell (api/spreadsheets.py): a name is never a formula

    zh = lang.startswith("zh")
    labels = LABEL["zh" if zh else "en"]
    board = data["board"]
    book = Workbook()
    sheet = book.active
    sheet.title = board["round"][:31]
    append(sheet, [_title(data, zh)])
    sheet["A1"].font = Font(bold=True, size=14)
    append(sheet, [data["contest"]["title"], board["round"], board["theme"] or ""])
    append(sheet, [labels["level"], _level(data, zh), labels["unit"], " ".join(data["unit_path"]), labels["date"],
                   _day(data, zh)])
    p = (board.get("publicity") or {}).get("current")
    if p:
        append(sheet, [labels["period"], p["start"], p["end"],
                       f"{p['days']} 个工作日" if zh else f"{p['days']} working days"])
    if data["kind"] == "notice":
        _notice_rows(sheet, data, zh, append)
    else:
        _sheet_rows(sheet, data, zh, append)
    append(sheet, [])
    append(sheet, [labels["seal"], board["seal"] or ""])
    head, cp = data.get("head"), data["checkpoint"]
    if head is not None:
        append(sheet, [labels["checkpoint"], head["cosigned"]])
        sheet.cell(row=sheet.max_row, column=2).alignment = Alignment(wrap_text=True, vertical="top")
    elif cp is not None:
        append(sheet, [labels["checkpoint"], cp["position"], cp["head"]])
        append(sheet, [labels["fingerprint"], cp["fingerprint"]])
    sheet["A1"].alignment = Alignment(horizontal="left")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _notice_rows(sheet: Any, data: dict[str, Any], zh: bool, append: Any) -> None:
    from openpyxl.styles import Font

    labels = LABEL["zh" if zh else "en"]
    board = data["board"]
    p = (board.get("publicity") or {}).get("current")
    append(sheet, [])
    append(sheet, [labels[k] for k in ("rank", "entrant", "name", "secretary", "final", "award", "promotion")])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for e in board["entries"]:
        append(sheet, [e["rank"] if e["rank"] is not None and not e["tied"] else _rank(e, zh), e["entrant"],
                       e["name"], e.get("secretary") or "", _number(e["final"]),
                       board["awards"].get(e["award"], e["award"] or ""), labels.get(e["promotion"] or "", "")])
        sheet.cell(row=sheet.max_row, column=5).number_format = _format(len((e["final"] or "").partition(".")[2]))
    append(sheet, [])
    if data["contest"].get("contact"):
        append(sheet, [labels["objections"], data["contest"]["contact"]])
    append(sheet, ["异议须实名并留下联系方式；匿名异议不予受理。" if zh else
                   "Objections must carry a real name and a contact; anonymous objections are not handled."])
    append(sheet, [labels["issuer"], data["unit_name"]])
    append(sheet, [labels["issued"], p["published_on"] if p else ""])
    for column, size in zip("ABCDEFG", (10, 14, 26, 12, 12, 12, 12)):
        sheet.column_dimensions[column].width = size


def _sheet_rows(sheet: Any, data: dict[str, Any], zh: bool, append: Any) -> None:
    """One row per sheet: the entrant, the judge, a column per criterion, the total, what was
    left out, the event; the entrant's final, award and promotion on its first row."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    labels = LABEL["zh" if zh else "en"]
    rules = data["rules"]
    criteria = _criteria(data)
    append(sheet, [labels["rules"], rules.title, rules.ref, _panel_words(data, zh)])
    append(sheet, [])
    maximum = (lambda text: f"（{labels['max']} {text}）") if zh else (lambda text: f" ({labels['max']} {text})")
    header = ([labels["rank"], labels["entrant"], labels["name"], labels["judge_code"], labels["judge"]]
              + [f"{c.name}{maximum(exact_text(c.max))}" for c in criteria]
              + [f"{labels['total']}{maximum(_full_marks(data))}", labels["left_out"], labels["event"],
                 labels["final"], labels["award"], labels["promotion"]])
    append(sheet, header)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    first_mark, n = 6, len(criteria)
    mark_format = _format(rules.mark_decimals)
    for x in data["explanations"]:
        for i, s in enumerate(x["sheets"]):
            head = i == 0
            marks = [_number(s["marks"].get(c.code)) for c in criteria]
            append(sheet, [(x["rank"] if x["rank"] is not None and not x["tied"] else _rank(x, zh)) if head else "",
                           x["entrant"] if head else "", x["name"] if head else "", s["judge"],
                           s["judge_name"] or "", *marks, _number(s["total"]), _left_out(s, data, zh), s["event"],
                           _number(x["final"]) if head else "",
                           (x["award_name"] or x["award"] or "") if head else "",
                           labels.get(x["promotion"] or "", x["promotion"] or "") if head else ""])
            row = sheet.max_row
            for k, c in enumerate(criteria):
                cell = sheet.cell(row=row, column=first_mark + k)
                cell.number_format = mark_format
                if s["dropped"] or c.code in s["dropped_criteria"]:
                    cell.font = Font(strike=True)
            total = sheet.cell(row=row, column=first_mark + n)
            total.number_format = mark_format
            if s["dropped"]:
                total.font = Font(strike=True)
            if head:
                sheet.cell(row=row, column=first_mark + n + 3).number_format = _format(x["decimals"])
    append(sheet, [])
    append(sheet, [labels["judges_sign"], *[f"{j['name'] or j['code']}（{j['code']}）" if zh else
                                           f"{j['name'] or j['code']} ({j['code']})" for j in data["judges"]]])
    append(sheet, [labels["scorer_sign"], ""])
    append(sheet, [labels["supervisor_sign"], ""])
    append(sheet, [labels["date"], ""])
    widths = [8, 12, 18, 9, 14] + [11] * n + [11, 14, 20, 10, 10, 8]
    for column, size in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = size
    _results_sheet(sheet.parent.create_sheet("成绩汇总" if zh else "Results"), data, zh, append)
    comments_sheet(sheet.parent, data, zh, append)


def _results_sheet(sheet: Any, data: dict[str, Any], zh: bool, append: Any) -> None:
    """The second sheet: the results as the printed summary has them, a row per entrant."""
    from openpyxl.styles import Font

    labels = LABEL["zh" if zh else "en"]
    explanations = data["explanations"]
    components = explanations[0]["components"] if explanations else []
    secretaries = {e["entrant"]: e.get("secretary") or "" for e in data["board"]["entries"]}
    append(sheet, [labels["rank"], labels["entrant"], labels["name"], labels["secretary"],
                   *[_component_label(c, zh) for c in components], labels["adjustments"], labels["final"],
                   labels["award"], labels["promotion"]])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for x in explanations:
        append(sheet, [x["rank"] if x["rank"] is not None and not x["tied"] else _rank(x, zh), x["entrant"], x["name"],
                       secretaries.get(x["entrant"], ""), *[_number(c["shown"]) for c in x["components"]],
                       _number(_adjustment(x).lstrip("+")), _number(x["final"]), x["award_name"] or x["award"] or "",
                       labels.get(x["promotion"] or "", x["promotion"] or "")])
        for k in range(len(components)):  # as printed: the components to two more decimals than the final
            sheet.cell(row=sheet.max_row, column=5 + k).number_format = _format(x["decimals"] + 2)
        sheet.cell(row=sheet.max_row, column=6 + len(components)).number_format = _format(x["decimals"])
