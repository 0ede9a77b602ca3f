"""The sample MEC application's AppD (``examples/mecapp-appd.yaml``) with its chart
(``helm/mec-app``): for the demo, the Mm1 facade's tests and users trying the flow."""

from __future__ import annotations

from pathlib import Path

from ..core.errors import OsmMecError
from ..offer.assets import chart_dir, project_root
from .chart import HelmChart, load_chart
from .model import AppD, load_appd
from .writer import appd_package_bytes

SAMPLE_APPD = "mecapp-appd.yaml"
SAMPLE_CHART = "mec-app"


def sample_appd_path() -> Path:
    """Where the sample AppD is (examples/ of the source tree or of the installed wheel)."""
    path = project_root() / "examples" / SAMPLE_APPD
    if not path.is_file():
        raise OsmMecError(f"{path}: the sample AppD is missing; reinstall osm-mec from a wheel "
                          "or a source checkout, or set OSM_MEC_ROOT to a source checkout")
    return path


def sample_appd() -> AppD:
    """The sample application's AppD, checked."""
    return load_appd(sample_appd_path())


def sample_chart() -> HelmChart:
    """The sample application's Helm chart."""
    return load_chart(chart_dir(SAMPLE_CHART))


def sample_appd_package() -> bytes:
    """The sample application's AppD package (ZIP: AppD + chart), as a MEC application
    developer would upload it."""
    path = sample_appd_path()
    return appd_package_bytes(path.read_bytes(), path.name, sample_chart())
