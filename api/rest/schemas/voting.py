"""Ballots and voting rounds (投票, rulebook section 18)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from api.rest.schemas.common import CommandResult, Strict, Text


class BallotCast(Strict):
    group = Text(required=True, validate=validate.Length(min=1, max=32),
                 metadata={"description": "the voter group's code ([[voting.groups]])"})
    choices = fields.List(Text(validate=validate.Length(min=1, max=64)), required=True,
                          validate=validate.Length(max=100),
                          metadata={"description": "the entrants the ballot names (at most the rules' choices; "
                                                   "[] is a blank ballot)"})
    ballot = Text(load_default=None, allow_none=True, validate=validate.Length(max=32),
                  metadata={"description": "the ballot's number as printed (default: the next in sequence)"})


class BallotVoid(Strict):
    reason = Text(required=True, validate=validate.Length(min=1, max=1000))


class VotingStep(Strict):
    """No fields: the round in the path says it all."""


class BallotRecorded(CommandResult):
    ballot = fields.String(metadata={"description": "the ballot's number"})
    voting_round = fields.Integer()


class VotingRoundResult(CommandResult):
    voting_round = fields.Integer()


class Tally(CommandResult):
    tally = fields.Dict(metadata={"description": "the count (rulebook 18.3): groups, entries with the exact weighted "
                                                 "tally, the carried, the ballots' digest, and after the last voting "
                                                 "round the vote counts fed"})


class BallotBoxSchema(Schema):
    voting = fields.Integer(metadata={"description": "the voting round (1, 2 ...)"})
    status = fields.String(metadata={"description": "open | counted | announced"})
    status_zh = fields.String()
    candidates = fields.List(fields.String(), allow_none=True)
    names = fields.Dict(allow_none=True)
    by_group = fields.Dict(allow_none=True, metadata={"description": "valid ballots per group so far (the round's "
                                                                     "admins and auditors)"})
    ballots = fields.Integer(allow_none=True)
    voided = fields.Integer(allow_none=True)
    tally = fields.Dict(allow_none=True, metadata={"description": "the announced count (现场公布)"})
