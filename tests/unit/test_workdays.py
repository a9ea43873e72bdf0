"""Working days for the publicity period (rulebook section 9)."""

from datetime import date

import pytest

from domain.errors import CalendarMissing, InvalidValue
from domain.workdays import WorkCalendar, parse_year_file


def period(start, days=5, **kw):
    first, last = WorkCalendar(**kw).period(date.fromisoformat(start), days)
    return first.isoformat(), last.isoformat()


def test_five_working_days_from_a_tuesday():
    assert period("2025-05-20") == ("2025-05-20", "2025-05-26")


def test_statutory_holidays_are_skipped():
    # Dragon Boat Festival 2025: Sat 31 May - Mon 2 June off
    assert period("2025-05-28") == ("2025-05-28", "2025-06-04")
    # National Day 2025: 1-8 October off; Sat 11 October is a make-up working day
    # from Mon 29 Sep: 29, 30 Sep, then 9, 10 Oct and the make-up Saturday 11 Oct
    assert period("2025-09-29") == ("2025-09-29", "2025-10-11")
    assert period("2025-10-09", 3) == ("2025-10-09", "2025-10-11")


def test_a_make_up_working_day_on_a_weekend_counts():
    # Sunday 27 April 2025 was a working day (调休 for May Day)
    assert period("2025-04-27", 1) == ("2025-04-27", "2025-04-27")


def test_publication_on_a_rest_day_starts_on_the_next_working_day():
    assert period("2025-05-24") == ("2025-05-26", "2025-05-30")


def test_a_year_without_data_is_an_error_not_a_guess():
    with pytest.raises(CalendarMissing) as caught:
        period("2026-12-28")  # runs into 2027, which chinese-calendar does not know
    assert caught.value.fields["year"] == 2027
    assert "leitai calendar load" in caught.value.message("zh")


def test_the_weekends_fallback_is_used_only_when_asked_and_is_reported():
    calendar = WorkCalendar(fallback="weekends")
    first, last = calendar.period(date(2026, 12, 28), 5)
    assert (first, last) == (date(2026, 12, 28), date(2027, 1, 1))
    assert calendar.used[2027] == "fallback:weekends-only"


def test_a_loaded_year_file_is_used_for_that_year():
    text = "date,kind,name\n2027-01-01,holiday,元旦\n2027-01-02,holiday,元旦\n2027-01-03,holiday,元旦\n"
    year = parse_year_file(text, "2027.csv")
    calendar = WorkCalendar([year])
    assert calendar.period(date(2026, 12, 28), 5) == (date(2026, 12, 28), date(2027, 1, 4))
    assert calendar.used == {2026: "chinese-calendar 1.11.0", 2027: "file:2027.csv"}


def test_a_year_file_with_two_years_or_a_bad_kind_is_refused():
    with pytest.raises(InvalidValue, match="one year"):
        parse_year_file("2027-01-01,holiday\n2028-01-01,holiday\n", "x.csv")
    with pytest.raises(InvalidValue, match="holiday or workday"):
        parse_year_file("2027-01-01,vacation\n", "x.csv")
