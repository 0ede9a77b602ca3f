"""Writing an AppD package (MEC 010-2 package content) as a reproducible ZIP: the AppD under
``Definitions/``, ``TOSCA-Metadata/TOSCA.meta`` naming it (Entry-Definitions), and a bundled
chart under ``Artifacts/charts/<name>/``. Fixed entry order, times and modes, so the same
AppD and chart give the same bytes."""

from __future__ import annotations

import io
import zipfile

from .archive import TOSCA_META
from .chart import HelmChart

# 1980-01-01 00:00:00, the earliest ZIP time (as the OSM packages use)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _meta(appd_path: str) -> bytes:
    return ("TOSCA-Meta-File-Version: 1.0\nCSAR-Version: 1.1\nCreated-By: osm-mec\n"
            f"Entry-Definitions: {appd_path}\n").encode()


def appd_package_bytes(appd_text: bytes, appd_name: str, chart: HelmChart | None) -> bytes:
    """The ZIP of an AppD package: the AppD's own bytes (as ``Definitions/<appd_name>``)
    and the chart's files when it is bundled."""
    appd_path = f"Definitions/{appd_name}"
    entries = {TOSCA_META: _meta(appd_path), appd_path: appd_text}
    if chart is not None and chart.bundled:
        entries.update({f"Artifacts/charts/{chart.name}/{rel}": data
                        for rel, data in chart.files.items()})
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, entries[name])
    return out.getvalue()
