"""Files that hold secrets: created 0600 before anything is written to them."""

from __future__ import annotations

import os
from pathlib import Path


def write_secret_file(path: Path, text: str) -> None:
    """Write text to path, readable and writable by the owner only (0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, text.encode("utf-8"))
    finally:
        os.close(fd)
