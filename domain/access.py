"""Who may do what: the policy the HTTP API enforces, as pure functions.

A :class:`Principal` is the signed-in account with its grants (or nobody: the public);
a :class:`RoundView` is what the policy needs to know about a round.  The rules:

* an **admin** manages the units of their scope and every unit below them (a township
  admin runs its own rounds, the county admin all of them); an admin without a scope
  manages everything, including accounts;
* a **judge** scores only the rounds where their judge code is seated (the domain then
  refuses a recused entrant); judging is blind: until the round closes its judges see
  their own sheets and nothing else of it - no other judge's marks or totals, no board,
  no provisional rank or score - unless its live board is on (现场亮分, public to all).
  Once it is closed they see every mark of it; a judge not seated in a round sees of it
  what the public sees;
* an **organization** sees its own sheets and explanation once its round is closed, and
  files appeals for itself while the results are published; of an objection about it
  filed by someone else it sees that it exists, its status and the written ruling -
  never who objected (name, contact, the account that recorded it) nor what was said;
  whoever filed an objection sees all of their own;
* an **auditor** reads everything (the event export and verification included) and
  changes nothing;
* **comments** (点评) are blind like sheets: a judge sees their own while scoring and
  the others' once the round is closed; organizations and the public see them once the
  results are published, never a withdrawn one (:func:`comment_as_seen`);
* the **public** reads published and final results, the live board of a round that shows
  scores on the spot (现场亮分), and - as in an ISU protocol - every judge's marks once
  the round is final.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from domain.model.account import Grant

SCORING = ("scheduled", "open")
CLOSED_OR_LATER = ("closed", "published", "final")
PUBLIC_RESULTS = ("published", "final")


@dataclass(frozen=True)
class Principal:
    name: str | None  # None: nobody signed in (the public)
    grants: tuple[Grant, ...] = ()
    display_name: str = ""

    @property
    def public(self) -> bool:
        return self.name is None

    def roles(self, role: str) -> list[Grant]:
        return [g for g in self.grants if g.role == role]

    @property
    def is_superuser(self) -> bool:
        """An admin without a scope: manages everything, accounts included."""
        return any(g.contest is None and g.unit is None for g in self.roles("admin"))

    @property
    def is_auditor(self) -> bool:
        return bool(self.roles("auditor"))


@dataclass(frozen=True)
class RoundView:
    code: str
    contest: str
    unit_path: tuple[str, ...]  # the round's unit and every unit above it, nearest first
    status: str
    judges: frozenset[str] = field(default_factory=frozenset)  # seated judge codes
    entrants: frozenset[str] = field(default_factory=frozenset)
    live_board: bool = False


def manages_contest(p: Principal, contest: str, top_units: Iterable[str] = ()) -> bool:
    """Contest-wide commands (import, rule sets, judges, the roster): an admin of the whole
    contest or of its top unit (the county), or of everything."""
    top = set(top_units)
    return any(g.contest is None or (g.contest == contest and (g.unit is None or g.unit in top))
               for g in p.roles("admin"))


def manages_round(p: Principal, r: RoundView) -> bool:
    return any(g.contest is None or (g.contest == r.contest and (g.unit is None or g.unit in r.unit_path))
               for g in p.roles("admin"))


def manages_unit(p: Principal, contest: str, unit_path: Iterable[str]) -> bool:
    path = tuple(unit_path)
    return any(g.contest is None or (g.contest == contest and (g.unit is None or g.unit in path))
               for g in p.roles("admin"))


def manages_accounts(p: Principal) -> bool:
    return p.is_superuser


def reads_accounts(p: Principal) -> bool:
    """Accounts, their roles and their history: whoever manages them, and an auditor of
    every contest ("who could change scores in this round, and since when")."""
    return p.is_superuser or any(g.contest is None for g in p.roles("auditor"))


def judge_code(p: Principal, r: RoundView) -> str | None:
    """The judge code this account scores the round as: a judge grant of the round's
    contest whose judge is seated there."""
    for g in p.roles("judge"):
        if g.contest == r.contest and g.judge in r.judges:
            return g.judge
    return None


def organizations(p: Principal) -> set[str]:
    return {g.organization for g in p.roles("organization") if g.organization}


def reads_everything(p: Principal, contest: str | None = None) -> bool:
    return p.is_superuser or any(g.contest in (None, contest) for g in p.roles("auditor"))


def blind(p: Principal, r: RoundView) -> bool:
    """A judge seated in a round being scored who neither runs nor audits it, its live
    board off: sees their own sheets of it and nothing else - no board, ranking, rank,
    score, nor another judge's marks or totals - until the round closes.  (With the live
    board on the board is public, to them too; the other judges' marks stay hidden.)"""
    return (r.status in SCORING and not r.live_board and judge_code(p, r) is not None
            and not (manages_round(p, r) or reads_everything(p, r.contest)))


def sees_round(p: Principal, r: RoundView) -> bool:
    """The round's results and board: published or final results are public; a live
    board is public while scoring; otherwise those who run or audit it, its entrants, and
    its judges once it is closed (while it is scored they are blind, even to the board of
    an entrant they also belong to)."""
    if r.status in PUBLIC_RESULTS or (r.live_board and r.status in ("open", "closed")):
        return True
    if manages_round(p, r) or reads_everything(p, r.contest):
        return True
    if judge_code(p, r) is not None:
        return r.status in CLOSED_OR_LATER
    return bool(organizations(p) & r.entrants)


def sees_all_marks(p: Principal, r: RoundView) -> bool:
    """Every judge's marks: after finalization, everyone (the ISU protocol); before that,
    organizers and auditors, and the judges of the round once it is closed."""
    if r.status == "final":
        return True
    if manages_round(p, r) or reads_everything(p, r.contest):
        return True
    return r.status in CLOSED_OR_LATER and judge_code(p, r) is not None


def sees_entrant(p: Principal, r: RoundView, entrant: str) -> bool:
    """One entrant's sheets and explanation."""
    if sees_all_marks(p, r):
        return True
    return entrant in organizations(p) and entrant in r.entrants and r.status in CLOSED_OR_LATER


def reads_sheets(p: Principal, r: RoundView) -> bool:
    """May ask for the round's sheets at all (what is answered: :func:`sees_sheet`)."""
    return sees_all_marks(p, r) or judge_code(p, r) is not None or bool(organizations(p) & r.entrants)


def sees_sheet(p: Principal, r: RoundView, judge: str, entrant: str) -> bool:
    """One judge's sheet for one entrant: every sheet for whoever sees all the marks; a
    judge's own sheets at any time; an entrant's sheets for it once the round is closed."""
    if sees_all_marks(p, r):
        return True
    mine = judge_code(p, r)
    if mine is not None and judge == mine:
        return True
    return entrant in organizations(p) and sees_entrant(p, r, entrant)


OBJECTOR = ("name", "contact", "text", "filed_by")  # who objected and what was said


def appeal_as_seen(p: Principal, r: RoundView, appeal: Mapping[str, Any]) -> dict[str, Any] | None:
    """What ``p`` sees of one objection or appeal (a row with ``entrant`` and
    ``filed_by``), or None if nothing.  Objections are named (实名) so that the organizers
    can follow them up, not so that the organization objected to can find who objected:

    * those who run or audit the round see all of it;
    * whoever filed it (the account that recorded it) sees all of it;
    * the organization it is about sees that it exists, its kind, when it was filed, the
      decision, the written reply and its remedies - never the objector's name, contact,
      the account that recorded it, nor the text;
    * nobody else sees anything of it."""
    if manages_round(p, r) or reads_everything(p, r.contest):
        return dict(appeal)
    if p.name is not None and appeal.get("filed_by") == p.name:
        return dict(appeal)
    if appeal.get("entrant") is not None and appeal.get("entrant") in organizations(p):
        return {**appeal, **{k: None for k in OBJECTOR}}
    return None


def reads_appeals(p: Principal, r: RoundView) -> bool:
    """May ask for the round's appeals at all (what is answered: :func:`appeal_as_seen`)."""
    return manages_round(p, r) or reads_everything(p, r.contest) or bool(organizations(p))


def may_file_appeal(p: Principal, r: RoundView, entrant: str | None) -> bool:
    """An organization for itself; an admin of the round records a named third party's."""
    if manages_round(p, r):
        return True
    return entrant is not None and entrant in organizations(p) and entrant in r.entrants


def may_certify(p: Principal, contest: str, unit_path: Iterable[str]) -> bool:
    return manages_unit(p, contest, unit_path)


def comment_as_seen(p: Principal, r: RoundView, comment: Mapping[str, Any]) -> dict[str, Any] | None:
    """What ``p`` sees of one comment (点评, rulebook section 17.5; a row with ``judge`` and
    ``state``), or None if nothing.  Comments are never part of a score, but they are
    judging: they are blind like sheets.

    * those who run or audit the round see every comment, withdrawn ones included;
    * a judge of the round sees their own comments at any time (withdrawn ones too), and
      the others' once the round is closed;
    * everyone else (its organizations, the public) sees the comments once the results
      are published - never a withdrawn one."""
    if manages_round(p, r) or reads_everything(p, r.contest):
        return dict(comment)
    mine = judge_code(p, r)
    if mine is not None and comment.get("judge") == mine:
        return dict(comment)
    if comment.get("state") == "withdrawn":
        return None
    if mine is not None and r.status in CLOSED_OR_LATER:
        return dict(comment)
    if r.status in PUBLIC_RESULTS:
        return dict(comment)
    return None


def reads_comments(p: Principal, r: RoundView) -> bool:
    """May ask for the round's comments at all (what is answered: :func:`comment_as_seen`)."""
    return (manages_round(p, r) or reads_everything(p, r.contest) or judge_code(p, r) is not None
            or r.status in PUBLIC_RESULTS)
