"""Tracks (赛道, rulebook section 20) on the command line, as a user runs them after the demo:
standings under a heading per track, a change of track between periods, its refusal inside
a scored period, and the organization's track history."""

from __future__ import annotations

import json

import pytest

from tests.e2e.test_cli import run  # noqa: F401 - the fixture


@pytest.fixture
def demo(run, tmp_path):  # noqa: F811
    run("--db", f"sqlite:///{tmp_path}/cli.db", "demo", "--fresh", "--no-serve")
    return run


def test_tracks_on_the_command_line(demo):
    out = demo("standings", "wushen-2025", "WS-WD", "2025-05").stdout
    village, community = out.index("== 赛道：嘎查村 (village) =="), out.index("== 赛道：社区 (community) ==")
    assert village < out.index("陶利淖尔村") < community < out.index("纳林希里社区")
    assert out.count("   1  WS-WD-") == 2  # a first place in each track
    assert "后列（约谈） 1: WS-WD-10" in out[:community]
    english = demo("--lang", "en", "standings", "wushen-2025", "WS-WD", "2025-05", "--track", "community").stdout
    assert "== Track: 社区 (community) ==" in english and "陶利淖尔村" not in english
    data = json.loads(demo("standings", "wushen-2025", "WS-WD", "2025-05", "--json").stdout)
    assert [s["name"] for s in data["sections"]] == ["嘎查村", "社区"]
    # the demo moved WS-WD-10 to the community track from June; May stays scored in the village track
    refused = demo("org", "track", "wushen-2025", "WS-WD-10", "village", "--from", "2025-05", "--reason", "改回",
                   check=False)
    assert refused.returncode != 0 and "最早从 2025-06 开始" in refused.stderr
    refused = demo("--lang", "en", "org", "track", "wushen-2025", "WS-WD-09", "school", "--from", "2025-07",
                   "--reason", "x", check=False)
    assert refused.returncode != 0 and "not a track of contest wushen-2025" in refused.stderr
    done = demo("org", "track", "wushen-2025", "WS-WD-09", "community", "--from", "2025-07", "--reason", "撤村建居")
    assert "已登记：WS-WD-09 从 2025-07 起属于赛道 community" in done.stdout
    history = demo("org", "tracks", "WS-WD-09").stdout
    assert "一开始" in history and "2025-07" in history and "撤村建居" in history
