"""Chain fixtures: a sandbox OSM of its own per test (real HTTP and Kafka), and a Session
pointed at it exactly as `--osm-url` + `--osm-credentials` would."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from osm_mec.chain.progress import Progress, quiet
from osm_mec.chain.run import run_for_csp
from osm_mec.chain.session import OsmOptions, Session
from osm_mec.core.secret_files import write_secret_file
from osm_mec.offer.profile import default_profile, validate_profile_data

from ..sandbox.conftest import make_sandbox  # noqa: F401  (fixture)


@pytest.fixture()
def osm(make_sandbox, tmp_path: Path):  # noqa: F811
    """(sandbox, options) for a fresh sandbox at time scale 0."""
    def start(**kwargs):
        sandbox = make_sandbox(**kwargs)
        creds = tmp_path / f"osm-{sandbox.server.port}.yaml"
        c = sandbox.credentials
        write_secret_file(creds, yaml.safe_dump({"user": c.user, "password": c.password,
                                                 "project": c.project}))
        return sandbox, OsmOptions(osm_url=sandbox.url, credentials_file=creds,
                                   kafka=sandbox.kafka_bootstrap)
    return start


@pytest.fixture()
def dirs(tmp_path: Path) -> tuple[Path, Path]:
    return tmp_path / "state", tmp_path / "timings"


def b2c_profile():
    data = yaml.safe_load(yaml.safe_dump(dict(default_profile().data)))
    data["model"] = "b2c"
    return validate_profile_data(data, "b2c")


def run(options: OsmOptions, action, csp: str, dirs, profile=None, progress: Progress | None = None,
        rollback: bool = False):
    with Session(options) as session:
        return run_for_csp(session, profile or default_profile(), csp, dirs[0], dirs[1], action,
                           progress or quiet(), rollback)
