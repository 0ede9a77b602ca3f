"""The wheel is the product: built from a copy of the sources, installed in a fresh virtualenv
outside the checkout, it builds, validates and runs a short demo on its own.

The venv sees the running interpreter's site-packages (a ``.pth`` line, so the dependencies
need no download, and the checkout's editable install is not activated); the installed
``osm_mec`` must come from the venv. The wheel is built with ``--no-build-isolation`` when
setuptools and wheel are installed (the test extra has them), else pip fetches them.
The Dockerfiles are checked by reading them: there is no Docker engine here.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shlex
import shutil
import site
import subprocess
import sys
import venv
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from osm_mec import __version__

REPO = Path(__file__).resolve().parent.parent
# everything a wheel is built from (the Dockerfiles' build stage copies exactly these)
BUILD_INPUTS = ("pyproject.toml", "setup.cfg", "setup.py", "MANIFEST.in", "README.md",
                "osm_mec", "charms", "helm", "examples")
# what setup.py leaves out of the wheel, and build outputs
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".*", "build", "venv", "*.charm",
                                 "*.egg-info")
ASSET_DIRS = ("charms", "helm")


def _copy_sources(target: Path) -> Path:
    target.mkdir(parents=True)
    for name in BUILD_INPUTS:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=IGNORED)
        else:
            shutil.copy2(source, target / name)
    return target


def _backend_installed() -> bool:
    if importlib.util.find_spec("wheel") is None:
        return False
    import setuptools
    return int(setuptools.__version__.split(".")[0]) >= 64


def _run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, **kwargs)
    assert done.returncode == 0, (f"{shlex.join(command)} exited {done.returncode}\n"
                                  f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done


def _build_wheel(sources: Path, out: Path) -> Path:
    isolation = ["--no-build-isolation", "--no-index"] if _backend_installed() else []
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", *isolation,
          "--wheel-dir", str(out), str(sources)], cwd=sources.parent)
    (wheel,) = out.glob("osm_mec-*.whl")
    return wheel


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
            and not p.name.startswith(".")}


@pytest.fixture(scope="module")
def sources(tmp_path_factory) -> Path:
    """A snapshot of the build inputs (other work in the tree cannot change it mid-test)."""
    return _copy_sources(tmp_path_factory.mktemp("wheel") / "src")


@pytest.fixture(scope="module")
def wheel(sources: Path) -> Path:
    return _build_wheel(sources, sources.parent / "dist")


@dataclass(frozen=True)
class Installed:
    """A fresh venv holding the wheel, and how to run its osm-mec from outside the checkout."""

    venv: Path
    cwd: Path
    env: dict[str, str]

    @property
    def python(self) -> str:
        return str(self.venv / "bin" / "python")

    def run(self, *args: str) -> subprocess.CompletedProcess:
        return _run([*args], cwd=self.cwd, env=self.env)

    def osm_mec(self, *args: str) -> subprocess.CompletedProcess:
        return self.run(str(self.venv / "bin" / "osm-mec"), *args)


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory) -> Installed:
    root = tmp_path_factory.mktemp("venv")
    env_dir = root / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = str(env_dir / "bin" / "python")
    target_site = Path(_run([python, "-c", "import sysconfig; "
                             "print(sysconfig.get_paths()['purelib'])"]).stdout.strip())
    # the running interpreter's site dirs as plain paths: their .pth files (the checkout's
    # editable install among them) are not processed
    host = [path for path in site.getsitepackages() if Path(path).is_dir()]
    (target_site / "_host_site.pth").write_text("".join(f"{path}\n" for path in host))
    _run([python, "-m", "pip", "install", "--quiet", "--no-index", "--no-deps",
          "--ignore-installed", "--no-compile", str(wheel)], cwd=root)
    env = {k: v for k, v in os.environ.items() if k not in ("OSM_MEC_ROOT", "PYTHONPATH")}
    env["PATH"] = f"{env_dir / 'bin'}{os.pathsep}{env['PATH']}"
    return Installed(env_dir, root, env)


def test_wheel_holds_every_module_the_charm_and_the_charts(sources: Path, wheel: Path):
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {f"osm_mec/{name}" for name in _files(sources / "osm_mec")}
    for folder in ASSET_DIRS:  # the charm (with its wheelhouse and CNI manifests), the charts
        expected |= {f"osm_mec/_assets/{folder}/{name}" for name in _files(sources / folder)}
    assert sorted(expected - names) == []
    assert "osm_mec/_assets/charms/k8s-cluster/cni/flannel.yaml" in names
    assert "osm_mec/chain/__init__.py" in names
    charm = zipfile.ZipFile(wheel).getinfo("osm_mec/_assets/charms/k8s-cluster/src/charm.py")
    assert (charm.external_attr >> 16) & 0o111, "the charm's entry point must stay executable"


def test_wheel_is_reproducible(sources: Path, wheel: Path, tmp_path: Path):
    elsewhere = tmp_path / "elsewhere" / "src"
    shutil.copytree(sources, elsewhere, ignore=IGNORED)
    again = _build_wheel(elsewhere, tmp_path / "dist")
    assert hashlib.sha256(again.read_bytes()).hexdigest() == \
        hashlib.sha256(wheel.read_bytes()).hexdigest()


def test_installed_tool_runs_from_the_venv(installed: Installed):
    where = installed.run(installed.python, "-c", "import osm_mec.offer.assets as a, osm_mec.chain; "
                          "print(a.__file__); print(a.project_root())")
    module, root = where.stdout.split()
    assert module.startswith(str(installed.venv)), where.stdout
    assert root == str(Path(module).parent.parent / "_assets"), where.stdout
    assert installed.osm_mec("--version").stdout.strip() == f"osm-mec, version {__version__}"


def test_installed_build_equals_the_checkout_build_and_validates(sources: Path,
                                                                 installed: Installed,
                                                                 tmp_path: Path):
    """The checkout's build runs from the snapshot the wheel was built from."""
    from_wheel, from_checkout = tmp_path / "wheel-build", tmp_path / "checkout-build"
    installed.osm_mec("build", "--out", str(from_wheel))
    checkout_env = {k: v for k, v in os.environ.items() if k != "OSM_MEC_ROOT"}
    _run([sys.executable, "-c", "from osm_mec.cli import main; main()", "build", "--out",
          str(from_checkout)], cwd=sources, env=checkout_env)
    built, expected = _tree(from_wheel), _tree(from_checkout)
    assert sorted(built) == sorted(expected)
    assert [name for name in built if built[name] != expected[name]] == []
    installed.osm_mec("validate", *sorted(str(p) for p in from_wheel.iterdir()))


def test_installed_demo_runs(installed: Installed, tmp_path: Path):
    out = tmp_path / "demo"
    done = installed.osm_mec("demo", "--time-scale", "0", "--seed", "1", "--out", str(out))
    assert "Demo done" in done.stdout
    assert (out / "report.md").read_text().strip()
    assert (out / "timings" / "demo.jsonl").read_text().count("\n") >= 4


# -- the core install: the wheel alone, no extras, in a venv of its own ----------------------

# what each extra brings (setup.cfg): none of it may come with a core install
EXTRA_DISTRIBUTIONS = ("requests", "confluent-kafka", "rich", "cryptography", "matplotlib",
                       "fastapi", "uvicorn", "redis", "httpx", "aiohttp", "pydantic")


@pytest.fixture(scope="module")
def core_installed(wheel: Path, tmp_path_factory) -> Installed:
    """``pip install <wheel>`` into a venv that sees nothing of this interpreter's packages:
    pip brings the core dependencies (from the package index pip is configured with)."""
    root = tmp_path_factory.mktemp("core")
    env_dir = root / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = str(env_dir / "bin" / "python")
    _run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel)],
         cwd=root)
    env = {k: v for k, v in os.environ.items()
           if k not in ("OSM_MEC_ROOT", "PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{env_dir / 'bin'}{os.pathsep}{env['PATH']}"
    return Installed(env_dir, root, env)


def _distributions(installed: Installed) -> set[str]:
    listed = installed.run(installed.python, "-m", "pip", "list", "--format=freeze",
                           "--disable-pip-version-check").stdout
    return {line.split("==")[0].lower().replace("_", "-") for line in listed.split()}


def test_core_install_brings_no_extra(core_installed: Installed):
    distributions = _distributions(core_installed)
    assert "osm-mec" in distributions
    assert sorted(distributions & set(EXTRA_DISTRIBUTIONS)) == []
    assert {"click", "pyyaml", "jsonschema", "jinja2", "helm-python-sdk"} <= distributions


def test_core_install_builds_validates_and_writes_parameters(core_installed: Installed,
                                                             tmp_path: Path):
    out, params = tmp_path / "packages", tmp_path / "acme-params.yaml"
    core_installed.osm_mec("build", "--out", str(out))
    core_installed.osm_mec("validate", *sorted(str(p) for p in out.iterdir() if p.is_dir()))
    core_installed.osm_mec("params", "--ns", "k8s_osm_cluster_ns", "--csp", "acme", "--out",
                           str(params))
    assert params.stat().st_mode & 0o777 == 0o600 and "acme" in params.read_text()


@pytest.mark.parametrize(("argv", "extra"), [
    (["provision", "--csp", "acme", "--sandbox"], "chain"),
    (["sandbox"], "chain"),
    (["demo"], "chain,report,meo"),
    (["mep", "serve"], "mep"),
])
def test_core_install_names_the_extra_a_command_needs(core_installed: Installed, argv, extra):
    done = subprocess.run([str(core_installed.venv / "bin" / "osm-mec"), *argv],
                          capture_output=True, text=True, timeout=120, cwd=core_installed.cwd,
                          env=core_installed.env)
    assert done.returncode == 1, done.stderr
    assert f"pip install 'osm-mec[{extra}]'" in done.stderr
    assert "Traceback" not in done.stderr


# -- Dockerfiles: no Docker engine here, so they are read and checked -----------------------

DOCKERFILES = sorted((REPO / "docker").glob("*.Dockerfile"))


def _instructions(dockerfile: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    text = dockerfile.read_text().replace("\\\n", " ")
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1].strip())
            for line in text.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.name)
def test_dockerfile_builds_the_wheel_then_installs_only_it(dockerfile: Path):
    steps = _instructions(dockerfile)
    stages = [args for op, args in steps if op == "FROM"]
    assert len(stages) == 2 and stages[0].split()[-2].upper() == "AS", stages
    builder = stages[0].split()[-1]
    first_stage = steps[:[i for i, (op, _) in enumerate(steps) if op == "FROM"][1]]
    copied = set()
    for op, args in first_stage:
        if op == "COPY":
            sources = args.split()[:-1]
            for source in sources:
                assert (REPO / source).exists(), f"{dockerfile.name}: COPY {source}: not found"
                copied.add(source.rstrip("/"))
    assert copied == set(BUILD_INPUTS), f"{dockerfile.name}: the build stage copies {copied}"
    assert any(op == "RUN" and "pip wheel" in args for op, args in first_stage)
    final = steps[len(first_stage):]
    final_copies = [args for op, args in final if op == "COPY"]
    assert final_copies and all(f"--from={builder}" in args for args in final_copies), \
        f"{dockerfile.name}: the final stage must take only the built wheel"
    installs = [args for op, args in final if op == "RUN" and "pip install" in args]
    assert installs and ".whl" in installs[0], installs
    assert ".whl)[mep]" in installs[0], f"{dockerfile.name}: the image needs the [mep] extra only"
    assert any(op == "USER" and args not in ("root", "0") for op, args in final)
    assert final[-1][0] == "ENTRYPOINT" and "osm-mec" in final[-1][1]


# -- one version source ------------------------------------------------------------------------

@pytest.mark.parametrize("chart", ["mep", "mec-app"])
def test_our_images_and_charts_carry_the_package_version(chart: str):
    """osm_mec.__version__ is the version (setup.cfg reads it); the charts of our two images
    cannot import it, so they must repeat it exactly."""
    import yaml

    from osm_mec.offer.profile import default_profile_yaml
    meta = yaml.safe_load((REPO / "helm" / chart / "Chart.yaml").read_text())
    values = yaml.safe_load((REPO / "helm" / chart / "values.yaml").read_text())
    assert str(meta["appVersion"]) == __version__
    assert str(values["image"]["tag"]) == __version__
    image = "mecapp" if chart == "mec-app" else chart
    assert f"osm-mec/{image}:{__version__}" in default_profile_yaml()
    assert "version = attr: osm_mec.__version__" in (REPO / "setup.cfg").read_text()
