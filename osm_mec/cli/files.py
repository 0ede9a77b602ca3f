"""Files the commands read or write for the user: an OSError becomes an error naming the file."""

from __future__ import annotations

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
