"""An outcome added in one place, for ``tests/test_outcomes.py``.

``python tests/extra_outcome.py OUT`` adds :data:`EXTRA` to
``gemsim.model.outcomes.OUTCOMES`` before anything else is imported (which is what editing
that tuple in the source does: the model, the analysis and the docs derive their names,
labels and groups from it when they are imported), then runs a tiny stored experiment into
``OUT``, builds its summary and report, and prints as JSON what a model run and the ODD
table show of the new outcome.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from gemsim.model import outcomes
from gemsim.model.outcomes import Outcome

NAME = "initiator_share"


def initiator_share(model) -> float:
    """Population-weighted share of citizens who lead a collective."""
    from gemsim.model.citizens import INITIATOR

    weight = model.citizens.weight
    return float(np.dot(model.citizens.state == INITIATOR, weight) / weight.sum())


EXTRA = Outcome(
    NAME,
    "Residents leading a collective",
    "% of residents",
    initiator_share,
    "share of citizens whose state is initiator",
    scale=100.0,
    diff_unit="percentage points",
)


def register() -> None:
    """Declare :data:`EXTRA`: the one entry that adding an outcome takes."""
    outcomes.OUTCOMES = (*outcomes.OUTCOMES, EXTRA)


def main(out: Path) -> dict:
    register()
    # Imported only now, as a fresh interpreter imports them after the source was edited.
    from test_analysis import SCENARIOS, make_results

    from gemsim.analysis import build_outputs
    from gemsim.model.model import MODEL_REPORTERS, CommunityModel
    from gemsim.study.scenario import reporter_names

    model = CommunityModel(rng=5, **SCENARIOS["groeiplan"], months=3)
    frame = model.run()
    make_results(out, SCENARIOS, replications=2, months=12)
    build_outputs(out)
    return {
        "frame_columns": list(frame.columns),
        "frame_last": float(frame[NAME].iloc[-1]),
        "direct_last": initiator_share(model),
        "model_reporters": list(MODEL_REPORTERS),
        "valid_output": NAME in reporter_names(),
        "odd_table": outcomes.outcome_table_markdown(),
    }


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]))))
