"""The BallotBox aggregate: one voting round of a round (rulebook section 18).

Opened with its candidates and the voting settings of the rule set it follows; ballots are
cast into it anonymously (a ballot's number, its group and its choices - never the voter);
a ballot can be voided with a reason before the count; the count records the tally, and the
announcement (现场公布) puts it on the big screen.  Nothing is cast, voided or counted after.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from domain import text as texts
from domain.errors import BallotFileImportedAlready, InvalidValue, VotingCounted
from domain.ids import ballot_box_id
from domain.model.base import Actor, LeitaiAggregate, require_reason
from domain.model.round_events import recorded_at

OPEN, COUNTED, ANNOUNCED = "open", "counted", "announced"
BALLOT_MAX = 32  # a ballot's number: what is printed on a paper ballot


class BallotBox(LeitaiAggregate):
    class Opened(LeitaiAggregate.Created):
        round: str
        number: int
        candidates: list[str]
        groups: list[str]
        choices: int
        rules: dict[str, Any]

        def evolve(self, b: BallotBox) -> None:
            b.round, b.number, b.candidates = self.round, self.number, list(self.candidates)
            b.groups, b.choices, b.rules = list(self.groups), self.choices, dict(self.rules)
            b.status = OPEN
            if "_id" not in vars(b):  # the read side folds with evolve alone: the id follows from the fields
                b._id = ballot_box_id(self.round, self.number)

    class BallotCast(LeitaiAggregate.Event):
        ballot: str
        group: str
        choices: list[str]

        def evolve(self, b: BallotBox) -> None:
            b.ballots[self.ballot] = {"group": self.group, "choices": list(self.choices), "voided": None,
                                      "version": self.originator_version}

    class BallotVoided(LeitaiAggregate.Event):
        ballot: str
        reason: str

        def evolve(self, b: BallotBox) -> None:
            b.ballots[self.ballot]["voided"] = self.reason

    class BallotFileImported(LeitaiAggregate.Event):
        """A ballots file imported whole (recorded in the same session as its ballots): its name,
        the SHA-256 of its bytes and how many ballots it held - the same file is not imported twice."""

        file: str
        digest: str
        rows: int

        def evolve(self, b: BallotBox) -> None:
            files = vars(b).setdefault("files", {})  # the read side may fold a box without __init__
            files[self.digest] = {"file": self.file, "rows": self.rows, "actor": self.actor,
                                  "at": recorded_at(self)}

    class Counted(LeitaiAggregate.Event):
        tally: dict[str, Any]

        def evolve(self, b: BallotBox) -> None:
            b.tally, b.status = dict(self.tally), COUNTED

    class Announced(LeitaiAggregate.Event):
        digest: str

        def evolve(self, b: BallotBox) -> None:
            b.status = ANNOUNCED

    def __init__(self) -> None:
        super().__init__()
        self.round = ""
        self.number = 0
        self.candidates: list[str] = []
        self.groups: list[str] = []
        self.choices = 0
        self.rules: dict[str, Any] = {}
        self.status = OPEN
        self.ballots: dict[str, dict[str, Any]] = {}  # ballot number -> group, choices, voided (reason)
        self.tally: dict[str, Any] = {}
        self.files: dict[str, dict[str, Any]] = {}  # SHA-256 of a ballots file imported -> file, rows, actor, at

    @classmethod
    def open(cls, round_code: str, number: int, candidates: list[str], groups: list[str], choices: int,
             rules: dict[str, Any], by: Actor, key: str | None = None) -> BallotBox:
        return cls._start(cls.Opened, ballot_box_id(round_code, number), by, key, round=round_code, number=number,
                          candidates=sorted(candidates), groups=list(groups), choices=choices, rules=dict(rules))

    @property
    def code(self) -> str:
        """How the box is named in messages: its round and voting round."""
        return f"{self.round} #{self.number}"

    def valid(self) -> list[tuple[str, str, tuple[str, ...]]]:
        """(ballot, group, choices) of every ballot cast and not voided, by ballot number."""
        return [(n, b["group"], tuple(b["choices"])) for n, b in sorted(self.ballots.items()) if b["voided"] is None]

    def ballot_at(self, version: int) -> str:
        """The number of the ballot cast by event ``version`` ("" if that event cast none)."""
        return next((n for n, b in self.ballots.items() if b.get("version") == version), "")

    def next_ballot(self) -> str:
        n = len(self.ballots) + 1
        while f"{n:05d}" in self.ballots:
            n += 1
        return f"{n:05d}"

    def cast(self, ballot: str | None, group: Any, choices: Any, by: Actor, key: str | None = None,
             withdrawn: Collection[str] = ()) -> str:
        """Record one ballot; returns its number.  Refused (nothing recorded): after the count,
        a number cast before, a group not in the rules, more choices than allowed, the same
        entrant twice, an entrant that is not a candidate of this voting round, or one
        withdrawn or disqualified from the round since (``withdrawn``)."""
        if (done := self.seen(key)) is not None:
            return str(done)
        self._open("cast a ballot", "登记选票")
        number = self.next_ballot() if ballot is None or not str(ballot).strip() else \
            texts.entity_code(ballot, "ballot")
        if len(number) > BALLOT_MAX:
            raise InvalidValue("ballot", number, f"a ballot number has at most {BALLOT_MAX} characters",
                               f"选票编号最多 {BALLOT_MAX} 个字符")
        if number in self.ballots:
            raise InvalidValue("ballot", number, f"ballot {number} is recorded already in this voting round",
                               f"选票 {number} 在本轮投票中已经登记过")
        group = texts.contest_code(group, "group") if isinstance(group, str) else group
        if group not in self.groups:
            raise InvalidValue("group", group, f"ballot {number}: the voter groups are {', '.join(self.groups)}",
                               f"选票 {number}：投票组别只能是 {', '.join(self.groups)}")
        if not isinstance(choices, (list, tuple)):
            raise InvalidValue("choices", choices, "a list of entrant codes", "应为参赛组织代码的列表")
        picked = [texts.entity_code(c, "choices") for c in choices]
        if len(picked) > self.choices:
            raise InvalidValue("choices", ",".join(picked),
                               f"ballot {number}: a ballot names at most {self.choices} entrants, this one {len(picked)}",
                               f"选票 {number}：一张选票最多可选 {self.choices} 个组织，这张选了 {len(picked)} 个")
        twice = sorted({c for c in picked if picked.count(c) > 1})
        if twice:
            raise InvalidValue("choices", ",".join(twice), f"ballot {number}: {', '.join(twice)} named twice",
                               f"选票 {number}：{'、'.join(twice)} 被选了两次")
        strangers = [c for c in picked if c not in self.candidates]
        if strangers:
            raise InvalidValue("choices", ",".join(strangers),
                               f"ballot {number}: not a candidate of voting round {self.number}",
                               f"选票 {number}：不是第 {self.number} 轮投票的候选组织")
        gone = [c for c in picked if c in withdrawn]
        if gone:
            raise InvalidValue("choices", ",".join(gone),
                               f"ballot {number}: withdrawn or disqualified since the voting opened",
                               f"选票 {number}：投票开启后已退出或被取消资格")
        self._record(self.BallotCast, by, key, ballot=number, group=group, choices=picked)
        return number

    def check_file(self, file: str, digest: str) -> None:
        """Refuse a ballots file whose bytes (``digest``, SHA-256) were imported into this box
        before, saying when, by whom and under which name (BallotFileImportedAlready)."""
        earlier = vars(self).get("files", {}).get(digest)
        if earlier is not None:
            raise BallotFileImportedAlready(file=file, digest=digest, earlier=earlier["file"], when=earlier["at"] or "-",
                                            actor=earlier["actor"], rows=earlier["rows"], round=self.round,
                                            number=self.number)

    def imported(self, file: str, digest: str, rows: int, by: Actor) -> None:
        """Record that the ballots file ``file`` (SHA-256 ``digest``) was imported, ``rows`` ballots."""
        self._open("import a ballots file", "导入选票文件")
        self.check_file(file, digest)
        self._record(self.BallotFileImported, by, None, file=texts.name(file, "file", limit=200), digest=digest,
                     rows=rows)

    def void(self, ballot: Any, reason: str, by: Actor, key: str | None = None) -> None:
        if self.seen(key) is not None:
            return
        self._open("void a ballot", "作废选票")
        number = texts.entity_code(ballot, "ballot")
        found = self.ballots.get(number)
        if found is None:
            raise InvalidValue("ballot", number, f"no ballot {number} in voting round {self.number}",
                               f"第 {self.number} 轮投票中没有选票 {number}")
        if found["voided"] is not None:
            raise InvalidValue("ballot", number, f"ballot {number} is voided already", f"选票 {number} 已经作废")
        self._record(self.BallotVoided, by, key, ballot=number,
                     reason=require_reason(reason, "void a ballot", "作废选票"))

    def count(self, tally: dict[str, Any], by: Actor, key: str | None = None) -> None:
        """Record the tally (computed by domain.rules.voting.count) and announce it (现场公布)."""
        self._open("count the ballots", "计票")
        self._record(self.Counted, by, key, tally=tally)
        self._record(self.Announced, by, None, digest=tally["digest"])

    def _open(self, action: str, action_zh: str) -> None:
        if self.status != OPEN:
            raise VotingCounted(round=self.round, number=self.number, action=action, action_zh=action_zh)
