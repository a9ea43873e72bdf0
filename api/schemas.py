"""Marshmallow schemas for what the HTTP API returns (the ranking of rulebook section 12)."""

from __future__ import annotations

from marshmallow import Schema, fields


class RulesRefSchema(Schema):
    code = fields.String(required=True)
    version = fields.Integer(required=True)


class EntrySchema(Schema):
    entrant = fields.String(required=True)
    name = fields.String(required=True)
    rank = fields.Integer(allow_none=True, required=True)
    final = fields.String(allow_none=True, required=True)
    tied = fields.Boolean(required=True)
    components = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    award = fields.String(allow_none=True, required=True)
    promotion = fields.String(allow_none=True, required=True)
    reason = fields.String(allow_none=True, required=True)


class RankingSchema(Schema):
    class Meta:
        ordered = True

    round = fields.String(required=True)
    rules = fields.Nested(RulesRefSchema, required=True)
    status = fields.String(required=True)
    seal = fields.String(allow_none=True, required=True)
    entries = fields.List(fields.Nested(EntrySchema), required=True)
