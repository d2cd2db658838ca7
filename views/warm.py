"""Keep the whole-database aggregates warm.

The first request for an aggregate after a write pays for its computation,
and every concurrent request waits for it (single flight).  A server runs a
:class:`Warmer` thread that recomputes the common aggregates — stats,
corridors and transit hubs at country level, the location table — as soon
as the data version changes, for the two compartment classes nearly every
user falls in: everything (admins) and every restricted case hidden (users
named in none).  It uses the same views and cache as requests, so a request
arriving mid-computation simply waits for the same flight; it writes no
audit entry (nobody is shown anything).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from graph.scope import Scope, data_version

__all__ = ["warm", "Warmer"]

log = logging.getLogger("netintel.views")


def warm(driver: Any) -> list[str]:
    """Compute the common aggregates into the cache; returns what was warmed."""
    from . import explore, routes

    done = []
    q = routes.RouteQuery.parse()
    # "" is never a name in restricted_to: the compartment of every user no restricted case names
    for scope in (Scope.operator(driver, "cache warm-up", user="netintel"), Scope.for_user(driver, "", "viewer")):
        explore.stats(scope)
        routes.corridors(scope, q)
        routes.hubs(scope, q)
        routes.route_map(scope, q)
        done.append(scope.compartment().key)
    # investigators of that compartment see exact counts: their disclosed tables are cached apart
    inv = Scope.for_user(driver, "", "investigator")
    routes.corridors(inv, q)
    routes.hubs(inv, q)
    return done


class Warmer:
    """A daemon thread that calls :func:`warm` whenever the data version changes."""

    def __init__(self, driver: Callable[[], Any], every: float = 2.0) -> None:
        self._driver, self.every = driver, every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="netintel-warmer")
        self.last: str | None = None

    def start(self) -> Warmer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)

    def _run(self) -> None:
        while not self._stop.is_set():
            drv = self._driver()
            if drv is not None:
                try:
                    v = data_version(drv)
                    if v != self.last:
                        warm(drv)
                        self.last = v
                except Exception as exc:  # noqa: BLE001 - never let warming take the server down
                    log.warning("cache warm-up failed: %s", exc)
            self._stop.wait(self.every)
