"""Files the commands read or write for the user: an OSError becomes an error naming the file."""

from __future__ import annotations

import stat
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from ..core.errors import OsmMecError, UsageError

T = TypeVar("T")


def on_files(target: Path, action: Callable[[], T], verb: str = "write", exists: str = "") -> T:
    """Run an action that writes (or reads) target or the files below it. A file that must
    not be replaced is a UsageError (exit 2), any other OSError an OsmMecError (exit 1);
    both name the file."""
    try:
        return action()
    except FileExistsError as exc:
        raise UsageError(f"{exc.filename or target}: exists{exists}; choose another path, or "
                         "--force to replace it") from None
    except OSError as exc:
        raise OsmMecError(f"{exc.filename or target}: cannot {verb}: "
                          f"{exc.strerror or exc}") from None


def read_token(path: Path, what: str = "the admin token") -> str:
    """A token or secret kept in a file (stripped); UsageError naming the file if unreadable."""
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise UsageError(f"{path}: cannot read {what}: {exc.strerror}") from exc


def read_secret(path: Path, what: str) -> str:
    """A bearer token from a file only its owner can read, alone on one line (stricter than
    read_token, whose files may be Kubernetes Secret mounts); UsageError naming the file."""
    try:
        mode = path.stat().st_mode
        text = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise UsageError(f"{path}: cannot read the {what}: {reason}") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise UsageError(f"{path}: holds the {what} but is readable by others (mode "
                         f"{stat.S_IMODE(mode):o}); run: chmod 600 {path}")
    if not text or any(c.isspace() for c in text):
        raise UsageError(f"{path}: expected the {what} alone on one line")
    return text
