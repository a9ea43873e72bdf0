"""Exact numbers for scoring: parsing, half-up rounding and display.

Every score in Leitai is a ``Fraction`` until the one rounding the rulebook allows
(section 3, step 5).  Decimals entered by people (marks, points, weights) are parsed
into ``Decimal`` without loss and compared or summed as ``Fraction``.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from math import lcm

Number = int | Decimal | Fraction


class NotANumber(ValueError):
    """Raised by :func:`parse_decimal` with the offending text."""

    def __init__(self, text: object) -> None:
        super().__init__(f"not a decimal number: {text!r}")
        self.text = text


def parse_decimal(value: object) -> Decimal:
    """Parse a decimal number given as text, int or Decimal, refusing floats,
    booleans, NaN and infinities (a float may already have lost digits)."""
    if isinstance(value, bool) or isinstance(value, float):
        raise NotANumber(value)
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        text = value.strip().replace("\u2212", "-")  # a typographic minus from Excel
        if not text:
            raise NotANumber(value)
        try:
            result = Decimal(text)
        except InvalidOperation:
            raise NotANumber(value) from None
    else:
        raise NotANumber(value)
    if not result.is_finite():
        raise NotANumber(value)
    return result


def decimal_places(value: Decimal) -> int:
    """How many decimals the value really needs: 8.50 needs 1, 10 needs 0."""
    normalized = value.normalize()
    exponent = normalized.as_tuple().exponent
    assert isinstance(exponent, int)
    return max(0, -exponent)


def canonical(value: Decimal | int) -> str:
    """The shortest plain decimal text for a value: 8.50 -> "8.5", 1E+2 -> "100"."""
    text = format(Decimal(value).normalize(), "f")
    return "0" if text in ("-0", "") else text


def fraction(value: Number | str) -> Fraction:
    """An exact Fraction from an int, Decimal, Fraction or decimal text."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, str):
        value = parse_decimal(value)
    return Fraction(value)


def round_half_up(value: Fraction, decimals: int) -> Decimal:
    """Round half away from zero (四舍五入) to ``decimals`` places, exactly.

    89.995 -> 90.00 and 89.994999 -> 89.99 at two decimals.  Negative values are
    rounded on their magnitude, as Decimal's ROUND_HALF_UP does: -0.125 -> -0.13.
    """
    value = Fraction(value)
    numerator, denominator = value.numerator, value.denominator
    # floor(|n| * 10^d / den + 1/2), in integers
    magnitude = (2 * abs(numerator) * 10**decimals + denominator) // (2 * denominator)
    signed = -magnitude if numerator < 0 else magnitude
    return Decimal(signed).scaleb(-decimals)


def fixed(value: Decimal, decimals: int) -> str:
    """Text with exactly ``decimals`` decimals (the ranking JSON's format)."""
    quantum = Decimal(1).scaleb(-decimals)
    text = format(value.quantize(quantum), "f")
    return text[1:] if text.startswith("-") and Decimal(text) == 0 else text


def show(value: Fraction, decimals: int) -> str:
    """Round once, half-up, and format with exactly ``decimals`` decimals (the same text
    as ``fixed(round_half_up(value, decimals), decimals)``, in integer arithmetic)."""
    value = Fraction(value)
    numerator, denominator = value.numerator, value.denominator
    magnitude = (2 * abs(numerator) * 10**decimals + denominator) // (2 * denominator)
    text = str(magnitude)
    if decimals:
        text = text.rjust(decimals + 1, "0")
        text = f"{text[:-decimals]}.{text[-decimals:]}"
    return "-" + text if numerator < 0 and magnitude else text


def exact_text(value: Fraction) -> str:
    """A Fraction as exact text: a terminating decimal when it is one, else p/q."""
    den = value.denominator
    twos = fives = 0
    while den % 2 == 0:
        den //= 2
        twos += 1
    while den % 5 == 0:
        den //= 5
        fives += 1
    if den != 1:
        return f"{value.numerator}/{value.denominator}"
    places = max(twos, fives)
    return fixed(round_half_up(value, places), places)


def show_exact_text(text: str, decimals: int) -> str:
    """``show(from_exact_text(text), decimals)``, without arithmetic when the text is a
    decimal short enough to be padded (the common case for recorded components)."""
    if "/" not in text and "e" not in text and "E" not in text:
        whole, _, fraction_part = text.partition(".")
        if len(fraction_part) <= decimals:
            if decimals == 0:
                return "0" if whole in ("-0", "") else whole
            padded = f"{whole}.{fraction_part.ljust(decimals, '0')}"
            return padded[1:] if padded.startswith("-") and not padded.strip("-0.") else padded
    return show(from_exact_text(text), decimals)


def from_exact_text(text: str) -> Fraction:
    """The inverse of :func:`exact_text`: "0.125" or "28261/300" back to a Fraction."""
    if "/" in text:
        numerator, denominator = text.split("/")
        return Fraction(int(numerator), int(denominator))
    return fraction(text)


def readable(value: Fraction, places: int = 6) -> str:
    """Exact text when it is short, else the decimal to ``places`` places with an ellipsis
    (for people; the exact value is always available from :func:`exact_text`)."""
    text = exact_text(value)
    if "/" not in text and len(text.partition(".")[2]) <= places:
        return text
    return show(value, places) + "…"


def exact_sum(values: Iterable[Fraction]) -> Fraction:
    """The exact sum of Fractions, normalized once.  Marks share a few small
    denominators, so this single pass is several times faster than adding them one by one."""
    numerator, denominator = 0, 1
    for value in values:
        n, d = value.numerator, value.denominator
        if d == denominator:
            numerator += n
        elif denominator % d == 0:
            numerator += n * (denominator // d)
        else:
            common = lcm(denominator, d)
            numerator = numerator * (common // denominator) + n * (common // d)
            denominator = common
    return Fraction(numerator, denominator)


UNITS = 10**6  # marks with up to six decimals are kept as whole millionths for fast, exact sums


def units(text: str) -> int | None:
    """A decimal text as whole millionths (exact), or None if it has more than six decimals."""
    value = parse_decimal(text) * UNITS
    return int(value) if value == value.to_integral_value() else None
