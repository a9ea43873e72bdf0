"""Pages of voting: ballot entry for the counting desk and the big screen's announcement after each voting round (现场公布)."""

from __future__ import annotations

from api.web.pages import blp  # noqa: F401 - the routes of this module go on the pages' blueprint
