"""A real OpenSSH server on 127.0.0.1 for the charm's integration tests.

Adds throwaway users (one per simulated node) whose PATH starts with the test doubles
(doubles/k8s_double.py, the kubeadm/kubectl model as executables: kubeadm, kubectl,
systemctl, sudo, curl, hostname), starts
Debian's /usr/sbin/sshd with its own config and host key, and removes everything after.
Needs root (CI runs as root) and Debian's openssh-server (scripts/install.sh --test).
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..net import free_port

DOUBLES = Path(__file__).resolve().parent / "doubles" / "k8s_double.py"
# the executable's model (one model for these tests and the unit tests' fake VM)
MODEL = ("k8s_model.py", "kubeadm_model.py", "kubectl_model.py", "cli_flags.py")
TOOLS = ("kubeadm", "kubectl", "systemctl", "sudo", "curl", "hostname")
SSHD = "/usr/sbin/sshd"


@dataclass
class TestUser:
    name: str
    password: str
    home: Path
    node_name: str

    @property
    def fake_root(self) -> Path:
        return self.home / "root"

    def authorize(self, public_key: str) -> None:
        """Add a key to the user's authorized keys (keys other tests added stay)."""
        ssh = self.home / ".ssh"
        keys = ssh / "authorized_keys"
        known = keys.read_text().splitlines() if keys.exists() else []
        if public_key.strip() not in known:
            keys.write_text("".join(f"{k}\n" for k in [*known, public_key.strip()]))
        _chown_tree(ssh, self.name)


def _chown_tree(path: Path, user: str) -> None:
    entry = pwd.getpwnam(user)
    for root, dirs, files in os.walk(path):
        for name in [root, *[os.path.join(root, d) for d in dirs],
                     *[os.path.join(root, f) for f in files]]:
            os.lchown(name, entry.pw_uid, entry.pw_gid)


@dataclass
class SshServer:
    """Start with start(); stop() kills sshd; cleanup() also removes the users."""

    workdir: Path  # root-only: config and host keys
    port: int = field(default_factory=free_port)
    users: dict[str, TestUser] = field(default_factory=dict)
    process: subprocess.Popen | None = None
    # files the throwaway users write (the doubles' log and cluster state) live in a folder
    # they can reach: pytest's own temporary folders are private to root
    shared: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="osm-mec-sshd-")))

    @property
    def log(self) -> Path:
        return self.shared / "doubles.log"

    @property
    def cluster_state(self) -> Path:
        return self.shared / "cluster.json"

    def add_user(self, name: str, node_name: str) -> TestUser:
        if _user_exists(name):
            subprocess.run(["userdel", "-r", "-f", name], capture_output=True)
        subprocess.run(["useradd", "-m", "-s", "/bin/sh", name], check=True)
        password = "pw with spaces $ and 'quotes' " + secrets.token_hex(4)
        subprocess.run(["chpasswd"], input=f"{name}:{password}\n", text=True, check=True)
        home = Path(pwd.getpwnam(name).pw_dir)
        bin_dir = home / "bin"
        bin_dir.mkdir(exist_ok=True)
        shutil.copy(DOUBLES, bin_dir / "k8s_double.py")
        for module in MODEL:
            shutil.copy(DOUBLES.parent / module, bin_dir / module)
        (bin_dir / "k8s_double.py").chmod(0o755)
        for tool in TOOLS:
            (bin_dir / tool).symlink_to(bin_dir / "k8s_double.py")
        (home / "root").mkdir(exist_ok=True)
        ssh = home / ".ssh"
        ssh.mkdir(mode=0o700, exist_ok=True)
        (ssh / "environment").write_text(
            f"PATH={bin_dir}:/usr/local/bin:/usr/bin:/bin\n"
            f"FAKE_ROOT={home / 'root'}\nNODE_NAME={node_name}\n"
            f"K8S_DOUBLE_CLUSTER={self.cluster_state}\nK8S_DOUBLE_LOG={self.log}\n")
        (ssh / "authorized_keys").touch()
        _chown_tree(home, name)
        user = TestUser(name, password, home, node_name)
        self.users[name] = user
        return user

    def write_config(self, host_key_type: str = "ed25519") -> Path:
        key = self.workdir / f"host_{host_key_type}"
        if not key.exists():
            subprocess.run(["ssh-keygen", "-q", "-t", host_key_type, "-N", "", "-f", str(key)],
                           check=True)
        config = self.workdir / "sshd_config"
        config.write_text(f"""Port {self.port}
ListenAddress 127.0.0.1
HostKey {key}
PidFile {self.workdir}/sshd.pid
UsePAM no
PasswordAuthentication yes
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin no
AuthorizedKeysFile .ssh/authorized_keys
PermitUserEnvironment yes
StrictModes no
AllowUsers {' '.join(self.users)}
LogLevel ERROR
""")
        return config

    def start(self, host_key_type: str = "ed25519") -> SshServer:
        self.shared.chmod(0o755)
        for shared in (self.log, self.cluster_state):
            shared.touch()
            shared.chmod(0o666)
        Path(str(self.cluster_state) + ".lock").touch()
        Path(str(self.cluster_state) + ".lock").chmod(0o666)
        Path("/run/sshd").mkdir(exist_ok=True)
        config = self.write_config(host_key_type)
        self.process = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"sshd exited: {self.process.stderr.read().decode()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("sshd did not start listening within 10 s")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def cleanup(self) -> None:
        self.stop()
        for name in self.users:
            subprocess.run(["userdel", "-r", "-f", name], capture_output=True)
        self.users.clear()
        shutil.rmtree(self.shared, ignore_errors=True)

    def calls(self, tool: str | None = None) -> list[dict]:
        import json

        entries = [json.loads(line) for line in self.log.read_text().splitlines() if line]
        return [e for e in entries if tool is None or e["tool"] == tool]


def unique_user(prefix: str) -> str:
    """A login name no other test process uses at the same time (system users are shared by
    every pytest run on the machine; a fixed name lets one run delete another's user)."""
    return f"{prefix}{secrets.token_hex(3)}"  # useradd: at most 32 characters


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def available() -> str | None:
    """Why the integration tests cannot run here, or None."""
    if os.geteuid() != 0:
        return "needs root to add throwaway users and run sshd"
    if not Path(SSHD).exists():
        return "openssh-server is not installed (scripts/install.sh --test installs it)"
    return None
