"""The read side of tracks (赛道, rulebook section 20): standings and consequences per
(unit, period, track), a contest's declared tracks, each organization's track history,
and the queries the command line, the API and the pages ask."""

from __future__ import annotations

from typing import Any

from domain.rules.standings import FinalRound, Standing, periods_of
from domain.rules.tracks import period_standings_by_track, track_order
from domain.text import contest_code, entity_code
from projections.tables import ORGANIZATION_TRACKS, TRACKS

ByTrack = dict[str, dict[str, tuple[Any, list[Standing]]]]  # period -> track -> (rules, standings)


def standings_by_track(computer: Any, contest: str, unit: str, rounds: list[FinalRound]) -> ByTrack:
    """Every period of the unit's finalized rounds, split by the track each organization is in
    during that period (one track "" in a contest without tracks: as before)."""
    organizations = computer.folder.organizations
    out: ByTrack = {}
    for period in sorted({p for r in rounds for p in periods_of(r.period)}):
        def track_of(code: str, period: str = period) -> str:
            org = organizations.get(code)
            return org.track_in(period, contest) if org is not None else ""

        split = period_standings_by_track(rounds, period, track_of)
        out[period] = {track: (rules, standings) for track, (rules, _, standings) in split.items()}
    return out


def rows(computer: Any, dirty: Any, changes: Any) -> None:
    """The part's own tables (projections/parts.py): tracks and organizations' track histories."""
    folder = computer.folder
    contests = set(folder.contests) if dirty.everything else dirty.contests
    for code in sorted(contests):
        c = folder.contests.get(code)
        if c is None:
            continue
        changes.replacing(TRACKS, ("contest",), (code,))
        for position, (track, name) in enumerate(c.tracks.items(), 1):
            changes.rows[TRACKS.name].append((code, position, track, name))
    organizations = set(folder.organizations) if dirty.everything else dirty.organizations
    for code in sorted(organizations):
        o = folder.organizations.get(code)
        if o is None:
            continue
        changes.replacing(ORGANIZATION_TRACKS, ("organization",), (code,))
        for h in o.track_history:
            changes.rows[ORGANIZATION_TRACKS.name].append((code, h["seq"], h["from"], h["track"], h["contest"],
                                                           h["reason"], h["actor"], h.get("at")))


# -- queries --------------------------------------------------------------------------------


def tracks(read: Any, contest: str) -> list[dict[str, Any]]:
    """A contest's tracks in the order declared ([] for a contest without tracks)."""
    return read.store.select(TRACKS, {"contest": contest_code(contest, "contest")}, order="position")


def track_history(read: Any, organization: str) -> list[dict[str, Any]]:
    return read.store.select(ORGANIZATION_TRACKS, {"organization": entity_code(organization, "organization")},
                             order="seq")


def period(read: Any, contest: str, unit: str, period_: str, track: str | None = None) -> dict[str, Any]:
    """A unit's standings for a period, track by track (each with its consequences): what
    `leitai standings`, the HTTP API and the standings page show."""
    data = read.period(contest, unit, period_)
    declared = tracks(read, data["contest"])
    names = {t["track"]: t["name"] for t in declared}
    if track is not None:
        track = track.strip()
        if track not in names and track != "":
            from domain.errors import InvalidValue

            known = ", ".join(names) or "none"
            raise InvalidValue("track", track, f"not a track of contest {data['contest']} (declared: {known})",
                               f"不是活动 {data['contest']} 的赛道（已声明的赛道：{'、'.join(names) or '无'}）")
    found = {r.get("track") or "" for r in data["standings"]}
    order = track_order(names, found | (set(names) if track is None else set()))
    if track is not None:
        order = [track]
    sections = []
    for code in order:
        sections.append({"track": code, "name": names.get(code, ""),
                         "standings": [r for r in data["standings"] if (r.get("track") or "") == code],
                         "consequences": [c for c in data["consequences"] if (c.get("track") or "") == code]})
    if declared or track is not None:
        sections = [s for s in sections if s["standings"] or s["track"] in names]
    return {**data, "tracks": [{"track": t["track"], "name": t["name"]} for t in declared], "sections": sections}


def organization_tracks(read: Any, organization: str, entries: list[dict[str, Any]]) -> tuple[list[dict[str, Any]],
                                                                                               list[dict[str, Any]]]:
    """An organization's page: its track history (each change with the track's name) and the
    unit standings its finalized rounds are part of (contest, unit, period), newest first."""
    history = track_history(read, organization)
    names: dict[str, dict[str, str]] = {}
    for h in history:
        if h["contest"] not in names:
            names[h["contest"]] = {t["track"]: t["name"] for t in tracks(read, h["contest"])}
        h["name"] = names[h["contest"]].get(h["track"], h["track"])
    seen, standings = set(), []
    for e in entries:
        r = e["r"]
        key = (r["contest"], r["unit"], r["period"])
        if r["status"] == "final" and key not in seen:
            seen.add(key)
            standings.append({"contest": key[0], "unit": key[1], "period": key[2]})
    return history, sorted(standings, key=lambda s: s["period"], reverse=True)
