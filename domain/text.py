"""What text Leitai accepts: codes, names and free text, normalised where they enter.

Codes identify things and are typed by people, often with a Chinese input method, so
they are normalised before they are compared: Unicode NFKC (a full-width ``Ｆ-01``
becomes ``F-01``), surrounding spaces removed, and then

* organization, unit, judge and round codes: capital letters, digits and ``-`` ``_``
  ``.``, starting and ending with a letter or digit, at most 40 characters; small letters
  are read as capitals, so ``f-01`` and ``F-01`` name the same organization;
* contest codes and level names: the same alphabet in small letters;
* rule-set and criterion codes keep the rulebook's own patterns (section 2).

Anything else (spaces inside, ``/``, ``..``, control characters, other scripts) is
refused with the field and the value, never silently changed.

Names and free text are kept as written (Unicode NFC), trimmed, and refused if they
hold control or invisible formatting characters (ANSI escapes, NUL, U+202E and other
direction overrides, zero-width spaces), if nothing visible is left, or if they are
longer than their field allows.  Only free text (reasons, appeal texts, replies) may
span several lines.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from domain.errors import InvalidValue

CODE_MAX = 40
ENTITY_CODE = re.compile(r"[A-Z0-9](?:[A-Z0-9._-]*[A-Z0-9])?")
LOWER_CODE = re.compile(r"[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?")

NAME_MAX = 100  # names of organizations, units, judges, people
TITLE_MAX = 200  # contest titles, themes, affiliations
REASON_MAX = 1000  # reasons for corrections, voids, adjustments...
TEXT_MAX = 5000  # appeal texts and written replies

# Unicode categories never accepted in any text: controls (Cc), invisible formatting
# (Cf: zero-width spaces, direction overrides, soft hyphens), surrogates, private use,
# unassigned code points, line and paragraph separators.
_REFUSED = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
_SPACES = " \t\u3000\u00a0"


def _describe(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return f"U+{ord(ch):04X}" + (f" {name}" if name else "")


def _check_text(value: Any, field: str) -> str:
    if not isinstance(value, str):
        raise InvalidValue(field, value, "must be text", "应为文本")
    return value


def code(value: Any, field: str, *, lower: bool = False) -> str:
    """A normalised code (see the module docstring), or InvalidValue naming the field."""
    text = _check_text(value, field)
    if len(text) > 4 * CODE_MAX:
        raise InvalidValue(field, text[:CODE_MAX] + "…", f"a code has at most {CODE_MAX} characters",
                           f"代码最多 {CODE_MAX} 个字符")
    normal = unicodedata.normalize("NFKC", text).strip(_SPACES)
    normal = normal.lower() if lower else normal.upper()
    if not normal:
        raise InvalidValue(field, value, "a code is required", "必须填写代码")
    if len(normal) > CODE_MAX:
        raise InvalidValue(field, normal[:CODE_MAX] + "…", f"a code has at most {CODE_MAX} characters",
                           f"代码最多 {CODE_MAX} 个字符")
    pattern = LOWER_CODE if lower else ENTITY_CODE
    if not pattern.fullmatch(normal):
        bad = next((ch for ch in normal if not (ch.isascii() and (ch.isalnum() or ch in "._-"))), None)
        detail = f" ({_describe(bad)} is not allowed)" if bad else ""
        detail_zh = f"（不允许 {_describe(bad)}）" if bad else ""
        letters = "small letters" if lower else "capital letters"
        letters_zh = "小写字母" if lower else "大写字母"
        raise InvalidValue(
            field, _printable(text),
            f"a code uses {letters}, digits and - _ . only, and starts and ends with a letter or digit{detail}",
            f"代码只能由{letters_zh}、数字和 - _ . 组成，并以字母或数字开头和结尾{detail_zh}")
    return normal


def entity_code(value: Any, field: str) -> str:
    """An organization, unit, judge or round code: capitals, digits, - _ ."""
    return code(value, field)


def contest_code(value: Any, field: str = "code") -> str:
    """A contest code or a level name: small letters, digits, - _ ."""
    return code(value, field, lower=True)


def optional_code(value: Any, field: str) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip(_SPACES)):
        return None
    return entity_code(value, field)


def name(value: Any, field: str, *, limit: int = NAME_MAX, required: bool = True) -> str:
    """A single-line name or title: trimmed, NFC, visible, at most ``limit`` characters."""
    return _clean(value, field, limit, required, multiline=False)


def text(value: Any, field: str, *, limit: int = REASON_MAX, required: bool = True) -> str:
    """Free text (a reason, an appeal, a reply): may span lines; CRLF becomes LF."""
    return _clean(value, field, limit, required, multiline=True)


def _clean(value: Any, field: str, limit: int, required: bool, multiline: bool) -> str:
    raw = _check_text("" if value is None and not required else value, field)
    if len(raw) > 4 * limit:  # refuse huge input before normalising it
        raise InvalidValue(field, raw[:40] + "…", f"at most {limit} characters", f"最多 {limit} 个字符")
    normal = unicodedata.normalize("NFC", raw).replace("\r\n", "\n").strip(_SPACES + "\n")
    for ch in normal:
        if ch == "\n" and multiline:
            continue
        if ch == "\t":
            continue
        if unicodedata.category(ch) in _REFUSED:
            raise InvalidValue(field, _printable(raw),
                               f"contains an invisible or control character ({_describe(ch)}); "
                               "retype it without pasting formatting",
                               f"含有不可见字符或控制字符（{_describe(ch)}），请重新输入，不要粘贴带格式的文本")
    visible = "".join(ch for ch in normal if not ch.isspace())
    if required and not visible:
        raise InvalidValue(field, _printable(raw), "is required (nothing visible was given)", "必须填写（没有可见内容）")
    if len(normal) > limit:
        raise InvalidValue(field, normal[:40] + "…", f"at most {limit} characters (given {len(normal)})",
                           f"最多 {limit} 个字符（现为 {len(normal)} 个）")
    return normal


def _printable(value: str) -> str:
    """A value as it can safely be shown back in a message: escapes for what is invisible."""
    shown = "".join(ch if unicodedata.category(ch) not in _REFUSED else f"\\u{ord(ch):04x}" for ch in value[:60])
    return shown + ("…" if len(value) > 60 else "")
