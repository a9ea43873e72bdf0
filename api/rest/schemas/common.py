"""Schemas shared by every resource."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, pre_load, validate

Text = fields.String
Code = fields.String  # a code is checked (and normalised) by the domain, which names what is wrong


class Strict(Schema):
    """A request body: unknown fields are refused (a typo never passes unnoticed), and a
    yes/no or a whole number must be sent as JSON's own true/false or integer: "yes", 1 for
    true or 1.5 for an appeal number is refused, never read as something else."""

    QUERY = False  # a query string's values are all text: there the types are read, not checked

    @pre_load
    def _exact_types(self, data: Any, **_: Any) -> Any:
        if self.QUERY or not isinstance(data, dict):
            return data
        problems: dict[str, list[str]] = {}
        for name, field in self.fields.items():
            key = field.data_key or name
            value = data.get(key)
            if value is None:
                continue
            if isinstance(field, fields.Boolean) and not isinstance(value, bool):
                problems[key] = ["Not a valid boolean."]
            elif isinstance(field, fields.Integer) and (isinstance(value, bool) or not isinstance(value, int)):
                problems[key] = ["Not a valid integer."]
        if problems:
            raise ValidationError(problems)
        return data


class ErrorSchema(Schema):
    code = fields.String(required=True, metadata={"description": "what kind of error, e.g. RoundNotFound"})
    message = fields.String(required=True, metadata={"description": "in the request's language"})
    errors = fields.Dict(keys=fields.String(), values=fields.String(), required=True,
                         metadata={"description": "field -> what is wrong with it"})


class CommandResult(Schema):
    position = fields.Integer(required=True, allow_none=True,
                              metadata={"description": "log position of the command's last event (null: nothing new)"})
    recorded = fields.Integer(required=True, metadata={"description": "events the command recorded"})
    projected = fields.Boolean(required=True, metadata={"description": "the read side includes it already"})


class Reason(Strict):
    reason = Text(required=True, validate=validate.Length(min=1, max=1000))


class Remedy(Strict):
    reason = Text(required=True, validate=validate.Length(min=1, max=1000))
    appeal = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1),
                            metadata={"description": "record it as a remedy of this upheld objection/appeal"})


class RulesRef(Schema):
    code = fields.String(required=True)
    version = fields.Integer(required=True)


class ListQuery(Strict):
    QUERY = True
