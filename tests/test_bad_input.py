"""Bad input never gives a traceback: each case runs the real command line (click's
CliRunner, in process; a subprocess where the command would otherwise serve forever) on
one bad input and checks the exit code (2: bad usage or input, 1: a failure, or a
validation that found errors), a message naming the file or field, and that no
exception escaped. Resource bombs are refused (their speed and memory are measured by
benchmarks/bad_input_limits.py, not here)."""

from __future__ import annotations

import gzip
import io
import json
import os
import socket
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest
from click.testing import CliRunner

from osm_mec.cli.commands import cli

from .archives import tar_gz

REPO = Path(__file__).resolve().parent.parent


# -- inputs ------------------------------------------------------------------------------
def alias_bomb(levels: int = 9) -> str:
    """The billion-laughs YAML: each level nine aliases of the one before."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def deep_yaml(depth: int = 5000) -> str:
    return "a: " + "[" * depth + "]" * depth + "\n"


def declared_size_bomb(size: int = 3 * 2**30) -> bytes:
    """A tiny tar.gz whose one member's header declares `size` bytes (the 3 GB file of the
    issue, without spending the time to compress it: refused from its header)."""
    raw = io.BytesIO()
    info = tarfile.TarInfo("pkg/huge.bin")
    info.size = size
    raw.write(info.tobuf(format=tarfile.GNU_FORMAT))
    raw.write(b"\0" * 65536)
    return gzip.compress(raw.getvalue(), mtime=0)


def many_members(count: int = 10_001) -> bytes:
    """count empty files, one 512-byte header each."""
    headers = b"".join(tarfile.TarInfo(f"pkg/f{i}").tobuf() for i in range(count))
    return gzip.compress(headers + b"\0" * 1024, compresslevel=1, mtime=0)


def with_symlink() -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w:gz") as tar:
        tar.addfile(tarfile.TarInfo("pkg/vnfd.yaml"), io.BytesIO(b""))
        link = tarfile.TarInfo("pkg/passwd")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tar.addfile(link)
    return raw.getvalue()


def package_archive(built: Path, name: str = "mec_app_cnf") -> bytes:
    return (built / f"{name}.tar.gz").read_bytes()


def bit_flipped(data: bytes) -> bytes:
    flipped = bytearray(data)
    flipped[len(flipped) // 2] ^= 0x10
    return bytes(flipped)


def state_file(directory: Path, content: str, csp: str = "acme") -> None:
    (directory / "state").mkdir(exist_ok=True)
    (directory / "state" / f"{csp}.json").write_text(content)


def _secret(folder: Path, content: bytes) -> Path:
    """A 0600 OSM credentials file holding content."""
    path = write("creds.yaml", content)(folder)
    path.chmod(0o600)
    return path


CHAIN_OSM = ["--osm-url", "http://127.0.0.1:9/osm", "--state-dir", "state"]


# -- the table ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    """One bad input: set-up writes files into the folder and returns the arguments."""

    name: str
    setup: Callable[[Path, Path], list[str]]  # (folder, built packages) -> argv
    exit_code: int
    expected: tuple[str, ...]  # all in the output
    in_subprocess: bool = False


def write(name: str, content: str | bytes) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
        return path
    return make


def profile_check(content: str | bytes) -> Callable[[Path, Path], list[str]]:
    return lambda folder, built: ["profile", "check", str(write("p.yaml", content)(folder))]


def validate(name: str, content: Callable[[Path], bytes] | str | bytes
             ) -> Callable[[Path, Path], list[str]]:
    def setup(folder: Path, built: Path) -> list[str]:
        data = content(built) if callable(content) else content
        return ["validate", str(write(name, data)(folder))]
    return setup


def faults(content: str | bytes) -> Callable[[Path, Path], list[str]]:
    return lambda folder, built: ["sandbox", "--port", "0", "--credentials-out",
                                  str(folder / "c.yaml"), "--faults",
                                  str(write("faults.yaml", content)(folder))]


def chain(command: list[str], state: str) -> Callable[[Path, Path], list[str]]:
    def setup(folder: Path, built: Path) -> list[str]:
        state_file(folder, state)
        return command + ["--csp", "acme", *CHAIN_OSM]
    return setup


def existing_params(folder: Path, built: Path) -> list[str]:
    (folder / "p.yaml").write_text("previous CA key and token\n")
    return ["params", "--ns", "k8s_osm_cluster_ns", "--csp", "acme", "--out",
            str(folder / "p.yaml")]


def params_through_symlink(folder: Path, built: Path) -> list[str]:
    (folder / "victim.txt").write_text("not yours\n")
    (folder / "p.yaml").symlink_to(folder / "victim.txt")
    return ["params", "--ns", "k8s_osm_cluster_ns", "--csp", "acme", "--out",
            str(folder / "p.yaml")]


def busy_port(folder: Path, built: Path) -> list[str]:
    return ["sandbox", "--port", str(BUSY_PORT), "--credentials-out", str(folder / "c.yaml")]


BUSY_PORT = 0  # set by the fixture below
BAD_STATUS = "- kind: http-error\n  path: /nslcm\n  status: teapot\n"
BAD_SECONDS = "- kind: slow-answer\n  path: /nslcm\n  seconds: abc\n"

CASES = [
    # profile check / init
    Case("profile-binary", profile_check(bytes(range(256)) * 8), 2,
         ("p.yaml", "not UTF-8 text")),
    Case("profile-latin1", profile_check("name_prefix: caf\xe9\n".encode("latin-1")), 2,
         ("p.yaml", "not UTF-8 text (byte 16)")),
    Case("profile-deep-nesting", profile_check(deep_yaml()), 2,
         ("p.yaml", "nested more than 64 levels")),
    Case("profile-alias-bomb", profile_check(alias_bomb()), 2,
         ("p.yaml", "alias bomb")),
    Case("profile-recursive-alias", profile_check("a: &x [*x]\n"), 2,
         ("p.yaml", "recursive data")),
    Case("profile-syntax", profile_check("workers: {max: [\n"), 2,
         ("p.yaml", "not valid YAML", "line 2")),
    Case("profile-two-documents", profile_check("model: b2c\n---\nmodel: b2b2c\n"), 2,
         ("p.yaml", "more than one YAML document")),
    Case("profile-python-tag", profile_check("model: !!python/object/apply:os.system [ls]\n"),
         2, ("p.yaml", "python/object")),
    Case("profile-huge-integer", profile_check("workers: {max: " + "9" * 5000 + "}\n"), 2,
         ("p.yaml", "cannot represent")),
    Case("profile-list", profile_check("- a\n- b\n"), 2, ("p.yaml", "(top level)")),
    Case("profile-wrong-type", profile_check("workers: {max: many}\n"), 2,
         ("p.yaml", "workers.max")),
    Case("profile-missing", lambda folder, built: ["profile", "check", str(folder / "no.yaml")],
         2, ("no.yaml", "cannot read the profile")),
    Case("profile-init-exists", lambda folder, built: [
        "profile", "init", str(write("p.yaml", "x: 1\n")(folder))], 2, ("p.yaml", "--force")),
    Case("profile-init-unwritable", lambda folder, built: [
        "profile", "init", str(write("file", "x")(folder) / "p.yaml")], 1,
        ("file", "cannot write")),
    # build
    Case("build-profile-bomb", lambda folder, built: [
        "build", "--profile", str(write("p.yaml", alias_bomb())(folder))], 2,
        ("p.yaml", "alias bomb")),
    Case("build-unknown-package", lambda folder, built: ["build", "--package", "nope"], 2,
         ("'nope'", "known packages")),
    Case("build-out-is-a-file", lambda folder, built: [
        "build", "--package", "mec_app_ns", "--out", str(write("file", "x")(folder) / "o")],
        1, ("file", "cannot write")),
    Case("build-check-missing", lambda folder, built: [
        "build", "--check", str(folder / "none")], 1, ("none", "no such folder")),
    # validate
    Case("validate-missing-path", lambda folder, built: ["validate", str(folder / "nope")],
         2, ("nope", "does not exist")),
    Case("validate-truncated", validate("pkg.tar.gz", lambda built: package_archive(
        built)[:1500]), 1, ("pkg.tar.gz", "corrupt archive (truncated")),
    Case("validate-bit-flipped", validate("pkg.tar.gz", lambda built: bit_flipped(
        package_archive(built))), 1, ("pkg.tar.gz", "corrupt archive")),
    Case("validate-not-an-archive", validate("pkg.tar.gz", b"PK\x03\x04 a zip file" * 40), 1,
         ("pkg.tar.gz", "not a readable tar archive")),
    Case("validate-corrupt-gzip", validate("pkg.tar.gz", b"\x1f\x8b\x08\x00" + bytes(60)),
         1, ("pkg.tar.gz", "corrupt archive")),
    Case("validate-declared-3-gb", validate("bomb.tar.gz", declared_size_bomb()), 1,
         ("bomb.tar.gz", "pkg/huge.bin", "decompression bomb")),
    Case("validate-too-many-members", validate("many.tar.gz", lambda built: many_members()), 1,
         ("many.tar.gz", "more than 10000 members")),
    Case("validate-path-traversal", validate("up.tar.gz", tar_gz({
        "pkg/vnfd.yaml": b"", "pkg/../../etc/cron.d/x": b"* * * * * root sh\n"})), 1,
        ("up.tar.gz", "pkg/../../etc/cron.d/x", "unsafe path")),
    Case("validate-symlink-member", validate("link.tar.gz", with_symlink()), 1,
         ("link.tar.gz", "pkg/passwd", "links are not allowed")),
    Case("validate-alias-bomb-descriptor", validate("vnfd.yaml", alias_bomb()), 1,
         ("vnfd.yaml", "alias bomb")),
    Case("validate-binary-descriptor", validate("vnfd.yaml", bytes(range(256))), 1,
         ("vnfd.yaml", "not UTF-8")),
    Case("validate-deep-json", validate("nsd.json", "[" * 100_000 + "]" * 100_000), 1,
         ("nsd.json", "nested more than 64")),
    Case("validate-bomb-in-archive", validate("pkg.tar.gz", tar_gz({
        "pkg/vnfd.yaml": alias_bomb().encode()})), 1,
        ("pkg.tar.gz:pkg/vnfd.yaml", "alias bomb")),
    # params
    Case("params-exists", existing_params, 2, ("p.yaml", "exists", "--force")),
    Case("params-symlink", params_through_symlink, 2, ("p.yaml", "exists", "--force")),
    Case("params-bad-ns", lambda folder, built: ["params", "--ns", "nope", "--csp", "acme"],
         2, ("--ns", "'nope'")),
    Case("params-bad-csp", lambda folder, built: [
        "params", "--ns", "mec_env_ns", "--csp", "../etc"], 2, ("--csp", "'../etc'")),
    # sandbox
    Case("sandbox-busy-port", busy_port, 1, ("port", "already in use", "--port"),
         in_subprocess=True),
    Case("sandbox-port-range", lambda folder, built: ["sandbox", "--port", "70000"], 2,
         ("--port", "70000")),
    Case("faults-status-teapot", faults(BAD_STATUS), 2,
         ("faults.yaml", "[0].status", "'teapot'")),
    Case("faults-seconds-abc", faults(BAD_SECONDS), 2,
         ("faults.yaml", "[0].seconds", "'abc'")),
    Case("faults-unknown-kind", faults("- kind: meteor\n"), 2, ("faults.yaml", "[0].kind")),
    Case("faults-binary", faults(b"\xff\xfe\x00garbage"), 2, ("faults.yaml", "not UTF-8")),
    Case("faults-alias-bomb", faults(alias_bomb()), 2, ("faults.yaml", "alias bomb")),
    # provision / status / teardown / scale: state files and flags
    Case("state-list", chain(["status"], "[]"), 2,
         ("acme.json", "(top level)", "expected an object")),
    Case("state-objects-list", chain(["provision"], '{"csp": "acme", "objects": []}'), 2,
         ("acme.json", "objects: a list")),
    Case("state-object-string", chain(["teardown"], '{"objects": {"env": "gone"}}'), 2,
         ("acme.json", "objects.env")),
    Case("state-id-number", chain(["scale", "out"],
                                  '{"objects": {"env": {"id": 5, "name": "e"}}}'), 2,
         ("acme.json", "objects.env.id: a number")),
    Case("state-other-csp", chain(["status"], '{"csp": "bravo", "objects": {}}'), 2,
         ("acme.json", "csp: 'bravo'")),
    Case("state-not-json", chain(["status"], "{objects"), 2,
         ("acme.json", "unreadable state file")),
    Case("provision-url", lambda folder, built: [
        "provision", "--csp", "acme", "--osm-url", "not a url"], 2, ("--osm-url",)),
    Case("provision-parallel", lambda folder, built: [
        "provision", "--csp", "acme", "--parallel", "0"], 2, ("--parallel",)),
    Case("scale-count", lambda folder, built: [
        "scale", "--csp", "acme", "in", "--count", "-1"], 2, ("--count",)),
    Case("bench-iterations", lambda folder, built: [
        "bench", "--iterations", "0", "--results", str(folder / "bench")], 2,
        ("--iterations",)),
    Case("credentials-binary", lambda folder, built: [
        "status", "--csp", "acme", "--osm-url", "http://127.0.0.1:9/osm", "--state-dir",
        str(folder / "state"), "--osm-credentials", str(_secret(folder, bytes(range(256))))],
        2, ("creds.yaml", "UTF-8")),
    Case("credentials-mixed-keys", lambda folder, built: [
        "status", "--csp", "acme", "--osm-url", "http://127.0.0.1:9/osm", "--state-dir",
        str(folder / "state"), "--osm-credentials",
        str(_secret(folder, b"1: a\nuser: b\n"))], 2, ("creds.yaml", "expected a mapping")),
    # mep serve, timings, report
    Case("mep-serve-port", lambda folder, built: ["mep", "serve", "--port", "abc"], 2,
         ("--port", "'abc'")),
    Case("mep-serve-token-file", lambda folder, built: [
        "mep", "serve", "--admin-token-file", str(folder / "none")], 2,
        ("none", "cannot read")),
    Case("timings-import-binary", lambda folder, built: [
        "timings", "import", str(write("capture.txt", bytes(range(128, 256)))(folder))], 2,
        ("capture.txt", "UTF-8")),
    Case("timings-import-missing", lambda folder, built: [
        "timings", "import", str(folder / "none.txt")], 2, ("none.txt",)),
    Case("report-empty-folder", lambda folder, built: ["report", str(folder)], 2,
         ("report-empty-folder", "no *.jsonl")),
]


@pytest.fixture(scope="module")
def busy_socket():
    """A port something already listens on, for the sandbox's busy-port case."""
    global BUSY_PORT
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        BUSY_PORT = sock.getsockname()[1]
        yield BUSY_PORT


def _run(argv: list[str], folder: Path, in_subprocess: bool) -> tuple[int, str, str]:
    env = {**os.environ, "OSM_PASSWORD": "not-used", "COLUMNS": "80"}
    if in_subprocess:
        done = subprocess.run([sys.executable, "-m", "osm_mec.cli", *argv], cwd=folder,
                              env=env, capture_output=True, text=True, timeout=60)
        return done.returncode, done.stdout + done.stderr, ""
    previous = Path.cwd()
    os.chdir(folder)
    try:
        result = CliRunner().invoke(cli, argv, env=env)
    finally:
        os.chdir(previous)
    escaped = "" if result.exception is None or isinstance(result.exception, SystemExit) \
        else repr(result.exception)
    return result.exit_code, result.output, escaped


def test_at_least_thirty_cases() -> None:
    assert len(CASES) >= 30 and len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_bad_input_gives_a_message_and_an_exit_code(case: Case, tmp_path: Path, built: Path,
                                                    busy_socket) -> None:
    folder = tmp_path / case.name
    folder.mkdir()
    argv = case.setup(folder, built)
    code, output, escaped = _run(argv, folder, case.in_subprocess)
    assert not escaped, f"an exception escaped: {escaped}\n{output}"
    assert "Traceback" not in output, output
    assert code == case.exit_code, output
    for text in case.expected:
        assert text in output, f"{text!r} not in: {output}"


# -- the limits themselves, with small values ---------------------------------------------
def test_archive_limits_count_every_member_and_stop_tarfiles_own_reading() -> None:
    from osm_mec.core.safe_archive import ArchiveError, ArchiveLimits, iter_members

    small = ArchiveLimits(max_total_bytes=100_000, max_members=50)
    three = tar_gz({f"pkg/f{i}": b"x" * 40_000 for i in range(3)})
    with pytest.raises(ArchiveError, match="pkg/f2 takes the archive over 100000 bytes"):
        for member in iter_members(io.BytesIO(three), "three.tar.gz", small):
            member.read()
    # a pax header is read whole by tarfile itself: refused from its own header first
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w:gz", format=tarfile.PAX_FORMAT) as tar:
        info = tarfile.TarInfo("pkg/a")
        info.pax_headers = {"comment": "c" * 2_000_000}
        tar.addfile(info, io.BytesIO(b""))
    with pytest.raises(ArchiveError, match="pax.tar.gz: a 2000.*-byte extended header"):
        list(iter_members(io.BytesIO(raw.getvalue()), "pax.tar.gz", small))
    # whatever follows the end of the tar is decompressed too (to check gzip's CRC): bounded
    trailing = gzip.compress(gzip.decompress(tar_gz({"pkg/a": b"a"})) + bytes(2_000_000))
    with pytest.raises(ArchiveError, match="more than .* bytes once uncompressed"):
        list(iter_members(io.BytesIO(trailing), "trailing.tar.gz", small))


def test_yaml_limits_are_what_the_loader_enforces() -> None:
    from osm_mec.core.yamlio import YamlInputError, YamlLimits, load_yaml

    limits = YamlLimits(max_bytes=1000, max_depth=3, max_aliases=2, max_nodes=20)
    assert load_yaml("a: &x [1, 2]\nb: *x\n", "ok.yaml", limits) == {"a": [1, 2], "b": [1, 2]}
    for text, message in (("x" * 1001, "more than the limit of 1000"),
                          ("[[[[1]]]]", "nested more than 3"),
                          ("a: &x 1\nb: *x\nc: *x\nd: *x\n", "more than 2 YAML aliases"),
                          ("[" + ",".join(["1"] * 25) + "]", "more than 20 YAML nodes")):
        with pytest.raises(YamlInputError, match=message) as error:
            load_yaml(text, "f.yaml", limits)
        assert str(error.value).startswith("f.yaml: ")


def test_archives_within_the_limits_read_exactly_as_their_folders(built: Path) -> None:
    from osm_mec.offer.validation.package import load_archive, load_folder

    for name in ("k8s_cluster_vnf", "mec_blocks_cnf"):
        archived, findings = load_archive(built / f"{name}.tar.gz")
        assert not findings and archived is not None
        assert archived.files == load_folder(built / name).files


def test_params_force_replaces_a_symlink_and_never_writes_through_it(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("not yours\n")
    link = tmp_path / "p.yaml"
    link.symlink_to(victim)
    code, output, escaped = _run(["params", "--ns", "k8s_osm_cluster_ns", "--csp", "acme",
                                  "--out", str(link), "--force"], tmp_path, False)
    assert (code, escaped) == (0, "")
    assert victim.read_text() == "not yours\n"
    assert not link.is_symlink() and "controller_ip" in link.read_text()
    assert (link.stat().st_mode & 0o777) == 0o600
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


def test_params_refusal_leaves_the_existing_file_as_it_was(tmp_path: Path) -> None:
    existing = tmp_path / "p.yaml"
    existing.write_text("previous CA key and token\n")
    code, _, _ = _run(["params", "--ns", "k8s_osm_cluster_ns", "--csp", "acme", "--out",
                       str(existing)], tmp_path, False)
    assert code == 2 and existing.read_text() == "previous CA key and token\n"
