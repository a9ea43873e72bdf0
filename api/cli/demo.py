"""``leitai demo``: the example contest from first import to the banner final and stars.

It runs on a drill clock (the dates of the example, May-June 2025) so that the publicity
periods, the objection window and finalization happen as they would on the day: the
township rounds are scored, closed and published; one objection is dismissed and one
upheld, its correction re-sealing the round and publishing the changed results again;
the rounds are finalized and the top entrants promoted into the banner final, which is
scored, closed and published with its prizes; the star recommendations are evaluated.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from api.cli import render
from api.cli.context import Context, cannot_listen

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "wushen-2025"
CONTEST = "wushen-2025"
FINAL = "R-WS-FINAL-2025"


def cmd_demo(ctx: Context) -> None:
    from api.importing.scenario import import_scenario
    from api.wiring import open_app
    from domain.services.clock import FixedClock
    from domain.services.store import parse_url
    from projections.ranking_json import ranking_document

    zh = ctx.zh
    scenario = Path(ctx.args.scenario) if ctx.args.scenario else EXAMPLE
    url = ctx.db or "sqlite:///demo.db"  # never LEITAI_DATABASE_URL: the demo is not for a real store
    store = parse_url(url)
    if ctx.args.fresh and store.kind == "sqlite":
        _refuse_to_wipe_a_real_store(store)
        for suffix in ("", "-wal", "-shm"):
            Path(store.path + suffix).unlink(missing_ok=True)
        forget_keys(store)  # a fresh demo signs with a fresh key, and no earlier token is valid
    clock = FixedClock("2025-05-20T09:00")
    app = open_app(url, clock=clock)
    ctx._app = app  # noqa: SLF001 - closed by the command line when the demo ends
    by = ctx.actor

    def step(zh_text: str, en_text: str) -> None:
        print(f"\n== {clock.today().isoformat()}  {zh_text if zh else en_text}")

    def show(code: str, names: dict[str, str] | None = None) -> None:
        rnd, result = app.ranking(code)
        print()
        print(render.ranking_text(ranking_document(rnd, result), names or {}, ctx.lang))

    step("导入示例场景（示例数据）", "Import the example scenario (illustrative data)")
    print(f"   {store.display}  ←  {scenario}")
    reports = import_scenario(app, scenario, by, ctx.progress)
    print("   " + ("，".join(f"{r.file} {r.recorded}" for r in reports) if zh else
                   ", ".join(f"{r.file}: {r.recorded}" for r in reports)))
    townships = sorted(c for c in app.read(lambda s: s.contest(CONTEST).rounds) if c != FINAL)

    step("各苏木镇擂台赛结束评分并封存", "Close and seal the township rounds")
    for code in townships:
        app.close_round(code, by)
    for code in townships:
        show(code)

    step("公示 5 个工作日（按国家法定节假日计算）", "Publish: 5 working days of publicity (mainland-China calendar)")
    for code in townships:
        p = app.publish(code, by, on=clock.today())
    print(f"   {p.start} — {p.end}")

    first, second = townships[0], townships[1]
    clock.set("2025-05-22T15:30")
    dismissed = app.file_appeal(first, "objection", "王某某", "139****0000", "对第 2 名的产业得分有异议", by)
    upheld = app.file_appeal(second, "objection", "李某某", "138****1111", "评委 J03 给 1 号村的党建分录入有误", by)
    step(f"收到实名异议 {first}#{dismissed}、{second}#{upheld}", f"Named objections: {first}#{dismissed}, {second}#{upheld}")

    clock.set("2025-05-23T10:00")
    app.rule_appeal(first, dismissed, "dismissed", "经核查评分表原件与录入一致，异议不成立。", by)
    print("   " + (f"{first}#{dismissed}：书面答复，不予支持。" if zh else f"{first}#{dismissed}: dismissed in writing."))
    app.rule_appeal(second, upheld, "upheld", "经核对评分表原件，J03 的党建分应为 27.5，予以更正。", by)
    rnd, _ = app.ranking(second)
    entrant, judge = _sheet_of(rnd, "J03")
    marks = dict(rnd.sheets[rnd.live[(judge, entrant)]].marks, party="27.5")
    app.correct_sheet(second, judge, entrant, marks, "申诉成立：按评分表原件更正", by, appeal=upheld)
    rnd, _ = app.ranking(second)
    print("   " + (f"{second}#{upheld}：予以支持，更正 {judge} 对 {entrant} 的评分表，重新封存；结果有变化，重新公示 "
                   f"{rnd.publicity.start} 至 {rnd.publicity.end}。" if zh else
                   f"{second}#{upheld}: upheld; {judge}'s sheet for {entrant} corrected, the round re-sealed; the "
                   f"results changed, so they are published again {rnd.publicity.start} to {rnd.publicity.end}."))

    clock.set(_after(max(app.ranking(c)[0].publicity.end for c in townships)) + "T08:30")
    step("公示期满、异议均已答复：定案并晋级旗级决赛", "Publicity over, objections ruled: finalize and promote")
    for code in townships:
        app.finalize(code, by)
        promoted = app.promote(code, by)
        print(f"   {code}: " + ("晋级 " if zh else "promoted ") + ", ".join(promoted["promoted"])
              + ("；候补 " if zh else "; reserves ") + (", ".join(promoted["reserves"]) or "-"))

    clock.set(clock.today().isoformat() + "T17:00")
    step("旗级决赛：导入评分、日常表现和扣分，结束评分", "Banner final: import sheets, daily scores and penalty; close")
    import_scenario(app, scenario / "final", by, ctx.progress)
    from api.cli.comments import demo_comments  # 点评 (rulebook section 17)
    demo_comments(ctx, app, FINAL, by, step)
    app.close_round(FINAL, by)
    rnd, result = app.ranking(FINAL)
    names = {a.code: (f"{a.name}（{int(a.fund or 0) // 10000}万元）" if zh else f"{a.code} ({int(a.fund or 0):,} yuan)")
             for a in result.rules.awards}
    show(FINAL, names)
    p = app.publish(FINAL, by, on=clock.today())
    step(f"决赛结果公示至 {p.end}", f"Final results published until {p.end}")
    from api.cli.voting import demo_voting  # 投票 (rulebook section 18)
    demo_voting(ctx, app, FINAL, CONTEST, scenario, by, step)
    from api.cli.evidence import demo_evidence  # 荣誉、平台数据、红旗 (rulebook section 19)
    demo_evidence(ctx, app, CONTEST, scenario, by, step)

    step("星级评定：按年度得分计算建议（初评）", "Stars: the computed recommendations (initial evaluation)")
    evaluated = app.run(lambda s: [(code, s.evaluate_initially(CONTEST, code, "township", "2025", by))
                                   for code in sorted(s.star_recommendations(CONTEST, "township", "2025"))])
    counts: dict[Any, int] = {}
    for _, basis in evaluated:
        counts[basis["stars"]] = counts.get(basis["stars"], 0) + 1
    print("   " + "，".join(f"{render.stars(k, ctx.lang)} {v}" for k, v in sorted(counts.items(), key=lambda i: -(i[0] or 0))))

    from api.cli.tracks import demo_tracks  # 赛道 (rulebook section 20)
    demo_tracks(ctx, app, CONTEST, by, step)

    from api.cli.work import demo_work  # 结果运用 (sections 15-16)
    demo_work(app, clock, by, step, zh, CONTEST)

    accounts = demo_accounts(app, by)
    head = app.sign_head(["demo"], by).value  # the whole demo under one signed head
    step(f"签署日志的树头：{head.size} 条事件（公示和评分汇总表上印的就是这样的签名检查点）",
         f"The log's head signed: {head.size} events (notices and score sheets print such a checkpoint)")
    print("   " + head.note.rstrip("\n").replace("\n", "\n   "))

    champion = app.ranking(FINAL)[1].entries[0].entrant
    db = f"--db {url} "
    print(("\n查看任一名次的来龙去脉（每份评分表、去掉的最高分最低分、加减分、舍入、并列判定）：\n" if zh else
           "\nSee how any result was reached (each sheet, what was trimmed, adjustments, rounding, ties):\n")
          + f"   leitai {db}audit {FINAL} {champion}\n   leitai {db}appeals --contest {CONTEST}\n"
          f"   leitai {db}stars {CONTEST} township 2025\n   leitai {db}verify\n"
          f"   leitai {db}prove inclusion {FINAL} {champion} --out proof.json\n"
          f"   leitai verify --proof proof.json --key {app.signer.public_hex}")
    if ctx.args.no_serve:
        return
    from api.serve import serve

    print("\n" + ("演示账号（每个角色一个；密码只显示这一次）：" if zh else "Demo accounts (one per role; passwords shown once):"))
    for name, role, scope, password in accounts:
        print(f"   {name:<14} {role:<13} {scope:<28} {password}")
    print()
    try:
        serve(app.store, "127.0.0.1", ctx.args.port, 64, ctx.say, application=app, warn=ctx.warn)
    except (OSError, ValueError) as error:  # the demo is recorded: serve it on another port without playing it again
        refused = cannot_listen(error, "127.0.0.1", ctx.args.port, f"leitai {db}serve --port 5050 (make demo PORT=5050)")
        if refused is None:
            raise
        raise refused from None


DEMO_ACCOUNTS = [
    ("admin", "admin", {}, "系统管理员 / administrator"),
    ("county", "admin", {"contest": CONTEST, "unit": "WS"}, "旗委组织部 / the banner's department"),
    ("township-gl", "admin", {"contest": CONTEST, "unit": "WS-GL"}, "嘎鲁图镇 / a township"),
    ("judge-j01", "judge", {"contest": CONTEST, "judge": "J01"}, "评委 J01 / a judge"),
    ("org-ws-gl-03", "organization", {"organization": "WS-GL-03"}, "敖包塔拉村 / an organization"),
    ("auditor", "auditor", {}, "纪检监督 / an auditor"),
]


def demo_accounts(app: Any, by: Any) -> list[tuple[str, str, str, str]]:
    """One account per role, each with a fresh one-time password."""
    from eventstore.sidecar import Sidecar, new_password, prepare

    sidecar = Sidecar(app.store)
    out = []

    def work(s: Any) -> None:
        for name, role, scope, display in DEMO_ACCOUNTS:
            if s.find_account(name) is None:
                s.create_account(name, display.split(" / ")[0], by)
            s.grant_role(name, role, scope, "demo account", by)

    app.run(work)
    for name, role, scope, _ in DEMO_ACCOUNTS:
        password = new_password()
        stored, commitment = prepare(password)
        app.run(lambda s, n=name, c=commitment: s.password_changed(n, by, commitment=c))
        sidecar.store_hash(name, stored)
        out.append((name, role, ", ".join(f"{k}={v}" for k, v in scope.items()) or "-", password))
    sidecar.close()
    return out


def forget_keys(store: Any = "sqlite:///demo.db") -> list[Path]:
    """Delete the key files derived from the demo's database file (its signing key and token
    key in the data directory, an earlier version's key beside it), never a key a setting
    names (LEITAI_SIGNING_KEY, LEITAI_SECRET_KEY_FILE); the ones deleted.  ``make clean``
    calls it too."""
    from domain.services.store import parse_url
    from eventstore.keys import key_files

    if isinstance(store, str):
        store = parse_url(store)
    deleted = []
    for path in key_files(store):
        if path.is_file():
            path.unlink()
            deleted.append(path)
    return deleted


def _refuse_to_wipe_a_real_store(store: Any) -> None:
    """--fresh deletes the file only if it holds nothing but the demo's own contest."""
    import sqlite3

    from domain.errors import StoreError

    path = Path(store.path)
    if not path.exists() or path.stat().st_size == 0:
        return
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            codes = {row[0] for row in conn.execute(
                "SELECT json_extract(CAST(state AS TEXT), '$.code') FROM stored_events "
                "WHERE topic = 'domain.model.contest:Contest.Created'")}
    except sqlite3.DatabaseError:
        codes = {"?"}
    if codes - {CONTEST}:
        raise StoreError(problem=f"{path} holds other contests ({', '.join(sorted(codes - {CONTEST}))}); the demo "
                                 "does not delete it. Give the demo its own file: --db sqlite:///demo.db",
                         problem_zh=f"{path} 中有其他比武活动（{'、'.join(sorted(codes - {CONTEST}))}），演示不会删除它。"
                                    "请为演示另用一个文件：--db sqlite:///demo.db")


def _sheet_of(rnd: Any, judge: str) -> tuple[str, str]:
    """The first entrant (by code) judge ``judge`` scored in the round."""
    entrant = sorted(e for (j, e) in rnd.live if j == judge)[0]
    return entrant, judge


def _after(day: str) -> str:
    from datetime import timedelta

    return (date.fromisoformat(day) + timedelta(days=1)).isoformat()
