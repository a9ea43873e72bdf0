"""Exact numbers for scoring: parsing, half-up rounding and display.

Every score in Leitai is a ``Fraction`` until the one rounding the rulebook allows
(section 3, step 5).  Decimals entered by people (marks, points, weights) are parsed
into ``Decimal`` without loss and compared or summed as ``Fraction``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction
from math import lcm

Number = int | Decimal | Fraction


class NotANumber(ValueError):
    """Raised by :func:`parse_decimal` with the offending text and what is wrong with it."""

    def __init__(self, text: object, problem: str = "not a number",
                 problem_zh: str = "不是数字") -> None:
        super().__init__(f"{problem}: {str(text)[:40]!r}")
        self.text = text
        self.problem = problem
        self.problem_zh = problem_zh


# Every number a person can enter is bounded where it enters: a decimal with at most
# MAX_DIGITS significant digits whose magnitude lies within 10**-MAX_SCALE .. 10**MAX_SCALE.
# Far beyond any mark, weight or fund, and small enough that exact arithmetic on it is
# instant (an exponent like 1e100000000 would otherwise take minutes to turn into a Fraction).
MAX_SCALE = 12
MAX_DIGITS = 24
_PLAIN = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d{1,3})?", re.ASCII)
_MINUSES = str.maketrans({"\u2212": "-", "\uff0d": "-", "\u2013": "-", "\ufe63": "-"})


def parse_decimal(value: object) -> Decimal:
    """Parse a decimal number given as text, int or Decimal, exactly.

    Refused: floats (a float may already have lost digits), booleans, NaN and
    infinities, digits other than 0-9 (Arabic-Indic or Bengali digits, which Python
    would read), underscores (``1_0``), and anything beyond the bounds above.
    Full-width digits and points typed with a Chinese input method (``２５.５``) and a
    typographic minus are read as their ASCII forms (Unicode NFKC).
    """
    if isinstance(value, bool) or isinstance(value, float):
        raise NotANumber(value, "a binary floating-point number is not exact; write it as text",
                         "浮点数不精确，请写成文本形式的小数")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        if abs(value) > 10**MAX_SCALE:
            raise NotANumber(value, f"too large (at most {10**MAX_SCALE})", f"数值过大（最大 {10**MAX_SCALE}）")
        result = Decimal(value)
    elif isinstance(value, str):
        if len(value) > 64:
            raise NotANumber(value, "too long to be a number", "太长，不是有效数字")
        text = unicodedata.normalize("NFKC", value).translate(_MINUSES).strip()
        if not text:
            raise NotANumber(value, "empty", "为空")
        if not _PLAIN.fullmatch(text):
            if any(ch.isdigit() and not ("0" <= ch <= "9") for ch in text):
                raise NotANumber(value, "use the digits 0-9", "只能使用 0-9 的阿拉伯数字")
            raise NotANumber(value, "not a plain decimal number (like 28.5)", "不是有效的小数（如 28.5）")
        result = Decimal(text)
    else:
        raise NotANumber(value)
    if not result.is_finite():
        raise NotANumber(value)
    exponent = result.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    if result and (result.adjusted() > MAX_SCALE or exponent < -MAX_SCALE):
        raise NotANumber(value, f"out of range (magnitude between 1e-{MAX_SCALE} and 1e{MAX_SCALE})",
                         f"超出范围（数量级应在 1e-{MAX_SCALE} 到 1e{MAX_SCALE} 之间）")
    if len(result.normalize().as_tuple().digits) > MAX_DIGITS:
        raise NotANumber(value, f"too many digits (at most {MAX_DIGITS})", f"有效数字过多（最多 {MAX_DIGITS} 位）")
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
