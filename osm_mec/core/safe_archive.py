"""Reading tar archives (gzip, bzip2, xz or plain) that someone else made, safely: members
are streamed in chunks, never whole; the uncompressed size and the member count are
limited (checked against each member's header before its data is read, so a small archive
declaring a huge file is refused at once); names that would escape the folder are
reported; a truncated or corrupt archive gives ArchiveError saying "corrupt archive" and
naming the file, never a traceback."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import tarfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import BinaryIO

from .errors import UsageError

CHUNK = 64 * 1024
# a pax extended header or a GNU long name: tarfile reads it whole, so it is limited first
MAX_METADATA_BYTES = 2**20
_METADATA_TYPES = (tarfile.XHDTYPE, tarfile.XGLTYPE, tarfile.SOLARIS_XHDTYPE,
                   tarfile.GNUTYPE_LONGNAME, tarfile.GNUTYPE_LONGLINK)
# what each member costs besides its data: its 512-byte header and the padding of its data
_HEADER_ALLOWANCE = 1024


class ArchiveError(UsageError):
    """An archive that cannot be read safely: corrupt, truncated or over a limit."""


@dataclass(frozen=True)
class ArchiveLimits:
    """What one archive may hold."""

    max_total_bytes: int = 64 * 2**20    # all members' data, uncompressed
    max_members: int = 10_000            # headers: files, folders, links...


DEFAULT_LIMITS = ArchiveLimits()


@dataclass
class ArchiveMember:
    """One member of an archive being read. Read its data (``chunks``/``read``) before
    asking for the next member: the archive is a stream."""

    info: tarfile.TarInfo
    _tar: tarfile.TarFile
    _label: str

    @property
    def name(self) -> str:
        return self.info.name

    def chunks(self) -> Iterator[bytes]:
        """The member's data in chunks of at most CHUNK bytes (nothing unless a file)."""
        if not self.info.isfile():
            return
        with reading(self._label):
            stream = self._tar.extractfile(self.info)
            while stream is not None and (chunk := stream.read(CHUNK)):
                yield chunk

    def read(self) -> bytes:
        """The member's whole data (its size was checked against the limits already)."""
        data = io.BytesIO()
        for chunk in self.chunks():
            data.write(chunk)
        return data.getvalue()  # no copy: the buffer becomes the bytes


class _MetadataTooLarge(Exception):
    def __init__(self, info: tarfile.TarInfo) -> None:
        super().__init__(f"a {info.size}-byte extended header (pax or long name) before "
                         f"{info.name!r}, more than {MAX_METADATA_BYTES}")


class _LimitedTarInfo(tarfile.TarInfo):
    """TarInfo that refuses an oversized pax header or long name before tarfile reads it
    into memory whole."""

    def _proc_member(self, tarfile_: tarfile.TarFile) -> tarfile.TarInfo:
        if self.type in _METADATA_TYPES and self.size > MAX_METADATA_BYTES:
            raise _MetadataTooLarge(self)
        info: tarfile.TarInfo = super()._proc_member(tarfile_)  # type: ignore[misc]
        return info


def unsafe_name(name: str) -> bool:
    """True when a member's name is absolute or goes up with '..' (path traversal)."""
    path = PurePosixPath(name)
    return path.is_absolute() or ".." in path.parts or name.startswith("\\") \
        or ".." in name.split("\\")


class _Bounded:
    """A read-only stream that refuses to deliver more than `limit` bytes in total, so
    that nothing (not even tarfile's own header reading) decompresses without bound."""

    def __init__(self, stream: BinaryIO, limit: int, label: str) -> None:
        self.stream, self.limit, self.label, self.count = stream, limit, label, 0

    def read(self, size: int = -1) -> bytes:
        allowed = self.limit - self.count + 1
        data = self.stream.read(allowed if size is None or size < 0 else min(size, allowed))
        self.count += len(data)
        if self.count > self.limit:
            raise ArchiveError(f"{self.label}: more than {self.limit} bytes once "
                               "uncompressed; refused (a decompression bomb?)")
        return data


def _decompressed(stream: BinaryIO) -> BinaryIO:
    """The stream seen through its compression (sniffed from the magic bytes)."""
    head = stream.read(6)
    stream.seek(-len(head), 1)
    if head.startswith(b"\x1f\x8b"):
        return gzip.GzipFile(fileobj=stream, mode="rb")  # type: ignore[return-value]
    if head.startswith(b"BZh"):
        return bz2.BZ2File(stream)  # type: ignore[return-value]
    if head.startswith(b"\xfd7zXZ\x00"):
        return lzma.LZMAFile(stream)  # type: ignore[return-value]
    return stream


def corrupt(label: str, exc: BaseException) -> ArchiveError:
    """The error for an archive whose compression or tar structure is broken."""
    detail = str(exc) or type(exc).__name__
    if isinstance(exc, EOFError) or "unexpected end of data" in detail:
        detail = f"truncated: {detail}"
    return ArchiveError(f"{label}: corrupt archive ({detail}); download or build it again")


def iter_members(stream: BinaryIO, label: str,
                 limits: ArchiveLimits = DEFAULT_LIMITS) -> Iterator[ArchiveMember]:
    """The members of the tar archive in stream (seekable, e.g. an open file or BytesIO),
    in order; ArchiveError naming label when it is corrupt, truncated or over a limit.
    The compressed stream is read to its end, so its checksum is verified too."""
    budget = limits.max_total_bytes + _HEADER_ALLOWANCE * (limits.max_members + 2)
    with reading(label):
        data = _decompressed(stream)
        bounded = _Bounded(data, budget, label)
        try:
            tar = tarfile.open(fileobj=bounded, mode="r|",  # type: ignore[call-overload]  # noqa: SIM115 - closed by `with tar:` below
                               tarinfo=_LimitedTarInfo)
        except tarfile.ReadError as exc:
            if data is not stream:
                raise
            raise ArchiveError(f"{label}: not a readable tar archive (not compressed with "
                               f"gzip, bzip2 or xz, and not a tar: {exc})") from None
        with tar:
            total = 0
            for members, info in enumerate(tar, 1):
                total += max(info.size, 0)
                _check_limits(label, limits, members, total, info)
                yield ArchiveMember(info, tar, label)
        while bounded.read(CHUNK):  # the rest: gzip's CRC and length come at the end
            pass


@contextmanager
def reading(label: str) -> Iterator[None]:
    """Turn what a broken compressed stream or tar structure raises into "corrupt
    archive" (ArchiveError naming label)."""
    try:
        yield
    except ArchiveError:
        raise
    except _MetadataTooLarge as exc:
        raise ArchiveError(f"{label}: {exc}; refused") from None
    except (tarfile.TarError, OSError, EOFError, zlib.error, lzma.LZMAError,
            ValueError) as exc:
        raise corrupt(label, exc) from None


def _check_limits(label: str, limits: ArchiveLimits, members: int, total: int,
                  info: tarfile.TarInfo) -> None:
    if members > limits.max_members:
        raise ArchiveError(f"{label}: more than {limits.max_members} members; refused")
    if total > limits.max_total_bytes:
        raise ArchiveError(f"{label}: {info.name} takes the archive over "
                           f"{limits.max_total_bytes} bytes uncompressed ({info.size} bytes "
                           "in that member); refused (a decompression bomb?)")
