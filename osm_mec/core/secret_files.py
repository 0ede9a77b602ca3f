"""Files that hold secrets: 0600 from the moment they are created, never written through a
symbolic link, and never overwritten unless the caller says so."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) \
    | getattr(os, "O_CLOEXEC", 0)


def write_secret_file(path: Path, text: str, overwrite: bool = True) -> None:
    """Write text to path, readable and writable by the owner only (0600).

    Without overwrite, FileExistsError when path exists (a dangling symbolic link
    included). With it, the text goes to a fresh 0600 file beside path that then replaces
    path at once: a symbolic link at path is replaced, never followed, and readers see the
    old file or the new one, never half of one.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if not overwrite:
        _create(path, text)
        return
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    _create(temporary, text)
    try:
        os.replace(temporary, path)
    except OSError:
        temporary.unlink(missing_ok=True)
        raise


def _create(path: Path, text: str) -> None:
    """A new file (O_EXCL, O_NOFOLLOW) created 0600, holding text."""
    fd = os.open(path, _NEW_FILE, 0o600)
    try:
        os.fchmod(fd, 0o600)  # whatever the umask
        data = text.encode("utf-8")
        while data:
            data = data[os.write(fd, data):]
    except BaseException:
        os.close(fd)
        path.unlink(missing_ok=True)
        raise
    os.close(fd)
