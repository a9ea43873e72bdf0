"""What the command line says, as a new user meets it (issue 15, items 3 and 9): a code typed in
lower case works in every command that takes one (rulebook 3.2); a final round is not told to be
closed first; a bad --db is named as --db; a refused import leaves no database behind, and no
command makes one by reading; the demo's help names its own default, and `make demo PORT=…` serves
on that port.  Each message in Chinese, and in English when asked for."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, command_line

LEITAI = str(Path(sys.executable).parent / "leitai")
QUICKSTART = ROOT / "examples" / "quickstart"
RULES = ROOT / "examples" / "wushen-2025" / "rules" / "township-2025.toml"
FINAL = "R-WS-FINAL-2025"


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's database (played once for the module; each test works on its own copy)."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    done = subprocess.run([LEITAI, "--db", f"sqlite:///{path}", "demo", "--no-serve"], check=False,
                          capture_output=True,
                          text=True, timeout=300, env=dict(os.environ, LEITAI_LANG="zh"))
    assert done.returncode == 0, done.stderr
    return path


@pytest.fixture
def demo(demo_db, tmp_path, monkeypatch, capsys):
    """``leitai`` on a copy of the demo, on 2025-06-03 (the final's publicity period)."""
    for suffix in ("", "-wal"):
        if Path(f"{demo_db}{suffix}").exists():
            shutil.copy(f"{demo_db}{suffix}", tmp_path / f"demo.db{suffix}")
    return command_line(monkeypatch, capsys, tmp_path, f"sqlite:///{tmp_path}/demo.db", "2025-06-03T10:00")


@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    """``leitai`` on a database that does not exist yet."""
    return command_line(monkeypatch, capsys, tmp_path, f"sqlite:///{tmp_path}/new.db", "2025-06-20T09:00")


# -- 3. codes in lower case ---------------------------------------------------------------------

# (as typed, as the rulebook reads it): every command that shows a round, a contest, a unit, a level
# or an organization, the way it is written in the demo and the way a hurried clerk types it
READING = [
    (("board", "r-ws-final-2025"), ("board", FINAL)),
    (("board", "r-ws-final-2025", "--json"), ("board", FINAL, "--json")),
    (("ranking", "r-ws-final-2025"), ("ranking", FINAL)),
    (("explain", "r-ws-final-2025", "ws-sld-09"), ("explain", FINAL, "WS-SLD-09")),
    (("audit", "r-ws-final-2025", "ws-sld-09"), ("audit", FINAL, "WS-SLD-09")),
    (("finalists", "r-ws-final-2025"), ("finalists", FINAL)),
    (("judges", "--round", "r-gl-2025-05"), ("judges", "--round", "R-GL-2025-05")),
    (("judges", "--contest", "WUSHEN-2025"), ("judges", "--contest", "wushen-2025")),
    (("standings", "WUSHEN-2025", "ws-gl", "2025"), ("standings", "wushen-2025", "WS-GL", "2025")),
    (("stars", "WUSHEN-2025", "TOWNSHIP", "2025"), ("stars", "wushen-2025", "township", "2025")),
    (("cert", "list", "WUSHEN-2025", "TOWNSHIP", "2025"), ("cert", "list", "wushen-2025", "township", "2025")),
    (("rounds", "--contest", "WUSHEN-2025"), ("rounds", "--contest", "wushen-2025")),
    (("appeals", "r-gl-2025-05"), ("appeals", "R-GL-2025-05")),
    (("appeals", "--contest", "WUSHEN-2025"), ("appeals", "--contest", "wushen-2025")),
    (("verify", "r-ws-final-2025"), ("verify", FINAL)),
    (("replay", "--rules", str(RULES), "--round", "r-gl-2025-05", "--json"),
     ("replay", "--rules", str(RULES), "--round", "R-GL-2025-05", "--json")),
    (("replay", "--rules", str(RULES), "--contest", "WUSHEN-2025", "--json"),
     ("replay", "--rules", str(RULES), "--contest", "wushen-2025", "--json")),
    (("replay", "--rules", str(RULES), "--level", "TOWNSHIP", "--json"),
     ("replay", "--rules", str(RULES), "--level", "township", "--json")),
]


def _same(out: str) -> str:
    """The output without what differs from run to run (replay's timing)."""
    return "\n".join(line for line in out.splitlines() if '"seconds"' not in line)


@pytest.mark.parametrize("typed, written", READING, ids=[" ".join(t[:2]) for t, _ in READING])
def test_every_reading_command_takes_its_codes_in_lower_case(demo, typed, written):
    _, expected, _ = demo(*written)
    _, out, err = demo(*typed)
    assert _same(out) == _same(expected) and "内部错误" not in err


@pytest.mark.parametrize("typed", [
    ("document", "notice", "r-ws-final-2025", "--out", "notice.html"),
    ("document", "score-sheet", "r-ws-final-2025", "--out", "sheet.xlsx"),
    ("export", "results", "r-ws-final-2025", "results.csv"),
    ("prove", "inclusion", "r-ws-final-2025", "ws-sld-09", "--out", "proof.json"),
], ids=lambda t: " ".join(t[:2]))
def test_every_command_writing_a_file_takes_its_codes_in_lower_case(demo, tmp_path, typed):
    _, out, _ = demo(*typed)
    written = tmp_path / next(t for t in typed if "." in t and not t.startswith("r-"))
    assert written.stat().st_size > 0
    assert FINAL in out or "proof.json" in out


def test_every_recording_command_takes_its_codes_in_lower_case(demo):
    """The final is in publicity on 2025-06-03: an objection, its ruling and every kind of remedy,
    typed in lower case, are recorded against R-WS-FINAL-2025; the commands the round's state
    refuses say so (exit 2), never "not found" or an internal error."""
    r = "r-ws-final-2025"
    _, out, _ = demo("appeal", "file", r, "--name", "张三", "--contact", "139", "--text", "异议", "--entrant", "ws-sld-09")
    number = out.split("编号 ")[1].split("）")[0]
    assert f"{FINAL}#{number}" in out
    demo("appeal", "rule", r, number, "--decision", "upheld", "--reply", "成立")
    marks = ("content=30", "expression=20", "impression=20", "time=10")
    remedies = [("correct", r, "j01", "ws-sld-09", *marks, "--reason", "更正"),
                ("input", r, "ws-sld-09", "daily", "95", "--reason", "更正"),
                ("adjustment", "add", r, "ws-sld-09", "-0.1", "--reason", "更正"),
                ("void", r, "j02", "ws-sld-09", "--reason", "更正"),
                ("disqualify", r, "ws-gl-03", "--reason", "更正"),
                ("withdraw", r, "ws-gl-08", "--reason", "更正")]
    said = {}
    for args in remedies:
        _, said[args[0]], _ = demo(*args, "--appeal", number)
        assert "重新封存" in said[args[0]], args
    adjustment = said["adjustment"].split(f"{FINAL}#")[1].split("（")[0]
    _, out, _ = demo("adjustment", "revoke", r, adjustment, "--reason", "更正", "--appeal", number)
    assert "已撤销加减分" in out
    for args in [("republish", r, "--reason", "延长"), ("live-board", r, "on"),
                 ("rerank", r, "--rules", "county-final-2025@1", "--reason", "核对"), ("seat", r, "t-gl"),
                 ("promote", "r-gl-2025-05"),
                 ("judge", "update", "WUSHEN-2025", "j01", "--name", "新名", "--reason", "改名"),
                 ("org", "update", "WUSHEN-2025", "ws-gl-03", "--name", "新村", "--reason", "改名"),
                 ("users", "add", "u1", "--role", "judge", "--contest", "WUSHEN-2025", "--judge", "j01"),
                 ("users", "add", "u2", "--role", "organization", "--organization", "ws-gl-03"),
                 ("users", "add", "u3", "--role", "admin", "--contest", "WUSHEN-2025", "--unit", "ws-gl"),
                 ("users", "revoke", "u3", "--role", "admin", "--contest", "WUSHEN-2025", "--unit", "ws-gl",
                  "--reason", "调岗"),
                 ("rules", "adopt", str(RULES), "--contest", "WUSHEN-2025", "--scope", "level:TOWNSHIP", "--reason", "x"),
                 ("rules", "adopt", str(RULES), "--contest", "WUSHEN-2025", "--scope", "unit:ws-gl", "--reason", "x"),
                 ("rules", "adopt", str(RULES), "--contest", "WUSHEN-2025", "--scope", "rounds:r-gl-2025-05",
                  "--reason", "x"),
                 ("cert", "veto", "ws-gl-02", "TOWNSHIP", "2025", "--item", "safety", "--reason", "事故")]:
        demo(*args)
    for args in [("finalize", r), ("reopen", r, "--reason", "x"), ("open", r), ("close", r),
                 ("admit", r, "ws-gl-05"), ("recuse", r, "j01", "ws-gl-03", "--reason", "x"),
                 ("sheet", r, "j01", "ws-gl-03", *marks)]:
        _, _, err = demo(*args, expect=2)
        assert FINAL in err and "找不到" not in err, args
    _, out, _ = demo("board", r, "--json")
    assert '"status": "disqualified"' in out and '"status": "withdrawn"' in out


def test_replay_of_a_contest_or_level_that_has_no_round_says_so(demo):
    _, _, err = demo("replay", "--rules", str(RULES), "--contest", "nope", expect=3)
    assert "找不到比武活动 nope" in err
    _, _, err = demo("--lang", "en", "replay", "--rules", str(RULES), "--level", "village", expect=2)
    assert "--level" in err and "no round" in err


def test_rounds_of_an_unknown_contest_is_not_found(demo):
    _, _, err = demo("rounds", "--contest", "nope", expect=3)
    assert "找不到比武活动 nope" in err


# -- 9. messages ---------------------------------------------------------------------------------


def test_publishing_a_final_round_says_it_is_final_and_what_can_be_done(demo):
    _, _, err = demo("publish", "r-gl-2025-05", expect=2)
    assert "R-GL-2025-05 当前已定案" in err and "leitai close" not in err and "请先结束评分" not in err
    assert "`leitai ranking R-GL-2025-05`" in err and "`leitai rerank`" in err
    _, _, err = demo("--lang", "en", "publish", "R-GL-2025-05", expect=2)
    assert "is final" in err and "Close the round first" not in err and "`leitai rerank`" in err


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_bad_db_is_named_as_db_and_a_bad_setting_as_the_setting(cli, monkeypatch, lang):
    _, _, err = cli("--lang", lang, "--db", "leitai.db", "rounds", expect=2)
    assert ("--db 的值 「leitai.db」 无效" if lang == "zh" else '--db: invalid value "leitai.db"') in err
    assert "LEITAI_DATABASE_URL" not in err and "sqlite:///leitai.db" in err  # and how to write it
    _, _, err = cli("--lang", lang, "--db", "mysql://h/x", "import", str(QUICKSTART), expect=2)
    assert "--db" in err and "LEITAI_DATABASE_URL" not in err
    _, _, err = cli("--lang", lang, "--db", "mysql://h/x", "demo", "--no-serve", expect=2)
    assert "--db" in err and "LEITAI_DATABASE_URL" not in err
    monkeypatch.setenv("LEITAI_DATABASE_URL", "leitai.db")
    _, _, err = cli("--lang", lang, "rounds", expect=2)
    assert "LEITAI_DATABASE_URL" in err and "--db " not in err


def _gbk_scenario(tmp_path: Path) -> Path:
    scenario = tmp_path / "gbk"
    shutil.copytree(QUICKSTART, scenario)
    organizations = scenario / "organizations.csv"
    organizations.write_bytes(organizations.read_text(encoding="utf-8").encode("gbk"))
    return scenario


def test_a_refused_import_leaves_no_database_and_later_commands_say_it_is_not_there(cli, tmp_path, key_directory):
    keys = set(key_directory.glob("*")) if key_directory.exists() else set()
    _, _, err = cli("--db", "sqlite:///gbk.db", "import", str(_gbk_scenario(tmp_path)), expect=2)
    assert "organizations.csv" in err and "UTF-8" in err and "未登记任何内容" in err
    assert not list(tmp_path.glob("gbk.db*"))  # no database, nor its -wal or -shm
    assert (set(key_directory.glob("*")) if key_directory.exists() else set()) == keys  # nor a key made for it
    for args in (("rounds",), ("board", "R-DZ-2025-06"), ("import", str(tmp_path / "no-such-directory"))):
        _, _, err = cli("--db", "sqlite:///gbk.db", *args, expect=5 if args[0] != "import" else 2)
        if args[0] != "import":
            assert "找不到数据库文件" in err and "`leitai import`" in err, err
        assert not list(tmp_path.glob("gbk.db*"))
    _, _, err = cli("--lang", "en", "--db", "sqlite:///gbk.db", "rounds", expect=5)
    assert "there is no database file" in err and "`leitai import`" in err


def test_an_import_into_an_existing_database_that_is_refused_keeps_it(cli, tmp_path):
    cli("import", str(QUICKSTART))
    cli("import", str(_gbk_scenario(tmp_path)), expect=2)
    _, out, _ = cli("rounds")
    assert "R-DZ-2025-06" in out


READERS = [("rounds",), ("contests",), ("board", "R"), ("ranking", "R"), ("audit", "R", "O"), ("appeals",),
           ("standings", "c", "U", "2025"), ("stars", "c", "township", "2025"), ("verify",), ("users", "list"),
           ("projections", "status"), ("keys", "show"), ("checkpoint", "--show"), ("export", "events", "e.ndjson"),
           ("replay", "--rules", str(RULES)), ("close", "R"), ("serve",)]


@pytest.mark.parametrize("args", READERS, ids=lambda a: " ".join(a[:2]))
def test_no_command_but_import_and_migrate_makes_a_database(cli, tmp_path, args):
    _, _, err = cli(*args, expect=5)
    assert "找不到数据库文件" in err and "new.db" in err and "`leitai db migrate`" in err
    assert not list(tmp_path.glob("new.db*"))


def test_an_empty_file_is_not_taken_for_a_database(cli, tmp_path):
    (tmp_path / "new.db").touch()
    _, _, err = cli("rounds", expect=5)
    assert "是空文件，还不是擂台数据库" in err and "`leitai import`" in err
    assert (tmp_path / "new.db").stat().st_size == 0  # left as it was found
    _, out, _ = cli("import", str(QUICKSTART))  # which may make it one
    assert "共登记" in out


def test_with_no_round_at_all_rounds_says_how_to_get_one(cli):
    cli("db", "migrate")
    _, out, _ = cli("rounds")
    assert "还没有轮次" in out and "leitai import" in out


def test_an_empty_holiday_file_says_what_it_should_hold(cli, tmp_path):
    (tmp_path / "2027.csv").write_text("date,kind,name\n", encoding="utf-8")
    _, _, err = cli("calendar", "load", "2027.csv", expect=2)
    assert "没有任何日期" in err and "2027-01-01,holiday" in err


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_demos_help_names_its_own_default_database_and_port(cli, lang):
    _, out, _ = cli("--lang", lang, "demo", "--help")
    assert "sqlite:///demo.db" in out and "5000" in out
    assert "(default LEITAI_DATABASE_URL)" not in out and "（默认 LEITAI_DATABASE_URL）" not in out
    _, out, _ = cli("--lang", lang, "board", "--help")  # the other commands do use it
    assert "LEITAI_DATABASE_URL" in out


def test_make_demo_serves_on_the_port_given(tmp_path):
    def dry(*args: str) -> str:
        done = subprocess.run(["make", "-n", "-f", str(ROOT / "Makefile"), "demo", *args], check=False,
                              capture_output=True,
                              text=True, cwd=ROOT, timeout=60)
        assert done.returncode == 0, done.stderr
        return next(line for line in done.stdout.splitlines() if " demo " in line)

    assert dry("PORT=5050").split()[-2:] == ["--port", "5050"]
    assert "--port" not in dry()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    two_commands = readme.split("## Two commands")[1].split("\n## ")[0]
    assert "make demo PORT=5050" in two_commands


def test_serving_on_a_port_taken_says_so_and_how_to_choose_another(demo):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        _, _, err = demo("serve", "--port", port, expect=2)
        assert f"--port 的值 「{port}」 无效" in err and "已被其他程序占用" in err and "--port 5050" in err
        _, _, err = demo("--lang", "en", "serve", "--port", port, expect=2)
        assert "taken by another program" in err
    _, _, err = demo("serve", "--host", "no-such-host.invalid", expect=2)
    assert "--host" in err and "本机没有这个地址" in err


def test_the_documents_say_what_an_upheld_appeal_does_to_the_period():
    """The program publishes changed results again for a full new period (rulebook 10.3); the
    README once said an upheld appeal re-seals 'without restarting the period'."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "without restarting the period" not in readme
    assert "full new period from that day" in readme
    assert "不重新开始原公示期" not in (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
