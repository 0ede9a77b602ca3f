"""Every validation rule: a generated package broken in exactly that way is rejected with a
message naming the field. Checksums are refreshed after each change, so the only finding
left is the rule under test (the checksum rules have their own tests)."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any, Callable

import pytest
from click.testing import CliRunner

from osm_mec.cli.commands import cli
from osm_mec.offer.packages import PackageFile, archive_bytes, checksums_text
from osm_mec.offer.validation import (
    ERROR,
    WARNING,
    has_errors,
    validate_package_bytes,
    validate_paths,
)

from .archives import tar_gz
from .conftest import dump_yaml, load_yaml

VNFS = ["k8s_cluster_vnf", "mec_blocks_cnf", "edge_mano_cnf", "mec_app_cnf", "baseline_vnf",
        "baseline_cnf"]


def refresh_checksums(folder: Path) -> None:
    files = {p.relative_to(folder).as_posix(): PackageFile(p.read_bytes())
             for p in folder.rglob("*") if p.is_file() and p.name != "checksums.txt"}
    (folder / "checksums.txt").write_text(checksums_text(files))


def mutate_descriptor(folder: Path, change: Callable[[dict], Any]) -> Path:
    descriptor = next(p for p in folder.iterdir() if p.suffix == ".yaml")
    data = load_yaml(descriptor)
    change(data)
    dump_yaml(descriptor, data)
    refresh_checksums(folder)
    return descriptor


def day12(data: dict, entry_id: str) -> dict:
    entries = data["vnfd"]["df"][0]["lcm-operations-configuration"]["operate-vnf-op-config"]
    return next(e for e in entries["day1-2"] if e["id"] == entry_id)


def primitive(data: dict, entry_id: str, key: str, name: str) -> dict:
    return next(p for p in day12(data, entry_id)[key] if p["name"] == name)


def nsd(data: dict) -> dict:
    return data["nsd"]["nsd"][0]


def _set(path: list, value: Any) -> Callable[[dict], None]:
    def change(data: dict) -> None:
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return change


def _delete(path: list) -> Callable[[dict], None]:
    def change(data: dict) -> None:
        target = data
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]
    return change


def _append_copy(path: list) -> Callable[[dict], None]:
    def change(data: dict) -> None:
        target = data
        for key in path:
            target = target[key]
        target.append(copy.deepcopy(target[0]))
    return change


def _both_charts(data: dict) -> None:
    data["vnfd"]["kdu"][0]["helm-chart"] = "stable/openldap"


def _no_chart(data: dict) -> None:
    del data["vnfd"]["kdu"][0]["helm-chart"]


def _two_choices(data: dict) -> None:
    data["vnfd"]["ext-cpd"][0]["int-virtual-link-desc"] = "cluster-net"


def _param(entry: str, key: str, name: str, pname: str, **changes: Any) -> Callable[[dict], None]:
    def change(data: dict) -> None:
        for param in primitive(data, entry, key, name)["parameter"]:
            if param["name"] == pname:
                param.update(changes)
    return change


def _drop_param(entry: str, key: str, name: str, pname: str) -> Callable[[dict], None]:
    def change(data: dict) -> None:
        prim = primitive(data, entry, key, name)
        prim["parameter"] = [p for p in prim["parameter"] if p["name"] != pname]
    return change


def _add_param(entry: str, key: str, name: str, param: dict) -> Callable[[dict], None]:
    def change(data: dict) -> None:
        primitive(data, entry, key, name).setdefault("parameter", []).append(param)
    return change


def _rename_primitive(entry: str, key: str, old: str, new: str) -> Callable[[dict], None]:
    def change(data: dict) -> None:
        primitive(data, entry, key, old)["name"] = new
    return change


def _scaling_policy(data: dict) -> None:
    data["vnfd"]["df"][0]["scaling-aspect"][0]["scaling-policy"] = [{
        "name": "cpu", "scaling-type": "automatic",
        "scaling-criteria": [{"name": "cpu-high", "vnf-monitoring-param-ref": "cpu_util",
                              "scale-out-threshold": 80}]}]


def _mgmt_protocol_data(data: dict) -> None:
    nsd(data)["df"][0]["virtual-link-profile"] = [{
        "id": "mgmt-profile", "virtual-link-desc-id": "mgmtnet",
        "virtual-link-protocol-data": {"l3-protocol-data": {"cidr": "10.0.0.0/24"}}}]


def _two_nsds(data: dict) -> None:
    extra = copy.deepcopy(nsd(data))
    extra["id"] = "other"
    data["nsd"]["nsd"].append(extra)


K8S = "k8s_cluster_vnf"
DESCRIPTOR_RULES = [
    # information model
    ("unknown-key", K8S, _set(["vnfd", "vdu", 0, "flavor"], "x"), "vnfd.vdu[0]",
     "unknown key(s) 'flavor'"),
    ("vnfd_id-alias", "mec_app_ns", _set(["nsd", "nsd", 0, "df", 0, "vnf-profile", 0, "vnfd_id"],
                                         "x"),
     "nsd.nsd[0].df[0].vnf-profile[0]", "'vnfd_id'"),
    ("non-numeric-integer", K8S,
     _set(["vnfd", "df", 0, "vdu-profile", 1, "max-number-of-instances"], "ten"),
     "vnfd.df[0].vdu-profile[1].max-number-of-instances", "'ten' is not a number"),
    ("quoted-integer", K8S,
     _set(["vnfd", "virtual-compute-desc", 0, "virtual-cpu", "num-virtual-cpu"], "4"),
     "vnfd.virtual-compute-desc[0].virtual-cpu.num-virtual-cpu", "quoted number"),
    ("null-value", K8S, _set(["vnfd", "vdu", 0, "description"], None),
     "vnfd.vdu[0].description", "null value"),
    ("duplicate-list-key", K8S, _append_copy(["vnfd", "vdu"]), "vnfd.vdu[2]",
     "duplicate list key id='worker'"),
    ("duplicate-composite-key", "k8s_osm_cluster_ns",
     _append_copy(["nsd", "nsd", 0, "df", 0, "vnf-profile", 0, "virtual-link-connectivity", 0,
                   "constituent-cpd-id"]),
     "constituent-cpd-id[2]", "duplicate list key constituent-base-element-id='cluster'"),
    ("enum-interface-type", K8S,
     _set(["vnfd", "vdu", 0, "int-cpd", 0, "virtual-network-interface-requirement", 0,
           "virtual-interface", "type"], "VIRTIO-NET"),
     "virtual-interface.type", "'VIRTIO-NET' is not allowed"),
    ("enum-juju-cloud", K8S, lambda d: day12(d, "controller")["execution-environment-list"][0]
     ["juju"].update(cloud="aws"), "juju.cloud", "'aws' is not allowed"),
    ("enum-data-type", K8S, _param("controller", "initial-config-primitive", "config",
                                   "role", **{"data-type": "TEXT"}),
     "parameter[2].data-type", "'TEXT' is not allowed"),
    ("enum-helm-version", "mec_blocks_cnf", _set(["vnfd", "kdu", 0, "helm-version"], "v4"),
     "vnfd.kdu[0].helm-version", "'v4' is not allowed"),
    ("enum-cni", "mec_blocks_cnf", _set(["vnfd", "k8s-cluster", "cni"], ["weave"]),
     "vnfd.k8s-cluster.cni[0]", "'weave' is not allowed"),
    ("range", K8S, _set(["vnfd", "virtual-compute-desc", 0, "virtual-cpu", "num-virtual-cpu"], 0),
     "num-virtual-cpu", "less than the minimum of 1"),
    ("missing-required", K8S, _delete(["vnfd", "product-name"]), "vnfd",
     "'product-name' is a required property"),
    ("helm-chart-and-bundle", "edge_mano_cnf", _both_charts, "vnfd.kdu[0]",
     "both helm-chart and juju-bundle"),
    ("kdu-without-model", "mec_blocks_cnf", _no_chart, "vnfd.kdu[0]",
     "needs helm-chart or juju-bundle"),
    ("kdu-mgmt-service", "edge_mano_cnf",
     _set(["vnfd", "kdu", 0, "service", 0, "mgmt-service"], True),
     "vnfd.kdu[0].service[0]", "unknown key 'mgmt-service': OSM's information model dropped"),
    ("scaling-type", K8S, lambda d: d["vnfd"]["df"][0]["scaling-aspect"][0].update(
        {"scaling-policy": [{"name": "p", "scaling-type": "sometimes"}]}),
     "scaling-type", "'sometimes' is not allowed"),
    ("one-nsd", "mec_app_ns", _two_nsds, "nsd.nsd", "exactly one nsd"),
    # NBI cross-references, VNFD
    ("mgmt-cp-unknown", K8S, _set(["vnfd", "mgmt-cp"], "nope"), "vnfd.mgmt-cp",
     "'nope' is not an ext-cpd id"),
    ("mgmt-cp-missing", K8S, _delete(["vnfd", "mgmt-cp"]), "vnfd.mgmt-cp",
     "a VNFD with VDUs needs mgmt-cp"),
    ("int-cpd-vl", K8S, _set(["vnfd", "vdu", 0, "int-cpd", 1, "int-virtual-link-desc"], "x-net"),
     "vnfd.vdu[0].int-cpd[1].int-virtual-link-desc", "'x-net', which is not an"),
    ("ext-cpd-vdu", K8S, _set(["vnfd", "ext-cpd", 0, "int-cpd", "vdu-id"], "ghost"),
     "vnfd.ext-cpd[0].int-cpd.vdu-id", "'ghost' is not a vdu id"),
    ("ext-cpd-cpd", K8S, _set(["vnfd", "ext-cpd", 0, "int-cpd", "cpd"], "worker-mgmt"),
     "vnfd.ext-cpd[0].int-cpd.cpd", "is not an int-cpd of vdu 'controller'"),
    ("ext-cpd-k8s-net", "mec_blocks_cnf", _set(["vnfd", "ext-cpd", 0, "k8s-cluster-net"], "x"),
     "vnfd.ext-cpd[0].k8s-cluster-net", "not a k8s-cluster.nets id"),
    ("ext-cpd-one-choice", K8S, _two_choices, "vnfd.ext-cpd[0]", "takes exactly one of them"),
    ("compute-ref", K8S, _set(["vnfd", "vdu", 1, "virtual-compute-desc"], "big"),
     "vnfd.vdu[1].virtual-compute-desc", "not a virtual-compute-desc id"),
    ("storage-ref", K8S, _set(["vnfd", "vdu", 1, "virtual-storage-desc"], ["disk"]),
     "vnfd.vdu[1].virtual-storage-desc[0]", "not a virtual-storage-desc id"),
    ("image-ref", K8S, _set(["vnfd", "vdu", 1, "sw-image-desc"], "debian"),
     "vnfd.vdu[1].sw-image-desc", "not a sw-image-desc id"),
    ("scaling-delta-level", K8S, _set(["vnfd", "df", 0, "instantiation-level", 0, "vdu-level"],
                                      [{"vdu-id": "controller", "number-of-instances": 1}]),
     "deltas[0].vdu-delta[0].id", "does not appear in an instantiation-level"),
    ("scaling-monitoring-param", K8S, _scaling_policy, "vnf-monitoring-param-ref",
     "not a monitoring-parameter id"),
    ("df-virtual-link-profile", K8S, _set(["vnfd", "df", 0, "virtual-link-profile"],
                                          [{"id": "other-net", "flavour": "default"}]),
     "vnfd.df[0].virtual-link-profile[0].id", "not an int-virtual-link-desc id"),
    ("vdu-profile-bounds", K8S, _set(["vnfd", "df", 0, "vdu-profile", 1,
                                      "min-number-of-instances"], 20),
     "vnfd.df[0].vdu-profile[1]", "exceeds max-number-of-instances"),
    ("helm-chart-form", "mec_blocks_cnf", _set(["vnfd", "kdu", 0, "helm-chart"], "a/b/c"),
     "vnfd.kdu[0].helm-chart", "neither <repo>/<chart>"),
    ("ee-ref", K8S, lambda d: primitive(d, "controller", "config-primitive", "list-nodes")
     .update({"execution-environment-ref": "other-ee"}),
     "execution-environment-ref", "'other-ee' is not an execution-environment-list id"),
    ("day12-id", K8S, lambda d: day12(d, "worker").update(id="workr"),
     "day1-2[1].id", "'workr' is neither the vnfd id"),
    # NBI cross-references, NSD
    ("nsd-vnfd-list", "mec_app_ns", _set(["nsd", "nsd", 0, "vnfd-id"], ["mecaas_baseline_cnf"]),
     "nsd.nsd[0].df[0].vnf-profile[0].vnfd-id", "not in the NSD's vnfd-id list"),
    ("nsd-base-element", "mec_app_ns",
     _set(["nsd", "nsd", 0, "df", 0, "vnf-profile", 0, "virtual-link-connectivity", 0,
           "constituent-cpd-id", 0, "constituent-base-element-id"], "app"),
     "constituent-base-element-id", "'app' is not a vnf-profile id"),
    ("nsd-ext-cpd", "mec_app_ns",
     _set(["nsd", "nsd", 0, "df", 0, "vnf-profile", 0, "virtual-link-connectivity", 0,
           "constituent-cpd-id", 0, "constituent-cpd-id"], "eth0-ext"),
     "constituent-cpd-id[0].constituent-cpd-id", "'eth0-ext' is not an ext-cpd of VNFD"),
    ("nsd-vl", "mec_app_ns",
     _set(["nsd", "nsd", 0, "df", 0, "vnf-profile", 0, "virtual-link-connectivity", 0,
           "virtual-link-profile-id"], "datanet"),
     "virtual-link-profile-id", "'datanet' is not a virtual-link-desc id"),
    ("nsd-mgmt-protocol-data", "mec_app_ns", _mgmt_protocol_data, "virtual-link-protocol-data",
     "a mgmt-network VL cannot have"),
    # charm contract
    ("charm-unknown-action", K8S, _rename_primitive("controller", "config-primitive",
                                                    "list-nodes", "list-all-nodes"),
     "config-primitive[3].name", "'list-all-nodes' is not an action of charm 'k8s-cluster'"),
    ("charm-config-option", K8S, _add_param("worker", "initial-config-primitive", "config",
                                            {"name": "ssh-timeout", "data-type": "INTEGER",
                                             "value": "22"}),
     "initial-config-primitive[0].parameter[3].name", "'ssh-timeout' is not a config option"),
    ("charm-required-param", K8S, _drop_param("controller", "initial-config-primitive",
                                              "init-control-plane", "advertise-address"),
     "initial-config-primitive[1]", "requires parameter 'advertise-address': give it here"),
    ("charm-required-declared", K8S, _drop_param("controller", "config-primitive",
                                                 "remove-node", "node"),
     "config-primitive[2]", "requires parameter 'node': declare it here"),
    ("charm-type", K8S, _param("controller", "config-primitive", "get-kubeconfig", "duration",
                               **{"data-type": "STRING"}),
     "parameter[2].data-type", "STRING does not match the charm's type"),
    ("charm-value", K8S, _add_param("controller", "initial-config-primitive",
                                    "init-control-plane",
                                    {"name": "ready-timeout", "data-type": "INTEGER",
                                     "value": "ten minutes"}),
     "parameter[6].value", "'ten minutes' is not a valid INTEGER"),
    ("charm-unknown-param", K8S, _add_param("controller", "initial-config-primitive",
                                            "init-control-plane", {"name": "token-ttl",
                                                                   "data-type": "STRING",
                                                                   "value": "1h"}),
     "parameter[6].name", "'token-ttl' is not a parameter of action 'init-control-plane'"),
    ("charm-relation-endpoint", K8S, lambda d: day12(d, d["vnfd"]["id"])["relation"][0][
        "requirer"].update(endpoint="cluster"),
     "relation[0].requirer.endpoint", "'cluster' is not an endpoint charm 'k8s-cluster' "
                                      "requires"),
    ("charm-relation-role", K8S, lambda d: day12(d, d["vnfd"]["id"])["relation"][0][
        "provider"].update(endpoint="control-plane"),
     "relation[0].provider.endpoint", "'control-plane' is not an endpoint charm "
                                      "'k8s-cluster' provides"),
]


@pytest.mark.parametrize("rule, package, change, path, message",
                         DESCRIPTOR_RULES, ids=[r[0] for r in DESCRIPTOR_RULES])
def test_broken_descriptor_is_rejected(package_copy, built, rule, package, change, path,
                                       message):
    folder = package_copy(package)
    descriptor = mutate_descriptor(folder, change)
    others = [built / name for name in VNFS if name != package] if package.endswith("_ns") \
        else []
    findings = validate_paths([folder, *others])
    errors = [f for f in findings if f.severity == ERROR]
    assert errors, f"{rule}: no error"
    matching = [f for f in errors if path in f.path and message in f.message]
    assert matching, f"{rule}: {[f.line() for f in errors]}"
    assert all(f.file == str(descriptor) for f in errors), [f.line() for f in errors]


def test_optional_parameter_without_default_is_a_warning(package_copy):
    """NBI requires a primitive parameter with no or an empty default-value (400 "Needed
    parameter ... not provided"): a charm-optional parameter declared so is a trap."""
    folder = package_copy(K8S)
    mutate_descriptor(folder, _add_param("controller", "config-primitive", "register-cluster",
                                         {"name": "vim-network", "data-type": "STRING",
                                          "default-value": ""}))
    findings = validate_paths([folder])
    assert not has_errors(findings)
    assert [(f.severity, f.message) for f in findings] == [(WARNING, (
        "'vim-network' is optional for the charm, but OSM's NBI refuses every action request "
        "without it, as it has no non-empty default-value: give one or leave the parameter "
        "out"))]
    assert findings[0].path.endswith("config-primitive[4].parameter[7]")


def test_generated_packages_have_no_findings(built):
    findings = validate_paths(sorted(built.iterdir()))
    assert findings == []


def test_nsd_alone_warns_about_unknown_vnfds(built):
    findings = validate_paths([built / "mec_env_ns"])
    assert not has_errors(findings)
    assert {f.severity for f in findings} == {WARNING}
    assert any("'mecaas_k8s_cluster_vnf' is not onboarded" in f.message for f in findings)


def test_nsd_with_missing_vnfd_is_an_error_when_vnfs_are_given(built):
    findings = validate_paths([built / "mec_env_ns", built / "k8s_cluster_vnf"])
    errors = [f for f in findings if f.severity == ERROR]
    assert {f.path for f in errors} == {"nsd.nsd[0].vnfd-id[1]", "nsd.nsd[0].vnfd-id[2]"}


def test_missing_cloud_init_file(package_copy):
    folder = package_copy(K8S)
    (folder / "cloud_init" / "worker-cloud-init.cfg").unlink()
    refresh_checksums(folder)
    findings = validate_paths([folder])
    assert [(f.path, f.message) for f in findings] == [
        ("vnfd.vdu[0].cloud-init-file", "'worker-cloud-init.cfg' is not in the package's "
                                        "cloud_init/ folder")]


def test_cloud_init_template_syntax(package_copy):
    folder = package_copy(K8S)
    path = folder / "cloud_init" / "worker-cloud-init.cfg"
    path.write_text(path.read_text() + "\n# {{ cluster_name \n")
    refresh_checksums(folder)
    findings = validate_paths([folder])
    assert len(findings) == 1 and "does not parse" in findings[0].message
    assert findings[0].file.endswith("cloud_init/worker-cloud-init.cfg")


@pytest.mark.parametrize("remove", ["folder", "contents"])
def test_missing_or_empty_charm_folder(package_copy, remove):
    folder = package_copy(K8S)
    charm = folder / "charms" / "k8s-cluster"
    shutil.rmtree(charm)
    if remove == "contents":
        (charm / "src").mkdir(parents=True)  # folders but no file: still empty
    refresh_checksums(folder)
    errors = [f for f in validate_paths([folder]) if f.severity == ERROR]
    prefix = "vnfd.df[0].lcm-operations-configuration.operate-vnf-op-config.day1-2"
    assert [f.path for f in errors] == [f"{prefix}[0].execution-environment-list[0].juju.charm"]
    assert errors[0].message == ("charm 'k8s-cluster' is not a non-empty folder under charms/ "
                                 "in the package")


def test_missing_local_chart(package_copy):
    folder = package_copy("mec_blocks_cnf")
    for path in sorted((folder / "helm-chart-v3s").rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    refresh_checksums(folder)
    findings = validate_paths([folder])
    assert [(f.path, f.message) for f in findings] == [
        ("vnfd.kdu[0].helm-chart", "local chart 'mep' is not under helm-chart-v3s/ in the "
                                   "package")]


def test_chart_that_fails_helm_lint(package_copy):
    folder = package_copy("mec_blocks_cnf")
    template = folder / "helm-chart-v3s" / "mep" / "templates" / "service.yaml"
    template.write_text(template.read_text() + "\n  broken: {{ .Values.nothing.here }}\n")
    refresh_checksums(folder)
    findings = [f for f in validate_paths([folder]) if f.severity == ERROR]
    assert findings and all(f.path == "helm lint" for f in findings)
    assert any("nil pointer" in f.message or "nothing" in f.message for f in findings)


def test_missing_juju_bundle(package_copy):
    folder = package_copy("edge_mano_cnf")
    (folder / "juju-bundles" / "charmed-osm.yaml").unlink()
    refresh_checksums(folder)
    findings = validate_paths([folder])
    assert [(f.path, f.message) for f in findings] == [
        ("vnfd.kdu[0].juju-bundle", "bundle 'charmed-osm.yaml' is not under juju-bundles/")]


def test_bundle_relation_to_unknown_application(package_copy):
    folder = package_copy("edge_mano_cnf")
    bundle = folder / "juju-bundles" / "charmed-osm.yaml"
    data = load_yaml(bundle)
    data["relations"].append(["lcm:pla", "pla:pla"])
    dump_yaml(bundle, data)
    refresh_checksums(folder)
    findings = validate_paths([folder])
    assert len(findings) == 1
    assert findings[0].message == "'pla:pla' names application 'pla', which is not in the bundle"


def test_checksum_mismatch_and_unlisted_file(package_copy):
    folder = package_copy("mec_app_ns")
    (folder / "README.md").write_text("changed\n")
    (folder / "notes.txt").write_text("extra\n")
    findings = validate_paths([folder])
    assert sorted((f.path, f.message) for f in findings) == [
        ("README.md", "md5 does not match the file; rebuild the package"),
        ("notes.txt", "file not listed in checksums.txt"),
        ("nsd.nsd[0].vnfd-id[0]", "VNFD 'mecaas_mec_app_cnf' is not onboarded (or not among "
                                  "the validated packages); OSM refuses this NSD until it is"),
    ]


def test_two_descriptors_in_a_package(package_copy):
    folder = package_copy("mec_app_cnf")
    (folder / "second.yaml").write_text("vnfd: {id: x}\n")
    findings = validate_paths([folder])
    assert findings[0].message.startswith("more than one descriptor at the top of the package")




def test_archive_with_two_top_level_folders(built):
    data = tar_gz({"a/x_vnfd.yaml": (built / "mec_app_cnf" / "mec_app_cnfd.yaml").read_bytes(),
                     "b/readme": b"x"})
    descriptor, findings = validate_package_bytes(data, "upload.tar.gz")
    assert descriptor is None
    assert "needs exactly one top-level folder, found 2" in findings[-1].message


def test_archive_with_unsafe_path():
    data = tar_gz({"pkg/../../etc/passwd": b"x", "pkg/x_vnfd.yaml": b"vnfd: {}"})
    _, findings = validate_package_bytes(data, "upload.tar.gz")
    assert any("unsafe path" in f.message for f in findings)


def test_not_antar_gz():
    _, findings = validate_package_bytes(b"not gzip", "upload.tar.gz")
    assert findings[0].message.startswith("not a readable tar archive")


def test_generated_archive_validates_from_bytes(built):
    descriptor, findings = validate_package_bytes(
        (built / "k8s_cluster_vnf.tar.gz").read_bytes(), "k8s_cluster_vnf.tar.gz")
    assert descriptor is not None and descriptor.descriptor_id == "mecaas_k8s_cluster_vnf"
    assert findings == []


def test_archive_rebuilt_from_broken_folder_reports_archive_path(package_copy, tmp_path):
    folder = package_copy("mec_blocks_cnf")
    mutate_descriptor(folder, _set(["vnfd", "mgmt-cp"], "nope"))
    files = {p.relative_to(folder).as_posix(): PackageFile(p.read_bytes())
             for p in sorted(folder.rglob("*")) if p.is_file()}
    archive = tmp_path / "broken.tar.gz"
    archive.write_bytes(archive_bytes("mec_blocks_cnf", files))
    findings = validate_paths([archive])
    assert [f.line() for f in findings] == [
        f"{archive}:mec_blocks_cnf/mec_blocks_cnfd.yaml: vnfd.mgmt-cp: 'nope' is not an "
        "ext-cpd id"]


def test_single_descriptor_file_and_json_output(built, tmp_path):
    broken = tmp_path / "vnfd.yaml"
    data = load_yaml(built / K8S / "k8s_cluster_vnfd.yaml")
    data["vnfd"]["mgmt-cp"] = "nope"
    dump_yaml(broken, data)
    runner = CliRunner()
    result = runner.invoke(cli, ["validate", str(broken)])
    assert result.exit_code == 1
    assert f"{broken}: vnfd.mgmt-cp: 'nope' is not an ext-cpd id" in result.output
    result = runner.invoke(cli, ["validate", "--format", "json", str(broken)])
    assert result.exit_code == 1
    import json
    report = json.loads(result.stdout)
    assert report["valid"] is False
    assert report["findings"][0]["path"] == "vnfd.mgmt-cp"
    ok = runner.invoke(cli, ["validate", str(built / K8S / "k8s_cluster_vnfd.yaml")])
    assert ok.exit_code == 0


def test_unparseable_and_unknown_inputs(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("vnfd: [\n")
    other = tmp_path / "other.yaml"
    other.write_text("foo: 1\n")
    text = tmp_path / "x.txt"
    text.write_text("hello")
    findings = validate_paths([bad, other, tmp_path / "missing", text])
    by_file = {f.file: f.message for f in findings}
    assert by_file[str(bad)].startswith("cannot parse")
    assert by_file[str(other)].startswith("neither a VNFD")
    assert by_file[str(tmp_path / "missing")] == "no such file or folder"
    assert by_file[str(text)].startswith("not a package folder")
    assert has_errors(findings)
