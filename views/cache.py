"""Whole-database projections and aggregates, computed once and shared.

Keys always start with the view's name and the scope's
:meth:`graph.scope.Scope.cache_key` — ``(data version, compartment key)`` — so
an entry is stale as soon as any write bumps the data version, and scopes
with different compartments never share one.  One computation is in flight
per key: concurrent requests for the same key wait for the first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

from graph.scope import check_memory_only

__all__ = ["Cache", "CacheStats", "cache", "configure"]

T = TypeVar("T")


@dataclass
class CacheStats:
    hits: int = 0
    misses: int = 0
    waits: int = 0
    evictions: int = 0


class _Flight:
    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: Any = None
        self.error: BaseException | None = None


class Cache:
    """A bounded LRU of computed values with single-flight computation."""

    def __init__(self, max_entries: int = 256) -> None:
        self.max_entries = max(1, int(max_entries))
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self._flights: dict[Hashable, _Flight] = {}
        self._lock = threading.Lock()
        self.stats = CacheStats()

    def peek(self, key: Hashable) -> tuple[bool, Any]:
        """``(True, value)`` when ``key`` is cached, else ``(False, None)``; never computes."""
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                self.stats.hits += 1
                return True, self._data[key]
        return False, None

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._put(key, value)

    def _put(self, key: Hashable, value: Any) -> None:
        self._data[key] = value
        self._data.move_to_end(key)
        while len(self._data) > self.max_entries:
            self._data.popitem(last=False)
            self.stats.evictions += 1

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The cached value of ``key``, computing it once (other callers wait) if missing.

        An error is raised to every waiter and nothing is cached.
        """
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                self.stats.hits += 1
                return self._data[key]
            check_memory_only(f"computing {key!r}")  # a miss: not answerable from memory
            flight = self._flights.get(key)
            mine = flight is None
            if flight is None:
                flight = self._flights[key] = _Flight()
                self.stats.misses += 1
            else:
                self.stats.waits += 1
        if not mine:
            flight.done.wait()
            if flight.error is not None:
                raise flight.error
            return flight.value
        try:
            flight.value = compute()
            with self._lock:
                self._put(key, flight.value)
            return flight.value
        except BaseException as exc:
            flight.error = exc
            raise
        finally:
            with self._lock:
                self._flights.pop(key, None)
            flight.done.set()

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def __len__(self) -> int:
        return len(self._data)


#: the process's cache (sized by ``NETINTEL_CACHE_ENTRIES`` through :func:`configure`)
cache = Cache()


def configure(max_entries: int) -> None:
    """Resize the process cache (keeps what fits)."""
    with cache._lock:
        cache.max_entries = max(1, int(max_entries))
