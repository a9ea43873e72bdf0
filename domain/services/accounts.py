"""Commands on accounts: created, roles granted and revoked, disabled, enabled, and the
record that a password changed (the hash itself is kept beside the store)."""

from __future__ import annotations

from typing import Any

from domain.errors import AccountNotFound, RecordConflict
from domain.ids import account_id
from domain.model.account import Account, account_name, grant_from
from domain.model.base import Actor
from domain.services.session import SessionBase


class AccountCommands(SessionBase):
    def account(self, name: str) -> Account:
        name = account_name(name)
        found = self.find(account_id(name), Account)
        if found is None:
            raise AccountNotFound(account=name)
        return found

    def find_account(self, name: str) -> Account | None:
        return self.find(account_id(account_name(name)), Account)

    def create_account(self, name: str, display_name: str, by: Actor, key: str | None = None) -> Account:
        if self.find_account(name) is not None:
            raise RecordConflict("account", account_name(name), "name", "exists", "a new account")
        return self.add(Account.create(name, display_name, by, key))

    def grant_role(self, name: str, role: str, scope: dict[str, Any], reason: str, by: Actor,
                   key: str | None = None) -> bool:
        grant = grant_from(role, scope)
        if grant.contest is not None:
            contest = self.contest(grant.contest)
            if grant.unit is not None:
                contest.unit(grant.unit)
            if grant.judge is not None:
                contest.judge(grant.judge)
        if grant.organization is not None:
            self.organization(grant.organization)
        return self.account(name).grant(grant, reason, by, key)

    def revoke_role(self, name: str, role: str, scope: dict[str, Any], reason: str, by: Actor,
                    key: str | None = None) -> bool:
        return self.account(name).revoke(grant_from(role, scope), reason, by, key)

    def disable_account(self, name: str, reason: str, by: Actor, key: str | None = None) -> bool:
        return self.account(name).disable(reason, by, key)

    def enable_account(self, name: str, reason: str, by: Actor, key: str | None = None) -> bool:
        return self.account(name).enable(reason, by, key)

    def password_changed(self, name: str, by: Actor, key: str | None = None, commitment: str | None = None) -> None:
        self.account(name).password_changed(by, key, commitment)

    def commit_password(self, name: str, commitment: str, by: Actor) -> bool:
        return self.account(name).commit_password(commitment, by)
