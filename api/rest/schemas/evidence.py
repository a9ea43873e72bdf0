"""Honours, platform data and flags (rulebook section 19)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from api.rest.schemas.common import CommandResult, Strict, Text


class Honour(Strict):
    name = Text(required=True, validate=validate.Length(min=1, max=200))
    level = Text(required=True, validate=validate.Length(min=1, max=40),
                 metadata={"description": "national, provincial, city, county, township (or 国家级, 省级 ...)"})
    date = Text(required=True, validate=validate.Length(min=1, max=40), metadata={"description": "YYYY-MM-DD"})
    issuer = Text(required=True, validate=validate.Length(min=1, max=200))


class HonourRecorded(CommandResult):
    number = fields.Integer(allow_none=True)


class HonourRow(Schema):
    organization = fields.String(required=True)
    number = fields.Integer(required=True)
    name = fields.String(required=True)
    level = fields.String(required=True)
    level_zh = fields.String(required=True)
    date = fields.String(required=True)
    issuer = fields.String(required=True)
    withdrawn = fields.String(allow_none=True, required=True, metadata={"description": "the reason, once withdrawn"})


class PlatformImport(Strict):
    source = Text(required=True, validate=validate.Length(min=1, max=64))
    csv = fields.String(required=True, validate=validate.Length(min=1, max=5_000_000),
                        metadata={"description": "the file: UTF-8 CSV with the header organization,value"})
    file = Text(load_default="platform.csv", validate=validate.Length(min=1, max=200))
    reason = Text(load_default=None, allow_none=True, validate=validate.Length(max=1000),
                  metadata={"description": "required to replace an earlier import of the source and period"})


class PlatformImported(CommandResult):
    step = fields.String(metadata={"description": "imported, replaced or unchanged"})
    rows = fields.Integer()
    digest = fields.String()


class SourceQuery(Strict):
    QUERY = True
    source = Text(required=True, validate=validate.Length(min=1, max=64))


class PlatformRow(Schema):
    contest = fields.String(required=True)
    source = fields.String(required=True)
    period = fields.String(required=True)
    organization = fields.String(required=True)
    value = fields.String(required=True)
    digest = fields.String(required=True)
    file = fields.String(required=True)
    history = fields.List(fields.Dict(), required=True)


class Nomination(Strict):
    rules = Text(load_default=None, allow_none=True, validate=validate.Length(max=80),
                 metadata={"description": "code or code@version; default: the cycle's last finalized round with [[flags]]"})


class Award(Strict):
    note = Text(load_default=None, allow_none=True, validate=validate.Length(max=1000))


class Assessment(CommandResult):
    results = fields.List(fields.Dict(), metadata={"description": "each criterion, what was found and whether met"})


class FlagRow(Schema):
    organization = fields.String(required=True)
    flag = fields.String(required=True)
    cycle = fields.String(required=True)
    contest = fields.String(required=True)
    name = fields.String(required=True)
    org_name = fields.String(required=True)
    state = fields.String(required=True)
    state_zh = fields.String(required=True)
    met = fields.Boolean(allow_none=True)
    results = fields.List(fields.Dict(), allow_none=True, metadata={"description": "organizers and auditors only"})
    history = fields.List(fields.Dict(), allow_none=True)
