"""The Edge-MANO CNF's Charmed OSM bundle against the recorded facts of the charms it pins
(tests/data/charmed-osm-facts.yaml: option and endpoint names read from the charms' and
OSM's public sources). No Juju here: the bundle is checked by name, as `juju deploy` would
refuse an unknown option or endpoint, and as a charm left without a required relation
stays blocked."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from osm_mec.offer.descriptors import juju_bundle
from osm_mec.offer.profile import validate_profile_data
from osm_mec.offer.validation.package import check_bundle

from .conftest import REPO

FACTS = yaml.safe_load((REPO / "tests/data/charmed-osm-facts.yaml").read_text())["charms"]


def _endpoint(bundle: dict[str, Any], endpoint: str) -> tuple[str, str]:
    app, _, name = endpoint.partition(":")
    return bundle["applications"][app]["charm"], name


def _interface(charm: str, side: str, name: str) -> str | None:
    interface = FACTS[charm][side].get(name)
    return None if interface in (None, "?") else str(interface)


def _relation_problems(bundle: dict[str, Any]) -> list[str]:
    problems = []
    for requirer, provider in bundle["relations"]:
        req_charm, req_name = _endpoint(bundle, requirer)
        prov_charm, prov_name = _endpoint(bundle, provider)
        if req_name not in FACTS[req_charm]["requires"]:
            problems.append(f"{requirer}: {req_charm} requires no endpoint {req_name!r}")
        if prov_name not in FACTS[prov_charm]["provides"]:
            problems.append(f"{provider}: {prov_charm} provides no endpoint {prov_name!r}")
        left = _interface(req_charm, "requires", req_name)
        right = _interface(prov_charm, "provides", prov_name)
        if left and right and left != right:
            problems.append(f"{requirer} ({left}) cannot relate to {provider} ({right})")
    return problems


def _application_problems(bundle: dict[str, Any], release: str) -> list[str]:
    problems = []
    related = {end for relation in bundle["relations"] for end in relation}
    for app, spec in bundle["applications"].items():
        facts = FACTS.get(spec["charm"])
        if facts is None:
            problems.append(f"{app}: no recorded facts for charm {spec['charm']!r}")
            continue
        channel = release if facts["channel"] == "release" else facts["channel"]
        if spec.get("channel") != channel:
            problems.append(f"{app}: channel {spec.get('channel')!r}, expected {channel!r}")
        if spec.get("series") != facts["series"]:
            problems.append(f"{app}: series {spec.get('series')!r}, expected {facts['series']!r}")
        for option in spec.get("options") or {}:
            if option not in facts["options"]:
                problems.append(f"{app}: {spec['charm']} has no option {option!r}")
        for endpoint in facts["required"]:
            if f"{app}:{endpoint}" not in related:
                problems.append(f"{app}: required relation {endpoint!r} missing (blocked)")
    return problems


def problems_of(bundle: dict[str, Any], release: str) -> list[str]:
    return _application_problems(bundle, release) + _relation_problems(bundle)


@pytest.mark.parametrize("channel", ["14.0/stable", "15.0/edge"])
def test_bundle_matches_the_recorded_charm_facts(channel):
    bundle = juju_bundle.bundle(validate_profile_data({"edge_osm": {"channel": channel}}))
    assert problems_of(bundle, channel) == []
    assert check_bundle(yaml.safe_dump(bundle).encode(), "charmed-osm.yaml") == []


def test_every_recorded_charm_is_pinned_and_every_fact_entry_is_complete():
    charms = {app.charm for app in juju_bundle.APPLICATIONS.values()}
    assert charms == set(FACTS)
    for charm, facts in FACTS.items():
        assert {"channel", "series", "options", "requires", "provides", "required",
                "evidence"} <= set(facts), charm
        assert set(facts["required"]) <= set(facts["requires"]), charm


def test_reported_defects_are_gone(profile):
    """Issue 12 item 7: kafka/zookeeper on track latest (kafka endpoint), no invented NBI
    options, the vca and pol:mysql relations present, a series per application."""
    bundle = juju_bundle.bundle(profile)
    apps = bundle["applications"]
    assert apps["kafka"]["channel"] == apps["zookeeper"]["channel"] == "latest/stable"
    assert not {"service-type", "node-port"} & set(apps["nbi"].get("options") or {})
    relations = {tuple(r) for r in bundle["relations"]}
    assert {("lcm:vca", "vca:vca"), ("mon:vca", "vca:vca"),
            ("pol:mysql", "mariadb:mysql")} <= relations
    assert all(spec["series"] for spec in apps.values())
    assert apps["nbi"]["channel"] == "14.0/stable"


@pytest.mark.parametrize(("mutate", "expected"), [
    (lambda b: b["applications"]["nbi"].setdefault("options", {}).update(
        {"service-type": "NodePort"}), "nbi: osm-nbi has no option 'service-type'"),
    (lambda b: b["applications"]["kafka"].update(channel="3/stable"),
     "kafka: channel '3/stable', expected 'latest/stable'"),
    (lambda b: b["relations"].append(["nbi:kafka", "kafka:kafka-client"]),
     "kafka:kafka-client: kafka-k8s provides no endpoint 'kafka-client'"),
    (lambda b: b["relations"].remove(["nbi:keystone", "keystone:keystone"]),
     "nbi: required relation 'keystone' missing (blocked)"),
    (lambda b: b["relations"].append(["lcm:vca-endpoint", "vca:vca"]),
     "lcm:vca-endpoint: osm-lcm requires no endpoint 'vca-endpoint'"),
    (lambda b: b["applications"]["vca"].update(series="bionic"),
     "vca: series 'bionic', expected 'jammy'"),
])
def test_the_check_finds_what_juju_would_refuse(profile, mutate, expected):
    bundle = copy.deepcopy(juju_bundle.bundle(profile))
    mutate(bundle)
    found = problems_of(bundle, "14.0/stable")
    assert any(p.startswith(expected) for p in found), found


def test_bundle_holds_no_secret(profile):
    text = yaml.safe_dump(juju_bundle.bundle(profile))
    for word in ("password", "secret", "commonkey", "accounts", "controllers", "public-key"):
        assert word not in text


def test_the_check_refuses_mismatched_interfaces(profile, monkeypatch):
    facts = copy.deepcopy(FACTS)
    facts["osm-keystone"]["provides"]["keystone"] = "keystone"  # vca's is osm-vca
    facts["osm-keystone"]["provides"]["vca"] = "keystone"
    monkeypatch.setitem(globals(), "FACTS", facts)
    bundle = copy.deepcopy(juju_bundle.bundle(profile))
    bundle["relations"].append(["lcm:vca", "keystone:vca"])
    assert "lcm:vca (osm-vca) cannot relate to keystone:vca (keystone)" in \
        problems_of(bundle, "14.0/stable")
