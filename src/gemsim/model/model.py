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
from mesa.agentset import AgentSet
from mesa.experimental.scenarios import Scenario

from gemsim.model import (
    citizen_month,
    collectives_month,
    membership_month,
    month_zero,
    outcomes,
)
from gemsim.model import citizens as rules
from gemsim.model.agents import Citizen, Municipality
from gemsim.model.citizens import Citizens
from gemsim.model.collective_types import COLLECTIVE_TYPES
from gemsim.model.collectives import (
    COLLECTIVES_ACCOUNT,
    CollectiveTable,
    count_members,
    dissolve_collectives,
    found_collectives,
    found_initial_collectives,
    member_weight,
    update_membership,
    work_off_reporting,
)
from gemsim.model.collector import OutcomeCollector
from gemsim.model.fund import Fund, pay_fund_tranches
from gemsim.model.handprint import handprint_by_sdg
from gemsim.model.infrastructure import CATEGORIES, depreciate, in_order, one_cent_of_stock
from gemsim.model.ledger import Ledger
from gemsim.model.municipality import BUDGET_ACCOUNT, MunicipalBudgets
from gemsim.model.parameters import ParameterError, Parameters
from gemsim.model.perception import Perception, input_sources
from gemsim.model.regimes import make_regime
from gemsim.model.spin_up import SpinUp, run_spin_up
from gemsim.model.streams import (
    MovementSupport,
    movement_infrastructure_month,
    social_infrastructure_month,
)
from gemsim.model.world import build_region

#: Names of the outcome reporters and ledger accounts of the money reporters, derived from
#: the one declaration per reporter in :data:`gemsim.model.outcomes.OUTCOMES`.
MODEL_REPORTERS: tuple[str, ...] = tuple(o.name for o in outcomes.OUTCOMES if o.kind == "outcome")
MONEY_REPORTERS: dict[str, tuple[str, ...]] = {
    o.name: o.accounts for o in outcomes.OUTCOMES if o.kind == "money"
}


def _parameter_values(
    scenario: Parameters | Scenario[Any] | Mapping[str, Any] | None,
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
        values = scenario.to_dict()
        seed = values.pop("rng")
        for key in ("model", "_scenario_id"):
            values.pop(key)
        return values, seed if rng is None else rng
    return dict(scenario or {}), rng


class CommunityModel(mesa.Model[mesa.Agent["CommunityModel"], Scenario["CommunityModel"]]):
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
        scenario: Parameters | Scenario[Any] | Mapping[str, Any] | None = None,
        *,
        rng: int | np.random.Generator | None = None,
        **overrides: Any,
    ) -> None:
        base, rng = _parameter_values(scenario, rng)
        super().__init__(rng=rng)
        self.params = Parameters.build(base, **overrides)
        self.regime = make_regime(self.params.regime)
        # Runs at the same seed that differ only in what comes after month 0 share it.
        key = month_zero.SHARED.key(self, rng)
        if not month_zero.SHARED.restore(self, key):
            self._build_month_zero()
            month_zero.SHARED.keep(self, key)

        self.datacollector: mesa.DataCollector = OutcomeCollector()
        self.running = True
        self.datacollector.collect(self)

    def _build_month_zero(self) -> None:
        """The region, the initial citizens and collectives, and the spin-up (section 5.5)."""
        #: The month during the spin-up (negative), None otherwise (section 5.5).
        self.spin_up_month: int | None = None

        self.region = build_region(self.params, self.rng)
        if self.region.population > self.params.national_population:
            # National amounts are scaled by the region's share of the population: a region
            # larger than the nation would multiply them (and the initial collectives).
            # Parameters refuse a region whose expected population is larger; its drawn
            # buurt sizes can still make it so.
            raise ParameterError(
                f"parameter 'national_population' = {self.params.national_population:g} is "
                "not allowed: must be at least the region's population, as drawn at this "
                f"seed ({self.region.population:,.0f} inhabitants)"
            )
        self.population_share = self.region.population / self.params.national_population
        self.stock = self.region.initial_stock.copy()
        self.community_stock = np.zeros_like(self.stock)  # added by collectives and streams
        self.owned_stock = np.zeros_like(self.stock)  # added by residents themselves
        self.movement_support = MovementSupport(self.region.n_neighbourhoods)
        self.perception = Perception.initial(self.params, self.region.n_neighbourhoods)
        self.citizens: Citizens = rules.initial_citizens(self.params, self.region, self.rng)

        self.ledger = Ledger()
        self.municipal_budgets = MunicipalBudgets(
            self.ledger,
            self.region,
            own_eur_per_inhabitant=self.params.municipal_subsidy_eur_per_inhabitant,
            layer_overhead_share=self.params.channel_layer_overhead_share,
        )
        self.fund = Fund(self.ledger, layer_overhead_share=self.params.channel_layer_overhead_share)
        self.collectives = CollectiveTable()
        self.counts: Counter[str] = Counter()
        self.handprint_sdg = np.zeros(17)
        self.handprint_cumulative = 0.0

        self.municipalities = [
            Municipality(self, row) for row in range(self.region.n_municipalities)
        ]
        self._citizen_agents: AgentSet[Citizen] | None = None
        found_initial_collectives(self)
        update_membership(self)
        self._citizen_hours = self._hours()
        count_members(self, self._citizen_hours)
        self.spin_up: SpinUp | None = None
        if self.params.spin_up_months > 0:
            self.spin_up = run_spin_up(self)

    @property
    def current_month(self) -> int:
        """The month the model is in, counted from 0 (the ODD's *t*): the set-up and the first
        step are month 0; between steps, the last month simulated.

        Mesa's wrapped ``step()`` counts ``steps`` up before it runs ours, so during a step
        this is ``steps - 1``; ``steps`` itself is the number of months simulated. During
        the spin-up before month 0 (section 5.5) it counts the negative months."""
        if self.spin_up_month is not None:
            return self.spin_up_month
        return max(self.steps - 1, 0)

    # --- The month ----------------------------------------------------------------------------

    def step(self) -> None:
        """Advance the model by one month."""
        self.advance_month(streams=True)
        self._value_handprint()
        self.ledger.check(self.holdings())
        self.datacollector.collect(self)
        if self.steps >= self.params.months:
            self.running = False

    def advance_month(self, *, streams: bool, movement: bool = True) -> None:
        """The month's rules (schedule steps 1-17); the investment streams only if
        ``streams``, founding and dissolution only if ``movement`` (the spin-up runs
        without either)."""
        params, table = self.params, self.collectives
        if self.current_month % 12 == 0:
            self.regime.yearly_inflow(self)

        yearly = params.infrastructure_depreciation_per_year
        self.community_stock = depreciate(self.community_stock, yearly)
        self.owned_stock = depreciate(self.owned_stock, yearly)
        self.movement_support.depreciate(yearly)
        self._refresh_stock()
        visible_gain = np.zeros_like(self.stock)
        fairness = np.zeros(self.region.n_neighbourhoods)
        if streams and params.social_infrastructure:
            gain, fairness = social_infrastructure_month(self)
            self.add_stock(
                gain,
                owned_weight=self.region.municipality_co_decision[
                    self.region.neighbourhood_municipality
                ][:, None],
            )
            visible_gain += gain
        if streams and params.movement_infrastructure:
            movement_infrastructure_month(self)

        table.experience_local[:] = 0.0
        table.experience_fund[:] = 0.0
        # Members, hours and member SES are as the last month (or the set-up) counted them.
        collectives_month.operate_collectives(self)
        collectives_month.apply_for_funding(self)
        self.regime.decide(self)
        if self.regime.has_fund:
            pay_fund_tranches(self)
        visible_gain += collectives_month.run_projects(self)
        table.reporting_backlog[:], table.controlling[:] = work_off_reporting(
            table.reporting_backlog, params.board_hours_per_month
        )

        sources = input_sources(
            self,
            visible_gain,
            fairness,
            citizen_month.procedural_fairness,
            citizen_month.decision_signals,
        )
        citizens = self.citizens
        inputs = citizen_month.gather_inputs(citizens.collective, citizens.neighbourhood, sources)
        draws = rules.CitizenDraws.draw(self.rng, citizens.size)
        citizen_month.monthly_update(citizens, inputs, draws, self.region.network, params)
        if movement:
            found_collectives(self)
            dissolve_collectives(self)
        membership_month.update_membership(self)
        self._citizen_hours = membership_month.count_members(self)

    def run(self) -> pd.DataFrame:
        """Run the whole horizon; return the monthly reporters (month 0 = initial state)."""
        while self.running:
            self.step()
        return self.results()

    def results(self) -> pd.DataFrame:
        frame = self.datacollector.get_model_vars_dataframe()
        frame.index.name = "month"
        return frame.reset_index()

    # --- State the model keeps ----------------------------------------------------------------

    def _refresh_stock(self) -> None:
        """Stock = today's stock (kept up by regular budgets outside the model) plus what
        collectives and streams added and is still standing, at most 1."""
        self.stock = np.minimum(self.region.initial_stock + self.community_stock, 1.0)

    def buurten_in_order(self) -> np.ndarray:
        """Per buurt: every category at or above ``in_order_threshold``, a shortfall smaller
        than what one cent buys counting as at it (the ledger pays whole cents)."""
        params = self.params
        cent = one_cent_of_stock(
            self.region.neighbourhood_population,
            params.infrastructure_cost_eur_per_inhabitant,
            params.project_effectiveness,
        )
        return in_order(self.stock, params.in_order_threshold, cent)

    def add_stock(self, gain: np.ndarray, owned_weight: np.ndarray | float) -> None:
        """Stock added by collectives or streams; ``owned_weight`` of it is residents' own."""
        self.community_stock += gain
        self.owned_stock += gain * owned_weight
        self._refresh_stock()

    def _hours(self) -> np.ndarray:
        c = self.citizens
        return rules.volunteer_hours(
            c.state,
            c.free_time,
            self.params.active_volunteer_hours,
            self.params.occasional_volunteer_hours,
        )

    def holdings(self) -> dict[str, int]:
        """What entities hold, to be matched against the ledger."""
        return {
            COLLECTIVES_ACCOUNT: int(self.collectives.view("money").sum()),
            BUDGET_ACCOUNT: self.municipal_budgets.total(),
        }

    def _value_handprint(self) -> None:
        table, c = self.collectives, self.citizens
        rows = table.living()
        hours_by_type = np.bincount(
            table.kind[rows], weights=table.hours[rows], minlength=len(COLLECTIVE_TYPES)
        )
        members = np.flatnonzero(c.collective >= 0)
        member_inhabitants = float(member_weight(self, members).sum())
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

    # --- Outputs ----------------------------------------------------------------------------------

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
                "in_order": self.buurten_in_order(),
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

    def citizen_agents(self) -> AgentSet[Citizen]:
        """Citizens as Mesa agents (views onto the columns), created on first request."""
        if self._citizen_agents is None:
            self._citizen_agents = AgentSet(
                [Citizen(self, index) for index in range(self.citizens.size)], random=self.random
            )
        return self._citizen_agents
