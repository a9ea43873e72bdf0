"""Tracks (赛道, rulebook section 20): a contest's tracks, a change of an organization's
track, its history, and a unit's standings track by track."""

from __future__ import annotations

from marshmallow import Schema, fields

from api.rest.schemas.common import Code, Strict, Text


class TrackSchema(Schema):
    track = fields.String(required=True, metadata={"description": "the track's code"})
    name = fields.String(required=True)


class TrackChange(Strict):
    track = Code(required=True, metadata={"description": "a track declared by the contest"})
    from_period = Text(required=True, data_key="from", metadata={"description": "the first month, YYYY-MM"})
    reason = Text(required=True)


class TrackChanged(Schema):
    position = fields.Integer(allow_none=True, required=True)
    recorded = fields.Integer(required=True)
    projected = fields.Boolean(required=True)
    changed = fields.Boolean(required=True)


class TrackHistoryRow(Schema):
    from_period = fields.String(required=True, data_key="from", metadata={"description": "\"\": from the beginning"})
    track = fields.String(required=True)
    contest = fields.String(required=True)
    reason = fields.String(required=True)
    actor = fields.String(required=True)
    recorded_at = fields.String(allow_none=True, required=True)


class TrackQuery(Strict):
    QUERY = True
    track = Code(load_default=None, metadata={"description": "only this track"})
