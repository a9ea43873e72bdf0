"""The Account aggregate: a person who signs in, and what they may do.

Accounts are recorded as events like everything else, so an audit can answer "who could
change scores in this round, and since when": created, a role granted or revoked, the
password changed, disabled or enabled again.  The password itself is a secret, not
history: its hash is kept beside the store (eventstore/credentials), and the event says
only that it changed, who changed it and when.

Roles and their scopes (see :mod:`domain.access`):

* ``admin``         of a unit of a contest and every unit below it (no scope: everything);
* ``judge``         a judge code of a contest: acts on the rounds where that judge sits;
* ``organization``  an organization (entrant) code: its own results and appeals;
* ``auditor``       reads everything, changes nothing (optionally one contest).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain import text as texts
from domain.errors import InvalidValue
from domain.ids import account_id
from domain.model.base import Actor, LeitaiAggregate, require_reason

ACCOUNT_ROLES = ("admin", "judge", "organization", "auditor")
SCOPE_KEYS = {"admin": ("contest", "unit"), "judge": ("contest", "judge"), "organization": ("organization",),
              "auditor": ("contest",)}


@dataclass(frozen=True)
class Grant:
    role: str
    contest: str | None = None
    unit: str | None = None
    judge: str | None = None
    organization: str | None = None

    def scope(self) -> dict[str, str]:
        return {k: v for k, v in (("contest", self.contest), ("unit", self.unit), ("judge", self.judge),
                                  ("organization", self.organization)) if v is not None}

    def describe(self) -> str:
        scope = ", ".join(f"{k}={v}" for k, v in self.scope().items())
        return f"{self.role}({scope})" if scope else self.role


def grant_from(role: str, scope: dict[str, Any]) -> Grant:
    """A role with its scope, checked and in normal form."""
    if role not in ACCOUNT_ROLES:
        raise InvalidValue("role", role, f"a role is one of {', '.join(ACCOUNT_ROLES)}",
                           f"角色应为 {'、'.join(ACCOUNT_ROLES)} 之一")
    allowed = SCOPE_KEYS[role]
    unknown = [k for k, v in scope.items() if v not in (None, "") and k not in allowed]
    if unknown:
        raise InvalidValue(unknown[0], scope[unknown[0]], f"a {role} is not scoped by {unknown[0]}",
                           f"{role} 角色不按 {unknown[0]} 限定范围")
    values = {k: scope.get(k) or None for k in allowed}
    if values.get("contest") is not None:
        values["contest"] = texts.contest_code(values["contest"], "contest")
    for key in ("unit", "judge", "organization"):
        if values.get(key) is not None:
            values[key] = texts.entity_code(values[key], key)
    if role == "judge" and (values["judge"] is None or values["contest"] is None):
        raise InvalidValue("judge", scope.get("judge"), "a judge account names its contest and judge code",
                           "评委账号须指明活动和评委代码")
    if role == "organization" and values["organization"] is None:
        raise InvalidValue("organization", None, "an organization account names its organization code",
                           "党组织账号须指明组织代码")
    if role == "admin" and values["unit"] is not None and values["contest"] is None:
        raise InvalidValue("contest", None, "an administrator of a unit names the unit's contest",
                           "单位管理员须指明所属活动")
    return Grant(role, **values)


class Account(LeitaiAggregate):
    class Created(LeitaiAggregate.Created):
        name: str
        display_name: str

        def evolve(self, a: Account) -> None:
            a.name, a.display_name = self.name, self.display_name

    class RoleGranted(LeitaiAggregate.Event):
        granted: str  # the role granted (the event's own "role" is the acting account's)
        scope: dict[str, str]
        reason: str

        def evolve(self, a: Account) -> None:
            a.grants.append(Grant(self.granted, **self.scope))

    class RoleRevoked(LeitaiAggregate.Event):
        revoked: str
        scope: dict[str, str]
        reason: str

        def evolve(self, a: Account) -> None:
            a.grants = [g for g in a.grants if g != Grant(self.revoked, **self.scope)]
            a.generation += 1

    class PasswordChanged(LeitaiAggregate.Event):
        """The password changed.  Its hash is kept beside the store, never in an event; the
        event commits to it (``sha256:`` + SHA-256 of the stored hash text), so a hash put
        there by anyone but Leitai signs nobody in.  Events of earlier versions carry none."""

        by_owner: bool
        commitment: str | None = None

        def evolve(self, a: Account) -> None:
            a.generation += 1  # every token issued before is void
            a.password_commitment = getattr(self, "commitment", None)

    class PasswordCommitted(LeitaiAggregate.Event):
        """The log commits to a password hash stored by an earlier version, which recorded no
        commitment: ``leitai db upgrade`` vouches for the hashes as it finds them.  The
        password did not change, and no token is voided."""

        commitment: str

        def evolve(self, a: Account) -> None:
            a.password_commitment = self.commitment

    class Disabled(LeitaiAggregate.Event):
        reason: str

        def evolve(self, a: Account) -> None:
            a.disabled, a.generation = True, a.generation + 1

    class Enabled(LeitaiAggregate.Event):
        reason: str

        def evolve(self, a: Account) -> None:
            a.disabled = False

    def __init__(self) -> None:
        super().__init__()
        self.name = self.display_name = ""
        self.grants: list[Grant] = []
        self.disabled = False
        self.generation = 0  # tokens carry it: a password change, a revocation or disabling voids them
        self.password_commitment: str | None = None  # what the stored password hash must hash to

    @classmethod
    def create(cls, name: str, display_name: str, by: Actor, key: str | None = None) -> Account:
        name = account_name(name)
        display = texts.name(display_name or name, "display_name")
        return cls._start(cls.Created, account_id(name), by, key, name=name, display_name=display)

    def grant(self, grant: Grant, reason: str, by: Actor, key: str | None = None) -> bool:
        if grant in self.grants:
            return False
        self._record(self.RoleGranted, by, key, granted=grant.role, scope=grant.scope(),
                     reason=require_reason(reason, "grant a role", "授予角色"))
        return True

    def revoke(self, grant: Grant, reason: str, by: Actor, key: str | None = None) -> bool:
        if grant not in self.grants:
            raise InvalidValue("role", grant.describe(), "the account does not hold this role", "该账号没有这个角色")
        self._record(self.RoleRevoked, by, key, revoked=grant.role, scope=grant.scope(),
                     reason=require_reason(reason, "revoke a role", "撤销角色"))
        return True

    def password_changed(self, by: Actor, key: str | None = None, commitment: str | None = None) -> None:
        self._record(self.PasswordChanged, by, key, by_owner=by.id == self.name, commitment=commitment)

    def commit_password(self, commitment: str, by: Actor) -> bool:
        """Record the commitment to the stored hash of an account that has none (upgrade)."""
        if self.password_commitment is not None:
            return False
        self._record(self.PasswordCommitted, by, None, commitment=commitment)
        return True

    def disable(self, reason: str, by: Actor, key: str | None = None) -> bool:
        if self.disabled:
            return False
        self._record(self.Disabled, by, key, reason=require_reason(reason, "disable an account", "停用账号"))
        return True

    def enable(self, reason: str, by: Actor, key: str | None = None) -> bool:
        if not self.disabled:
            return False
        self._record(self.Enabled, by, key, reason=require_reason(reason, "enable an account", "启用账号"))
        return True


def account_name(name: Any) -> str:
    """An account's sign-in name: small letters, digits, - _ . (case does not matter)."""
    return texts.code(name, "name", lower=True)
