"""`osm-mec sandbox`: run a sandbox OSM in the foreground until interrupted."""

from __future__ import annotations

import errno
import os
import secrets
import signal
import threading
from collections.abc import Callable
from pathlib import Path

import yaml

from ..core.errors import OsmMecError
from ..core.secret_files import write_secret_file
from ..osm.credentials import ENV_PASSWORD, Credentials
from . import Sandbox
from .faults import Faults


def sandbox_credentials(user: str, project: str) -> Credentials:
    """The sandbox's login: the password from OSM_PASSWORD, or a fresh random one."""
    return Credentials(user, os.environ.get(ENV_PASSWORD) or secrets.token_urlsafe(18), project)


def write_credentials(path: Path, sandbox: Sandbox) -> None:
    """A 0600 credentials file for `--osm-credentials` (url, kafka, user, password,
    project)."""
    c = sandbox.credentials
    write_secret_file(path, yaml.safe_dump({"url": sandbox.url, "kafka": sandbox.kafka_bootstrap,
                                            "user": c.user, "password": c.password,
                                            "project": c.project}, sort_keys=False))


def start_error(port: int, exc: OSError) -> str:
    """One line saying why the sandbox could not start listening, and what to do."""
    if exc.errno == errno.EADDRINUSE:
        return (f"port {port} on 127.0.0.1 is already in use: stop what listens there or "
                "choose another with --port (0 picks a free one)")
    if exc.errno == errno.EACCES:
        return (f"not allowed to listen on port {port} (ports below 1024 need root): "
                "choose another with --port")
    return f"cannot start the sandbox on port {port}: {exc.strerror or exc}"


def serve(credentials: Credentials, credentials_file: Path, port: int, kafka: str | None,
          time_scale: float, seed: int | None, faults: Faults, tls: bool,
          echo: Callable[[str], None]) -> None:
    """Start, print how to reach it, wait for SIGINT/SIGTERM, stop (Edge OSMs too)."""
    stopping = threading.Event()

    def announce_edge(edge: Sandbox) -> None:
        echo(f"Edge OSM {edge.name}: {edge.url} (Kafka {edge.kafka_bootstrap})")

    try:
        sandbox = Sandbox(credentials, port=port, kafka=kafka, time_scale=time_scale,
                          seed=seed, faults=faults, tls=tls, on_edge=announce_edge)
    except OSError as exc:
        raise OsmMecError(start_error(port, exc)) from None
    with sandbox:
        try:
            write_credentials(credentials_file, sandbox)
        except OSError as exc:
            raise OsmMecError(f"{credentials_file}: cannot write the credentials file: "
                              f"{exc.strerror or exc}; choose another with "
                              "--credentials-out") from None
        echo(f"OSM NBI:     {sandbox.url}")
        echo(f"Kafka:       {sandbox.kafka_bootstrap}"
             + (" (librdkafka mock cluster)" if sandbox.publisher.mock else ""))
        echo(f"Credentials: user {credentials.user}, project {credentials.project}, password "
             f"in {credentials_file} (0600; use --osm-credentials {credentials_file})")
        if sandbox.ca_file:
            echo(f"TLS CA:      {sandbox.ca_file}")
        echo(f"Time scale:  {time_scale} (results are simulated); Ctrl-C stops")
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stopping.set())
        stopping.wait()
        echo("stopping the sandbox")
