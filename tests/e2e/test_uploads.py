"""Uploads to ``POST /api/contests/import`` cannot hurt the server (issue 14, item 12), on
both stores:

* an account without an admin grant is refused (403; the public 401) before a byte of
  the body is read - the attacker's 52 KB scores.xlsx with 10,000 cells in column XFD
  made the server grow from 145 MB to 1.47 GB before it answered 422;
* a file name with a control character (``scores.csv\\x00.txt``) is a 400 naming the file
  (it was a 500);
* a hostile workbook, CSV or archive sent by an admin is refused (422) naming the file,
  and the row where there is one, before it is loaded: a used range or a cell beyond the
  table's columns, a huge shared-strings table, a zip bomb (by its ratio), a member that
  unpacks to more than it declares, entity declarations, a record the csv module would
  build at once; a body over the limit is a 413; nothing is ever recorded;
* ``leitai serve`` itself (a real process) grows by less than 100 MB while all of them
  are sent, measured by the peak of its resident set (``VmHWM``).
"""

from __future__ import annotations

import io
import json
import socket
import time
import urllib.error
import urllib.request
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.wiring import open_app
from domain.services.clock import FixedClock
from tests import hostile
from tests.conftest import event_count
from tests.http import PASSWORD, Client, add_account, serve, stop
from tests.scenario import small_contest
from tests.served import leitai_serve

ROOT = Path(__file__).resolve().parents[2]
GROWTH_ALLOWED = 100 * 1024 * 1024


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    from tests import pg

    url, drop = pg.fresh_store(request, tmp_path_factory.mktemp("uploads"))
    app = open_app(url, clock=FixedClock("2025-05-20T09:00"))
    small_contest(app)
    add_account(app, "admin", "admin")
    add_account(app, "county", "admin", contest="c", unit="C")
    add_account(app, "judge-j1", "judge", contest="c", judge="J1")
    add_account(app, "org-o1", "organization", organization="O1")
    add_account(app, "auditor", "auditor")
    web = serve(app)
    yield {"app": app, "web": web, "url": url, "clients": {}}
    stop(web)
    app.close()
    drop()


def client(world: dict[str, Any], who: str | None) -> Client:
    if who not in world["clients"]:
        world["clients"][who] = Client(world["web"], who)
    return world["clients"][who]


def multipart(files: list[tuple[str, str, bytes]]) -> tuple[str, bytes]:
    """(content type, body) of a multipart form: (field, file name, bytes) each; the name
    is sent as it is, control characters included."""
    boundary = uuid.uuid4().hex
    out = io.BytesIO()
    for field, name, data in files:
        out.write(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"".encode())
        out.write(name.encode("utf-8") + b"\"\r\nContent-Type: application/octet-stream\r\n\r\n")
        out.write(data + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return f"multipart/form-data; boundary={boundary}", out.getvalue()


class Watched(io.BytesIO):
    """A request body that counts how much of it the server read."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.taken = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.taken += len(chunk)
        return chunk

    def readline(self, size: int | None = -1) -> bytes:
        chunk = super().readline(size)
        self.taken += len(chunk)
        return chunk


def upload(world: dict[str, Any], who: str | None, files: list[tuple[str, str, bytes]],
           body: Watched | None = None) -> Any:
    kind, data = multipart(files)
    stream = body or Watched(data)
    headers = dict(client(world, who).headers) if who else {}
    headers["Accept-Language"] = "en"
    return world["web"].test_client().open("/api/contests/import", method="POST", input_stream=stream,
                                           content_type=kind, content_length=len(data), headers=headers)


# -- refused before the body is read --------------------------------------------------------------


@pytest.mark.parametrize("who", ["org-o1", "judge-j1", "auditor", None])
def test_an_account_without_an_admin_grant_is_refused_before_the_body_is_read(world: dict[str, Any],
                                                                            who: str | None) -> None:
    before = event_count(world["app"])
    files = [("files", "scores.xlsx", hostile.xfd_sheet())]
    body = Watched(multipart(files)[1])
    started = time.monotonic()
    answer = upload(world, who, files, body)
    assert answer.status_code == (401 if who is None else 403), answer.get_data(as_text=True)
    assert answer.get_json()["code"] == ("Unauthorized" if who is None else "Forbidden")
    assert body.taken == 0, f"the server read {body.taken} bytes of a body it was going to refuse"
    assert time.monotonic() - started < 5
    assert event_count(world["app"]) == before


# -- file names -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("field", "name"), [("files", "scores.csv\x00.txt"), ("files", "scores\x1b[2J.csv"),
                                             ("files", "rules/\u202etxt.toml"), ("scenario", "s\x00.zip")])
def test_a_control_character_in_a_file_name_is_400_naming_the_file(world: dict[str, Any], field: str,
                                                                  name: str) -> None:
    before = event_count(world["app"])
    data = b"round_code,judge_code,entrant_code,party,industry\n"
    if field == "scenario":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("scores.csv", data)
        data = buffer.getvalue()
    answer = upload(world, "admin", [(field, name, data)])
    assert answer.status_code == 400, answer.get_data(as_text=True)
    body = answer.get_json()
    shown = "".join(f"\\x{ord(ch):02x}" if ord(ch) < 32 else f"\\u{ord(ch):04x}" if ch == "\u202e" else ch
                    for ch in name)  # scores.csv\x00.txt, as typed
    assert body["code"] == "UnsafeFileName" and shown in body["message"], body
    assert list(body["errors"]) == [shown]
    assert event_count(world["app"]) == before


def test_a_control_character_in_a_zip_members_name_is_400_naming_it(world: dict[str, Any]) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("scores.csv\x07", b"round_code,judge_code,entrant_code\n")
    answer = upload(world, "admin", [("scenario", "s.zip", buffer.getvalue())])
    assert answer.status_code == 400 and "scores.csv\\x07" in answer.get_json()["message"], answer.get_json()


# -- hostile files from an admin --------------------------------------------------------------------


def _zipped(name: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)
    return buffer.getvalue()


HOSTILE: dict[str, tuple[Any, str, str, list[str]]] = {
    # name: (the files, the file named, what the message says, more it says)
    "xfd-declared": (lambda: [("files", "scores.xlsx", hostile.xfd_sheet())], "scores.xlsx", "A1:XFD10000", []),
    "xfd-undeclared": (lambda: [("files", "scores.xlsx", hostile.xfd_sheet_undeclared())], "scores.xlsx row 1",
                       "XFD1", []),
    "xfd-in-a-zip": (lambda: [("scenario", "s.zip", _zipped("scores.xlsx", hostile.xfd_sheet()))], "scores.xlsx",
                     "XFD", []),
    "shared-strings": (lambda: [("files", "scores.xlsx", hostile.shared_strings())], "scores.xlsx",
                       "shared strings", []),
    "workbook-bomb": (lambda: [("files", "scores.xlsx", hostile.whitespace_bomb())], "scores.xlsx", "zip bomb",
                      ["xl/worksheets/sheet1.xml"]),
    "entities": (lambda: [("files", "scores.xlsx", hostile.entities())], "scores.xlsx", "DTD", []),
    "zip-bomb": (lambda: [("scenario", "bomb.zip", hostile.zip_bomb())], "bomb.zip", "zip bomb", ["scores.csv"]),
    "lying-zip": (lambda: [("scenario", "liar.zip", hostile.lying_zip())], "liar.zip", "scores.csv", []),
    "wide-record": (lambda: [("files", "scores.csv", hostile.wide_csv())], "scores.csv row 2", "200,000 characters",
                    []),
    "open-quote": (lambda: [("files", "scores.csv", hostile.open_quote_csv())], "scores.csv row", "", []),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_file_is_refused_naming_it_before_it_is_loaded(world: dict[str, Any], case: str) -> None:
    make, named, says, more = HOSTILE[case]
    before = event_count(world["app"])
    started = time.monotonic()
    answer = upload(world, "admin", make())
    body = answer.get_json()
    assert answer.status_code == 422, body
    assert body["message"].startswith(named) and says in body["message"], body
    assert all(text in body["message"] for text in more), body
    assert time.monotonic() - started < 20
    assert event_count(world["app"]) == before


def test_a_body_over_the_limit_is_413_and_nothing_is_read(world: dict[str, Any]) -> None:
    limit = world["web"].config["MAX_CONTENT_LENGTH"]
    body = Watched(b"x" * (limit + 1))
    headers = {**client(world, "admin").headers, "Accept-Language": "en"}
    answer = world["web"].test_client().open("/api/contests/import", method="POST", input_stream=body,
                                             content_type="multipart/form-data; boundary=x",
                                             content_length=limit + 1, headers=headers)
    assert answer.status_code == 413 and f"{limit:,}" in answer.get_json()["message"], answer.get_json()
    assert body.taken == 0


def test_a_sound_upload_still_imports(world: dict[str, Any]) -> None:
    """The limits leave a real scenario alone: a scores table as .xlsx and as CSV."""
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["round_code", "judge_code", "entrant_code", "party", "industry"])
    book.active.append(["R1", "J2", "O1", 25, 15.5])
    out = io.BytesIO()
    book.save(out)
    answer = upload(world, "admin", [("files", "scores.xlsx", out.getvalue())])
    assert answer.status_code == 201, answer.get_json()
    assert {"file": "scores.xlsx", "rows": 1, "recorded": 1, "warnings": []} in answer.get_json()["files"]
    csv_answer = upload(world, "county", [("scenario", "c.zip", _zipped(
        "c/scores.csv", b"round_code,judge_code,entrant_code,party,industry\nR1,J3,O1,24,15\n"))])
    assert csv_answer.status_code == 201, csv_answer.get_json()


# -- a real server's memory -----------------------------------------------------------------------------


def _memory(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (the peak resident set) of a process, in bytes."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0]) * 1024
    return out


def _post(base: str, token: str | None, files: list[tuple[str, str, bytes]]) -> tuple[int, dict[str, Any]]:
    kind, data = multipart(files)
    request = urllib.request.Request(base + "/api/contests/import", data=data, method="POST",
                                     headers={"Content-Type": kind, "Accept-Language": "en",
                                              **({"Authorization": f"Bearer {token}"} if token else {})})
    try:
        with urllib.request.urlopen(request, timeout=120) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        text = error.read()
        try:
            return error.code, json.loads(text)
        except ValueError:
            return error.code, {"message": text.decode("utf-8", "replace")}


def _token(base: str, name: str) -> str:
    request = urllib.request.Request(base + "/api/auth/token", method="POST", headers={"Content-Type":
                                                                                     "application/json"},
                                     data=json.dumps({"name": name, "password": PASSWORD}).encode())
    with urllib.request.urlopen(request, timeout=30) as answer:
        return str(json.loads(answer.read())["token"])


def _many_cells() -> bytes:
    """A scores table just under the body's limit, every cell different: held until the
    scenario's cell limit stops it."""
    rows = "".join(f"R{r},J{r},O{r},{r % 30},{r % 20}\n" for r in range(650_000))
    return ("round_code,judge_code,entrant_code,party,industry\n" + rows).encode()


def _oversized_declared(port: int, token: str, size: int) -> bytes:
    """Headers declaring ``size`` bytes, and no body: the answer the server gives at once."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall((f"POST /api/contests/import HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
                   f"Content-Type: multipart/form-data; boundary=x\r\nContent-Length: {size}\r\n\r\n").encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
            if b"\r\n\r\n" in data:
                break
        return data


def test_leitai_serve_grows_by_less_than_100_mb_while_hostile_uploads_are_sent(store_url: str,
                                                                               tmp_path: Path) -> None:
    app = open_app(store_url)
    small_contest(app)
    add_account(app, "admin", "admin")
    add_account(app, "org-o1", "organization", organization="O1")
    events = event_count(app)
    app.close()
    with leitai_serve(store_url, tmp_path, "--threads", "8", env={"LEITAI_MAX_STREAMS": "4"}) as served:
        base, port, server = served.base, served.port, served.process
        admin, org = _token(base, "admin"), _token(base, "org-o1")
        # warm up: a sound small workbook that names an unknown round (openpyxl and the
        # multipart parser are loaded before the baseline is taken)
        from openpyxl import Workbook

        book = Workbook()
        book.active.append(["round_code", "judge_code", "entrant_code", "party", "industry"])
        book.active.append(["R-NOPE", "J1", "O1", 25, 15])
        small = io.BytesIO()
        book.save(small)
        status, _ = _post(base, admin, [("files", "scores.xlsx", small.getvalue())])
        assert 400 <= status < 500
        baseline = _memory(server.pid)
        limit = 20 * 1024 * 1024
        sent = [
            (org, [("files", "scores.xlsx", hostile.xfd_sheet())], 403, "org-o1"),
            (admin, [("files", "scores.xlsx", hostile.xfd_sheet())], 422, "scores.xlsx"),
            (admin, [("files", "scores.xlsx", hostile.xfd_sheet_undeclared())], 422, "scores.xlsx row 1"),
            (admin, [("files", "scores.xlsx", hostile.shared_strings())], 422, "scores.xlsx"),
            (admin, [("files", "scores.xlsx", hostile.whitespace_bomb())], 422, "scores.xlsx"),
            (admin, [("scenario", "bomb.zip", hostile.zip_bomb())], 422, "bomb.zip"),
            (admin, [("scenario", "liar.zip", hostile.lying_zip())], 422, "liar.zip"),
            (admin, [("files", "scores.csv", hostile.wide_csv())], 422, "scores.csv row 2"),
            (admin, [("files", "scores.csv\x00.txt", b"round_code\n")], 400, "scores.csv\\x00.txt"),
            (admin, [("files", "scores.csv", _many_cells())], 422, "scores.csv row 100002"),
            (admin, [("files", "scores.csv", b"x" * (limit + 1024))], 413, "the limit is"),
        ]
        wrong = []
        for token, files, status, named in sent:
            started = time.monotonic()
            got, body = _post(base, token, files)
            took = time.monotonic() - started
            if got != status or named not in body.get("message", ""):
                wrong.append((repr(files[0][1]), got, body.get("message", "")[:200], f"{took:.1f} s"))
        refused = _oversized_declared(port, admin, 1024 * 1024 * 1024)
        peak = _memory(server.pid)
        growth = peak["VmHWM"] - baseline["VmRSS"]
        print(f"\nleitai serve: {baseline['VmRSS'] / 2**20:.0f} MB before, peak {peak['VmHWM'] / 2**20:.0f} MB "
              f"while hostile uploads were sent (growth {growth / 2**20:.0f} MB)")
        assert growth < GROWTH_ALLOWED, (baseline, peak, wrong)
        assert not wrong, wrong
        assert refused.startswith(b"HTTP/1.1 413"), refused[:200]  # waitress reads none of it
        with urllib.request.urlopen(base + "/healthz", timeout=10) as r:
            assert json.loads(r.read())["events"] == events  # nothing recorded

