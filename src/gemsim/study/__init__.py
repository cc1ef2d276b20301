"""gemsim's workflow glue: scenario and experiment files, sensitivity plans, jobs.

Imports neither Mesa nor the model at import time; the model is loaded only by the run
function (``gemsim.study.simulation``) in the processes that run it.
"""
