"""The history is tamper-evident end to end: any edit an attacker with the database
owner's rights (triggers removed) or with the export file can make is found by
`verify`, the first event that breaks is named, and an untouched history passes."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import date
from pathlib import Path

import psycopg
import pytest

from domain.chain import GENESIS, link
from domain.services.store import parse_url
from eventstore.keys import load_signer
from projections.source import EventSource
from projections.verify import export_events, verify_export, verify_store
from tests.conftest import ADMIN
from tests.scenario import score_all, small_contest


@pytest.fixture
def history(app, store_url, clock):
    """R1 scored, closed and published, an objection filed and dismissed (checkpoints at
    the seal and the publication)."""
    small_contest(app)
    score_all(app)
    app.close_round("R1", ADMIN)
    app.publish("R1", ADMIN, on=date(2025, 5, 20))
    clock.set("2025-05-21T10:00")
    number = app.file_appeal("R1", "objection", "王某", "139", "对 O2 的得分有异议", ADMIN, entrant="O2")
    app.rule_appeal("R1", number, "dismissed", "经核查无误。", ADMIN)
    return store_url


def verify(url, keys):
    source = EventSource(parse_url(url))
    try:
        return verify_store(source, keys=keys)
    finally:
        source.close()


class Owner:
    """Someone with the owner's (or a superuser's) rights who removes the triggers first."""

    def __init__(self, url: str, pg_databases) -> None:
        self.store = parse_url(url)
        if self.store.kind == "sqlite":
            self.conn = sqlite3.connect(self.store.path, isolation_level=None)
            for (name,) in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
                self.conn.execute(f"DROP TRIGGER {name}")
            self.events, self.chain, self.pos, self.mark = "stored_events", "event_chain", "rowid", "?"
        else:
            admin = pg_databases.server.url_for(self.store.dbname)
            self.conn = psycopg.connect(parse_url(admin).conninfo(), autocommit=True)
            self.conn.execute("ALTER TABLE leitai_events DISABLE TRIGGER USER")
            self.conn.execute("ALTER TABLE leitai_chain DISABLE TRIGGER USER")
            self.events, self.chain, self.pos, self.mark = "leitai_events", "leitai_chain", "notification_id", "%s"

    def sql(self, statement: str, *params):
        return self.conn.execute(statement.replace("?", self.mark), params)

    def rows(self):
        return self.sql(f"SELECT {self.pos}, originator_id, originator_version, topic, state FROM {self.events} "
                        f"ORDER BY {self.pos}").fetchall()

    def position_of(self, topic_end: str, nth: int = 0) -> int:
        return [r[0] for r in self.rows() if r[3].endswith(topic_end)][nth]

    def edit(self, position: int, change) -> None:
        state = dict(json.loads(bytes(self.sql(f"SELECT state FROM {self.events} WHERE {self.pos} = ?",
                                               position).fetchone()[0])))
        change(state)
        self.sql(f"UPDATE {self.events} SET state = ? WHERE {self.pos} = ?",
                 json.dumps(state, ensure_ascii=False).encode("utf-8"), position)

    def delete(self, position: int) -> None:
        self.sql(f"DELETE FROM {self.events} WHERE {self.pos} = ?", position)

    def swap(self, a: int, b: int) -> None:
        self.sql(f"UPDATE {self.events} SET {self.pos} = ? WHERE {self.pos} = ?", -1, a)
        self.sql(f"UPDATE {self.events} SET {self.pos} = ? WHERE {self.pos} = ?", a, b)
        self.sql(f"UPDATE {self.events} SET {self.pos} = ? WHERE {self.pos} = ?", b, -1)

    def rechain(self) -> None:
        """Recompute every link from the (edited) events: the chain looks intact again."""
        self.sql(f"DELETE FROM {self.chain}")
        previous = GENESIS
        for position, aggregate, version, topic, state in self.rows():
            from uuid import UUID

            key = aggregate if not isinstance(aggregate, str) else UUID(hex=aggregate)
            previous = link(previous, position, key, version, topic, bytes(state))
            self.sql(f"INSERT INTO {self.chain} (position, link) VALUES (?, ?)", position, previous)

    def close(self) -> None:
        self.conn.close()


@pytest.fixture
def owner(history, request):
    pg = request.getfixturevalue("pg_databases") if history.startswith("postgresql") else None
    who = Owner(history, pg)
    yield who
    who.close()


def test_an_untouched_history_passes_with_every_checkpoint_signed(history, public_key):
    report = verify(history, [public_key])
    assert report.ok, [f.detail for f in report.findings]
    assert report.checkpoints == 2 and report.key_confirmed and report.covered > 0


def set_actor(state):
    state["actor"] = "somebody-else"


def set_text(state):
    state["text"] = "另一段异议内容"


def set_name(state):
    state["name"] = "改过的村名"


def set_timestamp(state):
    state["timestamp"] = "2020-01-01T00:00:00+00:00"


@pytest.mark.parametrize(("topic", "change"), [
    ("SheetSubmitted", set_actor),  # who entered a sheet (not part of any seal)
    ("AppealFiled", set_text),  # an objection's text (not part of any seal)
    ("EntrantAdmitted", set_name),  # an entrant's name (not part of any seal)
    ("Published", set_timestamp),  # when something happened
])
def test_an_edit_of_any_field_of_any_event_is_found_and_the_event_named(owner, public_key, topic, change):
    position = owner.position_of(topic)
    owner.edit(position, change)
    report = verify(owner.store.url, [public_key])
    chain = [f for f in report.findings if f.check == "chain"]
    assert chain and chain[0].found == position, [f.detail for f in report.findings]
    assert str(position) in chain[0].detail_zh


def test_a_removed_event_is_found(owner, public_key):
    position = owner.position_of("SheetSubmitted", 2)
    owner.delete(position)
    report = verify(owner.store.url, [public_key])
    assert any(f.check == "chain" and f.found == position for f in report.findings)


def test_reordered_events_are_found(owner, public_key):
    a, b = owner.position_of("SheetSubmitted", 0), owner.position_of("SheetSubmitted", 1)
    owner.swap(a, b)
    report = verify(owner.store.url, [public_key])
    assert any(f.check == "chain" and f.found == a for f in report.findings)


def test_an_edit_with_the_whole_chain_recomputed_is_found_by_the_signed_checkpoints(owner, public_key):
    owner.edit(owner.position_of("SheetSubmitted"), set_actor)
    owner.rechain()
    report = verify(owner.store.url, [public_key])
    assert not any(f.check == "chain" for f in report.findings)  # the links agree again ...
    assert any(f.check == "checkpoint" for f in report.findings)  # ... but not with what was signed


def test_a_checkpoint_signed_with_another_key_is_refused_when_the_true_key_is_given(owner, public_key, tmp_path):
    owner.edit(owner.position_of("SheetSubmitted"), set_actor)
    owner.rechain()
    forger = load_signer(tmp_path / "forged.pem")
    checkpoints = [r[0] for r in owner.rows() if r[3].endswith("CheckpointSigned")]
    for position in checkpoints:  # each re-signed in turn, the chain recomputed after each
        signed = json.loads(bytes(owner.sql(f"SELECT state FROM {owner.events} WHERE {owner.pos} = ?",
                                            position).fetchone()[0]))["position"]
        head = bytes(owner.sql(f"SELECT link FROM {owner.chain} WHERE position = ?", signed).fetchone()[0])

        def forge(s, head=head):
            s["head"], s["signature"] = head.hex(), forger.sign(s["position"], head)
            s["public_key"], s["fingerprint"] = forger.public_hex, forger.fingerprint

        owner.edit(position, forge)
        owner.rechain()
    assert verify(owner.store.url, [forger.public_key]).ok  # consistent under the forger's own key ...
    report = verify(owner.store.url, [public_key])
    assert any(f.check == "checkpoint" for f in report.findings)  # ... but not under the deployment's


# -- exports ------------------------------------------------------------------------------


@pytest.fixture
def export(history, tmp_path):
    path = tmp_path / "events.ndjson"
    source = EventSource(parse_url(history))
    export_events(source, path, load_signer(Path(__import__("os").environ["LEITAI_SIGNING_KEY"])))
    source.close()
    return path


def lines_of(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def write(path, items):
    out = path.with_name("edited.ndjson")
    out.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items), encoding="utf-8")
    return out


def test_an_untouched_export_passes(export, public_key):
    report = verify_export(export, keys=[public_key])
    assert report.ok, [f.detail for f in report.findings]
    assert report.checkpoints == 2 and report.covered == max(i["position"] for i in lines_of(export)
                                                              if "position" in i)


def test_every_event_line_edited_in_any_field_is_found_and_named(export, public_key):
    items = lines_of(export)
    events = [i for i, item in enumerate(items) if "position" in item]
    for n, index in enumerate(events[::3]):  # a third of the lines, every field in turn
        edited = [dict(item) for item in items]
        item = edited[index]
        field = ("state", "version", "topic", "aggregate")[n % 4]
        if field == "state":
            item["state"] = item["state"].replace('"', ' "', 1)  # the same JSON, other bytes
        elif field == "version":
            item["version"] += 1
        elif field == "topic":
            item["topic"] = item["topic"] + "X"
        else:
            item["aggregate"] = "00000000-0000-0000-0000-000000000000"
        report = verify_export(write(export, edited), keys=[public_key])
        chain = [f for f in report.findings if f.check == "chain"]
        assert chain and chain[0].found == item["position"], (field, [f.detail for f in report.findings])


def test_removed_and_reordered_lines_are_found(export, public_key):
    items = lines_of(export)
    events = [i for i, item in enumerate(items) if "position" in item]
    removed = items[:events[5]] + items[events[5] + 1:]
    assert not verify_export(write(export, removed), keys=[public_key]).ok
    swapped = list(items)
    swapped[events[5]], swapped[events[6]] = swapped[events[6]], swapped[events[5]]
    report = verify_export(write(export, swapped), keys=[public_key])
    assert any(f.check == "chain" for f in report.findings)


def test_an_edited_seal_line_is_found_in_its_seal_and_in_its_results(export, public_key):
    items = lines_of(export)
    seal_line = next(i for i in items if "seal" in i)
    seal_line["seal"]["seal"] = "sha256:" + "0" * 64
    report = verify_export(write(export, items), keys=[public_key])
    assert any(f.check == "export_seal" for f in report.findings)
    items = lines_of(export)
    seal_line = next(i for i in items if "seal" in i)
    results = json.loads(seal_line["seal"]["results"])
    results[0]["final"] = "99.84"  # a result changed where only the seal string was compared before
    seal_line["seal"]["results"] = json.dumps(results, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    report = verify_export(write(export, items), keys=[public_key])
    assert any(f.check == "export_results" for f in report.findings)


def test_an_export_edited_with_every_hash_recomputed_is_found_by_the_signatures(export, public_key):
    items = lines_of(export)
    for item in items:
        if "position" in item and (item["topic"] or "").endswith("SheetSubmitted"):
            state = json.loads(item["state"])
            state["actor"] = "somebody-else"
            item["state"] = json.dumps(state, ensure_ascii=False)
            break
    previous, digest = GENESIS, hashlib.sha256()
    from uuid import UUID

    for item in items:
        if "position" in item:
            previous = link(previous, item["position"], UUID(item["aggregate"]), item["version"], item["topic"],
                            item["state"].encode("utf-8"))
            item["link"] = previous.hex()
            digest.update(json.dumps(item, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    # the closing count is recomputed too (orjson's compact form, as the exporter writes it)
    import orjson

    digest = hashlib.sha256()
    for item in items:
        if "position" in item:
            digest.update(orjson.dumps(item))
    for item in items:
        if "end" in item:
            item["end"]["sha256"] = digest.hexdigest()
    report = verify_export(write(export, items), keys=[public_key])
    checks = {f.check for f in report.findings}
    assert "chain" not in checks and "checkpoint" in checks, [f.detail for f in report.findings]


def test_a_damaged_line_is_reported_by_its_number_not_a_crash(export, public_key):
    text = export.read_text(encoding="utf-8").splitlines()
    text[3] = '{"position": "three", "state": 5}'
    text[4] = "not json at all"
    damaged = export.with_name("damaged.ndjson")
    damaged.write_text("\n".join(text) + "\n", encoding="utf-8")
    report = verify_export(damaged, keys=[public_key])
    lines = {f.found for f in report.findings if f.check == "export" and isinstance(f.found, int)}
    assert {4, 5} <= lines


def test_the_signing_key_lives_where_the_keys_module_says(tmp_path, monkeypatch):
    """eventstore/keys.py: LEITAI_SIGNING_KEY, else $XDG_DATA_HOME/leitai/, named after the
    database: STEM-HASH.signing-key.pem for SQLite (a short hash of the file's absolute path),
    DBNAME@HOST-PORT.signing-key.pem for PostgreSQL; created with mode 0600, never beside
    the database."""
    from eventstore.keys import default_path

    monkeypatch.delenv("LEITAI_SIGNING_KEY", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    digest = hashlib.sha256(f"{tmp_path}/county.db".encode()).hexdigest()[:8]
    sqlite_path = default_path(parse_url(f"sqlite:///{tmp_path}/county.db"))
    assert sqlite_path == tmp_path / "data" / "leitai" / f"county-{digest}.signing-key.pem"
    pg_path = default_path(parse_url("postgresql://leitai@db.example:5433/wushen"))
    assert pg_path == tmp_path / "data" / "leitai" / "wushen@db.example-5433.signing-key.pem"
    signer = load_signer(pg_path)
    assert pg_path.stat().st_mode & 0o777 == 0o600 and len(signer.public_hex) == 64
    assert load_signer(sqlite_path).public_hex != signer.public_hex
    assert not list(tmp_path.glob("county.db*"))
    monkeypatch.setenv("LEITAI_SIGNING_KEY", str(tmp_path / "elsewhere.pem"))
    assert default_path(parse_url(f"sqlite:///{tmp_path}/county.db")) == tmp_path / "elsewhere.pem"
