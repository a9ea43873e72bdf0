"""The read models of 结果运用, each computed by its own module after the core ones.

A part is a function ``(computer, dirty, changes)``: it reads the folded state
(``computer.folder``, with ``folder.others[class name]`` for its own aggregates and
``dirty.others[class name]`` for those a batch touched) and adds its rows to ``changes``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Part = Callable[[Any, Any, Any], None]

PARTS: tuple[Part, ...] = ()
