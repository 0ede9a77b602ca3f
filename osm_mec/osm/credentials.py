"""OSM credentials: user and project from flags or the environment, the password from the
environment or a 0600 credentials file, never from a command line, and never echoed."""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..core.errors import UsageError
from ..core.yamlio import load_yaml

ENV_USER, ENV_PASSWORD, ENV_PROJECT = "OSM_USER", "OSM_PASSWORD", "OSM_PROJECT"
FILE_KEYS = {"user", "password", "project", "url", "kafka"}


@dataclass(frozen=True)
class Credentials:
    """Who to log in to an OSM NBI as. ``repr`` hides the password."""

    user: str
    password: str = field(repr=False)
    project: str = "admin"


def read_credentials_file(path: Path) -> dict[str, str]:
    """A YAML mapping with user, password, project (and optionally url and kafka, as
    `osm-mec sandbox` writes it); must be 0600."""
    try:
        mode = path.stat().st_mode
        text = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the OSM credentials file: {exc.strerror}") \
            from exc
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise UsageError(f"{path}: holds a password but is readable by others "
                         f"(mode {stat.S_IMODE(mode):o}); run: chmod 600 {path}")
    data = load_yaml(text, str(path)) or {}
    if not isinstance(data, dict) or set(map(str, data)) - FILE_KEYS:
        found = sorted(map(str, data)) if isinstance(data, dict) else type(data).__name__
        raise UsageError(f"{path}: expected a mapping with keys {', '.join(sorted(FILE_KEYS))}"
                         f"; found {found}")
    return {k: str(v) for k, v in data.items() if v is not None}


def load_credentials(user: str | None = None, project: str | None = None,
                     credentials_file: Path | None = None,
                     env: Mapping[str, str] | None = None) -> Credentials:
    """Flags first, then the environment, then the file; the password never from a flag."""
    env = os.environ if env is None else env
    from_file = read_credentials_file(credentials_file) if credentials_file else {}
    resolved_user = user or env.get(ENV_USER) or from_file.get("user") or "admin"
    resolved_project = project or env.get(ENV_PROJECT) or from_file.get("project") or "admin"
    password = env.get(ENV_PASSWORD) or from_file.get("password")
    if not password:
        raise UsageError(f"no OSM password: set {ENV_PASSWORD} or pass --osm-credentials FILE "
                         "(a 0600 YAML file with user, password, project)")
    return Credentials(resolved_user, password, resolved_project)
