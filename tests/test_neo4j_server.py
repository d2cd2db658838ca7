"""The managed Neo4j: idempotent lifecycle, loopback only, auth on, external configuration."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli import app
from graph.server import Neo4jServer
from graph.settings import get_settings
from tests.conftest import own_instance

pytestmark = pytest.mark.neo4j


def _listening_addresses(port: int) -> set[str]:
    """Local addresses listening on ``port`` (from /proc/net/tcp and tcp6)."""
    out = set()
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(name).read_text().splitlines()[1:]:
            parts = line.split()
            local, state = parts[1], parts[3]
            addr, p = local.split(":")
            if state == "0A" and int(p, 16) == port:
                out.add(addr)
    return out


def test_server_is_loopback_only_with_auth_and_a_private_password(neo4j_settings: Any, driver: Any) -> None:
    s = neo4j_settings
    if not s.managed:
        pytest.skip("external Neo4j configured")
    mode = stat.S_IMODE(os.stat(s.password_file).st_mode)
    assert mode == 0o600
    conf = (s.neo4j_dir / "conf" / "neo4j.conf").read_text()
    assert "dbms.security.auth_enabled=true" in conf
    addrs = _listening_addresses(s.bolt_port)
    loopback = {"0100007F", "0000000000000000FFFF00000100007F", "00000000000000000000000001000000"}
    assert addrs and addrs <= loopback, addrs
    from neo4j import GraphDatabase
    from neo4j.exceptions import AuthError

    with GraphDatabase.driver(s.uri, auth=("neo4j", "wrong-password")) as bad, pytest.raises(AuthError):
        bad.verify_connectivity()


def test_lifecycle_is_idempotent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A second, small instance: start twice, status, stop twice."""
    s = own_instance(monkeypatch, tmp_path / "home")
    srv = Neo4jServer(s)
    try:
        st1 = srv.start(log=lambda m: None)
        st2 = srv.start(log=lambda m: None)
        assert st1.running and st1.bolt_open and st1.pid == st2.pid
        pw = s.password_file.read_text().strip()
        assert len(pw) >= 24
        runner = CliRunner()
        res = runner.invoke(app, ["neo4j", "status", "--json"])
        assert res.exit_code == 0 and json.loads(res.output)["running"] is True
    finally:
        assert srv.stop() is True
    assert srv.stop() is False
    assert srv.status().running is False
    res = CliRunner().invoke(app, ["neo4j", "status"])
    assert res.exit_code == 3


def test_external_neo4j_configuration(neo4j_settings: Any, driver: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    s = neo4j_settings
    monkeypatch.setenv("NEO4J_URI", s.uri)
    monkeypatch.setenv("NEO4J_USER", s.user)
    monkeypatch.setenv("NEO4J_PASSWORD", s.password())
    ext = get_settings()
    assert not ext.managed and ext.uri == s.uri
    runner = CliRunner()
    res = runner.invoke(app, ["stats", "--json"])
    assert res.exit_code == 0, res.output
    assert set(json.loads(res.output)) == {"nodes", "relationships"}
    res = runner.invoke(app, ["neo4j", "start"])
    assert res.exit_code == 0 and "external" in res.output.lower()
    monkeypatch.setenv("NEO4J_PASSWORD", "not-the-password")
    res = runner.invoke(app, ["stats", "--json"])
    assert res.exit_code == 1
    assert "cannot reach Neo4j" in res.output
