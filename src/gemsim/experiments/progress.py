"""Progress of an experiment: a bar on a terminal, plain lines in a log.

On a terminal, a tqdm bar counts the runs. When stderr is not a terminal (a log file, a
cluster job's output), a bar would print nothing useful, so a line such as::

    gemsim: 340/1,200 runs done (28%), 5.6 runs/s, about 2 min 34 s left

is printed every few seconds instead, from a background thread, so that a long experiment
shows it is alive even between finished batches.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Self, TextIO

from tqdm import tqdm

__all__ = ["PROGRESS_INTERVAL_S", "Progress", "format_duration"]

#: Seconds between progress lines when stderr is not a terminal.
PROGRESS_INTERVAL_S = 5.0


def format_duration(seconds: float) -> str:
    """``42 s``, ``2 min 34 s``, ``1 h 05 min``."""
    whole = max(0, round(seconds))
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{whole // 60} min {whole % 60} s"
    return f"{whole // 3600} h {whole % 3600 // 60:02d} min"


class Progress:
    """Counts finished runs and shows them (use as a context manager).

    Args:
        total: runs of the experiment.
        done: runs already stored before this call (a resume).
        enabled: show anything at all (False for ``--quiet``).
        stream: where to write (default: stderr); a bar if it is a terminal, else lines.
        interval_s: seconds between lines when not a terminal.
        clock: monotonic clock (tests may replace it).
    """

    def __init__(
        self,
        total: int,
        done: int = 0,
        *,
        enabled: bool = True,
        stream: TextIO | None = None,
        interval_s: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total = total
        self.initial = done
        self.done = done
        self.stream = stream if stream is not None else sys.stderr
        self.interval_s = PROGRESS_INTERVAL_S if interval_s is None else interval_s
        self._clock = clock
        self._started = clock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._bar: tqdm[None] | None = None
        if not enabled or total <= done:
            return
        if _is_terminal(self.stream):
            self._bar = tqdm(
                total=total,
                initial=done,
                unit="run",
                desc="runs",
                dynamic_ncols=True,
                file=self.stream,
            )
        else:
            self._thread = threading.Thread(target=self._report, name="progress", daemon=True)
            self._thread.start()

    def update(self, runs: int) -> None:
        """``runs`` more runs are done."""
        self.done += runs
        if self._bar is not None:
            self._bar.update(runs)

    def line(self) -> str:
        """The progress line as of now."""
        elapsed = self._clock() - self._started
        executed = self.done - self.initial
        share = self.done / self.total if self.total else 1.0
        text = f"gemsim: {self.done:,}/{self.total:,} runs done ({share:.0%})"
        if executed > 0 and elapsed > 0:
            rate = executed / elapsed
            left = (self.total - self.done) / rate
            text += f", {rate:.3g} runs/s, about {format_duration(left)} left"
        else:
            text += f", {format_duration(elapsed)} since start, waiting for the first batch"
        return text

    def _report(self) -> None:
        while not self._stop.wait(self.interval_s):
            print(self.line(), file=self.stream, flush=True)

    def close(self) -> None:
        """Stop showing progress. Idempotent."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
