"""The osm-mec command line. Thin: parse, call, render.

Exit codes: 0 success, 1 failure (an operation or a validation failed), 2 bad usage
(a bad flag, profile or input file).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .. import __version__
from ..offer.profile import default_profile_yaml, load_profile
from .appd_commands import appd_group
from .chain_commands import CHAIN_COMMANDS
from .extras import require_extras
from .files import on_files, read_token
from .meo_commands import app_group, meo_group

PROFILE_OPTION = click.option(
    "--profile", "profile_path", type=click.Path(dir_okay=False, path_type=Path),
    help="MECaaS profile (YAML). Default: the built-in default profile.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="osm-mec")
def cli() -> None:
    """MEC-as-a-Service on OSM: build packages, provision B2B2C edge environments and
    measure them from OSM's Kafka bus."""


@cli.group()
def profile() -> None:
    """Create and check MECaaS profiles."""


@profile.command("init")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
def profile_init(file: Path | None, force: bool) -> None:
    """Write the default profile, with a comment on every field, to FILE (or stdout)."""
    text = default_profile_yaml()
    if file is None:
        click.echo(text, nl=False)
        return
    if file.exists() and not force:
        raise click.UsageError(f"{file}: exists; use --force to overwrite it")
    on_files(file, lambda: file.write_text(text, encoding="utf-8"))
    click.echo(f"wrote {file}", err=True)


@profile.command("check")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def profile_check(file: Path) -> None:
    """Validate a profile; exit 2 with every problem when it is invalid."""
    prof = load_profile(file)
    click.echo(f"{file}: valid profile (name prefix {prof.prefix}, model {prof['model']})")


@cli.command()
@PROFILE_OPTION
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("out"), show_default=True, help="Folder for the packages.")
@click.option("--check", "check_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Do not write: fail when the package folders in this folder differ from "
                   "a fresh build.")
@click.option("--package", "names", multiple=True, metavar="NAME",
              help="Build only this package (repeatable).")
def build(profile_path: Path | None, out_dir: Path, check_dir: Path | None,
          names: tuple[str, ...]) -> None:
    """Generate the OSM packages of a profile: folders and reproducible .tar.gz archives."""
    from ..offer.descriptors import PACKAGES, package_spec
    from ..offer.images import profile_image_problems
    from ..offer.packages import build as build_packages
    from ..offer.packages import check

    prof = load_profile(profile_path)
    specs = [package_spec(n) for n in names] if names else list(PACKAGES)
    for problem in profile_image_problems(prof):
        click.echo(f"warning: {problem}", err=True)
    if check_dir is not None:
        problems = on_files(check_dir, lambda: check(prof, check_dir, specs), "read")
        for problem in problems:
            click.echo(problem, err=True)
        if problems:
            click.echo(f"{check_dir}: {len(problems)} difference(s) from a fresh build; "
                       f"rebuild with: osm-mec build --out {check_dir}", err=True)
            sys.exit(1)
        click.echo(f"{check_dir}: up to date ({len(specs)} packages)")
        return
    for built in on_files(out_dir, lambda: build_packages(prof, out_dir, specs)):
        click.echo(f"{built.archive}  md5 {built.md5}")


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format.")
def validate(paths: tuple[Path, ...], fmt: str) -> None:
    """Validate package folders, .tar.gz packages or descriptor files as OSM's onboarding
    would, and more: information model, NBI cross-references, package files and the
    charm contract. One line per finding; exit 1 on any error."""
    from ..offer.validation import has_errors, validate_paths

    findings = validate_paths(paths)
    if fmt == "json":
        click.echo(json.dumps({"valid": not has_errors(findings),
                               "findings": [f.as_dict() for f in findings]}, indent=2))
    else:
        for finding in findings:
            click.echo(finding.line())
        errors = sum(1 for f in findings if f.severity == "error")
        summary = f"{len(paths)} path(s): {errors} error(s), {len(findings) - errors} warning(s)"
        click.echo(summary, err=True)
    sys.exit(1 if has_errors(findings) else 0)


@cli.command()
@PROFILE_OPTION
@click.option("--ns", "ns_package", required=True, metavar="NAME",
              help="NS package, e.g. k8s_osm_cluster_ns or mec_env_ns.")
@click.option("--csp", required=True, help="The CSP (customer) the NS is for.")
@click.option("--out", "out", metavar="FILE",
              help="Where to write the file (0600); '-' prints it to stdout. "
                   "Default: <csp>-<ns>-params.yaml")
@click.option("--force", is_flag=True,
              help="Replace FILE if it exists.")
def params(profile_path: Path | None, ns_package: str, csp: str, out: str | None,
           force: bool) -> None:
    """Write the `osm ns-create --config` file of an NS for a CSP. It holds no secret (OSM
    keeps these parameters in its records and on Kafka: the cluster CA is made on the
    controller and workers get their join tokens through a Juju relation, see
    docs/security.md); it is still created 0600, never written through a symbolic link and
    never overwritten without --force."""
    from ..core.secret_files import write_secret_file
    from ..core.yamlio import dump_yaml
    from ..offer.params import instantiation_params

    prof = load_profile(profile_path)
    config = instantiation_params(prof, ns_package, csp)
    text = dump_yaml(config)
    if out == "-":
        click.echo(text, nl=False)
        return
    target = Path(out or f"{csp}-{ns_package}-params.yaml")
    on_files(target, lambda: write_secret_file(target, text, force))
    click.echo(f"wrote {target} (0600); use it with: osm ns-create --config_file {target} ...",
               err=True)


@cli.group()
def mep() -> None:
    """The MEC platform (MEP): ETSI MEC 011 Mp1 on FastAPI and Redis."""


@mep.command("serve")
@click.option("--host", default="0.0.0.0", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=int, help="Port to listen on.")
@click.option("--redis-url", envvar="MEP_REDIS_URL", default="redis://127.0.0.1:6379/0",
              show_default=True, help="Redis holding the platform's state (env MEP_REDIS_URL).")
@click.option("--public-url", envvar="MEP_PUBLIC_URL",
              help="How applications reach this MEP (links in notifications). "
                   "Default: http://<host>:<port>.")
@click.option("--admin-token-file", envvar="MEP_ADMIN_TOKEN_FILE",
              type=click.Path(dir_okay=False, path_type=Path),
              help="File holding the platform manager's bearer token (env "
                   "MEP_ADMIN_TOKEN_FILE; or the token itself in MEP_ADMIN_TOKEN).")
@click.option("--allow-callbacks", "allowed", multiple=True, metavar="CIDR",
              help="Networks notification callbacks may go to (repeatable; env "
                   "MEP_ALLOW_CALLBACKS, comma-separated). Default: none, every callback "
                   "is refused. Loopback, link-local, private and metadata addresses need "
                   "a network within their own range (e.g. 127.0.0.0/8), not 0.0.0.0/0.")
@click.option("--legacy-app-networks", "legacy", multiple=True, metavar="CIDR",
              help="Networks whose callers may omit the access token (legacy Mp1 "
                   "applications: identity from the path). Repeatable; env "
                   "MEP_LEGACY_APP_NETWORKS. Default: none.")
@click.option("--redis-wait", default=30.0, show_default=True, type=click.FloatRange(min=0),
              help="Seconds to wait for Redis at start before exiting 1.")
@click.option("--ntp-server", "ntp", multiple=True,
              help="NTP server in timing_caps (repeatable; env MEP_NTP_SERVERS).")
@click.option("--log-level", default="info", show_default=True,
              type=click.Choice(["debug", "info", "warning", "error"]))
def mep_serve(host: str, port: int, redis_url: str, public_url: str | None,
              admin_token_file: Path | None, allowed: tuple[str, ...],
              legacy: tuple[str, ...], redis_wait: float, ntp: tuple[str, ...],
              log_level: str) -> None:
    """Serve Mp1 (/mec_service_mgmt/v1, /mec_app_support/v1), the platform-management
    API (/mec_platform_mgmt/v1) and the OAuth 2.0 token endpoint with one uvicorn worker.
    Redis must answer within --redis-wait seconds at start (else exit 1); later outages
    are answered with 503 until Redis is back."""
    require_extras("mep serve", "mep")
    import os

    import uvicorn

    from ..mep import Settings, create_app
    from ..mep.startup import check_settings, wait_for_redis

    token = os.environ.get("MEP_ADMIN_TOKEN", "")
    if admin_token_file is not None:
        token = read_token(admin_token_file)
    if not token:
        raise click.UsageError("the platform manager's token is required: set MEP_ADMIN_TOKEN "
                               "or --admin-token-file (never on the command line)")
    allowed = allowed or _env_list("MEP_ALLOW_CALLBACKS")
    legacy = legacy or _env_list("MEP_LEGACY_APP_NETWORKS")
    ntp = ntp or _env_list("MEP_NTP_SERVERS")
    settings = Settings(redis_url=redis_url,
                        public_url=public_url or f"http://{host}:{port}",
                        allowed_callback_networks=list(allowed),
                        legacy_app_networks=list(legacy), ntp_servers=list(ntp))
    check_settings(settings)
    wait_for_redis(redis_url, redis_wait, lambda m: click.echo(m, err=True))
    uvicorn.run(create_app(settings, token), host=host, port=port, log_level=log_level,
                proxy_headers=True)


@cli.command()
@click.option("--port", default=9999, show_default=True, type=click.IntRange(0, 65535),
              help="Port of the NBI on 127.0.0.1 (0: any free port).")
@click.option("--kafka", metavar="HOST:PORT",
              help="Kafka broker to publish OSM's records to. Default: start librdkafka's "
                   "mock cluster.")
@click.option("--time-scale", default=0.01, show_default=True, type=click.FloatRange(min=0),
              help="Real seconds per simulated second (0: instant).")
@click.option("--seed", type=int, help="Seed of the timing model (reproducible durations).")
@click.option("--faults", "faults_file", type=click.Path(dir_okay=False, path_type=Path),
              help="YAML list of faults to inject (see osm_mec/sandbox/faults.py).")
@click.option("--tls", is_flag=True, help="Serve HTTPS with a fresh self-signed certificate.")
@click.option("--user", default="admin", show_default=True, help="OSM user to accept.")
@click.option("--project", default="admin", show_default=True, help="OSM project.")
@click.option("--credentials-out", default=Path(".osm-mec/sandbox-credentials.yaml"),
              show_default=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write url, user, password and project (0600). The password is "
                   "OSM_PASSWORD or a fresh random one; it is never printed.")
def sandbox(port: int, kafka: str | None, time_scale: float, seed: int | None,
            faults_file: Path | None, tls: bool, user: str, project: str,
            credentials_out: Path) -> None:
    """Run the embedded OSM sandbox (NBI, simulated LCM, Kafka records) until Ctrl-C."""
    require_extras("sandbox", "chain")
    from ..sandbox.faults import load_faults
    from ..sandbox.run import sandbox_credentials, serve

    faults = load_faults(faults_file)
    serve(sandbox_credentials(user, project), credentials_out, port, kafka, time_scale, seed,
          faults, tls, click.echo)


@cli.group()
def mecapp() -> None:
    """The sample MEC application (an Mp1 client of the MEP)."""


@mecapp.command("run")
@click.option("--mep-url", envvar="MEP_URL", required=True, help="The MEP's base URL (env MEP_URL).")
@click.option("--app-id", envvar="APP_INSTANCE_ID", required=True,
              help="This application instance's id on the MEP (env APP_INSTANCE_ID).")
@click.option("--service-name", envvar="SERVICE_NAME", default="mec-sample", show_default=True,
              help="Name of the Mp1 service the application registers.")
@click.option("--host", default="0.0.0.0", show_default=True)
@click.option("--port", default=8080, show_default=True, type=int)
@click.option("--public-url", envvar="PUBLIC_URL",
              help="How the MEP reaches this application (callbacks). Default: "
                   "http://<host>:<port>.")
def mecapp_run(mep_url: str, app_id: str, service_name: str, host: str, port: int,
               public_url: str | None) -> None:
    """Run the sample application. It authenticates with its access token (MEC_APP_TOKEN or
    the file in MEC_APP_TOKEN_FILE) or with OAuth 2.0 client credentials (client id: the
    app id; secret in MEC_APP_CLIENT_SECRET or the file in MEC_APP_CLIENT_SECRET_FILE;
    token endpoint MEC_APP_TOKEN_ENDPOINT, default <mep-url>/oauth2/token), never from the
    command line. SIGTERM deregisters it."""
    require_extras("mecapp run", "mep")
    import os

    import uvicorn

    from ..mecapp import MecAppConfig, create_app

    def secret(name: str) -> str:
        if os.environ.get(f"{name}_FILE"):
            return read_token(Path(os.environ[f"{name}_FILE"]))
        return os.environ.get(name, "")

    token, client_secret = secret("MEC_APP_TOKEN"), secret("MEC_APP_CLIENT_SECRET")
    if not token and not client_secret:
        raise click.UsageError("set MEC_APP_TOKEN (or MEC_APP_TOKEN_FILE) to the application's "
                               "access token, or MEC_APP_CLIENT_SECRET (or "
                               "MEC_APP_CLIENT_SECRET_FILE) to its OAuth client secret (both "
                               "from the platform manager's registration)")
    import logging

    logging.basicConfig(level=logging.INFO, format="%(levelname)s:     %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    config = MecAppConfig(mep_url, app_id, token, public_url or f"http://{host}:{port}",
                          service_name, client_secret=client_secret,
                          token_endpoint=os.environ.get("MEC_APP_TOKEN_ENDPOINT") or None)
    uvicorn.run(create_app(config), host=host, port=port, log_level="info")


def _env_list(name: str) -> tuple[str, ...]:
    """A comma-separated environment variable as a tuple (the Helm chart sets these)."""
    import os

    return tuple(v.strip() for v in os.environ.get(name, "").split(",") if v.strip())


for _command in CHAIN_COMMANDS:
    cli.add_command(_command)
cli.add_command(appd_group)
cli.add_command(meo_group)
cli.add_command(app_group)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="osm-mec")


if __name__ == "__main__":
    main()
