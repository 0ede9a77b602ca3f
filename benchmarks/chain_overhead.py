#!/usr/bin/env python3
"""Benchmark: osm-mec's own overhead on the whole B2B2C chain. Against the embedded sandbox
at time scale 0 (OSM's work takes no time), one process: onboarding, the three NS,
the registrations in the Main and Edge OSM, one scale-out and one scale-in, teardown,
with the Kafka listener and collector running. Wall time and peak RSS of the process.
Goals (issue #6): under 3 s wall, under 150 MB RSS.

And the scale run: 20 CSPs provisioned in parallel (20 threads) against one sandbox at
time scale 0, against one CSP alone. Goal: total under 3 times one CSP.

    python benchmarks/chain_overhead.py [--repeat 3] [--csps 20]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.recorded import record as record_result  # noqa: E402

CHILD = r"""
import json, resource, sys, tempfile, time
from pathlib import Path
from osm_mec.chain.progress import quiet
from osm_mec.chain.run import provision_action, run_many, teardown_action
from osm_mec.chain.scaling import scale
from osm_mec.chain.session import OsmOptions, Session
from osm_mec.chain.teardown import teardown
from osm_mec.offer.profile import default_profile

mode, count = sys.argv[1], int(sys.argv[2])
profile = default_profile()
tmp = Path(tempfile.mkdtemp())
with Session(OsmOptions(time_scale=0, seed=1)) as session:
    if mode == "chain":
        started = time.perf_counter()
        chain = session.chain(profile, "bench", tmp / "state", quiet())
        chain.provision()
        scale(chain, True, 1)
        scale(chain, False, 1)
        teardown(chain)
        chain.close()
        wall = time.perf_counter() - started
    else:
        csps = [f"csp{i}" for i in range(count)]
        started = time.perf_counter()
        results = run_many(session, profile, csps, tmp / "state", tmp / "timings",
                           provision_action, lambda csp: quiet(), parallel=count)
        wall = time.perf_counter() - started
        errors = [r["error"] for r in results if "error" in r]
        assert not errors, errors
        run_many(session, profile, csps, tmp / "state", tmp / "timings", teardown_action,
                 lambda csp: quiet(), parallel=count)
print(json.dumps({"wall_s": wall,
                  "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def child(mode: str, count: int = 1) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", CHILD, mode, str(count)], check=True,
                         capture_output=True, text=True, cwd=HERE.parent)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--csps", type=int, default=20)
    args = parser.parse_args()
    chain = [child("chain") for _ in range(args.repeat)]
    one = [child("parallel", 1) for _ in range(args.repeat)]
    many = [child("parallel", args.csps) for _ in range(args.repeat)]
    median = lambda runs, key: round(statistics.median(r[key] for r in runs), 3)  # noqa: E731
    record = {
        "benchmark": "chain_overhead", "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()} {platform.python_version()}",
        "chain": {"runs": chain, "median_wall_s": median(chain, "wall_s"),
                  "median_max_rss_mb": median(chain, "max_rss_mb"),
                  "goal": "wall < 3 s, RSS < 150 MB"},
        "parallel": {"csps": args.csps, "one_csp_median_s": median(one, "wall_s"),
                     "many_median_s": median(many, "wall_s"),
                     "ratio": round(median(many, "wall_s") / median(one, "wall_s"), 2),
                     "many_max_rss_mb": median(many, "max_rss_mb"),
                     "goal": "ratio < 3"},
    }
    record["goals_met"] = {
        "chain_wall": record["chain"]["median_wall_s"] < 3,
        "chain_rss": record["chain"]["median_max_rss_mb"] < 150,
        "parallel_ratio": record["parallel"]["ratio"] < 3}
    record_result("chain_overhead", record)
    return 0 if all(record["goals_met"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
