"""The MECaaS profile: defaults, the commented default file, and errors naming the field."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from osm_mec.cli.commands import cli
from osm_mec.core.errors import UsageError
from osm_mec.offer.profile import (
    default_profile,
    default_profile_yaml,
    load_profile,
    validate_profile_data,
)


def test_defaults_follow_the_paper():
    data = default_profile().data
    assert data["flavours"]["worker"] == {"vcpu": 4, "ram_gib": 8, "disk_gib": 40}
    assert data["workers"] == {"initial": 1, "min": 1, "max": 10}
    assert data["cluster"]["network_cidr"] == "172.16.0.0/24"
    assert data["cluster"]["kubernetes_version"] == "1.30"
    assert data["model"] == "b2b2c"


def test_init_writes_a_commented_profile_equal_to_the_defaults():
    text = default_profile_yaml()
    data_lines = [l for l in text.splitlines() if l.strip() and not l.lstrip().startswith("#")]
    comment_lines = [l for l in text.splitlines() if l.lstrip().startswith("#")]
    assert len(comment_lines) >= len(data_lines)  # a comment on every field
    assert validate_profile_data(yaml.safe_load(text)).data == default_profile().data


def test_partial_profile_is_merged_with_defaults(tmp_path: Path):
    path = tmp_path / "p.yaml"
    path.write_text("name_prefix: acme\nworkers: {max: 4}\n")
    prof = load_profile(path)
    assert prof.prefix == "acme"
    assert prof["workers"] == {"initial": 1, "min": 1, "max": 4}
    assert prof.descriptor_id("k8s_cluster_vnf") == "acme_k8s_cluster_vnf"


@pytest.mark.parametrize("data, expected", [
    ({"colour": "red"}, "(top level): Additional properties are not allowed ('colour'"),
    ({"workers": {"max": 0}}, "workers.max: 0 is less than the minimum of 1"),
    ({"cluster": {"cni": "weave"}}, "cluster.cni: 'weave' is not allowed; use one of"),
    ({"flavours": {"worker": {"vcpu": "four"}}}, "flavours.worker.vcpu: 'four' is not of type"),
    ({"model": "b2b"}, "model: 'b2b' is not allowed"),
    ({"name_prefix": "Bad_Prefix"}, "name_prefix: 'Bad_Prefix' does not match"),
    ({"workers": {"initial": 5, "max": 3}}, "workers: need min <= initial <= max"),
    ({"cluster": {"controller_ip": "10.0.0.5"}}, "cluster.controller_ip: 10.0.0.5 is outside"),
    ({"cluster": {"controller_ip": "172.16.0.1"}}, "gateway (first host)"),
    ({"cluster": {"controller_ip": "172.16.0.250"}}, "leaves fewer than workers.max=10"),
    ({"cluster": {"pod_cidr": "172.16.0.0/16"}}, "cluster.pod_cidr: 172.16.0.0/16 overlaps"),
    ({"cluster": {"network_cidr": "172.16.0.1/24"}}, "cluster.network_cidr: '172.16.0.1/24' is not"),
    ({"cluster": {"kubernetes_version": "1.20"}}, "cluster.kubernetes_version: '1.20' does not match"),
])
def test_errors_name_the_yaml_path_and_value(data, expected):
    with pytest.raises(UsageError) as err:
        validate_profile_data(data, "p.yaml")
    assert expected in str(err.value)
    assert err.value.exit_code == 2


def test_unknown_key_error_lists_allowed_keys():
    with pytest.raises(UsageError, match="allowed keys: initial, min, max"):
        validate_profile_data({"workers": {"maximum": 3}}, "p.yaml")


def test_cli_init_and_check(tmp_path: Path):
    runner = CliRunner()
    target = tmp_path / "profile.yaml"
    assert runner.invoke(cli, ["profile", "init", str(target)]).exit_code == 0
    result = runner.invoke(cli, ["profile", "check", str(target)])
    assert result.exit_code == 0 and "valid profile" in result.output
    # refuses to overwrite without --force
    assert runner.invoke(cli, ["profile", "init", str(target)]).exit_code == 2
    assert runner.invoke(cli, ["profile", "init", "--force", str(target)]).exit_code == 0


def test_cli_check_bad_profile_exits_2(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("workers:\n  max: -1\n  extra: 1\n")
    result = CliRunner().invoke(cli, ["profile", "check", str(bad)])
    assert result.exit_code == 2
    assert f"{bad}: workers.max: -1 is less than the minimum of 1" in result.output
    assert "'extra' was unexpected" in result.output


def test_cli_check_invalid_yaml_exits_2(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("workers: [\n")
    result = CliRunner().invoke(cli, ["profile", "check", str(bad)])
    assert result.exit_code == 2 and "not valid YAML" in result.output


@pytest.mark.parametrize("content, expected", [
    (b"\x89PNG\r\n\x1a\n\x00\x00", "not UTF-8 text (byte 0)"),
    (b"a: " + b"[" * 100 + b"]" * 100, "nested more than 64 levels deep"),
    (b"a: &a 1\nb: [" + b", ".join([b"*a"] * 10_001) + b"]\n", "more than 10000 YAML aliases"),
    (b"workers: {max: 3}\n---\nworkers: {max: 4}\n", "more than one YAML document"),
], ids=["binary", "deep", "aliases", "two-documents"])
def test_unreadable_profiles_are_usage_errors_naming_the_file(tmp_path: Path, content, expected):
    path = tmp_path / "p.yaml"
    path.write_bytes(content)
    with pytest.raises(UsageError, match=re.escape(expected)) as err:
        load_profile(path)
    assert str(err.value).startswith(f"{path}: ") and err.value.exit_code == 2
