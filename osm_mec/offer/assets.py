"""Where the project's non-Python sources live: the charm and the Helm charts.

In the source tree they sit at the top (``charms/``, ``helm/``) so that charmcraft and helm use
them as they are; a wheel carries a copy under ``osm_mec/_assets/`` (see ``setup.py``).
``OSM_MEC_ROOT`` points at another tree holding ``charms/`` and ``helm/`` when needed.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..core.errors import OsmMecError

PACKAGE_DIR = Path(__file__).resolve().parent.parent  # osm_mec/
TEMPLATES_DIR = Path(__file__).resolve().parent / "descriptors" / "templates"
BUNDLED_DIR = PACKAGE_DIR / "_assets"  # in an installed wheel
CHECKOUT_DIR = PACKAGE_DIR.parent  # a source checkout (editable install)


def project_root() -> Path:
    """The folder that holds charms/ and helm/: OSM_MEC_ROOT, the wheel's copy or the checkout."""
    override = os.environ.get("OSM_MEC_ROOT")
    if override:
        return Path(override)
    return BUNDLED_DIR if BUNDLED_DIR.is_dir() else CHECKOUT_DIR


def _existing(path: Path, what: str) -> Path:
    if not path.is_dir():
        hint = ("OSM_MEC_ROOT names a tree without it: point it at a source checkout"
                if os.environ.get("OSM_MEC_ROOT") else
                "this osm-mec installation is incomplete: reinstall it from a wheel or a "
                "source checkout, or set OSM_MEC_ROOT to a source checkout")
        raise OsmMecError(f"{path}: {what} not found; {hint}")
    return path


def charm_dir(name: str) -> Path:
    """Source folder of a charm (charms/<name>)."""
    return _existing(project_root() / "charms" / name, f"charm {name!r}")


def chart_dir(name: str) -> Path:
    """Source folder of a Helm chart (helm/<name>)."""
    return _existing(project_root() / "helm" / name, f"Helm chart {name!r}")
