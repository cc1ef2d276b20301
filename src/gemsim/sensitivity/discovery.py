"""Scenario discovery: where in the parameter space a conclusion fails, as boxes and a tree.

Sensitivity indices say *how much* a conclusion depends on each assumption; scenario
discovery says *where* it fails. Given the sampled parameter points and, per point, whether
it is a case of interest (typically: the sign of a contrast flips there), it finds

* **PRIM boxes** (the Patient Rule Induction Method of Friedman and Fisher 1999, used for
  scenario discovery by Bryant and Lempert 2010, *Technol. Forecast. Soc. Change* 77:
  34-49), through the EMA Workbench's maintained implementation (Kwakkel 2017,
  ``ema_workbench.analysis.prim``). A box is a few parameter limits; its *coverage* is the
  share of all cases that fall inside it, its *density* the share of points inside it that
  are cases, its *mass* the share of points inside it. Peeling trades coverage for density
  step by step; of that trajectory the box with the best harmonic mean of coverage and
  density is kept (the balance Bryant and Lempert ask the analyst to strike, made
  reproducible), with the quasi-p value of each limit (their one-sided binomial test).
* **A classification tree** (CART, Breiman et al. 1984; scikit-learn's
  ``DecisionTreeClassifier``, shallow so that it can be read), whose leaves are boxes too.
* **A sentence** a policymaker can read: "the direct fund beats the subsidy channel on
  wellbeing unless a ≥ 0.61 and b ≤ 0.3 (coverage 99%, density 98%)".

Figures (the PRIM trade-off, the box limits, the tree) are written through
:func:`gemsim.analysis.files.write_png`. The EMA Workbench takes a few seconds to import, so
it is imported on the first call only.
"""

from __future__ import annotations

import contextlib
import math
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from gemsim.analysis.files import write_png

__all__ = [
    "ROUNDING",
    "Box",
    "Limit",
    "Region",
    "ScenarioDiscovery",
    "design_blocks",
    "discover",
    "discover_sign_flips",
    "sign_flip_cases",
    "within_rounding",
    "without_rounding",
]


def format_value(value: float) -> str:
    """A limit as a reader wants it: thousands separated when large, 3 digits otherwise."""
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}"


@dataclass(frozen=True)
class Limit:
    """One restricted parameter of a box.

    Attributes:
        parameter: the parameter's name.
        low, high: the box's limits (inclusive); ``None`` where the box does not restrict
            that side. Unused (``None``) for a categorical parameter.
        levels: for a categorical parameter, the levels inside the box; else ``None``.
        qp_low, qp_high: quasi-p values of the lower and upper limit (Bryant and Lempert
            2010): the chance that dropping the limit would leave a box as dense; ``None``
            for an unrestricted side or a tree leaf.
    """

    parameter: str
    low: float | None = None
    high: float | None = None
    levels: tuple[Any, ...] | None = None
    qp_low: float | None = None
    qp_high: float | None = None

    def text(self, labels: Mapping[str, str] | None = None) -> str:
        """``"a ≥ 0.61"``, ``"b ≤ 0.3"``, ``"0.2 ≤ c ≤ 0.5"`` or ``"d is x or y"``."""
        name = (labels or {}).get(self.parameter, self.parameter)
        if self.levels is not None:
            return f"{name} is {' or '.join(str(v) for v in self.levels)}"
        if self.low is not None and self.high is not None:
            return f"{format_value(self.low)} ≤ {name} ≤ {format_value(self.high)}"
        if self.low is not None:
            return f"{name} ≥ {format_value(self.low)}"
        return f"{name} ≤ {format_value(self.high if self.high is not None else math.nan)}"

    def contains(self, x: pd.DataFrame) -> np.ndarray:
        """Which rows of ``x`` satisfy this limit."""
        column = x[self.parameter]
        if self.levels is not None:
            return np.asarray(column.isin(self.levels).to_numpy(), dtype=bool)
        inside = np.ones(len(x), dtype=bool)
        if self.low is not None:
            inside &= column.to_numpy(dtype=float) >= self.low
        if self.high is not None:
            inside &= column.to_numpy(dtype=float) <= self.high
        return inside


@dataclass(frozen=True)
class Box:
    """A region of the parameter space where the cases of interest concentrate.

    Attributes:
        limits: the restricted parameters (the others span their sampled range).
        coverage: share of all cases of interest inside the box.
        density: share of the points inside the box that are cases.
        mass: share of all points inside the box.
        points: number of points inside the box; ``cases`` of them are cases.
        step: the chosen step of the PRIM peeling trajectory (``-1`` for a tree leaf).
    """

    limits: tuple[Limit, ...]
    coverage: float
    density: float
    mass: float
    points: int
    cases: int
    step: int = -1

    def conditions(self, labels: Mapping[str, str] | None = None) -> str:
        """The limits joined by "and" (``"the whole sampled range"`` if there are none)."""
        if not self.limits:
            return "the whole sampled range"
        return " and ".join(limit.text(labels) for limit in self.limits)

    def contains(self, x: pd.DataFrame) -> np.ndarray:
        """Which rows of ``x`` fall inside the box."""
        inside = np.ones(len(x), dtype=bool)
        for limit in self.limits:
            inside &= limit.contains(x)
        return inside

    def sentence(self, statement: str, labels: Mapping[str, str] | None = None) -> str:
        """``"<statement> unless <conditions> (coverage 95%, density 93%)."``"""
        return (
            f"{statement} unless {self.conditions(labels)} "
            f"(coverage {self.coverage:.0%}, density {self.density:.0%})."
        )


@dataclass(frozen=True)
class Region:
    """Where a statement fails, as a reader gets it: PRIM boxes or a tree's leaves.

    Attributes:
        method: ``"PRIM"`` or ``"CART"``.
        parts: the boxes' or leaves' conditions, one string each (joined by "or").
        coverage, density: of all parts together.
    """

    method: str
    parts: list[str]
    coverage: float
    density: float
    blocks: int | None = None
    blocks_with_cases: int | None = None

    @property
    def text(self) -> str:
        """``"<conditions> (coverage 95%, density 93%)"``, leaves marked as such, with the
        design blocks its cases come from when the design has blocks."""
        parts = self.parts
        unless = parts[0] if len(parts) == 1 else " or ".join(f"({p})" for p in parts)
        where = "" if self.method == "PRIM" else "tree leaves; "
        blocks = ""
        if self.blocks is not None:
            blocks = (
                f"; cases from {self.blocks} of the {self.blocks_with_cases} design blocks with any"
            )
        return f"{unless} ({where}coverage {self.coverage:.0%}, density {self.density:.0%}{blocks})"


@dataclass
class ScenarioDiscovery:
    """PRIM boxes and a CART tree for one binary outcome.

    Attributes:
        statement: what holds outside the boxes, e.g. "the fund beats the subsidy on
            wellbeing".
        x: the parameter values, one row per point.
        cases: per point, whether the statement fails there (a case of interest).
        boxes: the PRIM boxes kept, in the order found.
        trajectories: per box, its peeling trajectory (``step, coverage, density, mass,
            res_dim, chosen``).
        tree: the fitted ``DecisionTreeClassifier`` (``None`` when there is nothing to
            classify), on the columns ``tree_features`` (categoricals one-hot encoded).
        leaves: one row per tree leaf: ``leaf, rule, points, mass, cases, density,
            coverage``.
        labels: readable names of parameters for sentences and figures.
        min_density: the density a box needed to be kept (the larger of ``discover``'s
            ``min_density`` and its concentration rule).
        min_coverage: the share of the cases a box (or the tree's dense leaves together)
            needed to hold.
        blocks: per point, its design block (``None``: every point its own), and
            ``min_blocks`` the blocks a box or leaf needed cases in (see ``discover``).
        leaf_of: per point, its tree leaf; ``leaf_paths``: per leaf, its splits.
    """

    statement: str
    x: pd.DataFrame
    cases: np.ndarray
    boxes: list[Box] = field(default_factory=list)
    trajectories: list[pd.DataFrame] = field(default_factory=list)
    tree: Any = None
    tree_features: list[str] = field(default_factory=list)
    leaves: pd.DataFrame = field(default_factory=pd.DataFrame)
    labels: dict[str, str] = field(default_factory=dict)
    min_density: float = 0.5
    min_coverage: float = 0.2
    blocks: np.ndarray | None = None
    min_blocks: int = 1
    leaf_of: np.ndarray | None = None
    leaf_paths: dict[int, list[tuple[str, str, float]]] = field(default_factory=dict)

    @property
    def points(self) -> int:
        return len(self.cases)

    @property
    def n_cases(self) -> int:
        return int(np.sum(self.cases))

    def in_boxes(self, x: pd.DataFrame | None = None) -> np.ndarray:
        """Which points (of ``x``, default the sampled ones) fall inside any box."""
        points = self.x if x is None else x
        inside = np.zeros(len(points), dtype=bool)
        for box in self.boxes:
            inside |= box.contains(points)
        return inside

    def joint_fit(self) -> tuple[float, float]:
        """Coverage and density of all boxes together (NaN without a box)."""
        if not self.boxes:
            return math.nan, math.nan
        inside = self.in_boxes()
        hit = float(np.sum(self.cases & inside))
        return hit / self.n_cases, hit / max(int(inside.sum()), 1)

    def sentence(self) -> str:
        """The finding in one sentence, boxes joined by "or"."""
        if self.n_cases == 0:
            return f"{self.statement} at every one of the {self.points} sampled points."
        share = 1 - self.n_cases / self.points
        region = self.region()
        if region is None:
            return (
                f"{self.statement} at {share:.0%} of the {self.points} sampled points; the "
                f"{self.n_cases} exceptions form no box or tree leaves of density "
                f"{self.min_density:.0%} or more holding {self.min_coverage:.0%} of them "
                "(they are scattered, or noise)."
            )
        return f"{self.statement} unless {region.text}."

    def tree_regions(self) -> pd.DataFrame:
        """The tree's leaves where the cases concentrate as a box must (density at least
        ``min_density``), at most three, largest coverage first, if together they hold at
        least ``min_coverage`` of the cases; else none. PRIM peels one side of a range at
        a time and finds no box when the cases lie at both ends of a parameter's range
        (e.g. every buurt in order in both regimes at one end, none at the other); a tree
        splits there."""
        if self.leaves.empty:
            return self.leaves
        dense = self.leaves[self.leaves["density"] >= self.min_density]
        if self.leaf_of is not None and not dense.empty:
            spread = [self.enough_blocks(self.leaf_of == leaf) for leaf in dense["leaf"]]
            dense = dense[np.array(spread, dtype=bool)]
        dense = dense.sort_values("coverage", ascending=False, kind="stable").head(3)
        if dense["coverage"].sum() < self.min_coverage:
            return dense.iloc[0:0]
        return dense

    def blocks_with_cases(self, inside: np.ndarray | None = None) -> int | None:
        """How many design blocks hold a case (inside ``inside``); ``None`` without blocks."""
        if self.blocks is None:
            return None
        chosen = self.cases if inside is None else self.cases & inside
        return len(np.unique(self.blocks[chosen]))

    def enough_blocks(self, inside: np.ndarray) -> bool:
        """Whether the cases inside come from at least ``min_blocks`` design blocks."""
        count = self.blocks_with_cases(inside)
        return count is None or count >= self.min_blocks

    def region(self) -> Region | None:
        """Where the statement fails, in words: the PRIM boxes, else the tree's dense
        leaves (:meth:`tree_regions`; two sibling leaves read as their parent), else
        ``None``."""
        if self.boxes:
            coverage, density = self.joint_fit()
            parts = [box.conditions(self.labels) for box in self.boxes]
            inside = self.in_boxes()
            method = "PRIM"
        else:
            leaves = self.tree_regions()
            if leaves.empty:
                return None
            paths = _merge_siblings([self.leaf_paths.get(int(leaf), []) for leaf in leaves["leaf"]])
            parts = [_rule_text(path, self.labels) for path in paths]
            cases = float(leaves["cases"].sum())
            coverage, density = cases / self.n_cases, cases / float(leaves["points"].sum())
            assert self.leaf_of is not None  # discover() sets it with the leaves
            inside = np.isin(self.leaf_of, leaves["leaf"].to_numpy())
            method = "CART"
        return Region(
            method,
            parts,
            coverage,
            density,
            blocks=self.blocks_with_cases(inside),
            blocks_with_cases=self.blocks_with_cases(),
        )

    def region_parameters(self) -> set[str]:
        """The parameters :meth:`region` restricts (empty without a region)."""
        if self.boxes:
            return {limit.parameter for box in self.boxes for limit in box.limits}
        leaves = self.tree_regions()
        names = set(self.x.columns)
        found = set()
        for leaf in leaves["leaf"] if not leaves.empty else []:
            for feature, _, _ in self.leaf_paths.get(int(leaf), []):
                found.add(feature if feature in names else feature.split("=", 1)[0])
        return found

    def region_mask(self, x: pd.DataFrame) -> np.ndarray | None:
        """Which rows of ``x`` (other points, with at least this discovery's columns) fall
        inside :meth:`region`: its PRIM boxes, else its tree leaves; ``None`` without a
        region."""
        points = x[list(self.x.columns)].reset_index(drop=True)
        if self.boxes:
            return self.in_boxes(points)
        leaves = self.tree_regions()
        if leaves.empty or self.tree is None:
            return None
        encoded = pd.get_dummies(points, prefix_sep="=").astype(float)
        encoded = encoded.reindex(columns=self.tree_features, fill_value=0.0)
        return np.isin(self.tree.apply(encoded.to_numpy()), leaves["leaf"].to_numpy())

    def box_table(self) -> pd.DataFrame:
        """One row per box and restricted parameter: ``box, coverage, density, mass,
        parameter, low, high, levels, qp_low, qp_high``."""
        rows = []
        for i, box in enumerate(self.boxes):
            for limit in box.limits:
                rows.append(
                    {
                        "box": i,
                        "coverage": box.coverage,
                        "density": box.density,
                        "mass": box.mass,
                        "parameter": limit.parameter,
                        "low": limit.low,
                        "high": limit.high,
                        "levels": None if limit.levels is None else list(limit.levels),
                        "qp_low": limit.qp_low,
                        "qp_high": limit.qp_high,
                    }
                )
        columns = ["box", "coverage", "density", "mass", "parameter", "low", "high"]
        return pd.DataFrame(rows, columns=[*columns, "levels", "qp_low", "qp_high"])

    def _label(self, name: str) -> str:
        return self.labels.get(name, name)

    def plot_tradeoff(self, path: str | Path) -> Path:
        """PRIM's coverage-density trade-off per box, the chosen steps circled."""
        fig = _figure(5.5, 4.2)
        ax = fig.subplots()
        if not self.trajectories:
            ax.text(0.5, 0.5, "no cases of interest: nothing to peel", ha="center")
        scatter = None
        for i, trajectory in enumerate(self.trajectories):
            scatter = ax.scatter(
                trajectory["coverage"],
                trajectory["density"],
                c=trajectory["res_dim"],
                cmap="viridis",
                s=18,
                marker="os^D"[i % 4],
                label=f"box {i + 1}",
            )
            chosen = trajectory[trajectory["chosen"]]
            ax.scatter(
                chosen["coverage"], chosen["density"], s=150, facecolors="none", edgecolors="red"
            )
        if scatter is not None:
            bar = fig.colorbar(scatter, ax=ax, label="restricted parameters")
            bar.locator = MaxNLocator(integer=True)
            bar.update_ticks()
            if len(self.trajectories) > 1:
                ax.legend(loc="lower left")
        ax.set(xlabel="coverage", ylabel="density", xlim=(0, 1.02), ylim=(0, 1.02))
        ax.set_title("PRIM peeling trajectory (chosen box circled)", fontsize=10)
        return _save(fig, path)

    def plot_boxes(self, path: str | Path) -> Path:
        """Each box's limits on its parameters' sampled ranges (scaled to 0-1)."""
        rows = [(i, limit) for i, box in enumerate(self.boxes) for limit in box.limits]
        fig = _figure(6.5, 1.0 + 0.45 * max(len(rows), 1))
        ax = fig.subplots()
        if not rows:
            ax.text(0.5, 0.5, "no box", ha="center")
            ax.set_axis_off()
            return _save(fig, path)
        ticks = []
        for y, (i, limit) in enumerate(reversed(rows)):
            lo, hi, text = self._scaled(limit)
            ax.plot([0, 1], [y, y], color="0.8", lw=6, solid_capstyle="butt")
            ax.plot([lo, hi], [y, y], color=f"C{i}", lw=6, solid_capstyle="butt")
            ax.text(1.02, y, text, va="center", fontsize=8)
            box = self.boxes[i]
            ticks.append(
                f"box {i + 1} ({box.coverage:.0%} cov., {box.density:.0%} dens.): "
                f"{self._label(limit.parameter)}"
            )
        ax.set_yticks(range(len(rows)), ticks, fontsize=8)
        ax.set_xlim(0, 1)
        ax.set_xticks([0, 1], ["sampled minimum", "sampled maximum"], fontsize=8)
        ax.set_title(f"Where “{self.statement}” fails: PRIM boxes", fontsize=9)
        return _save(fig, path)

    def _scaled(self, limit: Limit) -> tuple[float, float, str]:
        column = self.x[limit.parameter]
        if limit.levels is not None:
            levels = list(dict.fromkeys(column))
            kept = [levels.index(v) for v in limit.levels if v in levels]
            k = max(len(levels), 1)
            return min(kept) / k, (max(kept) + 1) / k, limit.text(self.labels)
        values = column.to_numpy(dtype=float)
        lo_all, hi_all = float(values.min()), float(values.max())
        span = hi_all - lo_all or 1.0
        lo = 0.0 if limit.low is None else (limit.low - lo_all) / span
        hi = 1.0 if limit.high is None else (limit.high - lo_all) / span
        return lo, hi, limit.text(self.labels)

    def plot_tree(self, path: str | Path) -> Path:
        """The classification tree (scikit-learn's ``plot_tree``)."""
        from sklearn.tree import plot_tree

        fig = _figure(9, 5)
        ax = fig.subplots()
        if self.tree is None:
            ax.text(0.5, 0.5, "no tree: the outcome does not vary", ha="center")
            ax.set_axis_off()
        else:
            plot_tree(
                self.tree,
                feature_names=[self._label(f) for f in self.tree_features],
                class_names=["holds", "fails"],
                filled=True,
                impurity=False,
                proportion=True,
                rounded=True,
                fontsize=7,
                ax=ax,
            )
        ax.set_title(f"Where “{self.statement}” fails: classification tree", fontsize=9)
        return _save(fig, path)


def _figure(width: float, height: float) -> Figure:
    """A figure on an Agg canvas (no pyplot state; the tree plot needs a renderer)."""
    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)
    return fig


def _save(fig: Figure, path: str | Path) -> Path:
    fig.tight_layout()
    return write_png(fig, path)


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    # The workbench warns on import about optional extras (ipyparallel, altair) that PRIM
    # does not use, and its PRIM calls pandas in ways pandas 3 deprecates; neither is
    # something a caller can act on.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("ignore", ImportWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        yield


def _limits(
    box_lim: pd.DataFrame, box_init: pd.DataFrame, qp: Mapping[str, Sequence[float]]
) -> tuple[Limit, ...]:
    """The restricted sides of an EMA box (rows 0 and 1 of ``box_lim``: lower, upper)."""
    limits = []
    for name in box_lim.columns:
        low, high = box_lim.at[0, name], box_lim.at[1, name]
        init_low, init_high = box_init.at[0, name], box_init.at[1, name]
        qp_low, qp_high = (None, None)
        if name in qp:
            qp_low = None if qp[name][0] < 0 else float(qp[name][0])
            qp_high = None if qp[name][1] < 0 else float(qp[name][1])
        if isinstance(low, set):
            if low != init_low:
                levels = tuple(v for v in init_low if v in low)
                limits.append(Limit(name, levels=levels, qp_low=qp_low, qp_high=qp_high))
            continue
        restricted_low = low > init_low
        restricted_high = high < init_high
        if restricted_low or restricted_high:
            limits.append(
                Limit(
                    name,
                    float(low) if restricted_low else None,
                    float(high) if restricted_high else None,
                    qp_low=qp_low,
                    qp_high=qp_high,
                )
            )
    return tuple(limits)


def _harmonic(coverage: pd.Series, density: pd.Series) -> pd.Series:
    total = coverage + density
    return (2 * coverage * density / total.where(total > 0)).fillna(0.0)


def _prim_boxes(
    x: pd.DataFrame,
    cases: np.ndarray,
    *,
    max_boxes: int,
    min_density: float,
    min_coverage: float,
    max_restricted: int | None,
    mass_min: float,
    peel_alpha: float,
    paste_alpha: float,
) -> tuple[list[Box], list[pd.DataFrame]]:
    with _quiet():
        from ema_workbench.analysis import prim

    # Integer columns are peeled as floats: the workbench's pasting writes midpoints such
    # as 4.5 into integer columns, which pandas 3 refuses. Limits of an integer parameter
    # may then fall between two integers; the points inside are the same.
    numeric = x.select_dtypes("number").columns
    x = x.astype(dict.fromkeys(numeric, float))
    with _quiet():
        algorithm = prim.Prim(
            x, cases.copy(), peel_alpha=peel_alpha, paste_alpha=paste_alpha, mass_min=mass_min
        )
    boxes: list[Box] = []
    trajectories: list[pd.DataFrame] = []
    remaining = np.ones(len(cases), dtype=bool)
    while len(boxes) < max_boxes and cases[remaining].any():
        with _quiet():
            found = algorithm.find_box()
        if found is None:
            break
        trajectory = found.peeling_trajectory
        score = _harmonic(trajectory["coverage"], trajectory["density"])
        allowed = trajectory["res_dim"] <= (max_restricted or x.shape[1])
        allowed &= trajectory["density"] >= min_density
        allowed &= trajectory["coverage"] >= min_coverage
        if not allowed.any():
            break
        step = int(score.where(allowed, -1.0).idxmax())
        found.select(step)
        stats = trajectory.loc[step]
        limits = _limits(found.box_lims[step], algorithm.box_init, found.p_values[step])
        boxes.append(
            Box(
                limits=limits,
                coverage=float(stats["coverage"]),
                density=float(stats["density"]),
                mass=float(stats["mass"]),
                points=int(stats["n"]),
                cases=int(stats["k"]),
                step=step,
            )
        )
        frame = trajectory[["coverage", "density", "mass", "res_dim"]].astype(float)
        frame.insert(0, "step", range(len(frame)))
        frame["chosen"] = frame["step"] == step
        trajectories.append(frame.reset_index(drop=True))
        remaining[found.yi] = False
    return boxes, trajectories


def _tree(
    x: pd.DataFrame, cases: np.ndarray, *, max_depth: int, mass_min: float, seed: int
) -> tuple[Any, list[str], pd.DataFrame, np.ndarray, dict[int, list[tuple[str, str, float]]]]:
    from sklearn.tree import DecisionTreeClassifier

    encoded = pd.get_dummies(x, prefix_sep="=").astype(float)
    features = list(encoded.columns)
    clf = DecisionTreeClassifier(
        max_depth=max_depth,
        min_samples_leaf=max(1, math.ceil(mass_min * len(x))),
        random_state=seed,
    )
    clf.fit(encoded.to_numpy(), cases.astype(int))
    structure = clf.tree_
    leaf_of = clf.apply(encoded.to_numpy())
    rows = []
    paths: dict[int, list[tuple[str, str, float]]] = {}

    def walk(node: int, rule: list[tuple[str, str, float]]) -> None:
        left, right = structure.children_left[node], structure.children_right[node]
        if left == right:  # a leaf
            inside = leaf_of == node
            n_cases = int(cases[inside].sum())
            paths[int(node)] = list(rule)
            rows.append(
                {
                    "leaf": node,
                    "rule": _rule_text(rule),
                    "points": int(inside.sum()),
                    "mass": float(inside.mean()),
                    "cases": n_cases,
                    "density": n_cases / max(int(inside.sum()), 1),
                    "coverage": n_cases / max(int(cases.sum()), 1),
                }
            )
            return
        name = features[structure.feature[node]]
        threshold = float(structure.threshold[node])
        walk(left, [*rule, (name, "≤", threshold)])
        walk(right, [*rule, (name, ">", threshold)])

    walk(0, [])
    return clf, features, pd.DataFrame(rows), leaf_of, paths


def _merge_siblings(
    paths: Sequence[list[tuple[str, str, float]]],
) -> list[list[tuple[str, str, float]]]:
    """Leaf paths with any two that differ in one split only, taken on either side,
    replaced by the splits they share ("A and x" or "A and not x" reads as "A"), until no
    two do. Sibling leaves are the common case; two leaves that take every other split
    the same way, in whatever order, merge too, and a merged pair can merge again."""
    merged = [list(path) for path in paths]
    while True:
        pair = next(
            (
                (i, j, shared)
                for i in range(len(merged))
                for j in range(i + 1, len(merged))
                if (shared := _shared_but_one(merged[i], merged[j])) is not None
            ),
            None,
        )
        if pair is None:
            return merged
        i, j, shared = pair
        merged[i] = shared
        del merged[j]


def _shared_but_one(
    a: list[tuple[str, str, float]], b: list[tuple[str, str, float]]
) -> list[tuple[str, str, float]] | None:
    """The splits of ``a`` but one, if ``b`` has the same splits and takes that one on
    the other side; else ``None``."""
    only_a = [split for split in a if split not in b]
    only_b = [split for split in b if split not in a]
    if len(a) != len(b) or len(only_a) != 1 or len(only_b) != 1:
        return None
    (name_a, op_a, value_a), (name_b, op_b, value_b) = only_a[0], only_b[0]
    if name_a != name_b or value_a != value_b or op_a == op_b:
        return None
    return [split for split in a if split != only_a[0]]


def _rule_text(
    splits: Sequence[tuple[str, str, float]], labels: Mapping[str, str] | None = None
) -> str:
    """A leaf's path as limits, one per feature ("a > 0.3 and 0.1 < b ≤ 0.6"), named by
    ``labels`` where given: a feature split twice on one side keeps the tighter split."""
    if not splits:
        return "all points"
    low: dict[str, float] = {}
    high: dict[str, float] = {}
    order: list[str] = []
    for name, op, value in splits:
        if name not in order:
            order.append(name)
        if op == ">":
            low[name] = max(low.get(name, -math.inf), value)
        else:
            high[name] = min(high.get(name, math.inf), value)
    parts = []
    for name in order:
        shown = (labels or {}).get(name, name)
        if name in low and name in high:
            parts.append(f"{format_value(low[name])} < {shown} ≤ {format_value(high[name])}")
        elif name in low:
            parts.append(f"{shown} > {format_value(low[name])}")
        else:
            parts.append(f"{shown} ≤ {format_value(high[name])}")
    return " and ".join(parts)


def discover(
    x: pd.DataFrame,
    cases: Sequence[bool] | np.ndarray,
    statement: str,
    *,
    labels: Mapping[str, str] | None = None,
    max_boxes: int = 3,
    min_density: float = 0.5,
    max_holds_ratio: float = 0.5,
    min_coverage: float = 0.2,
    blocks: Sequence[int] | np.ndarray | None = None,
    min_blocks: int = 5,
    max_restricted: int | None = None,
    mass_min: float = 0.05,
    peel_alpha: float = 0.05,
    paste_alpha: float = 0.05,
    tree_depth: int = 3,
    seed: int = 0,
) -> ScenarioDiscovery:
    """Find where ``statement`` fails: PRIM boxes and a CART tree over ``x``.

    Args:
        x: parameter values, one row per point, one column per parameter (float, int or
            categorical columns; leave out a noise dummy, which has no place in a box).
        cases: per point, ``True`` where the statement fails (a case of interest).
        statement: what holds elsewhere, phrased for "<statement> unless <box>".
        labels: readable parameter names for sentences and figures.
        max_boxes: boxes to look for at most (each on the points the earlier ones left).
        min_density: a box is kept only if at least this share of its points are cases
            (0.5: more failures than successes inside).
        max_holds_ratio: and only if the share of its points where the statement holds
            is at most this multiple of that share over all points (0.5: a box at
            least halves it). Without it, where the statement fails at most points
            a box spanning nearly the whole sample passes ``min_density`` and reads
            as a region it is not.
        min_coverage: and only if it holds at least this share of the cases (of those
            the earlier boxes left). PRIM searching many boxes finds small chance
            concentrations among scattered failures: on 1,000 uniform points with
            failures at random at a rate of 30-70%, the boxes that pass the density
            rules hold at most about a tenth of them (tests/test_sensitivity_discovery.py).
        blocks: per point, its design block, where the design comes in blocks of points
            that differ in one parameter at a time (a Saltelli base row, a Morris
            trajectory; :func:`design_blocks`). Such points are not independent: a
            block whose shared values make the statement fail fills a box or leaf on
            whichever parameter tells it apart. So a box or leaf is kept only if its
            cases come from at least ``min_blocks`` blocks, and the finding says from
            how many. ``None``: every point is its own.
        max_restricted: at most this many restricted parameters per box (interpretability).
        mass_min, peel_alpha, paste_alpha: PRIM's settings (EMA Workbench defaults);
            ``mass_min`` is also the tree's smallest leaf, as a share of the points.
        tree_depth: depth of the classification tree (3 gives at most 8 leaves).
        seed: the tree's tie-breaking seed.
    """
    x = x.reset_index(drop=True)
    flags = np.asarray(cases, dtype=bool).ravel()
    if len(flags) != len(x):
        raise ValueError(f"{len(flags)} case flags for {len(x)} points")
    if len(x) == 0:
        raise ValueError("No points to discover scenarios in")
    if not 0 < max_holds_ratio <= 1:
        raise ValueError("max_holds_ratio must be in (0, 1]")
    required = max(min_density, 1 - max_holds_ratio * (1 - float(flags.mean())))
    block_of = None if blocks is None else np.asarray(blocks).ravel()
    if block_of is not None and len(block_of) != len(x):
        raise ValueError(f"{len(block_of)} blocks for {len(x)} points")
    result = ScenarioDiscovery(
        statement,
        x,
        flags,
        labels=dict(labels or {}),
        min_density=required,
        min_coverage=min_coverage,
        blocks=block_of,
        min_blocks=min_blocks,
    )
    if not flags.any() or flags.all():
        return result
    result.boxes, result.trajectories = _prim_boxes(
        x,
        flags,
        max_boxes=max_boxes,
        min_density=required,
        min_coverage=min_coverage,
        max_restricted=max_restricted,
        mass_min=mass_min,
        peel_alpha=peel_alpha,
        paste_alpha=paste_alpha,
    )
    kept = [result.enough_blocks(box.contains(x)) for box in result.boxes]
    result.boxes = [box for box, ok in zip(result.boxes, kept, strict=True) if ok]
    result.trajectories = [t for t, ok in zip(result.trajectories, kept, strict=True) if ok]
    tree = _tree(x, flags, max_depth=tree_depth, mass_min=mass_min, seed=seed)
    result.tree, result.tree_features, result.leaves, result.leaf_of, result.leaf_paths = tree
    return result


def design_blocks(method: str, rows_per_unit: int, points: int) -> np.ndarray | None:
    """Per point, its design block for ``discover``: Sobol' (Saltelli) and Morris designs
    come in blocks of ``rows_per_unit`` consecutive rows (a base row with its one-at-a-time
    neighbours, a trajectory); other designs (``None``) have independent points."""
    if method not in ("sobol", "morris"):
        return None
    return np.arange(points) // max(rows_per_unit, 1)


ROUNDING = 1e-12
"""A difference this small against the larger of 1 and its operands' scale is a tie: two
means of the same replication values summed in another order (or paired differences
that cancel) differ from 0 in the last bits only."""


def within_rounding(difference: float | np.ndarray, scale: float) -> np.ndarray:
    """Whether ``difference`` is within :data:`ROUNDING` of 0 relative to the larger of 1
    and ``scale`` (the size of the values it was computed from)."""
    return np.abs(difference) <= ROUNDING * max(1.0, scale)


def without_rounding(difference: Sequence[float] | np.ndarray) -> np.ndarray:
    """``difference`` with the values :func:`within_rounding` of 0 (at the scale of the
    largest absolute value) set to 0."""
    d = np.asarray(difference, dtype=float).ravel()
    scale = float(np.abs(d).max()) if d.size else 1.0
    return np.where(within_rounding(d, scale), 0.0, d)


def sign_flip_cases(difference: Sequence[float] | np.ndarray) -> tuple[np.ndarray, int]:
    """The points where a difference does not have its usual sign.

    Returns ``(cases, sign)``: ``sign`` is +1 if at least as many points are positive as
    negative, else -1; ``cases`` flags the points whose difference is not strictly of that
    sign (a zero difference, or one that is zero but for rounding, counts as a failure of
    "beats").
    """
    d = np.asarray(difference, dtype=float).ravel()
    if not np.isfinite(d).all():
        raise ValueError("The difference has non-finite values")
    d = without_rounding(d)
    sign = 1 if (d > 0).sum() >= (d < 0).sum() else -1
    return (d * sign <= 0), sign


def discover_sign_flips(
    x: pd.DataFrame,
    differences: pd.DataFrame,
    statements: Mapping[str, tuple[str, str]] | None = None,
    **options: Any,
) -> dict[str, ScenarioDiscovery]:
    """:func:`discover` for every column of ``differences`` (e.g. one per contrast and
    outcome): where does the difference lose its usual sign?

    ``statements`` maps a column to the statement when the difference is usually positive
    and when it is usually negative (e.g. ``("the fund beats the subsidy on wellbeing",
    "the subsidy beats the fund on wellbeing")``); the default is ``"<column> > 0"`` /
    ``"<column> < 0"``. ``options`` go to :func:`discover`.
    """
    found = {}
    for column in differences.columns:
        cases, sign = sign_flip_cases(differences[column].to_numpy())
        positive, negative = (statements or {}).get(column, (f"{column} > 0", f"{column} < 0"))
        statement = positive if sign > 0 else negative
        found[str(column)] = discover(x, cases, statement, **options)
    return found
