"""Pages of the consequences of a period as tracked work: classes, tasks on their ladder, pairs and their exchanges (console and an organization's own)."""

from __future__ import annotations

from api.web.pages import blp  # noqa: F401 - the routes of this module go on the pages' blueprint
