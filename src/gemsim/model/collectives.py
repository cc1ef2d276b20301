"""Citizen collectives: columnar state, the Mesa agent that views it, and their rules.

A collective has a kind (one of ``COLLECTIVE_TYPES``), a home buurt, members (citizen
agents), volunteer hours, money (integer cents, mirrored by the ledger account
``held:collectives``), one project at a time that raises a buurt's infrastructure stock,
at most one pending application, and a reporting backlog. Life cycle: founded by an
initiator where need, motivation and social trust suffice (leaders are scarce: Ghorbani,
Nascimento & Filatova 2020); dissolves when it has had no members, or could not pay its
costs, for ``dissolution_grace_months``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, overload

import mesa
import numpy as np
import numpy.typing as npt

from gemsim.model.collective_types import COLLECTIVE_TYPES, SERVES

if TYPE_CHECKING:
    from gemsim.model.model import CommunityModel

NO_CHANNEL, MUNICIPAL, FUND = -1, 0, 1


class Column[T: np.generic]:
    """A typed column of :class:`CollectiveTable`: reading ``table.name`` gives the column's
    whole array (its capacity; ``table.view(name)`` gives the used rows). Columns are
    written element-wise (``table.money[rows] += ...``), never replaced."""

    def __init__(self, dtype: type[T], fill: bool | int | float) -> None:
        self.dtype = dtype
        self.fill = fill
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, table: None, owner: type) -> Column[T]: ...
    @overload
    def __get__(self, table: CollectiveTable, owner: type) -> npt.NDArray[T]: ...
    def __get__(self, table: CollectiveTable | None, owner: type) -> Column[T] | npt.NDArray[T]:
        if table is None:
            return self
        return table._columns[self.name]  # type: ignore[return-value]

    def __set__(self, table: CollectiveTable, value: object) -> None:
        raise AttributeError(f"column {self.name!r} is written element-wise, not replaced")

    def empty(self, capacity: int) -> npt.NDArray[T]:
        return np.full(capacity, self.fill, dtype=self.dtype)


class CollectiveTable:
    """Growable columns, one row per collective ever founded (``alive`` marks the living)."""

    alive = Column(np.bool_, False)
    kind = Column(np.int64, 0)
    neighbourhood = Column(np.int64, 0)
    municipality = Column(np.int64, 0)
    founded = Column(np.int64, 0)
    money = Column(np.int64, 0)  # cents
    project_category = Column(np.int64, -1)
    project_remaining = Column(np.float64, 0.0)  # euros still to spend on the current project
    members = Column(np.int64, 0)
    hours = Column(np.float64, 0.0)  # real volunteer hours this month
    mean_member_ses = Column(np.float64, 0.0)
    quality = Column(np.float64, 0.0)  # application quality 0-1
    app_channel = Column(np.int64, NO_CHANNEL)
    app_amount = Column(np.int64, 0)  # cents requested
    app_submitted = Column(np.int64, 0)
    app_due = Column(np.int64, 0)
    fund_tranche = Column(np.int64, 0)  # cents per month
    fund_months_left = Column(np.int64, 0)
    last_decision = Column(np.int64, -10_000)  # month of the last decision on an application
    fund_rejected = Column(np.int64, -10_000)  # month of the last rejection by the fund
    reporting_backlog = Column(np.float64, 0.0)  # hours
    controlling = Column(np.float64, 0.0)  # share of board time taken by reporting, 0-1
    months_without_members = Column(np.int64, 0)
    months_short = Column(np.int64, 0)
    stock_made = Column(np.float64, 0.0)  # cumulative stock added to its buurt
    # This month's decision against expectation e: approval 1 - e, refusal -e, and
    # -waiting_penalty per month overdue (municipal only).
    experience_local = Column(np.float64, 0.0)
    experience_fund = Column(np.float64, 0.0)
    grants_eur = Column(np.float64, 0.0)

    def __init__(self, capacity: int = 64) -> None:
        self.size = 0
        self._columns = {column.name: column.empty(capacity) for column in COLUMNS}

    def __len__(self) -> int:
        return self.size

    def _grow(self) -> None:
        capacity = max(2 * self.alive.size, 16)
        grown = {column.name: column.empty(capacity) for column in COLUMNS}
        for name, values in self._columns.items():
            grown[name][: values.size] = values
        self._columns = grown

    def add(self, kind: int, neighbourhood: int, municipality: int, month: int) -> int:
        """Append a new living collective and return its row."""
        if self.size == self.alive.size:
            self._grow()
        row = self.size
        self.size += 1
        self.alive[row] = True
        self.kind[row] = kind
        self.neighbourhood[row] = neighbourhood
        self.municipality[row] = municipality
        self.founded[row] = month
        return row

    def view(self, name: str) -> np.ndarray:
        """The used part of column ``name``."""
        return self._columns[name][: self.size]

    def living(self) -> npt.NDArray[np.intp]:
        return np.flatnonzero(self.alive[: self.size])


COLUMNS: tuple[Column[Any], ...] = tuple(
    value for value in vars(CollectiveTable).values() if isinstance(value, Column)
)


class Collective(mesa.Agent):
    """A citizen collective, as a Mesa agent whose state lives in a ``CollectiveTable``."""

    def __init__(self, model: CommunityModel, row: int) -> None:
        super().__init__(model)
        self.row = row

    def _get(self, name: str) -> Any:
        return self.model.collectives.view(name)[self.row]

    @property
    def kind(self) -> str:
        return COLLECTIVE_TYPES[int(self._get("kind"))].name

    @property
    def neighbourhood(self) -> int:
        return int(self._get("neighbourhood"))

    @property
    def members(self) -> int:
        return int(self._get("members"))

    @property
    def money_eur(self) -> float:
        return int(self._get("money")) / 100

    @property
    def volunteer_hours(self) -> float:
        return float(self._get("hours"))

    def __repr__(self) -> str:
        return (
            f"Collective({self.unique_id}, {self.kind}, buurt {self.neighbourhood}, "
            f"{self.members} members, EUR {self.money_eur:,.2f})"
        )


# --- Rules --------------------------------------------------------------------------------


def type_column(attribute: str) -> np.ndarray:
    """One attribute of every collective type, indexable by the ``kind`` column."""
    return np.array([getattr(kind, attribute) for kind in COLLECTIVE_TYPES], dtype=np.float64)


SERVES_ARRAY = np.array(SERVES, dtype=bool)


FULL_PROVISION = 0.95  # stock at which a category needs no further project


def choose_projects(kind: np.ndarray, stock_rows: np.ndarray) -> np.ndarray:
    """Each collective works on the category it serves that is furthest below full
    provision; -1 where every category it serves is already at ``FULL_PROVISION``."""
    gap = np.where(SERVES_ARRAY[kind], 1.0 - stock_rows, -np.inf)
    best = np.argmax(gap, axis=1)
    worth_it = gap[np.arange(kind.size), best] > 1.0 - FULL_PROVISION
    return np.where(worth_it, best, -1)


def absorption_capacity(hours: np.ndarray, eur_per_hour: float) -> np.ndarray:
    """Euros a collective can put to work this month with its volunteer hours."""
    return hours * eur_per_hour


def application_quality(mean_member_ses: np.ndarray, support: np.ndarray) -> np.ndarray:
    """Quality of an application (0-1): better-resourced members write better applications
    (Matthew effect); movement support helps."""
    return np.clip(1.0 / (1.0 + np.exp(-mean_member_ses)) + support, 0.0, 1.0)


def approval_probability(quality: np.ndarray, base: float, bias: float) -> np.ndarray:
    """Chance of approval: ``base`` at average quality, ``bias`` per unit of quality."""
    return np.clip(base + bias * (quality - 0.5), 0.0, 1.0)


def work_off_reporting(backlog: np.ndarray, board_hours: float) -> tuple[np.ndarray, np.ndarray]:
    """The board works off reporting hours; returns new backlog and the controlling
    share (reporting hours done / board hours, 0-1)."""
    done = np.minimum(backlog, board_hours)
    return backlog - done, done / board_hours
