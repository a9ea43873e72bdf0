"""Importing a scenario directory: formats, refused rows, nothing partial."""

from __future__ import annotations

import csv
import shutil
from fractions import Fraction
from pathlib import Path

import pytest
from openpyxl import Workbook

from api.importing.scenario import ImportErrors, import_scenario
from domain import errors
from projections.ranking_json import ranking_document
from tests.conftest import ADMIN, EXAMPLE, event_count


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    target = tmp_path / "scenario"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns("final"))
    return target


def rewrite(path: Path, change) -> None:
    rows = list(csv.reader(path.open(encoding="utf-8-sig")))
    change(rows)
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def to_xlsx(path: Path, numeric: bool = True) -> Path:
    rows = list(csv.reader(path.open(encoding="utf-8-sig")))
    book = Workbook()
    sheet = book.active
    for i, row in enumerate(rows):
        sheet.append([_number(v) if numeric and i else v for v in row])
    target = path.with_suffix(".xlsx")
    book.save(target)
    path.unlink()
    return target


def _number(value: str):
    try:
        return float(value) if "." in value else int(value)
    except ValueError:
        return value


def test_the_organization_roster_with_a_bom_is_read(sqlite_url, make_app, scenario):
    assert (scenario / "organizations.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    app = make_app(sqlite_url)
    import_scenario(app, scenario, ADMIN)
    assert len(app.read(lambda s: s.contest("wushen-2025").roster)) == 61


def test_xlsx_files_with_numeric_cells_import_like_csv(sqlite_url, make_app, scenario, tmp_path):
    from_csv = make_app(sqlite_url)
    import_scenario(from_csv, scenario, ADMIN)
    for name in ("scores", "judges", "organizations"):
        to_xlsx(scenario / f"{name}.csv")
    from_xlsx = make_app(f"sqlite:///{tmp_path}/xlsx.db")
    import_scenario(from_xlsx, scenario, ADMIN)
    code = "R-GL-2025-05"
    a, b = ranking_document(*from_csv.ranking(code)), ranking_document(*from_xlsx.ranking(code))
    assert a["entries"] == b["entries"] and len(a["entries"]) == 11


def test_a_bad_row_is_reported_with_file_row_and_column_and_nothing_is_recorded(app, scenario):
    def break_rows(rows):
        rows[5][3] = "31"  # party max is 30
        rows[9][1] = "J99"  # not on the panel
    rewrite(scenario / "scores.csv", break_rows)
    before = event_count(app)
    with pytest.raises(ImportErrors) as caught:
        import_scenario(app, scenario, ADMIN)
    assert event_count(app) == before == 0
    found = [(e.fields["file"], e.fields["row"], e.fields["column"]) for e in caught.value.errors]
    assert found == [("scores.csv", 6, "party"), ("scores.csv", 10, "judge_code")]
    assert "第 6 行「party」" in caught.value.message("zh")


def test_an_unknown_unit_in_the_roster_names_its_row(app, scenario):
    rewrite(scenario / "organizations.csv", lambda rows: rows[3].__setitem__(2, "WS-XX"))
    with pytest.raises(ImportErrors) as caught:
        import_scenario(app, scenario, ADMIN)
    error = caught.value.errors[0]
    assert (error.fields["file"], error.fields["row"], error.fields["column"]) == ("organizations.csv", 4, "unit_code")
    assert event_count(app) == 0


def test_a_missing_column_is_refused(sqlite_url, make_app, scenario):
    rewrite(scenario / "judges.csv", lambda rows: [r.pop(2) for r in rows])
    with pytest.raises(errors.ImportRowError) as caught:
        import_scenario(make_app(sqlite_url), scenario, ADMIN)
    assert (caught.value.fields["row"], caught.value.fields["column"]) == (1, "home_unit_code")


def test_a_gbk_file_gets_a_message_about_saving_as_utf8(sqlite_url, make_app, scenario):
    path = scenario / "organizations.csv"
    path.write_bytes(path.read_text(encoding="utf-8-sig").encode("gbk"))
    with pytest.raises(errors.ImportRowError, match="UTF-8"):
        import_scenario(make_app(sqlite_url), scenario, ADMIN)


def test_an_unknown_key_in_contest_toml_is_named(sqlite_url, make_app, scenario):
    path = scenario / "contest.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("promotes_to =", "promote_to =", 1), encoding="utf-8")
    with pytest.raises(errors.ImportRowError) as caught:
        import_scenario(make_app(sqlite_url), scenario, ADMIN)
    assert caught.value.fields["column"] == "rounds[1].promote_to"


def test_a_broken_rule_set_names_its_file_and_field(sqlite_url, make_app, scenario):
    path = scenario / "rules" / "township-2025.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("min_judges = 5", "min_judges = 2"), encoding="utf-8")
    with pytest.raises(errors.RuleSetInvalid) as caught:
        import_scenario(make_app(sqlite_url), scenario, ADMIN)
    assert "rules/township-2025.toml" in str(caught.value) and "panel.min_judges" in str(caught.value)


def test_changed_marks_on_reimport_are_refused_as_a_second_sheet(app, scenario):
    import_scenario(app, scenario, ADMIN)
    rewrite(scenario / "scores.csv", lambda rows: rows[1].__setitem__(3, "20.0"))
    before = event_count(app)
    with pytest.raises(ImportErrors) as caught:
        import_scenario(app, scenario, ADMIN)
    assert "leitai correct" in caught.value.message("en")
    assert event_count(app) == before


ADJUSTMENTS = ("round_code,entrant_code,points,reason\n"
               "R-GL-2025-05,WS-GL-01,-0.1,超时\n"
               "R-GL-2025-05,WS-GL-01,-0.1,超时\n")


def test_identical_adjustment_rows_are_separate_penalties_and_reimport_adds_none(app, scenario):
    rules = scenario / "rules" / "township-2025.toml"
    rules.write_text(rules.read_text(encoding="utf-8").replace("[result]", "[adjustments]\nmax_penalty = 1\n\n[result]"),
                     encoding="utf-8")
    (scenario / "adjustments.csv").write_text(ADJUSTMENTS, encoding="utf-8")
    import_scenario(app, scenario, ADMIN)
    rnd, result = app.ranking("R-GL-2025-05")
    assert [a.points for a in rnd.adjustments.values()] == ["-0.1", "-0.1"]
    assert result.entry("WS-GL-01").penalty == Fraction(1, 5)
    before = event_count(app)
    import_scenario(app, scenario, ADMIN)
    assert event_count(app) == before


def test_a_penalty_the_rules_do_not_allow_is_refused_at_its_row(app, scenario):
    (scenario / "adjustments.csv").write_text(ADJUSTMENTS, encoding="utf-8")
    with pytest.raises(ImportErrors, match="cap of 0") as caught:
        import_scenario(app, scenario, ADMIN)  # the township rules allow no penalty at all
    error = caught.value.errors[0]
    assert (error.fields["file"], error.fields["row"], error.fields["column"]) == ("adjustments.csv", 2, "points")
    assert event_count(app) == 0


def test_sectors_are_read_in_english_chinese_or_left_blank(sqlite_url, make_app, scenario):
    values = ["rural village", "urban_community", "国有企业", "non-public", "", "school"]

    def set_sectors(rows):
        for i, value in enumerate(values, 1):
            rows[i][3] = value
    rewrite(scenario / "organizations.csv", set_sectors)
    app = make_app(sqlite_url)
    import_scenario(app, scenario, ADMIN)
    sectors = [app.read(lambda s, c=f"WS-GL-{i:02d}": s.organization(c).sector) for i in range(1, 7)]
    assert sectors == ["village", "community", "state_enterprise", "non_public", "", "school"]


def test_an_unknown_sector_is_refused_at_its_row(sqlite_url, make_app, scenario):
    rewrite(scenario / "organizations.csv", lambda rows: rows[2].__setitem__(3, "火星基地"))
    with pytest.raises(ImportErrors) as caught:
        import_scenario(make_app(sqlite_url), scenario, ADMIN)
    error = caught.value.errors[0]
    assert (error.fields["row"], error.fields["column"]) == (3, "sector")


def test_a_judge_from_outside_the_contest_units_is_accepted_with_a_warning(sqlite_url, make_app, scenario):
    rewrite(scenario / "judges.csv", lambda rows: rows[1].__setitem__(2, "ORDOS-CITY"))
    reports = import_scenario(make_app(sqlite_url), scenario, ADMIN)
    warnings = [w for r in reports for w in r.warnings]
    assert len(warnings) == 1 and "judges.csv row 2" in warnings[0][0] and "不会自动回避" in warnings[0][1]
