"""市级联动 over HTTP, on both stores: a county served by a real HTTP server (in a thread),
a city that registers it by its URL, admits from it (the export and, when the county's log
has grown, the consistency proof fetched from it), reads its summary on the province
dashboard, and calls it stale once it cannot be reached; the export's refusals."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from werkzeug.serving import make_server

from tests.conftest import ADMIN, event_count
from tests.http import serve, stop
from tests.scenario import RULES
from tests.integration.test_federation import city, city_url, county, leitai  # noqa: F401 - fixtures
from domain.services.setup import RoundSpec


@pytest.fixture
def served(county):  # noqa: F811
    web = serve(county)
    server = make_server("127.0.0.1", 0, web, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state = {"url": f"http://127.0.0.1:{server.server_port}", "web": web, "server": server}
    projected(web, county)
    yield state
    if state["server"] is not None:
        server.shutdown()
    thread.join()
    stop(web)


def projected(web: Any, app: Any) -> None:
    """The server's read side has applied every event recorded so far."""
    assert web.extensions["leitai_hub"].wait_for(event_count(app), 20)


def test_the_export_is_public_once_final_and_refused_before(served, county):  # noqa: F811
    client = served["web"].test_client()
    answer = client.get("/api/federation/export/R1")
    assert answer.status_code == 200, answer.get_json()
    export = answer.get_json()
    assert export["format"] == "leitai-federation/1" and export["round"] == "R1" and export["proofs"]["finalized"]
    county.schedule_round("c", RoundSpec("R2", "township", "T2", "2025-06", "town", judges=("J1", "J2", "J3")), ADMIN)
    projected(served["web"], county)
    before = event_count(county)
    refused = client.get("/api/federation/export/R2?lang=en")
    assert refused.status_code == 422 and refused.get_json()["code"] == "NoPromotion"
    assert "only a final round is exported" in refused.get_json()["message"]
    zh = client.get("/api/federation/export/R2", headers={"Accept-Language": "zh"}).get_json()["message"]
    assert "尚未定案" in zh
    assert client.get("/api/federation/export/NOPE").status_code == 404
    assert event_count(county) == before


def test_a_city_registers_a_county_by_url_admits_from_it_and_watches_it(served, county, city, city_url,  # noqa: F811
                                                                         monkeypatch, capsys):
    url = served["url"]
    export = served["web"].test_client().get("/api/federation/export/R1").get_json()
    at = "2025-06-20T10:00"
    assert leitai(monkeypatch, city_url, at, "federation", "add", url, "--key", export["vkey"], "--name", "海阳县",
                  "--code", "HY") == 0
    # the county goes on after the city saw its head: admitting fetches the consistency proof too
    county.schedule_round("c", RoundSpec("R2", "township", "T2", "2025-06", "town", judges=("J1", "J2", "J3")), ADMIN)
    county.sign_head(["on demand"])
    projected(served["web"], county)
    capsys.readouterr()
    assert leitai(monkeypatch, city_url, at, "federation", "admit", "CF", "--source", "HY", "--round", "R1") == 0
    assert "HY-O1（村O1，第 1 名）" in capsys.readouterr().out
    assert leitai(monkeypatch, city_url, at, "federation", "verify") == 0
    capsys.readouterr()
    assert leitai(monkeypatch, city_url, at, "federation", "status", "--stale-after", "200", "--json") == 0
    status = json.loads(capsys.readouterr().out)
    row = status["sources"][0]
    assert status["stale"] == [] and row["size"] > export["size"], row
    # gone: stale, and said why
    served["server"].shutdown()
    served["server"] = None
    assert leitai(monkeypatch, city_url, at, "federation", "status") == 0
    said = capsys.readouterr().out
    assert "海阳县（HY）：过期" in said and "无法访问" in said


def test_the_summary_is_stale_when_older_than_the_threshold(served, city, city_url, monkeypatch, capsys):  # noqa: F811
    url = served["url"]
    export = served["web"].test_client().get("/api/federation/export/R1").get_json()
    assert leitai(monkeypatch, city_url, "2025-06-20T10:00", "federation", "add", url, "--key", export["vkey"],
                  "--code", "HY", "--name", "海阳县") == 0
    capsys.readouterr()
    # the county's clock says 2025-06-16; the city reads it on 2025-06-20: four days old
    assert leitai(monkeypatch, city_url, "2025-06-20T10:00", "federation", "status", "--stale-after", "200",
                  "--json") == 0
    assert json.loads(capsys.readouterr().out)["stale"] == []
    assert leitai(monkeypatch, city_url, "2025-06-20T10:00", "federation", "status", "--stale-after", "24",
                  "--json") == 0
    assert json.loads(capsys.readouterr().out)["stale"] == ["HY"]


def test_a_key_that_did_not_sign_the_source_is_refused_at_registration(served, city, city_url,  # noqa: F811
                                                                        monkeypatch, capsys):
    from domain.checkpoint import ED25519, VerifierKey

    export = served["web"].test_client().get("/api/federation/export/R1").get_json()
    wrong = VerifierKey(export["origin"], ED25519, bytes(32 - 1) + b"\x01")
    before = event_count(city)
    assert leitai(monkeypatch, city_url, "2025-06-20T10:00", "federation", "add", served["url"], "--key",
                  str(wrong)) == 2
    assert "树头不是所登记来源公钥签署的" in capsys.readouterr().err
    assert event_count(city) == before


@pytest.fixture
def city_web(city):  # noqa: F811
    """The city's HTTP service: an admin of everything, an admin of the city round's unit, another's."""
    from tests.http import add_account

    city.add_unit("q", "Q2", "另一市", "city", None, ADMIN)
    for name, scope in (("admin", {}), ("cityadmin", {"contest": "q", "unit": "Q"}),
                        ("other", {"contest": "q", "unit": "Q2"})):
        add_account(city, name, "admin", **scope)
    web = serve(city)
    projected(web, city)
    yield web
    stop(web)


def test_over_http_an_admin_registers_a_source_and_an_admin_of_the_round_admits_with_proof(served, city,  # noqa: F811
                                                                                            city_web):
    from tests.http import Client

    export = served["web"].test_client().get("/api/federation/export/R1").get_json()
    source = {"checkpoint": export["checkpoint"], "key": export["vkey"], "code": "HY", "name": "海阳县",
              "url": served["url"], "reason": "县级决赛结果由市级复评"}
    Client(city_web, "cityadmin").post("/api/federation/sources", source, expect=403)
    Client(city_web, "admin").post("/api/federation/sources", source, expect=201)
    admission = {"into": "CF", "source": "HY", "export": export, "top": 2}
    Client(city_web, "other").post("/api/federation/admissions", admission, expect=403)
    before = event_count(city)
    tampered = json.loads(json.dumps(export))
    tampered["results"][0]["final"] = "99.99"
    refused = Client(city_web, "cityadmin", lang="en").post("/api/federation/admissions",
                                                            {**admission, "export": tampered}, expect=422)
    assert refused["code"] == "AdmissionRefused" and "inclusion failed" in refused["message"]
    missing = Client(city_web, "cityadmin").post("/api/federation/admissions", {**admission, "source": "XX"},
                                                 expect=404)
    assert missing["code"] == "SourceNotFound" and "没有登记来源部署 XX" in missing["message"]
    assert event_count(city) == before
    answer = Client(city_web, "cityadmin").post("/api/federation/admissions", admission, expect=201)
    assert answer["admitted"] == ["HY-O1", "HY-O2"] and answer["recorded"] >= 3
    again = Client(city_web, "cityadmin").post("/api/federation/admissions", admission, expect=201)
    assert again["recorded"] == 0 and again["admitted"] == []
    projected(city_web, city)
    page = Client(city_web, "admin").call("GET", "/audit/CF/HY-O1").get_data(as_text=True)
    assert "来自 海阳县 R1 轮第 1 名" in page
    # the province dashboard over HTTP: it reads the county's summary (four days old by the city's clock)
    Client(city_web, None).get("/api/federation/status", expect=401)
    Client(city_web, "cityadmin").get("/api/federation/status", expect=403)
    fresh = Client(city_web, "admin").get("/api/federation/status?stale_after=200")
    assert fresh["stale"] == [] and fresh["sources"][0]["name"] == "海阳县", fresh
    assert Client(city_web, "admin").get("/api/federation/status")["stale"] == ["HY"]


STARRED = RULES.replace('code = "town"', 'code = "starred"') + """
[stars]
bands = [{ stars = 5, min = 90 }, { stars = 4, min = 80 }, { stars = 3, min = 70 }, { stars = 1, min = 0 }]
"""


def test_the_dashboard_shows_the_county_stars_per_track_from_its_summary(served, county, city, city_url,  # noqa: F811
                                                                         monkeypatch, capsys):
    from datetime import date, timedelta

    from domain.services.clock import FixedClock
    from tests.scenario import judge

    clock = FixedClock("2025-06-16T09:00")
    county.clock = clock
    county.register_ruleset(STARRED, "starred.toml", ADMIN)
    county.schedule_round("c", RoundSpec("S", "township", "T2", "2025-06", "starred", judges=("J1", "J2", "J3")),
                          ADMIN)
    county.open_round("S", ADMIN)
    for j in ("J1", "J2", "J3"):
        county.submit_sheet("S", j, "O3", {"party": "29", "industry": "19"}, judge(j))
    county.close_round("S", ADMIN)
    end = county.publish("S", ADMIN, on=clock.today()).end
    clock.set((date.fromisoformat(end) + timedelta(days=1)).isoformat() + "T09:00")
    county.finalize("S", ADMIN)
    stars = county.run(lambda s: s.evaluate_initially("c", "O3", "township", "2025", ADMIN))["stars"]
    projected(served["web"], county)
    summary = served["web"].test_client().get("/api/federation/summary").get_json()
    # O1-O3 all recommended one star (the band from 0), none certified yet (O3 only evaluated: 初评)
    assert summary["stars"] == [{"contest": "c", "level": "township", "cycle": "2025", "track": "", "stars": 0,
                                 "recommended": stars, "organizations": 3}], summary["stars"]
    export = served["web"].test_client().get("/api/federation/export/R1").get_json()
    assert leitai(monkeypatch, city_url, "2025-06-20T10:00", "federation", "add", served["url"], "--key",
                  export["vkey"], "--code", "HY", "--name", "海阳县") == 0
    capsys.readouterr()
    assert leitai(monkeypatch, city_url, clock.now().isoformat(timespec="minutes"), "federation", "status") == 0
    said = capsys.readouterr().out
    assert "海阳县（HY）：正常" in said and f"2025 赛道 （无）：认定 0 星、建议 {stars} 星 3 个" in said, said


def test_a_city_may_require_the_county_witnesses_cosignature_on_every_head_it_admits(served, county, city,  # noqa: F811
                                                                                      store_url, city_url, tmp_path,  # noqa: F811
                                                                                      monkeypatch, capsys):
    from domain.checkpoint import COSIGNATURE, VerifierKey
    from domain.model.federation import AdmissionRefused
    from projections.federation import check_export, choose_rows

    url, witness = served["url"], str(tmp_path / "witness")
    export = served["web"].test_client().get("/api/federation/export/R1").get_json()
    at = "2025-06-20T10:00"
    assert leitai(monkeypatch, store_url, at, "witness", "init", "jjjc.hy/w1", "--dir", witness) == 0
    wkey = capsys.readouterr().out.strip().splitlines()[-1]
    assert leitai(monkeypatch, store_url, at, "witness", "register", wkey, "--reason", "纪检监察见证") == 0
    assert leitai(monkeypatch, store_url, at, "witness", "add", url, "--key", export["vkey"], "--dir", witness) == 0
    assert leitai(monkeypatch, store_url, at, "witness", "pull", "--dir", witness) == 0
    projected(served["web"], county)
    cosigned = served["web"].test_client().get("/api/federation/export/R1").get_json()
    assert "jjjc.hy/w1" in cosigned["checkpoint"] and "jjjc.hy/w1" not in export["checkpoint"]
    assert leitai(monkeypatch, city_url, at, "federation", "add", url, "--key", export["vkey"], "--code", "HY",
                  "--name", "海阳县", "--witness", wkey) == 0
    source = {"code": "HY", "name": "海阳县", "origin": export["origin"], "vkey": export["vkey"], "url": url,
              "heads": [], "witnesses": [wkey], "quorum": 1}
    with pytest.raises(AdmissionRefused) as refused:  # the head exported before the witness cosigned it
        check_export(export, source, choose_rows(2))
    assert refused.value.fields["what"] == "witness"
    other = str(VerifierKey("jjjc.hy/w2", COSIGNATURE, bytes(31) + b"\x02"))
    with pytest.raises(AdmissionRefused):  # two witnesses required, one cosigned
        check_export(cosigned, {**source, "witnesses": [wkey, other], "quorum": 2}, choose_rows(2))
    capsys.readouterr()
    assert leitai(monkeypatch, city_url, at, "federation", "admit", "CF", "--source", "HY", "--round", "R1") == 0
    assert leitai(monkeypatch, city_url, at, "federation", "verify") == 0
