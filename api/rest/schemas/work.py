"""Consequences as tracked work (结果运用, rulebook sections 15-16): what a request sends and what it gets."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from api.rest.schemas.common import CommandResult, Strict, Text

LONG = validate.Length(max=8000)  # the domain checks each text and names what is wrong


class Recorded(Strict):
    """What a done task or a pair's exchange records; which items are required is the step's
    ``record`` (the domain names a missing one)."""

    date = Text(load_default=None, allow_none=True, metadata={"description": "e.g. 2025-06-18; not after today"})
    place = Text(load_default=None, allow_none=True, validate=LONG)
    participants = Text(load_default=None, allow_none=True, validate=LONG)
    summary = Text(load_default=None, allow_none=True, validate=LONG)
    attachment = Text(load_default=None, allow_none=True,
                      metadata={"description": "the attachment's digest, sha256:<64 hex digits> (the file is not stored)"})


class TasksQuery(Strict):
    QUERY = True
    unit = Text(load_default=None)
    entrant = Text(load_default=None)
    overdue = fields.Boolean(load_default=False, metadata={"description": "only the open tasks past their due date"})


class PairsQuery(Strict):
    QUERY = True
    unit = Text(load_default=None)


class Closed(Schema):
    code = fields.String()
    unit = fields.String()
    period = fields.String()
    track = fields.String()
    on = fields.String()
    entrants = fields.Integer()
    classes = fields.Dict(keys=fields.String(), values=fields.String())
    class_names = fields.Dict(keys=fields.String(), values=fields.String())
    tasks = fields.List(fields.String())
    pairs = fields.List(fields.String())


class Closing(CommandResult):
    closed = fields.List(fields.Nested(Closed))


class TaskSchema(Schema):
    task = fields.String()
    contest = fields.String()
    unit = fields.String()
    period = fields.String()
    track = fields.String()
    entrant = fields.String()
    name = fields.String()
    rung = fields.Integer()
    step = fields.Integer()
    streak = fields.Integer()
    action = fields.String()
    action_name = fields.String()
    by_whom = fields.String()
    due = fields.String()
    record = fields.List(fields.String())
    record_zh = fields.List(fields.String())
    why_zh = fields.String()
    why_en = fields.String()
    issued_on = fields.String()
    state = fields.String(metadata={"description": "open | done | excused"})
    overdue = fields.Boolean()
    late = fields.Boolean(metadata={"description": "done, on a date after its due date (逾期办结)"})
    state_zh = fields.String()
    state_en = fields.String()
    done = fields.Dict(allow_none=True)
    reason = fields.String()


class Window(Schema):
    from_ = fields.String(data_key="from")
    to = fields.String()
    count = fields.Integer()
    required = fields.Integer()
    status = fields.String(metadata={"description": "met | running | short | late (met only by exchanges recorded "
                                                   "after the window was over)"})
    status_zh = fields.String()


class PairSchema(Schema):
    pair = fields.String()
    contest = fields.String()
    unit = fields.String()
    period = fields.String()
    track = fields.String()
    leader = fields.String()
    leader_name = fields.String()
    lagger = fields.String()
    lagger_name = fields.String()
    by_whom = fields.String()
    exchanges = fields.Integer()
    per = fields.String()
    per_zh = fields.String()
    start_month = fields.String()
    end_month = fields.String()
    record = fields.List(fields.String())
    why_zh = fields.String()
    why_en = fields.String()
    state = fields.String()
    state_zh = fields.String()
    log = fields.List(fields.Dict())
    ended = fields.Dict(allow_none=True)
    windows = fields.List(fields.Nested(Window))
    short = fields.Integer()


class ClassRow(Schema):
    contest = fields.String()
    unit = fields.String()
    period = fields.String()
    track = fields.String()
    entrant = fields.String()
    name = fields.String()
    rank = fields.Integer()
    score = fields.String()
    class_ = fields.String(data_key="class")
    class_name = fields.String()
    closed_on = fields.String()
    digest = fields.String()
