"""Tracks (赛道, rulebook section 20): a contest's tracks, an organization's track history
and a change of its track from a month (an admin over its unit)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from api.rest.base import Blueprint, command, conditional, hub
from api.rest.schemas.tracks import (
    TrackChange,
    TrackChanged,
    TrackHistoryRow,
    TrackSchema,
)
from api.rest.security import actor, principal, require
from domain import access

blp = Blueprint("tracks", __name__, url_prefix="/api", description="Tracks (赛道)")


@blp.route("/contests/<contest>/tracks")
class TracksResource(MethodView):
    @blp.response(200, TrackSchema(many=True))
    def get(self, contest: str) -> Any:
        """The contest's tracks in the order declared (none: the contest has no tracks)"""
        from projections.tracks import tracks

        read = hub().read()
        code = read.contest(contest)["contest"]
        return conditional(hub().position, "tracks", lambda: [{"track": t["track"], "name": t["name"]}
                                                              for t in tracks(read, code)])


@blp.route("/contests/<contest>/organizations/<organization>/track")
class OrganizationTrackResource(MethodView):
    @blp.response(200, TrackHistoryRow(many=True))
    def get(self, contest: str, organization: str) -> Any:
        """The organization's track history, oldest first"""
        from projections.tracks import track_history

        read = hub().read()
        read.contest(contest)
        org = read.organization(organization)["organization"]
        return conditional(hub().position, f"track-history:{org}", lambda: [
            {"from": h["from_period"], "track": h["track"], "contest": h["contest"], "reason": h["reason"],
             "actor": h["actor"], "recorded_at": h["recorded_at"]} for h in track_history(read, org)])

    @blp.arguments(TrackChange)
    @blp.response(200, TrackChanged)
    def post(self, data: dict[str, Any], contest: str, organization: str) -> Any:
        """Change the organization's track from a month (an admin over its unit; section 20.3)"""
        from api.rest.resources.contests import _unit_path

        p = principal()
        read = hub().read()
        code = read.contest(contest)["contest"]
        org = read.organization(organization)
        require(access.manages_unit(p, code, _unit_path(code, org["unit"])), p,
                f"change the track of {org['organization']}", f"变更 {org['organization']} 的赛道")
        return command(lambda s, key: s.change_track(code, organization, data["track"], data["from_period"],
                                                     data["reason"], actor(p, "admin"), key),
                       f"organization {organization}", lambda changed: {"changed": bool(changed)})
