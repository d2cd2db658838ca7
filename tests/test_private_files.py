"""Issue 9, finding 1: after the demo flow nothing under NETINTEL_HOME is readable by another OS
account, and no secret is printed.

The flow of ``make demo`` runs as separate ``netintel`` processes against the project's real test
Neo4j (its store is under the test ``NETINTEL_HOME``): ``neo4j start`` → ``generate`` → ``ingest``
(default rejects file) → ``stats`` → ``demo-admin``.  Then every folder under the home is 0700 and
every file 0600 (0700 if executable) — the Neo4j store and its transaction logs, logs, rejects, the
user store, the audit log, the admin password — the audit key and anchor beside the home too, the
password appears in no output, and the CLI ingest is in the audit log.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from api.audit import AuditLog, default_anchor, default_key_file
from core.files import unsafe_modes

pytestmark = pytest.mark.neo4j

NETINTEL = Path(sys.executable).with_name("netintel")


def _run(*args: str, env: dict[str, str]) -> str:
    p = subprocess.run([str(NETINTEL), *args], env=env, capture_output=True, text=True, timeout=560)
    assert p.returncode == 0, (args, p.stdout[-2000:], p.stderr[-2000:])
    return p.stdout + p.stderr


def _mode(p: Path) -> int:
    return stat.S_IMODE(p.lstat().st_mode)


def test_demo_flow_leaves_the_home_private_and_prints_no_password(neo4j_settings: Any, tmp_path: Path) -> None:
    home = neo4j_settings.home
    env = {**os.environ, "NETINTEL_HOME": str(home), "NETINTEL_BOLT_PORT": str(neo4j_settings.bolt_port),
           "NETINTEL_HTTP_PORT": str(neo4j_settings.http_port), "NETINTEL_ENV": "development"}
    data = tmp_path / "demo-data"
    out = [
        _run("neo4j", "start", env=env),  # already running: the chmod pass still runs
        _run("generate", "--out", str(data), "--seed", "42", "--persons", "150", env=env),
        _run("ingest", str(data), env=env),
        _run("stats", env=env),
        _run("demo-admin", env=env),
    ]
    password_file = home / "admin-password"
    password = password_file.read_text().strip()
    assert len(password) >= 16
    text = "\n".join(out)
    assert password not in text, "the admin password was printed"
    assert str(password_file) in out[-1]  # the path is printed instead

    # nothing under the home is open to group or others (folders 0700, files 0600/0700)
    assert unsafe_modes(home, limit=50) == []
    checked = 0
    for dirpath, dirnames, filenames in os.walk(home):
        for d in dirnames:
            assert _mode(Path(dirpath) / d) == 0o700, Path(dirpath) / d
        for f in filenames:
            p = Path(dirpath) / f
            if not p.is_symlink():
                assert _mode(p) in (0o600, 0o700, 0o400, 0o500), (p, oct(_mode(p)))
                checked += 1
    assert checked > 50
    assert _mode(home) == 0o700
    tx = [p for p in (home / "neo4j" / "data" / "transactions").rglob("*") if p.is_file()]
    assert tx and all(_mode(p) == 0o600 for p in tx), "the transaction logs hold personal data"
    for name in ("admin-password", "users.sqlite", "audit.sqlite"):
        assert _mode(home / name) == 0o600, name
    rejects = home / "rejects" / "demo-data.rejects.csv"
    assert rejects.is_file() and _mode(rejects) == 0o600 and _mode(rejects.parent) == 0o700
    assert _mode(home / "neo4j" / "logs") == 0o700
    # the audit key and anchor live beside the home, private too
    db = home / "audit.sqlite"
    for f in (default_key_file(db), default_anchor(db)):
        assert _mode(f) == 0o600, f

    # the CLI's changes are in the audit log, which verifies
    log = AuditLog(db)
    ingests = [e for e in log.entries(action="ingest", limit=50) if e.target == str(data.resolve())]
    assert {e.details["phase"] for e in ingests} >= {"start", "done"}
    assert all(e.username.startswith("os:") and e.details["via"] == "cli" for e in ingests)
    assert log.verify().ok, log.verify()


def test_the_makefile_demo_prints_no_password() -> None:
    """``make demo`` prints what ``netintel demo-admin`` prints (checked above) and echoes no secret."""
    makefile = (Path(__file__).resolve().parent.parent / "Makefile").read_text()
    demo = makefile.split("\ndemo:", 1)[1].split("\n\n", 1)[0]
    assert "demo-admin" in demo
    assert "admin-password" not in demo and "cat " not in demo
