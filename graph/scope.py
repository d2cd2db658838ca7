"""The one door for reads: who is asking, and what they may see.

A :class:`Scope` is built once per API request (from the logged-in user) or
per CLI call (a named user, or an explicit :meth:`Scope.operator` scope for
maintenance) and passed down to every read of :mod:`graph`.  ``graph.db.read``
refuses to run without one, so no read can forget the compartments.

Compartments
------------
A ``Case`` whose ``restricted_to`` list is not empty is visible only to the
users and units it names (admins and operator scopes see everything).  A node
is **hidden** from a scope when it can be reached from a case the scope may
not see without passing a visible case, and cannot be reached from any
visible case without passing a hidden one.  Cases and reference locations
are never walked through: locations stay visible, and a case is hidden only
when it is restricted away from the scope.  ``SAME_AS`` candidates (scores,
not facts) do not connect anything.  In graph terms: remove cases and
locations; each remaining connected component is hidden when every case it
touches is hidden.  Journey legs (``MOVED``) of hidden cases are hidden too.

The compartment of a scope depends only on the data and on which restricted
cases it may not see, so it is computed once per (data version, hidden-case
set) and shared by every scope with the same hidden set; the data version is
a counter in the store that every write bumps (:func:`graph.db.bump_data_version`).
"""

from __future__ import annotations

import contextlib
import contextvars
import getpass
import hashlib
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from neo4j import Driver, ManagedTransaction

from core.errors import Forbidden, NetintelError

from .model import CASE_ANCHORS, NODE_LABELS, PROTECTED_LABELS

__all__ = [
    "ROLES",
    "role_allows",
    "Scope",
    "Compartment",
    "NOTHING_HIDDEN",
    "data_version",
    "forget_data_version",
    "VERSION_POLL_SECONDS",
    "WouldBlock",
    "memory_only",
    "check_memory_only",
    "deferred_audit",
    "PROVINCE_UNIT",
    "PROTECTION_UNIT",
]

#: a unit ``province-TH-50`` limits a scope to the cases of that province (ISO 3166-2 code)
PROVINCE_UNIT = "province-"
#: the unit whose members (role investigator or above) may read victim-protection records
PROTECTION_UNIT = "protection"

ROLES: tuple[str, ...] = ("viewer", "investigator", "analyst", "admin")

#: how long a process trusts the data version it last read before asking the store again
#: (writes made through this process are seen at once; another process's within this time)
VERSION_POLL_SECONDS = 1.0

#: relationship types that connect nothing for compartments (candidate links, not facts)
_NON_CONNECTING = ["SAME_AS"]
_WALKED = [lab for lab in NODE_LABELS if lab not in ("Case", "Location")]
#: relationship types from a case's own records (screenings, justice stages ...) to their case
_CASE_RELS = "|".join(sorted(set(CASE_ANCHORS.values())))


def role_allows(role: str, needed: str) -> bool:
    """True when ``role`` is at least ``needed`` in the role order.

    >>> role_allows("analyst", "investigator"), role_allows("viewer", "investigator")
    (True, False)
    """
    if role not in ROLES or needed not in ROLES:
        return False
    return ROLES.index(role) >= ROLES.index(needed)


# ------------------------------------------------------------ data version
#: the epoch changes if the counter is ever lost (a store emptied by other means), so versions never repeat
_VERSION_READ = ("OPTIONAL MATCH (m:NetintelMeta {id: 'data'}) "
                 "RETURN coalesce(m.epoch, '') + ':' + toString(coalesce(m.version, 0)) AS v")
_version_lock = threading.Lock()
_versions: dict[int, tuple[float, str]] = {}  # id(driver) → (read at, version)


class WouldBlock(NetintelError):
    """Raised inside :func:`memory_only` where answering needs the store or a computation."""

    status, code = 503, "would_block"


_memory_only: contextvars.ContextVar[bool] = contextvars.ContextVar("netintel_memory_only", default=False)


@contextlib.contextmanager
def memory_only() -> Iterator[None]:
    """Within this block, any store read (and any cache miss) raises :class:`WouldBlock`:
    what can be answered from memory is, at once; the caller runs the rest where it may wait."""
    token = _memory_only.set(True)
    try:
        yield
    finally:
        _memory_only.reset(token)


#: audit calls held back inside :func:`memory_only` (written by the caller, off the event loop)
_deferred: contextvars.ContextVar[list[tuple[str, Callable[[], None]]] | None] = contextvars.ContextVar(
    "netintel_deferred_audit", default=None)


@contextlib.contextmanager
def deferred_audit() -> Iterator[list[tuple[str, Callable[[], None]]]]:
    """Within this block :meth:`Scope.audit` queues ``(action, write)`` in the yielded list instead
    of writing; the caller must run each ``write`` (in order) before it answers, or drop them when
    the answer is abandoned.  Lets a view answer from memory on the event loop while a durable
    audit write (an fsync) happens in a worker thread."""
    pending: list[tuple[str, Callable[[], None]]] = []
    token = _deferred.set(pending)
    try:
        yield pending
    finally:
        _deferred.reset(token)


def check_memory_only(what: str) -> None:
    """Raise :class:`WouldBlock` inside :func:`memory_only` (called before I/O or a computation)."""
    if _memory_only.get():
        raise WouldBlock(f"{what} needs more than memory")


def _raw_read(driver: Any, query: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    check_memory_only("a store read")

    def work(tx: ManagedTransaction) -> list[dict[str, Any]]:
        return [r.data() for r in tx.run(query, params)]

    with driver.session() as session:
        return session.execute_read(work)


def _driver_key(driver: Any) -> int:
    # a wrapping driver (the API's time-out guard) exposes the real one as .wrapped
    return id(getattr(driver, "wrapped", driver))


def data_version(driver: Any) -> str:
    """The store's data version (bumped by every write), re-read at most every
    :data:`VERSION_POLL_SECONDS`."""
    key, now = _driver_key(driver), time.monotonic()
    with _version_lock:
        hit = _versions.get(key)
        if hit is not None and now - hit[0] < VERSION_POLL_SECONDS:
            return hit[1]
    v = str(_raw_read(driver, _VERSION_READ, {})[0]["v"])
    with _version_lock:
        _versions[key] = (now, v)
    return v


def forget_data_version(driver: Any | None = None) -> None:
    """Make the next :func:`data_version` ask the store (called after every write)."""
    with _version_lock:
        if driver is None:
            _versions.clear()
        else:
            _versions.pop(_driver_key(driver), None)


# ------------------------------------------------------------ compartments
@dataclass(frozen=True)
class Compartment:
    """What a scope may not see.

    ``hidden_eids`` are Neo4j element ids; ``hidden`` maps a label to the
    hidden ids of that label; ``hidden_cases`` are the hidden case ids;
    ``key`` names the compartment class (``"all"`` when nothing is hidden)
    for caches.
    """

    hidden_eids: frozenset[str] = frozenset()
    hidden: dict[str, frozenset[str]] = field(default_factory=dict)
    hidden_cases: frozenset[str] = frozenset()
    key: str = "all"

    @property
    def empty(self) -> bool:
        return not self.hidden_eids

    def hides(self, node_label: str, node_id: Any) -> bool:
        """True when the node ``node_label``/``node_id`` is hidden."""
        return node_id in self.hidden.get(node_label, frozenset())

    def hides_any(self, node_id: Any) -> bool:
        """True when some hidden node (of any label) has this id."""
        return any(node_id in ids for ids in self.hidden.values())

    def params(self) -> dict[str, Any]:
        """The ``$hidden`` / ``$hidden_cases`` query parameters (None: nothing hidden)."""
        if self.empty:
            return {"hidden": None, "hidden_cases": None}
        return {"hidden": sorted(self.hidden_eids), "hidden_cases": sorted(self.hidden_cases)}


NOTHING_HIDDEN = Compartment()

_HIDDEN_CASES = """
MATCH (c:RestrictedCase)
WHERE $all OR none(x IN $principals WHERE x IN c.restricted_to)
RETURN elementId(c) AS eid, c.id AS id
"""

#: the neighbours (not cases, not locations) of ``$eids`` with their anchors: a person's or
#: organisation's cases, an account's holders, a vehicle's cases and owners
_NEIGHBOURS = f"""
UNWIND $eids AS eid
MATCH (a) WHERE elementId(a) = eid
MATCH (a)-[r]-(b)
WHERE NOT type(r) IN $skip AND NOT b:Location AND NOT b:`Case` AND any(l IN labels(b) WHERE l IN $walked)
WITH DISTINCT b
RETURN elementId(b) AS b, b.id AS id, labels(b) AS labels,
       CASE WHEN b:Person OR b:Organisation THEN [(b)-[:INVOLVED_IN]->(c:`Case`) | elementId(c)]
            WHEN b:BankAccount THEN [(h)-[:HOLDS]->(b) | elementId(h)]
            WHEN b:Vehicle THEN [(b)-[:USED]->(c:`Case`) | elementId(c)] + [(o)-[:OWNS]->(b) | elementId(o)]
            WHEN any(l IN labels(b) WHERE l IN $case_anchored) THEN [(b)-[:{_CASE_RELS}]->(c:`Case`) | elementId(c)]
            ELSE [] END AS anchors
"""

#: cases hidden from a province-scoped user: restricted away from them, or of another province
#: (a case's ``province`` may hold the province's name, Thai name or ISO code)
_HIDDEN_CASES_PROVINCE = """
MATCH (c:`Case`)
WHERE (c:RestrictedCase AND none(x IN $principals WHERE x IN c.restricted_to))
   OR NOT coalesce(c.province, '') IN $names
RETURN elementId(c) AS eid, c.id AS id
"""
_PROVINCE_NAMES = """
MATCH (l:Location) WHERE l.id IN $codes AND l.kind = 'province'
RETURN [x IN [l.id, l.name, l.name_th] WHERE x IS NOT NULL] AS names
"""
_PROTECTED = """
MATCH (n) WHERE any(l IN labels(n) WHERE l IN $labels)
RETURN elementId(n) AS eid, n.id AS id, [l IN labels(n) WHERE l IN $labels][0] AS label
"""

_comp_lock = threading.Lock()
_comp_cache: dict[tuple[Any, ...], Compartment] = {}
_comp_inflight: dict[tuple[Any, ...], threading.Event] = {}
_hidden_memo: dict[tuple[Any, ...], dict[str, str]] = {}


def _label_of(labels: list[str]) -> str:
    return next((x for x in labels if x in NODE_LABELS), labels[0] if labels else "")


def compute_compartment(driver: Any, hidden_cases: dict[str, str], batch: int = 5000,
                        max_rounds: int = 100) -> Compartment:
    """The closed compartment for a set of hidden cases (element id → case id).

    Each person or organisation is *anchored* by its cases, each account by
    its holders, each vehicle by its cases and owners; an anchored node is
    hidden when all its anchors are.  A node with no anchor (a contact in
    no case, an account with no known holder) is hidden when its component
    of such free nodes touches hidden nodes only.  Both rules are applied
    from the hidden cases outwards until nothing changes, so chains of any
    length close; the work is bounded by the hidden part and one step
    around it.
    """
    if not hidden_cases:
        return NOTHING_HIDDEN
    hidden: dict[str, tuple[str, str]] = {e: ("Case", i) for e, i in hidden_cases.items()}
    info: dict[str, tuple[str, str]] = {}
    anchors: dict[str, list[str]] = {}  # anchored candidates next to something hidden
    free_seen: set[str] = set()
    components: list[tuple[set[str], set[str]]] = []  # (free members, boundary)
    new = list(hidden_cases)
    for _ in range(max_rounds):
        free_seeds: list[str] = []
        for r in _neighbours(driver, new, batch):
            b = r["b"]
            if b in hidden:
                continue
            info[b] = (_label_of(r["labels"]), r["id"])
            if r["anchors"]:
                anchors[b] = r["anchors"]
            elif b not in free_seen:
                free_seeds.append(b)
        components.extend(_free_components(driver, free_seeds, free_seen, info, anchors, batch))
        added: list[str] = []
        for b, anc in anchors.items():
            if b not in hidden and all(a in hidden for a in anc):
                hidden[b] = info[b]
                added.append(b)
        for members, boundary in components:
            if members and next(iter(members)) not in hidden and all(x in hidden for x in boundary):
                for m in members:
                    hidden[m] = info[m]
                    added.append(m)
        if not added:
            break
        new = added
    by_label: dict[str, set[str]] = {}
    for lab, nid in hidden.values():
        by_label.setdefault(lab, set()).add(nid)
    key = hashlib.sha256("\n".join(sorted(hidden_cases.values())).encode()).hexdigest()[:16]
    return Compartment(frozenset(hidden), {k: frozenset(v) for k, v in by_label.items()},
                       frozenset(hidden_cases.values()), key)


def _free_components(driver: Any, seeds: list[str], seen: set[str], info: dict[str, tuple[str, str]],
                     anchors: dict[str, list[str]], batch: int) -> list[tuple[set[str], set[str]]]:
    """Components of anchor-less nodes grown from ``seeds``, each with the anchored nodes around it."""
    out = []
    for seed in seeds:
        if seed in seen:
            continue
        members, boundary, frontier = {seed}, set(), [seed]
        seen.add(seed)
        while frontier:
            nxt = []
            for r in _neighbours(driver, frontier, batch):
                b = r["b"]
                info.setdefault(b, (_label_of(r["labels"]), r["id"]))
                if r["anchors"]:
                    boundary.add(b)
                    anchors.setdefault(b, r["anchors"])
                elif b not in members:
                    members.add(b)
                    seen.add(b)
                    nxt.append(b)
            frontier = nxt
        out.append((members, boundary))
    return out


def _neighbours(driver: Any, eids: list[str], batch: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for i in range(0, len(eids), batch):
        out.extend(_raw_read(driver, _NEIGHBOURS, {"eids": eids[i : i + batch], "skip": _NON_CONNECTING,
                                                   "walked": _WALKED, "case_anchored": list(CASE_ANCHORS)}))
    return out


# -------------------------------------------------------------------- scope
@dataclass(frozen=True, eq=False)
class Scope:
    """Who is asking, and the store they read through.

    Build one per request or CLI call: :meth:`for_user` for a person,
    :meth:`operator` for maintenance commands that must see everything (the
    reason is kept for the audit log).  ``sees_all`` scopes (admins,
    operators) have no compartment.
    """

    driver: Driver = field(repr=False)
    user: str
    role: str
    units: tuple[str, ...] = ()
    sees_all: bool = False
    reason: str = ""
    #: ``auditor(user, action, target, details)`` writes one audit entry (the API's is bound to the request)
    auditor: Callable[[str, str, str, dict[str, Any]], None] | None = field(default=None, repr=False,
                                                                          compare=False)

    @classmethod
    def for_user(cls, driver: Driver, user: str, role: str, units: tuple[str, ...] | list[str] = (),
                 auditor: Callable[[str, str, str, dict[str, Any]], None] | None = None) -> Scope:
        """The scope of a logged-in user (admins see every compartment)."""
        if role not in ROLES:
            raise Forbidden(f"unknown role {role!r}")
        return cls(driver, user, role, tuple(units), sees_all=(role == "admin"), auditor=auditor)

    @classmethod
    def operator(cls, driver: Driver, reason: str, user: str | None = None,
                 auditor: Callable[[str, str, str, dict[str, Any]], None] | None = None) -> Scope:
        """An explicit all-seeing scope for an operator's command (``reason`` says why)."""
        try:
            who = user or getpass.getuser()
        except (KeyError, OSError):
            who = "operator"
        return cls(driver, f"operator:{who}", "admin", (), sees_all=True, reason=reason, auditor=auditor)

    def audit(self, action: str, target: str = "", **details: Any) -> None:
        """Write one audit entry for this scope (a no-op when it has no auditor)."""
        if self.auditor is not None:
            if self.reason:
                details.setdefault("reason", self.reason)
            pending = _deferred.get()
            if pending is not None:
                auditor, user = self.auditor, self.user
                pending.append((action, lambda: auditor(user, action, target, details)))
            else:
                self.auditor(self.user, action, target, details)

    @property
    def username(self) -> str:
        """The user's name (as pages show it)."""
        return self.user

    @property
    def principals(self) -> tuple[str, ...]:
        """The names a case's ``restricted_to`` may list for this scope: the user and their units."""
        return (self.user, *self.units)

    @property
    def provinces(self) -> tuple[str, ...]:
        """The provinces (ISO 3166-2 codes) this scope is limited to; empty: not limited.

        >>> Scope(None, "u", "investigator", ("province-TH-50", "unit-x")).provinces  # type: ignore[arg-type]
        ('TH-50',)
        """
        if self.sees_all:
            return ()
        return tuple(u[len(PROVINCE_UNIT):] for u in self.units if u.startswith(PROVINCE_UNIT))

    @property
    def protection(self) -> bool:
        """True when the scope may read victim-protection records one by one (screenings,
        shelter stays, services): admins and operators, and investigators (or above) of the
        ``protection`` unit.  Everybody else sees them only as aggregates."""
        return self.sees_all or (PROTECTION_UNIT in self.units and self.allows("investigator"))

    def allows(self, needed: str) -> bool:
        """True when the scope's role is at least ``needed``."""
        return role_allows(self.role, needed)

    def require(self, needed: str) -> None:
        """Raise :class:`core.errors.Forbidden` unless the role is at least ``needed``."""
        if not self.allows(needed):
            raise Forbidden(f"this needs the {needed} role; you are {self.role}",
                            {"needed": needed, "role": self.role})

    def data_version(self) -> str:
        return data_version(self.driver)

    def compartment(self) -> Compartment:
        """What this scope may not see, computed once per (data version, hidden-case set):
        restricted cases, cases of other provinces for a province-scoped user, what only
        they reach, and (without :attr:`protection`) every victim-protection record."""
        if self.sees_all:
            return NOTHING_HIDDEN
        version = self.data_version()
        pkey = (_driver_key(self.driver), version, tuple(sorted(self.principals)))
        with _comp_lock:
            hidden_cases = _hidden_memo.get(pkey)
        if hidden_cases is None:
            if self.provinces:
                names = [self.provinces[i] for i in range(len(self.provinces))]
                for r in _raw_read(self.driver, _PROVINCE_NAMES, {"codes": list(self.provinces)}):
                    names.extend(r["names"])
                rows = _raw_read(self.driver, _HIDDEN_CASES_PROVINCE,
                                 {"principals": list(self.principals), "names": names})
            else:
                rows = _raw_read(self.driver, _HIDDEN_CASES, {"principals": list(self.principals), "all": False})
            hidden_cases = {r["eid"]: r["id"] for r in rows}
            with _comp_lock:
                if len(_hidden_memo) > 1024:
                    _hidden_memo.clear()
                _hidden_memo[pkey] = hidden_cases
        protect = not self.protection and bool(PROTECTED_LABELS)
        if not hidden_cases and not protect:
            return NOTHING_HIDDEN
        key = (_driver_key(self.driver), version, frozenset(hidden_cases), protect)
        found = hidden_cases
        driver = self.driver

        def compute() -> Compartment:
            comp = compute_compartment(driver, found)
            return _without_protected(driver, comp) if protect else comp

        return _single_flight(key, compute)

    def cache_key(self) -> tuple[str, str]:
        """``(data version, compartment key)``: what a cached aggregate for this scope depends on."""
        return self.data_version(), self.compartment().key


def _without_protected(driver: Any, comp: Compartment) -> Compartment:
    """``comp`` plus every victim-protection record (for scopes without protection)."""
    rows = _raw_read(driver, _PROTECTED, {"labels": list(PROTECTED_LABELS)})
    if not rows:
        return comp
    eids = set(comp.hidden_eids)
    by_label = {k: set(v) for k, v in comp.hidden.items()}
    for r in rows:
        eids.add(r["eid"])
        by_label.setdefault(r["label"], set()).add(r["id"])
    return Compartment(frozenset(eids), {k: frozenset(v) for k, v in by_label.items()}, comp.hidden_cases,
                       comp.key + ":np" if comp.key != "all" else "np")


def _single_flight(key: tuple[Any, ...], compute: Callable[[], Compartment]) -> Compartment:
    while True:
        with _comp_lock:
            hit = _comp_cache.get(key)
            if hit is not None:
                return hit
            ev = _comp_inflight.get(key)
            if ev is None:
                ev = _comp_inflight[key] = threading.Event()
                mine = True
            else:
                mine = False
        if not mine:
            ev.wait(120)
            continue
        try:
            comp = compute()
            with _comp_lock:
                if len(_comp_cache) > 64:
                    _comp_cache.clear()
                _comp_cache[key] = comp
            return comp
        finally:
            with _comp_lock:
                _comp_inflight.pop(key, None)
            ev.set()
