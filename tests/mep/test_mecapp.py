"""The sample MEC application against our MEP: start-up flow, notifications, the
platform's termination notice, and a real process deregistering on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import httpx
import uvicorn

from osm_mec.mecapp import MecAppConfig, create_app

from ..net import free_port, wait_port
from .conftest import ADMIN, add_service, register_app

SM = "/mec_service_mgmt/v1"
PM = "/mec_platform_mgmt/v1"


class AppServer:
    def __init__(self, mep_url: str, app_id: str, token: str = "",
                 client_secret: str = "") -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = MecAppConfig(mep_url, app_id, token, self.url, "sample",
                              client_secret=client_secret)
        self.app = create_app(config, request_exit=self.request_exit)
        self.server = uvicorn.Server(uvicorn.Config(self.app, host="127.0.0.1", port=self.port,
                                                    log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def request_exit(self) -> None:
        self.server.should_exit = True

    def start(self) -> "AppServer":
        self.thread.start()
        wait_port(self.port)
        return self

    def state(self) -> dict:
        return httpx.get(f"{self.url}/state").json()

    def wait_state(self, predicate, timeout: float = 10.0) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = self.state()
            if predicate(state):
                return state
            time.sleep(0.05)
        raise AssertionError(f"state never matched: {self.state()}")

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def test_sample_app_lifecycle(client, mep):
    other, other_auth = register_app(client, "other")
    add_service(client, other, other_auth, "rnis")
    app, auth = register_app(client, "sample-app")
    token = auth["Authorization"].split()[1]
    sample = AppServer(mep.url, app, token).start()
    try:
        state = sample.wait_state(lambda s: s["state"] == "running")
        assert {s["serName"] for s in state["services"]} == {"rnis", "sample"}
        assert client.get(f"{PM}/app_instances/{app}", headers=ADMIN).json()["state"] == "READY"
        mine = client.get(f"{SM}/applications/{app}/services", headers=auth).json()
        assert [s["serName"] for s in mine] == ["sample"]
        assert mine[0]["transportInfo"]["endpoint"]["uris"] == [f"{sample.url}/"]
        add_service(client, other, other_auth, "location")  # seen through a notification
        state = sample.wait_state(lambda s: any(n["serName"] == "location"
                                                for n in s["notifications"]))
        assert {s["serName"] for s in state["services"]} == {"rnis", "sample", "location"}
        page = httpx.get(sample.url).text
        assert "<h1>sample (running)</h1>" in page and "location" in page
    finally:
        sample.stop()
    names = {s["serName"] for s in client.get(f"{SM}/services", headers=other_auth).json()}
    assert names == {"rnis", "location"}  # deregistered on shutdown
    subs = client.get(f"{SM}/applications/{app}/subscriptions", headers=auth).json()
    assert subs["_links"]["subscriptions"] == []


def test_platform_termination_notice_stops_the_app(client, mep):
    app, auth = register_app(client, "sample-app", gracefulTerminationTimeout=30)
    sample = AppServer(mep.url, app, auth["Authorization"].split()[1]).start()
    sample.wait_state(lambda s: s["state"] == "running")
    assert client.delete(f"{PM}/app_instances/{app}", headers=ADMIN).status_code == 202
    sample.thread.join(timeout=10)
    assert not sample.thread.is_alive()  # it stopped by itself
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and \
            client.get(f"{PM}/app_instances/{app}", headers=ADMIN).status_code != 404:
        time.sleep(0.05)
    # confirm_termination ended the graceful wait: the instance is gone long before 30 s
    assert client.get(f"{PM}/app_instances/{app}", headers=ADMIN).status_code == 404


def test_sigterm_deregisters_a_real_process(client, mep):
    app, auth = register_app(client, "sample-process")
    port = free_port()
    env = {**os.environ, "MEC_APP_TOKEN": auth["Authorization"].split()[1]}
    process = subprocess.Popen(
        [sys.executable, "-m", "osm_mec.cli", "mecapp", "run", "--mep-url", mep.url,
         "--app-id", app, "--host", "127.0.0.1", "--port", str(port),
         "--service-name", "proc-sample"], env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_port(port)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and \
                httpx.get(f"http://127.0.0.1:{port}/state").json()["state"] != "running":
            time.sleep(0.05)
        assert [s["serName"] for s in client.get(f"{SM}/services", headers=auth).json()] == [
            "proc-sample"]
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode in (0, -signal.SIGTERM), output  # uvicorn re-raises SIGTERM
    assert "deregistered" in output
    assert auth["Authorization"].split()[1] not in output  # the token is never logged
    assert client.get(f"{SM}/services", headers=auth).json() == []


def test_token_is_required(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEC_APP_TOKEN")}
    result = subprocess.run([sys.executable, "-m", "osm_mec.cli", "mecapp", "run",
                             "--mep-url", "http://127.0.0.1:9", "--app-id", "x"],
                            env=env, capture_output=True, text=True)
    assert result.returncode == 2 and "MEC_APP_TOKEN" in result.stderr
    assert "MEC_APP_CLIENT_SECRET" in result.stderr


def test_sample_app_with_oauth_client_credentials(client, mep):
    """MEC 009 style: the application holds client credentials, not a token; it gets its
    access tokens from the token endpoint."""
    registered = client.post(f"{PM}/app_instances", json={"appInstanceId": "oauth-sample"},
                             headers=ADMIN).json()
    sample = AppServer(mep.url, "oauth-sample",
                       client_secret=registered["oauth2"]["clientSecret"]).start()
    try:
        state = sample.wait_state(lambda s: s["state"] == "running")
        assert [s["serName"] for s in state["services"]] == ["sample"]
        assert client.get(f"{PM}/app_instances/oauth-sample",
                          headers=ADMIN).json()["state"] == "READY"
    finally:
        sample.stop()
    token = {"Authorization": f"Bearer {registered['accessToken']}"}
    assert client.get(f"{SM}/applications/oauth-sample/services", headers=token).json() == []


def test_client_secret_file_runs_the_cli(client, mep, tmp_path):
    registered = client.post(f"{PM}/app_instances", json={"appInstanceId": "cli-oauth"},
                             headers=ADMIN).json()
    secret = tmp_path / "secret"
    secret.write_text(registered["oauth2"]["clientSecret"])
    secret.chmod(0o600)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEC_APP_")}
    env["MEC_APP_CLIENT_SECRET_FILE"] = str(secret)
    process = subprocess.Popen(
        [sys.executable, "-m", "osm_mec.cli", "mecapp", "run", "--mep-url", mep.url,
         "--app-id", "cli-oauth", "--host", "127.0.0.1", "--port", str(port)], env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_port(port)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and \
                httpx.get(f"http://127.0.0.1:{port}/state").json()["state"] != "running":
            time.sleep(0.05)
        assert httpx.get(f"http://127.0.0.1:{port}/state").json()["state"] == "running"
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
    assert registered["oauth2"]["clientSecret"] not in output
