"""Tracks (赛道, rulebook section 20): declaring a contest's tracks, which track each
organization competes in from which month, and who a round of a track admits."""

from __future__ import annotations

from collections.abc import Callable

from domain.errors import InvalidValue
from domain.ids import organization_id
from domain.model.base import Actor
from domain.model.contest import Contest
from domain.model.organization import Organization, first_month, last_month
from domain.model.round import Round
from domain.model.round_events import OPEN, SCHEDULED
from domain.services.session import SessionBase


def organization_track(s: SessionBase, period: str, contest: str | None) -> Callable[[str], str]:
    """entrant code -> the track its organization is in during ``period`` in ``contest`` ("" for none)."""
    known: dict[str, str] = {}

    def track_of(code: str) -> str:
        if code not in known:
            org = s.find(organization_id(code), Organization)
            known[code] = org.track_in(period, contest) if org is not None else ""
        return known[code]

    return track_of


def admits(rnd: Round, org: Organization) -> bool:
    """Whether a round takes this organization as far as tracks go (section 20.2)."""
    return not rnd.track or org.track_in(rnd.period, rnd.contest) == rnd.track


def refuse_other_track(rnd: Round, org: Organization, names: dict[str, str], field: str = "entrant") -> None:
    """A round of a track admits only organizations of that track in the round's period."""
    if admits(rnd, org):
        return
    theirs = org.track_in(rnd.period, rnd.contest)
    shown = f"{names.get(theirs, theirs)} ({theirs})" if theirs else "no track"
    shown_zh = f"{names.get(theirs, theirs)}（{theirs}）" if theirs else "未分赛道"
    raise InvalidValue(field, org.code, f"round {rnd.code} belongs to track {names.get(rnd.track, rnd.track)} "
                       f"({rnd.track}); {org.code} competes in {shown} in {rnd.period}",
                       f"轮次 {rnd.code} 属于赛道 {names.get(rnd.track, rnd.track)}（{rnd.track}），"
                       f"{org.code} 在 {rnd.period} 属于 {shown_zh}，不能参加")


class TrackCommands(SessionBase):
    def declare_track(self, contest: str, code: str, name: str, by: Actor, key: str | None = None) -> bool:
        return self.contest(contest).declare_track(code, name, by, key)

    def set_first_track(self, contest: str, organization: str, track: str, by: Actor) -> bool:
        """organizations.csv's ``track``: the organization's first track (from the beginning);
        another track than the one it has is refused (a change needs a month and a reason)."""
        c = self.contest(contest)
        track = c.track(track)
        org = self.organization(organization)
        if not track:
            return False
        mine = [t for t in org.tracks if t[2] == c.code]  # tracks are a contest's (Organization.track_in)
        if not mine:
            scored = self._scored(c, org)
            if scored:
                _, code = max(scored)
                raise InvalidValue("track", track, f"{org.code} has been scored without a track (round {code}); "
                                   f"place it in a track from a later month with `leitai org track {c.code} "
                                   f"{org.code} {track} --from YYYY-MM --reason ...`",
                                   f"{org.code} 已经以“未分赛道”计分（轮次 {code}），请用 `leitai org track {c.code} "
                                   f"{org.code} {track} --from 年-月 --reason 理由` 从以后的某个月起设定赛道")
            return org.change_track(track, "", c.code, "organizations.csv imported", by)
        start, current, _ = mine[-1]
        if current == track:
            return False
        raise InvalidValue("track", track, f"{org.code} competes in track {current} (from {start or 'the beginning'}); "
                           f"change it with `leitai org track {c.code} {org.code} {track} --from YYYY-MM --reason ...`",
                           f"{org.code} 属于赛道 {current}（从 {start or '一开始'} 起）；变更赛道请用 "
                           f"`leitai org track {c.code} {org.code} {track} --from 年-月 --reason 理由`")

    def change_track(self, contest: str, organization: str, track: str, from_period: str, reason: str,
                     by: Actor, key: str | None = None) -> bool:
        """Section 20.3: the organization competes in ``track`` from the month ``from_period``;
        refused inside (or before) a period already scored, and while it is an entrant of an
        unfinished round of another track that ends in or after that month."""
        c = self.contest(contest)
        org = self.organization(organization)
        if org.seen(key) is not None:
            return False
        if org.code not in c.roster:
            raise InvalidValue("organization", org.code, f"not on the roster of contest {c.code}",
                               f"不在活动 {c.code} 的名册中")
        if not (track or "").strip():
            raise InvalidValue("track", track, "name the track to change to", "请指明要变更到的赛道")
        track = c.track(track)
        from_period = (from_period or "").strip()
        if not from_period:
            raise InvalidValue("from", from_period, "a track changes from a month: YYYY-MM (e.g. 2025-07)",
                               "赛道只能从某个月开始变更：应为 YYYY-MM（如 2025-07）")
        scored = self._scored(c, org)
        for code in sorted(c.rounds):
            rnd = self.round(code)
            record = rnd.entrants.get(org.code)
            if record is None or record.status == "withdrawn" or rnd.status not in (SCHEDULED, OPEN):
                continue
            # a round of no track ranks its entrants by their tracks too: moving one while it is scored
            # would choose the pool it is ranked in (rulebook 20.3)
            if rnd.track != track and last_month(rnd.period) >= from_period:
                of_en = f"of track {rnd.track} " if rnd.track else "(of no track: ranked by each entrant's track) "
                of_zh = f"赛道 {rnd.track} 的" if rnd.track else "不分赛道（按各组织的赛道排名）的"
                raise InvalidValue("from", from_period, f"{org.code} is an entrant of round {code} {of_en}"
                                   f"({rnd.period}), not yet closed; change its track from after that period, "
                                   "or withdraw it from the round first",
                                   f"{org.code} 正参加{of_zh}轮次 {code}（{rnd.period}，尚未结束评分）；请从该期间之后"
                                   "开始变更，或先让它退出该轮次")
        if scored:
            end, code = max(scored)
            if from_period <= end:
                earliest = first_month(_next_month(end))
                raise InvalidValue("from", from_period or "-", f"round {code} of {org.code} has been scored for "
                                   f"a period ending in {end}; a change of track can start in {earliest} at the "
                                   "earliest (tracks change between periods)",
                                   f"{org.code} 的轮次 {code} 已计分，其期间到 {end} 为止；赛道只能在期间之间变更，"
                                   f"最早从 {earliest} 开始")
        return org.change_track(track, from_period, c.code, reason, by, key)

    def _scored(self, c: Contest, org: Organization) -> list[tuple[str, str]]:
        """(the last month of its period, round) of every round of the contest in which the
        organization has been scored (closed, published or final; not withdrawn)."""
        out = []
        for code in sorted(c.rounds):
            rnd = self.round(code)
            record = rnd.entrants.get(org.code)
            if record is not None and record.status != "withdrawn" and rnd.status not in (SCHEDULED, OPEN):
                out.append((last_month(rnd.period), code))
        return out


def _next_month(month: str) -> str:
    year, number = int(month[:4]), int(month[5:7])
    return f"{year + 1}-01" if number == 12 else f"{year}-{number + 1:02d}"
