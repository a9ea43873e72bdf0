"""Rounds: their state, board and ranking, and the commands that move them along."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from api.rest.schemas.common import CommandResult, RulesRef, Strict, Text


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
    """The ranking JSON of the rulebook (docs/rules.md)."""

    class Meta:
        ordered = True

    round = fields.String(required=True)
    rules = fields.Nested(RulesRef, required=True)
    status = fields.String(required=True)
    seal = fields.String(allow_none=True, required=True)
    entries = fields.List(fields.Nested(EntrySchema), required=True)


class PublicityPeriod(Schema):
    start = fields.String(required=True)
    end = fields.String(required=True)
    days = fields.Integer(required=True)
    calendar = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    published_on = fields.String(required=True)
    seq = fields.Integer(required=True)
    reason = fields.String(allow_none=True, required=True)


class Publicity(Schema):
    current = fields.Nested(PublicityPeriod, required=True)
    periods = fields.List(fields.Nested(PublicityPeriod), required=True)
    closed_on = fields.String(allow_none=True, required=True)


class BoardEntry(EntrySchema):
    status = fields.String(required=True)
    sheets_in = fields.Integer(required=True)
    sheets_expected = fields.Integer(required=True)
    unit = fields.String(required=True)
    secretary = fields.String(allow_none=True, required=True)


class BoardSchema(Schema):
    round = fields.String(required=True)
    contest = fields.String(required=True)
    level = fields.String(required=True)
    unit = fields.String(required=True)
    period = fields.String(required=True)
    theme = fields.String(allow_none=True, required=True)
    status = fields.String(required=True)
    seal = fields.String(allow_none=True, required=True)
    rules = fields.Nested(RulesRef, required=True)
    awards = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    publicity = fields.Nested(Publicity, allow_none=True, required=True)
    provisional = fields.Boolean(required=True)
    complete = fields.Boolean(required=True)
    sheets_in = fields.Integer(required=True)
    sheets_expected = fields.Integer(required=True)
    events = fields.Integer(required=True)
    position = fields.Integer(required=True)
    entries = fields.List(fields.Nested(BoardEntry), required=True)


class JudgeSeat(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)


class RoundSchema(Schema):
    round = fields.String(required=True)
    contest = fields.String(required=True)
    level = fields.String(required=True)
    unit = fields.String(required=True)
    period = fields.String(required=True)
    theme = fields.String(allow_none=True, required=True)
    status = fields.String(required=True)
    rules = fields.Nested(RulesRef, required=True)
    seal = fields.String(allow_none=True, required=True)
    entrants = fields.Integer(required=True)
    sheets_in = fields.Integer(required=True)
    sheets_expected = fields.Integer(required=True)
    live_board = fields.Boolean(required=True)
    judges = fields.List(fields.Nested(JudgeSeat), required=True)
    publicity = fields.Nested(Publicity, allow_none=True, required=True)
    position = fields.Integer(required=True)


class RoundsQuery(Strict):
    QUERY = True
    contest = Text(load_default=None)
    status = fields.String(load_default=None, validate=validate.OneOf(["scheduled", "open", "closed", "published",
                                                                        "final"]))


class Publish(Strict):
    on = fields.Date(load_default=None, metadata={"description": "the day the notice is posted (default today)"})
    days = fields.Integer(load_default=5, validate=validate.Range(min=1, max=30))
    calendar_fallback = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(["weekends"]))


class Republish(Publish):
    days = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=30))
    reason = Text(required=True, validate=validate.Length(min=1, max=1000))


class Rerank(Strict):
    rules = Text(required=True, metadata={"description": "code@version"})
    reason = Text(required=True, validate=validate.Length(min=1, max=1000))


class LiveBoard(Strict):
    on = fields.Boolean(required=True)


class Seat(Strict):
    judge = Text(required=True)


class Admit(Strict):
    entrant = Text(required=True)


class Recusal(Strict):
    judge = Text(required=True)
    entrant = Text(required=True)
    reason = Text(required=True, validate=validate.Length(min=1, max=1000))


class Seal(CommandResult):
    seal = fields.String(required=True, allow_none=True)


class PublicityResult(CommandResult):
    publicity = fields.Nested(PublicityPeriod, required=True)


class Promotion(CommandResult):
    target = fields.String(required=True)
    promoted = fields.List(fields.String(), required=True)
    reserves = fields.List(fields.String(), required=True)


class Changed(CommandResult):
    changed = fields.Boolean(required=True)


class Finalist(Schema):
    target = fields.String(required=True)
    entrant = fields.String(required=True)
    name = fields.String(required=True)
    source_round = fields.String(required=True)
    source_unit = fields.String(allow_none=True, required=True)
    source_rank = fields.Integer(allow_none=True, required=True)
    source_final = fields.String(allow_none=True, required=True)
    source_seal = fields.String(allow_none=True, required=True)


class JudgeStatistics(Schema):
    scope = fields.String(required=True)
    key = fields.String(required=True)
    judge = fields.String(required=True)
    name = fields.String(allow_none=True, required=True)
    sheets = fields.Integer(required=True)
    mean_deviation = fields.String(allow_none=True, required=True)
    mean_abs_deviation = fields.String(allow_none=True, required=True)
    trimmed = fields.Integer(required=True)
    trimmed_share = fields.String(allow_none=True, required=True)
    flagged = fields.Integer(required=True)
    why = fields.String(allow_none=True, required=True)
