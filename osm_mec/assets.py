"""Where the project's non-Python sources live: the charm and the Helm charts.

They sit at the top of the source tree (``charms/``, ``helm/``) so that charmcraft and
helm use them as they are; ``OSM_MEC_ROOT`` points elsewhere when needed.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import OsmMecError

PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = PACKAGE_DIR / "descriptors" / "templates"


def project_root() -> Path:
    """The source tree that holds charms/ and helm/."""
    return Path(os.environ.get("OSM_MEC_ROOT") or PACKAGE_DIR.parent)


def _existing(path: Path, what: str) -> Path:
    if not path.is_dir():
        raise OsmMecError(
            f"{path}: {what} not found; run osm-mec from a source checkout "
            "(pip install -e .) or set OSM_MEC_ROOT to one"
        )
    return path


def charm_dir(name: str) -> Path:
    """Source folder of a charm under charms/."""
    return _existing(project_root() / "charms" / name, f"charm {name!r}")


def chart_dir(name: str) -> Path:
    """Source folder of a Helm chart under helm/."""
    return _existing(project_root() / "helm" / name, f"Helm chart {name!r}")
