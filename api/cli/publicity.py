"""Commands after closing: publication and republication, objections and appeals and
their listing, finalization, promotion, and the results list (公示名单) as CSV or .xlsx."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from api.cli import render
from api.cli.context import Context, parse_date
from api.spreadsheets import append, csv_writer
from domain.errors import InvalidValue


def _round(ctx: Context) -> str:
    from domain.text import entity_code

    return entity_code(ctx.args.round, "round")


def _period(ctx: Context, p: Any) -> tuple[str, str]:
    calendar = "，".join(f"{y} 年：{render.calendar_source(s, 'zh')}" for y, s in p.calendar.items())
    calendar_en = ", ".join(f"{y}: {render.calendar_source(s, 'en')}" for y, s in p.calendar.items())
    today = ctx.app.clock.today().isoformat()
    if p.start > today:
        return (f"已安排公示：{p.start} 开始，{p.end} 结束（{p.days} 个工作日；节假日数据 {calendar}）；公示开始前不受理异议",
                f"publication scheduled: {p.start} to {p.end} ({p.days} working days; calendar {calendar_en}); "
                "objections are accepted from the first day")
    return (f"结果已公示，公示期 {p.start} 至 {p.end}（{p.days} 个工作日；节假日数据 {calendar}）",
            f"results published, publicity period {p.start} to {p.end} ({p.days} working days; calendar {calendar_en})")


def cmd_publish(ctx: Context) -> None:
    a = ctx.args
    on = parse_date(a.on)
    outcome = ctx.app.execute(lambda s: s.publish(a.round, ctx.actor, on, a.days, a.calendar_fallback),
                              f"round {a.round}")
    zh, en = _period(ctx, outcome.value)
    ctx.recorded(outcome, f"轮次 {_round(ctx)}：{zh}", f"Round {_round(ctx)}: {en}")


def cmd_republish(ctx: Context) -> None:
    a = ctx.args
    on = parse_date(a.on)
    outcome = ctx.app.execute(lambda s: s.republish(a.round, a.reason, ctx.actor, on, a.days, a.calendar_fallback),
                              f"round {a.round}")
    zh, en = _period(ctx, outcome.value)
    ctx.recorded(outcome, f"轮次 {_round(ctx)} 重新公示：{zh}", f"Round {_round(ctx)} published again: {en}")


def cmd_appeal_file(ctx: Context) -> None:
    a = ctx.args
    outcome = ctx.app.execute(lambda s: s.file_appeal(a.round, a.kind, a.name, a.contact, a.text, ctx.actor,
                                                      a.entrant, ctx.key()), f"round {a.round}")
    kind = render.appeal_kind(a.kind, ctx.lang)
    ctx.recorded(outcome, f"已受理{kind} {_round(ctx)}#{outcome.value}（编号 {outcome.value}）",
                 f"{kind.capitalize()} filed as {_round(ctx)}#{outcome.value} (number {outcome.value})")


def cmd_appeal_rule(ctx: Context) -> None:
    a = ctx.args
    outcome = ctx.app.execute(lambda s: s.rule_appeal(a.round, a.appeal, a.decision, a.reply, ctx.actor,
                                                      key=ctx.key()), f"round {a.round}")
    decision = render.decision(a.decision, ctx.lang)
    then = ("。请用 `--appeal {n}` 登记由此产生的更正（如 `leitai correct … --appeal {n}`），每项更正都会重新封存轮次；"
            "结果有变化时自动重新公示").format(n=a.appeal) if a.decision == "upheld" else ""
    then_en = (f". Record its remedies with `--appeal {a.appeal}` (e.g. `leitai correct … --appeal {a.appeal}`); each "
               "re-seals the round, and changed results are published again") if a.decision == "upheld" else ""
    ctx.recorded(outcome, f"已答复 {_round(ctx)}#{a.appeal}：{decision}{then}",
                 f"Ruled on {_round(ctx)}#{a.appeal}: {decision}{then_en}")


def cmd_appeals(ctx: Context) -> None:
    from api.cli.readside import view

    a = ctx.args
    rows = view(ctx, lambda read: read.appeals(a.round, a.contest, a.pending))
    if rows is None:
        return
    if not rows:
        ctx.say("没有" + ("尚未答复的" if a.pending else "") + "异议或申诉。",
                "No " + ("pending " if a.pending else "") + "objections or appeals.")
        return
    print(render.table(
        [ctx.t("轮次", "Round"), ctx.t("编号", "No."), ctx.t("类型", "Kind"), ctx.t("涉及组织", "Entrant"),
         ctx.t("提出人", "Filed by"), ctx.t("联系方式", "Contact"), ctx.t("受理日期", "Filed on"), ctx.t("状态", "State"),
         ctx.t("答复", "Ruling"), ctx.t("更正", "Remedies")],
        [[r["round"], r["appeal"], render.appeal_kind(r["kind"], ctx.lang), r["entrant"] or "-", r["name"],
          r["contact"], r["filed_on"], render.decision(r["decision"], ctx.lang),
          (f"{r['ruled_on']} {render.short(r['reply'], 30)}" if r["decision"] else ""),
          ", ".join(f"#{c}" for c in (r["corrections"] or "").split(",") if c)] for r in rows], right=[1]))


def cmd_finalize(ctx: Context) -> None:
    outcome = ctx.app.execute(lambda s: s.finalize(ctx.args.round, ctx.actor), f"round {ctx.args.round}")
    ctx.recorded(outcome, f"轮次 {_round(ctx)} 的结果已定案", f"Round {_round(ctx)} is final")


def cmd_promote(ctx: Context) -> None:
    outcome = ctx.app.execute(lambda s: s.promote(ctx.args.round, ctx.actor), f"round {ctx.args.round}")
    p = outcome.value
    ctx.recorded(outcome, f"晋级：{'、'.join(p['promoted']) or '无'}；候补：{'、'.join(p['reserves']) or '无'}",
                 f"Promoted: {', '.join(p['promoted']) or 'none'}; reserves: {', '.join(p['reserves']) or 'none'}")


# -- the results list ------------------------------------------------------------------------


def cmd_export_results(ctx: Context) -> None:
    """The publicity list: every entrant with its rank, score, award and promotion, headed
    by the round, its state, the publicity period, the seal and the covering checkpoint."""
    from api.cli.readside import current

    path = Path(ctx.args.file)
    if path.suffix.lower() not in (".csv", ".xlsx"):
        raise InvalidValue("file", ctx.args.file, "the file name must end in .csv or .xlsx", "文件名应以 .csv 或 .xlsx 结尾")
    read = current(ctx)
    try:
        board = read.leaderboard(ctx.args.round)
        pin = read.head_for(board["round"]) or read.checkpoint_for(board["round"])
    finally:
        read.close()
    head, rows = results_table(board, pin, ctx.lang)
    try:
        if path.suffix.lower() == ".csv":
            with path.open("w", encoding="utf-8-sig", newline="") as out:  # with a BOM: Excel reads it as UTF-8
                writer = csv_writer(out)  # a field that begins like a formula behind a quote
                for line in head:
                    writer.writerow(line)
                writer.writerows(rows)
        else:
            _write_xlsx(path, head, rows, board["round"])
    except OSError as error:
        raise InvalidValue("file", ctx.args.file, f"cannot be written ({error.strerror})",
                           f"无法写入（{error.strerror}）") from None
    ctx.say(f"已导出轮次 {board['round']} 的结果（{len(rows) - 1} 个组织）到 {path}。",
            f"Exported the results of round {board['round']} ({len(rows) - 1} entrants) to {path}.")


def results_table(board: dict[str, Any], checkpoint: dict[str, Any] | None,
                  lang: str) -> tuple[list[list[str]], list[list[Any]]]:
    zh = lang.startswith("zh")
    head = [[("轮次" if zh else "Round"), board["round"], board.get("theme") or ""],
            [("状态" if zh else "State"), render.status_text(board["status"], lang),
             render.publicity_text(board.get("publicity"), lang)],
            [("封存值" if zh else "Seal"), board["seal"] or ("尚未封存（暂定）" if zh else "not sealed (provisional)")]]
    if checkpoint is not None and "cosigned" in checkpoint:  # a signed tree head: the whole checkpoint note
        head.append([("签名检查点" if zh else "Checkpoint"), checkpoint["cosigned"]])
    elif checkpoint is not None:  # a round sealed before the tree existed: its chain checkpoint
        head.append([("签名检查点" if zh else "Checkpoint"), f"#{checkpoint['position']} {checkpoint['head'][:16]}…",
                     ("公钥指纹 " if zh else "key ") + checkpoint["fingerprint"]])
    head.append([])
    columns = ["名次", "组织代码", "名称", "书记", "最终得分", "并列", "奖项", "晋级"] if zh else \
        ["Rank", "Code", "Name", "Secretary", "Final", "Tied", "Award", "Promotion"]
    rows: list[list[Any]] = [columns]
    for e in board["entries"]:
        rows.append([e["rank"] if e["rank"] is not None else "-", e["entrant"], e["name"],
                     e.get("secretary") or "", e["final"] or "-",
                     ("是" if zh else "yes") if e["tied"] else "", board["awards"].get(e["award"], e["award"] or ""),
                     render.label(e["promotion"], lang)])
    return head, rows


def _write_xlsx(path: Path, head: list[list[str]], rows: list[list[Any]], title: str) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    for line in head:
        append(sheet, line)
    append(sheet, rows[0])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in rows[1:]:
        append(sheet, row)
    for column, width in zip("ABCDEFGH", (8, 14, 28, 12, 12, 8, 14, 12)):
        sheet.column_dimensions[column].width = width
    book.save(path)


def dump(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))
