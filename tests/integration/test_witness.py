"""Witnesses against a served log, on both stores.

Two witnesses (an auditor's machine each: a key and a directory of their own) watch a log
served over real HTTP.  They pull its checkpoints, check each is consistent with the head
they hold, cosign it and send the cosignature back; the deployment records it and prints it
on later notices, and ``verify --witness … --quorum 2`` requires it.  Then the log is
rewritten by someone holding both the database (superuser) and the deployment's key - the
one insider the signer cannot stop - four ways: an edited event, deleted checkpoint events,
a truncated tail, reordered events; each time the forged log is re-signed with the true key
and served.  Each witness refuses (exit 6), keeps the head it held, and keeps the evidence.
"""

from __future__ import annotations

import threading
import time
from datetime import date
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from api.cli.main import main
from api.witness import WitnessDirectory
from domain.checkpoint import Note, VerifierKey
from domain.services.store import parse_url
from eventstore.keys import load_signer
from eventstore.signing import STATE_SUFFIX
from projections.runner import Projector
from projections.source import EventSource
from projections.verify import verify_store
from tests.conftest import ADMIN
from tests.http import serve, stop
from tests.integration.test_tamper_evidence import Owner, resign_heads, set_actor
from tests.scenario import score_all, small_contest

NAMES = ("jjjc.example/w1", "zzb.example/w2")


@pytest.fixture
def served(app, store_url, clock):
    small_contest(app)
    score_all(app)
    app.close_round("R1", ADMIN)
    app.publish("R1", ADMIN, on=date(2025, 5, 20))
    web = serve(app)
    server = make_server("127.0.0.1", 0, web, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", web
    server.shutdown()
    thread.join()
    stop(web)


def leitai(monkeypatch, url, *argv) -> int:
    monkeypatch.setenv("LEITAI_DATABASE_URL", url)
    monkeypatch.setenv("LEITAI_LANG", "en")
    return main(list(argv))


def wait_projected(web, app) -> None:
    assert web.extensions["leitai_hub"].wait_for(app.recorder.max_notification_id(), 10)


@pytest.fixture
def witnesses(served, app, store_url, tmp_path, monkeypatch, capsys):
    """Both witnesses initialised, registered by the deployment and watching the served log."""
    url, web = served
    dirs = []
    log_key = app.signer.vkey()
    for name in NAMES:
        folder = tmp_path / name.replace("/", "_")
        assert leitai(monkeypatch, store_url, "witness", "init", name, "--dir", str(folder)) == 0
        vkey = capsys.readouterr().out.strip().splitlines()[-1]
        assert VerifierKey.parse(vkey).name == name
        assert leitai(monkeypatch, store_url, "witness", "register", vkey, "--reason", "纪检监察见证") == 0
        assert leitai(monkeypatch, store_url, "witness", "add", url, "--key", log_key, "--dir", str(folder)) == 0
        dirs.append(folder)
    wait_projected(web, app)
    return dirs


def pull(monkeypatch, store_url, folder) -> int:
    return leitai(monkeypatch, store_url, "witness", "pull", "--dir", str(folder))


def test_witnesses_cosign_what_extends_their_head_and_verify_requires_them(served, witnesses, app, store_url,
                                                                            monkeypatch, capsys, clock):
    url, web = served
    for folder in witnesses:
        assert pull(monkeypatch, store_url, folder) == 0
    wait_projected(web, app)
    served_note = Note.parse(web.test_client().get("/api/checkpoint").get_data(as_text=True))
    assert {s.name for s in served_note.signatures} >= set(NAMES)  # both cosignatures, on the log's head
    # the log goes on: an objection, a new head; each witness checks the proof from its head, and cosigns
    clock.set("2025-05-21T10:00")
    number = app.file_appeal("R1", "objection", "王某", "139", "对 O2 的得分有异议", ADMIN, entrant="O2")
    app.rule_appeal("R1", number, "dismissed", "经核查无误。", ADMIN)
    size = app.sign_head(["on demand"]).value.size
    wait_projected(web, app)
    capsys.readouterr()
    for folder in witnesses:
        assert pull(monkeypatch, store_url, folder) == 0
        assert f"head of {size} events extends the held head" in capsys.readouterr().out
        assert Note.parse(WitnessDirectory(folder).logs()[0]["head"]).checkpoint.size == size
    wait_projected(web, app)
    keys = [str(WitnessDirectory(f).vkey) for f in witnesses]
    # the notice now prints the cosignatures ...
    notice = web.test_client().get("/api/rounds/R1/documents/notice.html").get_data(as_text=True)
    assert all(name in notice for name in NAMES)
    # ... and verification can demand them
    source = EventSource(parse_url(store_url))
    try:
        report = verify_store(source, keys=[app.signer.public_key],
                              witnesses=[VerifierKey.parse(k) for k in keys], quorum=2)
    finally:
        source.close()
    assert report.ok, [f.detail for f in report.findings]
    argv = ["verify", "--witness", keys[0], "--witness", keys[1], "--quorum", "2"]
    assert leitai(monkeypatch, store_url, *argv) == 0
    # a witness directory is a head held outside, for verify --since
    assert leitai(monkeypatch, store_url, "verify", "--since", str(witnesses[0])) == 0


def test_a_round_not_yet_witnessed_fails_verify_with_a_quorum(served, witnesses, app, store_url, monkeypatch):
    keys = [str(WitnessDirectory(f).vkey) for f in witnesses]  # registered, but nothing pulled and cosigned yet
    assert leitai(monkeypatch, store_url, "verify", "--witness", keys[0], "--witness", keys[1]) == 6


def test_a_forged_cosignature_is_refused_by_the_log(served, witnesses, app):
    url, web = served
    client = web.test_client()
    note = Note.parse(client.get("/api/checkpoint").get_data(as_text=True))
    directory = WitnessDirectory(witnesses[0])
    from eventstore.notes import cosign

    good = cosign(directory.private, directory.name, note.text, 1_760_000_000)
    forged = good.__class__(good.name, good.key_id, good.data[:8] + bytes(64))
    answer = client.post("/api/checkpoint/cosignatures?lang=en", data=str(Note(note.text, (forged,))),
                         content_type="text/plain")
    assert answer.status_code == 422 and "does not verify" in answer.get_json()["message"]
    stranger = cosign(load_signer(witnesses[0] / "other.pem").private, "stranger.example/w9", note.text,
                      1_760_000_000)
    answer = client.post("/api/checkpoint/cosignatures", data=str(Note(note.text, (stranger,))),
                         content_type="text/plain")
    assert answer.status_code == 422  # an unregistered witness is not a witness
    lines = note.text.split("\n")
    other_head = "\n".join([lines[0], "9999", *lines[2:]])  # a size the log never signed
    answer = client.post("/api/checkpoint/cosignatures?lang=en",
                         data=str(Note(other_head, (cosign(directory.private, directory.name, other_head, 1),))),
                         content_type="text/plain")
    assert answer.status_code == 422 and "no such tree head" in answer.get_json()["message"]
    other_log = "\n".join(["example.com/another-log", *lines[1:]])  # the same size and root, another log
    answer = client.post("/api/checkpoint/cosignatures?lang=en",
                         data=str(Note(other_log, (cosign(directory.private, directory.name, other_log, 1),))),
                         content_type="text/plain")
    assert answer.status_code == 422 and "no such tree head" in answer.get_json()["message"]
    answer = client.post("/api/checkpoint/cosignatures", data=str(Note(note.text, (good,))),
                         content_type="text/plain")
    assert answer.status_code == 201 and answer.get_json()["recorded"] == 1


# -- the four rewrites ----------------------------------------------------------------------------------


def rewrite_edit(owner):
    owner.edit(owner.position_of("SheetSubmitted"), set_actor)


def rewrite_delete_checkpoints(owner):
    assert owner.delete_where_topic("domain.model.ledger:%") >= 3  # the whole Ledger: every signed head


def rewrite_truncate(owner):
    owner.delete_from(owner.position_of("Published"))


def rewrite_reorder(owner):
    owner.swap(owner.position_of("SheetSubmitted", 0), owner.position_of("SheetSubmitted", 1))


@pytest.mark.parametrize("rewrite", [rewrite_edit, rewrite_delete_checkpoints, rewrite_truncate, rewrite_reorder])
def test_each_witness_refuses_a_rewritten_log_signed_with_the_true_key(served, witnesses, app, store_url, rewrite,
                                                                       monkeypatch, capsys, request):
    url, web = served
    for folder in witnesses:
        assert pull(monkeypatch, store_url, folder) == 0
    held = [WitnessDirectory(f).logs()[0]["head"] for f in witnesses]
    pg = request.getfixturevalue("pg_databases") if store_url.startswith("postgresql") else None
    owner = Owner(store_url, pg)
    try:
        rewrite(owner)
        owner.forge()
        resign_heads(owner, app.signer.key)  # with the deployment's own key
    finally:
        owner.restore()
        owner.close()
    Path(str(app.signer.key_path) + STATE_SUFFIX).unlink()  # and the signer's state: it trusts what it sees
    app.cache.clear()
    app._cache_position = None
    forged = app.sign_head(["forged"]).value.note  # the forged log, signed and recorded: what the server now serves
    projector = Projector(parse_url(store_url))
    try:
        projector.rebuild()
    finally:
        projector.close()
    deadline = time.monotonic() + 20
    while web.test_client().get("/api/checkpoint").get_data(as_text=True) != forged:  # the server has switched
        assert time.monotonic() < deadline, "the server never served the forged head"
        time.sleep(0.05)
    capsys.readouterr()
    for folder, before in zip(witnesses, held):
        assert pull(monkeypatch, store_url, folder) == 6
        err = capsys.readouterr().err
        assert "REFUSED" in err and "head held by the witness" in err and "head served by the log" in err
        assert any(word in err for word in ("does not extend", "shrank", "another root")), err
        log = WitnessDirectory(folder).logs()[0]
        assert log["head"] == before  # nothing stored ...
        evidence = list((folder / "evidence").iterdir())
        assert evidence and "refused" in evidence[0].read_text(encoding="utf-8")  # ... the evidence kept


def test_a_notice_prints_the_later_head_the_witnesses_cosigned(served, app, store_url, tmp_path, monkeypatch):
    """Witnesses who start after the publication cosign a later head; the notice says so,
    beside the head signed for the round itself."""
    url, web = served
    later = app.sign_head(["on demand"]).value.size
    wait_projected(web, app)
    folder = tmp_path / "w1"
    assert leitai(monkeypatch, store_url, "witness", "init", NAMES[0], "--dir", str(folder)) == 0
    assert leitai(monkeypatch, store_url, "witness", "register", str(WitnessDirectory(folder).vkey), "--reason",
                  "见证") == 0
    assert leitai(monkeypatch, store_url, "witness", "add", url, "--key", app.signer.vkey(), "--dir",
                  str(folder)) == 0
    assert pull(monkeypatch, store_url, folder) == 0
    wait_projected(web, app)
    notice = web.test_client().get("/api/rounds/R1/documents/notice.html?lang=en").get_data(as_text=True)
    assert f"cosigned the later head of {later} events" in notice and NAMES[0] in notice
