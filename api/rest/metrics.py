"""``GET /metrics``: what a server is doing, in the Prometheus text exposition format
(``text/plain; version=0.0.4``), written here by hand (no client library: a handful of
counters, gauges and one histogram).

* ``leitai_http_requests_total{method,route,status}`` and
  ``leitai_http_request_duration_seconds{method,route}`` (a histogram: the time until the
  answer's headers are ready - a live stream counts until it starts, not while it lasts).
  ``route`` is the Flask URL rule (``/api/rounds/<code>/board``), never the path or its
  query string, so the series stay as many as the routes; a request no rule matches is
  ``route="unmatched"``; an anonymous board read answered before Flask
  (api/rest/fastpath.py) has its rule's name too.
* ``leitai_log_events``, ``leitai_projector_position``, ``leitai_projector_lag_events``,
  ``leitai_projector_lag_seconds``: the log, the read side and how far behind it is (as
  ``/healthz``); ``leitai_projector_running``, ``leitai_projector_restarts_total`` under
  ``leitai serve``; ``leitai_projector_leader`` 1/0 where several servers elect one
  projector (projections/election.py), ``leitai_projector_leader_known`` 0 when nobody leads.
* ``leitai_live_streams`` and ``leitai_live_streams_limit`` (``LEITAI_MAX_STREAMS``).
* ``leitai_sign_in_refusals_total{reason="password"|"throttled"}``.
* every counter of :mod:`projections.counters`, as ``leitai_<name>_total``
  (``leitai_fanout_publications_total``, counted by the projector's publisher).

Who may read it: a client on this machine (loopback, after ``LEITAI_TRUSTED_PROXIES``
is applied, so a proxy on this machine does not make the internet local), or anyone
sending ``Authorization: Bearer <LEITAI_METRICS_TOKEN>`` when that is set.  Others get
403; nothing is counted about who asked.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, Response, current_app, request

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
ROUTE_KEY = "leitai.route"  # the environ key the Flask rule is left under for the timing wrapper


class Requests:
    """Counts and latencies by (method, route[, status]), for one process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.counts: dict[tuple[str, str, str], int] = {}
        self.latency: dict[tuple[str, str], list[float]] = {}  # bucket counts..., +Inf count, sum

    def observe(self, method: str, route: str, status: str, seconds: float) -> None:
        with self._lock:
            key = (method, route, status)
            self.counts[key] = self.counts.get(key, 0) + 1
            found = self.latency.get((method, route))
            if found is None:
                found = self.latency[(method, route)] = [0.0] * (len(BUCKETS) + 2)
            for i, bound in enumerate(BUCKETS):
                if seconds <= bound:
                    found[i] += 1
            found[len(BUCKETS)] += 1
            found[len(BUCKETS) + 1] += seconds

    def snapshot(self) -> tuple[dict[tuple[str, str, str], int], dict[tuple[str, str], list[float]]]:
        with self._lock:
            return dict(self.counts), {k: list(v) for k, v in self.latency.items()}


class Timing:
    """WSGI wrapper (outermost): each request's method, route, status and the time until
    its headers were ready."""

    def __init__(self, app: Callable[..., Any], requests: Requests, label: Callable[[dict[str, Any]], str]) -> None:
        self.app, self.requests, self.label = app, requests, label

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        started = time.perf_counter()
        seen: dict[str, str] = {}

        def record(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            seen["status"] = status.split(" ", 1)[0]
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        try:
            return self.app(environ, record)
        finally:
            method = environ.get("REQUEST_METHOD", "GET")
            self.requests.observe(method if method in METHODS else "other", self.label(environ),
                                  seen.get("status", "500"), time.perf_counter() - started)


METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


def _label(environ: dict[str, Any]) -> str:
    route = environ.get(ROUTE_KEY)
    if route:
        return str(route)
    from api.rest.fastpath import BOARD

    if BOARD.fullmatch(environ.get("PATH_INFO", "")):  # answered by the fast path, before Flask
        return "/api/rounds/<code>/board"
    return "unmatched"


def install(app: Flask) -> None:
    """``/metrics`` and the timing of every request (call after every other WSGI wrapper)."""
    import atexit

    from projections import counters

    requests = Requests()
    app.extensions["leitai_requests"] = requests
    counters.forget_stale()  # an earlier server's, with this pid
    atexit.register(counters.forget_children, os.getpid())  # the children's counter files end with the server

    @app.before_request
    def _route() -> None:
        if request.url_rule is not None:
            request.environ[ROUTE_KEY] = request.url_rule.rule

    app.wsgi_app = Timing(app.wsgi_app, requests, _label)  # type: ignore[method-assign]

    @app.get("/metrics")
    def metrics() -> Any:
        """Prometheus metrics (this machine, or with LEITAI_METRICS_TOKEN)"""
        if not allowed():
            from api.rest.errors import lang

            zh = lang() == "zh"
            text = ("只有本机或持有 LEITAI_METRICS_TOKEN 的请求（Authorization: Bearer …）可以读取 /metrics。\n" if zh else
                    "/metrics is readable from this machine only, or with LEITAI_METRICS_TOKEN "
                    "(Authorization: Bearer …).\n")
            return Response(text, 403, content_type="text/plain; charset=utf-8")
        return Response(exposition(), 200, content_type=CONTENT_TYPE, headers={"Cache-Control": "no-store"})


def allowed() -> bool:
    token = os.environ.get("LEITAI_METRICS_TOKEN", "")
    given = request.headers.get("Authorization", "")
    if token and given.startswith("Bearer ") and hmac.compare_digest(given[7:].strip().encode(), token.encode()):
        return True
    from api.rest.security import client_address

    try:
        return ipaddress.ip_address(client_address().strip("[]")).is_loopback
    except ValueError:
        return False


# -- the exposition ------------------------------------------------------------------------------------------


def exposition() -> str:
    from api.app import health

    ext = current_app.extensions
    out: list[str] = []

    def family(name: str, kind: str, text: str, samples: Iterable[tuple[str, dict[str, str], float]]) -> None:
        out.append(f"# HELP {name} {text}")
        out.append(f"# TYPE {name} {kind}")
        for suffix, labels, value in samples:
            out.append(f"{name}{suffix}{_labels(labels)} {_number(value)}")

    counts, latency = ext["leitai_requests"].snapshot()
    family("leitai_http_requests_total", "counter", "HTTP requests answered, by method, route (Flask URL rule) "
           "and status", (("", {"method": m, "route": r, "status": s}, n) for (m, r, s), n in sorted(counts.items())))
    samples = []
    for (m, r), found in sorted(latency.items()):
        for i, bound in enumerate(BUCKETS):
            samples.append(("_bucket", {"method": m, "route": r, "le": _number(bound)}, found[i]))
        samples.append(("_bucket", {"method": m, "route": r, "le": "+Inf"}, found[len(BUCKETS)]))
        samples.append(("_sum", {"method": m, "route": r}, found[len(BUCKETS) + 1]))
        samples.append(("_count", {"method": m, "route": r}, found[len(BUCKETS)]))
    family("leitai_http_request_duration_seconds", "histogram", "time until an answer's headers were ready, by "
           "method and route", samples)

    hub = ext["leitai_hub"]
    state = ext.get("leitai_projector_state")
    body, _ = health(ext["leitai"], hub, state)
    family("leitai_log_events", "gauge", "the log's last position (events recorded)", [("", {}, body["events"])])
    family("leitai_projector_position", "gauge", "the last position the read models show",
           [("", {}, body["projected"])])
    family("leitai_projector_lag_events", "gauge", "events recorded and not yet projected", [("", {}, body["behind"])])
    family("leitai_projector_lag_seconds", "gauge", "age of the oldest event not yet projected",
           [("", {}, body["lag_seconds"])])
    projector = body.get("projector")
    if projector is not None:
        family("leitai_projector_running", "gauge", "1 while this server's projector process runs",
               [("", {}, 1 if projector.get("running") else 0)])
        family("leitai_projector_restarts_total", "counter", "times this server restarted its projector",
               [("", {}, projector.get("restarts", 0))])
        if "role" in projector:  # several servers, one projector elected (projections/election.py)
            family("leitai_projector_leader", "gauge", "1 when this server's projector is the elected one",
                   [("", {}, 1 if projector["role"] == "leader" else 0)])
            family("leitai_projector_leader_known", "gauge", "1 when some server's projector leads (0: none, "
                   "or the store cannot say)", [("", {}, 1 if projector["role"] in ("leader", "standby") else 0)])
    streams = hub.streams
    replica = ext.get("leitai_read_hub")
    if replica is not None and replica is not hub:
        streams += replica.streams
    family("leitai_live_streams", "gauge", "live board streams open now", [("", {}, streams)])
    family("leitai_live_streams_limit", "gauge", "live board streams this server keeps open at most",
           [("", {}, int(current_app.config.get("LEITAI_MAX_STREAMS") or 200))])
    refused = ext["leitai_throttle"].refused
    family("leitai_sign_in_refusals_total", "counter", "sign-ins refused: a wrong name or password, or too many "
           "failures (throttled)", (("", {"reason": k}, refused.get(k, 0)) for k in ("password", "throttled")))
    from projections import counters

    totals = counters.local()
    for name, value in counters.from_children().items():
        totals[name] = totals.get(name, 0) + value
    totals.setdefault("fanout_publications", 0)
    for name, value in sorted(totals.items()):
        family(f"leitai_{name}_total", "counter", _HELP.get(name, name.replace("_", " ")), [("", {}, value)])
    return "\n".join(out) + "\n"


_HELP = {"fanout_publications": "live boards published to the fan-out engine (by the projector)"}


def _labels(labels: dict[str, str]) -> str:
    if not labels:
        return ""
    inner = ",".join(f'{k}="{_escape(str(v))}"' for k, v in labels.items())
    return "{" + inner + "}"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _number(value: float) -> str:
    if isinstance(value, float) and not value.is_integer():
        return repr(value)
    return str(int(value))
