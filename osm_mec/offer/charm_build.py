"""Build a charm Juju can run from its source folder, as ``charmcraft pack`` lays it out.

OSM's LCM hands the package's ``charms/<name>/`` folder to python-libjuju, which zips it and
uploads it as it is: the folder must already be a built charm. The build writes

- ``dispatch``: the script Juju runs for every hook and action (charmcraft's own form);
- ``venv/``: the Python dependencies, unpacked from pinned artefacts (Python 3.8+: ops 2.x);
- ``venv-py36/``: the same for Python 3.6/3.7 (Ubuntu 18.04, the series OSM gives proxy-charm
  machines: ops 1.5), from ``requirements-py36.txt``; ``dispatch`` picks the folder by the
  interpreter's version;
- ``src/``, ``metadata.yaml``, ``config.yaml``, ``actions.yaml`` and the data folders the
  charm reads at run time (``cni/``, ``storage/``);
- ``manifest.yaml``: the bases (Ubuntu releases and architectures) the charm runs on.

Dependencies. ``requirements.txt`` (and ``requirements-py36.txt``) pin every dependency
with one ``--hash=sha256:`` per artefact; the artefacts live in the charm's ``wheelhouse/`` (so a build needs no network
and is byte-identical for the same input). Only pure-Python artefacts are accepted
(``py3-none-any`` wheels, or the pure package of an sdist listed in PURE_SDIST_PACKAGES):
the charm then runs on every base's Python (3.6+) and every architecture, which is why it
drives the VM with the system's OpenSSH client rather than paramiko (whose cryptography,
bcrypt and PyNaCl are compiled per Python and platform). ``fetch_wheelhouse`` downloads
missing artefacts from PyPI with pip when the pins change.
"""

from __future__ import annotations

import hashlib
import io
import re
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import yaml

from ..core.errors import OsmMecError

REQUIREMENTS = "requirements.txt"
# Each pin set and the folder it is vendored into; dispatch uses the second on Python < 3.8.
VENVS = ((REQUIREMENTS, "venv", "3.8"), ("requirements-py36.txt", "venv-py36", "3.6"))
WHEELHOUSE = "wheelhouse"
# What charmcraft pack puts in a charm besides dispatch/venv/manifest, plus our data folders.
CHARM_FILES = ("metadata.yaml", "config.yaml", "actions.yaml", "LICENSE", "README.md",
               "icon.svg")
CHARM_FOLDERS = ("src", "lib", "cni", "storage")
DISPATCH = ('#!/bin/sh\n'
            '# ops 2.x needs Python 3.8+; Ubuntu 18.04 (Python 3.6) runs ops 1.5 from venv-py36\n'
            'VENV=venv\n'
            "/usr/bin/env python3 -c 'import sys; sys.exit(sys.version_info < (3, 8))' "
            '|| VENV=venv-py36\n'
            'JUJU_DISPATCH_PATH="${JUJU_DISPATCH_PATH:-$0}" PYTHONPATH="lib:$VENV" '
            '/usr/bin/env python3 ./src/charm.py\n')
# PyYAML publishes no pure-Python wheel; its C extension is optional, so the build takes
# the pure package folder from the pinned sdist.
PURE_SDIST_PACKAGES = {"pyyaml": "lib/yaml"}
ARCHITECTURES = ("amd64", "arm64")
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_PIN = re.compile(r"^([A-Za-z0-9_.-]+)==([A-Za-z0-9_.!+-]+)\s+--hash=sha256:([0-9a-f]{64})\s*$")


class CharmBuildError(OsmMecError):
    """The charm cannot be built; the message names the file and what to do."""


@dataclass(frozen=True)
class BuiltFile:
    """A file of the built charm."""

    data: bytes
    executable: bool = False


@dataclass(frozen=True)
class Pin:
    """One pinned dependency artefact."""

    name: str
    version: str
    sha256: str

    @property
    def key(self) -> str:
        return re.sub(r"[-_.]+", "-", self.name).lower()


def read_pins(source: Path, requirements: str = REQUIREMENTS) -> list[Pin]:
    """The pins of a requirements file: `name==version --hash=sha256:<hex>` on each line."""
    path = source / requirements
    if not path.exists():
        raise CharmBuildError(f"{path}: missing; pin the charm's dependencies there")
    pins = []
    for number, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.split("#", 1)[0].strip() if not raw.lstrip().startswith("--") else ""
        if not line:
            continue
        match = _PIN.match(line)
        if not match:
            raise CharmBuildError(f"{path}:{number}: {line!r} is not `name==version "
                                  "--hash=sha256:<64 hex>` (one pinned artefact a line)")
        pins.append(Pin(*match.groups()))
    return pins


def _artefact(source: Path, pin: Pin, requirements: str = REQUIREMENTS) -> tuple[str, bytes]:
    """The wheelhouse file of a pin, checked against its hash."""
    folder = source / WHEELHOUSE
    for path in sorted(folder.glob("*")) if folder.is_dir() else []:
        name = path.name.lower().replace("_", "-")
        stem = f"{pin.key}-{pin.version}"
        if name.startswith(stem + "-") or name == stem + ".tar.gz":
            data = path.read_bytes()
            if hashlib.sha256(data).hexdigest() == pin.sha256:
                return path.name, data
    raise CharmBuildError(f"{folder}: no artefact of {pin.name}=={pin.version} with sha256 "
                          f"{pin.sha256}; run `python3 -m osm_mec.offer.charm_build fetch {source}` "
                          f"(needs PyPI) or fix the hash in {requirements}")


def _from_wheel(name: str, data: bytes) -> dict[str, bytes]:
    tags = name[:-len(".whl")].split("-")[-3:]
    if tags[1] != "none" or tags[2] != "any":
        raise CharmBuildError(f"{name}: not a pure-Python wheel (tags {'-'.join(tags)}); the "
                              "charm vendors pure-Python dependencies only, for every base")
    files: dict[str, bytes] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as wheel:
        for member in sorted(wheel.namelist()):
            if member.endswith("/"):
                continue
            if ".data/" in member.split("/", 1)[0] + "/":
                raise CharmBuildError(f"{name}: has {member}; wheels with a .data folder "
                                      "are not supported")
            files[member] = wheel.read(member)
    return files


def _from_sdist(name: str, data: bytes, pin: Pin) -> dict[str, bytes]:
    folder = PURE_SDIST_PACKAGES.get(pin.key)
    if folder is None:
        raise CharmBuildError(f"{name}: an sdist; pin a py3-none-any wheel of {pin.name}, or "
                              "name its pure package folder in PURE_SDIST_PACKAGES")
    package = PurePosixPath(folder).name
    files: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as sdist:
        for member in sorted(sdist.getmembers(), key=lambda m: m.name):
            parts = PurePosixPath(member.name).parts
            rel = PurePosixPath(*parts[1:]).as_posix() if len(parts) > 1 else ""
            extracted = sdist.extractfile(member) if member.isfile() else None
            if extracted is None:
                continue
            if rel.startswith(folder + "/") and rel.endswith(".py"):
                files[f"{package}/{rel[len(folder) + 1:]}"] = extracted.read()
            elif rel in ("PKG-INFO", "LICENSE"):
                meta = "METADATA" if rel == "PKG-INFO" else rel
                files[f"{pin.name}-{pin.version}.dist-info/{meta}"] = extracted.read()
    if not any(path.startswith(package + "/") for path in files):
        raise CharmBuildError(f"{name}: no {folder}/ in the sdist")
    return files


def vendored(source: Path, requirements: str = REQUIREMENTS) -> dict[str, bytes]:
    """A venv folder of the built charm: every artefact pinned in requirements, unpacked,
    by relative path."""
    files: dict[str, bytes] = {}
    for pin in read_pins(source, requirements):
        name, data = _artefact(source, pin, requirements)
        unpacked = _from_wheel(name, data) if name.endswith(".whl") else \
            _from_sdist(name, data, pin)
        for rel, content in unpacked.items():
            if rel in files and files[rel] != content:
                raise CharmBuildError(f"{name}: {rel} clashes with another dependency")
            files[rel] = content
    return files


def _bases(source: Path) -> list[dict]:
    """run-on bases of charmcraft.yaml, each with the architectures a pure charm runs on."""
    path = source / "charmcraft.yaml"
    try:
        config = yaml.safe_load(path.read_text()) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise CharmBuildError(f"{path}: {exc}") from exc
    bases = []
    for entry in config.get("bases") or []:
        for base in entry.get("run-on") or [entry]:
            bases.append({"name": base["name"], "channel": str(base["channel"]),
                          "architectures": list(ARCHITECTURES)})
    if not bases:
        raise CharmBuildError(f"{path}: no bases; list the Ubuntu releases the charm runs on")
    return bases


def manifest(source: Path) -> str:
    """manifest.yaml as charmcraft writes it (fixed values: the build is reproducible)."""
    return yaml.safe_dump({
        "analysis": {"attributes": [{"name": "language", "result": "python"},
                                    {"name": "framework", "result": "operator"}]},
        "charmcraft-started-at": "1980-01-01T00:00:00Z",
        "charmcraft-version": "osm-mec charm_build 1",
        "bases": _bases(source),
    }, sort_keys=False)


def _source_files(source: Path) -> dict[str, BuiltFile]:
    files: dict[str, BuiltFile] = {}
    for name in CHARM_FILES:
        if (source / name).is_file():
            files[name] = BuiltFile((source / name).read_bytes())
    for folder in CHARM_FOLDERS:
        for path in sorted((source / folder).rglob("*")) if (source / folder).is_dir() else []:
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                rel = path.relative_to(source).as_posix()
                files[rel] = BuiltFile(path.read_bytes(), rel == "src/charm.py")
    for required in ("metadata.yaml", "src/charm.py"):
        if required not in files:
            raise CharmBuildError(f"{source / required}: missing; not a charm source folder")
    return files


def build_charm(source: Path) -> dict[str, BuiltFile]:
    """Every file of the built charm by relative path, sorted; the same bytes every time."""
    files = _source_files(source)
    files["dispatch"] = BuiltFile(DISPATCH.encode(), executable=True)
    files["manifest.yaml"] = BuiltFile(manifest(source).encode())
    for requirements, venv, _python in VENVS:
        if venv != "venv" and not (source / requirements).exists():
            continue  # no pins for older Pythons: dispatch then needs Python 3.8+
        for rel, data in vendored(source, requirements).items():
            files[f"{venv}/{rel}"] = BuiltFile(data)
    return dict(sorted(files.items()))


def charm_archive(files: dict[str, BuiltFile]) -> bytes:
    """The built charm as a reproducible .charm (zip) file, what `charmcraft pack` writes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for rel, built in sorted(files.items()):
            info = zipfile.ZipInfo(rel, FIXED_ZIP_TIME)
            info.external_attr = (0o100755 if built.executable else 0o100644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, built.data)
    return out.getvalue()


def write_charm(files: dict[str, BuiltFile], folder: Path) -> None:
    """Unpack a built charm into folder (which must not exist yet)."""
    for rel, built in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(built.data)
        path.chmod(0o755 if built.executable else 0o644)


def fetch_wheelhouse(source: Path) -> list[str]:
    """Download the pinned artefacts missing from wheelhouse/ with pip (from PyPI)."""
    folder = source / WHEELHOUSE
    folder.mkdir(exist_ok=True)
    fetched = []
    for requirements, venv, python in VENVS:
        if venv != "venv" and not (source / requirements).exists():
            continue
        for pin in read_pins(source, requirements):
            try:
                _artefact(source, pin, requirements)
                continue
            except CharmBuildError:
                pass
            kind = ["--no-binary", pin.name] if pin.key in PURE_SDIST_PACKAGES else \
                ["--only-binary=:all:", "--platform", "any", "--python-version", python,
                 "--implementation", "py"]
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", *kind,
                            "-d", str(folder), f"{pin.name}=={pin.version}"], check=True)
            _artefact(source, pin, requirements)  # the hash must match what was downloaded
            fetched.append(f"{pin.name}=={pin.version}")
    return fetched


def main(argv: list[str] | None = None) -> int:
    """`python3 -m osm_mec.offer.charm_build fetch|build <charm source> [<out.charm>]`."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) < 2 or args[0] not in ("fetch", "build"):
        print("usage: python3 -m osm_mec.offer.charm_build fetch|build <charm source> [out.charm]",
              file=sys.stderr)
        return 2
    source = Path(args[1])
    try:
        if args[0] == "fetch":
            print("\n".join(fetch_wheelhouse(source)) or "wheelhouse complete")
        else:
            data = charm_archive(build_charm(source))
            out = Path(args[2]) if len(args) > 2 else Path(f"{source.name}.charm")
            out.write_bytes(data)
            print(f"{out}: {len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()}")
    except (OsmMecError, subprocess.CalledProcessError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
