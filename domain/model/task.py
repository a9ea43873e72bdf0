"""The Task aggregate: one consequence of a closed period on its ladder (rulebook section 15),
e.g. 约谈 of a bottom-three village by the deputy party secretary within 10 working days.

Issued when a period is closed; recorded as done (with what its step requires: date,
place, participants, summary, an attachment's digest) or excused with a reason - once.
Overdue is not an event: an open task past its due date (the read side compares it with
the application's clock).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from domain import text as texts
from domain.errors import InvalidValue, WorkStateError
from domain.ids import task_id
from domain.model.base import Actor, LeitaiAggregate, require_reason

OPEN, DONE, EXCUSED = "open", "done", "excused"
STATE_ZH = {OPEN: "待办", DONE: "已办结", EXCUSED: "已免办"}
DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
FIELD_ZH = {"date": "日期", "place": "地点", "participants": "参加人员", "summary": "情况摘要", "attachment": "附件"}


def recorded(required: tuple[str, ...] | list[str], today: date, *, on: Any, place: Any, participants: Any,
             summary: Any, attachment: Any, earliest: date | None = None,
             earliest_what: tuple[str, str] = ("", "")) -> dict[str, Any]:
    """What a done task (or a pair's exchange) records, checked: each item the step
    requires must be given; the date may not lie after today, nor before ``earliest`` (the
    day the task was issued: what happened before is no consequence of this period);
    an attachment is a digest."""
    given = {"date": on, "place": place, "participants": participants, "summary": summary, "attachment": attachment}
    for item in required:
        value = given.get(item)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise InvalidValue(item, value, f"this step requires {item} to be recorded",
                               f"这一步要求登记{FIELD_ZH[item]}（{item}）")
    out: dict[str, Any] = {}
    if on is not None and str(on).strip():
        try:
            day = on if isinstance(on, date) else date.fromisoformat(str(on).strip())
        except ValueError:
            raise InvalidValue("date", on, "expected a date like 2025-06-03", "应为日期，如 2025-06-03") from None
        if day > today:
            raise InvalidValue("date", day.isoformat(), f"lies after today ({today.isoformat()})",
                               f"晚于今天（{today.isoformat()}）")
        if earliest is not None and day < earliest:
            raise InvalidValue("date", day.isoformat(),
                               f"lies before {earliest_what[1]} ({earliest.isoformat()}); record the date it was done",
                               f"早于{earliest_what[0]}（{earliest.isoformat()}），请填写实际办理的日期")
        out["date"] = day.isoformat()
    else:
        out["date"] = None
    out["place"] = texts.name(place or "", "place", required=False)
    out["participants"] = texts.text(participants or "", "participants", limit=texts.REASON_MAX, required=False)
    out["summary"] = texts.text(summary or "", "summary", limit=texts.TEXT_MAX, required=False)
    if attachment is not None and str(attachment).strip():
        value = str(attachment).strip().lower()
        if not DIGEST.fullmatch(value):
            raise InvalidValue("attachment", attachment, "expected the file's digest: sha256: and 64 hex digits",
                               "应为附件文件的摘要：sha256: 加 64 位十六进制数字")
        out["attachment"] = value
    else:
        out["attachment"] = None
    return out


class Task(LeitaiAggregate):
    class TaskIssued(LeitaiAggregate.Created):
        code: str
        contest: str
        unit: str
        period: str
        track: str
        entrant: str
        name: str
        rung: int  # its place in [[ladder]], from 1
        rung_key: str  # "month:bottom": what climbing follows from one period to the next
        step: int  # from 1
        streak: int  # the how-many-th consecutive period of this kind the entrant is concerned
        action: str
        action_name: str
        by_whom: str
        due: str  # ISO date
        record: list[str]
        why_zh: str
        why_en: str
        issued_on: str

        def evolve(self, t: Any) -> None:
            if "_id" not in vars(t):  # the read side folds with evolve alone: the id follows from the code
                t._id = task_id(self.code)
            for key in ("code", "contest", "unit", "period", "track", "entrant", "name", "rung", "rung_key", "step",
                        "streak", "action", "action_name", "by_whom", "due", "why_zh", "why_en", "issued_on"):
                setattr(t, key, getattr(self, key))
            t.record, t.state = list(self.record), OPEN
            t.done, t.reason = None, ""

    class TaskDone(LeitaiAggregate.Event):
        date: str | None
        place: str
        participants: str
        summary: str
        attachment: str | None
        recorded_on: str | None = None  # the application's date when it was recorded (None: recorded before it was kept)

        def evolve(self, t: Any) -> None:
            t.state = DONE
            t.done = {"date": self.date, "place": self.place, "participants": self.participants,
                      "summary": self.summary, "attachment": self.attachment,
                      "recorded_on": getattr(self, "recorded_on", None)}

    class TaskExcused(LeitaiAggregate.Event):
        reason: str

        def evolve(self, t: Any) -> None:
            t.state, t.reason = EXCUSED, self.reason

    def __init__(self) -> None:
        super().__init__()
        self.code = self.contest = self.unit = self.period = self.track = self.entrant = self.name = ""
        self.state = OPEN
        self.record: list[str] = []
        self.done: dict[str, Any] | None = None
        self.reason = ""

    @classmethod
    def issue(cls, by: Actor, **fields: Any) -> Task:
        return cls._start(cls.TaskIssued, task_id(fields["code"]), by, None, **fields)

    def mark_done(self, today: date, by: Actor, key: str | None = None, **given: Any) -> None:
        if self.seen(key) is not None:
            return
        self._open("record it as done", "登记办结")
        self._record(self.TaskDone, by, key, recorded_on=today.isoformat(), **recorded(
            self.record, today, earliest=date.fromisoformat(self.issued_on),
            earliest_what=("任务发出的日期", "the day the task was issued"), **given))

    def excuse(self, reason: str, by: Actor, key: str | None = None) -> None:
        if self.seen(key) is not None:
            return
        self._open("excuse it", "登记免办")
        self._record(self.TaskExcused, by, key, reason=require_reason(reason, "excuse a task", "登记任务免办"))

    def _open(self, action: str, action_zh: str) -> None:
        if self.state != OPEN:
            when = (self.done or {}).get("date") or ""
            raise WorkStateError("Task", "任务", self.code, self.state, STATE_ZH[self.state], action, action_zh,
                                 f"It was recorded {self.state} {when}".rstrip() + "; a recorded event is not changed.",
                                 f"这个任务{('已于 ' + when + ' ') if when else '已'}登记为{STATE_ZH[self.state]}，登记的事件不可修改。")
