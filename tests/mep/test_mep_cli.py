"""`osm-mec mep serve` start-up checks: a clear line and an exit code, never a traceback
(in-process through click's runner: the command fails before serving anything)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from osm_mec.cli.commands import cli

from ..net import free_port


def _serve(*args: str) -> tuple[int, str, BaseException | None]:
    runner = CliRunner()
    result = runner.invoke(cli, ["mep", "serve", "--host", "127.0.0.1", "--port",
                                 str(free_port()), *args],
                           env={"MEP_ADMIN_TOKEN": "t" * 32, "MEP_ALLOW_CALLBACKS": "",
                                "MEP_LEGACY_APP_NETWORKS": ""})
    crash = result.exception if not isinstance(result.exception, SystemExit) else None
    return result.exit_code, result.output, crash


def test_redis_unreachable_at_start_is_one_line_and_exit_1():
    port = free_port()  # nothing listens there
    code, output, crash = _serve("--redis-url", f"redis://127.0.0.1:{port}/0",
                                 "--redis-wait", "0.5")
    assert code == 1 and crash is None, output
    errors = [line for line in output.splitlines() if line.startswith("osm-mec:")]
    assert len(errors) == 1 and f"127.0.0.1:{port}" in errors[0], output
    assert "unreachable" in errors[0] and "--redis-url" in errors[0]


@pytest.mark.parametrize("args, text", [
    (["--allow-callbacks", "not-a-network"], "not-a-network"),
    (["--legacy-app-networks", "10.0.0.0/33"], "10.0.0.0/33"),
    (["--redis-url", "http://127.0.0.1:6379"], "redis://"),
])
def test_bad_options_are_exit_2(args, text):
    code, output, crash = _serve(*args)
    assert code == 2 and crash is None, output
    assert text in output
