"""Seeds for replications, derived from one root seed.

Why this scheme:

* **Prefix consistency.** Replication ``r`` uses the ``r``-th child of
  ``numpy.random.SeedSequence(root_seed)``. A child depends only on the root entropy and
  its own index (its ``spawn_key``), never on how many children were spawned, so the seeds
  for 30 replications start with the seeds for 10. An experiment can therefore be extended
  with more replications (and resumed) without changing the runs already done.
* **Common random numbers.** The list depends on the root seed only, not on the scenario,
  so replication ``r`` of every scenario (and every parameter point) starts from the same
  seed. Differences between scenarios are then not blurred by different random draws,
  which sharply reduces the variance of paired scenario comparisons.
* **Independent streams.** ``SeedSequence`` hashes the root entropy and spawn key, so child
  seeds are well mixed and statistically independent even for consecutive root seeds.
* **63 bits.** Each seed is a non-negative integer below ``2**63``: it fits a signed
  int64 column in Parquet/pandas without overflow and is accepted by every numpy and
  standard-library random API.
"""

from __future__ import annotations

import numpy as np

__all__ = ["replication_seeds"]

_MASK_63 = np.uint64(2**63 - 1)


def replication_seeds(root_seed: int, replications: int) -> list[int]:
    """Return one 63-bit seed per replication, derived from ``root_seed``.

    ``replication_seeds(s, n)[:k] == replication_seeds(s, k)`` for every ``k <= n``, and
    the result is the same for every scenario (see the module docstring).

    Args:
        root_seed: non-negative root seed of the experiment.
        replications: number of replications (>= 0).
    """
    if root_seed < 0:
        raise ValueError("root_seed must be non-negative")
    if replications < 0:
        raise ValueError("replications must be non-negative")
    # A fresh SeedSequence each call: spawn() advances an internal counter.
    children = np.random.SeedSequence(root_seed).spawn(replications)
    return [int(child.generate_state(1, dtype=np.uint64)[0] & _MASK_63) for child in children]
