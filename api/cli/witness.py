"""``leitai witness``: the witness's own commands (init, add, pull, list; run by an auditor on
a machine of its own, see api/witness.py) and the deployment's (register, unregister: whose
cosignatures it accepts)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from api.cli.context import Context, Mismatch
from domain.errors import InvalidValue


def _directory(ctx: Context) -> object:
    from api.witness import WitnessDirectory, default_directory

    return WitnessDirectory(Path(ctx.args.dir) if ctx.args.dir else default_directory())


def cmd_init(ctx: Context) -> None:
    directory = _directory(ctx)
    vkey = directory.init(ctx.args.name)
    ctx.say(f"见证方 {vkey.name} 的目录：{directory.path}（私钥 witness.pem，仅本账户可读；请另行备份）\n"
            "请把下面的见证公钥交给被见证系统的管理员（leitai witness register 公钥 --reason …）：",
            f"Witness {vkey.name} in {directory.path} (private key witness.pem, readable by this account only; back it "
            "up apart)\nGive this witness key to the administrator of each log you witness (leitai witness register "
            "KEY --reason …):")
    print(vkey)


def cmd_add(ctx: Context) -> None:
    directory = _directory(ctx)
    directory.name  # noqa: B018 - an initialised witness
    record = directory.add(ctx.args.source, ctx.args.key)
    size = record["head"].split("\n")[1]
    ctx.say(f"开始见证日志 {record['origin']}：保存了 {size} 条事件的树头" + (f"，从 {record['url']} 拉取" if record["url"] else
                                                                 "（来自文件；没有网址，不能拉取）"),
            f"Now witnessing the log {record['origin']}: holding its head of {size} events"
            + (f", pulled from {record['url']}" if record["url"] else " (from a file; no URL to pull from)"))


def cmd_pull(ctx: Context) -> None:
    directory = _directory(ctx)
    directory.name  # noqa: B018
    results = directory.pull(ctx.args.origin)
    if not results:
        raise InvalidValue("origin", ctx.args.origin or "", "this witness watches no such log: add one with "
                           "`leitai witness add URL --key KEY`", "该见证方没有见证这个日志：请先用 `leitai witness add 网址 --key 公钥` 添加")
    refused = False
    for r in results:
        if r.ok:
            old, new = r.old, r.new
            if new is None or (old is not None and new.size == old.size):
                ctx.say(f"{r.origin}：没有新的树头（{old.size if old else '-'} 条事件）" if old else f"{r.origin}：{'；'.join(r.notes)}",
                        f"{r.origin}: no new head ({old.size if old else '-'} events)" if old else f"{r.origin}: {'; '.join(r.notes)}")
            else:
                ctx.say(f"{r.origin}：{new.size} 条事件的树头是已保存的 {old.size} 条事件树头的原样延续，已保存并联署",
                        f"{r.origin}: the head of {new.size} events extends the held head of {old.size} events "
                        "unchanged; stored and cosigned")
            if r.accepted:
                ctx.say("  联署签名已发送，日志已登记", "  cosignature sent and recorded by the log")
            elif r.accepted is False:
                ctx.warn(f"联署签名已发送，但日志没有接受（{r.answer}）：请日志的管理员登记本见证方（leitai witness register）",
                         f"the cosignature was sent but the log did not accept it ({r.answer}): ask the log's "
                         "administrator to register this witness (leitai witness register)")
            continue
        if "unreachable" in r.notes or "not sent" in r.notes:
            print(ctx.t(f"{r.origin}：{r.problem[1]}", f"{r.origin}: {r.problem[0]}"), file=sys.stderr)
            continue
        refused = True
        old, new = r.old, r.new
        from domain.checkpoint import b64

        held = f"{old.size} / {b64(old.root)}" if old else "-"
        served = f"{new.size} / {b64(new.root)}" if new else "-"
        print(ctx.t(f"拒绝 {r.origin}：{r.problem[1]}\n  见证方保存的树头：{held}\n  日志提供的树头：{served}\n"
                    f"  未保存、未联署；证据已存入 {r.evidence}。请立即报告。",
                    f"REFUSED {r.origin}: {r.problem[0]}\n  head held by the witness: {held}\n  head served by the log: "
                    f"{served}\n  nothing stored or cosigned; evidence kept in {r.evidence}. Report it now."),
              file=sys.stderr)
    if refused:
        raise Mismatch()


def cmd_list(ctx: Context) -> None:
    directory = _directory(ctx)
    logs = directory.logs()
    if ctx.args.json:
        json.dump({"witness": str(directory.vkey), "logs": logs}, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return
    ctx.say(f"见证方：{directory.vkey}", f"Witness: {directory.vkey}")
    for log in logs:
        size = log["head"].split("\n")[1]
        ctx.say(f"  {log['origin']}：{size} 条事件（{log['updated']}）{log.get('url') or ''}",
                f"  {log['origin']}: {size} events ({log['updated']}) {log.get('url') or ''}")


def cmd_register(ctx: Context) -> None:
    """The deployment accepts cosignatures from this witness key (recorded as an event)."""
    from domain.checkpoint import COSIGNATURE, NoteError, VerifierKey

    try:
        key = VerifierKey.parse(ctx.args.vkey)
    except NoteError as error:
        raise InvalidValue("vkey", ctx.args.vkey, error.en, error.zh) from None
    if key.kind != COSIGNATURE:
        raise InvalidValue("vkey", ctx.args.vkey, "this is not a witness's key (type 04): the witness prints it with "
                           "`leitai witness init`", "这不是见证方的公钥（类型 04）：见证方运行 `leitai witness init` 时会打印")
    outcome = ctx.app.register_witness(key.name, str(key), ctx.args.reason, ctx.actor)
    ctx.recorded(outcome, f"已登记见证方 {key.name}", f"Registered the witness {key.name}")


def cmd_unregister(ctx: Context) -> None:
    outcome = ctx.app.remove_witness(ctx.args.name, ctx.args.reason, ctx.actor)
    ctx.recorded(outcome, f"已取消见证方 {ctx.args.name}", f"Removed the witness {ctx.args.name}")
