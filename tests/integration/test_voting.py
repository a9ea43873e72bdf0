"""Ballots and voting rounds (rulebook section 18), on SQLite and PostgreSQL: anonymous
ballots, the refusals, the count feeding the votes component exactly, a recount by replay."""

from __future__ import annotations

import re
from fractions import Fraction

import pytest

from domain import errors
from domain.model.base import Actor
from domain.services.setup import RoundSpec
from domain.services.store import parse_url
from projections.queries import ReadModels
from projections.runner import Projector
from projections.voting import ballot_boxes
from tests.conftest import ADMIN, event_count
from tests.scenario import small_contest

VOTE_RULES = """
code = "vote"
version = 1
title = "投票评选"
[[criteria]]
code = "speech"
max = 10
[[components]]
code = "votes"
source = "votes"
max = 100
[voting]
component = "votes"
choices = 2
[[voting.groups]]
code = "party"
name = "党员代表"
weight = "0.4"
[[voting.groups]]
code = "people"
name = "群众代表"
weight = "0.4"
[[voting.groups]]
code = "cadres"
name = "镇村干部"
weight = "0.2"
[[voting.rounds]]
carry = 2
[[voting.rounds]]
"""
DESK = Actor("desk-1", "admin")


@pytest.fixture
def voting(app):
    """Round V at county C with O1-O4 as entrants, under rules with two voting rounds (carry 2)."""
    small_contest(app)
    app.register_organization("c", "O4", "村O4", "T2", "village", "", "书记O4", ADMIN)
    app.register_ruleset(VOTE_RULES, "vote.toml", ADMIN)
    app.schedule_round("c", RoundSpec("V", "county", "C", "2025-06", "vote", entrants=("O1", "O2", "O3", "O4")),
                       ADMIN)
    app.open_round("V", ADMIN)
    app.open_voting("V", DESK)
    return app


def cast_first_round(app) -> None:
    # party 4 ballots, people 2, cadres none: cadres' 0.2 goes to the others in proportion
    for ballot, group, choices in (("P1", "party", ["O1", "O2"]), ("P2", "party", ["O1"]), ("P3", "party", ["O3"]),
                                   ("P4", "party", ["O2", "O3"]), ("Q1", "people", ["O4"]),
                                   ("Q2", "people", ["O1", "O4"])):
        app.cast_ballot("V", group, ballot, choices, DESK)


def project(url: str) -> ReadModels:
    projector = Projector(parse_url(url))
    projector.load()
    projector.catch_up()
    projector.close()
    return ReadModels(parse_url(url))


def test_a_ballot_naming_more_entrants_than_the_rules_allow_is_refused_and_records_nothing(voting):
    before = event_count(voting)
    with pytest.raises(errors.InvalidValue) as refused:
        voting.cast_ballot("V", "party", "P1", ["O1", "O2", "O3"], DESK)
    assert refused.value.fields["field"] == "choices"
    assert "最多可选 2 个组织，这张选了 3 个" in refused.value.message("zh")
    boxes = voting.read(lambda s: s.ballot_boxes("V"))
    assert boxes[0].ballots == {} and event_count(voting) == before


def test_the_same_ballot_number_twice_an_unknown_group_and_the_same_entrant_twice_are_refused(voting):
    voting.cast_ballot("V", "party", "P1", ["O1"], DESK)
    with pytest.raises(errors.InvalidValue, match="recorded already"):
        voting.cast_ballot("V", "people", "P1", ["O2"], DESK)
    with pytest.raises(errors.InvalidValue) as bad_group:
        voting.cast_ballot("V", "youth", "P2", ["O2"], DESK)
    assert bad_group.value.fields["field"] == "group"
    with pytest.raises(errors.InvalidValue, match="named twice"):
        voting.cast_ballot("V", "party", "P3", ["O2", "O2"], DESK)
    with pytest.raises(errors.InvalidValue, match="not a candidate"):
        voting.cast_ballot("V", "party", "P4", ["O9"], DESK)
    assert list(voting.read(lambda s: s.ballot_boxes("V"))[0].ballots) == ["P1"]


def test_no_voter_is_stored_anywhere_only_the_counting_desk(voting):
    voting.cast_ballot("V", "party", None, ["O1"], DESK)
    recorded = list(voting.repository.event_store.get(voting.read(lambda s: s.ballot_boxes("V"))[0].id))
    cast = [e for e in recorded if type(e).__name__ == "BallotCast"]
    assert len(cast) == 1
    fields = set(vars(cast[0]))
    assert fields - {"originator_id", "originator_version", "timestamp"} == {"ballot", "group", "choices", "actor",
                                                                            "role", "key"}
    assert cast[0].actor == "desk-1" and cast[0].ballot == "00001"  # the desk that entered it; a number, no voter


def test_counting_ranks_by_weighted_tally_carries_the_top_and_opens_the_next_voting_round(voting):
    cast_first_round(voting)
    tally = voting.count_votes("V", DESK)
    by = {e["entrant"]: e for e in tally["entries"]}
    # party n=4, people n=2, cadres n=0 -> effective weights 1/2, 1/2
    assert Fraction(by["O1"]["weighted"]) == Fraction(1, 2) * Fraction(2, 4) + Fraction(1, 2) * Fraction(1, 2)
    assert Fraction(by["O4"]["weighted"]) == Fraction(1, 2)  # people 2/2
    assert Fraction(by["O2"]["weighted"]) == Fraction(1, 4) and Fraction(by["O3"]["weighted"]) == Fraction(1, 4)
    assert tally["carried"] == ["O1", "O4"]
    boxes = voting.read(lambda s: s.ballot_boxes("V"))
    assert [b.status for b in boxes] == ["announced", "open"] and boxes[1].candidates == ["O1", "O4"]
    with pytest.raises(errors.InvalidValue, match="not a candidate"):
        voting.cast_ballot("V", "party", "R1", ["O2"], DESK)  # eliminated in voting round 1


def test_after_the_count_no_ballot_is_accepted_and_the_last_count_feeds_the_votes_component_exactly(voting):
    cast_first_round(voting)
    voting.count_votes("V", DESK)
    for ballot, group, choices in (("1", "party", ["O1"]), ("2", "party", ["O1", "O4"]), ("3", "people", ["O4"]),
                                   ("4", "cadres", ["O1"]), ("5", "cadres", ["O4"]), ("6", "cadres", ["O4"])):
        voting.cast_ballot("V", group, ballot, choices, DESK)
    final = voting.count_votes("V", DESK)
    assert final["last"] and final["carried"] == []
    w = {e["entrant"]: Fraction(e["weighted"]) for e in final["entries"]}
    assert w["O1"] == Fraction(2, 5) * 1 + Fraction(2, 5) * 0 + Fraction(1, 5) * Fraction(1, 3)  # 7/15
    assert w["O4"] == Fraction(2, 5) * Fraction(1, 2) + Fraction(2, 5) * 1 + Fraction(1, 5) * Fraction(2, 3)  # 11/15
    with pytest.raises(errors.VotingCounted):
        voting.cast_ballot("V", "party", "7", ["O1"], DESK)
    with pytest.raises(errors.VotingCounted):
        voting.count_votes("V", DESK)
    result = voting.read(lambda s: s.result(s.round("V")))
    value = {e.entrant: e.components["votes"] for e in result.entries}
    assert value["O4"] == 100 and value["O1"] == Fraction(100) * Fraction(7, 11)  # max × W / top W, exact
    assert value["O2"] == 0 and value["O3"] == 0  # eliminated in voting round 1


def test_the_counted_votes_component_cannot_be_entered_or_overwritten_by_hand(voting):
    """An admin may not put a count of its own in place of the ballots' (rulebook 18.4)."""
    with pytest.raises(errors.VotesFromBallots):
        voting.record_input("V", "O2", "votes", "50", ADMIN)
    cast_first_round(voting)
    voting.count_votes("V", DESK)
    voting.cast_ballot("V", "party", "1", ["O1"], DESK)
    voting.count_votes("V", DESK)
    before = event_count(voting)
    for who in (ADMIN, DESK):
        with pytest.raises(errors.VotesFromBallots) as refused:
            voting.record_input("V", "O1", "votes", "100", who, reason="重新核对票数")
        assert "leitai vote count V" in refused.value.message("en") and "计票" in refused.value.message("zh")
    assert event_count(voting) == before
    result = voting.read(lambda s: s.result(s.round("V")))
    assert {e.entrant: e.components["votes"] for e in result.entries}["O1"] == 100  # O1 alone in round 2


def test_an_entrant_withdrawn_after_the_voting_opened_is_no_choice_and_is_not_carried(voting):
    cast_first_round(voting)  # O1 and O4 lead: they would be carried
    voting.withdraw("V", "O4", "因故退出比武", ADMIN)
    before = event_count(voting)
    with pytest.raises(errors.InvalidValue) as refused:
        voting.cast_ballot("V", "party", "P9", ["O4"], DESK)
    assert refused.value.fields["field"] == "choices" and "退出" in refused.value.message("zh")
    assert event_count(voting) == before
    tally = voting.count_votes("V", DESK)
    assert tally["carried"] == ["O1", "O4"]  # the count stands as the ballots give it ...
    box = voting.read(lambda s: s.current_box("V"))
    assert box.number == 2 and box.candidates == ["O1"]  # ... but O4 is not carried


def test_a_voided_ballot_is_not_counted_and_its_reason_is_kept(voting):
    cast_first_round(voting)
    voting.void_ballot("V", "Q2", "字迹无法辨认", DESK)
    tally = voting.count_votes("V", DESK)
    assert tally["voided"] == 1 and [g["ballots"] for g in tally["groups"]] == [4, 1, 0]
    box = voting.read(lambda s: s.ballot_boxes("V"))[0]
    assert box.ballots["Q2"]["voided"] == "字迹无法辨认"


def test_a_judge_an_entrant_and_another_units_admin_may_not_touch_a_ballot_box(voting):
    from domain.access import Grant, Principal

    cast_first_round(voting)
    judge = Principal("j1", (Grant("judge", "c", judge="J1"),))
    entrant = Principal("o1", (Grant("organization", "c", organization="O1"),))
    other = Principal("t2", (Grant("admin", "c", unit="T2"),))
    auditor = Principal("aud", (Grant("auditor", "c"),))
    for who in (judge, entrant, other, auditor):
        with pytest.raises(errors.OutOfScope):
            voting.execute(lambda s: s.cast_ballot("V", "party", "X9", ["O1"], Actor("x", "admin")), "round V",
                           principal=who)
    desk = Principal("county", (Grant("admin", "c", unit="C"),))
    voting.execute(lambda s: s.cast_ballot("V", "party", "X9", ["O1"], Actor("county", "admin")), "round V",
                   principal=desk)


def test_the_read_model_shows_counts_per_group_and_the_announced_tally(voting, store_url):
    cast_first_round(voting)
    read = project(store_url)
    try:
        boxes = ballot_boxes(read, "V")
        assert boxes[0]["status"] == "open" and boxes[0]["by_group"] == {"party": 4, "people": 2, "cadres": 0}
        assert boxes[0]["tally"] is None and boxes[0]["names"]["O1"] == "村O1"
    finally:
        read.close()
    voting.count_votes("V", DESK)
    read = project(store_url)
    try:
        boxes = ballot_boxes(read, "V")
        assert [b["status"] for b in boxes] == ["announced", "open"]
        assert boxes[0]["tally"]["carried"] == ["O1", "O4"]
    finally:
        read.close()


def test_a_recount_is_a_replay_from_the_recorded_ballots_under_other_weights(voting, store_url):
    from domain.rules.ruleset import parse_ruleset
    from projections.replay import Selection, replay
    from tests.integration.test_replay_verify import folded

    cast_first_round(voting)
    voting.count_votes("V", DESK)
    same = replay(folded(store_url), parse_ruleset(VOTE_RULES.replace("version = 1", "version = 2")),
                  Selection(rounds=("V",)))
    assert [(v["voting_round"], v["changes"]) for v in same["voting"]] == [(1, [])]
    assert same["summary"]["tallies_changed"] == 0
    # the party's word weighs more, carry 1: O1 (party 2 of 4) alone would go on, not O4 (people 2 of 2)
    other = VOTE_RULES.replace("version = 1", "version = 3").replace('weight = "0.4"\n[[voting.groups]]\ncode = '
                                                                      '"people"', 'weight = "0.7"\n[[voting.groups]]'
                                                                      '\ncode = "people"')
    other = other.replace('name = "群众代表"\nweight = "0.4"', 'name = "群众代表"\nweight = "0.1"')
    other = other.replace("carry = 2", "carry = 1")
    report = replay(folded(store_url), parse_ruleset(other), Selection(rounds=("V",)))
    changes = {c["entrant"]: c for c in report["voting"][0]["changes"]}
    # cadres cast none: party 7/8, people 1/8 -> W(O1) = 7/8 × 2/4 + 1/8 × 1/2 = 1/2 as before, W(O4) = 1/8,
    # W(O2) = W(O3) = 7/8 × 2/4 = 7/16
    assert "O1" not in changes
    assert Fraction(changes["O4"]["weighted"][1]) == Fraction(1, 8) and changes["O4"]["carried"] == [True, False]
    assert Fraction(changes["O2"]["weighted"][1]) == Fraction(7, 16) and changes["O2"]["rank"] == [3, 2]
    assert report["voting"][0]["next_candidates"] == [["O1", "O4"], ["O1"]]
    assert report["summary"]["tallies_changed"] == 1
    assert voting.read(lambda s: s.ballot_boxes("V"))[0].tally["carried"] == ["O1", "O4"]  # nothing recorded


def test_a_command_retried_with_its_key_after_the_count_records_nothing_in_the_next_voting_round(voting):
    cast_first_round(voting)
    voting.cast_ballot("V", "cadres", "G1", ["O2"], DESK, key="desk:g1")
    first = voting.count_votes("V", DESK, key="desk:count-1")
    assert voting.count_votes("V", DESK, key="desk:count-1") == first  # the same answer, nothing counted again
    assert voting.cast_ballot("V", "cadres", "G1", ["O2"], DESK, key="desk:g1") == {"ballot": "G1", "voting_round": 1}
    boxes = voting.read(lambda s: s.ballot_boxes("V"))
    assert [b.status for b in boxes] == ["announced", "open"] and boxes[1].ballots == {}


def test_a_blank_ballot_number_over_http_is_no_number_and_needs_an_idempotency_key(voting):
    """Rulebook 18.2: ``"ballot": ""`` (or blanks) is a ballot without its number, so without
    an Idempotency-Key a request sent again would be a second ballot: refused, nothing recorded."""
    from tests.http import Client, add_account, serve, stop

    add_account(voting, "county", "admin", contest="c", unit="C")
    web = serve(voting)
    try:
        county = Client(web, "county")
        path = "/api/rounds/V/voting/ballots"
        before = event_count(voting)
        for blank in ("", "   ", None):
            refused = county.post(path, {"group": "party", "choices": ["O1"], "ballot": blank}, expect=422)
            assert "ballot" in refused["errors"] and "Idempotency-Key" in refused["errors"]["ballot"], refused
        assert event_count(voting) == before
        answers = [county.post(path, {"group": "party", "choices": ["O1"], "ballot": " "},
                               headers={"Idempotency-Key": "desk-blank-1"}) for _ in range(2)]
        assert answers[0]["ballot"] == answers[1]["ballot"] == "00001"  # the next in sequence, recorded once
        assert voting.read(lambda s: sorted(s.current_box("V").ballots)) == ["00001"]
    finally:
        stop(web)


BALLOTS = [(2, "", "party", "O1,O2"), (3, "", "party", "O3"), (4, "", "people", "O4"), (5, "", "cadres", "")]
DIGEST = "5" * 64


def test_the_same_ballots_file_is_not_imported_twice_into_a_ballot_box(voting, store_url):
    """Blank ballot numbers are numbered anew on each import: the file's SHA-256, recorded with its
    ballots, refuses the same file again (whatever its name), saying when and by whom it came in."""
    done = voting.run(lambda s: s.cast_ballots("V", BALLOTS, "第1轮选票.csv", DIGEST, DESK))
    assert done == {"cast": 4, "voting_round": 1}
    box = voting.read(lambda s: s.current_box("V"))
    assert len(box.ballots) == 4 and box.files[DIGEST]["file"] == "第1轮选票.csv" and box.files[DIGEST]["rows"] == 4
    before = event_count(voting)
    with pytest.raises(errors.BallotFileImportedAlready) as refused:
        voting.run(lambda s: s.cast_ballots("V", BALLOTS, "第1轮选票(1).csv", DIGEST, Actor("desk-2", "admin")))
    zh, en = refused.value.message("zh"), refused.value.message("en")
    assert "第1轮选票.csv" in zh and "desk-1" in zh and "本次未登记任何内容" in zh, zh
    assert re.search(r"与 \d{4}-\d\d-\d\d \d\d:\d\d:\d\d 由 desk-1 导入", zh), zh  # when it was imported
    assert "imported into voting round 1 of round V" in en and "nothing was recorded" in en, en
    assert refused.value.field_errors("en").keys() == {"file"}
    assert event_count(voting) == before
    assert len(voting.read(lambda s: s.current_box("V")).ballots) == 4  # not doubled
    for bad in ("", "abc", None):
        with pytest.raises(errors.InvalidValue):
            voting.run(lambda s, d=bad: s.cast_ballots("V", BALLOTS, "x.csv", d, DESK))
    voting.run(lambda s: s.cast_ballots("V", BALLOTS[:1], "补登.csv", "6" * 64, DESK))  # another file goes in
    # the read side folds the new event with the box's others
    read = project(store_url)
    try:
        assert ballot_boxes(read, "V")[0]["by_group"] == {"party": 3, "people": 1, "cadres": 1}
    finally:
        read.close()
    voting.count_votes("V", DESK)  # the next voting round's box is another box: the same file may go there
    carried = voting.read(lambda s: s.current_box("V")).candidates
    voting.run(lambda s: s.cast_ballots("V", [(2, "", "party", carried[0])], "第1轮选票.csv", DIGEST, DESK))
