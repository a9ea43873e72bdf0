"""Official documents from the read side: a round's score sheet (评分汇总表) and its
publicity notice (公示), as printable HTML (A4, the system's Chinese fonts) and as .xlsx.

The score sheet lists every judge's marks for every entrant with the event that
recorded them, what the panel method left out (struck through), each component, the
adjustments, the final, rank, award and promotion; the notice lists the results with
the publicity period and where to object.  Both end with what pins them: the seal, and
the signed head of the log's Merkle tree signed for the round (the whole checkpoint note,
with the witnesses' cosignatures recorded for it, in small type and as a QR code), with
how to verify a result from the paper alone.  Rounds sealed before the tree existed print
their signed chain checkpoint instead.
"""

from __future__ import annotations

import html
import io
from typing import Any

KINDS = ("score-sheet", "notice")
FONTS = ('"Noto Serif CJK SC", "Source Han Serif SC", "Songti SC", "SimSun", "STSong", "Noto Sans CJK SC", '
         '"Microsoft YaHei", serif')
LABEL = {
    "zh": {"promoted": "晋级", "reserve": "候补", "not_promoted": "", "tied": "并列", "rank": "名次",
           "entrant": "组织代码", "name": "名称", "secretary": "书记", "final": "最终得分", "award": "奖项",
           "promotion": "晋级", "judge": "评委", "total": "合计", "event": "事件", "components": "成绩项",
           "adjustments": "加减分", "seal": "封存值", "checkpoint": "签名检查点", "fingerprint": "公钥指纹"},
    "en": {"promoted": "promoted", "reserve": "reserve", "not_promoted": "", "tied": "tied", "rank": "Rank",
           "entrant": "Code", "name": "Name", "secretary": "Secretary", "final": "Final", "award": "Award",
           "promotion": "Promotion", "judge": "Judge", "total": "Total", "event": "Event", "components": "Components",
           "adjustments": "Adjustments", "seal": "Seal", "checkpoint": "Checkpoint", "fingerprint": "Key fingerprint"},
}


def gather(read: Any, code: str, kind: str) -> dict[str, Any]:
    """Everything a document prints, from the read side."""
    board = read.leaderboard(code)
    contest = read.contest(board["contest"])
    units = {u["code"]: u["name"] for u in __import__("orjson").loads(contest["units"])}
    data = {"kind": kind, "board": board, "contest": contest, "unit_name": units.get(board["unit"], board["unit"]),
            "head": read.head_for(board["round"]), "checkpoint": read.checkpoint_for(board["round"])}
    head = data["head"]
    if head is not None and not head["cosignatures"]:  # a later head the witnesses cosigned extends it
        data["witnessed"] = next((h for h in reversed(read.heads()) if h["cosignatures"] and h["size"] > head["size"]),
                                 None)
    if kind == "score-sheet":
        data["explanations"] = read.explanations(board["round"])
    data["revisions"] = read.revisions(board["round"])  # finalists revised when a source round's results changed
    return data


# -- HTML -------------------------------------------------------------------------------------


def html_document(data: dict[str, Any], lang: str = "zh") -> str:
    zh = lang.startswith("zh")
    board = data["board"]
    title = _title(data, zh)
    body = _notice_html(data, zh) if data["kind"] == "notice" else _sheet_html(data, zh)
    return f"""<!doctype html>
<html lang="{'zh-CN' if zh else 'en'}"><head><meta charset="utf-8"><title>{_e(title)}</title>
<style>
@page {{ size: A4; margin: 18mm 16mm; }}
body {{ font-family: {FONTS}; font-size: 11pt; color: #000; margin: 0 auto; max-width: 178mm; }}
h1 {{ font-size: 18pt; text-align: center; margin: 0 0 4mm; letter-spacing: .1em; }}
.sub {{ text-align: center; margin-bottom: 6mm; }}
table {{ border-collapse: collapse; width: 100%; margin: 3mm 0; }}
th, td {{ border: 0.4pt solid #000; padding: 1.2mm 1.6mm; text-align: center; font-size: 9.5pt; }}
td.l {{ text-align: left; }}
.dropped {{ text-decoration: line-through; color: #555; }}
.pin {{ font-size: 8.5pt; margin-top: 6mm; border-top: 0.4pt solid #000; padding-top: 2mm; word-break: break-all; }}
.note {{ display: flex; gap: 4mm; align-items: flex-start; margin-top: 2mm; }}
.note pre {{ font-family: "DejaVu Sans Mono", "Noto Sans Mono", Consolas, monospace; font-size: 7pt; margin: 0;
            white-space: pre-wrap; word-break: break-all; flex: 1; }}
.note svg {{ width: 30mm; height: 30mm; flex: none; }}
.sign {{ text-align: right; margin-top: 10mm; }}
tr {{ page-break-inside: avoid; }}
</style></head><body>
<h1>{_e(title)}</h1>
<div class="sub">{_e(data['contest']['title'])} · {_e(board['round'])}{(' · ' + _e(board['theme'])) if board['theme'] else ''}</div>
{body}
{_pin_html(data, zh)}
</body></html>
"""


def _title(data: dict[str, Any], zh: bool) -> str:
    if data["kind"] == "notice":
        return f"{data['unit_name']}{'擂台比武结果公示' if zh else ' – publicity notice of the results'}"
    return f"{data['unit_name']}{'擂台比武评分汇总表' if zh else ' – score sheet'}"


def _notice_html(data: dict[str, Any], zh: bool) -> str:
    board = data["board"]
    p = (board.get("publicity") or {}).get("current")
    labels = LABEL["zh" if zh else "en"]
    if zh:
        period = (f"公示期为 {p['start']} 至 {p['end']}（{p['days']} 个工作日）。" if p else "（尚未公示）")
        intro = (f"经评委评分、计分核算，现将{_e(data['contest']['title'])}（{_e(board['round'])}）的结果予以公示。"
                 f"{period}公示期间如有异议，请以实名方式反映，并留下联系方式；匿名异议不予受理。")
    else:
        period = f"The publicity period runs from {p['start']} to {p['end']} ({p['days']} working days). " if p else ""
        intro = (f"The results of {_e(data['contest']['title'])} ({_e(board['round'])}) are published. {period}"
                 "Objections must carry a real name and a contact; anonymous objections are not handled.")
    rows = "".join(
        f"<tr><td>{_rank(e)}</td><td>{_e(e['entrant'])}</td><td class='l'>{_e(e['name'])}</td>"
        f"<td>{_e(e.get('secretary') or '')}</td><td>{_e(e['final'] or '-')}</td>"
        f"<td>{_e(board['awards'].get(e['award'], e['award'] or ''))}</td>"
        f"<td>{_e(labels.get(e['promotion'] or '', e['promotion'] or ''))}</td></tr>" for e in board["entries"])
    contact = data["contest"].get("contact") or ""
    where = (f"<p>受理异议：{_e(contact)}</p>" if zh else f"<p>Objections: {_e(contact)}</p>") if contact else ""
    again = ""
    if p and p.get("reason"):  # published again: why, and what changed
        again = (f"<p class='again'>本次为重新公示：{_e(p['reason'])}</p>" if zh
                 else f"<p class='again'>Published again: {_e(p['reason'])}</p>")
    revised = _revisions_html(data.get("revisions") or [], zh)
    heads = "".join(f"<th>{labels[k]}</th>" for k in ("rank", "entrant", "name", "secretary", "final", "award",
                                                      "promotion"))
    issued = p["published_on"] if p else ""
    return (f"<p>{intro}</p>{again}<table><thead><tr>{heads}</tr></thead><tbody>{rows}</tbody></table>{revised}"
            f"{where}<div class='sign'>{_e(data['unit_name'])}<br>{_e(issued)}</div>")


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
    labels = LABEL["zh" if zh else "en"]
    out = []
    for x in data["explanations"]:
        sheets = "".join(
            f"<tr class='{'dropped' if s['dropped'] else ''}'><td>{_e(s['judge'])}</td><td class='l'>"
            f"{_e(s['judge_name'])}</td><td class='l'>{_e(' '.join(f'{k}={v}' for k, v in s['marks'].items()))}</td>"
            f"<td>{_e(s['total'])}</td><td>{_e(s['event'])}</td></tr>" for s in x["sheets"])
        components = "；".join(f"{c['code']} {c['shown'] or '-'} ×{c['weight']}" for c in x["components"])
        adjustments = "；".join(f"{a['points']} {a['reason']} ({a['event']})" for a in x["adjustments"])
        head = (f"<b>{_rank_x(x)}</b> {_e(x['entrant'])} {_e(x['name'])} · {labels['final']} {_e(x['final'] or '-')}"
                + (f" · {_e(x['award_name'] or x['award'])}" if x["award"] else "")
                + (f" · {labels.get(x['promotion'], x['promotion'])}" if x["promotion"] else ""))
        out.append(
            f"<h3 style='font-size:11pt;margin:4mm 0 1mm'>{head}</h3><table><thead><tr><th>{labels['judge']}</th>"
            f"<th></th><th>{'分项' if zh else 'Marks'}</th><th>{labels['total']}</th><th>{labels['event']}</th></tr>"
            f"</thead><tbody>{sheets}</tbody></table><div>{labels['components']}：{_e(components)}"
            + (f"；{labels['adjustments']}：{_e(adjustments)}" if adjustments else "") + "</div>")
    note = ("删除线表示按计分规则去掉的评分（最高分或最低分）。" if zh else
            "Struck-through sheets were left out by the panel method (highest or lowest).")
    return "".join(out) + f"<p style='font-size:9pt'>{note}</p>"


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
        lines.append((f"签名检查点：日志位置 {cp['position']}，哈希链 {cp['head']}，公钥指纹 {cp['fingerprint']}"
                      if zh else f"Checkpoint: log position {cp['position']}, chain link {cp['head']}, key "
                      f"{cp['fingerprint']}"))
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


def _rank(e: dict[str, Any]) -> str:
    return "-" if e["rank"] is None else f"{e['rank']}{'=' if e['tied'] else ''}"


def _rank_x(x: dict[str, Any]) -> str:
    return "-" if x["rank"] is None else f"{x['rank']}{'=' if x['tied'] else ''}"


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


# -- xlsx -------------------------------------------------------------------------------------


def xlsx_document(data: dict[str, Any], lang: str = "zh") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from api.spreadsheets import append  # every text a text cell: a name is never a formula

    zh = lang.startswith("zh")
    labels = LABEL["zh" if zh else "en"]
    board = data["board"]
    book = Workbook()
    sheet = book.active
    sheet.title = board["round"][:31]
    append(sheet, [_title(data, zh)])
    sheet["A1"].font = Font(bold=True, size=14)
    append(sheet, [data["contest"]["title"], board["round"], board["theme"] or ""])
    p = (board.get("publicity") or {}).get("current")
    if p:
        append(sheet, [("公示期" if zh else "Publicity"), p["start"], p["end"]])
    append(sheet, [])
    if data["kind"] == "notice":
        append(sheet, [labels[k] for k in ("rank", "entrant", "name", "secretary", "final", "award", "promotion")])
        for e in board["entries"]:
            append(sheet, [_rank(e), e["entrant"], e["name"], e.get("secretary") or "", e["final"] or "-",
                           board["awards"].get(e["award"], e["award"] or ""), labels.get(e["promotion"] or "", "")])
        if data["contest"].get("contact"):
            append(sheet, [])
            append(sheet, [("受理异议" if zh else "Objections"), data["contest"]["contact"]])
    else:
        append(sheet, [labels["rank"], labels["entrant"], labels["name"], labels["judge"],
                       ("分项" if zh else "Marks"), labels["total"], ("去掉" if zh else "Left out"), labels["event"],
                       labels["final"], labels["award"]])
        for x in data["explanations"]:
            for i, s in enumerate(x["sheets"]):
                append(sheet, [_rank_x(x) if i == 0 else "", x["entrant"] if i == 0 else "",
                               x["name"] if i == 0 else "", s["judge"],
                               " ".join(f"{k}={v}" for k, v in s["marks"].items()), s["total"],
                               ("是" if zh else "yes") if s["dropped"] else "", s["event"],
                               (x["final"] or "-") if i == 0 else "",
                               (x["award_name"] or x["award"] or "") if i == 0 else ""])
    append(sheet, [])
    append(sheet, [labels["seal"], board["seal"] or ""])
    head, cp = data.get("head"), data["checkpoint"]
    if head is not None:
        append(sheet, [labels["checkpoint"], head["cosigned"]])
        sheet.cell(row=sheet.max_row, column=2).alignment = Alignment(wrap_text=True, vertical="top")
    elif cp is not None:
        append(sheet, [labels["checkpoint"], cp["position"], cp["head"]])
        append(sheet, [labels["fingerprint"], cp["fingerprint"]])
    for column, size in zip("ABCDEFGHIJ", (8, 12, 26, 12, 36, 10, 8, 18, 10, 12)):
        sheet.column_dimensions[column].width = size
    sheet["A1"].alignment = Alignment(horizontal="left")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
