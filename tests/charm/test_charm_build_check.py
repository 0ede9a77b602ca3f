"""`osm-mec validate` refuses a package whose charm Juju could not run: no dispatch (the
charm's source), or ops/yaml missing or broken in venv/ or in venv-py36/ (the venv dispatch
picks on Python 3.6, Ubuntu 18.04) (validation/charm_build_check.py)."""

from __future__ import annotations

import shutil

import pytest

from osm_mec.offer.descriptors import PACKAGES
from osm_mec.offer.packages import build
from osm_mec.offer.validation import has_errors, validate_paths

from .conftest import CHARM_DIR

CHARMED = [spec for spec in PACKAGES if spec.charms]


@pytest.fixture(scope="module")
def charmed(tmp_path_factory, profile):
    """The packages that carry a charm, built as `osm-mec build` builds them."""
    out = tmp_path_factory.mktemp("packages")
    build(profile, out, CHARMED)
    return out


def _charm_findings(folder):
    return [f for f in validate_paths([folder]) if f.path == "(charm)"]


def test_built_packages_carry_a_runnable_charm(charmed):
    for spec in CHARMED:
        folder = charmed / spec.name
        assert (folder / "charms" / spec.charms[0] / "dispatch").stat().st_mode & 0o111
        findings = validate_paths([folder])
        assert not has_errors(findings), [f.line() for f in findings]


def test_charm_source_without_dispatch_is_an_error(charmed, tmp_path):
    """The defect: packages carried the charm's source, which Juju runs nothing of."""
    folder = tmp_path / "pkg"
    shutil.copytree(charmed / CHARMED[0].name, folder)
    charm = folder / "charms" / "k8s-cluster"
    shutil.rmtree(charm)
    shutil.copytree(CHARM_DIR, charm, ignore=shutil.ignore_patterns("wheelhouse"))
    (finding,) = _charm_findings(folder)
    assert finding.file.endswith("charms/k8s-cluster")
    assert "has no dispatch script" in finding.message and "osm-mec build" in finding.message


@pytest.mark.parametrize("damage, expected", [
    ("remove-ops", "'ops' is not vendored in venv/ or lib/"),
    ("remove-yaml", "'yaml' is not vendored"),
    ("break-ops", "vendored 'ops' cannot be imported"),
    ("not-executable", "not executable"),
    ("remove-py36-ops", "'ops' is not vendored in lib/ or venv-py36/"),
    ("break-py36-yaml", "vendored 'yaml' cannot be imported"),
])
def test_unimportable_ops_or_unrunnable_dispatch_is_an_error(charmed, tmp_path, damage,
                                                             expected):
    folder = tmp_path / "pkg"
    shutil.copytree(charmed / CHARMED[0].name, folder)
    charm = folder / "charms" / "k8s-cluster"
    if damage == "remove-ops":
        shutil.rmtree(charm / "venv" / "ops")
    elif damage == "remove-yaml":
        shutil.rmtree(charm / "venv" / "yaml")
    elif damage == "break-ops":
        (charm / "venv" / "ops" / "__init__.py").write_text("def broken(:\n")
    elif damage == "remove-py36-ops":  # what Ubuntu 18.04's Python 3.6 runs
        shutil.rmtree(charm / "venv-py36" / "ops")
    elif damage == "break-py36-yaml":
        (charm / "venv-py36" / "yaml" / "__init__.py").write_text("def broken(:\n")
    else:
        (charm / "dispatch").chmod(0o644)
    findings = _charm_findings(folder)
    assert findings and expected in findings[0].message, [f.line() for f in findings]
