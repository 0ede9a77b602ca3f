"""Issue 12 item 9: NodePorts are left to Kubernetes and read back from OSM's records, so
the profile's fixed ports (``mep.node_port``, ``edge_osm.nbi_node_port``) are gone; a profile
still naming them is refused (exit 2) with the reason, not with a bare schema error."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from osm_mec.cli.commands import cli
from osm_mec.offer.params import instantiation_params
from osm_mec.offer.profile import default_profile, default_profile_yaml


def test_a_profile_naming_a_removed_node_port_is_refused_with_the_reason(tmp_path: Path):
    old = tmp_path / "old.yaml"
    old.write_text("mep:\n  node_port: 30380\nedge_osm:\n  nbi_node_port: 30999\n")
    result = CliRunner().invoke(cli, ["profile", "check", str(old)])
    assert result.exit_code == 2, result.output
    assert f"{old}: mep.node_port: no longer a profile field" in result.output
    assert f"{old}: edge_osm.nbi_node_port: no longer a profile field" in result.output
    assert "Kubernetes allocates" in result.output and "remove it" in result.output
    assert "was unexpected" not in result.output  # one message per field, with its reason
    assert "Traceback" not in result.output


def test_no_fixed_node_port_anywhere():
    assert "node_port" not in default_profile_yaml()
    params = instantiation_params(default_profile(), "mec_env_ns", "acme")
    assert "nodePort" not in str(params) and "30380" not in str(params)
