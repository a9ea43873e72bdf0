"""The log's signed heads on the command line: ``leitai checkpoint``, ``leitai prove
inclusion|consistency``, and what ``leitai verify`` reads for them (heads held from
outside, witness keys, offline proofs)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from api.cli.context import Context, Mismatch, read_text
from domain.errors import InvalidValue


# -- keys and heads given on the command line --------------------------------------------------------------


def looks_like_vkey(value: str) -> bool:
    """NAME+KEYID+KEY (a verifier key), not a file's path or 64 hex digits."""
    import re

    return bool(re.match(r"[^+\s]+\+[0-9a-f]{8}\+", value.strip())) and not Path(value).is_file()


def public_keys(values: list[str] | None) -> list[bytes]:
    """``--key``: 64 hex digits, a PEM file, or a verifier key (NAME+KEYID+KEY)."""
    from domain.checkpoint import ED25519, NoteError, VerifierKey
    from eventstore.keys import public_key

    out = []
    for value in values or []:
        if looks_like_vkey(value):
            try:
                key = VerifierKey.parse(value)
            except NoteError as error:
                raise InvalidValue("--key", value, error.en, error.zh) from None
            if key.kind != ED25519:
                raise InvalidValue("--key", value, "this is a witness's key (type 04); give the log's key",
                                   "这是见证方的公钥（类型 04）；请给出日志的公钥")
            out.append(key.public)
        else:
            out.append(public_key(value))
    return out


def witness_keys(values: list[str] | None) -> list[Any]:
    """``--witness``: each witness's verifier key (NAME+KEYID+KEY, type 04), or a file holding one."""
    from domain.checkpoint import COSIGNATURE, NoteError, VerifierKey

    out = []
    for value in values or []:
        text = value
        if Path(value).is_file():
            text = read_text(value, "--witness")[1].strip()
        try:
            key = VerifierKey.parse(text)
        except NoteError as error:
            raise InvalidValue("--witness", value, error.en, error.zh) from None
        if key.kind != COSIGNATURE:
            raise InvalidValue("--witness", value, "this is not a witness's key (type 04)", "这不是见证方的公钥（类型 04）")
        out.append(key)
    return out


def quorum(ctx: Context, witnesses: list[Any]) -> int:
    wanted = getattr(ctx.args, "quorum", None)
    if wanted is None:
        return len(witnesses)
    if wanted < 1 or wanted > len(witnesses):
        raise InvalidValue("--quorum", wanted, f"give between 1 and {len(witnesses)} (the --witness keys given)",
                           f"应在 1 到 {len(witnesses)} 之间（给出的 --witness 公钥个数）")
    return wanted


def read_note(path_text: str, field: str) -> Any:
    """A checkpoint (signed note) from a file: saved, typed from a notice, or a witness's."""
    from domain.checkpoint import Note, NoteError

    _, text = read_text(path_text, field)
    try:
        note = Note.parse(text)
        note.checkpoint  # noqa: B018 - its body must be a checkpoint
    except NoteError as error:
        raise InvalidValue(field, path_text, error.en, error.zh) from None
    return note


def held_heads(values: list[str] | None) -> list[tuple[str, Any]]:
    """``--since``: each a checkpoint file, or a witness's directory (every head it holds)."""
    from api.witness import WitnessDirectory

    out = []
    for value in values or []:
        path = Path(value)
        if path.is_dir():
            held = WitnessDirectory(path).heads()
            if not held:
                raise InvalidValue("--since", value, "this directory holds no witness's heads",
                                   "该目录中没有见证方保存的树头")
            out.extend((f"{value} ({origin})", note) for origin, note in held)
        else:
            out.append((value, read_note(value, "--since")))
    return out


def signer_state(store: Any) -> list[tuple[str, Any]]:
    """The last head this machine's signer signed, if it is here (kept beside the key)."""
    from domain.checkpoint import Note, NoteError
    from eventstore.keys import default_path
    from eventstore.signing import STATE_SUFFIX

    path = Path(str(default_path(store)) + STATE_SUFFIX)
    try:
        return [(str(path), Note.parse(path.read_bytes()))]
    except (FileNotFoundError, NoteError):
        return []


# -- commands --------------------------------------------------------------------------------------------


REASONS = {"on demand": ("按需签署", "on demand"), "db upgrade": ("数据库升级时签署", "at the database upgrade"),
           "demo": ("演示", "the demo")}


def cmd_checkpoint(ctx: Context) -> None:
    """Sign the log's head now (or show the latest) and print the checkpoint."""
    if ctx.args.show:
        from api.cli.readside import current

        read = current(ctx)
        try:
            heads = read.heads()
        finally:
            read.close()
        if not heads:
            raise InvalidValue("checkpoint", "", "no tree head has been signed yet: run `leitai checkpoint`",
                               "还没有签署过树头：请运行 `leitai checkpoint`")
        head = heads[-1]
        note, size, reasons = head["cosigned"], head["size"], head["reasons"]
    else:
        outcome = ctx.app.sign_head(["on demand"], ctx.actor)
        note, size, reasons = outcome.value.note, outcome.value.size, ["on demand"]
    if ctx.args.json:
        json.dump({"size": size, "reasons": reasons, "checkpoint": note}, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return
    print(note, end="")
    shown = [REASONS.get(r, (r, r))[0 if ctx.zh else 1] for r in reasons]
    print(ctx.t(f"（树头：{size} 条事件；签署原因：{'，'.join(shown)}。把这段文字原样保存或交给见证方。）",
                f"(tree head of {size} events; signed for: {', '.join(shown)}. Keep this text as it is, or give "
                "it to the witnesses.)"), file=sys.stderr)


def _write(ctx: Context, text: str, out: str | None, what_zh: str, what_en: str) -> None:
    if not out:
        print(text, end="" if text.endswith("\n") else "\n")
        return
    try:
        Path(out).write_text(text, encoding="utf-8")
    except OSError as error:
        raise InvalidValue("--out", out, f"cannot be written ({error.strerror})", f"无法写入（{error.strerror}）") from None
    ctx.say(f"已写入{what_zh}：{out}", f"Wrote {what_en} to {out}")


def cmd_prove_inclusion(ctx: Context) -> None:
    from api.cli.readside import current
    from projections.proofs import ProofUnavailable

    a = ctx.args
    size = read_note(a.checkpoint, "--checkpoint").checkpoint.size if a.checkpoint else a.size
    read = current(ctx)
    try:
        bundle = read.inclusion_proof(a.round, a.entrant, size)
    except ProofUnavailable as error:
        raise InvalidValue("--checkpoint" if a.checkpoint else "--size", a.checkpoint or size or "", error.en,
                           error.zh) from None
    finally:
        read.close()
    if bundle["later"]:
        listed = "; ".join(e["what"] for e in bundle["later"])
        listed_zh = "；".join(e["what_zh"] for e in bundle["later"])
        ctx.warn(f"以下 {len(bundle['later'])} 项是在这个树头（{bundle['size']} 条事件）之后登记的，不在其中，要用更新的签名树头证明"
                 f"（leitai checkpoint --show）：{listed_zh}",
                 f"{len(bundle['later'])} item(s) were recorded after this head ({bundle['size']} events) and are not "
                 f"in it; a later signed head proves them (leitai checkpoint --show): {listed}")
    text = json.dumps(bundle, ensure_ascii=False, indent=2) + "\n"
    _write(ctx, text, a.out, f" {len(bundle['entries'])} 个事件的包含证明", f"inclusion proofs of {len(bundle['entries'])} events")
    if a.out:
        ctx.say(f"离线核对：leitai verify --proof {a.out} --key 公钥 [--checkpoint 公示上的检查点文件]",
                f"Check offline: leitai verify --proof {a.out} --key PUBKEY [--checkpoint the notice's checkpoint file]")


def cmd_prove_consistency(ctx: Context) -> None:
    from api.cli.readside import current
    from projections.proofs import ProofUnavailable

    a = ctx.args
    old = read_note(a.old, "old").checkpoint
    read = current(ctx)
    try:
        heads = read.heads()
        if heads and heads[-1]["note"].split("\n", 1)[0] != old.origin:
            raise InvalidValue("old", a.old, f"this checkpoint is of the log {old.origin}, not of this database's",
                               f"该检查点属于日志 {old.origin}，不是本数据库的日志")
        text = read.consistency_proof(old.size, a.size)
    except ProofUnavailable as error:
        raise InvalidValue("old", a.old, error.en, error.zh) from None
    finally:
        read.close()
    _write(ctx, text, a.out, "一致性证明", "the consistency proof")


def verify_offline(ctx: Context) -> None:
    """``leitai verify --proof FILE [--checkpoint FILE] --key PUBKEY``: no database, no network."""
    from projections.proofs import check_consistency, check_inclusion

    a = ctx.args
    keys = public_keys(a.key)
    if not keys:
        raise InvalidValue("--key", "", "give the deployment's public key (`leitai keys show` prints it)",
                           "请用 --key 给出部署方的公钥（`leitai keys show` 可显示）")
    witnesses = witness_keys(a.witness)
    need = quorum(ctx, witnesses) if witnesses else 0
    checkpoint = read_note(a.checkpoint, "--checkpoint") if a.checkpoint else None
    _, text = read_text(a.proof, "--proof")
    if text.startswith("old "):
        if checkpoint is None:
            raise InvalidValue("--checkpoint", "", "a consistency proof is checked against the old checkpoint: "
                               "give it with --checkpoint", "核对一致性证明需要旧检查点：请用 --checkpoint 给出")
        report = check_consistency(text, checkpoint, keys, witnesses, need)
    else:
        report = check_inclusion(text, keys, checkpoint, witnesses, need)
    if a.json:
        json.dump(report.as_json(), sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        _print_proof_report(ctx, report)
    if not report.ok:
        raise Mismatch()


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        return "(" + " ".join(f"{k}={v}" for k, v in value.items()) + ")"
    return str(value)


def _print_proof_report(ctx: Context, report: Any) -> None:
    c = report.checkpoint
    if c:
        ctx.say(f"检查点：日志 {c['origin']}，{c['size']} 条事件，根哈希 {c['root']}"
                + (f"；签名：{'、'.join(report.signed_by)}" if report.signed_by else "")
                + (f"；见证方联署：{'、'.join(report.cosigned_by)}" if report.cosigned_by else ""),
                f"Checkpoint: log {c['origin']}, {c['size']} events, root {c['root']}"
                + (f"; signed by {', '.join(report.signed_by)}" if report.signed_by else "")
                + (f"; cosigned by {', '.join(report.cosigned_by)}" if report.cosigned_by else ""))
    for e in report.entries:
        if "old" in e:
            ctx.say(f"{e['new']['size']} 条事件的树头是 {e['old']['size']} 条事件的树头的原样延续。" if report.ok else
                    f"{e['new']['size']} 条事件的树头不是 {e['old']['size']} 条事件的树头的原样延续。",
                    f"The head of {e['new']['size']} events extends the head of {e['old']['size']} events unchanged."
                    if report.ok else f"The head of {e['new']['size']} events does not extend the head of "
                                      f"{e['old']['size']} events.")
            continue
        event = e.get("event") or {}
        detail = " ".join(f"{k}={_shown(v)}" for k, v in event.items()
                          if k in ("judge", "entrant", "marks", "points", "component", "value", "seal", "reason"))
        mark = ("✓ 已包含" if e["included"] else "✗ 未包含") if ctx.zh else ("✓ included" if e["included"] else "✗ NOT included")
        ctx.say(f"{mark}  位置 {e['position']}  {e['what_zh']}  {detail}",
                f"{mark}  position {e['position']}  {e['what']}  {detail}")
    for en, zh in report.problems:
        print(ctx.t("不一致 ", "MISMATCH ") + (zh if ctx.zh else en), file=sys.stderr)
    if report.ok and any("old" in e for e in report.entries):
        ctx.say("证明有效：无需数据库或网络即可确认，日志此后没有被改写。",
                "The proof holds: with no database and no network, the log was not rewritten since.")
    elif report.ok:
        ctx.say("全部证明有效：以上事件都在该检查点所签署的日志中，无需数据库或网络即可核对。",
                "Every proof holds: the events above are in the log whose head the checkpoint signs "
                "(checked with no database and no network).")
