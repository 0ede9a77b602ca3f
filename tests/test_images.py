"""Container images: a registry in the profile, images named with their registry host,
warnings from `validate`, and the check `provision` runs outside the sandbox."""

from __future__ import annotations

import pytest
import yaml

from osm_mec.core.errors import UsageError
from osm_mec.offer import images
from osm_mec.offer.params import instantiation_params
from osm_mec.offer.profile import default_profile_yaml, validate_profile_data
from osm_mec.offer.validation import validate_paths

from .conftest import REPO


@pytest.mark.parametrize(("reference", "host"), [
    ("ghcr.io/nsp/osm-mec/mep:0.1.0", "ghcr.io"),
    ("registry.example.com:5000/osm-mec/mep:0.1.0", "registry.example.com:5000"),
    ("localhost/osm-mec/mep:0.1.0", "localhost"),
    ("localhost:5000/mep", "localhost:5000"),
    ("docker.io/library/redis:7.2-alpine", "docker.io"),
    ("osm-mec/mep:0.1.0", None),      # Docker Hub user "osm-mec"
    ("redis:7.2-alpine", None),       # Docker Hub library image
    ("nsp/osm-mec/mep", None),
])
def test_registry_host_follows_the_container_runtimes_rule(reference, host):
    assert images.registry_host(reference) == host


def test_default_profile_pulls_our_images_from_the_registry():
    profile = validate_profile_data({})
    assert profile["registry"] == images.DEFAULT_REGISTRY == "ghcr.io/osm-mec"
    assert profile["mep"]["image"] == "ghcr.io/osm-mec/osm-mec/mep:0.1.0"
    assert profile["mec_app"]["image"] == "ghcr.io/osm-mec/osm-mec/mecapp:0.1.0"
    assert images.profile_image_problems(profile) == []
    mine = validate_profile_data({"registry": "registry.nsp.example:5000/mec"})
    assert mine["mep"]["image"] == "registry.nsp.example:5000/mec/osm-mec/mep:0.1.0"
    values = instantiation_params(mine, "mec_env_ns", "acme")["additionalParamsForVnf"]
    mep = next(m for m in values if m["member-vnf-index"] == "mep")
    assert mep["additionalParamsForKdu"][0]["additionalParams"]["image"] == {
        "repository": "registry.nsp.example:5000/mec/osm-mec/mep", "tag": "0.1.0"}


def test_an_explicit_image_wins_over_the_registry():
    profile = validate_profile_data({"mep": {"image": "quay.io/acme/mep:2"}})
    assert profile["mep"]["image"] == "quay.io/acme/mep:2"
    assert profile["mec_app"]["image"] == "ghcr.io/osm-mec/osm-mec/mecapp:0.1.0"


@pytest.mark.parametrize("registry", ["https://ghcr.io/nsp", "GHCR.io/nsp", "ghcr.io/nsp/",
                                      "", "ghcr.io/Nsp"])
def test_profile_refuses_a_malformed_registry(registry):
    with pytest.raises(UsageError, match="registry"):
        validate_profile_data({"registry": registry})


def test_default_profile_file_documents_the_registry():
    text = default_profile_yaml()
    assert "registry: ghcr.io/osm-mec" in text
    assert "<registry>/osm-mec/mep:0.1.0" in text
    assert validate_profile_data(yaml.safe_load(text))["mep"]["image"] == \
        "ghcr.io/osm-mec/osm-mec/mep:0.1.0"


def test_registry_less_image_is_refused_outside_the_sandbox():
    profile = validate_profile_data({"mec_app": {"image": "osm-mec/mecapp:0.1.0"}})
    problems = images.profile_image_problems(profile)
    assert len(problems) == 1
    assert problems[0].startswith("mec_app.image: image 'osm-mec/mecapp:0.1.0' names no "
                                  "registry host")
    assert "docker.io/osm-mec/mecapp:0.1.0" in problems[0]
    with pytest.raises(UsageError, match=r"mec_app\.image") as refused:
        images.require_registry_images(profile, sandbox=False)
    assert refused.value.exit_code == 2
    images.require_registry_images(profile, sandbox=True)  # the sandbox pulls nothing
    images.require_registry_images(validate_profile_data({}), sandbox=False)


def test_chart_values_images_without_a_registry_are_found():
    values = {"image": {"repository": "osm-mec/mep", "tag": "1"},
              "redis": {"image": {"repository": "redis", "tag": "7"}},
              "sidecar": {"image": {"repository": "quay.io/x/y", "tag": "1"}}}
    found = dict(images.chart_values_problems(values))
    assert set(found) == {"image.repository", "redis.image.repository"}
    assert "Docker Hub (docker.io/redis)" in found["redis.image.repository"]


@pytest.mark.parametrize("chart", ["mep", "mec-app", "baseline-alpine"])
def test_our_charts_name_every_registry(chart):
    values = yaml.safe_load((REPO / "helm" / chart / "values.yaml").read_text())
    assert images.chart_values_problems(values) == []


def test_validate_warns_about_a_chart_image_without_registry(package_copy):
    package = package_copy("mec_blocks_cnf")
    values_file = package / "helm-chart-v3s" / "mep" / "values.yaml"
    values_file.write_text(values_file.read_text().replace(
        "repository: ghcr.io/osm-mec/osm-mec/mep", "repository: osm-mec/mep"))
    findings = [f for f in validate_paths((package,)) if "registry host" in f.message]
    assert [(f.path, f.severity) for f in findings] == [("image.repository", "warning")]
    assert findings[0].file.endswith("helm-chart-v3s/mep/values.yaml")
