"""Independent analysis tasks in worker processes, results in task order."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor


def in_processes[T, R](function: Callable[[T], R], tasks: Sequence[T], workers: int) -> list[R]:
    """``[function(task) for task in tasks]``, in up to ``workers`` spawned processes when
    there is more than one task (``function`` must be picklable: a module-level function
    or a ``functools.partial`` of one). Each task is computed on its own, so the results
    are the same for any number of workers."""
    if workers <= 1 or len(tasks) <= 1:
        return [function(task) for task in tasks]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(workers, len(tasks)), mp_context=context) as pool:
        return list(pool.map(function, tasks))
