"""``leitai demo``: the example contest from first import to the banner final.

It runs on a drill clock (the dates of the example, May 2025) so that the publicity
periods, the objection window and finalization happen as they would on the day.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

from api.cli import render
from api.importing.scenario import import_scenario
from api.wiring import open_app
from domain.services.clock import FixedClock
from domain.services.store import parse_url
from projections.ranking_json import ranking_document

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "wushen-2025"
FINAL = "R-WS-FINAL-2025"


def run_demo(ctx: Any) -> None:
    zh = ctx.zh
    scenario = Path(ctx.args.scenario) if ctx.args.scenario else EXAMPLE
    url = ctx.args.db or os.environ.get("LEITAI_DATABASE_URL") or "sqlite:///demo.db"
    store = parse_url(url)
    if ctx.args.fresh and store.kind == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(store.path + suffix).unlink(missing_ok=True)
    clock = FixedClock("2025-05-20T09:00")
    app = open_app(url, clock=clock)
    by = ctx.actor

    def step(zh_text: str, en_text: str) -> None:
        print(f"\n== {clock.today().isoformat()}  {zh_text if zh else en_text}")

    step("导入示例场景（示例数据）", "Import the example scenario (illustrative data)")
    print(f"   {store.display}  ←  {scenario}")
    reports = import_scenario(app, scenario, by, ctx.progress)
    print("   " + ("，".join(f"{r.file} {r.recorded}" for r in reports) if zh else
                   ", ".join(f"{r.file}: {r.recorded}" for r in reports)))
    townships = sorted(c for c in app.read(lambda s: s.contest("wushen-2025").rounds) if c != FINAL)

    step("各苏木镇擂台赛结束评分并封存", "Close and seal the township rounds")
    for code in townships:
        app.close_round(code, by)
    for code in townships:
        rnd, result = app.ranking(code)
        doc = ranking_document(rnd, result)
        print()
        print(render.ranking_text(doc, {}, ctx.lang))

    step("公示 5 个工作日（按国家法定节假日计算）", "Publish: 5 working days of publicity (mainland-China calendar)")
    for code in townships:
        p = app.publish(code, by, on=clock.today())
    print(f"   {p.start} — {p.end}  ({p.calendar})")
    clock.set("2025-05-22T15:30")
    appeal = app.file_appeal(townships[0], "objection", "王某某", "139****0000",
                             "对第 2 名的产业得分有异议", by)
    step(f"收到实名异议 {townships[0]}#{appeal}", f"Named objection received: {townships[0]}#{appeal}")
    clock.set("2025-05-23T10:00")
    app.rule_appeal(townships[0], appeal, "dismissed", "经核查评分表原件与录入一致，异议不成立。", by)
    print("   " + ("已书面答复：不予支持。" if zh else "Replied in writing: dismissed."))

    clock.set("2025-05-27T08:30")
    step("公示期满、异议均已答复：定案并晋级旗级决赛", "Publicity over, objections ruled: finalize and promote")
    for code in townships:
        app.finalize(code, by)
        promoted = app.promote(code, by)
        print(f"   {code}: " + ("晋级 " if zh else "promoted ") + ", ".join(promoted["promoted"])
              + ("；候补 " if zh else "; reserves ") + ", ".join(promoted["reserves"]))

    clock.set("2025-05-27T17:00")
    step("旗级决赛：导入评分、日常表现和扣分，结束评分", "Banner final: import sheets, daily scores and penalty; close")
    import_scenario(app, scenario / "final", by, ctx.progress)
    app.close_round(FINAL, by)
    rnd, result = app.ranking(FINAL)
    doc = ranking_document(rnd, result)
    funds = {a.code: a for a in result.rules.awards}
    names = {code: f"{a.name}（{int(a.fund or 0) // 10000}万元）" if zh else f"{a.code} ({int(a.fund or 0):,} yuan)"
             for code, a in funds.items()}
    print()
    print(render.ranking_text(doc, names, ctx.lang))
    p = app.publish(FINAL, by, on=date(2025, 5, 28))
    step(f"决赛结果公示至 {p.end}", f"Final results published until {p.end}")
    champion = doc["entries"][0]["entrant"]
    db = f"--db {url} " if ctx.args.db or url != "sqlite:///demo.db" else "--db sqlite:///demo.db "
    print(("\n查看任一名次的来龙去脉（每份评分表、去掉的最高分最低分、加减分、舍入、并列判定）：\n" if zh else
           "\nSee how any result was reached (each sheet, what was trimmed, adjustments, rounding, ties):\n")
          + f"   leitai {db}explain {FINAL} {champion}\n   leitai {db}ranking {FINAL} --json")
    app.close()
