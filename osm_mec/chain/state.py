"""The state file of one CSP: every object provisioning created, with its OSM id, so that a
re-run resumes and teardown finds everything. JSON, 0600, no secrets (passwords, tokens
and keys live only in OSM)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..secret_files import write_secret_file

DEFAULT_STATE_DIR = Path(".osm-mec/state")


@dataclass
class CspState:
    csp: str
    path: Path
    data: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, directory: Path, csp: str) -> "CspState":
        path = directory / f"{csp}.json"
        if not path.exists():
            return cls(csp, path, {"csp": csp, "objects": {}})
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            raise UsageError(f"{path}: unreadable state file ({exc}); move it away to start "
                             "over (objects in OSM are found again by name)") from exc
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
        tmp = self.path.with_suffix(".tmp")
        write_secret_file(tmp, json.dumps(self.data, indent=2, sort_keys=True) + "\n")
        os.replace(tmp, self.path)

    def delete(self) -> None:
        self.path.unlink(missing_ok=True)
