"""Decoding a large capture on several cores: this process cuts the file into blocks of
whole records (at a ``Received message`` or, for JSON lines, a line start), worker
processes decode them, and the results come back in file order for pairing. At most
``workers + 1`` blocks are in flight, so memory stays bounded whatever the size."""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from pathlib import Path
from typing import Any, Iterator

from ..core.errors import UsageError
from .capture import MAX_RECORD, START, decoded_block, open_capture

BLOCK = 2 << 20                # characters per block handed to a worker
PARALLEL_MIN = 32 << 20        # smaller files are decoded in this process
MAX_WORKERS = 4


def worker_count() -> int:
    """Worker processes for this machine: its usable cores, at most MAX_WORKERS."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(MAX_WORKERS, cores))


def _cut(text: str) -> int:
    """Where the last record of `text` starts (0: no cut found yet)."""
    if START in text:
        return text.rfind(START)
    return text.rfind("\n{") + 1


def blocks(path: Path, size: int = 0) -> Iterator[tuple[str, int]]:
    """(text, its first line number) of consecutive blocks of whole records."""
    size = size or BLOCK
    carry, line = "", 1
    with open_capture(path) as stream:
        while True:
            try:
                chunk = stream.read(size)
            except UnicodeDecodeError as exc:
                raise UsageError(f"{path}: not UTF-8 text after line {line}: {exc.reason}; "
                                 "give a text capture") from None
            text = carry + chunk
            if not chunk:
                if text:
                    yield text, line
                return
            cut = _cut(text)
            if cut <= 0 and len(text) <= MAX_RECORD + size:
                carry = text  # one record longer than a block: read on
                continue
            cut = cut if cut > 0 else len(text)  # a broken file: the worker names the line
            yield text[:cut], line
            line += text.count("\n", 0, cut)
            carry = text[cut:]


def ns_records(path: Path, workers: int, size: int = 0
               ) -> Iterator[tuple[str, dict[str, Any], int]]:
    """capture.ns_records, with `workers` processes decoding blocks of `size` characters."""
    context = multiprocessing.get_context("spawn")  # lean workers: only the decoder's imports
    with context.Pool(workers) as pool:
        pending: deque[Any] = deque()
        for text, line in blocks(path, size):
            pending.append(pool.apply_async(decoded_block, (path, text, line)))
            if len(pending) > workers:
                yield from pending.popleft().get()
        while pending:
            yield from pending.popleft().get()
