#!/usr/bin/env python3
"""Benchmark: what the MEC 010-2 facade adds to an instantiate request. Side by side
against one Edge OSM (the embedded sandbox at time scale 0, in this process): the facade's
`POST /app_lcm/v1/app_instances/{id}/instantiate` (answered 202 once OSM accepted the NS:
the facade's checks, its SQLite writes, the STARTING/PROCESSING records, then OSM's
`POST /nslcm/v1/ns_instances_content`) and the same NS creation sent to the NBI directly
with our NbiClient. The facade runs as `osm-mec meo serve` in a process of its own (one
uvicorn worker, polling OSM: no Kafka). Samples alternate direct / facade; every NS is
terminated between samples (not timed). Goal (issue 15): p95 added latency < 50 ms.

    python benchmarks/meo_overhead.py [--samples 60] [--warmup 5]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.recorded import record as record_result  # noqa: E402
from osm_mec.appd import appd_from_data, ns_config, package_ids  # noqa: E402
from osm_mec.core.secret_files import write_secret_file  # noqa: E402
from osm_mec.osm.nbi import NbiClient  # noqa: E402
from tests.meo.servers import EDGE_VIM, edge_osm, sample_package  # noqa: E402
from tests.net import free_port, wait_port  # noqa: E402

GOAL_MS = 50.0
TOKEN = "bench-token"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summary(values: list[float]) -> dict[str, float]:
    return {"n": len(values), "mean_ms": round(statistics.mean(values), 2),
            "p50_ms": round(percentile(values, 0.5), 2),
            "p95_ms": round(percentile(values, 0.95), 2), "max_ms": round(max(values), 2)}


def start_facade(edge_url: str, credentials: dict[str, str], folder: Path) -> tuple[
        subprocess.Popen[bytes], str]:
    write_secret_file(folder / "edge.yaml", yaml.safe_dump(credentials))
    write_secret_file(folder / "token", TOKEN + "\n")
    port = free_port()
    code = ("import sys; from osm_mec.cli.meo_commands import meo_group; "
            "meo_group(sys.argv[1:], prog_name='osm-mec meo')")
    process = subprocess.Popen(
        [sys.executable, "-c", code, "serve", "--edge-osm-url", edge_url,
         "--credentials-file", str(folder / "edge.yaml"), "--admin-token-file",
         str(folder / "token"), "--state", str(folder / "meo"), "--vim", EDGE_VIM,
         "--port", str(port), "--log-level", "warning"],
        env={**os.environ, "PYTHONPATH": str(HERE.parent)})
    wait_port(port, 30)
    return process, f"http://127.0.0.1:{port}"


def wait_state(api: httpx.Client, instance: str, state: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        record = api.get(f"/app_lcm/v1/app_instances/{instance}").json()
        ops = api.get("/app_lcm/v1/app_lcm_op_occs").json()
        busy = any(o["appInstanceId"] == instance and o["operationState"]
                   in ("STARTING", "PROCESSING") for o in ops)
        if record["instantiationState"] == state and not busy:
            return
        time.sleep(0.01)
    raise RuntimeError(f"instance {instance} not {state}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=5)
    args = parser.parse_args()
    edge = edge_osm()
    c = edge.credentials
    with tempfile.TemporaryDirectory() as tmp:
        process, url = start_facade(edge.url, {"user": c.user, "password": c.password,
                                               "project": c.project}, Path(tmp))
        try:
            results = measure(edge, url, args.samples, args.warmup)
        finally:
            process.terminate()
            process.wait(10)
            edge.stop()
    direct, facade = results["direct"], results["facade"]
    added = [f - d for d, f in zip(direct, facade, strict=True)]
    p95_added = percentile(facade, 0.95) - percentile(direct, 0.95)
    record_result("meo_overhead", {
        "benchmark": "meo_overhead", "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()} {platform.python_version()}",
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "goal": f"p95(facade) - p95(direct NBI) < {GOAL_MS:g} ms",
        "results": {"direct_nbi": summary(direct), "facade": summary(facade),
                    "added_per_pair": summary(added)},
        "p95_added_ms": round(p95_added, 2), "goal_met": p95_added < GOAL_MS})
    sys.exit(0 if p95_added < GOAL_MS else 1)


def measure(edge: object, url: str, samples: int, warmup: int) -> dict[str, list[float]]:
    osm = NbiClient(edge.url, edge.credentials)  # type: ignore[attr-defined]
    auth = {"Authorization": f"Bearer {TOKEN}"}
    results: dict[str, list[float]] = {"direct": [], "facade": []}
    with httpx.Client(base_url=url, headers=auth, timeout=60) as api:
        content = sample_package("bench-app")
        package = api.post("/app_pkgm/v1/app_packages", json={
            "appPkgName": "bench", "appPkgVersion": "1", "appPkgPath": "http://x/a.zip",
            "checksum": {"algorithm": "SHA-256",
                         "hash": hashlib.sha256(content).hexdigest()}}).json()[0]
        api.put(f"/app_pkgm/v1/app_packages/{package['id']}/package_content",
                content=content, headers={"Content-Type": "application/zip"})
        appd = yaml.safe_load(api.get(f"/app_pkgm/v1/app_packages/{package['id']}/appd").text)
        checked = appd_from_data(appd, "bench")
        ids = package_ids(checked)
        nsd = osm.find_package("ns", ids.ns)["_id"]  # type: ignore[index]
        vim = osm.find_admin("vim", EDGE_VIM)["_id"]  # type: ignore[index]
        instance = api.post("/app_lcm/v1/app_instances", json={"appDId": "bench-app"}).json()
        body = {"selectedMECHostInfo": [{"hostId": {"site": "edge"}}]}
        for sample in range(warmup + samples):
            config = ns_config(checked, ids, f"direct-{sample}")
            started = time.perf_counter()
            ns_id, op_id = osm.create_ns(f"direct-{sample}", nsd, vim, "bench", config)
            direct = time.perf_counter() - started
            osm.wait_for_operation(op_id, timeout=30)
            done = osm.delete_ns(ns_id)
            if done:
                osm.wait_for_operation(done, timeout=30, gone_ok=True)
            started = time.perf_counter()
            answer = api.post(f"/app_lcm/v1/app_instances/{instance['id']}/instantiate",
                              json=body)
            facade = time.perf_counter() - started
            assert answer.status_code == 202, answer.text
            wait_state(api, instance["id"], "INSTANTIATED")
            api.post(f"/app_lcm/v1/app_instances/{instance['id']}/terminate",
                     json={"terminationType": "FORCEFUL"})
            wait_state(api, instance["id"], "NOT_INSTANTIATED")
            if sample >= warmup:
                results["direct"].append(direct * 1000)
                results["facade"].append(facade * 1000)
    return results


if __name__ == "__main__":
    main()
