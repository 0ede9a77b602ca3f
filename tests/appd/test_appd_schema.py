"""The AppD schema and checks: the sample AppD is valid; each bad AppD of the table is
refused naming the field and what to do; `osm-mec appd check` exits 2 with no traceback."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from osm_mec.appd import AppdError, check_appd, load_appd
from osm_mec.cli.commands import cli

from .helpers import EXAMPLE, appd_bytes, example_data

Mutation = Callable[[dict[str, Any]], None]


def _parent(data: dict[str, Any], path: str) -> tuple[Any, Any]:
    """The container of a dotted path's last part (list indexes as numbers), and that part."""
    *parents, last = path.split(".")
    node: Any = data
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    return node, int(last) if last.isdigit() else last


def _set(path: str, value: Any) -> Mutation:
    """Set a dotted path to value."""
    def mutate(data: dict[str, Any]) -> None:
        node, last = _parent(data, path)
        node[last] = value
    return mutate


def _drop(path: str) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        node, last = _parent(data, path)
        del node[last]
    return mutate


def _append(key: str, index: int = 0, **changes: Any) -> Mutation:
    """Append a copy of data[key][index] with changes."""
    def mutate(data: dict[str, Any]) -> None:
        data[key].append({**data[key][index], **changes})
    return mutate


BAD: list[tuple[str, Mutation, str, str]] = [
    ("missing appDId", _drop("appDId"), "(top level)", "'appDId' is a required property"),
    ("missing compute", _drop("virtualComputeDescriptor"), "(top level)",
     "'virtualComputeDescriptor' is a required property"),
    ("unknown key", _set("appNmae", "x"), "(top level)", "allowed keys: appDId"),
    ("empty appName", _set("appName", ""), "appName", "should be non-empty"),
    ("unquoted version", _set("appDVersion", 1.0), "appDVersion",
     "1.0 is read as a float, not as text; put it in quotes ('1.0')"),
    ("null provider", _set("appProvider", None), "appProvider", "has no value"),
    ("mecVersion not a list", _set("mecVersion", "2.1.1"), "mecVersion", "is not of type 'array'"),
    ("no CPUs", _set("virtualComputeDescriptor.virtualCpu.numVirtualCpu", 0),
     "virtualComputeDescriptor.virtualCpu.numVirtualCpu", "less than or equal to the minimum"),
    ("memory as text", _set("virtualComputeDescriptor.virtualMemory.virtualMemSize", "256MB"),
     "virtualComputeDescriptor.virtualMemory.virtualMemSize", "is not of type 'number'"),
    ("VM image", _set("swImageDescriptor.containerFormat", "BARE"),
     "swImageDescriptor.containerFormat", "use one of ['DOCKER']"),
    ("image with a space", _set("swImageDescriptor.swImage", "my app:1"),
     "swImageDescriptor.swImage", "not a container image reference"),
    ("MEC 011 action name", _set("appTrafficRule.0.action", "FORWARD_ENCAPSULATED"),
     "appTrafficRule[0].action", "use one of ['DROP', 'FORWARD_DECAPSULATED', 'FORWARD_AS_IS'"),
    ("priority over 255", _set("appTrafficRule.0.priority", 300), "appTrafficRule[0].priority",
     "greater than the maximum of 255"),
    ("no traffic filter", _set("appTrafficRule.0.trafficFilter", []),
     "appTrafficRule[0].trafficFilter", "should be non-empty"),
    ("forwarding without interface", _drop("appTrafficRule.0.dstInterface"),
     "appTrafficRule[0].dstInterface", "needs a destination interface"),
    ("IP interface without address", _drop("appTrafficRule.0.dstInterface.0.dstIPAddress"),
     "appTrafficRule[0].dstInterface[0]", "interfaceType IP needs dstIPAddress"),
    ("bad source prefix", _set("appTrafficRule.0.trafficFilter.0.srcAddress", ["10.60.0.0/33"]),
     "appTrafficRule[0].trafficFilter[0].srcAddress[0]", "is not an IP address, a prefix"),
    ("bad port", _set("appTrafficRule.0.trafficFilter.0.dstPort", ["70000"]),
     "appTrafficRule[0].trafficFilter[0].dstPort[0]", "is not a port"),
    ("duplicate traffic rule id", _append("appTrafficRule"), "appTrafficRule[1].trafficRuleId",
     "used more than once"),
    ("duplicate DNS rule id", _append("appDNSRule"), "appDNSRule[1].dnsRuleId",
     "used more than once"),
    ("IPv6 address typed IPv4", _set("appDNSRule.0.ipAddress", "2001:db8::1"),
     "appDNSRule[0].ipAddress", "is not an IPv4 address, as ipAddressType IP_V4 says"),
    ("bad domain name", _set("appDNSRule.0.domainName", "bad_name..local"),
     "appDNSRule[0].domainName", "not a fully qualified domain name"),
    ("bad address type", _set("appDNSRule.0.ipAddressType", "IPV4"),
     "appDNSRule[0].ipAddressType", "use one of ['IP_V4', 'IP_V6']"),
    ("service without version", _drop("appServiceRequired.0.version"),
     "appServiceRequired[0]", "'version' is a required property"),
    ("service both required and optional", _set("appServiceOptional.0.serName",
                                                "mec_service_mgmt"),
     "appServiceOptional[0].serName", "also in appServiceRequired"),
    ("unknown serializer",
     _set("appServiceRequired.0.serTransportDependencies.0.serializers", ["YAML"]),
     "appServiceRequired[0].serTransportDependencies[0].serializers[0]", "use one of"),
    ("transport without security",
     _drop("appServiceRequired.0.serTransportDependencies.0.transport.security"),
     "appServiceRequired[0].serTransportDependencies[0].transport",
     "'security' is a required property"),
    ("max below min", _set("terminateAppInstanceOpConfig.macGracefulTerminationTimeout", 5),
     "terminateAppInstanceOpConfig.macGracefulTerminationTimeout", "less than "
     "minGracefulTerminationTimeout (10)"),
    ("negative timeout", _set("terminateAppInstanceOpConfig.minGracefulTerminationTimeout", -1),
     "terminateAppInstanceOpConfig.minGracefulTerminationTimeout", "less than the minimum"),
    ("tunnel type spelt as MEC 011", _set("appTrafficRule.0.dstInterface", [
        {"interfaceType": "TUNNEL", "tunnelInfo": {"tunnelType": "GTP_U",
                                                   "tunnelDstAddress": "10.0.0.1",
                                                   "tunnelSrcAddress": "10.0.0.2"}}]),
     "appTrafficRule[0].dstInterface[0].tunnelInfo.tunnelType", "use one of ['GTP-U', 'GRE']"),
    ("too many interfaces", _set("appTrafficRule.0.dstInterface",
                                 [{"interfaceType": "IP", "dstIPAddress": "10.0.0.1"}] * 3),
     "appTrafficRule[0].dstInterface", "is too long"),
]


def test_the_sample_appd_is_valid_without_warnings():
    appd = load_appd(EXAMPLE)
    assert appd.appd_id == "osm-mec-sample-app-0.1.0"
    assert appd.warnings == ()
    assert check_appd(EXAMPLE) == []


def test_the_table_has_at_least_fifteen_bad_appds():
    assert len(BAD) >= 15


@pytest.mark.parametrize("mutate,path,message", [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_a_bad_appd_is_refused_naming_the_field(mutate, path, message):
    data = example_data()
    mutate(data)
    with pytest.raises(AppdError) as caught:
        load_appd(appd_bytes(data), "bad.yaml")
    paths = {(f.path, f.file) for f in caught.value.findings}
    assert (path, "bad.yaml") in paths, caught.value.findings
    matching = [f for f in caught.value.findings if f.path == path]
    assert any(message in f.message for f in matching), matching
    assert f"bad.yaml: {path}: " in str(caught.value)


def test_json_input_is_read_as_json(tmp_path: Path):
    file = tmp_path / "appd.json"
    file.write_text(json.dumps(example_data()))
    assert load_appd(file).name == "mec-sample"
    file.write_text("{not json")
    findings = check_appd(file)
    assert len(findings) == 1 and "not valid JSON" in findings[0].message


def test_fields_osm_mec_cannot_act_on_are_warnings():
    data = example_data()
    data["appLatency"] = {"maxLatency": 1000000}
    data["virtualStorageDescriptor"] = [{"id": "disk"}]
    data["appFeatureRequired"] = [{"featureName": "UEIdentity", "version": "1"}]
    appd = load_appd(appd_bytes(data), "w.yaml")
    assert {w.path for w in appd.warnings} == {"appLatency", "virtualStorageDescriptor",
                                               "appFeatureRequired"}
    assert all(w.severity == "warning" for w in appd.warnings)


def _invoke(*args: str):
    return CliRunner().invoke(cli, ["appd", *args])


def test_cli_check_accepts_the_sample():
    result = _invoke("check", str(EXAMPLE))
    assert result.exit_code == 0, result.output
    assert "valid AppD 'osm-mec-sample-app-0.1.0'" in result.output


@pytest.mark.parametrize("content,expected", [
    (b"appDId: [unclosed", "not valid YAML"),
    (b"\xff\xfe\x00binary", "not UTF-8 text"),
    (b"- a list\n", "an AppD is a mapping of attributes"),
    (b"appDId: x\n", "'appName' is a required property"),
], ids=["yaml", "binary", "list", "incomplete"])
def test_cli_check_exits_2_naming_the_file(tmp_path: Path, content: bytes, expected: str):
    file = tmp_path / "appd.yaml"
    file.write_bytes(content)
    result = _invoke("check", str(file))
    assert result.exit_code == 2, result.output
    assert str(file) in result.output and expected in result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


def test_cli_check_of_a_missing_file_or_folder_exits_2(tmp_path: Path):
    for target, expected in ((tmp_path / "none.yaml", "no such file"), (tmp_path, "is a directory")):
        result = _invoke("check", str(target))
        assert result.exit_code == 2 and expected in result.output, result.output


def test_cli_check_json_lists_the_findings(tmp_path: Path):
    result = _invoke("check", "--format", "json", str(EXAMPLE))
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"file": str(EXAMPLE), "valid": True,
                                         "appDId": "osm-mec-sample-app-0.1.0", "findings": []}
    data = example_data()
    data["appDNSRule"][0]["ipAddress"] = "not-an-ip"
    file = tmp_path / "bad.yaml"
    file.write_bytes(appd_bytes(data))
    result = _invoke("check", "--format", "json", str(file))
    assert result.exit_code == 2
    answer = json.loads(result.output)
    assert (answer["valid"], answer["appDId"]) == (False, None)
    assert [(f["path"], f["severity"]) for f in answer["findings"]] == \
        [("appDNSRule[0].ipAddress", "error")]
