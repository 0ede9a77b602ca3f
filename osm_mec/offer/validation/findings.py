"""A validation finding: which file, where in it, what is wrong."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Iterable

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    """One problem, printed as ``FILE: json.path: message``."""

    file: str
    path: str
    message: str
    severity: str = ERROR

    def line(self) -> str:
        prefix = "warning: " if self.severity == WARNING else ""
        return f"{self.file}: {self.path}: {prefix}{self.message}"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


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
