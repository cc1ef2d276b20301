"""The compiled helpers choose as NumPy's element-wise minimum and maximum do."""

import itertools

import numpy as np

from gemsim.model.compiled import maximum, minimum

VALUES = (-0.0, 0.0, 1.0, -1.0, np.inf, -np.inf, np.nan)


def test_minimum_and_maximum_are_numpys_on_ties_signed_zeros_and_nan():
    for first, second in itertools.product(VALUES, repeat=2):
        for compiled, numpy in ((minimum, np.minimum), (maximum, np.maximum)):
            expected = numpy(np.array([first]), np.array([second]))[0]
            actual = compiled(first, second)
            assert np.array([actual]).tobytes() == np.array([expected]).tobytes(), (
                compiled.__name__,
                first,
                second,
            )
