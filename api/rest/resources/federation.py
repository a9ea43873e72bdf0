"""市级联动 / federation over HTTP: a final round's export with proof, and the summary the
province dashboard reads (both public: they hold published results, counts and hashes);
on the city's deployment, registering a source (an admin of everything) and admitting a
source round's finalists with proof (an admin over the round they enter).  The server
fetches nothing: the caller sends the source's signed head, export and consistency proof."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from api.rest.base import Blueprint, command, hub, leitai
from api.rest.schemas.common import CommandResult, Strict, Text
from api.rest.security import actor, manages_round, principal, require
from domain import access
from domain.errors import InvalidValue

blp = Blueprint("federation", __name__, url_prefix="/api/federation",
                description="A city above its counties: final rounds exported with proof, summaries for the dashboard")


class ExportProofs(Schema):
    finalized = fields.String(required=True, metadata={"description": "tlog-proof of the round's Finalized event"})
    entrants = fields.Dict(keys=fields.String(), values=fields.String(), required=True,
                           metadata={"description": "entrant -> tlog-proof of its EntrantAdmitted event"})


class ExportResult(Schema):
    entrant = fields.String(required=True)
    name = fields.String(allow_none=True)
    unit = fields.String(allow_none=True)
    rank = fields.Integer(allow_none=True)
    final = fields.String(allow_none=True)
    promotion = fields.String(allow_none=True)
    award = fields.String(allow_none=True)
    tied = fields.Boolean(allow_none=True)


class Export(Schema):
    format = fields.String(required=True)
    round = fields.String(required=True)
    origin = fields.String(required=True)
    vkey = fields.String(required=True)
    size = fields.Integer(required=True)
    checkpoint = fields.String(required=True)
    seal = fields.String(required=True)
    results = fields.List(fields.Nested(ExportResult), required=True)
    proofs = fields.Nested(ExportProofs, required=True)


class StarCount(Schema):
    contest = fields.String(required=True)
    level = fields.String(required=True)
    cycle = fields.String(required=True)
    track = fields.String(required=True)
    stars = fields.Integer(required=True, metadata={"description": "stars as certified (0: none yet)"})
    recommended = fields.Integer(required=True, metadata={"description": "stars the rulebook recommends (section 9)"})
    organizations = fields.Integer(required=True)


class Summary(Schema):
    format = fields.String(required=True)
    as_of = fields.String(required=True)
    size = fields.Integer(required=True)
    checkpoint = fields.String(required=True)
    stars = fields.List(fields.Nested(StarCount), required=True)


@blp.route("/export/<code>")
class ExportResource(MethodView):
    @blp.response(200, Export)
    def get(self, code: str) -> Any:
        """A final round's results with its signed head and inclusion proofs (public once final)"""
        from projections.federation import build_export
        from projections.proofs import ProofUnavailable

        try:
            return build_export(hub().read(), code)
        except ProofUnavailable as error:
            raise InvalidValue("round", code, error.en, error.zh) from None


@blp.route("/summary")
class SummaryResource(MethodView):
    @blp.response(200, Summary)
    def get(self) -> Any:
        """This deployment's latest signed head and stars per contest, level, cycle and track (public)"""
        from projections.federation import summary

        return summary(hub().read(), leitai().clock.now().isoformat(timespec="seconds"))


class SourceRequest(Strict):
    checkpoint = Text(required=True, validate=validate.Length(min=1, max=16_384),
                      metadata={"description": "the source's signed head: its GET /api/checkpoint, or an export's"})
    key = Text(required=True, validate=validate.Length(min=1, max=400),
               metadata={"description": "the source log's verifier key (NAME+KEYID+KEY) or public key (64 hex digits)"})
    code = Text(required=True, validate=validate.Length(min=1, max=40))
    name = Text(required=True, validate=validate.Length(min=1, max=64))
    url = Text(load_default="", validate=validate.Length(max=400),
               metadata={"description": "where the city's command line fetches from (recorded; the server fetches nothing)"})
    witnesses = fields.List(Text(validate=validate.Length(min=1, max=400)), load_default=list,
                            validate=validate.Length(max=16),
                            metadata={"description": "witness keys (type 04) whose cosignatures every admitted head needs"})
    quorum = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=16),
                            metadata={"description": "how many of the witnesses (default: all)"})
    reason = Text(required=True, validate=validate.Length(min=1, max=1000))


class AdmissionRequest(Strict):
    into = Text(required=True, validate=validate.Length(min=1, max=40), metadata={"description": "the round here"})
    source = Text(required=True, validate=validate.Length(min=1, max=40), metadata={"description": "the source's code"})
    export = fields.Dict(required=True, metadata={"description": "the source round's leitai-federation/1 export"})
    top = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=10_000),
                         metadata={"description": "admit the top N (default: those the source round promoted)"})
    consistency = Text(load_default=None, allow_none=True, validate=validate.Length(max=20_000),
                       metadata={"description": "the consistency proof between the export's head and the largest "
                                                "seen from the source (its GET /api/proof/consistency)"})


class Admitted(CommandResult):
    admission = fields.Integer(allow_none=True)
    admitted = fields.List(fields.String(), required=True)


def _public(value: str) -> bytes:
    from domain.checkpoint import ED25519, NoteError, VerifierKey

    text = value.strip()
    if len(text) == 64 and all(c in "0123456789abcdefABCDEF" for c in text):
        return bytes.fromhex(text)
    try:
        key = VerifierKey.parse(text)
    except NoteError as error:
        raise InvalidValue("key", value, error.en, error.zh) from None
    if key.kind != ED25519:
        raise InvalidValue("key", value, "this is a witness's key (type 04); give the source log's key",
                           "这是见证方的公钥（类型 04）；请给出来源日志的公钥")
    return key.public


def _witness(value: str) -> str:
    from domain.checkpoint import COSIGNATURE, NoteError, VerifierKey

    try:
        key = VerifierKey.parse(value)
    except NoteError as error:
        raise InvalidValue("witnesses", value, error.en, error.zh) from None
    if key.kind != COSIGNATURE:
        raise InvalidValue("witnesses", value, "this is not a witness's key (type 04)", "这不是见证方的公钥（类型 04）")
    return str(key)


@blp.route("/sources")
class SourcesResource(MethodView):
    @blp.arguments(SourceRequest)
    @blp.response(201, CommandResult)
    def post(self, data: dict[str, Any]) -> Any:
        """Register a source deployment by its signed head and key (administrators of everything)"""
        from domain.checkpoint import Note, NoteError, b64
        from domain.model.federation import AdmissionRefused
        from domain.services.federation import register_in
        from eventstore.notes import log_key
        from projections.federation import signed_head

        p = principal()
        require(access.manages_accounts(p), p, "register a source deployment", "登记来源部署")
        public = _public(data["key"])
        try:
            origin = Note.parse(data["checkpoint"]).checkpoint.origin
            note = signed_head(data["checkpoint"], origin, public)
        except NoteError as error:
            raise InvalidValue("checkpoint", "", error.en, error.zh) from None
        except AdmissionRefused as error:
            raise InvalidValue("key", data["key"], error.fields["why"], error.fields["why_zh"]) from None
        head = {"size": note.checkpoint.size, "root": b64(note.checkpoint.root), "checkpoint": str(note)}
        vkey = str(log_key(origin, public))
        witnesses = tuple(_witness(w) for w in data["witnesses"])
        return command(lambda s, key: register_in(s, data["code"], data["name"], origin, vkey, data["url"].rstrip("/"),
                                                  head, data["reason"], actor(p, "admin"), key, witnesses,
                                                  data["quorum"]),
                       "federation", lambda _: {})


@blp.route("/admissions")
class AdmissionsResource(MethodView):
    @blp.arguments(AdmissionRequest)
    @blp.response(201, Admitted)
    def post(self, data: dict[str, Any]) -> Any:
        """Admit a source round's finalists into a round here, once its proofs hold (administrators over the round)"""
        from domain.model.federation import SourceNotFound
        from domain.services.federation import admit_in, state
        from domain.text import entity_code
        from projections.federation import check_export, choose_rows

        p, view = manages_round(data["into"])
        code = entity_code(data["source"], "source")
        f = state(leitai())
        if f is None or code not in f.sources:
            raise SourceNotFound(source=code)
        source = dict(f.sources[code], heads=[dict(h) for h in f.sources[code]["heads"]])
        checked = check_export(data["export"], source, choose_rows(data["top"]), data["consistency"])
        return command(lambda s, key: admit_in(s, view.code, checked.admission, actor(p, "admin"), key),
                       "federation", lambda value: {"admission": value["admission"], "admitted": value["admitted"]})


class StatusQuery(Strict):
    QUERY = True
    stale_after = fields.Float(load_default=24.0, data_key="stale_after",
                               validate=validate.Range(min=0, max=24 * 366, min_inclusive=False),
                               metadata={"description": "hours after which a summary is stale (default 24)"})


class SourceStatus(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    url = fields.String(required=True)
    stale = fields.Boolean(required=True)
    size = fields.Integer(allow_none=True)
    as_of = fields.String(allow_none=True)
    stars = fields.List(fields.Nested(StarCount), required=True)
    why = fields.String(required=True)
    why_zh = fields.String(required=True)


class Status(Schema):
    sources = fields.List(fields.Nested(SourceStatus), required=True)
    stale = fields.List(fields.String(), required=True)


@blp.route("/status")
class StatusResource(MethodView):
    @blp.arguments(StatusQuery, location="query")
    @blp.response(200, Status)
    def get(self, query: dict[str, Any]) -> Any:
        """The province dashboard: every registered source's summary, checked, and which are stale (auditors)"""
        from api.federation import read_summary
        from domain.services.federation import state

        p = principal()
        require(access.reads_everything(p), p, "read the province dashboard", "查看省级看板")
        f = state(leitai())
        now = leitai().clock.now()
        rows = [read_summary(source, query["stale_after"], now) for source in (f.sources.values() if f else [])]
        return {"sources": rows, "stale": [r["code"] for r in rows if r["stale"]]}
