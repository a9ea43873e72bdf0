"""The star-certification lifecycle."""

from __future__ import annotations

from marshmallow import fields, validate

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
