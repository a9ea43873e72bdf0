"""The Flask application factory.  Nothing is created at import time.

    leitai serve                                   # production (waitress), with the projector
    flask --app 'api.app:create_app()' run         # development only

The HTTP API is made of flask-smorest blueprints (one per resource) with a marshmallow
schema for every request body and response; the OpenAPI 3 document is served at
``/api/openapi.json`` and a browsable version at ``/api/docs`` (its assets served from
the installed package, nothing from the internet).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

from flask import Flask, request, send_from_directory
from flask_smorest import Api
from itsdangerous import URLSafeTimedSerializer
from werkzeug.exceptions import HTTPException

from api.rest import errors
from api.rest.base import remember_answer
from api.rest.hub import Hub
from api.rest.schemas.common import ErrorSchema
from api.rest.security import Throttle, deployment, token_key, trusted_proxies
from domain.errors import LeitaiError

DEFAULTS = {
    "API_TITLE": "擂台 Leitai",
    "API_VERSION": "1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api",
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "docs",
    "OPENAPI_SWAGGER_UI_URL": "/api/docs/assets/",
    "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,  # a scenario upload; nothing else comes near
    "JSON_AS_ASCII": False,
    "LEITAI_DATABASE_URL": None,
    "LEITAI_PROJECTOR": None,  # "thread": project in this process (tests, development)
    # anonymous board reads answered before Flask (api/rest/fastpath.py); LEITAI_FAST_READS=0 turns it off
    "LEITAI_FAST_READS": os.environ.get("LEITAI_FAST_READS", "1") != "0",
    # the reverse proxies whose X-Forwarded-For names the client (addresses or CIDRs; api.rest.security)
    "LEITAI_TRUSTED_PROXIES": None,  # None: the environment's LEITAI_TRUSTED_PROXIES
}


class LeitaiApi(Api):
    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error: HTTPException) -> Any:
        return _for_pages(errors.http_error)(error)


def _for_pages(handler: Any) -> Any:
    """The API's error answer, or for a web page the same message as a page (a sign-in
    page when the session is missing or expired)."""

    def handle(error: Exception) -> Any:
        response = handler(error)
        if request.path.startswith("/api/") or request.path == "/healthz":
            return response
        from api.web.pages import error_page

        data = response.get_json(silent=True) or {}
        return error_page(response.status_code, data.get("code", ""), data.get("message", ""))

    return handle


def create_app(config: dict[str, Any] | None = None) -> Flask:
    from api.wiring import open_app

    app = Flask(__name__)
    app.config.update(DEFAULTS)
    app.config.update(config or {})
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    leitai = app.config.get("LEITAI_APP") or open_app(app.config["LEITAI_DATABASE_URL"])
    from eventstore.sidecar import Sidecar

    hub = Hub(leitai.store)
    sidecar = Sidecar(leitai.store, hub.leases)
    tokens = URLSafeTimedSerializer(token_key(leitai.store), salt="leitai-token")
    hub.release()
    from api.rest.rights import Rights

    rights = Rights(leitai.store, lambda: hub.stopping)
    leitai.recorded_listeners.append(rights.forget_all)  # what this process records is known at once
    app.extensions.update(leitai=leitai, leitai_hub=hub, leitai_sidecar=sidecar, leitai_throttle=Throttle(),
                          leitai_rights=rights,
                          leitai_tokens=tokens, leitai_deployment=deployment(leitai.store),
                          leitai_trusted_proxies=trusted_proxies(
                              app.config["LEITAI_TRUSTED_PROXIES"] if app.config["LEITAI_TRUSTED_PROXIES"] is not None
                              else os.environ.get("LEITAI_TRUSTED_PROXIES")))
    api = LeitaiApi(app, spec_kwargs={"info": {"description": _DESCRIPTION}})
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    api.spec.options["security"] = [{"bearer": []}, {}]
    for blueprint in _blueprints():
        api.register_blueprint(blueprint)
    from api import web

    app.register_blueprint(web.blp)
    app.register_error_handler(LeitaiError, _for_pages(errors.leitai_error))
    app.after_request(remember_answer)
    app.teardown_request(lambda _: hub.release())
    from api.rest.consistency import install

    read_hub = install(app, hub)  # Leitai-Position, and public reads from LEITAI_READ_DATABASE_URL
    app.register_error_handler(Exception, _for_pages(errors.unexpected))
    _docs_assets(app)
    if app.config["LEITAI_FAST_READS"]:
        from api.rest.fastpath import PublicReads

        app.wsgi_app = PublicReads(app.wsgi_app, read_hub or hub)  # type: ignore[method-assign]
    if app.config["LEITAI_PROJECTOR"] == "thread":
        _project_in_a_thread(app, leitai.store)
    elif app.config.get("LEITAI_PROJECTOR_STATE") is not None:  # `leitai serve`'s child (api.serve.Projector)
        app.extensions["leitai_projector_state"] = app.config["LEITAI_PROJECTOR_STATE"]
    from api.rest import metrics

    metrics.install(app)  # /metrics, and every request timed (outermost: after the wrappers above)

    @app.get("/healthz")
    def healthz() -> Any:
        """The store answers; where the read side is and how far behind the log (seconds
        since the oldest event it has not projected was recorded); 503 naming the problem
        when the projector is not running or the read side is more than ``LAG_LIMIT``
        seconds behind."""
        body, status = health(leitai, hub, app.extensions.get("leitai_projector_state"))
        if read_hub is not None:
            from api.rest.consistency import replica_health

            body["read_replica"] = replica_health(read_hub, body["projected"])
        return body, status

    return app


LAG_LIMIT = 5.0  # seconds the read side may be behind the log before /healthz fails


def health(leitai: Any, hub: Any, projector: Any) -> tuple[dict[str, Any], int]:
    from datetime import datetime, timezone

    zh = errors.lang() == "zh"
    events = leitai.recorder.max_notification_id() or 0
    projected = hub.read().position()
    lag = 0.0
    if projected < events:
        lag = (datetime.now(timezone.utc) - _recorded_at(leitai, projected + 1)).total_seconds()
    state = projector() if projector is not None else None
    problems = []
    if state is not None and not state["running"]:
        problems.append({"code": "ProjectorNotRunning", "message": (
            f"投影进程没有运行（pid {state.get('pid')}，退出码 {state.get('exit_code')}），"
            f"{'将在 ' + str(state['restart_in']) + ' 秒后重新启动' if 'restart_in' in state else '正在重新启动'}；"
            "读取的结果不包括新登记的内容。") if zh else (
            f"the projector is not running (pid {state.get('pid')}, exit code {state.get('exit_code')}); "
            f"{'restarting it in ' + str(state['restart_in']) + ' s' if 'restart_in' in state else 'restarting it'}; "
            "reads miss what is recorded meanwhile.")})
    if lag > LAG_LIMIT:
        problems.append({"code": "ReadSideBehind", "message": (
            f"读取端落后日志 {lag:.1f} 秒（{events - projected} 条事件未投影，上限 {LAG_LIMIT:g} 秒）。") if zh else (
            f"the read side is {lag:.1f} s behind the log ({events - projected} events not projected; the limit "
            f"is {LAG_LIMIT:g} s).")})
    body: dict[str, Any] = {"ok": not problems, "events": events, "projected": projected,
                            "behind": max(0, events - projected), "lag_seconds": round(max(lag, 0.0), 1)}
    if state is not None:
        body["projector"] = state
    if problems:
        body["problems"] = problems
    return body, 503 if problems else 200


def _recorded_at(leitai: Any, position: int) -> Any:
    """When the event at ``position`` was recorded (its own timestamp; now if unreadable)."""
    from datetime import datetime, timezone

    import orjson

    try:
        found = leitai.recorder.select_notifications(position, 1)
        stamp = orjson.loads(found[0].state)["timestamp"]
        moment = datetime.fromisoformat(stamp["_data_"] if isinstance(stamp, dict) else stamp)
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)
    except Exception:  # noqa: BLE001 - an event without a readable time counts as just recorded
        return datetime.now(timezone.utc)


def _blueprints() -> list[Any]:
    from api.rest.resources import (accounts, assessment, audit, certifications, comments, contests, documents,
                                    evidence, federation, log, rounds, scoring, stream, tracks, voting, work)

    return [accounts.blp, contests.blp, rounds.blp, scoring.blp, certifications.blp, audit.blp, stream.blp,
            documents.blp, log.blp, tracks.blp, comments.blp, voting.blp, work.blp, evidence.blp, assessment.blp,
            federation.blp]  # 市级联动 (api/rest/resources/federation.py)


def _docs_assets(app: Flask) -> None:
    """Swagger UI's files, from the installed swagger-ui-bundle package."""
    import swagger_ui_bundle

    folder = Path(swagger_ui_bundle.swagger_ui_path)

    @app.get("/api/docs/assets/<path:name>")
    def docs_assets(name: str) -> Any:
        return send_from_directory(folder, name)


def _project_in_a_thread(app: Flask, store: Any) -> None:
    from projections.runner import Projector

    stop = threading.Event()

    def project() -> None:
        projector = Projector(store, idle_wait=0.05)
        try:
            projector.run(stop)
        finally:
            projector.close()

    thread = threading.Thread(target=project, daemon=True, name="leitai-projector")
    thread.start()
    app.extensions["leitai_projector_stop"] = stop
    app.extensions["leitai_projector_state"] = lambda: {"running": thread.is_alive(), "supervised": False}


_DESCRIPTION = """擂台 Leitai：基层党组织书记擂台比武与星级评定。Arena contests and star certification.

Sign in with `POST /api/auth/token` and send `Authorization: Bearer <token>`. Errors are
`{"code", "message", "errors"}` in the request's language (`?lang=en`, `Accept-Language`; Chinese by
default). Every command accepts `Idempotency-Key`, answers with the log position of its last event and
waits until the read side includes it; a read sending that position back in `Leitai-Position` is answered
once the answering server includes it (else `503 NotYetProjected`, retry), whichever server it reaches.
Reads carry an `ETag` and answer `304` to `If-None-Match`."""
