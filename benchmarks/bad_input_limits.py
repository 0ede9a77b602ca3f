#!/usr/bin/env python3
"""Benchmark: how fast, and in how much memory, osm-mec refuses resource bombs (issue #13:
a 2.9 MB archive holding a 3 GB file took 23 s and 3 GB RAM; a YAML alias bomb
descriptor 31 s and 970 MB), and what the largest inputs within the limits cost.

Each input is generated in a temporary folder (deleted afterwards) and given to the real
command line in a child process (`osm-mec validate ...` or `osm-mec profile check ...`),
as a user would; the child's wall time and peak RSS (os.wait4) are recorded with its exit
code and the last line it printed. Goal: every bomb refused (exit 1 or 2, no traceback)
within 1 s of the same command on a small valid input (measured beside it: start-up
dominates on a busy machine) and in < 300 MB RSS.

    python benchmarks/bad_input_limits.py [--archive-gib 3]
"""

from __future__ import annotations

import argparse
import io
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
from osm_mec.safe_archive import DEFAULT_LIMITS as ARCHIVE  # noqa: E402
from osm_mec.yamlio import DEFAULT_LIMITS as YAML  # noqa: E402

GOAL_S, GOAL_MB = 1.0, 300.0
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


def run(argv: list[str]) -> dict[str, Any]:
    """Run osm-mec in a child; its wall time, peak RSS, exit code and last output line."""
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", "from osm_mec.cli import main; main()",
                              *argv], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output = child.stdout.read().decode("utf-8", "replace") if child.stdout else ""
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    lines = [line for line in output.splitlines() if line.strip()]
    findings = [line for line in lines if "error(s)" not in line]
    return {"exit": child.returncode, "wall_s": round(wall, 2),
            "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
            "traceback": "Traceback" in output,
            "message": (findings or lines or [""])[-1][:300]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive-gib", type=float, default=3.0,
                        help="Uncompressed size of the archive bomb's one file.")
    args = parser.parse_args()
    results: dict[str, dict[str, Any]] = {}
    bombs: dict[str, str] = {}  # bomb -> the baseline it is compared with
    with tempfile.TemporaryDirectory(prefix="bad-input-limits-") as tmp:
        folder = Path(tmp)
        small = folder / "small.yaml"
        small.write_text("workers: {max: 3}\n")
        base = {"validate": "baseline: validate of a small YAML file",
                "profile": "baseline: profile check of a small profile"}
        results[base["validate"]] = run(["validate", str(small)])
        results[base["profile"]] = run(["profile", "check", str(small)])

        bomb = folder / "bomb.tar.gz"
        started = time.perf_counter()
        size = one_member_archive(bomb, int(args.archive_gib * 2**30))
        print(f"archive bomb: {bomb.stat().st_size / 2**20:.1f} MiB holding "
              f"{size / 2**30:.2f} GiB, written in {time.perf_counter() - started:.0f} s",
              file=sys.stderr)
        name = (f"archive bomb: {bomb.stat().st_size / 2**20:.1f} MiB tar.gz holding one "
                f"{args.archive_gib:g} GiB file (validate)")
        results[name] = run(["validate", str(bomb)])
        bombs[name] = base["validate"]

        pax = folder / "pax.tar.gz"
        pax_bomb(pax, 1 * 2**30)
        name = (f"pax header bomb: {pax.stat().st_size / 2**20:.1f} MiB tar.gz, a 1 GiB "
                "extended header (validate)")
        results[name] = run(["validate", str(pax)])
        bombs[name] = base["validate"]

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
                bombs[name] = base[command.split()[0]]

        deep = folder / "deep.yaml"
        deep.write_text("a: " + "[" * 1_000_000 + "]" * 1_000_000 + "\n")
        name = "YAML nested 1,000,000 deep: profile check"
        results[name] = run(["profile", "check", str(deep)])
        bombs[name] = base["profile"]

        flat = folder / "flat.yaml"
        flat.write_text("[" + "1," * (YAML.max_bytes // 2 - 2) + "1]\n")
        name = (f"flat YAML list at the size limit ({flat.stat().st_size / 2**20:.0f} MiB, "
                "8M nodes): validate")
        results[name] = run(["validate", str(flat)])
        bombs[name] = base["validate"]

        huge = folder / "huge.yaml"
        with huge.open("wb") as out:
            out.truncate(2 * 2**30)  # 2 GiB (sparse)
        name = "2 GiB descriptor file: validate"
        results[name] = run(["validate", str(huge)])
        bombs[name] = base["validate"]

    for name, baseline in bombs.items():
        extra = results[name]["wall_s"] - results[baseline]["wall_s"]
        results[name]["beyond_baseline_s"] = round(extra, 2)
        results[name]["goal_met"] = (results[name]["exit"] in (1, 2)
                                     and not results[name]["traceback"] and extra < GOAL_S
                                     and results[name]["peak_rss_mb"] < GOAL_MB)
    met = all(results[name]["goal_met"] for name in bombs)
    result = {
        "benchmark": "bad_input_limits",
        "date": date.today().isoformat(),
        "machine": f"{platform.machine()} {platform.python_version()}, {os.cpu_count()} cores",
        "goal": f"every bomb refused (exit 1 or 2, no traceback) within {GOAL_S:g} s of its "
                f"baseline and in < {GOAL_MB:g} MB RSS (the child process's whole life)",
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
