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
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import UsageError

KINDS = {
    "operation-fails": ({"operation", "detail"}, {"ns", "primitive", "times"}),
    "http-error": ({"path"}, {"method", "status", "times"}),
    "token-expiry": ({"seconds"}, set()),
    "slow-answer": ({"path", "seconds"}, {"method", "times"}),
    "kafka-unavailable": (set(), set()),
    "registration-error": ({"object", "detail"}, {"name", "times"}),
}
OPERATIONS = ("instantiate", "scale", "action", "terminate")


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
    """Faults from the parsed YAML list; UsageError naming the entry and field otherwise."""
    if data is None:
        return Faults()
    if not isinstance(data, list):
        raise UsageError(f"{source}: expected a list of faults (- kind: ...)")
    items = []
    for i, entry in enumerate(data):
        where = f"{source}: [{i}]"
        if not isinstance(entry, dict) or entry.get("kind") not in KINDS:
            raise UsageError(f"{where}.kind: use one of {', '.join(KINDS)}")
        required, optional = KINDS[entry["kind"]]
        keys = set(entry) - {"kind"}
        if missing := required - keys:
            raise UsageError(f"{where}: {entry['kind']} needs {', '.join(sorted(missing))}")
        if unknown := keys - required - optional:
            raise UsageError(f"{where}: unknown field(s) {', '.join(sorted(unknown))} for "
                             f"{entry['kind']}")
        if entry["kind"] == "operation-fails" and entry["operation"] not in OPERATIONS:
            raise UsageError(f"{where}.operation: use one of {', '.join(OPERATIONS)}")
        times = entry.get("times", None if entry["kind"] in ("token-expiry",
                                                             "kafka-unavailable") else 1)
        if times is not None and (not isinstance(times, int) or times < 0):
            raise UsageError(f"{where}.times: a whole number >= 0 (0 = every time)")
        items.append(Fault(entry["kind"], entry, None if times in (None, 0) else times))
    return Faults(items)


def load_faults(path: Path | None) -> Faults:
    if path is None:
        return Faults()
    try:
        data = yaml.safe_load(path.read_text())
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the faults file: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise UsageError(f"{path}: not YAML: {exc}") from exc
    return parse_faults(data, str(path))
