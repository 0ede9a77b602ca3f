"""Hand-made tar.gz archives for the tests that feed broken packages to validators."""

from __future__ import annotations

import io
import tarfile


def tar_gz(entries: dict[str, bytes]) -> bytes:
    """A gzip'd tar with one regular file per entry, in the given order."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w:gz") as tar:
        for name, data in entries.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return raw.getvalue()
