"""Citizen collectives: columnar state, their money, life cycle and monthly rules.

A collective has a kind (one of ``COLLECTIVE_TYPES``), a home buurt, members (citizen
agents), volunteer hours, money (integer cents, mirrored by the ledger account
``held:collectives``), one project at a time that raises a buurt's infrastructure stock,
at most one pending application, and a reporting backlog. Life cycle: founded by Bass
diffusion per type among initiators with the means (leaders are scarce: Ghorbani,
Nascimento & Filatova 2020); dissolves when it has had no members, or could not pay its
costs, for ``dissolution_grace_months``, or with the yearly ``dissolution_rate_per_year``.

The model's schedule calls the functions here that take the model: money in and out of
collectives, the life cycle (founding, dissolution, membership) and the month's
operating, applying and projects. The other rules are pure functions of arrays.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, overload

import numpy as np
import numpy.typing as npt

from gemsim.model.agents import Collective
from gemsim.model.arrays import FloatArray, exp, summed_rows
from gemsim.model.citizens import ACTIVE, INITIATOR, NO_COLLECTIVE, OCCASIONAL
from gemsim.model.collective_types import COLLECTIVE_TYPES, SERVES
from gemsim.model.infrastructure import cost_to_raise
from gemsim.model.ledger import to_cents

if TYPE_CHECKING:
    from gemsim.model.model import CommunityModel

NO_CHANNEL, MUNICIPAL, FUND = -1, 0, 1
COLLECTIVES_ACCOUNT = "held:collectives"


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
        return table._columns[self.name]

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
    grant_until = Column(np.int64, -10_000)  # month until which its latest grant runs
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
        return self.alive[: self.size].nonzero()[0]


COLUMNS: tuple[Column[Any], ...] = tuple(
    value for value in vars(CollectiveTable).values() if isinstance(value, Column)
)


# --- Rules --------------------------------------------------------------------------------


def type_column(attribute: str) -> np.ndarray:
    """One attribute of every collective type, indexable by the ``kind`` column."""
    return np.array([getattr(kind, attribute) for kind in COLLECTIVE_TYPES], dtype=np.float64)


MONTHLY_COST = type_column("monthly_cost_eur")
OWN_INCOME = type_column("own_income_eur")
HOURS_NEEDED = type_column("hours_needed")
PROJECT_SIZE = type_column("project_size_eur")
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


def project_money_eur(
    money_cents: np.ndarray, kind: np.ndarray, reserve_months: float
) -> FloatArray:
    """Euros a collective can put into its project: what it holds above its operating
    reserve (``reserve_months`` of its monthly costs)."""
    free: FloatArray = np.maximum(money_cents / 100 - reserve_months * MONTHLY_COST[kind], 0.0)
    return free


def matchable_grant(money_eur: FloatArray, own_share: FloatArray) -> FloatArray:
    """The largest grant an applicant can match with the money it holds: an own
    contribution of ``own_share`` of the grant; no limit where none is asked."""
    with np.errstate(divide="ignore"):
        return np.where(own_share > 0, money_eur / np.maximum(own_share, 1e-300), np.inf)


def application_quality(mean_member_ses: FloatArray, support: FloatArray) -> FloatArray:
    """Quality of an application (0-1): better-resourced members write better applications
    (Matthew effect); movement support helps."""
    return np.clip(1.0 / (1.0 + exp(-mean_member_ses)) + support, 0.0, 1.0)


def approval_probability(quality: np.ndarray, base: float, bias: float) -> np.ndarray:
    """Chance of approval: ``base`` at average quality, ``bias`` per unit of quality."""
    return np.clip(base + bias * (quality - 0.5), 0.0, 1.0)


def work_off_reporting(backlog: np.ndarray, board_hours: float) -> tuple[np.ndarray, np.ndarray]:
    """The board works off reporting hours; returns new backlog and the controlling
    share (reporting hours done / board hours, 0-1)."""
    done = np.minimum(backlog, board_hours)
    return backlog - done, done / board_hours


def rank_within_groups(groups: np.ndarray, *keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Order rows by group then ``keys`` (last key most significant after the group);
    return the order and each ordered row's rank within its group."""
    order = np.lexsort((*keys[::-1], groups)) if keys else np.argsort(groups, kind="stable")
    ordered = groups[order]
    position = np.arange(ordered.size)
    starts_group = np.ones(ordered.size, dtype=bool)
    np.not_equal(ordered[1:], ordered[:-1], out=starts_group[1:])
    first = np.maximum.accumulate(np.where(starts_group, position, 0))
    return order, position - first


# --- Money ---------------------------------------------------------------------------------


def credit(model: CommunityModel, rows: np.ndarray, cents: np.ndarray, source: str) -> None:
    """Money from ledger account ``source`` into collectives' ``money`` (rows may repeat);
    the column and the ledger account ``held:collectives`` move together."""
    np.add.at(model.collectives.money, rows, cents)
    model.ledger.transfer(source, COLLECTIVES_ACCOUNT, int(cents.sum()))


def debit(model: CommunityModel, rows: np.ndarray, cents: np.ndarray, destination: str) -> None:
    """Money out of collectives' ``money`` to ledger account ``destination``."""
    np.subtract.at(model.collectives.money, rows, cents)
    model.ledger.transfer(COLLECTIVES_ACCOUNT, destination, int(cents.sum()))


def receive_grants(
    model: CommunityModel,
    rows: np.ndarray,
    cents: np.ndarray,
    account: str,
    channel: str,
    compliance: float,
) -> None:
    """Grants from ``account`` to collectives, who lose ``compliance`` of each to the
    cost of applying and accounting."""
    credit(model, rows, cents, account)
    model.counts[f"granted_cents_{channel}"] += int(cents.sum())
    model.collectives.grants_eur[rows] += cents / 100
    debit(model, rows, np.floor(cents * compliance).astype(np.int64), f"applicant_cost:{channel}")


def reporting_hours(model: CommunityModel, hours: float, rows: np.ndarray) -> np.ndarray:
    """Reporting hours a grant costs, scaled by the burden multiplier and lowered by
    movement support."""
    relief = model.movement_support.fraction(model.collectives.neighbourhood[rows], model.params)
    if relief.any():
        relief = model.params.support_reporting_relief * relief
    return hours * model.params.reporting_burden_multiplier * (1 - relief)


# --- Life cycle: founding, dissolution, membership -----------------------------------------


def found_initial_collectives(model: CommunityModel) -> None:
    """Initial collectives per type from national counts scaled to the region (stochastic
    rounding), placed where capable initiators live (Matthew effect, Ghorbani et al.)."""
    region, citizens = model.region, model.citizens
    leaders = (
        np.bincount(
            region.citizen_neighbourhood,
            weights=citizens.capable_initiator * region.citizen_weight,
            minlength=region.n_neighbourhoods,
        )
        + 1e-3 * region.neighbourhood_population
    )
    weights = leaders / leaders.sum()
    for kind_index, kind in enumerate(COLLECTIVE_TYPES):
        expected = getattr(model.params, kind.count_parameter) * model.population_share
        count = int(expected) + int(model.rng.random() < expected % 1.0)
        buurten = model.rng.choice(region.n_neighbourhoods, size=count, p=weights)
        for buurt in buurten:
            row = add_collective(model, kind_index, int(buurt), founder=None)
            reserve = model.params.operating_reserve_months * kind.monthly_cost_eur
            money = to_cents(reserve * model.rng.uniform(0.5, 1.5))
            credit(model, np.array([row]), np.array([money]), "source:initial_holdings")


def add_collective(model: CommunityModel, kind: int, buurt: int, founder: int | None) -> int:
    """Register a collective (table row and Mesa agent), led by ``founder`` or by a
    resident chosen by :func:`pick_leader`."""
    municipality = int(model.region.neighbourhood_municipality[buurt])
    row = model.collectives.add(kind, buurt, municipality, model.current_month)
    Collective(model, row)
    if founder is None:
        founder = pick_leader(model, buurt)
    if model.citizens.state[founder] != INITIATOR:  # one who already leads stays put
        model.citizens.state[founder] = INITIATOR
        model.citizens.collective[founder] = row
    return row


def pick_leader(model: CommunityModel, buurt: int) -> int:
    """A leader for an initial collective, preferring residents who already take part, so
    that appointing leaders changes the observed participation as little as possible:
    capable participants, then active and occasional volunteers, then a capable agent who
    already leads (an agent stands for many inhabitants), then any resident who does not
    lead yet, then anyone."""
    citizens, region = model.citizens, model.region
    start = region.citizen_start[buurt]
    residents = np.arange(start, start + region.citizen_count[buurt])
    state = citizens.state[residents]
    capable = citizens.capable_initiator[residents]
    for pool in (
        residents[capable & (state >= OCCASIONAL) & (state < INITIATOR)],
        residents[state == ACTIVE],
        residents[state == OCCASIONAL],
        residents[capable & (state == INITIATOR)],
        residents[state < INITIATOR],
        residents,
    ):
        if pool.size:
            return int(model.rng.choice(pool))
    raise AssertionError("a buurt has at least one citizen")


def bass_foundings(potential: FloatArray, count: FloatArray, p: float, q: float) -> FloatArray:
    """Expected foundings in one month per type (Bass 1969): each of the ``potential -
    count`` founding groups not yet founded founds with the yearly hazard ``p + q *
    count / potential``; none once the count reaches the potential."""
    potential = np.asarray(potential, dtype=np.float64)
    count = np.asarray(count, dtype=np.float64)
    share = np.divide(count, potential, out=np.ones_like(potential), where=potential > 0)
    remaining = np.maximum(potential - count, 0.0)
    return (p + q * np.minimum(share, 1.0)) * remaining / 12.0


def founders_means(
    ses: FloatArray, means_eur: float, boost: float, support: FloatArray
) -> FloatArray:
    """Start-up means a founding group can raise: ``means_eur`` at average SES, scaled by
    exp(SES), raised by movement support (the same rule in every regime)."""
    return means_eur * exp(ses) * (1.0 + boost * support)


def startup_money(contribution_months: float) -> FloatArray:
    """Start-up money each type needs: ``contribution_months`` of its running cost."""
    return contribution_months * MONTHLY_COST


def monthly_chance(rate_per_year: float) -> float:
    """Monthly chance of an event with the given yearly hazard."""
    return 1.0 - math.exp(-rate_per_year / 12.0)


@dataclass
class FoundingPool:
    """This month's candidate founders and what they can found (section 7.19)."""

    candidates: npt.NDArray[np.intp]  # citizen indices
    home: npt.NDArray[np.integer[Any]]  # each candidate's buurt
    able: np.ndarray  # candidate x type: the means cover the type's start-up money
    weight: FloatArray  # inhabitants each candidate stands for
    potential: FloatArray  # per type: M_t in the region

    def expected(self, model: CommunityModel) -> FloatArray:
        """Expected foundings this month per type (:func:`bass_foundings`)."""
        table = model.collectives
        counts = np.bincount(table.kind[table.living()], minlength=len(COLLECTIVE_TYPES))
        return bass_foundings(
            self.potential,
            counts.astype(np.float64),
            model.params.founding_innovation_rate,
            model.params.founding_imitation_rate,
        )


def founding_pool(model: CommunityModel) -> FoundingPool | None:
    """The candidate founders (capable initiators who participate, trust others and are
    motivated), their means against each type's start-up money, and each type's potential
    in the region: its national potential times the region's share of the population times
    the share of candidate inhabitants whose means cover its start-up money. ``None`` when
    there is no candidate. Reads the model's state, changes nothing."""
    params, c = model.params, model.citizens
    candidates = np.flatnonzero(
        c.capable_initiator
        & (c.state >= OCCASIONAL)
        & (c.state < INITIATOR)
        & (c.social_trust >= 0.5)
        & (c.motivation > 0)
    )
    if candidates.size == 0:
        return None
    home = c.neighbourhood[candidates]
    support = model.movement_support.fraction(home, params)
    means = founders_means(
        c.ses[candidates], params.founding_means_eur, params.movement_founding_boost, support
    )
    needed = startup_money(params.founding_contribution_months)
    able = means[:, None] >= needed[None, :]  # candidate x type
    weight = c.weight[candidates]
    able_share = summed_rows(weight, able) / weight.sum()
    potential = (
        np.array([getattr(params, kind.potential_parameter) for kind in COLLECTIVE_TYPES])
        * model.population_share
        * able_share
    )
    return FoundingPool(candidates, home, able, weight, potential)


def found_collectives(model: CommunityModel) -> None:
    """Bass diffusion per type (Bass 1969) among founders who have the means.

    The month's foundings are Poisson with the Bass expectation over the
    :func:`founding_pool`'s potential (:func:`bass_foundings`); each is led by a candidate
    with the means, drawn in proportion to the inhabitants the agent stands for, who brings
    the start-up money."""
    founders = founding_pool(model)
    if founders is None:
        return
    candidates, home, able, weight = (
        founders.candidates,
        founders.home,
        founders.able,
        founders.weight,
    )
    needed = startup_money(model.params.founding_contribution_months)
    foundings = model.rng.poisson(founders.expected(model))
    used = np.zeros(candidates.size, dtype=bool)
    for kind in np.flatnonzero(foundings):
        for _ in range(int(foundings[kind])):
            pool = np.flatnonzero(able[:, kind] & ~used)
            if pool.size == 0:
                break
            pick = int(model.rng.choice(pool, p=weight[pool] / weight[pool].sum()))
            used[pick] = True
            founder = int(candidates[pick])
            row = add_collective(model, int(kind), int(home[pick]), founder=founder)
            cents = np.array([to_cents(float(needed[kind]))])
            credit(model, np.array([row]), cents, "source:founders")
            model.counts["founded"] += 1


def dissolve_collectives(model: CommunityModel) -> None:
    """Collectives without members, or unable to pay their costs, for the grace period
    dissolve, and any collective stops with the chance ``dissolution_rate_per_year``; what
    money they hold leaves the system as unspent, fund commitments lapse."""
    params, table = model.params, model.collectives
    rows = table.living()
    chance = monthly_chance(params.dissolution_rate_per_year)
    ending = rows[
        (table.months_without_members[rows] >= params.dissolution_grace_months)
        | (table.months_short[rows] >= params.dissolution_grace_months)
        | (model.rng.random(rows.size) < chance)
    ]
    if ending.size == 0:
        return
    debit(model, ending, table.money[ending].copy(), "unspent:dissolved")
    model.fund.release(int((table.fund_tranche[ending] * table.fund_months_left[ending]).sum()))
    table.fund_months_left[ending] = 0
    table.app_channel[ending] = NO_CHANNEL
    table.alive[ending] = False
    for agent in list(model.agents_by_type[Collective]):
        if isinstance(agent, Collective) and not table.alive[agent.row]:
            agent.remove()
    model.counts["dissolved"] += ending.size


def update_membership(model: CommunityModel) -> None:
    """Active citizens join a living collective of their buurt (through the share of the
    inhabitants they stand for who volunteer locally); citizens who are no longer active,
    or whose collective dissolved, leave."""
    c, table = model.citizens, model.collectives
    member = c.collective >= 0
    gone = member & ~table.alive[np.maximum(c.collective, 0)]
    leaves = member & ((c.state < ACTIVE) | gone)
    c.collective[leaves] = NO_COLLECTIVE
    c.state[gone & (c.state == INITIATOR)] = ACTIVE

    rows = table.living()
    seekers = np.flatnonzero((c.collective < 0) & (c.state >= ACTIVE))
    if rows.size == 0 or seekers.size == 0:
        return
    # Collectives recruit where hands are needed: a buurt's newcomers are dealt out in
    # turn, starting with its collective that has the fewest members.
    buurt_of_row = table.neighbourhood[rows]
    order = np.lexsort((table.members[rows], buurt_of_row))
    per_buurt = np.bincount(buurt_of_row, minlength=model.region.n_neighbourhoods)
    first = np.concatenate(([0], np.cumsum(per_buurt)[:-1]))
    seekers = seekers[model.rng.permutation(seekers.size)]
    home = c.neighbourhood[seekers]
    seekers, home = seekers[per_buurt[home] > 0], home[per_buurt[home] > 0]
    by_buurt = np.argsort(home, kind="stable")
    seekers, home = seekers[by_buurt], home[by_buurt]
    _, turn = rank_within_groups(home)
    c.collective[seekers] = rows[order[first[home] + turn % per_buurt[home]]]


def count_members(model: CommunityModel, citizen_hours: np.ndarray) -> None:
    """Members, real volunteer hours and mean member SES of every collective, given each
    citizen agent's volunteer hours per inhabitant."""
    table, c = model.collectives, model.citizens
    size = table.alive.size
    members = np.flatnonzero(c.collective >= 0)
    index = c.collective[members]
    table.members[:] = np.bincount(index, minlength=size)
    table.hours[:] = np.bincount(
        index,
        weights=citizen_hours[members] * member_weight(model, members),
        minlength=size,
    )
    ses_sum = np.bincount(index, weights=c.ses[members], minlength=size)
    table.mean_member_ses[:] = np.divide(
        ses_sum, table.members, out=np.zeros(size), where=table.members > 0
    )


def member_weight(model: CommunityModel, agents: np.ndarray | None = None) -> np.ndarray:
    """Inhabitants of each agent (of ``agents``, indices, if given) who volunteer in its
    collective: an agent stands for ``weight`` inhabitants, of whom
    ``collective_volunteering_share`` volunteer in a local collective when active (the
    others in clubs, schools, churches)."""
    weight = model.citizens.weight if agents is None else model.citizens.weight[agents]
    share: np.ndarray = weight * model.params.collective_volunteering_share
    return share


# --- The month: operating, applying, projects ----------------------------------------------


def operate_collectives(model: CommunityModel) -> None:
    """Earned income (in proportion to staffing) and operating costs; a collective that
    cannot pay its costs in full is short this month."""
    table = model.collectives
    rows = table.living()
    kind = table.kind[rows]
    staffing = np.minimum(table.hours[rows] / HOURS_NEEDED[kind], 1.0)
    credit(model, rows, to_cents(OWN_INCOME[kind] * staffing), "source:own_income")
    cost = to_cents(MONTHLY_COST[kind])
    paid = np.minimum(cost, table.money[rows])
    debit(model, rows, paid, "spent:operations")
    short = paid < cost
    table.months_short[rows] = np.where(short, table.months_short[rows] + 1, 0)
    table.months_without_members[rows] = np.where(
        table.members[rows] == 0, table.months_without_members[rows] + 1, 0
    )
    start_projects(model, rows)


def start_projects(model: CommunityModel, rows: np.ndarray) -> None:
    """Collectives of ``rows`` without a project choose one (:func:`choose_projects`):
    its size is the type's project or the cost of raising the category to full provision,
    whichever is less."""
    table = model.collectives
    idle = rows[table.project_category[rows] < 0]
    if idle.size:
        stock_rows = model.stock[table.neighbourhood[idle]]
        category = choose_projects(table.kind[idle], stock_rows)
        has = category >= 0
        chosen, category = idle[has], category[has]
        to_full = 1.0 - model.stock[table.neighbourhood[chosen], category]
        cost_to_full = cost_to_raise(
            to_full,
            model.region.neighbourhood_population[table.neighbourhood[chosen]],
            model.params.infrastructure_cost_eur_per_inhabitant,
            model.params.project_effectiveness,
        )
        table.project_category[chosen] = category
        table.project_remaining[chosen] = np.minimum(PROJECT_SIZE[table.kind[chosen]], cost_to_full)


def update_quality(model: CommunityModel, rows: np.ndarray) -> None:
    """This month's :func:`application_quality` of collectives ``rows``, with the movement
    support in their buurt."""
    params, table = model.params, model.collectives
    support = model.movement_support.fraction(table.neighbourhood[rows], params)
    if support.any():
        support = params.movement_support_effect * support
    table.quality[rows] = application_quality(table.mean_member_ses[rows], support)


def apply_for_funding(model: CommunityModel) -> None:
    """Collectives whose money covers fewer than ``project_reserve_months`` of work and
    costs apply, if they have members, no pending application and waited after their
    last decision; municipal applications need an own contribution."""
    params, table = model.params, model.collectives
    rows = table.living()
    kind = table.kind[rows]
    update_quality(model, rows)

    capacity = absorption_capacity(table.hours[rows], params.eur_per_volunteer_hour_capacity)
    deficit = np.maximum(MONTHLY_COST[kind] - OWN_INCOME[kind], 0.0)
    monthly_need = deficit + np.minimum(table.project_remaining[rows], capacity)
    reserve = params.project_reserve_months * monthly_need
    money_eur = table.money[rows] / 100
    # Only money above the operating reserve can go into the project (as in run_projects).
    free_eur = project_money_eur(table.money[rows], kind, params.operating_reserve_months)
    wants = (
        (free_eur < reserve)
        & (table.members[rows] > 0)
        & (table.app_channel[rows] == NO_CHANNEL)
        & (model.current_month - table.last_decision[rows] >= params.reapply_months)
    )
    applicants = rows[wants]
    if applicants.size == 0:
        return
    need_eur = (
        table.project_remaining[applicants]
        + params.project_reserve_months * deficit[wants]
        - free_eur[wants]
    )
    channel = model.regime.route(model, applicants)
    # A regime without a fund routes every application to the municipality: the fund's
    # terms are not read (nor, so, before month 0; month_zero.AFTER_MONTH_0).
    has_fund = model.regime.has_fund
    cap = np.where(
        channel == MUNICIPAL,
        params.municipal_grant_cap_eur,
        params.fund_grant_cap_eur_per_year * params.fund_grant_years if has_fund else 0.0,
    )
    # Concurrent funding, the same rule for every channel and regime: while a grant runs,
    # a collective may ask at most this share of the usual cap (0: not at all).
    running = table.grant_until[applicants] > model.current_month
    cap = np.where(running, params.concurrent_funding_share * cap, cap)
    wanted = np.minimum(np.maximum(need_eur, 0.0), cap)
    own_share = np.where(
        channel == MUNICIPAL,
        params.municipal_own_contribution_share,
        params.fund_own_contribution_share if has_fund else 0.0,
    )
    amount = to_cents(np.minimum(wanted, matchable_grant(money_eur[wants], own_share)))
    able = amount >= to_cents(params.minimum_application_eur)
    model.counts["discouraged"] += int((~able & (wanted > 0)).sum())
    applicants, channel, amount = applicants[able], channel[able], amount[able]
    table.app_channel[applicants] = channel
    table.app_amount[applicants] = amount
    table.app_submitted[applicants] = model.current_month
    table.app_due[applicants] = model.current_month + model.regime.decision_months(model, channel)
    model.counts["applications"] += applicants.size


def working(model: CommunityModel) -> npt.NDArray[np.intp]:
    """The living collectives that have a project."""
    table = model.collectives
    rows = table.living()
    working_rows: npt.NDArray[np.intp] = rows[table.project_category[rows] >= 0]
    return working_rows


def run_projects(model: CommunityModel) -> np.ndarray:
    """Collectives put money to work on their project, as far as volunteer hours allow;
    the stock they add is community-made (a source of ownership)."""
    params, table = model.params, model.collectives
    rows = working(model)
    gain = np.zeros_like(model.stock)
    if rows.size == 0:
        return gain
    capacity = absorption_capacity(table.hours[rows], params.eur_per_volunteer_hour_capacity)
    free_eur = project_money_eur(
        table.money[rows], table.kind[rows], params.operating_reserve_months
    )
    spend = np.minimum(np.minimum(capacity, table.project_remaining[rows]), free_eur)
    cents = np.floor(spend * 100).astype(np.int64)
    debit(model, rows, cents, "spent:projects")
    buurt, category = table.neighbourhood[rows], table.project_category[rows]
    added = (
        params.project_effectiveness
        * cents
        / 100
        / (
            params.infrastructure_cost_eur_per_inhabitant
            * model.region.neighbourhood_population[buurt]
        )
    )
    np.add.at(gain, (buurt, category), added)
    model.add_stock(gain, owned_weight=1.0)
    table.stock_made[rows] += added
    table.project_remaining[rows] -= cents / 100
    # A remainder too small to apply for, which the collective's own money above its
    # reserve no longer covers, would stall the project for ever: it ends.
    left_free = free_eur - cents / 100
    too_small = (table.project_remaining[rows] < params.minimum_application_eur) & (
        left_free < table.project_remaining[rows]
    )
    done = (
        (table.project_remaining[rows] <= 0.01)
        | too_small
        | (model.stock[buurt, category] >= FULL_PROVISION)
    )
    table.project_category[rows[done]] = -1
    table.project_remaining[rows[done]] = 0.0
    return gain
