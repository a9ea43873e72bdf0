"""Commands that set a contest up: import, rule sets, the holiday calendar, the
database and its signing key, and changes to judges' and organizations' details."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from api.cli import render
from api.cli.context import Context, read_text


def cmd_import(ctx: Context) -> None:
    from api.importing.scenario import import_directory

    directory = Path(ctx.args.directory)
    made = _new_sqlite_files(ctx)
    try:
        app = ctx.open_new()
        ctx.say(f"导入 {directory} → {app.store.display} …", f"Importing {directory} into {app.store.display} …")
        reports, outcome = import_directory(app, directory, ctx.actor, ctx.progress)
    except BaseException:
        if made is not None:  # a refused import leaves nothing: no new database file, no key made for it
            ctx.close()
            for path in made():
                path.unlink(missing_ok=True)
        raise
    rows = [[r.file, r.rows, r.recorded] for r in reports]
    print(render.table([ctx.t("文件", "File"), ctx.t("行/项", "Rows"), ctx.t("新事件", "New events")], rows,
                       right=[1, 2]))
    for report in reports:
        for en, zh in report.warnings:
            ctx.warn(zh, en)
    total = sum(r.recorded for r in reports)
    found = sum(r.rows for r in reports)
    if total:
        ctx.say(f"共登记 {total} 条新事件（日志位置 {outcome.position}）。",
                f"{total} new events recorded (log position {outcome.position}).")
    elif found == 0:
        ctx.say("没有新内容：这些文件中没有数据行（只有表头）。", "Nothing new: the files hold no data rows (headers only).")
    else:
        ctx.say(f"没有新内容：找到 {found} 行/项，全部此前已经导入过。",
                f"Nothing new: {found} rows/items found, all imported before.")


def _new_sqlite_files(ctx: Context) -> Any:
    """When the import is to make a new SQLite database: a function naming the files made
    since (the database, its -wal and -shm, the key files derived from it), to delete if the
    import is refused; else None."""
    from domain.services.store import parse_url
    from eventstore.keys import key_files

    store = parse_url(ctx.db)
    if store.kind != "sqlite" or Path(store.path).exists():
        return None
    candidates = [Path(store.path + suffix) for suffix in ("", "-wal", "-shm", "-journal")] + key_files(store)
    there = {path for path in candidates if path.exists()}
    return lambda: [path for path in candidates if path not in there and path.exists()]


def cmd_rules_check(ctx: Context) -> None:
    from domain.rules.ruleset import parse_ruleset

    path, text = read_text(ctx.args.file)
    rules = parse_ruleset(text, str(path))
    method = render.method_text(rules.panel.method, rules.panel.trim, ctx.lang)
    crit = "、".join(f"{c.name}（{c.code}）≤{render.number(c.max)}" for c in rules.criteria)
    crit_en = ", ".join(f"{c.name} ({c.code}) <= {render.number(c.max)}" for c in rules.criteria)
    ctx.say(f"{path}：有效。规则 {rules.ref}，{len(rules.criteria)} 项评分指标：{crit}；计分方法：{method}"
            f"（至少 {rules.panel.min_judges} 份评分表），评分最多 {rules.mark_decimals} 位小数，结果保留 "
            f"{rules.result_decimals} 位小数。摘要 {rules.digest}",
            f"{path}: valid. Rule set {rules.ref}, {len(rules.criteria)} criteria: {crit_en}; panel: {method} "
            f"(at least {rules.panel.min_judges} sheets), marks with at most {rules.mark_decimals} decimals, results "
            f"to {rules.result_decimals} decimals. Digest {rules.digest}")


def parse_scope(text: str, from_period: str | None) -> dict[str, Any]:
    from domain.errors import InvalidValue

    kind, _, value = text.partition(":")
    if kind == "contest" and not value:
        scope: dict[str, Any] = {"contest": True}
    elif kind in ("level", "unit") and value:
        scope = {kind: value.strip().lower() if kind == "level" else value.strip().upper()}
    elif kind == "rounds" and value:
        scope = {"rounds": [v.strip().upper() for v in value.split(",") if v.strip()]}
    else:
        raise InvalidValue("--scope", text, "use contest, level:LEVEL, unit:UNIT or rounds:R1,R2",
                           "范围应写成 contest、level:层级、unit:单位 或 rounds:轮次1,轮次2")
    if from_period:
        scope["from_period"] = from_period
    return scope


def cmd_rules_adopt(ctx: Context) -> None:
    a = ctx.args
    path, text = read_text(a.file)
    scope = parse_scope(a.scope, a.from_period)

    def work(s: Any) -> Any:
        rules = s.register_ruleset(text, path.name, ctx.actor)
        return s.adopt_ruleset(a.contest, rules.ref, scope, a.reason, ctx.actor)

    outcome = ctx.app.execute(work, f"contest {a.contest}")
    ref = outcome.value["rules"]
    assigned, kept = outcome.value["assigned"], outcome.value["kept"]
    other = outcome.value.get("other_rules") or []
    ctx.recorded(outcome, f"已采用 {ref['code']}@{ref['version']}（范围 {a.scope}）。按新规则计算的未结束轮次："
                          f"{'、'.join(assigned) or '无'}；已结束的轮次保留原结果：{'、'.join(kept) or '无'}"
                          "（如需按新规则重新排名，请用 `leitai rerank`）"
                          + (f"；按其他规则计算的轮次不变：{'、'.join(other)}（如需改用，请用 --scope rounds:轮次）"
                             if other else ""),
                 f"Adopted {ref['code']}@{ref['version']} (scope {a.scope}). Rounds not yet closed now computed under "
                 f"it: {', '.join(assigned) or 'none'}; closed rounds keep their results: {', '.join(kept) or 'none'} "
                 "(re-rank one with `leitai rerank`)"
                 + (f"; rounds under other rules are unchanged: {', '.join(other)} (name them with --scope "
                    "rounds:R1,R2 to switch them)" if other else ""))


def cmd_calendar_load(ctx: Context) -> None:
    from domain.workdays import parse_year_file

    path, text = read_text(ctx.args.file)
    year = parse_year_file(text, path.name)
    outcome = ctx.app.execute(lambda s: s.load_holiday_year(year, ctx.actor), "holiday calendar")
    ctx.recorded(outcome, f"{year.year} 年节假日安排：{len(year.holidays)} 天放假，{len(year.workdays)} 天调休上班",
                 f"{year.year}: {len(year.holidays)} holidays, {len(year.workdays)} make-up working days")


def cmd_db_migrate(ctx: Context) -> None:
    import migrations
    from api.wiring import admin_store, open_store

    store = open_store(ctx.db, create=True)
    done = migrations.migrate(store, admin_store())
    ctx.say(f"{store.display}：" + (f"已执行迁移 {'、'.join(done)}" if done else "已是最新"),
            f"{store.display}: " + (f"applied {', '.join(done)}" if done else "up to date"))
    roles = migrations.runner.roles(admin_store() or store)
    if roles:
        ctx.say(f"应用账号请加入写入角色 {roles['writer']}：CREATE ROLE leitai LOGIN PASSWORD '…' IN ROLE {roles['writer']}",
                f"Put the application's login in the writer role {roles['writer']}: "
                f"CREATE ROLE leitai LOGIN PASSWORD '…' IN ROLE {roles['writer']}")
    _keys_apart(ctx, store, admin_store() or store)
    _first_head(ctx, admin_store() or store)  # over the history as the earlier version left it
    _commit_passwords(ctx, admin_store() or store)


def _commit_passwords(ctx: Context, store: Any) -> None:
    """Password hashes an earlier version stored, which no event commits to (it recorded no
    commitment): the upgrade records each one's commitment (PasswordCommitted), vouching for
    the table as it finds it.  From then on a hash changed outside Leitai signs nobody in."""
    from api.wiring import open_app
    from eventstore.sidecar import Sidecar, commitment

    sidecar = Sidecar(store)
    try:
        stored = sidecar.stored_hashes()
    finally:
        sidecar.close()
    if not stored:
        return
    app = open_app(store.url, migrate=False, create=False)
    try:
        def work(s: Any) -> list[str]:
            return [name for name in sorted(stored) if s.find_account(name) is not None
                    and s.commit_password(name, commitment(stored[name]), ctx.actor)]

        committed = app.execute(work, "password commitments").value
    finally:
        app.close()
    if committed:
        ctx.say(f"已为 {len(committed)} 个由早期版本设置密码的账号登记密码承诺（{'、'.join(committed[:10])}"
                f"{'等' if len(committed) > 10 else ''}）：此后在擂台系统之外改动的密码哈希无法登录",
                f"Recorded the password commitment of {len(committed)} account(s) whose password an earlier version "
                f"set ({', '.join(committed[:10])}{' …' if len(committed) > 10 else ''}): from now on a password hash "
                "changed outside Leitai signs nobody in")


def _first_head(ctx: Context, store: Any) -> None:
    """An existing log's first signed tree head, when the tree was just built (or a key has
    never signed one): signed here if this machine holds the deployment's key."""
    from eventstore.keys import default_path
    from eventstore.signing import HeadSigner
    from eventstore.tree import TreeStore

    tree = TreeStore(store)
    if tree.origin() is None or tree.size() == 0:
        return
    key = default_path(store)
    if not key.exists():
        ctx.say(f"日志 {tree.origin()} 的 Merkle 树已建好（{tree.size()} 条事件）。本机没有签名密钥（{key}）："
                "第一个树头将在服务器下一次封存、公示时签署，或在服务器上运行 `leitai checkpoint`",
                f"The Merkle tree of the log {tree.origin()} is built ({tree.size()} events). This machine holds no "
                f"signing key ({key}): the first tree head is signed at the server's next seal or publication, or "
                "by `leitai checkpoint` on the server")
        return
    if HeadSigner(key, tree, create=False).last_head() is not None:
        return
    from api.wiring import open_app

    app = open_app(store.url, migrate=False, create=False)
    try:
        head = app.sign_head(["db upgrade"], ctx.actor).value
    finally:
        app.close()
    ctx.say(f"已为日志 {head.origin} 签署第一个树头（{head.size} 条事件）并登记。见证方可以开始见证："
            f"leitai witness add 本系统网址 --key {head.vkey}",
            f"Signed and recorded the first tree head of the log {head.origin} ({head.size} events). Witnesses may "
            f"start now: leitai witness add THIS_SERVER_URL --key {head.vkey}")


def _keys_apart(ctx: Context, store: Any, target: Any) -> None:
    """After the migrations: no key beside or inside the database, and no database file other
    users can read (eventstore/keys.py, eventstore/private.py); each change is said."""
    import migrations
    from api.rest.security import TOKEN_HOURS
    from eventstore.keys import data_directory, keep_secret_key, move_beside_key, secret_key_path
    from eventstore.private import DIRECTORY_MODE, tighten, tighten_sqlite

    if store.kind == "sqlite":
        try:
            tightened = tighten_sqlite(store.path)
        except OSError as error:
            ctx.warn(f"无法收紧 {store.path} 的权限（{error.strerror}）：请让它只有所有者可读写（chmod 600）",
                     f"cannot tighten the mode of {store.path} ({error.strerror}): make it 0600 (chmod 600)")
            tightened = []
        if tightened:
            ctx.say(f"已把 {'、'.join(map(str, tightened))} 的权限收紧为 0600（只有所有者可读写；此前本机其他用户也能读取）",
                    f"Tightened {', '.join(map(str, tightened))} to mode 0600 (owner only; other local users could read it)")
    try:
        if data_directory().is_dir() and tighten(data_directory(), DIRECTORY_MODE):
            ctx.say(f"已把密钥目录 {data_directory()} 的权限收紧为 0700",
                    f"Tightened the key directory {data_directory()} to 0700")
    except OSError as error:
        ctx.warn(f"无法收紧密钥目录 {data_directory()} 的权限（{error.strerror}）：请改为 0700",
                 f"cannot tighten the key directory {data_directory()} ({error.strerror}): make it 0700")
    moved = move_beside_key(store)
    if moved:
        outcome, old, new = moved
        if outcome == "moved":
            ctx.say(f"已把签名密钥从数据库文件旁（{old}）移到 {new}（权限 0600）。本部署继续用同一个密钥签名，"
                    "此前签署的检查点仍可用同一个公钥核对。请把它与数据库分开备份",
                    f"Moved the signing key from beside the database ({old}) to {new} (mode 0600). The deployment "
                    "keeps signing with the same key: what it signed before still verifies with the same public "
                    "key. Back it up apart from the database")
        elif outcome == "duplicate":
            ctx.say(f"数据库文件旁的 {old} 与 {new} 是同一个签名密钥：已删除数据库旁的副本",
                    f"{old} beside the database was the same signing key as {new}: the copy beside the database "
                    "was deleted")
        elif outcome == "both":
            ctx.warn(f"数据库文件旁的 {old} 与 {new} 是两个不同的签名密钥，都没有改动。本部署用 {new} 签名；"
                     f"{old} 签过的检查点要用它的公钥核对（leitai verify --key 旧公钥 --key 新公钥）。"
                     "请把它移离数据库、另行保管",
                     f"{old} beside the database and {new} are two different signing keys; neither was touched. "
                     f"The deployment signs with {new}; checkpoints signed by {old} verify with its public key "
                     "(leitai verify --key OLD --key NEW). Move it away from the database and keep it apart")
        else:
            ctx.warn(f"LEITAI_SIGNING_KEY 指向数据库文件旁的 {old}，没有移动它：请把它移到别处并相应修改 LEITAI_SIGNING_KEY",
                     f"LEITAI_SIGNING_KEY names {old}, beside the database: it was not moved. Move it elsewhere "
                     "and change LEITAI_SIGNING_KEY accordingly")
    # the application's own role may not delete the row: a MigrationError (exit 5) says so
    kept = migrations.runner.move_token_key_out(target, lambda value: keep_secret_key(store, value))
    if kept is None:
        return
    path = secret_key_path(store)
    if kept == "configured":
        ctx.say("已设置 LEITAI_SECRET_KEY：数据库中（leitai_settings）未被使用的令牌密钥已删除",
                "LEITAI_SECRET_KEY is set: the token key kept in the database (leitai_settings), unused, was deleted")
        return
    if kept == "written":
        ctx.say(f"已把令牌密钥从数据库（leitai_settings）移到 {path}（权限 0600），并从数据库中删除；此前签发的令牌仍然有效",
                f"Moved the token key out of the database (leitai_settings) to {path} (mode 0600) and deleted it "
                "there; tokens issued before stay valid")
    elif kept == "same":
        ctx.say(f"{path} 中已是同一个令牌密钥：已从数据库（leitai_settings）中删除",
                f"{path} already holds the same token key: it was deleted from the database (leitai_settings)")
    else:
        ctx.say(f"{path} 中已有另一个令牌密钥（正在使用的那个）：数据库中（leitai_settings）的旧令牌密钥已删除，"
                "用它签发的令牌失效，相关用户需重新登录",
                f"{path} already holds another token key (the one in use): the old one in the database "
                "(leitai_settings) was deleted; tokens it signed are void, their users sign in again")
    ctx.say(f"同一部署的每台服务器必须使用同一个令牌密钥：把这个文件复制到各服务器的同一位置（或用 LEITAI_SECRET_KEY_FILE "
            f"指向它，或设置 LEITAI_SECRET_KEY）。换用新的令牌密钥只会让所有人重新登录（令牌 {TOKEN_HOURS} 小时内有效），"
            "不影响任何其他数据",
            "Every server of a deployment must use the same token key: copy this file to each (or point "
            "LEITAI_SECRET_KEY_FILE at it, or set LEITAI_SECRET_KEY). A new token key only signs everyone out "
            f"(tokens last {TOKEN_HOURS} hours), nothing else")


def cmd_keys_show(ctx: Context) -> None:
    from eventstore.keys import beside_path, default_path, load_signer, public_pem, signing_key_path

    path = default_path(ctx.store)
    created = not path.exists()
    signer = load_signer(path)
    if created:
        print(ctx.t(f"已生成签名密钥 {path}（请妥善保管，不要与数据库放在一起）。",
                    f"Created the signing key {path} (keep it safe, apart from the database)."), file=sys.stderr)
    elif path == beside_path(ctx.store):
        ctx.warn(f"签名密钥仍在数据库文件旁；`leitai db upgrade` 会把它移到 {signing_key_path(ctx.store)}",
                 f"the signing key is still beside the database; `leitai db upgrade` moves it to "
                 f"{signing_key_path(ctx.store)}")
    from eventstore.notes import log_key
    from eventstore.signing import STATE_SUFFIX
    from eventstore.tree import TreeStore

    origin = TreeStore(ctx.store).origin()
    vkey = str(log_key(origin, signer.public_key)) if origin else ctx.t("（先运行 leitai db upgrade）",
                                                                      "(run leitai db upgrade first)")
    ctx.say(f"签名密钥：{path}\n签名状态（上次签署的树头，与密钥一起保管）：{path}{STATE_SUFFIX}\n日志：{origin}\n"
            f"公钥：{signer.public_hex}\n指纹：{signer.fingerprint}\n验证公钥（交给审计人员和见证方）：{vkey}\n"
            "审计人员核对导出文件：leitai verify --from-export 文件 --key " + signer.public_hex,
            f"Signing key: {path}\nSigner's state (the last head it signed; keep it with the key): "
            f"{path}{STATE_SUFFIX}\nLog: {origin}\nPublic key: {signer.public_hex}\nFingerprint: "
            f"{signer.fingerprint}\nVerifier key (for auditors and witnesses): {vkey}\n"
            "Auditors verify an export with: leitai verify --from-export FILE --key " + signer.public_hex)
    print(public_pem(signer), end="")


def cmd_judge_update(ctx: Context) -> None:
    a = ctx.args
    details = {k: v for k, v in (("name", a.name), ("home_unit", a.home_unit), ("affiliation", a.affiliation))
               if v is not None}
    outcome = ctx.app.execute(lambda s: s.update_judge(a.contest, a.judge, a.reason, ctx.actor, key=ctx.key(),
                                                       **details), f"contest {a.contest}")
    ctx.recorded(outcome, f"评委 {a.judge.upper()} 的信息已更新", f"Judge {a.judge.upper()} updated")


def cmd_org_update(ctx: Context) -> None:
    a = ctx.args
    details = {k: v for k, v in (("name", a.name), ("unit", a.unit), ("sector", a.sector), ("category", a.category),
                                 ("secretary", a.secretary)) if v is not None}
    outcome = ctx.app.execute(lambda s: s.update_organization(a.contest, a.organization, ctx.actor, a.reason,
                                                              key=ctx.key(), **details), f"organization {a.organization}")
    ctx.recorded(outcome, f"党组织 {a.organization.upper()} 的信息已更新", f"Organization {a.organization.upper()} updated")
