"""The secret scan: every document OSM keeps or publishes, searched for every secret a run
generated. A hit names the document, the secret's kind and where in the document it sits."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from osm_mec.osm.kafka_bus import KafkaUnavailable, open_consumer, poll_record

# Secrets recognisable by shape, whoever generated them.
PATTERNS = {
    "private key (PEM)": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    "kubeadm bootstrap token": re.compile(r"(?<![a-z0-9])[a-z0-9]{6}\.[a-z0-9]{16}(?![a-z0-9])"),
}


@dataclass(frozen=True)
class Hit:
    """One secret found in one document."""

    source: str
    kind: str
    context: str

    def __str__(self) -> str:
        return f"{self.source}: {self.kind} in ...{self.context}..."


@dataclass
class Scan:
    """Secrets to look for: literal values (passwords, tokens of this run) and shapes."""

    literals: dict[str, str] = field(default_factory=dict)  # value -> what it is
    patterns: dict[str, re.Pattern[str]] = field(default_factory=lambda: dict(PATTERNS))

    def add(self, what: str, value: str | None) -> None:
        if value:
            self.literals[value] = what

    def hits(self, source: str, document: Any) -> list[Hit]:
        """Every secret in one document (searched in its JSON text, so nested strings,
        JSON-in-strings and YAML-in-strings are all covered)."""
        text = json.dumps(document, sort_keys=True, default=str)
        unescaped = text.replace("\\n", "\n").replace('\\"', '"')
        found = []
        for value, what in self.literals.items():
            for haystack in (text, unescaped):
                at = haystack.find(value)
                if at >= 0:
                    found.append(Hit(source, what, haystack[max(0, at - 60):at]))
                    break
        for what, pattern in self.patterns.items():
            match = pattern.search(unescaped)
            if match:
                found.append(Hit(source, what, unescaped[max(0, match.start() - 60):
                                                         match.end()]))
        return found

    def all_hits(self, documents: Iterable[tuple[str, Any]]) -> list[Hit]:
        return [hit for source, document in documents for hit in self.hits(source, document)]


def kafka_records(bootstrap: str, topics: Iterable[str], label: str,
                  idle: float = 0.5) -> list[tuple[str, Any]]:
    """Every record on each topic of a broker, from the beginning: (where, value)."""
    out: list[tuple[str, Any]] = []
    for topic in topics:
        try:
            consumer = open_consumer(bootstrap, topic, from_beginning=True)
        except KafkaUnavailable:
            continue  # the topic was never written
        try:
            while (record := poll_record(consumer, idle)) is not None:
                out.append((f"{label} kafka {topic}/{record.key}", record.value))
        finally:
            consumer.close()
    return out


def nbi_records(client: Any, label: str) -> list[tuple[str, Any]]:
    """NS records, VNF records and operation records an OSM NBI shows: (where, record)."""
    out: list[tuple[str, Any]] = []
    for path, what in (("/nslcm/v1/ns_instances", "nsr"), ("/nslcm/v1/vnf_instances", "vnfr"),
                       ("/nslcm/v1/ns_lcm_op_occs", "nslcmop")):
        for record in client.request("GET", path) or []:
            out.append((f"{label} {what} {record.get('name') or record.get('_id')}", record))
    return out


def store_records(store: Any, label: str) -> list[tuple[str, Any]]:
    """The same records from a sandbox OSM's own store (NS, VNF and operation records; an
    Edge OSM's login belongs to the CSP, so its records are read where they are kept)."""
    out: list[tuple[str, Any]] = []
    for collection, what in (("nsrs", "nsr"), ("vnfrs", "vnfr"), ("nslcmops", "nslcmop")):
        for record in list(store.data[collection].values()):
            out.append((f"{label} {what} {record.get('name') or record.get('_id')}",
                        store.snapshot(record)))
    return out


def passwords_in(folder: Path) -> list[str]:
    """Every value of a `password` key in the YAML/JSON files under a folder (the operator
    files the chain wrote, e.g. a CSP's Edge OSM login)."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if "password" in str(key).lower() and isinstance(item, str):
                    found.append(item)
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for path in sorted(folder.rglob("*")) if folder.exists() else []:
        if path.is_file() and path.suffix in (".yaml", ".yml", ".json"):
            try:
                walk(yaml.safe_load(path.read_text()))
            except (yaml.YAMLError, UnicodeDecodeError):
                continue
    return found


def recorded_params(records: Iterable[tuple[str, Any]], name: str) -> list[str]:
    """Values of one primitive parameter in every operation record (primitive_params)."""
    values = []
    for _, record in records:
        params = (record.get("operationParams") or {}) if isinstance(record, dict) else {}
        given = params.get("primitive_params") or {}
        if isinstance(given, str):
            given = json.loads(given)
        if isinstance(given, dict) and given.get(name):
            values.append(str(given[name]))
    return values
