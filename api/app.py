"""The Flask application factory.  Nothing is created at import time.

    flask --app 'api.app:create_app()' run

This first cut serves the ranking of a round; the resources of the HTTP API issue are
added as blueprints here.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from flask import Blueprint, Flask, current_app, jsonify, request

from api.schemas import RankingSchema
from api.wiring import open_app
from domain.errors import InvalidValue, LeitaiError, NotFound
from domain.services.app import Leitai
from projections.queries import ReadModels
from projections.ranking_json import ranking_document

rounds = Blueprint("rounds", __name__, url_prefix="/api/rounds")
HTTP_STATUS = {2: 422, 3: 404, 4: 409, 5: 503}


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(LEITAI_DATABASE_URL=None, JSON_AS_ASCII=False)
    app.config.update(config or {})
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    leitai = app.config.get("LEITAI_APP") or open_app(app.config["LEITAI_DATABASE_URL"])
    app.extensions["leitai"] = leitai
    app.extensions["read_models"] = ReadModels(leitai.store)
    app.register_blueprint(rounds)
    app.register_error_handler(LeitaiError, _error)

    @app.get("/healthz")
    def healthz() -> Any:
        """Liveness: the store answers."""
        return {"ok": True, "events": leitai.recorder.max_notification_id() or 0}

    return app


def _leitai() -> Leitai:
    return current_app.extensions["leitai"]


def _lang() -> str:
    wanted = request.args.get("lang") or request.accept_languages.best_match(["zh", "en"]) or "zh"
    return "en" if wanted.startswith("en") else "zh"


def _error(error: LeitaiError) -> Any:
    status = 404 if isinstance(error, NotFound) else HTTP_STATUS.get(type(error).exit_code, 422)
    return jsonify({"error": type(error).__name__, "message": error.message(_lang())}), status


@rounds.get("/<code>/board")
def board(code: str) -> Any:
    """The live leaderboard of a round, from the read side.

    ``?after=N`` (the position a command of this client returned) waits, up to
    ``timeout`` seconds (default 5), until the read side includes it: read-your-writes.
    """
    read: ReadModels = current_app.extensions["read_models"]
    after = request.args.get("after")
    if after is not None:
        if not after.isdigit():
            raise InvalidValue("after", after, "must be a log position (a whole number)", "应为日志位置（整数）")
        timeout_text = request.args.get("timeout", "5")
        try:
            seconds = Decimal(timeout_text[:20])
            if not seconds.is_finite():
                raise ValueError(timeout_text)
            timeout = min(max(float(seconds), 0.0), 30.0)
        except (InvalidOperation, ValueError):
            return jsonify({"error": "InvalidValue", "message": InvalidValue(
                "timeout", timeout_text, "must be a number of seconds", "应为秒数").message(_lang())}), 400
        if not read.wait_for(int(after), timeout):
            return jsonify({"error": "NotYetProjected", "position": read.position(),
                            "message": ("读模型尚未更新到该位置，请确认投影进程（leitai projections run）正在运行。"
                                        if _lang() == "zh" else
                                        "The read side has not reached that position yet; is "
                                        "`leitai projections run` running?")}), 503
    return read.leaderboard(code)


@rounds.get("/<code>/ranking")
def ranking(code: str) -> Any:
    """The ranking of a round, as the rulebook's ranking JSON."""
    rnd, result = _leitai().ranking(code)
    return RankingSchema().dump(ranking_document(rnd, result))
