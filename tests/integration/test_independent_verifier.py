"""Leitai's log checked by a verifier written from docs/rules.md section 11 alone (issue 13).

tests/independent/verifier.py knows nothing of Leitai: it imports only the standard library
and ``cryptography`` (checked here with ``ast``).  These tests run Leitai as usual, on both
stores, take the artefacts a citizen, an organization or a witness gets - the checkpoint
printed for a round, an entrant's ``leitai-proof/1`` bundle, a consistency proof between two
heads, a checkpoint cosigned by a real witness - and check each with that verifier alone:
every event included, the marks decoded from the entries those recorded, the root computed
from scratch over the events the checkpoint's own.  Then every kind of tampering is
refused by it.
"""

from __future__ import annotations

import ast
import base64
import sys
import threading
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from werkzeug.serving import make_server

from api.cli.main import main
from domain.services.store import parse_url
from projections.queries import ReadModels
from projections.runner import Projector
from projections.source import EventSource
from tests.conftest import ADMIN
from tests.http import serve, stop
from tests.independent import verifier as V
from tests.scenario import score_all, small_contest

VERIFIER = Path(V.__file__)
MARKS = {"O1": {"party": "25", "industry": "15"}, "O2": {"party": "20", "industry": "12.5"}}
CORRECTED = {"party": "26", "industry": "14.5"}  # J2's sheet for O1, corrected before the close
WITNESSES = ("jjjc.example/w1", "zzb.example/w2")


# -- the verifier is independent ---------------------------------------------------------------------


def test_the_verifier_imports_nothing_but_the_standard_library_and_cryptography():
    tree = ast.parse(VERIFIER.read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "no relative import"
            imported.add(node.module or "")
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "__import__":
            pytest.fail("no dynamic import")
    tops = {name.split(".")[0] for name in imported}
    assert tops, "the verifier imports something"
    foreign = {t for t in tops if t not in sys.stdlib_module_names and t != "cryptography"}
    assert not foreign, foreign
    assert "cryptography" in tops  # Ed25519
    assert (VERIFIER.parent / "__init__.py").read_text() == ""


def test_the_documented_algorithms_agree_with_the_documented_definitions():
    """11.7's checks accept exactly 11.7's PATH and PROOF, for every size and index up to 40;
    a wrong hash, index or size is refused."""
    for n in range(1, 41):
        leaves = [V.leaf_hash(bytes([i])) for i in range(n)]
        root = V.mth_of_leaves(leaves)
        for m in range(n):
            path = V.inclusion_path(m, leaves)
            V.verify_inclusion(leaves[m], m, n, path, root)
            if n > 1:
                with pytest.raises(V.VerificationError):
                    V.verify_inclusion(leaves[m], (m + 1) % n, n, path, root)
            if path:
                with pytest.raises(V.VerificationError):
                    V.verify_inclusion(leaves[m], m, n, path[:-1], root)
        for m in range(1, n + 1):
            proof = V.consistency_path(m, leaves)
            V.verify_consistency(m, n, V.mth_of_leaves(leaves[:m]), root, proof)
            if m < n:
                with pytest.raises(V.VerificationError):
                    V.verify_consistency(m, n, V.leaf_hash(b"other"), root, proof)
                with pytest.raises(V.VerificationError):
                    V.verify_consistency(m, n, V.mth_of_leaves(leaves[:m]), root, proof[:-1])
    assert V.mth([]) == V.sha256(b"")


# -- a contest, on both stores -----------------------------------------------------------------------


def catch_up(url: str) -> ReadModels:
    projector = Projector(parse_url(url))
    try:
        projector.load()
        projector.catch_up()
    finally:
        projector.close()
    return ReadModels(parse_url(url))


@pytest.fixture
def contest(app, store_url, clock):
    """R1 scored (one sheet corrected), closed and published, then an objection filed and
    dismissed and a head signed on demand: three heads, the round's the second."""
    small_contest(app)
    score_all(app, MARKS)
    app.correct_sheet("R1", "J2", "O1", CORRECTED, "录入有误", ADMIN)
    app.close_round("R1", ADMIN)
    app.publish("R1", ADMIN, on=date(2025, 5, 20))
    clock.set("2025-05-21T10:00")
    number = app.file_appeal("R1", "objection", "王某", "139", "对 O2 的得分有异议", ADMIN, entrant="O2")
    app.rule_appeal("R1", number, "dismissed", "经核查无误。", ADMIN)
    app.sign_head(["on demand"])
    read = catch_up(store_url)
    yield read
    read.close()


def events(url: str) -> list[tuple]:
    """Every event as the store keeps it: (position, aggregate, version, topic, state)."""
    source = EventSource(parse_url(url))
    try:
        return source.read_after(0, 1_000_000)
    finally:
        source.close()


def aggregate_bytes(value: Any) -> bytes:
    """SQLite keeps an aggregate id as 32 hex digits, PostgreSQL as a uuid (read as its 16 bytes)."""
    if isinstance(value, uuid.UUID):
        return value.bytes
    if isinstance(value, str):
        return uuid.UUID(hex=value).bytes
    return bytes(value)


def entry_of(row: tuple) -> bytes:
    position, aggregate, version, topic, state = row
    return V.encode_entry(position, aggregate_bytes(aggregate), version, topic,
                          state.encode("utf-8") if isinstance(state, str) else bytes(state))


def vkey(app) -> str:
    return str(app.signer.vkey())


def printed(read) -> str:
    """The checkpoint printed for R1: the latest head whose reasons mention the round."""
    mine = [h for h in read.heads() if any(reason.split()[0] == "R1" for reason in h["reasons"])]
    assert mine and mine[-1] == read.head_for("R1")
    return mine[-1]["cosigned"]


# -- the real artefacts verify -------------------------------------------------------------------------------


def test_the_log_key_and_every_head_verify_and_their_roots_are_those_of_the_events(app, contest, store_url):
    key = V.parse_vkey(vkey(app))
    assert key.public_key == app.signer.public_key and key.sig_type == V.SIG_ED25519
    assert str(key) == vkey(app)  # name+id+base64(0x01 ‖ key), the id computed as 11.6 says
    assert key.key_id == V.key_id(key.name, V.SIG_ED25519, app.signer.public_key)
    heads = contest.heads()
    assert [h["reasons"] for h in heads] == [["R1 Closed"], ["R1 Published"], ["on demand"]]
    rows = events(store_url)
    entries = [entry_of(row) for row in rows]
    for head in heads:
        note = V.parse_note(head["note"])
        V.verify_log_signature(note, key)
        V.verify_log_signature(note, app.signer.public_key)  # the bare key, named after the origin
        assert note.checkpoint.origin == key.name and note.checkpoint.size == head["size"]
        assert note.text() == head["note"]
        # the root, from scratch over the first `size` events in log order
        assert V.mth(entries[:note.checkpoint.size]) == note.checkpoint.root
        assert V.mth(entries[:note.checkpoint.size - 1]) != note.checkpoint.root
    # the latest head covers every event but its own
    assert heads[-1]["size"] == len(rows) - 1 and rows[-1][3].endswith("TreeHeadSigned")
    assert [V.decode_entry(e).encode() for e in entries] == entries  # decoding gives the entry back


def test_the_round_printed_checkpoint_and_every_entrants_proofs_verify(app, contest, store_url):
    notice = printed(contest)
    head = V.parse_note(notice)
    V.verify_log_signature(head, vkey(app))
    assert next(h for h in contest.heads() if h["cosigned"] == notice)["reasons"] == ["R1 Published"]
    rows = events(store_url)
    leaf_of = {row[0]: index for index, row in enumerate(rows)}  # leaf numbers, not positions (11.5)
    sheets = {s["event"]: s for s in contest.sheets("R1")}
    for entrant in ("O1", "O2"):
        bundle = contest.inclusion_proof("R1", entrant)
        parsed = V.parse_bundle(bundle)
        assert (parsed.round, parsed.entrant, parsed.size) == ("R1", entrant, head.checkpoint.size)
        decoded = V.verify_bundle(bundle, vkey(app), notice)  # every entry included in the printed head
        assert len(decoded) == len(parsed.entries) >= 5
        for item, entry in zip(parsed.entries, decoded):
            proof = V.parse_inclusion_proof(item.proof)
            assert proof.index == leaf_of[entry.position] < head.checkpoint.size
            assert item.proof.endswith("\n\n" + parsed.checkpoint) and parsed.checkpoint == notice
            assert item.event == f"R1#{entry.version}"  # the event's name on the audit page and sheets
            row = rows[proof.index]
            assert entry.encode() == entry_of(row)  # the entry is the stored event, byte for byte
            assert entry.aggregate.bytes == aggregate_bytes(row[1]) and entry.version == row[2]
            assert entry.topic == row[3] and item.what.split()[0] == entry.topic.rsplit(":", 1)[-1].split(".")[-1]
            assert entry.json().get("entrant", entrant) == entrant
        topics = [e.topic.rsplit(":", 1)[-1] for e in decoded]
        assert "EntrantAdmitted" in topics and "Closed" in topics
        # the marks decoded from the entries are the sheets recorded
        marked = [(item, entry) for item, entry in zip(parsed.entries, decoded) if "marks" in entry.json()]
        submitted = [entry.json() for _, entry in marked if entry.topic.endswith("SheetSubmitted")]
        assert [(s["judge"], s["marks"]) for s in submitted] == [(j, MARKS[entrant]) for j in ("J1", "J2", "J3")]
        for item, entry in marked:
            if item.event in sheets:  # the sheet's latest event: what counts
                assert entry.json()["marks"] == sheets[item.event]["marks"]
        latest = {s["judge"]: s["marks"] for s in contest.sheets("R1") if s["entrant"] == entrant}
        assert latest == {j: (CORRECTED if (entrant, j) == ("O1", "J2") else MARKS[entrant]) for j in ("J1", "J2", "J3")}
        corrected = [entry.json()["marks"] for _, entry in marked if entry.topic.endswith("SheetCorrected")]
        assert corrected == ([CORRECTED] if entrant == "O1" else [])


def test_a_consistency_proof_between_two_heads_verifies(app, contest, store_url):
    heads = contest.heads()
    entries = [entry_of(row) for row in events(store_url)]
    for old, new in ((heads[0], heads[1]), (heads[0], heads[2]), (heads[1], heads[2]), (heads[2], heads[2])):
        text = contest.consistency_proof(old["size"], new["size"])
        proof = V.parse_consistency_proof(text)
        assert proof.old == old["size"] and proof.note.checkpoint.size == new["size"]
        assert V.verify_consistency_proof(text, old["note"], vkey(app)).checkpoint == V.parse_note(new["note"]).checkpoint
        leaves = [V.leaf_hash(e) for e in entries[:new["size"]]]
        assert list(proof.hashes) == V.consistency_path(old["size"], leaves)  # 11.7's PROOF, from scratch


def test_a_checkpoint_typed_with_windows_line_ends_verifies(app, contest):
    typed = printed(contest).replace("\n", "\r\n")
    V.verify_log_signature(V.parse_note(typed), vkey(app))


# -- tampering is refused --------------------------------------------------------------------------------


def flip_bit(b64: str, bit: int = 0) -> str:
    raw = bytearray(base64.b64decode(b64))
    raw[bit // 8] ^= 1 << (bit % 8)
    return base64.b64encode(bytes(raw)).decode("ascii")


def sheet_item(bundle: dict) -> int:
    return next(i for i, e in enumerate(bundle["entries"]) if e["what"].startswith("SheetSubmitted"))


def test_a_flipped_bit_in_a_proof_hash_is_refused(app, contest):
    bundle = contest.inclusion_proof("R1", "O1")
    n = sheet_item(bundle)
    lines = bundle["entries"][n]["proof"].split("\n")
    first_hash = next(i for i, line in enumerate(lines) if line.startswith("index ")) + 1
    for bit in (0, 133, 255):
        edited = list(lines)
        edited[first_hash] = flip_bit(lines[first_hash], bit)
        with pytest.raises(V.VerificationError, match="root"):
            V.verify_inclusion_proof("\n".join(edited), vkey(app))
    edited = list(lines)
    edited[first_hash - 1] = "index 0"  # another leaf
    with pytest.raises(V.VerificationError):
        V.verify_inclusion_proof("\n".join(edited), vkey(app))
    edited = lines[:first_hash] + lines[first_hash + 1:]  # a hash left out
    with pytest.raises(V.VerificationError):
        V.verify_inclusion_proof("\n".join(edited), vkey(app))


def test_an_altered_mark_in_the_entry_is_refused(app, contest):
    bundle = contest.inclusion_proof("R1", "O1")
    n = sheet_item(bundle)
    V.verify_bundle(bundle, vkey(app))
    lines = bundle["entries"][n]["proof"].split("\n")
    assert lines[1].startswith("extra ")
    entry = V.decode_entry(base64.b64decode(lines[1][len("extra "):]))
    assert b'"party":"25"' in entry.state
    forged = V.Entry(entry.position, entry.aggregate, entry.version, entry.topic,
                     entry.state.replace(b'"party":"25"', b'"party":"29"'))
    assert forged.json()["marks"]["party"] == "29"  # still a well-formed entry ...
    lines[1] = "extra " + base64.b64encode(forged.encode()).decode("ascii")
    bundle["entries"][n]["proof"] = "\n".join(lines)
    with pytest.raises(V.VerificationError, match="root"):  # ... no longer included
        V.verify_bundle(bundle, vkey(app))
    # an entry of another position (the same event moved) is refused too
    moved = V.Entry(entry.position + 1, entry.aggregate, entry.version, entry.topic, entry.state)
    lines[1] = "extra " + base64.b64encode(moved.encode()).decode("ascii")
    with pytest.raises(V.VerificationError):
        V.verify_inclusion_proof("\n".join(lines), vkey(app))


def other_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def raw_public(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def sign_body(key: Ed25519PrivateKey, name: str, body: bytes) -> V.SignatureLine:
    """A log signature line over ``body`` (the test's own signer, to forge with)."""
    return V.SignatureLine(name, V.key_id(name, V.SIG_ED25519, raw_public(key)), key.sign(body))


def deployment_key(app) -> Ed25519PrivateKey:
    """The deployment's own private key, read from its PEM file: what the host insider holds."""
    key = serialization.load_pem_private_key(Path(app.signer.key_path).read_bytes(), password=None)
    assert isinstance(key, Ed25519PrivateKey) and raw_public(key) == app.signer.public_key
    return key


def test_a_wrong_key_is_refused(app, contest):
    notice = V.parse_note(printed(contest))
    origin = notice.checkpoint.origin
    stranger = other_key()
    wrong = V.make_vkey(origin, V.SIG_ED25519, raw_public(stranger))
    with pytest.raises(V.VerificationError, match="no signature line"):
        V.verify_log_signature(notice, wrong)
    with pytest.raises(V.VerificationError):
        V.verify_bundle(contest.inclusion_proof("R1", "O1"), wrong)
    with pytest.raises(V.VerificationError):
        V.verify_log_signature(notice, raw_public(stranger))
    # the true key's name with another log's origin, or a verifier key whose id was changed
    with pytest.raises(V.VerificationError, match="origin"):
        V.verify_log_signature(notice, V.make_vkey("leitai/other/000000000000", V.SIG_ED25519, app.signer.public_key))
    name, key_hex, b64 = vkey(app).split("+", 2)
    with pytest.raises(V.VerificationError, match="id"):
        V.parse_vkey(f"{name}+{'%08x' % (int(key_hex, 16) ^ 1)}+{b64}")
    # a head signed by another key under the log's name, checked with the true key
    forged = notice.with_signatures(sign_body(stranger, origin, notice.body))
    with pytest.raises(V.VerificationError, match="no signature line"):
        V.verify_log_signature(forged, vkey(app))
    # a signature line of the true key's name and id, over another body: it must verify
    other_body = notice.body.replace(str(notice.checkpoint.size).encode(), b"9999", 1)
    line = sign_body(deployment_key(app), origin, other_body)
    with pytest.raises(V.VerificationError, match="does not verify"):
        V.verify_log_signature(notice.with_signatures(line), vkey(app))
    # and a head with the log's true line plus a bad one of the same key is void as a whole
    with pytest.raises(V.VerificationError, match="does not verify"):
        V.verify_log_signature(notice.with_signatures(*notice.signatures, line), vkey(app))


def test_a_consistency_proof_against_another_old_root_is_refused(app, contest, store_url):
    heads = contest.heads()
    old, new = heads[1], heads[2]
    text = contest.consistency_proof(old["size"], new["size"])
    V.verify_consistency_proof(text, old["note"], vkey(app))
    # another history of the same size: one mark changed in the first sheet, the root recomputed
    rows = events(store_url)[:old["size"]]
    entries = [entry_of(row) for row in rows]
    n = next(i for i, row in enumerate(rows) if row[3].endswith("SheetSubmitted"))
    entries[n] = entries[n].replace(b'"party":"25"', b'"party":"29"')
    other_root = V.mth(entries)
    genuine = V.parse_note(old["note"])
    assert other_root != genuine.checkpoint.root
    body = genuine.body.replace(base64.b64encode(genuine.checkpoint.root), base64.b64encode(other_root))
    # signed with the deployment's own key (the insider holding it): the signature is fine, the history not
    forked = V.parse_note(V.Note(body, genuine.checkpoint, (sign_body(deployment_key(app), genuine.checkpoint.origin,
                                                                       body),)).text())
    V.verify_log_signature(forked, vkey(app))
    with pytest.raises(V.VerificationError, match="old root"):
        V.verify_consistency_proof(text, forked, vkey(app))
    proof = V.parse_consistency_proof(text)
    with pytest.raises(V.VerificationError):
        V.verify_consistency(proof.old, proof.note.checkpoint.size, other_root, proof.note.checkpoint.root,
                             proof.hashes)
    # a flipped bit in a hash, the proof from another size, the old head of another size
    lines = text.split("\n")
    lines[1] = flip_bit(lines[1], 77)
    with pytest.raises(V.VerificationError):
        V.verify_consistency_proof("\n".join(lines), old["note"], vkey(app))
    with pytest.raises(V.VerificationError, match="old head"):
        V.verify_consistency_proof(text, heads[0]["note"], vkey(app))
    with pytest.raises(V.VerificationError):
        V.verify_consistency(old["size"] - 1, new["size"], genuine.checkpoint.root, proof.note.checkpoint.root,
                             proof.hashes)


def test_a_bundle_checked_against_another_printed_head_is_refused(app, contest):
    heads = contest.heads()
    bundle = contest.inclusion_proof("R1", "O1")
    with pytest.raises(V.VerificationError, match="not the given one"):
        V.verify_bundle(bundle, vkey(app), heads[0]["note"])
    later = contest.inclusion_proof("R1", "O1", heads[2]["size"])  # proved to the later head: fine with it
    assert V.parse_bundle(later).size == heads[2]["size"]
    V.verify_bundle(later, vkey(app), heads[2]["note"])
    # a proof of one head carried in a bundle of another
    later["entries"][0]["proof"] = bundle["entries"][0]["proof"]
    with pytest.raises(V.VerificationError, match="another checkpoint"):
        V.verify_bundle(later, vkey(app))


# -- a real witness -------------------------------------------------------------------------------------


def leitai(monkeypatch, url: str, *argv: str) -> int:
    monkeypatch.setenv("LEITAI_DATABASE_URL", url)
    monkeypatch.setenv("LEITAI_LANG", "en")
    return main(list(argv))


@pytest.fixture
def served(app, contest):
    web = serve(app)
    server = make_server("127.0.0.1", 0, web, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    assert web.extensions["leitai_hub"].wait_for(app.recorder.max_notification_id(), 10)
    yield f"http://127.0.0.1:{server.server_port}", web
    server.shutdown()
    thread.join()
    stop(web)


def test_a_head_cosigned_by_real_witnesses_verifies_and_unknown_cosigners_do_not_count(
        app, contest, served, store_url, tmp_path, monkeypatch, capsys):
    """Two witnesses, set up and pulling with `leitai witness`, cosign the served head; the
    checkpoint the log then serves and the round's notice prints carry both cosignatures."""
    url, web = served
    keys = []
    for name in WITNESSES:
        folder = tmp_path / name.replace("/", "_")
        assert leitai(monkeypatch, store_url, "witness", "init", name, "--dir", str(folder)) == 0
        witness_key = capsys.readouterr().out.strip().splitlines()[-1]
        parsed = V.parse_vkey(witness_key)
        assert parsed.name == name and parsed.sig_type == V.SIG_COSIGNATURE
        assert leitai(monkeypatch, store_url, "witness", "register", witness_key, "--reason", "纪检监察见证") == 0
        assert leitai(monkeypatch, store_url, "witness", "add", url, "--key", vkey(app), "--dir", str(folder)) == 0
        assert web.extensions["leitai_hub"].wait_for(app.recorder.max_notification_id(), 10)
        assert leitai(monkeypatch, store_url, "witness", "pull", "--dir", str(folder)) == 0
        keys.append(witness_key)
    assert web.extensions["leitai_hub"].wait_for(app.recorder.max_notification_id(), 10)
    served_text = web.test_client().get("/api/checkpoint").get_data(as_text=True)
    note = V.parse_note(served_text)
    V.verify_log_signature(note, vkey(app))
    assert note.checkpoint.size == contest.heads()[-1]["size"]
    cosigned = [V.verify_cosignature(note, key) for key in keys]
    assert [c.name for c in cosigned] == list(WITNESSES)
    assert all(1_600_000_000 < c.timestamp < 4_000_000_000 for c in cosigned)  # POSIX seconds
    # each cosignature is over cosignature/v1, its time and the body: nothing else verifies
    line = next(s for s in note.signatures if s.name == WITNESSES[0])
    assert len(line.data) == 8 + 64
    public = V.parse_vkey(keys[0]).public_key
    Ed25519PublicKey.from_public_bytes(public).verify(line.data[8:], V.cosigned_message(note.body, cosigned[0].timestamp))
    # the read side keeps the cosignatures with the head they sign
    latest = catch_up(store_url)
    try:
        assert V.parse_note(latest.heads()[-1]["cosigned"]).checkpoint == note.checkpoint
        for key in keys:
            V.verify_cosignature(V.parse_note(latest.heads()[-1]["cosigned"]), key)
    finally:
        latest.close()

    # an entrant's proofs to the cosigned head carry the cosignatures too
    read = catch_up(store_url)
    try:
        bundle = read.inclusion_proof("R1", "O2", note.checkpoint.size)
    finally:
        read.close()
    V.verify_bundle(bundle, vkey(app), served_text)
    for item in V.parse_bundle(bundle).entries:
        carried = V.parse_inclusion_proof(item.proof).note
        assert [V.verify_cosignature(carried, key).name for key in keys] == list(WITNESSES)

    # a cosignature by an unknown key: under a stranger's name it is not a cosignature of a witness ...
    stranger = other_key()
    stranger_name = "stranger.example/w9"
    timestamp = cosigned[0].timestamp
    stranger_line = V.SignatureLine(stranger_name, V.key_id(stranger_name, V.SIG_COSIGNATURE, raw_public(stranger)),
                                    timestamp.to_bytes(8, "big") + stranger.sign(V.cosigned_message(note.body,
                                                                                                     timestamp)))
    alone = note.with_signatures(note.signatures[0], stranger_line)
    for key in keys:
        with pytest.raises(V.VerificationError, match="no cosignature"):
            V.verify_cosignature(alone, key)
    V.verify_cosignature(alone, V.make_vkey(stranger_name, V.SIG_COSIGNATURE, raw_public(stranger)))  # its own
    # ... and under a witness's name and key id, signed by another key, it does not verify
    name = WITNESSES[0]
    impostor = V.SignatureLine(name, V.parse_vkey(keys[0]).key_id,
                               timestamp.to_bytes(8, "big") + stranger.sign(V.cosigned_message(note.body, timestamp)))
    with pytest.raises(V.VerificationError, match="does not verify"):
        V.verify_cosignature(note.with_signatures(note.signatures[0], impostor), keys[0])
    # a genuine cosignature moved to another time, or to another head, does not verify either
    moved = V.SignatureLine(name, line.key_id, (timestamp + 1).to_bytes(8, "big") + line.data[8:])
    with pytest.raises(V.VerificationError, match="does not verify"):
        V.verify_cosignature(note.with_signatures(moved), keys[0])
    older = V.parse_note(contest.heads()[0]["note"])
    with pytest.raises(V.VerificationError, match="does not verify"):
        V.verify_cosignature(older.with_signatures(*older.signatures, line), keys[0])
    # a witness's key is no log key, and the log's key no witness's
    with pytest.raises(V.VerificationError):
        V.verify_log_signature(note, keys[0])
    with pytest.raises(V.VerificationError):
        V.verify_cosignature(note, vkey(app))
