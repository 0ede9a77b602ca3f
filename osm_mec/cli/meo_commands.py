"""`osm-mec meo serve`: the MEC 010-2 Mm1 facade (AppPkgm, AppLcm) over one CSP's Edge OSM;
`osm-mec app deploy|remove`: a MEC application on a provisioned CSP's edge, from its AppD.

Secrets (the Edge OSM's password, the facade's and the MEP's bearer tokens) come from
0600 files, never from flags."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from ..core.errors import OsmMecError, UsageError
from .files import read_secret

DEFAULT_STATE = Path(".osm-mec/meo")


@click.group("meo")
def meo_group() -> None:
    """The MEC 010-2 Mm1 facade (application packages and lifecycle) of one CSP."""


@meo_group.command("serve")
@click.option("--edge-osm-url", required=True, metavar="URL",
              help="The CSP's Edge OSM NBI (https://<host>:9999/osm).")
@click.option("--credentials-file", required=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help="0600 YAML file with the Edge OSM's user, password and project.")
@click.option("--admin-token-file", required=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help="0600 file holding the bearer token the CSP operator calls the facade "
                   "with.")
@click.option("--mep-url", metavar="URL",
              help="The CSP's MEP (its platform-management API registers each instantiated "
                   "application). Without it, applications are not registered.")
@click.option("--mep-token-file", type=click.Path(dir_okay=False, path_type=Path),
              help="0600 file holding the MEP's platform manager token (with --mep-url).")
@click.option("--state", "state_dir", default=DEFAULT_STATE, show_default=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Folder of the facade's state (SQLite) and uploaded packages.")
@click.option("--vim", "vim_account", default="edge-vim", show_default=True,
              help="The Edge OSM's VIM account the applications are deployed on.")
@click.option("--kafka", metavar="HOST:PORT",
              help="The Edge OSM's Kafka bus (operations end as soon as OSM says so); "
                   "without it the facade polls OSM's operation records.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8090, show_default=True, type=click.IntRange(0, 65535))
@click.option("--public-url", metavar="URL",
              help="How clients reach the facade (links). Default: http://<host>:<port>.")
@click.option("--ca-bundle", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="CA certificate(s) the Edge OSM's TLS certificate is checked against.")
@click.option("--log-level", default="info", show_default=True,
              type=click.Choice(["debug", "info", "warning", "error"]))
def meo_serve(edge_osm_url: str, credentials_file: Path, admin_token_file: Path,
              mep_url: str | None, mep_token_file: Path | None, state_dir: Path,
              vim_account: str, kafka: str | None, host: str, port: int,
              public_url: str | None, ca_bundle: Path | None, log_level: str) -> None:
    """Serve /app_pkgm/v1 and /app_lcm/v1 (MEC 010-2 v2.1.1) for one CSP."""
    import uvicorn

    from ..meo import MeoSettings, build_context, create_app
    from ..osm.credentials import load_credentials
    from ..osm.nbi import NbiClient, check_nbi_url
    from ..osm.waiting import OperationListener

    url = check_nbi_url(edge_osm_url, "--edge-osm-url")
    credentials = load_credentials(credentials_file=credentials_file, env={})
    token = read_secret(admin_token_file, "facade's admin token")
    if mep_url:
        check_nbi_url(mep_url, "--mep-url")
    mep = _mep(mep_url, mep_token_file)
    listener = OperationListener(kafka) if kafka else None
    settings = MeoSettings(public_url=public_url or f"http://{host}:{port}",
                           state_dir=state_dir)
    verify: bool | str = str(ca_bundle) if ca_bundle else True
    try:
        meo = build_context(settings, lambda: NbiClient(url, credentials, verify=verify),
                            token, vim_account, mep, listener)
    except OSError as exc:
        raise OsmMecError(f"{state_dir}: cannot use the state folder: "
                          f"{exc.strerror or exc}") from None
    click.echo(f"MEC 010-2 facade of {url} on http://{host}:{port} (state in {state_dir})",
               err=True)
    uvicorn.run(create_app(meo), host=host, port=port, log_level=log_level)


@click.group("app")
def app_group() -> None:
    """MEC applications on a provisioned CSP's edge, from their AppD (MEC 010-2)."""


def app_options(command: Callable[..., None]) -> Callable[..., None]:
    """What deploy and remove share: the CSP, its state, whom to log in as, the MEP."""
    for option in reversed([
        click.option("--csp", required=True, help="CSP name (provisioned, B2B2C)."),
        click.option("--state-dir", default=Path(".osm-mec/state"), show_default=True,
                     type=click.Path(file_okay=False, path_type=Path),
                     help="Folder of the CSP state files."),
        click.option("--timings-dir", default=Path(".osm-mec/timings"), show_default=True,
                     type=click.Path(file_okay=False, path_type=Path),
                     help="Where the operations' timings are appended (<csp>.jsonl)."),
        click.option("--osm-credentials", "credentials_file",
                     type=click.Path(dir_okay=False, path_type=Path),
                     help="0600 YAML credentials for the Edge OSM when the CSP has no "
                          "account of its own there (env OSM_USER/OSM_PASSWORD otherwise)."),
        click.option("--ca-bundle", type=click.Path(dir_okay=False, exists=True,
                                                    path_type=Path),
                     help="CA certificate(s) of the Edge OSM's TLS certificate."),
        click.option("--mep-url", metavar="URL",
                     help="The CSP's MEP, where applications are (de)registered. Default: "
                          "the MEP provisioning recorded (URL in the state, admin token in "
                          "<state dir>/<csp>.mep/)."),
        click.option("--mep-token-file", type=click.Path(dir_okay=False, path_type=Path),
                     help="0600 file holding the MEP's platform manager token (with "
                          "--mep-url)."),
        click.option("--json", "as_json", is_flag=True, help="Print the result as JSON."),
    ]):
        command = option(command)
    return command


def _mep(mep_url: str | None, mep_token_file: Path | None) -> tuple[str, str] | None:
    if not mep_url:
        return None
    if mep_token_file is None:
        raise UsageError("--mep-url needs --mep-token-file (the MEP's platform manager "
                         "token, in a 0600 file)")
    return mep_url, read_secret(mep_token_file, "MEP's platform manager token")


def _run_app(action: str, options: dict[str, Any], **arguments: Any) -> None:
    from ..chain.apps import app_command
    from ..chain.progress import Progress
    from ..osm.credentials import load_credentials

    credentials_file = options["credentials_file"]
    result = app_command(
        action, options["csp"], options["state_dir"], options["timings_dir"],
        lambda: load_credentials(credentials_file=credentials_file),
        str(options["ca_bundle"]) if options["ca_bundle"] else True,
        _mep(options["mep_url"], options["mep_token_file"]), Progress(), **arguments)
    _echo(result, options["as_json"])


@app_group.command("deploy")
@click.argument("appd", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--chart", metavar="DIR|REPO/CHART",
              help="The application's Helm chart (with an AppD file; a package has its own).")
@click.option("--name", help="Name of the application instance (default: the AppD's appName).")
@app_options
def app_deploy(appd: Path, chart: str | None, name: str | None, **options: Any) -> None:
    """Onboard the AppD's packages into the CSP's Edge OSM, register the application in the
    CSP's MEP (its token goes into a Kubernetes Secret in the application's namespace), then
    instantiate it with the MEP's URL and that Secret's name."""
    from ..chain.apps import read_source

    _run_app("deploy", options, source=read_source(appd, chart), name=name)


@app_group.command("remove")
@click.argument("appd", metavar="APPD")
@click.option("--forceful", is_flag=True,
              help="Do not give the application its graceful termination time.")
@app_options
def app_remove(appd: str, forceful: bool, **options: Any) -> None:
    """Terminate and delete every instance of an application (APPD: its AppD file,
    package or appDId) on the CSP's edge, then its packages."""
    from ..chain.apps import appd_id_of

    _run_app("remove", options, appd_id=appd_id_of(appd), graceful=not forceful)


def _echo(result: dict[str, Any], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(result, indent=2, sort_keys=True))
        return
    for key, value in result.items():
        click.echo(f"{key}: {value}")
