"""Every refusal over HTTP, on both stores: its status, its body ``{"code", "message",
"errors"}`` naming the field, the message in the reader's language, and nothing recorded.

One contest holds a round in every state a refusal needs; since a refused request
records nothing, every case runs against the same world, and each checks that the
event log did not grow.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest

from api.rest import errors as http_errors
from api.wiring import open_app
from domain import errors
from domain.model.base import Actor
from domain.services.clock import FixedClock
from domain.services.setup import RoundSpec
from tests import pg
from tests.conftest import ADMIN, event_count
from tests.http import Client, add_account, serve, stop
from tests.scenario import JUDGES, RULES, judge, small_contest
from tests.work_scenario import month, work_contest

OK = {"party": "25", "industry": "15"}
STARRED = RULES.replace('code = "town"', 'code = "starred"') + """
[stars]
bands = [{ stars = 5, min = 90 }, { stars = 4, min = 80 }, { stars = 3, min = 70 }, { stars = 1, min = 0 }]
"""
BLEND = ('code = "blend"\nversion = 1\n[[criteria]]\ncode = "speech"\nmax = 100\n'
         '[[components]]\ncode = "arena"\nsource = "panel"\nweight = "0.5"\n'
         '[[components]]\ncode = "site"\nsource = "round"\nweight = "0.5"\n')
CJK = re.compile(r"[\u4e00-\u9fff]")
PROMO = RULES.replace('code = "town"', 'code = "promo"')
# one voting round, three voter groups (rulebook 18.1)
VOTE = ('code = "vote1"\nversion = 1\n[[criteria]]\ncode = "speech"\nmax = 10\n'
        '[[components]]\ncode = "votes"\nsource = "votes"\nmax = 100\n'
        '[voting]\ncomponent = "votes"\nchoices = 2\n'
        '[[voting.groups]]\ncode = "party"\nweight = "0.4"\n[[voting.groups]]\ncode = "people"\nweight = "0.4"\n'
        '[[voting.groups]]\ncode = "cadres"\nweight = "0.2"\n[[voting.rounds]]\n')
FLAGGED = RULES.replace('code = "town"', 'code = "flagged"') + """
[[flags]]
code = "party-building"
name = "党建示范红旗"
criteria = [{ kind = "score", min = 38 }]
"""
# what the world records in Chinese and a message quotes as it stands (a name, a reason): not a word of the message
QUOTED = ("党建示范红旗", "写错了对象")
BALLOT = {"group": "party", "choices": ["O1"], "ballot": "9001"}


def build(app: Any, clock: FixedClock) -> dict[str, Any]:
    """R1 open (J1 scored O1; O2 withdrawn); F scheduled; R2 final with stars evaluated;
    R7 published, its period over; R3 published with a dismissed objection; R4 closed; R5 open without sheets; R6
    scheduled; B open, fed by R1; a second contest d.  Issue 16: in R1 a comment of J1 withdrawn; contest w's T1
    closed for 2025-04 (a ladder and classes) with V5's interview done; V voted and counted (its one voting round),
    VN open without voting; O1 nominated for a flag, not assessed."""
    # contest w first: its April is published on 2025-05-03 and final on the 15th, before the world's today
    work_contest(app)
    month(app, clock, "2025-04", {"V1": "90", "V2": "80", "V3": "75", "V4": "60", "V5": "50"})
    app.close_period("w", "T1", "2025-04", ADMIN)
    app.task_done("w:T1:2025-04:1:V5", ADMIN, on="2025-05-15", place="镇党委会议室", participants="党委副书记、村书记",
                  summary="分析差距")
    clock.set("2025-05-20T09:00")
    small_contest(app)
    app.register_ruleset(STARRED, "starred.toml", ADMIN)
    app.register_ruleset(BLEND, "blend.toml", ADMIN)
    app.register_organization("c", "O4", "村O4", "T2", "village", "", "书记O4", ADMIN)
    app.register_judge("c", "J5", "评委J5", "C", "", ADMIN)
    panel = tuple(JUDGES[:3])

    def scored(code: str, rules: str, unit: str, entrants: dict[str, str]) -> None:
        app.schedule_round("c", RoundSpec(code, "township", unit, "2025-05", rules, judges=panel), ADMIN)
        app.open_round(code, ADMIN)
        for entrant, party in entrants.items():
            for j in panel:
                app.submit_sheet(code, j, entrant, {"party": party, "industry": "15"}, judge(j))
        app.close_round(code, ADMIN)

    scored("R2", "starred", "T2", {"O3": "29", "O4": "20"})
    scored("R7", "town", "T2", {"O3": "26", "O4": "23"})
    # R8 promotes one into G, which has started: a re-rank promoting two is refused
    app.register_ruleset(PROMO, "promo.toml", ADMIN)
    app.schedule_round("c", RoundSpec("G", "county", "C", "2025-05", "final", judges=("J1",), entrants="promoted"),
                       ADMIN)
    app.schedule_round("c", RoundSpec("R8", "township", "T1", "2025-05", "promo", judges=panel, promotes_to="G"),
                       ADMIN)
    app.open_round("R8", ADMIN)
    for entrant, party in (("O1", "28"), ("O2", "21")):
        for j in panel:
            app.submit_sheet("R8", j, entrant, {"party": party, "industry": "15"}, judge(j))
    app.close_round("R8", ADMIN)
    app.publish("R8", ADMIN, on=clock.today())
    app.register_ruleset(PROMO.replace("version = 1", "version = 2").replace("quota = 1", "quota = 2"), "promo2.toml",
                         ADMIN)
    app.publish("R7", ADMIN, on=clock.today())
    end = app.publish("R2", ADMIN, on=clock.today()).end
    clock.set((date.fromisoformat(end) + timedelta(days=1)).isoformat() + "T09:00")
    app.finalize("R2", ADMIN)
    app.finalize("R8", ADMIN)
    app.promote("R8", ADMIN)
    app.open_round("G", ADMIN)
    computed = app.run(lambda s: s.evaluate_initially("c", "O3", "township", "2025", ADMIN))["stars"]
    scored("R3", "town", "T2", {"O3": "28", "O4": "21"})
    app.publish("R3", ADMIN, on=clock.today())
    objection = app.file_appeal("R3", "objection", "王某", "139****0000", "有异议", ADMIN)
    app.rule_appeal("R3", objection, "dismissed", "不成立", ADMIN)
    scored("R4", "town", "T1", {"O1": "27", "O2": "22"})
    for code, unit in (("R5", "T2"), ("R6", "T2")):
        app.schedule_round("c", RoundSpec(code, "township", unit, "2025-05", "town", judges=panel), ADMIN)
    app.open_round("R5", ADMIN)
    app.schedule_round("c", RoundSpec("B", "township", "T1", "2025-05", "blend", judges=("J1",),
                                      links={"site": "R1"}), ADMIN)
    app.open_round("B", ADMIN)
    app.submit_sheet("B", "J1", "O1", {"speech": "80"}, judge("J1"))
    app.submit_sheet("R1", "J1", "O1", OK, judge("J1"))
    app.record_input("R1", "O1", "daily", "80", ADMIN)
    app.withdraw("R1", "O2", "因病退出", ADMIN)
    comment = app.record_comment("R1", "O1", "汇报扎实。", judge("J1"), judge="J1")
    app.withdraw_comment("R1", comment, "写错了对象", judge("J1"))
    app.register_ruleset(VOTE, "vote1.toml", ADMIN)
    for code in ("V", "VN"):
        app.schedule_round("c", RoundSpec(code, "county", "C", "2025-05", "vote1", entrants=("O1", "O2", "O3", "O4")),
                           ADMIN)
        app.open_round(code, ADMIN)
    app.open_voting("V", ADMIN)
    app.cast_ballot("V", "party", "P1", ["O1", "O2"], ADMIN)
    app.count_votes("V", ADMIN)
    app.register_ruleset(FLAGGED, "flagged.toml", ADMIN)
    app.nominate_flag("c", "O1", "party-building", "2025", ADMIN, rules="flagged")
    app.nominate_flag("c", "O2", "party-building", "2025", ADMIN, rules="flagged")
    app.assess_flag("O2", "party-building", "2025", Actor("t1", "admin"))  # t1 may not award what it assessed
    app.create_contest("d", "另一活动", ["township"], ADMIN)
    app.add_unit("d", "D", "另一镇", "township", None, ADMIN)
    add_account(app, "admin", "admin")
    add_account(app, "t1", "admin", contest="c", unit="T1")
    add_account(app, "t2", "admin", contest="c", unit="T2")
    add_account(app, "judge-j1", "judge", contest="c", judge="J1")
    add_account(app, "judge-j4", "judge", contest="c", judge="J4")
    add_account(app, "org-o1", "organization", organization="O1")
    add_account(app, "org-o3", "organization", organization="O3")
    add_account(app, "auditor", "auditor")
    add_account(app, "w-t1", "admin", contest="w", unit="T1")
    register_source(app)  # 市级联动 (rulebook 22): its own log as a source, so that an admission is checked
    return {"computed": computed, "objection": objection, "comment": comment}


def register_source(app: Any) -> None:
    from domain.checkpoint import Note, b64
    from domain.services.federation import register_source as register

    head = app.sign_head(["on demand"]).value
    checkpoint = Note.parse(head.note).checkpoint
    register(app, "HY", "海阳县", checkpoint.origin, head.vkey, "",
             {"size": checkpoint.size, "root": b64(checkpoint.root), "checkpoint": head.note}, "测试来源", ADMIN)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    url, drop = pg.fresh_store(request, tmp_path_factory.mktemp("refusals"))
    clock = FixedClock("2025-05-20T09:00")
    app = open_app(url, clock=clock)
    facts = build(app, clock)
    web = serve(app)
    clients: dict[str | None, Client] = {}
    yield {"app": app, "web": web, "clients": clients, **facts}
    stop(web)
    app.close()
    drop()


def client(world: dict[str, Any], who: str | None, lang: str | None = None) -> Client:
    key = f"{who}|{lang}"
    if key not in world["clients"]:
        world["clients"][key] = Client(world["web"], who, lang=lang)
    return world["clients"][key]


# (error, account, method, path, body, status, field named in "errors" or None)
CASES: list[tuple[str, str | None, str, str, Any, int, str | None]] = [
    ("ContestNotFound", "admin", "GET", "/api/contests/nope", None, 404, None),
    ("RoundNotFound", "admin", "POST", "/api/rounds/NOPE/close", {}, 404, None),
    ("OrganizationNotFound", "admin", "PATCH", "/api/contests/c/organizations/NOPE", {"name": "某村", "reason": "改名"},
     404, None),
    ("JudgeNotFound", "admin", "POST", "/api/rounds/R1/judges", {"judge": "JX"}, 404, None),
    ("UnitNotFound", "admin", "POST", "/api/contests/c/rounds",
     {"code": "R9", "level": "township", "unit": "NOPE", "period": "2025-06", "rules": "town"}, 404, None),
    ("RuleSetNotFound", "admin", "POST", "/api/rounds/R4/rerank", {"rules": "nope@1", "reason": "试算"}, 404, "rules"),
    ("AppealNotFound", "admin", "POST", "/api/rounds/R3/appeals/99/ruling", {"decision": "dismissed", "reply": "无"},
     404, None),
    ("CertificationNotFound", "admin", "POST", "/api/contests/c/certifications/O4/township/2025/certification", {},
     404, None),
    ("AccountNotFound", "admin", "GET", "/api/accounts/nobody", None, 404, None),
    ("RuleSetInvalid", "admin", "POST", "/api/rulesets/check", {"text": "code = 1\nversion = 1"}, 422, "code"),
    ("RuleSetConflict", "admin", "POST", "/api/rulesets", {"text": RULES.replace("max = 30", "max = 40")}, 409, None),
    ("RecordConflict", "admin", "POST", "/api/accounts",
     {"name": "judge-j1", "display_name": "x", "reason": "again", "grants": []}, 409, "name"),
    ("RoundCodeTaken", "admin", "POST", "/api/contests/d/rounds",
     {"code": "R1", "level": "township", "unit": "D", "period": "2025-06", "rules": "town"}, 409, None),
    ("InvalidValue", "admin", "GET", "/api/contests/c/stars/bogus/2025", None, 422, "level"),
    ("RoundStateError", "admin", "POST", "/api/rounds/R1/publish", {}, 409, None),
    ("SheetsNotAccepted", "admin", "POST", "/api/rounds/R4/sheets", {"judge": "J1", "entrant": "O1", "marks": OK}, 409,
     None),
    ("SheetsNotYetAccepted", "admin", "POST", "/api/rounds/R6/sheets", {"judge": "J1", "entrant": "O3", "marks": OK},
     409, None),
    ("JudgeNotSeated", "admin", "POST", "/api/rounds/R1/sheets", {"judge": "J5", "entrant": "O1", "marks": OK}, 422,
     None),
    ("JudgeRecused", "judge-j4", "POST", "/api/rounds/R1/sheets", {"entrant": "O1", "marks": OK}, 422, None),
    ("EntrantNotAdmitted", "admin", "POST", "/api/rounds/R1/sheets", {"judge": "J2", "entrant": "O3", "marks": OK}, 422,
     None),
    ("EntrantNotActive", "admin", "POST", "/api/rounds/R1/sheets", {"judge": "J2", "entrant": "O2", "marks": OK}, 422,
     None),
    ("DuplicateSheet", "judge-j1", "POST", "/api/rounds/R1/sheets",
     {"entrant": "O1", "marks": {"party": "20", "industry": "15"}}, 409, None),
    ("SheetNotFound", "judge-j1", "POST", "/api/rounds/R5/sheets/O3/correction", {"marks": OK, "reason": "录错"}, 404,
     None),
    ("MarkInvalid", "judge-j1", "POST", "/api/rounds/R5/sheets", {"entrant": "O3", "marks": {"party": "30.5",
                                                                                             "industry": "15"}},
     422, "party"),
    ("TooFewSheets", "admin", "POST", "/api/rounds/R5/close", {}, 422, None),
    ("LinkedRoundNotClosed", "admin", "POST", "/api/rounds/B/close", {}, 422, None),
    ("AdjustmentOverCap", "admin", "POST", "/api/rounds/R1/adjustments", {"entrant": "O1", "points": "5",
                                                                          "reason": "表彰"}, 422, None),
    ("ReasonRequired", "admin", "POST", "/api/rounds/R1/entrants/O1/disqualify", {"reason": "   "}, 422, None),
    ("InputReplacementNeedsReason", "admin", "POST", "/api/rounds/R1/inputs",
     {"entrant": "O1", "component": "daily", "value": "85"}, 422, "reason"),
    ("PromotionsLocked", "admin", "POST", "/api/rounds/R8/rerank", {"rules": "promo@2", "reason": "每镇取前两名"}, 409,
     None),
    ("RoundStateError", "org-o1", "POST", "/api/rounds/R1/appeals",
     {"entrant": "O1", "name": "张某", "contact": "138", "text": "有异议"}, 409, None),
    ("AppealOutsidePeriod", "org-o3", "POST", "/api/rounds/R7/appeals",
     {"entrant": "O3", "name": "张某", "contact": "138", "text": "有异议"}, 422, None),
    ("AppealAnonymous", "org-o3", "POST", "/api/rounds/R3/appeals",
     {"entrant": "O3", "name": " ", "contact": "138", "text": "有异议"}, 422, None),
    ("AppealAlreadyRuled", "admin", "POST", "/api/rounds/R3/appeals/{objection}/ruling", {"decision": "upheld", "reply": "改判"},
     409, None),
    ("AlreadyPublished", "admin", "POST", "/api/rounds/R3/publish", {"days": 7}, 409, None),
    ("PublicationBackdated", "admin", "POST", "/api/rounds/R4/publish", {"on": "2025-05-01"}, 422, None),
    ("AppealNotUpheld", "admin", "POST", "/api/rounds/R3/sheets/O3/correction",
     {"judge": "J1", "marks": OK, "reason": "按异议更正", "appeal": "{objection}"}, 422, None),
    ("NotFinalYet", "admin", "POST", "/api/rounds/R3/finalize", {}, 409, None),
    ("NoPromotion", "admin", "POST", "/api/rounds/R3/promote", {}, 422, None),
    ("DecisionNeedsReason", "admin", "POST", "/api/contests/c/certifications/O3/township/2025/decision",
     "other-stars", 422, None),
    ("CertificationStateError", "admin", "POST", "/api/contests/c/certifications/O3/township/2025/certification", {},
     409, None),
    ("NotYetEvaluated", "admin", "POST", "/api/contests/c/certifications/units/T2/township/2025/acceptance", {},
     409, None),  # O4 is rated by R2 but not initially evaluated: nothing of T2 is accepted
    # comments (点评, rulebook 17)
    ("CommentsNotAccepted", "judge-j1", "POST", "/api/rounds/R6/comments", {"entrant": "O3", "text": "讲得实在"}, 409,
     None),
    ("JudgeRecusedFromComment", "judge-j4", "POST", "/api/rounds/R1/comments", {"entrant": "O1", "text": "很好"}, 422,
     "judge"),
    ("CommentNotFound", "judge-j1", "POST", "/api/rounds/R1/comments/99/withdrawal", {"reason": "重复"}, 404, "comment"),
    ("CommentAlreadyWithdrawn", "judge-j1", "POST", "/api/rounds/R1/comments/{comment}/corrections",
     {"text": "汇报扎实，数据翔实。", "reason": "补充"}, 409, "comment"),
    # voting (投票, rulebook 18)
    ("NoVoting", "t1", "POST", "/api/rounds/R1/voting", {}, 422, "round"),
    ("VotingNotOpen", "admin", "POST", "/api/rounds/VN/voting/ballots", BALLOT, 409, "round"),
    ("VotingCounted", "admin", "POST", "/api/rounds/V/voting/ballots", BALLOT, 409, "round"),
    ("VotesFromBallots", "admin", "POST", "/api/rounds/V/inputs",
     {"entrant": "O1", "component": "votes", "value": "100", "reason": "重新核对"}, 422, "component_code"),
    # consequences as work (结果运用, rulebook 15-16)
    ("PeriodNotFinal", "t2", "POST", "/api/contests/c/periods/T2/2025-05/closing", None, 422, "period"),
    ("PeriodAlreadyClosed", "w-t1", "POST", "/api/contests/w/periods/T1/2025-04/closing", None, 409, "period"),
    ("TaskNotFound", "w-t1", "POST", "/api/tasks/w:T1:2025-04:1:V3/excuse", {"reason": "村已撤并"}, 404, "task"),
    ("WorkStateError", "w-t1", "POST", "/api/tasks/w:T1:2025-04:1:V5/excuse", {"reason": "村已撤并"}, 409, "task"),
    ("PairNotFound", "w-t1", "POST", "/api/pairs/w:T1:2025-04:V3/end", {"reason": "提前结束"}, 404, "pair"),
    # flags (红旗, rulebook 19.4)
    ("FlagNotFound", "t2", "POST", "/api/contests/c/flags/O3/party-building/2025/award", {}, 404, "flag"),
    ("FlagCriteriaNotMet", "t1", "POST", "/api/contests/c/flags/O1/party-building/2025/award", {}, 409, "flag"),
    ("FlagNeedsSecondPerson", "t1", "POST", "/api/contests/c/flags/O2/party-building/2025/award", {}, 409, "flag"),
    ("FlagStateError", "t1", "POST", "/api/contests/c/flags/O1/party-building/2025/revocation", {"reason": "复核不实"},
     409, "flag"),
    ("Unauthorized", None, "POST", "/api/rounds/R1/close", {}, 401, None),
    ("Forbidden", "t2", "POST", "/api/rounds/R1/close", {}, 403, None),
    ("Forbidden", "auditor", "POST", "/api/rounds/R4/publish", {}, 403, None),
    ("Forbidden", "judge-j1", "POST", "/api/rounds/R1/sheets", {"judge": "J2", "entrant": "O1", "marks": OK}, 403,
     None),
    ("Forbidden", "org-o1", "GET", "/api/rounds/R1/entrants/O1/explanation", None, 403, None),
    ("Malformed", "admin", "POST", "/api/rounds/R1/sheets", {"judge": "J2", "entrant": "O1", "marks": OK, "extra": 1},
     400, "extra"),
    ("Malformed", "admin", "POST", "/api/rounds/R1/sheets", {"judge": "J2", "entrant": "O1", "marks": 28.5}, 400,
     "marks"),
    ("Malformed", "admin", "POST", "/api/rounds/R3/publish", {"on": "2025-13-40"}, 400, "on"),
    # 市级联动 (rulebook 22)
    ("SourceNotFound", "admin", "POST", "/api/federation/admissions", {"into": "R6", "source": "NOPE", "export": {}},
     404, None),
    ("AdmissionRefused", "admin", "POST", "/api/federation/admissions",
     {"into": "R6", "source": "HY", "export": {"format": "leitai-events/3"}}, 422, None),
]

# Refusals a client cannot provoke with a request against a sound store, and where they are tested.
NOT_BY_REQUEST = {
    "ConcurrencyConflict": "retried by the writer; tests/integration/test_concurrency.py",
    "StoreError": "a store that is down: test_a_store_that_is_down_answers_503 below",
    "RoundSetAside": "a tampered event set aside: tests/integration/test_hostile_events.py",
    "LogRewritten": "a log rewritten by its database's owner: tests/e2e/test_http_log.py",
    "OutOfScope": "a command changing what is outside the account's scope: tests/e2e/test_http_scope.py",
    "CalendarMissing": "needs a later clock: test_a_year_without_holiday_data below",
    "ImportRowError": "an upload: test_a_bad_upload_names_file_row_and_field below",
    "ImportErrors": "an upload: test_a_bad_upload_names_file_row_and_field below",
    "BallotFileImportedAlready": "ballots files are imported on the command line only (`leitai vote import`), no "
                                 "HTTP route: tests/integration/test_voting.py, tests/e2e/test_cli_voting.py",
    "UnsafeFileName": "an upload's file name: tests/e2e/test_uploads.py",
    "TooManyAttempts": "test_failed_sign_ins_are_slowed_down below",
    "KeyReused": "tests/e2e/test_http_api.py (idempotency), tests/e2e/test_idempotent_keys.py (at once)",
    "RequestInProgress": "the same request still running: tests/e2e/test_idempotent_keys.py",
    "TooManyStreams": "tests/e2e/test_http_api.py (live streams are bounded)",
    "NotYetProjected": "a read naming a position not yet projected: tests/e2e/test_servers.py",
    "NotFound": "the base class of every *NotFound above",
    "LeitaiError": "the base class",
}


@pytest.mark.parametrize(("error", "who", "method", "path", "body", "status", "field"), CASES,
                         ids=[f"{c[0]}-{c[1]}-{c[3].split('/api/')[1]}" for c in CASES])
def test_a_refused_request_records_nothing_and_says_why(world: dict[str, Any], error: str, who: str | None,
                                                          method: str, path: str, body: Any, status: int,
                                                          field: str | None) -> None:
    app = world["app"]
    path = path.format(objection=world["objection"], comment=world["comment"])
    if body == "other-stars":
        body = {"stars": 1 if world["computed"] != 1 else 5}
    elif isinstance(body, dict) and body.get("appeal") == "{objection}":
        body = {**body, "appeal": world["objection"]}
    before = event_count(app)
    response = client(world, who).call(method, path, None, json=body)
    assert response.status_code == status, response.get_data(as_text=True)
    answer = response.get_json()
    assert set(answer) == {"code", "message", "errors"}
    assert answer["code"] == error
    assert CJK.search(answer["message"]), answer  # Chinese by default
    if field is not None:
        assert field in answer["errors"], answer
    assert event_count(app) == before, "a refused request recorded events"
    english = client(world, who, lang="en").call(method, path, None, json=body).get_json()
    words = english["message"].replace(path, "")
    for quoted in QUOTED:
        words = words.replace(quoted, "")
    assert english["code"] == error and not CJK.search(words), english


def test_every_refusal_the_domain_defines_is_covered() -> None:
    from api.importing import scenario

    from domain.model import federation

    defined = {name for module in (errors, http_errors, scenario, federation) for name, value in vars(module).items()
               if isinstance(value, type) and issubclass(value, errors.LeitaiError)}
    covered = {c[0] for c in CASES} | set(NOT_BY_REQUEST)
    assert defined - covered == set(), "a refusal without an HTTP test"


def test_a_bad_upload_names_file_row_and_field(world: dict[str, Any]) -> None:
    app = world["app"]
    before = event_count(app)
    scores = "round_code,judge_code,entrant_code,party,industry\nR1,J2,O1,25,15\nR1,J3,O1,99,15\n"
    response = client(world, "admin").call("POST", "/api/contests/import", None, content_type="multipart/form-data",
                                           data={"files": [(io.BytesIO(scores.encode()), "scores.csv")]})
    answer = response.get_json()
    assert response.status_code == 422 and answer["code"] == "ImportErrors", answer
    assert answer["errors"] == {"scores.csv:3:party": answer["message"]}
    assert event_count(app) == before  # the good first row was not recorded either
    broken = client(world, "admin").call("POST", "/api/contests/import", None, content_type="multipart/form-data",
                                         data={"scenario": (io.BytesIO(b"PK\x03\x04 not a zip"), "s.zip")})
    assert broken.status_code == 422 and broken.get_json()["code"] == "ImportRowError"
    escape = client(world, "admin").call("POST", "/api/contests/import", None, content_type="multipart/form-data",
                                         data={"files": [(io.BytesIO(scores.encode()), "../../etc/scores.csv")]})
    assert escape.status_code == 422 and event_count(app) == before


def test_failed_sign_ins_are_slowed_down(world: dict[str, Any]) -> None:
    web = world["web"].test_client()
    statuses = [web.post("/api/auth/token", json={"name": "t1", "password": f"wrong-{i}"}).status_code
                for i in range(7)]
    assert statuses[:5] == [401] * 5 and statuses[5:] == [429, 429]
    slowed = web.post("/api/auth/token", json={"name": "t1", "password": "correct horse battery"})
    assert slowed.status_code == 429 and int(slowed.headers["Retry-After"]) >= 1  # even the right password waits
    assert slowed.get_json()["code"] == "TooManyAttempts"
    other = web.post("/api/auth/token", json={"name": "t2", "password": "correct horse battery"})
    assert other.status_code == 200  # another account from the same address is not locked out yet


def test_sign_ins_sent_all_at_once_are_slowed_down_as_well(world: dict[str, Any]) -> None:
    """Thirty guesses sent at the same moment: no more than the allowed few are checked."""
    import threading

    from api.rest.security import FAILURES_ALLOWED

    add_account(world["app"], "burst", "auditor")
    web = world["web"]
    start = threading.Barrier(30)
    statuses: list[int] = []

    def guess(i: int) -> None:
        http = web.test_client()
        start.wait()
        statuses.append(http.post("/api/auth/token", json={"name": "burst", "password": f"guess-{i}"},
                                  environ_base={"REMOTE_ADDR": "10.9.9.9"}).status_code)

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses.count(401) <= FAILURES_ALLOWED and statuses.count(429) >= 30 - FAILURES_ALLOWED, statuses
    late = web.test_client().post("/api/auth/token", json={"name": "burst", "password": "correct horse battery"},
                                  environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert late.status_code == 429


def test_a_password_no_keyboard_can_type_is_a_wrong_password(world: dict[str, Any]) -> None:
    web = world["web"].test_client()
    answer = web.post("/api/auth/token", data='{"name": "t2", "password": "\\ud800x"}',
                      content_type="application/json", environ_base={"REMOTE_ADDR": "10.8.8.8"})
    assert answer.status_code == 401 and answer.get_json()["code"] == "Unauthorized"


@pytest.mark.parametrize("raw", [
    '{"name": ' + "[" * 50_000 + "]" * 50_000 + "}",  # deeper than the parser goes
    '{"name": ' + "1" * 5_000 + "}",  # longer than Python reads an integer
], ids=["deep", "long-integer"])
def test_json_the_parser_cannot_read_is_malformed_not_an_error(world: dict[str, Any], raw: str) -> None:
    for who, path in ((None, "/api/auth/token"), ("admin", "/api/rounds/R1/sheets")):
        answer = client(world, who).call("POST", path, 400, data=raw, content_type="application/json").get_json()
        assert answer["code"] == "Malformed", answer


def test_a_lone_surrogate_in_a_refused_value_is_quoted_not_a_failure(world: dict[str, Any]) -> None:
    app = world["app"]
    before = event_count(app)
    raw = '{"entrant": "O1", "points": "\\ud800", "reason": "x"}'
    answer = client(world, "admin").call("POST", "/api/rounds/R1/adjustments", None, data=raw,
                                         content_type="application/json")
    assert answer.status_code in (400, 422), answer.get_data(as_text=True)
    assert answer.get_json()["code"] in ("Malformed", "InvalidValue"), answer.get_json()
    assert "\\ud800" in answer.get_json()["message"] + str(answer.get_json()["errors"])
    assert event_count(app) == before


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/api/rounds/R1/live-board", {"on": "yes"}, "on"),
    ("/api/rounds/R1/live-board", {"on": 1}, "on"),
    ("/api/rounds/R1/adjustments", {"entrant": "O1", "points": "1", "reason": "x", "appeal": 1.5}, "appeal"),
    ("/api/rounds/R1/adjustments", {"entrant": "O1", "points": "1", "reason": "x", "appeal": "1"}, "appeal"),
    ("/api/rounds/R1/adjustments", {"entrant": "O1", "points": "1", "reason": "x", "appeal": True}, "appeal"),
], ids=["on-yes", "on-1", "appeal-1.5", "appeal-text", "appeal-true"])
def test_a_value_of_the_wrong_json_type_is_refused_not_read_as_another(world: dict[str, Any], path: str,
                                                                        body: dict[str, Any], field: str) -> None:
    app = world["app"]
    before = event_count(app)
    answer = client(world, "admin").call("POST", path, 400, json=body).get_json()
    assert answer["code"] == "Malformed" and field in answer["errors"], answer
    assert event_count(app) == before


def test_routes_methods_and_sizes_answer_in_json(world: dict[str, Any]) -> None:
    web = client(world, "admin")
    missing = web.call("GET", "/api/nowhere", 404).get_json()
    assert missing["code"] == "NotFound" and CJK.search(missing["message"])
    assert web.call("DELETE", "/api/rounds/R1", 405).get_json()["code"] == "MethodNotAllowed"
    not_json = web.call("POST", "/api/rounds/R1/sheets", 400, data="{", content_type="application/json").get_json()
    assert not_json["code"] == "Malformed"
    big = web.call("POST", "/api/rulesets/check", 413, data=b"x" * (21 * 1024 * 1024),
                   content_type="application/json").get_json()
    assert big["code"] == "TooLarge"
    bad_token = world["web"].test_client().get("/api/accounts", headers={"Authorization": "Bearer forged.token"})
    assert bad_token.status_code == 401 and bad_token.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_year_without_holiday_data(make_app: Any, store_url: str) -> None:
    clock = FixedClock("2026-12-28T09:00")
    app = make_app(store_url, clock)
    small_contest(app)
    for entrant in ("O1", "O2"):
        for j in JUDGES[:3]:
            app.submit_sheet("R1", j, entrant, OK, judge(j))
    app.close_round("R1", ADMIN)
    add_account(app, "admin", "admin")
    web = serve(app)
    try:
        admin = Client(web, "admin")
        before = event_count(app)
        refused = admin.call("POST", "/api/rounds/R1/publish", 422, json={}).get_json()
        assert refused["code"] == "CalendarMissing" and "2027" in refused["message"]
        assert event_count(app) == before
        done = admin.post("/api/rounds/R1/publish", {"calendar_fallback": "weekends"})
        assert done["publicity"]["end"] == "2027-01-01"
    finally:
        stop(web)


@pytest.mark.postgres
def test_a_store_that_is_down_answers_503(make_app: Any, pg_databases: pg.Databases) -> None:
    import psycopg

    name = pg_databases.create()
    app = make_app(pg_databases.server.url_for(name, user=pg.APP_ROLE))
    small_contest(app)
    add_account(app, "admin", "admin")
    web = serve(app)
    admin = Client(web, "admin")
    try:
        with psycopg.connect(pg_databases.server.admin_conninfo(), autocommit=True) as conn:
            conn.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
        response = admin.call("POST", "/api/rounds/R1/sheets", None, json={"judge": "J1", "entrant": "O1", "marks": OK})
        assert response.status_code == 503, response.get_data(as_text=True)
        assert response.get_json()["code"] in ("StoreError", "StoreUnavailable")
        assert CJK.search(response.get_json()["message"])
        with psycopg.connect(pg_databases.server.admin_conninfo(), autocommit=True) as conn:
            conn.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        # the store is back: the same request is recorded, and the projector follows again
        again = admin.post("/api/rounds/R1/sheets", {"judge": "J1", "entrant": "O1", "marks": OK}, expect=201)
        assert again["recorded"] == 1 and again["projected"] is True
    finally:
        with psycopg.connect(pg_databases.server.admin_conninfo(), autocommit=True) as conn:
            conn.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        stop(web)
