"""Where the chain runs: a real OSM (--osm-url, credentials from the environment or a 0600
file, TLS options, its Kafka) or, without --osm-url, an embedded sandbox started for the
command (results labelled simulated)."""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..credentials import Credentials, load_credentials
from ..errors import UsageError
from ..kafka_bus import KafkaUnavailable
from ..nbi import NbiClient
from ..waiting import OperationListener
from ..profile import Profile
from .progress import Progress
from .provision import Chain
from .state import CspState
from .target import OsmTarget


@dataclass(frozen=True)
class OsmOptions:
    osm_url: str | None = None
    credentials_file: Path | None = None
    user: str | None = None
    project: str | None = None
    ca_bundle: Path | None = None
    insecure: bool = False
    kafka: str | None = None
    nsp_vim: str = "nsp-vim"
    edge_vim: str = "edge-vim"
    time_scale: float = 0.01
    seed: int | None = None
    faults: Any = None

    def verify(self) -> bool | str:
        if self.insecure and self.ca_bundle:
            raise UsageError("--insecure and --ca-bundle exclude each other")
        return False if self.insecure else (str(self.ca_bundle) if self.ca_bundle else True)


class Session:
    """The Main OSM for a command; stops the embedded sandbox at the end."""

    def __init__(self, options: OsmOptions) -> None:
        self.options = options
        self.sandbox = None
        self._listener: OperationListener | None = None
        self._kafka_error: str | None = None
        self._lock = threading.Lock()
        self._onboarding = threading.Lock()
        if options.osm_url:
            self.credentials = load_credentials(options.user, options.project,
                                                options.credentials_file)
            self.url, self.verify, self.kafka = options.osm_url, options.verify(), options.kafka
            # a sandbox started with `osm-mec sandbox` says so: its figures are simulated
            self.simulated = NbiClient(self.url, self.credentials, verify=self.verify).is_sandbox
        else:
            from ..sandbox import Sandbox
            self.credentials = Credentials(options.user or "admin", secrets.token_urlsafe(18),
                                           options.project or "admin")
            self.sandbox = Sandbox(self.credentials, time_scale=options.time_scale,
                                   seed=options.seed, faults=options.faults,
                                   vims=(options.nsp_vim, options.edge_vim)).start()
            self.url, self.verify = self.sandbox.url, self.sandbox.verify
            self.kafka, self.simulated = self.sandbox.kafka_bootstrap, True

    def target(self) -> OsmTarget:
        """The Main OSM for one chain; all chains share one Kafka listener."""
        target = OsmTarget("main", NbiClient(self.url, self.credentials, verify=self.verify),
                           self.kafka, self.simulated)
        with self._lock:
            if self._listener is None and self.kafka and self._kafka_error is None:
                try:
                    self._listener = OperationListener(self.kafka, keep_records=True)
                except KafkaUnavailable as exc:
                    self._kafka_error = str(exc)
        if self._listener is not None:
            target.connect_kafka(self._listener)
        else:
            target.connect_kafka()
        return target

    def chain(self, profile: Profile, csp: str, state_dir: Path, progress: Progress,
              edge_vim_password: str | None = None) -> Chain:
        state = CspState.load(state_dir, csp)
        recorded = state.data.get("main_url")
        if recorded and recorded != self.url and state.data.get("objects"):
            hint = ("that run used an embedded sandbox, which ended with it"
                    if self.simulated or "127.0.0.1" in recorded else
                    f"pass --osm-url {recorded}")
            raise UsageError(f"{state.path}: CSP {csp} was provisioned on {recorded}, not "
                             f"{self.url}; {hint} (or move the state file away)")
        return Chain(profile, csp, self.target(), state, progress, self.options.nsp_vim,
                     self.options.edge_vim, edge_vim_password=edge_vim_password,
                     onboarding=self._onboarding)

    def close(self) -> None:
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        if self.sandbox is not None:
            self.sandbox.stop()
            self.sandbox = None

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
