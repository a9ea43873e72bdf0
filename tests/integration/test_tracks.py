"""Tracks (赛道, rulebook section 20), on both stores: declared in contest.toml, organizations
placed in a track from organizations.csv, rounds of a track admitting only their track,
standings and consequences per track, and a change of track only between periods."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from api.importing.scenario import ImportErrors, import_scenario
from domain import errors
from domain.services.setup import RoundSpec
from projections.tracks import period as track_period
from projections.tracks import track_history
from tests.conftest import ADMIN
from tests.integration.test_projections import project
from tests.scenario import RULES, judge, small_contest

CONTEST = """
code = "t"
title = "赛道测试"
levels = ["township", "county"]
consequences = { top = 1, bottom = 1 }

[[tracks]]
code = "village"
name = "嘎查村"

[[tracks]]
code = "community"
name = "社区"

[[units]]
code = "C"
name = "某旗"
level = "county"

[[units]]
code = "T1"
name = "一镇"
level = "township"
parent = "C"

[[rounds]]
code = "RV-05"
level = "township"
unit = "T1"
period = "2025-05"
rules = "town"
judges = ["J1", "J2", "J3"]
track = "village"

[[rounds]]
code = "RS-05"
level = "township"
unit = "T1"
period = "2025-05"
rules = "town"
judges = ["J1", "J2", "J3"]
track = "community"
"""
ORGANIZATIONS = """org_code,name,unit_code,sector,category,secretary,track
V1,一村,T1,village,,书记一,village
V2,二村,T1,village,,书记二,village
V3,三村,T1,village,,书记三,village
S1,东社区,T1,community,,书记四,community
S2,西社区,T1,community,,书记五,community
"""
JUDGES = "judge_code,name,home_unit_code,affiliation\nJ1,评委一,C,\nJ2,评委二,C,\nJ3,评委三,C,\n"
MARKS = {"V1": ("25", "15"), "V2": ("20", "12"), "V3": ("22", "14"), "S1": ("18", "10"), "S2": ("26", "16")}


def scenario(folder: Path, contest: str = CONTEST, organizations: str = ORGANIZATIONS) -> Path:
    (folder / "rules").mkdir(parents=True, exist_ok=True)
    (folder / "rules" / "town.toml").write_text(RULES, encoding="utf-8")
    (folder / "contest.toml").write_text(contest, encoding="utf-8")
    (folder / "organizations.csv").write_text(organizations, encoding="utf-8")
    (folder / "judges.csv").write_text(JUDGES, encoding="utf-8")
    return folder


@pytest.fixture
def tracked(app, clock, tmp_path):
    """Both May rounds of T1 scored, published and final: V1 40, V3 36, V2 32; S2 42, S1 28."""
    import_scenario(app, scenario(tmp_path / "t"), ADMIN)
    return score_may(app, clock)


def score_may(app, clock):
    """RV-05 and RS-05 scored with MARKS, published and final."""
    for rnd in ("RV-05", "RS-05"):
        app.open_round(rnd, ADMIN)
    for entrant, (p, i) in MARKS.items():
        rnd = "RV-05" if entrant.startswith("V") else "RS-05"
        for code in ("J1", "J2", "J3"):
            app.submit_sheet(rnd, code, entrant, {"party": p, "industry": i}, judge(code))
    for rnd in ("RV-05", "RS-05"):
        app.close_round(rnd, ADMIN)
        app.publish(rnd, ADMIN, on=date(2025, 5, 21))
    clock.set("2025-06-05T09:00")
    for rnd in ("RV-05", "RS-05"):
        app.finalize(rnd, ADMIN)
    return app


def test_a_round_of_a_track_takes_only_its_track_s_organizations_of_the_unit(tracked):
    entrants = {code: sorted(tracked.read(lambda s, c=code: s.round(c)).entrants) for code in ("RV-05", "RS-05")}
    assert entrants == {"RV-05": ["V1", "V2", "V3"], "RS-05": ["S1", "S2"]}
    contest = tracked.read(lambda s: s.contest("t"))
    assert contest.tracks == {"village": "嘎查村", "community": "社区"}
    assert contest.rounds["RV-05"].track == "village"


def test_standings_are_ranked_within_each_track(tracked):
    village = tracked.read(lambda s: s.standings("t", "T1", "2025-05", "village"))
    community = tracked.read(lambda s: s.standings("t", "T1", "2025-05", "community"))
    assert [(s.entrant, str(s.shown), s.rank) for s in village.standings] == [
        ("V1", "40.00", 1), ("V3", "36.00", 2), ("V2", "32.00", 3)]
    assert [(s.entrant, str(s.shown), s.rank) for s in community.standings] == [("S2", "42.00", 1), ("S1", "28.00", 2)]
    pooled = tracked.read(lambda s: s.standings("t", "T1", "2025"))  # every track one after another
    assert [s.entrant for s in pooled.standings] == ["V1", "V3", "V2", "S2", "S1"]
    assert pooled.tracks == {"V1": "village", "V3": "village", "V2": "village", "S2": "community", "S1": "community"}
    with pytest.raises(errors.InvalidValue, match="not a track"):
        tracked.read(lambda s: s.standings("t", "T1", "2025-05", "school"))


def test_the_read_side_keeps_standings_and_consequences_per_track(tracked, store_url):
    read = project(store_url)
    data = track_period(read, "t", "T1", "2025-05")
    assert [(s["track"], s["name"]) for s in data["sections"]] == [("village", "嘎查村"), ("community", "社区")]
    village, community = data["sections"]
    assert [(r["entrant"], r["rank"], r["track"]) for r in village["standings"]] == [
        ("V1", 1, "village"), ("V3", 2, "village"), ("V2", 3, "village")]
    assert [(r["entrant"], r["rank"]) for r in community["standings"]] == [("S2", 1), ("S1", 2)]
    # top 1 and bottom 1 in each track, each track's leader paired with its own last
    assert [(c["kind"], c["entrant"], c["partner"]) for c in village["consequences"]] == [
        ("top", "V1", None), ("bottom", "V2", None), ("pairing", "V1", "V2")]
    assert [(c["kind"], c["entrant"], c["partner"]) for c in community["consequences"]] == [
        ("top", "S2", None), ("bottom", "S1", None), ("pairing", "S2", "S1")]
    only = track_period(read, "t", "T1", "2025-05", "community")
    assert [s["track"] for s in only["sections"]] == ["community"]
    read.close()


def test_a_change_of_track_between_periods_is_recorded_and_places_later_periods(tracked, store_url):
    assert tracked.change_track("t", "V3", "community", "2025-06", "村改社区（撤村建居）", ADMIN)
    org = tracked.read(lambda s: s.organization("V3"))
    assert [org.track_in(p) for p in ("2025-05", "2025-06", "2025-Q2", "2025-Q3", "2025", "2026")] == [
        "village", "community", "village", "community", "village", "community"]
    assert not tracked.change_track("t", "V3", "community", "2025-07", "再次登记", ADMIN)  # nothing to change
    read = project(store_url)
    history = track_history(read, "V3")
    assert [(h["from_period"], h["track"], h["reason"]) for h in history] == [
        ("", "village", "organizations.csv imported"), ("2025-06", "community", "村改社区（撤村建居）")]
    # May was scored in the village track, and stays so
    may = track_period(read, "t", "T1", "2025-05")
    assert [r["entrant"] for r in may["sections"][0]["standings"]] == ["V1", "V3", "V2"]
    read.close()
    # a June round of the village track no longer takes V3, and refuses it by name
    tracked.schedule_round("t", RoundSpec("RV-06", "township", "T1", "2025-06", "town", judges=("J1", "J2", "J3"),
                                          track="village"), ADMIN)
    assert sorted(tracked.read(lambda s: s.round("RV-06")).entrants) == ["V1", "V2"]
    with pytest.raises(errors.InvalidValue, match="competes in 社区") as refused:
        tracked.admit_entrant("RV-06", "V3", ADMIN)
    assert "属于 社区（community）" in refused.value.message("zh")


def test_a_change_of_track_inside_a_scored_period_is_refused(tracked):
    before = tracked.recorder.max_notification_id()
    with pytest.raises(errors.InvalidValue, match="2025-06 at the earliest") as refused:
        tracked.change_track("t", "V3", "community", "2025-05", "想改到五月", ADMIN)
    assert refused.value.fields["field"] == "from" and "最早从 2025-06 开始" in refused.value.message("zh")
    with pytest.raises(errors.InvalidValue, match="YYYY-MM"):
        tracked.change_track("t", "V3", "community", "2025-Q3", "按季度", ADMIN)
    with pytest.raises(errors.InvalidValue, match="not a track"):
        tracked.change_track("t", "V3", "school", "2025-07", "学校赛道", ADMIN)
    with pytest.raises(errors.ReasonRequired):
        tracked.change_track("t", "V3", "community", "2025-07", "", ADMIN)
    assert tracked.recorder.max_notification_id() == before  # nothing recorded


def test_a_change_of_track_is_refused_while_a_round_of_no_track_that_it_is_scored_in_is_open(tracked):
    """The review's hole 1: a round of no track ranks its entrants by their tracks, so moving the
    weakest village to another track while that round is being scored would take it out of the bottom."""
    tracked.schedule_round("t", RoundSpec("RX-06", "township", "T1", "2025-06", "town", judges=("J1", "J2", "J3"),
                                          entrants=("V1", "V2", "V3")), ADMIN)
    tracked.open_round("RX-06", ADMIN)
    before = tracked.recorder.max_notification_id()
    with pytest.raises(errors.InvalidValue) as refused:
        tracked.change_track("t", "V2", "community", "2025-06", "改到社区", ADMIN)
    assert refused.value.fields["field"] == "from" and "RX-06" in refused.value.message("zh")
    assert "of no track" in refused.value.message("en")
    assert tracked.recorder.max_notification_id() == before
    tracked.change_track("t", "V2", "community", "2025-07", "7 月起改到社区", ADMIN)  # after that period: allowed
    assert tracked.read(lambda s: s.organization("V2").track_in("2025-07", "t")) == "community"


def test_a_change_recorded_in_another_contest_never_moves_the_organization_in_this_one(tracked):
    """An admin of contest u (on the same units) moves V1 to the community track from 2025-05
    in u: contest t, whose May is scored and final, keeps V1 in its village standings."""
    from domain.access import Principal
    from domain.model.account import Grant
    from domain.model.base import Actor

    def ranks(track):
        return tracked.read(lambda s: [(x.entrant, x.rank) for x in s.standings("t", "T1", "2025-05", track).standings])

    village, community = ranks("village"), ranks("community")
    tracked.create_contest("u", "另一活动", ["township", "county"], ADMIN)
    tracked.add_unit("u", "C", "某旗", "county", None, ADMIN)
    tracked.add_unit("u", "T1", "一镇", "township", "C", ADMIN)
    tracked.declare_track("u", "village", "嘎查村", ADMIN)
    tracked.declare_track("u", "community", "社区", ADMIN)
    tracked.register_organization("u", "V1", "一村", "T1", "village", "", "书记一", ADMIN)
    admin_u = Principal("u-t1", (Grant("admin", contest="u", unit="T1"),))
    done = tracked.execute(lambda s: s.change_track("u", "V1", "community", "2025-05", "挪到社区", Actor("u-t1", "admin")),
                           principal=admin_u)
    assert done.value is True
    assert ranks("village") == village and ("V1", 1) in village and ranks("community") == community
    assert tracked.read(lambda s: s.organization("V1").track_in("2025-05", "u")) == "community"


def test_a_change_cannot_start_before_the_last_one(tracked):
    tracked.change_track("t", "V3", "community", "2025-09", "撤村建居", ADMIN)
    with pytest.raises(errors.InvalidValue, match="cannot start before it"):
        tracked.change_track("t", "V3", "village", "2025-07", "改回", ADMIN)


def test_admitting_an_organization_of_another_track_is_refused(tracked):
    with pytest.raises(errors.InvalidValue, match="belongs to track 嘎查村"):
        tracked.schedule_round("t", RoundSpec("RV-07", "township", "T1", "2025-07", "town", judges=("J1",),
                                              entrants=("V1", "S1"), track="village"), ADMIN)
    assert tracked.read(lambda s: s.contest("t")).rounds.get("RV-07") is None  # nothing recorded
    tracked.schedule_round("t", RoundSpec("RS-07", "township", "T1", "2025-07", "town", judges=("J1",),
                                          track="community"), ADMIN)
    with pytest.raises(errors.InvalidValue, match="belongs to track 社区"):
        tracked.admit_entrant("RS-07", "V1", ADMIN)
    # a round of no track (a final of every track) takes anyone
    tracked.schedule_round("t", RoundSpec("R-ALL", "township", "T1", "2025-07", "town", judges=("J1",),
                                          entrants=("V1", "S1")), ADMIN)
    assert sorted(tracked.read(lambda s: s.round("R-ALL")).entrants) == ["S1", "V1"]


def test_a_round_of_one_track_cannot_promote_into_a_round_of_another(tracked):
    tracked.schedule_round("t", RoundSpec("FV", "county", "C", "2025-08", "town", track="village",
                                          entrants="promoted"), ADMIN)
    with pytest.raises(errors.InvalidValue, match="belongs to track village"):
        tracked.schedule_round("t", RoundSpec("RS-08", "township", "T1", "2025-08", "town", track="community",
                                              promotes_to="FV"), ADMIN)


def test_import_refuses_undeclared_tracks_and_a_second_track_without_a_month(app, tmp_path):
    bad_round = CONTEST.replace('track = "community"', 'track = "school"')
    with pytest.raises(Exception) as refused:
        import_scenario(app, scenario(tmp_path / "a", contest=bad_round), ADMIN)
    assert "rounds[2].track" in str(refused.value.message("en")) and "school" in refused.value.message("en")
    assert app.recorder.max_notification_id() in (None, 0)  # the whole directory, or nothing
    import_scenario(app, scenario(tmp_path / "b"), ADMIN)
    moved = ORGANIZATIONS.replace("V3,三村,T1,village,,书记三,village", "V3,三村,T1,village,,书记三,community")
    with pytest.raises(ImportErrors) as refused:
        import_scenario(app, scenario(tmp_path / "c", organizations=moved), ADMIN)
    assert "leitai org track" in refused.value.message("en") and "row 4" in refused.value.message("en")
    renamed = CONTEST.replace('name = "社区"', 'name = "城市社区"')
    with pytest.raises(errors.LeitaiError) as refused:
        import_scenario(app, scenario(tmp_path / "d", contest=renamed), ADMIN)
    assert "tracks[2].name" in refused.value.message("en")


def test_a_first_track_for_an_organization_already_scored_without_one_needs_a_month(tracked, tmp_path):
    """Placing an organization scored in May as "no track" into a track from the beginning would
    move May's standings: refused on import, done with `org track --from` instead."""
    tracked.schedule_round("t", RoundSpec("R-ALL", "township", "T1", "2025-06", "town", judges=("J1", "J2", "J3"),
                                          entrants=("V1",)), ADMIN)
    late = ORGANIZATIONS + "N1,新村,T1,village,,书记六,\n"
    import_scenario(tracked, scenario(tmp_path / "n1", organizations=late), ADMIN)
    tracked.admit_entrant("R-ALL", "N1", ADMIN)
    tracked.open_round("R-ALL", ADMIN)
    for code in ("J1", "J2", "J3"):
        for entrant in ("V1", "N1"):
            tracked.submit_sheet("R-ALL", code, entrant, {"party": "20", "industry": "10"}, judge(code))
    tracked.close_round("R-ALL", ADMIN)
    placed = late.replace("N1,新村,T1,village,,书记六,", "N1,新村,T1,village,,书记六,village")
    with pytest.raises(ImportErrors) as refused:
        import_scenario(tracked, scenario(tmp_path / "n2", organizations=placed), ADMIN)
    assert "scored without a track (round R-ALL)" in refused.value.message("en")
    with pytest.raises(errors.InvalidValue, match="2025-07 at the earliest"):
        tracked.change_track("t", "N1", "village", "2025-06", "编入嘎查村赛道", ADMIN)
    assert tracked.change_track("t", "N1", "village", "2025-07", "编入嘎查村赛道", ADMIN)
    org = tracked.read(lambda s: s.organization("N1"))
    assert (org.track_in("2025-06"), org.track_in("2025-07")) == ("", "village")
    with pytest.raises(errors.InvalidValue, match="YYYY-MM"):
        tracked.change_track("t", "N1", "community", "", "没有月份", ADMIN)


def test_a_contest_without_tracks_is_ranked_as_before(app, clock, store_url):
    small_contest(app)
    for entrant, (p, i) in {"O1": ("25", "15"), "O2": ("20", "12")}.items():
        for code in ("J1", "J2", "J3"):
            app.submit_sheet("R1", code, entrant, {"party": p, "industry": i}, judge(code))
    app.close_round("R1", ADMIN)
    app.publish("R1", ADMIN, on=date(2025, 5, 21))
    clock.set("2025-06-05T09:00")
    app.finalize("R1", ADMIN)
    view = app.read(lambda s: s.standings("c", "T1", "2025-05"))
    assert [(s.entrant, s.rank) for s in view.standings] == [("O1", 1), ("O2", 2)]
    assert view.tracks == {"O1": "", "O2": ""} and app.read(lambda s: s.contest("c")).tracks == {}
    read = project(store_url)
    data = track_period(read, "c", "T1", "2025-05")
    assert data["tracks"] == [] and [s["track"] for s in data["sections"]] == [""]
    assert [r["entrant"] for r in read.standings("c", "T1", "2025-05")] == ["O1", "O2"]
    assert {c["track"] for c in read.consequences("c", "T1", "2025-05")} == {""}
    read.close()
    with pytest.raises(errors.InvalidValue, match="not a track"):
        app.change_track("c", "O1", "village", "2025-07", "没有赛道的活动", ADMIN)


def test_events_recorded_before_tracks_existed_read_as_no_track():
    """A RoundScheduled or Scheduled event stored without ``track`` (an earlier version) still folds."""
    from domain.model.contest import Contest
    from domain.model.round import Round
    from domain.model.round_events import Scheduled
    from projections.fold import kind_of

    contest = Contest.__new__(Contest)
    Contest.__init__(contest)
    old = {"round": "R1", "level": "township", "unit": "T1", "period": "2025-05", "promotes_to": None,
           "actor": "admin", "role": "admin", "key": None}
    event = object.__new__(kind_of(_topic(Contest.RoundScheduled)).payload_type)
    event.__dict__ = dict(old)
    Contest.RoundScheduled.evolve(event, contest)
    assert contest.rounds["R1"].track == ""
    rnd = Round.__new__(Round)
    Round.__init__(rnd)
    scheduled = object.__new__(Scheduled)
    scheduled.__dict__.update(code="R1", contest="c", level="township", unit="T1", period="2025-05", theme="",
                              form="meeting", rules={}, links={}, promotes_to=None, entrants_mode="unit")
    scheduled.evolve(rnd)
    assert rnd.track == "" and rnd.code == "R1"


def _topic(cls: type) -> str:
    from eventsourcing.utils import get_topic

    return get_topic(cls)


def test_upgrading_an_existing_store_empties_the_read_models_and_projects_them_again(make_app, sqlite_url):
    """Migration 0010 (SQLite; 0011 on PostgreSQL) gives the consequences a key with the track:
    the read models of a store projected by an earlier version are emptied, the projection
    starts again from event 1, and the next projection fills them under the new tables."""
    import sqlite3

    import migrations
    from domain.services.store import parse_url

    store = parse_url(sqlite_url)
    migrations.migrate(store, upto=9)
    with sqlite3.connect(store.path) as conn:
        conn.execute("INSERT INTO rm0_standings (contest, unit, period, entrant, name, score, rank, tied, rounds, "
                     "method) VALUES ('c', 'T1', '2025-05', 'O1', '村O1', '40.00', 1, 0, 1, 'mean')")
        conn.execute("INSERT INTO rm0_consequences (contest, unit, period, kind, position, entrant, name) "
                     "VALUES ('c', 'T1', '2025-05', 'top', 1, 'O1', '村O1')")
        conn.execute("UPDATE rm_state SET position = 7")
    assert "0010_tracks" in migrations.migrate(store)
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("SELECT position FROM rm_state").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM rm0_standings").fetchone()[0] == 0
        key = [r[1] for r in sorted(conn.execute("PRAGMA table_info(rm0_consequences)"), key=lambda r: r[5]) if r[5]]
        assert key == ["contest", "unit", "period", "track", "kind", "position"]
    app = make_app(sqlite_url)
    small_contest(app)
    read = project(sqlite_url)
    assert [c["contest"] for c in read.contests()] == ["c"] and read.round("R1")["track"] == ""
    read.close()


STARRED = RULES + """
[stars]
bands = [{ stars = 5, min = 30 }, { stars = 3, min = 0 }]
counts = { 5 = 1 }
"""


def test_each_track_is_a_pool_of_its_own_for_the_star_quotas(app, clock, tmp_path):
    """Rulebook 19.3 / 20.4: a fixed count of five-star organizations holds per track, not per unit."""
    folder = scenario(tmp_path / "t")
    (folder / "rules" / "town.toml").write_text(STARRED, encoding="utf-8")
    import_scenario(app, folder, ADMIN)
    score_may(app, clock)
    recs = app.read(lambda s: s.star_recommendations("t", "township", "2025"))
    # V1 40, V3 36, V2 32 (village); S2 42, S1 28 (community): one five-star in each track, not one in the unit
    assert {code: (r.stars, r.track) for code, r in recs.items()} == {
        "V1": (5, "village"), "V3": (3, "village"), "V2": (3, "village"),
        "S2": (5, "community"), "S1": (3, "community")}
    assert recs["V3"].capped and not recs["S1"].capped  # V3 reached the five-star band; the count held it back
