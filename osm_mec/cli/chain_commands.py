"""The chain's commands: provision, scale, teardown, status, demo, bench, timings, report.
Thin: parse, call osm_mec.chain / osm_mec.timings, render (text or --json)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..chain.state import DEFAULT_STATE_DIR, DEFAULT_TIMINGS_DIR
from ..offer.params import check_csp
from ..offer.profile import load_profile
from .extras import require_extras

if TYPE_CHECKING:  # the chain's modules need the chain extra: imported by the commands
    from ..chain.progress import Progress
    from ..chain.run import Action
    from ..chain.session import OsmOptions


def osm_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Options shared by every command that talks to OSM."""
    options = [
        click.option("--profile", "profile_path", type=click.Path(dir_okay=False, path_type=Path),
                     help="MECaaS profile (YAML). Default: the built-in default profile."),
        click.option("--osm-url", envvar="OSM_URL", help="Main OSM NBI, e.g. "
                     "https://10.0.0.5:9999/osm (env OSM_URL; or osmclient's OSM_HOSTNAME). "
                     "Default: the OSM recorded in the CSP's state file."),
        click.option("--sandbox", is_flag=True, help="Run against an embedded sandbox OSM "
                     "started for this command and gone after it (results simulated)."),
        click.option("--osm-credentials", "credentials_file",
                     type=click.Path(dir_okay=False, path_type=Path),
                     help="0600 YAML file with user, password, project. The password may "
                          "also come from OSM_PASSWORD; never from a flag."),
        click.option("--osm-user", envvar="OSM_USER", help="OSM user (env OSM_USER)."),
        click.option("--osm-project", envvar="OSM_PROJECT", help="OSM project (env OSM_PROJECT)."),
        click.option("--ca-bundle", type=click.Path(dir_okay=False, exists=True, path_type=Path),
                     help="CA bundle to verify the NBI's TLS certificate."),
        click.option("--insecure", is_flag=True, help="Do not verify the NBI's TLS certificate."),
        click.option("--kafka", metavar="HOST:PORT", help="The Main OSM's Kafka, for timings "
                     "and instant completion (default with the sandbox: its broker; without: "
                     "timings from NBI operation records)."),
        click.option("--vim", "nsp_vim", default="nsp-vim", show_default=True,
                     help="VIM account (name or id) of the NSP cloud in the Main OSM."),
        click.option("--edge-vim", default="edge-vim", show_default=True,
                     help="VIM account of the edge (MEC host) in the Main OSM."),
        click.option("--time-scale", default=0.01, show_default=True,
                     type=click.FloatRange(min=0), help="Embedded sandbox only: real seconds "
                     "per simulated second."),
        click.option("--seed", type=int, help="Embedded sandbox only: timing model seed."),
        click.option("--state-dir", default=DEFAULT_STATE_DIR, show_default=True,
                     type=click.Path(file_okay=False, path_type=Path),
                     help="Where the per-CSP state files (0600) live."),
        click.option("--timings-dir", default=DEFAULT_TIMINGS_DIR, show_default=True,
                     type=click.Path(file_okay=False, path_type=Path),
                     help="Where operation timings are appended (<csp>.jsonl)."),
        click.option("--json", "as_json", is_flag=True,
                     help="Print machine-readable results instead of progress."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _options(kw: dict[str, Any]) -> OsmOptions:
    from ..chain.session import OsmOptions

    return OsmOptions(kw["osm_url"], kw["credentials_file"], kw["osm_user"], kw["osm_project"],
                      kw["ca_bundle"], kw["insecure"], kw["kafka"], kw["nsp_vim"],
                      kw["edge_vim"], kw["time_scale"], kw["seed"],
                      sandbox=kw.get("sandbox", False),
                      edge_vim_password=os.environ.get("OSM_EDGE_VIM_PASSWORD") or None)


def _render(results: list[dict[str, Any]], as_json: bool) -> None:
    from ..chain.status import status_table

    if as_json:
        click.echo(json.dumps(results if len(results) > 1 else results[0], indent=2,
                              sort_keys=True))
    else:
        for result in results:
            if "error" in result:
                click.echo(f"osm-mec: CSP {result['csp']}: {result['error']}", err=True)
                continue
            click.echo(status_table(result) if "endpoints" in result else _text(result))
    codes = [r.get("exit_code", 0) for r in results]
    if any(codes):
        raise SystemExit(max(codes))


def _text(result: dict[str, Any]) -> str:
    lines = [f"CSP {result['csp']}" + (" (simulated: embedded sandbox)"
                                       if result.get("simulated") else "")]
    for key in ("main_osm", "edge_osm", "ns", "workers", "deleted", "registrations",
                "mep", "application", "objects", "steps", "timings_file", "notes"):
        if key in result and result[key] not in (None, [], {}):
            lines.append(f"  {key}: {json.dumps(result[key], sort_keys=True)}")
    return "\n".join(lines)


def _run_for_csps(kw: dict[str, Any], csps: list[str], action: Action, parallel: int = 1,
                  rollback: bool = False) -> None:
    """Run a chain action for each CSP against the chosen OSM; render the results."""
    from ..chain.progress import Progress
    from ..chain.run import run_many
    from ..chain.session import Session, choose_osm
    from ..chain.state import CspState

    profile = load_profile(kw["profile_path"])
    for csp in csps:
        check_csp(csp)

    def progress(csp: str) -> Progress:
        return Progress(enabled=not kw["as_json"], prefix=csp if len(csps) > 1 else "",
                        spinner=len(csps) == 1)

    recorded = {csp: CspState.load(kw["state_dir"], csp).data for csp in csps}
    options = choose_osm(_options(kw), recorded)
    with Session(options) as session:
        results = run_many(session, profile, csps, kw["state_dir"], kw["timings_dir"],
                           action, progress, parallel, rollback)
    _render(results, kw["as_json"])


@click.command()
@click.option("--csp", "csps", multiple=True, required=True,
              help="CSP name (repeatable, or comma-separated, for several CSPs).")
@click.option("--parallel", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Provision this many CSPs at once.")
@click.option("--rollback", is_flag=True, help="When a step fails, tear down what this "
              "run created.")
@click.option("--appd", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="B2B2C: deploy the CSP's first MEC app from this AppD (file, or AppD "
              "package archive) instead of the sample app.")
@click.option("--app-chart", metavar="DIR|REPO/CHART",
              help="The Helm chart of the --appd file (an AppD package has its own).")
@osm_options
def provision(csps: tuple[str, ...], parallel: int, rollback: bool, appd: Path | None,
              app_chart: str | None, **kw: Any) -> None:
    """Provision a CSP's MEC environment: steps 1-5 of the B2B2C chain (resumable)."""
    require_extras("provision", "chain", *(("meo",) if appd else ()))
    from ..chain.provision import provision_with

    if app_chart and not appd:
        raise click.UsageError("--app-chart goes with --appd")
    source = None
    if appd:
        from ..chain.apps import read_source
        source = read_source(appd, app_chart)
    names = [c for item in csps for c in item.split(",") if c]
    _run_for_csps(kw, names, provision_with(source), parallel, rollback)


@click.command()
@click.option("--csp", required=True, help="CSP name.")
@click.argument("direction", type=click.Choice(["out", "in"]))
@click.option("--count", default=1, show_default=True, type=click.IntRange(1, 50),
              help="How many workers to add or remove, one at a time.")
@osm_options
def scale(csp: str, direction: str, count: int, **kw: Any) -> None:
    """Add or remove edge workers (the cluster VNF's worker-scale aspect)."""
    require_extras("scale", "chain")
    from ..chain.run import scale_action

    _run_for_csps(kw, [csp], scale_action(direction == "out", count))


@click.command()
@click.option("--csp", required=True, help="CSP name.")
@osm_options
def teardown(csp: str, **kw: Any) -> None:
    """Delete everything the CSP owns, in reverse order (idempotent)."""
    require_extras("teardown", "chain")
    from ..chain.run import teardown_action

    _run_for_csps(kw, [csp], teardown_action)


@click.command()
@click.option("--csp", "csps", multiple=True, help="CSP name (default: every CSP with a "
              "state file).")
@osm_options
def status(csps: tuple[str, ...], **kw: Any) -> None:
    """What exists for each CSP, its state and its endpoints."""
    require_extras("status", "chain")
    from ..chain.run import status_action

    names = list(csps) or sorted(p.stem for p in Path(kw["state_dir"]).glob("*.json"))
    if not names:
        raise click.UsageError(f"no CSP state files in {kw['state_dir']}; pass --csp")
    _run_for_csps(kw, names, status_action)


@click.group()
def timings() -> None:
    """Operation timings from OSM's Kafka bus."""


@timings.command("import")
@click.argument("capture", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--out", "out_dir", default=DEFAULT_TIMINGS_DIR, show_default=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write <capture name>.jsonl into.")
@click.option("--osm", default="main", show_default=True, help="Label of that OSM.")
def timings_import(capture: Path, out_dir: Path, osm: str) -> None:
    """Pair the records of an existing capture: a consumer's printout (records over
    several lines, as OSM's YAML wraps) or JSON lines; streamed, any size."""
    from ..timings.capture import import_capture

    target = out_dir / f"{capture.stem}.jsonl"
    result = import_capture(capture, target, osm)
    click.echo(f"{result.paired} operation(s) paired -> {target}")
    if result.duplicates:
        click.echo(f"{result.duplicates} repeated record(s) counted once", err=True)
    for kind, items in (("request", result.unpaired_requests),
                        ("completion", result.unpaired_completions)):
        for item in items[:20]:
            click.echo(f"unpaired {kind} record: key {item['key']} op {item['op_id']} at "
                       f"{item['timestamp_ms']} (left out, not guessed)", err=True)
        if len(items) > 20:
            click.echo(f"... and {len(items) - 20} more unpaired {kind} record(s)",
                       err=True)


@click.command()
@click.argument("folder", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("--compare", type=click.Choice(["paper"]), help="Put the paper's figures "
              "beside ours, with the ratio.")
@click.option("--no-plots", is_flag=True, help="Skip the PNG plots.")
@click.option("--ns-map", "ns_map", multiple=True, metavar="OURS=PAPER",
              help="Treat our NS OURS as the paper's NS PAPER (repeatable), e.g. "
                   "--ns-map osm-cluster=k8s-osm-cluster-ns for an imported capture.")
def report(folder: Path, compare: str | None, no_plots: bool,
           ns_map: tuple[str, ...]) -> None:
    """Statistics, CSVs (paper format), a Markdown table and plots of FOLDER's timings."""
    if not no_plots:
        require_extras("report", "report")
    from ..timings.report import parse_ns_map, write_report

    mapping = parse_ns_map(ns_map, compare == "paper")
    click.echo(write_report(folder, compare == "paper", not no_plots, mapping,
                            warn=lambda text: click.echo(f"osm-mec: warning: {text}", err=True)))


@click.command()
@click.option("--iterations", default=20, show_default=True, type=click.IntRange(1),
              help="Deployment iterations (the paper: 20).")
@click.option("--scale-iterations", default=7, show_default=True, type=click.IntRange(0),
              help="Scale-out/scale-in pairs of one worker (the paper: 7).")
@click.option("--baselines", is_flag=True, help="Also the dummy VNF and CNF baselines "
              "(as many iterations as --iterations).")
@click.option("--results", "results_dir", default=Path("out/bench"), show_default=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Results folder (raw timings, CSVs, report, plots, progress).")
@osm_options
def bench(iterations: int, scale_iterations: int, baselines: bool, results_dir: Path,
          **kw: Any) -> None:
    """The paper's benchmark: deployment iterations, scaling pairs, baselines
    (resumable)."""
    require_extras("bench", "chain", "report")
    from ..chain.bench import bench_complete, run_bench
    from ..chain.progress import Progress
    from ..chain.session import Session

    complete = bench_complete(results_dir, iterations, scale_iterations, baselines)
    if complete:
        click.echo(json.dumps(complete, indent=2) if kw["as_json"] else complete["message"])
        return
    profile = load_profile(kw["profile_path"])
    with Session(_options(kw)) as session:
        result = run_bench(session, profile, iterations, scale_iterations, baselines,
                           results_dir, Progress(enabled=not kw["as_json"]))
    click.echo(json.dumps(result, indent=2) if kw["as_json"] else result["report"])


@click.command()
@click.option("--csp", default="demo", show_default=True, help="CSP name of the demo.")
@click.option("--time-scale", default=0.01, show_default=True,
              type=click.FloatRange(min=0), help="Real seconds per simulated second.")
@click.option("--seed", type=int, default=1, show_default=True, help="Timing model seed.")
@click.option("--out", "out_dir", default=Path("out/demo"), show_default=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Folder for timings, report and plots.")
def demo(csp: str, time_scale: float, seed: int, out_dir: Path) -> None:
    """The main job: sandbox, provision one CSP, scale out and in, tear down, report."""
    require_extras("demo", "chain", "report", "meo")
    from ..chain.demo import run_demo

    click.echo(run_demo(csp, time_scale, seed, out_dir))


CHAIN_COMMANDS: tuple[click.Command, ...] = (provision, scale, teardown, status, timings, report,
                                             bench, demo)
