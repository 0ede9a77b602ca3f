"""The chain's commands through the CLI: embedded sandbox runs, --json, exit codes, the
bench's resume, and `osm-mec sandbox` as a separate process used with --osm-url."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import yaml
from click.testing import CliRunner

from osm_mec.cli.commands import cli


def _args(tmp_path: Path) -> list[str]:
    return ["--time-scale", "0", "--state-dir", str(tmp_path / "state"),
            "--timings-dir", str(tmp_path / "timings"), "--json"]


def test_provision_on_the_embedded_sandbox_json(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["provision", "--csp", "acme", "--sandbox"]
                                + _args(tmp_path))
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer["simulated"] is True and answer["csp"] == "acme"
    assert {"nsp-cluster-ns", "env-ns", "app-ns"} <= set(answer["objects"])
    # that sandbox ended with the command: the state file says where it was
    again = CliRunner().invoke(cli, ["scale", "--csp", "acme", "out"] + _args(tmp_path))
    assert again.exit_code == 2 and "embedded sandbox" in again.output


def test_bench_runs_and_resumes(tmp_path: Path) -> None:
    results = tmp_path / "bench"
    args = ["bench", "--iterations", "2", "--scale-iterations", "1", "--baselines",
            "--results", str(results), "--time-scale", "0"]
    first = CliRunner().invoke(cli, args)
    assert first.exit_code == 0, first.output
    progress = json.loads((results / "progress.json").read_text())
    assert progress == {"iterations": 2, "scale": 1, "baselines": 2}
    report = (results / "report.md").read_text()
    for row in ("| k8s-osm-cluster-ns | instantiate | 2 |", "| mec-env-ns | scale-out | 1 |",
                "| baseline-vnf-ns | instantiate | 2 |", "| baseline-cnf-ns | instantiate | 2 |"):
        assert row in report
    assert (results / "deploy.csv").read_text().splitlines()[0] == \
        "iteration,k8s-osm-cluster-ns,mec-env-ns,mec-app-ns"
    lines = sum(len(p.read_text().splitlines()) for p in results.glob("*.jsonl"))
    second = CliRunner().invoke(cli, args)  # everything done: nothing runs again
    assert second.exit_code == 0
    assert sum(len(p.read_text().splitlines()) for p in results.glob("*.jsonl")) == lines


def test_separate_sandbox_process_with_osm_url(tmp_path: Path) -> None:
    creds = tmp_path / "creds.yaml"
    env = {k: v for k, v in os.environ.items() if k != "OSM_PASSWORD"}
    server = subprocess.Popen([sys.executable, "-m", "osm_mec.cli", "sandbox", "--port", "0",
                               "--time-scale", "0", "--credentials-out", str(creds)],
                              stdout=subprocess.PIPE, text=True, env=env)
    try:
        lines = [server.stdout.readline() for _ in range(3)]
        url = lines[0].split()[-1]
        kafka = lines[1].split()[1]
        assert url.startswith("http://127.0.0.1:") and "mock cluster" in lines[1]
        assert oct(creds.stat().st_mode & 0o777) == "0o600"
        password = yaml.safe_load(creds.read_text())["password"]
        assert password not in "".join(lines)
        common = ["--osm-url", url, "--osm-credentials", str(creds), "--kafka", kafka,
                  "--state-dir", str(tmp_path / "state"), "--timings-dir",
                  str(tmp_path / "timings")]
        runner = CliRunner(env={"OSM_PASSWORD": None, "OSM_EDGE_VIM_PASSWORD": ""})  # empty = unset
        for command in (["provision", "--csp", "one", "--json"], ["scale", "--csp", "one", "out"],
                        ["scale", "--csp", "one", "in"], ["status", "--json"],
                        ["teardown", "--csp", "one"]):
            result = runner.invoke(cli, command + common)
            assert result.exit_code == 0, (command, result.output)
            if command[0] == "status":
                status = json.loads(result.stdout)
                assert len(status["ns"]) == 3 and all(
                    v["state"] == "READY" for v in status["ns"].values())
        timings = (tmp_path / "timings" / "one.jsonl").read_text()
        assert '"simulated": true' in timings  # the sandbox says what it is
        bad = runner.invoke(cli, ["provision", "--csp", "two", "--osm-url", url,
                                  "--state-dir", str(tmp_path / "state")])
        assert bad.exit_code == 2 and "OSM_PASSWORD" in bad.output
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(10)
    assert server.returncode == 0


def test_the_osm_is_chosen_explicitly(make_sandbox, tmp_path: Path) -> None:
    """--osm-url, OSM_HOSTNAME, the credentials file's url (and Kafka), the state file's URL
    or --sandbox: never a silent throw-away sandbox; bad URLs are refused at once."""
    from osm_mec.core.secret_files import write_secret_file
    from osm_mec.timings.records import read_jsonl

    from ..sandbox.conftest import CREDENTIALS
    state = ["--state-dir", str(tmp_path / "state"), "--timings-dir", str(tmp_path / "timings")]
    runner = CliRunner(env={"OSM_URL": None, "OSM_HOSTNAME": None, "OSM_PASSWORD": None})
    nothing = runner.invoke(cli, ["provision", "--csp", "x"] + state)
    assert nothing.exit_code == 2 and "which OSM?" in nothing.output
    assert "--sandbox" in nothing.output and "OSM_HOSTNAME" in nothing.output
    for bad in (["--osm-url", "not a url"], ["--osm-url", "ftp://h/osm"],
                ["--osm-url", "http://127.0.0.1:1/osm", "--sandbox"]):
        refused = runner.invoke(cli, ["status", "--csp", "x"] + bad + state)
        assert refused.exit_code == 2 and "Traceback" not in refused.output, refused.output
        assert "not an NBI URL" in refused.output or "exclude each other" in refused.output

    sandbox = make_sandbox()
    creds = tmp_path / "sandbox.yaml"  # as `osm-mec sandbox --credentials-out` writes it
    write_secret_file(creds, yaml.safe_dump({
        "url": sandbox.url, "kafka": sandbox.kafka_bootstrap, "user": CREDENTIALS.user,
        "password": CREDENTIALS.password, "project": CREDENTIALS.project}))
    done = runner.invoke(cli, ["provision", "--csp", "x", "--osm-credentials", str(creds),
                               "--json"] + state)
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["main_osm"] == sandbox.url
    mep = f"10.100.0.10:{json.loads(done.stdout)['mep'][0]['ports'][0]['node_port']}"
    assert {t.source for t in read_jsonl(tmp_path / "timings" / "x.jsonl")} == {"kafka"}

    with_password = CliRunner(env={"OSM_URL": None, "OSM_HOSTNAME": None,
                                   "OSM_PASSWORD": CREDENTIALS.password})
    table = with_password.invoke(cli, ["status", "--csp", "x"] + state)  # the state's URL
    assert table.exit_code == 0, table.output
    lines = table.stdout.splitlines()
    assert lines[0] == f"CSP x (b2b2c) on {sandbox.url} (simulated: embedded sandbox)"
    assert any(line.split()[:3] == ["endpoint", "MEP", mep] for line in lines)
    assert any(line.split()[:3] == ["endpoint", "Edge", "OSM"] for line in lines)
    machine = json.loads(with_password.invoke(cli, ["status", "--csp", "x", "--json"]
                                              + state).stdout)
    assert machine["endpoints"]["MEP"] == [mep]  # the NSP cluster's node + the NodePort
    assert machine["endpoints"]["Edge OSM"] == [sandbox.edges[0].url]

    # osmclient's OSM_HOSTNAME means https: this NBI speaks plain HTTP, and we say so
    port = sandbox.url.split(":")[-1].split("/")[0]
    tls = CliRunner(env={"OSM_URL": None, "OSM_PASSWORD": CREDENTIALS.password,
                         "OSM_HOSTNAME": f"127.0.0.1:{port}"}).invoke(
        cli, ["status", "--csp", "y"] + state)
    assert tls.exit_code == 1 and "Traceback" not in tls.output
    assert "answers plain HTTP, not HTTPS; use http://127.0.0.1:" in tls.output
