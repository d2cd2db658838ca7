"""The one read path: scopes, closed compartments across every surface, the cache
per data version, bounded analytics as jobs, and dense hubs.

Against the project's real Neo4j (the test instance)."""

from __future__ import annotations

import inspect
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.security import ROLES, ApiSettings
from graph import db as gdb
from ingest.loader import ingest_bundle
from tests.conftest import op, write_csv
from tests.test_security import _tables, hdr

PASSWORD = "read-path-password-1"

#: a longer chain from the restricted case SEC-C1 (whose suspect is SEC-P1, holder of SEC-A1)
CHAIN = {"Person": {"SEC-P3", "SEC-P4"}, "BankAccount": {"SEC-A2", "SEC-A3"}}
CHAIN_NAMES = {"Chaiwat Contact", "Dara Secondhop", "7770002222", "7770003333"}


def _chain_tables() -> dict[str, list[dict[str, Any]]]:
    t = _tables()
    t["persons"] += [
        # a contact of the suspect only (2 hops from the case), and a contact of that contact (3 hops)
        {"id": "SEC-P3", "source": "DSI", "source_record_id": "sp3", "full_name_latin": "Chaiwat Contact",
         "nationality": "THA", "sex": "M", "phones": "081-777-1234"},
        {"id": "SEC-P4", "source": "DSI", "source_record_id": "sp4", "full_name_latin": "Dara Secondhop",
         "nationality": "THA", "sex": "F"},
        # control: a contact of the suspect AND of a visible person: visible
        {"id": "P9", "source": "RTP", "source_record_id": "p9", "full_name_latin": "Visible Bridge",
         "nationality": "THA", "sex": "M"},
    ]
    t["associations"] += [
        {"source": "DSI", "source_record_id": "sa-3", "person_id": "SEC-P1", "other_id": "SEC-P3", "kind": "contact"},
        {"source": "DSI", "source_record_id": "sa-4", "person_id": "SEC-P3", "other_id": "SEC-P4", "kind": "contact"},
        {"source": "DSI", "source_record_id": "sa-9", "person_id": "SEC-P1", "other_id": "P9", "kind": "contact"},
        {"source": "RTP", "source_record_id": "sa-10", "person_id": "P9", "other_id": "P2", "kind": "contact"},
    ]
    t["accounts"] += [
        # no known holder: an account whose only transfer comes from the suspect's account, and the next one
        {"id": "SEC-A2", "source": "AMLO", "source_record_id": "sa2", "bank_code": "004",
         "account_number": "7770002222", "currency": "THB"},
        {"id": "SEC-A3", "source": "AMLO", "source_record_id": "sa3", "bank_code": "004",
         "account_number": "7770003333", "currency": "THB"},
    ]
    t["transfers"] += [
        {"source": "AMLO", "source_record_id": "st-2", "from_account": "SEC-A1", "to_account": "SEC-A2",
         "txn_id": "SEC-TX2", "amount": "90000", "currency": "THB", "at": "2024-01-04T09:00:00", "channel": "atm"},
        {"source": "AMLO", "source_record_id": "st-3", "from_account": "SEC-A2", "to_account": "SEC-A3",
         "txn_id": "SEC-TX3", "amount": "80000", "currency": "THB", "at": "2024-01-05T09:00:00", "channel": "atm"},
    ]
    return t


@pytest.fixture(scope="module")
def loaded(driver: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    d = tmp_path_factory.mktemp("chainbundle")
    for table, rows in _chain_tables().items():
        write_csv(d / f"{table}.csv", rows)
    gdb.clear_database(driver)
    s = ingest_bundle(driver, d, rejects_path=d / "rejects.csv")
    assert s.rejected == 0, (d / "rejects.csv").read_text()
    return driver


@pytest.fixture(scope="module")
def app(loaded: Any, neo4j_settings: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    home = tmp_path_factory.mktemp("rphome")
    a = create_app(ApiSettings(home=home, env="development", secret_key="r" * 48), neo4j_settings=neo4j_settings,
                   driver=loaded)
    for role in ROLES:
        a.state.users.add(role + "1", PASSWORD, role)
    a.state.users.add("cleared", PASSWORD, "investigator")
    a.state.users.set_units("cleared", ["unit-secret"])
    return a


@pytest.fixture(scope="module")
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


# ----------------------------------------------------------------- the door
def test_a_read_without_a_scope_is_refused(loaded: Any) -> None:
    with pytest.raises(TypeError, match="Scope"):
        gdb.read(loaded, "RETURN 1 AS x")
    assert gdb.read(op(loaded), "RETURN 1 AS x") == [{"x": 1}]


def test_every_public_graph_function_that_touches_the_store_is_scoped_or_a_write() -> None:
    """Walk the public functions of graph/: one taking a driver (not a scope) must be a
    declared write (``@graph.db.writes``) or the connection/server plumbing."""
    import importlib
    import pkgutil

    import graph

    # connecting, and the data-version counter (no record data) that scopes and caches key on
    plumbing = {"graph.db.connect", "graph.scope.data_version", "graph.scope.forget_data_version",
                "graph.db.forget_bookmarks"}  # (the driver's own bookmarks, after an offline import)
    unscoped = []
    for m in pkgutil.iter_modules(graph.__path__):
        mod = importlib.import_module(f"graph.{m.name}")
        for name in getattr(mod, "__all__", []):
            fn = getattr(mod, name)
            if not inspect.isfunction(fn) or fn.__module__ != mod.__name__:
                continue
            params = list(inspect.signature(fn).parameters)
            qual = f"{mod.__name__}.{name}"
            if params and params[0] == "driver" and not getattr(fn, "__netintel_write__", False) \
                    and qual not in plumbing:
                unscoped.append(qual)
            if "user" in params:  # the old "user may be anything" argument is gone
                unscoped.append(qual + " (user=)")
    assert unscoped == []


# ------------------------------------------------------------ compartments
def test_compartment_closes_over_chains(loaded: Any) -> None:
    from graph.scope import Scope

    comp = Scope.for_user(loaded, "investigator1", "investigator").compartment()
    for lab, ids in CHAIN.items():
        assert ids <= comp.hidden[lab], (lab, comp.hidden.get(lab))
    assert {"SEC-P1", "SEC-P2"} <= comp.hidden["Person"]
    for visible in ("P1", "P2", "P4", "P9"):  # P9: a contact of the suspect and of a visible person
        assert not comp.hides("Person", visible)
    assert not comp.hides("BankAccount", "A1")
    assert Scope.for_user(loaded, "cleared", "investigator", ("unit-secret",)).compartment().empty


def _no_chain_leak(text: str, where: str) -> None:
    for s in set().union(*CHAIN.values()) | CHAIN_NAMES | {"SEC-TX2", "SEC-TX3"}:
        assert s not in text, f"{s!r} leaked in {where}"


def test_the_chain_is_hidden_on_every_surface(client: TestClient, app: Any) -> None:
    h = hdr(app, "investigator1")
    for params in ({"q": "Chaiwat"}, {"q": "Dara Secondhop"}, {"account": "7770002222"}, {"account": "7770003333"},
                   {"phone": "081-777-1234"}, {"id": "SEC-P3"}, {"id": "SEC-A3"}):
        r = client.get("/api/search", params=params, headers=h)
        assert r.status_code == 200 and r.json()["count"] == 0, (params, r.text)
    missing = client.get("/api/entities/NO-SUCH-ID", headers=h).json()["error"]
    for hidden in ("SEC-P3", "SEC-P4", "SEC-A2", "SEC-A3"):
        for url in (f"/api/entities/{hidden}", f"/api/entities/{hidden}/neighbourhood",
                    f"/api/entities/{hidden}/profile", f"/api/entities/{hidden}/timeline"):
            r = client.get(url, headers=h)
            assert r.status_code == 404, (url, r.text)
            err = r.json()["error"]  # hidden answers exactly like missing
            assert err["code"] == missing["code"] and err["message"] == missing["message"].replace(
                "NO-SUCH-ID", hidden)
        client.cookies.set("netintel_session", h["Authorization"].split()[1])
        page = client.get(f"/ui/entity/{hidden}", follow_redirects=False)
        client.cookies.clear()
        assert page.status_code == 404 and hidden not in page.text.replace(f"No entity with id {hidden}", "")
    for url in ("/api/entities/P9/neighbourhood?depth=3", "/api/entities/A1/neighbourhood?depth=3",
                "/api/paths/shortest?from_id=P9&to_id=P2", "/api/stats", "/api/routes/corridors",
                "/api/analytics/brokers", "/api/analytics/communities"):
        r = client.get(url, headers=h)
        assert r.status_code == 200, (url, r.text)
        _no_chain_leak(r.text, url)
    ha = hdr(app, "analyst1")
    for url in ("/api/money/typologies", "/api/money/trace/A1?direction=backward", "/api/resolution/candidates"):
        r = client.get(url, headers=ha)
        assert r.status_code == 200, (url, r.text)
        _no_chain_leak(r.text, url)
    assert client.get("/api/money/trace/SEC-A2", headers=ha).status_code == 404
    # the cleared unit member and the admin see the chain
    for who in ("cleared", "admin1"):
        r = client.get("/api/search", params={"account": "7770003333"}, headers=hdr(app, who))
        assert r.json()["count"] == 1, who
    counts = client.get("/api/stats", headers=h).json()["nodes"]
    full = client.get("/api/stats", headers=hdr(app, "admin1")).json()["nodes"]
    assert full["Person"] - counts["Person"] == 4 and full["BankAccount"] - counts["BankAccount"] == 3


# -------------------------------------------------------------------- cache
def test_cache_computes_once_per_key_even_when_asked_at_once() -> None:
    from views.cache import Cache

    c = Cache(4)
    calls: list[int] = []
    gate = threading.Event()

    def slow() -> int:
        calls.append(1)
        gate.wait(5)
        return 42

    out: list[int] = []
    threads = [threading.Thread(target=lambda: out.append(c.get("k", slow))) for _ in range(8)]
    for t in threads:
        t.start()
    time.sleep(0.2)
    gate.set()
    for t in threads:
        t.join(5)
    assert out == [42] * 8 and len(calls) == 1 and c.stats.waits == 7
    for i in range(6):
        c.get(("x", i), lambda: 0)
    assert len(c) == 4 and c.stats.evictions >= 3  # bounded


def test_cached_aggregates_follow_the_data_version(loaded: Any, app: Any, client: TestClient,
                                                   tmp_path: Path) -> None:
    from views.cache import cache

    h = hdr(app, "viewer1")
    before = client.get("/api/stats", headers=h).json()
    misses = cache.stats.misses
    again = client.get("/api/stats", headers=h).json()
    assert again == before and cache.stats.misses == misses  # served from the cache
    write_csv(tmp_path / "persons.csv", [{"id": "NEW-P1", "source": "RTP", "source_record_id": "np1",
                                          "full_name_latin": "Fresh Record", "nationality": "THA"}])
    ingest_bundle(loaded, tmp_path, rejects_path=tmp_path / "rejects.csv")  # any write bumps the data version
    after = client.get("/api/stats", headers=h).json()
    assert after["nodes"]["Person"] == before["nodes"]["Person"] + 1
    assert cache.stats.misses > misses


# --------------------------------------------------------------------- jobs
def test_over_budget_analytics_become_a_job_that_can_be_followed(app: Any, client: TestClient,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import views.analytics as va
    from views._common import budget_seconds

    monkeypatch.setenv("NETINTEL_BUDGET_SECONDS", "2.5")
    assert budget_seconds() == 2.5  # the setting is the views' budget
    monkeypatch.setattr(va, "budget_seconds", lambda: 0.0)  # no time at all: every analytics call is a job
    h = hdr(app, "investigator1")
    r = client.get("/api/analytics/keyplayers", params={"k": 3, "seed": 7}, headers=h)
    assert r.status_code == 202, r.text
    job = r.json()["job"]
    assert r.headers["location"] == job["url"] and job["status"] in ("queued", "running", "done")
    assert client.get(job["url"], headers=hdr(app, "analyst1")).status_code == 404  # only its owner sees it
    deadline = time.monotonic() + 60
    while job["status"] not in ("done", "failed", "cancelled") and time.monotonic() < deadline:
        time.sleep(0.2)
        job = client.get(job["url"], headers=h).json()
    assert job["status"] == "done" and job["progress"] == 1.0, job
    assert job["result_url"] == "/api/analytics/keyplayers?k=3&seed=7"
    res = client.get(job["result_url"], headers=h)
    assert res.status_code == 200, res.text  # the same request now answers at once, from the cache
    assert res.json()["count"] == 3 and {"node", "order", "fragmentation_cumulative"} <= set(res.json()["data"][0])
    assert job["id"] in {j["id"] for j in client.get("/api/jobs", headers=h).json()}


def test_a_job_can_be_cancelled_and_its_process_stops() -> None:
    import views.jobs as vj
    from views.jobs import JobAccepted, JobManager, run_bounded

    mgr = JobManager(workers=1)
    old, vj.jobs = vj.jobs, mgr
    try:
        with pytest.raises(JobAccepted) as exc:
            run_bounded("u1", "sleep", ("sleep", 1), "tests.job_targets:sleep", (30.0,), budget=0.2)
        job = exc.value.job
        deadline = time.monotonic() + 20
        while job.status != "running" and time.monotonic() < deadline:
            time.sleep(0.05)
        proc = job._proc
        assert proc is not None and proc.is_alive()
        with pytest.raises(Exception, match="no job"):
            mgr.cancel(job.id, "someone-else")
        mgr.cancel(job.id, "u1")
        proc.join(10)
        assert not proc.is_alive() and job.status == "cancelled"
        # failures reach the owner as failures
        with pytest.raises(Exception, match="boom"):
            run_bounded("u1", "fail", ("fail",), "tests.job_targets:fail", (), budget=20)
    finally:
        vj.jobs = old


def test_an_abandoned_job_stops(monkeypatch: pytest.MonkeyPatch) -> None:
    import views.jobs as vj
    from views.jobs import JobAccepted, JobManager, run_bounded

    mgr = JobManager(workers=1, abandon_seconds=0.5)
    monkeypatch.setattr(vj, "jobs", mgr)
    with pytest.raises(JobAccepted) as exc:
        run_bounded("u1", "sleep", ("sleep", 2), "tests.job_targets:sleep", (30.0,), budget=0.1)
    job = exc.value.job
    assert job._done.wait(20) and job.status == "cancelled" and "nobody" in (job.error or "")


def test_keyplayers_beyond_any_budget_is_refused_with_what_to_narrow(app: Any, client: TestClient,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import views.analytics as va

    monkeypatch.setattr(va, "KEYPLAYER_MAX_SECONDS", 1e-9)
    r = client.get("/api/analytics/keyplayers", params={"k": 50}, headers=hdr(app, "investigator1"))
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["code"] == "over_budget" and "cases" in err["details"]["narrow"] and "k ≤" in err["message"]


def test_warming_fills_the_cache_for_both_common_compartments(loaded: Any) -> None:
    from graph.scope import Scope
    from views import routes
    from views.cache import cache
    from views.warm import warm

    keys = warm(loaded)
    assert keys[0] == "all" and keys[1] != "all"  # admins, and users no restricted case names
    misses = cache.stats.misses
    q = routes.RouteQuery.parse()
    for who, role in (("viewer1", "viewer"), ("investigator1", "investigator"), ("boss", "admin")):
        scope = Scope.for_user(loaded, who, role)
        routes.corridors(scope, q)
        routes.hubs(scope, q)
    assert cache.stats.misses == misses  # every one a cache hit


def test_memory_only_answers_warm_aggregates_and_refuses_io(loaded: Any,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import graph.scope as gs
    from views import routes
    from views.cache import Cache
    from views.warm import warm

    monkeypatch.setattr(gs, "VERSION_POLL_SECONDS", 600.0)  # the version read by warm() stays trusted
    warm(loaded)
    viewer = gs.Scope.for_user(loaded, "viewer1", "viewer")
    viewer.cache_key()  # its compartment, read once per data version (as a request's first try would)
    with gs.memory_only():
        res = routes.corridors(viewer, routes.RouteQuery.parse())  # warm: answered from memory
        with pytest.raises(gs.WouldBlock):
            gdb.read(op(loaded), "RETURN 1 AS x")
        with pytest.raises(gs.WouldBlock):
            routes.corridors(viewer, routes.RouteQuery.parse(years="2019"))  # not computed yet
        c = Cache(4)
        with pytest.raises(gs.WouldBlock):
            c.get("k", lambda: 1)
    # the test data's one victim is below the minimum query-set size: a viewer is told nothing, from memory
    assert res.meta["disclosure"] == "refused" and c.get("k", lambda: 1) == 1  # no flight was left behind
    assert routes.corridors(viewer, routes.RouteQuery.parse(years="2019")).meta["filters"]["years"] == "2019"


def test_answers_from_memory_write_their_audit_entries_off_the_event_loop(loaded: Any,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """An answer from memory is computed on the event loop; an audit entry that must be durable
    (personal data) is written in a worker thread before the answer is returned, while an aggregate
    entry (write-behind) is only queued, on the loop; an answer that falls back to a thread audits
    once."""
    import asyncio
    import threading

    import graph.scope as gs
    from api.routers._common import answer
    from views import routes
    from views.warm import warm

    monkeypatch.setattr(gs, "VERSION_POLL_SECONDS", 600.0)
    warm(loaded)
    written: list[tuple[str, str, bool]] = []

    def auditor(user: str, action: str, target: str, details: dict[str, Any]) -> None:
        written.append((action, target, threading.current_thread() is threading.main_thread()))

    viewer = gs.Scope.for_user(loaded, "viewer1", "viewer", (), auditor)
    viewer.cache_key()
    res = asyncio.run(answer(routes.corridors, viewer, routes.RouteQuery.parse()))
    assert res.meta["disclosure"] == "refused"
    assert written == [("read_aggregate", "corridors", True)]  # handed over on the loop (the log queues it)
    written.clear()

    def personal(scope: gs.Scope) -> str:
        scope.audit("read_personal", "P1")
        return "from memory"

    assert asyncio.run(answer(personal, viewer)) == "from memory"
    assert written == [("read_personal", "P1", False)]  # durable: written in a worker thread, before the answer
    written.clear()
    asyncio.run(answer(routes.corridors, viewer, routes.RouteQuery.parse(years="2018")))  # cold: a thread
    assert written == [("read_aggregate", "corridors", False)]  # once: the abandoned memory try wrote nothing


# ---------------------------------------------------------------- dense hubs
def test_dense_hubs_come_back_collapsed_unless_expanded(db: Any, tmp_path: Path) -> None:
    from graph.scope import Scope
    from views.explore import neighbourhood

    persons = [{"id": f"H{i}", "source": "RTP", "source_record_id": f"h{i}", "full_name_latin": f"Resident {i}",
                "nationality": "THA", "lives_at": "BKK"} for i in range(80)]
    write_csv(tmp_path / "locations.csv", [{"id": "BKK", "source": "GAZ", "source_record_id": "BKK",
                                            "kind": "province", "name": "Bangkok", "iso3": "THA"}])
    write_csv(tmp_path / "persons.csv", persons)
    write_csv(tmp_path / "associations.csv", [{"source": "RTP", "source_record_id": "a1", "person_id": "H0",
                                               "other_id": "H1", "kind": "family"}])
    s = ingest_bundle(db, tmp_path, rejects_path=tmp_path / "rejects.csv")
    assert s.rejected == 0, (tmp_path / "rejects.csv").read_text()
    scope = Scope.for_user(db, "inv", "investigator")
    g = neighbourhood(scope, "H0", depth=2)
    ids = {n.id for n in g.nodes}
    bkk = next(n for n in g.nodes if n.id == "BKK")
    assert bkk.collapsed and bkk.degree == 80 and g.collapsed == ["BKK"]
    assert ids == {"H0", "H1", "BKK"}  # not 80 residents through Bangkok
    g2 = neighbourhood(scope, "H0", depth=2, expand="BKK")
    assert len(g2.nodes) == 81 and not g2.collapsed
    g3 = neighbourhood(scope, "BKK", depth=1)  # the start node is always expanded, capped
    assert len(g3.nodes) == 81



def test_many_relationships_to_one_neighbour_never_hide_the_others(db: Any, tmp_path: Path) -> None:
    """An account with 150 transfers to one counterparty and one to each of three others: its
    neighbourhood shows all four counterparties, the parallel transfers capped."""
    from graph.explore import HUB_LIMIT
    from graph.scope import Scope
    from views.explore import neighbourhood

    names = ["A0", "B", "C1", "C2", "C3"]
    write_csv(tmp_path / "accounts.csv", [{"id": a, "source": "AMLO", "source_record_id": a.lower(), "bank_code": "004",
                                           "account_number": f"10000{k}", "currency": "THB"}
                                          for k, a in enumerate(names)])
    legs = [("A0", c) for c in ("C1", "C2", "C3")] + [("A0", "B")] * 150  # the few first, then the many
    write_csv(tmp_path / "transfers.csv", [
        {"source": "AMLO", "source_record_id": f"t-{k}", "from_account": a, "to_account": b, "txn_id": f"TX{k}",
         "amount": "100", "currency": "THB", "at": f"2024-01-{k % 28 + 1:02d}T10:00:00"}
        for k, (a, b) in enumerate(legs)])
    s = ingest_bundle(db, tmp_path, rejects_path=tmp_path / "rejects.csv")
    assert s.rejected == 0, (tmp_path / "rejects.csv").read_text()
    scope = Scope.for_user(db, "aml", "investigator")
    g = neighbourhood(scope, "A0", depth=1)
    assert {n.id for n in g.nodes} == set(names)
    to_b = [e for e in g.edges if {e.from_, e.to} == {"A0", "B"}]
    assert len(to_b) == HUB_LIMIT + 1 and len(g.edges) == len(to_b) + 3  # the cap: HUB_LIMIT and the one over
    # the time window still applies to each relationship
    g2 = neighbourhood(scope, "A0", depth=1, since="2024-01-02", until="2024-01-02")
    assert {n.id for n in g2.nodes} == {"A0", "C2", "B"}
