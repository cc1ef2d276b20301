"""One declaration per outcome: what the model reports each month, and how to show it.

Every reporter of :class:`~gemsim.model.model.CommunityModel` is one :class:`Outcome` in
:data:`OUTCOMES`: its column name, the function that computes it from the model, its
definition, and the label, unit and scale readers see it with. Everything else is derived
from that tuple: the model's DataCollector (in declaration order, which is the column
order of the model frame), ``MODEL_REPORTERS`` and ``MONEY_REPORTERS``, the labels and
groups of :mod:`gemsim.analysis.outcomes`, and the reporter table of ``docs/ODD.md``
(section 4.11, :func:`outcome_table_markdown`). Adding an outcome is adding one entry.

Values are stored in model units: shares in 0-1, wellbeing in points on 0-10, money in
euros. ``scale`` turns a stored value into the shown one (100 for shares, shown as % and
their differences as percentage points).

This module imports neither Mesa nor the model (the functions receive the model), so the
analysis reads labels without loading the simulation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from gemsim.model.collective_types import COLLECTIVE_TYPES

if TYPE_CHECKING:
    from gemsim.model.citizens import Citizens
    from gemsim.model.model import CommunityModel

__all__ = ["KINDS", "OUTCOMES", "Kind", "Outcome", "outcome_table_markdown"]

Kind = Literal["outcome", "money", "collective_type"]

#: What each kind of reporter is, as the ODD table introduces it.
KINDS: dict[Kind, str] = {
    "outcome": (
        "Outcomes, summarised in every report. Shares are population-weighted over citizens "
        "unless stated; they are stored in 0–1 and reports show them in %, and differences "
        "between them in percentage points."
    ),
    "money": "Money reporters (`MONEY_REPORTERS`), all **cumulative euros** since the start.",
    "collective_type": "Living collectives per type (section 2.2).",
}


@dataclass(frozen=True)
class Outcome:
    """One reporter: how the model computes it and how readers see it.

    Attributes:
        name: reporter (column) name.
        label: plain-language name, e.g. "Trust in local government".
        unit: unit of a level after scaling, e.g. "% of residents".
        function: computes the stored value from the model (called every month).
        doc: definition, for ``docs/ODD.md`` (Markdown).
        kind: "outcome" (summarised by the analysis), "money" (a ledger flow) or
            "collective_type" (a count per type of collective).
        scale: factor from the stored value to the shown value (100 for shares).
        diff_unit: unit of a difference after scaling (default: ``unit``).
        short: short name for narrow panels and sentences.
        headline: drawn over time, as differences and in headline sentences.
        equity_gap: a gap between high- and low-SES neighbourhoods.
        gain_unit: for a cost per unit gained: (factor from the stored value, unit text).
        spending: summed into the public cost of a scenario.
        accounts: ledger accounts a money reporter sums (see ``CommunityModel.money_eur``).
        money_destination: one of the parts of the "where the money went" figure.
    """

    name: str
    label: str
    unit: str
    function: Callable[[CommunityModel], float]
    doc: str
    kind: Kind = "outcome"
    scale: float = 1.0
    diff_unit: str = ""
    short: str = ""
    headline: bool = False
    equity_gap: bool = False
    gain_unit: tuple[float, str] | None = None
    spending: bool = False
    accounts: tuple[str, ...] = ()
    money_destination: bool = False

    def __post_init__(self) -> None:
        if not self.diff_unit:
            object.__setattr__(self, "diff_unit", self.unit)

    @property
    def title(self) -> str:
        """Label with unit, for axis titles: "Trust in local government (% of residents)"."""
        return f"{self.label} ({self.unit})"

    @property
    def noun(self) -> str:
        """Lower-case short name for sentences: "trust in local government"."""
        text = self.short or self.label
        return text[:1].lower() + text[1:] if not text[:2].isupper() else text


# --- Reporter functions --------------------------------------------------------------------
# The citizens' rules import scipy: they are imported when a model reports, not when the
# analysis reads labels.


def _weighted_share(model: CommunityModel, mask: np.ndarray) -> float:
    from gemsim.model.citizens import weighted_share

    return weighted_share(mask, model.citizens.weight)


def _ses_gap(model: CommunityModel, values: np.ndarray) -> float:
    """Mean in high-SES minus low-SES buurten (population weighted)."""
    from gemsim.model.citizens import weighted_mean

    c, region = model.citizens, model.region
    high = region.neighbourhood_high_ses[c.neighbourhood]
    low = region.neighbourhood_low_ses[c.neighbourhood]
    return weighted_mean(values[high], c.weight[high]) - weighted_mean(values[low], c.weight[low])


def _trust_government(model: CommunityModel) -> float:
    return _weighted_share(model, model.citizens.trust_local >= 0.5)


def _trust_national(model: CommunityModel) -> float:
    return _weighted_share(model, model.citizens.trust_national >= 0.5)


def _social_trust(model: CommunityModel) -> float:
    return _weighted_share(model, model.citizens.social_trust >= 0.5)


def _participation(model: CommunityModel) -> float:
    return _weighted_share(model, model.citizens.participating)


def _active_share(model: CommunityModel) -> float:
    from gemsim.model.citizens import ACTIVE

    return _weighted_share(model, model.citizens.state >= ACTIVE)


def _volunteer_hours(model: CommunityModel) -> float:
    from gemsim.model.citizens import weighted_total  # not np.dot: BLAS-thread independent

    return weighted_total(model._citizen_hours, model.citizens.weight)


def _wellbeing(model: CommunityModel) -> float:
    from gemsim.model.citizens import weighted_mean

    return weighted_mean(model.citizens.wellbeing, model.citizens.weight)


def _satisfied_share(model: CommunityModel) -> float:
    return _weighted_share(model, model.citizens.wellbeing >= 7.0)


def _neighbourhoods_in_order(model: CommunityModel) -> float:
    return float(model.buurten_in_order().mean())


def _mean_infrastructure(model: CommunityModel) -> float:
    return float(model.stock.mean())


def _collectives(model: CommunityModel) -> int:
    return model.collective_count()


def _funds_disbursed_eur(model: CommunityModel) -> float:
    """Money that reached communities: grants, social infrastructure, movement support."""
    grants = sum(v for k, v in model.counts.items() if k.startswith("granted_cents_"))
    streams = model.ledger.flow_into(["spent:social_infrastructure", "spent:movement_support"])
    return (grants + streams) / 100


def _overhead_eur(model: CommunityModel) -> float:
    return model.ledger.total("overhead") / 100


def _applicant_cost_eur(model: CommunityModel) -> float:
    return model.ledger.total("applicant_cost") / 100


def _handprint_eur(model: CommunityModel) -> float:
    return float(model.handprint_sdg.sum())


def _handprint_cumulative_eur(model: CommunityModel) -> float:
    return model.handprint_cumulative


def _trust_gap_ses(model: CommunityModel) -> float:
    return _ses_gap(model, (model.citizens.trust_local >= 0.5).astype(np.float64))


def _participation_gap_ses(model: CommunityModel) -> float:
    return _ses_gap(model, model.citizens.participating.astype(np.float64))


def _wellbeing_gap_ses(model: CommunityModel) -> float:
    return _ses_gap(model, model.citizens.wellbeing)


def _money_eur(model: CommunityModel, accounts: tuple[str, ...]) -> float:
    return model.money_eur(accounts)


def _collectives_of_type(model: CommunityModel, kind: int) -> int:
    return model.collective_count(kind)


# --- All reporters in one pass ---------------------------------------------------------------


class CitizenConstants:
    """What the reporters read about citizens that does not change during a run: the total
    weight and who lives in high- and low-SES buurten (citizens do not move, and their
    weights are fixed). Recomputed if the model's citizen arrays are replaced."""

    def __init__(self) -> None:
        self._key: tuple[int, int, int] | None = None

    def of(self, model: CommunityModel) -> CitizenConstants:
        c, region = model.citizens, model.region
        key = (id(c.weight), id(c.neighbourhood), id(region))
        if key != self._key:
            self._key = key
            self.weight_sum = float(c.weight.sum())
            self.high = np.flatnonzero(region.neighbourhood_high_ses[c.neighbourhood])
            self.low = np.flatnonzero(region.neighbourhood_low_ses[c.neighbourhood])
            self.high_weight = c.weight[self.high]
            self.low_weight = c.weight[self.low]
            self.high_weight_sum = float(self.high_weight.sum())
            self.low_weight_sum = float(self.low_weight.sum())
        return self


class _Month:
    """The built-in reporters evaluated together: each computes what the reporter function
    of the same name computes, with the same NumPy operations on the same arrays (so the
    same bits), reading the run's constants and this month's shared pieces once."""

    def __init__(self, model: CommunityModel, constants: CitizenConstants) -> None:
        self.model = model
        self.k = constants.of(model)
        self.weight = model.citizens.weight
        self._collective_counts: np.ndarray | None = None
        self._ledger_totals: dict[str, int] = {}

    def total(self, values: np.ndarray) -> float:
        # citizens.weighted_total, inlined: not np.dot (BLAS-thread independent)
        return float(np.multiply(values, self.weight).sum())

    def share(self, mask: np.ndarray) -> float:
        return self.total(mask) / self.k.weight_sum

    def ses_gap(self, values: np.ndarray) -> float:
        k = self.k
        high = float(np.multiply(values[k.high], k.high_weight).sum()) / k.high_weight_sum
        low = float(np.multiply(values[k.low], k.low_weight).sum()) / k.low_weight_sum
        return high - low

    def ledger_total(self, prefix: str) -> int:
        if prefix not in self._ledger_totals:
            self._ledger_totals[prefix] = self.model.ledger.total(prefix)
        return self._ledger_totals[prefix]

    def money(self, accounts: tuple[str, ...]) -> float:
        # CommunityModel.money_eur, with ledger totals shared between reporters
        total = 0
        for account in accounts:
            if account.startswith("granted:"):
                total += self.model.counts[f"granted_cents_{account.removeprefix('granted:')}"]
            elif account == "source":
                total -= self.ledger_total("source")
            else:
                total += self.ledger_total(account)
        return total / 100

    def collectives(self, kind: int | None) -> int:
        if self._collective_counts is None:
            table = self.model.collectives
            kinds = table.kind[table.living()]
            counts = np.bincount(kinds, minlength=len(COLLECTIVE_TYPES))
            self._collective_counts = np.append(counts, kinds.size)
        return int(self._collective_counts[-1 if kind is None else kind])


def _month_functions() -> dict[Callable[[CommunityModel], float], Callable[[_Month], float]]:
    """Reporter function -> its evaluation in :class:`_Month`."""
    from gemsim.model.citizens import ACTIVE

    def c(month: _Month) -> Citizens:
        return month.model.citizens

    return {
        _trust_government: lambda m: m.share(c(m).trust_local >= 0.5),
        _trust_national: lambda m: m.share(c(m).trust_national >= 0.5),
        _social_trust: lambda m: m.share(c(m).social_trust >= 0.5),
        _participation: lambda m: m.share(c(m).participating),
        _active_share: lambda m: m.share(c(m).state >= ACTIVE),
        _volunteer_hours: lambda m: m.total(m.model._citizen_hours),
        _wellbeing: lambda m: m.share(c(m).wellbeing),
        _satisfied_share: lambda m: m.share(c(m).wellbeing >= 7.0),
        _collectives: lambda m: m.collectives(None),
        _overhead_eur: lambda m: m.ledger_total("overhead") / 100,
        _applicant_cost_eur: lambda m: m.ledger_total("applicant_cost") / 100,
        _trust_gap_ses: lambda m: m.ses_gap((c(m).trust_local >= 0.5).astype(np.float64)),
        _participation_gap_ses: lambda m: m.ses_gap(c(m).participating.astype(np.float64)),
        _wellbeing_gap_ses: lambda m: m.ses_gap(c(m).wellbeing),
    }


_MONTH_FUNCTIONS: dict[Callable[[CommunityModel], float], Callable[[_Month], float]] = {}

#: Per tuple of outcomes (by identity, kept alive here): each outcome's name and its
#: evaluation in :class:`_Month`, worked out once instead of every month. Kept here, not
#: on the model's collector: a model's state is pickled for sharing month 0, and the
#: evaluations (closures) do not pickle.
_PLANS: dict[int, tuple[tuple[Outcome, ...], tuple[tuple[str, Callable[[_Month], Any]], ...]]] = {}


def _evaluation(function: Callable[[CommunityModel], Any]) -> Callable[[_Month], Any]:
    """How :class:`_Month` computes what ``function(model)`` returns."""
    if isinstance(function, partial) and function.func is _money_eur:
        accounts = function.keywords["accounts"]
        return lambda month: month.money(accounts)
    if isinstance(function, partial) and function.func is _collectives_of_type:
        kind = function.keywords["kind"]
        return lambda month: month.collectives(kind)
    if function in _MONTH_FUNCTIONS:
        return _MONTH_FUNCTIONS[function]
    return lambda month: function(month.model)


def _plan(outcomes: tuple[Outcome, ...]) -> tuple[tuple[str, Callable[[_Month], Any]], ...]:
    if not _MONTH_FUNCTIONS:
        _MONTH_FUNCTIONS.update(_month_functions())
    kept = _PLANS.get(id(outcomes))
    if kept is None or kept[0] is not outcomes:
        kept = (outcomes, tuple((o.name, _evaluation(o.function)) for o in outcomes))
        if len(_PLANS) >= 16:  # a few tuples in practice; never more than a few kept
            _PLANS.clear()
        _PLANS[id(outcomes)] = kept
    return kept[1]


def monthly_values(
    model: CommunityModel,
    outcomes: tuple[Outcome, ...] | None = None,
    constants: CitizenConstants | None = None,
) -> dict[str, float]:
    """Every outcome's value now, by name: what each ``outcome.function(model)`` returns,
    bit for bit, computed in one pass (the DataCollector's path). Reporters other than the
    built-in ones are called as declared."""
    month = _Month(model, constants or CitizenConstants())
    plan = _plan(OUTCOMES if outcomes is None else outcomes)
    return {name: evaluate(month) for name, evaluate in plan}


# --- Declarations ----------------------------------------------------------------------------


def _share(
    name: str,
    label: str,
    unit: str,
    function: Callable[[CommunityModel], float],
    doc: str,
    *,
    short: str = "",
    headline: bool = False,
    equity_gap: bool = False,
    gain_unit: tuple[float, str] | None = None,
) -> Outcome:
    """A share (stored 0-1): shown in %, differences in percentage points."""
    return Outcome(
        name,
        label,
        unit,
        function,
        doc,
        scale=100.0,
        diff_unit="percentage points",
        short=short,
        headline=headline,
        equity_gap=equity_gap,
        gain_unit=gain_unit,
    )


def _money(
    name: str, label: str, accounts: tuple[str, ...], doc: str, destination: bool = True
) -> Outcome:
    """A cumulative money flow (euros) summed over ledger ``accounts``."""
    return Outcome(
        name,
        label,
        "EUR",
        partial(_money_eur, accounts=accounts),
        doc,
        kind="money",
        accounts=accounts,
        money_destination=destination,
    )


def _collective_type(index: int) -> Outcome:
    name = COLLECTIVE_TYPES[index].name
    return Outcome(
        f"collectives_{name}",
        f"{name.replace('_', ' ').capitalize()}s",
        "count",
        partial(_collectives_of_type, kind=index),
        f"number of living collectives of type `{name}`",
        kind="collective_type",
    )


OUTCOMES: tuple[Outcome, ...] = (
    _share(
        "trust_government",
        "Trust in local government",
        "% of residents",
        _trust_government,
        "share of citizens with `trust_local` ≥ 0.5 (cf. CBS trust in the municipal council)",
        headline=True,
        gain_unit=(100.0, "percentage point of trust in local government"),
    ),
    _share(
        "trust_national",
        "Trust in national government",
        "% of residents",
        _trust_national,
        "share with `trust_national` ≥ 0.5 (cf. CBS trust in parliament)",
    ),
    _share(
        "social_trust",
        "Trust in other people (social trust)",
        "% of residents",
        _social_trust,
        'share with `social_trust` ≥ 0.5 (cf. CBS "most people can be trusted")',
        short="Social trust",
        headline=True,
        gain_unit=(100.0, "percentage point of social trust"),
    ),
    _share(
        "participation",
        "Residents who volunteer (participation)",
        "% of residents",
        _participation,
        "share with state ≥ occasional: volunteered at least occasionally in the past year "
        "(cf. CBS yearly volunteering)",
        short="Participation",
        headline=True,
        gain_unit=(100.0, "percentage point of participation"),
    ),
    _share(
        "active_share",
        "Residents volunteering every month",
        "% of residents",
        _active_share,
        "share with state ≥ active (active or initiator): at least monthly",
        short="Monthly volunteering",
    ),
    Outcome(
        "wellbeing",
        "Wellbeing (life satisfaction, 0-10)",
        "points",
        _wellbeing,
        "population-weighted mean life satisfaction (0–10)",
        short="Wellbeing",
        headline=True,
        gain_unit=(10.0, "0.1 point of wellbeing (0-10 scale)"),
    ),
    _share(
        "satisfied_share",
        "Residents satisfied with life (7 or more)",
        "% of residents",
        _satisfied_share,
        "share with wellbeing ≥ 7",
        short="the share of residents satisfied with life",
        headline=True,
    ),
    _share(
        "neighbourhoods_in_order",
        "Neighbourhoods 'in order'",
        "% of neighbourhoods",
        _neighbourhoods_in_order,
        "share of buurten (unweighted) with every category ≥ `in_order_threshold` "
        "(short of it by less than one cent buys counts as at it)",
        short="the share of neighbourhoods in order",
        headline=True,
        gain_unit=(100.0, "percentage point of neighbourhoods in order"),
    ),
    Outcome(
        "collectives",
        "Citizen collectives",
        "count",
        _collectives,
        "number of living collectives (per type: `collectives_<type>` below)",
    ),
    Outcome(
        "volunteer_hours",
        "Volunteer hours",
        "hours per month",
        _volunteer_hours,
        "$\\sum_i h_i w_i$: real volunteer hours per month of all inhabitants (in collectives "
        "or elsewhere)",
    ),
    Outcome(
        "handprint_eur",
        "Social Handprint value",
        "EUR per month",
        _handprint_eur,
        "Social Handprint value created **this month** (€, section 7.22); 0 at month 0",
    ),
    Outcome(
        "handprint_cumulative_eur",
        "Social Handprint value, cumulative",
        "EUR",
        _handprint_cumulative_eur,
        "sum of `handprint_eur` since the start",
    ),
    Outcome(
        "funds_disbursed_eur",
        "Money that reached communities, cumulative",
        "EUR",
        _funds_disbursed_eur,
        "cumulative € that reached communities: gross grants of all channels (before "
        "applicants' costs) + `spent:social_infrastructure` + `spent:movement_support`",
        short="Money disbursed",
        spending=True,
    ),
    Outcome(
        "overhead_eur",
        "Overhead, cumulative",
        "EUR",
        _overhead_eur,
        "cumulative balance of all `overhead:*` accounts: channel layer, municipal and fund "
        "handling, social-infrastructure programme administration",
        short="Overhead",
        spending=True,
    ),
    Outcome(
        "applicant_cost_eur",
        "Applicants' compliance cost, cumulative",
        "EUR",
        _applicant_cost_eur,
        "cumulative balance of `applicant_cost:*`: the share of grants consumed by applying "
        "and accounting",
        short="Applicants' cost",
    ),
    _share(
        "trust_gap_ses",
        "Trust gap (high- minus low-SES)",
        "percentage points",
        _trust_gap_ses,
        "`trust_government` among citizens of high-SES-tercile buurten minus that of "
        "low-SES-tercile buurten",
        short="Trust gap",
        equity_gap=True,
    ),
    _share(
        "participation_gap_ses",
        "Participation gap (high- minus low-SES)",
        "percentage points",
        _participation_gap_ses,
        "the same for `participation`",
        short="Participation gap",
        equity_gap=True,
    ),
    Outcome(
        "wellbeing_gap_ses",
        "Wellbeing gap (high- minus low-SES)",
        "points",
        _wellbeing_gap_ses,
        "the same for mean wellbeing",
        short="Wellbeing gap",
        equity_gap=True,
    ),
    Outcome(
        "mean_infrastructure",
        "Mean social-infrastructure stock",
        "0-1 scale",
        _mean_infrastructure,
        "mean of `stock` over buurten and categories (unweighted)",
        short="Infrastructure stock",
    ),
    _money(
        "money_in_eur",
        "Money in",
        ("source",),
        "all money that entered from any `source:*` account (initial holdings, own income, "
        "municipal budgets, national money, the administrations' general budgets for handling "
        "beyond a pot, stream money)",
        destination=False,
    ),
    _money(
        "grants_municipal_eur",
        "Grants via municipalities",
        ("granted:municipal",),
        "gross municipal grants paid",
    ),
    _money(
        "grants_fund_eur",
        "Grants via the fund",
        ("granted:fund",),
        "gross fund tranches paid",
    ),
    _money(
        "social_infrastructure_eur",
        "Social infrastructure built",
        ("spent:social_infrastructure",),
        "social-infrastructure money spent on stock (`spent:social_infrastructure`)",
    ),
    _money(
        "movement_support_eur",
        "Movement support",
        ("spent:movement_support",),
        "movement-infrastructure money spent (`spent:movement_support`)",
    ),
    _money(
        "spent_projects_eur",
        "Spent on projects",
        ("spent:projects",),
        "collectives' project spending (`spent:projects`)",
        destination=False,
    ),
    _money(
        "overhead_channel_layer_eur",
        "Overhead: extra channel layer",
        ("overhead:channel_layer",),
        "overhead of the organisation passing extra money on (`overhead:channel_layer`)",
    ),
    _money(
        "overhead_handling_eur",
        "Overhead: handling applications",
        ("overhead:municipal_handling", "overhead:fund_handling"),
        "handling cost of decisions (`overhead:municipal_handling` + `overhead:fund_handling`)",
    ),
    _money(
        "overhead_social_infrastructure_eur",
        "Overhead: social-infrastructure programme",
        ("overhead:social_infrastructure",),
        "programme administration of the social-infrastructure stream",
    ),
    _money(
        "unspent_eur",
        "Unspent (returned)",
        ("unspent",),
        "`unspent:*`: municipal pots returned each January and money held by dissolved collectives",
    ),
    _money(
        "held_eur",
        "Still held (budgets, fund, collectives)",
        ("held",),
        "`held:*` now: money held by collectives, municipal pots, the fund and the "
        "social-infrastructure programme (a stock, not a flow)",
    ),
    *(_collective_type(index) for index in range(len(COLLECTIVE_TYPES))),
)


# --- The ODD table ---------------------------------------------------------------------------


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def outcome_table_markdown(outcomes: tuple[Outcome, ...] | None = None) -> str:
    """The reporter tables of ``docs/ODD.md`` (section 4.11), one per kind, in declaration
    order. Regenerate the ODD block with ``python -m gemsim.model.outcomes``."""
    outcomes = OUTCOMES if outcomes is None else outcomes
    parts = []
    for kind, caption in KINDS.items():
        rows = [o for o in outcomes if o.kind == kind]
        if not rows:
            continue
        lines = [caption, "", "| reporter | definition | shown in reports as |", "|---|---|---|"]
        lines += [f"| `{o.name}` | {_cell(o.doc)} | {_cell(o.title)} |" for o in rows]
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"


if __name__ == "__main__":
    print(outcome_table_markdown(), end="")
