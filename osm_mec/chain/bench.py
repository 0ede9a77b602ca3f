"""`osm-mec bench`: the paper's method. Per iteration, k8s-osm-cluster-ns, then mec-env-ns,
then mec-app-ns (on the Edge OSM), each after the previous completed, and everything torn
down before the next; then M scale-out/scale-in pairs of one worker; optionally the dummy
VNF and CNF baselines. Raw timings, CSVs, table and plots go to the results folder; a
progress file there lets an interrupted run resume where it stopped."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..core.errors import OsmMecError, UsageError
from ..offer.descriptors import package_spec
from ..offer.packages import archive_bytes, package_files
from ..offer.params import instantiation_params
from ..offer.profile import Profile
from ..timings.paper import BASELINE_NS
from ..timings.records import write_jsonl
from ..timings.report import write_report
from .progress import Progress
from .run import provision_action, run_for_csp, scale_action, teardown_action
from .session import Session

# (NS package, VNF package, label in the report: the report's baselines CSV and plot)
BASELINES = (("baseline_vnf_ns", "baseline_vnf", BASELINE_NS[0]),
             ("baseline_cnf_ns", "baseline_cnf", BASELINE_NS[1]))


def _load(path: Path) -> dict[str, Any]:
    """A JSON object file (progress or state), {} when missing; UsageError when broken."""
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path}: not readable JSON ({exc}); move it away to start over") \
            from None
    if not isinstance(data, dict):
        raise UsageError(f"{path}: not a JSON object; move it away to start over")
    return data


def _save(path: Path, done: dict[str, Any]) -> None:
    path.write_text(json.dumps(done, indent=2, sort_keys=True) + "\n")


def _targets(iterations: int, scale_iterations: int, baselines: bool) -> dict[str, int]:
    return {"iterations": iterations, "scale": scale_iterations,
            "baselines": iterations if baselines else 0}


def bench_complete(results: Path, iterations: int, scale_iterations: int,
                   baselines: bool) -> dict[str, Any] | None:
    """What a finished bench in `results` did, when it did all that is asked; else None."""
    done = _load(results / "progress.json") if results.is_dir() else {}
    wanted = _targets(iterations, scale_iterations, baselines)
    if not done or any(done.get(k, 0) < n for k, n in wanted.items()) or \
            not (results / "report.md").exists():
        return None
    return {"results": str(results), "done": done, "complete": True,
            "report": str(results / "report.md"),
            "message": f"the bench in {results} is complete ({wanted['iterations']} "
                       f"iteration(s), {wanted['scale']} scale pair(s), "
                       f"{wanted['baselines']} baseline iteration(s)); its report: "
                       f"{results / 'report.md'} (nothing was run)"}


def _next_step(done: dict[str, Any], wanted: dict[str, int]) -> str:
    for key, label in (("iterations", "deployment iteration"), ("scale", "scale pair"),
                       ("baselines", "baseline iteration")):
        if done.get(key, 0) < wanted[key]:
            return f"{label} {done.get(key, 0) + 1}"
    return "the report"


def _same_osm(session: Session, next_step: str, results: Path,
              progress: Progress) -> dict[str, Any] | None:
    """Check that a resumed bench measures the OSM it measured before. An embedded
    sandbox ended with its command: its state files are moved aside and a fresh sandbox
    continues (the interrupted iteration restarts); a note says so. Another OSM, or a
    sandbox after a real OSM (or the reverse), would mix figures: UsageError."""
    state_dir, marker = results / "state", results / "osm.json"
    now = {"url": session.url, "embedded": session.sandbox is not None}
    before = _load(marker)
    if before and before != now and not (before.get("embedded") and now["embedded"]):
        what = "an embedded sandbox (simulated)" if before.get("embedded") else \
            before.get("url")
        again = "run it without --osm-url" if before.get("embedded") else \
            f"resume with --osm-url {before.get('url')}"
        raise UsageError(f"{results}: this bench measured {what} ({marker}); {again}, or "
                         "give another --results folder")
    _save(marker, now)
    stale = [p for p in sorted(state_dir.glob("*.json"))
             if now["embedded"] and _load(p).get("main_url") not in (None, session.url)]
    if stale:
        aside = state_dir / f"ended-sandbox-{time.strftime('%Y%m%dT%H%M%S')}"
        aside.mkdir(parents=True)
        for path in stale:
            path.rename(aside / path.name)
        progress.note(f"== resuming on a fresh embedded sandbox: the previous run's sandbox "
                      f"ended with it, so its unfinished step starts again from the beginning "
                      f"(next: {next_step}; its old state files: {aside})")
        return {"fresh_sandbox": True, "next": next_step, "old_state": str(aside)}
    return None


def _baseline(session: Session, profile: Profile, chain_csp: str, iteration: int,
              results: Path, progress: Progress, state_dir: Path, run: int) -> None:
    """One iteration of both baselines on the NSP cluster of `chain_csp` (kept provisioned)."""
    chain = session.chain(profile, chain_csp, state_dir, progress)
    try:
        client = chain.main.client
        for ns_package, vnf_package, label in BASELINES:
            for package in (vnf_package, ns_package):
                spec = package_spec(package)
                if client.find_package(spec.kind, profile.descriptor_id(package)) is None:
                    client.upload_package(spec.kind, archive_bytes(package, package_files(
                        spec, profile)), f"{package}.tar.gz", profile.descriptor_id(package))
            name = f"{profile.prefix}-bench-{label}-{iteration}"
            progress.step(f"baseline {label} #{iteration}")
            nsd = client.find_package("ns", profile.descriptor_id(ns_package))
            vim = client.find_admin("vim", chain.nsp_vim)
            if nsd is None or vim is None:
                raise OsmMecError(f"baseline {label}: the NS package {ns_package} or the VIM "
                                  f"account {chain.nsp_vim} is not in OSM; run the bench again")
            ns_id, op_id = client.create_ns(name, nsd["_id"], vim["_id"], config=
                                            instantiation_params(profile, ns_package, "bench"))
            chain.main.know(ns_id, name)
            chain.main.wait(op_id, name, progress)
            terminate = client.delete_ns(ns_id)
            if terminate:
                chain.main.wait(terminate, name, progress, gone_ok=True)
        timings, _ = chain.main.timings({f"{profile.prefix}-bench-{label}-{iteration}": label
                                         for _, _, label in BASELINES})
        write_jsonl(results / "baselines.jsonl",
                    [replace(t, iteration=iteration, run=run) for t in timings])
    finally:
        chain.close()


def run_bench(session: Session, profile: Profile, iterations: int, scale_iterations: int,
              baselines: bool, results: Path, progress: Progress) -> dict[str, Any]:
    results.mkdir(parents=True, exist_ok=True)
    state_dir, marker = results / "state", results / "progress.json"
    setup = results / "setup"  # set-up for scaling and baselines: kept apart from the tables
    done = _load(marker)
    resumed = _same_osm(session, _next_step(done, _targets(iterations, scale_iterations,
                                                           baselines)), results, progress)
    csp = "bench"
    run = time.time_ns() // 1_000_000  # labels this run's timings: a resumed bench re-runs
    for i in range(done.get("iterations", 0) + 1, iterations + 1):
        for title, action in (("provision", provision_action), ("teardown", teardown_action)):
            progress.note(f"== iteration {i}/{iterations}: {title}")
            run_for_csp(session, profile, csp, state_dir, results, action, progress,
                        iteration=i, run=run)
        done["iterations"] = i
        _save(marker, done)
    if scale_iterations and done.get("scale", 0) < scale_iterations:
        progress.note("== scaling: provision once (its timings go to setup/, not the tables)")
        run_for_csp(session, profile, csp, state_dir, setup, provision_action, progress)
        for j in range(done.get("scale", 0) + 1, scale_iterations + 1):
            for direction in (True, False):
                progress.note(f"== scale iteration {j}/{scale_iterations}: "
                              f"{'out' if direction else 'in'}")
                run_for_csp(session, profile, csp, state_dir, results,
                            scale_action(direction, 1), progress, iteration=j, run=run)
            done["scale"] = j
            _save(marker, done)
        run_for_csp(session, profile, csp, state_dir, setup, teardown_action, progress)
    if baselines and done.get("baselines", 0) < iterations:
        progress.note("== baselines: NSP cluster for the CNF baseline")
        base_csp = "benchbase"
        chain = session.chain(profile, base_csp, state_dir, progress)
        try:
            chain.onboard_main()
            chain.nsp_cluster()
        finally:
            chain.close()
        for b in range(done.get("baselines", 0) + 1, iterations + 1):
            _baseline(session, profile, base_csp, b, results, progress, state_dir, run)
            done["baselines"] = b
            _save(marker, done)
        run_for_csp(session, profile, base_csp, state_dir, setup, teardown_action, progress)
    report = write_report(results, compare_paper=True)
    return {"results": str(results), "done": done, "report": report,
            "simulated": session.simulated, **({"resumed": resumed} if resumed else {})}
