"""Marshmallow schemas for every request body and every response of the HTTP API; the
OpenAPI document is generated from them."""
