"""The sandbox's simulated durations depend only on --seed: not on the time scale, not on
the order in which operations ran, not on what else ran before."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import pytest

from osm_mec.offer.params import instantiation_params
from osm_mec.sandbox.timing import TimingModel, derived_seed

from .conftest import client_for, onboard

WORK = [(kind, subject) for kind in ("vnf-day1", "kdu-helm", "scale-out", "k8scluster")
        for subject in ("acme-env/cluster", "bravo-env/cluster", "")]


def _draw_all(model: TimingModel, order: list[tuple[str, str]]) -> dict[tuple, float]:
    """Three draws of every (kind, subject) in the given order; (kind, subject, n) ->
    duration."""
    drawn: dict[tuple, float] = {}
    counts: dict[tuple[str, str], int] = {}
    for kind, subject in order:
        number = counts.get((kind, subject), 0)
        counts[(kind, subject)] = number + 1
        drawn[(kind, subject, number)] = model.draw(kind, subject)
    return drawn


def test_each_draw_depends_only_on_seed_kind_subject_and_its_number() -> None:
    order = WORK * 3
    shuffled = order[:]
    random.Random(4).shuffle(shuffled)
    first = _draw_all(TimingModel(seed=42), order)
    # another run: other work first (another kind, another NS), then a different order
    second_model = TimingModel(seed=42)
    second_model.draw("vim", "extra-vim")
    second_model.draw("action", "zulu-env/cluster")
    second = _draw_all(second_model, shuffled)
    assert first == second
    assert len(set(first.values())) == len(first)  # distinct streams, not one value
    assert _draw_all(TimingModel(seed=43), order) != first


def test_edge_osm_seeds_come_from_their_label_not_their_start_order() -> None:
    labels = ["acme-env", "bravo-env", "charlie-env"]
    seeds = {label: derived_seed(9, label) for label in labels}
    for permutation in itertools.permutations(labels):
        assert {label: derived_seed(9, label) for label in permutation} == seeds
    assert len(set(seeds.values())) == 3 and derived_seed(None, "acme-env") is None


def _baseline_ready(sandbox, built: Path) -> tuple:
    """A client of sandbox with the VNF baseline onboarded and an ENABLED VIM: (client, NS
    package id, VIM id)."""
    client = client_for(sandbox)
    ids = onboard(client, built, ("baseline_vnf", "baseline_vnf_ns"))
    vim = client.create_admin("vim", {"name": "timing-vim", "vim_type": "openstack",
                                      "vim_url": "http://10.0.0.1:5000/v3", "vim_user": "u",
                                      "vim_password": "p", "vim_tenant_name": "t"})
    client.wait_for_admin("vim", vim, timeout=30)
    return client, ids["baseline_vnf_ns"], vim


def _instantiate(make_sandbox, built: Path, profile, time_scale: float
                 ) -> tuple[list[tuple[str, float]], float]:
    """Register a VIM (at a time scale above 0 its check is drawn in a thread), then
    instantiate the VNF baseline. The durations the timing model drew for the
    instantiation (recorded as they are drawn) and the operation's recorded duration."""
    sandbox = make_sandbox(time_scale=time_scale, seed=21)
    model = sandbox.osm.timing
    drawn: list[tuple[str, float]] = []
    real_draw = model.draw

    def recording_draw(kind: str, *subject: str) -> float:
        duration = real_draw(kind, *subject)
        drawn.append((kind, duration))
        return duration

    model.draw = recording_draw
    client, ns_package, vim = _baseline_ready(sandbox, built)
    ns_id, op_id = client.create_ns("timing-base", ns_package, vim, config=(
        instantiation_params(profile, "baseline_vnf_ns", "timing")))
    op = client.wait_for_operation(op_id, timeout=30)
    return ([d for d in drawn if d[0] == "vnf-plain"],
            op["statusEnteredTime"] - op["startTime"])


def test_same_seed_same_simulated_duration_at_any_time_scale(make_sandbox, built: Path,
                                                             profile) -> None:
    """At time scale 0 the recorded duration is exactly the drawn one; above 0 the
    recorded one also holds real scheduling delays (times 1/scale), so the draws are
    compared."""
    instant, recorded = _instantiate(make_sandbox, built, profile, 0)
    scaled, _ = _instantiate(make_sandbox, built, profile, 0.0002)
    assert len(instant) == 1 and instant[0][1] > 60  # minutes, as in the paper
    assert recorded == pytest.approx(instant[0][1], abs=0.5)  # + the real ms it ran
    assert scaled == instant


def _instantiate_in_order(make_sandbox, built: Path, profile, names: list[str]
                          ) -> dict[str, float]:
    """Instantiate one VNF-baseline NS per name, in that order, at time scale 0; NS name ->
    recorded duration of its instantiation."""
    client, ns_package, vim = _baseline_ready(make_sandbox(time_scale=0, seed=21), built)
    durations = {}
    for name in names:
        _, op_id = client.create_ns(name, ns_package, vim, config=(
            instantiation_params(profile, "baseline_vnf_ns", name)))
        op = client.wait_for_operation(op_id, timeout=30)
        durations[name] = op["statusEnteredTime"] - op["startTime"]
    return durations


def test_same_seed_same_duration_per_ns_whatever_the_order(make_sandbox, built: Path,
                                                           profile) -> None:
    forward = _instantiate_in_order(make_sandbox, built, profile, ["alpha", "bravo"])
    backward = _instantiate_in_order(make_sandbox, built, profile, ["bravo", "alpha"])
    assert forward["alpha"] != forward["bravo"]
    for name in forward:
        assert backward[name] == pytest.approx(forward[name], abs=0.5)
