"""Array types of the model's columns, by element type, so that a type checker follows
numpy's arithmetic (an array of unknown element type makes most results ``Any``), and the
operations the rules share whose last bits must not depend on the CPU."""

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def summed_rows(weights: FloatArray, matrix: FloatArray | BoolArray) -> FloatArray:
    """``weights @ matrix`` summed by NumPy, not BLAS: OpenBLAS picks its kernel by CPU, so
    a matrix product's last bits can differ between machines."""
    total: FloatArray = (weights[:, None] * matrix).sum(axis=0)
    return total


def exp(values: FloatArray) -> FloatArray:
    """``e ** values``, element-wise, the C library's, whatever NumPy's CPU dispatch: NumPy's
    ``exp`` runs its own AVX-512 kernel where the CPU has one and the C library's elsewhere,
    and the two differ in the last bit now and then, which a seeded run can carry into its
    results. SciPy's Box-Cox inverse at lambda 0 is the C library's ``exp``. (SciPy is
    imported here, so that what needs only this module's types loads without it.)"""
    from scipy.special import inv_boxcox

    result: FloatArray = inv_boxcox(np.asarray(values, dtype=np.float64), 0.0)
    return result


def sorted_unique(values: IntArray) -> IntArray:
    """``np.unique(values)`` (each value once, ascending) by one sort: NumPy 2.3 and later
    find the unique integers with a hash table and then sort them, about four times slower
    on the model's hundred thousand contact codes than sorting first."""
    ordered = np.sort(values)
    if ordered.size == 0:
        return ordered
    first = np.empty(ordered.size, dtype=bool)
    first[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    unique: IntArray = ordered[first]
    return unique
