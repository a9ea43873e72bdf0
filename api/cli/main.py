"""``leitai``: the command line.

Global options, before or after the command: ``--db URL`` (default
``LEITAI_DATABASE_URL``, else ``sqlite:///leitai.db``), ``--lang zh|en`` (default
``LEITAI_LANG``, else Chinese), ``--as ACTOR`` (who is acting; default ``LEITAI_ACTOR``,
else the login name).  Results go to stdout; errors go to stderr, in the chosen
language, with what to do next and a documented exit code (see ``EXIT``); no input
produces a Python traceback (``LEITAI_DEBUG=1`` shows one for an internal error).
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
from collections.abc import Sequence
from typing import Any

from api.cli.context import Context, Mismatch
from api.cli.parser import build_parser, language
from domain.errors import LeitaiError, NotFound

EXIT = {"ok": 0, "internal": 1, "refused": 2, "not_found": 3, "conflict": 4, "store": 5, "mismatch": 6,
        "interrupted": 130}


class _Printed(logging.Filter):
    """Log records the command prints itself, in the reader's language (a refused signature is
    the command's own error): not printed twice."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("signing refused")


class _Stderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to the standard error stream of the moment: a command run more than once in one
    process (the tests, the demo) may find ``sys.stderr`` replaced since the first run."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def _log_to_stderr() -> None:
    logger = logging.getLogger("leitai")
    if not any(isinstance(f, _Printed) for h in logger.handlers for f in h.filters):
        handler = _Stderr(sys.stderr)
        handler.addFilter(_Printed())
        handler.setLevel(logging.WARNING)
        logger.addHandler(handler)
        logger.propagate = False


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    _log_to_stderr()
    lang = language(argv, dict(os.environ))
    parser = build_parser(lang)
    try:
        args = parser.parse_args(argv)
    except SystemExit as done:  # --help, or a usage error argparse has printed
        return int(done.code or 0)
    if not getattr(args, "run", None):  # a group without its subcommand, or no command at all
        _group_parser(parser, getattr(args, "path", ())).print_help(sys.stderr)
        return EXIT["refused"]
    ctx = Context(args, "en" if (getattr(args, "lang", None) or lang) == "en" else "zh")
    try:
        module, _, function = args.run.partition(":")
        getattr(importlib.import_module(module), function)(ctx)
        sys.stdout.flush()
        return EXIT["ok"]
    except Mismatch:
        return EXIT["mismatch"]
    except LeitaiError as error:
        message = error.message(ctx.lang)
        if isinstance(error, NotFound) and ctx._store is not None:  # noqa: SLF001 - say which store was asked
            message += ctx.t(f"（数据库：{ctx._store.display}）", f" (database: {ctx._store.display})")  # noqa: SLF001
        _error(ctx, message)
        if getattr(args, "path", ()) == ("import",):
            print(ctx.t("未登记任何内容（整个目录作为一个整体导入）。请修改后重新导入。",
                        "Nothing was recorded (a directory is imported as a whole). Fix it and import again."),
                  file=sys.stderr)
        return type(error).exit_code
    except BrokenPipeError:  # e.g. `leitai board R | head`: the reader has what it wanted
        _silence_stdout()
        return EXIT["ok"]
    except KeyboardInterrupt:
        print(ctx.t("已中断。", "Interrupted."), file=sys.stderr)
        return EXIT["interrupted"]
    except Exception as error:  # noqa: BLE001 - the last line of defence: a message, not a traceback
        store = _store_problem(error)
        if store is not None:
            _error(ctx, store.message(ctx.lang))
            return EXIT["store"]
        if os.environ.get("LEITAI_DEBUG"):
            raise
        _error(ctx, ctx.t(f"内部错误（{type(error).__name__}：{error}）。未登记任何不完整的内容。请把这条信息和所用的命令"
                          "报告给系统管理员；设置 LEITAI_DEBUG=1 可看到详细信息。",
                          f"internal error ({type(error).__name__}: {error}). Nothing partial was recorded. Report "
                          "this message and the command to the system administrator; LEITAI_DEBUG=1 shows details."))
        return EXIT["internal"]
    finally:
        try:
            ctx.close()
        except Exception:  # noqa: BLE001 - closing never hides the command's own outcome
            pass


def _error(ctx: Context, message: str) -> None:
    try:
        print(ctx.t("错误：", "Error: ") + message, file=sys.stderr)
    except BrokenPipeError:
        pass


def _silence_stdout() -> None:
    """After a closed pipe, let the interpreter exit without complaining about stdout."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except OSError:
        pass


def _group_parser(parser: Any, path: tuple[str, ...]) -> Any:
    current = parser
    for word in path:
        sub = next((a for a in current._actions if a.__class__.__name__ == "_SubParsersAction"), None)  # noqa: SLF001
        if sub is None or word not in sub.choices:
            break
        current = sub.choices[word]
    return current


def _store_problem(error: Exception) -> LeitaiError | None:
    """A database that failed under the command (down, locked, out of space) as a StoreError."""
    from domain.errors import StoreError

    name = type(error).__module__
    if not (name.startswith("eventsourcing") or name.startswith("psycopg") or name.startswith("sqlite3")
            or isinstance(error, (OSError,)) and "database" in str(error).lower()):
        return None
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    if "locked" in text.lower() or "lock timeout" in text.lower() or "canceling statement" in text.lower():
        return StoreError(problem=f"the database is locked by another process ({text}); try again in a moment, or "
                                  "stop the process that holds it",
                          problem_zh=f"数据库被其他进程锁定（{text}）。请稍后重试，或停止占用数据库的进程")
    return StoreError(problem=f"{text}. Check that the database server runs and is reachable, then try again",
                      problem_zh=f"{text}。请确认数据库服务正在运行并可以连接，然后重试")


if __name__ == "__main__":
    sys.exit(main())
