"""The command line as a real process when things go wrong around it: a reader that
hangs up, a store that is not there or is locked by someone else.  Each ends with the
documented exit code and a sentence saying what to do, within a bounded time, and never
with a Python traceback."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import pytest

from domain.services.store import parse_url
from tests.conftest import ROOT

LEITAI = str(Path(sys.executable).parent / "leitai")
QUICKSTART = ROOT / "examples" / "quickstart"


def leitai(*args: str, env: dict[str, str], timeout: float = 60) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.perf_counter()
    done = subprocess.run([LEITAI, *args], capture_output=True, text=True, env=env, timeout=timeout, cwd=ROOT)
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
    return done, time.perf_counter() - started


@pytest.fixture
def env(tmp_path):
    return dict(os.environ, LEITAI_DATABASE_URL=f"sqlite:///{tmp_path}/r.db", LEITAI_CLOCK="2025-06-20T09:00",
                LEITAI_LANG="zh")


@pytest.fixture
def imported(env):
    done, _ = leitai("import", str(QUICKSTART), env=env)
    assert done.returncode == 0, done.stderr
    return env


def test_a_reader_that_hangs_up_ends_the_command_quietly(imported):
    process = subprocess.Popen([LEITAI, "ranking", "R-DZ-2025-06", "--json"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=imported, cwd=ROOT)
    process.stdout.close()  # like `| head -0`: the pipe is gone before anything is written
    _, err = process.communicate(timeout=60)
    assert process.returncode == 0 and b"Traceback" not in err and b"BrokenPipe" not in err


@pytest.mark.parametrize("url", [
    "postgresql://postgres@127.0.0.1:1/leitai",  # nobody listens
    "postgresql://nobody_{uid}@127.0.0.1:5432/postgres",  # no such user
    "postgresql://postgres@127.0.0.1:5432/no_such_db_{uid}",  # no such database
])
def test_a_store_that_cannot_be_opened_exits_5_with_what_to_do_in_bounded_time(env, url, pg_databases):
    admin = parse_url(pg_databases.server.admin_url)
    url = url.replace("127.0.0.1:5432", f"{admin.host}:{admin.port}").format(uid=os.getpid())
    done, seconds = leitai("--db", url, "board", "R-DZ-2025-06", env=env)
    assert done.returncode == 5 and "请检查 --db" in done.stderr and seconds < 15
    done, seconds = leitai("--db", url, "close", "R-DZ-2025-06", env=env)
    assert done.returncode == 5 and seconds < 15



@pytest.mark.postgres
def test_a_postgres_table_locked_by_another_process_is_reported_in_bounded_time(pg_database, pg_databases, env):
    env = dict(env, LEITAI_DATABASE_URL=pg_database)
    done, _ = leitai("import", str(QUICKSTART), env=env)
    assert done.returncode == 0, done.stderr
    owner = pg_databases.server.url_for(parse_url(pg_database).dbname)
    with psycopg.connect(parse_url(owner).conninfo()) as holder:
        holder.execute("LOCK TABLE leitai_events IN ACCESS EXCLUSIVE MODE")  # held until the block ends
        done, seconds = leitai("sheet", "R-XZ-2025-06", "J4", "XZ-01", "party=1", "industry=1", env=env, timeout=120)
        holder.rollback()
    assert done.returncode == 5 and "锁定" in done.stderr, done.stderr
    assert seconds < 30


def test_an_sqlite_database_locked_by_another_process_is_reported_in_bounded_time(imported, tmp_path):
    path = parse_url(imported["LEITAI_DATABASE_URL"]).path
    locked, release = threading.Event(), threading.Event()

    def hold() -> None:
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("BEGIN EXCLUSIVE")
        locked.set()
        release.wait(60)
        conn.execute("ROLLBACK")
        conn.close()

    holder = threading.Thread(target=hold)
    holder.start()
    locked.wait(10)
    try:
        done, seconds = leitai("correct", "R-XZ-2025-06", "J4", "XZ-01", "party=1", "industry=1", "--reason", "x",
                               env=imported)
    finally:
        release.set()
        holder.join()
    assert done.returncode == 5 and "锁定" in done.stderr, done.stderr
    assert seconds < 20


def test_every_command_an_error_message_names_exists(imported):
    """Error messages may only suggest commands that the command line has."""
    from api.cli.parser import COMMANDS

    paths = {c.path for c in COMMANDS}
    source = (ROOT / "domain" / "errors.py").read_text(encoding="utf-8")
    for path in ("domain", "api", "projections"):
        for file in (ROOT / path).rglob("*.py"):
            source += file.read_text(encoding="utf-8")
    named = set(re.findall(r"`leitai ([a-z][a-z-]*(?: [a-z][a-z-]*)?)", source))
    assert named, "no command found in the messages"
    for words in sorted(named):
        parts = tuple(words.split())
        assert parts in paths or parts[:1] in paths, f"a message names `leitai {words}`, which does not exist"


@pytest.mark.parametrize("args, said", [
    (("--bogus",), "leitai：错误：无法识别的参数：--bogus"),
    (("close",), "leitai close：错误：缺少必需的参数：rounds"),
    (("document", "agenda", "R-DZ-2025-06", "--out", "x.html"), "参数 kind：无效的选择 'agenda'（可选："),
    (("no-such-command",), "参数 命令：无效的选择 'no-such-command'"),
    (("publish", "R-DZ-2025-06", "--days", "five"), "参数 --days：'five' 不是有效的整数"),
    (("judges",), "以下参数必须给出其中一个：--round --contest"),
])
def test_a_usage_error_is_in_chinese_by_default_with_exit_2(env, args, said):
    done, _ = leitai(*args, env=env)
    assert done.returncode == 2 and done.stdout == ""
    assert said in done.stderr, done.stderr
    assert "error:" not in done.stderr and "usage:" in done.stderr  # the usage line, then the Chinese message
    assert "--help` 查看全部选项" in done.stderr  # and where to look


@pytest.mark.parametrize("how", ["LEITAI_LANG", "--lang"])
def test_a_usage_error_is_in_english_when_english_is_asked_for(env, how):
    args = ("--lang", "en", "close") if how == "--lang" else ("close",)
    done, _ = leitai(*args, env=dict(env, LEITAI_LANG="en") if how == "LEITAI_LANG" else env)
    assert done.returncode == 2 and done.stdout == ""
    assert "leitai close: error: the following arguments are required: rounds" in done.stderr, done.stderr
    assert "错误" not in done.stderr
