"""The log's signed heads, proofs and witnesses."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from api.rest.schemas.common import CommandResult, Strict, Text

SIZE = validate.Range(min=0, max=2**62)


class SignedHead(CommandResult):
    size = fields.Integer(required=True, metadata={"description": "events the head covers"})
    checkpoint = fields.String(required=True, metadata={"description": "the signed note (C2SP tlog-checkpoint)"})


class InclusionQuery(Strict):
    QUERY = True
    round = Text(required=True, validate=validate.Length(min=1, max=64))
    entrant = Text(required=True, validate=validate.Length(min=1, max=64))
    size = fields.Integer(load_default=None, validate=SIZE,
                          metadata={"description": "prove to the signed head of this size (default: the round's)"})


class ProofEntry(Schema):
    what = fields.String(required=True)
    what_zh = fields.String(required=True)
    position = fields.Integer(required=True)
    event = fields.String(required=True, metadata={"description": "the event's name, ROUND#VERSION"})
    proof = fields.String(required=True, metadata={"description": "C2SP tlog-proof@v1, with the event as its extra"})


class LaterEntry(Schema):
    what = fields.String(required=True)
    what_zh = fields.String(required=True)
    position = fields.Integer(required=True)
    event = fields.String(required=True)


class InclusionBundle(Schema):
    format = fields.String(required=True)
    kind = fields.String(required=True)
    round = fields.String(required=True)
    entrant = fields.String(required=True)
    size = fields.Integer(required=True, metadata={"description": "the size of the signed head proved to"})
    checkpoint = fields.String(required=True)
    entries = fields.List(fields.Nested(ProofEntry), required=True)
    later = fields.List(fields.Nested(LaterEntry), required=True,
                        metadata={"description": "events recorded after the head: a later head proves them"})


class ConsistencyQuery(Strict):
    QUERY = True
    old = fields.Integer(required=True, data_key="from", validate=SIZE,
                         metadata={"description": "the size of the head held"})
    new = fields.Integer(load_default=None, data_key="to", validate=SIZE,
                         metadata={"description": "a signed head's size (default: the latest)"})


class WitnessRequest(Strict):
    vkey = Text(required=True, validate=validate.Length(min=1, max=400),
                metadata={"description": "the witness key NAME+KEYID+KEY (type 04) that `leitai witness init` prints"})
    reason = Text(required=True, validate=validate.Length(min=1, max=1000))


class WitnessSchema(Schema):
    name = fields.String(required=True)
    vkey = fields.String(required=True)


class Cosigned(Schema):
    size = fields.Integer(required=True)
    recorded = fields.Integer(required=True, metadata={"description": "new cosignatures recorded"})
    witnesses = fields.List(fields.String(), required=True)
    position = fields.Integer(required=True, allow_none=True)
