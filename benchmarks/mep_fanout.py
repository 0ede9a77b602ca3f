#!/usr/bin/env python3
"""Benchmark: notification fan-out. 1,000 availability subscriptions (local receivers),
one service change, time until every subscriber has its notification.

The MEP (`osm-mec mep serve`, one uvicorn worker) and the receivers (a uvicorn ASGI app
answering 204 and recording arrival times) run as separate processes on loopback with a
real redis-server. Goal (issue #4): under 2 s.

    python benchmarks/mep_fanout.py [--subscribers 1000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.recorded import record as record_result  # noqa: E402
from tests.mep.servers import RedisServer  # noqa: E402
from tests.net import free_port, wait_port  # noqa: E402

ADMIN = "bench-admin-token"
RECEIVER_APP = textwrap.dedent("""
    import json, time
    arrivals = {}

    async def app(scope, receive, send):
        if scope["type"] != "http":
            return
        if scope["method"] == "POST":
            while (await receive()).get("more_body"):
                pass
            arrivals[scope["path"]] = time.time()
            await send({"type": "http.response.start", "status": 204, "headers": []})
            await send({"type": "http.response.body", "body": b""})
            return
        body = json.dumps({"count": len(arrivals),
                           "last": max(arrivals.values(), default=0.0)}).encode()
        if scope["path"] == "/reset":
            arrivals.clear()
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": body})
""")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    runs: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        redis = RedisServer(Path(tmp) / "redis").start()
        mep_port, receiver_port = free_port(), free_port()
        (Path(tmp) / "receiver_app.py").write_text(RECEIVER_APP)
        receiver = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "receiver_app:app", "--host", "127.0.0.1",
             "--port", str(receiver_port), "--log-level", "warning", "--no-access-log"],
            env={**os.environ, "PYTHONPATH": tmp}, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        mep = subprocess.Popen(
            [sys.executable, "-m", "osm_mec.cli", "mep", "serve", "--host", "127.0.0.1",
             "--port", str(mep_port), "--redis-url", redis.url, "--log-level", "warning",
             "--allow-callbacks", "127.0.0.0/8"],
            env={**os.environ, "MEP_ADMIN_TOKEN": ADMIN}, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        try:
            wait_port(mep_port, 20)
            wait_port(receiver_port, 20)
            admin = {"Authorization": f"Bearer {ADMIN}"}
            with httpx.Client(base_url=f"http://127.0.0.1:{mep_port}", timeout=30) as client:
                reply = client.post("/mec_platform_mgmt/v1/app_instances",
                                    json={"appInstanceId": "watcher"}, headers=admin).json()
                watcher = {"Authorization": f"Bearer {reply['accessToken']}"}
                for i in range(args.subscribers):
                    client.post("/mec_service_mgmt/v1/applications/watcher/subscriptions",
                                json={"subscriptionType":
                                      "SerAvailabilityNotificationSubscription",
                                      "callbackReference":
                                      f"http://127.0.0.1:{receiver_port}/sub/{i}"},
                                headers=watcher).raise_for_status()
                reply = client.post("/mec_platform_mgmt/v1/app_instances",
                                    json={"appInstanceId": "provider"}, headers=admin).json()
                provider = {"Authorization": f"Bearer {reply['accessToken']}"}
                for run in range(args.repeat):
                    httpx.get(f"http://127.0.0.1:{receiver_port}/reset")
                    body = {"serName": f"fanout-{run}", "version": "1", "state": "ACTIVE",
                            "serializer": "JSON", "transportInfo": {
                                "id": "t", "name": "REST", "type": "REST_HTTP",
                                "protocol": "HTTP", "version": "1.1",
                                "endpoint": {"uris": ["http://127.0.0.1:9/"]},
                                "security": {}}}
                    started = time.time()
                    client.post("/mec_service_mgmt/v1/applications/provider/services",
                                json=body, headers=provider).raise_for_status()
                    deadline = time.monotonic() + 60
                    while time.monotonic() < deadline:
                        seen = httpx.get(f"http://127.0.0.1:{receiver_port}/count").json()
                        if seen["count"] >= args.subscribers:
                            break
                        time.sleep(0.01)
                    else:
                        raise SystemExit(f"only {seen['count']} of {args.subscribers} "
                                         "notifications arrived within 60 s")
                    runs.append(seen["last"] - started)
        finally:
            for process in (mep, receiver):
                process.terminate()
                process.wait(timeout=10)
            redis.stop()
    result = {
        "benchmark": f"availability notification fan-out to {args.subscribers} subscribers",
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "seconds_until_all_delivered": runs,
        "median_s": statistics.median(runs), "max_s": max(runs),
        "goals": {"under_2s": max(runs) < 2.0},
    }
    record_result("mep_fanout", result)
    return 0 if all(result["goals"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
