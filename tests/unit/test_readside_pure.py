"""Judge statistics, consequences and the exact sums the read side relies on."""

import json
from dataclasses import replace
from decimal import Decimal
from fractions import Fraction

from domain.numbers import exact_sum, from_exact_text, exact_text, units
from domain.rules.standings import Standing, periods_of, previous_period
from domain.model.base import Actor
from domain.model.round import Round
from projections.consequences import consequences
from projections.judges import round_tallies
from tests.builders import compute, facts, rules

TRIMMED = '[panel]\nmethod = "trimmed_mean"\nmin_judges = 3\n'
ADMIN = Actor("admin", "admin")


def scored_round(rule_set, sheets):
    """An in-memory round with {entrant: {judge: mark}} recorded (criterion "c")."""
    rnd = Round.schedule("R", "c", "township", "T", "2025-05", "", "meeting",
                         {"code": rule_set.code, "version": 1, "digest": rule_set.digest}, {}, None, "unit", ADMIN)
    judges = sorted({j for by_judge in sheets.values() for j in by_judge})
    for j in judges:
        rnd.seat_judge(j, f"name {j}", None, ADMIN)
    for e in sheets:
        rnd.admit(e, e, "T", {"kind": "roster"}, ADMIN)
    rnd.open(ADMIN)
    for e, by_judge in sheets.items():
        for j, mark in by_judge.items():
            rnd.submit_sheet(rule_set, j, e, {"c": str(mark)}, ADMIN)
    return rnd


def test_a_judge_who_marks_far_above_the_panel_is_flagged():
    # J3 gives every entrant 10 points more than the others; max total is 100
    sheets = {e: {"J1": base, "J2": base, "J3": base + 10, "J4": base} for e, base in
              (("A", 70), ("B", 75), ("C", 80), ("D", 60), ("E", 65))}
    rule_set = rules(TRIMMED)
    tallies = round_tallies(scored_round(rule_set, sheets), rule_set)
    flagged = {j: t.row("round", "R")[9] for j, t in tallies.items()}
    assert flagged == {"J1": 0, "J2": 0, "J3": 1, "J4": 0}
    j3 = tallies["J3"].row("round", "R")
    assert j3[5] == "10.0000" and j3[7] == 5 and j3[8] == "1.0000"  # deviation 10, trimmed every time
    assert "deviation:10.00:3.00" in j3[10] and "trimmed:100:60" in j3[10]


def test_deviations_are_exact_and_signed_on_either_arithmetic_path():
    # whole millionths (the fast path) ...
    rule_set = rules(TRIMMED)
    tallies = round_tallies(scored_round(rule_set, {"A": {"J1": "80", "J2": "81", "J3": "82.5"}}), rule_set)
    assert (tallies["J1"].deviation, tallies["J3"].deviation) == (Fraction(-1), Fraction(3, 2))
    # ... and marks too fine for it (exact Fractions)
    # (rule files allow at most 6 decimals; the engine is exact for any marks)
    fine = replace(rules(TRIMMED), mark_decimals=7)
    tallies = round_tallies(scored_round(fine, {"A": {"J1": "80", "J2": "81", "J3": "82.0000001"}}), fine)
    assert (tallies["J1"].deviation, tallies["J3"].deviation) == (Fraction(-1), Fraction(10000001, 10000000))


def test_show_is_the_rounding_then_the_formatting():
    import random

    from domain.numbers import fixed, round_half_up, show

    rng = random.Random(5)
    for _ in range(5000):
        value = Fraction(rng.randint(-10**7, 10**7), rng.randint(1, 10**5))
        decimals = rng.randint(0, 5)
        assert show(value, decimals) == fixed(round_half_up(value, decimals), decimals)


def standing(entrant, rank, score):
    return Standing(entrant, entrant, Fraction(score), Decimal(score), rank=rank)


def test_consequences_name_top_bottom_improved_and_pairs():
    now = [standing("A", 1, "90"), standing("B", 2, "85"), standing("C", 3, "80"), standing("D", 4, "70"),
           standing("E", 5, "60")]
    before = [standing("E", 1, "95"), standing("D", 2, "80"), standing("A", 3, "75"), standing("C", 4, "70"),
              standing("B", 5, "50")]
    rows = consequences(now, before, 2, 2)
    by_kind = {}
    for kind, position, entrant, _, partner, partner_name, _ in rows:
        by_kind.setdefault(kind, []).append((entrant, partner))
        assert partner_name == (None if partner is None else partner)  # the builder names them by code
    assert by_kind["top"] == [("A", None), ("B", None)]
    assert by_kind["bottom"] == [("E", None), ("D", None)]
    assert by_kind["improved"] == [("B", None), ("A", None)]  # B: 5 -> 2 (+3), A: 3 -> 1 (+2)
    assert by_kind["pairing"] == [("A", "E"), ("B", "D")]
    assert json.loads(rows[-1][-1]) == {"rank": 2, "partner_rank": 4}  # for each language to word


def test_a_tie_at_the_edge_of_the_top_is_taken_whole():
    now = [standing("A", 1, "90"), standing("B", 2, "85"), standing("C", 2, "85"), standing("D", 4, "70")]
    rows = consequences(now, [], 2, 1)
    assert [r[2] for r in rows if r[0] == "top"] == ["A", "B", "C"]
    assert [r[2] for r in rows if r[0] == "bottom"] == ["D"]


def test_periods_roll_up_month_quarter_year():
    assert periods_of("2025-05") == ["2025-05", "2025-Q2", "2025"]
    assert periods_of("2025-Q3") == ["2025-Q3", "2025"]
    assert [previous_period(p) for p in ("2025-01", "2025-05", "2025-Q1", "2025")] == \
        ["2024-12", "2025-04", "2024-Q4", "2024"]


def test_exact_sums_and_text_round_trip():
    values = [Fraction(1, 3), Fraction(1, 6), Fraction(1, 10), Fraction(7, 2)]
    assert exact_sum(values) == sum(values, Fraction(0))
    assert exact_sum([]) == 0
    for value in values + [Fraction(28261, 300), Fraction(-5, 8)]:
        assert from_exact_text(exact_text(value)) == value
    assert units("23.3") == 23_300_000 and units("0.0000001") is None


def test_marks_beyond_six_decimals_take_the_exact_path():
    result = compute(replace(rules(), mark_decimals=7), facts({"A": {"J1": "10.0000001", "J2": "10.0000002"}}))
    assert result.entry("A").exact_final == Fraction(200000003, 20000000)


def test_the_projector_waits_for_a_store_that_is_shutting_down_and_stops_on_its_own_faults():
    import sqlite3

    import psycopg

    from domain.errors import StoreError
    from projections.runner import store_unavailable

    # a server restarting or an administrator's pg_terminate_backend: subclasses of OperationalError
    assert store_unavailable(psycopg.errors.AdminShutdown("terminating connection"))
    assert store_unavailable(psycopg.errors.CannotConnectNow("the database system is starting up"))
    assert store_unavailable(psycopg.OperationalError("connection failed"))
    assert store_unavailable(psycopg.InterfaceError("the connection is closed"))
    assert store_unavailable(sqlite3.OperationalError("database is locked"))
    assert store_unavailable(StoreError(problem="away", problem_zh="不可用"))
    # a fault of ours is not waited for
    assert not store_unavailable(psycopg.errors.UndefinedColumn("column x does not exist"))
    assert not store_unavailable(psycopg.errors.UniqueViolation("duplicate key"))
    assert not store_unavailable(KeyError("x"))
