"""Social infrastructure: eight categories of stock per neighbourhood (buurt).

Stock is a number in [0, 1] per buurt and category (1 = fully provided for its
population). A buurt is "in order" when every category is at or above the threshold
(Groeiplan claim 3). Rules here are pure functions of arrays.
"""

from __future__ import annotations

import numpy as np

from gemsim.model.arrays import FloatArray

CATEGORIES: tuple[str, ...] = (
    "meeting_place",
    "healthy_environment",
    "housing",
    "energy",
    "welfare_care_coordination",
    "youth_play",
    "childcare",
    "essential_shops",
)
N_CATEGORIES = len(CATEGORIES)


def initial_stock(
    ses: np.ndarray, mean: float, sd: float, ses_gradient: float, rng: np.random.Generator
) -> np.ndarray:
    """Initial stock (buurten x categories): lower on average where SES is low."""
    centre = mean + ses_gradient * ses[:, None]
    stock = centre + sd * rng.standard_normal((ses.size, N_CATEGORIES))
    return np.clip(stock, 0.0, 1.0)


def depreciate(stock: FloatArray, yearly_rate: float) -> FloatArray:
    """Stock after one month of relative decay at ``yearly_rate``."""
    monthly_factor: float = (1.0 - yearly_rate) ** (1.0 / 12.0)
    return stock * monthly_factor


def deficits(stock: FloatArray, threshold: float) -> FloatArray:
    """How far each category is below the in-order threshold (0 where it is not)."""
    return np.maximum(threshold - stock, 0.0)


def in_order(
    stock: np.ndarray, threshold: float, tolerance: np.ndarray | float = 0.0
) -> np.ndarray:
    """Whether every category of each buurt is at or above ``threshold``, short of it by
    less than ``tolerance`` (per buurt, or one number) counting as at it."""
    margin = np.asarray(tolerance, dtype=float)
    if margin.ndim == 1:
        margin = margin[:, None]
    return np.all(stock >= threshold - margin, axis=1)


def one_cent_of_stock(
    population: np.ndarray, cost_per_inhabitant: float, effectiveness: float
) -> np.ndarray:
    """The stock one cent buys in each buurt: the ledger pays whole cents, rounded down, so
    a gap filled to the last cent can stay short of the threshold by less than this."""
    return stock_gain(
        np.full(population.shape, 0.01), population, cost_per_inhabitant, effectiveness
    )


def stock_gain(
    spend_eur: np.ndarray, population: np.ndarray, cost_per_inhabitant: float, effectiveness: float
) -> np.ndarray:
    """Stock added by spending ``spend_eur`` in buurten of ``population`` inhabitants."""
    return effectiveness * spend_eur / (cost_per_inhabitant * population)


def cost_to_raise(
    amount: FloatArray, population: FloatArray, cost_per_inhabitant: float, effectiveness: float
) -> FloatArray:
    """Euros needed to raise stock by ``amount`` (inverse of :func:`stock_gain`)."""
    return np.maximum(amount, 0.0) * cost_per_inhabitant * population / max(effectiveness, 1e-9)
