"""Running chain commands for one or several CSPs: timings written after every command,
rollback on request, several CSPs in parallel without sharing anything but the OSM."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..core.errors import OsmMecError
from ..offer.profile import Profile
from ..osm.nbi import NbiFailure
from ..osm.waiting import OperationFailed
from ..timings.records import write_jsonl
from .lock import CspLock
from .progress import Progress
from .provision import Chain, ChainFailed
from .scaling import scale
from .session import Session
from .status import status
from .teardown import teardown

Action = Callable[[Chain], dict[str, Any]]


def record_timings(chain: Chain, timings_dir: Path, iteration: int | None = None,
                   run: int | None = None) -> list[str]:
    """Append this command's operation timings to <timings_dir>/<csp>.jsonl; notes.
    A bench labels them with its iteration and its run (a resumed bench re-runs one)."""
    labels = chain.timing_labels()
    notes: list[str] = []
    for target in (chain.main, chain.edge):
        if target is None:
            continue
        timings, target_notes = target.timings(labels)
        if iteration is not None:
            timings = [replace(t, iteration=iteration, run=run) for t in timings]
        write_jsonl(timings_dir / f"{chain.csp}.jsonl", timings)
        notes += target_notes
    return notes


def run_for_csp(session: Session, profile: Profile, csp: str, state_dir: Path,
                timings_dir: Path, action: Action, progress: Progress,
                rollback: bool = False, iteration: int | None = None,
                run: int | None = None) -> dict[str, Any]:
    """One command for one CSP; commands that change it hold the CSP's lock (a second one
    at the same time exits 2 naming the holder)."""
    name = getattr(action, "__name__", "command").removesuffix("_action")
    with nullcontext() if action is status_action else CspLock(state_dir, csp, name):
        chain = session.chain(profile, csp, state_dir, progress,
                              session.options.edge_vim_password)
        try:
            try:
                result = action(chain)
            except ChainFailed as failure:
                if rollback and chain.created:
                    made = ", ".join(k for _, k in chain.created)
                    progress.note(f"rolling back what this run created: {made}")
                    teardown(chain, {key for _, key in chain.created})
                    raise OsmMecError(
                        f"step '{failure.step}' failed: {failure.detail}\n  rolled back: "
                        f"{made}\n  what to do: fix the cause, then `osm-mec provision "
                        f"--csp {csp}` makes them again") from failure
                raise
            except KeyboardInterrupt:
                raise OsmMecError(f"interrupted; everything created so far is in "
                                  f"{chain.state.path}: run the command again to resume, or "
                                  f"`osm-mec teardown --csp {csp}`") from None
            finally:
                notes = record_timings(chain, timings_dir, iteration, run)
            result["timings_file"] = str(timings_dir / f"{csp}.jsonl")
            if notes:
                result.setdefault("notes", []).extend(notes)
            if session.simulated:
                result["simulated"] = True
            return result
        finally:
            chain.close()


def run_many(session: Session, profile: Profile, csps: list[str], state_dir: Path,
             timings_dir: Path, action: Action, progress: Callable[[str], Progress],
             parallel: int = 1, rollback: bool = False) -> list[dict[str, Any]]:
    """Run `action` for each CSP, `parallel` at a time; every CSP's error is reported."""
    def one(csp: str) -> dict[str, Any]:
        try:
            return run_for_csp(session, profile, csp, state_dir, timings_dir, action,
                               progress(csp), rollback)
        except OsmMecError as exc:
            return {"csp": csp, "error": str(exc), "exit_code": exc.exit_code}

    if parallel <= 1 or len(csps) == 1:
        return [one(csp) for csp in csps]
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        return list(pool.map(one, csps))


def provision_action(chain: Chain) -> dict[str, Any]:
    return chain.provision()


def teardown_action(chain: Chain) -> dict[str, Any]:
    try:
        return teardown(chain)
    except (OperationFailed, NbiFailure) as exc:
        raise OsmMecError(f"teardown of CSP {chain.csp} stopped: {exc}\n  what to do: "
                          f"`osm-mec status --csp {chain.csp}` shows what is left; fix the "
                          f"cause, then `osm-mec teardown --csp {chain.csp}` again continues "
                          "with it") from exc


def scale_action(out: bool, count: int) -> Action:
    def scale_action(chain: Chain) -> dict[str, Any]:
        try:
            return scale(chain, out, count)
        except (OperationFailed, NbiFailure) as exc:
            raise OsmMecError(f"scale {'out' if out else 'in'} of CSP {chain.csp} stopped: "
                              f"{exc}\n  what to do: `osm-mec status --csp {chain.csp}` shows "
                              f"the cluster; fix the cause, then `osm-mec scale --csp "
                              f"{chain.csp} {'out' if out else 'in'}` again") from exc
    return scale_action


def status_action(chain: Chain) -> dict[str, Any]:
    return status(chain)
