"""The sample MEC application's AppD (examples/mecapp-appd.yaml) agrees with the sample app
itself: its image, version, produced service name and resources are those of the chart and
the profile's defaults, and the chart's values schema accepts the values the AppD implies
(Helm refuses an install whose values break the chart's schema)."""

from __future__ import annotations

from typing import Any

import jsonschema
import yaml

from osm_mec import __version__
from osm_mec.appd import (
    kdu_values,
    read_appd_package,
    sample_appd,
    sample_appd_package,
    sample_chart,
)
from osm_mec.offer.profile import default_profile

from .helpers import CHART_DIR, EXAMPLE


def _merged(base: Any, over: Any) -> Any:
    if isinstance(base, dict) and isinstance(over, dict):
        return {**base, **{k: _merged(base.get(k), v) for k, v in over.items()}}
    return over


def test_the_sample_is_the_example_file_with_the_sample_chart():
    appd = sample_appd()
    assert appd.source == str(EXAMPLE)
    assert sample_chart().name == "mec-app"
    package = read_appd_package(sample_appd_package(), "sample.zip")
    assert package.appd.data == appd.data and package.chart is not None
    assert package.chart.files == sample_chart().files


def test_the_sample_appd_describes_the_sample_app():
    appd = sample_appd()
    profile = default_profile()
    values = yaml.safe_load((CHART_DIR / "values.yaml").read_text())
    assert appd.image == profile["mec_app"]["image"]
    assert appd.soft_version == __version__
    produced = [s["serName"] for s in appd.data["appServiceProduced"]]
    assert produced == [profile["mec_app"]["service_name"]] == [values["serviceName"]]
    assert kdu_values(appd)["resources"]["limits"] == values["resources"]["limits"]


def test_the_chart_schema_accepts_the_values_the_appd_implies():
    values = yaml.safe_load((CHART_DIR / "values.yaml").read_text())
    schema = yaml.safe_load((CHART_DIR / "values.schema.json").read_text())
    jsonschema.Draft7Validator(schema).validate(_merged(values, kdu_values(sample_appd())))
