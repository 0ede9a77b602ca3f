"""Build hook: the wheel carries the charm and the Helm charts.

They live at the top of the source tree (``charms/``, ``helm/``) so that charmcraft and helm
use them as they are; building a wheel copies them to ``osm_mec/_assets/`` where
``osm_mec.offer.assets`` finds them once installed. Everything else is in ``setup.cfg``.

Builds are reproducible: ZIP entry times come from ``SOURCE_DATE_EPOCH``, fixed here to
1980-01-01 (the earliest ZIP time, as in the generated packages) unless the caller sets it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ASSET_DIRS = ("charms", "helm", "examples")  # examples/: the sample AppD (demo)
ASSETS_PACKAGE_DIR = "osm_mec/_assets"
# what never ships: caches, hidden files, charmcraft's outputs (the charm's wheelhouse/ does)
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".*", "build", "venv", "*.charm")

os.environ.setdefault("SOURCE_DATE_EPOCH", "315532800")


class BuildPyWithAssets(build_py):
    """build_py, then a clean copy of charms/, helm/ and examples/ into the built package."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads them from the checkout
        target = Path(self.build_lib) / ASSETS_PACKAGE_DIR
        shutil.rmtree(target, ignore_errors=True)  # no stale files from an earlier build
        for name in ASSET_DIRS:
            shutil.copytree(name, target / name, ignore=IGNORED)


setup(cmdclass={"build_py": BuildPyWithAssets})
