"""CommunityModel: citizens, collectives and municipalities under a funding regime.

One step is one month. The schedule of a month (docs/ODD.md, "Process overview"):

1. money arrives: each January municipal budgets and the regime's extra money; every
   month the investment streams that are switched on;
2. infrastructure depreciates;
3. collectives count members and hours, earn income, pay costs, choose projects;
4. collectives that run short apply; the regime decides due applications; fund tranches
   are paid;
5. collectives spend on projects, raising their buurt's stock; boards work off reporting;
6. citizens experience what happened (decisions, improvements, co-decision), update
   efficacy, trust, motivation, participation and wellbeing;
7. initiators found collectives; collectives without members or money dissolve; active
   citizens join collectives and inactive ones leave;
8. the Social Handprint is valued, the ledger is checked, and data are collected.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

import mesa
import numpy as np
import pandas as pd
from mesa.agent import AgentSet
from mesa.experimental.scenarios import Scenario

from gemsim.model import citizens as rules
from gemsim.model.citizens import ACTIVE, INITIATOR, NO_COLLECTIVE, OCCASIONAL, Citizens
from gemsim.model.collective_types import COLLECTIVE_TYPES, TYPE_NAMES
from gemsim.model.collectives import (
    FULL_PROVISION,
    NO_CHANNEL,
    Collective,
    CollectiveTable,
    absorption_capacity,
    application_quality,
    choose_projects,
    type_column,
    work_off_reporting,
)
from gemsim.model.fund import FUND_ACCOUNT, pay_fund_tranches
from gemsim.model.handprint import handprint_by_sdg
from gemsim.model.infrastructure import CATEGORIES, cost_to_raise, deficits, depreciate, in_order
from gemsim.model.ledger import Ledger, to_cents
from gemsim.model.municipality import BUDGET_ACCOUNT, Municipality, rank_within_groups
from gemsim.model.parameters import Parameters
from gemsim.model.regimes import make_regime
from gemsim.model.streams import (
    movement_infrastructure_month,
    social_infrastructure_month,
    support_fraction,
)
from gemsim.model.world import build_region

COLLECTIVES_ACCOUNT = "held:collectives"
MONTHLY_COST = type_column("monthly_cost_eur")
OWN_INCOME = type_column("own_income_eur")
HOURS_NEEDED = type_column("hours_needed")
PROJECT_SIZE = type_column("project_size_eur")

MODEL_REPORTERS = (
    "trust_government",
    "trust_national",
    "social_trust",
    "participation",
    "active_share",
    "volunteer_hours",
    "wellbeing",
    "satisfied_share",
    "neighbourhoods_in_order",
    "collectives",
    "funds_disbursed_eur",
    "overhead_eur",
    "applicant_cost_eur",
    "handprint_eur",
    "handprint_cumulative_eur",
    "trust_gap_ses",
    "participation_gap_ses",
    "wellbeing_gap_ses",
    "mean_infrastructure",
)

# Cumulative money flows (euros) for the per-channel accounts in reports.
MONEY_REPORTERS: dict[str, tuple[str, ...]] = {
    "money_in_eur": ("source",),
    "grants_municipal_eur": ("granted:municipal",),
    "grants_fund_eur": ("granted:fund",),
    "social_infrastructure_eur": ("spent:social_infrastructure",),
    "movement_support_eur": ("spent:movement_support",),
    "spent_projects_eur": ("spent:projects",),
    "overhead_channel_layer_eur": ("overhead:channel_layer",),
    "overhead_handling_eur": ("overhead:municipal_handling", "overhead:fund_handling"),
    "overhead_social_infrastructure_eur": ("overhead:social_infrastructure",),
    "unspent_eur": ("unspent",),
    "held_eur": ("held",),
}


def _parameter_values(
    scenario: Parameters | Scenario | Mapping[str, Any] | None,
    rng: int | np.random.Generator | None,
) -> tuple[dict[str, Any], int | np.random.Generator | None]:
    """Parameter values and seed from any accepted form of ``scenario``.

    Mesa's tools (SolaraViz's Reset, Mesa >= 3.5) pass a Mesa ``Scenario``: its
    attributes other than ``rng`` are parameter values, and its ``rng`` seeds the model
    when no ``rng`` is given.
    """
    if isinstance(scenario, Parameters):
        return scenario.model_dump(), rng
    if isinstance(scenario, Scenario):
        values = {
            key: value
            for key, value in scenario.to_dict().items()
            if key not in ("rng", "model", "_scenario_id")
        }
        return values, scenario.rng if rng is None else rng
    return dict(scenario or {}), rng


class CommunityModel(mesa.Model):
    """Community investment in a region of Dutch municipalities and neighbourhoods.

    Implements the model described in ``docs/ODD.md``: Granovetter (1978) participation
    thresholds, motivation crowding (Frey & Jegen 2001), asymmetric trust (Slovic 1993),
    volunteering and life satisfaction (Meier & Stutzer 2008), scarce initiators (Ghorbani
    et al. 2020), under the funding regimes of the Groeiplan Versterking Gemeenschapskracht.

    Args:
        scenario: a mapping of parameter values, a :class:`Parameters` (e.g. from
            :func:`gemsim.load_scenario`) or a Mesa ``Scenario`` whose attributes are
            parameter values (its ``rng`` seeds the model unless ``rng`` is given);
            ``None`` for the defaults.
        rng: seed or generator; one seed gives bit-identical results.
        **overrides: flat parameter values that override the scenario.
    """

    def __init__(
        self,
        scenario: Parameters | Scenario | Mapping[str, Any] | None = None,
        *,
        rng: int | np.random.Generator | None = None,
        **overrides: Any,
    ) -> None:
        base, rng = _parameter_values(scenario, rng)
        super().__init__(rng=rng)
        self.params = Parameters.build(base, **overrides)
        self.regime = make_regime(self.params.regime)
        self.month = 0

        self.region = build_region(self.params, self.rng)
        self.population_share = self.region.population / self.params.national_population
        self.stock = self.region.initial_stock.copy()
        self.community_stock = np.zeros_like(self.stock)  # added by collectives and streams
        self.owned_stock = np.zeros_like(self.stock)  # added by residents themselves
        self.support_eur_per_inhabitant = np.zeros(self.region.n_neighbourhoods)
        self.efficacy = np.zeros(self.region.n_neighbourhoods)
        # What citizens expect of a decision on an application, formed under today's desk.
        self.expected_approval = rules.balanced_expectation(
            self.params.municipal_approval_base, self.params.trust_asymmetry
        )
        self.decision_memory = np.zeros(self.region.n_neighbourhoods)
        self.citizens: Citizens = rules.initial_citizens(self.params, self.region, self.rng)

        self.ledger = Ledger()
        self.municipal_budget = np.zeros(self.region.n_municipalities, dtype=np.int64)
        self.fund_committed = 0
        self.collectives = CollectiveTable()
        self.counts: Counter[str] = Counter()
        self.handprint_sdg = np.zeros(17)
        self.handprint_cumulative = 0.0
        self._collective_agents: dict[int, Collective] = {}

        self.municipalities = [
            Municipality(self, row) for row in range(self.region.n_municipalities)
        ]
        self._found_initial_collectives()
        self._update_membership()
        self._citizen_hours = self._hours()
        self._count_members()

        self.datacollector = mesa.DataCollector(model_reporters=self._reporters())
        self.running = True
        self.datacollector.collect(self)

    # --- Set-up ---------------------------------------------------------------------------

    def _found_initial_collectives(self) -> None:
        """Initial collectives per type from national counts scaled to the region (stochastic
        rounding), placed where capable initiators live (Matthew effect, Ghorbani et al.)."""
        region, citizens = self.region, self.citizens
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
            expected = getattr(self.params, kind.count_parameter) * self.population_share
            count = int(expected) + int(self.rng.random() < expected % 1.0)
            buurten = self.rng.choice(region.n_neighbourhoods, size=count, p=weights)
            for buurt in buurten:
                row = self._add_collective(kind_index, int(buurt), founder=None)
                reserve = self.params.operating_reserve_months * kind.monthly_cost_eur
                money = to_cents(reserve * self.rng.uniform(0.5, 1.5))
                self._credit_collectives(
                    np.array([row]), np.array([money]), "source:initial_holdings"
                )

    def _add_collective(self, kind: int, buurt: int, founder: int | None) -> int:
        """Register a collective (table row and Mesa agent), led by ``founder`` or by a
        resident chosen by :meth:`_pick_leader`."""
        municipality = int(self.region.neighbourhood_municipality[buurt])
        row = self.collectives.add(kind, buurt, municipality, self.month)
        self._collective_agents[row] = Collective(self, row)
        if founder is None:
            founder = self._pick_leader(buurt)
        if self.citizens.state[founder] != INITIATOR:  # one who already leads stays put
            self.citizens.state[founder] = INITIATOR
            self.citizens.collective[founder] = row
        return row

    def _pick_leader(self, buurt: int) -> int:
        """A leader for an initial collective, preferring residents who already take part, so
        that appointing leaders changes the observed participation as little as possible:
        capable participants, then active and occasional volunteers, then a capable agent who
        already leads (an agent stands for many inhabitants), then any resident who does not
        lead yet, then anyone."""
        citizens, region = self.citizens, self.region
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
                return int(self.rng.choice(pool))
        raise AssertionError("a buurt has at least one citizen")

    # --- Money ------------------------------------------------------------------------------

    def _credit_collectives(self, rows: np.ndarray, cents: np.ndarray, source: str) -> None:
        np.add.at(self.collectives.money, rows, cents)
        self.ledger.transfer(source, COLLECTIVES_ACCOUNT, int(cents.sum()))

    def _debit_collectives(self, rows: np.ndarray, cents: np.ndarray, destination: str) -> None:
        np.subtract.at(self.collectives.money, rows, cents)
        self.ledger.transfer(COLLECTIVES_ACCOUNT, destination, int(cents.sum()))

    def pay_grants(
        self, rows: np.ndarray, cents: np.ndarray, account: str, channel: str, compliance: float
    ) -> None:
        """Grants from ``account`` to collectives, who lose ``compliance`` of each to the
        cost of applying and accounting."""
        self._credit_collectives(rows, cents, account)
        self.counts[f"granted_cents_{channel}"] += int(cents.sum())
        self.collectives.grants_eur[rows] += cents / 100
        self._debit_collectives(
            rows, np.floor(cents * compliance).astype(np.int64), f"applicant_cost:{channel}"
        )

    def reporting_hours(self, hours: float, rows: np.ndarray) -> np.ndarray:
        """Reporting hours a grant costs, scaled by the burden multiplier and lowered by
        movement support."""
        support = support_fraction(
            self.support_eur_per_inhabitant[self.collectives.neighbourhood[rows]],
            self.params.movement_support_saturation_eur,
        )
        relief = self.params.support_reporting_relief * support
        return hours * self.params.reporting_burden_multiplier * (1 - relief)

    def replenish_municipal_budgets(self, extra_cents: int, replaced_share: float) -> None:
        """January: last year's unspent pot returns to the general budget; the new pot is the
        municipality's own (less any share the fund replaces) plus extra national money
        after the channel's layer overhead, both by population."""
        params, region = self.params, self.region
        self.ledger.transfer(
            BUDGET_ACCOUNT, "unspent:municipal_returned", int(self.municipal_budget.sum())
        )
        own = to_cents(
            params.municipal_subsidy_eur_per_inhabitant
            * (1 - replaced_share)
            * region.municipality_population
        )
        self.ledger.transfer("source:municipal_budget", BUDGET_ACCOUNT, int(own.sum()))
        layer = round(extra_cents * params.channel_layer_overhead_share)
        self.ledger.transfer("source:national_fund", "overhead:channel_layer", layer)
        shares = region.municipality_population / region.population
        extra = np.floor((extra_cents - layer) * shares).astype(np.int64)
        self.ledger.transfer("source:national_fund", BUDGET_ACCOUNT, int(extra.sum()))
        self.municipal_budget = own + extra

    def add_to_fund(self, cents: int) -> None:
        """Extra national money into the fund, after the fund organisation's overhead."""
        layer = round(cents * self.params.channel_layer_overhead_share)
        self.ledger.transfer("source:national_fund", "overhead:channel_layer", layer)
        self.ledger.transfer("source:national_fund", FUND_ACCOUNT, cents - layer)

    def fund_uncommitted(self) -> int:
        return self.ledger.balance[FUND_ACCOUNT] - self.fund_committed

    def fund_envelopes(self) -> np.ndarray:
        """Per-capita allocation: in each decision round a municipality's collectives may
        commit at most its population share of the fund's money not yet committed."""
        shares = self.region.municipality_population / self.region.population
        envelopes = np.floor(self.fund_uncommitted() * shares).astype(np.int64)
        return np.maximum(envelopes, 0)

    # --- Citizens and collectives bookkeeping ----------------------------------------------

    def _hours(self) -> np.ndarray:
        c = self.citizens
        return rules.volunteer_hours(
            c.state,
            c.free_time,
            self.params.active_volunteer_hours,
            self.params.occasional_volunteer_hours,
        )

    def _count_members(self) -> None:
        """Members, real volunteer hours and mean member SES of every collective."""
        table, c = self.collectives, self.citizens
        size = table.alive.size
        members = c.collective >= 0
        index = c.collective[members]
        table.members[:] = np.bincount(index, minlength=size)
        table.hours[:] = np.bincount(
            index,
            weights=self._citizen_hours[members] * self._member_weight()[members],
            minlength=size,
        )
        ses_sum = np.bincount(index, weights=c.ses[members], minlength=size)
        table.mean_member_ses[:] = np.divide(
            ses_sum, table.members, out=np.zeros(size), where=table.members > 0
        )

    def _member_weight(self) -> np.ndarray:
        """Inhabitants of each agent who volunteer in its collective: an agent stands for
        ``weight`` inhabitants, of whom ``collective_volunteering_share`` volunteer in a local
        collective when active (the others in clubs, schools, churches)."""
        return self.citizens.weight * self.params.collective_volunteering_share

    def _update_membership(self) -> None:
        """Active citizens join a living collective of their buurt (through the share of the
        inhabitants they stand for who volunteer locally); citizens who are no longer active,
        or whose collective dissolved, leave."""
        c, table = self.citizens, self.collectives
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
        per_buurt = np.bincount(buurt_of_row, minlength=self.region.n_neighbourhoods)
        first = np.concatenate(([0], np.cumsum(per_buurt)[:-1]))
        seekers = seekers[self.rng.permutation(seekers.size)]
        home = c.neighbourhood[seekers]
        seekers, home = seekers[per_buurt[home] > 0], home[per_buurt[home] > 0]
        by_buurt = np.argsort(home, kind="stable")
        seekers, home = seekers[by_buurt], home[by_buurt]
        _, turn = rank_within_groups(home)
        c.collective[seekers] = rows[order[first[home] + turn % per_buurt[home]]]

    # --- The month ----------------------------------------------------------------------------

    def step(self) -> None:
        """Advance the model by one month."""
        params, table = self.params, self.collectives
        if self.month % 12 == 0:
            self.regime.yearly_inflow(self)

        yearly = params.infrastructure_depreciation_per_year
        self.community_stock = depreciate(self.community_stock, yearly)
        self.owned_stock = depreciate(self.owned_stock, yearly)
        self.support_eur_per_inhabitant = depreciate(self.support_eur_per_inhabitant, yearly)
        self._refresh_stock()
        visible_gain = np.zeros_like(self.stock)
        fairness = np.zeros(self.region.n_neighbourhoods)
        if params.social_infrastructure:
            gain, fairness = social_infrastructure_month(self)
            self._add_stock(
                gain,
                owned_weight=self.region.municipality_co_decision[
                    self.region.neighbourhood_municipality
                ][:, None],
            )
            visible_gain += gain
        if params.movement_infrastructure:
            movement_infrastructure_month(self)

        table.experience_local[:] = 0.0
        table.experience_fund[:] = 0.0
        self._count_members()
        self._operate_collectives()
        self._apply_for_funding()
        self.regime.decide(self)
        if self.regime.has_fund:
            pay_fund_tranches(self)
        visible_gain += self._run_projects()
        table.reporting_backlog[:], table.controlling[:] = work_off_reporting(
            table.reporting_backlog, params.board_hours_per_month
        )

        self._citizens_month(visible_gain, fairness)
        self._found_collectives()
        self._dissolve_collectives()
        self._update_membership()
        self._citizen_hours = self._hours()
        self._count_members()

        self._value_handprint()
        self.ledger.check(self.holdings())
        self.month += 1
        self.datacollector.collect(self)
        if self.month >= params.months:
            self.running = False

    def run(self) -> pd.DataFrame:
        """Run the whole horizon; return the monthly reporters (month 0 = initial state)."""
        while self.running:
            self.step()
        return self.results()

    def results(self) -> pd.DataFrame:
        frame = self.datacollector.get_model_vars_dataframe()
        frame.index.name = "month"
        return frame.reset_index()

    def _refresh_stock(self) -> None:
        """Stock = today's stock (kept up by regular budgets outside the model) plus what
        collectives and streams added and is still standing, at most 1."""
        self.stock = np.minimum(self.region.initial_stock + self.community_stock, 1.0)

    def _add_stock(self, gain: np.ndarray, owned_weight: np.ndarray | float) -> None:
        self.community_stock += gain
        self.owned_stock += gain * owned_weight
        self._refresh_stock()

    def _operate_collectives(self) -> None:
        """Earned income (in proportion to staffing) and operating costs; a collective that
        cannot pay its costs in full is short this month."""
        table = self.collectives
        rows = table.living()
        kind = table.kind[rows]
        staffing = np.minimum(table.hours[rows] / HOURS_NEEDED[kind], 1.0)
        self._credit_collectives(rows, to_cents(OWN_INCOME[kind] * staffing), "source:own_income")
        cost = to_cents(MONTHLY_COST[kind])
        paid = np.minimum(cost, table.money[rows])
        self._debit_collectives(rows, paid, "spent:operations")
        short = paid < cost
        table.months_short[rows] = np.where(short, table.months_short[rows] + 1, 0)
        table.months_without_members[rows] = np.where(
            table.members[rows] == 0, table.months_without_members[rows] + 1, 0
        )

        idle = rows[table.project_category[rows] < 0]
        if idle.size:
            stock_rows = self.stock[table.neighbourhood[idle]]
            category = choose_projects(table.kind[idle], stock_rows)
            has = category >= 0
            chosen, category = idle[has], category[has]
            to_full = 1.0 - self.stock[table.neighbourhood[chosen], category]
            cost_to_full = cost_to_raise(
                to_full,
                self.region.neighbourhood_population[table.neighbourhood[chosen]],
                self.params.infrastructure_cost_eur_per_inhabitant,
                self.params.project_effectiveness,
            )
            table.project_category[chosen] = category
            table.project_remaining[chosen] = np.minimum(
                PROJECT_SIZE[table.kind[chosen]], cost_to_full
            )

    def _apply_for_funding(self) -> None:
        """Collectives whose money covers fewer than ``project_reserve_months`` of work and
        costs apply, if they have members, no pending application and waited after their
        last decision; municipal applications need an own contribution."""
        params, table = self.params, self.collectives
        rows = table.living()
        kind = table.kind[rows]
        support = params.movement_support_effect * support_fraction(
            self.support_eur_per_inhabitant[table.neighbourhood[rows]],
            params.movement_support_saturation_eur,
        )
        table.quality[rows] = application_quality(table.mean_member_ses[rows], support)

        capacity = absorption_capacity(table.hours[rows], params.eur_per_volunteer_hour_capacity)
        deficit = np.maximum(MONTHLY_COST[kind] - OWN_INCOME[kind], 0.0)
        monthly_need = deficit + np.minimum(table.project_remaining[rows], capacity)
        reserve = params.project_reserve_months * monthly_need
        money_eur = table.money[rows] / 100
        wants = (
            (money_eur < reserve)
            & (table.members[rows] > 0)
            & (table.app_channel[rows] == NO_CHANNEL)
            & (self.month - table.last_decision[rows] >= params.reapply_months)
        )
        applicants = rows[wants]
        if applicants.size == 0:
            return
        need_eur = (
            table.project_remaining[applicants]
            + params.project_reserve_months * deficit[wants]
            - money_eur[wants]
        )
        channel = self.regime.route(self, applicants)
        cap = np.where(
            channel == 0,
            params.municipal_grant_cap_eur,
            params.fund_grant_cap_eur_per_year * params.fund_grant_years,
        )
        # Municipal grants need an own contribution: ask no more than one can match.
        own_share = params.municipal_own_contribution_share
        matchable = np.where(channel == 0, money_eur[wants] / max(own_share, 1e-9), np.inf)
        wanted = np.minimum(np.maximum(need_eur, 0.0), cap)
        amount = to_cents(np.minimum(wanted, matchable))
        able = amount >= to_cents(params.minimum_application_eur)
        self.counts["discouraged"] += int((~able & (wanted > 0)).sum())
        applicants, channel, amount = applicants[able], channel[able], amount[able]
        table.app_channel[applicants] = channel
        table.app_amount[applicants] = amount
        table.app_submitted[applicants] = self.month
        table.app_due[applicants] = self.month + self.regime.decision_months(self, channel)
        self.counts["applications"] += applicants.size

    def _run_projects(self) -> np.ndarray:
        """Collectives put money to work on their project, as far as volunteer hours allow;
        the stock they add is community-made (a source of ownership)."""
        params, table = self.params, self.collectives
        rows = table.living()
        rows = rows[table.project_category[rows] >= 0]
        gain = np.zeros_like(self.stock)
        if rows.size == 0:
            return gain
        capacity = absorption_capacity(table.hours[rows], params.eur_per_volunteer_hour_capacity)
        reserve = params.operating_reserve_months * MONTHLY_COST[table.kind[rows]]
        spend = np.minimum(
            np.minimum(capacity, table.project_remaining[rows]),
            np.maximum(table.money[rows] / 100 - reserve, 0.0),
        )
        cents = np.floor(spend * 100).astype(np.int64)
        self._debit_collectives(rows, cents, "spent:projects")
        buurt, category = table.neighbourhood[rows], table.project_category[rows]
        added = (
            params.project_effectiveness
            * cents
            / 100
            / (
                params.infrastructure_cost_eur_per_inhabitant
                * self.region.neighbourhood_population[buurt]
            )
        )
        np.add.at(gain, (buurt, category), added)
        self._add_stock(gain, owned_weight=1.0)
        table.stock_made[rows] += added
        table.project_remaining[rows] -= cents / 100
        done = (table.project_remaining[rows] <= 0.01) | (
            self.stock[buurt, category] >= FULL_PROVISION
        )
        table.project_category[rows[done]] = -1
        table.project_remaining[rows[done]] = 0.0
        return gain

    # --- Citizens -------------------------------------------------------------------------------

    def _citizens_month(self, visible_gain: np.ndarray, fairness: np.ndarray) -> None:
        """What citizens experience this month, then the citizens' rules."""
        inputs = self.citizen_inputs(visible_gain, fairness)
        draws = rules.CitizenDraws.draw(self.rng, self.citizens.size)
        rules.monthly_update(self.citizens, inputs, draws, self.region.network, self.params)

    def citizen_inputs(self, visible_gain: np.ndarray, fairness: np.ndarray) -> rules.CitizenInputs:
        """Per citizen: their own collective's decisions, hearsay from the buurt, visible
        improvements, co-decision, reporting load, efficacy, needs and ownership. Also
        updates each buurt's memory of decisions and its perceived efficacy."""
        params, c, table, region = self.params, self.citizens, self.collectives, self.region
        n_b = region.n_neighbourhoods
        rows = table.living()
        buurt_of_row = table.neighbourhood[rows]
        attribution = self.regime.local_attribution(self)[table.municipality[rows]]
        local = table.experience_local[rows] + attribution * table.experience_fund[rows]
        national = params.fund_attribution_national * table.experience_fund[rows]
        if self.regime.has_fund:
            decided = (table.experience_fund[rows] != 0) & (attribution > 0)
            np.maximum.at(fairness, buurt_of_row[decided], attribution[decided])

        def per_buurt(values: np.ndarray) -> np.ndarray:
            counts = np.maximum(np.bincount(buurt_of_row, minlength=n_b), 1)
            return np.bincount(buurt_of_row, weights=values, minlength=n_b) / counts

        improvement = params.improvement_signal_scale * visible_gain.mean(axis=1)
        outcome = per_buurt(table.experience_local[rows] + table.experience_fund[rows])
        self.decision_memory = rules.update_efficacy(
            self.decision_memory, outcome, params.efficacy_memory_months
        )
        self.efficacy = self.decision_memory + params.efficacy_per_stock * (
            self.stock.mean(axis=1) - region.initial_stock.mean(axis=1)
        )

        # Members experience their own collective's decisions; everyone hears of the
        # decisions in their buurt and sees its improvements.
        member = c.collective >= 0
        row_of = np.maximum(c.collective, 0)
        local_by_row = np.zeros(table.alive.size)
        local_by_row[rows] = local
        # An agent's state averages the inhabitants it stands for, of whom only the share who
        # volunteer in the collective live through its decisions and reporting.
        exposure = np.where(member, params.collective_volunteering_share, 0.0)
        own_local = exposure * local_by_row[row_of]
        own_national = exposure * params.fund_attribution_national * table.experience_fund[row_of]
        home = c.neighbourhood
        heard_local_pos = params.hearsay_weight * per_buurt(np.maximum(local, 0))[home]
        heard_local_neg = params.hearsay_weight * per_buurt(np.maximum(-local, 0))[home]
        heard_nat_pos = params.hearsay_weight * per_buurt(np.maximum(national, 0))[home]
        heard_nat_neg = params.hearsay_weight * per_buurt(np.maximum(-national, 0))[home]
        seen = params.improvement_attribution * improvement[home]
        fair = params.procedural_fairness_signal * fairness[home]

        inputs = rules.CitizenInputs(
            own_local=own_local,
            own_national=own_national,
            heard_local_positive=heard_local_pos,
            heard_local_negative=heard_local_neg,
            heard_national_positive=heard_nat_pos,
            heard_national_negative=heard_nat_neg,
            seen_and_fair=seen + fair,
            controlling=exposure * table.controlling[row_of],
            trusted=exposure * (table.fund_months_left[row_of] > 0),
            efficacy=self.efficacy[home],
            needs_change=(self.stock.mean(axis=1) - region.initial_stock.mean(axis=1))[home],
            ownership=(
                1.0
                - np.exp(-self.owned_stock.mean(axis=1) / self.params.ownership_saturation_stock)
            )[home],
        )
        return inputs

    # --- Life cycle of collectives ---------------------------------------------------------

    def _found_collectives(self) -> None:
        """Capable initiators who participate, trust others and are motivated found a
        collective with a chance that grows with their buurt's unaddressed need and with
        movement support (per inhabitant they stand for, so the founding rate does not
        depend on the scale). The type follows the largest unaddressed gap."""
        params, c, table = self.params, self.citizens, self.collectives
        candidates = np.flatnonzero(
            c.capable_initiator
            & (c.state >= OCCASIONAL)
            & (c.state < INITIATOR)
            & (c.social_trust >= 0.5)
            & (c.motivation > 0)
        )
        if candidates.size == 0 or params.founding_rate == 0:
            return
        addressed = np.zeros_like(self.stock, dtype=bool)
        rows = table.living()
        working = rows[table.project_category[rows] >= 0]
        addressed[table.neighbourhood[working], table.project_category[working]] = True
        gap = np.where(addressed, 0.0, deficits(self.stock, params.in_order_threshold))
        need = gap.max(axis=1) / max(params.in_order_threshold, 1e-9)
        support = support_fraction(
            self.support_eur_per_inhabitant, params.movement_support_saturation_eur
        )
        home = c.neighbourhood[candidates]
        # Each agent stands for `weight` inhabitants, each of whom may found one.
        per_inhabitant = (
            params.founding_rate * need[home] * (1 + params.movement_founding_boost * support[home])
        )
        chance = 1.0 - (1.0 - np.minimum(per_inhabitant, 1.0)) ** c.weight[candidates]
        founders = candidates[self.rng.random(candidates.size) < chance]
        taken: set[int] = set()
        for founder in founders:  # few per month; one new collective per buurt per month
            buurt = int(c.neighbourhood[founder])
            if buurt in taken:
                continue
            taken.add(buurt)
            category = int(np.argmax(gap[buurt]))
            kinds = [
                k
                for k, kind in enumerate(COLLECTIVE_TYPES)
                if CATEGORIES[category] in kind.categories
            ]
            counts = np.array(
                [getattr(params, COLLECTIVE_TYPES[k].count_parameter) + 1.0 for k in kinds]
            )
            kind = int(self.rng.choice(kinds, p=counts / counts.sum()))
            self._add_collective(kind, buurt, founder=int(founder))
            self.counts["founded"] += 1

    def _dissolve_collectives(self) -> None:
        """Collectives without members, or unable to pay their costs, for the grace period
        dissolve; what money they hold leaves the system as unspent, fund commitments lapse."""
        params, table = self.params, self.collectives
        rows = table.living()
        ending = rows[
            (table.months_without_members[rows] >= params.dissolution_grace_months)
            | (table.months_short[rows] >= params.dissolution_grace_months)
        ]
        if ending.size == 0:
            return
        self._debit_collectives(ending, table.money[ending].copy(), "unspent:dissolved")
        self.fund_committed -= int(
            (table.fund_tranche[ending] * table.fund_months_left[ending]).sum()
        )
        table.fund_months_left[ending] = 0
        table.app_channel[ending] = NO_CHANNEL
        table.alive[ending] = False
        for row in ending:
            self._collective_agents.pop(int(row)).remove()
        self.counts["dissolved"] += ending.size

    # --- Outputs ----------------------------------------------------------------------------------

    def holdings(self) -> dict[str, int]:
        """What entities hold, to be matched against the ledger."""
        return {
            COLLECTIVES_ACCOUNT: int(self.collectives.view("money").sum()),
            BUDGET_ACCOUNT: int(self.municipal_budget.sum()),
        }

    def vote_shares(self) -> np.ndarray:
        """Per collective row: share of its buurt's inhabitants who are members or have a
        contact who is a member (the participatory vote)."""
        c, table = self.citizens, self.collectives
        network = self.region.network
        member_row = c.collective
        voter_rows = np.concatenate([member_row, member_row[network.indices]])
        voters = np.concatenate([np.arange(c.size), network.sources])
        keep = voter_rows >= 0
        pairs = np.unique(voter_rows[keep] * np.int64(c.size) + voters[keep])
        rows, who = pairs // c.size, pairs % c.size
        votes = np.bincount(rows, weights=c.weight[who], minlength=table.alive.size)
        population = self.region.neighbourhood_population[table.neighbourhood]
        return votes / population

    def _value_handprint(self) -> None:
        table, c = self.collectives, self.citizens
        rows = table.living()
        hours_by_type = np.bincount(
            table.kind[rows], weights=table.hours[rows], minlength=len(COLLECTIVE_TYPES)
        )
        member_inhabitants = float(self._member_weight()[c.collective >= 0].sum())
        self.handprint_sdg = handprint_by_sdg(
            hours_by_type,
            self.community_stock,
            self.region.neighbourhood_population,
            member_inhabitants,
            self.params.handprint_eur_per_volunteer_hour,
            self.params.handprint_eur_per_stock_unit_inhabitant_year,
            self.params.handprint_eur_per_participant_year,
        )
        self.handprint_cumulative += float(self.handprint_sdg.sum())

    def _reporters(self) -> dict[str, Any]:
        reporters: dict[str, Any] = {
            name: getattr(type(self), f"_report_{name}") for name in MODEL_REPORTERS
        }
        for name, accounts in MONEY_REPORTERS.items():
            reporters[name] = lambda m, accounts=accounts: m.money_eur(accounts)
        for index, name in enumerate(TYPE_NAMES):
            reporters[f"collectives_{name}"] = lambda m, k=index: m.collective_count(k)
        return reporters

    def money_eur(self, accounts: tuple[str, ...]) -> float:
        """Cumulative euros in ledger accounts (by prefix) or granted through a channel."""
        total = 0
        for account in accounts:
            if account.startswith("granted:"):
                total += self.counts[f"granted_cents_{account.removeprefix('granted:')}"]
            elif account == "source":
                total += self.ledger.money_in()
            else:
                total += self.ledger.total(account)
        return total / 100

    def collective_count(self, kind: int | None = None) -> int:
        table = self.collectives
        rows = table.living()
        return int(rows.size if kind is None else (table.kind[rows] == kind).sum())

    def _ses_gap(self, values: np.ndarray) -> float:
        """Mean in high-SES minus low-SES buurten (population weighted)."""
        c, region = self.citizens, self.region
        high = region.neighbourhood_high_ses[c.neighbourhood]
        low = region.neighbourhood_low_ses[c.neighbourhood]
        return rules.weighted_mean(values[high], c.weight[high]) - rules.weighted_mean(
            values[low], c.weight[low]
        )

    def _report_trust_government(self) -> float:
        return rules.weighted_share(self.citizens.trust_local >= 0.5, self.citizens.weight)

    def _report_trust_national(self) -> float:
        return rules.weighted_share(self.citizens.trust_national >= 0.5, self.citizens.weight)

    def _report_social_trust(self) -> float:
        return rules.weighted_share(self.citizens.social_trust >= 0.5, self.citizens.weight)

    def _report_participation(self) -> float:
        return rules.weighted_share(self.citizens.participating, self.citizens.weight)

    def _report_active_share(self) -> float:
        return rules.weighted_share(self.citizens.state >= ACTIVE, self.citizens.weight)

    def _report_volunteer_hours(self) -> float:
        return rules.weighted_total(self._citizen_hours, self.citizens.weight)

    def _report_wellbeing(self) -> float:
        return rules.weighted_mean(self.citizens.wellbeing, self.citizens.weight)

    def _report_satisfied_share(self) -> float:
        return rules.weighted_share(self.citizens.wellbeing >= 7.0, self.citizens.weight)

    def _report_neighbourhoods_in_order(self) -> float:
        return float(in_order(self.stock, self.params.in_order_threshold).mean())

    def _report_mean_infrastructure(self) -> float:
        return float(self.stock.mean())

    def _report_collectives(self) -> int:
        return self.collective_count()

    def _report_funds_disbursed_eur(self) -> float:
        """Money that reached communities: grants, social infrastructure, movement support."""
        grants = sum(v for k, v in self.counts.items() if k.startswith("granted_cents_"))
        streams = self.ledger.flow_into(["spent:social_infrastructure", "spent:movement_support"])
        return (grants + streams) / 100

    def _report_overhead_eur(self) -> float:
        return self.ledger.total("overhead") / 100

    def _report_applicant_cost_eur(self) -> float:
        return self.ledger.total("applicant_cost") / 100

    def _report_handprint_eur(self) -> float:
        return float(self.handprint_sdg.sum())

    def _report_handprint_cumulative_eur(self) -> float:
        return self.handprint_cumulative

    def _report_trust_gap_ses(self) -> float:
        return self._ses_gap((self.citizens.trust_local >= 0.5).astype(np.float64))

    def _report_participation_gap_ses(self) -> float:
        return self._ses_gap(self.citizens.participating.astype(np.float64))

    def _report_wellbeing_gap_ses(self) -> float:
        return self._ses_gap(self.citizens.wellbeing)

    # --- Inspection ------------------------------------------------------------------------------

    def neighbourhood_frame(self) -> pd.DataFrame:
        """Per-buurt state now: SES, population, stock per category, in order, participation,
        trust, wellbeing, collectives (for reports and dashboards)."""
        c, region = self.citizens, self.region
        n_b = region.n_neighbourhoods

        def mean_by_buurt(values: np.ndarray) -> np.ndarray:
            return np.bincount(c.neighbourhood, weights=values * c.weight, minlength=n_b) / (
                np.bincount(c.neighbourhood, weights=c.weight, minlength=n_b)
            )

        frame = pd.DataFrame(
            {
                "neighbourhood": np.arange(n_b),
                "municipality": region.neighbourhood_municipality,
                "population": region.neighbourhood_population,
                "ses": region.neighbourhood_ses,
                "ses_group": np.where(
                    region.neighbourhood_low_ses,
                    "low",
                    np.where(region.neighbourhood_high_ses, "high", "middle"),
                ),
                "in_order": in_order(self.stock, self.params.in_order_threshold),
                "participation": mean_by_buurt(c.participating.astype(np.float64)),
                "trust_government": mean_by_buurt((c.trust_local >= 0.5).astype(np.float64)),
                "wellbeing": mean_by_buurt(c.wellbeing),
                "collectives": np.bincount(
                    self.collectives.neighbourhood[self.collectives.living()], minlength=n_b
                ),
            }
        )
        for index, name in enumerate(CATEGORIES):
            frame[f"stock_{name}"] = self.stock[:, index]
        return frame

    def citizen_agents(self) -> AgentSet:
        """Citizens as Mesa agents (views onto the columns), created on first request."""
        from gemsim.model.agents import Citizen

        if not hasattr(self, "_citizen_agents"):
            self._citizen_agents = AgentSet(
                [Citizen(self, index) for index in range(self.citizens.size)], random=self.random
            )
        return self._citizen_agents
