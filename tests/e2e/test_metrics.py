"""``GET /metrics`` of `leitai serve` (issue 17, item 5), scraped from a real server process: the
text is read by a parser that holds it to the Prometheus text exposition format (0.0.4), and the
figures move as the server works - requests by route (the URL rule, never the path or its query),
the latency histogram, the log and projector positions after a sheet, an open live stream, a
refused sign-in, and the fan-out publications a child process of the server counts.  Only this
machine, or a client with LEITAI_METRICS_TOKEN, may read it."""

from __future__ import annotations

import http.client
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from domain.services.setup import RoundSpec
from tests.conftest import ADMIN
from tests.http import add_account
from tests.scenario import judge, small_contest
from tests.served import leitai_serve

TOKEN = "s3cret-metrics-token"
NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
SAMPLE = re.compile(rf"({NAME})(\{{.*\}})? (\S+)")
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\\\|\\"|\\n)*)"(,|$)')


def parse(text: str) -> dict[str, dict[str, Any]]:
    """The families of an exposition, each {"type", "help", "samples": [(name, labels, value)]},
    or AssertionError naming the first line that breaks the format's rules."""
    assert text.endswith("\n"), "the exposition ends with a line feed"
    families: dict[str, dict[str, Any]] = {}
    current = None
    for number, line in enumerate(text.split("\n")[:-1], 1):
        where = f"line {number}: {line!r}"
        if line.startswith("# HELP "):
            name, _, doc = line[7:].partition(" ")
            assert re.fullmatch(NAME, name) and name not in families, where
            families[name] = {"help": doc, "type": None, "samples": []}
            current = name
        elif line.startswith("# TYPE "):
            name, _, kind = line[7:].partition(" ")
            assert name == current and kind in ("counter", "gauge", "histogram", "summary", "untyped"), where
            assert not families[name]["samples"], f"{where}: TYPE comes before the samples"
            families[name]["type"] = kind
        else:
            match = SAMPLE.fullmatch(line)
            assert match, f"{where}: not a sample line"
            name, labels_text, value = match.groups()
            family = families[current]
            allowed = {current} | ({current + s for s in ("_bucket", "_sum", "_count")}
                                   if family["type"] == "histogram" else set())
            assert name in allowed, f"{where}: a sample of another family than {current}"
            labels: dict[str, str] = {}
            if labels_text:
                inner = labels_text[1:-1]
                position = 0
                while position < len(inner):
                    found = LABEL.match(inner, position)
                    assert found, f"{where}: bad label set"
                    assert found.group(1) not in labels, f"{where}: a label twice"
                    labels[found.group(1)] = found.group(2)
                    position = found.end()
            float(value)  # a number (NaN and ±Inf included)
            family["samples"].append((name, labels, float(value)))
    for name, family in families.items():
        if family["type"] == "counter":
            assert name.endswith("_total") and all(v >= 0 for _, _, v in family["samples"]), name
        if family["type"] == "histogram":
            _check_histogram(name, family["samples"])
    return families


def _check_histogram(name: str, samples: list[tuple[str, dict[str, str], float]]) -> None:
    series: dict[tuple, dict[str, Any]] = {}
    for sample, labels, value in samples:
        key = tuple(sorted((k, v) for k, v in labels.items() if k != "le"))
        found = series.setdefault(key, {"buckets": []})
        if sample.endswith("_bucket"):
            found["buckets"].append((float(labels["le"]), value))
        else:
            found[sample[len(name):]] = value
    for key, found in series.items():
        bounds = [b for b, _ in found["buckets"]]
        counts = [c for _, c in found["buckets"]]
        assert bounds == sorted(bounds) and bounds[-1] == float("inf"), f"{name}{key}: buckets out of order"
        assert counts == sorted(counts), f"{name}{key}: buckets are not cumulative"
        assert counts[-1] == found["_count"], f"{name}{key}: the +Inf bucket is not the count"
        assert found["_sum"] >= 0


def value(families: dict[str, Any], name: str, sample: str | None = None, **labels: str) -> float:
    found = [v for n, ls, v in families[name]["samples"]
             if n == (sample or name) and all(ls.get(k) == w for k, w in labels.items())]
    assert len(found) == 1, f"{name} {labels}: {len(found)} samples"
    return found[0]


def get(base: str, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(base + path, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, dict(answer.headers), answer.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode("utf-8")


def scrape(base: str) -> dict[str, Any]:
    status, headers, text = get(base, "/metrics")
    assert status == 200, text
    assert headers["Content-Type"].startswith("text/plain; version=0.0.4"), headers["Content-Type"]
    return parse(text)


@pytest.fixture
def served(make_app: Any, store_url: str, tmp_path: Path) -> Any:
    url = store_url
    app = make_app(url)
    small_contest(app)
    app.schedule_round("c", RoundSpec("RL", "township", "T2", "2025-05", "town", judges=("J1", "J2", "J3"),
                                      live_board=True), ADMIN)
    app.open_round("RL", ADMIN)
    add_account(app, "clerk", "admin")
    env = {"LEITAI_METRICS_TOKEN": TOKEN, "LEITAI_TRUSTED_PROXIES": "127.0.0.1", "LEITAI_CLOCK": "2025-05-20T09:00"}
    with leitai_serve(url, tmp_path, env=env) as web:
        yield app, web


def test_the_figures_move_as_the_server_works(served):
    app, web = served
    before = scrape(web.base)
    for family in ("leitai_http_requests_total", "leitai_http_request_duration_seconds", "leitai_log_events",
                   "leitai_projector_position", "leitai_projector_lag_events", "leitai_projector_lag_seconds",
                   "leitai_projector_running", "leitai_live_streams", "leitai_live_streams_limit",
                   "leitai_sign_in_refusals_total", "leitai_fanout_publications_total"):
        assert family in before, f"{family} is missing"
    assert value(before, "leitai_projector_running") == 1
    if app.store.kind == "postgresql":  # one projector elected among the servers (projections/election.py)
        deadline = time.monotonic() + 10
        while value(scrape(web.base), "leitai_projector_leader") != 1:
            assert time.monotonic() < deadline, get(web.base, "/healthz")
            time.sleep(0.2)
        assert value(scrape(web.base), "leitai_projector_leader_known") == 1
    assert value(before, "leitai_live_streams") == 0

    for _ in range(3):
        assert get(web.base, "/api/rounds/RL/board")[0] == 200
    assert get(web.base, "/api/rounds/RL?lang=en&x=1")[0] == 200
    assert get(web.base, "/no/such/page?x=1")[0] == 404
    refused = urllib.request.Request(web.base + "/api/auth/token", method="POST", data=json.dumps(
        {"name": "clerk", "password": "wrong password"}).encode(), headers={"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.urlopen(refused, timeout=10)
    assert answer.value.code == 401

    # a sheet, recorded beside the server: the log and then the read side move
    events = value(before, "leitai_log_events")
    app.submit_sheet("R1", "J1", "O1", {"party": "25", "industry": "15"}, judge("J1"))
    deadline = time.monotonic() + 10
    while True:
        after = scrape(web.base)
        if value(after, "leitai_projector_position") > events or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert value(after, "leitai_log_events") > events
    assert value(after, "leitai_projector_position") == value(after, "leitai_log_events")
    assert value(after, "leitai_projector_lag_events") == 0

    board = {"method": "GET", "route": "/api/rounds/<code>/board"}
    assert value(after, "leitai_http_requests_total", status="200", **board) == 3
    assert value(after, "leitai_http_request_duration_seconds", "leitai_http_request_duration_seconds_count",
                 **board) == 3
    assert value(after, "leitai_http_requests_total", method="GET", route="/api/rounds/<code>", status="200") == 1
    assert value(after, "leitai_http_requests_total", method="GET", route="unmatched", status="404") == 1
    routes = {s[1]["route"] for s in after["leitai_http_requests_total"]["samples"]}
    assert not any("?" in r or "RL" in r or "/no/such" in r for r in routes), routes
    assert value(after, "leitai_sign_in_refusals_total", reason="password") == \
        value(before, "leitai_sign_in_refusals_total", reason="password") + 1


def test_open_live_streams_are_counted(served):
    """(A stream whose listener left is counted until the server's next keep-alive write fails,
    15 s or more later: not waited for here.)"""
    _, web = served
    connections = []
    for opened in (1, 2):
        connection = http.client.HTTPConnection("127.0.0.1", web.port, timeout=10)
        connection.request("GET", "/api/rounds/RL/events", headers={"Accept": "text/event-stream"})
        answer = connection.getresponse()
        assert answer.status == 200
        answer.fp.readline()  # the stream has begun
        connections.append(connection)
        families = scrape(web.base)
        assert value(families, "leitai_live_streams") == opened
        assert value(families, "leitai_live_streams_limit") >= 8
    for connection in connections:
        connection.close()


def test_what_a_child_of_the_server_counts_is_shown(served):
    """The fan-out publisher runs in the projector, a child process of the server: what a
    child counts (projections.counters) reaches the server's /metrics."""
    _, web = served
    before = value(scrape(web.base), "leitai_fanout_publications_total")
    subprocess.run([sys.executable, "-c", "from projections.counters import count; count('fanout_publications', 3)"],
                   check=True, env={**os.environ, "LEITAI_PARENT_PID": str(web.process.pid)},
                   cwd=Path(__file__).resolve().parents[2])
    assert value(scrape(web.base), "leitai_fanout_publications_total") == before + 3


def test_only_this_machine_or_the_token_may_read_it(served):
    _, web = served
    outside = {"X-Forwarded-For": "203.0.113.7"}  # through the trusted proxy (127.0.0.1), from elsewhere
    status, _, text = get(web.base, "/metrics", outside)
    assert status == 403 and "LEITAI_METRICS_TOKEN" in text and "只有本机" in text
    assert get(web.base, "/metrics", {**outside, "Authorization": "Bearer wrong"})[0] == 403
    status, headers, text = get(web.base, "/metrics", {**outside, "Authorization": f"Bearer {TOKEN}"})
    assert status == 200 and "leitai_log_events" in text
    assert get(web.base, "/metrics?lang=en", outside)[2].startswith("/metrics is readable from this machine only")
