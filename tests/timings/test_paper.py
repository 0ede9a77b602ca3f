"""The paper's published tables live beside the statistics: osm_mec.timings reads them
itself, and the sandbox's timing model takes them from there (timings never imports the
sandbox)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from osm_mec.timings.paper import PAPER, paper_column, paper_values
from osm_mec.timings.stats import summarise


def test_timings_modules_do_not_import_the_sandbox() -> None:
    code = ("import sys, osm_mec.timings.report, osm_mec.timings.plots, "
            "osm_mec.timings.capture, osm_mec.timings.paper\n"
            "print(sorted(m for m in sys.modules if m.startswith('osm_mec.sandbox')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"


def test_paper_tables_and_their_published_summaries() -> None:
    assert paper_column("paper-table1-deploy.csv", "mec-app-ns")[0] == 23.748
    published = {("k8s-osm-cluster-ns", "instantiate"): (585.287, 7.72),
                 ("mec-env-ns", "instantiate"): (646.619, 13.39),
                 ("mec-app-ns", "instantiate"): (18.364, 1.15),
                 ("mec-env-ns", "scale-out"): (485.655, 20.34),
                 ("mec-env-ns", "scale-in"): (38.31, 1.3)}
    assert set(PAPER) == set(published)
    for key, (mean, sem) in published.items():
        s = summarise(paper_values(*key))
        # published to 2-3 decimals (scale-in's SE 1.346 as 1.3)
        assert s.mean == pytest.approx(mean, abs=0.005), key
        assert s.sem == pytest.approx(sem, abs=0.05), key
    assert len(paper_values("k8s-osm-cluster-ns", "instantiate")) == 20
    assert len(paper_values("mec-env-ns", "scale-in")) == 7


def test_the_sandbox_model_reads_the_same_tables() -> None:
    from osm_mec.sandbox import timing
    assert timing.paper_column is paper_column
