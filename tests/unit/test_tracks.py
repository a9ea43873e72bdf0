"""Tracks (赛道, rulebook section 20), without I/O: which track an organization is in for a
month, a quarter and a year; what a change records; standings split by track."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.errors import InvalidValue, ReasonRequired
from domain.model.base import Actor
from domain.model.organization import Organization, first_month, last_month
from domain.rules.standings import FinalRound, RoundPlacing
from domain.rules.tracks import period_standings_by_track, track_order
from tests.scenario import RULES

ADMIN = Actor("admin", "admin")


def organization(*changes: tuple[str, str]) -> Organization:
    org = Organization.register("V1", "一村", "T1", "village", "", "书记", ADMIN)
    for start, track in changes:
        org.change_track(track, start, "c", "理由", ADMIN)
    return org


@pytest.mark.parametrize(("period", "first", "last"), [("2025-05", "2025-05", "2025-05"),
                                                        ("2025-Q1", "2025-01", "2025-03"),
                                                        ("2025-Q3", "2025-07", "2025-09"),
                                                        ("2025-Q4", "2025-10", "2025-12"),
                                                        ("2025", "2025-01", "2025-12")])
def test_the_first_and_last_month_of_a_period(period, first, last):
    assert (first_month(period), last_month(period)) == (first, last)


def test_an_organization_without_a_track_is_in_the_track_of_none():
    assert organization().track_in("2025-05") == ""


def test_a_first_track_holds_from_the_beginning():
    org = organization(("", "village"))
    assert [org.track_in(p) for p in ("2000-01", "2025-Q2", "2025")] == ["village"] * 3


def test_a_period_is_placed_by_the_track_of_its_first_month():
    org = organization(("", "village"), ("2025-05", "community"))
    placed = {p: org.track_in(p) for p in ("2025-04", "2025-05", "2025-06", "2025-Q1", "2025-Q2", "2025-Q3",
                                           "2025", "2026", "2026-Q1")}
    assert placed == {"2025-04": "village", "2025-05": "community", "2025-06": "community",
                      "2025-Q1": "village", "2025-Q2": "village",  # the quarter starts in April
                      "2025-Q3": "community", "2025": "village", "2026": "community", "2026-Q1": "community"}


def test_a_change_from_a_quarter_s_first_month_places_that_quarter():
    org = organization(("", "village"), ("2025-07", "community"))
    assert (org.track_in("2025-Q2"), org.track_in("2025-Q3")) == ("village", "community")


def test_a_change_is_one_event_with_its_month_reason_and_contest():
    org = organization(("", "village"))
    assert org.change_track("community", "2025-07", "c", "撤村建居", ADMIN)
    event = org.collect_events()[-1]
    assert (type(event).__name__, event.track, event.from_period, event.contest, event.reason) == (
        "TrackChanged", "community", "2025-07", "c", "撤村建居")
    assert org.track_history[-1]["from"] == "2025-07" and org.track_history[-1]["actor"] == "admin"


def test_a_change_to_the_track_in_force_records_nothing():
    org = organization(("", "village"), ("2025-07", "community"))
    version = org.version
    assert not org.change_track("community", "2025-09", "c", "再登记", ADMIN)
    assert org.version == version


@pytest.mark.parametrize("month", ["2025-Q3", "2025", "2025-13", "25-07", "1999-12"])
def test_a_change_starts_at_a_month(month):
    with pytest.raises(InvalidValue, match="YYYY-MM"):
        organization(("", "village")).change_track("community", month, "c", "理由", ADMIN)


def test_a_change_cannot_go_back_before_the_last_one_nor_come_without_a_reason():
    org = organization(("", "village"), ("2025-07", "community"))
    with pytest.raises(InvalidValue, match="cannot start before it"):
        org.change_track("village", "2025-06", "c", "改回", ADMIN)
    with pytest.raises(ReasonRequired):
        org.change_track("village", "2025-08", "c", " ", ADMIN)


def _round(code: str, period: str, finals: dict[str, str]) -> FinalRound:
    from domain.rules.ruleset import parse_ruleset

    ranked = sorted(finals.items(), key=lambda kv: -Decimal(kv[1]))
    placings = tuple(RoundPlacing(code, entrant, entrant, Decimal(final), rank)
                     for rank, (entrant, final) in enumerate(ranked, 1))
    return FinalRound(code, period, parse_ruleset(RULES, "town.toml"), placings)


def test_standings_are_ranked_within_each_track_and_count_every_round_of_the_organization():
    tracks = {"V1": "village", "V2": "village", "S1": "community", "S2": "community"}
    rounds = [_round("RV", "2025-05", {"V1": "40", "V2": "30"}), _round("RS", "2025-05", {"S1": "35", "S2": "45"}),
              _round("RA", "2025-06", {"V1": "20", "S1": "50"})]  # a round of no track: both tracks took part
    split = period_standings_by_track(rounds, "2025-Q2", tracks.get)
    village = [(s.entrant, str(s.shown), s.rank, len(s.rounds)) for s in split["village"][2]]
    community = [(s.entrant, str(s.shown), s.rank) for s in split["community"][2]]
    assert village == [("V1", "30.00", 1, 2), ("V2", "30.00", 1, 1)]  # V1: (40 + 20) / 2, tied with V2
    assert community == [("S2", "45.00", 1), ("S1", "42.50", 2)]  # S1: (35 + 50) / 2
    assert split["village"][1] == ["RV", "RA"] and split["community"][1] == ["RS", "RA"]
    assert period_standings_by_track(rounds, "2025-07", tracks.get) == {}


def test_tracks_are_shown_in_the_order_declared_and_none_last():
    assert track_order(["village", "community"], {"", "community", "village"}) == ["village", "community", ""]
    assert track_order([], {""}) == [""]
    assert track_order(["village"], {"school", "village"}) == ["village", "school"]
