"""The two file writers of the analysis: CSV tables and PNG figures, both atomic.

Every table and figure that :mod:`gemsim.analysis` and :mod:`gemsim.sensitivity` write goes
through here, so they share one float format, one resolution, and the guarantee of
:mod:`gemsim.atomic` that a reader (or a rerun after a crash) never sees a half-written file.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from gemsim.atomic import atomic_path, write_text

if TYPE_CHECKING:  # matplotlib and pandas are imported by whoever made the object
    import pandas as pd
    from matplotlib.figure import Figure

__all__ = ["DPI", "csv_text", "slug", "write_csv", "write_png"]

#: Resolution of every figure: sharp in a report column of about 1,100 px without making
#: the self-contained HTML heavy.
DPI = 120


def csv_text(frame: pd.DataFrame) -> str:
    """CSV text with a fixed float format (10 significant digits) and ``\\n`` line ends, so
    that rebuilding from the same results gives byte-identical files."""
    return str(frame.to_csv(index=False, float_format="%.10g", lineterminator="\n"))


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write ``frame`` as :func:`csv_text` to ``path`` atomically; return the path."""
    return write_text(path, csv_text(frame))


def write_png(fig: Figure, path: str | Path) -> Path:
    """Render ``fig`` (an Agg canvas is attached if it has none) to ``path`` as a PNG at
    :data:`DPI`, atomically; return the path."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    out = Path(path)
    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    with atomic_path(out) as tmp:
        fig.savefig(tmp, dpi=DPI, format="png", facecolor="white")
    return out


def slug(name: str) -> str:
    """A file-name-safe form of an output name (``a:b`` -> ``a__b``)."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name.replace(":", "__"))
