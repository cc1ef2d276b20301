"""Building the region: municipalities, neighbourhoods (buurten) and the social network.

All state is columnar. Citizens are numbered so that each buurt's citizens are
contiguous (``citizen_start[b]`` .. ``citizen_start[b] + citizen_count[b]``), which lets
rules pick a random resident of a buurt with one vectorised draw.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix

from gemsim.model.arrays import BoolArray, FloatArray, IntArray, sorted_unique
from gemsim.model.infrastructure import initial_stock
from gemsim.model.parameters import Parameters


@dataclass
class Network:
    """Undirected contacts in compressed sparse row form (``indices[indptr[i]:indptr[i+1]]``)."""

    indptr: np.ndarray
    indices: np.ndarray

    def __post_init__(self) -> None:
        n = self.indptr.size - 1
        degree = np.diff(self.indptr)
        weights = np.repeat(1.0 / np.maximum(degree, 1), degree)
        # Row-normalised adjacency: (mean_operator @ x)[i] is the mean of x over i's contacts.
        self._mean_operator = csr_matrix((weights, self.indices, self.indptr), shape=(n, n))
        self._isolated = degree == 0
        self._sources = np.repeat(np.arange(n), degree)
        unsigned = np.uint32 if self._mean_operator.nnz < 2**32 else np.uint64
        self._unsigned_rows = (
            self._mean_operator.indptr.astype(unsigned),
            self._mean_operator.indices.astype(unsigned),
        )

    @property
    def degree(self) -> np.ndarray:
        return np.diff(self.indptr)

    @property
    def mean_operator(self) -> csr_matrix:
        """The row-normalised adjacency (each row's weights are 1 / degree)."""
        return self._mean_operator

    @property
    def unsigned_rows(self) -> tuple[np.ndarray, np.ndarray]:
        """The mean operator's row pointers and column indices as unsigned integers, for
        compiled loops over contacts: Numba checks every signed index for a negative
        value (which counts from the end), an unsigned one needs no check. Copies made
        with the network, whose matrix nothing changes afterwards."""
        return self._unsigned_rows

    @property
    def isolated(self) -> BoolArray:
        """Citizens without contacts (their contacts' mean is their own value)."""
        isolated: BoolArray = self._isolated
        return isolated

    @property
    def sources(self) -> np.ndarray:
        """The citizen each entry of ``indices`` belongs to."""
        return self._sources

    def neighbour_mean(self, values: np.ndarray) -> np.ndarray:
        """Mean of ``values`` over each citizen's contacts (own value where none)."""
        means = self._mean_operator @ values
        return np.where(self._isolated, values, means)


@dataclass
class Region:
    """The static geography of one run."""

    neighbourhood_municipality: IntArray  # (B,) municipality index of each buurt
    neighbourhood_population: FloatArray  # (B,) inhabitants
    neighbourhood_ses: FloatArray  # (B,) socio-economic status, standardised
    neighbourhood_low_ses: BoolArray  # (B,) bottom tercile of SES
    neighbourhood_high_ses: BoolArray  # (B,) top tercile of SES
    municipality_population: FloatArray  # (M,)
    municipality_co_decision: FloatArray  # (M,) willingness to co-decide, 0-1
    citizen_neighbourhood: IntArray  # (N,) buurt of each citizen agent
    citizen_start: IntArray  # (B,) first citizen of each buurt
    citizen_count: IntArray  # (B,) citizen agents per buurt
    citizen_weight: FloatArray  # (N,) inhabitants each agent stands for
    initial_stock: FloatArray  # (B, categories)
    network: Network

    @property
    def n_neighbourhoods(self) -> int:
        return self.neighbourhood_population.size

    @property
    def n_municipalities(self) -> int:
        return self.municipality_population.size

    @property
    def n_citizens(self) -> int:
        return self.citizen_neighbourhood.size

    @property
    def population(self) -> float:
        return float(self.neighbourhood_population.sum())

    @property
    def citizen_municipality(self) -> IntArray:
        return self.neighbourhood_municipality[self.citizen_neighbourhood]


def split_evenly(total: int, parts: int) -> np.ndarray:
    """``total`` items over ``parts`` groups, sizes differing by at most one."""
    sizes = np.full(parts, total // parts, dtype=np.int64)
    sizes[: total % parts] += 1
    return sizes


def random_member(start: IntArray, count: IntArray, group: IntArray, u: FloatArray) -> IntArray:
    """A uniformly random member index of each ``group`` (members contiguous from ``start``)."""
    return start[group] + np.minimum((u * count[group]).astype(np.int64), count[group] - 1)


def build_network(
    citizen_neighbourhood: np.ndarray,
    citizen_start: np.ndarray,
    citizen_count: np.ndarray,
    neighbourhood_municipality: np.ndarray,
    contacts_per_citizen: float,
    cross_share: float,
    rng: np.random.Generator,
) -> Network:
    """Mostly local contacts: each tie stays in the buurt or, with ``cross_share``, goes to
    a random buurt of the same municipality. Ties are symmetric; duplicates and self-ties
    are dropped, so the mean degree is slightly below ``contacts_per_citizen``."""
    n = citizen_neighbourhood.size
    half = contacts_per_citizen / 2.0
    stubs = np.floor(half).astype(np.int64) + (rng.random(n) < half % 1.0)
    source = np.repeat(np.arange(n), stubs)
    home = citizen_neighbourhood[source]

    order = np.argsort(neighbourhood_municipality, kind="stable")
    per_municipality = np.bincount(neighbourhood_municipality)
    first_buurt = np.concatenate(([0], np.cumsum(per_municipality)[:-1]))
    municipality = neighbourhood_municipality[home]
    other = order[random_member(first_buurt, per_municipality, municipality, rng.random(home.size))]
    target_buurt = np.where(rng.random(home.size) < cross_share, other, home)
    target = random_member(citizen_start, citizen_count, target_buurt, rng.random(home.size))

    keep = source != target
    pairs = np.concatenate(
        [np.stack([source[keep], target[keep]]), np.stack([target[keep], source[keep]])], axis=1
    )
    codes = sorted_unique(pairs[0] * np.int64(n) + pairs[1])
    rows, cols = codes // n, codes % n
    indptr = np.concatenate(([0], np.cumsum(np.bincount(rows, minlength=n))))
    return Network(indptr=indptr.astype(np.int64), indices=cols.astype(np.int64))


def build_region(params: Parameters, rng: np.random.Generator) -> Region:
    """A synthetic region: municipalities, buurten with SES and stock, citizens, network."""
    n_municipalities = params.n_municipalities
    n_neighbourhoods = params.n_neighbourhoods()
    neighbourhood_municipality = np.repeat(
        np.arange(n_municipalities), split_evenly(n_neighbourhoods, n_municipalities)
    )

    sigma = params.neighbourhood_size_spread
    sizes = rng.lognormal(-0.5 * sigma**2, sigma, n_neighbourhoods)
    population = params.inhabitants_per_neighbourhood * sizes

    between = params.ses_between_municipalities
    municipality_ses = rng.standard_normal(n_municipalities)
    ses = np.sqrt(between) * municipality_ses[neighbourhood_municipality] + np.sqrt(
        1 - between
    ) * rng.standard_normal(n_neighbourhoods)
    low_cut, high_cut = np.quantile(ses, [1 / 3, 2 / 3])

    citizen_count = np.maximum(1, np.rint(population / params.inhabitants_per_agent)).astype(
        np.int64
    )
    citizen_start = np.concatenate(([0], np.cumsum(citizen_count)[:-1]))
    citizen_neighbourhood = np.repeat(np.arange(n_neighbourhoods), citizen_count)
    citizen_weight = (population / citizen_count)[citizen_neighbourhood]

    co_decision = np.clip(
        params.co_decision_mean + params.co_decision_sd * rng.standard_normal(n_municipalities),
        0.0,
        1.0,
    )
    stock = initial_stock(
        ses,
        params.infrastructure_initial_mean,
        params.infrastructure_initial_sd,
        params.infrastructure_ses_gradient,
        rng,
    )
    network = build_network(
        citizen_neighbourhood,
        citizen_start,
        citizen_count,
        neighbourhood_municipality,
        params.contacts_per_citizen,
        params.cross_neighbourhood_tie_share,
        rng,
    )
    return Region(
        neighbourhood_municipality=neighbourhood_municipality,
        neighbourhood_population=population,
        neighbourhood_ses=ses,
        neighbourhood_low_ses=ses <= low_cut,
        neighbourhood_high_ses=ses >= high_cut,
        municipality_population=np.bincount(
            neighbourhood_municipality, weights=population, minlength=n_municipalities
        ),
        municipality_co_decision=co_decision,
        citizen_neighbourhood=citizen_neighbourhood,
        citizen_start=citizen_start,
        citizen_count=citizen_count,
        citizen_weight=citizen_weight,
        initial_stock=stock,
        network=network,
    )
