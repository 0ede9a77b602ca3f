"""Decoding a large capture on several cores: this process cuts the file into blocks of
whole records (blockscan.blocks), worker processes decode them, and the results come
back in file order for pairing. At most ``workers + 1`` blocks are in flight, so memory
stays bounded whatever the size."""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .blockscan import Paired, blocks, decoded_records

PARALLEL_MIN = 32 << 20        # smaller files are decoded in this process
MAX_WORKERS = 4

__all__ = ["PARALLEL_MIN", "blocks", "ns_records", "worker_count"]


def worker_count() -> int:
    """Worker processes for this machine: its usable cores, at most MAX_WORKERS."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(MAX_WORKERS, cores))


def ns_records(path: Path, workers: int, size: int = 0) -> Iterator[Paired]:
    """capture.ns_records, with `workers` processes decoding blocks of `size` bytes."""
    context = multiprocessing.get_context("spawn")  # lean workers: only the decoder's imports
    with context.Pool(workers) as pool:
        pending: deque[Any] = deque()
        for data, line in blocks(path, size):
            pending.append(pool.apply_async(decoded_records, (path, data, line)))
            if len(pending) > workers:
                yield from pending.popleft().get()
        while pending:
            yield from pending.popleft().get()
