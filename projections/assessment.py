"""Results into the cadres' assessments (结果运用, rulebook section 21): one record per
secretary and organization for a period — the rounds the secretary presented in, the
organization's standing, its class and what the period's consequences asked of it and
whether it was done — for the yearly assessment (年终考核) and the monthly duty list
(职责清单月度考核).

The format (``leitai-assessment/1``) is described in docs/assessment.md; the columns of
the CSV and .xlsx files are :data:`COLUMNS`, in this order.  Everything is read from the
read models: finalized rounds only (a result still open to objection is not assessed).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import orjson

from domain.errors import level_zh
from domain.rules.standings import check_period, period_contains
from domain.text import contest_code, entity_code
from projections.queries import ReadModels
from projections.tables import CERTIFICATIONS, ENTRIES, ORGANIZATIONS, ROUNDS, STANDINGS, TRACKS, WORK_CLASSES, WORK_TASKS

FORMAT = "leitai-assessment/1"

# (key, Chinese column name, English column name): the CSV and .xlsx columns, in order
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("contest", "活动", "Contest"),
    ("period", "期间", "Period"),
    ("unit", "单位代码", "Unit"),
    ("unit_name", "单位", "Unit name"),
    ("track", "赛道", "Track"),
    ("organization", "党组织代码", "Organization"),
    ("organization_name", "党组织", "Organization name"),
    ("secretary", "书记", "Secretary"),
    ("rounds", "参赛轮次数", "Rounds"),
    ("round_results", "各轮成绩", "Round results"),
    ("standing_score", "期间得分", "Period score"),
    ("standing_rank", "期间名次", "Period rank"),
    ("standing_of", "参加排名组织数", "Ranked organizations"),
    ("class_code", "分类代码", "Class"),
    ("class_name", "分类", "Class name"),
    ("consequences", "排名结果", "Consequences"),
    ("tasks", "任务数", "Tasks"),
    ("tasks_done", "已完成", "Done"),
    ("tasks_excused", "已免除", "Excused"),
    ("tasks_open", "未完成", "Open"),
    ("tasks_overdue", "已逾期", "Overdue"),
    ("stars", "星级", "Stars"),
)
KEYS = tuple(key for key, _, _ in COLUMNS)
CONSEQUENCE_WORDS = {"top": ("前列", "top"), "bottom": ("后列", "bottom"), "improved": ("进步最大", "most improved"),
                     "pairing": ("结对", "paired")}


def assessment(read: ReadModels, contest: str, period: str, unit: str | None = None,
               today: str | None = None) -> dict[str, Any]:
    """The assessment document of ``contest`` for ``period`` (below ``unit`` if given):
    ``{"format", "contest", "period", "unit", "records": [...]}``, one record per
    (organization, secretary) that presented in a finalized round of the period."""
    c = read.contest(contest)
    code = c["contest"]
    period = check_period(period)
    units = {u["code"]: u for u in orjson.loads(c["units"])}
    inside = _subtree(units, read.unit(code, unit)["code"]) if unit else set(units)
    store = read.store
    rounds = [r for r in store.select(ROUNDS, {"contest": code}, order="period, round")
              if r["status"] == "final" and r["unit"] in inside and period_contains(period, r["period"])]
    names = {o["organization"]: o for o in store.select(ORGANIZATIONS, {})}
    presented: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in rounds:
        for e in store.select(ENTRIES, {"round": r["round"]}, order="entrant"):
            org = names.get(e["entrant"], {})
            secretary = e.get("secretary") or org.get("secretary") or ""
            presented[(e["entrant"], secretary)].append({
                "round": r["round"], "unit": r["unit"], "period": r["period"], "rank": e["rank"],
                "final": e["final"], "status": e["status"], "award": e["award"], "promotion": e["promotion"]})
    standings = _standings(read, code, period, inside)
    extra = _extras(read, code, period, inside, today)
    tracks = {t["track"]: t["name"] for t in store.select(TRACKS, {"contest": code})}
    records = []
    for (organization, secretary), results in sorted(presented.items()):
        org = names.get(organization, {})
        home = org.get("unit") or results[0]["unit"]
        standing = standings.get((home, organization)) or _first(standings, organization)
        more = extra.get(organization, {})
        records.append({
            "contest": code, "period": period, "unit": home, "unit_name": units.get(home, {}).get("name", home),
            "track": standing["track"] if standing else "",
            "track_name": tracks.get(standing["track"], standing["track"]) if standing else "",
            "organization": organization,
            "organization_name": org.get("name", organization), "secretary": secretary,
            "rounds": sum(1 for r in results if r["rank"] is not None), "round_results": results,
            "standing_score": None if standing is None else standing["score"],
            "standing_rank": None if standing is None else standing["rank"],
            "standing_of": None if standing is None else standing["of"],
            "class_code": more.get("class_code", ""), "class_name": more.get("class_name", ""),
            "consequences": standing["consequences"] if standing else [],
            "tasks": more.get("tasks", []), "stars": more.get("stars", []),
        })
    return {"format": FORMAT, "contest": code, "title": c["title"], "period": period,
            "unit": unit and read.unit(code, unit)["code"], "records": records}


def _subtree(units: dict[str, dict[str, Any]], top: str) -> set[str]:
    found, changed = {top}, True
    while changed:
        changed = False
        for u in units.values():
            if u["parent"] in found and u["code"] not in found:
                found.add(u["code"])
                changed = True
    return found


def _standings(read: ReadModels, contest: str, period: str, inside: set[str]) -> dict[tuple[str, str], Any]:
    out: dict[tuple[str, str], Any] = {}
    for unit in sorted(inside):
        rows = read.store.select(STANDINGS, {"contest": contest, "unit": unit, "period": period})
        if not rows:
            continue
        kinds: dict[str, list[str]] = defaultdict(list)
        for c in read.consequences(contest, unit, period):
            kinds[c["entrant"]].append(c["kind"])
            if c["kind"] == "pairing" and c.get("partner"):
                kinds[c["partner"]].append("pairing")
        per_track: dict[str, int] = defaultdict(int)
        for s in rows:
            per_track[s.get("track") or ""] += 1
        for s in rows:
            out[(unit, s["entrant"])] = {"score": s["score"], "rank": s["rank"], "of": per_track[s.get("track") or ""],
                                         "track": s.get("track") or "",
                                         "consequences": sorted(set(kinds[s["entrant"]]),
                                                                key=list(CONSEQUENCE_WORDS).index)}
    return out


def _first(standings: dict[tuple[str, str], Any], organization: str) -> Any:
    return next((s for (_, org), s in sorted(standings.items()) if org == organization), None)


def _extras(read: ReadModels, contest: str, period: str, inside: set[str], today: str | None) -> dict[str, Any]:
    """Track, class, tasks and stars of each organization, from the read models of the
    other parts of 结果运用."""
    out: dict[str, dict[str, Any]] = defaultdict(dict)
    for row in read.store.select(WORK_CLASSES, {"contest": contest, "period": period}, order="unit, entrant"):
        if row["unit"] in inside:
            out[row["entrant"]].update(class_code=row["class"] or "", class_name=row["class_name"] or "")
    for row in read.store.select(WORK_TASKS, {"contest": contest, "period": period}, order="task"):
        if row["unit"] in inside:
            overdue = row["state"] == "open" and today is not None and bool(row["due"]) and row["due"] < today
            out[row["entrant"]].setdefault("tasks", []).append({
                "task": row["task"], "action": row["action"], "action_name": row["action_name"],
                "by": row["by_whom"], "due": row["due"], "state": row["state"], "overdue": overdue,
                "why": row["why_zh"]})
    if len(period) == 4:  # stars are rated by the year (rulebook section 9)
        for row in read.store.select(CERTIFICATIONS, {"contest": contest, "cycle": period}, order="organization, level"):
            if row["stars"] is not None or row["computed_stars"] is not None:
                out[row["organization"]].setdefault("stars", []).append({
                    "level": row["level"], "stars": row["stars"], "state": row["state"],
                    "recommended": row["computed_stars"]})
    return out


def rows(document: dict[str, Any], lang: str = "zh-CN") -> list[list[Any]]:
    """The CSV/.xlsx rows: a header of column names in ``lang``, then one row per record."""
    zh = lang.startswith("zh")
    out: list[list[Any]] = [[zh_name if zh else en_name for _, zh_name, en_name in COLUMNS]]
    for r in document["records"]:
        out.append([_cell(key, r, zh) for key in KEYS])
    return out


def _cell(key: str, record: dict[str, Any], zh: bool) -> Any:
    if key == "track":
        return record.get("track_name") or record["track"]
    if key == "round_results":
        sep = "；" if zh else "; "
        return sep.join(_result_text(r, zh) for r in record[key])
    if key == "consequences":
        return ("、" if zh else ", ").join(CONSEQUENCE_WORDS[k][0 if zh else 1] for k in record[key])
    if key in ("tasks_done", "tasks_excused", "tasks_open", "tasks_overdue"):
        state = key.removeprefix("tasks_")
        return sum(1 for t in record["tasks"] if t.get("state") == state or (state == "overdue" and t.get("overdue")))
    if key == "tasks":
        return len(record["tasks"])
    if key == "stars":
        return ("、" if zh else ", ").join(_stars_text(s, zh) for s in record[key])
    value = record[key]
    return "" if value is None else value


def _stars_text(s: dict[str, Any], zh: bool) -> str:
    level = level_zh(s["level"]) if zh else s["level"]
    if s["stars"] is not None and s["state"] == "certified":
        return f"{level} {s['stars']} 星" if zh else f"{level} {s['stars']} stars"
    return f"{level} 建议 {s['recommended']} 星" if zh else f"{level} recommended {s['recommended']} stars"


def _result_text(r: dict[str, Any], zh: bool) -> str:
    if r["rank"] is None:
        return f"{r['round']} {'无名次' if zh else 'unranked'}"
    return f"{r['round']} {'第' + str(r['rank']) + '名' if zh else '#' + str(r['rank'])} {r['final']}"


def check_codes(contest: str, unit: str | None) -> tuple[str, str | None]:
    return contest_code(contest, "contest"), None if unit is None else entity_code(unit, "unit")
