"""Shared fixtures: the default profile and a session-wide build of its packages."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from osm_mec.packages import build
from osm_mec.profile import Profile, default_profile

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
