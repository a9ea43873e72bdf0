"""No account steps out of its scope, whatever it names: issue 14's reproductions and a
matrix generated from the OpenAPI document, on both stores.

Two contests: ``ca`` (county A with townships A1 and A2) and ``cb`` (county B with township
B1), each with organizations, judges and rounds being scored.  Accounts of contest A - its
county admin, a township admin of A1, a judge, an organization, an auditor - try every
operation the API documents against the objects of contest B (and the township admin
against township A2 too): no answer may be a success, no event may be recorded, and no
answer may carry the other scope's data unless the public may read it anyway.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest

from api.wiring import open_app
from domain.services.clock import FixedClock
from domain.services.setup import RoundSpec
from tests import pg
from tests.conftest import ADMIN, event_count
from tests.http import Client, add_account, serve, stop
from tests.scenario import FINAL_RULES, RULES, judge

OK = {"party": "25", "industry": "15"}
ACCOUNTS = {
    "a-county": ("admin", {"contest": "ca", "unit": "A"}),
    "a-town1": ("admin", {"contest": "ca", "unit": "A1"}),
    "a-judge": ("judge", {"contest": "ca", "judge": "JA1"}),
    "a-org": ("organization", {"organization": "OA1"}),
    "a-auditor": ("auditor", {"contest": "ca"}),
    "a-whole": ("admin", {"contest": "ca"}),  # an admin of the whole contest A (no unit)
    "b-admin": ("admin", {"contest": "cb", "unit": "B"}),
    "b-whole": ("admin", {"contest": "cb"}),
}
SECRET = "乙一村秘密书记"  # the secretary of OB1: contest B's data, never in contest A's answers


def build(app: Any) -> None:
    app.register_ruleset(RULES, "town.toml", ADMIN)
    app.register_ruleset(FINAL_RULES, "final.toml", ADMIN)
    for contest, county, towns in (("ca", "A", ("A1", "A2")), ("cb", "B", ("B1",))):
        app.create_contest(contest, f"活动{contest}", ["township", "county"], ADMIN)
        app.add_unit(contest, county, f"县{county}", "county", None, ADMIN)
        for town in towns:
            app.add_unit(contest, town, f"镇{town}", "township", county, ADMIN)
        letter = county
        for n in (1, 2, 3):
            app.register_judge(contest, f"J{letter}{n}", f"评委{letter}{n}", county, "", ADMIN)
        for town in towns:
            app.register_organization(contest, f"O{town}", f"村{town}", town, "village", "",
                                      SECRET if town == "B1" else f"书记{town}", ADMIN)
        panel = tuple(f"J{letter}{n}" for n in (1, 2, 3))
        app.schedule_round(contest, RoundSpec(f"R{letter}F", "county", county, "2025-05", "final", judges=panel[:2],
                                              entrants="promoted"), ADMIN)
        for town in towns:
            code = f"R{town}"
            app.schedule_round(contest, RoundSpec(code, "township", town, "2025-05", "town", judges=panel,
                                                  promotes_to=f"R{letter}F"), ADMIN)
            app.open_round(code, ADMIN)
            for j in panel[:2]:
                app.submit_sheet(code, j, f"O{town}", OK, judge(j))
    for name, (role, scope) in ACCOUNTS.items():
        add_account(app, name, role, **scope)
    add_account(app, "super", "admin")


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    url, drop = pg.fresh_store(request, tmp_path_factory.mktemp("scope"))
    app = open_app(url, clock=FixedClock("2025-05-20T09:00"))
    build(app)
    web = serve(app)
    assert web.extensions["leitai_hub"].wait_for(app.recorder.max_notification_id(), 20)
    clients = {who: Client(web, who, lang="en") for who in [*ACCOUNTS, "super"]}
    clients[None] = Client(web, None, lang="en")
    yield {"app": app, "web": web, "clients": clients}
    stop(web)
    app.close()
    drop()


def zipped(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(f"s/{name}", text.encode("utf-8"))
    return buffer.getvalue()


def upload(client: Client, files: dict[str, str]) -> Any:
    return client.call("POST", "/api/contests/import", None, content_type="multipart/form-data",
                       data={"scenario": (io.BytesIO(zipped(files)), "s.zip")})


CONTEST_A = 'code = "ca"\ntitle = "活动ca"\nlevels = ["township", "county"]\n'


# -- issue 14's reproductions -----------------------------------------------------------------------


def test_1_an_import_writes_into_no_other_contest(world: dict[str, Any]) -> None:
    """A county admin's import naming its own contest, with rows for another contest's rounds
    and organizations, is refused whole: nothing recorded."""
    app, county = world["app"], world["clients"]["a-county"]
    before = event_count(app)
    for files in (
        {"contest.toml": CONTEST_A, "scores.csv": "round_code,judge_code,entrant_code,party,industry\n"
                                                  "RB1,JB3,OB1,30,20\n"},
        {"contest.toml": CONTEST_A, "adjustments.csv": "round_code,entrant_code,points,reason\nRB1,OB1,-1,扣分\n"},
        {"contest.toml": CONTEST_A, "organizations.csv": "org_code,name,unit_code,sector,category,secretary\n"
                                                         "OB1,改名村,A1,village,,另一个书记\n"},
    ):
        answer = upload(county, files)
        assert answer.status_code == 403, (files, answer.get_json())
        assert answer.get_json()["code"] in ("OutOfScope", "Forbidden")
    assert event_count(app) == before
    assert world["clients"]["super"].get("/api/contests/cb/organizations")[0]["secretary"] == SECRET


def test_2_a_round_promotes_only_within_its_contest_and_up_its_tree(world: dict[str, Any]) -> None:
    app, town = world["app"], world["clients"]["a-town1"]
    before = event_count(app)
    spec = {"code": "RX", "level": "township", "unit": "A1", "period": "2025-06", "rules": "town"}
    answer = town.post("/api/contests/ca/rounds", {**spec, "promotes_to": "RBF"}, expect=422)
    assert "another contest" in answer["message"]
    answer = town.post("/api/contests/ca/rounds", {**spec, "links": {"site": "RB1"}}, expect=422)
    assert event_count(app) == before
    # and the domain refuses a promotion into another contest's round whoever asks
    from domain.errors import InvalidValue

    def promote_across(s: Any) -> Any:
        return s.round("RA1").promote_into(s.round("RBF"), s.rules(s.round("RA1").rules), ADMIN)

    with pytest.raises(InvalidValue, match="another contest"):
        app.run(promote_across)


def test_2_a_township_admin_promotes_into_no_round_but_the_one_above(world: dict[str, Any]) -> None:
    """Admitting entrants into a round the admin does not run is refused, unless it is the
    promotion of a round the admin runs into the round above it that the round names."""
    from domain.access import Principal
    from domain.errors import OutOfScope
    from domain.model.account import Grant

    app = world["app"]
    town1 = Principal("a-town1", (Grant("admin", contest="ca", unit="A1"),))
    before = event_count(app)
    with pytest.raises(OutOfScope):
        app.execute(lambda s: s.admit_entrant("RA2", "OA1", ADMIN), "round RA2", town1)
    with pytest.raises(OutOfScope):
        app.execute(lambda s: s.admit_entrant("RAF", "OA1", ADMIN), "round RAF", town1)
    assert event_count(app) == before


def test_3_a_certification_belongs_to_its_organizations_scope(world: dict[str, Any]) -> None:
    """The contest comes from the URL, the organization from contest A: an admin of contest B,
    of one unit or of the whole contest, may not veto A's organization."""
    app = world["app"]
    before = event_count(app)
    for who in ("b-admin", "b-whole"):
        answer = world["clients"][who].call("POST", "/api/contests/cb/certifications/OA1/township/2025/vetoes", None,
                                            json={"item": "safety", "reason": "事故"})
        assert answer.status_code == 403, (who, answer.get_json())
    assert event_count(app) == before


def test_4_a_replay_shows_no_round_the_caller_may_not_see(world: dict[str, Any]) -> None:
    town = world["clients"]["a-town1"]
    rules = RULES.replace("version = 1", "version = 2")
    answer = town.call("POST", "/api/replay", 403, json={"rules": rules, "rounds": ["RB1"]}).get_json()
    assert answer["code"] == "Forbidden" and "RB1" in answer["message"]
    town.call("POST", "/api/replay", 403, json={"rules": rules, "rounds": ["RA2"]})  # another township
    town.call("POST", "/api/replay", 200, json={"rules": rules, "rounds": ["RA1"]})  # its own


def test_a_replay_reads_codes_as_the_rulebook_does(world: dict[str, Any]) -> None:
    """Rulebook 3.2: codes are read whatever their case (full width too), over HTTP as on the
    command line: CA is contest ca, TOWNSHIP the level township, ra1 the round RA1."""
    county = world["clients"]["a-county"]
    rules = RULES.replace("version = 1", "version = 2")

    def replayed(**selection: Any) -> list[str]:
        answer = county.call("POST", "/api/replay", 200, json={"rules": rules, **selection}).get_json()
        return sorted(r["round"] for r in answer["rounds"])

    assert replayed(contest="ca", level="township") == ["RA1", "RA2"]
    assert replayed(contest="CA", level="TOWNSHIP") == ["RA1", "RA2"]
    assert replayed(rounds=["ra1"]) == replayed(rounds=["ＲＡ１"]) == ["RA1"]


# -- the matrix: every documented operation, as every account of contest A, against B --------------

TARGETS = {  # what each path parameter names: contest B's objects (and township A2's for a-town1)
    "other": {"code": "RB1", "contest": "cb", "organization": "OB1", "entrant": "OB1", "judge": "JB1",
              "name": "b-admin", "level": "township", "cycle": "2025", "number": "1", "unit": "B1",
              "period": "2025-05", "version": "1", "name_document": "notice.html"},
    # the caller's own contest in the URL, contest B's objects in the rest: what a scope check on the URL
    # alone lets through
    "mixed": {"code": "RB1", "contest": "ca", "organization": "OB1", "entrant": "OB1", "judge": "JB1",
              "name": "b-admin", "level": "township", "cycle": "2025", "number": "1", "unit": "B1",
              "period": "2025-05", "version": "1", "name_document": "notice.html"},
    "sibling": {"code": "RA2", "contest": "ca", "organization": "OA2", "entrant": "OA2", "judge": "JA1",
                "name": "a-county", "level": "township", "cycle": "2025", "number": "1", "unit": "A2",
                "period": "2025-05", "version": "1", "name_document": "notice.html"},
}
VALUES = {"entrant": "{entrant}", "judge": "{judge}", "round": "{code}", "rounds": ["{code}"], "contest": "{contest}",
          "unit": "{unit}", "organization": "{entrant}", "marks": OK, "code": "RZ", "level": "township",
          "period": "2025-06", "rules": "town", "scope": "contest", "points": "-1", "component": "daily",
          "value": "1", "decision": "dismissed", "stars": 1, "item": "safety", "on": False, "name": "x",
          "display_name": "x", "role": "admin", "vkey": "x", "text": "x", "reason": "x", "reply": "x",
          "contact": "1",
          "into": "{code}", "source": "HY", "export": {}}  # 市级联动: an admission into contest B's round
# reads the public may make too: contest B's listings and public pages are public by design
OWN_SCOPE_ONLY = ("a-whole", "a-county", "a-town1", "a-judge", "a-org", "a-auditor")


def operations(web: Any) -> list[tuple[str, str, dict[str, Any]]]:
    spec = web.test_client().get("/api/openapi.json").get_json()
    out = []
    for path, ops in sorted(spec["paths"].items()):
        for method, op in ops.items():
            if method in ("get", "post", "patch", "put", "delete"):
                out.append((method.upper(), path, op))
    return out


def fill(template: Any, target: dict[str, str]) -> Any:
    if isinstance(template, str):
        return template.format(**target)
    if isinstance(template, list):
        return [fill(t, target) for t in template]
    return template


def body_for(spec: dict[str, Any], op: dict[str, Any], target: dict[str, str]) -> Any:
    content = op.get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema")
    if schema is None:
        return None
    if "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return {name: fill(VALUES.get(name, "x"), target) for name in schema.get("properties", {})
            if name in schema.get("required", []) or name in VALUES}


def query_for(path: str, target: dict[str, str]) -> str:
    if path == "/api/proof/inclusion":
        return f"?round={target['code']}&entrant={target['entrant']}"
    if path == "/api/proof/consistency":
        return "?from=1"
    return ""


def test_no_account_of_contest_a_reaches_contest_b_by_any_operation(world: dict[str, Any]) -> None:
    app, web, clients = world["app"], world["web"], world["clients"]
    spec = web.test_client().get("/api/openapi.json").get_json()
    wrong: list[str] = []
    tried = 0
    for method, path, op in operations(web):
        if path in ("/api/auth/token", "/api/auth/password", "/api/auth/me", "/api/checkpoint/cosignatures",
                    "/api/checkpoint"):
            continue  # an account's own sign-in and password; a cosignature is checked by its signature; the
            # log's head is the deployment's, no contest's (any admin may have it signed: tests/e2e/test_http_log.py)
        for who in OWN_SCOPE_ONLY:
            for kind in ("other", "mixed", "sibling") if who == "a-town1" else ("other", "mixed"):
                target = TARGETS[kind]
                params = {**target, "name": target["name_document"] if "/documents/" in path else target["name"]}
                url = path
                for key, value in params.items():
                    url = url.replace("{" + key + "}", value)
                url += query_for(path, target)
                before = event_count(app)
                if path == "/api/contests/import":
                    answer = upload(clients[who], {"scores.csv": "round_code,judge_code,entrant_code,party,industry\n"
                                                                 f"{target['code']},JB3,{target['entrant']},30,20\n"})
                else:
                    body = body_for(spec, op, target)
                    answer = clients[who].call(method, url, None, **({"json": body} if body is not None else {}))
                tried += 1
                status = answer.status_code
                text = answer.get_data(as_text=True) if not url.endswith("/events") else ""
                if event_count(app) != before:
                    wrong.append(f"{who} {method} {url}: recorded {event_count(app) - before} event(s)")
                if method != "GET" and 200 <= status < 300:
                    wrong.append(f"{who} {method} {url}: {status}")
                if method == "GET" and 200 <= status < 300 and answer.get_json(silent=True) not in ([], {}):
                    public = clients[None].call("GET", url, None).status_code
                    own = kind == "mixed" and set(re.findall(r"{(\w+)}", path)) <= {"contest", "period", "level", "cycle"}
                    if not 200 <= public < 300 and kind != "sibling" and not own:  # own: names nothing of contest B
                        wrong.append(f"{who} GET {url}: {status}, though the public gets {public}")
                if SECRET in text and kind != "sibling" and "organizations" not in url:
                    wrong.append(f"{who} {method} {url}: contest B's data in the answer")
    assert tried > 200
    assert not wrong, "\n".join(wrong)
