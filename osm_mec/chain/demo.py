"""`osm-mec demo`, the README's main job: an embedded sandbox, one CSP provisioned (its first
MEC app, the sample app, deployed from its AppD as `provision --appd` does), scaled out and
in, torn down, and the timing report beside the paper's (every figure simulated)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from ..appd import sample_appd, sample_appd_package
from ..appd.samples import sample_appd_path
from ..offer.profile import default_profile
from ..timings.report import write_report
from .apps import AppSource
from .progress import Progress
from .provision import provision_with
from .run import run_for_csp, scale_action, teardown_action
from .session import OsmOptions, Session


def run_demo(csp: str, time_scale: float, seed: int | None, out_dir: Path) -> str:
    if out_dir.exists():
        shutil.rmtree(out_dir)
    timings_dir, state_dir = out_dir / "timings", out_dir / "state"
    profile = default_profile()
    progress = Progress()
    started = time.monotonic()
    app = AppSource(sample_appd_package(), sample_appd().appd_id, str(sample_appd_path()))
    with Session(OsmOptions(time_scale=time_scale, seed=seed)) as session:
        progress.note(f"embedded sandbox OSM at {session.url}, Kafka {session.kafka} "
                      f"(time scale {time_scale}: simulated)")
        for title, action in (("provision", provision_with(app)),
                              ("scale out", scale_action(True, 1)),
                              ("scale in", scale_action(False, 1)),
                              ("teardown", teardown_action)):
            progress.note(f"== {title} (CSP {csp})")
            result = run_for_csp(session, profile, csp, state_dir, timings_dir, action, progress)
            for note in result.get("notes", []):
                progress.note(note)
    report = write_report(timings_dir, compare_paper=True)
    for name in ("report.md", "deploy.csv", "scale.csv", "deploy.png", "scale.png"):
        if (timings_dir / name).exists():
            shutil.move(str(timings_dir / name), out_dir / name)
    return (f"\nDemo done in {time.monotonic() - started:.1f} s (wall). Simulated timings "
            f"(sandbox, time scale {time_scale}) beside the paper's:\n\n{report}\n"
            f"Files: {out_dir}/report.md, deploy.csv, scale.csv, deploy.png, scale.png, "
            f"timings/{csp}.jsonl")
