"""A charm's interface as OSM sees it: config options and actions with typed parameters.

The descriptors are generated from it and the charm-contract check compares a VNFD
against it, so primitive names and types have one source: the charm's YAML files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..core.errors import OsmMecError

# Juju action parameter types (JSON schema) and config option types -> SOL006 data-type.
ACTION_TYPES = {"string": "STRING", "integer": "INTEGER", "boolean": "BOOLEAN"}
CONFIG_TYPES = {"string": "STRING", "int": "INTEGER", "boolean": "BOOLEAN"}


def sol006_text(value: Any) -> str:
    """SOL006 primitive values and defaults are strings ('true'/'false' for booleans)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass(frozen=True)
class Param:
    """One parameter of an action or one config option."""

    name: str
    data_type: str  # STRING | INTEGER | BOOLEAN, or the raw type when OSM cannot express it
    required: bool
    default: Any = None

    @property
    def osm_default(self) -> str | None:
        """The default as a descriptor's default-value, None when the charm has none."""
        return None if self.default is None else sol006_text(self.default)

    @property
    def optional_in_osm(self) -> bool:
        """Whether OSM can treat this parameter as optional: NBI requires every primitive
        parameter whose default-value is missing or EMPTY (``not default-value``), so an
        optional charm parameter with no default or an empty one cannot stay optional."""
        return bool(self.osm_default)


@dataclass(frozen=True)
class Primitive:
    """An action (or the `config` pseudo-primitive) and its parameters."""

    name: str
    params: dict[str, Param] = field(default_factory=dict)
    closed: bool = True  # additionalProperties: false

    @property
    def required(self) -> list[str]:
        return [p.name for p in self.params.values() if p.required]


@dataclass(frozen=True)
class Endpoint:
    """A relation endpoint of the charm (metadata.yaml provides/requires)."""

    name: str
    role: str  # provides | requires
    interface: str


@dataclass(frozen=True)
class CharmInterface:
    """Config options (as the `config` primitive), actions and relation endpoints of one
    charm folder."""

    name: str
    config: Primitive
    actions: dict[str, Primitive]
    endpoints: dict[str, Endpoint] = field(default_factory=dict)

    def primitive(self, name: str) -> Primitive | None:
        """The `config` pseudo-primitive or the action of that name."""
        return self.config if name == "config" else self.actions.get(name)


SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER) or {}
    except OSError as exc:
        raise OsmMecError(f"{path}: cannot read: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise OsmMecError(f"{path}: not valid YAML: {exc}") from exc


def _action(name: str, spec: dict[str, Any]) -> Primitive:
    spec = spec or {}
    required = set(spec.get("required") or [])
    params = {
        pname: Param(pname, ACTION_TYPES.get(str(p.get("type")), str(p.get("type"))),
                     pname in required, p.get("default"))
        for pname, p in (spec.get("params") or {}).items()
    }
    return Primitive(name, params, closed=spec.get("additionalProperties", True) is False)


def parse_charm_interface(default_name: str, metadata: Any, config: Any,
                          actions: Any) -> CharmInterface:
    """The interface from the parsed metadata.yaml, config.yaml and actions.yaml."""
    metadata, config, actions = metadata or {}, config or {}, actions or {}
    options = {
        oname: Param(oname, CONFIG_TYPES.get(str(o.get("type")), str(o.get("type"))), False,
                     o.get("default"))
        for oname, o in (config.get("options") or {}).items()
    }
    endpoints = {
        ename: Endpoint(ename, role, str((spec or {}).get("interface", "")))
        for role in ("provides", "requires")
        for ename, spec in (metadata.get(role) or {}).items()
    }
    return CharmInterface(
        name=str(metadata.get("name") or default_name),
        config=Primitive("config", options, closed=True),
        actions={name: _action(name, spec) for name, spec in actions.items()},
        endpoints=endpoints,
    )


def load_charm_interface(folder: Path) -> CharmInterface:
    """Read metadata.yaml, config.yaml and actions.yaml of a charm source folder."""
    parts = [_read_yaml(folder / f) if (folder / f).exists() else {}
             for f in ("metadata.yaml", "config.yaml", "actions.yaml")]
    return parse_charm_interface(folder.name, *parts)
