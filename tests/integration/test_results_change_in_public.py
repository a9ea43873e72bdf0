"""Published results change only in public (issue 14, item 10): a re-rank that changes a
published result starts a new publicity period whose notice says what changed and why; a
final round whose promotions change revises the next round's finalists by events while that
round has not started, and is refused once it has; verify checks every finalist against its
source round's latest results; an adoption for a unit, level or contest changes only the
rounds under the adopted rules' code; an assessment value or vote count that replaces
another needs a reason, and both stay in the history with their events, actors, times and
reasons."""

from __future__ import annotations

import json
from datetime import date

import pytest

from api.importing.scenario import import_scenario
from domain import errors
from domain.model import round_events as ev
from domain.model.base import Actor
from domain.rules.seal import canonical_json
from domain.services.setup import RoundSpec
from domain.services.store import parse_url
from projections import audit
from projections.explain import explanation
from projections.source import EventSource
from projections.verify import fold_store, verify_folder
from tests.conftest import ADMIN, EXAMPLE, event_count
from tests.integration.test_stores import FINAL, TOWNSHIPS
from tests.scenario import RULES, score_all, small_contest

V1 = (EXAMPLE / "rules" / "township-2025.toml").read_text(encoding="utf-8")
ONE_FINALIST = V1.replace("version = 1", "version = 2").replace("quota = 2", "quota = 1")
GL = "R-GL-2025-05"
FIRST, SECOND = "WS-GL-03", "WS-GL-08"  # promoted from R-GL-2025-05 under quota 2; only the first under quota 1

PRIZES = RULES.replace("version = 1", "version = 2") + (
    '[[awards]]\ncode = "first"\nname = "一等奖"\ncount = 1\n[[awards]]\ncode = "second"\nname = "二等奖"\ncount = 1\n')
ONE_PRIZE = RULES.replace("version = 1", "version = 3") + '[[awards]]\ncode = "first"\nname = "一等奖"\ncount = 1\n'
SAME_AS_TWO = PRIZES.replace("version = 2", "version = 4").replace('name = "二等奖"', 'name = "二等奖（同）"')


def folded(url):
    source = EventSource(parse_url(url))
    try:
        return fold_store(source)
    finally:
        source.close()


# -- a re-rank of a round in publicity ---------------------------------------------------------


@pytest.fixture
def in_publicity(app, clock):
    """R1 under town@2 (two prizes), closed and published on 2025-05-20; town@3 has one prize."""
    small_contest(app)
    for text, name in ((PRIZES, "town2.toml"), (ONE_PRIZE, "town3.toml"), (SAME_AS_TWO, "town4.toml")):
        app.register_ruleset(text, name, ADMIN)
    app.adopt_ruleset("c", "town@2", {"rounds": ["R1"]}, "设奖", ADMIN)
    score_all(app)
    app.close_round("R1", ADMIN)
    app.publish("R1", ADMIN, on=date(2025, 5, 20))
    clock.set("2025-05-22T10:00")
    rnd, _ = app.ranking("R1")
    assert [(r["entrant"], r["award"]) for r in rnd.results] == [("O1", "first"), ("O2", "second")]
    return app


def test_a_rerank_that_takes_a_prize_away_in_publicity_publishes_the_results_again(in_publicity):
    app = in_publicity
    app.rerank("R1", "town@3", "县委组织部决定只设一等奖", ADMIN)
    rnd, _ = app.ranking("R1")
    assert [(r["entrant"], r["award"]) for r in rnd.results] == [("O1", "first"), ("O2", None)]
    assert rnd.status == "published"
    assert [p.start for p in rnd.publications] == ["2025-05-20", "2025-05-22"]
    notice = rnd.publicity.reason
    assert "town@3" in notice and "县委组织部决定只设一等奖" in notice  # why
    assert "O2：奖项 second→无" in notice and "O1：" not in notice  # what changed, for whom
    assert rnd.publicity.end == "2025-05-28"  # a full period of 5 working days from the re-rank
    reranked = [e for e in app.repository.event_store.get(rnd.id) if isinstance(e, ev.Reranked)]
    assert reranked[-1].changed == ["O2"]


def test_a_rerank_that_changes_no_published_result_needs_no_new_period(in_publicity):
    app = in_publicity
    app.rerank("R1", "town@4", "奖项名称更正", ADMIN)
    rnd, _ = app.ranking("R1")
    assert rnd.rules["version"] == 4 and len(rnd.publications) == 1 and rnd.status == "published"


def test_objections_are_accepted_in_the_new_period_and_it_must_end_before_finalizing(in_publicity, clock):
    app = in_publicity
    app.rerank("R1", "town@3", "只设一等奖", ADMIN)
    clock.set("2025-05-27T10:00")  # the first period is over, the new one is not
    with pytest.raises(errors.NotFinalYet):
        app.finalize("R1", ADMIN)
    app.file_appeal("R1", "objection", "书记O2", "139", "二等奖不应取消", ADMIN, entrant="O2")


# -- a re-rank of a final round that has promoted ----------------------------------------------


@pytest.fixture
def promoted(app, clock):
    """The example's township rounds final and promoted into the county final, which has
    not started; township-2025@2 promotes one per township instead of two."""
    import_scenario(app, EXAMPLE, ADMIN)
    for code in TOWNSHIPS:
        app.close_round(code, ADMIN)
        app.publish(code, ADMIN, on=date(2025, 5, 20))
    clock.set("2025-05-27T08:00")
    for code in TOWNSHIPS:
        app.finalize(code, ADMIN)
        app.promote(code, ADMIN)
    app.register_ruleset(ONE_FINALIST, "township-2025-v2.toml", ADMIN)
    final, _ = app.ranking(FINAL)
    assert final.status == "scheduled" and len(final.entrants) == 12
    return app


def test_a_rerank_of_a_final_round_revises_the_finalists_of_a_final_not_yet_started(promoted, store_url):
    app = promoted
    before = app.ranking(GL)[0]
    first, second = [r["entrant"] for r in before.results if r["promotion"] == "promoted"]
    assert (first, second) == (FIRST, SECOND)
    app.rerank(GL, "township-2025@2", "旗委组织部决定每个苏木镇只取第一名", ADMIN)
    rnd, _ = app.ranking(GL)
    # the results changed: published again, from today, for a full period; final again after it
    assert rnd.status == "published" and rnd.publicity.start == "2025-05-27"
    assert f"{second}：晋级 晋级→候补" in rnd.publicity.reason
    # the finalists are revised by events: the one no longer promoted withdrawn with the reason
    final, _ = app.ranking(FINAL)
    assert final.entrants[second].status == "withdrawn"
    assert "旗委组织部决定每个苏木镇只取第一名" in final.entrants[second].reason and GL in final.entrants[second].reason
    assert final.entrants[first].status == "active"
    assert sum(e.status == "active" for e in final.entrants.values()) == 11
    assert [(r["kind"], r["entrant"]) for r in final.revisions] == [("withdrawn", second)]  # the first is unchanged
    # promote answers with the promotion as it stands now
    assert app.promote(GL, ADMIN)["promoted"] == [first]
    # the explanation in the final says why the entrant is out
    x = explanation(final, app.ranking(FINAL)[1], second)
    assert x["entrant_status"] == "withdrawn" and "不再晋级" in x["status_reason"]
    assert x["admission"]["revisions"][0]["kind"] == "withdrawn"
    report = verify_folder(folded(store_url))
    assert report.ok, report.findings
    # back under quota 2 (the round is in publicity again, its promotion revised): admitted again
    app.rerank(GL, "township-2025@1", "恢复每个苏木镇取前两名", ADMIN)
    final, _ = app.ranking(FINAL)
    assert final.entrants[second].status == "active" and "恢复" in final.entrants[second].source["revision"]
    assert [(r["kind"], r["entrant"]) for r in final.revisions] == [("withdrawn", second), ("admitted", second)]
    assert app.promote(GL, ADMIN)["promoted"] == [first, second]
    assert verify_folder(folded(store_url)).ok


def test_a_rerank_that_would_change_the_finalists_of_a_started_final_is_refused(promoted):
    app = promoted
    app.open_round(FINAL, ADMIN)
    before = event_count(app)
    with pytest.raises(errors.PromotionsLocked) as refused:
        app.rerank(GL, "township-2025@2", "每个苏木镇只取第一名", ADMIN)
    assert refused.value.fields["target"] == FINAL and "WS-GL-08" in refused.value.message("zh")
    assert event_count(app) == before
    assert app.ranking(GL)[0].status == "final"


def test_a_rerank_of_a_final_round_that_keeps_its_finalists_is_allowed_after_the_final_started(promoted):
    app = promoted
    app.open_round(FINAL, ADMIN)
    same = V1.replace("version = 1", "version = 3").replace('title = "', 'title = "（重新登记）')
    app.register_ruleset(same, "township-2025-v3.toml", ADMIN)
    app.rerank(GL, "township-2025@3", "规则标题更正", ADMIN)
    rnd, _ = app.ranking(GL)
    assert rnd.rules["version"] == 3 and rnd.status == "final" and len(rnd.publications) == 1


def test_verify_names_a_finalist_its_source_round_no_longer_promotes(promoted, store_url):
    """A history an earlier version recorded: the re-rank changed the promotions and the
    final kept both old finalists.  Verify names the round and the entrant; promote mends it."""
    app = promoted

    def old_rerank(s):
        rnd = s.round(GL)
        ref = s.rules_ref("township-2025@2")
        rnd.rules, previous = dict(ref), rnd.rules
        seal, result = rnd.seal_for({}), rnd.compute(s.rules(ref), {})
        rnd.rules = previous
        rnd._record(ev.Reranked, ADMIN, None, rules=dict(ref), seal=seal, results=result.compact(), reason="旧版")

    app.run(old_rerank)
    report = verify_folder(folded(store_url))
    findings = [(f.round, f.check) for f in report.findings]
    assert (FINAL, "finalists") in findings, report.findings
    assert any(SECOND in f.detail and GL in f.detail for f in report.findings)
    assert app.promote(GL, ADMIN)["promoted"] == [FIRST]
    assert app.ranking(FINAL)[0].entrants[SECOND].status == "withdrawn"
    assert verify_folder(folded(store_url)).ok


def test_verify_names_an_entrant_promoted_now_but_missing_from_the_final(promoted, store_url):
    app = promoted

    def withdrawn_as_if_revised(s):
        final = s.round(FINAL)
        final._record(ev.FinalistWithdrawn, ADMIN, None, entrant=FIRST, source={"round": GL}, reason="误撤")

    app.run(withdrawn_as_if_revised)
    report = verify_folder(folded(store_url))
    assert any(f.round == FINAL and f.check == "finalists" and f.expected == FIRST for f in report.findings)


# -- adoption ----------------------------------------------------------------------------------


OTHER = """
code = "other"
version = 1
[[criteria]]
code = "party"
max = 30
[[criteria]]
code = "industry"
max = 20
[panel]
method = "mean"
min_judges = 1
"""


def test_adopting_for_a_unit_changes_only_the_rounds_under_the_adopted_rules_code(app):
    small_contest(app)
    app.register_ruleset(OTHER, "other.toml", ADMIN)
    app.schedule_round("c", RoundSpec("R3", "township", "T1", "2025-05", "other", judges=("J1",)), ADMIN)
    app.open_round("R3", ADMIN)
    app.register_ruleset(RULES.replace("version = 1", "version = 2").replace('"trimmed_mean"', '"median"'),
                         "town2.toml", ADMIN)
    outcome = app.adopt_ruleset("c", "town@2", {"unit": "T1"}, "一镇采用第 2 版", ADMIN)
    assert outcome["assigned"] == ["R1"] and outcome["other_rules"] == ["R3"]
    assert app.ranking("R3")[0].rules["code"] == "other"
    for scope in ({"level": "township"}, {"contest": True}):
        app.register_ruleset(RULES.replace("version = 1", "version = 3"), "town3.toml", ADMIN)
        assert "R3" in app.adopt_ruleset("c", "town@3", scope, "全县采用第 3 版", ADMIN)["other_rules"]
        assert app.ranking("R3")[0].rules["code"] == "other"
    explicit = app.adopt_ruleset("c", "town@3", {"rounds": ["R3"]}, "R3 明确改用", ADMIN)
    assert explicit["assigned"] == ["R3"] and app.ranking("R3")[0].rules == app.ranking("R1")[0].rules


# -- inputs and votes --------------------------------------------------------------------------


def test_a_value_that_replaces_another_needs_a_reason_and_both_stay_in_the_history(app, store_url):
    small_contest(app)
    score_all(app)
    first = app.record_input("R1", "O1", "daily", "80", ADMIN)
    before = event_count(app)
    with pytest.raises(errors.InputReplacementNeedsReason) as refused:
        app.record_input("R1", "O1", "daily", "85", ADMIN)
    assert event_count(app) == before
    assert refused.value.field_errors("en").keys() == {"reason"}
    assert "daily" in refused.value.message("zh") and "O1" in refused.value.message("zh")
    assert f"R1#{first}" in refused.value.message("zh")
    assert app.record_input("R1", "O1", "daily", "80", ADMIN) is None  # the same value: nothing to replace
    clerk = Actor("clerk-2", "admin")  # who changed it is recorded
    second = app.record_input("R1", "O1", "daily", "85", clerk, reason="考核办复核后更正")
    x = explanation(*app.ranking("R1"), "O1")
    [entry] = x["inputs"]
    assert (entry["component"], entry["value"], entry["event"]) == ("daily", "85", f"R1#{second}")
    assert [(h["event"], h["value"], h["actor"], h["reason"]) for h in entry["history"]] == [
        (f"R1#{first}", "80", ADMIN.id, None), (f"R1#{second}", "85", "clerk-2", "考核办复核后更正")]
    assert all(h["at"] and h["at"].startswith("20") for h in entry["history"])
    timeline = [(h["event"], h["kind"]) for h in x["history"] if h["kind"].startswith("input")]
    assert timeline == [(f"R1#{first}", "input"), (f"R1#{second}", "input_replaced")]
    # the read side folds the same from the events
    source = EventSource(parse_url(store_url))
    try:
        folded_x = audit.audit(source, "R1", "O1")
    finally:
        source.close()
    assert folded_x["inputs"] == x["inputs"]


def test_inputs_are_in_the_seal_as_the_rulebook_says(app):
    """rulebook 11.1: InputRecorded enters the seal with entrant, component and value (the
    reason, the actor and the time do not)."""
    small_contest(app)
    score_all(app)
    app.record_input("R1", "O1", "daily", "80", ADMIN)
    app.record_input("R1", "O1", "daily", "85", ADMIN, reason="复核更正")
    seal = app.close_round("R1", ADMIN)
    rnd = app.ranking("R1")[0]
    fields = {"JudgeSeated": ("judge",), "EntrantAdmitted": ("entrant",), "JudgeRecused": ("judge", "entrant"),
              "SheetSubmitted": ("judge", "entrant", "marks"), "InputRecorded": ("entrant", "component", "value")}
    events = [{"event": type(e).__name__, "seq": e.originator_version,
               **{f: getattr(e, f) for f in fields[type(e).__name__]}}
              for e in app.repository.event_store.get(rnd.id) if type(e).__name__ in fields]
    inputs = [e for e in events if e["event"] == "InputRecorded"]
    assert [e["value"] for e in inputs] == ["80", "85"] and all("reason" not in e for e in inputs)
    import hashlib

    body = canonical_json({"round": "R1", "rules": rnd.rules, "events": events, "links": {}})
    assert seal == "sha256:" + hashlib.sha256(body.encode("utf-8")).hexdigest()


def test_an_appeal_s_reply_is_the_reason_of_a_value_it_replaces(app, clock):
    small_contest(app)
    score_all(app)
    app.record_input("R1", "O2", "daily", "60", ADMIN)
    app.close_round("R1", ADMIN)
    app.publish("R1", ADMIN, on=date(2025, 5, 20))
    clock.set("2025-05-21T10:00")
    number = app.file_appeal("R1", "appeal", "书记O2", "139", "考核分录错", ADMIN, entrant="O2")
    app.rule_appeal("R1", number, "upheld", "核实后更正为 70。", ADMIN)
    app.record_input("R1", "O2", "daily", "70", ADMIN, appeal=number)
    [entry] = explanation(*app.ranking("R1"), "O2")["inputs"]
    assert entry["history"][-1]["reason"] == f"申诉 R1#{number} 成立：核实后更正为 70。"
    assert entry["history"][-1]["appeal"] == f"R1#{number}"


def test_an_import_replacing_a_value_without_a_reason_is_refused_naming_the_column(app, tmp_path):
    small_contest(app)
    app.record_input("R1", "O1", "daily", "80", ADMIN)
    directory = tmp_path / "more"
    directory.mkdir()
    (directory / "inputs.csv").write_text("round_code,entrant_code,component_code,value\nR1,O1,daily,85\n",
                                          encoding="utf-8")
    before = event_count(app)
    with pytest.raises(errors.LeitaiError) as refused:
        import_scenario(app, directory, ADMIN)
    assert event_count(app) == before
    text = refused.value.message("en")
    assert "inputs.csv" in text and "reason" in text and "row 2" in text, text
    (directory / "inputs.csv").write_text(
        "round_code,entrant_code,component_code,value,reason\nR1,O1,daily,85,考核办复核\n", encoding="utf-8")
    import_scenario(app, directory, ADMIN)
    [entry] = explanation(*app.ranking("R1"), "O1")["inputs"]
    assert entry["history"][-1]["reason"] == "考核办复核"
    assert json.dumps(entry, ensure_ascii=False)
