#!/usr/bin/env python3
"""Benchmark: how long the sandbox takes to bring up (and stop) the real MEP it runs for a
MEP KDU: Debian's redis-server on a unix socket plus osm_mec.mep under uvicorn in a thread
(``osm_mec.sandbox.mep_runner.RunningMep``), and the one-off import of the MEP's modules
the first MEP KDU of a process pays. Goal: start < 1 s (the sandbox's time-scale-0 tests
stay fast); stop recorded too (the NS termination waits for it).

    python benchmarks/sandbox_mep_start.py [--repeat 10]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.recorded import record  # noqa: E402

GOAL_S = 1.0
IMPORT = ("import time; t = time.perf_counter(); import osm_mec.mep, uvicorn; "
          "print(time.perf_counter() - t)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    first_import = float(subprocess.run([sys.executable, "-c", IMPORT], check=True,
                                        capture_output=True, text=True).stdout)
    import osm_mec.mep  # noqa: F401  the one-off import is measured above, in a child
    from osm_mec.sandbox.mep_runner import RunningMep

    starts, stops = [], []
    for _ in range(args.repeat):
        began = time.perf_counter()
        mep = RunningMep("benchmark-admin-token").start()
        started = time.perf_counter()
        mep.stop()
        starts.append(started - began)
        stops.append(time.perf_counter() - started)
    result = {"benchmark": "sandbox_mep_start", "date": date.today().isoformat(),
              "machine": f"{platform.machine()} {platform.python_version()}",
              "goal": f"RunningMep start < {GOAL_S} s",
              "results": {"repeat": args.repeat,
                          "start_median_s": round(statistics.median(starts), 4),
                          "start_max_s": round(max(starts), 4),
                          "stop_median_s": round(statistics.median(stops), 4),
                          "stop_max_s": round(max(stops), 4),
                          "first_import_s": round(first_import, 3),
                          "load_average_before": round(load_before, 2),
                          "load_average_after": round(os.getloadavg()[0], 2),
                          "cores": os.cpu_count()},
              "goal_met": max(starts) < GOAL_S}
    record("sandbox_mep_start", result)
    return 0 if result["goal_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
