from decimal import Decimal
from fractions import Fraction

import pytest

from domain.numbers import NotANumber, canonical, decimal_places, exact_text, parse_decimal, round_half_up, show


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        ("89.995", 2, "90.00"),  # the rulebook's own example
        ("89.994999", 2, "89.99"),
        ("0.125", 2, "0.13"),
        ("0.135", 2, "0.14"),  # half-up, not banker's rounding (which would give 0.14 too) ...
        ("0.145", 2, "0.15"),  # ... and here banker's rounding would give 0.14
        ("2.5", 0, "3"),
        ("3.5", 0, "4"),
        ("-0.125", 2, "-0.13"),  # 四舍五入 on the magnitude
        ("-0.001", 2, "0.00"),
        ("100", 2, "100.00"),
    ],
)
def test_rounding_is_half_up_once(value, decimals, expected):
    assert show(Fraction(value), decimals) == expected


def test_rounding_a_repeating_fraction():
    assert round_half_up(Fraction(1, 3), 2) == Decimal("0.33")
    assert round_half_up(Fraction(2, 3), 2) == Decimal("0.67")
    assert show(Fraction(179985, 2000), 2) == "89.99"  # 89.9925


@pytest.mark.parametrize("bad", ["", "abc", "NaN", "Infinity", "1e", 1.5, True, None])
def test_parse_decimal_refuses_what_is_not_an_exact_number(bad):
    with pytest.raises(NotANumber):
        parse_decimal(bad)


def test_parse_decimal_reads_excel_minus_and_spaces():
    assert parse_decimal(" \u22120.5 ") == Decimal("-0.5")


def test_decimal_places_ignores_trailing_zeros():
    assert decimal_places(Decimal("8.50")) == 1
    assert decimal_places(Decimal("10")) == 0
    assert decimal_places(Decimal("1E+2")) == 0
    assert decimal_places(Decimal("0.02")) == 2


def test_canonical_and_exact_text():
    assert canonical(Decimal("8.50")) == "8.5"
    assert canonical(Decimal("1E+2")) == "100"
    assert exact_text(Fraction(1, 8)) == "0.125"
    assert exact_text(Fraction(1, 3)) == "1/3"
    assert exact_text(Fraction(-5, 2)) == "-2.5"
