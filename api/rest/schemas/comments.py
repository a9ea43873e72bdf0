"""Comments on entrants (点评, rulebook section 17): what a request sends and what it gets."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from api.rest.schemas.common import CommandResult, Strict, Text

# the domain checks every text (length, control characters) and names what is wrong, in both
# languages; these bounds only keep an absurd body from being read at all
LONG = validate.Length(max=8000)


class CommentAdd(Strict):
    entrant = Text(required=True)
    text = Text(required=True, validate=LONG)
    judge = Text(load_default=None, allow_none=True,
                 metadata={"description": "a judge's comment: a judge comments as themself; an organizer entering a "
                                          "paper comment names the judge"})
    leader = Text(load_default=None, allow_none=True, validate=LONG,
                  metadata={"description": "a leader's comment (书记点评), by an admin of the round: the leader's "
                                           "title and name as they comment, e.g. 镇党委书记 张三"})
    stage = Text(load_default=None, allow_none=True, validate=LONG,
                 metadata={"description": "the stage of the contest it was made at (汇报演讲, 现场观摩 ...)"})
    reason = Text(load_default=None, allow_none=True, validate=LONG,
                  metadata={"description": "why: required when an admin records a judge's comment once scoring has "
                                           "closed (rulebook 17.2); kept in the comment's history"})


class CommentCorrect(Strict):
    text = Text(required=True, validate=LONG)
    reason = Text(required=True, validate=LONG)


class CommentWithdraw(Strict):
    reason = Text(required=True, validate=LONG)


class CommentsQuery(Strict):
    QUERY = True
    entrant = Text(load_default=None, metadata={"description": "only the comments on this entrant"})


class CommentNumber(CommandResult):
    comment = fields.Integer(required=True, metadata={"description": "the comment's number in its round"})


class CommentVersion(Schema):
    seq = fields.Integer(required=True, metadata={"description": "the event number in the round"})
    what = fields.String(required=True, metadata={"description": "recorded | corrected | withdrawn"})
    text = fields.String(allow_none=True, required=True)
    reason = fields.String(allow_none=True, required=True)
    actor = fields.String(required=True)
    at = fields.String(allow_none=True, required=True, metadata={"description": "China Standard Time"})


class CommentSchema(Schema):
    round = fields.String(required=True)
    comment = fields.Integer(required=True)
    entrant = fields.String(required=True)
    entrant_name = fields.String(required=True)
    author_kind = fields.String(required=True, metadata={"description": "judge | leader"})
    judge = fields.String(allow_none=True, required=True)
    author = fields.String(allow_none=True, required=True,
                           metadata={"description": "the judge's name, or the leader's title and name"})
    stage = fields.String(allow_none=True, required=True)
    text = fields.String(required=True, metadata={"description": "as it stands (the last correction)"})
    state = fields.String(required=True, metadata={"description": "recorded | corrected | withdrawn"})
    history = fields.List(fields.Nested(CommentVersion), required=True)
    recorded_at = fields.String(allow_none=True, required=True)
