"""Ballots and voting rounds (rulebook section 18): open, cast, void, import, count (现场公布), tally;
and the demo's voting segment."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from api.cli import render
from api.cli.context import Context
from domain.errors import ImportRowError, InvalidValue


def cmd_open(ctx: Context) -> None:
    a = ctx.args
    outcome = ctx.app.execute(lambda s: s.open_voting(a.round, ctx.actor, ctx.key()), f"round {a.round}")
    ctx.recorded(outcome, f"已开启轮次 {a.round.upper()} 的第 1 轮投票", f"Voting round 1 of {a.round.upper()} is open")


def cmd_cast(ctx: Context) -> None:
    from domain.services.voting import split_choices

    a = ctx.args
    outcome = ctx.app.execute(lambda s: s.cast_ballot(a.round, a.group, a.ballot, split_choices(a.choices), ctx.actor,
                                                      ctx.key()), f"round {a.round}")
    done = outcome.value
    ctx.recorded(outcome, f"已登记第 {done['voting_round']} 轮投票的选票 {done['ballot']}",
                 f"Ballot {done['ballot']} of voting round {done['voting_round']} recorded")


def cmd_void(ctx: Context) -> None:
    a = ctx.args
    outcome = ctx.app.execute(lambda s: s.void_ballot(a.round, a.ballot, a.reason, ctx.actor, ctx.key()),
                              f"round {a.round}")
    ctx.recorded(outcome, f"已作废第 {outcome.value} 轮投票的选票 {a.ballot.upper()}",
                 f"Ballot {a.ballot.upper()} of voting round {outcome.value} voided")


COLUMNS = ["ballot", "group", "choices"]


def read_ballots(path: Path) -> tuple[str, str, list[tuple[int, str, str, str]]]:
    """(file name, SHA-256 of its bytes, rows) of a ballots file: columns ballot, group, choices
    (rulebook 18.2, import.md)."""
    import hashlib

    from api.importing.tables import read_table

    if not path.is_file():
        raise InvalidValue("file", str(path), "no such file", "找不到该文件")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    table = read_table(path, COLUMNS)
    if not table.rows:
        raise ImportRowError(table.file, None, None, "no ballots in the file", "文件中没有选票")
    return table.file, digest, [(r.number, r.get("ballot"), r.get("group"), r.get("choices")) for r in table.rows]


def cmd_import(ctx: Context) -> None:
    a = ctx.args
    file, digest, rows = read_ballots(Path(a.file))
    outcome = ctx.app.execute(lambda s: s.cast_ballots(a.round, rows, file, digest, ctx.actor), f"round {a.round}")
    done = outcome.value
    ctx.recorded(outcome, f"已导入第 {done['voting_round']} 轮投票的 {done['cast']} 张选票",
                 f"{done['cast']} ballots of voting round {done['voting_round']} imported")


def cmd_count(ctx: Context) -> None:
    a = ctx.args
    outcome = ctx.app.execute(lambda s: s.count_votes(a.round, ctx.actor, ctx.key()), f"round {a.round}")
    tally = outcome.value
    names = ctx.app.read(lambda s: {c: e.name for c, e in s.round(a.round).entrants.items()})
    print(tally_text(tally, names, ctx))
    if tally["last"]:
        ctx.recorded(outcome, f"已计票并公布最后一轮（第 {tally['voting_round']} 轮）投票，结果已计入 votes 成绩项",
                     f"The last voting round ({tally['voting_round']}) is counted and announced; the votes component "
                     "is fed")
    else:
        ctx.recorded(outcome, f"已计票并公布第 {tally['voting_round']} 轮投票；第 {tally['voting_round'] + 1} 轮投票已开启"
                     f"（候选 {len(tally['carried'])} 个）",
                     f"Voting round {tally['voting_round']} counted and announced; voting round "
                     f"{tally['voting_round'] + 1} is open ({len(tally['carried'])} candidates)")


def tally_text(tally: dict[str, Any], names: dict[str, str], ctx: Context) -> str:
    """A counted voting round as a table: rank, entrant, ballots per group, weighted tally, carried."""
    groups = tally["groups"]
    head = ctx.t(f"第 {tally['voting_round']} 轮投票（共 {tally['rounds']} 轮）：有效选票 {tally['valid']} 张，作废 "
                 f"{tally['voided']} 张；", f"Voting round {tally['voting_round']} of {tally['rounds']}: "
                 f"{tally['valid']} valid ballots, {tally['voided']} voided; ")
    head += "，".join(f"{g['name']} {g['ballots']} 张（权重 {g['weight']}）" for g in groups) if ctx.zh else \
        ", ".join(f"{g['name']} {g['ballots']} (weight {g['weight']})" for g in groups)
    empty = [g["name"] for g in groups if g["ballots"] == 0]
    if empty:
        head += "\n" + ctx.t(f"{'、'.join(empty)} 没有投票：其权重按比例分给其他组",
                             f"{', '.join(empty)} cast no ballot: its weight is shared out in proportion")
    rows = []
    for e in tally["entries"]:
        rows.append([f"{e['rank']}{'=' if e['tied'] else ''}", e["entrant"], names.get(e["entrant"], e["entrant"]),
                     *[e["by_group"][g["code"]] for g in groups], e["ballots"], e["shown"], e["weighted"],
                     (ctx.t("进入下一轮", "carried") if e["carried"] else "") if not tally["last"] else
                     str(tally["feed"].get(e["entrant"], 0))])
    last = ctx.t("计入票数", "fed") if tally["last"] else ctx.t("下一轮", "next")
    body = render.table([ctx.t("名次", "Rank"), ctx.t("组织", "Entrant"), ctx.t("名称", "Name"),
                         *[g["name"] for g in groups], ctx.t("总票数", "Ballots"), ctx.t("加权得票", "Weighted"),
                         ctx.t("精确值", "Exact"), last], rows, right=[0, *range(3, 6 + len(groups))])
    digest = ctx.t(f"选票摘要 {tally['digest']}", f"ballots digest {tally['digest']}")
    return f"{head}\n{body}\n{digest}"


def cmd_tally(ctx: Context) -> None:
    from api.cli.readside import view
    from projections.voting import ballot_boxes

    boxes = view(ctx, lambda read: ballot_boxes(read, ctx.args.round))
    if boxes is None:
        return
    if not boxes:
        ctx.say(f"轮次 {ctx.args.round.upper()} 还没有开启投票。", f"Round {ctx.args.round.upper()} has no voting yet.")
        return
    for box in boxes:
        if box["tally"]:
            print(tally_text(box["tally"], box["names"], ctx))
        else:
            cast = "，".join(f"{g} {n} 张" for g, n in box["by_group"].items()) if ctx.zh else \
                ", ".join(f"{g} {n}" for g, n in box["by_group"].items())
            ctx.say(f"第 {box['voting']} 轮投票：投票中，已登记 {box['ballots']} 张（{cast}），作废 {box['voided']} 张；"
                    f"候选 {len(box['candidates'])} 个：{'、'.join(box['candidates'])}",
                    f"Voting round {box['voting']}: open, {box['ballots']} ballots ({cast}), {box['voided']} voided; "
                    f"{len(box['candidates'])} candidates: {', '.join(box['candidates'])}")
        print()


# -- the demo's voting segment (api/cli/demo.py) -----------------------------------------------------

VOTE_ROUND = "R-WS-VOTE-2025"
GROUP_SIZES = (("party", "D", 30), ("people", "Q", 40), ("cadres", "G", 12))  # code, ballot prefix, ballots


def demo_voting(ctx: Context, app: Any, final: str, contest: str, scenario: Path, by: Any, step: Any) -> None:
    """The demo's voting segment (rulebook section 18): the banner final's entrants in a vote of
    two voting rounds under examples/wushen-2025/voting/popularity-2025.toml; each voting round
    counted and announced (现场公布), the last feeding the votes component."""
    import hashlib
    import random

    from domain.services.setup import RoundSpec

    rules = scenario / "voting" / "popularity-2025.toml"
    if not rules.is_file():
        return
    entrants = tuple(app.read(lambda s: sorted(s.round(final).entrants)))
    step("镇村投票：两轮投票，每轮计票后现场公布（示例数据）",
         "Village vote: two voting rounds, each counted and announced on the spot (illustrative data)")
    app.register_ruleset(rules.read_text(encoding="utf-8"), rules.name, by)
    app.schedule_round(contest, RoundSpec(VOTE_ROUND, "county", "WS", "2025-06", "popularity-2025",
                                          theme="镇村投票评选", entrants=entrants), by)
    app.open_round(VOTE_ROUND, by)
    app.open_voting(VOTE_ROUND, by)
    draw = random.Random(2025)  # the same ballots on every run
    names = app.read(lambda s: {c: e.name for c, e in s.round(VOTE_ROUND).entrants.items()})
    for _ in range(2):
        box = app.read(lambda s: s.current_box(VOTE_ROUND))
        favourites = box.candidates[: max(2, len(box.candidates) // 3)]
        rows = []
        for group, prefix, size in GROUP_SIZES:
            for i in range(size):
                pool = favourites if draw.random() < 0.6 else box.candidates
                picked = draw.sample(pool, min(draw.randint(1, 3), len(pool)))
                rows.append((len(rows) + 1, f"{prefix}{box.number}-{i + 1:03d}", group, ",".join(picked)))
        digest = hashlib.sha256(repr(rows).encode("utf-8")).hexdigest()  # as if the rows were a file
        app.run(lambda s, r=rows, d=digest: s.cast_ballots(VOTE_ROUND, r, "demo", d, by))
        tally = app.count_votes(VOTE_ROUND, by)
        print()
        print(tally_text(tally, names, ctx))
    app.close_round(VOTE_ROUND, by)
    from projections.ranking_json import ranking_document

    rnd, result = app.ranking(VOTE_ROUND)
    print()
    print(render.ranking_text(ranking_document(rnd, result), {}, ctx.lang))
