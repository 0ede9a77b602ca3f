"""Where the chain runs: a real OSM (--osm-url, credentials from the environment or a 0600
file, TLS options, its Kafka) or, without --osm-url, an embedded sandbox started for the
command (results labelled simulated)."""

from __future__ import annotations

import os
import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.errors import OsmMecError, UsageError
from ..offer.profile import Profile
from ..osm.credentials import Credentials, load_credentials, read_credentials_file
from ..osm.kafka_bus import KafkaUnavailable
from ..osm.nbi import NbiClient, NbiFailure, check_nbi_url
from ..osm.waiting import OperationListener
from .progress import Progress
from .provision import Chain
from .state import CspState
from .target import OsmTarget

if TYPE_CHECKING:
    from ..sandbox import Sandbox

ENV_HOSTNAME = "OSM_HOSTNAME"  # osmclient's: host or host:port of the NBI


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
    sandbox: bool = False            # an embedded sandbox for this command (--sandbox)
    # the edge VIM's password for the Edge OSM (from OSM_EDGE_VIM_PASSWORD, read by the CLI)
    edge_vim_password: str | None = field(default=None, repr=False)

    def verify(self) -> bool | str:
        if self.insecure and self.ca_bundle:
            raise UsageError("--insecure and --ca-bundle exclude each other")
        return False if self.insecure else (str(self.ca_bundle) if self.ca_bundle else True)


def osm_hostname_url(hostname: str) -> str:
    """osmclient's OSM_HOSTNAME (``host`` or ``host:port``, port 9999 by default) as a URL."""
    if "://" in hostname:
        return hostname
    host = hostname if ":" in hostname.strip("[]").rsplit("]", 1)[-1] else f"{hostname}:9999"
    return f"https://{host}/osm"


def choose_osm(options: OsmOptions, recorded: dict[str, dict[str, Any]],
               env: Mapping[str, str] | None = None) -> OsmOptions:
    """Which OSM a command talks to, chosen explicitly: --osm-url (or OSM_URL), osmclient's
    OSM_HOSTNAME, the URL recorded in the CSPs' state files, or --sandbox; never silently
    a throw-away sandbox. `recorded`: CSP -> its state file's data."""
    env = os.environ if env is None else env
    if options.osm_url and options.sandbox:
        raise UsageError("--osm-url and --sandbox exclude each other: the first names an OSM, "
                         "the second starts a throw-away one")
    if options.osm_url:
        return _with_file_kafka(replace(options, osm_url=check_nbi_url(options.osm_url)))
    if env.get(ENV_HOSTNAME):
        return replace(options, osm_url=check_nbi_url(osm_hostname_url(env[ENV_HOSTNAME]),
                                                      ENV_HOSTNAME))
    from_file = read_credentials_file(options.credentials_file) \
        if options.credentials_file else {}
    if from_file.get("url") and not options.sandbox:
        return _with_file_kafka(replace(options, osm_url=check_nbi_url(
            from_file["url"], f"{options.credentials_file}: url")))
    urls = {csp: data["main_url"] for csp, data in recorded.items()
            if data.get("main_url") and data.get("objects")}
    embedded = sorted(csp for csp, data in recorded.items()
                      if data.get("embedded") and csp in urls)
    if options.sandbox:
        return options
    if embedded:
        first = embedded[0]
        raise UsageError(f"CSP {', '.join(embedded)} was provisioned on an embedded sandbox, "
                         "which ended with its command: nothing of it is left; remove its "
                         f"state file (<state dir>/{first}.json), then `osm-mec provision "
                         f"--sandbox --csp {first}` starts again")
    if len(set(urls.values())) == 1:
        return replace(options, osm_url=check_nbi_url(next(iter(urls.values()))))
    if len(set(urls.values())) > 1:
        raise UsageError("the CSPs' state files name different OSMs ("
                         + ", ".join(f"{c}: {u}" for c, u in sorted(urls.items()))
                         + "); run the command per CSP, or pass --osm-url")
    raise UsageError(f"which OSM? pass --osm-url https://<host>:9999/osm (or set OSM_URL, or "
                     f"osmclient's {ENV_HOSTNAME}), or --sandbox for a throw-away embedded "
                     "sandbox (simulated results)")


def _with_file_kafka(options: OsmOptions) -> OsmOptions:
    """The Kafka address from the credentials file (`osm-mec sandbox` writes it) when it
    describes the chosen OSM and --kafka was not given."""
    if options.kafka or not options.credentials_file:
        return options
    from_file = read_credentials_file(options.credentials_file)
    if from_file.get("kafka") and from_file.get("url", options.osm_url) == options.osm_url:
        return replace(options, kafka=from_file["kafka"])
    return options


def first_contact_hint(exc: NbiFailure) -> str:
    """What to do when logging in to the OSM failed."""
    if exc.status in (401, 403):
        return ("check the OSM user, project and password (OSM_USER, OSM_PROJECT, "
                "OSM_PASSWORD or --osm-credentials), then run the command again")
    if exc.status == 0:
        return ("check the URL (https://<host>:9999/osm) and that OSM is up and reachable "
                "from here, then run the command again")
    return "check that the URL is OSM's NBI, then run the command again"


class Session:
    """The Main OSM for a command; stops the embedded sandbox at the end. Making one does
    nothing yet: ``open()`` (or ``with Session(options) as session``) checks the URL and
    the credentials and asks the OSM, or starts the embedded sandbox."""

    url: str
    verify: bool | str
    kafka: str | None
    simulated: bool
    credentials: Credentials

    def __init__(self, options: OsmOptions) -> None:
        self.options = options
        self.sandbox: Sandbox | None = None
        self._listener: OperationListener | None = None
        self._kafka_error: str | None = None
        self._lock = threading.Lock()
        self._onboarding = threading.Lock()

    def open(self) -> Session:
        """Connect to the chosen OSM (one login to tell a sandbox from a real OSM), or start
        the embedded sandbox."""
        options = self.options
        if options.osm_url:
            check_nbi_url(options.osm_url)
            self.credentials = load_credentials(options.user, options.project,
                                                options.credentials_file)
            self.url, self.verify, self.kafka = options.osm_url, options.verify(), options.kafka
            # a sandbox started with `osm-mec sandbox` says so: its figures are simulated
            try:
                self.simulated = NbiClient(self.url, self.credentials,
                                           verify=self.verify).is_sandbox
            except NbiFailure as exc:
                raise OsmMecError(f"{exc}\n  what to do: {first_contact_hint(exc)}") from exc
        else:
            from ..sandbox import Sandbox  # started only when asked for
            self.credentials = Credentials(options.user or "admin", secrets.token_urlsafe(18),
                                           options.project or "admin")
            self.sandbox = Sandbox(self.credentials, time_scale=options.time_scale,
                                   seed=options.seed, faults=options.faults,
                                   vims=(options.nsp_vim, options.edge_vim)).start()
            self.url, self.verify = self.sandbox.url, self.sandbox.verify
            self.kafka, self.simulated = self.sandbox.kafka_bootstrap, True
        return self

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
                    if state.data.get("embedded") else f"pass --osm-url {recorded}")
            raise UsageError(f"{state.path}: CSP {csp} was provisioned on {recorded}, not "
                             f"{self.url}; {hint} (or move the state file away)")
        return Chain(profile, csp, self.target(), state, progress, self.options.nsp_vim,
                     self.options.edge_vim, edge_vim_password=edge_vim_password,
                     onboarding=self._onboarding, embedded=self.sandbox is not None)

    def close(self) -> None:
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        if self.sandbox is not None:
            self.sandbox.stop()
            self.sandbox = None

    def __enter__(self) -> Session:
        return self.open()

    def __exit__(self, *exc: Any) -> None:
        self.close()
