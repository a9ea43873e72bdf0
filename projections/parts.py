"""The read models of 结果运用, each computed by its own module after the core ones.

A part is a function ``(computer, dirty, changes)``: it reads the folded state
(``computer.folder``, with ``folder.others[class name]`` for its own aggregates and
``dirty.others[class name]`` for those a batch touched) and adds its rows to ``changes``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Part = Callable[[Any, Any, Any], None]

from projections.comments import comment_rows  # noqa: E402 - 点评 (rulebook section 17)
from projections.voting import voting_rows  # noqa: E402 - 投票 (rulebook section 18)
from projections.tracks import rows as track_rows  # noqa: E402 - 赛道 (rulebook section 20)
from projections.work import work_rows  # noqa: E402 - 结果运用: tasks, pairs, classes (sections 15-16)
from projections.evidence import evidence_rows  # noqa: E402 - 荣誉、平台数据、红旗 (rulebook section 19)

PARTS: tuple[Part, ...] = (comment_rows, voting_rows, track_rows, work_rows, evidence_rows)
