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
