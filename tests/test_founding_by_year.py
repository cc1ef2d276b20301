"""benchmarks/founding_by_year.py: the founding rule's terms at each year's end."""

import numpy as np
from benchmark_scripts import load_benchmark
from model_config import SMALL

from gemsim import load_scenario
from gemsim.model.model import CommunityModel


def test_yearly_terms_match_the_run_and_the_rule():
    script = load_benchmark("founding_by_year")
    settings = {**SMALL, "months": 36, "inhabitants_per_agent": 10}
    table = script.run(3, "care_cooperative", **settings)
    assert table["year"].tolist() == [2013, 2014, 2015]
    # The counts are the run's own year-end counts: reading the pool changes nothing.
    model = CommunityModel(load_scenario("status_quo_2013"), rng=3, **settings)
    frame = model.run()
    year_end = frame.loc[frame["month"].isin([12, 24, 36]), "collectives_care_cooperative"]
    assert table["count"].tolist() == year_end.tolist()
    assert (table["potential"] > 0).all()
    # Below the potential the Bass rule expects foundings; the base rate, dissolutions.
    below = table["count"] < table["potential"]
    assert (table.loc[below, "foundings_expected"] > 0).all()
    rate = model.params.dissolution_rate_per_year
    np.testing.assert_allclose(table["dissolutions_expected"], table["count"] * rate)
