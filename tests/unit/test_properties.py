"""Properties that must hold for any panel: order of recording never matters, and a
correction undone restores the ranking exactly."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.model.base import Actor
from domain.model.round import Round
from domain.rules.ruleset import parse_ruleset

ADMIN = Actor("admin", "admin")
RULES = parse_ruleset("""
code = "p"
version = 1
[[criteria]]
code = "a"
max = 30
[[criteria]]
code = "b"
max = 20
[panel]
method = "trimmed_mean"
min_judges = 3
[ranking]
tie_breakers = ["criterion:a"]
[[awards]]
code = "gold"
count = 2
[promotion]
to_level = "county"
quota = 2
reserves = 1
""")


def mark(maximum: int) -> st.SearchStrategy[str]:
    return st.integers(0, maximum * 10).map(lambda tenths: f"{tenths // 10}.{tenths % 10}")


@st.composite
def panels(draw):
    judges = [f"J{i}" for i in range(draw(st.integers(3, 7)))]
    entrants = [f"E{i}" for i in range(draw(st.integers(1, 6)))]
    # few distinct values, so that ties and repeated extremes are common
    values = {"a": draw(st.lists(mark(30), min_size=1, max_size=4)),
              "b": draw(st.lists(mark(20), min_size=1, max_size=4))}
    sheets = [(j, e, {c: draw(st.sampled_from(values[c])) for c in ("a", "b")}) for j in judges for e in entrants]
    return judges, entrants, sheets


def new_round(judges, entrants) -> Round:
    rnd = Round.schedule("R", "c", "township", "T", "2025-05", "", "meeting",
                         {"code": "p", "version": 1, "digest": RULES.digest}, {}, None, "unit", ADMIN)
    for j in judges:
        rnd.seat_judge(j, j, None, ADMIN)
    for e in entrants:
        rnd.admit(e, e, "T", {"kind": "roster"}, ADMIN)
    rnd.open(ADMIN)
    return rnd


def outcome(rnd: Round):
    return rnd.compute(RULES).compact()


@settings(max_examples=150, deadline=None)
@given(panels(), st.randoms(use_true_random=False))
def test_the_ranking_does_not_depend_on_the_order_sheets_were_recorded(panel, random):
    judges, entrants, sheets = panel
    first, second = new_round(judges, entrants), new_round(judges, entrants)
    for j, e, m in sheets:
        first.submit_sheet(RULES, j, e, m, ADMIN)
    shuffled = list(sheets)
    random.shuffle(shuffled)
    for j, e, m in shuffled:
        second.submit_sheet(RULES, j, e, m, ADMIN)
    assert outcome(first) == outcome(second)


@settings(max_examples=150, deadline=None)
@given(panels(), st.data())
def test_a_correction_followed_by_the_original_values_restores_the_ranking(panel, data):
    judges, entrants, sheets = panel
    rnd = new_round(judges, entrants)
    for j, e, m in sheets:
        rnd.submit_sheet(RULES, j, e, m, ADMIN)
    before = outcome(rnd)
    j, e, original = data.draw(st.sampled_from(sheets))
    changed = {"a": data.draw(mark(30)), "b": data.draw(mark(20))}
    rnd.correct_sheet(RULES, j, e, changed, "录入错误", ADMIN)
    rnd.correct_sheet(RULES, j, e, original, "恢复原值", ADMIN)
    assert outcome(rnd) == before
