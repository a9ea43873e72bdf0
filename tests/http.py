"""Talking to Leitai over HTTP in tests: an app with its projector, accounts, a client
that signs in and checks what each answer says."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from api.app import create_app
from domain.model.base import Actor
from domain.services.app import Leitai
from eventstore.sidecar import Sidecar, prepare

BOOTSTRAP = Actor("bootstrap", "admin")
PASSWORD = "correct horse battery"


def serve(app: Leitai) -> Flask:
    """The HTTP app over ``app``, projecting in a thread as ``leitai serve``'s child would."""
    return create_app({"LEITAI_APP": app, "TESTING": True, "LEITAI_PROJECTOR": "thread"})


def stop(flask_app: Flask) -> None:
    flask_app.extensions["leitai_projector_stop"].set()
    flask_app.extensions["leitai_hub"].close()
    flask_app.extensions["leitai_sidecar"].close()


def add_account(app: Leitai, name: str, role: str | None = None, password: str = PASSWORD, **scope: str) -> None:
    """As ``leitai users add`` does: the account's events (the last commits to its password's
    hash), then the hash beside the store."""
    stored, commitment = prepare(password)

    def work(s: Any) -> None:
        if s.find_account(name) is None:
            s.create_account(name, name, BOOTSTRAP)
        if role is not None:
            s.grant_role(name, role, scope, "test account", BOOTSTRAP)
        s.password_changed(name, BOOTSTRAP, commitment=commitment)

    app.run(work)
    sidecar = Sidecar(app.store)
    sidecar.store_hash(name, stored)
    sidecar.close()


def give_password(app: Leitai, names: Iterable[str], password: str = PASSWORD) -> None:
    """Passwords for accounts an import or a scenario made, as ``leitai users password`` sets
    them (one hash for all: scrypt is slow on purpose)."""
    stored, commitment = prepare(password)
    names = list(names)
    app.run(lambda s: [s.password_changed(name, BOOTSTRAP, commitment=commitment) for name in names])
    sidecar = Sidecar(app.store)
    for name in names:
        sidecar.store_hash(name, stored)
    sidecar.close()


def zipped(directory: Path, leave_out: Iterable[str] = (), only_rounds_except: str | None = None) -> bytes:
    """A scenario directory as a .zip, as an organizer would upload it.  ``leave_out``
    names files not to include; ``only_rounds_except`` drops that round's rows from
    scores.csv (to score it over HTTP instead)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(directory.rglob("*")):
            relative = path.relative_to(directory).as_posix()
            if path.is_dir() or relative in leave_out or relative.startswith("final/") or relative == "README.md":
                continue
            data = path.read_bytes()
            if relative == "scores.csv" and only_rounds_except:
                lines = data.decode("utf-8").splitlines(keepends=True)
                data = "".join(line for i, line in enumerate(lines)
                               if i == 0 or not line.startswith(only_rounds_except + ",")).encode("utf-8")
            archive.writestr(f"{directory.name}/{relative}", data)
    return buffer.getvalue()


class Client:
    """A Flask test client speaking as one account (or the public)."""

    def __init__(self, flask_app: Flask, name: str | None = None, password: str = PASSWORD,
                 lang: str | None = None) -> None:
        self.http: FlaskClient = flask_app.test_client()
        self.name = name
        self.headers: dict[str, str] = {}
        if lang:
            self.headers["Accept-Language"] = lang
        if name is not None:
            answer = self.http.post("/api/auth/token", json={"name": name, "password": password})
            assert answer.status_code == 200, answer.get_json()
            self.headers["Authorization"] = f"Bearer {answer.get_json()['token']}"

    def call(self, method: str, path: str, expect: int | tuple[int, ...] | None = 200, **kwargs: Any) -> Any:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        response = self.http.open(path, method=method, headers=headers, **kwargs)
        wanted = (expect,) if isinstance(expect, int) else expect
        if wanted is not None:
            assert response.status_code in wanted, (method, path, response.status_code, response.get_data(as_text=True))
        return response

    def get(self, path: str, expect: int | tuple[int, ...] | None = 200, **kwargs: Any) -> Any:
        response = self.call("GET", path, expect, **kwargs)
        return response.get_json() if response.is_json else response

    def post(self, path: str, body: Any = None, expect: int | tuple[int, ...] | None = (200, 201),
             **kwargs: Any) -> Any:
        response = self.call("POST", path, expect, json=body if body is not None else {}, **kwargs)
        return response.get_json()
