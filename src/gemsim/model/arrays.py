"""Array types of the model's columns, by element type, so that a type checker follows
numpy's arithmetic (an array of unknown element type makes most results ``Any``)."""

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
