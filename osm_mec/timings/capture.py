"""Import of existing Kafka captures, streamed (memory bounded by the longest record and
the operations still unpaired, never by the file's size): the file is cut into blocks
of whole records, decoded by the fast path (blockscan, fastflow) or, for anything it
does not read, the reference reader (rawcapture, flowyaml), in worker processes for a
large file, and paired in file order (records.Pairer)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.errors import OsmMecError
from . import parallel
from .blockscan import Paired, blocks, decoded_records
from .rawcapture import RawRecord, iter_capture
from .records import Pairer, write_timings

__all__ = ["Imported", "RawRecord", "import_capture", "iter_capture", "ns_records"]


def ns_records(path: Path) -> Iterator[Paired]:
    """(key, op id, NS id, operation or state, NS name, timestamp ms) of the records of
    topic ``ns`` that pairing uses (records.pairing_fields), in file order: decoded by worker processes for a large file on a
    machine with several cores, in this process otherwise."""
    workers = parallel.worker_count()
    if workers > 1 and path.stat().st_size >= parallel.PARALLEL_MIN:
        yield from parallel.ns_records(path, workers)
        return
    for data, line in blocks(path):
        yield from decoded_records(path, data, line)


@dataclass
class Imported:
    """What an import found: operations paired (written to the target), records left
    unpaired (reported, never guessed) and repeated records (counted once)."""

    paired: int
    unpaired_requests: list[dict[str, Any]]
    unpaired_completions: list[dict[str, Any]]
    duplicates: int


def import_capture(path: Path, target: Path, osm: str = "main") -> Imported:
    """Pair the capture's operations into `target` (JSON lines, in completion order),
    which is replaced only once the whole capture was read."""
    pairer = Pairer(osm)
    partial = target.with_name(target.name + ".part")
    paired = 0
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with partial.open("w") as out:
            for record in ns_records(path):
                timing = pairer.take_fields(*record)
                if timing is not None:
                    write_timings(out, [timing])
                    paired += 1
        os.replace(partial, target)
    except OSError as exc:
        raise OsmMecError(f"{target}: cannot write the timings: {exc.strerror}") from exc
    finally:
        partial.unlink(missing_ok=True)
    return Imported(paired, pairer.unpaired_requests(), pairer.unpaired_completions(),
                    pairer.duplicates)
