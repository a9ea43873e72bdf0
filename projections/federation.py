"""市级联动 / federation: a finalized round's export with proof, and checking it offline.

A source deployment (a county) exports a final round as one JSON file
(``leitai-federation/1``)::

    {"format": "leitai-federation/1", "round": "R", "origin": "leitai/haiyang/…", "vkey": "…",
     "size": N, "checkpoint": "<the signed head of N events, with witness cosignatures>",
     "seal": "sha256:…", "results": [{"entrant", "name", "unit", "rank", "final", "promotion", …}],
     "proofs": {"finalized": "<tlog-proof of the round's Finalized event>",
                "entrants": {"O1": "<tlog-proof of O1's EntrantAdmitted event>", …}}}

What decides an admission is proved by two kinds of events of the source round
(their aggregate id is ``round_id(R)``, so the round's code is proved too): the
``Finalized`` event (the seal and every entrant's rank, final and promotion as the round
was finalized) and each admitted entrant's ``EntrantAdmitted`` event (its name and unit).
``results`` is a copy for reading; the city checks it against the proved events and
refuses any difference.

:func:`check_export` checks an export against a source's registered key and the heads
seen from it before; :func:`recheck` checks a recorded admission again.  Neither needs a
database or the network.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from domain import merkle
from domain.checkpoint import Note, NoteError, VerifierKey, b64, unb64
from domain.errors import NoPromotion
from domain.ids import ledger_id, round_id
from domain.model.federation import AdmissionRefused
from eventstore.notes import log_key, verify_note
from projections.chain import as_bytes
from projections.proofs import ProofUnavailable, describe_entry, entry_bytes, head_for, inclusion_text, \
    parse_consistency, parse_inclusion

FORMAT = "leitai-federation/1"
SHOWN = ("entrant", "rank", "final", "promotion", "award", "tied")  # what `results` repeats of the proved event


def _name(topic: Any) -> str:
    return str(as_bytes(topic).decode() if isinstance(topic, (bytes, memoryview)) else topic).replace(
        ":", ".").rsplit(".", 1)[-1]


# -- the source: making the export ------------------------------------------------------------------------


def build_export(read: Any, code: str) -> dict[str, Any]:
    """The export of final round ``code`` from the read models ``read`` (ReadModels)."""
    from eventstore.tree import TreeStore

    row = read.round(code)
    code = row["round"]
    if row["status"] != "final":
        raise NoPromotion(round=code, why=f"is {row['status']}, not final: only a final round is exported to the "
                                          "deployment above (leitai finalize first)",
                          why_zh="尚未定案：只有已定案的轮次才能导出给上级部署（请先 leitai finalize）")
    head = head_for(read.heads(), None)

    def work(source: Any) -> dict[str, Any]:
        rows = source.events_of([round_id(code)])
        finalized = [r for r in rows if _name(r[3]) == "Finalized"]
        if not finalized:
            raise ProofUnavailable(f"round {code} has no Finalized event", f"轮次 {code} 没有定案事件")
        admitted: dict[str, tuple] = {}
        for r in rows:
            if _name(r[3]) == "EntrantAdmitted":
                admitted[orjson.loads(as_bytes(r[4]))["entrant"]] = r  # the latest admission of each
        final_row = finalized[-1]
        tree = TreeStore(source.store, source.connection)
        wanted = [final_row, *admitted.values()]
        leaves = tree.leaves_of([r[0] for r in wanted])
        if any(leaves.get(r[0]) is None or leaves[r[0]][0] >= head["size"] for r in wanted):
            raise ProofUnavailable(f"the latest signed head ({head['size']} events) does not cover round {code}'s "
                                   "finalization: sign one with `leitai checkpoint`",
                                   f"最近签署的树头（{head['size']} 条事件）不包含轮次 {code} 的定案：请先运行 `leitai checkpoint`")

        def proof(r: tuple) -> str:
            index = leaves[r[0]][0]
            return inclusion_text(entry_bytes(*r), index, tree.inclusion_proof(index, head["size"]), head["cosigned"])

        event = orjson.loads(as_bytes(final_row[4]))
        vkeys = [orjson.loads(as_bytes(r[4])).get("vkey") for r in source.events_of([ledger_id()])
                 if _name(r[3]) == "TreeHeadSigned"]
        results = []
        for result in event["results"]:
            entrant = orjson.loads(as_bytes(admitted[result["entrant"]][4])) if result["entrant"] in admitted else {}
            results.append({**{k: result.get(k) for k in SHOWN}, "name": entrant.get("name"),
                            "unit": entrant.get("unit")})
        return {"format": FORMAT, "round": code, "origin": Note.parse(head["note"]).checkpoint.origin,
                "vkey": vkeys[-1] if vkeys else "", "size": head["size"], "checkpoint": head["cosigned"], "seal": event["seal"],
                "results": results,
                "proofs": {"finalized": proof(final_row),
                           "entrants": {e: proof(r) for e, r in admitted.items()
                                        if any(x["entrant"] == e for x in event["results"])}}}

    return read._from_events(work)


# -- the city: checking it ------------------------------------------------------------------------------------


def refuse(what: str, en: str, zh: str) -> AdmissionRefused:
    return AdmissionRefused(what, en, zh)


def signed_head(text: Any, origin: str, public: bytes) -> Note:
    """The head ``text``, signed by the source's key under its origin; else refused."""
    if not isinstance(text, str):
        raise refuse("missing", "the export carries no signed head (checkpoint)", "导出文件中没有签名树头（checkpoint）")
    try:
        note = Note.parse(text)
        checkpoint = note.checkpoint
    except NoteError as error:
        raise refuse("signature", f"the signed head cannot be read: {error.en}", f"无法读取签名树头：{error.zh}") from None
    if checkpoint.origin != origin:
        raise refuse("source", f"the head is of the log {checkpoint.origin}, not of the registered source's log {origin}",
                     f"树头属于日志 {checkpoint.origin}，不是所登记来源的日志 {origin}")
    check = verify_note(note, [log_key(origin, public)])
    if not check.ok:
        raise refuse("signature", "the head is not signed by the source's registered key" if not check.bad else
                     "the source's signature on the head does not verify: the head was altered",
                     "树头不是所登记来源公钥签署的" if not check.bad else "树头上来源公钥的签名无效：树头被改动过")
    return note


def cosigned(note: Note, source: dict[str, Any]) -> None:
    """A quorum of the source's registered witnesses cosigned the head; else refused."""
    quorum = int(source.get("quorum") or 0)
    if not quorum:
        return
    check = verify_note(note, [VerifierKey.parse(w) for w in source.get("witnesses") or []])
    if check.bad:
        raise refuse("witness", "a witness's cosignature on the head does not verify: "
                     + ", ".join(k.name for k in check.bad), "树头上见证方的联署签名无效：" + "，".join(k.name for k in check.bad))
    if len(check.signed) < quorum:
        raise refuse("witness", f"the head carries {len(check.signed)} valid cosignature(s) of the source's registered "
                     f"witnesses; {quorum} are required: wait for the witnesses to pull (leitai witness pull) and "
                     "export again", f"树头带有所登记见证方的有效联署签名 {len(check.signed)} 个，要求 {quorum} 个："
                     "请待见证方拉取（leitai witness pull）后重新导出")


def proved_event(text: Any, note: Note, round_code: str, topic: str, what: str, what_zh: str) -> dict[str, Any]:
    """The fields of the event a tlog-proof carries, once it is shown included in the log
    whose head is ``note`` and to be a ``topic`` event of the round ``round_code``."""
    if not isinstance(text, str) or not text:
        raise refuse("missing", f"the export carries no inclusion proof of {what}", f"导出文件中缺少{what_zh}的包含证明")
    head = note.checkpoint
    try:
        entry, index, proof, carried = parse_inclusion(text)
        described = describe_entry(entry)
    except NoteError as error:
        raise refuse("inclusion", f"the proof of {what} cannot be read: {error.en}",
                     f"无法读取{what_zh}的包含证明：{error.zh}") from None
    if carried.checkpoint != head:
        raise refuse("inclusion", f"the proof of {what} is to another head ({carried.checkpoint.size} events) than the "
                     f"export's ({head.size})", f"{what_zh}的包含证明所依据的树头（{carried.checkpoint.size} 条事件）"
                     f"不是导出文件的树头（{head.size} 条事件）")
    if not merkle.verify_inclusion(index, head.size, merkle.leaf_hash(entry), proof, head.root):
        raise refuse("inclusion", f"{what} is NOT included in the log whose head is signed: the event or its proof "
                     "was altered", f"{what_zh}不在已签名树头的日志中：事件或证明被改动过")
    if described["aggregate"] != str(round_id(round_code)) or not isinstance(described["event"], dict):
        raise refuse("inclusion", f"the event proved as {what} is not an event of round {round_code}",
                     f"作为{what_zh}证明的事件不是轮次 {round_code} 的事件")
    if _name(described["topic"]) != topic:  # an event of the round, but not its finalization: not final
        raise refuse("not_final" if topic == "Finalized" else "inclusion",
                     f"the event proved as {what} is a {_name(described['topic'])} event of round {round_code}, not "
                     f"its {topic} event" + (": the round is not shown to be final" if topic == "Finalized" else ""),
                     f"作为{what_zh}证明的是轮次 {round_code} 的 {_name(described['topic'])} 事件，不是 {topic} 事件"
                     + ("：不能证明该轮次已定案" if topic == "Finalized" else ""))
    return described["event"]


def consistent(previous: dict[str, Any] | None, note: Note, proof_text: str | None, origin: str,
               public: bytes) -> str:
    """Check the head ``note`` against the largest head seen before from the source
    (``previous``: {size, root, checkpoint}); returns the proof used ("" when none is needed)."""
    if previous is None:
        return ""
    head = note.checkpoint
    if head.size == previous["size"]:
        if b64(head.root) != previous["root"]:
            raise refuse("consistency", f"the head of {head.size} events has another root than the one seen before from "
                         "this source: its log was forked or rewritten", f"{head.size} 条事件的树头与此前从该来源见到的根哈希"
                         "不同：其日志被分叉或改写")
        return ""
    if not proof_text:
        raise refuse("consistency", f"the head of {head.size} events must be proved consistent with the head of "
                     f"{previous['size']} events seen before: admit from the source's URL, or give --consistency with "
                     f"`leitai prove consistency` run on the source (from {min(head.size, previous['size'])} to "
                     f"{max(head.size, previous['size'])})",
                     f"{head.size} 条事件的树头需要与此前见到的 {previous['size']} 条事件的树头的一致性证明：请从来源网址接收，"
                     f"或用 --consistency 给出在来源上运行 `leitai prove consistency` 得到的证明")
    try:
        old, proof, later = parse_consistency(proof_text)
    except NoteError as error:
        raise refuse("consistency", f"the consistency proof cannot be read: {error.en}",
                     f"无法读取一致性证明：{error.zh}") from None
    earlier_root, later_head = ((previous["root"], head) if previous["size"] < head.size
                                else (b64(head.root), Note.parse(previous["checkpoint"]).checkpoint))
    signed = signed_head(str(later), origin, public).checkpoint
    if signed != later_head or old != min(head.size, previous["size"]):
        raise refuse("consistency", f"the consistency proof is not between the heads of {previous['size']} and "
                     f"{head.size} events", f"一致性证明不是 {previous['size']} 与 {head.size} 条事件的树头之间的")
    if not merkle.verify_consistency(old, later_head.size, unb64(earlier_root, "root", "根哈希"), later_head.root,
                                     proof):
        raise refuse("consistency", f"the head of {later_head.size} events does NOT extend the head of {old} events "
                     "unchanged: the source's log was rewritten, truncated or forked",
                     f"{later_head.size} 条事件的树头不是 {old} 条事件的树头的原样延续：来源日志被改写、截短或分叉")
    return proof_text


@dataclass
class Checked:
    """What a checked export admits (the fields of a RankingAdmitted event, less ``into``)."""

    admission: dict[str, Any]
    results: list[dict[str, Any]]  # every result row as proved


def check_export(export: Any, source: dict[str, Any], choose: Any, consistency: str | None = None) -> Checked:
    """Check an export against a registered ``source`` ({code, origin, vkey, heads}):
    the signature of its head, the inclusion of its Finalized event and of the admitted
    entrants' EntrantAdmitted events, the copy of the ranking, and consistency with the heads
    seen before.  ``choose(results)`` picks the rows to admit.  Raises AdmissionRefused."""
    if not isinstance(export, dict) or export.get("format") != FORMAT:
        raise refuse("format", f"this is not a {FORMAT} export (leitai federation export makes one)",
                     f"这不是 {FORMAT} 导出文件（由 leitai federation export 生成）")
    key = VerifierKey.parse(source["vkey"])
    round_code = export.get("round")
    if not isinstance(round_code, str) or not round_code:
        raise refuse("format", "the export names no round", "导出文件没有写明轮次")
    note = signed_head(export.get("checkpoint"), source["origin"], key.public)
    cosigned(note, source)
    proofs = export.get("proofs") if isinstance(export.get("proofs"), dict) else {}
    final = proved_event(proofs.get("finalized"), note, round_code, "Finalized", "the round's finalization",
                         "轮次定案")
    results = final.get("results")
    if not isinstance(results, list) or not isinstance(final.get("seal"), str):
        raise refuse("not_final", f"the proved finalization of round {round_code} holds no results",
                     f"已证明的轮次 {round_code} 定案事件中没有结果")
    shown = {r.get("entrant"): r for r in export.get("results") or [] if isinstance(r, dict)}
    for r in results:
        copy = shown.get(r["entrant"])
        differs = [k for k in SHOWN if copy is None or copy.get(k) != r.get(k)]
        if differs:
            raise refuse("inclusion", f"the ranking in the export differs from the proved finalization for "
                         f"{r['entrant']} ({', '.join(differs)}: {[copy.get(k) for k in differs] if copy else '-'} "
                         f"in the file, {[r.get(k) for k in differs]} proved)",
                         f"导出文件中 {r['entrant']} 的名次/得分与已证明的定案不同（{'、'.join(differs)}）")
    if export.get("seal") != final["seal"]:
        raise refuse("inclusion", "the seal in the export differs from the proved finalization's",
                     "导出文件中的封存值与已证明的定案不同")
    chosen = choose(results)
    entrants = []
    texts = proofs.get("entrants") if isinstance(proofs.get("entrants"), dict) else {}
    for r in chosen:
        admitted = proved_event(texts.get(r["entrant"]), note, round_code, "EntrantAdmitted",
                                f"{r['entrant']}'s admission", f"{r['entrant']} 参赛登记")
        if admitted.get("entrant") != r["entrant"]:
            raise refuse("inclusion", f"the admission proved for {r['entrant']} is of {admitted.get('entrant')}",
                         f"为 {r['entrant']} 证明的参赛登记属于 {admitted.get('entrant')}")
        entrants.append({"entrant": r["entrant"], "code": f"{source['code']}-{r['entrant']}",
                         "name": str(admitted.get("name") or r["entrant"]), "unit": source["code"],
                         "rank": r["rank"], "final": r["final"], "promotion": r.get("promotion"),
                         "proof": texts[r["entrant"]]})
    previous = max(source["heads"], key=lambda h: h["size"]) if source.get("heads") else None
    used = consistent(previous, note, consistency, source["origin"], key.public)
    head = note.checkpoint
    return Checked({"source": source["code"], "round": round_code, "size": head.size, "root": b64(head.root),
                    "checkpoint": str(note), "seal": final["seal"], "finalized": proofs["finalized"],
                    "entrants": entrants, "consistency": used, "previous": previous["size"] if previous else 0},
                   results)


def recheck(admission: dict[str, Any], source: dict[str, Any]) -> list[tuple[str, str]]:
    """Check a recorded admission again from what it recorded (no network): the head's
    signature, each inclusion proof and what it proves, and the consistency with the head
    seen before it.  Returns the problems (english, chinese); none when it holds."""
    key = VerifierKey.parse(source["vkey"])
    problems: list[tuple[str, str]] = []
    try:
        note = signed_head(admission["checkpoint"], source["origin"], key.public)
        if (note.checkpoint.size, b64(note.checkpoint.root)) != (admission["size"], admission["root"]):
            raise refuse("signature", "the recorded head is not the one the admission names",
                         "登记的树头与该次接收所写的不同")
        cosigned(note, source)
        final = proved_event(admission["finalized"], note, admission["round"], "Finalized",
                             "the round's finalization", "轮次定案")
        if final.get("seal") != admission["seal"]:
            raise refuse("inclusion", "the recorded seal differs from the proved finalization's",
                         "登记的封存值与已证明的定案不同")
        by_entrant = {r.get("entrant"): r for r in final.get("results") or []}
        for e in admission["entrants"]:
            proved = by_entrant.get(e["entrant"]) or {}
            if (proved.get("rank"), proved.get("final")) != (e["rank"], e["final"]):
                raise refuse("inclusion", f"{e['code']}: the recorded rank and final differ from the proved finalization",
                             f"{e['code']}：登记的名次和得分与已证明的定案不同")
            admitted = proved_event(e["proof"], note, admission["round"], "EntrantAdmitted",
                                    f"{e['entrant']}'s admission", f"{e['entrant']} 参赛登记")
            if admitted.get("entrant") != e["entrant"] or str(admitted.get("name")) != e["name"]:
                raise refuse("inclusion", f"{e['code']}: the recorded name differs from the proved admission",
                             f"{e['code']}：登记的名称与已证明的参赛登记不同")
        earlier = [h for h in source["heads"] if h["size"] == admission["previous"] and h["seq"] < admission["seq"]]
        if admission["previous"] and not earlier:
            raise refuse("consistency", f"no head of {admission['previous']} events was seen before this admission",
                         f"此次接收之前没有见到 {admission['previous']} 条事件的树头")
        consistent(earlier[-1] if earlier else None, note, admission["consistency"] or None, source["origin"],
                   key.public)
    except AdmissionRefused as error:
        problems.append((error.message("en"), error.message("zh")))
    return problems


def choose_rows(top: int | None) -> Any:
    """Whom to admit: the top ``top`` by rank, else those the source round promoted."""
    def choose(results: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        if top is not None:
            rows = [r for r in results if isinstance(r.get("rank"), int) and r["rank"] <= top]
        else:
            rows = [r for r in results if r.get("promotion") == "promoted"]
        if not rows:
            raise refuse("not_final", "the proved finalization ranks nobody to admit"
                         + (f" in the top {top}" if top is not None else " (nobody promoted: give --top N)"),
                         "已证明的定案中没有可接收的组织" + (f"（前 {top} 名）" if top is not None else "（无人晋级：请用 --top N）"))
        return sorted(rows, key=lambda r: (r["rank"], r["entrant"]))

    return choose


def admission_words(source: dict[str, Any]) -> dict[str, Any]:
    """How an entrant admitted from another deployment shows in the audit here: the source
    round, rank and final, and "来自 X 县 R 轮第 2 名"."""
    zh = f"来自 {source.get('source_name')} {source.get('round')} 轮第 {source.get('rank')} 名"
    en = f"from {source.get('source_name')}, round {source.get('round')}, rank {source.get('rank')}"
    return {"round": source.get("round"), "rank": source.get("rank"), "final": source.get("final"),
            "seal": source.get("seal"), "rules": None, "revisions": [], "source": source.get("source"),
            "source_name": source.get("source_name"), "origin": source.get("origin"), "size": source.get("size"),
            "admission": source.get("admission"), "from_zh": zh, "from_en": en}


# -- the province dashboard: each deployment's summary ---------------------------------------------------------

SUMMARY_FORMAT = "leitai-federation-summary/1"


def summary(read: Any, now: str) -> dict[str, Any]:
    """What a deployment shows the dashboard above it: its latest signed head (with witness
    cosignatures) and how many organizations hold each number of stars (as certified, and as
    the rulebook recommends: section 9), per contest, level, cycle and track (赛道; "" for
    none), from its read models at ``now``."""
    from projections.tables import CERTIFICATIONS

    heads = read.heads()
    counts: dict[tuple[str, str, str, str, int, int], int] = {}
    for row in read.store.select(CERTIFICATIONS, {}):
        basis = orjson.loads(row["basis"]) if row.get("basis") else {}
        track = str((basis or {}).get("pool") or (basis or {}).get("track") or "")
        key = (row["contest"], row["level"], row["cycle"], track, int(row["stars"] or 0),
               int(row["computed_stars"] or 0))
        counts[key] = counts.get(key, 0) + 1
    return {"format": SUMMARY_FORMAT, "as_of": now,
            "size": heads[-1]["size"] if heads else 0, "checkpoint": heads[-1]["cosigned"] if heads else "",
            "stars": [{"contest": c, "level": lv, "cycle": cy, "track": t, "stars": s, "recommended": r,
                       "organizations": n} for (c, lv, cy, t, s, r), n in sorted(counts.items())]}
