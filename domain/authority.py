"""Who may change what: one decision per command, over every object it changes.

The HTTP API runs each command for a signed-in account (a :class:`~domain.access.Principal`).
Whatever the command - one sheet, a promotion, a whole imported directory - the
application asks :func:`refusal` about every aggregate the command changed, with the
events it recorded on it, before anything is saved; one refused object refuses the whole
command and nothing is recorded.  So a scope can never be stepped out of by naming another
contest's object in a URL, an upload's row, a round's ``promotes_to`` or a certification's
organization: what counts is what the command actually changes.

The rules (an *admin* grant has a contest and a unit, either may be open):

* a **round** is changed by an admin whose unit is the round's or above it, in the round's
  contest; a judge submits and corrects only their own sheets in a round where they are
  seated, and records, corrects and withdraws only their own comments there (a leader's
  comment, 点评 by an admin in a title, only by an admin); an organization files objections
  and appeals only for itself, as an entrant;
  an entrant admitted by promotion (or withdrawn because its source round no longer promotes
  it) only from a round the admin runs that names this round as the one it promotes to, in
  the same contest;
* a **contest** is changed by an admin of the whole contest or of its top unit, except what
  belongs to one unit: a round scheduled or an organization enrolled in a unit, a unit
  added under another - for those, an admin of that unit (or above) suffices;
* an **organization** (registered, renamed, moved, reclassified, a new secretary) by an admin
  over its unit, before and after the change: the unit in the tree of the admin's own contest;
* a **ballot box** (投票) by an admin over its round's unit: the counting desk;
* a **certification** by an admin over its organization's unit; its self-assessment also by
  the organization's own account;
* an **account** by an admin of everything; its own password change by the account itself;
* a **rule set** version by any admin (it changes nothing until a contest adopts it);
* a contest's **platform data** (平台数据) by an admin of the whole contest; a **flag** (红旗) by an
  admin over its organization's unit (honours are the organization's own events: as above);
* a closed **period**, a **task** or a **pair** (结果运用) by an admin over its unit, in its contest;
* the **holiday calendar** and the log's **witnesses** by an admin of everything; a signed head
  by any admin; a witness's cosignature by anyone (its signature was checked first);
* a **source deployment** (市级联动) by an admin of everything; an admission from it by an admin
  over the unit of the round it admits into.

A principal of None (the command line: its operator holds the database) is not asked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from domain.access import Principal, organizations


class Directory(Protocol):
    """What the decision looks up: a contest's unit tree, a round, an organization."""

    def units(self, contest: str) -> dict[str, str | None]: ...  # unit -> parent ({} if no contest)

    def round(self, code: str) -> Any | None: ...

    def organization(self, code: str) -> Any | None: ...

    def roster(self, contest: str) -> dict[str, str]: ...  # organization -> unit, as recorded before the command

    def existed(self, organization: str) -> bool: ...  # registered before the command

    def contest_rules(self, contest: str) -> set[str]: ...  # digests of the rule sets its rounds use or it adopted


@dataclass(frozen=True)
class Touch:
    """One aggregate a command changed, with the command's events on it and, for an
    organization that existed before, its unit then."""

    aggregate: Any
    events: tuple[Any, ...]
    unit_before: str | None = None


@dataclass(frozen=True)
class Refusal:
    what: str
    what_zh: str


def unit_path(units: dict[str, str | None], unit: str) -> tuple[str, ...]:
    """The unit and every unit above it, nearest first (empty for a unit not in the tree)."""
    path: list[str] = []
    current: str | None = unit
    while current is not None and current in units and current not in path:
        path.append(current)
        current = units[current]
    return tuple(path)


def _admins(p: Principal) -> list[Any]:
    return p.roles("admin")


def over_unit(p: Principal, directory: Directory, contest: str, unit: str) -> bool:
    """An admin whose unit is ``unit`` or above it, in ``contest``'s tree (or of everything)."""
    path: tuple[str, ...] | None = None
    for g in _admins(p):
        if g.contest is None:
            return True
        if g.contest != contest:
            continue
        if g.unit is None:
            return True
        if path is None:
            path = unit_path(directory.units(contest), unit)
        if g.unit in path:
            return True
    return False


def over_any_contest_unit(p: Principal, directory: Directory, unit: str) -> bool:
    """An admin over ``unit`` in the tree of the admin's own contest (an organization is not
    a contest's: it belongs to a unit)."""
    for g in _admins(p):
        if g.contest is None:
            return True
        units = directory.units(g.contest)
        if unit in units and (g.unit is None or g.unit in unit_path(units, unit)):
            return True
    return False


def over_organization(p: Principal, directory: Directory, organization: str) -> bool:
    """An admin over an organization where it was enrolled before this command: over its unit
    in a contest whose roster held it.  Unit codes are a contest's own - another contest's
    township "T1" is not this one's - and enrolling an organization in a contest of one's own
    gives no hold over it (the enrollment itself needs this, see ``_contest``)."""
    for g in _admins(p):
        if g.contest is None:
            return True
        unit = directory.roster(g.contest).get(organization)
        if unit is not None and (g.unit is None or g.unit in unit_path(directory.units(g.contest), unit)):
            return True
    return False


def contest_wide(p: Principal, directory: Directory, contest: str) -> bool:
    top = {u for u, parent in directory.units(contest).items() if parent is None}
    return any(g.contest is None or (g.contest == contest and (g.unit is None or g.unit in top))
               for g in _admins(p))


def _judge_of(p: Principal, rnd: Any) -> set[str]:
    return {g.judge for g in p.roles("judge") if g.contest == rnd.contest and g.judge in rnd.judges}


RULES_CHOSEN = ("Scheduled", "RulesAssigned", "Reranked")  # round events that name the rules it follows


def _round(p: Principal, rnd: Any, events: Iterable[Any], directory: Directory) -> bool:
    if over_unit(p, directory, rnd.contest, rnd.unit):
        # below the whole contest, a round follows a rule set the contest already uses (a round of it,
        # or adopted by its organizers): a township writing lax rules for its own round would choose its
        # own scores, classes, ladder and flags (rulebook 5, 15, 19.4)
        chosen = [e.rules.get("digest") for e in events if type(e).__name__ in RULES_CHOSEN]
        return not chosen or contest_wide(p, directory, rnd.contest) or \
            all(d in directory.contest_rules(rnd.contest) for d in chosen)
    own = organizations(p)
    judges = _judge_of(p, rnd)
    for e in events:
        name = type(e).__name__
        if name in ("SheetSubmitted", "SheetCorrected") and getattr(e, "judge", None) in judges:
            continue
        if name in COMMENTS and getattr(e, "judge", None) in judges:
            continue  # a judge's own comment (点评); a leader's has no judge: only the round's admins
        if name == "AppealFiled" and getattr(e, "entrant", None) in own and e.entrant in rnd.entrants:
            continue
        if name in ("EntrantAdmitted", "FinalistWithdrawn") and _promoted(p, rnd, getattr(e, "source", None) or {},
                                                                         directory):
            continue  # the finalists a round the admin runs promotes (or no longer promotes) here
        if name == "JudgeRecused" and getattr(e, "automatic", False):
            continue  # recorded with an admission it follows from (a judge's home unit)
        return False
    return True


def _promoted(p: Principal, target: Any, source: dict[str, Any], directory: Directory) -> bool:
    origin = directory.round(str(source.get("round") or ""))
    return (origin is not None and origin.promotes_to == target.code and origin.contest == target.contest
            and target.unit in unit_path(directory.units(origin.contest), origin.unit)  # up the tree, never aside
            and over_unit(p, directory, origin.contest, origin.unit))


COMMENTS = ("CommentRecorded", "CommentCorrected", "CommentWithdrawn")  # each names the comment's judge (or None)

UNIT_EVENTS = {"RoundScheduled": "unit", "OrganizationEnrolled": "unit", "UnitAdded": "parent"}


def _contest(p: Principal, contest: Any, events: Iterable[Any], directory: Directory) -> bool:
    for e in events:  # an organization of another contest is not claimed by enrolling it here
        if type(e).__name__ == "OrganizationEnrolled" and directory.existed(e.organization) and \
                e.organization not in directory.roster(contest.code) and \
                not over_organization(p, directory, e.organization):
            return False
    if contest_wide(p, directory, contest.code):
        return True
    for e in events:
        field = UNIT_EVENTS.get(type(e).__name__)
        unit = getattr(e, field, None) if field else None
        if unit is None or not over_unit(p, directory, contest.code, unit):
            return False
    return True


def _organization(p: Principal, org: Any, unit_before: str | None, directory: Directory) -> bool:
    """A new organization by an admin over its unit; an existing one (its details, honours, track)
    by an admin over it where it is enrolled (``over_organization``), and over the unit it moves to."""
    if unit_before is None or not directory.existed(org.code):
        return over_any_contest_unit(p, directory, org.unit)
    return over_organization(p, directory, org.code) and (
        org.unit == unit_before or over_any_contest_unit(p, directory, org.unit))


def _certification(p: Principal, cert: Any, events: Iterable[Any], directory: Directory) -> bool:
    org = directory.organization(cert.organization)
    if org is not None and over_organization(p, directory, org.code):
        return True
    return cert.organization in organizations(p) and all(type(e).__name__ == "SelfAssessed" for e in events)


def _account(p: Principal, account: Any, events: Iterable[Any]) -> bool:
    if p.is_superuser:
        return True
    return p.name is not None and p.name == account.name and all(
        type(e).__name__ == "PasswordChanged" for e in events)


def _ballot_box(p: Principal, box: Any, directory: Directory) -> bool:
    """The counting desk (投票): an admin over the unit of the box's round; never a judge or an entrant."""
    rnd = directory.round(box.round)
    return rnd is not None and over_unit(p, directory, rnd.contest, rnd.unit)


def _work(p: Principal, item: Any, directory: Directory) -> bool:
    """A closed period, a task or a pair (结果运用): an admin over its unit, in its contest -
    never a judge, an organization (even the one concerned) or an admin of another unit."""
    return over_unit(p, directory, item.contest, item.unit)


def _ledger(p: Principal, events: Iterable[Any]) -> bool:
    for e in events:
        name = type(e).__name__
        if name == "HeadCosigned":
            continue
        if name in ("TreeHeadSigned", "Started") and _admins(p):
            continue
        if not p.is_superuser:
            return False
    return True


def _flag(p: Principal, flag: Any, events: Iterable[Any], directory: Directory) -> bool:
    """A flag (红旗) by an admin over its organization's unit in the flag's own contest; never by
    the organization itself.  A nomination under rules named by hand (not the contest's own rules
    of the cycle, which a township could write to suit itself) only by an admin of the whole contest."""
    org = directory.organization(flag.organization)
    if org is None or not over_unit(p, directory, flag.contest, org.unit):
        return False
    chosen = any(type(e).__name__ == "Nominated" and getattr(e, "chosen", False) for e in events)
    return not chosen or contest_wide(p, directory, flag.contest)


RULES: dict[str, Callable[[Principal, Touch, Directory], bool]] = {
    "Round": lambda p, t, d: _round(p, t.aggregate, t.events, d),
    "Contest": lambda p, t, d: _contest(p, t.aggregate, t.events, d),
    "Organization": lambda p, t, d: _organization(p, t.aggregate, t.unit_before, d),
    "Certification": lambda p, t, d: _certification(p, t.aggregate, t.events, d),
    "Account": lambda p, t, d: _account(p, t.aggregate, t.events),
    "RuleSetHistory": lambda p, t, d: bool(_admins(p)),
    "HolidayCalendar": lambda p, t, d: p.is_superuser,
    "Ledger": lambda p, t, d: _ledger(p, t.events),
    "PeriodResult": lambda p, t, d: _work(p, t.aggregate, d),  # 结果运用: consequences as work
    "Task": lambda p, t, d: _work(p, t.aggregate, d),
    "Pair": lambda p, t, d: _work(p, t.aggregate, d),
    "BallotBox": lambda p, t, d: _ballot_box(p, t.aggregate, d),
    "PlatformData": lambda p, t, d: contest_wide(p, d, t.aggregate.contest),  # 平台数据 (rulebook 19.2)
    "Flag": lambda p, t, d: _flag(p, t.aggregate, t.events, d),  # 红旗 (rulebook 19.4)
    "Federation": lambda p, t, d: _federation(p, t.events, d),  # 市级联动 (rulebook 22)
}


def _federation(p: Principal, events: Iterable[Any], directory: Directory) -> bool:
    """A source deployment is registered by an admin of everything; an admission from it
    by an admin over the unit of the round it admits into."""
    for e in events:
        rnd = directory.round(str(getattr(e, "into", "") or "")) if type(e).__name__ == "RankingAdmitted" else None
        if not (p.is_superuser or (rnd is not None and over_unit(p, directory, rnd.contest, rnd.unit))):
            return False
    return True


def describe(aggregate: Any) -> tuple[str, str]:
    kind = type(aggregate).__name__
    code = getattr(aggregate, "code", None) or getattr(aggregate, "name", None) or getattr(
        aggregate, "organization", None) or ""
    words = {"Round": ("round", "轮次"), "Contest": ("contest", "比武活动"), "Organization": ("organization", "党组织"),
             "Certification": ("the certification of", "星级评定"), "Account": ("account", "账号"),
             "RuleSetHistory": ("rule set", "评分规则"), "HolidayCalendar": ("the holiday calendar", "节假日安排"),
             "Ledger": ("the log's ledger", "日志签名记录"),
             "BallotBox": ("the ballot box of round", "投票箱：轮次"),
             "PeriodResult": ("the closing of period", "期间结束"), "Task": ("task", "任务"),
             "Pair": ("pair", "结对"), "PlatformData": ("the platform data of contest", "平台数据：活动"),
             "Flag": ("the flag", "红旗"), "Federation": ("the federation's sources and admissions", "市级联动的来源与接收记录")
             }.get(kind, (kind, kind))
    return f"{words[0]} {code}".strip(), f"{words[1]} {code}".strip()


def refusal(p: Principal, touches: Iterable[Touch], directory: Directory) -> Refusal | None:
    """None if ``p`` may make every one of these changes; else the first object refused."""
    for touch in touches:
        rule = RULES.get(type(touch.aggregate).__name__)
        if rule is None or not rule(p, touch, directory):
            en, zh = describe(touch.aggregate)
            agg = touch.aggregate
            if type(agg).__name__ == "Round" and over_unit(p, directory, agg.contest, agg.unit):
                # its own round, under rules its contest does not use (see _round): say so
                refs = ", ".join(sorted({f"{e.rules.get('code')}@{e.rules.get('version')}" for e in touch.events
                                         if type(e).__name__ in RULES_CHOSEN}))
                en = (f"{en} under rule set {refs}, which contest {agg.contest} does not use yet (its organizers, "
                      f"admins of the whole contest, bring it in first: leitai rules adopt)")
                zh = f"{zh}（改用评分规则 {refs}：活动 {agg.contest} 尚未采用它，须先由整个活动的管理员采用：leitai rules adopt）"
            return Refusal(en, zh)
    return None
