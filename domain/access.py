"""Who may do what: the policy the HTTP API enforces, as pure functions.

A :class:`Principal` is the signed-in account with its grants (or nobody: the public);
a :class:`RoundView` is what the policy needs to know about a round.  The rules:

* an **admin** manages the units of their scope and every unit below them (a township
  admin runs its own rounds, the county admin all of them); an admin without a scope
  manages everything, including accounts;
* a **judge** scores only the rounds where their judge code is seated (the domain then
  refuses a recused entrant), and before a round closes sees no other judge's marks;
* an **organization** sees its own sheets and explanation once its round is closed, and
  files appeals for itself while the results are published;
* an **auditor** reads everything (the event export and verification included) and
  changes nothing;
* the **public** reads published and final results, the live board of a round that shows
  scores on the spot (现场亮分), and - as in an ISU protocol - every judge's marks once
  the round is final.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

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


def sees_round(p: Principal, r: RoundView) -> bool:
    """The round's results and board: published or final results are public; a live
    board is public while scoring; otherwise those who run, judge, audit or enter it."""
    if r.status in PUBLIC_RESULTS or (r.live_board and r.status in ("open", "closed")):
        return True
    return (manages_round(p, r) or reads_everything(p, r.contest) or judge_code(p, r) is not None
            or bool(organizations(p) & r.entrants))


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


def may_file_appeal(p: Principal, r: RoundView, entrant: str | None) -> bool:
    """An organization for itself; an admin of the round records a named third party's."""
    if manages_round(p, r):
        return True
    return entrant is not None and entrant in organizations(p) and entrant in r.entrants


def may_certify(p: Principal, contest: str, unit_path: Iterable[str]) -> bool:
    return manages_unit(p, contest, unit_path)
