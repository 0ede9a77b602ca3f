"""Fault injection for the sandbox, from a YAML file:

```yaml
- kind: operation-fails        # an LCM operation ends FAILED with this detailed-status
  operation: instantiate       # instantiate | scale | action | terminate
  ns: "*-acme-*"               # optional glob on the NS name
  primitive: register-cluster  # optional, actions only
  detail: "Deploy of VDU worker failed: quota exceeded"
  times: 1                     # how many operations it hits (default 1; 0 = all)
- kind: http-error             # bursts of HTTP errors
  method: GET                  # optional
  path: /nslcm/v1/ns_lcm_op_occs   # prefix of the path after /osm
  status: 500                  # default 500
  times: 3
- kind: token-expiry           # tokens last this many seconds (wall clock)
  seconds: 2
- kind: slow-answer            # every matching answer waits this long first
  path: /nslcm/v1/ns_instances_content
  method: POST
  seconds: 2.5
  times: 1
- kind: kafka-unavailable      # the sandbox publishes nothing on Kafka
- kind: registration-error     # a K8s cluster or VIM account ends in ERROR
  object: k8scluster           # k8scluster | vim
  name: "*-edge"               # optional glob on its name
  detail: "kubeconfig rejected: Unauthorized"
```
"""

from __future__ import annotations

import fnmatch
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.errors import UsageError
from ..core.yamlio import load_yaml_file

KINDS = {
    "operation-fails": ({"operation", "detail"}, {"ns", "primitive", "times"}),
    "http-error": ({"path"}, {"method", "status", "times"}),
    "token-expiry": ({"seconds"}, set()),
    "slow-answer": ({"path", "seconds"}, {"method", "times"}),
    "kafka-unavailable": (set(), set()),
    "registration-error": ({"object", "detail"}, {"name", "times"}),
}
OPERATIONS = ("instantiate", "scale", "action", "terminate")
OBJECTS = ("k8scluster", "vim")
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _text(value: Any) -> str | None:
    return None if isinstance(value, str) and value else "a non-empty string"


def _one_of(choices: tuple[str, ...]) -> Callable[[Any], str | None]:
    return lambda value: None if value in choices else f"one of {', '.join(choices)}"


def _method(value: Any) -> str | None:
    return None if isinstance(value, str) and value.upper() in METHODS \
        else f"one of {', '.join(METHODS)}"


def _path(value: Any) -> str | None:
    return None if isinstance(value, str) and value.startswith("/") \
        else "a path after /osm, starting with / (e.g. /nslcm/v1/ns_instances)"


def _status(value: Any) -> str | None:
    return None if type(value) is int and 400 <= value <= 599 \
        else "an HTTP error status, a whole number from 400 to 599"


def _seconds(value: Any) -> str | None:
    ok = type(value) in (int, float) and math.isfinite(value) and value > 0
    return None if ok else "a number of seconds greater than 0 (e.g. 2.5)"


def _times(value: Any) -> str | None:
    return None if type(value) is int and value >= 0 else "a whole number >= 0 (0 = every time)"


# field -> check: None when the value is fine, else what the field must be
FIELD_CHECKS: dict[str, Callable[[Any], str | None]] = {
    "operation": _one_of(OPERATIONS), "detail": _text, "ns": _text, "primitive": _text,
    "times": _times, "path": _path, "method": _method, "status": _status,
    "seconds": _seconds, "object": _one_of(OBJECTS), "name": _text,
}


@dataclass
class Fault:
    kind: str
    spec: dict[str, Any]
    left: int | None  # None = unlimited

    def take(self) -> bool:
        if self.left is None:
            return True
        if self.left <= 0:
            return False
        self.left -= 1
        return True


@dataclass
class Faults:
    """The faults still to inject; thread-safe."""

    items: list[Fault] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def token_lifetime(self) -> float | None:
        return next((float(f.spec["seconds"]) for f in self.items
                     if f.kind == "token-expiry"), None)

    @property
    def kafka_unavailable(self) -> bool:
        return any(f.kind == "kafka-unavailable" for f in self.items)

    def operation_failure(self, operation: str, ns_name: str, primitive: str = "") -> str | None:
        """The detail to fail this operation with, if a fault asks for it."""
        with self._lock:
            for f in self.items:
                s = f.spec
                if (f.kind == "operation-fails" and s["operation"] == operation
                        and fnmatch.fnmatchcase(ns_name, str(s.get("ns", "*")))
                        and (not s.get("primitive") or s["primitive"] == primitive)
                        and f.take()):
                    return str(s["detail"])
        return None

    def registration_error(self, kind: str, name: str) -> str | None:
        """The detail a K8s cluster or VIM registration should fail with, if any."""
        with self._lock:
            for f in self.items:
                s = f.spec
                if (f.kind == "registration-error" and s["object"] == kind
                        and fnmatch.fnmatchcase(name, str(s.get("name", "*"))) and f.take()):
                    return str(s["detail"])
        return None

    def _http_match(self, kind: str, method: str, path: str) -> Fault | None:
        with self._lock:
            for f in self.items:
                s = f.spec
                if (f.kind == kind and path.startswith(str(s["path"]))
                        and s.get("method", method).upper() == method and f.take()):
                    return f
        return None

    def http_error(self, method: str, path: str) -> int | None:
        fault = self._http_match("http-error", method, path)
        return int(fault.spec.get("status", 500)) if fault else None

    def delay(self, method: str, path: str) -> float:
        fault = self._http_match("slow-answer", method, path)
        return float(fault.spec["seconds"]) if fault else 0.0


def parse_faults(data: Any, source: str = "faults") -> Faults:
    """Faults from the parsed YAML list; UsageError naming the entry and field otherwise,
    so that a bad faults file stops the sandbox at start, not a request later."""
    if data is None:
        return Faults()
    if not isinstance(data, list):
        raise UsageError(f"{source}: expected a list of faults (- kind: ...)")
    return Faults([_parse_fault(entry, f"{source}: [{i}]") for i, entry in enumerate(data)])


def _parse_fault(entry: Any, where: str) -> Fault:
    if not isinstance(entry, dict) or not isinstance(entry.get("kind"), str) \
            or entry["kind"] not in KINDS:
        kind = entry.get("kind") if isinstance(entry, dict) else entry
        raise UsageError(f"{where}.kind: use one of {', '.join(KINDS)} (not {kind!r})")
    kind = entry["kind"]
    required, optional = KINDS[kind]
    keys = set(entry) - {"kind"}
    if missing := required - keys:
        raise UsageError(f"{where}: {kind} needs {', '.join(sorted(missing))}")
    if unknown := keys - required - optional:
        raise UsageError(f"{where}: unknown field(s) {', '.join(sorted(map(str, unknown)))} "
                         f"for {kind}; allowed: {', '.join(sorted(required | optional))}")
    for name in sorted(keys):
        wanted = FIELD_CHECKS[name](entry[name])
        if wanted:
            raise UsageError(f"{where}.{name}: {entry[name]!r}; expected {wanted}")
    times = entry.get("times", None if kind in ("token-expiry", "kafka-unavailable") else 1)
    return Fault(kind, entry, None if times in (None, 0) else times)


def load_faults(path: Path | None) -> Faults:
    """The faults of a YAML file (None: no faults); UsageError naming the file, entry and
    field when it cannot be read or is wrong."""
    if path is None:
        return Faults()
    return parse_faults(load_yaml_file(path, "faults file"), str(path))
