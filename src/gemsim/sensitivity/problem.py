"""Factors and problems for global sensitivity analysis, and their SALib translation.

A :class:`Problem` is a tuple of :class:`Factor` s (the uncertain inputs) plus the names of
the outputs to analyse. :meth:`Problem.to_salib` turns it into the problem dict SALib's
samplers and analysers expect; :meth:`Problem.decode` turns one row of a SALib sample back
into the parameter dict a model is called with.

Distributions (SALib's names; what ``low`` and ``high`` mean depends on ``dist``):

========== ============================== ===============================================
``dist``   ``low``                        ``high``
========== ============================== ===============================================
``unif``   lower bound                    upper bound
``norm``   mean                           standard deviation (> 0)
``lognorm`` mean of ``ln(x)``             standard deviation of ``ln(x)`` (> 0)
``triang`` start of the support           end of the support (SALib requires ``>= 0``);
                                          the mode sits at ``low + peak * (high - low)``
                                          with ``peak`` in ``[0, 1)``
========== ============================== ===============================================

Integer and categorical factors. SALib only samples continuous values, so discrete factors
are sampled on a continuous stand-in and floored when decoded:

* an ``int`` factor with bounds ``[low, high]`` (both integers, inclusive) is sampled
  uniformly on ``[low, high + 1)`` and floored, so each of the ``high - low + 1`` integers
  gets probability ``1 / (high - low + 1)``;
* a ``categorical`` factor with ``k`` levels is sampled uniformly on ``[0, k)`` and floored
  to an index into ``levels``, so each level gets probability ``1 / k``.

Samplers may hit the closed upper end (Morris grid points and FAST search curves include
it), so decoded values are clipped to ``[low, high]`` (resp. ``[0, k - 1]``). Discrete
factors must use ``dist="unif"``.

The noise-floor dummy. A stochastic model's output moves with its random stream as well as
with its parameters. :meth:`Problem.with_noise_dummy` adds a factor that the model never
sees: its value (an integer stream number) only selects the random stream of the run (see
:mod:`gemsim.sensitivity.stochastic`). Its index is then the share of output variance due to
the random path, the floor below which a parameter's index cannot be told from noise. A
dummy that changed nothing at all would be useless under common random numbers: every run
at every point would use the same stream, and its index would be exactly 0.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

FactorKind = Literal["float", "int", "categorical"]
Dist = Literal["unif", "norm", "triang", "lognorm"]

_KINDS = ("float", "int", "categorical")
_DISTS = ("unif", "norm", "triang", "lognorm")

#: Number of random streams the noise-floor dummy draws from (stream numbers
#: ``0 .. NOISE_STREAMS - 1``): enough that two sample rows share a stream only when the
#: design copies the dummy's column, never by chance.
NOISE_STREAMS = 2**32


@dataclass(frozen=True)
class Factor:
    """One uncertain input of a sensitivity analysis.

    Attributes:
        name: parameter name, the key under which the decoded value is passed to the model.
        low: lower bound for ``unif``; see the module docstring for other distributions.
            For ``int`` factors the smallest integer value (inclusive). Ignored for
            ``categorical`` factors (normalised to ``0``).
        high: upper bound for ``unif``; see the module docstring for other distributions.
            For ``int`` factors the largest integer value (inclusive). Ignored for
            ``categorical`` factors (normalised to ``len(levels) - 1``).
        kind: ``"float"`` (default), ``"int"`` or ``"categorical"``.
        dist: SALib distribution name: ``"unif"`` (default), ``"norm"``, ``"triang"``,
            ``"lognorm"``. Discrete kinds require ``"unif"``.
        levels: the values a ``categorical`` factor can take (at least one).
        peak: only for ``dist="triang"``: position of the mode as a fraction of
            ``high - low``, in ``[0, 1)`` (SALib's third triangular bound).
    """

    name: str
    low: float
    high: float
    kind: FactorKind = "float"
    dist: Dist = "unif"
    levels: tuple[Any, ...] = ()
    peak: float = 0.5

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("Factor name must be a non-empty string")
        where = f"Factor {self.name!r}"
        if self.kind not in _KINDS:
            raise ValueError(f"{where}: kind must be one of {_KINDS}, got {self.kind!r}")
        if self.dist not in _DISTS:
            raise ValueError(f"{where}: dist must be one of {_DISTS}, got {self.dist!r}")
        object.__setattr__(self, "levels", tuple(self.levels))
        if self.kind == "categorical":
            if not self.levels:
                raise ValueError(f"{where}: a categorical factor needs levels")
            object.__setattr__(self, "low", 0)
            object.__setattr__(self, "high", len(self.levels) - 1)
        elif self.levels:
            raise ValueError(f"{where}: levels are only for categorical factors")
        if self.kind != "float" and self.dist != "unif":
            raise ValueError(f"{where}: {self.kind} factors must use dist='unif'")
        low, high = float(self.low), float(self.high)
        if not (math.isfinite(low) and math.isfinite(high)):
            raise ValueError(f"{where}: bounds must be finite")
        if self.kind == "int" and not (low.is_integer() and high.is_integer()):
            raise ValueError(f"{where}: int bounds must be integers, got {low}, {high}")
        if self.dist in ("unif", "triang"):
            if self.kind == "float" and not low < high:
                raise ValueError(f"{where}: need low < high, got {low}, {high}")
            if self.kind != "float" and not low <= high:
                raise ValueError(f"{where}: need low <= high, got {low}, {high}")
        if self.dist in ("norm", "lognorm") and not high > 0:
            raise ValueError(f"{where}: {self.dist} needs a standard deviation > 0")
        if self.dist == "triang" and not (0 <= self.peak < 1 and high >= 0):
            raise ValueError(f"{where}: triang needs peak in [0, 1) and high >= 0 (SALib)")

    @classmethod
    def categorical(cls, name: str, levels: Iterable[Any]) -> Factor:
        """A categorical factor whose levels are drawn with equal probability."""
        lv = tuple(levels)
        return cls(name, 0, max(len(lv) - 1, 0), kind="categorical", levels=lv)

    @property
    def salib_bounds(self) -> list[float]:
        """The bounds SALib samples on (the continuous stand-in for discrete kinds)."""
        if self.kind == "int":
            return [float(self.low), float(self.high) + 1.0]
        if self.kind == "categorical":
            return [0.0, float(len(self.levels))]
        if self.dist == "triang":
            return [float(self.low), float(self.high), float(self.peak)]
        return [float(self.low), float(self.high)]

    def decode_values(self, values: np.ndarray) -> list[Any]:
        """Map SALib's continuous values for this factor to model values (Python scalars)."""
        v = np.asarray(values, dtype=float)
        if self.kind == "float":
            return list(v.tolist())
        if self.kind == "int":
            ints = np.clip(np.floor(v), self.low, self.high).astype(np.int64)
            return list(ints.tolist())
        idx = np.clip(np.floor(v), 0, len(self.levels) - 1).astype(np.int64)
        return [self.levels[i] for i in idx]


@dataclass(frozen=True)
class Problem:
    """A set of factors and the outputs to analyse.

    Attributes:
        factors: the uncertain inputs, in sample-column order (names must be unique); any
            sequence is accepted and stored as a tuple.
        outputs: names of the model outputs to analyse. May be empty, in which case
            :func:`gemsim.sensitivity.run_sensitivity` uses the keys the model returns.
        noise_dummy: name of the factor that only selects the random stream (see the module
            docstring and :meth:`with_noise_dummy`), or ``None``.
    """

    factors: tuple[Factor, ...]
    outputs: tuple[str, ...] = field(default=())
    noise_dummy: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "factors", tuple(self.factors))
        object.__setattr__(self, "outputs", tuple(self.outputs))
        if not self.factors:
            raise ValueError("A Problem needs at least one factor")
        names = [f.name for f in self.factors]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"Duplicate factor names: {dupes}")
        if len(set(self.outputs)) != len(self.outputs):
            raise ValueError(f"Duplicate output names: {list(self.outputs)}")
        if self.noise_dummy is not None:
            dummy = next((f for f in self.factors if f.name == self.noise_dummy), None)
            if dummy is None:
                raise ValueError(f"Noise dummy {self.noise_dummy!r} is not a factor: {names}")
            if (dummy.kind, dummy.low, dummy.high) != ("int", 0, NOISE_STREAMS - 1):
                raise ValueError(
                    f"Noise dummy {self.noise_dummy!r} must be an int factor on "
                    f"[0, {NOISE_STREAMS - 1}] (use Problem.with_noise_dummy)"
                )

    def with_noise_dummy(self, name: str = "noise_floor") -> Problem:
        """This problem plus a noise-floor dummy ``name`` as its last factor.

        The dummy is an integer stream number, uniform on ``0 .. NOISE_STREAMS - 1``; the
        model never receives it (:func:`gemsim.sensitivity.stochastic.split_stream` takes
        it out and turns it into the run's seeds).
        """
        if self.noise_dummy is not None:
            raise ValueError(f"Problem already has a noise dummy ({self.noise_dummy!r})")
        dummy = Factor(name, 0, NOISE_STREAMS - 1, kind="int")
        return Problem((*self.factors, dummy), self.outputs, noise_dummy=name)

    def without_noise_dummy(self) -> Problem:
        """The same problem without its noise dummy (the factors the model sees)."""
        if self.noise_dummy is None:
            return self
        kept = tuple(f for f in self.factors if f.name != self.noise_dummy)
        return Problem(kept, self.outputs)

    @property
    def names(self) -> list[str]:
        """Factor names in sample-column order."""
        return [f.name for f in self.factors]

    @property
    def model_names(self) -> list[str]:
        """Names of the factors the model sees (all but the noise dummy)."""
        return [n for n in self.names if n != self.noise_dummy]

    @property
    def num_vars(self) -> int:
        """Number of factors (SALib's ``num_vars``)."""
        return len(self.factors)

    def to_salib(self) -> dict[str, Any]:
        """A fresh SALib problem dict: ``num_vars``, ``names``, ``bounds``, ``dists``.

        Discrete factors get the continuous stand-in bounds described in the module
        docstring. A new dict is returned on each call because SALib mutates it.
        """
        return {
            "num_vars": self.num_vars,
            "names": self.names,
            "bounds": [f.salib_bounds for f in self.factors],
            "dists": [f.dist for f in self.factors],
        }

    def _check_matrix(self, X: np.ndarray) -> np.ndarray:
        arr = np.atleast_2d(np.asarray(X, dtype=float))
        if arr.ndim != 2 or arr.shape[1] != self.num_vars:
            raise ValueError(f"Sample has shape {arr.shape}; expected (rows, {self.num_vars})")
        return arr

    def decode(self, sample_row: Sequence[float] | np.ndarray) -> dict[str, Any]:
        """Decode one SALib sample row into ``{factor name: model value}``.

        Floats pass through; ints and categoricals are floored (and clipped) as described
        in the module docstring.
        """
        row = np.asarray(sample_row, dtype=float).ravel()
        return self.decode_rows(row[None, :])[0]

    def decode_rows(self, X: np.ndarray) -> list[dict[str, Any]]:
        """Decode every row of a SALib sample matrix (vectorised per column)."""
        arr = self._check_matrix(X)
        cols = [f.decode_values(arr[:, j]) for j, f in enumerate(self.factors)]
        names = self.names
        return [dict(zip(names, vals, strict=True)) for vals in zip(*cols, strict=True)]

    def decode_matrix(self, X: np.ndarray) -> pd.DataFrame:
        """Decode a SALib sample matrix into a DataFrame, one column per factor."""
        arr = self._check_matrix(X)
        data: dict[str, Any] = {}
        for j, f in enumerate(self.factors):
            vals = f.decode_values(arr[:, j])
            if f.kind == "float":
                data[f.name] = np.asarray(vals, dtype=float)
            elif f.kind == "int":
                data[f.name] = np.asarray(vals, dtype=np.int64)
            else:
                data[f.name] = pd.Series(vals, dtype=object)
        return pd.DataFrame(data, columns=self.names)

    @classmethod
    def from_mapping(
        cls, factors: Mapping[str, tuple[float, float]], outputs: Iterable[str] = ()
    ) -> Problem:
        """Convenience: uniform float factors from ``{name: (low, high)}``."""
        return cls(tuple(Factor(n, lo, hi) for n, (lo, hi) in factors.items()), tuple(outputs))
