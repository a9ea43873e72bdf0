"""For auditors: verification of the whole history, the event export (NDJSON with the
hash chain and a signed head), and what-if replay under another rule set."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from flask import Response
from flask.views import MethodView

from api.rest.base import Blueprint, hub, leitai
from api.rest.schemas.audit import ReplayRequest, ReplaySchema, VerifyQuery, VerifySchema
from api.rest.security import principal, require
from domain import access
from domain.errors import NotFound

blp = Blueprint("audit", __name__, url_prefix="/api", description="Verification, event export, replay")


def _auditor() -> Any:
    p = principal()
    require(access.reads_everything(p), p, "verify or export the history", "核对或导出全部历史记录")
    return p


def _deployment_signer() -> Any:
    """The deployment's signer, if its key is on this machine (never made by a read)."""
    signer = leitai().signer
    return signer if signer is not None and signer.key_path.exists() else None


@blp.route("/verify")
class VerifyResource(MethodView):
    @blp.arguments(VerifyQuery, location="query")
    @blp.response(200, VerifySchema)
    def get(self, query: dict[str, Any]) -> Any:
        """Check the hash chain, the signed checkpoints, every seal and published result"""
        from projections.source import EventSource
        from projections.verify import verify_store

        _auditor()
        store = leitai().store
        read = hub().read()
        only = read.round(query["round"])["round"] if query["round"] else None
        served = {r["round"]: read.ranking(r["round"]) for r in read.rounds() if not only or r["round"] == only}
        signer = _deployment_signer()
        keys = [signer.public_key] if signer is not None else []
        held = [("the signer's last head", note)] if signer is not None and (note := signer.last_head()) else []
        source = EventSource(store)
        try:
            report = verify_store(source, only, served, keys, held=held, accounts=None if only else read.accounts())
        finally:
            source.close()
        if keys:
            report.key_source = "deployment"
        return report.as_json()


@blp.route("/events")
class EventsResource(MethodView):
    @blp.response(200, description="NDJSON: leitai-events/3 (docs/rules.md)")
    def get(self) -> Any:
        """The whole event history as NDJSON, with the hash chain, the seals and a signed head"""
        from projections.source import EventSource
        from projections.verify import export_events

        _auditor()
        folder = tempfile.mkdtemp(prefix="leitai-export-")
        path = Path(folder) / "events.ndjson"
        source = EventSource(leitai().store)
        try:
            export_events(source, path, _deployment_signer())
        finally:
            source.close()

        def stream() -> Any:
            try:
                with path.open("rb") as f:
                    while chunk := f.read(65536):
                        yield chunk
            finally:
                path.unlink(missing_ok=True)
                Path(folder).rmdir()

        response = Response(stream(), mimetype="application/x-ndjson")
        response.headers["Content-Disposition"] = 'attachment; filename="leitai-events.ndjson"'
        return response


@blp.route("/replay")
class ReplayResource(MethodView):
    @blp.arguments(ReplayRequest)
    @blp.response(200, ReplaySchema)
    def post(self, data: dict[str, Any]) -> Any:
        """What would change under another rule set: rankings, prizes, promotions, standings,
        stars (records nothing)"""
        from domain.rules.ruleset import parse_ruleset
        from projections.replay import Selection, replay
        from projections.source import EventSource
        from projections.verify import fold_store

        p = principal()
        require(bool(p.roles("admin")) or access.reads_everything(p), p, "replay under other rules",
                "按其他规则重算")
        rules = parse_ruleset(data["rules"], "replay.toml")
        source = EventSource(leitai().store)
        try:
            folder = fold_store(source)
        finally:
            source.close()
        from domain.text import contest_code, entity_code

        # codes read as the rulebook reads them (3.2), as the command line reads them
        selection = Selection(tuple(entity_code(r, "rounds") for r in data["rounds"]),
                              contest_code(data["level"], "level") if data["level"] else None,
                              contest_code(data["contest"], "contest") if data["contest"] else None)
        from projections.replay import select_rounds

        _may_replay(p, select_rounds(folder, rules, selection))
        report = replay(folder, rules, selection)
        _may_replay(p, [r["round"] for r in report["rounds"]])  # every round the answer shows, those fed included
        return report


def _may_replay(p: Any, codes: list[str]) -> None:
    """A replay shows the rounds' provisional results: only of rounds the caller runs or audits."""
    from api.rest.security import round_view

    for code in dict.fromkeys(codes):
        try:
            view = round_view(code)
        except NotFound:
            continue  # replay itself says which named round does not exist
        require(access.manages_round(p, view) or access.reads_everything(p, view.contest), p,
                f"replay round {view.code}", f"按其他规则重算轮次 {view.code}")
