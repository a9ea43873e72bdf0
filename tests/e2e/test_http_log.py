"""The log's signed heads over HTTP, on both stores: the public checkpoint, signing one now,
proofs of inclusion and consistency checked with nothing but their text and the public key,
witnesses registered, and a log rewritten by its database's owner answered 503 with nothing
recorded."""

from __future__ import annotations

import base64
import json
from datetime import date

import pytest

from api.witness import WitnessDirectory
from domain import merkle
from domain.checkpoint import Note
from domain.ids import ledger_id
from domain.model.ledger import Ledger
from eventstore.notes import log_key, verify_note
from projections.proofs import check_consistency, check_inclusion, parse_consistency
from tests.conftest import ADMIN, event_count
from tests.http import Client, add_account, serve, stop
from tests.integration.test_tamper_evidence import Owner, set_actor
from tests.scenario import score_all, small_contest


@pytest.fixture
def web(app, clock):
    small_contest(app)
    score_all(app)
    app.close_round("R1", ADMIN)
    app.publish("R1", ADMIN, on=date(2025, 5, 20))
    for name, role, scope in (("admin", "admin", {}), ("town1", "admin", {"contest": "c", "unit": "T1"}),
                              ("judge1", "judge", {"contest": "c", "judge": "J1"}),
                              ("org1", "organization", {"organization": "O1"}),
                              ("org2", "organization", {"organization": "O2"}), ("auditor", "auditor", {})):
        add_account(app, name, role, **scope)
    flask_app = serve(app)
    assert flask_app.extensions["leitai_hub"].wait_for(app.recorder.max_notification_id(), 10)
    yield flask_app
    stop(flask_app)


def test_the_checkpoint_is_public_text_signed_by_the_deployment(web, app):
    answer = web.test_client().get("/api/checkpoint")
    assert answer.status_code == 200 and answer.content_type.startswith("text/plain")
    note = Note.parse(answer.get_data(as_text=True))
    checkpoint = note.checkpoint
    assert verify_note(note, [log_key(checkpoint.origin, app.signer.public_key)]).ok
    latest = app.read(lambda s: s.find(ledger_id(), Ledger)).heads[-1]
    assert str(note) == latest["note"] and "R1 Published" in latest["reasons"]
    assert len(str(note).encode("utf-8")) <= 400  # small enough for a QR code on paper


def test_signing_a_head_now_is_for_administrators(web, app):
    for who, status in ((None, 401), ("judge1", 403), ("org1", 403), ("auditor", 403)):
        Client(web, who).call("POST", "/api/checkpoint", status, json={})
    before = event_count(app)
    answer = Client(web, "town1").post("/api/checkpoint", expect=201)
    assert answer["recorded"] == 1 and event_count(app) == before + 1
    served = web.test_client().get("/api/checkpoint").get_data(as_text=True)
    assert served == answer["checkpoint"] and Note.parse(served).checkpoint.size == answer["size"]


def test_a_consistency_proof_is_public_and_proves_one_head_extends_another(web, app):
    first = Note.parse(web.test_client().get("/api/checkpoint").get_data(as_text=True))
    app.file_appeal("R1", "objection", "王某", "139", "有异议", ADMIN, entrant="O2")
    later = Client(web, "admin").post("/api/checkpoint", expect=201)
    assert web.extensions["leitai_hub"].wait_for(app.recorder.max_notification_id(), 10)
    text = web.test_client().get(f"/api/proof/consistency?from={first.checkpoint.size}").get_data(as_text=True)
    old, proof, note = parse_consistency(text)
    assert old == first.checkpoint.size and str(note) == later["checkpoint"]
    assert merkle.verify_consistency(old, note.checkpoint.size, first.checkpoint.root, note.checkpoint.root, proof)
    assert check_consistency(text, first, [app.signer.public_key]).ok
    client = Client(web, None, lang="en")
    bad = client.get(f"/api/proof/consistency?from={later['size'] + 5}", expect=422)
    assert bad["code"] == "InvalidValue" and "no consistency proof" in bad["message"]
    unsigned = client.get(f"/api/proof/consistency?from=1&to={later['size'] - 1}", expect=422)
    assert "no tree head of" in unsigned["message"]
    client.get("/api/proof/consistency?from=-1", expect=400)


def test_an_organization_downloads_the_proofs_of_its_own_result_and_checks_them_offline(web, app, tmp_path):
    bundle = Client(web, "org1").get("/api/proof/inclusion?round=R1&entrant=O1")
    Client(web, "org2").get("/api/proof/inclusion?round=R1&entrant=O1", expect=403)
    whats = [e["what"] for e in bundle["entries"]]
    assert sum("SheetSubmitted" in w for w in whats) == 3 and any("Closed" in w for w in whats)
    notice = Note.parse(web.test_client().get("/api/rounds/R1/documents/notice.html").get_data(as_text=True)
                        .split("<pre>")[1].split("</pre>")[0].replace("&#x27;", "'").replace("&amp;", "&"))
    assert notice.checkpoint.size == bundle["size"]  # the proofs lead to the head printed on the notice
    report = check_inclusion(json.dumps(bundle), [app.signer.public_key], notice)
    assert report.ok and all(e["included"] for e in report.entries), report.problems
    marks = [e["event"]["marks"] for e in report.entries if e["topic"].endswith("SheetSubmitted")]
    assert marks == [{"party": "25", "industry": "15"}] * 3
    # a sheet altered in the proof file is no longer included
    n = next(i for i, e in enumerate(bundle["entries"]) if "SheetSubmitted" in e["what"])
    lines = bundle["entries"][n]["proof"].split("\n")
    extra = base64.b64decode(lines[1][6:])
    assert b'"party":"25"' in extra
    lines[1] = "extra " + base64.b64encode(extra.replace(b'"party":"25"', b'"party":"29"')).decode()
    bundle["entries"][n]["proof"] = "\n".join(lines)
    report = check_inclusion(json.dumps(bundle), [app.signer.public_key], notice)
    assert not report.ok and not report.entries[n]["included"] and report.entries[n]["event"]["marks"]["party"] == "29"


def test_an_administrator_of_everything_registers_a_witness(web, app, tmp_path):
    directory = WitnessDirectory(tmp_path / "w")
    vkey = str(directory.init("jjjc.example/w1"))
    Client(web, "town1").post("/api/witnesses", {"vkey": vkey, "reason": "见证"}, expect=403)
    answer = Client(web, "admin").post("/api/witnesses", {"vkey": vkey, "reason": "纪检监察见证"}, expect=201)
    assert answer["recorded"] == 1
    assert web.test_client().get("/api/witnesses").get_json() == [{"name": "jjjc.example/w1", "vkey": vkey}]
    log = str(log_key(Note.parse(web.test_client().get("/api/checkpoint").get_data(as_text=True)).checkpoint.origin,
                      app.signer.public_key))
    bad = Client(web, "admin", lang="en").post("/api/witnesses", {"vkey": log, "reason": "x"}, expect=422)
    assert "not a witness's key" in bad["message"]


def test_a_rewritten_log_is_answered_503_and_nothing_is_recorded(web, app, store_url, request):
    pg = request.getfixturevalue("pg_databases") if store_url.startswith("postgresql") else None
    owner = Owner(store_url, pg)
    try:
        owner.edit(owner.position_of("SheetSubmitted"), set_actor)
        owner.forge()
        owner.restore()
    finally:
        owner.close()
    app.cache.clear()
    before = event_count(app)
    for lang, words in (("zh", "签名被拒绝"), ("en", "Signing refused")):
        admin = Client(web, "admin", lang=lang)
        answer = admin.post("/api/rounds/R1/republish", {"reason": "延期"}, expect=503)
        assert answer["code"] == "LogRewritten" and words in answer["message"]
        assert admin.post("/api/checkpoint", expect=503)["code"] == "LogRewritten"
    assert Client(web, "auditor").call("GET", "/api/events", 503).get_json()["code"] == "LogRewritten"
    assert event_count(app) == before
    report = Client(web, "auditor").get("/api/verify")
    assert not report["ok"] and {"head", "held"} <= {f["check"] for f in report["findings"]}
