"""A scenario upload (``POST /api/contests/import``), received so that it cannot hurt
the server before it is known to be allowed, nor after:

1. :func:`refuse_early` - before a byte of the body is read, the request must come from
   an account with an admin grant (only admins import; which contest and rows an admin
   may import into is decided once the scenario is read), and declare no more than the
   app's ``MAX_CONTENT_LENGTH``;
2. :func:`unpack` - the multipart body is parsed by Werkzeug, which spools each file to
   a temporary file and stops at ``MAX_CONTENT_LENGTH`` (``leitai serve`` also has
   waitress stop reading a body far beyond it); each file is copied to the upload's
   directory in pieces, its name checked (a control character is a 400 naming it); a
   .zip is checked member by member before it is unpacked (too many files, too much
   unpacked, a member packed like a zip bomb) and unpacked in pieces, counting the bytes
   really unpacked.

What the files hold is then read by the importer with its own limits
(api/importing/limits.py), the same for ``leitai import``.
"""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

from flask import current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from api.importing.limits import (
    MAX_FILE,
    checked_members,
    copy_limited,
    has_control,
    shown_name,
    unpack_member,
)
from api.rest.errors import UnsafeFileName
from api.rest.security import refuse
from domain.errors import ImportRowError, InvalidValue

MAX_FILES = 200
MAX_UNPACKED = 60 * 1024 * 1024


def refuse_early(p: Any) -> None:
    """Before the body is read: only an account with an admin grant may send a scenario,
    and no larger than the limit says."""
    if not p.roles("admin"):
        raise refuse(p, "import a scenario", "导入活动")
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit and request.content_length is not None and request.content_length > limit:
        raise RequestEntityTooLarge()


def unpack(directory: Path) -> str:
    """The upload into ``directory``: no path outside it, no more than the limits allow.
    Returns the digest of what was sent (each file's name and bytes): a multipart body is
    read as files, so this, not the raw body, tells one upload from another (the
    fingerprint of a request with ``Idempotency-Key``, api/rest/base.py)."""
    directory.mkdir()
    spool = directory.parent / "upload"
    spool.mkdir()
    files: list[tuple[str, Path]] = []
    sent = hashlib.sha256()
    upload = request.files.get("scenario")
    if upload is not None:
        name = upload.filename or "scenario"
        _check_name(name)
        archive_path = spool / "scenario.zip"
        one = hashlib.sha256()
        copy_limited(upload.stream, archive_path, MAX_UNPACKED, shown_name(name), one)
        sent.update(f"scenario\0{name}\0{one.hexdigest()}\n".encode())
        files = _unzip(archive_path, shown_name(name), spool)
    else:
        uploads = request.files.getlist("files")
        if len(uploads) > MAX_FILES:
            raise ImportRowError("files", None, None, "too many files", "文件过多")
        for i, item in enumerate(uploads):
            name = item.filename or ""
            _check_name(name)
            target = spool / f"{i}"
            one = hashlib.sha256()
            copy_limited(item.stream, target, MAX_FILE, shown_name(name), one)
            sent.update(f"files\0{name}\0{one.hexdigest()}\n".encode())
            files.append((name, target))
    if not files:
        raise InvalidValue("scenario", None, "upload a .zip (field scenario) or the files (field files)",
                           "请上传 .zip 压缩包（字段 scenario）或各个文件（字段 files）")
    prefix = _common_folder([name for name, _ in files])
    for name, data in files:
        parts = PurePosixPath(name.replace("\\", "/")).parts[prefix:]
        if not parts or any(part in ("..", "") or part.startswith("/") for part in parts) or len(parts) > 2:
            raise ImportRowError(shown_name(name), None, None, "a file name with a path outside the scenario",
                                 "文件名中的路径超出了活动目录")
        target = directory.joinpath(*parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        data.replace(target)
    return sent.hexdigest()


def _check_name(name: str) -> None:
    if has_control(name):
        raise UnsafeFileName(file=shown_name(name))


def _unzip(path: Path, file: str, spool: Path) -> list[tuple[str, Path]]:
    """The archive's files, each unpacked to the spool in pieces, after the checks."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ImportRowError("scenario", None, None, "not a .zip archive", "不是 .zip 压缩包") from None
    out: list[tuple[str, Path]] = []
    with archive:
        members = [m for m in checked_members(archive, file, max_members=MAX_FILES, max_unpacked=MAX_UNPACKED)
                   if not m.is_dir()]
        budget = [MAX_UNPACKED]
        for i, member in enumerate(members):
            _check_name(member.filename)
            target = spool / f"member-{i}"
            try:
                unpack_member(archive, member, target, file, budget)
            except ImportRowError:
                raise
            except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, ValueError, RuntimeError) as error:
                raise ImportRowError(file, None, None, f"{shown_name(member.filename)} cannot be unpacked: {error}",
                                     f"其中 {shown_name(member.filename)} 无法解压：{error}") from None
            out.append((member.filename, target))
    return out


def _common_folder(names: list[str]) -> int:
    """How many leading folders all names share (a zip of the directory itself has one)."""
    split = [PurePosixPath(n.replace("\\", "/")).parts for n in names if n]
    if not split or any(len(parts) < 2 for parts in split):
        return 0
    first = split[0][0]
    return 1 if all(parts[0] == first for parts in split) and first not in ("rules",) else 0
