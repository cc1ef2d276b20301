"""Rules compiled to machine code with Numba, with the arithmetic of the NumPy rules.

A compiled rule does the same IEEE 754 operations, in the same order, as the NumPy rule it
replaces, so its results are the same to the last bit. That holds because Numba compiles
without ``fastmath`` here: nothing is reordered (a sum runs in the loop's order) and no
multiply and add are fused into one rounding.
"""

from collections.abc import Callable
from typing import Any, cast

from numba import njit


def compiled[Function: Callable[..., Any]](function: Function) -> Function:
    """Compile ``function`` (nopython mode, strict IEEE arithmetic); the machine code is
    cached beside the source, so a new process loads it instead of compiling again."""
    return cast(Function, njit(cache=True)(function))
