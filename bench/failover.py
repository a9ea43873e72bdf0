"""Several servers, one projector at a time (issue 17, item 2), measured: ``--part failover``.

On a fresh PostgreSQL database of the run's server, with bench/http.py's contest day
(its rounds, judges and accounts):

* sheets/s, 1 server (the baseline) - ``leitai serve`` A alone; three load-generator
  processes (bench/loadgen.py, closed loop, each request a judge's sheet answered once
  the read side includes it) all send to A;
* sheets/s, 3 servers - A, B and C against the same database (B and C's projectors stand
  by), the same three load generators, one per server; printed with its ratio to the
  baseline.  On this 2-core machine the three servers, their PostgreSQL and the load
  generators share the same two cores: what a second host would add cannot show here;
* projector takeover - kill -9 the projector holding the lock, record a sheet at once,
  and time until the read side includes it (the next projector took the lock, folded
  what was committed and applied the sheet); beside the baseline of the same sheet ->
  read side time with no kill, in the same run.  Goal: <= 2 s;
* the projector's host vanishing - its projector in a network namespace of its own whose
  link is set down (:func:`vanished`): until a standby has projected the next event.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from domain.model.base import Actor
from domain.services.store import StoreURL

GOAL_TAKEOVER_S, GOAL_SCALE = 2.0, 2.0
LOADGENS = 3  # load-generator processes, the same in both configurations


class Server:
    """``leitai serve`` (and its projector) as a process of its own; every server of the run
    shares the signing key (one deployment)."""

    def __init__(self, store: StoreURL, folder: Path, name: str) -> None:
        from bench.http import free_port

        self.port = free_port()
        env = {**os.environ, "LEITAI_SIGNING_KEY": str(folder / "signing-key.pem"), "LEITAI_LANG": "en"}
        self.log = folder / f"server-{name}.log"
        self.process = subprocess.Popen([sys.executable, "-m", "api.cli.main", "--db", store.url, "serve",
                                         "--port", str(self.port), "--threads", "200"],
                                        env=env, stdout=subprocess.DEVNULL, stderr=open(self.log, "wb"))

    def health(self) -> dict[str, Any]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=5) as r:
                return dict(json.loads(r.read()))
        except urllib.error.HTTPError as error:
            return dict(json.loads(error.read()))

    def ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                health = self.health()
                if health["projected"] >= health["events"] and health.get("projector", {}).get("role") in (
                        "leader", "standby"):
                    return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(f"leitai serve exited: {self.log.read_text()[-2000:]}") from None
            time.sleep(0.2)
        raise RuntimeError(f"leitai serve not ready within {timeout:g} s: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def throughput(servers: list[Server], rounds: list[int], tokens: dict[tuple[int, int], str], entrants: int,
               by_round: bool) -> dict[str, Any]:
    """Every judge of ``rounds`` submits a sheet for each of ``entrants`` entrants (closed
    loop); ``LOADGENS`` load generators, the n-th sending to ``servers[n % len(servers)]``:
    ``by_round`` each round's judges in one generator (a proxy routing by round), else
    every round's judges spread over all (round robin).  The rate is the sheets answered
    201 over the time until the last is answered."""
    from bench.http import JUDGES, _sheet, finish, loadgen

    seats = [(t, j) for t in rounds for j in range(JUDGES)]
    groups = ([[s for s in seats if s[0] in rounds[n::LOADGENS]] for n in range(LOADGENS)] if by_round
              else [seats[n::LOADGENS] for n in range(LOADGENS)])
    runs = []
    for n, mine in enumerate(groups):
        server = servers[n % len(servers)]
        runs.append(loadgen({"mode": "requests", "host": "127.0.0.1", "port": server.port, "seconds": 120,
                             "workers": [[_sheet(t, j, e, tokens[(t, j)]) for e in range(entrants)]
                                         for t, j in mine]}, background=True))
    results = [finish(r) for r in runs]
    statuses: dict[str, int] = {}
    for r in results:
        for code, count in r["statuses"].items():
            statuses[code] = statuses.get(code, 0) + count
    span = max(r["seconds"] for r in results)
    recorded = statuses.get("201", 0)
    return {"servers": len(servers), "judges": len(seats), "by_round": by_round, "sheets": recorded,
            "seconds": span, "rate": recorded / span if span else 0.0, "p50_ms": max(r["p50_ms"] for r in results),
            "p99_ms": max(r["p99_ms"] for r in results), "statuses": statuses}


def takeovers(store: StoreURL, servers: list[Server], times: int) -> dict[str, Any]:
    """Baseline: a sheet recorded -> in the read side, nothing killed; then ``times`` times:
    kill -9 the leading projector, record a sheet, time until the read side includes it."""
    import psycopg

    from bench.http import JUDGES, _entrant, _judge, _marks
    from domain.services.app import Leitai
    from domain.services.store import application_env
    from projections.election import holder
    from projections.tables import STATE_TABLE

    app = Leitai(env=application_env(store), store=store)
    watch = psycopg.connect(store.conninfo(), autocommit=True)
    sheets = iter([(j, e) for e in range(20) for j in range(JUDGES)])  # round R00: nobody else scores it

    def record() -> int:
        j, e = next(sheets)
        return app.execute(lambda s: s.submit_sheet("R00", _judge(0, j), _entrant(0, e), _marks(0, j, e),
                                                     Actor(_judge(0, j), "judge"))).position

    def applied(position: int, started: float, limit: float = 30.0) -> float:
        while watch.execute(f"SELECT position FROM {STATE_TABLE} WHERE name = 'leitai'").fetchone()[0] < position:
            if time.perf_counter() - started > limit:
                raise RuntimeError(f"the read side did not reach {position} within {limit:g} s")
            time.sleep(0.002)
        return time.perf_counter() - started

    try:
        baseline = []
        for _ in range(5):
            started = time.perf_counter()
            baseline.append(applied(record(), started))
            time.sleep(0.1)
        seconds, leaders = [], []
        for n in range(times):
            if n:
                time.sleep(1.5)  # the killed projector's server restarts it (after 1 s): it stands by
            lead = holder(watch)
            if lead is None:
                raise RuntimeError("no projector holds the lead")
            pid = int(lead["name"].rsplit(" ", 1)[1])
            leaders.append(lead["name"])
            started = time.perf_counter()
            os.kill(pid, signal.SIGKILL)
            seconds.append(applied(record(), started))
        after = holder(watch)
    finally:
        watch.close()
        app.close()
    return {"baseline_ms": [round(s * 1000, 1) for s in baseline], "seconds": [round(s, 3) for s in seconds],
            "killed": leaders, "leader_after": after["name"] if after else None}


NET = "10.211.0"  # the vanishing host's little network (a veth pair into a network namespace of its own)


def vanished(folder: Path) -> dict[str, Any]:
    """The projector's host vanishes without closing its connection (power, network): the
    projector runs in a network namespace of its own, joined to this host by a veth pair;
    its PostgreSQL (a cluster of its own, listening on the pair's address too) gets no
    answer once the namespace's link goes down.  Timed: from the link going down until a
    standby on this host has taken the lead and projected the next event - the backend's
    TCP keepalive (idle 1 s, 1 probe) or, if sooner, the standby ending a holder silent for
    STALE_LEADER seconds.  Where network namespaces cannot be made (no ``ip``, no
    CAP_NET_ADMIN), it says so and measures nothing."""
    import psycopg

    from domain.model.base import Actor
    from domain.services.app import Leitai
    from domain.services.store import application_env, parse_url
    from projections.election import holder
    from projections.tables import STATE_TABLE
    from tests.pg import APP_ROLE, Databases, start_throwaway

    namespace = f"leitai-vanish-{os.getpid()}"
    host_end, far_end = f"lv{os.getpid() % 100000}h", f"lv{os.getpid() % 100000}n"

    def ip(*args: str, inside: bool = False) -> None:
        command = (["ip", "netns", "exec", namespace, "ip"] if inside else ["ip"]) + list(args)
        subprocess.run(command, check=True, capture_output=True, text=True, timeout=30)

    try:
        ip("netns", "add", namespace)
    except (OSError, subprocess.CalledProcessError) as error:
        why = getattr(error, "stderr", "") or str(error)
        return {"measured": False, "why": f"no network namespace here ({why.strip()[:120]})"}
    processes: list[subprocess.Popen[bytes]] = []
    server = databases = None
    try:
        ip("link", "add", host_end, "type", "veth", "peer", "name", far_end)
        ip("link", "set", far_end, "netns", namespace)
        ip("addr", "add", f"{NET}.1/24", "dev", host_end)
        ip("link", "set", host_end, "up")
        ip("addr", "add", f"{NET}.2/24", "dev", far_end, inside=True)
        ip("link", "set", far_end, "up", inside=True)
        ip("link", "set", "lo", "up", inside=True)
        server = start_throwaway(listen=f"127.0.0.1,{NET}.1", hba=(f"host all all {NET}.0/24 trust",))
        databases = Databases(server)
        local = server.url_for(databases.create(), user=APP_ROLE)
        far = local.replace("@127.0.0.1:", f"@{NET}.1:")
        store = parse_url(local)
        app = Leitai(env=application_env(store), store=store)
        admin = Actor("bench", "admin")
        app.create_contest("v", "bench", ["county"], admin)
        units = iter(range(1, 1000))

        def record() -> int:
            n = next(units)
            return app.execute(lambda s: s.add_unit("v", f"U{n}", f"单位{n}", "county", None, admin)).position

        def projector(url: str, name: str, netns: bool) -> subprocess.Popen[bytes]:
            command = [sys.executable, "-m", "api.cli.main", "--db", url, "projections", "run"]
            if netns:
                command = ["ip", "netns", "exec", namespace, *command]
            process = subprocess.Popen(command, env={**os.environ, "LEITAI_SERVER_NAME": name},
                                       stdout=subprocess.DEVNULL, stderr=open(folder / f"vanish-{name}.log", "wb"),
                                       start_new_session=True)
            processes.append(process)
            return process

        watch = psycopg.connect(store.conninfo(), autocommit=True)

        def until(what: str, check: Any, limit: float = 30.0) -> None:
            deadline = time.monotonic() + limit
            while not check():
                if time.monotonic() > deadline:
                    raise RuntimeError(f"vanishing host: {what} not within {limit:g} s")
                time.sleep(0.005)

        def leader() -> str:
            found = holder(watch)
            return found["name"] if found else ""

        projector(far, "far", netns=True)
        until("the projector across the veth leads", lambda: " far " in leader())
        projector(local, "near", netns=False)
        until("the projector on this host stands by",
              lambda: "standing by" in (folder / "vanish-near.log").read_text(errors="replace"))
        time.sleep(1.0)
        ip("link", "set", far_end, "down", inside=True)  # the host is gone: nothing answers any more
        started = time.perf_counter()
        position = record()
        until("a standby takes over and projects", lambda: watch.execute(
            f"SELECT position FROM {STATE_TABLE} WHERE name = 'leitai'").fetchone()[0] >= position)
        took = time.perf_counter() - started
        log = (folder / "vanish-near.log").read_text(errors="replace")
        how = "the standby ended a holder silent too long" if "has not been heard from" in log else \
            "the backend's keepalive found the host gone"
        watch.close()
        app.close()
        return {"measured": True, "seconds": round(took, 3), "how": how, "leader_after": leader_name(local)}
    finally:
        for process in processes:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait()
        subprocess.run(["ip", "netns", "del", namespace], capture_output=True)
        subprocess.run(["ip", "link", "del", host_end], capture_output=True)
        if databases is not None:
            databases.close()
        if server is not None:
            server.stop()


def leader_name(url: str) -> str | None:
    import psycopg

    from domain.services.store import parse_url
    from projections.election import holder

    with psycopg.connect(parse_url(url).conninfo(), autocommit=True) as conn:
        found = holder(conn)
    return found["name"] if found else None


def run(store: StoreURL, quick: bool) -> dict[str, Any]:
    import migrations
    from bench.http import JUDGES, PASSWORD, setup

    migrations.migrate(store)
    setup(store)
    folder = Path(tempfile.mkdtemp(prefix="leitai-bench-failover-"))
    servers: list[Server] = []
    try:
        servers.append(Server(store, folder, "a"))
        servers[0].ready()

        def sign_in(name: str) -> str:
            request = urllib.request.Request(f"http://127.0.0.1:{servers[0].port}/api/auth/token", method="POST",
                                             headers={"Content-Type": "application/json"},
                                             data=json.dumps({"name": name, "password": PASSWORD}).encode())
            with urllib.request.urlopen(request, timeout=30) as r:
                return str(json.loads(r.read())["token"])

        entrants = 12 if quick else 60  # sheets per judge
        used = {"one": [1, 2, 3], "three": [4, 5, 6], "spread": [7, 8, 9]}  # rounds of each measurement
        seats = [(t, j) for rounds in used.values() for t in rounds for j in range(JUDGES)]
        with ThreadPoolExecutor(4) as pool:
            tokens = dict(zip(seats, pool.map(sign_in, [f"judge-{t:02d}{j}" for t, j in seats]), strict=True))
        one = throughput(servers, used["one"], tokens, entrants, by_round=True)
        for name in ("b", "c"):
            servers.append(Server(store, folder, name))
        for server in servers:
            server.ready()
        three = throughput(servers, used["three"], tokens, entrants, by_round=True)
        spread = throughput(servers, used["spread"], tokens, entrants, by_round=False)
        roles = [server.health().get("projector", {}).get("role") for server in servers]
        took = takeovers(store, servers, 2 if quick else 5)
    finally:
        for server in servers:
            server.stop()
    try:
        gone = vanished(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return {"one": one, "three": three, "spread": spread, "roles": roles, "takeover": took, "vanished": gone,
            "cores": os.cpu_count()}


def report(r: dict[str, Any], verdict: Any, check: bool) -> list[str]:
    one, three, spread, took = r["one"], r["three"], r["spread"], r["takeover"]

    def line(what: str, m: dict[str, Any]) -> str:
        ratio = f" = {m['rate'] / one['rate']:.2f}x one server" if m is not one and one["rate"] else ""
        return (f"   {what}: {m['rate']:,.0f} sheets/s{ratio}, p50 {m['p50_ms']:.0f} ms, p99 {m['p99_ms']:.0f} ms "
                f"({m['sheets']:,} sheets by {m['judges']} judges, statuses {m['statuses']})")

    print(line("1 server (baseline)", one))
    print(line("3 servers, each round's judges on one server", three))
    print(line("3 servers, every round's judges on all three", spread))
    print(f"   projectors: {', '.join(map(str, r['roles']))}")
    ratio = three["rate"] / one["rate"] if one["rate"] else 0.0
    base = statistics.median(took["baseline_ms"])
    worst = max(took["seconds"]) if took["seconds"] else float("nan")
    print(f"   a sheet -> read side, no kill (baseline): median {base:.0f} ms; after kill -9 of the leading projector: "
          f"{', '.join(f'{s * 1000:.0f} ms' for s in took['seconds'])} (worst {worst * 1000 / base:.0f}x the "
          "baseline)")
    gone = r["vanished"]
    if gone["measured"]:
        print(f"   the projector's host vanished (its link down, its connection never closed): a standby projected the "
              f"next event {gone['seconds'] * 1000:.0f} ms later ({gone['how']}; {gone['seconds'] * 1000 / base:.0f}x the "
              "baseline)")
    else:
        print(f"   the projector's host vanishing: not measured ({gone['why']})")
    lines = [f"   failover: projector takeover <= {GOAL_TAKEOVER_S:g} s: worst {worst:.2f} s of "
             f"{len(took['seconds'])}  {verdict(worst <= GOAL_TAKEOVER_S, check)}",
             f"   failover: sheets/s through 3 servers >= {GOAL_SCALE:g}x one server: {ratio:.2f}x  "
             f"{verdict(ratio >= GOAL_SCALE, check)}"]
    if ratio < GOAL_SCALE:
        lines.append(f"     (on {r['cores']} cores the three servers, PostgreSQL and the load generators share the "
                     "same CPUs: more processes add no CPU here, and judges of one round on several servers "
                     "conflict on the round)")
    return lines


def part(stores: Any, quick: bool, verdict: Any) -> tuple[dict[str, Any], list[str]]:
    """`python -m bench --part failover`: on a fresh PostgreSQL database of the run's server."""
    print("\n== several servers, one projector: takeover after kill -9, sheets/s through 3 servers vs 1"
          + (" (quick)" if quick else ""), flush=True)
    store, _ = stores.fresh("postgresql")
    try:
        r = run(store, quick)
    finally:
        stores.drop(store)
    return r, report(r, verdict, check=not quick)
