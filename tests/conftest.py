"""Shared fixtures: stores (SQLite file, real PostgreSQL), applications, the example.

PostgreSQL tests never skip silently: with ``LEITAI_REQUIRE_POSTGRES=1`` (set by
``make test`` and so in CI) a missing server is an error, and the run's summary says
how many PostgreSQL tests ran and against which server.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from api.wiring import open_app
from domain.model.base import Actor
from domain.services.app import Leitai
from domain.services.clock import FixedClock
from tests import pg

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "wushen-2025"
ADMIN = Actor("admin-1", "admin")

_pg_report: dict[str, Any] = {"description": None, "ran": 0, "failed": 0}


@pytest.fixture(scope="session", autouse=True)
def no_configured_key() -> Iterator[None]:
    """Every test database has its own signing key, as every deployment has (one key signs
    one log: the signer refuses to sign another with it): LEITAI_SIGNING_KEY is unset, and
    each key is derived from its database in the session's data directory (key_directory)."""
    previous = os.environ.pop("LEITAI_SIGNING_KEY", None)
    yield
    if previous is not None:
        os.environ["LEITAI_SIGNING_KEY"] = previous


@pytest.fixture(scope="session", autouse=True)
def key_directory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """XDG_DATA_HOME for the session: the keys derived from each test's database (token keys,
    signing keys when LEITAI_SIGNING_KEY is unset) never land in the user's own directory."""
    path = tmp_path_factory.mktemp("xdg-data")
    previous = os.environ.get("XDG_DATA_HOME")
    os.environ["XDG_DATA_HOME"] = str(path)
    yield path / "leitai"
    if previous is None:
        os.environ.pop("XDG_DATA_HOME", None)
    else:
        os.environ["XDG_DATA_HOME"] = previous


@pytest.fixture
def signing_key(store_url: str) -> Path:
    """Where the test database's signing key lives (made on first use)."""
    from domain.services.store import parse_url
    from eventstore.keys import default_path

    return default_path(parse_url(store_url))


@pytest.fixture
def public_key(signing_key: Path) -> bytes:
    from eventstore.keys import load_signer

    return load_signer(signing_key).public_key


@pytest.fixture(scope="session")
def pg_databases() -> Iterator[pg.Databases]:
    try:
        server = pg.connect_server()
        databases = pg.Databases(server)
    except Exception as exc:  # noqa: BLE001 - report any way the server is missing
        message = f"PostgreSQL is not available: {exc}"
        if os.environ.get("LEITAI_REQUIRE_POSTGRES") == "1":
            pytest.fail(message + " (LEITAI_REQUIRE_POSTGRES=1: PostgreSQL tests must run)", pytrace=False)
        pytest.skip(message)
    _pg_report["description"] = server.description
    yield databases
    databases.close()
    server.stop()


@pytest.fixture
def pg_database(pg_databases: pg.Databases) -> Iterator[str]:
    """A fresh migrated database; yields the application's URL (as the limited role)."""
    name = pg_databases.create()
    yield pg_databases.server.url_for(name, user=pg.APP_ROLE)
    pg_databases.drop(name)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/leitai.db"
    return request.getfixturevalue("pg_database")


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path}/leitai.db"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock("2025-05-20T09:00")


@pytest.fixture
def make_app(clock: FixedClock) -> Iterator[Callable[..., Leitai]]:
    opened: list[Leitai] = []

    def make(url: str, at: FixedClock | None = None) -> Leitai:
        app = open_app(url, clock=at or clock)
        opened.append(app)
        return app

    yield make
    for app in opened:
        app.close()


@pytest.fixture
def app(make_app: Callable[..., Leitai], store_url: str) -> Leitai:
    return make_app(store_url)


def event_count(app: Leitai) -> int:
    return app.recorder.max_notification_id() or 0


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call" and "postgres" in report.keywords:
        _pg_report["ran"] += 1
        _pg_report["failed"] += int(report.failed)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _pg_report["description"]:
        terminalreporter.write_line(
            f"PostgreSQL: {_pg_report['ran']} tests ran against {_pg_report['description']}"
            f" ({_pg_report['failed']} failed)")
    elif _pg_report["ran"] == 0:
        terminalreporter.write_line("PostgreSQL: no PostgreSQL tests ran")


def command_line(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], folder: Path, url: str,
                 moment: str) -> Any:
    """``run(*args, expect=0)`` -> (exit code, stdout, stderr): ``leitai`` in this process on
    ``url`` at the clock's ``moment`` (moved with ``run.at``), as clerk-1, in ``folder``."""
    from api.cli.main import main

    monkeypatch.setenv("LEITAI_DATABASE_URL", url)
    monkeypatch.setenv("LEITAI_CLOCK", moment)
    monkeypatch.setenv("LEITAI_ACTOR", "clerk-1")
    monkeypatch.delenv("LEITAI_LANG", raising=False)
    monkeypatch.chdir(folder)

    def run(*args: str, expect: int | None = 0) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(list(args))
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err
        if expect is not None:
            assert code == expect, f"exit {code}, expected {expect}\n{out}\n{err}"
        return code, out, err

    run.at = lambda moment: monkeypatch.setenv("LEITAI_CLOCK", moment)  # type: ignore[attr-defined]
    return run
