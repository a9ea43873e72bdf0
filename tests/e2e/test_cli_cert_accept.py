"""``leitai cert accept``: a unit's star recommendations accepted in one command (issue 15,
item 11) - the listing of what is (or, with --dry-run, would be) recorded, the exceptions
given with --except, all or nothing, a retry with --key records nothing twice."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from api.wiring import open_app
from domain.services.clock import FixedClock
from tests.conftest import command_line, event_count
from tests.integration.test_certification_accept import rated_contest

ACCEPT = ("cert", "accept", "--contest", "c", "--level", "township", "--period", "2025")


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Any:
    url = f"sqlite:///{tmp_path}/leitai.db"
    clock = FixedClock("2025-05-20T09:00")
    app = open_app(url, clock=clock)
    try:
        rated_contest(app, clock)
    finally:
        app.close()
    run = command_line(monkeypatch, capsys, tmp_path, url, "2025-06-10T10:00")
    run.url = url  # type: ignore[attr-defined]
    return run


def _events(url: str) -> int:
    app = open_app(url, clock=FixedClock("2025-06-10T10:00"))
    try:
        return event_count(app)
    finally:
        app.close()


def test_a_dry_run_lists_what_would_be_recorded_and_records_nothing(run: Any) -> None:
    before = _events(run.url)
    _, out, _ = run(*ACCEPT, "--unit", "T1", "--except", "O2=2", "--reason", "实地考察后改定", "--dry-run")
    lines = out.splitlines()
    assert lines[0].split() == ["O2", "村O2", "手工改定为", "★★（建议", "★）；理由：实地考察后改定"]
    assert "O1  村O1  采纳建议 ★★★★" in out and "O3  村O3  采纳建议 ★★★★★" in out
    assert "预览（未登记任何内容）" in out and "3 个组织" in out
    assert _events(run.url) == before


def test_the_unit_is_accepted_in_one_command_and_a_retry_records_nothing(run: Any) -> None:
    before = _events(run.url)
    _, out, _ = run(*ACCEPT, "--unit", "C", "--except", "O2=2", "--except", "o5=none", "--reason", "实地考察后改定",
                    "--key", "accept-c-1", "--lang", "en")
    assert "O2  村O2  set by hand to ★★ (recommended ★); reason: 实地考察后改定" in out
    assert "O5  村O5  set by hand to no rating (recommended no rating)" in out
    assert "6 organization(s) re-evaluated and certified, 2 of them set by hand (6 events" in out
    assert _events(run.url) == before + 6  # one event per organization
    _, out, _ = run(*ACCEPT, "--unit", "C", "--except", "O2=2", "--except", "o5=none", "--reason", "实地考察后改定",
                    "--key", "accept-c-1", "--lang", "en")
    assert "nothing new" in out and _events(run.url) == before + 6
    _, listed, _ = run("cert", "list", "c", "township", "2025")
    rows = {line.split()[0]: line for line in listed.splitlines()[2:]}
    assert all("已认定" in rows[org] for org in ("O1", "O2", "O3", "O4", "O5", "O6"))
    assert rows["O2"].rstrip().endswith("★★") and rows["O3"].rstrip().endswith("★★★★★")


def test_a_refused_exception_records_nothing_and_says_why(run: Any) -> None:
    before = _events(run.url)
    _, _, err = run(*ACCEPT, "--unit", "C", "--except", "O2=5", expect=2)  # other than computed, no reason
    assert "O2" in err and "理由" in err
    _, _, err = run(*ACCEPT, "--unit", "T1", "--except", "O4=4", "--reason", "x", expect=2)  # not in T1
    assert "O4" in err and "T1" in err
    _, _, err = run(*ACCEPT, "--unit", "T1", "--except", "O1", expect=2)
    assert "ORG=STARS" in err or "组织代码=星级" in err
    _, _, err = run(*ACCEPT, "--unit", "T1", "--except", "O1=6", expect=2)
    assert "0 到 5" in err
    _, _, err = run(*ACCEPT, "--unit", "T9", expect=3)
    assert "T9" in err
    assert _events(run.url) == before
