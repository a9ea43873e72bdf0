"""Ballots and voting rounds (rulebook section 18): ballot boxes, anonymous ballots, tallies, 现场公布."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from domain.errors import (
    IMPORT_ERRORS_SHOWN,
    ImportErrors,
    ImportRowError,
    InvalidValue,
    LeitaiError,
    NoVoting,
    VotingCounted,
    VotingNotOpen,
)
from domain.ids import ballot_box_id
from domain.model.ballot_box import OPEN, BallotBox
from domain.model.base import Actor
from domain.model.round import Round
from domain.rules import voting as rules_voting
from domain.services.session import SessionBase

SEPARATORS = re.compile(r"[,;，；、\s]+")


def gone(rnd: Any) -> set[str]:
    """The round's entrants withdrawn or disqualified: no longer a choice on a ballot."""
    return {e.code for e in rnd.entrants.values() if e.status != "active"}


def split_choices(text: str) -> list[str]:
    """``A,B,C`` (also ``;``, ``、``, spaces) -> the codes; empty text is a blank ballot."""
    return [c for c in SEPARATORS.split(text.strip()) if c]


class VotingCommands(SessionBase):
    # -- queries ---------------------------------------------------------------------------

    def ballot_boxes(self, round_code: str) -> list[BallotBox]:
        """The round's ballot boxes, voting round 1 first."""
        rnd = self.round(round_code)
        out: list[BallotBox] = []
        for number in range(1, rules_voting.MAX_ROUNDS + 1):
            box = self.find(ballot_box_id(rnd.code, number), BallotBox)
            if box is None:
                break
            out.append(box)
        return out

    def current_box(self, round_code: str) -> BallotBox:
        boxes = self.ballot_boxes(round_code)
        if not boxes:
            rnd = self.round(round_code)
            self.voting_rules(rnd)  # a round whose rules hold no [voting] is told so, not to open it
            raise VotingNotOpen(round=rnd.code)
        return boxes[-1]

    def _recorded(self, round_code: str, key: str | None) -> BallotBox | None:
        """The ballot box where the command under ``key`` was recorded already (a retry), if any."""
        if key is None:
            return None
        return next((b for b in self.ballot_boxes(round_code) if b.seen(key) is not None), None)

    def voting_rules(self, rnd: Round, ref: dict[str, Any] | None = None) -> rules_voting.Voting:
        rules = self.rules(ref or rnd.rules)
        if rules.voting is None:
            raise NoVoting(round=rnd.code, rules=rules.ref)
        return rules.voting

    # -- commands --------------------------------------------------------------------------

    def open_voting(self, round_code: str, by: Actor, key: str | None = None) -> int:
        """Open voting round 1 with every active entrant as a candidate; returns 1."""
        rnd = self.round(round_code)
        voting = self.voting_rules(rnd)
        existing = self.find(ballot_box_id(rnd.code, 1), BallotBox)
        if existing is not None:
            if key is not None and existing.seen(key) is not None:
                return 1
            raise InvalidValue("round", rnd.code, "voting is open already (voting round 1 was opened before)",
                               "已经开启过投票（第 1 轮投票箱已开启）")
        candidates = [e.code for e in rnd.entrants.values() if e.status == "active"]
        if not candidates:
            raise InvalidValue("round", rnd.code, "the round has no active entrant to vote for",
                               "该轮次没有可以投票的参赛组织")
        self.add(BallotBox.open(rnd.code, 1, candidates, [g.code for g in voting.groups], voting.choices,
                                rnd.rules, by, key))
        return 1

    def cast_ballot(self, round_code: str, group: Any, ballot: str | None, choices: Any, by: Actor,
                    key: str | None = None) -> dict[str, Any]:
        """One anonymous ballot into the open voting round; returns its number and voting round."""
        done = self._recorded(round_code, key)
        if done is not None:  # a retry, even once the count opened the next voting round
            return {"ballot": done.ballot_at(done.seen(key) or 0), "voting_round": done.number}
        box = self.current_box(round_code)
        number = box.cast(ballot, group, choices, by, key, withdrawn=gone(self.round(round_code)))
        return {"ballot": number, "voting_round": box.number}

    def cast_ballots(self, round_code: str, rows: Iterable[tuple[int, str, str, str]], file: str, digest: str,
                     by: Actor) -> dict[str, Any]:
        """Ballots from a file: (row, ballot, group, choices text) each; all or nothing, a refusal
        names the file, the row and the column - every refused row at once (up to 20).  The file's
        SHA-256 (``digest``) is recorded with its ballots, and the same file into the same ballot
        box again is refused (BallotFileImportedAlready): blank ballot numbers would otherwise be
        numbered anew and every ballot counted twice."""
        box = self.current_box(round_code)
        if not isinstance(digest, str) or not re.fullmatch(r"[0-9a-f]{64}", digest):
            raise InvalidValue("digest", digest, "the SHA-256 of the ballots file, 64 hex digits",
                               "应为选票文件的 SHA-256（64 位十六进制）")
        box.check_file(file, digest)
        out = gone(self.round(round_code))
        cast = 0
        refused: list[ImportRowError] = []
        for row, ballot, group, choices in rows:
            try:
                box.cast(ballot or None, group, split_choices(choices), by, withdrawn=out)
            except InvalidValue as bad:  # the row alone is wrong: nothing of it was recorded, go on checking
                column = {"ballot": "ballot", "group": "group", "choices": "choices"}.get(bad.fields["field"])
                refused.append(ImportRowError(file, row, column, f"{bad.fields['problem']} ({bad.fields['value']})",
                                              f"{bad.fields['problem_zh']}（{bad.fields['value']}）"))
                if len(refused) >= IMPORT_ERRORS_SHOWN:
                    break
                continue
            except LeitaiError as bad:
                raise ImportRowError(file, row, None, bad.message("en"), bad.message("zh")) from None
            cast += 1
        if len(refused) == 1:
            raise refused[0]
        if refused:
            raise ImportErrors(refused)  # the session is not saved: nothing of the file is recorded
        box.imported(file, digest, cast, by)
        return {"cast": cast, "voting_round": box.number}

    def void_ballot(self, round_code: str, ballot: str, reason: str, by: Actor, key: str | None = None) -> int:
        done = self._recorded(round_code, key)
        if done is not None:
            return done.number
        box = self.current_box(round_code)
        box.void(ballot, reason, by, key)
        return box.number

    def count_votes(self, round_code: str, by: Actor, key: str | None = None) -> dict[str, Any]:
        """Count the open voting round and announce it (现场公布); then open the next with the
        carried, or - after the last - feed the ``votes`` component (rulebook 18.3, 18.4)."""
        rnd = self.round(round_code)
        done = self._recorded(round_code, key)
        if done is not None:  # a retry: the count recorded under this key, whatever opened since
            return done.tally
        box = self.current_box(round_code)
        if box.status != OPEN:
            raise VotingCounted(round=rnd.code, number=box.number, action="count the ballots", action_zh="计票")
        voting = self.voting_rules(rnd, box.rules)
        tally = tally_of(box, voting)
        box.count(tally, by, key)
        if not tally["last"]:
            # an entrant withdrawn or disqualified since the voting opened is not carried (rulebook 18.3)
            carried = [c for c in tally["carried"] if c not in gone(rnd)]
            self.add(BallotBox.open(rnd.code, box.number + 1, carried, list(box.groups), box.choices,
                                    box.rules, by))
            return tally
        rules = self.rules(rnd.rules)
        reason = f"投票计票：{box.code}，选票摘要 {tally['digest']}"
        for entrant in sorted(rnd.entrants):
            rnd.record_input(rules, entrant, voting.component, str(tally["feed"].get(entrant, 0)), by,
                             reason=reason, counted=True)
        return tally


def ballots_of(box: Any) -> list[rules_voting.Ballot]:
    """The valid ballots of a box (an aggregate, or the read side's fold of one)."""
    return [rules_voting.Ballot(n, b["group"], tuple(b["choices"]))
            for n, b in sorted(box.ballots.items()) if b["voided"] is None]


def tally_of(box: Any, voting: rules_voting.Voting) -> dict[str, Any]:
    """The count of a box under ``voting``; CannotCount as InvalidValue naming the round."""
    voided = sum(1 for b in box.ballots.values() if b["voided"] is not None)
    try:
        return rules_voting.count(voting, box.number, box.candidates, ballots_of(box), voided)
    except rules_voting.CannotCount as bad:
        raise InvalidValue("round", box.round, bad.en, bad.zh) from None
