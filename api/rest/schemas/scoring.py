"""Sheets and their corrections, adjustments, inputs, entrants' status, explanations, appeals."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from api.rest.schemas.common import CommandResult, Remedy, Strict, Text

Marks = fields.Dict(keys=fields.String(validate=validate.Length(min=1, max=40)),
                    values=fields.String(validate=validate.Length(max=40)), required=True,
                    validate=validate.Length(min=1, max=50),
                    metadata={"description": "criterion code -> mark, as text (\"28.5\"): exact, never a float"})


class SheetSubmit(Strict):
    entrant = Text(required=True)
    marks = Marks
    judge = Text(load_default=None, allow_none=True,
                 metadata={"description": "for an organizer entering a paper sheet; a judge scores as themself"})


class SheetCorrect(Remedy):
    marks = Marks
    judge = Text(load_default=None, allow_none=True)


class SheetVoid(Remedy):
    judge = Text(load_default=None, allow_none=True)


class AdjustmentAdd(Remedy):
    entrant = Text(required=True)
    points = Text(required=True, validate=validate.Length(min=1, max=40),
                  metadata={"description": "> 0 bonus, < 0 penalty, as text (\"-0.2\")"})


class InputRecord(Strict):
    entrant = Text(required=True)
    component = Text(required=True)
    value = Text(required=True, validate=validate.Length(min=1, max=40))
    reason = Text(load_default=None, allow_none=True, validate=validate.Length(max=1000), metadata={
        "description": "required when the value replaces one already recorded (422 naming reason otherwise)"})
    appeal = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1))


class Numbered(CommandResult):
    number = fields.Integer(required=True, allow_none=True,
                            metadata={"description": "the event number of the sheet/adjustment/appeal in its round"})
    seal = fields.String(allow_none=True, metadata={"description": "the new seal, for a remedy of an appeal"})


class SheetHistory(Schema):
    event = fields.String(required=True)
    kind = fields.String(required=True)
    actor = fields.String(required=True)
    reason = fields.String(allow_none=True, required=True)


class SheetSchema(Schema):
    judge = fields.String(required=True)
    entrant = fields.String(required=True)
    marks = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    event = fields.String(required=True)
    first_event = fields.String(required=True)
    voided = fields.Boolean(required=True)
    counts = fields.Boolean(required=True)
    history = fields.List(fields.Nested(SheetHistory), required=True)


class Explanation(Schema):
    """How one entrant's result was reached, step by step (docs/rules.md)."""

    round = fields.String(required=True)
    entrant = fields.String(required=True)
    name = fields.String(required=True)
    status = fields.String(required=True)
    entrant_status = fields.String(required=True)
    status_reason = fields.String(allow_none=True, required=True)
    bonus = fields.String(required=True)
    penalty = fields.String(required=True)
    exact_final_readable = fields.String(allow_none=True, required=True)
    decimals = fields.Integer(required=True)
    award_name = fields.String(allow_none=True, required=True)
    seal = fields.String(allow_none=True, required=True)
    rules = fields.Dict(required=True)
    panel = fields.Dict(allow_none=True, required=True)
    sheets = fields.List(fields.Dict(), required=True)
    not_counted = fields.List(fields.Dict(), required=True)
    history = fields.List(fields.Dict(), required=True, metadata={
        "description": "every sheet and input event of the entrant, oldest first: event, kind, actor, reason, at"})
    inputs = fields.List(fields.Dict(), required=True, metadata={
        "description": "each assessment value or vote count: value, event, actor, at, reason, and its history"})
    admission = fields.Dict(allow_none=True, required=True, metadata={
        "description": "a finalist admitted by promotion: its source round, rank and final, and the revisions"})
    components = fields.List(fields.Dict(), required=True)
    adjustments = fields.List(fields.Dict(), required=True)
    exact_final = fields.String(allow_none=True, required=True)
    final = fields.String(allow_none=True, required=True)
    rank = fields.Integer(allow_none=True, required=True)
    tied = fields.Boolean(required=True)
    ties = fields.List(fields.Dict(), required=True)
    award = fields.String(allow_none=True, required=True)
    promotion = fields.String(allow_none=True, required=True)
    reason = fields.String(allow_none=True, required=True)
    appeals = fields.List(fields.Dict(), required=True)


class AppealFile(Strict):
    kind = fields.String(load_default="objection", validate=validate.OneOf(["objection", "appeal"]))
    name = Text(required=True, validate=validate.Length(max=100))
    contact = Text(required=True, validate=validate.Length(max=100))
    text = Text(required=True, validate=validate.Length(max=5000))
    entrant = Text(load_default=None, allow_none=True)


class CorrectionSchema(Strict):
    kind = fields.String(required=True, validate=validate.OneOf(["sheet", "void", "adjustment", "revoke_adjustment",
                                                                 "input", "disqualify", "withdraw"]))
    entrant = Text(load_default="")
    judge = Text(load_default="")
    marks = fields.Dict(keys=fields.String(), values=fields.String(), load_default=dict)
    points = Text(load_default="")
    component = Text(load_default="")
    value = Text(load_default="")
    adjustment = fields.Integer(load_default=0)
    reason = Text(load_default="", validate=validate.Length(max=1000))


class AppealRule(Strict):
    decision = fields.String(required=True, validate=validate.OneOf(["dismissed", "upheld"]))
    reply = Text(required=True, validate=validate.Length(min=1, max=5000))
    corrections = fields.List(fields.Nested(CorrectionSchema), load_default=list, validate=validate.Length(max=100))


class Ruling(CommandResult):
    seal = fields.String(allow_none=True, required=True)
    republished = fields.Boolean(required=True)


class AppealSchema(Schema):
    round = fields.String(required=True)
    appeal = fields.Integer(required=True)
    contest = fields.String(required=True)
    kind = fields.String(required=True)
    entrant = fields.String(allow_none=True, required=True)
    name = fields.String(allow_none=True, required=True,
                         metadata={"description": "who objected: null for the organization objected to"})
    contact = fields.String(allow_none=True, required=True,
                            metadata={"description": "null for the organization objected to"})
    text = fields.String(allow_none=True, required=True,
                         metadata={"description": "null for the organization objected to"})
    filed_on = fields.String(required=True)
    filed_by = fields.String(allow_none=True, required=True,
                             metadata={"description": "the account that recorded it: null for the organization "
                                                      "objected to"})
    decision = fields.String(allow_none=True, required=True)
    reply = fields.String(allow_none=True, required=True)
    ruled_on = fields.String(allow_none=True, required=True)
    ruled_by = fields.String(allow_none=True, required=True)
    corrections = fields.String(allow_none=True, required=True)
    position = fields.Integer(required=True)


class AppealsQuery(Strict):
    QUERY = True
    pending = fields.Boolean(load_default=False)
