"""Accounts, roles and signing in."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from api.rest.schemas.common import CommandResult, Strict, Text

ROLES = ["admin", "judge", "organization", "auditor"]


class GrantSchema(Strict):
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    contest = Text(load_default=None, allow_none=True)
    unit = Text(load_default=None, allow_none=True)
    judge = Text(load_default=None, allow_none=True)
    organization = Text(load_default=None, allow_none=True)


class SignIn(Strict):
    name = Text(required=True, validate=validate.Length(min=1, max=100))
    password = Text(required=True, validate=validate.Length(min=1, max=200))


class Token(Schema):
    token = fields.String(required=True)
    expires_in = fields.Integer(required=True, metadata={"description": "seconds"})
    account = fields.String(required=True)
    display_name = fields.String(required=True)
    grants = fields.List(fields.Nested(GrantSchema), required=True)


class Me(Schema):
    account = fields.String(required=True, allow_none=True, metadata={"description": "null: not signed in"})
    display_name = fields.String(required=True)
    grants = fields.List(fields.Nested(GrantSchema), required=True)


class PasswordChange(Strict):
    current = Text(required=True, validate=validate.Length(min=1, max=200))
    new = Text(required=True, validate=validate.Length(min=8, max=200))


class AccountSchema(Schema):
    account = fields.String(required=True)
    display_name = fields.String(required=True)
    grants = fields.List(fields.Nested(GrantSchema), required=True)
    disabled = fields.Boolean(required=True)


class AccountEvent(Schema):
    """One event of an account's history."""

    position = fields.Integer(required=True, metadata={"description": "its position in the log"})
    event = fields.String(required=True, metadata={"description": "Created, RoleGranted, RoleRevoked, "
                                                                   "PasswordChanged, PasswordCommitted, Disabled or Enabled"})
    at = fields.String(allow_none=True, required=True, metadata={"description": "when, China Standard Time"})
    actor = fields.String(allow_none=True, required=True, metadata={"description": "the account that did it"})
    actor_role = fields.String(allow_none=True, required=True)
    display_name = fields.String()
    granted = fields.String()
    revoked = fields.String()
    scope = fields.Dict(keys=fields.String(), values=fields.String(allow_none=True))
    reason = fields.String()
    by_owner = fields.Boolean()


class AccountCreate(Strict):
    name = Text(required=True, validate=validate.Length(min=1, max=40))
    display_name = Text(load_default="", validate=validate.Length(max=100))
    grants = fields.List(fields.Nested(GrantSchema), load_default=list, validate=validate.Length(max=20))
    reason = Text(load_default="account created", validate=validate.Length(min=1, max=1000))


class GrantChange(GrantSchema):
    reason = Text(required=True, validate=validate.Length(min=1, max=1000))


class AccountResult(CommandResult):
    account = fields.String(required=True)
    password = fields.String(allow_none=True, metadata={
        "description": "a one-time password, shown once (null when a retry replays the answer: reset it if lost)"})


class Done(CommandResult):
    changed = fields.Boolean(required=True)
