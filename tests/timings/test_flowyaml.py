"""The flow-YAML field reader gives exactly what yaml.safe_load gives, on seeded random
documents dumped the way OSM dumps Kafka values (flow style, wrapped at many widths),
with awkward strings (quotes, commas, colons, brackets, '#', non-ASCII, numbers-as-text,
long text that wraps); it refuses (NotFlow) what it does not understand."""

from __future__ import annotations

import random
import string

import pytest
import yaml

from osm_mec.timings.flowyaml import NotFlow, Spec, pick, pick_loaded

AWKWARD = ["it's", 'say "hi"', "a:'b", "x #y", "a: b", "- x", "k?", "@x", "é ü", "null", "",
           " lead", "trail ", "1.5", "0x1F", "yes", "~", "{x}", "[1, 2]", "a,b", "tab\tin",
           "line\nbreak", "two\n\nbreaks", "back\\slash", "q'\"mix", "2022-08-19", "*ref",
           "&anchor", "!tag", "%pct", "`tick", "|pipe", ">gt", "a  b", "é\x01"]


def _scalar(rng: random.Random):
    kind = rng.randrange(6)
    if kind == 0:
        return rng.choice(AWKWARD)
    if kind == 1:
        return rng.choice([None, True, False, rng.randint(-10**9, 10**9), rng.random() * 1e9])
    if kind == 2:
        words = ["".join(rng.choices(string.ascii_lowercase, k=rng.randint(1, 12)))
                 for _ in range(rng.randint(5, 30))]
        return " ".join(words)  # long text: wraps
    if kind == 3:
        return str(random.Random(rng.random()).getrandbits(128))
    return "".join(rng.choices(string.printable, k=rng.randint(0, 40)))


def _value(rng: random.Random, depth: int):
    roll = rng.random()
    if depth < 3 and roll < 0.2:
        return {_key(rng): _value(rng, depth + 1) for _ in range(rng.randint(0, 5))}
    if depth < 3 and roll < 0.3:
        return [_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return _scalar(rng)


def _key(rng: random.Random) -> str:
    return rng.choice(["_id", "id", "nsName", "operationParams", "a", "b:c", "x-y", "k"]) + (
        "" if rng.random() < 0.6 else str(rng.randrange(5)))


def _spec(doc, rng: random.Random):
    spec = {}
    for key, value in doc.items():
        if rng.random() < 0.7:
            spec[key] = _spec(value, rng) if isinstance(value, dict) and rng.random() < 0.7 \
                else None
    spec["absent"] = None
    return spec


def test_pick_equals_safe_load_on_random_documents() -> None:
    rng = random.Random(20260814)
    checked = refused = 0
    for _ in range(1000):
        doc = {_key(rng): _value(rng, 1) for _ in range(rng.randint(1, 12))}
        text = yaml.safe_dump(doc, default_flow_style=True, width=rng.choice([20, 40, 80, 120]))
        spec = _spec(doc, rng)
        expected = pick_loaded(yaml.safe_load(text), spec)
        try:
            assert pick(text, spec) == expected, text
            checked += 1
        except NotFlow:
            refused += 1
    assert checked > 950 and checked + refused == 1000


@pytest.mark.parametrize("text", ["{a: &x 1, b: *x}", "{? [a]: 1}", "{a: !!str 1}", "[1, 2]",
                                  "{a: [1, 2}", "{a: 'open}", "plain"])
def test_what_it_does_not_understand_is_refused(text: str) -> None:
    with pytest.raises(NotFlow):
        pick(text, {"a": None, "b": None})


def test_an_osm_operation_document_wrapped_at_80_columns() -> None:
    text = """{_admin: {created: 1660917225.49, modified: 1660917225.49, projects_read: [9318158b-32ac-43be-92f4-95e98ee6e532],
    projects_write: [9318158b-32ac-43be-92f4-95e98ee6e532]}, _id: b564c9f4-cfd0-4a56-9572-80481c00dadd,
  detailedStatus: null, id: b564c9f4-cfd0-4a56-9572-80481c00dadd, lcmOperationType: instantiate,
  nsInstanceId: dd492454-32c0-497b-b51d-036f70bfcf80, operationParams: {additionalParamsForVnf: '[{"member-vnf-index":
      "osm_vnf", "additionalParams": {"workers": 2}}]', nsDescription: k8s-osm-cluster-ns
      of CSP acme, nsName: osm-cluster, scaleVnfData: {scaleVnfType: SCALE_OUT}},
  operationState: PROCESSING, startTime: 1660917225.49}
"""
    spec: Spec = {"_id": None, "nsInstanceId": None, "startTime": None,
            "operationParams": {"nsName": None, "nsDescription": None,
                                "scaleVnfData": {"scaleVnfType": None}}}
    assert pick(text, spec) == {
        "_id": "b564c9f4-cfd0-4a56-9572-80481c00dadd",
        "nsInstanceId": "dd492454-32c0-497b-b51d-036f70bfcf80", "startTime": 1660917225.49,
        "operationParams": {"nsName": "osm-cluster",
                            "nsDescription": "k8s-osm-cluster-ns of CSP acme",
                            "scaleVnfData": {"scaleVnfType": "SCALE_OUT"}}}
    assert pick(text, spec) == pick_loaded(yaml.safe_load(text), spec)
