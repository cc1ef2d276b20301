"""Double-entry money accounting in integer euro cents, from source to destination.

Every euro enters from a ``source:*`` account, may be held for a while (``held:*``), and
ends as spending (``spent:*``), overhead (``overhead:*``), applicants' cost
(``applicant_cost:*``) or unspent money returned (``unspent:*``). Because every transfer
debits one account and credits another by the same whole number of cents, the balances
always sum to zero, and

    money in = spent + overhead + applicants' cost + unspent + still held

holds to the cent. :meth:`Ledger.check` verifies this and that per-entity holdings (the
model's arrays of collective money and municipal budgets) match their ledger accounts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import numpy as np

from gemsim.errors import RunError

SOURCE, HELD = "source", "held"
ENDS = ("spent", "overhead", "applicant_cost", "unspent")


def to_cents(euros: float | np.ndarray) -> np.ndarray:
    """Round euros to whole cents (int64)."""
    return np.rint(np.asarray(euros, dtype=np.float64) * 100).astype(np.int64)


class LedgerError(RunError, AssertionError):
    """Money was created or destroyed: an accounting bug."""


class Ledger:
    """Balances and cumulative flows between named accounts, in cents."""

    def __init__(self) -> None:
        self.balance: dict[str, int] = defaultdict(int)
        self.flows: dict[tuple[str, str], int] = defaultdict(int)
        # Accounts per prefix, valid while no account is added (accounts are never removed).
        self._by_prefix: dict[str, tuple[str, ...]] = {}
        self._accounts_seen = 0

    def transfer(self, source: str, destination: str, cents: int | np.integer) -> None:
        """Move ``cents`` (>= 0) from ``source`` to ``destination``."""
        cents = int(cents)
        if cents < 0:
            raise LedgerError(f"negative transfer {source} -> {destination}: {cents}")
        if cents == 0:
            return
        if not source.startswith(SOURCE) and self.balance[source] < cents:
            raise LedgerError(f"{source} holds {self.balance[source]} cents, not {cents}")
        self.balance[source] -= cents
        self.balance[destination] += cents
        self.flows[(source, destination)] += cents

    def accounts(self, prefix: str) -> tuple[str, ...]:
        """Names of the accounts that start with ``prefix``."""
        if len(self.balance) != self._accounts_seen:
            self._by_prefix.clear()
            self._accounts_seen = len(self.balance)
        names = self._by_prefix.get(prefix)
        if names is None:
            names = tuple(name for name in self.balance if name.startswith(prefix))
            self._by_prefix[prefix] = names
        return names

    def total(self, prefix: str) -> int:
        """Sum of balances of accounts whose name starts with ``prefix``."""
        balance = self.balance
        return sum(balance[name] for name in self.accounts(prefix))

    def money_in(self) -> int:
        return -self.total(SOURCE)

    def flow_into(self, destinations: Iterable[str]) -> int:
        """Cumulative cents that reached any of ``destinations``."""
        wanted = set(destinations)
        return sum(cents for (_, dest), cents in self.flows.items() if dest in wanted)

    def check(self, holdings: dict[str, int] | None = None) -> None:
        """Raise :class:`LedgerError` unless money is conserved to the cent."""
        ends = sum(self.total(prefix) for prefix in ENDS)
        held = self.total(HELD)
        if self.money_in() != ends + held:
            raise LedgerError(f"money in {self.money_in()} != ends {ends} + held {held} (cents)")
        if min(self.balance.values(), default=0) < 0:
            sources = set(self.accounts(SOURCE))
            for name, value in self.balance.items():
                if name not in sources and value < 0:
                    raise LedgerError(f"account {name} is negative: {value} cents")
        for name, cents in (holdings or {}).items():
            if self.balance[name] != cents:
                raise LedgerError(
                    f"account {name} says {self.balance[name]} cents, entities hold {cents}"
                )

    def summary_eur(self) -> dict[str, float]:
        """Balance of every account in euros (sources negative)."""
        return {name: cents / 100 for name, cents in sorted(self.balance.items())}
