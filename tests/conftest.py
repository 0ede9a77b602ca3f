"""Shared fixtures: the default profile and a session-wide build of its packages."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from osm_mec.offer.packages import build
from osm_mec.offer.profile import Profile, default_profile

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def profile() -> Profile:
    return default_profile()


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory, profile: Profile) -> Path:
    """The default profile's packages, built once (read-only: copy before changing)."""
    out = tmp_path_factory.mktemp("built")
    build(profile, out)
    return out


@pytest.fixture()
def package_copy(built: Path, tmp_path: Path):
    """Copy one built package folder to tmp_path and return its path."""

    def copy(name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(built / name, target)
        return target

    return copy


def load_yaml(path: Path):
    return yaml.safe_load(path.read_text())


def dump_yaml(path: Path, data) -> None:
    path.write_text(yaml.safe_dump(data, sort_keys=False))


# -- OSM's real NBI (../shared/osm-nbi): the judge of everything osm-mec sends to OSM -------
@pytest.fixture(scope="session")
def real_nbi(tmp_path_factory: pytest.TempPathFactory):
    """OSM's real NBI without LCM: operations stay PROCESSING, NSs NOT_INSTANTIATED."""
    from tests.shared_dir import start_real_nbi

    harness = start_real_nbi(tmp_path_factory.mktemp("real-nbi") / "bus")
    yield harness
    harness.stop()


@pytest.fixture(scope="session")
def real_nbi_lcm(tmp_path_factory: pytest.TempPathFactory):
    """OSM's real NBI with the harness's LCM stand-in completing every operation in 100 ms
    (it deploys nothing: no VNF addresses, no KDU services)."""
    from tests.shared_dir import start_real_nbi

    harness = start_real_nbi(tmp_path_factory.mktemp("real-nbi-lcm") / "bus",
                             auto_complete_ms=100)
    yield harness
    harness.stop()
