"""``leitai db copy SOURCE TARGET``: move a deployment to another store (an SQLite file to
PostgreSQL when a county grows, or one PostgreSQL server to another).

Three steps, each said as it runs: the recorded state is copied in one transaction and
compared table by table before it is committed (:mod:`eventstore.copying`); the read models
are rebuilt from the copied log; then the copy is verified as an auditor would, with
``leitai verify --since`` every head the source had signed: the chain, the tree, every
signed head (with the deployment's key, when this machine holds it), the rankings served,
and the rankings equal to the source's.  The keys are not in either database: the command
ends by saying where the deployment's keys are and how the new store's servers find them.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from api.cli.context import Context, Mismatch
from domain.errors import InvalidValue


def _store(url: str, field: str) -> Any:
    from domain.services.store import parse_url

    try:
        return parse_url(url)
    except InvalidValue as error:
        raise InvalidValue(field, url, error.fields["problem"], error.fields["problem_zh"]) from None


def _progress(phase: str, done: int, total: int) -> None:
    names = {"copy": "复制事件 / copying events", "compare": "逐表比对 / comparing every table"}
    if phase == "compare":
        if done == 0:
            print(f"  … {names[phase]}", file=sys.stderr, flush=True)
        return
    share = f" ({done * 100 // total}%)" if total else ""
    print(f"  … {names.get(phase, phase)}: {done:,}/{total:,}{share}", file=sys.stderr, flush=True)


def cmd_db_copy(ctx: Context) -> None:
    from eventstore.copying import copy_store

    source = _store(ctx.args.source, "SOURCE")
    target = _store(ctx.args.target, "TARGET")
    ctx.say(f"1/3 复制 {source.display} → {target.display}（一个事务：失败则目标数据库保持原样）",
            f"1/3 Copying {source.display} → {target.display} (one transaction: on failure the target is left as it was)")
    _catch_up(source)  # its heads and rankings, to check the copy against (the log is only read)
    started = time.perf_counter()
    report = copy_store(source, target, _progress)
    seconds = time.perf_counter() - started
    if report.migrated_target:
        ctx.say(f"    目标数据库已执行迁移 {'、'.join(report.migrated_target)}",
                f"    migrated the target: {', '.join(report.migrated_target)}")
    rows = report.rows
    ctx.say(f"    已复制 {report.events:,} 条事件（位置至 {report.last_position}，日志 {report.origin}）、哈希链与 Merkle 树"
            f"（{report.tree_size:,} 片叶子，与源逐字节相同）、{rows.get('credentials', 0)} 个密码哈希、"
            f"{rows.get('requests', 0)} 条请求应答、{rows.get('settings', 0)} 项设置；用时 {seconds:.1f} 秒",
            f"    copied {report.events:,} events (positions up to {report.last_position}, log {report.origin}), the "
            f"hash chain and the Merkle tree ({report.tree_size:,} leaves, byte for byte the source's), "
            f"{rows.get('credentials', 0)} password hashes, {rows.get('requests', 0)} request answers, "
            f"{rows.get('settings', 0)} settings in {seconds:.1f}s")
    if report.source_grew > 0:
        ctx.warn(f"复制期间源数据库又登记了 {report.source_grew} 条事件，未复制。请先停止所有 leitai serve，删除目标数据库后重新复制",
                 f"the source recorded {report.source_grew} more event(s) during the copy; they were not copied. Stop "
                 "every leitai serve, drop the target and copy again")
    ctx.say("2/3 重建读模型", "2/3 Rebuilding the read models")
    _rebuild(ctx, target)
    ctx.say("3/3 核对新数据库（相当于 leitai verify --since 源数据库签署过的每个树头）",
            "3/3 Verifying the new store (as leitai verify --since every head the source signed)")
    ok = _verify(ctx, source, target)
    _keys(ctx, source, target)
    if target.kind == "postgresql":
        import migrations

        roles = migrations.runner.roles(target)
        if roles:
            ctx.say(f"应用账号请加入写入角色 {roles['writer']}：CREATE ROLE leitai LOGIN PASSWORD '…' IN ROLE {roles['writer']}",
                    f"Put the application's login in the writer role {roles['writer']}: "
                    f"CREATE ROLE leitai LOGIN PASSWORD '…' IN ROLE {roles['writer']}")
    if not ok:
        raise Mismatch()


def _catch_up(source: Any) -> None:
    """The source's read models brought up to its last event, as every reading command does
    (``leitai verify`` too): they are what the copy's heads and rankings are compared with."""
    from api.cli.readside import caught_up
    from api.wiring import open_store

    open_store(source.url, create=False)  # a missing file or database is named, nothing created
    caught_up(source).close()


def _rebuild(ctx: Context, target: Any) -> None:
    from projections.runner import Projector, print_progress

    projector = Projector(target)
    try:
        try:
            report = projector.rebuild(print_progress)
        except Exception:
            ctx.warn(f"事件已完整复制，但重建读模型失败。请运行 `leitai --db {target.display} projections rebuild`",
                     f"the events were copied whole, but rebuilding the read models failed. Run "
                     f"`leitai --db {target.display} projections rebuild`")
            raise
    finally:
        projector.close()
    ctx.say(f"    读模型已重建：{report.events:,} 条事件，{report.rows:,} 行，{report.seconds:.1f} 秒",
            f"    read models rebuilt: {report.events:,} events, {report.rows:,} rows in {report.seconds:.1f}s")


def source_heads(source: Any) -> list[tuple[str, Any]]:
    """Every tree head the source signed (its read models), and its signer's last head when
    this machine holds its key: what ``verify --since`` checks the copy against."""
    from api.cli.tlog import signer_state
    from domain.checkpoint import Note
    from projections.queries import ReadModels

    read = ReadModels(source)
    try:
        heads = read.heads()
    finally:
        read.close()
    held = [(f"{source.display} head {h['size']}", Note.parse(h["cosigned"].encode("utf-8"))) for h in heads]
    return held + signer_state(source)


def rankings(store: Any) -> dict[str, Any]:
    from projections.queries import ReadModels

    read = ReadModels(store)
    try:
        return {r["round"]: read.ranking(r["round"]) for r in read.rounds()}
    finally:
        read.close()


def _check(store: Any, keys: list[bytes], held: list[tuple[str, Any]], served: dict[str, Any]) -> Any:
    """``leitai verify`` of one store, as the command runs it (with ``held`` as ``--since``)."""
    from api.cli.readside import _credentials
    from projections.queries import ReadModels
    from projections.source import EventSource
    from projections.verify import verify_store

    read = ReadModels(store)
    events = EventSource(store)
    try:
        return verify_store(events, None, served, keys, held=held, accounts=read.accounts(),
                            credentials=_credentials(store))
    finally:
        events.close()
        read.close()


def _verify(ctx: Context, source: Any, target: Any) -> bool:
    """The copy verified as ``leitai verify --since`` every head the source signed.  What the
    source's own verification finds (say, a history recorded before heads were signed) is not
    the copy's doing: the copy fails only on a finding the source does not have."""
    from api.cli import render
    from eventstore.keys import default_path, load_signer

    key_path = default_path(source)
    keys = [load_signer(key_path, create=False).public_key] if key_path.exists() else []
    held = source_heads(source)
    served = rankings(target)
    report = _check(target, keys, held, served)
    if keys:
        report.key_source = "deployment"
    inherited: set[tuple[str, str, str]] = set()
    if report.findings:
        before = _check(source, keys, held, rankings(source))
        inherited = {(f.round, f.check, f.detail) for f in before.findings}
    new = [f for f in report.findings if (f.round, f.check, f.detail) not in inherited]
    for f in new:
        where = ctx.t("全部历史", "history") if f.round == "*" else f.round
        print(ctx.t("不一致 ", "MISMATCH ") + f"{where} [{render.check_name(f.check, ctx.lang)}] "
              + (f.detail_zh if ctx.zh else f.detail), file=sys.stderr)
    if inherited:
        report.findings = new
        ctx.warn(f"源数据库本身核对就有 {len(inherited)} 处不一致，副本与之相同（不是复制造成的）。请对源数据库运行 "
                 f"`leitai --db {source.display} verify` 查看",
                 f"the source itself fails {len(inherited)} check(s) of `leitai verify`, and the copy fails the same "
                 f"ones (not the copy's doing). Run `leitai --db {source.display} verify` to see them")
    print("    " + render.verify_summary(report, ctx.lang).replace("\n", "\n    "))
    before_rankings = _source_rankings(ctx, source)
    differ = sorted(code for code in set(before_rankings or {}) | set(served) if before_rankings is not None
                    and before_rankings.get(code) != served.get(code))
    if differ:
        print(ctx.t("不一致 排名与源数据库不同：", "MISMATCH rankings differ from the source's: ") + ", ".join(differ),
              file=sys.stderr)
    elif before_rankings is not None:
        ctx.say(f"    {len(served)} 个轮次的排名与源数据库完全相同", f"    the rankings of {len(served)} rounds equal the source's")
    ctx.say(f"    核对了源数据库签署的 {len(held)} 个树头：" + ("全部仍然有效" if not new else "见上"),
            f"    checked {len(held)} head(s) the source signed: " + ("all still valid" if not new else "see above"))
    if new or differ:
        ctx.warn(f"新数据库与源数据库不一致。请勿启用新数据库；保留源数据库，删除 {target.display} 后报告此问题",
                 f"the new store does not match the source. Do not switch to it; keep the source, drop {target.display} "
                 "and report this")
        return False
    return True


def _source_rankings(ctx: Context, source: Any) -> dict[str, Any] | None:
    """The source's served rankings, when its read side is up to date (else None: not compared)."""
    from projections.queries import ReadModels

    read = ReadModels(source)
    try:
        behind = read.behind()
    finally:
        read.close()
    if behind:
        ctx.warn(f"源数据库的读模型仍落后（复制期间有新事件），未比较排名（可先运行 `leitai --db {source.display} projections rebuild`）",
                 "the source's read models are behind (events recorded during the copy); rankings not compared (run `leitai --db "
                 f"{source.display} projections rebuild` first to compare them)")
        return None
    return rankings(source)


def _keys(ctx: Context, source: Any, target: Any) -> None:
    """Neither database holds a key: say where the deployment's are and how the new store's
    servers use them (the signing key with its last-head state, the token key)."""
    import os

    from eventstore.keys import default_path, secret_key_path

    signing, secret = default_path(source), secret_key_path(source)
    new_signing, new_secret = default_path(target), secret_key_path(target)
    ctx.say("密钥不在数据库中，需要手工处理（见 docs/operations.md）：", "The keys are not in the database; move them by hand "
            "(see docs/operations.md):")
    if os.environ.get("LEITAI_SIGNING_KEY"):
        ctx.say(f"  签名密钥：LEITAI_SIGNING_KEY={signing}，新数据库的服务器继续使用同一个设置（连同 {signing}.last-head）",
                f"  signing key: LEITAI_SIGNING_KEY={signing}; keep the same setting for the new store's servers (with "
                f"{signing}.last-head)")
    elif signing.exists():
        ctx.say(f"  签名密钥：{signing}。在新数据库的服务器上设置 LEITAI_SIGNING_KEY={signing}（连同同目录的 .last-head 文件一起"
                f"保管），或把两者移到 {new_signing}",
                f"  signing key: {signing}. Set LEITAI_SIGNING_KEY={signing} for the new store's servers (keep its "
                f".last-head file beside it), or move both to {new_signing}")
    else:
        ctx.say(f"  签名密钥：本机没有（{signing}）。在服务器上设置 LEITAI_SIGNING_KEY 为原部署的签名密钥文件；"
                "切勿让新数据库生成新密钥",
                f"  signing key: not on this machine ({signing}). On the servers set LEITAI_SIGNING_KEY to the deployment's "
                "signing key file; never let the new store make a new key")
    if os.environ.get("LEITAI_SECRET_KEY"):
        ctx.say("  令牌密钥：LEITAI_SECRET_KEY 已设置，保持不变", "  token key: LEITAI_SECRET_KEY is set; keep it")
    elif secret.exists():
        ctx.say(f"  令牌密钥：{secret}。设置 LEITAI_SECRET_KEY_FILE={secret}，或移到 {new_secret}（否则所有人需要重新登录，"
                "别无影响）",
                f"  token key: {secret}. Set LEITAI_SECRET_KEY_FILE={secret}, or move it to {new_secret} (otherwise "
                "everyone signs in again; nothing else)")
