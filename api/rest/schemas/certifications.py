"""The star-certification lifecycle."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from api.rest.schemas.common import CommandResult, Strict, Text

Stars = fields.Integer(validate=validate.Range(min=0, max=5))


class SelfAssessment(Strict):
    stars = fields.Integer(required=True, validate=validate.Range(min=0, max=5))
    note = Text(load_default="", validate=validate.Length(max=5000))


class Veto(Strict):
    item = Text(required=True, validate=validate.Length(min=1, max=100))
    reason = Text(required=True, validate=validate.Length(min=1, max=1000))


class Evaluation(Strict):
    stars = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=0, max=5),
                           metadata={"description": "default: the computed recommendation"})
    reason = Text(load_default=None, allow_none=True, validate=validate.Length(max=1000))


class Decision(Strict):
    stars = fields.Integer(required=True, allow_none=True, validate=validate.Range(min=0, max=5),
                           metadata={"description": "null: no rating"})
    reason = Text(load_default=None, allow_none=True, validate=validate.Length(max=1000))


class Downgrade(Strict):
    stars = fields.Integer(required=True, validate=validate.Range(min=0, max=5))
    reason = Text(required=True, validate=validate.Length(min=1, max=1000))


class Basis(CommandResult):
    computed = fields.Dict(metadata={"description": "the computed recommendation: stars, veto, band, capped"})


class ByHand(Strict):
    organization = Text(required=True, validate=validate.Length(min=1, max=64))
    stars = fields.Integer(required=True, allow_none=True, validate=validate.Range(min=0, max=5),
                           metadata={"description": "the stars set by hand instead of the recommendation; null: no "
                                                    "rating"})
    reason = Text(load_default=None, allow_none=True, validate=validate.Length(max=1000),
                  metadata={"description": "why (default: the request's reason); required where the stars differ "
                                           "from the computed recommendation"})


class Acceptance(Strict):
    exceptions = fields.List(fields.Nested(ByHand), load_default=list, validate=validate.Length(max=10000),
                             metadata={"description": "the organizations whose stars are set by hand, each still an "
                                                      "event of its own"})
    reason = Text(load_default=None, allow_none=True, validate=validate.Length(max=1000),
                  metadata={"description": "the exceptions' reason, where one gives none of its own"})
    preview = fields.Boolean(load_default=False,
                             metadata={"description": "true: answer what would be recorded, recording nothing"})


class Accepted(Schema):
    organization = fields.String(required=True)
    name = fields.String(required=True)
    recommended = fields.Integer(allow_none=True, required=True,
                                 metadata={"description": "the initial evaluation's recommendation"})
    computed = fields.Integer(allow_none=True, required=True,
                              metadata={"description": "the computed recommendation it was made on"})
    stars = fields.Integer(allow_none=True, required=True, metadata={"description": "what is certified (null: no "
                                                                                    "rating)"})
    exception = fields.Boolean(required=True, metadata={"description": "set by hand in this request"})
    step = fields.String(required=True, metadata={"description": "accepted: re-evaluated and certified in one event; "
                                                                 "certified: a decision recorded before, certified"})
    reason = fields.String(required=True)


class AcceptanceResult(CommandResult):
    contest = fields.String(required=True)
    unit = fields.String(required=True)
    level = fields.String(required=True)
    cycle = fields.String(required=True)
    accepted = fields.List(fields.Nested(Accepted), required=True,
                           metadata={"description": "one event each (none with preview)"})
    already = fields.List(fields.String(), required=True,
                          metadata={"description": "organizations certified already (or withdrawn): left as they are"})
