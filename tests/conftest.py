"""Shared fixtures.

Tests that touch the store run against the project's own real Neo4j (the
test instance: ``.netintel/test``, Bolt on 7688), which the session fixture
installs and starts if ``make test`` has not already done so — or against
an external server when ``NEO4J_URI`` is set.  No test is skipped for lack
of a database.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("NETINTEL_HOME", str(ROOT / ".netintel" / "test"))
os.environ.setdefault("NETINTEL_BOLT_PORT", "7688")
os.environ.setdefault("NETINTEL_HTTP_PORT", "7475")
os.environ.setdefault("NETINTEL_NEO4J_HEAP", "1g")
os.environ.setdefault("NETINTEL_NEO4J_PAGECACHE", "512m")


@pytest.fixture(scope="session")
def neo4j_settings() -> Any:
    from graph.server import Neo4jServer
    from graph.settings import get_settings

    s = get_settings()
    if s.managed:
        Neo4jServer(s).start(log=lambda m: None)
    return s


@pytest.fixture(scope="session")
def driver(neo4j_settings: Any) -> Iterator[Any]:
    from graph.db import connect, ensure_schema

    drv = connect(neo4j_settings)
    ensure_schema(drv)
    yield drv
    drv.close()


@pytest.fixture
def db(driver: Any) -> Any:
    """A driver on an emptied database."""
    from graph.db import clear_database

    clear_database(driver)
    return driver


def free_port() -> str:
    """A TCP port on loopback that is free now, for tests that start a Neo4j of
    their own (so that concurrent test runs on one machine never collide)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return str(s.getsockname()[1])


def own_instance(monkeypatch: Any, home: Path) -> Any:
    """The settings of a second, small managed Neo4j in ``home`` on free ports, for a test
    that starts (and stops) an instance of its own; the environment is the test's only."""
    from graph.settings import get_settings

    monkeypatch.setenv("NETINTEL_HOME", str(home))
    monkeypatch.setenv("NETINTEL_BOLT_PORT", free_port())
    monkeypatch.setenv("NETINTEL_HTTP_PORT", free_port())
    monkeypatch.setenv("NETINTEL_NEO4J_HEAP", "256m")
    monkeypatch.setenv("NETINTEL_NEO4J_PAGECACHE", "64m")
    monkeypatch.delenv("NEO4J_URI", raising=False)
    return get_settings()


def write_csv(path: Path, rows: list[dict[str, Any]], columns: list[str] | None = None) -> Path:
    cols = columns or list(dict.fromkeys(k for r in rows for k in r))
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=cols)
        w.writeheader()
        for r in rows:
            w.writerow({k: r.get(k, "") for k in cols})
    return path


@pytest.fixture
def make_bundle(tmp_path: Path) -> Callable[..., Path]:
    """``make_bundle({"persons": [row, ...], ...}, name="b")`` → folder of CSVs."""

    def _make(tables: dict[str, list[dict[str, Any]]], name: str = "bundle") -> Path:
        d = tmp_path / name
        d.mkdir(exist_ok=True)
        for table, rows in tables.items():
            write_csv(d / f"{table}.csv", rows)
        return d

    return _make


def op(driver: Any) -> Any:
    """An explicit operator scope for a test's own checks of the store (sees everything)."""
    from graph.scope import Scope

    return Scope.operator(driver, "test")


def new_app(home: Path, neo4j_settings: Any, driver: Any, *, secret: str = "k", users: str | None = None,
            **settings: Any) -> Any:
    """The real app (development settings) on the test Neo4j, with its own home; with
    ``users=PASSWORD``, one user per role named ``<role>1`` (``viewer1`` … ``admin1``)."""
    from api.app import create_app
    from api.security import ROLES, ApiSettings

    app = create_app(ApiSettings(home=home, env="development", secret_key=secret * 48, **settings),
                     neo4j_settings=neo4j_settings, driver=driver)
    if users is not None:
        for role in ROLES:
            app.state.users.add(role + "1", users, role)
    return app


def hdr(app: Any, role: str) -> dict[str, str]:
    """Bearer headers of the app's ``<role>1`` user (see :func:`new_app`)."""
    from api.security import create_access_token

    pwc = app.state.users.password_changed_at(role + "1")
    return {"Authorization": "Bearer " + create_access_token(app.state.api_settings, role + "1", role,
                                                             password_changed_at=pwc)}
