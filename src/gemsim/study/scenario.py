"""Split into :mod:`gemsim.study.files`, :mod:`~gemsim.study.scenarios`,
:mod:`~gemsim.study.sensitivity_spec` and :mod:`~gemsim.study.experiment`; this module
only re-exports their names so that existing imports (and :mod:`gemsim.scenario`) work."""

from gemsim.study.experiment import Experiment, experiment_for_scenario, load_experiment
from gemsim.study.files import ScenarioError, file_kind, read_toml, show_path, toml_value
from gemsim.study.model_values import reporter_names
from gemsim.study.scenarios import (
    Scenario,
    load_scenario,
    read_scenario,
    resolve_scenario,
    scenario_parameters,
    scenario_search_dirs,
)
from gemsim.study.sensitivity_spec import (
    DEFAULT_SENSITIVITY_OUTPUTS,
    Contrast,
    SensitivitySettings,
)

__all__ = [
    "DEFAULT_SENSITIVITY_OUTPUTS",
    "Contrast",
    "Experiment",
    "Scenario",
    "ScenarioError",
    "SensitivitySettings",
    "experiment_for_scenario",
    "file_kind",
    "load_experiment",
    "load_scenario",
    "read_scenario",
    "read_toml",
    "reporter_names",
    "resolve_scenario",
    "scenario_parameters",
    "scenario_search_dirs",
    "show_path",
    "toml_value",
]
