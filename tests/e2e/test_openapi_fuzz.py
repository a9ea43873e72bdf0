"""Schemathesis against the served OpenAPI document, signed in as the administrator:
generated requests (valid and invalid) to every operation; no answer is a 500, and every
answer matches what the document says - its status code, content type and schema.

The live stream (``/api/rounds/{code}/events``) is left out: it never ends by design, and
tests/e2e/test_http_api.py drives it.  Generated requests may change the contest (an
administrator may do anything); what is checked is that each answer keeps the contract.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode, checks

from tests.http import Client, add_account, serve, stop
from tests.scenario import score_all, small_contest

EXAMPLES = 10  # per operation and mode: about 1,600 requests
CHECKS = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
          checks.response_schema_conformance]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    from api.wiring import open_app
    from domain.services.clock import FixedClock
    from tests.conftest import ADMIN

    app = open_app(f"sqlite:///{tmp_path_factory.mktemp('fuzz')}/leitai.db", clock=FixedClock("2025-05-20T09:00"))
    small_contest(app)
    score_all(app)
    app.close_round("R1", ADMIN)
    app.publish("R1", ADMIN)
    add_account(app, "admin", "admin")
    add_account(app, "clerk", "admin", contest="c", unit="T1")
    web = serve(app)
    token = Client(web, "admin").headers["Authorization"]
    yield {"web": web, "token": token}
    stop(web)
    app.close()


@pytest.fixture(scope="module")
def operations(served: dict[str, Any]) -> list[Any]:
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", served["web"])
    found = [result.ok() for result in schema.exclude(path_regex=r"^/api/rounds/\{code\}/events$").get_all_operations()]
    documented = {(o.method.upper(), o.path) for o in found}
    routes = {(m, re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)) for rule in served["web"].url_map.iter_rules()
              for m in rule.methods - {"HEAD", "OPTIONS"} if rule.rule.startswith("/api/")
              and not rule.rule.startswith(("/api/docs", "/api/openapi.json"))}
    assert routes - documented == {("GET", "/api/rounds/{code}/events")}  # every operation is in the document
    return found


def known(path: str) -> dict[str, Any]:
    """Path parameters that name things that exist, so that answers other than 404 are
    generated and checked too."""
    values = {"code": "R1", "contest": "c", "entrant": "O1", "organization": "O1", "judge": "J1", "unit": "T1",
              "level": "township", "cycle": "2025", "period": "2025", "name": "clerk", "number": 1, "version": 1,
              "ballot": "A0001", "flag": "party-building", "task": "c:T1:2025-05:1:O1", "pair": "c:T1:2025-05:O1"}
    if path.startswith("/api/rulesets/"):
        values["code"] = "town"
    if "/documents/" in path:
        values["name"] = "score-sheet.html"
    return {p: values[p] for p in re.findall(r"{(\w+)}", path)}


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_answer_keeps_the_contract(operations: list[Any], served: dict[str, Any], mode: GenerationMode) -> None:
    failures: dict[str, str] = {}
    ran = 0
    for operation in operations:
        fixed = known(operation.path)
        for path_parameters in ([None, fixed] if fixed else [None]):
            strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)

            @given(case=strategy)
            @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                      suppress_health_check=list(HealthCheck))
            def run(case: Any) -> None:
                case.call_and_validate(headers={"Authorization": served["token"]}, checks=CHECKS)

            try:
                run()
                ran += 1
            except Unsatisfiable:
                continue  # nothing invalid can be made of this operation's inputs (no body, free text)
            except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001 - gather every failure
                failures[f"{operation.label} {path_parameters or ''}"] = str(error)[:2000]
    assert not failures, f"{len(failures)} operations break the contract: {sorted(failures)}\n\n" + "\n\n".join(
        f"{label}:\n{text}" for label, text in failures.items())
    assert ran >= (100 if mode == GenerationMode.POSITIVE else 40)
