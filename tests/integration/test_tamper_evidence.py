"""The history is tamper-evident against insiders, on both stores.

An attacker here holds the database owner's or a superuser's rights: the triggers are
removed, events edited, deleted, reordered or cut off, and the hash chain *and* the Merkle
tree recomputed so that they agree with the forgery.  What still catches every such rewrite
is what the attacker cannot reach: the signed tree heads (the deployment's key), the head
the signer keeps beside its key, and a head held outside (the one printed on the paper
notice).  Each reproduction of issue 13 is a test here: it passed verification before and
now fails safely - verify exits 6 naming what broke, the signer refuses to sign.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import date
from pathlib import Path
from uuid import UUID

import orjson
import psycopg
import pytest

from api.cli.main import main
from domain import merkle
from domain.chain import GENESIS, link
from domain.checkpoint import Checkpoint, Note, b64
from domain.ids import ledger_id
from domain.model.ledger import Ledger
from domain.services.store import parse_url
from eventstore.keys import load_signer
from eventstore.signing import STATE_SUFFIX
from eventstore.tree import event_leaf
from projections.source import EventSource
from projections.verify import export_events, verify_export, verify_store
from tests.conftest import ADMIN
from tests.scenario import score_all, small_contest


@pytest.fixture
def history(app, store_url, clock):
    """R1 scored, closed and published (a signed head at each), an objection filed and
    dismissed, an organization's account with its role."""
    small_contest(app)
    score_all(app)
    app.close_round("R1", ADMIN)
    app.publish("R1", ADMIN, on=date(2025, 5, 20))
    clock.set("2025-05-21T10:00")
    number = app.file_appeal("R1", "objection", "王某", "139", "对 O2 的得分有异议", ADMIN, entrant="O2")
    app.rule_appeal("R1", number, "dismissed", "经核查无误。", ADMIN)
    app.run(lambda s: s.create_account("org-o2", "村O2", ADMIN))
    app.run(lambda s: s.grant_role("org-o2", "organization", {"organization": "O2"}, "本村账号", ADMIN))
    return store_url


def verify(url, keys, held=()):
    source = EventSource(parse_url(url))
    try:
        return verify_store(source, keys=keys, held=held)
    finally:
        source.close()


def notice_head(app) -> Note:
    """The head printed on R1's notice: the one signed at its publication."""
    heads = app.read(lambda s: s.find(ledger_id(), Ledger)).heads
    return Note.parse([h for h in heads if "R1 Published" in h["reasons"]][-1]["note"])


def position_of(url, topic_end):
    source = EventSource(parse_url(url))
    try:
        return [r[0] for r in source.read_after(0, 100_000) if r[3].endswith(topic_end)][-1]
    finally:
        source.close()


def signer_state(url) -> list[tuple[str, Note]]:
    from eventstore.keys import default_path

    return [("the signer's state", Note.parse(Path(str(default_path(parse_url(url))) + STATE_SUFFIX).read_bytes()))]


def checks(report):
    return {f.check for f in report.findings}


class Owner:
    """Someone with the owner's (or a superuser's) rights, who removes the triggers first
    and then rewrites whatever he likes - the events, the chain, the tree."""

    def __init__(self, url: str, pg_databases) -> None:
        self.store = parse_url(url)
        if self.store.kind == "sqlite":
            self.conn = sqlite3.connect(self.store.path, isolation_level=None)
            for (name,) in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
                self.conn.execute(f"DROP TRIGGER {name}")
            self.events, self.chain, self.pos, self.mark = "stored_events", "event_chain", "rowid", "?"
            self.leaves, self.nodes = "merkle_leaves", "merkle_nodes"
        else:
            admin = pg_databases.server.url_for(self.store.dbname)
            self.conn = psycopg.connect(parse_url(admin).conninfo(), autocommit=True)
            for table in ("leitai_events", "leitai_chain", "leitai_tree_leaves", "leitai_tree_nodes"):
                self.conn.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            self.events, self.chain, self.pos, self.mark = "leitai_events", "leitai_chain", "notification_id", "%s"
            self.leaves, self.nodes = "leitai_tree_leaves", "leitai_tree_nodes"

    def sql(self, statement: str, *params):
        return self.conn.execute(statement.replace("?", self.mark), params)

    def rows(self):
        return self.sql(f"SELECT {self.pos}, originator_id, originator_version, topic, state FROM {self.events} "
                        f"ORDER BY {self.pos}").fetchall()

    def position_of(self, topic_end: str, nth: int = 0) -> int:
        return [r[0] for r in self.rows() if r[3].endswith(topic_end)][nth]

    def state(self, position: int) -> dict:
        return json.loads(bytes(self.sql(f"SELECT state FROM {self.events} WHERE {self.pos} = ?",
                                         position).fetchone()[0]))

    def edit(self, position: int, change) -> None:
        state = self.state(position)
        change(state)
        self.sql(f"UPDATE {self.events} SET state = ? WHERE {self.pos} = ?",
                 json.dumps(state, ensure_ascii=False).encode("utf-8"), position)

    def delete(self, position: int) -> None:
        self.sql(f"DELETE FROM {self.events} WHERE {self.pos} = ?", position)

    def delete_where_topic(self, topic_like: str) -> int:
        return self.sql(f"DELETE FROM {self.events} WHERE topic LIKE ?", topic_like).rowcount

    def delete_from(self, position: int) -> int:
        return self.sql(f"DELETE FROM {self.events} WHERE {self.pos} >= ?", position).rowcount

    def swap(self, a: int, b: int) -> None:
        self.sql(f"UPDATE {self.events} SET {self.pos} = ? WHERE {self.pos} = ?", -1, a)
        self.sql(f"UPDATE {self.events} SET {self.pos} = ? WHERE {self.pos} = ?", a, b)
        self.sql(f"UPDATE {self.events} SET {self.pos} = ? WHERE {self.pos} = ?", b, -1)

    def rechain(self) -> None:
        """Recompute every link from the (edited) events: the chain looks intact again."""
        self.sql(f"DELETE FROM {self.chain}")
        previous = GENESIS
        for position, aggregate, version, topic, state in self.rows():
            key = aggregate if not isinstance(aggregate, str) else UUID(hex=aggregate)
            previous = link(previous, position, key, version, topic, bytes(state))
            self.sql(f"INSERT INTO {self.chain} (position, link) VALUES (?, ?)", position, previous)

    def rebuild_tree(self) -> None:
        """Recompute the whole Merkle tree from the (edited) events: the tree agrees again."""
        self.sql(f"DELETE FROM {self.leaves}")
        self.sql(f"DELETE FROM {self.nodes}")
        tree = merkle.MemoryTree()
        for index, (position, aggregate, version, topic, state) in enumerate(self.rows()):
            key = aggregate if not isinstance(aggregate, str) else UUID(hex=aggregate)
            for level, i, h in tree.append(event_leaf(position, key, version, topic, bytes(state))):
                if level == 0:
                    self.sql(f"INSERT INTO {self.leaves} (leaf, position, hash) VALUES (?, ?, ?)", i, position, h)
                else:
                    self.sql(f"INSERT INTO {self.nodes} (level, idx, hash) VALUES (?, ?, ?)", level, i, h)

    def forge(self) -> None:
        self.rechain()
        self.rebuild_tree()

    def restore(self) -> None:
        """The triggers on again (PostgreSQL), as an attacker who goes on operating would have them."""
        if self.store.kind == "postgresql":
            for table in ("leitai_events", "leitai_chain", "leitai_tree_leaves", "leitai_tree_nodes"):
                self.conn.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")

    def count(self) -> int:
        return self.sql(f"SELECT count(*) FROM {self.events}").fetchone()[0]

    def close(self) -> None:
        self.conn.close()


@pytest.fixture
def owner(history, request):
    pg = request.getfixturevalue("pg_databases") if history.startswith("postgresql") else None
    who = Owner(history, pg)
    yield who
    who.close()


def cli(monkeypatch, url, *argv) -> int:
    monkeypatch.setenv("LEITAI_DATABASE_URL", url)
    monkeypatch.setenv("LEITAI_CLOCK", "2025-05-22T09:00")
    monkeypatch.setenv("LEITAI_LANG", "en")
    return main(list(argv))


# -- an untouched history ----------------------------------------------------------------------------


def test_an_untouched_history_passes_with_every_head_signed_and_held(history, public_key, app):
    report = verify(history, [public_key], held=signer_state(history) + [("the notice", notice_head(app))])
    assert report.ok, [f.detail for f in report.findings]
    assert report.heads == 2 and report.key_confirmed and report.held == 2
    assert report.tree_size == report.events and report.origin.startswith("leitai/")
    assert position_of(history, "Published") <= report.covered < report.last  # R1's results are covered


# -- any edit, removal or reordering is named, by the chain and by the tree -----------------------------------


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
    tree = [f for f in report.findings if f.check == "tree"]
    assert chain and chain[0].found == position, [f.detail for f in report.findings]
    assert tree and tree[0].found == position and str(position) in tree[0].detail_zh


def test_a_removed_event_is_found(owner, public_key):
    position = owner.position_of("SheetSubmitted", 2)
    owner.delete(position)
    report = verify(owner.store.url, [public_key])
    assert any(f.check == "chain" and f.found == position for f in report.findings)
    assert "tree" in checks(report) and "head" in checks(report)


def test_reordered_events_are_found(owner, public_key):
    a, b = owner.position_of("SheetSubmitted", 0), owner.position_of("SheetSubmitted", 1)
    owner.swap(a, b)
    report = verify(owner.store.url, [public_key])
    assert any(f.check == "chain" and f.found == a for f in report.findings)


def test_an_edit_with_the_chain_and_the_tree_recomputed_is_found_by_the_signed_heads(owner, public_key):
    owner.edit(owner.position_of("SheetSubmitted"), set_actor)
    owner.forge()
    report = verify(owner.store.url, [public_key], held=signer_state(owner.store.url))
    assert not {"chain", "tree"} & checks(report)  # the links and the tree agree with the forgery again ...
    heads = [f for f in report.findings if f.check == "head"]
    assert len(heads) == 2 and "rewritten" in heads[0].detail  # ... but not with what was signed
    assert "held" in checks(report)  # nor with the head the signer keeps beside its key


def resign_heads(owner, key) -> None:
    """Re-sign every recorded head over the forged tree with ``key``, recomputing after each."""
    from eventstore.notes import log_key, sign_note

    for position in [r[0] for r in owner.rows() if r[3].endswith("TreeHeadSigned")]:
        state = owner.state(position)
        size = state["size"]
        tree = merkle.MemoryTree()
        for row in owner.rows()[:size]:
            aggregate = row[1] if not isinstance(row[1], str) else UUID(hex=row[1])
            tree.append(event_leaf(row[0], aggregate, row[2], row[3], bytes(row[4])))
        origin = Note.parse(state["note"]).checkpoint.origin
        text = Checkpoint(origin, size, tree.root()).body()

        def resign(s, text=text, origin=origin, root=tree.root()):
            s["note"] = str(Note(text, (sign_note(key.private, origin, text),)))
            s["root"], s["vkey"] = b64(root), str(log_key(origin, key.public_key))

        owner.edit(position, resign)
        owner.forge()  # each edit of a head changes the log after it: recompute again


def test_heads_signed_with_another_key_are_refused_when_the_true_key_is_given(owner, public_key, tmp_path):
    owner.edit(owner.position_of("SheetSubmitted"), set_actor)
    owner.forge()
    forger = load_signer(tmp_path / "forged.pem")
    resign_heads(owner, forger)
    assert verify(owner.store.url, [forger.public_key]).ok  # consistent under the forger's own key ...
    report = verify(owner.store.url, [public_key])
    assert [f.check for f in report.findings].count("head") == 2  # ... but not under the deployment's


# -- issue 13, reproduction 1: checkpoints deleted, a role forged, chain and tree recomputed --------------


def forge_rights_and_delete_heads(owner):
    """An organization's account made an admin with no scope; every Ledger event deleted."""
    def admin_of_everything(state):
        state["role"] = "admin"
        for scope in ("contest", "unit", "judge", "organization"):
            state[scope] = None

    owner.edit(owner.position_of("RoleGranted"), admin_of_everything)
    assert owner.delete_where_topic("domain.model.ledger:%") >= 3
    owner.forge()


def test_reproduction_1_deleted_checkpoints_leave_sealed_rounds_uncovered(owner, public_key, monkeypatch, capsys):
    forge_rights_and_delete_heads(owner)
    report = verify(owner.store.url, [public_key])  # from another machine: no head held
    coverage = [f for f in report.findings if f.check == "coverage"]
    assert coverage and coverage[0].round == "R1", [f.detail for f in report.findings]
    assert report.heads == 0
    # on the server, the signer's last head says it too: the log no longer extends it
    assert cli(monkeypatch, owner.store.url, "verify", "--key", public_key.hex()) == 6
    err = capsys.readouterr().err
    assert "R1" in err and "no valid signed head covers" in err and "no longer those signed" in err


# -- reproduction 2: the next genuine signature must not bless the forgery -------------------------------------


def test_reproduction_2_the_signer_refuses_to_sign_the_forged_log(owner, public_key, monkeypatch, capsys, tmp_path,
                                                                  caplog):
    forge_rights_and_delete_heads(owner)
    before = owner.count()
    assert cli(monkeypatch, owner.store.url, "republish", "R1", "--reason", "更正") == 6
    err = capsys.readouterr().err
    assert "Signing refused" in err and "rewritten" in err
    assert owner.count() == before  # nothing recorded: the republication was refused with it
    assert any("signing refused" in r.getMessage() for r in caplog.records)  # a line in the log
    out = tmp_path / "events.ndjson"
    assert cli(monkeypatch, owner.store.url, "export", "events", str(out)) == 6
    assert not out.exists() or not out.read_text()
    assert cli(monkeypatch, owner.store.url, "checkpoint") == 6
    assert owner.count() == before


# -- reproduction 3: an export trimmed of its heads, links and closing count recomputed -----------------------


@pytest.fixture
def export(history, tmp_path, app):
    path = tmp_path / "events.ndjson"
    source = EventSource(parse_url(history))
    export_events(source, path, app.signer)
    source.close()
    return path


def lines_of(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def write(path, items):
    out = path.with_name("edited.ndjson")
    out.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items), encoding="utf-8")
    return out


def relink(items):
    """Recompute every link and the closing count, as the attacker would."""
    previous, digest = GENESIS, hashlib.sha256()
    for item in items:
        if "position" in item:
            previous = link(previous, item["position"], UUID(item["aggregate"]), item["version"], item["topic"],
                            item["state"].encode("utf-8"))
            item["link"] = previous.hex()
            digest.update(orjson.dumps(item))
    for item in items:
        if "end" in item:
            item["end"] = {"events": sum(1 for i in items if "position" in i), "sha256": digest.hexdigest()}
    return items


def test_an_untouched_export_passes(export, public_key, app):
    report = verify_export(export, keys=[public_key], held=[("the notice", notice_head(app))])
    assert report.ok, [f.detail for f in report.findings]
    assert report.heads == 2 and report.held == 2  # the notice and the export's own checkpoint
    last = max(i["position"] for i in lines_of(export) if "position" in i)
    assert report.covered == last


def test_reproduction_3_an_export_without_its_heads_fails(export, public_key, app):
    items = [i for i in lines_of(export)
             if "checkpoint" not in i and not ("position" in i and i["topic"].startswith("domain.model.ledger"))]
    trimmed = write(export, relink(items))
    report = verify_export(trimmed, keys=[public_key])
    assert any(f.check == "coverage" and f.round == "R1" for f in report.findings), [f.detail for f in report.findings]
    report = verify_export(trimmed, keys=[public_key], held=[("the notice", notice_head(app))])
    assert any(f.check == "held" for f in report.findings)


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
    results[0]["final"] = "99.84"
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
    report = verify_export(write(export, relink(items)), keys=[public_key])
    found = checks(report)
    assert "chain" not in found and "head" in found and "held" in found, [f.detail for f in report.findings]


def test_a_damaged_line_is_reported_by_its_number_not_a_crash(export, public_key):
    text = export.read_text(encoding="utf-8").splitlines()
    text[3] = '{"position": "three", "state": 5}'
    text[4] = "not json at all"
    damaged = export.with_name("damaged.ndjson")
    damaged.write_text("\n".join(text) + "\n", encoding="utf-8")
    report = verify_export(damaged, keys=[public_key])
    lines = {f.found for f in report.findings if f.check == "export" and isinstance(f.found, int)}
    assert {4, 5} <= lines


# -- reproduction 4: the tail cut off ---------------------------------------------------------------------


def test_reproduction_4_a_cut_tail_is_found_by_any_head_held_outside(owner, public_key, app, monkeypatch, capsys,
                                                                     tmp_path):
    notice = tmp_path / "notice.txt"
    notice.write_text(str(notice_head(app)), encoding="utf-8")  # typed from the paper notice
    owner.delete_from(owner.position_of("Closed"))  # the close, the publication, both heads, the appeal
    owner.forge()
    report = verify(owner.store.url, [public_key])
    assert report.ok and "R1" not in report.rounds  # alone, the log looks fine: R1 is simply open again ...
    report = verify(owner.store.url, [public_key], held=[("the notice", Note.parse(notice.read_text()))])
    held = [f for f in report.findings if f.check == "held"]
    assert held and "removed from its end" in held[0].detail  # ... but the notice's head is longer than the log
    assert cli(monkeypatch, owner.store.url, "verify", "--since", str(notice), "--key", public_key.hex()) == 6
    # and on the server the signer's own last head says the same, with no --since
    assert cli(monkeypatch, owner.store.url, "verify") == 6
    assert "removed from its end" in capsys.readouterr().err


# -- reproduction 5: whoever holds the key and the database (the host) -------------------------------------


def test_reproduction_5_a_rewrite_resigned_with_the_true_key_fails_against_a_head_held_outside(owner, public_key,
                                                                                             app, history):
    """The host insider, with the database and the key, edits an objection (its name and text),
    recomputes chain and tree, re-signs every head with the deployment's own key and replaces the
    signer's state: nothing on the server can tell any more.  A head held outside can - the one
    a witness cosigned after the objection (tests/integration/test_witness.py), or a later notice."""
    later = Note.parse(app.sign_head(["on demand"]).value.note)  # a head covering the objection, kept by a witness

    def rename(state):
        state["name"], state["text"] = "李某", "另一段异议内容"

    owner.edit(owner.position_of("AppealFiled"), rename)
    owner.forge()
    key = load_signer(app.signer.key_path)
    resign_heads(owner, key)
    Path(str(key.path) + STATE_SUFFIX).unlink()
    app.signer.sign_head()  # trusted on first use: the state now holds the forged head
    report = verify(history, [public_key], held=signer_state(history))
    assert report.ok, [f.detail for f in report.findings]  # what the host controls agrees with the forgery ...
    report = verify(history, [public_key], held=[("the witness's head", later)])
    assert any(f.check == "held" and "rewritten" in f.detail for f in report.findings)  # ... what it does not, not


# -- the signer --------------------------------------------------------------------------------------------


def test_the_signer_refuses_a_log_of_another_origin(history, app, tmp_path, caplog):
    from domain.errors import LogRewritten
    from eventstore.signing import HeadSigner
    from eventstore.tree import TreeStore

    other = f"sqlite:///{tmp_path}/other.db"
    from api.wiring import open_app

    second = open_app(other)
    small_contest(second)
    second.close()
    signer = HeadSigner(app.signer.key_path, TreeStore(parse_url(other)))  # this deployment's key, another log
    state = Path(str(app.signer.key_path) + STATE_SUFFIX).read_bytes()
    with pytest.raises(LogRewritten) as refused:
        signer.sign_head()
    assert "this key signs the log" in str(refused.value)
    assert Path(str(app.signer.key_path) + STATE_SUFFIX).read_bytes() == state  # nothing signed, state unchanged
    assert any(r.levelname == "ERROR" and "signing refused" in r.getMessage() for r in caplog.records)


def test_the_signing_key_lives_where_the_keys_module_says(tmp_path, monkeypatch):
    """eventstore/keys.py: LEITAI_SIGNING_KEY, else the user's data directory, named after the
    database; created with mode 0600."""
    from eventstore.keys import default_path, key_name

    monkeypatch.delenv("LEITAI_SIGNING_KEY", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    sqlite_store = parse_url(f"sqlite:///{tmp_path}/county.db")
    assert default_path(sqlite_store) == tmp_path / "data" / "leitai" / f"{key_name(sqlite_store)}.signing-key.pem"
    assert key_name(sqlite_store).startswith("county-")
    pg_path = default_path(parse_url("postgresql://leitai@db.example:5433/wushen"))
    assert pg_path == tmp_path / "data" / "leitai" / "wushen@db.example-5433.signing-key.pem"
    signer = load_signer(pg_path)
    assert pg_path.stat().st_mode & 0o777 == 0o600 and len(signer.public_hex) == 64
    monkeypatch.setenv("LEITAI_SIGNING_KEY", str(tmp_path / "elsewhere.pem"))
    assert default_path(sqlite_store) == tmp_path / "elsewhere.pem"
