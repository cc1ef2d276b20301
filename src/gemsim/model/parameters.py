"""Every model parameter, once: type, unit, default, allowed range and source.

``Parameters`` is the single typed place the model reads its inputs from. Each field
carries its unit and provenance in ``json_schema_extra`` so that ``gemsim params`` and
``docs/ODD.md`` can print the same table. A value outside its range raises
``ParameterError`` (a ``ValueError``) naming the parameter and what is allowed.

Sources: "CBS" etc. name public figures collected in ``DOMAIN.md``; "assumption" marks a
value chosen by the modellers for want of data. Assumptions have wide ranges and are the
first candidates for sensitivity analysis.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, get_args, get_origin

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from gemsim.errors import UserError

AllocationRule = Literal["need_weighted", "per_capita", "first_come", "participatory_vote"]
ApprovalRule = Literal["ranked", "probabilistic"]
PaymentForm = Literal["tranches", "lump_sum"]
EnvelopePeriod = Literal["round", "year"]

ASSUMPTION = "assumption"
# The most citizen agents a region may have: the Netherlands at one inhabitant per agent
# (about 17.4 million) fits; a region of ~0.8 kB per agent beyond it is a typo, not a study.
MAX_CITIZEN_AGENTS = 20_000_000


def param(
    default: Any,
    *,
    unit: str,
    source: str,
    doc: str,
    low: float | None = None,
    high: float | None = None,
    plausible: tuple[float, float] | None = None,
) -> Any:
    """A model parameter field with its unit, allowed range and source.

    ``plausible`` is the range the evidence (or, for an assumption, the modellers) cannot
    narrow further: the range a sensitivity analysis should vary it over."""
    extra: dict[str, Any] = {"unit": unit, "source": source}
    if plausible is not None:
        extra["plausible"] = list(plausible)
    return Field(default, ge=low, le=high, description=doc, json_schema_extra=extra)


class ParameterError(UserError, ValueError):
    """An invalid parameter value; the message names the parameter and the allowed range."""


class Parameters(BaseModel):
    """All parameters of :class:`gemsim.model.CommunityModel`, grouped by submodel."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # --- Regime and investment streams ------------------------------------------------
    regime: str = param(
        "status_quo",
        unit="-",
        source="proposal",
        doc="Funding regime, by registered name (see gemsim.model.regimes).",
    )
    extra_funding_eur_per_year: float = param(
        50_000_000,
        unit="EUR/year (national)",
        low=0,
        high=1e10,
        source="Groeiplan: societal fund of EUR 50M per year",
        doc="Extra national money per year for regimes that add money (subsidy channel, "
        "direct fund, hybrid); scaled to the region by population share.",
    )
    social_infrastructure: bool = param(
        False,
        unit="switch",
        source="Groeiplan claim 3",
        doc="Invest the social-infrastructure stream in neighbourhood gaps.",
    )
    social_infrastructure_eur: float = param(
        500_000_000,
        unit="EUR (national, total)",
        low=0,
        high=1e11,
        source="Groeiplan: about EUR 500M",
        doc="Total social-infrastructure stream.",
    )
    social_infrastructure_years: float = param(
        10,
        unit="years",
        low=1,
        high=50,
        source="Groeiplan: within five to ten years",
        doc="Years over which the social-infrastructure stream is spread evenly.",
    )
    social_infrastructure_overhead_share: float = param(
        0.05,
        unit="share",
        low=0,
        high=0.5,
        source=ASSUMPTION,
        doc="Share of the stream spent on programme administration.",
    )
    movement_infrastructure: bool = param(
        False,
        unit="switch",
        source="Groeiplan claim 4a",
        doc="Invest in the movement's support infrastructure.",
    )
    movement_infrastructure_eur: float = param(
        10_000_000,
        unit="EUR (national, total)",
        low=0,
        high=1e10,
        source="Groeiplan: EUR 10M",
        doc="Total movement-infrastructure stream.",
    )
    movement_infrastructure_years: float = param(
        3,
        unit="years",
        low=0.5,
        high=20,
        source=ASSUMPTION,
        doc="Years over which the movement stream is spent.",
    )
    movement_low_ses_priority: float = param(
        0.5,
        unit="share",
        low=0,
        high=1,
        source="Issue: 'especially in low-SES neighbourhoods'",
        doc="Share of support capacity reserved for low-SES neighbourhoods (the rest by "
        "population).",
    )
    movement_support_effect: float = param(
        0.15,
        unit="quality points at saturation",
        low=0,
        high=0.5,
        source=ASSUMPTION,
        doc="Gain in application quality when support saturates.",
    )
    movement_support_saturation_eur: float = param(
        5.0,
        unit="EUR per inhabitant",
        low=0.1,
        high=100,
        source=ASSUMPTION,
        doc="Cumulative support per inhabitant at which 63% of the effect is reached.",
    )
    movement_founding_boost: float = param(
        1.0,
        unit="relative increase at saturation",
        low=0,
        high=10,
        source=ASSUMPTION,
        doc="Relative rise in founders' start-up means (advice, pooled start-up help) when "
        "support saturates (1 = doubles them).",
    )
    support_reporting_relief: float = param(
        0.5,
        unit="share at saturation",
        low=0,
        high=1,
        source=ASSUMPTION,
        doc="Share of reporting hours that saturated movement support takes off collectives.",
    )
    subsidy_replacement_share: float = param(
        0.0,
        unit="share",
        low=0,
        high=1,
        plausible=(0.0, 0.5),
        source="Groeiplan: the fund 'partly replaces' small subsidies; size unknown (assumption)",
        doc="Share of municipal small-subsidy budgets withdrawn when a societal fund exists.",
    )

    # --- World --------------------------------------------------------------------------
    months: int = param(
        120,
        unit="months",
        low=1,
        high=600,
        source="Groeiplan: 5-10 year horizon",
        doc="Simulated horizon; one step is one month.",
    )
    spin_up_months: int = param(
        120,
        unit="months (whole years)",
        low=0,
        high=600,
        source="numerical setting (not an assumption about the world); 120 chosen by "
        "measuring the status quo's drift (docs/ODD.md 5.5)",
        doc="Months simulated before month 0 under the status quo's funding only, not "
        "reported, so that networks cluster and expectations settle; 0 = none.",
    )
    n_municipalities: int = param(
        10,
        unit="count",
        low=1,
        high=400,
        source="CBS: 342 municipalities (2023)",
        doc="Municipalities in the region.",
    )
    neighbourhoods_per_municipality: float = param(
        39.0,
        unit="count",
        low=1,
        high=1000,
        source="CBS: 13,808 buurten (2020) / 352 gemeenten (2021)",
        doc="Mean buurten per municipality (total is rounded).",
    )
    inhabitants_per_neighbourhood: float = param(
        1261,
        unit="persons",
        low=10,
        high=50_000,
        source="CBS: mean 1,261 per buurt",
        doc="Mean inhabitants per buurt.",
    )
    neighbourhood_size_spread: float = param(
        0.5,
        unit="log-sd",
        low=0,
        high=2,
        source="assumption (CBS guideline 250-2,500)",
        doc="Log-normal spread of buurt populations.",
    )
    inhabitants_per_agent: float = param(
        20,
        unit="persons/agent",
        low=1,
        high=100_000,
        source="modelling choice",
        doc="How many inhabitants one citizen agent stands for.",
    )
    national_population: float = param(
        17_900_000,
        unit="persons",
        low=1,
        high=1e9,
        source="CBS (2023-24)",
        doc="Population used to scale national amounts to the region.",
    )
    ses_between_municipalities: float = param(
        0.4,
        unit="variance share",
        low=0,
        high=1,
        source=ASSUMPTION,
        doc="Share of the variance of buurt SES that lies between municipalities.",
    )
    ses_neighbourhood_correlation: float = param(
        0.5,
        unit="correlation",
        low=0,
        high=0.99,
        source=ASSUMPTION,
        doc="Correlation of a citizen's SES with the buurt's (residential sorting).",
    )
    contacts_per_citizen: int = param(
        8,
        unit="contacts",
        low=1,
        high=50,
        source=ASSUMPTION,
        doc="Mean number of social contacts per citizen agent.",
    )
    cross_neighbourhood_tie_share: float = param(
        0.2,
        unit="share",
        low=0,
        high=1,
        source=ASSUMPTION,
        doc="Share of ties to other buurten of the same municipality.",
    )

    # --- Social infrastructure -----------------------------------------------------------
    infrastructure_initial_mean: float = param(
        0.72,
        unit="stock (0-1)",
        low=0,
        high=1,
        source=ASSUMPTION,
        doc="Mean initial stock per category (1 = fully provided).",
    )
    infrastructure_initial_sd: float = param(
        0.12,
        unit="stock",
        low=0,
        high=0.5,
        source=ASSUMPTION,
        doc="Spread of initial stock between buurten and categories.",
    )
    infrastructure_ses_gradient: float = param(
        0.06,
        unit="stock per SES sd",
        low=0,
        high=0.3,
        source="DOMAIN: gaps larger in low-SES buurten; size is an assumption",
        doc="How much higher the initial stock is per standard deviation of buurt SES.",
    )
    in_order_threshold: float = param(
        0.6,
        unit="stock",
        low=0,
        high=1,
        source=ASSUMPTION,
        doc="A buurt is 'in order' when every category is at or above this stock.",
    )
    infrastructure_depreciation_per_year: float = param(
        0.02,
        unit="1/year",
        low=0,
        high=0.3,
        source=ASSUMPTION,
        doc="Yearly relative decay of stock added by collectives and streams (today's stock "
        "is kept up by regular budgets outside the model).",
    )
    infrastructure_cost_eur_per_inhabitant: float = param(
        250,
        unit="EUR per inhabitant per unit stock",
        low=1,
        high=10_000,
        source=ASSUMPTION,
        doc="Cost of raising one category's stock from 0 to 1 in a buurt, per inhabitant.",
    )
    project_effectiveness: float = param(
        0.7,
        unit="share",
        low=0,
        high=1,
        source=ASSUMPTION,
        doc="Share of project spending that becomes lasting infrastructure.",
    )
    eur_per_volunteer_hour_capacity: float = param(
        150,
        unit="EUR per volunteer hour",
        low=1,
        high=10_000,
        source=ASSUMPTION,
        doc="Project money a collective can put to work per volunteer hour (absorption).",
    )

    # --- Citizens: initial state --------------------------------------------------------
    initial_trust_local_share: float = param(
        0.506,
        unit="share",
        low=0.01,
        high=0.99,
        source="CBS 2022: trust in municipal council",
        doc="Share trusting local government at start.",
    )
    initial_trust_national_share: float = param(
        0.30,
        unit="share",
        low=0.01,
        high=0.99,
        source="CBS 2022: trust in parliament",
        doc="Share trusting national government at start.",
    )
    trust_ses_gradient: float = param(
        0.4,
        unit="latent sd per SES sd",
        low=0,
        high=3,
        source="assumption (CBS: higher educated trust more)",
        doc="SES gradient of initial institutional trust.",
    )
    initial_social_trust_share: float = param(
        0.66,
        unit="share",
        low=0.01,
        high=0.99,
        source="CBS 2022-23",
        doc="Share saying most people can be trusted, at start.",
    )
    social_trust_ses_gradient: float = param(
        0.65,
        unit="latent sd per SES sd",
        low=0,
        high=3,
        source="calibrated to CBS: 40% lowest vs 80-89% highest educated",
        doc="SES gradient of initial social trust.",
    )
    initial_participation_share: float = param(
        0.49,
        unit="share",
        low=0.01,
        high=0.99,
        source="CBS 2023: volunteered in past year",
        doc="Share of citizens participating (occasional or more) at start.",
    )
    initial_active_share: float = param(
        0.30,
        unit="share",
        low=0.01,
        high=0.99,
        source="CBS: about 30% volunteer monthly",
        doc="Share active at least monthly at start (must not exceed participation).",
    )
    participation_ses_gradient: float = param(
        0.33,
        unit="latent sd per SES sd",
        low=0,
        high=3,
        source="calibrated to CBS: >60% highest vs 35% lowest educated",
        doc="SES gradient of initial participation.",
    )
    initial_wellbeing_mean: float = param(
        7.5,
        unit="0-10",
        low=0,
        high=10,
        source="CBS Monitor Brede Welvaart",
        doc="Mean life satisfaction at start.",
    )
    initial_satisfied_share: float = param(
        0.84,
        unit="share",
        low=0.5,
        high=0.999,
        source="CBS 2022-23: 83-84% satisfied",
        doc="Share with life satisfaction of 7 or more at start (sets the spread).",
    )
    wellbeing_ses_gradient: float = param(
        0.15,
        unit="points per SES sd",
        low=0,
        high=1,
        source="assumption (CBS gradient)",
        doc="Life satisfaction gradient by SES.",
    )
    initiator_share: float = param(
        0.03,
        unit="share",
        low=0.001,
        high=0.3,
        source="assumption (Ghorbani et al. 2020: capable initiators are scarce)",
        doc="Share of citizens able to found and lead a collective.",
    )
    initiator_ses_gradient: float = param(
        0.5,
        unit="latent sd per SES sd",
        low=0,
        high=3,
        source="assumption (Matthew effect: initiators more common in high SES)",
        doc="SES gradient of initiator capability.",
    )
    motivation_participation_correlation: float = param(
        0.5,
        unit="correlation",
        low=0,
        high=0.99,
        source=ASSUMPTION,
        doc="Correlation of intrinsic civic motivation with the propensity to participate.",
    )
    collective_volunteering_share: float = param(
        0.4,
        unit="share",
        low=0,
        high=1,
        source="CBS: a bit over 20% of all (about 40% of volunteers) volunteer in own buurt",
        doc="Share of citizens whose volunteering, when active, is in a local collective "
        "(the rest volunteer in clubs, schools, churches).",
    )
    free_time_hours_mean: float = param(
        30,
        unit="hours/month",
        low=1,
        high=200,
        source=ASSUMPTION,
        doc="Mean free time a citizen could give to civic activity.",
    )
    active_volunteer_hours: float = param(
        17.3,
        unit="hours/month",
        low=0,
        high=100,
        source="CBS: about 4 hours/week per volunteer",
        doc="Hours an active volunteer gives per month.",
    )
    occasional_volunteer_hours: float = param(
        2.0,
        unit="hours/month",
        low=0,
        high=50,
        source=ASSUMPTION,
        doc="Hours an occasional volunteer gives per month.",
    )

    # --- Citizens: participation (Granovetter thresholds) -------------------------------
    threshold_sd: float = param(
        0.35,
        unit="share of contacts",
        low=0.01,
        high=1,
        source="Granovetter 1978 (spread decides cascades); default calibrated so that "
        "status-quo participation is stable, as CBS observes (about 49-50%, 2012-2023)",
        doc="Spread of personal participation thresholds (mean is calibrated).",
    )
    motivation_weight: float = param(
        0.10,
        unit="threshold per motivation sd",
        low=0,
        high=1,
        source=ASSUMPTION,
        doc="How much one sd of intrinsic motivation lowers the effective threshold.",
    )
    efficacy_weight: float = param(
        0.15,
        unit="threshold per efficacy unit",
        low=0,
        high=1,
        source=ASSUMPTION,
        doc="How much perceived efficacy lowers the effective threshold.",
    )
    participation_adjustment_rate: float = param(
        0.10,
        unit="1/month",
        low=0.001,
        high=1,
        source=ASSUMPTION,
        doc="Monthly chance that a citizen acts on a change in willingness (inertia).",
    )
    life_event_rate: float = param(
        0.01,
        unit="1/month",
        low=0,
        high=0.5,
        source=ASSUMPTION,
        doc="Monthly chance that a citizen's threshold is redrawn (move, illness, new job).",
    )
    efficacy_memory_months: float = param(
        12,
        unit="months",
        low=1,
        high=120,
        source=ASSUMPTION,
        doc="Time scale over which a buurt's funding decisions shape perceived efficacy.",
    )
    expectation_memory_months: float = param(
        24,
        unit="months",
        low=0,
        high=240,
        plausible=(6, 60),
        source=ASSUMPTION,
        doc="Time scale over which the approval chance citizens expect follows the share of "
        "decisions they see end in a grant; 0 = fixed at the balance with "
        "municipal_approval_base.",
    )
    efficacy_per_stock: float = param(
        5.0,
        unit="efficacy per unit stock",
        low=0,
        high=50,
        source=ASSUMPTION,
        doc="Perceived efficacy per unit of a buurt's mean stock above what regular budgets "
        "keep up.",
    )

    # --- Citizens: motivation crowding (Frey & Jegen 2001; Deci et al. 1999) -------------
    crowding_out_sd: float = param(
        0.30,
        unit="motivation sd",
        low=0,
        high=2,
        plausible=(0.0, 0.4),
        source="Deci, Koestner & Ryan 1999: expected tangible rewards d -0.28 to -0.40 "
        "(performance- to engagement-contingent); smaller in field studies",
        doc="Long-run fall in motivation under full controlling conditions (reporting load "
        "of a grant, any channel).",
    )
    crowding_in_sd: float = param(
        0.1,
        unit="motivation sd",
        low=0,
        high=2,
        plausible=(0.0, 0.33),
        source="assumption, bounded by Deci, Koestner & Ryan 1999: +0.33 is for verbal "
        "feedback; unexpected or non-contingent tangible rewards about 0",
        doc="Long-run rise in motivation while a grant runs, scaled down by its reporting "
        "load (supportive funding, any channel).",
    )
    motivation_adjustment_rate: float = param(
        0.10,
        unit="1/month",
        low=0.001,
        high=1,
        source=ASSUMPTION,
        doc="Monthly rate at which motivation moves toward its current target.",
    )
    reporting_burden_multiplier: float = param(
        1.0,
        unit="factor",
        low=0,
        high=10,
        source=ASSUMPTION,
        doc="Scales every reporting requirement (for experiments on reporting burden).",
    )

    # --- Citizens: trust (Slovic 1993; Van Ryzin) ----------------------------------------
    trust_learning_rate: float = param(
        0.04,
        unit="1/month",
        low=0,
        high=1,
        source=ASSUMPTION,
        doc="Weight of one month's positive experience in trust.",
    )
    trust_asymmetry: float = param(
        3.0,
        unit="factor",
        low=1,
        high=10,
        source="Slovic 1993 (trust falls faster); size an assumption",
        doc="How much more a negative experience weighs than a positive one.",
    )
    contact_experience_weight: float = param(
        0.3,
        unit="share",
        low=0,
        high=1,
        source=ASSUMPTION,
        doc="Weight of contacts' experiences (word of mouth) relative to one's own.",
    )
    trust_memory_decay: float = param(
        0.01,
        unit="1/month",
        low=0,
        high=1,
        source=ASSUMPTION,
        doc="Monthly return of trust toward its baseline as experiences fade.",
    )
    hearsay_weight: float = param(
        0.2,
        unit="share",
        low=0,
        high=1,
        source=ASSUMPTION,
        doc="Weight of a neighbour collective's experience relative to one's own.",
    )
    waiting_penalty: float = param(
        0.3,
        unit="experience per overdue month",
        low=0,
        high=2,
        source=ASSUMPTION,
        doc="Negative experience for each month an application is overdue.",
    )
    improvement_attribution: float = param(
        0.5,
        unit="share",
        low=0,
        high=1,
        source=ASSUMPTION,
        doc="Share of visible neighbourhood improvement credited to local government.",
    )
    improvement_signal_scale: float = param(
        20.0,
        unit="experience per unit stock gain",
        low=0,
        high=200,
        source=ASSUMPTION,
        doc="Experience felt per unit rise of a buurt's mean stock in a month.",
    )
    procedural_fairness_signal: float = param(
        0.03,
        unit="experience per month",
        low=0,
        high=1,
        plausible=(0.0, 0.1),
        source="assumption (no per-participant estimate found; procedural justice, Tyler "
        "1990; participatory budgeting evaluations show small effects on non-participants)",
        doc="Positive experience for a resident who takes part in co-deciding with the "
        "municipality where social-infrastructure money is spent (contacts hear of it).",
    )
    co_decision_turnout: float = param(
        0.2,
        unit="share of participating residents",
        low=0,
        high=1,
        plausible=(0.05, 0.5),
        source=ASSUMPTION,
        doc="Share of volunteering residents who take part in a co-decision on "
        "social-infrastructure money in their buurt.",
    )
    fund_attribution_national: float = param(
        0.5,
        unit="share",
        low=0,
        high=1,
        source=ASSUMPTION,
        doc="Share of a public fund's decisions attributed to national government.",
    )
    fund_attribution_local: float = param(
        0.0,
        unit="share",
        low=0,
        high=1,
        plausible=(0.0, 0.5),
        source="assumption (residents may credit their municipality for money it did not "
        "decide on; no data)",
        doc="Share of a fund's decisions credited to local government (in hybrid the "
        "co-decision share adds to it: a + (1 - a) x co-decision).",
    )
    municipal_attribution_local: float = param(
        1.0,
        unit="share",
        low=0,
        high=1,
        plausible=(0.5, 1.0),
        source="assumption (the municipality decides and is named in the decision letter)",
        doc="Share of a municipal desk's decisions credited to local government.",
    )
    municipal_attribution_national: float = param(
        0.0,
        unit="share",
        low=0,
        high=1,
        plausible=(0.0, 0.3),
        source="assumption (extra national money through municipal desks may be credited "
        "partly to national government; no data)",
        doc="Share of a municipal desk's decisions credited to national government.",
    )
    social_trust_participation_effect: float = param(
        0.1,
        unit="social trust (0-1)",
        low=0,
        high=0.5,
        source="assumption (Putnam: participation builds social trust)",
        doc="Long-run rise in social trust of a citizen who starts participating.",
    )

    # --- Citizens: wellbeing (Meier & Stutzer 2008) -------------------------------------
    wellbeing_volunteering_effect: float = param(
        0.2,
        unit="points (0-10)",
        low=0,
        high=2,
        source="Meier & Stutzer 2008 (0.1-0.25)",
        doc="Life satisfaction gain of participating vs not.",
    )
    wellbeing_needs_effect: float = param(
        1.5,
        unit="points per unit stock",
        low=0,
        high=10,
        source=ASSUMPTION,
        doc="Life satisfaction change per unit change of buurt mean infrastructure stock.",
    )
    wellbeing_ownership_effect: float = param(
        0.05,
        unit="points at full ownership",
        low=0,
        high=2,
        plausible=(0.0, 0.15),
        source="assumption, bounded by area-based funding evaluations (Well London RCT, "
        "Big Local: no population wellbeing effect)",
        doc="Life satisfaction from a sense of ownership (community-made improvements).",
    )
    ownership_saturation_stock: float = param(
        0.05,
        unit="stock",
        low=0.001,
        high=1,
        source=ASSUMPTION,
        doc="Mean community-made stock in a buurt at which the sense of ownership is 63% of "
        "its maximum.",
    )
    wellbeing_trust_effect: float = param(
        0.5,
        unit="points per unit social trust",
        low=0,
        high=3,
        source=ASSUMPTION,
        doc="Life satisfaction change per unit change in social trust.",
    )

    # --- Collectives ----------------------------------------------------------------------
    resident_initiatives_national: int = param(
        6000,
        unit="count",
        low=0,
        high=100_000,
        source="assumption (no national count found)",
        doc="Resident initiatives in the Netherlands.",
    )
    care_cooperatives_national: int = param(
        1471,
        unit="count",
        low=0,
        high=100_000,
        source="NLZVE monitor 2020",
        doc="Care collectives in the Netherlands.",
    )
    housing_cooperatives_national: int = param(
        100,
        unit="count",
        low=0,
        high=100_000,
        source="assumption (no count found)",
        doc="Housing cooperatives in the Netherlands.",
    )
    neighbourhood_enterprises_national: int = param(
        750,
        unit="count",
        low=0,
        high=100_000,
        source="practitioners: 500-1,000",
        doc="Neighbourhood enterprises in the Netherlands.",
    )
    energy_cooperatives_national: int = param(
        714,
        unit="count",
        low=0,
        high=100_000,
        source="Lokale Energie Monitor 2023",
        doc="Energy cooperatives in the Netherlands.",
    )
    social_enterprises_national: int = param(
        5000,
        unit="count",
        low=0,
        high=100_000,
        source="McKinsey 2016, ABN AMRO 2017: 4-6k",
        doc="Social enterprises in the Netherlands.",
    )
    founding_contribution_months: float = param(
        3,
        unit="months of running cost",
        low=0,
        high=24,
        plausible=(0.0, 6.0),
        source=ASSUMPTION,
        doc="Start-up money (cash or in kind) founders bring to a new collective.",
    )
    resident_initiative_potential_national: int = param(
        7000,
        unit="count",
        low=0,
        high=1_000_000,
        plausible=(6000, 10_000),
        source="assumption (no national count found; above today's estimate of 6,000)",
        doc="Bass potential of resident initiatives in the Netherlands: founding groups that "
        "could form if start-up money were no barrier.",
    )
    care_cooperative_potential_national: int = param(
        6489,
        unit="count",
        low=0,
        high=1_000_000,
        plausible=(2840, 8940),
        source="NLZVE: 1,471 in 2020 and rising; ABC-SMC calibration, 5-95% range "
        "(results/reference/calibration)",
        doc="Bass potential of care collectives in the Netherlands: founding groups that "
        "could form if start-up money were no barrier.",
    )
    housing_cooperative_potential_national: int = param(
        200,
        unit="count",
        low=0,
        high=1_000_000,
        plausible=(100, 1000),
        source="assumption (no count found)",
        doc="Bass potential of housing cooperatives in the Netherlands: founding groups that "
        "could form if start-up money were no barrier.",
    )
    neighbourhood_enterprise_potential_national: int = param(
        2000,
        unit="count",
        low=0,
        high=1_000_000,
        plausible=(1000, 4000),
        source="assumption (practitioners: 500-1,000 today)",
        doc="Bass potential of neighbourhood enterprises in the Netherlands: founding groups "
        "that could form if start-up money were no barrier.",
    )
    energy_cooperative_potential_national: int = param(
        1311,
        unit="count",
        low=0,
        high=1_000_000,
        plausible=(850, 1900),
        source="Lokale Energie Monitor 2015-23 (logistic ceiling about 750 at today's barriers); "
        "ABC-SMC calibration, 5-95% range (results/reference/calibration)",
        doc="Bass potential of energy cooperatives in the Netherlands: founding groups that "
        "could form if start-up money were no barrier.",
    )
    social_enterprise_potential_national: int = param(
        18_000,
        unit="count",
        low=0,
        high=1_000_000,
        plausible=(10_000, 40_000),
        source="assumption (McKinsey 2016, ABN AMRO 2017: 4-6k today)",
        doc="Bass potential of social enterprises in the Netherlands: founding groups that "
        "could form if start-up money were no barrier.",
    )
    founding_innovation_rate: float = param(
        0.0393,
        unit="1/year",
        low=0,
        high=1,
        plausible=(0.017, 0.077),
        source="Bass 1969; Sultan, Farley & Lehmann 1990 (mean p = 0.03); ABC-SMC calibration, "
        "5-95% range (results/reference/calibration)",
        doc="Bass coefficient of innovation p: yearly founding hazard of a potential "
        "founding group independent of how many collectives of its type exist.",
    )
    founding_imitation_rate: float = param(
        0.192,
        unit="1/year",
        low=0,
        high=5,
        plausible=(0.10, 0.71),
        source="Bass 1969; Sultan, Farley & Lehmann 1990 (mean q = 0.38); ABC-SMC calibration, "
        "5-95% range (results/reference/calibration)",
        doc="Bass coefficient of imitation q: yearly founding hazard added per unit share of "
        "the potential already founded.",
    )
    founding_means_eur: float = param(
        3000,
        unit="EUR",
        low=0,
        high=1_000_000,
        plausible=(1000, 10_000),
        source=ASSUMPTION,
        doc="Start-up means (savings, pledges, in kind) a founding group of average SES can "
        "raise; scaled by exp(SES) of the founder.",
    )
    dissolution_rate_per_year: float = param(
        0.0267,
        unit="1/year",
        low=0,
        high=1,
        plausible=(0.0084, 0.075),
        source="assumption (energy monitors report almost no closures: prior 0-0.08); ABC-SMC "
        "calibration, 5-95% range (results/reference/calibration)",
        doc="Yearly hazard that a collective stops for reasons the model does not represent "
        "(founders move or tire), besides lack of members or money.",
    )
    dissolution_grace_months: int = param(
        12,
        unit="months",
        low=1,
        high=60,
        source=ASSUMPTION,
        doc="Months without members or without money for costs before a collective dissolves.",
    )
    project_reserve_months: int = param(
        6,
        unit="months",
        low=1,
        high=36,
        source=ASSUMPTION,
        doc="A collective applies when its money covers fewer than this many months of work.",
    )

    board_hours_per_month: float = param(
        10,
        unit="hours/month",
        low=1,
        high=500,
        source=ASSUMPTION,
        doc="Hours a month a collective's board gives to reporting; the share of them that "
        "reporting takes is felt as controlling (crowding out); the rest waits.",
    )
    operating_reserve_months: float = param(
        3,
        unit="months of costs",
        low=0,
        high=36,
        source=ASSUMPTION,
        doc="Money a collective keeps aside from project spending, in months of its costs.",
    )
    minimum_application_eur: float = param(
        250,
        unit="EUR",
        low=0,
        high=1e6,
        source="municipal regulations: caps from EUR 250",
        doc="Smallest amount worth applying for.",
    )
    reapply_months: int = param(
        3,
        unit="months",
        low=0,
        high=60,
        source=ASSUMPTION,
        doc="Months a collective waits after a decision before it applies again.",
    )

    # --- Municipalities (subsidy desk) ----------------------------------------------------
    municipal_subsidy_eur_per_inhabitant: float = param(
        3.0,
        unit="EUR/inhabitant/year",
        low=0,
        high=100,
        source="municipal regulations: pots EUR 20k-740k a year (assumption within that)",
        doc="Yearly small-subsidy budget of a municipality.",
    )
    municipal_grant_cap_eur: float = param(
        5000,
        unit="EUR",
        low=100,
        high=1e6,
        source="municipal regulations: typically <= 5,000",
        doc="Largest municipal small grant.",
    )
    municipal_grant_months: int = param(
        12,
        unit="months",
        low=1,
        high=60,
        plausible=(6, 24),
        source="assumption (municipal small grants fund one activity or year)",
        doc="Months a municipal grant counts as running (for the concurrent-funding rule).",
    )
    concurrent_funding_share: float = param(
        0.0,
        unit="share of the usual cap",
        low=0,
        high=1,
        plausible=(0.0, 1.0),
        source="assumption (municipal subsidy regulations' cumulation clauses bar stacking "
        "one's own subsidies; funds ask for other funders but rarely bar them)",
        doc="While a grant from any channel runs, a collective may ask at most this share of "
        "the usual cap (0: no concurrent grants; 1: as if none ran). The same in every regime.",
    )
    municipal_own_contribution_share: float = param(
        0.3,
        unit="share",
        low=0,
        high=0.9,
        source="municipal regulations: 30-50%",
        doc="Own money an applicant must hold, as a share of the grant.",
    )
    municipal_decision_months_min: int = param(
        1,
        unit="months",
        low=0,
        high=24,
        source="municipal regulations: 4-8 weeks",
        doc="Shortest municipal decision time.",
    )
    municipal_decision_months_max: int = param(
        2,
        unit="months",
        low=0,
        high=24,
        source="municipal regulations: 4-8 weeks",
        doc="Longest standard municipal decision time.",
    )
    municipal_capacity_per_10k: float = param(
        2.0,
        unit="decisions/month per 10k inhabitants",
        low=0.01,
        high=100,
        source=ASSUMPTION,
        doc="Applications a municipality can decide per month.",
    )
    municipal_approval_rule: ApprovalRule = param(
        "probabilistic",
        unit="-",
        source="municipal regulations (eligibility judged case by case); 'ranked' is the "
        "fund's light check, for symmetric comparisons",
        doc="How a municipal desk approves: 'probabilistic' (approval chance rising with "
        "quality, municipal_approval_base and approval_quality_bias) or 'ranked' (every "
        "application of at least municipal_minimum_quality), then in order of submission "
        "while the pot lasts.",
    )
    municipal_minimum_quality: float = param(
        0.25,
        unit="quality (0-1)",
        low=0,
        high=1,
        source="assumption (used only with municipal_approval_rule = 'ranked'; default as "
        "fund_minimum_quality)",
        doc="Lowest application quality a municipal desk accepts under the ranked rule.",
    )
    municipal_carry_over: bool = param(
        False,
        unit="switch",
        source="municipal practice: unspent small-subsidy budgets return to the general "
        "budget each January; true: kept, as in a fund",
        doc="Whether a municipality keeps its unspent small-subsidy pot into the next year.",
    )
    municipal_approval_base: float = param(
        0.7,
        unit="probability",
        low=0,
        high=1,
        source="assumption (no public approval rates)",
        doc="Approval chance of an application of average quality.",
    )
    approval_quality_bias: float = param(
        0.6,
        unit="probability per quality unit",
        low=0,
        high=2,
        source="assumption (Matthew effect: good writers win)",
        doc="How strongly approval depends on application quality.",
    )
    municipal_reporting_hours: float = param(
        24,
        unit="volunteer hours per grant",
        low=0,
        high=500,
        source="assumption (Rekenkamer Amsterdam 2018: effort outweighs benefit)",
        doc="Reporting hours a municipal grant costs its collective.",
    )
    municipal_compliance_cost_share: float = param(
        0.10,
        unit="share of grant",
        low=0,
        high=0.9,
        source=ASSUMPTION,
        doc="Share of a municipal grant consumed by applying and accounting.",
    )
    handling_cost_eur: float = param(
        400,
        unit="EUR per decision",
        low=0,
        high=10_000,
        source=ASSUMPTION,
        doc="Administrative cost of deciding one application (same for every channel).",
    )
    channel_layer_overhead_share: float = param(
        0.05,
        unit="share",
        low=0,
        high=0.5,
        source=ASSUMPTION,
        doc="Overhead of the organisation that passes extra money on (national layer of the "
        "subsidy channel, or the fund's organisation); equal by default for fairness.",
    )
    co_decision_mean: float = param(
        0.5,
        unit="0-1",
        low=0,
        high=1,
        source=ASSUMPTION,
        doc="Mean willingness of municipalities to co-decide with residents.",
    )
    co_decision_sd: float = param(
        0.2,
        unit="0-1",
        low=0,
        high=1,
        source=ASSUMPTION,
        doc="Spread of co-decision willingness between municipalities.",
    )

    # --- Societal fund --------------------------------------------------------------------
    allocation_rule: AllocationRule = param(
        "need_weighted",
        unit="-",
        source="Issue: configurable allocation rule",
        doc="How the fund ranks applications.",
    )
    fund_grant_cap_eur_per_year: float = param(
        25_000,
        unit="EUR/year",
        low=100,
        high=1e7,
        source=ASSUMPTION,
        doc="Largest yearly amount of one fund grant.",
    )
    fund_grant_years: int = param(
        3,
        unit="years",
        low=1,
        high=10,
        source="Groeiplan: multi-year funding (length assumed)",
        doc="Length of a fund grant, paid in monthly tranches.",
    )
    fund_own_contribution_share: float = param(
        0.0,
        unit="share",
        low=0,
        high=0.9,
        plausible=(0.0, 0.5),
        source="Groeiplan: the fund finances collectives directly (no match asked); assumption",
        doc="Own money an applicant to the fund must hold, as a share of the grant.",
    )
    fund_decision_months: int = param(
        1,
        unit="months",
        low=0,
        high=24,
        source=ASSUMPTION,
        doc="Fund decision time.",
    )
    fund_minimum_quality: float = param(
        0.25,
        unit="quality (0-1)",
        low=0,
        high=1,
        source=ASSUMPTION,
        doc="Lowest application quality the fund's light check accepts.",
    )
    fund_reporting_hours: float = param(
        8,
        unit="volunteer hours per grant-year",
        low=0,
        high=500,
        source=ASSUMPTION,
        doc="Reporting hours (Social Handprint) a fund grant costs per year.",
    )
    fund_compliance_cost_share: float = param(
        0.03,
        unit="share of grant",
        low=0,
        high=0.9,
        source=ASSUMPTION,
        doc="Share of a fund grant consumed by applying and accounting.",
    )
    fund_approval_rule: ApprovalRule = param(
        "ranked",
        unit="-",
        source="Groeiplan: a light check (ranked); 'probabilistic' is the municipal desk's "
        "rule, for symmetric comparisons",
        doc="How the fund approves: 'ranked' (minimum quality, then the allocation rule) or "
        "'probabilistic' (approval chance as at the municipal desk, with fund_approval_base "
        "and approval_quality_bias, then the allocation rule while money lasts).",
    )
    fund_approval_base: float = param(
        0.7,
        unit="probability",
        low=0,
        high=1,
        source="assumption (used only with fund_approval_rule = 'probabilistic'; default as "
        "municipal_approval_base)",
        doc="Approval chance of an application of average quality under the probabilistic rule.",
    )
    fund_payment: PaymentForm = param(
        "tranches",
        unit="-",
        source="Groeiplan: multi-year funding (monthly tranches assumed); 'lump_sum' as the "
        "municipal desk, for symmetric comparisons",
        doc="How a fund grant is paid: monthly 'tranches' over fund_grant_years, or the whole "
        "amount at the decision ('lump_sum', with every grant-year's report due then).",
    )
    fund_carry_over: bool = param(
        True,
        unit="switch",
        source="Groeiplan: a fund (unspent money stays); false: as a municipal pot, money "
        "not yet promised returns each January",
        doc="Whether the fund keeps money it has not promised from one year to the next.",
    )
    fund_envelope_period: EnvelopePeriod = param(
        "round",
        unit="-",
        source="modelling choice; 'year' is the municipal pots' rule, for symmetric comparisons",
        doc="With allocation_rule 'per_capita': a municipality's envelope is its population "
        "share of the fund's uncommitted money in each decision 'round', or fixed each "
        "January for the 'year' (spent by its grants and handling costs, as a municipal pot).",
    )
    fund_decision_months_spread: int = param(
        0,
        unit="months",
        low=0,
        high=24,
        plausible=(0, 2),
        source=ASSUMPTION,
        doc="Fund decision time is uniform from fund_decision_months to that plus this many "
        "months (0: fixed).",
    )
    fund_referral_months: int = param(
        12,
        unit="months",
        low=0,
        high=60,
        plausible=(0, 24),
        source=ASSUMPTION,
        doc="Months a collective refused by the fund applies to its municipality instead "
        "(0: it applies to the fund again).",
    )
    hybrid_extra_decision_months: int = param(
        1,
        unit="months",
        low=0,
        high=24,
        source=ASSUMPTION,
        doc="Extra decision time when municipalities co-decide on fund grants.",
    )

    # --- Social Handprint -------------------------------------------------------------------
    handprint_eur_per_volunteer_hour: float = param(
        15,
        unit="EUR/hour",
        low=0,
        high=200,
        source="assumption (MAEX table not public)",
        doc="Value of a volunteer hour (SDG 3, 11, 17).",
    )
    handprint_eur_per_stock_unit_inhabitant_year: float = param(
        60,
        unit="EUR per inhabitant per unit stock per year",
        low=0,
        high=10_000,
        source="assumption (MAEX table not public)",
        doc="Yearly societal value of one unit of infrastructure stock per inhabitant.",
    )
    handprint_eur_per_participant_year: float = param(
        100,
        unit="EUR per member per year",
        low=0,
        high=10_000,
        source="assumption (MAEX table not public)",
        doc="Yearly value of social connectedness per inhabitant who is a member of a "
        "collective (SDG 3, 10).",
    )

    @field_validator("regime")
    @classmethod
    def _known_regime(cls, value: str) -> str:
        if value not in regime_names():
            raise ValueError(f"unknown regime {value!r}; allowed: {', '.join(regime_names())}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Parameters:
        if self.initial_active_share > self.initial_participation_share:
            raise ValueError("'initial_active_share' must not exceed 'initial_participation_share'")
        if self.spin_up_months % 12:
            raise ValueError("'spin_up_months' must be whole years (a multiple of 12)")
        if 0 < self.expectation_memory_months < 1:
            raise ValueError("'expectation_memory_months' must be 0 or at least 1")
        if self.municipal_decision_months_min > self.municipal_decision_months_max:
            raise ValueError(
                "'municipal_decision_months_min' must not exceed 'municipal_decision_months_max'"
            )
        expected = self.expected_population()
        if expected > self.national_population:
            raise ValueError(
                f"'national_population' ({self.national_population:g}) must be at least the "
                f"region's expected population ({expected:,.0f}: n_municipalities x "
                "neighbourhoods_per_municipality x inhabitants_per_neighbourhood)"
            )
        agents = self.expected_agents()
        if agents > MAX_CITIZEN_AGENTS:
            raise ValueError(
                f"the region would have about {agents:,.0f} citizen agents (buurten x "
                "inhabitants_per_neighbourhood / inhabitants_per_agent, at least one per "
                f"buurt); at most {MAX_CITIZEN_AGENTS:,} are allowed (about 0.8 kB of memory "
                "each): raise 'inhabitants_per_agent' or make the region smaller"
            )
        return self

    def n_neighbourhoods(self) -> int:
        """Buurten in the region: ``neighbourhoods_per_municipality`` per municipality,
        rounded, at least one per municipality."""
        return max(
            self.n_municipalities,
            round(self.n_municipalities * self.neighbourhoods_per_municipality),
        )

    def expected_agents(self) -> float:
        """Citizen agents of the region, about: each buurt's inhabitants over
        ``inhabitants_per_agent``, at least one per buurt."""
        per_buurt = self.inhabitants_per_neighbourhood / self.inhabitants_per_agent
        return self.n_neighbourhoods() * max(1.0, per_buurt)

    def expected_population(self) -> float:
        """Inhabitants of the region on average over seeds: its buurten times
        ``inhabitants_per_neighbourhood`` (the drawn buurt sizes have mean 1)."""
        return self.n_neighbourhoods() * self.inhabitants_per_neighbourhood

    @classmethod
    def build(cls, values: dict[str, Any] | None = None, **overrides: Any) -> Parameters:
        """Validate ``values`` updated by ``overrides``; errors name parameter and range."""
        merged = {**(values or {}), **overrides}
        try:
            return cls(**merged)
        except ValidationError as error:
            raise ParameterError(describe_validation_error(error)) from None

    def replace(self, **overrides: Any) -> Parameters:
        """A copy with some values changed, validated again."""
        return Parameters.build(self.model_dump(), **overrides)


def regime_names() -> tuple[str, ...]:
    """Names of the funding regimes, sorted: one module per regime in ``model/regimes/``,
    named as the regime it registers. Read from the file names, so that parameters need
    not import the regimes (which import the model's rules, which import parameters)."""
    return tuple(
        sorted(
            path.stem for path in REGIMES_DIR.glob("*.py") if path.stem not in ("__init__", "base")
        )
    )


REGIMES_DIR = Path(__file__).resolve().parent / "regimes"


def value_from_text(text: str) -> Any:
    """A parameter value written as text (``NAME=VALUE`` on a command line): the integer,
    number or true/false it spells, else the text itself (validation is the caller's)."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return {"true": True, "false": False}.get(text.lower(), text)


def allowed_range(name: str) -> str:
    """Human-readable allowed values of parameter ``name``."""
    field = Parameters.model_fields[name]
    low = high = None
    for meta in field.metadata:
        low = getattr(meta, "ge", low)
        high = getattr(meta, "le", high)
    annotation = field.annotation
    if annotation is bool:
        return "true or false"
    if name == "regime":
        return "one of " + ", ".join(regime_names())
    if choices := get_args(annotation):
        return "one of " + ", ".join(map(str, choices))
    kind = "an integer" if annotation is int else "a number"
    if low is not None and high is not None:
        return f"{kind} from {low:g} to {high:g}"
    return kind


def bounds(name: str) -> tuple[float | None, float | None]:
    """The smallest and largest allowed value of parameter ``name`` (None: no bound)."""
    low = high = None
    for meta in Parameters.model_fields[name].metadata:
        low = getattr(meta, "ge", low)
        high = getattr(meta, "le", high)
    return low, high


def levels(name: str) -> tuple[Any, ...] | None:
    """Every value of a true/false or one-of parameter, in order (None for numbers)."""
    annotation = Parameters.model_fields[name].annotation
    if annotation is bool:
        return (False, True)
    if name == "regime":
        return regime_names()
    if get_origin(annotation) is Literal:
        return tuple(get_args(annotation))
    return None


def describe_validation_error(error: ValidationError) -> str:
    """One line per problem: the parameter, the value given and what is allowed."""
    lines = []
    for problem in error.errors():
        name = ".".join(str(part) for part in problem["loc"]) or "?"
        given = problem.get("input")
        if problem["type"] == "extra_forbidden":
            lines.append(f"unknown parameter {name!r} (see `gemsim params` for the list)")
        elif name in Parameters.model_fields:
            lines.append(
                f"parameter {name!r} = {given!r} is not allowed: must be {allowed_range(name)}"
            )
        else:
            lines.append(str(problem["msg"]).removeprefix("Value error, "))
    return "; ".join(lines)


def parameter_extra(name: str) -> dict[str, Any]:
    """Parameter ``name``'s metadata (unit, source, plausible range ...), {} when none."""
    extra = Parameters.model_fields[name].json_schema_extra
    return extra if isinstance(extra, dict) else {}


def plausible_range(name: str) -> tuple[float, float] | None:
    """The range a sensitivity analysis should vary parameter ``name`` over (None: not
    stated, the parameter is a calibrated figure or a modelling choice)."""
    plausible = parameter_extra(name).get("plausible")
    if not isinstance(plausible, list):
        return None
    low, high = (float(str(bound)) for bound in plausible)
    return low, high


def plausible_text(name: str) -> str:
    """``plausible_range`` as text: "0 to 0.4", or "" when none is stated."""
    found = plausible_range(name)
    return "" if found is None else f"{found[0]:g} to {found[1]:g}"


def parameter_table() -> list[dict[str, Any]]:
    """Rows of name, unit, default, range and source for every parameter."""
    rows = []
    for name, field in Parameters.model_fields.items():
        extra = parameter_extra(name)
        rows.append(
            {
                "name": name,
                "unit": extra.get("unit", ""),
                "default": field.default,
                "allowed": allowed_range(name),
                "plausible": plausible_text(name),
                "source": extra.get("source", ""),
                "description": field.description or "",
            }
        )
    return rows
