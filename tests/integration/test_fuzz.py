"""Fuzzing the importer and the command line with hostile input, on every run.

Hypothesis mutates the quickstart scenario's files (hostile cells, numbers, codes and
names; broken TOML, wrong types, deep nesting; rows longer than their header, missing
columns, repeated rows, bytes that are not UTF-8...) and throws malformed arguments at
the commands that record.  For every case:

* no Python traceback and no internal error (exit 1): only the documented refusals;
* no hang: each case runs under an alarm;
* a refusal records nothing;
* whatever is accepted is allowed by the rulebook: every recorded mark within 0..max
  and its decimals, every code in the code alphabet, every name free of control
  characters, every adjustment within its cap, no publication before its round closed.
"""

from __future__ import annotations

import io
import json
import shutil
import signal
import sqlite3
import unicodedata
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from api.cli.main import main
from domain.numbers import decimal_places, parse_decimal
from domain.text import ENTITY_CODE
from tests.conftest import ROOT

QUICKSTART = ROOT / "examples" / "quickstart"
CASE_SECONDS = 20

HOSTILE_TEXT = [
    "", " ", "\t", "0", "29.9", "１５", " 20 ", "19.5", "-1", "-0", "30.55", "30.5", "31", "1e2", "1e100000000", "1e-100000000",
    "1E+999999999999999999", "٣", "২", "1_0", "２５.５", "NaN", "inf", "-inf", "9" * 30, "0." + "0" * 40 + "1",
    "1" * 5000, "\x00", "\x1b[31mred", "\u202eevil", "\u200b", "../../etc", "f-01", "Ｆ-01", "F 01", "王" * 200,
    "true", "null", "[]", "{}", "'", '"', ",", ";", "\n", "DZ-01", "XZ-02", "J1", "J9", "R-DZ-2025-06", "R-NOPE",
    "SF-DZ", "town-2025", "=", "party=1", "\ufeff", "\udcff", "—", "ＤＺ－０１",
]
HOSTILE_TOML = [
    "1e309", "1000000000", "1180591620717411303424", "-1", "0", "7", "true", '"True"', "[]", "{}", '"\\u001b[2J"',
    "[" * 600 + "]" * 600, '"' + "x" * 5000 + '"', '"../../etc"', '"R-DZ-2025-06"', '"1e100000000"', "nan", "inf",
    '"٣"', '"٢٥"', "2025-06-01", '""', '"f-01"', '{ a = 1 }', "[1, 2, 3]", '"\\u202e"', "3.14159265358979",
]
FILES = ["contest.toml", "rules/town-2025.toml", "rules/final-2025.toml", "organizations.csv", "judges.csv",
         "scores.csv", "adjustments.csv"]


@contextmanager
def deadline(seconds: int):
    def expired(*_):
        raise TimeoutError(f"a case ran longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def leitai(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err), deadline(CASE_SECONDS):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def events(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT count(*) FROM stored_events").fetchone()[0]


def assert_within_the_rulebook(db: Path) -> None:
    """Everything recorded is allowed: read back through the application itself."""
    from api.wiring import open_app

    with sqlite3.connect(db) as conn:
        codes = [json.loads(state)["code"] for (state,) in conn.execute(
            "SELECT state FROM stored_events WHERE topic = 'domain.model.contest:Contest.Created'")]
    app = open_app(f"sqlite:///{db}", create=False)
    try:
        def check(s):
            for contest in [s.contest(c) for c in codes]:
                for code in contest.units:
                    assert ENTITY_CODE.fullmatch(code), code
                for code, judge in contest.judges.items():
                    assert ENTITY_CODE.fullmatch(code) and _clean(judge.name), code
                for code in contest.rounds:
                    rnd = s.round(code)
                    rules = s.rules(rnd.rules)
                    for entrant in rnd.entrants.values():
                        assert ENTITY_CODE.fullmatch(entrant.code) and _clean(entrant.name), entrant.code
                    for record in rnd.sheets.values():
                        for criterion in rules.criteria:
                            value = parse_decimal(record.marks[criterion.code])
                            assert 0 <= Fraction(value) <= criterion.max, record
                            assert decimal_places(value) <= rules.mark_decimals, record
                    for who in {a.entrant for a in rnd.adjustments.values()}:
                        live = [Fraction(parse_decimal(a.points)) for a in rnd.adjustments.values()
                                if a.entrant == who and not a.revoked]
                        assert sum(p for p in live if p > 0) <= rules.max_bonus
                        assert -sum(p for p in live if p < 0) <= rules.max_penalty
                    if rnd.publicity is not None and rnd.closed_on:
                        assert rnd.publications[0].published_on >= rnd.closed_on

        app.read(check)
    finally:
        app.close()


def _clean(text: str) -> bool:
    return not any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp") for ch in text)


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """An empty, migrated store, copied for every case."""
    path = tmp_path_factory.mktemp("fuzz") / "empty.db"
    code, _, err = leitai("--db", f"sqlite:///{path}", "db", "migrate")
    assert code == 0, err
    return path


@pytest.fixture(scope="module")
def imported_template(tmp_path_factory, template) -> Path:
    path = tmp_path_factory.mktemp("fuzz") / "imported.db"
    shutil.copy(template, path)
    code, _, err = leitai("--db", f"sqlite:///{path}", "import", str(QUICKSTART))
    assert code == 0, err
    return path


def mutate_csv(text: str, data: st.DataObject) -> str:
    rows = [line.split(",") for line in text.splitlines()]
    kind = data.draw(st.sampled_from(["cell", "cell", "cell", "extra", "drop_column", "duplicate", "header_only",
                                      "empty", "header"]))
    if kind == "cell" and len(rows) > 1:
        r = data.draw(st.integers(1, len(rows) - 1))
        c = data.draw(st.integers(0, len(rows[r]) - 1))
        rows[r][c] = data.draw(st.sampled_from(HOSTILE_TEXT) | st.text(max_size=12))
    elif kind == "extra" and len(rows) > 1:
        rows[data.draw(st.integers(1, len(rows) - 1))].append(data.draw(st.sampled_from(HOSTILE_TEXT)))
    elif kind == "drop_column":
        c = data.draw(st.integers(0, len(rows[0]) - 1))
        rows = [row[:c] + row[c + 1:] for row in rows]
    elif kind == "duplicate" and len(rows) > 1:
        rows.append(list(rows[data.draw(st.integers(1, len(rows) - 1))]))
    elif kind == "header_only":
        rows = rows[:1]
    elif kind == "empty":
        rows = []
    elif kind == "header":
        rows[0][data.draw(st.integers(0, len(rows[0]) - 1))] = data.draw(st.sampled_from(HOSTILE_TEXT))
    return "\n".join(",".join(cell.replace("\n", " ") if kind != "cell" else cell for cell in row)
                     for row in rows) + "\n"


def mutate_toml(text: str, data: st.DataObject) -> str:
    lines = text.splitlines()
    assignments = [i for i, line in enumerate(lines) if "=" in line and not line.lstrip().startswith("#")]
    kind = data.draw(st.sampled_from(["value", "value", "value", "delete", "unknown", "syntax", "table"]))
    if kind == "value" and assignments:
        i = data.draw(st.sampled_from(assignments))
        key = lines[i].split("=", 1)[0]
        lines[i] = f"{key}= {data.draw(st.sampled_from(HOSTILE_TOML))}"
    elif kind == "delete" and assignments:
        del lines[data.draw(st.sampled_from(assignments))]
    elif kind == "unknown":
        lines.insert(data.draw(st.integers(0, len(lines))), "surprise = 1")
    elif kind == "syntax":
        lines.insert(data.draw(st.integers(0, len(lines))), data.draw(st.sampled_from(["[[", "x = ", "= 1", "[a.b"])))
    else:
        lines.append(data.draw(st.sampled_from(["[[rounds]]", "[[units]]", "[[criteria]]", "[promotion]"])))
    return "\n".join(lines) + "\n"


@settings(max_examples=160, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_hostile_scenario_files_are_refused_cleanly_or_stay_within_the_rulebook(tmp_path_factory, template, data):
    case = tmp_path_factory.mktemp("case")
    scenario = case / "scenario"
    shutil.copytree(QUICKSTART, scenario)
    not_utf8: set[str] = set()
    for _ in range(data.draw(st.integers(1, 3))):
        name = data.draw(st.sampled_from(FILES))
        if name in not_utf8:
            continue
        path = scenario / name
        text = path.read_text(encoding="utf-8", errors="surrogatepass")  # a lone surrogate written before
        if data.draw(st.integers(0, 19)) == 0:  # now and then: bytes that are not UTF-8
            path.write_bytes(text.encode("gbk", "replace") + b"\xff\xfe")
            not_utf8.add(name)
            continue
        path.write_text(mutate_toml(text, data) if name.endswith(".toml") else mutate_csv(text, data),
                        encoding="utf-8", errors="surrogatepass")
    db = case / "store.db"
    shutil.copy(template, db)
    code, out, err = leitai("--db", f"sqlite:///{db}", "import", str(scenario))
    event(f"import exit {code}")
    assert "Traceback" not in out + err
    assert code in (0, 2, 3), f"exit {code}: {err}"
    if code != 0:
        assert events(db) == 0, "a refused import recorded events"
        assert err.strip(), "a refusal without a message"
    else:
        assert_within_the_rulebook(db)


COMMANDS = [
    ("sheet", "{round}", "{judge}", "{entrant}", "party={a}", "industry={b}"),
    ("correct", "{round}", "{judge}", "{entrant}", "party={a}", "industry={b}", "--reason", "{text}"),
    ("adjustment", "add", "{round}", "{entrant}", "{a}", "--reason", "{text}"),
    ("input", "{round}", "{entrant}", "{text}", "{a}"),
    ("disqualify", "{round}", "{entrant}", "--reason", "{text}"),
    ("recuse", "{round}", "{judge}", "{entrant}", "--reason", "{text}"),
    ("publish", "{round}", "--on", "{text}"),
    ("publish", "{round}", "--days", "{a}"),
    ("appeal", "file", "{round}", "--name", "{text}", "--contact", "{b}", "--text", "{text}"),
    ("org", "update", "quickstart-2025", "{entrant}", "--name", "{text}", "--reason", "{b}"),
    ("judge", "update", "quickstart-2025", "{judge}", "--home-unit", "{text}", "--reason", "x"),
    ("cert", "self-assess", "{entrant}", "township", "{a}", "--stars", "{b}"),
    ("rerank", "{round}", "--rules", "{text}", "--reason", "x"),
]


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_hostile_command_arguments_are_refused_cleanly_or_stay_within_the_rulebook(tmp_path_factory,
                                                                                   imported_template, data):
    db = tmp_path_factory.mktemp("case") / "store.db"
    shutil.copy(imported_template, db)
    for extra in ("-wal", "-shm"):
        if Path(str(imported_template) + extra).exists():
            shutil.copy(str(imported_template) + extra, str(db) + extra)
    def mostly(valid: list[str], hostile: st.SearchStrategy[str]) -> str:
        return data.draw(st.sampled_from(valid) if data.draw(st.integers(0, 9)) < 7 else hostile)

    values = {
        "round": mostly(["R-DZ-2025-06", "R-XZ-2025-06", "r-xz-2025-06", "Ｒ-XZ-2025-06"], st.sampled_from(HOSTILE_TEXT)),
        "judge": mostly(["J1", "J2", "J3", "J4", "j4", "J9"], st.sampled_from(HOSTILE_TEXT)),
        "entrant": mostly(["DZ-01", "XZ-01", "XZ-03", "xz-02", "DZ-03"], st.sampled_from(HOSTILE_TEXT)),
        "a": mostly(["0", "20", "29.9", "30", "１５", " 15 ", "-0.5", "2025", "5", "1", "2025-06-27"],
                    st.sampled_from(HOSTILE_TEXT) | st.text(max_size=8)),
        "b": mostly(["0", "19.5", "20", "4", "139", "补记"], st.sampled_from(HOSTILE_TEXT) | st.text(max_size=8)),
        "text": mostly(["申诉成立", "录入有误", "2025-06-20", "2025-06-25", "town-2025@1", "王某"],
                       st.sampled_from(HOSTILE_TEXT) | st.text(max_size=20)),
    }
    template = data.draw(st.sampled_from(COMMANDS))
    args = [part.format(**values) for part in template]
    if any("\x00" in a or "\udcff" in a for a in args):  # a process's arguments cannot hold these
        args = [a.replace("\x00", "").replace("\udcff", "") for a in args]
    before = events(db)
    code, out, err = leitai("--db", f"sqlite:///{db}", *args)
    event(f"{template[0]} exit {code}")
    assert "Traceback" not in out + err
    assert code in (0, 2, 3), f"exit {code} for {args}: {err}"
    if code != 0:
        assert events(db) == before, f"a refused command recorded events: {args}"
    assert_within_the_rulebook(db)
