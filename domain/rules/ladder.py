"""The ladder of consequences (结果运用, rulebook section 15): who a period's final
standings concern, what follows, by whom and by when, and what must be recorded.

Parsed from the rule set's ``[[ladder]]`` tables.  This module never imports
``domain.rules.ruleset`` (which imports it): ``r`` and ``p`` are its reader and problems.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

PERIODS = ("month", "quarter", "year")
PERIOD_ZH = {"month": "月", "quarter": "季度", "year": "年"}
ACTIONS = {  # action -> (Chinese, English)
    "interview": ("约谈", "interview"),
    "statement": ("表态发言", "statement at a meeting"),
    "share": ("经验交流", "sharing experience"),
    "pairing": ("结对", "pairing"),
    "notice": ("通报", "notice"),
    "other": ("其他", "other"),
}
RECORDS = ("date", "place", "participants", "summary", "attachment")
RECORD_ZH = {"date": "日期", "place": "地点", "participants": "参加人员", "summary": "情况摘要", "attachment": "附件"}
DEFAULT_RECORD = ("date", "summary")
PER = ("month", "quarter")
WHO = re.compile(r"(bottom|top|improved)|class:([a-z0-9_-]+)|stars:([1-5])")
MAX_RUNGS, MAX_STEPS = 20, 10
RUNG_KEYS = {"period", "who", "count", "steps"}
STEP_KEYS = {"action", "name", "by", "days", "record", "obligation"}


@dataclass(frozen=True)
class Obligation:
    exchanges: int  # at least this many exchanges ...
    per: str  # ... each month or quarter
    months: int  # for this many months from the month after the period


@dataclass(frozen=True)
class Step:
    action: str
    name: str  # shown: the action's own name unless given
    by: str  # a role or an office: 党委副书记, 镇长 ...
    days: int | None  # working days after the period is closed (None for pairing)
    record: tuple[str, ...]  # what must be recorded when done
    obligation: Obligation | None = None


@dataclass(frozen=True)
class Rung:
    period: str
    who: str  # bottom | top | improved | class:<code> | stars:<n>
    count: int | None
    steps: tuple[Step, ...]

    @property
    def key(self) -> str:
        """What identifies the rung from one period to the next (climbing): its period kind, who
        and how many - a "bottom 5" rung does not climb on the periods of a "bottom 3" one."""
        return f"{self.period}:{self.who}" + (f"/{self.count}" if self.count is not None else "")

    def step(self, streak: int) -> Step:
        """The k-th consecutive time uses step k; past the last, the last."""
        return self.steps[min(max(streak, 1), len(self.steps)) - 1]


def period_kind(period: str) -> str:
    _, _, rest = period.partition("-")
    return "year" if not rest else "quarter" if rest.startswith("Q") else "month"


# -- parsing ---------------------------------------------------------------------------------


def parse(r: Any, doc: dict[str, Any], p: Any) -> tuple[Rung, ...]:
    """The rungs of ``[[ladder]]`` (``()`` when the file has none)."""
    if "ladder" not in doc:
        return ()
    raw = doc["ladder"]
    if not isinstance(raw, list) or not all(isinstance(v, dict) for v in raw):
        p.add("ladder", "must be an array of tables ([[ladder]])", "应为表数组（[[ladder]]）")
        return ()
    if not 1 <= len(raw) <= MAX_RUNGS:
        p.add("ladder", f"1 to {MAX_RUNGS} rungs", f"应有 1 到 {MAX_RUNGS} 级")
        return ()
    classes = _class_codes(doc)
    rungs = []
    for i, item in enumerate(raw, 1):
        path = f"ladder[{i}]"
        r.unknown_keys(item, RUNG_KEYS, path)
        period = r.text(item, "period", f"{path}.period", None, choices=PERIODS)
        who = r.text(item, "who", f"{path}.who", None)
        count = None
        match = WHO.fullmatch(who) if who is not None else None
        if who is not None and match is None:
            p.add(f"{path}.who", f"\"{who}\" is not bottom, top, improved, class:<code> or stars:<1-5>",
                  f"“{who}”不是 bottom、top、improved、class:<分类代码> 或 stars:<1-5>")
        elif match is not None and match.group(2) is not None:
            if match.group(2) not in classes:
                p.add(f"{path}.who", f"no class \"{match.group(2)}\" in [classes]",
                      f"[classes] 中没有代码为“{match.group(2)}”的分类")
            if "count" in item:
                p.add(f"{path}.count", "not with who = class:<code> (the whole class is concerned)",
                      "who = class:<代码> 时不填（涉及这一类的全部组织）")
        elif match is not None and match.group(3) is not None:
            if "count" in item:
                p.add(f"{path}.count", "not with who = stars:<n> (every organization rated n stars is concerned)",
                      "who = stars:<n> 时不填（涉及评为 n 星的全部组织）")
        elif match is not None:
            count = r.integer(item, "count", f"{path}.count", None, 1, 100)
        steps = _steps(r, item, p, path, who or "")
        if period is not None and match is not None and steps:
            rungs.append(Rung(period, who or "", count, tuple(steps)))
    return tuple(rungs)


def _class_codes(doc: dict[str, Any]) -> set[str]:
    table = doc.get("classes")
    bands = table.get("bands") if isinstance(table, dict) else None
    return {b.get("code") for b in bands if isinstance(b, dict)} if isinstance(bands, list) else set()


def _steps(r: Any, item: dict[str, Any], p: Any, path: str, who: str) -> list[Step]:
    raw = item.get("steps")
    if raw is None:
        p.add(f"{path}.steps", "is required", "必须填写")
        return []
    if not isinstance(raw, list) or not all(isinstance(v, dict) for v in raw) or not 1 <= len(raw) <= MAX_STEPS:
        p.add(f"{path}.steps", f"must be a list of 1 to {MAX_STEPS} tables", f"应为 1 到 {MAX_STEPS} 个表的列表")
        return []
    steps = []
    for j, step in enumerate(raw, 1):
        at = f"{path}.steps[{j}]"
        r.unknown_keys(step, STEP_KEYS, at)
        action = r.text(step, "action", f"{at}.action", None, choices=tuple(ACTIONS))
        default_name = ACTIONS[action][0] if action in ACTIONS and action != "other" else ""
        if action == "other" and "name" not in step:
            p.add(f"{at}.name", "is required for action = \"other\"", "action = \"other\" 时必须填写")
        name = r.name(step, "name", f"{at}.name", default_name)
        by = r.name(step, "by", f"{at}.by", "")
        if not by:
            p.add(f"{at}.by", "is required: a role or office (e.g. 党委副书记)", "必须填写由谁办（如 党委副书记）")
        record = _record(step, p, at)
        days = obligation = None
        if action == "pairing":
            if "days" in step:
                p.add(f"{at}.days", "not for a pairing (its obligation says what is due)", "结对不填此项（由 obligation 规定）")
            obligation = _obligation(r, step, p, at)
            if who in ("top", "improved"):
                p.add(f"{at}.action",
                      "a pairing pairs lagging organizations: who must be bottom, class:<code> or stars:<n>",
                      "结对针对后进组织：who 应为 bottom、class:<代码> 或 stars:<n>")
        else:
            days = r.integer(step, "days", f"{at}.days", None, 1, 250)
            if "obligation" in step:
                p.add(f"{at}.obligation", "only for action = \"pairing\"", "只用于 action = \"pairing\"")
        if action is not None:
            steps.append(Step(action, name, by, days, record, obligation))
    return steps


def _record(step: dict[str, Any], p: Any, at: str) -> tuple[str, ...]:
    if "record" not in step:
        return DEFAULT_RECORD
    value = step["record"]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        p.add(f"{at}.record", f"must be a list of {', '.join(RECORDS)}", f"应为列表，各项取 {', '.join(RECORDS)}")
        return DEFAULT_RECORD
    for v in value:
        if v not in RECORDS:
            p.add(f"{at}.record", f"\"{v}\" is not one of {', '.join(RECORDS)}", f"“{v}”不是 {', '.join(RECORDS)} 之一")
    if len(set(value)) != len(value):
        p.add(f"{at}.record", "an item is repeated", "有重复的项")
    return tuple(v for v in RECORDS if v in value)


def _obligation(r: Any, step: dict[str, Any], p: Any, at: str) -> Obligation | None:
    value = step.get("obligation")
    if value is None:
        p.add(f"{at}.obligation", "is required for a pairing (e.g. { exchanges = 2, per = \"month\" })",
              "结对必须填写（如 { exchanges = 2, per = \"month\" }：每月至少 2 次交流）")
        return None
    if not isinstance(value, dict):
        p.add(f"{at}.obligation", "must be a table", "应为表")
        return None
    r.unknown_keys(value, {"exchanges", "per", "months"}, f"{at}.obligation")
    exchanges = r.integer(value, "exchanges", f"{at}.obligation.exchanges", None, 1, 100)
    per = r.text(value, "per", f"{at}.obligation.per", "month", choices=PER)
    months = r.integer(value, "months", f"{at}.obligation.months", 12, 1, 36)
    if exchanges is None or per is None or months is None:
        return None
    return Obligation(exchanges, per, months)


def canonical(ladder: tuple[Rung, ...]) -> Any:
    """JSON-ready settings for the digest; None when the file has no ladder."""
    if not ladder:
        return None
    out = []
    for rung in ladder:
        steps = []
        for s in rung.steps:
            step: dict[str, Any] = {"action": s.action, "name": s.name, "by": s.by, "record": list(s.record)}
            if s.days is not None:
                step["days"] = s.days
            if s.obligation is not None:
                step["obligation"] = {"exchanges": s.obligation.exchanges, "per": s.obligation.per,
                                      "months": s.obligation.months}
            steps.append(step)
        out.append({"period": rung.period, "who": rung.who, "count": rung.count, "steps": steps})
    return out


# -- who a rung concerns ----------------------------------------------------------------------


def take_whole(standings: Sequence[Any], count: int) -> list[Any]:
    """The first ``count`` standings, and the rest of a tie at the edge (taken in whole)."""
    if count <= 0 or not standings:
        return []
    end = min(count, len(standings))
    while end < len(standings) and standings[end].rank == standings[end - 1].rank:
        end += 1
    return list(standings[:end])


def concerned(rung: Rung, standings: Sequence[Any], previous: Sequence[Any],
              classes: Mapping[str, str], stars: Mapping[str, int] | None = None) -> list[tuple[Any, dict[str, Any]]]:
    """The standings a rung concerns, in order, each with the facts its reason names
    (rank; for improved the ranks before and after).  Ties at the edge are taken whole
    (rulebook section 8); the bottom leaves out those already in the top ``count``."""
    if rung.who == "top":
        return [(s, {"rank": s.rank}) for s in take_whole(standings, rung.count or 0)]
    if rung.who == "bottom":
        top = {s.entrant for s in take_whole(standings, rung.count or 0)}
        reversed_ = sorted(standings, key=lambda s: (-s.rank, s.entrant))
        return [(s, {"rank": s.rank}) for s in take_whole(reversed_, rung.count or 0) if s.entrant not in top]
    if rung.who == "improved":
        before = {s.entrant: s for s in previous}
        gains = [(b.rank - s.rank, s.shown - b.shown, s, b) for s in standings
                 if (b := before.get(s.entrant)) is not None and b.rank > s.rank]
        gains.sort(key=lambda g: (-g[0], -g[1], g[2].entrant))
        return [(s, {"rank": s.rank, "from": b.rank}) for _, _, s, b in gains[: rung.count or 0]]
    band, _, code = rung.who.partition(":")
    if band == "stars":  # the organizations whose certified rating stands at n stars (rulebook 15)
        return [(s, {"rank": s.rank, "stars": int(code)}) for s in standings if (stars or {}).get(s.entrant) == int(code)]
    return [(s, {"rank": s.rank, "class": code}) for s in standings if classes.get(s.entrant) == code]


def why(rung: Rung, period: str, facts: Mapping[str, Any], streak: int, class_name: str = "") -> tuple[str, str]:
    """The reason a task gives, in Chinese and English: "2025-05 后 3 名（第 12 名，连续第 2 次）"."""
    rank = facts.get("rank")
    if rung.who == "bottom":
        zh, en = f"{period} 后 {rung.count} 名（第 {rank} 名", f"{period} bottom {rung.count} (rank {rank}"
    elif rung.who == "top":
        zh, en = f"{period} 前 {rung.count} 名（第 {rank} 名", f"{period} top {rung.count} (rank {rank}"
    elif rung.who == "improved":
        zh = f"{period} 进步最大（第 {facts.get('from')} 名 → 第 {rank} 名"
        en = f"{period} most improved (rank {facts.get('from')} → {rank}"
    elif rung.who.startswith("stars:"):
        n = rung.who.partition(":")[2]
        zh, en = f"{period} {n} 星级组织（第 {rank} 名", f"{period} rated {n} star{'' if n == '1' else 's'} (rank {rank}"
    else:
        code = rung.who.partition(":")[2]
        zh, en = f"{period} {class_name or code}（第 {rank} 名", f"{period} class {class_name or code} (rank {rank}"
    if streak > 1:
        zh += f"，连续第 {streak} 次"
        en += f", {_ordinal(streak)} time running"
    return zh + "）", en + ")"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


# -- what closing a period issues ---------------------------------------------------------------


def certified_stars(find: Any, entrants: Sequence[str], level: str, period: str) -> dict[str, int]:
    """entrant -> its certified star rating at ``level`` (rulebook 15.1, who = stars:<n>): the
    certification of the period's year once decided (certified, lowered or withdrawn), until
    then the year before's.  ``find(organization, level, cycle)`` gives a Certification or None."""
    year = int(period[:4])
    out: dict[str, int] = {}
    for entrant in entrants:
        for cycle in (str(year), str(year - 1)):
            cert = find(entrant, level, cycle)
            if cert is not None and cert.state in ("certified", "revoked"):
                if cert.state == "certified" and cert.stars:
                    out[entrant] = int(cert.stars)
                break
    return out


@dataclass(frozen=True)
class Planned:
    """One consequence a close issues: a task, or (for a pairing step) a pair."""

    rung: int  # its place in [[ladder]], from 1
    rung_key: str
    entrant: str
    name: str
    streak: int
    step_number: int
    step: Step
    why_zh: str
    why_en: str
    leader: str | None = None  # pairing: the leading organization
    leader_name: str | None = None


def plan(ladder: Sequence[Rung], classes_rule: Any, period: str, standings: Sequence[Any],
         previous: Sequence[Any], streak_before: Any,
         stars: Mapping[str, int] | None = None) -> tuple[dict[str, str], list[Planned]]:
    """(entrant -> class code, what the ladder issues) for a period's final standings;
    ``streak_before(rung_key, entrant)`` is the streak recorded when the previous period of
    the same kind was closed (0 when it was not closed or did not concern the entrant);
    ``stars``: entrant -> its certified rating, for the rungs of a star band."""
    from domain.rules.classes import classify

    classes = classify(classes_rule, standings) if classes_rule is not None and standings else {}
    kind = period_kind(period)
    out: list[Planned] = []
    paired: set[str] = set()
    for index, rung in enumerate(ladder, 1):
        if rung.period != kind:
            continue
        concerned_here = concerned(rung, standings, previous, classes, stars)
        if any(st.action == "pairing" for st in rung.steps):  # the last is paired with the first
            concerned_here.sort(key=lambda c: (-c[0].rank, c[0].entrant))
        codes = {s.entrant for s, _ in concerned_here}
        leaders = [s for s in standings if s.entrant not in codes and s.entrant not in paired]
        for s, facts in concerned_here:
            streak = streak_before(rung.key, s.entrant) + 1
            number = min(streak, len(rung.steps))
            step = rung.steps[number - 1]
            class_name = classes_rule.name(facts["class"]) if "class" in facts and classes_rule is not None else ""
            zh, en = why(rung, period, facts, streak, class_name)
            if step.action == "pairing":
                if s.entrant in paired or not leaders:
                    continue  # one pair per organization and period; no leader left: no pair
                leader = leaders.pop(0)
                paired.update((s.entrant, leader.entrant))
                out.append(Planned(index, rung.key, s.entrant, s.name, streak, number, step, zh, en,
                                   leader.entrant, leader.name))
            else:
                out.append(Planned(index, rung.key, s.entrant, s.name, streak, number, step, zh, en))
    return classes, out
