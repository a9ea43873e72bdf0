"""Contests with their units, rosters and judges; scheduling; rule sets; standings and stars."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from api.rest.schemas.common import CommandResult, Strict, Text


class UnitSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    level = fields.String(required=True)
    parent = fields.String(allow_none=True, required=True)


class ContestSchema(Schema):
    contest = fields.String(required=True)
    title = fields.String(required=True)
    levels = fields.List(fields.String(), required=True)
    units = fields.List(fields.Nested(UnitSchema), required=True)
    organizations = fields.Integer(required=True)
    judges = fields.Integer(required=True)
    rounds = fields.Integer(required=True)
    contact = fields.String(required=True, metadata={"description": "where to object (公示 contact)"})


class OrganizationSchema(Schema):
    organization = fields.String(required=True)
    name = fields.String(required=True)
    unit = fields.String(required=True)
    sector = fields.String(required=True)
    category = fields.String(required=True)
    secretary = fields.String(required=True)
    secretaries = fields.List(fields.String(), required=True)


class OrganizationChange(Strict):
    name = Text(load_default=None)
    unit = Text(load_default=None)
    sector = Text(load_default=None)
    category = Text(load_default=None)
    secretary = Text(load_default=None)
    reason = Text(required=True, validate=validate.Length(min=1, max=1000))


class JudgeSchema(Schema):
    judge = fields.String(required=True)
    name = fields.String(required=True)
    home_unit = fields.String(allow_none=True, required=True)
    affiliation = fields.String(required=True)


class JudgeChange(Strict):
    name = Text(load_default=None)
    home_unit = Text(load_default=None, metadata={"description": "\"\" for none"})
    affiliation = Text(load_default=None)
    reason = Text(required=True, validate=validate.Length(min=1, max=1000))


class RoundSchedule(Strict):
    code = Text(required=True)
    level = Text(required=True)
    unit = Text(required=True)
    period = Text(required=True, metadata={"description": "YYYY, YYYY-Qn or YYYY-MM"})
    rules = Text(required=True, metadata={"description": "a rule-set code, or code@version"})
    judges = fields.List(Text(), load_default=list, validate=validate.Length(max=99))
    entrants = fields.Raw(load_default="unit", metadata={"description": "\"unit\", \"promoted\" or a list of codes"})
    theme = Text(load_default="", validate=validate.Length(max=200))
    form = fields.String(load_default="meeting", validate=validate.OneOf(["meeting", "site", "project"]))
    links = fields.Dict(keys=fields.String(), values=fields.String(), load_default=dict)
    promotes_to = Text(load_default=None, allow_none=True)
    live_board = fields.Boolean(load_default=False)


class Adoption(Strict):
    rules = Text(required=True, validate=validate.Length(min=1, max=1_000_000),
                 metadata={"description": "the rule-set file (TOML text)"})
    scope = Text(required=True, metadata={"description": "contest | level:L | unit:U | rounds:R1,R2"})
    from_period = Text(load_default=None, allow_none=True)
    reason = Text(required=True, validate=validate.Length(min=1, max=1000))


class AdoptionResult(CommandResult):
    rules = fields.Dict(required=True)
    assigned = fields.List(fields.String(), required=True)
    kept = fields.List(fields.String(), required=True)
    other_rules = fields.List(fields.String(), required=True, metadata={
        "description": "rounds in a contest, level or unit scope computed under another rule set's code: unchanged"})


class ImportedFile(Schema):
    file = fields.String(required=True)
    rows = fields.Integer(required=True)
    recorded = fields.Integer(required=True)
    warnings = fields.List(fields.String(), required=True)


class ImportResult(CommandResult):
    files = fields.List(fields.Nested(ImportedFile), required=True)


class RuleSetText(Strict):
    text = Text(required=True, validate=validate.Length(min=1, max=1_000_000))
    source = Text(load_default="upload.toml", validate=validate.Length(max=100))


class RuleSetSummary(Schema):
    code = fields.String(required=True)
    version = fields.Integer(required=True)
    digest = fields.String(required=True)
    title = fields.String(required=True)


class RuleSetRecord(RuleSetSummary):
    text = fields.String(required=True)


class RuleSetRegistered(CommandResult):
    code = fields.String(required=True)
    version = fields.Integer(required=True)
    digest = fields.String(required=True)


class StandingSchema(Schema):
    entrant = fields.String(required=True)
    name = fields.String(required=True)
    score = fields.String(required=True)
    rank = fields.Integer(required=True)
    tied = fields.Integer(required=True)
    rounds = fields.Integer(required=True)
    track = fields.String(required=True, metadata={"description": "赛道 (section 20): \"\" when none"})


class ConsequenceSchema(Schema):
    kind = fields.String(required=True)
    position = fields.Integer(required=True)
    entrant = fields.String(required=True)
    name = fields.String(required=True)
    partner = fields.String(allow_none=True, required=True)
    partner_name = fields.String(allow_none=True, required=True)
    detail = fields.Dict(required=True)
    track = fields.String(required=True, metadata={"description": "赛道 (section 20): \"\" when none"})


class TrackSection(Schema):  # 赛道 (section 20.4)
    track = fields.String(required=True, metadata={"description": "\"\": organizations without a track"})
    name = fields.String(required=True)
    standings = fields.List(fields.Nested(StandingSchema), required=True)
    consequences = fields.List(fields.Nested(ConsequenceSchema), required=True)


class PeriodSchema(Schema):
    contest = fields.String(required=True)
    unit = fields.String(required=True)
    unit_name = fields.String(required=True)
    period = fields.String(required=True)
    standings = fields.List(fields.Nested(StandingSchema), required=True)
    consequences = fields.List(fields.Nested(ConsequenceSchema), required=True)
    tracks = fields.List(fields.Dict(), required=True, metadata={"description": "the contest's tracks (赛道): "
                                                                 "track and name, in the order declared"})
    sections = fields.List(fields.Nested(TrackSection), required=True, metadata={
        "description": "track by track (one section, track \"\", in a contest without tracks)"})


class StarRow(Schema):
    organization = fields.String(required=True)
    name = fields.String(allow_none=True, required=True)
    level = fields.String(required=True)
    cycle = fields.String(required=True)
    state = fields.String(allow_none=True, required=True)
    stars = fields.Integer(allow_none=True, required=True)
    history = fields.Dict(allow_none=True, required=True)
    score = fields.String(allow_none=True, metadata={"description": "organizers and auditors only"})
    computed_stars = fields.Integer(allow_none=True)
    band_stars = fields.Integer(allow_none=True)
    capped = fields.Integer(allow_none=True)
    veto = fields.Integer(allow_none=True)
    basis = fields.Raw(allow_none=True, metadata={"description": "organizers and auditors only: the pool (track), "
                                                  "the score put into bands and each kind of evidence (rulebook 19.3)"})
