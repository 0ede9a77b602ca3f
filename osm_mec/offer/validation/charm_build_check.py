"""Is every charm of a package a built charm Juju can run?

OSM's LCM deploys ``charms/<name>/`` as it is (python-libjuju zips the folder). Juju runs a
charm through its ``dispatch`` script (or, for old charms, ``hooks/<hook>``); a charm built
with the operator framework also needs ``ops`` and its ``yaml`` dependency vendored in
``venv/`` or ``lib/``. A charm's source folder has neither: onboarding accepts it and every
execution environment then fails at deploy time. A dispatch that picks a second venv for
older Pythons (``venv-py36/``: ops 1.5 on Ubuntu 18.04, see charm_build.py) needs ops and
yaml there too. ``osm-mec build`` embeds built charms
(osm_mec/offer/charm_build.py); ``charmcraft pack`` output, unzipped, passes too.
"""

from __future__ import annotations

import os

from .findings import Finding
from .package import PackageContent

VENDOR_FOLDERS = ("venv", "lib")
# venvs a dispatch script may choose instead of venv/ by the Python version it finds
ALTERNATIVE_VENVS = ("venv-py36",)
FIX = ("rebuild the package with `osm-mec build`, which embeds the built charm, or unzip "
       "the .charm file `charmcraft pack` writes into charms/{name}/")


def _module(pkg: PackageContent, root: str, module: str,
            folders: tuple[str, ...] = VENDOR_FOLDERS) -> str | None:
    """Where a vendored top-level package or module lives in the charm, if anywhere."""
    for folder in folders:
        for rel in (f"{folder}/{module}/__init__.py", f"{folder}/{module}.py"):
            if f"{root}/{rel}" in pkg.files:
                return f"{root}/{rel}"
    return None


def _compiles(source: bytes, label: str) -> str | None:
    try:
        compile(source, label, "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as exc:
        return str(exc)
    return None


def _check_charm(pkg: PackageContent, name: str, report) -> None:
    root = f"charms/{name}"
    fix = FIX.format(name=name)
    has_hooks = any(rel.startswith(f"{root}/hooks/") for rel in pkg.files)
    if f"{root}/dispatch" not in pkg.files and not has_hooks:
        report(root, f"charm {name!r} has no dispatch script (nor hooks/): it is charm source, "
               f"and Juju would run none of its hooks or actions; {fix}")
        return
    if pkg.disk_root is not None and f"{root}/dispatch" in pkg.files and \
            not os.access(pkg.disk_root / root / "dispatch", os.X_OK):
        report(f"{root}/dispatch", "not executable: Juju cannot run it; chmod 0755 it or "
               "rebuild the package with `osm-mec build`")
    src = pkg.files.get(f"{root}/src/charm.py", b"")
    if b"import ops" not in src and b"from ops" not in src:
        return  # not an operator-framework charm: nothing more to import
    dispatch = pkg.files.get(f"{root}/dispatch", b"")
    choices = [VENDOR_FOLDERS] + [("lib", venv) for venv in ALTERNATIVE_VENVS
                                  if venv.encode() in dispatch]
    for folders in choices:
        for module in ("ops", "yaml"):
            where = _module(pkg, root, module, folders)
            if where is None:
                report(root, f"charm {name!r} imports ops but {module!r} is not vendored in "
                       f"{' or '.join(f + '/' for f in folders)}: its hooks would fail with "
                       f"ModuleNotFoundError; {fix}")
                continue
            problem = _compiles(pkg.files[where], where)
            if problem:
                report(where, f"vendored {module!r} cannot be imported: {problem}; {fix}")


def check_built_charms(pkg: PackageContent, file: str) -> list[Finding]:
    """Findings for every charm folder of the package that Juju could not run."""
    findings: list[Finding] = []

    def report(path: str, message: str) -> None:
        findings.append(Finding(pkg.file_label(path), "(charm)", message))

    for name in sorted(pkg.folders("charms")):
        _check_charm(pkg, name, report)
    return findings
