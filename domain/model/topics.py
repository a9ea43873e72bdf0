"""The allow-list of what may be recorded: Leitai's own aggregate and event classes.

A stored event names its class by a topic (``module:Class``), and the library would
import whatever module a topic names.  The read side resolves topics only from this
list, the store refuses any other topic on insert (the migrations keep a copy of it
in the database), and ``leitai verify`` reports an event whose topic is not on it.
"""

from __future__ import annotations

from functools import lru_cache

from eventsourcing.utils import get_topic

from domain.model import round_comments, round_events
from domain.model.account import Account
from domain.model.ballot_box import BallotBox
from domain.model.base import LeitaiAggregate
from domain.model.calendar import HolidayCalendar
from domain.model.certification import Certification
from domain.model.contest import Contest
from domain.model.federation import Federation
from domain.model.flag import Flag
from domain.model.ledger import Ledger
from domain.model.organization import Organization
from domain.model.pair import Pair
from domain.model.platform_data import PlatformData
from domain.model.period_result import PeriodResult
from domain.model.round import Round
from domain.model.ruleset_history import RuleSetHistory
from domain.model.task import Task

AGGREGATES: tuple[type[LeitaiAggregate], ...] = (
    Contest, Organization, Round, RuleSetHistory, HolidayCalendar, Certification, Ledger, Account,
    BallotBox, PeriodResult, Task, Pair,
    PlatformData, Flag,  # evidence and flags (rulebook section 19)
    Federation)  # 市级联动: sources and admissions (rulebook section 22)


def _event_classes() -> list[type]:
    # The library gives every aggregate class an "Event" and a "Created" class of its own;
    # only Contest records its "Created" (the others start with a named event).
    found: list[type] = [Contest.Created, Account.Created]
    for aggregate in AGGREGATES:
        for name, value in vars(aggregate).items():
            if (isinstance(value, type) and issubclass(value, LeitaiAggregate.Event)
                    and name not in ("Event", "Created")):
                found.append(value)
    for value in vars(round_events).values():
        if (isinstance(value, type) and issubclass(value, LeitaiAggregate.Event)
                and value.__module__ == round_events.__name__):
            found.append(value)
    found.extend(round_comments.EVENTS)  # a Round's comments (点评)
    return found


@lru_cache(maxsize=1)
def event_classes() -> dict[str, type]:
    """Every event topic Leitai records, with its class."""
    return {get_topic(cls): cls for cls in _event_classes()}


@lru_cache(maxsize=1)
def aggregate_classes() -> dict[str, type]:
    return {get_topic(cls): cls for cls in AGGREGATES}


def all_topics() -> list[str]:
    """Event and aggregate topics, sorted (what the store's allow-list holds)."""
    return sorted(set(event_classes()) | set(aggregate_classes()))
