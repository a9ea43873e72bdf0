"""Signing in, and accounts with their roles (recorded as events)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from api.rest.base import Blueprint, command, hub, sidecar
from api.rest.errors import Unauthorized
from api.rest.schemas.accounts import (
    AccountCreate,
    AccountEvent,
    AccountResult,
    AccountSchema,
    Done,
    GrantChange,
    Me,
    PasswordChange,
    SignIn,
    Token,
)
from api.rest.schemas.common import Reason
from api.rest.security import actor, checked_password, principal, refuse, sign_in, signed_in
from domain import access
from domain.errors import AccountNotFound
from domain.model.account import account_name

blp = Blueprint("accounts", __name__, url_prefix="/api", description="Signing in; accounts and roles")


@blp.route("/auth/token")
class SignInResource(MethodView):
    @blp.arguments(SignIn)
    @blp.response(200, Token)
    def post(self, data: dict[str, Any]) -> Any:
        """Sign in with a name and password: a token for `Authorization: Bearer …`"""
        account, token, seconds = sign_in(data["name"], data["password"])
        name = account["account"]
        return {"token": token, "expires_in": seconds, "account": name, "display_name": account["display_name"],
                "grants": account["grants"]}


@blp.route("/auth/me")
class MeResource(MethodView):
    @blp.response(200, Me)
    def get(self) -> Any:
        """Who is signed in (null when nobody is)"""
        p = principal()
        return {"account": p.name, "display_name": p.display_name,
                "grants": [{"role": g.role, **g.scope()} for g in p.grants]}


@blp.route("/auth/password")
class PasswordResource(MethodView):
    @blp.arguments(PasswordChange)
    @blp.response(200, Done)
    def post(self, data: dict[str, Any]) -> Any:
        """Change one's own password (every token issued before is void)"""
        from eventstore.sidecar import prepare

        p = signed_in()
        checked_password(p.name, data["current"], Unauthorized(why="the current password is wrong",
                                                               why_zh="当前密码错误"))
        stored, commitment = prepare(data["new"])
        by = actor(p, "admin" if p.is_superuser else _role_of(p))
        result = command(lambda s, key: s.password_changed(p.name, by, key, commitment=commitment),
                         f"account {p.name}", lambda _: {"changed": True})
        if isinstance(result, dict) and result["recorded"]:
            sidecar().store_hash(p.name, stored)
        return result


def _role_of(p: Any) -> str:
    return p.grants[0].role if p.grants else "public"


def _reader() -> Any:
    p = principal()
    if not access.reads_accounts(p):
        raise refuse(p, "read the accounts", "查看账号")
    return p


def _manager() -> Any:
    p = principal()
    if not access.manages_accounts(p):
        raise refuse(p, "manage accounts", "管理账号")
    return p


@blp.route("/accounts")
class AccountsResource(MethodView):
    @blp.response(200, AccountSchema(many=True))
    def get(self) -> Any:
        """Every account with its roles (administrators, and auditors of every contest)"""
        _reader()
        return hub().read().accounts()

    @blp.arguments(AccountCreate)
    @blp.response(201, AccountResult)
    def post(self, data: dict[str, Any]) -> Any:
        """Create an account with its roles; the answer holds a one-time password"""
        from eventstore.sidecar import new_password, prepare

        p = _manager()
        name = account_name(data["name"])
        by = actor(p, "admin")
        password = new_password()
        stored, commitment = prepare(password)

        def work(s: Any, key: str | None) -> str:
            s.create_account(name, data["display_name"], by, key)
            for grant in data["grants"]:
                s.grant_role(name, grant["role"], {k: v for k, v in grant.items() if k != "role"}, data["reason"], by)
            s.password_changed(name, by, commitment=commitment)
            return name

        result = command(work, f"account {name}", lambda _: {"account": name, "password": password})
        if isinstance(result, dict) and result["recorded"]:
            sidecar().store_hash(name, stored)
        return result


@blp.route("/accounts/<name>")
class AccountResource(MethodView):
    @blp.response(200, AccountSchema)
    def get(self, name: str) -> Any:
        """One account"""
        _reader()
        found = hub().read().account(account_name(name))
        if found is None:
            raise AccountNotFound(account=name)
        return found


@blp.route("/accounts/<name>/history")
class AccountHistoryResource(MethodView):
    @blp.response(200, AccountEvent(many=True))
    def get(self, name: str) -> Any:
        """Every change of an account, oldest first: created, roles granted and revoked (with
        their scope), password changes, disabled and enabled - when, by whom and why"""
        _reader()
        name = account_name(name)
        if hub().read().account(name) is None:
            raise AccountNotFound(account=name)
        return hub().read().account_history(name)


@blp.route("/accounts/<name>/grants")
class GrantResource(MethodView):
    @blp.arguments(GrantChange)
    @blp.response(200, Done)
    def post(self, data: dict[str, Any], name: str) -> Any:
        """Grant a role"""
        p = _manager()
        role, reason = data.pop("role"), data.pop("reason")
        return command(lambda s, key: s.grant_role(name, role, data, reason, actor(p, "admin"), key),
                       f"account {name}", lambda changed: {"changed": changed})


@blp.route("/accounts/<name>/grants/revoke")
class RevokeResource(MethodView):
    @blp.arguments(GrantChange)
    @blp.response(200, Done)
    def post(self, data: dict[str, Any], name: str) -> Any:
        """Revoke a role (tokens issued before are void)"""
        p = _manager()
        role, reason = data.pop("role"), data.pop("reason")
        return command(lambda s, key: s.revoke_role(name, role, data, reason, actor(p, "admin"), key),
                       f"account {name}", lambda changed: {"changed": changed})


@blp.route("/accounts/<name>/password")
class ResetResource(MethodView):
    @blp.arguments(Reason)
    @blp.response(200, AccountResult)
    def post(self, data: dict[str, Any], name: str) -> Any:
        """Set a new one-time password (tokens issued before are void)"""
        from eventstore.sidecar import new_password, prepare

        p = _manager()
        name = account_name(name)
        password = new_password()
        stored, commitment = prepare(password)
        result = command(lambda s, key: s.password_changed(name, actor(p, "admin"), key, commitment=commitment),
                         f"account {name}", lambda _: {"account": name, "password": password})
        if isinstance(result, dict) and result["recorded"]:
            sidecar().store_hash(name, stored)
        return result


@blp.route("/accounts/<name>/disable")
class DisableResource(MethodView):
    @blp.arguments(Reason)
    @blp.response(200, Done)
    def post(self, data: dict[str, Any], name: str) -> Any:
        """Disable an account (its tokens are void)"""
        p = _manager()
        return command(lambda s, key: s.disable_account(name, data["reason"], actor(p, "admin"), key),
                       f"account {name}", lambda changed: {"changed": changed})


@blp.route("/accounts/<name>/enable")
class EnableResource(MethodView):
    @blp.arguments(Reason)
    @blp.response(200, Done)
    def post(self, data: dict[str, Any], name: str) -> Any:
        """Enable a disabled account"""
        p = _manager()
        return command(lambda s, key: s.enable_account(name, data["reason"], actor(p, "admin"), key),
                       f"account {name}", lambda changed: {"changed": changed})
