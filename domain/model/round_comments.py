"""Comments on entrants (点评, rulebook section 17): a judge's or a leader's written words on
one entrant of a round, recorded, corrected and withdrawn like a sheet - and never part
of a score.  Mixed into Round.

None of these events adds to the round's seal log (rulebook section 11.1), none is
result-changing (no checkpoint, no new publicity period): a round's results, seal and
sheets are the same with or without its comments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from domain import text as texts
from domain.errors import (
    CommentAlreadyWithdrawn,
    CommentNotFound,
    CommentsNotAccepted,
    InvalidValue,
    JudgeRecusedFromComment,
)
from domain.model import round_events as ev
from domain.model.base import Actor, LeitaiAggregate, require_reason

if TYPE_CHECKING:
    from domain.model.round_events import EntrantRecord, JudgeSeat

COMMENT_MAX = 2000  # characters of a comment's text
STAGE_MAX = 40  # characters of the stage it was made at (汇报演讲, 现场观摩 ...)
AUTHORS = ("judge", "leader")
COMMENTING = (ev.OPEN, ev.CLOSED, ev.PUBLISHED)  # from the opening until the round is final
JUDGES_COMMENTING = (ev.OPEN,)  # a judge's own account: while scoring runs, blind to the others (17.2)


@dataclass
class CommentRecord:
    """One comment as it stands, with every version of it (``history``, oldest first: what
    happened - recorded, corrected, withdrawn -, the text then, who, when, why)."""

    comment: int
    entrant: str
    author: str  # "judge" | "leader"
    judge: str | None  # the judge's code (a judge's comment)
    title: str | None  # the leader's title and name as given ("镇党委书记 张三")
    stage: str | None
    text: str
    state: str = "recorded"  # recorded | corrected | withdrawn
    history: list[dict[str, Any]] = field(default_factory=list)

    @property
    def first(self) -> int:
        """The event that recorded it."""
        return int(self.history[0]["seq"])

    @property
    def withdrawn(self) -> bool:
        return self.state == "withdrawn"


def _entry(event: Any, what: str, text: str | None, reason: str | None) -> dict[str, Any]:
    return {"seq": event.originator_version, "what": what, "text": text, "reason": reason,
            "actor": event.actor, "at": ev.recorded_at(event)}


class CommentRecorded(LeitaiAggregate.Event):
    comment: int
    entrant: str
    author: str
    judge: str | None
    title: str | None
    stage: str | None
    text: str
    # why an admin recorded a judge's comment once scoring closed (rulebook 17.2); events recorded
    # before the field existed load with None
    reason: str | None = None

    def evolve(self, r: Any) -> None:
        r.comments[self.comment] = CommentRecord(self.comment, self.entrant, self.author, self.judge, self.title,
                                                 self.stage, self.text, "recorded",
                                                 [_entry(self, "recorded", self.text, self.reason)])


class CommentCorrected(LeitaiAggregate.Event):
    comment: int
    entrant: str
    judge: str | None  # the comment's judge (who may correct it besides the round's admins)
    text: str
    reason: str

    def evolve(self, r: Any) -> None:
        record = r.comments[self.comment]
        record.text, record.state = self.text, "corrected"
        record.history.append(_entry(self, "corrected", self.text, self.reason))


class CommentWithdrawn(LeitaiAggregate.Event):
    comment: int
    entrant: str
    judge: str | None
    reason: str

    def evolve(self, r: Any) -> None:
        record = r.comments[self.comment]
        record.state = "withdrawn"
        record.history.append(_entry(self, "withdrawn", None, self.reason))


EVENTS = (CommentRecorded, CommentCorrected, CommentWithdrawn)


class RoundComments:
    """The commands of comments; the state is ``self.comments`` (number -> CommentRecord)."""

    code: str
    status: str
    judges: dict[str, JudgeSeat]
    entrants: dict[str, EntrantRecord]
    recusals: dict[tuple[str, str], str]

    def __init__(self) -> None:
        super().__init__()
        self.comments: dict[int, CommentRecord] = {}

    def record_comment(self, entrant: str, text: str, by: Actor, key: str | None = None, *, judge: str | None = None,
                       leader: str | None = None, stage: str | None = None, reason: str | None = None) -> int:
        """Record a judge's comment (``judge``: seated, not recused for the entrant) or a
        leader's (``leader``: their title and name); returns the comment's number.  Once
        scoring has closed, a judge's comment recorded by someone else (the round's admin
        entering it) needs a ``reason`` (rulebook 17.2, ReasonRequired); a reason given
        otherwise is kept too."""
        if (done := self.seen(key)) is not None:  # type: ignore[attr-defined]
            return next((c.comment for c in self.comments.values() if c.first == done), done)
        self._may_comment("record a comment", "登记点评", by)
        if (judge is None) == (leader is None):
            raise InvalidValue("author", None,
                               "name either the judge (--judge) or the leader's title and name (--leader), not both",
                               "请指明点评的评委（--judge）或领导的职务和姓名（--leader），二者选一")
        self._entrant(entrant)  # type: ignore[attr-defined]
        if judge is not None:
            self._judge(judge)  # type: ignore[attr-defined]
            recused = self.recusals.get((judge, entrant))
            if recused is not None:
                home = recused == "home_unit"
                raise JudgeRecusedFromComment(judge=judge, entrant=entrant,
                                              reason="the same unit as the entrant" if home else recused,
                                              reason_zh="与参赛组织同属一个单位" if home else recused)
            title = None
        else:
            title = texts.name(leader, "leader")
        clean = texts.text(text, "text", limit=COMMENT_MAX)
        where = texts.name(stage, "stage", limit=STAGE_MAX, required=False) or None
        if judge is not None and self.status != ev.OPEN and by.role != "judge":
            # the judges have seen each other's comments since scoring closed: say why this one comes now
            why: str | None = require_reason(
                reason, f"record judge {judge}'s comment once scoring has closed (give it: --reason on the command "
                        "line, reason over HTTP)",
                f"结束评分后代评委 {judge} 登记点评（命令行 --reason，接口 reason 字段）")
        else:
            why = texts.text(reason, "reason", required=False) or None
        number = len(self.comments) + 1
        self._record(CommentRecorded, by, key, comment=number, entrant=entrant,  # type: ignore[attr-defined]
                     author="judge" if judge is not None else "leader", judge=judge, title=title, stage=where,
                     text=clean, reason=why)
        return number

    def correct_comment(self, number: int, text: str, reason: str, by: Actor, key: str | None = None) -> int:
        """Replace a comment's text (with a reason); the same text again records nothing."""
        if self.seen(key) is not None:  # type: ignore[attr-defined]
            return number
        self._may_comment("correct a comment", "更正点评", by)
        record = self._standing_comment(number, "corrected", "更正")
        clean = texts.text(text, "text", limit=COMMENT_MAX)
        reason = require_reason(reason, "correct a comment", "更正点评")
        if clean == record.text:
            return number
        self._record(CommentCorrected, by, key, comment=number, entrant=record.entrant,  # type: ignore[attr-defined]
                     judge=record.judge, text=clean, reason=reason)
        return number

    def withdraw_comment(self, number: int, reason: str, by: Actor, key: str | None = None) -> int:
        if self.seen(key) is not None:  # type: ignore[attr-defined]
            return number
        self._may_comment("withdraw a comment", "撤回点评", by)
        record = self._standing_comment(number, "withdrawn", "撤回")
        self._record(CommentWithdrawn, by, key, comment=number, entrant=record.entrant,  # type: ignore[attr-defined]
                     judge=record.judge, reason=require_reason(reason, "withdraw a comment", "撤回点评"))
        return number

    def _may_comment(self, action: str, action_zh: str, by: Actor) -> None:
        """Until the round is final; a judge acting for itself only while scoring runs: once
        scoring closes the judges see each other's comments, and what a judge wrote blind
        stays as written (the round's admin may still record a change, with its reason)."""
        if self.status not in COMMENTING or (by.role == "judge" and self.status not in JUDGES_COMMENTING):
            raise CommentsNotAccepted(self.code, self.status, action, action_zh)

    def _standing_comment(self, number: Any, action: str, action_zh: str) -> CommentRecord:
        record = self.comments.get(number) if isinstance(number, int) and not isinstance(number, bool) else None
        if record is None:
            raise CommentNotFound(round=self.code, comment=number)
        if record.withdrawn:
            last = record.history[-1]
            raise CommentAlreadyWithdrawn(round=self.code, comment=number, when=last["at"] or "-",
                                          reason=last["reason"], action=action, action_zh=action_zh)
        return record
