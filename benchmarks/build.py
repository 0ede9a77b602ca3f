#!/usr/bin/env python3
"""Benchmark: build and validate every package of the default profile, then of N
generated CSP profiles, in one process. Records the figures in benchmarks/results/.

Goals (issue #2): under 1 s for the default profile; time linear in the number of profiles.

    python benchmarks/build.py [--profiles 100] [--repeat 5]
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from osm_mec.offer.packages import build
from osm_mec.offer.profile import Profile, default_profile, validate_profile_data
from osm_mec.offer.validation import has_errors, validate_paths

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.recorded import record as record_result  # noqa: E402


def csp_profile(index: int, rng: random.Random) -> Profile:
    """A plausible CSP offer: its own prefix, model, flavours, worker bounds, CNI."""
    low = rng.randint(0, 2)
    return validate_profile_data({
        "name_prefix": f"csp{index:03d}",
        "model": rng.choice(["b2b2c", "b2c"]),
        "flavours": {"worker": {"vcpu": rng.choice([2, 4, 8]),
                                "ram_gib": rng.choice([4, 8, 16])}},
        "workers": {"min": low, "initial": low + rng.randint(0, 2),
                    "max": low + rng.randint(3, 20)},
        "cluster": {"cni": rng.choice(["flannel", "calico"]),
                    "kubernetes_version": rng.choice(["1.29", "1.30", "1.31"])},
        "mep": {"service_type": rng.choice(["NodePort", "ClusterIP"])},
    }, f"csp{index:03d}")


def build_and_validate(profile: Profile, out: Path) -> None:
    build(profile, out)
    findings = validate_paths(sorted(p for p in out.iterdir()))
    if has_errors(findings):
        raise SystemExit("\n".join(f.line() for f in findings))


def timed(profiles: list[Profile], root: Path) -> float:
    start = time.perf_counter()
    for i, prof in enumerate(profiles):
        build_and_validate(prof, root / f"p{i}")
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rng = random.Random(2)
    csps = [csp_profile(i, rng) for i in range(args.profiles)]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        timed([default_profile()], root / "warm-up")  # imports, Helm library load
        default_runs = [timed([default_profile()], root / f"d{r}") for r in range(args.repeat)]
        sizes = sorted({max(1, args.profiles // 10), args.profiles // 2, args.profiles})
        scaling = {n: timed(csps[:n], root / f"n{n}") for n in sizes}
    per_profile = {n: t / n for n, t in scaling.items()}
    smallest, largest = sizes[0], sizes[-1]
    linearity = per_profile[largest] / per_profile[smallest]
    result = {
        "benchmark": "build+validate every package",
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "default_profile_seconds": {"median": statistics.median(default_runs),
                                    "min": min(default_runs), "runs": default_runs},
        "csp_profiles_seconds": {str(n): t for n, t in scaling.items()},
        "seconds_per_profile": {str(n): t for n, t in per_profile.items()},
        "per_profile_ratio_largest_to_smallest": linearity,
        "goals": {"default_under_1s": statistics.median(default_runs) < 1.0,
                  "linear_within_25pct": 0.75 <= linearity <= 1.25},
    }
    record_result("build", result)
    return 0 if all(result["goals"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
