"""Package layout, reproducible archives, checksums and the descriptors/ check."""

from __future__ import annotations

import gzip
import hashlib
import subprocess
import tarfile
from pathlib import Path

from click.testing import CliRunner

from osm_mec.cli.commands import cli
from osm_mec.offer.descriptors import PACKAGE_NAMES
from osm_mec.offer.packages import FIXED_MTIME, build, check
from osm_mec.offer.profile import validate_profile_data

from .conftest import REPO


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.glob("*.tar.gz"))}


def test_two_builds_are_byte_identical(tmp_path, profile):
    build(profile, tmp_path / "one")
    build(profile, tmp_path / "two")
    one, two = _digests(tmp_path / "one"), _digests(tmp_path / "two")
    assert len(one) == len(PACKAGE_NAMES) and one == two


def test_different_profiles_give_different_archives(tmp_path, profile):
    build(profile, tmp_path / "default")
    build(validate_profile_data({"workers": {"max": 5}}), tmp_path / "small")
    default, small = _digests(tmp_path / "default"), _digests(tmp_path / "small")
    assert default["k8s_cluster_vnf.tar.gz"] != small["k8s_cluster_vnf.tar.gz"]
    assert default["mec_app_cnf.tar.gz"] == small["mec_app_cnf.tar.gz"]


def test_archive_layout(built):
    raw = (built / "k8s_cluster_vnf.tar.gz").read_bytes()
    assert raw[4:8] == b"\0\0\0\0"  # gzip header mtime
    assert raw[3] & 0x08 == 0       # no file name in the gzip header
    with tarfile.open(built / "k8s_cluster_vnf.tar.gz") as tar:
        members = tar.getmembers()
    names = [m.name for m in members]
    assert names == sorted(names)
    assert {n.split("/")[0] for n in names} == {"k8s_cluster_vnf"}
    assert all(m.uid == 0 and m.gid == 0 and m.mtime == FIXED_MTIME for m in members)
    assert "k8s_cluster_vnf/k8s_cluster_vnfd.yaml" in names
    assert "k8s_cluster_vnf/charms/k8s-cluster/actions.yaml" in names
    assert "k8s_cluster_vnf/cloud_init/controller-cloud-init.cfg" in names
    with tarfile.open(built / "edge_mano_cnf.tar.gz") as tar:
        assert "edge_mano_cnf/juju-bundles/charmed-osm.yaml" in tar.getnames()
    with tarfile.open(built / "mec_blocks_cnf.tar.gz") as tar:
        assert "mec_blocks_cnf/helm-chart-v3s/mep/Chart.yaml" in tar.getnames()


def test_archive_matches_folder(built):
    with tarfile.open(built / "mec_blocks_cnf.tar.gz") as tar:
        for member in tar.getmembers():
            if member.isfile():
                rel = member.name.split("/", 1)[1]
                assert tar.extractfile(member).read() == (built / "mec_blocks_cnf" / rel).read_bytes()


def test_checksums_pass_md5sum(built):
    for name in PACKAGE_NAMES:
        result = subprocess.run(["md5sum", "--check", "--strict", "checksums.txt"],
                                cwd=built / name, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr


def test_committed_descriptors_are_up_to_date(profile):
    assert check(profile, REPO / "descriptors") == []


def test_check_reports_differences(tmp_path, profile):
    build(profile, tmp_path)
    (tmp_path / "mec_app_ns" / "mec_app_nsd.yaml").write_text("changed")
    (tmp_path / "mec_app_ns" / "extra.txt").write_text("x")
    (tmp_path / "baseline_cnf_ns" / "README.md").unlink()
    problems = check(profile, tmp_path)
    assert sorted(problems) == [
        f"{tmp_path}/baseline_cnf_ns/README.md: missing",
        f"{tmp_path}/mec_app_ns/extra.txt: not produced by a fresh build",
        f"{tmp_path}/mec_app_ns/mec_app_nsd.yaml: differs from a fresh build",
    ]


def test_check_allows_leaving_out_vendored_charm_dependencies(tmp_path, profile):
    """descriptors/ does not commit the built charm's third-party venv/; checksums.txt still
    pins every vendored file, and a vendored file that is there must be the built one."""
    import shutil

    build(profile, tmp_path)
    venv = tmp_path / "k8s_cluster_vnf" / "charms" / "k8s-cluster" / "venv"
    assert (venv / "ops" / "__init__.py").is_file()
    shutil.rmtree(venv)
    assert check(profile, tmp_path) == []
    (venv / "ops").mkdir(parents=True)
    (venv / "ops" / "__init__.py").write_text("tampered")
    assert check(profile, tmp_path) == [
        f"{venv}/ops/__init__.py: differs from a fresh build"]
    checksums = tmp_path / "k8s_cluster_vnf" / "checksums.txt"
    checksums.write_text(checksums.read_text().replace("venv/ops/__init__.py", "venv/ops/x.py"))
    assert f"{checksums}: differs from a fresh build" in check(profile, tmp_path)


def test_build_cli(tmp_path):
    runner = CliRunner()
    result = runner.invoke(cli, ["build", "--out", str(tmp_path), "--package", "mec_app_ns"])
    assert result.exit_code == 0
    assert (tmp_path / "mec_app_ns.tar.gz").exists() and not (tmp_path / "mec_env_ns").exists()
    assert runner.invoke(cli, ["build", "--check", str(tmp_path), "--package", "mec_app_ns"]
                         ).exit_code == 0
    (tmp_path / "mec_app_ns" / "README.md").write_text("x")
    failed = runner.invoke(cli, ["build", "--check", str(tmp_path), "--package", "mec_app_ns"])
    assert failed.exit_code == 1 and "differs from a fresh build" in failed.output
    assert runner.invoke(cli, ["build", "--package", "nope"]).exit_code == 2
    assert runner.invoke(cli, ["build", "--check", str(tmp_path / "none")]).exit_code == 1


def test_build_with_bad_profile_exits_2(tmp_path):
    bad = tmp_path / "p.yaml"
    bad.write_text("model: b2x\n")
    result = CliRunner().invoke(cli, ["build", "--profile", str(bad), "--out", str(tmp_path)])
    assert result.exit_code == 2 and "model: 'b2x' is not allowed" in result.output


def test_gzip_stream_decompresses(built):
    assert gzip.decompress((built / "mec_app_ns.tar.gz").read_bytes())


def test_cluster_vnf_package_carries_the_charm(built):
    """The built charm (dispatch, vendored venv/, manifest), not its source tree."""
    charm = built / "k8s_cluster_vnf" / "charms" / "k8s-cluster"
    for rel in ("src/charm.py", "src/remote.py", "src/cluster_ops.py",
                "src/osm_registration.py", "cni/flannel.yaml", "dispatch", "manifest.yaml",
                "venv/ops/__init__.py", "actions.yaml", "config.yaml", "metadata.yaml"):
        assert (charm / rel).is_file(), rel
    assert (charm / "dispatch").stat().st_mode & 0o111
    assert (charm / "src" / "charm.py").stat().st_mode & 0o111  # executable, like the source
    assert not list(charm.rglob("__pycache__"))
