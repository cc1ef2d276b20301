"""Array types of the model's columns, by element type, so that a type checker follows
numpy's arithmetic (an array of unknown element type makes most results ``Any``), and the
vector-matrix product the rules share."""

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
