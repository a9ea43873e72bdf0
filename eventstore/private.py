"""Files only their owner may read: the keys' directory (0700), the key files and the
SQLite database files (0600).

A new SQLite database file is created here, empty and mode 0600, before SQLite first
opens it (:func:`create_private_file`): SQLite gives its ``-wal``, ``-shm`` and
``-journal`` files the main file's permissions, so they are 0600 too.  Without this the
process umask decides (typically 0644), and any local user could copy the database,
with its password hashes.  :func:`tighten_sqlite` brings an existing database (and its
companion files) down to 0600; ``leitai db upgrade`` runs it.
"""

from __future__ import annotations

import os
from pathlib import Path

FILE_MODE = 0o600
DIRECTORY_MODE = 0o700
SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")


def create_private_file(path: Path) -> bool:
    """Create ``path`` empty with mode 0600 if it does not exist; True if this call created it."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return False
    os.close(descriptor)
    return True


def private_directory(path: Path) -> Path:
    """``path``, created (with any missing parents) if need be; a directory created here is 0700."""
    path.mkdir(mode=DIRECTORY_MODE, parents=True, exist_ok=True)
    return path


def readable_by_others(path: Path) -> bool:
    """Does the group or anyone else have any right on ``path``?"""
    return bool(path.stat().st_mode & 0o077)


def tighten(path: Path, mode: int = FILE_MODE) -> bool:
    """Set ``path`` to ``mode`` if its group or others have any right on it; True if it changed.
    A file that does not exist is left alone."""
    try:
        if not readable_by_others(path):
            return False
    except FileNotFoundError:
        return False
    os.chmod(path, mode)
    return True


def tighten_sqlite(database: str | Path) -> list[Path]:
    """The database file and its -wal/-shm/-journal brought to 0600; the ones changed."""
    return [Path(f"{database}{suffix}") for suffix in SQLITE_COMPANIONS if tighten(Path(f"{database}{suffix}"))]
