"""市级联动 / federation on both stores: two deployments in one test (a county that plays and
finalizes a round, a city that registers it and admits its top N with proof), tampered
exports admitting nothing, a later head admitted only with a consistency proof, and every
admission checked again offline."""

from __future__ import annotations

import base64
import copy
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from api.cli.main import main
from domain import errors
from domain.model.federation import AdmissionRefused, SourceNotFound
from domain.services import federation as service
from domain.services.clock import FixedClock
from domain.services.setup import RoundSpec
from eventstore.keys import load_signer
from projections.federation import build_export, check_export, choose_rows, recheck
from projections.queries import ReadModels
from tests.conftest import ADMIN, event_count
from tests.scenario import FINAL_RULES, score_all, small_contest

MARKS = {"O1": {"party": "25", "industry": "15"}, "O2": {"party": "20", "industry": "12.5"}}


@pytest.fixture
def city_url(store_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A second database of the same kind: the city's."""
    if store_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path}/city.db"
    databases = request.getfixturevalue("pg_databases")
    from tests import pg

    return databases.server.url_for(databases.create(), user=pg.APP_ROLE)


@pytest.fixture
def county(make_app: Any, store_url: str) -> Any:
    """The county: R1 (O1, O2) scored, closed, published and finalized; its head signed."""
    clock = FixedClock("2025-05-20T09:00")
    app = make_app(store_url, clock)
    small_contest(app)
    score_all(app, MARKS)
    app.close_round("R1", ADMIN)
    app.publish("R1", ADMIN, on=date(2025, 5, 20))
    clock.set("2025-06-16T09:00")
    app.finalize("R1", ADMIN)
    return app


@pytest.fixture
def city(make_app: Any, city_url: str) -> Any:
    """The city: contest q with a city round CF, scheduled."""
    app = make_app(city_url, FixedClock("2025-06-20T09:00"))
    app.register_ruleset(FINAL_RULES, "final.toml", ADMIN)
    app.create_contest("q", "市级比武", ["county", "city"], ADMIN)
    app.add_unit("q", "Q", "某市", "city", None, ADMIN)
    app.register_judge("q", "K1", "评委K1", "Q", "", ADMIN)
    app.schedule_round("q", RoundSpec("CF", "city", "Q", "2025-06", "final", judges=("K1",)), ADMIN)
    return app


def read_models(app: Any) -> ReadModels:
    from projections.runner import Projector

    projector = Projector(app.store)
    try:
        projector.load()
        projector.catch_up()
    finally:
        projector.close()
    return ReadModels(app.store)


def fresh_export(app: Any, code: str = "R1") -> dict[str, Any]:
    read = read_models(app)
    try:
        return build_export(read, code)
    finally:
        read.close()


def vkey_of(app: Any, export: dict[str, Any]) -> str:
    from eventstore.keys import default_path
    from eventstore.notes import log_key

    public = load_signer(default_path(app.store)).public_key
    assert str(log_key(export["origin"], public)) == export["vkey"]
    return export["vkey"]


def register(city: Any, export: dict[str, Any], vkey: str, code: str = "HY", name: str = "海阳县") -> dict[str, Any]:
    from domain.checkpoint import Note, b64

    head = Note.parse(export["checkpoint"]).checkpoint
    service.register_source(city, code, name, export["origin"], vkey, "",
                            {"size": head.size, "root": b64(head.root), "checkpoint": export["checkpoint"]},
                            "县级决赛结果由市级复评", ADMIN)
    return source_of(city, code)


def source_of(city: Any, code: str = "HY") -> dict[str, Any]:
    f = service.state(city)
    return dict(f.source(code), heads=[dict(h) for h in f.source(code)["heads"]])


def test_the_city_admits_the_county_top_two_with_proof_and_checks_them_again_offline(county, city):
    export = fresh_export(county)
    assert [(r["entrant"], r["rank"], r["name"]) for r in export["results"]] == [("O1", 1, "村O1"), ("O2", 2, "村O2")]
    source = register(city, export, vkey_of(county, export))
    checked = check_export(json.loads(json.dumps(export)), source, choose_rows(2))
    outcome = service.admit(city, "CF", checked.admission, ADMIN)
    assert outcome.value["admitted"] == ["HY-O1", "HY-O2"]
    cf = city.read(lambda s: s.round("CF"))
    o1 = cf.entrants["HY-O1"]
    assert (o1.name, o1.source["kind"], o1.source["round"], o1.source["rank"], o1.source["final"]) == \
        ("村O1", "federation", "R1", 1, export["results"][0]["final"])
    # the audit here says where it came from
    read = read_models(city)
    try:
        audit = read.audit("CF", "HY-O2")
    finally:
        read.close()
    assert audit["admission"]["from_zh"] == "来自 海阳县 R1 轮第 2 名"
    read = read_models(city)
    try:  # the city round's finalists (the big screen's "来自" column): the source and its round, never a round here
        finalists = [(f["entrant"], f["source_round"], f["source_unit"], f["source_rank"]) for f in read.finalists("CF")]
    finally:
        read.close()
    assert finalists == [("HY-O1", "HY/R1", "海阳县", 1), ("HY-O2", "HY/R1", "海阳县", 2)]
    # checked again from what was recorded, with no network and no county
    f = service.state(city)
    assert [recheck(a, f.sources[a["source"]]) for a in f.admissions] == [[]]


def test_only_the_promoted_are_admitted_when_no_top_is_given(county, city):
    export = fresh_export(county)
    source = register(city, export, vkey_of(county, export))
    checked = check_export(export, source, choose_rows(None))
    assert [e["entrant"] for e in checked.admission["entrants"]] == ["O1"]  # the town rules promote one


def _entry(proof: str) -> tuple[str, bytes]:
    head, _, rest = proof.partition("\n\n")
    lines = head.split("\n")
    return lines[1][6:], base64.b64decode(lines[1][6:])


def _tampered_final(export: dict[str, Any]) -> dict[str, Any]:
    """The Finalized event inside its proof with O1's final changed (its length kept)."""
    bad = copy.deepcopy(export)
    text, entry = _entry(bad["proofs"]["finalized"])
    final = export["results"][0]["final"].encode()
    changed = entry.replace(b'"final":"' + final, b'"final":"' + final[:-1] + (b"1" if final[-1:] != b"1" else b"2"), 1)
    assert changed != entry
    bad["proofs"]["finalized"] = bad["proofs"]["finalized"].replace(text, base64.b64encode(changed).decode())
    return bad


def _forged_head(export: dict[str, Any]) -> dict[str, Any]:
    """Another root in the signed head (the signature kept)."""
    bad = copy.deepcopy(export)
    lines = bad["checkpoint"].split("\n")
    root = base64.b64decode(lines[2])
    lines[2] = base64.b64encode(bytes([root[0] ^ 1]) + root[1:]).decode()
    forged = "\n".join(lines)
    bad["checkpoint"] = forged
    for key in ("finalized",):
        bad["proofs"][key] = bad["proofs"][key].replace(export["checkpoint"], forged)
    return bad


def _changed_score(export: dict[str, Any]) -> dict[str, Any]:
    bad = copy.deepcopy(export)
    bad["results"][1]["final"] = "99.99"
    return bad


def _missing_proof(export: dict[str, Any]) -> dict[str, Any]:
    bad = copy.deepcopy(export)
    del bad["proofs"]["entrants"]["O2"]
    return bad


def _wrong_event(export: dict[str, Any]) -> dict[str, Any]:
    """O1's admission offered as the round's finalization."""
    bad = copy.deepcopy(export)
    bad["proofs"]["finalized"] = bad["proofs"]["entrants"]["O1"]
    return bad


@pytest.mark.parametrize("tamper,what", [(_changed_score, "inclusion"), (_tampered_final, "inclusion"),
                                         (_forged_head, "signature"), (_missing_proof, "missing"),
                                         (_wrong_event, "not_final")])
def test_a_tampered_export_admits_nothing_and_names_what_failed(county, city, tamper, what):
    export = fresh_export(county)
    source = register(city, export, vkey_of(county, export))
    before = event_count(city)
    with pytest.raises(AdmissionRefused) as refused:
        check_export(tamper(export), source, choose_rows(2))
    assert refused.value.fields["what"] == what, refused.value.message("en")
    assert "未登记任何晋级" in refused.value.message("zh") and "Nothing was admitted" in refused.value.message("en")
    assert event_count(city) == before
    assert city.read(lambda s: s.round("CF")).entrants == {}


def test_an_export_signed_with_another_key_is_refused(county, city, make_app, tmp_path):
    export = fresh_export(county)
    other = make_app(f"sqlite:///{tmp_path}/other.db", FixedClock("2025-06-20T09:00"))
    other.sign_head(["on demand"])
    from eventstore.keys import default_path
    from eventstore.notes import log_key

    wrong = str(log_key(export["origin"], load_signer(default_path(other.store)).public_key))
    source = {"code": "HY", "name": "海阳县", "origin": export["origin"], "vkey": wrong, "url": "", "heads": []}
    with pytest.raises(AdmissionRefused) as refused:
        check_export(export, source, choose_rows(2))
    assert refused.value.fields["what"] == "signature"


def test_a_later_head_is_admitted_only_with_a_consistency_proof(county, city):
    export = fresh_export(county)
    source = register(city, export, vkey_of(county, export))
    # the county goes on: a new round scored, a new head signed; the same round exported again
    county.schedule_round("c", RoundSpec("R2", "township", "T2", "2025-06", "town", judges=("J1", "J2", "J3")), ADMIN)
    county.sign_head(["on demand"])
    later = fresh_export(county)
    assert later["size"] > export["size"]
    with pytest.raises(AdmissionRefused) as refused:
        check_export(later, source, choose_rows(2))
    assert refused.value.fields["what"] == "consistency" and "leitai prove consistency" in refused.value.message("zh")
    read = read_models(county)
    try:
        proof = read.consistency_proof(export["size"], later["size"])
        unrelated = read.consistency_proof(1, later["size"])
    finally:
        read.close()
    with pytest.raises(AdmissionRefused) as refused:
        check_export(later, source, choose_rows(2), unrelated)
    assert refused.value.fields["what"] == "consistency"
    checked = check_export(later, source, choose_rows(2), proof)
    service.admit(city, "CF", checked.admission, ADMIN)
    # the older export is still admissible: its head is proved a prefix of the one now seen
    with pytest.raises(AdmissionRefused):
        check_export(export, source_of(city), choose_rows(2))
    older = check_export(export, source_of(city), choose_rows(2), proof)
    assert older.admission["previous"] == later["size"]
    f = service.state(city)
    assert [recheck(a, f.sources[a["source"]]) for a in f.admissions] == [[]]


def test_a_round_not_final_is_not_exported_and_an_unknown_source_admits_nothing(county, city):
    county.schedule_round("c", RoundSpec("R2", "township", "T2", "2025-06", "town", judges=("J1", "J2", "J3")), ADMIN)
    read = read_models(county)
    try:
        with pytest.raises(errors.NoPromotion):
            build_export(read, "R2")
    finally:
        read.close()
    with pytest.raises(SourceNotFound):
        service.admit(city, "CF", {"source": "NOPE", "entrants": []}, ADMIN)


def test_a_recorded_admission_altered_in_the_store_fails_the_offline_check(county, city):
    export = fresh_export(county)
    source = register(city, export, vkey_of(county, export))
    checked = check_export(export, source, choose_rows(2))
    admission = {**checked.admission, "into": "CF", "seq": 3}
    altered = copy.deepcopy(admission)
    altered["entrants"][0]["final"] = "100.00"
    problems = recheck(altered, source_of(city))
    assert problems and "final" in problems[0][0]
    renamed = copy.deepcopy(admission)
    renamed["entrants"][1]["name"] = "别的村"
    assert recheck(renamed, source_of(city))


# -- the command line, on both deployments ---------------------------------------------------------------


def leitai(monkeypatch: pytest.MonkeyPatch, url: str, moment: str, *argv: str) -> int:
    monkeypatch.setenv("LEITAI_DATABASE_URL", url)
    monkeypatch.setenv("LEITAI_CLOCK", moment)
    monkeypatch.setenv("LEITAI_ACTOR", "clerk-1")
    return main(list(argv))


def test_the_commands_export_add_admit_audit_and_verify(county, city, store_url, city_url, tmp_path, monkeypatch,
                                                        capsys):
    out = tmp_path / "r1.json"
    assert leitai(monkeypatch, store_url, "2025-06-16T10:00", "federation", "export", "R1", "--out", str(out)) == 0
    export = json.loads(out.read_text(encoding="utf-8"))
    capsys.readouterr()
    assert leitai(monkeypatch, city_url, "2025-06-20T10:00", "federation", "add", str(out), "--key", export["vkey"],
                  "--name", "海阳县", "--code", "HY") == 0
    assert "已登记来源部署 海阳县" in capsys.readouterr().out
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(_changed_score(export), ensure_ascii=False), encoding="utf-8")
    assert leitai(monkeypatch, city_url, "2025-06-20T10:00", "federation", "admit", "CF", "--source", "HY",
                  "--export", str(bad), "--top", "2") == 6
    err = capsys.readouterr().err
    assert "拒绝接收（包含证明不成立）" in err and "O2" in err
    assert leitai(monkeypatch, city_url, "2025-06-20T10:00", "federation", "admit", "CF", "--source", "XX",
                  "--export", str(out)) == 3
    assert "没有登记来源部署 XX" in capsys.readouterr().err
    assert leitai(monkeypatch, city_url, "2025-06-20T10:00", "federation", "admit", "CF", "--source", "HY",
                  "--export", str(out), "--top", "2") == 0
    said = capsys.readouterr().out
    assert "HY-O1（村O1，第 1 名）" in said and "HY-O2（村O2，第 2 名）" in said
    assert leitai(monkeypatch, city_url, "2025-06-20T10:00", "audit", "CF", "HY-O2") == 0
    assert "来自 海阳县 R1 轮第 2 名" in capsys.readouterr().out
    assert leitai(monkeypatch, city_url, "2025-06-20T10:00", "federation", "verify") == 0
    assert "全部有效" in capsys.readouterr().out
    assert leitai(monkeypatch, city_url, "2025-06-20T10:00", "federation", "verify", "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] and report["admissions"][0]["entrants"] == ["HY-O1", "HY-O2"]
    # the city's own log with the admission in it still passes the whole check
    assert leitai(monkeypatch, city_url, "2025-06-20T10:00", "verify") == 0, capsys.readouterr()


def test_an_admission_rewritten_by_the_city_database_owner_fails_federation_verify(county, city, store_url, city_url,
                                                                                   request, tmp_path, monkeypatch,
                                                                                   capsys):
    from tests.integration.test_tamper_evidence import Owner

    export = fresh_export(county)
    source = register(city, export, vkey_of(county, export))
    service.admit(city, "CF", check_export(export, source, choose_rows(2)).admission, ADMIN)
    assert leitai(monkeypatch, city_url, "2025-06-20T10:00", "federation", "verify") == 0
    owner = Owner(city_url, request.getfixturevalue("pg_databases") if not city_url.startswith("sqlite") else None)
    # the owner raises HY-O2's final both in the admission and in the city round's entrant, so they agree
    owner.edit(owner.position_of("RankingAdmitted"), lambda s: s["entrants"][1].update(final="99.99"))
    admitted = [p for p, *_ , topic, state in owner.rows() if topic.endswith("EntrantAdmitted")
                and b"HY-O2" in bytes(state)]
    owner.edit(admitted[-1], lambda s: s["source"].update(final="99.99"))
    capsys.readouterr()
    assert leitai(monkeypatch, city_url, "2025-06-20T10:00", "federation", "verify") == 6
    err = capsys.readouterr().err
    assert "HY-O2" in err and "登记的名次和得分与已证明的定案不同" in err


def test_a_head_of_a_size_seen_before_with_another_root_is_a_fork_and_admits_nothing(county, city):
    export = fresh_export(county)
    source = register(city, export, vkey_of(county, export))
    root = base64.b64decode(source["heads"][0]["root"])
    forked = {**source, "heads": [{**source["heads"][0], "root": base64.b64encode(root[::-1]).decode()}]}
    with pytest.raises(AdmissionRefused) as refused:
        check_export(export, forked, choose_rows(2))
    assert refused.value.fields["what"] == "consistency" and "分叉" in refused.value.message("zh")
