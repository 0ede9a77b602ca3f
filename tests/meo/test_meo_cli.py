"""`osm-mec meo serve`: secrets only from 0600 files, bad input named with exit 2, and the
command serving the facade over an Edge OSM sandbox in a process of its own."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx
import pytest
import yaml
from click.testing import CliRunner

from osm_mec.cli.meo_commands import meo_group
from osm_mec.core.secret_files import write_secret_file

from ..net import free_port, wait_port
from .servers import REPO


@pytest.fixture()
def files(edge, tmp_path):
    c = edge.credentials
    write_secret_file(tmp_path / "edge.yaml", yaml.safe_dump(
        {"user": c.user, "password": c.password, "project": c.project}))
    write_secret_file(tmp_path / "token", "cli-token\n")
    return tmp_path


def _serve(edge, files, *extra: str) -> list[str]:
    return ["serve", "--edge-osm-url", edge.url, "--credentials-file",
            str(files / "edge.yaml"), "--admin-token-file", str(files / "token"),
            "--state", str(files / "state"), *extra]


@pytest.mark.parametrize("change, message", [
    ("open-token", "chmod 600"),
    ("open-credentials", "chmod 600"),
    ("bad-url", "--edge-osm-url"),
    ("mep-without-token", "--mep-token-file"),
    ("two-words", "alone on one line"),
])
def test_bad_input_exits_2_naming_it(edge, files, change, message):
    args = _serve(edge, files)
    if change == "open-token":
        (files / "token").chmod(0o644)
    elif change == "open-credentials":
        (files / "edge.yaml").chmod(0o640)
    elif change == "bad-url":
        args[args.index("--edge-osm-url") + 1] = "ftp://edge"
    elif change == "mep-without-token":
        args += ["--mep-url", "http://127.0.0.1:9"]
    else:
        write_secret_file(files / "token", "two words\n")
    result = CliRunner().invoke(meo_group, args)
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert "cli-token" not in result.output


def test_serve_answers_with_the_token_only(edge, files):
    port = free_port()
    code = "import sys; from osm_mec.cli.meo_commands import meo_group; meo_group(sys.argv[1:])"
    process = subprocess.Popen([sys.executable, "-c", code,
                                *_serve(edge, files, "--port", str(port))],
                               env={**os.environ, "PYTHONPATH": str(REPO)},
                               stderr=subprocess.PIPE)
    try:
        wait_port(port, 30)
        url = f"http://127.0.0.1:{port}/app_pkgm/v1/app_packages"
        assert httpx.get(url, headers={"Authorization": "Bearer cli-token"}).json() == []
        refused = httpx.get(url)
        assert refused.status_code == 401
        assert refused.headers["content-type"] == "application/problem+json"
        assert (files / "state" / "meo.sqlite3").stat().st_mode & 0o077 == 0
    finally:
        process.terminate()
        process.wait(10)
