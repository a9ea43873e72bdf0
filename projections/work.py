"""The read models of consequences as tracked work (结果运用, rulebook sections 15-16):
tasks on the ladder, pairs and their exchanges against the obligation, each closed
period's classes; and the queries the command line, the API and the pages ask.

Overdue is not stored: a task is overdue when it is open and its due date lies before
the day the asker gives (the application's clock), so the answer never goes stale.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import orjson

from domain.errors import PairNotFound, TaskNotFound
from domain.model.pair import month_after
from domain.rules.ladder import RECORD_ZH
from domain.rules.standings import check_period
from projections.tables import WORK_CLASSES, WORK_PAIRS, WORK_TASKS

STATE_ZH = {"open": "待办", "done": "已办结", "excused": "已免办", "overdue": "逾期", "late": "逾期办结"}
STATE_EN = {"open": "open", "done": "done", "excused": "excused", "overdue": "overdue", "late": "done late"}
PAIR_STATE_ZH = {"active": "结对中", "ended": "已结束"}
PER_ZH = {"month": "每月", "quarter": "每季度"}


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()


def work_rows(computer: Any, dirty: Any, changes: Any) -> None:
    """The part (projections.parts): the tasks, pairs and closed periods a batch touched."""
    folder = computer.folder
    positions = folder.other_positions
    tasks = folder.others.get("Task", {})
    for key in sorted(set(tasks) if dirty.everything else dirty.others.get("Task", set()), key=str):
        t = tasks.get(key)
        if t is None:
            continue
        changes.replacing(WORK_TASKS, ("task",), (t.code,))
        changes.rows[WORK_TASKS.name].append((
            t.code, t.contest, t.unit, t.period, t.track, t.entrant, t.name, t.rung, t.step, t.streak, t.action,
            t.action_name, t.by_whom, t.due, _json(t.record), t.why_zh, t.why_en, t.issued_on, t.state,
            _json(t.done) if t.done else "", t.reason, positions.get(key, 0)))
    pairs = folder.others.get("Pair", {})
    for key in sorted(set(pairs) if dirty.everything else dirty.others.get("Pair", set()), key=str):
        p = pairs.get(key)
        if p is None:
            continue
        changes.replacing(WORK_PAIRS, ("pair",), (p.code,))
        changes.rows[WORK_PAIRS.name].append((
            p.code, p.contest, p.unit, p.period, p.track, p.leader, p.leader_name, p.lagger, p.lagger_name, p.by_whom,
            p.exchanges, p.per, p.start, p.end, _json(p.record), p.why_zh, p.why_en, p.state, _json(p.log),
            _json(p.ended) if p.ended else "", positions.get(key, 0)))
    results = folder.others.get("PeriodResult", {})
    for key in sorted(set(results) if dirty.everything else dirty.others.get("PeriodResult", set()), key=str):
        r = results.get(key)
        if r is None:
            continue
        changes.replacing(WORK_CLASSES, ("contest", "unit", "period", "track"), (r.contest, r.unit, r.period, r.track))
        for s in r.standings:
            code = r.classes.get(s["entrant"], "")
            changes.rows[WORK_CLASSES.name].append((
                r.contest, r.unit, r.period, r.track, s["entrant"], s["name"], s["rank"], s["score"], code,
                r.class_names.get(code, code), r.on, r.digest))


# -- queries ------------------------------------------------------------------------------------


def task_row(row: dict[str, Any], today: date) -> dict[str, Any]:
    out = dict(row)
    out["record"] = orjson.loads(out["record"] or "[]")
    out["record_zh"] = [RECORD_ZH.get(r, r) for r in out["record"]]
    out["done"] = orjson.loads(out["done"]) if out["done"] else None
    out["overdue"] = out["state"] == "open" and out["due"] < today.isoformat()
    # done after its due date: done, and shown as done late (rulebook 15.2)
    done = out["done"] or {}
    out["late"] = out["state"] == "done" and any((done.get(k) or "") > out["due"] for k in ("date", "recorded_on"))
    shown = "overdue" if out["overdue"] else "late" if out["late"] else out["state"]
    out["state_zh"], out["state_en"] = STATE_ZH[shown], STATE_EN[shown]
    out.pop("position", None)
    return out


def _contest(read: Any, contest: str) -> str:
    return read.contest(contest)["contest"]  # ContestNotFound for a contest that does not exist


def tasks(read: Any, contest: str, today: date, *, unit: str | None = None, entrant: str | None = None,
          overdue: bool = False, period: str | None = None) -> list[dict[str, Any]]:
    """The tasks of a contest (of a unit, an entrant, a period), due first; ``overdue`` keeps
    only the open ones past their due date."""
    where: dict[str, Any] = {"contest": _contest(read, contest)}
    if unit:
        where["unit"] = unit
    if entrant:
        where["entrant"] = entrant
    if period:
        where["period"] = period
    rows = [task_row(r, today) for r in read.store.select(WORK_TASKS, where, order="due, task")]
    return [r for r in rows if r["overdue"]] if overdue else rows


def task(read: Any, code: str, today: date) -> dict[str, Any]:
    rows = read.store.select(WORK_TASKS, {"task": code})
    if not rows:
        raise TaskNotFound(task=code)
    return task_row(rows[0], today)


def pair_row(row: dict[str, Any], today: date) -> dict[str, Any]:
    """A pair with its exchanges counted per month (or quarter) of its span against the
    obligation: a past one short of it is "short", the current one "running"; later ones
    are not listed (rulebook 15.3)."""
    out = dict(row)
    out["record"] = orjson.loads(out["record"] or "[]")
    out["log"] = orjson.loads(out["log"] or "[]")
    out["ended"] = orjson.loads(out["ended"]) if out["ended"] else None
    out["state_zh"] = PAIR_STATE_ZH.get(out["state"], out["state"])
    out["per_zh"] = PER_ZH.get(out["per"], out["per"])
    windows = exchange_windows(out["start_month"], out["end_month"], out["per"], out["exchanges"], out["log"],
                               out["state"], today)
    out["windows"] = windows
    out["short"] = sum(1 for w in windows if w["status"] == "short")
    out.pop("position", None)
    return out


def exchange_windows(start: str, end: str, per: str, required: int, log: list[dict[str, Any]], state: str,
                     today: date) -> list[dict[str, Any]]:
    """Each month (or quarter) of a pair's span up to today, with its exchanges against the obligation."""
    now = today.isoformat()[:7]
    step = 3 if per == "quarter" else 1
    windows, month = [], start
    while month <= end:
        last = min(month_after(month, step - 1), end)
        if month > now:
            break
        inside = [x for x in log if x.get("date") and month <= x["date"][:7] <= last]
        count = len(inside)
        # recorded after the window was over: it counts, but a window it alone brings up to the
        # obligation shows as met by late entries (rulebook 15.3)
        in_time = sum(1 for x in inside if not x.get("recorded_on") or x["recorded_on"][:7] <= last)
        if in_time >= required:
            status = "met"
        elif count >= required:
            status = "late"
        elif last >= now and state == "active":
            status = "running"
        else:
            status = "short"
        windows.append({"from": month, "to": last, "count": count, "required": required, "status": status,
                        "status_zh": {"met": "已达到", "running": "进行中", "short": "未达到",
                                      "late": "补录后达到"}[status]})
        month = month_after(last, 1)
    return windows


def pairs(read: Any, contest: str, today: date, *, unit: str | None = None,
          entrant: str | None = None) -> list[dict[str, Any]]:
    where: dict[str, Any] = {"contest": _contest(read, contest)}
    if unit:
        where["unit"] = unit
    rows = [pair_row(r, today) for r in read.store.select(WORK_PAIRS, where, order="period, pair")]
    return [r for r in rows if entrant in (r["leader"], r["lagger"])] if entrant else rows


def pair(read: Any, code: str, today: date) -> dict[str, Any]:
    rows = read.store.select(WORK_PAIRS, {"pair": code})
    if not rows:
        raise PairNotFound(pair=code)
    return pair_row(rows[0], today)


def classes(read: Any, contest: str, unit: str, period: str) -> list[dict[str, Any]]:
    """The classes of a closed period, by track then rank ([] when it was not closed)."""
    code = read.unit(contest, unit)["code"]  # UnitNotFound / ContestNotFound
    return read.store.select(WORK_CLASSES, {"contest": _contest(read, contest), "unit": code,
                                            "period": check_period(period)}, order="track, rank, entrant")


def class_history(read: Any, organization: str) -> list[dict[str, Any]]:
    """Each closed period's standing and class of one organization, the oldest first."""
    code = read.organization(organization)["organization"]  # OrganizationNotFound
    return read.store.select(WORK_CLASSES, {"entrant": code}, order="period, contest, unit")


def overdue_count(read: Any, contest: str, today: date) -> int:
    return len(tasks(read, contest, today, overdue=True))


# -- replay (leitai replay --rules): what would change in the classes and the tasks ----------------


def replay_work(folder: Any, scopes: list[tuple[str, str]], rounds_of: Any, track_of: Any) -> list[dict[str, Any]]:
    """For each unit whose final rounds a replay recomputes and each of its periods: the classes
    and the consequences (tasks and pairs, by rung, entrant and step) recorded when the period
    was closed - or that closing it would issue now - against what the new rules would give.
    ``rounds_of(contest, unit, label)`` gives the unit's FinalRounds "before" or "after"."""
    from domain.rules.ladder import certified_stars, plan
    from domain.rules.standings import periods_of, previous_period
    from domain.rules.tracks import period_standings_by_track

    results = {r.code: r for r in folder.others.get("PeriodResult", {}).values()}
    out = []
    for contest, unit in scopes:
        old, new = rounds_of(contest, unit, "before"), rounds_of(contest, unit, "after")
        for period in sorted({p for r in old for p in periods_of(r.period)}):
            before_split = period_standings_by_track(old, period, track_of(period, contest))
            after_split = period_standings_by_track(new, period, track_of(period, contest))
            prev = previous_period(period)
            for track in sorted(set(before_split) | set(after_split)):
                code = f"{contest}:{unit}:{period}" + (f":{track}" if track else "")
                prior = results.get(f"{contest}:{unit}:{prev}" + (f":{track}" if track else "")) if prev else None
                streak = (lambda key, entrant, p=prior: p.streak(key, entrant) if p is not None else 0)
                level = getattr(folder.contests[contest].units.get(unit), "level", "")
                entrants = sorted({s.entrant for split in (before_split, after_split)
                                   for s in split.get(track, (None, [], []))[2]})
                # the star band (who = stars:<n>): the ratings as they stand now
                stars = certified_stars(lambda o, lv, cy: folder.certifications.get((o, lv, cy)), entrants, level,
                                        period)
                previous_split = period_standings_by_track(old, prev, track_of(prev, contest)) if prev else {}
                previous = previous_split.get(track, (None, [], []))[2]
                closed = results.get(code)
                if closed is not None:
                    b_classes = dict(closed.classes)
                    b_items = {(c["rung"], c["entrant"], c["step"]) for c in closed.concerned}
                else:
                    rules, _, standings = before_split.get(track, (None, [], []))
                    b_classes, planned = plan(rules.ladder, rules.classes, period, standings, previous, streak, stars) \
                        if rules is not None else ({}, [])
                    b_items = {(x.rung, x.entrant, x.step_number) for x in planned}
                rules, _, standings = after_split.get(track, (None, [], []))
                a_classes, planned = plan(rules.ladder, rules.classes, period, standings, previous, streak, stars) \
                    if rules is not None else ({}, [])
                a_items = {(x.rung, x.entrant, x.step_number) for x in planned}
                classes = {e: [b_classes.get(e), a_classes.get(e)] for e in sorted(set(b_classes) | set(a_classes))
                           if b_classes.get(e) != a_classes.get(e)}
                gained, lost = sorted(a_items - b_items), sorted(b_items - a_items)
                if classes or gained or lost:
                    names = dict(closed.class_names) if closed is not None else {}
                    for r in (before_split.get(track, (None,))[0], rules):
                        if r is not None and r.classes is not None:
                            names.update({b.code: b.name for b in r.classes.bands})
                    out.append({"contest": contest, "unit": unit, "period": period, "track": track,
                                "closed": closed is not None, "classes": classes, "class_names": names,
                                "tasks_gained": [{"rung": r, "entrant": e, "step": s} for r, e, s in gained],
                                "tasks_lost": [{"rung": r, "entrant": e, "step": s} for r, e, s in lost]})
    return out
