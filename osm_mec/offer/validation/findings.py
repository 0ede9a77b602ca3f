"""A validation finding: which file, where in it, what is wrong."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

ERROR = "error"
WARNING = "warning"
# what a finding means to OSM's onboarding, when more than "the content is wrong": the
# package's layout (NBI refuses the upload itself), or a descriptor it needs that is not
# onboarded yet (NBI's conflict); the sandbox's NBI answers each with NBI's status
CONTENT, LAYOUT, MISSING_DEPENDENCY = "content", "layout", "missing-dependency"


@dataclass(frozen=True)
class Finding:
    """One problem, printed as ``FILE: json.path: message``."""

    file: str
    path: str
    message: str
    severity: str = ERROR
    kind: str = CONTENT

    def line(self) -> str:
        prefix = "warning: " if self.severity == WARNING else ""
        return f"{self.file}: {self.path}: {prefix}{self.message}"

    def as_dict(self) -> dict[str, Any]:
        """file, path, message and severity (what `validate --format json` prints)."""
        out = asdict(self)
        del out["kind"]
        return out


def json_path(parts: Iterable[Any]) -> str:
    """`vnfd.df[0].vdu-profile[1].id` from path components."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.severity == ERROR for f in findings)
