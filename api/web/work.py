"""Pages of the consequences of a period as tracked work: classes, tasks on their ladder, pairs and their exchanges (console and an organization's own).

The console's overdue list and the organization page's classes and tasks are partial
templates (``_work_console.html``, ``_work_org.html``) that ask the functions below, so the
pages they sit in need no more than an include.  Each reader sees what the API would show
them (api/rest/resources/work.py ``visible``).
"""

from __future__ import annotations

from typing import Any

from flask import render_template, request

from api.rest.base import leitai
from api.rest.errors import Forbidden, Unauthorized, lang
from api.rest.resources.work import visible
from api.rest.security import refuse
from api.web.pages import _read, _viewer, blp
from domain import access
from projections import work


def _today() -> Any:
    return leitai().clock.today()


def _may_record(p: Any, contest: str, unit: str) -> bool:
    from api.rest.resources.work import _paths

    return access.manages_unit(p, contest, _paths(contest).get(unit, [unit]))


def _seen(rows: list[dict[str, Any]], p: Any, contest: str, *keys: str) -> list[dict[str, Any]]:
    try:
        return visible(p, contest, rows, *keys)
    except (Forbidden, Unauthorized):
        return []


@blp.route("/console/<contest>/tasks")
def work_tasks(contest: str) -> Any:
    """后果阶梯的任务 and the pairs of a contest: admins (their units'), auditors (all)."""
    p = _viewer()
    if not (p.roles("admin") or p.is_auditor):
        raise refuse(p, "see the tasks of a contest", "查看结果运用的任务")
    read = _read()
    c = read.contest(contest)
    code = c["contest"]
    overdue = request.args.get("overdue") == "1"
    today = _today()
    tasks = visible(p, code, work.tasks(read, code, today, overdue=overdue), "entrant")
    pairs = visible(p, code, work.pairs(read, code, today), "leader", "lagger")
    for t in tasks:
        t["may_record"] = t["state"] == "open" and _may_record(p, code, t["unit"])
    return render_template("work_tasks.html", c=c, tasks=tasks, pairs=pairs, overdue=overdue, today=today,
                           en=lang() == "en")


@blp.route("/console/pairs/<path:pair>")
def work_pair(pair: str) -> Any:
    """A pair (结对) with its exchanges against the obligation, month by month."""
    p = _viewer()
    read = _read()
    row = work.pair(read, pair, _today())
    if not _seen([row], p, row["contest"], "leader", "lagger"):
        raise refuse(p, f"see pair {pair}", f"查看结对 {pair}")
    c = read.contest(row["contest"])
    return render_template("work_pair.html", c=c, pair=row, today=_today(), en=lang() == "en",
                           may_record=row["state"] == "active" and _may_record(p, row["contest"], row["unit"]))


@blp.app_template_global("overdue_tasks")
def overdue_tasks(contest: str) -> list[dict[str, Any]]:
    """The console's list: open tasks past their due date that the reader may see."""
    p = _viewer()
    return _seen(work.tasks(_read(), contest, _today(), overdue=True), p, contest, "entrant")


@blp.app_template_global("organization_work")
def organization_work(organization: str) -> dict[str, Any] | None:
    """An organization's class history, tasks and pairs - for itself, the admins of its unit
    and auditors (None for anyone else: 约谈 is not for the public)."""
    p = _viewer()
    read = _read()
    today = _today()
    classes, tasks, pairs = [], [], []
    for row in work.class_history(read, organization):
        classes += _seen([row], p, row["contest"], "entrant")
    contests = sorted({r["contest"] for r in read.store.select(work.WORK_TASKS, {"entrant": organization})}
                      | {r["contest"] for r in classes})
    for contest in contests:
        tasks += _seen(work.tasks(read, contest, today, entrant=organization), p, contest, "entrant")
        pairs += _seen(work.pairs(read, contest, today, entrant=organization), p, contest, "leader", "lagger")
    if not (classes or tasks or pairs):
        return None
    return {"classes": classes, "tasks": tasks, "pairs": pairs, "en": lang() == "en"}
