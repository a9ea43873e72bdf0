"""Deterministic aggregate ids: the same code always names the same aggregate.

Because ids follow from codes, scheduling a round twice finds the first one instead
of creating a second, and an import run twice touches the same aggregates.
"""

from __future__ import annotations

from uuid import UUID, uuid5

NAMESPACE = UUID("5b1d3c8e-6a0f-4c59-9d3e-2f7b8a4e1c60")


def contest_id(code: str) -> UUID:
    return uuid5(NAMESPACE, f"contest:{code}")


def round_id(code: str) -> UUID:
    return uuid5(NAMESPACE, f"round:{code}")


def organization_id(code: str) -> UUID:
    return uuid5(NAMESPACE, f"organization:{code}")


def ruleset_id(code: str) -> UUID:
    return uuid5(NAMESPACE, f"ruleset:{code}")


def calendar_id() -> UUID:
    return uuid5(NAMESPACE, "calendar:mainland-china")


def certification_id(organization: str, level: str, cycle: str) -> UUID:
    return uuid5(NAMESPACE, f"certification:{organization}:{level}:{cycle}")


def ledger_id() -> UUID:
    return uuid5(NAMESPACE, "ledger")


def account_id(name: str) -> UUID:
    return uuid5(NAMESPACE, f"account:{name}")


def ballot_box_id(round_code: str, number: int) -> UUID:
    """The ballot box of voting round ``number`` of a round (投票, rulebook section 18)."""
    return uuid5(NAMESPACE, f"ballot-box:{round_code}:{number}")


# 结果运用 (consequences as work): a closed period, its tasks and pairs, named by their codes
def period_result_id(code: str) -> UUID:
    """``contest:unit:period`` (``:track`` when the unit has tracks)."""
    return uuid5(NAMESPACE, f"period:{code}")


def task_id(code: str) -> UUID:
    """``contest:unit:period:rung:entrant``."""
    return uuid5(NAMESPACE, f"task:{code}")


def pair_id(code: str) -> UUID:
    """``contest:unit:period:lagger``."""
    return uuid5(NAMESPACE, f"pair:{code}")


# -- evidence and flags (rulebook section 19) --
def platform_data_id(contest: str, source: str, period: str) -> UUID:
    return uuid5(NAMESPACE, f"platform:{contest}:{source}:{period}")


def flag_id(organization: str, flag: str, cycle: str) -> UUID:
    return uuid5(NAMESPACE, f"flag:{organization}:{flag}:{cycle}")
