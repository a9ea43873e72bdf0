"""Verification, the event export and replay previews."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from api.rest.schemas.common import Strict, Text


class FindingSchema(Schema):
    round = fields.String(required=True)
    check = fields.String(required=True)
    expected = fields.Raw(allow_none=True, required=True)
    found = fields.Raw(allow_none=True, required=True)
    detail = fields.String(required=True)
    detail_zh = fields.String(required=True)


class VerifySchema(Schema):
    ok = fields.Boolean(required=True)
    rounds = fields.List(fields.String(), required=True)
    events = fields.Integer(required=True)
    checkpoints = fields.Integer(required=True)
    covered = fields.Integer(required=True)
    last = fields.Integer(required=True)
    head = fields.String(required=True)
    keys = fields.List(fields.String(), required=True)
    key_confirmed = fields.Boolean(required=True)
    key_source = fields.String(required=True)
    origin = fields.String(allow_none=True, required=True, metadata={"description": "the log's origin"})
    tree_size = fields.Integer(required=True, metadata={"description": "events in the log's Merkle tree"})
    root = fields.String(required=True, metadata={"description": "its root hash, base64"})
    heads = fields.Integer(required=True, metadata={"description": "signed tree heads recorded in the log"})
    held = fields.Integer(required=True, metadata={"description": "heads held outside the database checked"})
    witnesses = fields.List(fields.String(), required=True)
    quorum = fields.Integer(required=True)
    findings = fields.List(fields.Nested(FindingSchema), required=True)


class VerifyQuery(Strict):
    QUERY = True
    round = Text(load_default=None)


class ReplayRequest(Strict):
    rules = Text(required=True, validate=validate.Length(min=1, max=1_000_000),
                 metadata={"description": "the rule-set file to replay under (TOML text)"})
    rounds = fields.List(Text(), load_default=list, validate=validate.Length(max=500))
    level = Text(load_default=None, allow_none=True)
    contest = Text(load_default=None, allow_none=True)


class ReplaySchema(Schema):
    rules = fields.Dict(required=True)
    rounds = fields.List(fields.Dict(), required=True)
    finalists = fields.List(fields.Dict(), required=True)
    standings = fields.List(fields.Dict(), required=True)
    stars = fields.List(fields.Dict(), required=True)
    award_names = fields.Dict(metadata={"description": "per round: each prize code's name"})
    work = fields.List(fields.Dict(), metadata={  # 结果运用 (rulebook 15.4)
        "description": "per unit, period and track: the classes ({entrant: [before, after]}) and the tasks gained or "
                       "lost (rung, entrant, step) that the new rules would change"})
    voting = fields.List(fields.Dict(), metadata={  # 投票: a recount is a replay (rulebook 18.5)
        "description": "per voting round counted: what a recount under the new rules would change (rank, weighted, "
                       "carried, fed, per entrant), next_candidates when the next voting round would differ, or "
                       "the problem [en, zh] when it cannot be counted"})
    flags = fields.List(fields.Dict(), metadata={  # 红旗 (rulebook 19.4)
        "description": "per flag: its criteria checked under the new rules (met [before, after], the results after, "
                       "defined: whether the new rules still have the flag)"})
    summary = fields.Dict(required=True, metadata={
        "description": "rounds, rounds_changed, entrants_changed; each kind of change counted on its own: "
                       "ranks_changed, finals_changed, awards_changed, promotions_changed (entrants), "
                       "stars_changed (organizations whose star recommendation changes)"})
