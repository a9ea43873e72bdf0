"""What every command of the command line shares: the language, who is acting, the
store and the application (opened when first needed), and how results are printed."""

from __future__ import annotations

import getpass
import os
import sys
from typing import Any

from domain.errors import InvalidValue


class Context:
    def __init__(self, args: Any, lang: str) -> None:
        self.args = args
        self.lang = lang
        self._app: Any = None
        self._store: Any = None

    @property
    def zh(self) -> bool:
        return self.lang.startswith("zh")

    @property
    def actor(self) -> Any:
        from domain.model.base import Actor

        return Actor(getattr(self.args, "actor", None) or os.environ.get("LEITAI_ACTOR") or _login(), "admin")

    @property
    def db(self) -> str | None:
        """``--db`` as given, checked: a URL Leitai cannot read is refused naming ``--db``
        (None: LEITAI_DATABASE_URL, else the default, is used, and a bad one is named so)."""
        url = getattr(self.args, "db", None)
        if url is not None:
            from domain.services.store import parse_url

            try:
                parse_url(url)
            except InvalidValue as error:
                en, zh = error.fields["problem"], error.fields["problem_zh"]
                if "://" not in url and url.strip():  # a bare file name: say how to write it
                    en, zh = f"{en} (a file: --db sqlite:///{url})", f"{zh}（文件应写成 --db sqlite:///{url}）"
                raise InvalidValue("--db", url, en, zh) from None
        return url

    @property
    def store(self) -> Any:
        """The store named by --db / LEITAI_DATABASE_URL; it must exist already."""
        if self._store is None:
            from api.wiring import open_store

            self._store = open_store(self.db, create=False)
        return self._store

    @property
    def app(self) -> Any:
        """The application on an existing store (write commands)."""
        if self._app is None:
            from api.wiring import open_app

            self._app = open_app(self.db, create=False)
            self._store = self._app.store
        return self._app

    def open_new(self) -> Any:
        """The application, creating the store if there is none (import, migrate, demo)."""
        if self._app is None:
            from api.wiring import open_app

            self._app = open_app(self.db, create=True)
            self._store = self._app.store
        return self._app

    def close(self) -> None:
        if self._app is not None:
            self._app.close()
            self._app = None

    # -- output -----------------------------------------------------------------------------

    def say(self, zh: str, en: str) -> None:
        print(zh if self.zh else en)

    def t(self, zh: str, en: str) -> str:
        return zh if self.zh else en

    def recorded(self, outcome: Any, zh: str, en: str) -> None:
        """A command's result line, with what ``?after=N`` (read-your-writes) expects."""
        if outcome.recorded == 0:
            self.say(zh + "（与已登记的相同，未重复登记）", en + " (already recorded; nothing new)")
            return
        where = outcome.position
        self.say(f"{zh}（{outcome.recorded} 条事件，日志位置 {where}）",
                 f"{en} ({outcome.recorded} event{'s' if outcome.recorded != 1 else ''}, log position {where})")

    def progress(self, text: str) -> None:
        print(f"  … {text}", file=sys.stderr, flush=True)

    def warn(self, zh: str, en: str) -> None:
        print(("注意：" + zh) if self.zh else ("Note: " + en), file=sys.stderr)

    def key(self) -> str | None:
        """``--key``, carrying the digest of the command and its arguments: the same key
        given again with another command is refused (KeyReused, exit 2), never taken for
        the command it was first given with (domain.model.base.with_digest)."""
        key = getattr(self.args, "key", None)
        if key is None:
            return None
        import hashlib
        import json

        from domain.model.base import with_digest

        asked = {name: value for name, value in sorted(vars(self.args).items())
                 if name not in NOT_THE_COMMAND and not name.endswith("_command")}
        text = json.dumps(asked, ensure_ascii=False, sort_keys=True, default=str, separators=(",", ":"))
        return with_digest(key, hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest())


NOT_THE_COMMAND = {"key", "db", "lang", "actor", "run", "command"}  # global options and the parser's own


def _login() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some containers
        return "operator"


def parse_date(text: str | None, field: str = "--on") -> Any:
    """A day given on the command line, or InvalidValue naming the option."""
    if text is None:
        return None
    from datetime import date

    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidValue(field, text, "expected a date YYYY-MM-DD, e.g. 2025-05-20",
                           "应为日期 YYYY-MM-DD，如 2025-05-20") from None


def marks(pairs: list[str]) -> dict[str, str]:
    """``party=28.5 industry=20`` -> marks; a criterion given twice is refused."""
    from domain.model.round import criterion_key

    out: dict[str, str] = {}
    for pair in pairs:
        code, sep, value = pair.partition("=")
        if not sep:
            raise InvalidValue("marks", pair, "write each mark as criterion=value, e.g. party=28.5",
                               "每项分数写成 指标=分数，如 party=28.5")
        key = criterion_key(code)
        if key in out:
            raise InvalidValue("marks", key, "the criterion is given twice", "该评分指标重复给出")
        out[key] = value.strip()
    return out


class Mismatch(Exception):
    """Raised by a command that has printed its findings: exit with the mismatch code (6)."""


MAX_FILE = 50_000_000  # bytes: no file a person gives Leitai is larger


def read_text(path_text: str, field: str = "file") -> tuple[Any, str]:
    """(Path, text) of a UTF-8 file named on the command line, or InvalidValue saying what
    is wrong with it: missing, a directory, unreadable, too large, not UTF-8."""
    from pathlib import Path

    path = Path(path_text)
    try:
        if path.is_dir():
            raise InvalidValue(field, path_text, "is a directory, not a file", "是目录，不是文件")
        size = path.stat().st_size
        if size > MAX_FILE:
            raise InvalidValue(field, path_text, f"larger than {MAX_FILE:,} bytes", f"文件超过 {MAX_FILE:,} 字节")
        data = path.read_bytes()
    except FileNotFoundError:
        raise InvalidValue(field, path_text, "no such file", "找不到该文件") from None
    except OSError as error:
        raise InvalidValue(field, path_text, f"cannot be read ({error.strerror})", f"无法读取（{error.strerror}）") from None
    try:
        return path, data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidValue(field, path_text, "is not UTF-8 text; save it as UTF-8 (a GBK file from Chinese Windows "
                           "must be converted)", "不是 UTF-8 编码的文本；请另存为 UTF-8（中文版 Windows 的 GBK 文件需要转换）") from None


def cannot_listen(error: Exception, host: str, port: int, again: str) -> InvalidValue | None:
    """The server could not listen on ``host``:``port``: what is wrong, naming the option,
    and ``again``, the command line that would serve on another port (None: another
    problem, reported as it is)."""
    import errno
    import socket

    number = getattr(error, "errno", None)
    unknown = isinstance(error, ValueError) and "host/port" in str(error)  # waitress: a name it cannot resolve
    if unknown or isinstance(error, socket.gaierror) or number == errno.EADDRNOTAVAIL:
        return InvalidValue("--host", host, "this machine has no such address (127.0.0.1 serves this machine, "
                            "0.0.0.0 every network)", "本机没有这个地址（127.0.0.1 只对本机，0.0.0.0 对所有网络）")
    if number == errno.EADDRINUSE:
        return InvalidValue("--port", port, f"the port is taken by another program on {host}; stop that program, or "
                            f"serve on another port: {again}", f"{host} 上的这个端口已被其他程序占用：请停止占用它的程序，"
                            f"或换一个端口：{again}")
    if number == errno.EACCES:
        return InvalidValue("--port", port, f"only the administrator may listen on a port below 1024; choose another: "
                            f"{again}", f"1024 以下的端口只有系统管理员才能使用；请换一个端口：{again}")
    return None
