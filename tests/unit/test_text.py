"""What text and numbers Leitai accepts where they enter (domain.text, domain.numbers)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain import text as texts
from domain.errors import InvalidValue
from domain.numbers import NotANumber, parse_decimal


@pytest.mark.parametrize(("typed", "normal"), [
    ("F-01", "F-01"),
    ("f-01", "F-01"),  # small letters are read as capitals: one organization, not two
    ("Ｆ-01", "F-01"),  # a full-width letter from a Chinese input method
    ("  WS-GL-03 ", "WS-GL-03"),
    ("R_GL.2025", "R_GL.2025"),
])
def test_look_alike_codes_name_the_same_thing(typed, normal):
    assert texts.entity_code(typed, "org_code") == normal


@pytest.mark.parametrize("bad", [
    "F 01", "../../etc", "..", "-F01", "F01-", "F/01", "F\u202e01", "F\x0001", "\x1b[31mF01", "乌审",
    "", "   ", "F" * 41,
])
def test_codes_outside_the_alphabet_are_refused_with_the_field_named(bad):
    with pytest.raises(InvalidValue) as caught:
        texts.entity_code(bad, "org_code")
    assert caught.value.fields["field"] == "org_code"
    assert "\x1b" not in caught.value.message("zh") and "\x00" not in caught.value.message("en")


def test_a_5000_character_code_is_refused_before_it_is_normalised():
    with pytest.raises(InvalidValue, match="at most 40"):
        texts.entity_code("A" * 5000, "org_code")


def test_contest_codes_and_levels_are_small_letters():
    assert texts.contest_code("Wushen-2025") == "wushen-2025"
    with pytest.raises(InvalidValue):
        texts.contest_code("wushen 2025")


@pytest.mark.parametrize("bad", [
    "\u200b", "  \u3000 ", "王\x1b[2J某", "王\u202e某", "王\x00某", "王\n某", "王" * 101,
])
def test_names_with_control_or_invisible_characters_or_too_long_are_refused(bad):
    with pytest.raises(InvalidValue):
        texts.name(bad, "name")


def test_names_are_trimmed_and_kept_as_written():
    assert texts.name("  嘎鲁图镇（示例）  ", "name") == "嘎鲁图镇（示例）"
    assert texts.name("", "category", required=False) == ""


def test_free_text_may_span_lines_but_holds_no_control_characters():
    assert texts.text("第一行\r\n第二行", "reason") == "第一行\n第二行"
    with pytest.raises(InvalidValue):
        texts.text("看\x07这里", "reason")
    with pytest.raises(InvalidValue, match="at most 1000"):
        texts.text("字" * 1001, "reason")


@pytest.mark.parametrize(("typed", "value"), [
    ("28.5", Decimal("28.5")),
    ("２５.５", Decimal("25.5")),  # full-width digits and point from a Chinese input method
    (" \u22120.5 ", Decimal("-0.5")),  # Excel's minus
    ("1e2", Decimal("100")),
])
def test_numbers_typed_by_people_are_read_exactly(typed, value):
    assert parse_decimal(typed) == value


@pytest.mark.parametrize("bad", [
    "٣", "২", "1_0", "1e100000000", "1e-100000000", "1E+999999999999999999", "1e13", "0.0000000000001",
    "12345678901234567890123456789", "NaN", "inf", "1" * 100, Decimal("1E+309"), 10**13, 1.5, True,
])
def test_numbers_out_of_bounds_or_in_other_scripts_are_refused_quickly(bad):
    with pytest.raises(NotANumber) as caught:
        parse_decimal(bad)
    assert caught.value.problem and caught.value.problem_zh


def test_a_level_is_named_in_words_in_a_chinese_message() -> None:
    """乡镇级, not "township 级": the words the pages use; a level a contest names itself keeps its code."""
    from domain.errors import CertificationNotFound, NotYetEvaluated

    assert "乡镇级 2025" in CertificationNotFound(organization="WS-GL-03", level="township", cycle="2025").message("zh")
    assert "township" not in CertificationNotFound(organization="X", level="township", cycle="2025").message("zh")
    assert "片区 级" in CertificationNotFound(organization="X", level="片区", cycle="2025").message("zh")
    refused = NotYetEvaluated(unit="WS", level="county", cycle="2025", count=2, organizations="A, B")
    assert "县级 2025" in refused.message("zh") and "level county" in refused.message("en")
