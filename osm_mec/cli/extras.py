"""Which optional install ("extra") a command needs, checked before the command imports it:
a core install builds, validates and writes parameters; the rest say what to install."""

from __future__ import annotations

import importlib.util

from ..core.errors import OsmMecError

# the third-party modules each extra of setup.cfg brings
EXTRA_MODULES: dict[str, tuple[str, ...]] = {
    "chain": ("requests", "confluent_kafka", "rich", "cryptography"),
    "report": ("matplotlib",),
    "mep": ("fastapi", "uvicorn", "redis", "httpx", "aiohttp", "pydantic"),
    "meo": ("fastapi", "uvicorn", "pydantic", "requests", "confluent_kafka"),
}


def missing_modules(extra: str) -> list[str]:
    """The modules of an extra that are not installed."""
    return [name for name in EXTRA_MODULES[extra] if importlib.util.find_spec(name) is None]


def require_extras(command: str, *extras: str) -> None:
    """OsmMecError (exit 1) naming the extras to install when a command's are missing."""
    lacking = {extra: missing for extra in extras if (missing := missing_modules(extra))}
    if lacking:
        names = ",".join(lacking)
        modules = ", ".join(m for missing in lacking.values() for m in missing)
        raise OsmMecError(f"`osm-mec {command}` needs the {names} extra ({modules} not "
                          f"installed): pip install 'osm-mec[{names}]'")
