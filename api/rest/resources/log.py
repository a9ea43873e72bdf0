"""The log's signed heads: the latest checkpoint (public), signing one now, proofs of
inclusion and consistency, witnesses and their cosignatures (docs/rules.md, section 11)."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask.views import MethodView

from api.rest.base import WAIT, Blueprint, command, hub, leitai
from api.rest.resources.rounds import not_while_judging
from api.rest.schemas.common import CommandResult
from api.rest.schemas.log import (ConsistencyQuery, Cosigned, InclusionBundle, InclusionQuery, SignedHead,
                                  WitnessRequest, WitnessSchema)
from api.rest.security import actor, principal, require, round_view
from domain import access
from domain.errors import InvalidValue, NotFound
from domain.model.base import Actor

blp = Blueprint("log", __name__, url_prefix="/api", description="The log's signed heads, proofs and witnesses")
TEXT = "text/plain; charset=utf-8"
MAX_COSIGNED = 16_384  # bytes of a cosigned checkpoint


class NoHead(NotFound):
    zh = "还没有签署过树头。管理员可以用 `leitai checkpoint` 或 POST /api/checkpoint 签署。"
    en = "No tree head has been signed yet. An administrator signs one with `leitai checkpoint` or POST /api/checkpoint."


def _text(body: str) -> Response:
    response = Response(body, content_type=TEXT)
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def text_of(note: str) -> str:
    from domain.checkpoint import Note

    return Note.parse(note).text


def _proof_problem(error: Any) -> InvalidValue:
    return InvalidValue("checkpoint", "", error.en, error.zh)


@blp.route("/checkpoint")
class CheckpointResource(MethodView):
    @blp.doc(responses={"200": {"description": "the latest signed tree head with every cosignature recorded for it: "
                                               "a C2SP checkpoint (signed note)",
                                "content": {"text/plain": {"schema": {"type": "string"}}}}})
    def get(self) -> Any:
        """The latest signed checkpoint of the log (public: it reveals nothing but hashes)"""
        heads = hub().read().heads()
        if not heads:
            raise NoHead()
        return _text(heads[-1]["cosigned"])

    @blp.response(201, SignedHead)
    def post(self) -> Any:
        """Sign the head of the log now (administrators); refused (503) if the log no longer
        extends the last head signed"""
        p = principal()
        require(bool(p.roles("admin")), p, "sign the log's head", "签署日志树头")
        hub().release()
        outcome = leitai().sign_head(["on demand"], actor(p, "admin"), p)
        return {"position": outcome.position, "recorded": outcome.recorded,
                "projected": hub().wait_for(outcome.position, WAIT) if outcome.position else True,
                "size": outcome.value.size, "checkpoint": outcome.value.note}


@blp.route("/checkpoint/cosignatures")
class CosignaturesResource(MethodView):
    @blp.doc(requestBody={"description": "the checkpoint with the witness's cosignature lines (a signed note)",
                          "content": {"text/plain": {"schema": {"type": "string"}}}, "required": True})
    @blp.response(201, Cosigned)
    def post(self) -> Any:
        """A witness's cosignature of a signed head (authenticated by its signature: the
        witness's key must be registered)"""
        from api.witness import check_cosignature_request
        from domain.checkpoint import Note, b64

        body = request.get_data(cache=False, as_text=False)[:MAX_COSIGNED + 1]
        if len(body) > MAX_COSIGNED:
            raise InvalidValue("body", "", f"a cosigned checkpoint is at most {MAX_COSIGNED} bytes",
                               f"联署的检查点最多 {MAX_COSIGNED} 字节")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidValue("body", "", "not UTF-8 text", "不是 UTF-8 文本") from None
        read = hub().read()
        witnesses = {w["name"]: w["vkey"] for w in read.witnesses()}
        checkpoint, good, bad = check_cosignature_request(text, witnesses)
        if bad:
            raise InvalidValue("cosignature", ", ".join(bad), "the cosignature of a registered witness does not "
                               "verify", "已登记见证方的联署签名无效")
        if not good:
            raise InvalidValue("cosignature", "", "no cosignature of a registered witness: an administrator registers "
                               "the witness first (`leitai witness register`)",
                               "没有已登记见证方的联署签名：请管理员先登记该见证方（`leitai witness register`）")
        root = b64(checkpoint.root)
        signed = Note.parse  # the cosigned text must be exactly that of a head the deployment signed
        if not any(h["size"] == checkpoint.size and h["root"] == root and signed(h["note"]).text == text_of(text)
                   for h in read.heads()):
            raise InvalidValue("checkpoint", f"{checkpoint.size} {root}", "the deployment signed no such tree head",
                               "本系统没有签署过这个树头")
        hub().release()
        outcome = leitai().record_cosignatures(checkpoint.size, root, [(s.name, s.line()) for s in good],
                                               Actor("witness", "public"), principal())
        if outcome.position:
            hub().wait_for(outcome.position, WAIT)
        return {"size": checkpoint.size, "recorded": outcome.value, "witnesses": [s.name for s in good],
                "position": outcome.position}


@blp.route("/proof/inclusion")
class InclusionResource(MethodView):
    @blp.arguments(InclusionQuery, location="query")
    @blp.response(200, InclusionBundle)
    def get(self, query: dict[str, Any]) -> Any:
        """Every event behind an entrant's result, each with its inclusion proof to a signed
        head (for whoever may see how the result was reached)"""
        from projections.proofs import ProofUnavailable

        p, view = principal(), round_view(query["round"])
        entrant = query["entrant"].strip().upper()
        not_while_judging(p, view)
        require(access.sees_entrant(p, view, entrant), p, f"see how {entrant}'s result was reached",
                f"查看 {entrant} 的得分明细")
        try:
            return hub().read().inclusion_proof(view.code, entrant, query["size"])
        except ProofUnavailable as error:
            raise _proof_problem(error) from None


@blp.route("/proof/consistency")
class ConsistencyResource(MethodView):
    @blp.arguments(ConsistencyQuery, location="query")
    @blp.doc(responses={"200": {"description": "old N, the proof's hashes, a blank line, the signed head (the body "
                                               "of a C2SP tlog-witness add-checkpoint request)",
                                "content": {"text/plain": {"schema": {"type": "string"}}}}})
    def get(self, query: dict[str, Any]) -> Any:
        """The proof that a signed head extends the log's first `from` events unchanged (public)"""
        from projections.proofs import ProofUnavailable

        try:
            return _text(hub().read().consistency_proof(query["old"], query["new"]))
        except ProofUnavailable as error:
            raise _proof_problem(error) from None


@blp.route("/witnesses")
class WitnessesResource(MethodView):
    @blp.response(200, WitnessSchema(many=True))
    def get(self) -> Any:
        """The witnesses whose cosignatures the deployment accepts (public)"""
        return hub().read().witnesses()

    @blp.arguments(WitnessRequest)
    @blp.response(201, CommandResult)
    def post(self, data: dict[str, Any]) -> Any:
        """Accept cosignatures from a witness (administrators of everything)"""
        from domain.checkpoint import COSIGNATURE, NoteError, VerifierKey

        p = principal()
        require(access.manages_accounts(p), p, "register a witness", "登记见证方")
        try:
            key = VerifierKey.parse(data["vkey"])
        except NoteError as error:
            raise InvalidValue("vkey", data["vkey"], error.en, error.zh) from None
        if key.kind != COSIGNATURE:
            raise InvalidValue("vkey", data["vkey"], "this is not a witness's key (type 04)", "这不是见证方的公钥（类型 04）")
        return command(lambda s, _key: leitai()._ledger(s).register_witness(key.name, str(key), data["reason"],
                                                                            actor(p, "admin")),
                       "ledger", lambda _: {})
