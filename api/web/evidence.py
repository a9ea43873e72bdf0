"""Pages of honours, platform data and flags (五面红旗) side by side with the stars."""

from __future__ import annotations

from api.web.pages import blp  # noqa: F401 - the routes of this module go on the pages' blueprint
