"""How much of a run is compiled arithmetic, and so how much faster it could get at most.

``python benchmarks/kernel_share.py [N ...] [--runs R]``

Builds and runs the default scenario with N municipalities (default: 1, 3 and 10), R
times each after a warm-up run, and measures the CPU time spent inside the compiled
(Numba) kernels and the citizens' random draws (``CitizenDraws.draw``) against the whole
run, set-up and spin-up included. The rest is Python and NumPy work (call overhead and
array passes, set-up included): the part a faster implementation of the same rules could
remove. The kernels' time includes Numba's dispatch of each call and the timers' own cost
(a few microseconds a call), so the share is slightly high and the bound slightly low. A
version without any of it would be at most ``1 / share`` times faster than this one
(Amdahl's law), with the same kernels and draws.

Every compiled function is wrapped where Python code looks it up (a module's global name)
only after the warm-up has compiled or loaded every kernel, so compiled callers keep
calling their compiled callees directly and are timed as a whole.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import time
from collections.abc import Callable
from typing import Any

from numba.core.registry import CPUDispatcher

import gemsim.model
from gemsim.model import citizens, month_zero
from gemsim.model.model import CommunityModel

SPENT = {"kernels": 0.0, "draws": 0.0}
_inside = [False]


def _timed(label: str, function: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if _inside[0]:  # already timed by the outer call
            return function(*args, **kwargs)
        _inside[0] = True
        started = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            SPENT[label] += time.process_time() - started
            _inside[0] = False

    return wrapper


def instrument() -> int:
    """Wrap every compiled function in every model module's namespace, and the draws;
    returns how many names were wrapped."""
    wrapped = 0
    for info in pkgutil.iter_modules(gemsim.model.__path__):
        module = importlib.import_module(f"gemsim.model.{info.name}")
        for name, value in list(vars(module).items()):
            if isinstance(value, CPUDispatcher):
                setattr(module, name, _timed("kernels", value))
                wrapped += 1
    draw = citizens.CitizenDraws.draw.__func__  # type: ignore[attr-defined]
    citizens.CitizenDraws.draw = classmethod(_timed("draws", draw))  # type: ignore[assignment]
    return wrapped


def measure(n_municipalities: int, runs: int) -> dict[str, float]:
    """CPU ms per run: whole run, kernels, draws; and the kernels' and draws' share."""
    SPENT.update(kernels=0.0, draws=0.0)
    total = 0.0
    for seed in range(1, runs + 1):
        started = time.process_time()
        CommunityModel(rng=seed, n_municipalities=n_municipalities).run()
        total += time.process_time() - started
    share = (SPENT["kernels"] + SPENT["draws"]) / total
    return {
        "run_ms": total / runs * 1e3,
        "kernels_ms": SPENT["kernels"] / runs * 1e3,
        "draws_ms": SPENT["draws"] / runs * 1e3,
        "share": share,
        "bound": 1 / share,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1, 3, 10])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    month_zero.SHARED.enabled = False  # every run builds its own month 0
    for size in args.sizes:
        CommunityModel(rng=0, n_municipalities=size).run()  # compile or load every kernel
    print(f"{instrument()} names of compiled functions wrapped; CPU time per run, {args.runs} runs")
    for size in args.sizes:
        m = measure(size, args.runs)
        print(
            f"{size:3d} municipalities: run {m['run_ms']:7.1f} ms, kernels {m['kernels_ms']:6.1f}"
            f" ms, draws {m['draws_ms']:5.1f} ms: {m['share']:5.1%} of the run, so at most"
            f" {m['bound']:.2f}x faster without the rest"
        )


if __name__ == "__main__":
    main()
