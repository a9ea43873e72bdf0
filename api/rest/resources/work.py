"""Consequences as tracked work: classes, tasks, pairs (结果运用, rulebook sections 15-16).

Closing a period and recording a task or a pair is for an admin over the unit (the domain's
authority decides which unit: a judge, an organization or an admin of another township is
refused).  Reading: admins see their units' work, auditors everything, an organization
its own tasks, pairs and classes."""

from __future__ import annotations

from typing import Any

import orjson
from flask.views import MethodView

from api.rest.base import Blueprint, command, hub, leitai
from api.rest.schemas.common import CommandResult, Reason
from api.rest.schemas.work import (
    ClassRow,
    Closing,
    PairSchema,
    PairsQuery,
    Recorded,
    TaskSchema,
    TasksQuery,
)
from api.rest.security import actor, principal, refuse
from domain import access
from projections import work

blp = Blueprint("work", __name__, url_prefix="/api", description="Consequences as tracked work: classes, tasks, pairs (结果运用)")


def _paths(contest: str) -> dict[str, list[str]]:
    """Each unit of the contest with the units above it (itself first)."""
    units = {u["code"]: u.get("parent") for u in orjson.loads(hub().read().contest(contest)["units"])}
    out = {}
    for unit in units:
        path, current = [], unit
        while current is not None and current not in path:
            path.append(current)
            current = units.get(current)
        out[unit] = path
    return out


def visible(p: Any, contest: str, rows: list[dict[str, Any]], *entrant_keys: str) -> list[dict[str, Any]]:
    """The rows ``p`` may read: an auditor all, an admin its units', an organization its own;
    anyone else is refused."""
    if access.reads_everything(p, contest):
        return rows
    own = access.organizations(p)
    admin = bool(p.roles("admin"))
    if not admin and not own:
        raise refuse(p, "see the consequences of a contest's periods", "查看结果运用（任务、结对、分类）")
    paths = _paths(contest) if admin else {}
    return [r for r in rows if (admin and access.manages_unit(p, contest, paths.get(r["unit"], [r["unit"]])))
            or any(r.get(k) in own for k in entrant_keys)]


def _recorder(contest: str | None = None, unit: str | None = None, what: str = "", what_zh: str = "") -> Any:
    """An admin over the unit (the domain's authority decides again on what the command
    changes); never a judge, an organization or an admin of another unit."""
    p = principal()
    if not p.roles("admin"):
        raise refuse(p, "record the consequences of a period (an admin of its unit does)",
                     "登记结果运用（由该单位的管理员登记）")
    if contest is not None and unit is not None:
        code = hub().read().contest(contest)["contest"]
        path = _paths(code).get(unit.strip().upper(), [unit.strip().upper()])
        if not access.manages_unit(p, code, path):
            raise refuse(p, what or f"record the consequences of unit {unit}", what_zh or f"登记单位 {unit} 的结果运用")
    return p


def _task_recorder(task: str) -> Any:
    _recorder()
    row = work.task(hub().read(), task, leitai().clock.today())  # TaskNotFound
    return _recorder(row["contest"], row["unit"], f"record task {task}", f"登记任务 {task}")


def _pair_recorder(pair: str) -> Any:
    _recorder()
    row = work.pair(hub().read(), pair, leitai().clock.today())  # PairNotFound
    return _recorder(row["contest"], row["unit"], f"record pair {pair}", f"登记结对 {pair}")


def _given(data: dict[str, Any]) -> dict[str, Any]:
    return {"on": data["date"], "place": data["place"], "participants": data["participants"],
            "summary": data["summary"], "attachment": data["attachment"]}


@blp.route("/contests/<contest>/periods/<unit>/<period>/closing")
class PeriodClosingResource(MethodView):
    @blp.response(200, Closing)
    def post(self, contest: str, unit: str, period: str) -> Any:
        """Close a unit's period: record its final standings and classes, issue the ladder's tasks and pairs"""
        p = _recorder(contest, unit, f"close a period of unit {unit}", f"结束单位 {unit} 的期间")
        return command(lambda s, key: s.close_period(contest, unit, period, actor(p, "admin"), key),
                       f"period {contest} {unit} {period}", lambda closed: {"closed": closed})


@blp.route("/contests/<contest>/classes/<unit>/<period>")
class ClassesResource(MethodView):
    @blp.response(200, ClassRow(many=True))
    def get(self, contest: str, unit: str, period: str) -> Any:
        """The classes (一类/二类/三类) of a closed period, by track and rank"""
        p, read = principal(), hub().read()
        code = read.contest(contest)["contest"]
        return visible(p, code, work.classes(read, code, unit, period), "entrant")


@blp.route("/contests/<contest>/tasks")
class TasksResource(MethodView):
    @blp.arguments(TasksQuery, location="query")
    @blp.response(200, TaskSchema(many=True))
    def get(self, query: dict[str, Any], contest: str) -> Any:
        """The ladder's tasks, due first (overdue: the open ones past their due date by the application's clock)"""
        p, read = principal(), hub().read()
        code = read.contest(contest)["contest"]
        rows = work.tasks(read, code, leitai().clock.today(), unit=query["unit"], entrant=query["entrant"],
                          overdue=query["overdue"])
        return visible(p, code, rows, "entrant")


@blp.route("/tasks/<task>/done")
class TaskDoneResource(MethodView):
    @blp.arguments(Recorded)
    @blp.response(200, CommandResult)
    def post(self, data: dict[str, Any], task: str) -> Any:
        """Record a task as done, with what its step requires (date, place, participants, summary, attachment digest)"""
        p = _task_recorder(task)
        return command(lambda s, key: s.task_done(task, actor(p, "admin"), key, **_given(data)), f"task {task}",
                       lambda _: {})


@blp.route("/tasks/<task>/excuse")
class TaskExcuseResource(MethodView):
    @blp.arguments(Reason)
    @blp.response(200, CommandResult)
    def post(self, data: dict[str, Any], task: str) -> Any:
        """Excuse a task, with a reason"""
        p = _task_recorder(task)
        return command(lambda s, key: s.task_excuse(task, data["reason"], actor(p, "admin"), key), f"task {task}",
                       lambda _: {})


@blp.route("/contests/<contest>/pairs")
class PairsResource(MethodView):
    @blp.arguments(PairsQuery, location="query")
    @blp.response(200, PairSchema(many=True))
    def get(self, query: dict[str, Any], contest: str) -> Any:
        """The pairs (结对) with their exchanges counted against the obligation"""
        p, read = principal(), hub().read()
        code = read.contest(contest)["contest"]
        return visible(p, code, work.pairs(read, code, leitai().clock.today(), unit=query["unit"]), "leader", "lagger")


@blp.route("/pairs/<pair>")
class PairResource(MethodView):
    @blp.response(200, PairSchema)
    def get(self, pair: str) -> Any:
        """One pair with its exchanges and each month (or quarter) against the obligation"""
        p, read = principal(), hub().read()
        if not (p.roles("admin") or p.roles("auditor") or access.organizations(p)):
            raise refuse(p, f"see pair {pair}", f"查看结对 {pair}")
        row = work.pair(read, pair, leitai().clock.today())
        if not visible(p, row["contest"], [row], "leader", "lagger"):
            raise refuse(p, f"see pair {pair}", f"查看结对 {pair}")
        return row


@blp.route("/pairs/<pair>/exchanges")
class PairExchangeResource(MethodView):
    @blp.arguments(Recorded)
    @blp.response(200, CommandResult)
    def post(self, data: dict[str, Any], pair: str) -> Any:
        """Record an exchange of a pair (date within its span, and what its step requires)"""
        p = _pair_recorder(pair)
        return command(lambda s, key: s.pair_exchange(pair, actor(p, "admin"), key, **_given(data)), f"pair {pair}",
                       lambda _: {})


@blp.route("/pairs/<pair>/end")
class PairEndResource(MethodView):
    @blp.arguments(Reason)
    @blp.response(200, CommandResult)
    def post(self, data: dict[str, Any], pair: str) -> Any:
        """End a pair early, with a reason"""
        p = _pair_recorder(pair)
        return command(lambda s, key: s.pair_end(pair, data["reason"], actor(p, "admin"), key), f"pair {pair}",
                       lambda _: {})
