#!/usr/bin/env python3
"""Benchmark: how fast, and in how much memory, osm-mec refuses resource bombs (issue #13:
a 2.9 MB archive holding a 3 GB file took 23 s and 3 GB RAM; a YAML alias bomb
descriptor 31 s and 970 MB), and what the largest inputs within the limits cost.

Each input is generated in a temporary folder (deleted afterwards) and given to the real
command line in a child process (`osm-mec validate ...` or `osm-mec profile check ...`),
as a user would; the child's wall time and peak RSS (os.wait4) are recorded with its exit
code and the last line it printed; inside the child, the command's own CPU and wall time
(after start-up and imports). Goal: every bomb refused (exit 1 or 2, no traceback) in
< 0.5 s of the command's CPU time and < 300 MB peak RSS. (CPU time, because the shared
machine's load makes wall times swing; both are recorded.)

    python benchmarks/bad_input_limits.py [--archive-gib 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tarfile
import tempfile
import time
import zlib
from datetime import date
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.recorded import record as record_result  # noqa: E402
from osm_mec.core.safe_archive import DEFAULT_LIMITS as ARCHIVE  # noqa: E402
from osm_mec.core.yamlio import DEFAULT_LIMITS as YAML  # noqa: E402

GOAL_S, GOAL_MB = 0.5, 300.0
CHUNK = 16 * 2**20


def gzip_stream(path: Path, parts: Callable[[], list[tuple[bytes, int]]]) -> int:
    """Write a gzip file of the given parts ((bytes, repeat count) each), compressed as
    it goes; returns the uncompressed size."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: gzip framing
    total = 0
    with path.open("wb") as out:
        for data, repeat in parts():
            for _ in range(repeat):
                out.write(compressor.compress(data))
                total += len(data)
        out.write(compressor.flush())
    return total


def zeros(size: int) -> list[tuple[bytes, int]]:
    full, rest = divmod(size, CHUNK)
    return [(bytes(CHUNK), full), (bytes(rest), 1)]


def one_member_archive(path: Path, size: int, name: str = "pkg/huge.bin") -> int:
    """A tar.gz whose one member holds `size` zero bytes: the classic decompression bomb."""
    info = tarfile.TarInfo(name)
    info.size = size
    padding = (-size) % 512
    return gzip_stream(path, lambda: [(info.tobuf(format=tarfile.GNU_FORMAT), 1),
                                      *zeros(size), (bytes(padding + 1024), 1)])


def pax_bomb(path: Path, size: int) -> int:
    """A tar.gz starting with a pax extended header of `size` bytes (tarfile reads such a
    header whole, before any member limit can look at it)."""
    info = tarfile.TarInfo("././@PaxHeader")
    info.type, info.size = tarfile.XHDTYPE, size
    record = b"%d comment=" % size  # one long record (its length prefix is wrong: never read)
    body = [(record, 1), *zeros(size - len(record))]
    return gzip_stream(path, lambda: [(info.tobuf(format=tarfile.USTAR_FORMAT), 1), *body,
                                      (bytes((-size) % 512 + 1024), 1)])


def alias_bomb(levels: int) -> str:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


CHILD = """
import json, sys, time
import osm_mec.offer.validation, osm_mec.offer.profile  # imported before the clock starts
from osm_mec.cli import cli
cpu, wall = time.process_time(), time.perf_counter()
try:
    cli.main(args=sys.argv[1:], prog_name="osm-mec")
except SystemExit as exit:
    code = exit.code
cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
print("BENCH " + json.dumps({"cpu": cpu, "wall": wall, "code": code}), file=sys.stderr)
"""


def run(argv: list[str]) -> dict[str, Any]:
    """Run osm-mec in a child: the command's own CPU and wall time (start-up and imports
    excluded), the child's whole wall time and peak RSS, its exit code and last line."""
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", CHILD, *argv], stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT)
    output = child.stdout.read().decode("utf-8", "replace") if child.stdout else ""
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    lines = [line for line in output.splitlines() if line.strip()]
    timing = json.loads(next(line for line in lines if line.startswith("BENCH "))[6:])
    shown = [line for line in lines if not line.startswith("BENCH ")
             and "error(s)" not in line]
    return {"exit": timing["code"], "command_cpu_s": round(timing["cpu"], 3),
            "command_wall_s": round(timing["wall"], 3), "process_wall_s": round(wall, 2),
            "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
            "traceback": "Traceback" in output, "message": (shown or [""])[-1][:300]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive-gib", type=float, default=3.0,
                        help="Uncompressed size of the archive bomb's one file.")
    args = parser.parse_args()
    results: dict[str, dict[str, Any]] = {}
    bombs: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bad-input-limits-") as tmp:
        folder = Path(tmp)
        small = folder / "small.yaml"
        small.write_text("workers: {max: 3}\n")
        results["baseline: validate of a small YAML file"] = run(["validate", str(small)])
        results["baseline: profile check of a small profile"] = run(
            ["profile", "check", str(small)])

        bomb = folder / "bomb.tar.gz"
        started = time.perf_counter()
        size = one_member_archive(bomb, int(args.archive_gib * 2**30))
        print(f"archive bomb: {bomb.stat().st_size / 2**20:.1f} MiB holding "
              f"{size / 2**30:.2f} GiB, written in {time.perf_counter() - started:.0f} s",
              file=sys.stderr)
        name = (f"archive bomb: {bomb.stat().st_size / 2**20:.1f} MiB tar.gz holding one "
                f"{args.archive_gib:g} GiB file (validate)")
        results[name] = run(["validate", str(bomb)])
        bombs.append(name)

        pax = folder / "pax.tar.gz"
        pax_bomb(pax, 1 * 2**30)
        name = (f"pax header bomb: {pax.stat().st_size / 2**20:.1f} MiB tar.gz, a 1 GiB "
                "extended header (validate)")
        results[name] = run(["validate", str(pax)])
        bombs.append(name)

        within = folder / "within.tar.gz"
        one_member_archive(within, ARCHIVE.max_total_bytes - 2**20)
        results[f"within limits: one {ARCHIVE.max_total_bytes // 2**20 - 1} MiB file "
                "(validate; read, then refused as a package without descriptor)"] = run(
                    ["validate", str(within)])

        for levels in (9, 10):
            text = alias_bomb(levels)
            for command, file in (("validate", "vnfd.yaml"), ("profile check", "p.yaml")):
                path = folder / f"{levels}-{file}"
                path.write_text(text)
                name = (f"YAML alias bomb, {levels} levels ({len(text)} bytes, 9^{levels} "
                        f"nodes expanded): {command}")
                results[name] = run([*command.split(), str(path)])
                bombs.append(name)

        deep = folder / "deep.yaml"
        deep.write_text("a: " + "[" * 1_000_000 + "]" * 1_000_000 + "\n")
        name = "YAML nested 1,000,000 deep: profile check"
        results[name] = run(["profile", "check", str(deep)])
        bombs.append(name)

        flat = folder / "flat.yaml"
        flat.write_text("[" + "1," * (YAML.max_bytes // 2 - 2) + "1]\n")
        results[f"within limits: a flat YAML list of {flat.stat().st_size / 2**20:.0f} MiB "
                "(8M items; refused at the node limit): validate"] = run(
                    ["validate", str(flat)])

        huge = folder / "huge.yaml"
        with huge.open("wb") as out:
            out.truncate(2 * 2**30)  # 2 GiB (sparse)
        name = "2 GiB descriptor file: validate"
        results[name] = run(["validate", str(huge)])
        bombs.append(name)

    for name in bombs:
        results[name]["goal_met"] = (results[name]["exit"] in (1, 2)
                                     and not results[name]["traceback"]
                                     and results[name]["command_cpu_s"] < GOAL_S
                                     and results[name]["peak_rss_mb"] < GOAL_MB)
    met = all(results[name]["goal_met"] for name in bombs)
    result = {
        "benchmark": "bad_input_limits",
        "date": date.today().isoformat(),
        "machine": f"{platform.machine()} {platform.python_version()}, {os.cpu_count()} cores",
        "goal": f"every bomb refused (exit 1 or 2, no traceback) in < {GOAL_S:g} s of the "
                f"command's CPU time and < {GOAL_MB:g} MB peak RSS of the whole process",
        "load_average": os.getloadavg(),
        "limits": {"archive_uncompressed_bytes": ARCHIVE.max_total_bytes,
                   "archive_members": ARCHIVE.max_members, "yaml_bytes": YAML.max_bytes,
                   "yaml_depth": YAML.max_depth, "yaml_aliases": YAML.max_aliases,
                   "yaml_nodes_expanded": YAML.max_nodes},
        "results": results,
        "goal_met": met,
    }
    record_result("bad_input_limits", result)
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
