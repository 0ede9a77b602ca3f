"""Run a rendered cloud-config's scripts the way cloud-init runs them, in an isolated root.

What runs for real: the shell (Debian's dash, as Ubuntu's /bin/sh), coreutils, sed, grep,
python3, and the scripts exactly as `write_files` writes them. cloud-init's `runcmd` is
turned into one `#!/bin/sh` script as cloud-init does (list items single-quoted, strings as
they are) and run with plain `sh` (no `-e`).

The VM's /etc, /var/lib and /usr/local are temporary folders bind-mounted over the real ones
in a private mount namespace (`unshare --map-root-user --mount`), so the scripts write the
real absolute paths without touching this machine.

Test doubles, because no VM, kernel modules, systemd, apt repository or kubeadm exist here:
ip, modprobe, sysctl, swapoff, hostname, containerd, systemctl, curl, gpg, apt-get, apt-mark,
kubeadm. Each records its call, refuses what the real tool refuses for the calls these
scripts make (unknown module, invalid host name, a unit whose package is not installed, an
unsigned apt source, `apt-get install` without `-y`, kubeadm before it is installed, ...),
and fails on demand (:meth:`FakeVm.arm_failure`).
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MOUNTED = ("/etc", "/var/lib", "/usr/local")
KNOWN_PACKAGES = {"kubelet", "kubeadm", "kubectl"}

_PRELUDE = r"""#!/bin/sh
tool=__NAME__
state=__STATE__
call="$tool $*"
echo "$call" >> "$state/calls.log"
if [ -f "$state/fail" ]; then
  while IFS= read -r prefix; do
    case "$call" in "$prefix"*) echo "$tool: failure armed by the test" >&2; exit 100;; esac
  done < "$state/fail"
fi
refuse() { echo "$tool: $*" >&2; exit "${code:-64}"; }
installed() { grep -qx "$1" "$state/installed" 2>/dev/null; }
"""

# The body of each double, after the prelude.
DOUBLES: dict[str, str] = {
    "ip": r"""
[ "$*" = "-o -4 addr show" ] || refuse "unexpected arguments: $*"
cat "$state/addresses"
""",
    "modprobe": r"""
case "$*" in overlay|br_netfilter) ;; *) code=1 refuse "FATAL: Module $* not found";; esac
""",
    "sysctl": r"""[ "$*" = "--system" ] || refuse "unexpected arguments: $*"
""",
    "swapoff": r"""[ "$*" = "-a" ] || refuse "unexpected arguments: $*"
""",
    "hostname": r"""
[ $# -eq 1 ] || refuse "unexpected arguments: $*"
printf '%s' "$1" | grep -Eqx '[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?' \
  || code=1 refuse "the specified hostname is invalid"
echo "$1" > "$state/hostname"
""",
    "containerd": r"""
[ "$*" = "config default" ] || refuse "unexpected arguments: $*"
printf '%s\n' 'version = 2' '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]' \
  '  SystemdCgroup = false'
""",
    "systemctl": r"""
case "$*" in
  "restart containerd") ;;
  "enable --now kubelet") installed kubelet \
    || code=1 refuse "Failed to enable unit: Unit file kubelet.service does not exist." ;;
  *) refuse "unexpected arguments: $*" ;;
esac
echo "$*" >> "$state/units"
""",
    "curl": r"""
[ "$1 $2 $3 $4" = "-fsSL --retry 5 -o" ] && [ $# -eq 6 ] || refuse "unexpected arguments: $*"
case "$6" in https://*) ;; *) refuse "refusing a non-https URL: $6";; esac
echo "-----BEGIN PGP PUBLIC KEY BLOCK-----" > "$5"
""",
    "gpg": r"""
[ "$1 $2 $3 $4" = "--batch --yes --dearmor -o" ] && [ $# -eq 6 ] || refuse "unexpected arguments: $*"
grep -q "BEGIN PGP PUBLIC KEY BLOCK" "$6" 2>/dev/null || code=2 refuse "no valid OpenPGP data found."
echo "dearmored key" > "$5"
""",
    "apt-get": r"""
case "$1" in
  update)
    [ $# -eq 1 ] || refuse "unexpected arguments: $*"
    for list in /etc/apt/sources.list.d/*.list; do
      [ -f "$list" ] || continue
      keyring=$(sed -n 's/.*signed-by=\([^] ]*\).*/\1/p' "$list")
      if [ -n "$keyring" ] && [ ! -s "$keyring" ]; then
        code=100 refuse "E: The repository in $list is not signed (missing $keyring)."
      fi
    done
    touch "$state/apt-updated" ;;
  install)
    [ "$2" = "-y" ] || code=1 refuse "Do you want to continue? [Y/n] Abort."
    [ -f "$state/apt-updated" ] || code=100 refuse "E: Unable to locate package $3"
    shift 2
    for package in "$@"; do
      echo " $KNOWN " | grep -q " $package " || code=100 refuse "E: Unable to locate package $package"
      echo "$package" >> "$state/installed"
    done ;;
  *) refuse "unexpected arguments: $*" ;;
esac
""",
    "apt-mark": r"""
[ "$1" = "hold" ] || refuse "unexpected arguments: $*"
shift
for package in "$@"; do
  installed "$package" || code=100 refuse "E: Unable to locate package $package"
done
""",
    "kubeadm": r"""
installed kubeadm || code=127 refuse "not found"
case "$*" in
  "version -o short") echo "v1.30.5" ;;
  "config images pull --kubernetes-version v"*) ;;
  *) refuse "unexpected arguments: $*" ;;
esac
""",
}


def unshare_available() -> bool:
    """Whether this kernel lets us create a private mount namespace as a mapped root."""
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "--map-root-user", "--mount", "true"],
                           capture_output=True, timeout=30)
    return probe.returncode == 0


def shellify(commands: list[Any]) -> str:
    """cloud-init's runcmd script: list items single-quoted and joined, strings as given."""
    lines = ["#!/bin/sh"]
    for command in commands:
        if isinstance(command, (list, tuple)):
            lines.append(" ".join("'" + str(arg).replace("'", "'\\''") + "'" for arg in command))
        else:
            lines.append(str(command))
    return "\n".join(lines) + "\n"


@dataclass
class RunResult:
    returncode: int
    stdout: str
    stderr: str


@dataclass
class FakeVm:
    """One VM's root folders, its doubles and their recorded state."""

    base: Path
    addresses: list[str] = field(default_factory=lambda: [
        "1: lo    inet 127.0.0.1/8 scope host lo",
        "2: ens3    inet 10.0.0.5/24 brd 10.0.0.255 scope global dynamic ens3",
        "3: ens4    inet 172.16.0.11/24 brd 172.16.0.255 scope global dynamic ens4",
    ])
    instance_id: str = "6f1d2c3a-0b4e-4f5a-9c7d-1e2f3a4b5c6d"

    def __post_init__(self) -> None:
        self.root = self.base / "root"
        self.state = self.base / "state"
        self.bin = self.base / "bin"
        for folder in MOUNTED:
            (self.root / folder.lstrip("/")).mkdir(parents=True, exist_ok=True)
        for path in ("etc/apt/sources.list.d", "etc/default", "var/lib/cloud/data"):
            (self.root / path).mkdir(parents=True, exist_ok=True)
        self.file("/etc/fstab").write_text(
            "LABEL=cloudimg-rootfs / ext4 defaults 0 1\n/swap.img none swap sw 0 0\n")
        self.file("/etc/hosts").write_text("127.0.0.1 localhost\n")
        self.file("/var/lib/cloud/data/instance-id").write_text(self.instance_id + "\n")
        self.state.mkdir(parents=True, exist_ok=True)
        (self.state / "addresses").write_text("\n".join(self.addresses) + "\n")
        self.bin.mkdir(parents=True, exist_ok=True)
        for name, body in DOUBLES.items():
            prelude = _PRELUDE.replace("__NAME__", name).replace("__STATE__", str(self.state))
            known = f"KNOWN='{' '.join(sorted(KNOWN_PACKAGES))}'\n"
            double = self.bin / name
            double.write_text(prelude + known + body)
            double.chmod(0o755)

    def file(self, path: str) -> Path:
        """Where an absolute VM path lives in this fake root (only under MOUNTED)."""
        if not any(path == m or path.startswith(m + "/") for m in MOUNTED):
            raise ValueError(f"{path} is outside the VM's mounted folders {MOUNTED}")
        return self.root / path.lstrip("/")

    def arm_failure(self, call_prefix: str) -> None:
        """Make the double whose call starts with call_prefix (e.g. 'apt-get install') fail."""
        with (self.state / "fail").open("a") as out:
            out.write(call_prefix + "\n")

    def write_files(self, config: dict[str, Any]) -> None:
        """Write the cloud-config's write_files as cloud-init does (content, permissions)."""
        for item in config.get("write_files") or []:
            target = self.file(item["path"])
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(item["content"])
            target.chmod(int(item.get("permissions", "0644"), 8))

    def calls(self) -> list[str]:
        log = self.state / "calls.log"
        return log.read_text().splitlines() if log.exists() else []

    def run(self, command: list[str], timeout: float = 60) -> RunResult:
        """Run a command inside the VM's mount namespace with the doubles first on PATH."""
        mounts = " && ".join(f"mount --bind {self.root}{m} {m}" for m in MOUNTED)
        script = f'{mounts} && exec "$@"'
        env = {"PATH": f"{self.bin}:/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8",
               "HOME": str(self.base)}
        result = subprocess.run(
            ["unshare", "--map-root-user", "--mount", "sh", "-c", script, "vm", *command],
            capture_output=True, text=True, timeout=timeout, env=env)
        return RunResult(result.returncode, result.stdout, result.stderr)

    def run_runcmd(self, config: dict[str, Any]) -> RunResult:
        """cloud-init's final stage for this config: the runcmd script run with plain sh."""
        script = self.state / "runcmd"
        script.write_text(shellify(config.get("runcmd") or []))
        return self.run(["sh", str(script)])
