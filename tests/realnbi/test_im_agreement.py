"""`osm-mec validate` agrees with OSM's information model (and NBI's descriptor checks).

OSM's verdict comes from OSM's own code in the harness's venv (``../shared/osm-nbi``): each
descriptor goes through NBI's onboarding path (envelope, pyangbind validation against the
IM's generated bindings, NBI's cross-reference checks; see osm_im_judge.py), all cases in one
process. Cases: every generated descriptor (both business models) and every broken copy of
tests/test_validation_rules.py. Wherever OSM refuses, we refuse (with an information-model
finding when the IM is what refused). Where OSM accepts and we refuse, we are deliberately
stricter: every such case is listed in STRICTER below with the reason, and the list must
match exactly, so it cannot go stale.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
from pathlib import Path
from typing import Any, Callable

import pytest

from osm_mec.offer.assets import charm_dir
from osm_mec.offer.charm_interface import load_charm_interface
from osm_mec.offer.descriptors import PACKAGES, package_spec
from osm_mec.offer.descriptors.k8s_cluster_vnf import CHARM
from osm_mec.offer.profile import Profile, default_profile, validate_profile_data
from osm_mec.offer.validation.charm_contract import check_charm_contract
from osm_mec.offer.validation.findings import ERROR, Finding
from osm_mec.offer.validation.im_schema import NSD_FILE_SCHEMA, VNFD_FILE_SCHEMA
from osm_mec.offer.validation.information_model import check_information_model
from osm_mec.offer.validation.references import check_nsd_references, check_vnfd_references
from tests.shared_dir import SHARED, require_shared
from tests.test_validation_rules import DESCRIPTOR_RULES, _add_param

JUDGE = Path(__file__).with_name("osm_im_judge.py")

_CHARM = ("charm contract: OSM never reads the charm's actions.yaml; LCM fails the "
          "operation only when the primitive runs")
_LEAFREF = "a reference OSM's pyangbind and NBI do not check; "

# case id (a rule of tests/test_validation_rules.DESCRIPTOR_RULES) -> why we refuse what
# OSM (its IM and NBI's onboarding checks) accepts. Must match exactly.
STRICTER: dict[str, str] = {
    "vnfd_id-alias": "pyangbind reads vnfd_id as its Python alias of vnfd-id and overwrites "
                     "vnfd-id with it silently",
    "quoted-integer": "pyangbind casts '4' to 4; a descriptor relying on it is one typo away "
                      "from a refusal",
    "null-value": "NBI's RFC 7396 merge of the upload silently DROPS a key whose value is null",
    "duplicate-composite-key": "NBI's uniqueness check covers only a list's id or name leaf; "
                               "pyangbind merges entries with the same composite key silently",
    "missing-required": "pyangbind does not enforce mandatory leaves; OSM stores a VNFD "
                        "without product-name",
    "helm-chart-and-bundle": "the IM's kdu-model choice silently keeps only one of "
                             "helm-chart and juju-bundle",
    "kdu-without-model": "OSM onboards a KDU with neither helm-chart nor juju-bundle; LCM "
                         "cannot deploy it",
    "ext-cpd-k8s-net": _LEAFREF + "LCM cannot attach the CP to a cluster network",
    "ext-cpd-one-choice": "the IM's cp-connection choice silently keeps one of int-cpd and "
                          "int-virtual-link-desc",
    "image-ref": _LEAFREF + "RO fails the deployment when it looks the image up",
    "vdu-profile-bounds": "OSM onboards min > max; every instantiation or scale then fails",
    "ee-ref": _LEAFREF + "LCM fails the primitive at run time",
    "day12-id": "LCM never runs a day1-2 entry that names neither the VNF, a VDU nor a KDU",
    "nsd-base-element": _LEAFREF + "LCM cannot place the CP on the VL",
    "nsd-vl": _LEAFREF + "LCM cannot connect the VNF to a VL that does not exist",
    "charm-unknown-action": _CHARM,
    "charm-config-option": _CHARM,
    "charm-required-param": _CHARM,
    "charm-required-declared": _CHARM,
    "charm-type": _CHARM,
    "charm-value": _CHARM,
    "charm-unknown-param": _CHARM,
    "charm-relation-endpoint": _CHARM,
    "charm-relation-role": _CHARM,
}

MODELS = {"b2b2c": {}, "b2c": {"model": "b2c"}}


def _profile(model: str) -> Profile:
    return validate_profile_data(MODELS[model]) if MODELS[model] else default_profile()


def _generated(profile: Profile) -> dict[str, dict[str, Any]]:
    return {spec.name: json.loads(json.dumps(spec.generate(profile))) for spec in PACKAGES}


def _kind(package: str) -> str:
    return "nsd" if package.endswith("_ns") else "vnfd"


def _our_findings(package: str, data: Any, vnfds: dict[str, Any]) -> tuple[list[Finding],
                                                                          list[Finding]]:
    """(information-model errors, every other error) of `osm-mec validate`'s descriptor
    checks; the package-file checks (cloud-init files, charts, bundles) are not about the
    IM and are left out."""
    file = f"{package}.yaml"
    kind = _kind(package)
    model = [f for f in check_information_model(data, kind, file) if f.severity == ERROR]
    if kind == "vnfd":
        charms = {CHARM: load_charm_interface(charm_dir(CHARM))} \
            if package_spec(package).charms else {}
        other = check_vnfd_references(data, file) + check_charm_contract(data, file, charms)
    else:
        other = check_nsd_references(data, file, vnfds)
    return model, [f for f in other if f.severity == ERROR]


def _cases() -> list[tuple[str, str, Any]]:
    """(case id, package, descriptor content): generated ones, then the broken copies."""
    cases = []
    for model in MODELS:
        for package, data in _generated(_profile(model)).items():
            cases.append((f"generated-{model}-{package}", package, data))
    default = _generated(default_profile())
    extra: list[tuple[str, str, Callable[[dict], Any]]] = [
        ("optional-param-empty-default", "k8s_cluster_vnf",
         _add_param("controller", "config-primitive", "register-cluster",
                    {"name": "vim-network", "data-type": "STRING", "default-value": ""}))]
    for rule, package, change, *_ in list(DESCRIPTOR_RULES) + extra:
        data = copy.deepcopy(default[package])
        change(data)
        cases.append((rule, package, data))
    return cases


def _harness_python() -> tuple[list[str], dict[str, str]]:
    """The harness venv's python and the environment that puts OSM's IM bindings on its path
    (`start --setup-only` builds them once and prints where they are)."""
    start = require_shared("osm-nbi/start")
    done = subprocess.run([str(start), "--setup-only"], capture_output=True, text=True,
                          timeout=900)
    if done.returncode != 0:
        pytest.fail(f"osm-nbi --setup-only failed: {done.stderr[-2000:]}", pytrace=False)
    info = dict(item.split("=", 1) for item in done.stdout.split()[1:])
    venv = Path(info["venv"])
    env = {**os.environ, "PYTHONPATH": info["im"], "OSM_NBI_HARNESS": str(SHARED / "osm-nbi"),
           "PYTHONPYCACHEPREFIX": str(venv.parent / "pycache"), "PYTHONNOUSERSITE": "1"}
    return [str(venv / "bin" / "python"), str(JUDGE)], env


# (path, kind, list keys, the leaf's own schema)
SchemaNode = tuple[tuple[str, ...], str, tuple[str, ...], dict[str, Any]]


def schema_nodes(schema: dict[str, Any], path: tuple[str, ...] = ()) -> list[SchemaNode]:
    """Every node our JSON schema allows, as YANG sees it: container, list (with its key
    leaves), leaf-list or leaf."""
    nodes: list[SchemaNode] = []
    for name, sub in schema.get("properties", {}).items():
        where = path + (name,)
        if "listKey" in sub:
            nodes.append((where, "list", tuple(sub["listKey"]), {}))
            nodes += schema_nodes(sub["items"], where)
        elif sub.get("type") == "array":
            nodes.append((where, "leaf-list", (), sub))
        elif sub.get("type") == "object":
            nodes.append((where, "container", (), {}))
            nodes += schema_nodes(sub, where)
        else:
            nodes.append((where, "leaf", (), sub))
    return nodes


# our JSON type -> the YANG types of OSM's IM it may stand for
YANG_TYPES = {
    "integer": {"uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64"},
    "number": {"decimal64", "uint8", "uint16", "uint32", "uint64", "int32", "int64"},
    "boolean": {"boolean", "empty"},
    "string": {"string", "leafref", "identityref", "union", "inet:uri", "inet:ip-address",
               "inet:ip-prefix", "inet:ipv4-address", "yang:uuid", "yang:date-and-time"},
}


def leaf_problems(where: str, ours: dict[str, Any], im: dict[str, Any]) -> list[str]:
    """Where our leaf's type or enumeration differs from OSM's IM (an identity's values
    count without their module prefixes: we accept the plain names only)."""
    problems = []
    values = None if im.get("enum") is None else \
        sorted({value.split(":")[-1] for value in im["enum"]})
    if "enum" in ours:
        if values is None:
            problems.append(f"{where}: an enumeration in ours, a {im.get('type')} in OSM's IM")
        elif sorted(ours["enum"]) != values:
            problems.append(f"{where}: values {sorted(ours['enum'])} in ours, {values} in "
                            "OSM's IM")
    elif im.get("enum") is not None:
        problems.append(f"{where}: any {ours.get('type')} in ours, one of {im['enum']} in "
                        "OSM's IM")
    elif ours.get("type") in YANG_TYPES and im.get("type") not in YANG_TYPES[ours["type"]]:
        problems.append(f"{where}: {ours['type']} in ours, {im.get('type')} in OSM's IM")
    return problems


SCHEMAS = {"vnfd": VNFD_FILE_SCHEMA, "nsd": NSD_FILE_SCHEMA}


@pytest.fixture(scope="module")
def judged() -> tuple[dict[str, dict[str, Any]], dict[str, list[Any]]]:
    """OSM's code, once for everything: (case id -> {package, ours: (IM errors, other
    errors), osm: verdict}, kind -> what the IM has at each of schema_nodes' paths)."""
    command, env = _harness_python()
    cases = _cases()
    vnfds = {data["vnfd"]["id"]: data["vnfd"] for package, data in
             _generated(default_profile()).items() if _kind(package) == "vnfd"}
    batch = {"vnfds": vnfds,
             "cases": [{"id": case, "kind": _kind(package), "data": data}
                       for case, package, data in cases],
             "paths": {kind: [list(node[0]) for node in schema_nodes(schema)]
                       for kind, schema in SCHEMAS.items()}}
    done = subprocess.run(command, input=json.dumps(batch), capture_output=True, text=True,
                          env=env, timeout=600, cwd=str(JUDGE.parent))
    assert done.returncode == 0, done.stderr[-3000:]
    answer = json.loads(done.stdout)
    osm = {v["id"]: v for v in answer["verdicts"]}
    verdicts = {case: {"package": package, "ours": _our_findings(package, data, vnfds),
                       "osm": osm[case]} for case, package, data in cases}
    return verdicts, answer["nodes"]


@pytest.fixture(scope="module")
def verdicts(judged) -> dict[str, dict[str, Any]]:
    return judged[0]


@pytest.mark.parametrize("kind", list(SCHEMAS))
def test_every_node_of_our_schema_is_in_osms_im(judged, kind):
    """What our schema allows exists in OSM's IM at the same place, as the same kind of
    node, lists with the same key leaves, leaves with a matching type and the same
    enumeration values (a key OSM does not know is a 422 at onboarding, e.g.
    kdu.service.mgmt-service, dropped from the IM in OSM 11)."""
    ours = schema_nodes(SCHEMAS[kind])
    problems = []
    for (path, our_kind, keys, leaf), im in zip(ours, judged[1][kind]):
        where = ".".join(path)
        if im is None:
            problems.append(f"{where}: not in OSM's IM")
        elif im["kind"] != our_kind:
            problems.append(f"{where}: a {im['kind']} in OSM's IM, a {our_kind} in ours")
        elif tuple(im["keys"]) != keys:
            problems.append(f"{where}: list key {im['keys']} in OSM's IM, {list(keys)} in ours")
        elif our_kind == "leaf":
            problems += leaf_problems(where, leaf, im)
    assert not problems, "\n" + "\n".join(problems)


def test_every_case_was_judged(verdicts):
    assert len(verdicts) == len(_cases())
    assert sum(1 for v in verdicts.values() if not v["osm"]["accepted"]) > 0


def test_generated_descriptors_accepted_by_both(verdicts):
    for case, v in verdicts.items():
        if case.startswith("generated-"):
            model, other = v["ours"]
            assert v["osm"]["accepted"], (case, v["osm"]["detail"])
            assert not model and not other, (case, [f.line() for f in model + other])


def test_what_osm_refuses_we_refuse(verdicts):
    """Never more lenient than OSM; when the IM (envelope or pyangbind) refused, one of our
    findings is an information-model finding."""
    for case, v in verdicts.items():
        osm = v["osm"]
        if osm["accepted"]:
            continue
        model, other = v["ours"]
        if osm["stage"] in ("envelope", "pyangbind"):
            assert model, f"{case}: OSM's IM refuses it ({osm['detail']}), our IM check not"
        else:
            assert model or other, f"{case}: NBI refuses it ({osm['detail']}), we accept it"


def test_where_we_are_stricter_is_listed(verdicts):
    stricter = {case for case, v in verdicts.items()
                if v["osm"]["accepted"] and any(v["ours"])}
    assert sorted(stricter - set(STRICTER)) == [], "stricter than OSM, not listed in STRICTER"
    assert sorted(set(STRICTER) - stricter) == [], "listed in STRICTER, but OSM refuses it " \
                                                   "too or we accept it: remove it"
