"""The charm's SSH layer: run one command on the VM, safely and within bounds.

- password or key login;
- connection retries with exponential backoff while the VM boots (bounded by a deadline);
- the host key is trusted on first use and pinned: a changed key is refused;
- commands are argument vectors, each argument quoted with shlex.quote, so the remote
  login shell is the only shell that parses them;
- every command has a timeout; exit status, stdout and stderr are captured.
"""

from __future__ import annotations

import base64
import select
import shlex
import socket
import time
from dataclasses import dataclass
from typing import Callable, Sequence

import paramiko


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


@dataclass(frozen=True)
class Result:
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


@dataclass(frozen=True)
class HostKey:
    """A pinned host key."""

    key_type: str
    data: str  # base64

    @classmethod
    def of(cls, key: paramiko.PKey) -> "HostKey":
        return cls(key.get_name(), key.get_base64())

    def matches(self, key: paramiko.PKey) -> bool:
        return self.key_type == key.get_name() and self.data == key.get_base64()


class _PinningPolicy(paramiko.MissingHostKeyPolicy):
    """Trust on first use, then only the pinned key."""

    def __init__(self, pinned: HostKey | None, on_first_use: Callable[[HostKey], None]) -> None:
        self.pinned = pinned
        self.on_first_use = on_first_use

    def missing_host_key(self, client: paramiko.SSHClient, hostname: str,
                         key: paramiko.PKey) -> None:
        if self.pinned is None:
            self.pinned = HostKey.of(key)
            self.on_first_use(self.pinned)
        elif not self.pinned.matches(key):
            raise HostKeyChanged(
                f"host key of {hostname} changed (pinned {self.pinned.key_type}, got "
                f"{key.get_name()} {key.get_fingerprint().hex()}); if the VM was rebuilt, "
                "redeploy the unit to trust the new key")


@dataclass
class Credentials:
    """How to log in: a private key file and/or a password."""

    host: str
    username: str
    port: int = 22
    password: str | None = None
    key_filename: str | None = None


class RemoteHost:
    """An SSH connection to one VM, opened lazily and reused for every command."""

    def __init__(self, credentials: Credentials, pinned: HostKey | None = None,
                 on_first_use: Callable[[HostKey], None] = lambda key: None,
                 connect_deadline: float = 300.0, connect_timeout: float = 10.0,
                 first_backoff: float = 1.0, max_backoff: float = 15.0,
                 auth_attempts: int = 3, sleep: Callable[[float], None] = time.sleep) -> None:
        self.credentials = credentials
        self.policy = _PinningPolicy(pinned, on_first_use)
        self.connect_deadline = connect_deadline
        self.connect_timeout = connect_timeout
        self.first_backoff = first_backoff
        self.max_backoff = max_backoff
        self.auth_attempts = auth_attempts
        self.sleep = sleep
        self._client: paramiko.SSHClient | None = None

    @property
    def pinned(self) -> HostKey | None:
        return self.policy.pinned

    def _connect_once(self) -> paramiko.SSHClient:
        client = paramiko.SSHClient()
        client.set_missing_host_key_policy(self.policy)
        c = self.credentials
        client.connect(c.host, port=c.port, username=c.username, password=c.password or None,
                       key_filename=c.key_filename, look_for_keys=False, allow_agent=False,
                       timeout=self.connect_timeout, banner_timeout=self.connect_timeout,
                       auth_timeout=self.connect_timeout)
        return client

    def connect(self) -> paramiko.SSHClient:
        """Connect, retrying with backoff until the deadline while the VM boots."""
        if self._client is not None and self._client.get_transport() is not None \
                and self._client.get_transport().is_active():
            return self._client
        c = self.credentials
        if not c.password and not c.key_filename:
            raise AuthenticationFailed(
                f"no credentials for {c.username}@{c.host}: run generate-ssh-key and let OSM "
                "inject the public key, or set ssh-password")
        deadline = time.monotonic() + self.connect_deadline
        delay, auth_failures, attempt = self.first_backoff, 0, 0
        while True:
            attempt += 1
            try:
                self._client = self._connect_once()
                return self._client
            except HostKeyChanged:
                raise
            except paramiko.AuthenticationException as exc:
                auth_failures += 1
                if auth_failures >= self.auth_attempts:
                    raise AuthenticationFailed(
                        f"{c.username}@{c.host}:{c.port} refused the credentials after "
                        f"{auth_failures} attempts ({exc}); check ssh-username, the injected "
                        "key or ssh-password") from exc
                last = str(exc)
            except (OSError, paramiko.SSHException, EOFError) as exc:
                last = str(exc) or type(exc).__name__
            if time.monotonic() + delay > deadline:
                raise Unreachable(f"{c.host}:{c.port} did not accept SSH within "
                                  f"{self.connect_deadline:.0f} s ({attempt} attempts; last "
                                  f"error: {last})")
            self.sleep(delay)
            delay = min(delay * 2, self.max_backoff)

    def run(self, argv: Sequence[str], timeout: float = 120.0, stdin: str | None = None,
            sudo: bool = False) -> Result:
        """Run argv (quoted) on the VM; sudo runs it as root without a password prompt."""
        words = (["sudo", "-n", "--"] if sudo else []) + list(argv)
        return self.run_line(quote_argv(words), timeout=timeout, stdin=stdin)

    def run_line(self, line: str, timeout: float = 120.0, stdin: str | None = None) -> Result:
        """Run a command line as the remote login shell parses it (the `run` action)."""
        client = self.connect()
        transport = client.get_transport()
        assert transport is not None
        channel = transport.open_session(timeout=self.connect_timeout)
        try:
            channel.exec_command(line)
            if stdin is not None:
                channel.sendall(stdin.encode())
            channel.shutdown_write()
            stdout, stderr = bytearray(), bytearray()
            deadline = time.monotonic() + timeout
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise CommandTimeout(f"no answer within {timeout:.0f} s", line,
                                         bytes(stderr).decode(errors="replace"))
                select.select([channel], [], [], min(remaining, 1.0))
                while channel.recv_ready():
                    stdout += channel.recv(65536)
                while channel.recv_stderr_ready():
                    stderr += channel.recv_stderr(65536)
                if channel.exit_status_ready() and not channel.recv_ready() \
                        and not channel.recv_stderr_ready():
                    break
            return Result(line, channel.recv_exit_status(), stdout.decode(errors="replace"),
                          stderr.decode(errors="replace"))
        except socket.timeout as exc:
            raise CommandTimeout(f"no answer within {timeout:.0f} s", line) from exc
        finally:
            channel.close()

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


def generate_key(key_type: str = "rsa", bits: int = 4096) -> tuple[str, str]:
    """A new private key (OpenSSH PEM) and its public key line."""
    import io

    if key_type == "ed25519":
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ed25519

        private = ed25519.Ed25519PrivateKey.generate()
        pem = private.private_bytes(serialization.Encoding.PEM,
                                    serialization.PrivateFormat.OpenSSH,
                                    serialization.NoEncryption()).decode()
        key: paramiko.PKey = paramiko.Ed25519Key.from_private_key(io.StringIO(pem))
    elif key_type == "rsa":
        key = paramiko.RSAKey.generate(bits)
        buffer = io.StringIO()
        key.write_private_key(buffer)
        pem = buffer.getvalue()
    else:
        raise ValueError(f"ssh-key-type {key_type!r}: use rsa or ed25519")
    return pem, f"{key.get_name()} {key.get_base64()}"


def decode_host_key(value: str) -> HostKey | None:
    """A HostKey from its stored 'type base64' form (None when empty)."""
    if not value:
        return None
    key_type, data = value.split(" ", 1)
    base64.b64decode(data)  # malformed stored keys fail loudly
    return HostKey(key_type, data)
