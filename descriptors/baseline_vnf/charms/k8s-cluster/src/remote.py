"""The charm's SSH layer: run one command on the VM, safely and within bounds.

It drives the system's OpenSSH client (`ssh`, `ssh-keygen`; part of every Ubuntu image Juju
creates) instead of a Python SSH library, so the charm vendors pure-Python dependencies
only and one build runs on every base and architecture.

- password (through a private SSH_ASKPASS helper, never on a command line) or key login;
- connection retries with exponential backoff while the VM boots (bounded by a deadline);
- the host key is trusted on first use and pinned: a changed key is refused;
- commands are argument vectors, each argument quoted with shlex.quote, so the remote
  login shell is the only shell that parses them;
- every command has a timeout; exit status, stdout and stderr are captured.
"""

import os
import re
import shlex
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from subprocess import PIPE
from typing import Callable, Dict, List, NamedTuple, Optional, Sequence, Tuple

SSH_FAILED = 255  # ssh's own exit status when the connection or login failed
HOST_ALIAS = "osm-mec-vm"  # known_hosts entries do not depend on the address or port
HOST_KEY_PROBLEMS = ("Host key verification failed", "REMOTE HOST IDENTIFICATION HAS CHANGED",
                     "host key is known")
AUTH_PROBLEMS = ("Permission denied", "Too many authentication failures")


class RemoteError(Exception):
    """A remote step failed. `command` and `stderr` feed the action's results['output']."""

    def __init__(self, message: str, command: str = "", stderr: str = "") -> None:
        super().__init__(message)
        self.command = command
        self.stderr = stderr


class Unreachable(RemoteError):
    """The VM did not accept an SSH connection before the deadline."""


class AuthenticationFailed(RemoteError):
    """The VM refused the credentials."""


class HostKeyChanged(RemoteError):
    """The VM presented a host key different from the pinned one."""


class CommandTimeout(RemoteError):
    """A command did not finish in time."""


# NamedTuples, not dataclasses: Ubuntu 18.04's Python 3.6 has no dataclasses module.
class Result(NamedTuple):
    """What a remote command did."""

    command: str
    exit_status: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.exit_status == 0


def quote_argv(argv: Sequence[str]) -> str:
    """One shell word per argument: the remote shell parses the line exactly once."""
    return " ".join(shlex.quote(str(arg)) for arg in argv)


class HostKey(NamedTuple):
    """A pinned host key, as OpenSSH writes it in known_hosts."""

    key_type: str
    data: str  # base64


class Credentials(NamedTuple):
    """How to log in: a private key file and/or a password."""

    host: str
    username: str
    port: int = 22
    password: Optional[str] = None
    key_filename: Optional[str] = None

    @property
    def label(self) -> str:
        return self.host if self.port == 22 else f"[{self.host}]:{self.port}"


class _Workdir:
    """A private (0700) folder for known_hosts and the askpass helper; removed on close."""

    def __init__(self) -> None:
        self.path = Path(tempfile.mkdtemp(prefix="k8s-cluster-ssh-"))
        self.known_hosts = self.path / "known_hosts"
        self.known_hosts.touch(mode=0o600)
        self.control = self.path / "cm"

    def askpass(self, password: str) -> Path:
        secret = self.path / "password"
        fd = os.open(secret, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(password + "\n")
        script = self.path / "askpass"
        script.write_text(f"#!/bin/sh\nexec cat {shlex.quote(str(secret))}\n")
        script.chmod(0o700)
        return script

    def pin(self, key: HostKey) -> None:
        self.known_hosts.write_text(f"{HOST_ALIAS} {key.key_type} {key.data}\n")

    def learned(self) -> Optional[HostKey]:
        for line in self.known_hosts.read_text().splitlines():
            words = line.split()
            if len(words) >= 3 and words[0] == HOST_ALIAS:
                return HostKey(words[1], words[2])
        return None

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


class RemoteHost:
    """SSH access to one VM through the system's `ssh` client (one connection a command)."""

    def __init__(self, credentials: Credentials, pinned: Optional[HostKey] = None,
                 on_first_use: Callable[[HostKey], None] = lambda key: None,
                 connect_deadline: float = 300.0, connect_timeout: float = 10.0,
                 first_backoff: float = 1.0, max_backoff: float = 15.0,
                 auth_attempts: int = 3, sleep: Callable[[float], None] = time.sleep,
                 ssh: str = "ssh") -> None:
        self.credentials = credentials
        self.pinned = pinned
        self.on_first_use = on_first_use
        self.connect_deadline = connect_deadline
        self.connect_timeout = connect_timeout
        self.first_backoff = first_backoff
        self.max_backoff = max_backoff
        self.auth_attempts = auth_attempts
        self.sleep = sleep
        self.ssh = ssh
        self._work: Optional[_Workdir] = None
        self._master: Optional[subprocess.Popen] = None
        self._connected = False

    # -- the ssh command line ------------------------------------------------------------
    def _workdir(self) -> _Workdir:
        if self._work is None:
            self._work = _Workdir()
        return self._work

    def _argv(self, line: str) -> Tuple[List[str], Dict[str, str]]:
        c, work = self.credentials, self._workdir()
        if self.pinned is not None:
            work.pin(self.pinned)
        methods = (["publickey"] if c.key_filename else []) + (["password"] if c.password
                                                                else [])
        options = {
            "BatchMode": "no" if c.password else "yes",
            "StrictHostKeyChecking": "yes" if self.pinned is not None else "accept-new",
            "UserKnownHostsFile": str(work.known_hosts), "GlobalKnownHostsFile": "/dev/null",
            "HostKeyAlias": HOST_ALIAS, "CheckHostIP": "no", "UpdateHostKeys": "no",
            "PreferredAuthentications": ",".join(methods),
            "PubkeyAuthentication": "yes" if c.key_filename else "no",
            "PasswordAuthentication": "yes" if c.password else "no",
            "KbdInteractiveAuthentication": "no", "NumberOfPasswordPrompts": "1",
            "IdentitiesOnly": "yes", "IdentityAgent": "none", "ForwardAgent": "no",
            "ConnectTimeout": str(int(max(1, self.connect_timeout))),
            "ServerAliveInterval": "15", "ServerAliveCountMax": "4", "LogLevel": "ERROR",
            # commands share the master connection once it runs (no handshake each)
            "ControlMaster": "no", "ControlPath": str(work.control),
        }
        argv = [self.ssh, "-F", "/dev/null", "-T", "-p", str(c.port), "-l", c.username]
        if c.key_filename:
            argv += ["-i", c.key_filename]
        for name, value in options.items():
            argv += ["-o", f"{name}={value}"]
        env = {k: v for k, v in os.environ.items() if not k.startswith("SSH_")}
        if c.password:
            env.update(SSH_ASKPASS=str(work.askpass(c.password)), SSH_ASKPASS_REQUIRE="force",
                       DISPLAY=env.get("DISPLAY", "osm-mec:0"))
        return argv + ["--", c.host] + ([line] if line else []), env

    def _start_master(self) -> None:
        """One authenticated connection every later command multiplexes over; when it does
        not come up, commands simply open their own connections."""
        argv, env = self._argv("")
        argv[argv.index("ControlMaster=no")] = "ControlMaster=yes"
        self._master = subprocess.Popen(argv[:-2] + ["-N"] + argv[-2:],
                                        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, env=env,
                                        start_new_session=True)
        deadline = time.monotonic() + self.connect_timeout
        while not self._workdir().control.exists() and self._master.poll() is None \
                and time.monotonic() < deadline:
            time.sleep(0.02)

    def _ssh(self, line: str, timeout: float, stdin: Optional[str] = None) -> Result:
        argv, env = self._argv(line)
        try:
            done = subprocess.run(argv, input=(stdin or "").encode(), stdout=PIPE, stderr=PIPE,
                                  timeout=timeout, env=env, start_new_session=True)
        except subprocess.TimeoutExpired as exc:
            raise CommandTimeout(f"no answer within {timeout:.0f} s", line,
                                 (exc.stderr or b"").decode(errors="replace")) from exc
        except FileNotFoundError as exc:
            raise Unreachable(f"the OpenSSH client ({self.ssh}) is not installed on the "
                              "unit's machine: apt install openssh-client") from exc
        return Result(line, done.returncode, done.stdout.decode(errors="replace"),
                      done.stderr.decode(errors="replace"))

    def _check_transport(self, result: Result) -> None:
        """Raise when ssh itself failed (exit 255 with ssh's own complaint)."""
        if result.exit_status != SSH_FAILED:
            return
        c, err = self.credentials, result.stderr.strip()
        if any(problem in err for problem in HOST_KEY_PROBLEMS):
            pinned = self.pinned.key_type if self.pinned else "none"
            raise HostKeyChanged(f"host key of {c.label} changed (pinned {pinned}; ssh: "
                                 f"{_last_line(err)}); if the VM was rebuilt, redeploy the "
                                 "unit to trust the new key")
        if any(problem in err for problem in AUTH_PROBLEMS):
            raise AuthenticationFailed(f"{c.username}@{c.host}:{c.port} refused the "
                                       f"credentials ({_last_line(err)})")
        if re.search(r"^ssh: |^kex_|Connection (refused|closed|reset|timed out)|timed out|"
                     r"No route to host|Could not resolve", err, re.M):
            raise Unreachable(_last_line(err))

    # -- connecting ----------------------------------------------------------------------
    def connect(self) -> None:
        """Log in once, retrying with backoff until the deadline while the VM boots; a
        failure removes the private folder (the password file) before it is raised."""
        if self._connected:
            return
        try:
            self._login()
        except BaseException:
            self.close()
            raise

    def _login(self) -> None:
        c = self.credentials
        if not c.password and not c.key_filename:
            raise AuthenticationFailed(
                f"no credentials for {c.username}@{c.host}: run generate-ssh-key and let OSM "
                "inject the public key, or set ssh-password")
        deadline = time.monotonic() + self.connect_deadline
        delay, auth_failures, attempt, last = self.first_backoff, 0, 0, ""
        while True:
            attempt += 1
            try:
                probe = self._ssh("true", timeout=self.connect_timeout + 30)
                self._check_transport(probe)
                if probe.ok:
                    break
                last = f"`true` exited {probe.exit_status}: {_last_line(probe.stderr)}"
            except AuthenticationFailed as exc:
                auth_failures += 1
                if auth_failures >= self.auth_attempts:
                    raise AuthenticationFailed(
                        f"{c.username}@{c.host}:{c.port} refused the credentials after "
                        f"{auth_failures} attempts ({exc}); check ssh-username, the injected "
                        "key or ssh-password") from exc
                last = str(exc)
            except (Unreachable, CommandTimeout) as exc:
                last = str(exc) or type(exc).__name__
            if time.monotonic() + delay > deadline:
                raise Unreachable(f"{c.host}:{c.port} did not accept SSH within "
                                  f"{self.connect_deadline:.0f} s ({attempt} attempts; last "
                                  f"error: {last})")
            self.sleep(delay)
            delay = min(delay * 2, self.max_backoff)
        self._connected = True
        if self.pinned is None:
            self.pinned = self._workdir().learned()
            if self.pinned is not None:
                self.on_first_use(self.pinned)
        self._start_master()

    def run(self, argv: Sequence[str], timeout: float = 120.0, stdin: Optional[str] = None,
            sudo: bool = False) -> Result:
        """Run argv (quoted) on the VM; sudo runs it as root without a password prompt."""
        words = (["sudo", "-n", "--"] if sudo else []) + list(argv)
        return self.run_line(quote_argv(words), timeout=timeout, stdin=stdin)

    def run_line(self, line: str, timeout: float = 120.0, stdin: Optional[str] = None) -> Result:
        """Run a command line as the remote login shell parses it (the `run` action)."""
        self.connect()
        result = self._ssh(line, timeout=timeout, stdin=stdin)
        self._check_transport(result)
        return result

    def close(self) -> None:
        """Forget the connection and remove the private folder (password, known_hosts)."""
        self._connected = False
        if self._master is not None:
            self._master.terminate()
            try:
                self._master.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._master.kill()
                self._master.wait()
            self._master = None
        if self._work is not None:
            self._work.remove()
            self._work = None


def _last_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "no message"


def generate_key(key_type: str = "rsa", bits: int = 4096,
                 keygen: str = "ssh-keygen") -> Tuple[str, str]:
    """A new private key (OpenSSH format) and its public key line, made by ssh-keygen."""
    if key_type not in ("rsa", "ed25519"):
        raise ValueError(f"ssh-key-type {key_type!r}: use rsa or ed25519")
    folder = Path(tempfile.mkdtemp(prefix="k8s-cluster-key-"))
    try:
        path = folder / "id"
        argv = [keygen, "-q", "-t", key_type, "-N", "", "-C", "", "-f", str(path)]
        if key_type == "rsa":
            argv[4:4] = ["-b", str(bits)]
        done = subprocess.run(argv, stdout=PIPE, stderr=PIPE, stdin=subprocess.DEVNULL,
                              universal_newlines=True)
        if done.returncode != 0:
            raise ValueError(f"ssh-keygen failed ({done.returncode}): {done.stderr.strip()}")
        public = " ".join(path.with_suffix(".pub").read_text().split()[:2])
        return path.read_text(), public
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def decode_host_key(value: str) -> Optional[HostKey]:
    """A HostKey from its stored 'type base64' form (None when empty)."""
    import base64

    if not value:
        return None
    key_type, data = value.split(" ", 1)
    base64.b64decode(data)  # malformed stored keys fail loudly
    return HostKey(key_type, data)
