"""Import a scenario directory (rulebook section 11).

Every row becomes a command, so imported data is checked exactly like typed data.
The whole directory is applied in one session: if any row is refused, nothing at all
is recorded and every refused row found (up to ``MAX_ERRORS``) is reported with its
file, row, column and reason.  Importing the same directory again records nothing
new: roster rows are compared with what is recorded, and score and adjustment rows
carry idempotency keys derived from their content.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from api.importing.limits import MAX_TOML, shown_name
from api.importing.tables import Budget, Row, Table, find_table, read_table, read_utf8
from domain import text as texts
from domain.errors import (
    IMPORT_ERRORS_SHOWN,
    EntrantNotAdmitted,
    ImportErrors,
    ImportRowError,
    InvalidValue,
    JudgeNotFound,
    JudgeNotSeated,
    JudgeRecused,
    LeitaiError,
    OrganizationNotFound,
    RoundNotFound,
    UnitNotFound,
)
from domain.model.base import Actor
from domain.services.app import Leitai, Outcome, Session
from domain.services.setup import RoundSpec

MAX_ERRORS = IMPORT_ERRORS_SHOWN  # refused rows reported at once (domain/errors.py)
SCORE_KEYS = ["round_code", "judge_code", "entrant_code"]
TABLE_COLUMNS = {
    "judges": ["judge_code", "name", "home_unit_code", "affiliation"],
    "organizations": ["org_code", "name", "unit_code", "sector", "category", "secretary"],
    "scores": SCORE_KEYS,
    "inputs": ["round_code", "entrant_code", "component_code", "value"],
    "adjustments": ["round_code", "entrant_code", "points", "reason"],
}
CONTEST_KEYS = {"code", "title", "levels", "units", "rounds", "consequences", "contact", "tracks"}
TRACK_KEYS = {"code", "name"}  # [[tracks]] (赛道, rulebook section 20.1)
UNIT_KEYS = {"code", "name", "level", "parent"}
ROUND_KEYS = {"code", "level", "unit", "period", "theme", "form", "rules", "judges", "entrants", "links",
              "promotes_to", "live_board", "track"}


@dataclass
class FileReport:
    file: str
    rows: int
    recorded: int = 0
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (english, chinese)


@dataclass
class ContestFile:
    code: str
    title: str
    levels: list[str]
    units: list[dict[str, Any]]
    rounds: list[RoundSpec]
    consequences: dict[str, int] | None = None
    contact: str = ""
    tracks: list[tuple[str, str]] = field(default_factory=list)  # (code, name), as declared


@dataclass
class Scenario:
    directory: Path
    rules: list[tuple[str, str]] = field(default_factory=list)  # (source, text)
    contest: ContestFile | None = None
    judges: Table | None = None
    organizations: Table | None = None
    scores: Table | None = None
    inputs: Table | None = None
    adjustments: Table | None = None


KNOWN = {"contest.toml", "rules", *(f"{name}.{ext}" for name in TABLE_COLUMNS for ext in ("csv", "xlsx"))}


def read_scenario(directory: Path) -> Scenario:
    """Read and check the shape of every file; no data is recorded here."""
    if directory.is_symlink() and not directory.exists() or not directory.exists():
        raise ImportRowError(str(directory), None, None, "no such directory", "找不到该目录")
    if not directory.is_dir():
        raise ImportRowError(str(directory), None, None, "not a directory", "不是一个目录")
    _refuse_unknown_files(directory)
    scenario = Scenario(directory)
    rules_dir = directory / "rules"
    if rules_dir.is_dir():
        for path in sorted(rules_dir.glob("*.toml")):
            scenario.rules.append((f"rules/{path.name}", read_utf8(path, f"rules/{path.name}", MAX_TOML)))
    contest_file = directory / "contest.toml"
    if contest_file.exists() or contest_file.is_symlink():
        scenario.contest = _read_contest(contest_file)
    budget = Budget()  # the cells of every table together
    for name, required in TABLE_COLUMNS.items():
        path = find_table(directory, name)
        if path is not None:
            setattr(scenario, name, read_table(path, required, budget))
    if scenario.contest is None and (scenario.judges or scenario.organizations):
        raise ImportRowError("contest.toml", None, None,
                             "judges and organizations belong to a contest: contest.toml is required beside them",
                             "评委和党组织名册必须属于某个比武活动：请同时提供 contest.toml")
    if not scenario.rules and scenario.contest is None and all(
            getattr(scenario, name) is None for name in TABLE_COLUMNS):
        raise ImportRowError(str(directory), None, None,
                             "no scenario files found: expected contest.toml, rules/*.toml, organizations.csv, "
                             "judges.csv, scores.csv, inputs.csv or adjustments.csv (or .xlsx)",
                             "该目录中没有找到任何活动文件：应有 contest.toml、rules/*.toml、organizations.csv、judges.csv、"
                             "scores.csv、inputs.csv 或 adjustments.csv（也可以是 .xlsx）")
    _refuse_repeats(scenario)
    return scenario


def _refuse_unknown_files(directory: Path) -> None:
    """A .csv, .xlsx or .toml file Leitai does not know is most likely a misspelled name:
    refused, with the name it probably meant (other files - a README - are left alone)."""
    import difflib

    for path in sorted(directory.iterdir()):
        if path.name in KNOWN or path.suffix.lower() not in (".csv", ".xlsx", ".toml"):
            continue
        guess = difflib.get_close_matches(path.name.lower(), sorted(KNOWN - {"rules"}), n=1, cutoff=0.6)
        hint_en = f"; did you mean {guess[0]}?" if guess else f"; the files are {', '.join(sorted(KNOWN))}"
        hint_zh = f"；是否应为 {guess[0]}？" if guess else f"；可用的文件名为 {'、'.join(sorted(KNOWN))}"
        raise ImportRowError(shown_name(path.name), None, None, "is not a file name Leitai knows" + hint_en,
                             "不是擂台系统认识的文件名" + hint_zh)


def _refuse_repeats(scenario: Scenario) -> None:
    """The same code twice in one file (the last row would silently win otherwise)."""
    for table, column in ((scenario.organizations, "org_code"), (scenario.judges, "judge_code")):
        if table is None:
            continue
        first: dict[str, int] = {}
        for row in table.rows:
            code = row.get(column).strip().upper()
            if code in first:
                raise ImportRowError(table.file, row.number, column,
                                     f"{code} is listed again (first on row {first[code]})",
                                     f"{code} 重复出现（第 {first[code]} 行已有）")
            first[code] = row.number


def import_scenario(app: Leitai, directory: Path, by: Actor,
                    progress: Callable[[str], None] = lambda _: None) -> list[FileReport]:
    return import_directory(app, directory, by, progress)[0]


def import_directory(app: Leitai, directory: Path, by: Actor,
                     progress: Callable[[str], None] = lambda _: None) -> tuple[list[FileReport], Outcome[Any]]:
    """Import a directory as one command: every file's report, and the command's outcome
    (events recorded, the log position of the last one)."""
    scenario = read_scenario(directory)
    outcome = app.execute(lambda s: _Apply(s, by, progress).run(scenario), f"import of {directory}")
    return outcome.value, outcome


class _Apply:
    def __init__(self, session: Session, by: Actor, progress: Callable[[str], None]) -> None:
        self.s, self.by, self.progress = session, by, progress
        self.errors: list[ImportRowError] = []
        self.reports: list[FileReport] = []
        self.warnings: list[tuple[str, str]] = []

    def run(self, sc: Scenario) -> list[FileReport]:
        self.errors, self.reports, self.warnings = [], [], []  # a batch may run this again
        contest = sc.contest
        self._step("rules/*.toml", len(sc.rules), lambda: self._rules(sc.rules))
        if contest is not None:
            self._step("contest.toml", len(contest.units), lambda: self._contest(contest))
        if sc.judges is not None:
            self._rows(sc.judges, lambda row: self._judge(contest, row))
        if sc.organizations is not None:
            self._rows(sc.organizations, lambda row: self._organization(contest, row))
        if contest is not None:
            self._step("contest.toml [[rounds]]", len(contest.rounds), lambda: self._rounds(contest))
        if sc.scores is not None:
            self._rows(sc.scores, self._sheet_rows(sc.scores))
        if sc.inputs is not None:
            self._rows(sc.inputs, self._input)
        if sc.adjustments is not None:
            self._rows(sc.adjustments, self._adjustment_rows())
        return self.reports

    # -- running steps and collecting errors ------------------------------------------

    def _step(self, name: str, rows: int, work: Callable[[], None]) -> None:
        before = self.s.pending_events()
        work()
        self.reports.append(FileReport(name, rows, self.s.pending_events() - before))
        self.progress(f"{name}: {rows}")

    def _rows(self, table: Table, apply: Callable[[Row], None]) -> None:
        before = self.s.pending_events()
        for index, row in enumerate(table.rows, 1):
            try:
                apply(row)
            except LeitaiError as error:
                self.errors.append(ImportRowError(table.file, row.number, _column(error, table), error.message("en"),
                                                  error.message("zh")))
                if len(self.errors) >= MAX_ERRORS:
                    break
            if index % 500 == 0:
                self.progress(f"{table.file}: {index}/{len(table.rows)}")
        if self.errors:
            raise ImportErrors(self.errors)
        warnings, self.warnings = self.warnings, []
        self.reports.append(FileReport(table.file, len(table.rows), self.s.pending_events() - before, warnings))
        self.progress(f"{table.file}: {len(table.rows)}")

    # -- each file --------------------------------------------------------------------

    def _rules(self, rules: list[tuple[str, str]]) -> None:
        for source, text in rules:
            try:
                self.s.register_ruleset(text, source, self.by)
            except ImportRowError:
                raise
            except LeitaiError as error:
                if type(error).__name__ == "RuleSetInvalid":
                    raise
                raise ImportRowError(source, None, None, error.message("en"), error.message("zh")) from None

    def _contest(self, c: ContestFile) -> None:
        try:
            self.s.create_contest(c.code, c.title, c.levels, self.by)
            if c.contact:
                self.s.contest(c.code).set_contact(c.contact, self.by)
            for index, (track, name) in enumerate(c.tracks, 1):
                try:
                    self.s.declare_track(c.code, track, name, self.by)
                except LeitaiError as error:
                    where = _field(error) or "code"
                    where = "name" if where in ("name", "tracks.name") else "code"
                    raise ImportRowError("contest.toml", None, f"tracks[{index}].{where}", error.message("en"),
                                         error.message("zh")) from None
            if c.consequences is not None:
                self.s.contest(c.code).set_consequences(c.consequences.get("top", 3), c.consequences.get("bottom", 3),
                                                        self.by)
            pending = [{**u, "parent": texts.optional_code(u["parent"], "units.parent")} for u in c.units]
            while pending:
                known = self.s.contest(c.code).units
                ready = [u for u in pending if u["parent"] is None or u["parent"] in known]
                if not ready:
                    raise UnitNotFound(contest=c.code, unit=pending[0]["parent"])
                for u in ready:
                    self.s.add_unit(c.code, u["code"], u["name"], u["level"], u["parent"], self.by)
                    pending.remove(u)
        except ImportRowError:
            raise
        except LeitaiError as error:
            raise ImportRowError("contest.toml", None, _field(error), error.message("en"), error.message("zh")) from None

    def _judge(self, contest: ContestFile | None, row: Row) -> None:
        assert contest is not None
        home = texts.optional_code(row.get("home_unit_code"), "home_unit_code")
        if home is not None and home not in self.s.contest(contest.code).units:
            self.warnings.append((
                f"judges.csv row {row.number}: home unit {home!r} is not a unit of contest {contest.code}, "
                "so no automatic recusal applies to this judge",
                f"judges.csv 第 {row.number} 行：所属单位 {home!r} 不在本活动的单位中，该评委不会自动回避"))
        self.s.register_judge(contest.code, row.get("judge_code"), row.get("name"), home,
                              row.get("affiliation"), self.by)

    def _organization(self, contest: ContestFile | None, row: Row) -> None:
        assert contest is not None
        self.s.register_organization(contest.code, row.get("org_code"), row.get("name"), row.get("unit_code"),
                                     row.get("sector"), row.get("category"), row.get("secretary"), self.by,
                                     reason="organizations.csv imported")
        if row.get("track").strip():  # 赛道 (rulebook section 20.3): an optional column
            self.s.set_first_track(contest.code, row.get("org_code"), row.get("track"), self.by)

    def _rounds(self, c: ContestFile) -> None:
        by_rules: dict[tuple[str, int], list[str]] = {}
        for index, spec in enumerate(c.rounds, 1):
            try:
                rnd = self.s.schedule_round(c.code, spec, self.by)
            except LeitaiError as error:
                raise ImportRowError("contest.toml", None, f"rounds[{index}].{_field(error) or 'code'}",
                                     f"round {spec.code}: {error.message('en')}",
                                     f"轮次 {spec.code}：{error.message('zh')}") from None
            by_rules.setdefault((rnd.rules["code"], rnd.rules["version"]), []).append(spec.code)
        scheduled = self.s.contest(c.code).rounds
        for index, spec in enumerate(c.rounds, 1):
            targets = [(f"links.{k}", v) for k, v in spec.links.items()] + [("promotes_to", spec.promotes_to)]
            for where, target in targets:
                if target is not None and target not in scheduled:
                    raise ImportRowError("contest.toml", None, f"rounds[{index}].{where}",
                                         f"round {spec.code} refers to round {target}, which is not in this contest",
                                         f"轮次 {spec.code} 引用的轮次 {target} 不在本活动中")
        for (code, version), rounds in sorted(by_rules.items()):
            self.s.adopt_ruleset(c.code, f"{code}@{version}", {"rounds": sorted(rounds)},
                                 "imported with contest.toml", self.by)

    def _sheet_rows(self, table: Table) -> Callable[[Row], None]:
        criteria = [col for col in table.columns if col not in SCORE_KEYS]
        first: dict[tuple[str, str, str], int] = {}

        def apply(row: Row) -> None:
            code = row.get("round_code")
            rnd = self.s.round(code)
            who = (rnd.code, row.get("judge_code").strip().upper(), row.get("entrant_code").strip().upper())
            if who in first:  # not a DuplicateSheet naming an event this import has not recorded
                raise InvalidValue("judge_code", who[1], f"this judge's sheet for {who[2]} is on row {first[who]} "
                                   "already; one sheet per judge and entrant",
                                   f"该评委对 {who[2]} 的评分表已在第 {first[who]} 行；每位评委对每个组织只有一份评分表")
            first[who] = row.number
            marks = {c: row.get(c) for c in criteria if row.get(c) != ""}
            rules = self.s.rules(rnd.rules)
            for criterion in rules.criteria:
                marks.setdefault(criterion.code, "")
            key = "import:scores:" + _digest([code, row.get("judge_code"), row.get("entrant_code"),
                                               sorted(marks.items())])
            if rnd.status == "scheduled" and rnd.seen(key) is None:
                self.s.open_round(code, self.by)
            self.s.submit_sheet(code, row.get("judge_code"), row.get("entrant_code"), marks, self.by, key)

        return apply

    def _input(self, row: Row) -> None:
        self.s.record_input(row.get("round_code"), row.get("entrant_code"), row.get("component_code"),
                            row.get("value"), self.by, reason=row.get("reason") or None)

    def _adjustment_rows(self) -> Callable[[Row], None]:
        seen: Counter[str] = Counter()

        def apply(row: Row) -> None:
            content = _digest([row.get("round_code"), row.get("entrant_code"), row.get("points"), row.get("reason")])
            seen[content] += 1  # identical rows are separate adjustments: number them
            key = f"import:adjustments:{content}:{seen[content]}"
            self.s.record_adjustment(row.get("round_code"), row.get("entrant_code"), row.get("points"),
                                     row.get("reason"), self.by, key)

        return apply


def _digest(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


COLUMN_FOR = {
    RoundNotFound: "round_code", JudgeNotSeated: "judge_code", JudgeNotFound: "judge_code",
    JudgeRecused: "judge_code", EntrantNotAdmitted: "entrant_code", UnitNotFound: "unit_code",
}


def _column(error: LeitaiError, table: Table) -> str | None:
    """The column a refused row's error is about, named as in the file's header."""
    if "criterion" in error.fields:
        return str(error.fields["criterion"])
    for kind, column in COLUMN_FOR.items():
        if isinstance(error, kind):
            return column if column in table.columns else {"unit_code": "home_unit_code"}.get(column, column)
    if isinstance(error, OrganizationNotFound):
        return "entrant_code" if "entrant_code" in table.columns else "org_code"
    if isinstance(error, InvalidValue):
        name = str(error.fields["field"])
        aliases = {"code": "org_code", "component": "component_code", "org_code": "org_code"}
        return name if name in table.columns else aliases.get(name, name)
    if "points" in table.columns and type(error).__name__ == "AdjustmentOverCap":
        return "points"
    if type(error).__name__ == "InputReplacementNeedsReason":
        return "reason"  # the column to add (inputs.csv: reason) when a value replaces another
    if type(error).__name__ == "ReasonRequired" and "reason" in table.columns:
        return "reason"
    return None


def _field(error: LeitaiError) -> str | None:
    field_name = error.fields.get("field")
    if field_name:
        return str(field_name)
    if type(error).__name__ == "RuleSetNotFound":
        return "rules"
    if isinstance(error, UnitNotFound):
        return "units"
    if isinstance(error, JudgeNotFound):
        return "judges"
    return None


# -- contest.toml ------------------------------------------------------------------------


def _read_contest(path: Path) -> ContestFile:
    """contest.toml, every value checked for its type (the values themselves are checked
    by the commands they become)."""

    def fail(field_name: str, problem: str, problem_zh: str) -> ImportRowError:
        return ImportRowError("contest.toml", None, field_name, problem, problem_zh)

    def text(table: dict[str, Any], key: str, where: str, default: str | None = None) -> str:
        value = table.get(key, default)
        if value is None:
            raise fail(where, "is required (text)", "必须填写（文本）")
        if not isinstance(value, str):
            raise fail(where, "must be text in quotes", "应为带引号的文本")
        return value

    def tables(key: str) -> list[dict[str, Any]]:
        value = doc.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise fail(key, f"must be tables [[{key}]]", f"应为表数组 [[{key}]]")
        if len(value) > 10_000:
            raise fail(key, "more than 10,000 entries", "超过 10,000 项")
        return value

    source = read_utf8(path, "contest.toml", MAX_TOML)
    try:
        doc = tomllib.loads(source, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise fail("toml", f"not valid TOML: {exc}", f"不是有效的 TOML：{exc}") from None
    except RecursionError:
        raise fail("toml", "nested too deeply", "嵌套层次过深") from None
    for key in doc:
        if key not in CONTEST_KEYS:
            raise fail(key, "unknown key", "未知的设置项")
    for key in ("code", "levels"):
        if key not in doc:
            raise fail(key, "is required", "必须填写")
    code = text(doc, "code", "code")
    title = text(doc, "title", "title", "")
    levels = doc["levels"]
    if not isinstance(levels, list) or not levels or not all(isinstance(x, str) for x in levels):
        raise fail("levels", "must be a list of level names in quotes, lowest first", "应为层级名称列表（带引号），从低到高")
    units = []
    seen_units: set[str] = set()
    for i, unit in enumerate(tables("units"), 1):
        for key in unit:
            if key not in UNIT_KEYS:
                raise fail(f"units[{i}].{key}", "unknown key", "未知的设置项")
        entry = {"code": text(unit, "code", f"units[{i}].code"), "level": text(unit, "level", f"units[{i}].level"),
                 "name": text(unit, "name", f"units[{i}].name", unit.get("code") if isinstance(unit.get("code"), str)
                              else None),
                 "parent": text(unit, "parent", f"units[{i}].parent") if "parent" in unit else None}
        normal = entry["code"].strip().upper()
        if normal in seen_units:
            raise fail(f"units[{i}].code", f"unit {normal} is listed twice", f"单位 {normal} 重复列出")
        seen_units.add(normal)
        units.append(entry)
    rounds = []
    seen_rounds: set[str] = set()
    for i, r in enumerate(tables("rounds"), 1):
        where = f"rounds[{i}]"
        for key in r:
            if key not in ROUND_KEYS:
                raise fail(f"{where}.{key}", "unknown key", "未知的设置项")
        fields = {key: text(r, key, f"{where}.{key}") for key in ("code", "level", "unit", "period", "rules")}
        if fields["code"].strip().upper() in seen_rounds:
            raise fail(f"{where}.code", f"round {fields['code']} is listed twice", f"轮次 {fields['code']} 重复列出")
        seen_rounds.add(fields["code"].strip().upper())
        entrants = r.get("entrants", "unit")
        if isinstance(entrants, list) and all(isinstance(e, str) for e in entrants):
            entrants = tuple(entrants)
        elif entrants not in ("unit", "promoted"):
            raise fail(f"{where}.entrants", "must be \"unit\", \"promoted\" or a list of organization codes",
                       "应为 \"unit\"、\"promoted\" 或组织代码列表")
        links = r.get("links", {})
        if not isinstance(links, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in links.items()):
            raise fail(f"{where}.links", "must be a table like { observation = \"R-OBS\" }",
                       "应为 { observation = \"R-OBS\" } 形式")
        judges = r.get("judges", [])
        if not isinstance(judges, list) or not all(isinstance(j, str) for j in judges):
            raise fail(f"{where}.judges", "must be a list of judge codes in quotes", "应为评委代码列表（带引号）")
        rounds.append(RoundSpec(
            code=fields["code"], level=fields["level"], unit=fields["unit"], period=fields["period"],
            rules=fields["rules"], judges=tuple(judges), entrants=entrants, theme=text(r, "theme", f"{where}.theme", ""),
            form=text(r, "form", f"{where}.form", "meeting"), links=dict(links),
            promotes_to=text(r, "promotes_to", f"{where}.promotes_to") if "promotes_to" in r else None,
            live_board=_flag(r, "live_board", f"{where}.live_board", fail),
            track=text(r, "track", f"{where}.track", ""),
        ))
    consequences = doc.get("consequences")
    if consequences is not None:
        if (not isinstance(consequences, dict) or set(consequences) - {"top", "bottom"}
                or not all(isinstance(v, int) and not isinstance(v, bool) for v in consequences.values())):
            raise fail("consequences", "must be a table like { top = 3, bottom = 3 }", "应为 { top = 3, bottom = 3 } 形式")
    tracks = []
    for i, t in enumerate(tables("tracks"), 1):
        for key in t:
            if key not in TRACK_KEYS:
                raise fail(f"tracks[{i}].{key}", "unknown key", "未知的设置项")
        tracks.append((text(t, "code", f"tracks[{i}].code"), text(t, "name", f"tracks[{i}].name")))
    return ContestFile(code, title, list(levels), units, rounds, consequences, text(doc, "contact", "contact", ""),
                       tracks)


def _flag(table: dict[str, Any], key: str, where: str, fail: Any) -> bool:
    value = table.get(key, False)
    if not isinstance(value, bool):
        raise fail(where, "must be true or false", "应为 true 或 false")
    return value
