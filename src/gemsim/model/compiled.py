"""Rules compiled to machine code with Numba, with the arithmetic of the NumPy rules.

A compiled rule does the same IEEE 754 operations, in the same order, as the NumPy rule it
replaces, so its results are the same to the last bit. That holds because Numba compiles
without ``fastmath`` here: nothing is reordered (a sum runs in the loop's order) and no
multiply and add are fused into one rounding.

Numba fixes a module-level constant a compiled rule reads when it compiles, and its cache
checks only the rule's own source file. So a model constant that may change (a threshold,
a channel code) is passed in as an argument; the citizens' state codes (``citizens.py``)
are read as constants. After changing one of those in another module, delete the
``__pycache__`` folders (or set ``NUMBA_CACHE_DIR`` to a new folder): a stale cache would
keep the old value, and the tests that compare each compiled rule with its NumPy rule
would fail. CI starts from a clean checkout, without a cache. The same holds for the
helpers below, which the other modules' rules call.
"""

from collections.abc import Callable
from typing import Any, cast

import numpy as np
from numba import njit


def compiled[Function: Callable[..., Any]](function: Function) -> Function:
    """Compile ``function`` (nopython mode, strict IEEE arithmetic); the machine code is
    cached beside the source, so a new process loads it instead of compiling again."""
    return cast(Function, njit(cache=True)(function))


@compiled
def minimum(first: float, second: float) -> float:
    """``np.minimum`` of two floats: the first where it is smaller or NaN, else the second
    (so on a tie, -0.0 against 0.0 included, the second; NaN if either is NaN)."""
    return first if first < second or np.isnan(first) else second


@compiled
def maximum(first: float, second: float) -> float:
    """``np.maximum`` of two floats: the first where it is larger or NaN, else the second
    (so on a tie, -0.0 against 0.0 included, the second; NaN if either is NaN)."""
    return first if first > second or np.isnan(first) else second
