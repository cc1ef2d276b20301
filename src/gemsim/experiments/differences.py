"""Differences between two experiment records, in plain values.

Used before resuming: the experiment stored in a results folder's manifest must be the one
asked for now, or the stored and new runs would not belong together. Values are compared
as JSON (what the manifest stores) and shown as they would be written in a TOML file, never
as Python or numpy reprs.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from gemsim.experiments.manifest import jsonable

__all__ = ["NOT_SET", "Difference", "plain", "record_differences"]


class _NotSet:
    def __repr__(self) -> str:
        return "not set"


#: Stands for a key that one of the two records does not have.
NOT_SET: Any = _NotSet()


def plain(value: Any) -> str:
    """``value`` as a person would write it: ``120``, ``0.5``, ``"direct_fund"``, ``true``,
    ``[1, 2]``; ``not set`` for :data:`NOT_SET`."""
    if value is NOT_SET:
        return "not set"
    return json.dumps(jsonable(value), sort_keys=True, ensure_ascii=False)


@dataclass(frozen=True)
class Difference:
    """One key whose value differs: dotted ``key``, the ``stored`` and the ``current`` value
    (:data:`NOT_SET` where a record lacks the key)."""

    key: str
    stored: Any
    current: Any

    def __str__(self) -> str:
        return f"{self.key}: stored {plain(self.stored)}, now {plain(self.current)}"


def _ignored(key: str, patterns: Collection[str]) -> bool:
    return any(fnmatch.fnmatchcase(key, pattern) for pattern in patterns)


def _walk(stored: Any, current: Any, prefix: str, ignore: Collection[str]) -> list[Difference]:
    if isinstance(stored, Mapping) and isinstance(current, Mapping):
        found: list[Difference] = []
        for name in [*stored, *(k for k in current if k not in stored)]:
            key = f"{prefix}.{name}" if prefix else str(name)
            if _ignored(key, ignore):
                continue
            found += _walk(stored.get(name, NOT_SET), current.get(name, NOT_SET), key, ignore)
        return found
    if stored is NOT_SET or current is NOT_SET or stored != current:
        return [Difference(prefix, stored, current)]
    return []


def record_differences(
    stored: Mapping[str, Any], current: Mapping[str, Any], ignore: Collection[str] = ()
) -> list[Difference]:
    """Every leaf value that differs between two records (nested mappings are compared key
    by key; lists as a whole), in the stored record's key order.

    Args:
        stored: the record as read back from JSON.
        current: the record now (converted with :func:`jsonable` and a JSON round trip, so
            tuples equal lists and numpy scalars equal numbers).
        ignore: dotted keys to skip; ``fnmatch`` patterns (``scenarios.*.file``).
    """
    now = json.loads(json.dumps(jsonable(current)))
    return _walk(dict(stored), now, "", ignore)
