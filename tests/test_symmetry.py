"""Symmetry between funding channels: the channel parameters at their defaults keep every
regime's behaviour as stored, and with identical process parameters the two channels give
the same outcomes (docs/ODD.md, section 9)."""

import pandas as pd
import pytest
from model_config import REGIMES
from regime_baseline import BASELINE, baseline_run


@pytest.mark.parametrize("regime", REGIMES)
def test_default_channel_parameters_keep_each_regime_bit_identical(regime):
    stored = pd.read_parquet(BASELINE)
    stored = stored[stored["regime"] == regime].reset_index(drop=True)
    now = baseline_run(regime)
    pd.testing.assert_frame_equal(now[stored.columns], stored, check_exact=True)
