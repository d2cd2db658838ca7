"""Fault tolerance: Neo4j stopped while the API serves requests → 503 in the error
shape, then automatic recovery when it is back, without restarting the API.

Uses its own small managed Neo4j (free ports, 256 MB heap) in a temporary
NETINTEL_HOME; the shared test server is never touched.
"""

from __future__ import annotations

import threading
import time
import warnings
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.security import ApiSettings, create_access_token
from tests.conftest import own_instance

pytestmark = pytest.mark.neo4j

PASSWORD = "correct-horse-battery"


def _assert_503(r: Any) -> None:
    assert r.status_code == 503, (r.status_code, r.text[:300])
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] in ("database_unavailable", "unavailable")


def test_neo4j_stopped_during_requests_then_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from graph.db import ensure_schema
    from graph.server import Neo4jServer

    s = own_instance(monkeypatch, tmp_path / "home")
    srv = Neo4jServer(s)
    try:
        srv.start(log=lambda m: None)
        app = create_app(ApiSettings(home=tmp_path / "api", env="development", secret_key="f" * 48,
                                     db_retry_seconds=1.0, query_timeout=10.0), neo4j_settings=s)
        app.state.users.add("viewer1", PASSWORD, "viewer")
        app.state.users.add("inv1", PASSWORD, "investigator")

        def hdr(u: str, role: str) -> dict[str, str]:
            tok = create_access_token(app.state.api_settings, u, role,
                                      password_changed_at=app.state.users.password_changed_at(u))
            return {"Authorization": f"Bearer {tok}"}

        hv, hi = hdr("viewer1", "viewer"), hdr("inv1", "investigator")
        with TestClient(app) as c:
            ensure_schema(app.state.driver)
            app.state.driver.execute_query("MERGE (:Person {id: 'F1', full_name: 'Fault Person'})")
            assert c.get("/ready").status_code == 200
            assert c.get("/api/stats", headers=hv).json()["nodes"]["Person"] == 1
            assert c.get("/api/entities/F1", headers=hi).status_code == 200

            # a client keeps reading while the database goes away and comes back
            statuses: list[int] = []
            bodies: list[Any] = []
            timeline: list[tuple[float, float, int]] = []
            stop = threading.Event()
            t_start = time.monotonic()

            def hammer() -> None:
                while not stop.is_set():
                    t0 = time.monotonic()
                    r = c.get("/api/entities/F1", headers=hi)
                    timeline.append((round(t0 - t_start, 2), round(time.monotonic() - t0, 2), r.status_code))
                    statuses.append(r.status_code)
                    if r.status_code != 200:
                        bodies.append(r)
                    time.sleep(0.05)

            t = threading.Thread(target=hammer, daemon=True)
            t.start()
            time.sleep(0.5)
            assert srv.stop() is True
            # while it is down: 503 with the error shape, on every kind of route
            _assert_503(c.get("/ready"))
            _assert_503(c.get("/api/stats", headers=hv))
            _assert_503(c.get("/api/search", params={"q": "Fault"}, headers=hi))
            _assert_503(c.get("/api/entities/F1/neighbourhood", headers=hi))
            assert c.get("/health").status_code == 200  # the process itself is fine
            time.sleep(1.0)
            srv.start(log=lambda m: None)
            # back: the same app and driver recover on their own
            deadline = time.monotonic() + 60
            while c.get("/ready").status_code != 200 and time.monotonic() < deadline:
                time.sleep(0.5)
            time.sleep(1.0)
            stop.set()
            t.join(30)
            assert c.get("/ready").status_code == 200
            assert c.get("/api/stats", headers=hv).json()["nodes"]["Person"] == 1
            assert c.get("/api/entities/F1", headers=hi).json()["name"] == "Fault Person"
        # the background client never saw anything but 200 or a 503 in the error shape ...
        assert set(statuses) <= {200, 503}, timeline  # never a 500
        for r in bodies:
            _assert_503(r)
        # Known limit, not asserted: a request issued while Neo4j is shutting down or starting up can block
        # until the server is fully gone or back (the driver has no read timeout); such a request is still
        # in flight here.  Everything that completed was a 200 or a proper 503.
        if t.is_alive():
            warnings.warn(f"background request still blocked after recovery; completed: {timeline}", stacklevel=1)
    finally:
        srv.stop()
