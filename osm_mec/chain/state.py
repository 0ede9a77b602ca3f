"""The state file of one CSP: every object provisioning created, with its OSM id, so that a
re-run resumes and teardown finds everything. JSON, 0600, no secrets (passwords, tokens
and keys live only in OSM)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.errors import UsageError
from ..core.secret_files import write_secret_file

DEFAULT_STATE_DIR = Path(".osm-mec/state")
DEFAULT_TIMINGS_DIR = Path(".osm-mec/timings")  # where the chain appends operation timings
MAX_BYTES = 16 * 2**20
# the fields a state file may hold, with their JSON types; anything else is kept as it is
TOP_FIELDS: dict[str, type | tuple[type, ...]] = {
    "csp": str, "objects": dict, "model": str, "main_url": str, "embedded": bool}
OBJECT_FIELDS: dict[str, type | tuple[type, ...]] = {
    "id": str, "name": str, "osm": str, "url": (str, type(None)), "kafka": (str, type(None))}
JSON_TYPES = {str: "a string", dict: "an object", bool: "true or false",
              type(None): "null", list: "a list", int: "a number", float: "a number"}


MOVE_AWAY = "fix it, or move it away to start over (objects in OSM are found again by name)"


def facade_state(state_path: Path) -> Path:
    """The MEC 010-2 facade's state folder of a CSP: beside its state file (``<csp>.meo``)."""
    return state_path.with_name(f"{state_path.stem}.meo")


def shape_problems(data: Any, csp: str) -> list[str]:
    """What is wrong with the shape of a parsed state file (empty when nothing), each
    naming the field."""
    if not isinstance(data, dict):
        return [f"(top level): {_kind(data)}, expected {JSON_TYPES[dict]}"]
    problems = _field_problems(data, TOP_FIELDS, "")
    if "objects" not in data:
        problems.append("objects: missing")
    if isinstance(data.get("csp"), str) and data["csp"] != csp:
        problems.append(f"csp: {data['csp']!r}, but the file is the state of CSP {csp!r}")
    objects = data.get("objects")
    for key, entry in (objects if isinstance(objects, dict) else {}).items():
        if not isinstance(entry, dict):
            problems.append(f"objects.{key}: {_kind(entry)}, expected {JSON_TYPES[dict]}")
        else:
            problems += _field_problems(entry, OBJECT_FIELDS, f"objects.{key}.")
    return problems


def _field_problems(data: dict[str, Any], fields: dict[str, type | tuple[type, ...]],
                    prefix: str) -> list[str]:
    problems = []
    for name, expected in fields.items():
        if name in data and not isinstance(data[name], expected):
            wanted = " or ".join(JSON_TYPES[t] for t in (
                expected if isinstance(expected, tuple) else (expected,)))
            problems.append(f"{prefix}{name}: {_kind(data[name])}, expected {wanted}")
    return problems


def _kind(value: Any) -> str:
    return JSON_TYPES.get(type(value), type(value).__name__)


@dataclass
class CspState:
    csp: str
    path: Path
    data: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, directory: Path, csp: str) -> CspState:
        path = directory / f"{csp}.json"
        if not path.exists():
            return cls(csp, path, {"csp": csp, "objects": {}})
        try:
            with open(path, "rb") as stream:
                raw = stream.read(MAX_BYTES + 1)
            if len(raw) > MAX_BYTES:
                raise ValueError(f"larger than {MAX_BYTES} bytes")
            data = json.loads(raw.decode("utf-8"))
        except (OSError, ValueError, RecursionError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "not JSON" if isinstance(
                exc, RecursionError) else f"not JSON: {exc}"
            raise UsageError(f"{path}: unreadable state file ({reason}); {MOVE_AWAY}") from None
        problems = shape_problems(data, csp)
        if problems:
            raise UsageError(f"{path}: not a state file osm-mec wrote: {'; '.join(problems)}; "
                             f"{MOVE_AWAY}")
        return cls(csp, path, data)

    @property
    def exists(self) -> bool:
        return self.path.exists()

    def get(self, key: str) -> dict[str, Any] | None:
        return self.data["objects"].get(key)

    def record(self, key: str, **fields: Any) -> None:
        """Remember an object (NS, registration, Edge OSM) and save at once."""
        self.data["objects"][key] = {**self.data["objects"].get(key, {}), **fields}
        self.save()

    def forget(self, key: str) -> None:
        if self.data["objects"].pop(key, None) is not None:
            self.save()

    def set(self, **fields: Any) -> None:
        self.data.update(fields)
        self.save()

    def save(self) -> None:
        """Replace the file at once (0600; a symbolic link there is replaced, not followed)."""
        write_secret_file(self.path, json.dumps(self.data, indent=2, sort_keys=True) + "\n")

    def delete(self) -> None:
        self.path.unlink(missing_ok=True)
