#!/usr/bin/env python3
"""Benchmark: `osm-mec timings import` of a 1 GB consumer capture (the paper's layout:
each record's YAML wrapped over several indented lines, records starting on the line
where the previous one ended, noise records between requests and completions).

The capture is generated in a temporary folder (deleted afterwards): a block of bench
iterations written by tests/timings/captures.py, repeated with fresh op/NS ids and
shifted timestamps until the size is reached. The import runs as the user would run it,
`osm-mec timings import` in a child process; wall time, CPU time (the child's and its
decoding workers'), the largest process's peak RSS and the peak of their summed RSS are
measured (with the machine's load average: on a shared machine wall time is CPU time
stretched by the load), and every operation must be paired. Goal (issue #13): < 60 s,
< 200 MB RSS.

    python benchmarks/timings_import.py [--size-mb 1024] [--block-iterations 100]
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.recorded import record as record_result  # noqa: E402
from tests.timings.captures import CaptureWriter  # noqa: E402

GOAL_S, GOAL_MB = 60.0, 200.0
# a v4 uuid's last group, or a record's timestamp: what differs from one copy to the next
VARYING = re.compile(r"(?<=-)(?P<id>[0-9a-f]{12})\b|(?<=with timestamp )(?P<ts>\d+)")


def block(iterations: int) -> tuple[str, int, int]:
    """(text, operations, span in ms) of `iterations` bench iterations."""
    out = io.StringIO()
    writer = CaptureWriter(out, "consumer", seed=13)
    start = at = 1_660_917_225_536
    for _ in range(iterations):
        at = writer.iteration(at, scale_pairs=1)
    return out.getvalue(), len(writer.expected), at - start


def write_capture(path: Path, size: int, iterations: int) -> tuple[int, int]:
    """Write copies of one block until `size` bytes; (bytes, operations) written."""
    text, operations, span = block(iterations)
    written = copies = 0
    with path.open("w") as out:
        while written < size:
            def vary(match: re.Match[str], copy: int = copies) -> str:
                if match["id"]:
                    return f"{copy:06x}{match['id'][6:]}"
                return str(int(match["ts"]) + copy * span)
            chunk = VARYING.sub(vary, text)
            out.write(chunk)
            written += len(chunk)
            copies += 1
    return written, operations * copies


def _status_kb(path: Path, field: str) -> int:
    return next(int(line.split()[1]) for line in path.read_text().splitlines()
                if line.startswith(field))


def tree_memory_mb(pid: int) -> tuple[float, float]:
    """(summed RSS, summed PSS) of a process and all its descendants (Linux /proc), MB.
    RSS counts the pages they share (libpython, libyaml, ...) once per process; PSS
    splits shared pages between the processes that share them."""
    rss_kb = pss_kb = 0
    stack = [pid]
    while stack:
        current = stack.pop()
        try:
            rss_kb += _status_kb(Path(f"/proc/{current}/status"), "VmRSS:")
            pss_kb += _status_kb(Path(f"/proc/{current}/smaps_rollup"), "Pss:")
            children = Path(f"/proc/{current}/task/{current}/children").read_text()
            stack += [int(child) for child in children.split()]
        except (OSError, StopIteration, ValueError):
            continue
    return rss_kb / 1024, pss_kb / 1024


def run_import(capture: Path, out: Path
               ) -> tuple[subprocess.CompletedProcess[str], tuple[float, float]]:
    """`osm-mec timings import` in a child process; its result and the peaks of the summed
    RSS and PSS of it and its worker processes, sampled every 0.2 s."""
    log = out / "import.log"
    with log.open("w") as sink:
        child = subprocess.Popen([sys.executable, "-c", "from osm_mec.cli import main; main()",
                                  "timings", "import", str(capture), "--out", str(out)],
                                 stdout=sink, stderr=subprocess.STDOUT, text=True)
        peak = (0.0, 0.0)
        while child.poll() is None:
            peak = tuple(map(max, peak, tree_memory_mb(child.pid)))  # type: ignore[assignment]
            time.sleep(0.2)
    return subprocess.CompletedProcess(child.args, child.returncode, log.read_text(), ""), peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--block-iterations", type=int, default=100)
    parser.add_argument("--capture", type=Path, help="import this capture written by an "
                        "earlier run (kept) instead of generating one; needs --operations")
    parser.add_argument("--operations", type=int, help="operations in --capture")
    args = parser.parse_args()
    if args.capture and not args.operations:
        parser.error("--capture needs --operations")
    with tempfile.TemporaryDirectory(prefix="timings-import-") as tmp:
        capture = args.capture or Path(tmp) / "capture.txt"
        started = time.perf_counter()
        if args.capture:
            size, operations = capture.stat().st_size, args.operations
        else:
            size, operations = write_capture(capture, args.size_mb << 20,
                                             args.block_iterations)
        generated_s = time.perf_counter() - started
        print(f"capture: {size / 2**20:.0f} MiB, {operations} operations, generated in "
              f"{generated_s:.1f} s", file=sys.stderr)
        load_before = os.getloadavg()[0]
        started = time.perf_counter()
        run, (rss_sum_mb, pss_sum_mb) = run_import(capture, Path(tmp))
        wall_s = time.perf_counter() - started
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        peak_mb, cpu_s = usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime
        if run.returncode != 0:
            sys.exit(f"import failed ({run.returncode}): {run.stdout[-2000:]}")
        paired = int(re.search(r"(\d+) operation\(s\) paired", run.stdout)[1])
        lines = sum(1 for _ in (Path(tmp) / f"{capture.stem}.jsonl").open())
    result = {
        "benchmark": "timings_import",
        "date": date.today().isoformat(),
        "machine": f"{platform.machine()} {platform.python_version()}",
        "goal": f"1 GB consumer capture imported in < {GOAL_S:.0f} s with < {GOAL_MB:.0f} MB "
                "RSS",
        "results": {"capture_mib": round(size / 2**20, 1), "operations": operations,
                    "paired": paired, "jsonl_lines": lines, "wall_s": round(wall_s, 2),
                    "mib_per_s": round(size / 2**20 / wall_s, 1),
                    "cpu_s": round(cpu_s, 2), "peak_rss_mb": round(peak_mb, 1),
                    "peak_rss_sum_mb": round(rss_sum_mb, 1),
                    "peak_pss_sum_mb": round(pss_sum_mb, 1),
                    "generation_s": round(generated_s, 1),
                    "load_average_before": round(load_before, 2),
                    "load_average_after": round(os.getloadavg()[0], 2), "cores": os.cpu_count()},
        "goal_met": size >= 10**9 and wall_s < GOAL_S
        and max(peak_mb, pss_sum_mb) < GOAL_MB and paired == operations == lines,
    }
    record_result("timings_import", result)
    sys.exit(0 if result["goal_met"] else 1)


if __name__ == "__main__":
    main()
