"""Comments (点评, rulebook section 17) on the score sheet (评分汇总表): a part of its own,
after the judges' marks, in the printable HTML and as a sheet of the .xlsx.  Never part of
a score: the section says so.  A withdrawn comment is not printed."""

from __future__ import annotations

import html
from typing import Any


def gather_comments(read: Any, code: str) -> list[dict[str, Any]]:
    """The comments the score sheet prints: every one not withdrawn (whoever may read the score
    sheet may read these: domain.access.sees_all_marks, comment_as_seen)."""
    from projections.comments import comments

    return [c for c in comments(read, code) if c["state"] != "withdrawn"]


def _in_order(data: dict[str, Any]) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """(entrant, its comments) in the ranking's order, entrants without comments left out."""
    said: dict[str, list[dict[str, Any]]] = {}
    for c in data.get("comments") or []:
        said.setdefault(c["entrant"], []).append(c)
    return [(x, said[x["entrant"]]) for x in data["explanations"] if x["entrant"] in said]


def author(c: dict[str, Any], zh: bool) -> str:
    if c["author_kind"] == "leader":
        return c["author"] or ""
    return f"评委 {c['author']}（{c['judge']}）" if zh else f"Judge {c['author']} ({c['judge']})"


def correction_note(c: dict[str, Any], zh: bool) -> str:
    """``2025-05-30 10:02 更正，理由：措辞`` for each correction (the text printed is the last)."""
    notes = [(f"{h['at'] or ''} 更正，理由：{h['reason']}" if zh else f"corrected {h['at'] or ''}: {h['reason']}")
             for h in c["history"] if h["what"] == "corrected"]
    return "；".join(notes) if zh else "; ".join(notes)


def comments_html(data: dict[str, Any], zh: bool) -> str:
    grouped = _in_order(data)
    if not grouped:
        return ""
    e = html.escape
    title = "三、点评（不计入成绩）" if zh else "3. Comments (never part of a score)"
    heads = ("<th class='l'>点评人</th><th>环节</th><th class='l'>点评内容</th>" if zh else
             "<th class='l'>By</th><th>Stage</th><th class='l'>Comment</th>")
    out = [f"<section class='comments'><h2>{title}</h2>"]
    for x, said in grouped:
        who = f"{x['entrant']} {x['name']}"  # not as the marks' headings write it: one entrant, one page of marks
        rows = []
        for c in said:
            note = correction_note(c, zh)
            text = e(c["text"]).replace("\n", "<br>")
            rows.append(f"<tr><td class='l'>{e(author(c, zh))}</td><td>{e(c['stage'] or '')}</td>"
                        f"<td class='l'>{text}" + (f"<small class='b'>{e(note)}</small>" if note else "") + "</td></tr>")
        out.append(f"<div class='entrant'><h3><span>{e(who)}</span></h3><table class='said'><thead><tr>{heads}</tr>"
                   f"</thead><tbody>{''.join(rows)}</tbody></table></div>")
    out.append("</section>")
    return "".join(out)


def comments_sheet(book: Any, data: dict[str, Any], zh: bool, append: Any) -> None:
    """A sheet "点评": one row per comment (every text a text cell: api/spreadsheets.py)."""
    from openpyxl.styles import Alignment, Font

    if not data.get("comments"):
        return
    sheet = book.create_sheet("点评" if zh else "Comments")
    append(sheet, ["点评（不计入成绩）" if zh else "Comments (never part of a score)"])
    append(sheet, ["编号", "组织代码", "名称", "点评人", "环节", "点评内容", "更正"] if zh else
           ["No.", "Code", "Name", "By", "Stage", "Comment", "Corrections"])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for x, said in _in_order(data):
        for c in said:
            append(sheet, [c["comment"], x["entrant"], x["name"], author(c, zh), c["stage"] or "", c["text"],
                           correction_note(c, zh)])
            sheet.cell(row=sheet.max_row, column=6).alignment = Alignment(wrap_text=True, vertical="top")
    for column, size in zip("ABCDEFG", (6, 14, 20, 24, 12, 60, 30)):
        sheet.column_dimensions[column].width = size
