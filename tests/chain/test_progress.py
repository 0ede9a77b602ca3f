"""Progress lines when stderr is not a terminal (a log file, a pipe, CI): one event per
line, never wrapped at 80 columns, printed as given (no rich markup or emoji codes)."""

from __future__ import annotations

import json

from osm_mec.chain.progress import Progress, one_line

LONG_DETAIL = ("Deploying VDUs: controller (cluster), worker (cluster); KDUs: [mep] (mep), "
               "osm (edge-osm) :warning: " + "x" * 120)


def test_progress_lines_are_whole_events_when_stderr_is_not_a_terminal(capsys) -> None:
    progress = Progress(prefix="acme")
    assert not progress.console.is_terminal
    progress.step("3 mec-env-ns: edge cluster, MEC platform, Edge OSM " + "y" * 100)
    progress.status(LONG_DETAIL + "\n  second line of OSM's detailed-status")
    payload = {"ns": "acme-env", "workers": ["w-" + "z" * 30 for _ in range(6)]}
    progress.note(json.dumps(payload))
    progress.close()
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 3
    assert lines[0].endswith("y" * 100) and "acme: 3 mec-env-ns" in lines[0]
    assert lines[1].endswith(f"acme: {LONG_DETAIL} second line of OSM's detailed-status")
    assert json.loads(lines[2].split("acme: ", 1)[1]) == payload


def test_disabled_progress_prints_nothing(capsys) -> None:
    progress = Progress(enabled=False)
    progress.step("step")
    progress.status("detail")
    progress.note("note")
    progress.close()
    assert capsys.readouterr().err == ""


def test_one_line_joins_lines_and_keeps_everything_else() -> None:
    assert one_line("a [b]\n   c :smile:\n\n") == "a [b] c :smile:"
