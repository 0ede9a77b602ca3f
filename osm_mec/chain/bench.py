"""`osm-mec bench`: the paper's method. Per iteration, k8s-osm-cluster-ns, then mec-env-ns,
then mec-app-ns (on the Edge OSM), each after the previous completed, and everything torn
down before the next; then M scale-out/scale-in pairs of one worker; optionally the dummy
VNF and CNF baselines. Raw timings, CSVs, table and plots go to the results folder; a
progress file there lets an interrupted run resume where it stopped."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..descriptors import package_spec
from ..packages import archive_bytes, package_files
from ..params import instantiation_params
from ..profile import Profile
from ..timings.records import write_jsonl
from ..timings.report import write_report
from .progress import Progress
from .run import provision_action, run_for_csp, scale_action, teardown_action
from .session import Session

BASELINES = (("baseline_vnf_ns", "baseline_vnf", "baseline-vnf-ns"),
             ("baseline_cnf_ns", "baseline_cnf", "baseline-cnf-ns"))


def _load(path: Path) -> dict[str, int]:
    return json.loads(path.read_text()) if path.exists() else {}


def _save(path: Path, done: dict[str, int]) -> None:
    path.write_text(json.dumps(done, indent=2, sort_keys=True) + "\n")


def _baseline(session: Session, profile: Profile, chain_csp: str, iteration: int,
              results: Path, progress: Progress, state_dir: Path) -> None:
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
                    [replace(t, iteration=iteration) for t in timings])
    finally:
        chain.close()


def run_bench(session: Session, profile: Profile, iterations: int, scale_iterations: int,
              baselines: bool, results: Path, progress: Progress) -> dict[str, Any]:
    results.mkdir(parents=True, exist_ok=True)
    state_dir, marker = results / "state", results / "progress.json"
    setup = results / "setup"  # set-up for scaling and baselines: kept apart from the tables
    done = _load(marker)
    csp = "bench"
    for i in range(done.get("iterations", 0) + 1, iterations + 1):
        for title, action in (("provision", provision_action), ("teardown", teardown_action)):
            progress.note(f"== iteration {i}/{iterations}: {title}")
            run_for_csp(session, profile, csp, state_dir, results, action, progress,
                        iteration=i)
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
                            scale_action(direction, 1), progress, iteration=j)
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
            _baseline(session, profile, base_csp, b, results, progress, state_dir)
            done["baselines"] = b
            _save(marker, done)
        run_for_csp(session, profile, base_csp, state_dir, setup, teardown_action, progress)
    report = write_report(results, compare_paper=True)
    return {"results": str(results), "done": done, "report": report,
            "simulated": session.simulated}
