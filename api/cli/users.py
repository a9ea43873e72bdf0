"""Accounts on the command line, the HTTP service, and official documents."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from api.cli import render
from api.cli.context import Context, cannot_listen
from domain.errors import InvalidValue


def _scope(ctx: Context) -> dict[str, Any]:
    a = ctx.args
    return {k: getattr(a, k) for k in ("contest", "unit", "judge", "organization") if getattr(a, k, None)}


def cmd_add(ctx: Context) -> None:
    from eventstore.sidecar import Sidecar, new_password, prepare

    a = ctx.args
    password = new_password()
    stored, commitment = prepare(password)
    scope = _scope(ctx)

    def work(s: Any) -> str:
        account = s.create_account(a.name, a.display_name, ctx.actor)
        s.grant_role(account.name, a.role, scope, "account created", ctx.actor)
        s.password_changed(account.name, ctx.actor, commitment=commitment)
        return account.name

    outcome = ctx.app.execute(work, f"account {a.name}")
    Sidecar(ctx.app.store).store_hash(outcome.value, stored)
    ctx.recorded(outcome, f"已创建账号 {outcome.value}（{a.role}）", f"Account {outcome.value} created ({a.role})")
    ctx.say(f"一次性密码：{password}（只显示这一次；登录后请修改）", f"One-time password: {password} (shown once; change it after "
            "signing in)")


def cmd_list(ctx: Context) -> None:
    from api.cli.readside import view

    rows = view(ctx, lambda read: read.accounts())
    if rows is None:
        return
    if not rows:
        ctx.say("还没有账号。请用 `leitai users add` 创建。", "No accounts yet. Create one with `leitai users add`.")
        return
    print(render.table([ctx.t("账号", "Account"), ctx.t("名称", "Name"), ctx.t("角色", "Roles"), ctx.t("状态", "State")],
                       [[r["account"], r["display_name"], "；".join(_grant(g) for g in r["grants"]) or "-",
                         ctx.t("已停用", "disabled") if r["disabled"] else ctx.t("可用", "active")] for r in rows]))


def _grant(g: dict[str, Any]) -> str:
    scope = ", ".join(f"{k}={v}" for k, v in g.items() if k != "role" and v)
    return f"{g['role']}({scope})" if scope else g["role"]


def cmd_grant(ctx: Context) -> None:
    a = ctx.args
    outcome = ctx.app.execute(lambda s: s.grant_role(a.name, a.role, _scope(ctx), a.reason, ctx.actor), f"account {a.name}")
    ctx.recorded(outcome, f"已为 {a.name} 授予 {a.role} 角色", f"{a.role} granted to {a.name}")


def cmd_revoke(ctx: Context) -> None:
    a = ctx.args
    outcome = ctx.app.execute(lambda s: s.revoke_role(a.name, a.role, _scope(ctx), a.reason, ctx.actor),
                              f"account {a.name}")
    ctx.recorded(outcome, f"已撤销 {a.name} 的 {a.role} 角色", f"{a.role} revoked from {a.name}")


def cmd_password(ctx: Context) -> None:
    from domain.model.account import account_name
    from eventstore.sidecar import Sidecar, new_password, prepare

    a = ctx.args
    password = new_password()
    stored, commitment = prepare(password)
    outcome = ctx.app.execute(lambda s: s.password_changed(a.name, ctx.actor, commitment=commitment),
                              f"account {a.name}")
    Sidecar(ctx.app.store).store_hash(account_name(a.name), stored)
    ctx.recorded(outcome, f"已为 {a.name} 设置新的一次性密码", f"New one-time password set for {a.name}")
    ctx.say(f"一次性密码：{password}", f"One-time password: {password}")


def cmd_disable(ctx: Context) -> None:
    a = ctx.args
    outcome = ctx.app.execute(lambda s: s.disable_account(a.name, a.reason, ctx.actor), f"account {a.name}")
    ctx.recorded(outcome, f"账号 {a.name} 已停用", f"Account {a.name} disabled")


def cmd_enable(ctx: Context) -> None:
    a = ctx.args
    outcome = ctx.app.execute(lambda s: s.enable_account(a.name, a.reason, ctx.actor), f"account {a.name}")
    ctx.recorded(outcome, f"账号 {a.name} 已重新启用", f"Account {a.name} enabled")


def cmd_serve(ctx: Context) -> None:
    from api.serve import serve

    app = ctx.app  # the store must exist; migrations applied
    try:
        serve(app.store, ctx.args.host, ctx.args.port, ctx.args.threads, ctx.say, application=app, warn=ctx.warn)
    except (OSError, ValueError) as error:
        refused = cannot_listen(error, ctx.args.host, ctx.args.port, "leitai serve --port 5050")
        if refused is None:
            raise
        raise refused from None


def cmd_document(ctx: Context) -> None:
    from api.cli.readside import current
    from api.documents import gather, html_document, xlsx_document

    a = ctx.args
    path = Path(a.out)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("html", "xlsx"):
        raise InvalidValue("--out", a.out, "the file name must end in .html or .xlsx", "文件名应以 .html 或 .xlsx 结尾")
    read = current(ctx)
    try:
        data = gather(read, a.round, a.kind)
    finally:
        read.close()
    try:
        if fmt == "html":
            path.write_text(html_document(data, ctx.lang), encoding="utf-8")
        else:
            path.write_bytes(xlsx_document(data, ctx.lang))
    except OSError as error:
        raise InvalidValue("--out", a.out, f"cannot be written ({error.strerror})", f"无法写入（{error.strerror}）") from None
    name = ctx.t("评分汇总表", "score sheet") if a.kind == "score-sheet" else ctx.t("公示", "publicity notice")
    ctx.say(f"已生成轮次 {data['board']['round']} 的{name}：{path}", f"Wrote the {name} of round {data['board']['round']}: {path}")


def dump(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))
