"""Founding (Bass diffusion among founders with the means) and dissolution (ODD 7.19-7.20)."""

import numpy as np
import pytest
from model_config import SMALL as SMALL_REGION

from gemsim import CommunityModel
from gemsim.model.collective_types import COLLECTIVE_TYPES
from gemsim.model.collectives import (
    MONTHLY_COST,
    bass_foundings,
    founders_means,
    monthly_chance,
    startup_money,
)

# The founding and dissolution rules alone, from the initial state (no spin-up before it).
SMALL = {**SMALL_REGION, "spin_up_months": 0}


def bass_path(potential: float, start: float, p: float, q: float, months: int) -> np.ndarray:
    """The deterministic count path the expected foundings trace out."""
    counts = [start]
    for _ in range(months):
        counts.append(
            counts[-1]
            + float(bass_foundings(np.array([potential]), np.array([counts[-1]]), p, q)[0])
        )
    return np.array(counts)


def test_bass_foundings_grow_then_level_off_at_the_potential():
    path = bass_path(1000.0, 10.0, p=0.01, q=0.6, months=360)
    yearly = np.diff(path[::12])
    peak = int(np.argmax(yearly))
    assert 0 < peak < yearly.size - 1  # S-shaped: foundings first rise, then fall
    assert np.all(np.diff(path) >= 0)
    assert path[-1] == pytest.approx(1000.0, rel=0.01)
    assert path.max() <= 1000.0 + 1e-9


def test_bass_hazard_is_innovation_plus_imitation_times_the_share_founded():
    expected = bass_foundings(np.array([200.0]), np.array([50.0]), p=0.03, q=0.4)
    assert expected[0] == pytest.approx((0.03 + 0.4 * 50 / 200) * 150 / 12)
    # none once the potential is reached, and none with no potential
    assert bass_foundings(np.array([100.0, 0.0]), np.array([120.0, 3.0]), 0.03, 0.4).tolist() == [
        0.0,
        0.0,
    ]


def test_means_scale_with_ses_and_movement_support():
    means = founders_means(np.array([0.0, np.log(2.0)]), 1000.0, 1.0, np.array([0.0, 0.5]))
    assert means.tolist() == pytest.approx([1000.0, 3000.0])
    assert startup_money(3.0).tolist() == pytest.approx((3.0 * MONTHLY_COST).tolist())


def test_monthly_dissolution_chance_matches_the_yearly_rate():
    assert 1 - (1 - monthly_chance(0.1)) ** 12 == pytest.approx(1 - np.exp(-0.1))
    assert monthly_chance(0.0) == 0.0


NO_MEMBER_LOSS = {"dissolution_grace_months": 60, "months": 24}


def test_dissolution_rate_ends_collectives_at_that_rate():
    ended = started = 0
    for seed in range(3):
        model = CommunityModel(
            rng=seed,
            **{**SMALL, **NO_MEMBER_LOSS},
            founding_innovation_rate=0.0,
            founding_imitation_rate=0.0,
            dissolution_rate_per_year=0.3,
        )
        started += model.collectives.size
        model.run()
        ended += model.counts["dissolved"]
        assert model.counts["founded"] == 0
    assert ended / started == pytest.approx(1 - np.exp(-0.3 * 2), abs=0.08)


def test_founding_is_blocked_without_founders_means():
    model = CommunityModel(
        rng=1, **{**SMALL, "months": 36}, founding_innovation_rate=0.5, founding_means_eur=0.0
    )
    model.run()
    assert model.counts["founded"] == 0
    free = CommunityModel(
        rng=1,
        **{**SMALL, "months": 36},
        founding_innovation_rate=0.5,
        founding_means_eur=0.0,
        founding_contribution_months=0.0,
    )
    free.run()
    assert free.counts["founded"] > 0


def test_more_means_found_more():
    founded = []
    for means in (2000.0, 50_000.0):
        total = 0
        for seed in range(3):
            model = CommunityModel(
                rng=seed,
                **{**SMALL, "months": 36},
                founding_innovation_rate=0.3,
                founding_means_eur=means,
            )
            model.run()
            total += model.counts["founded"]
        founded.append(total)
    assert founded[1] > founded[0]


def test_counts_add_up_and_stay_below_the_potential():
    model = CommunityModel(
        rng=2,
        **{**SMALL, "months": 120},
        founding_innovation_rate=0.2,
        founding_imitation_rate=1.0,
        dissolution_rate_per_year=0.02,
    )
    start = model.collectives.size
    model.run()
    table = model.collectives
    living = table.living()
    assert start + model.counts["founded"] == table.size
    assert table.size - model.counts["dissolved"] == living.size
    counts = np.bincount(table.kind[living], minlength=len(COLLECTIVE_TYPES))
    initial = np.bincount(table.kind[:start], minlength=len(COLLECTIVE_TYPES))
    for kind, collective_type in enumerate(COLLECTIVE_TYPES):
        potential = (
            getattr(model.params, collective_type.potential_parameter) * model.population_share
        )
        # founding stops at the potential; initial counts above it only shrink
        assert counts[kind] <= max(np.ceil(potential) + 2, initial[kind]), collective_type.name


def test_movement_support_lowers_the_start_up_barrier_and_raises_founding():
    """The same rule in every regime: support adds to founders' means, so more founding
    groups can start and the potential they can reach rises."""
    from gemsim.model.collectives import found_collectives

    founded = []
    for support_eur in (0.0, 100.0):
        total = 0
        for seed in range(3):
            model = CommunityModel(
                rng=seed, **SMALL, founding_means_eur=500.0, movement_founding_boost=4.0
            )
            model.movement_support.build(np.full(model.region.n_neighbourhoods, support_eur))
            for _ in range(120):
                found_collectives(model)
            total += model.counts["founded"]
        founded.append(total)
    assert founded[1] > founded[0]


def test_founding_pool_gives_the_potential_and_reads_without_changing_the_run():
    """The potential is the national one x population share x the share of candidate
    inhabitants with the means; reading the pool between months leaves the run as it was
    (benchmarks/founding_by_year.py relies on that)."""
    from gemsim.model.collectives import founding_pool

    settings = {**SMALL, "months": 24, "founding_means_eur": 3000.0}
    read = CommunityModel(rng=4, **settings)
    potentials = []
    while read.running:
        founders = founding_pool(read)
        assert founders is not None
        national = np.array([getattr(read.params, t.potential_parameter) for t in COLLECTIVE_TYPES])
        share = founders.potential / (national * read.population_share)
        weighted = (founders.weight[:, None] * founders.able).sum(axis=0) / founders.weight.sum()
        np.testing.assert_allclose(share, weighted)
        assert ((share > 0) & (share < 1)).any()  # the means separate the types
        potentials.append(founders.potential)
        read.step()
    plain = CommunityModel(rng=4, **settings)
    plain.run()
    assert read.results().equals(plain.results())
    assert 0 < np.mean(potentials) < np.inf
