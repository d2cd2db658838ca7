"""Issue 9 ("Trust, second round"): each insider finding now fails safely.

Findings 4 (tokens and sessions), 5 (audit completeness), 6 (proxy, throttling, import folder),
8 (out-of-range parameters) and the file-mode helpers of finding 1.  The demo flow (file modes after
start + ingest + demo-admin, no password in the output) and the CLI ingest audit need the real
Neo4j and are in ``tests/test_private_files.py``; CSRF/CSP in ``tests/test_csp_csrf.py`` and
``tests/test_trust_browser.py``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sqlite3
import stat
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from api.audit import AuditLog, UnauthenticatedAudit, default_anchor, verify_audit
from api.security import ApiSettings, UnsafeSettings, create_access_token
from core.files import harden_tree, open_private, private_dir, unsafe_modes

PASSWORD = "correct-horse-battery"


def _settings(tmp_path: Path, **kw: Any) -> ApiSettings:
    return ApiSettings(home=tmp_path / "home", env="development", secret_key="k" * 48, **kw)


@pytest.fixture
def app(tmp_path: Path, neo4j_settings: Any, driver: Any) -> Any:
    # the test Neo4j (routes resolve the driver before their role check): without it these tests
    # answered 503 when run on their own, and passed only after another file had started Neo4j
    a = create_app(_settings(tmp_path, import_dir=tmp_path / "import"), neo4j_settings=neo4j_settings, driver=driver)
    for name, role in (("admin1", "admin"), ("ana", "analyst"), ("vic", "viewer")):
        a.state.users.add(name, PASSWORD, role)
    return a


def _bearer(app: Any, user: str) -> dict[str, str]:
    r = TestClient(app).post("/api/auth/token", data={"username": user, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": "Bearer " + r.json()["access_token"]}


def _api_token(app: Any, user: str, **body: Any) -> tuple[str, str]:
    r = TestClient(app).post("/api/auth/api-tokens", json={"name": "script", **body}, headers=_bearer(app, user))
    assert r.status_code == 201, r.text
    return r.json()["token"], r.json()["id"]


def _ui_login(app: Any, user: str = "admin1") -> tuple[TestClient, str]:
    c = TestClient(app)
    assert c.post("/ui/login", data={"username": user, "password": PASSWORD},
                  follow_redirects=False).status_code == 303
    m = re.search(r'<meta name="csrf-token" content="([^"]+)">', c.get("/ui/").text)
    assert m
    return c, m.group(1)


# ============================================================ 4. tokens and sessions
def test_old_api_tokens_and_logins_fail_after_a_password_reset(app: Any) -> None:
    c = TestClient(app)
    token, _ = _api_token(app, "ana")
    login = _bearer(app, "ana")
    script = {"Authorization": f"Bearer {token}"}
    assert c.get("/api/auth/me", headers=script).status_code == 200
    assert c.get("/api/auth/me", headers=login).status_code == 200
    r = c.post("/api/admin/users/ana/password", json={"password": "another-long-password"},
               headers=_bearer(app, "admin1"))
    assert r.status_code == 200
    assert c.get("/api/auth/me", headers=script).status_code == 401
    assert c.get("/api/auth/me", headers=login).status_code == 401
    listed = app.state.users.list_tokens("ana")
    assert listed and all(t.revoked and t.revoked_by == "admin1" for t in listed)


def test_reset_from_the_cli_revokes_tokens_too(app: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cli import app as cli

    token, _ = _api_token(app, "ana")
    monkeypatch.setenv("NETINTEL_HOME", str(app.state.api_settings.home))
    res = CliRunner().invoke(cli, ["users", "reset", "ana", "--password", "another-long-password"])
    assert res.exit_code == 0, res.output
    assert TestClient(app).get("/api/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_disable_then_enable_revives_nothing(app: Any) -> None:
    c = TestClient(app)
    token, _ = _api_token(app, "ana")
    login = _bearer(app, "ana")
    ui, _ = _ui_login(app, "ana")
    admin = _bearer(app, "admin1")
    assert c.post("/api/admin/users/ana/disable", headers=admin).status_code == 200
    assert c.post("/api/admin/users/ana/enable", headers=admin).status_code == 200
    assert c.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert c.get("/api/auth/me", headers=login).status_code == 401
    assert ui.get("/api/auth/me").status_code == 401
    assert ui.get("/ui/", follow_redirects=False).status_code == 303  # to the login page
    # a fresh login works again
    assert c.get("/api/auth/me", headers=_bearer(app, "ana")).status_code == 200


def test_logout_ends_the_session_on_the_server(app: Any) -> None:
    c, token = _ui_login(app, "ana")
    cookie = c.cookies.get("netintel_session")
    other, _ = _ui_login(app, "ana")  # a second browser of the same user
    assert c.post("/ui/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    replay = TestClient(app)
    replay.cookies.set("netintel_session", cookie)
    assert replay.get("/api/auth/me").status_code == 401  # the stolen/old cookie is dead
    assert other.get("/api/auth/me").status_code == 401  # logout ends every earlier session
    assert [e.action for e in app.state.audit.entries(username="ana", limit=3)][0] == "logout"


def test_an_expired_session_leads_to_a_relogin_page_not_a_bare_401(app: Any) -> None:
    c, _ = _ui_login(app, "ana")
    app.state.users.end_sessions("ana")  # e.g. an admin disabled and re-enabled the account
    r = c.get("/api/analytics/brokers?format=html", headers={"Accept": "text/html"}, follow_redirects=False)
    assert r.status_code == 303 and "/ui/login?" in r.headers["location"] and "ended=1" in r.headers["location"]
    page = c.get(r.headers["location"])
    assert "Your session has ended" in page.text
    # scripts still get the JSON 401
    assert c.get("/api/analytics/brokers", headers={"Accept": "application/json"}).status_code == 401


def test_the_ui_session_renews_while_in_use(tmp_path: Path) -> None:
    app = create_app(_settings(tmp_path, token_minutes=10))
    app.state.users.add("ana", PASSWORD, "analyst")
    s = app.state.api_settings
    state = app.state.users.session_state("ana")
    assert state
    sid = "fixed-session-id"
    fresh = create_access_token(s, "ana", "analyst", password_changed_at=state[1], session_version=state[2], sid=sid)
    old = create_access_token(s, "ana", "analyst", minutes=3, password_changed_at=state[1],
                              session_version=state[2], sid=sid)  # 3 of 10 minutes left
    c = TestClient(app)
    c.cookies.set("netintel_session", fresh)
    assert "set-cookie" not in c.get("/api/auth/me").headers  # young: no renewal
    c.cookies.set("netintel_session", old)
    r = c.get("/api/auth/me")
    assert r.status_code == 200
    renewed = r.headers["set-cookie"]
    assert "httponly" in renewed.lower() and "samesite=strict" in renewed.lower()
    import jwt

    new = re.search(r"netintel_session=([^;]+)", renewed)
    assert new
    claims = jwt.decode(new.group(1), s.secret_key, algorithms=["HS256"])
    assert claims["sid"] == sid and claims["exp"] - dt.datetime.now(dt.UTC).timestamp() > 9 * 60
    # the CSRF token (bound to the session id) survives the renewal
    from api.security import csrf_token_for

    assert csrf_token_for(s, claims["sid"]) == csrf_token_for(s, sid)


def test_api_tokens_expire_and_carry_scopes(app: Any) -> None:
    c = TestClient(app)
    ro, _ = _api_token(app, "admin1")  # default scope: read-only
    h = {"Authorization": f"Bearer {ro}"}
    assert c.get("/api/admin/users", headers=h).status_code == 200
    r = c.post("/api/admin/users/vic/disable", headers=h)
    assert r.status_code == 403 and "read-only" in r.json()["error"]["message"]
    capped, _ = _api_token(app, "admin1", scope="analyst")
    r = c.get("/api/admin/users", headers={"Authorization": f"Bearer {capped}"})
    assert r.status_code == 403 and r.json()["error"]["details"]["role"] == "analyst"
    assert c.get("/api/auth/me", headers={"Authorization": f"Bearer {capped}"}).json()["role"] == "analyst"
    # expiry: a day's token whose day is over is refused
    day, day_id = _api_token(app, "ana", days=1)
    assert c.get("/api/auth/me", headers={"Authorization": f"Bearer {day}"}).status_code == 200
    past = (dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)).isoformat(timespec="microseconds")
    con = sqlite3.connect(app.state.users.path)
    con.execute("UPDATE api_tokens SET expires_at = ? WHERE substr(digest, 1, 16) = ?", (past, day_id))
    con.commit()
    con.close()
    assert c.get("/api/auth/me", headers={"Authorization": f"Bearer {day}"}).status_code == 401
    # limits
    for bad in ({"days": 0}, {"days": 366}, {"scope": "root"}):
        assert c.post("/api/auth/api-tokens", json=bad, headers=_bearer(app, "ana")).status_code == 422


def test_tokens_are_listed_and_revoked_by_owner_and_admin(app: Any) -> None:
    c = TestClient(app)
    t1, id1 = _api_token(app, "ana")
    t2, id2 = _api_token(app, "ana")
    tv, idv = _api_token(app, "vic")
    ana = _bearer(app, "ana")
    mine = c.get("/api/auth/api-tokens", headers=ana).json()
    assert {t["id"] for t in mine} == {id1, id2} and all("token" not in t for t in mine)
    # the owner revokes one of theirs, not somebody else's (404: existence does not leak)
    assert c.delete(f"/api/auth/api-tokens/{id1}", headers=ana).json()["revoked"] is True
    assert c.delete(f"/api/auth/api-tokens/{idv}", headers=ana).status_code == 404
    assert c.get("/api/auth/me", headers={"Authorization": f"Bearer {t1}"}).status_code == 401
    assert c.get("/api/auth/me", headers={"Authorization": f"Bearer {t2}"}).status_code == 200
    # an admin lists and revokes anybody's
    admin = _bearer(app, "admin1")
    everyone = c.get("/api/admin/api-tokens", headers=admin).json()
    assert {id1, id2, idv} <= {t["id"] for t in everyone}
    assert c.get("/api/admin/api-tokens", headers=ana).status_code == 403
    r = c.delete(f"/api/admin/api-tokens/{idv}", headers=admin)
    assert r.status_code == 200 and r.json()["revoked_by"] == "admin1"
    assert c.get("/api/auth/me", headers={"Authorization": f"Bearer {tv}"}).status_code == 401
    actions = [e.action for e in app.state.audit.entries(limit=20)]
    assert actions.count("api_token_revoked") == 2 and actions.count("api_token_created") == 3


def test_tokens_made_before_expiry_existed_are_dead(tmp_path: Path) -> None:
    """A store of the first release: api_tokens without expiry/scope columns."""
    home = tmp_path / "home"
    home.mkdir()
    con = sqlite3.connect(home / "users.sqlite")
    con.executescript("""
        CREATE TABLE users (username TEXT PRIMARY KEY, password_hash TEXT NOT NULL, role TEXT NOT NULL,
          disabled INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL, password_changed_at TEXT NOT NULL);
        CREATE TABLE api_tokens (digest TEXT PRIMARY KEY, username TEXT NOT NULL, name TEXT NOT NULL,
          created_at TEXT NOT NULL, revoked INTEGER NOT NULL DEFAULT 0);""")
    import hashlib

    from api.security import hash_password

    con.execute("INSERT INTO users VALUES ('old', ?, 'admin', 0, '2024', '2024')", (hash_password(PASSWORD),))
    con.execute("INSERT INTO api_tokens VALUES (?, 'old', 'legacy', '2024', 0)",
                (hashlib.sha256(b"nit_legacy-token").hexdigest(),))
    con.commit()
    con.close()
    app = create_app(ApiSettings(home=home, env="development", secret_key="k" * 48))
    assert app.state.users.user_for_token("nit_legacy-token") is None
    assert app.state.users.authenticate("old", PASSWORD) is not None


# ============================================================ 5. audit completeness
def _log_with_entries(tmp_path: Path, n: int = 5) -> AuditLog:
    log = AuditLog(tmp_path / "home" / "audit.sqlite")
    for i in range(n):
        log.record("ines", "read_personal", f"P{i}", {"i": i}, "10.0.0.1")
    assert log.verify().ok
    return log


def _cli_verify(monkeypatch: pytest.MonkeyPatch, home: Path) -> tuple[int, dict[str, Any]]:
    from cli import app as cli

    monkeypatch.setenv("NETINTEL_HOME", str(home))
    res = CliRunner().invoke(cli, ["audit", "verify", "--json"])
    return res.exit_code, json.loads(res.output)


def _unprotected(log: AuditLog) -> sqlite3.Connection:
    """Direct file access, as an attacker with the service's OS account would have."""
    con = sqlite3.connect(log.path)
    con.execute("DROP TRIGGER IF EXISTS audit_no_update")
    con.execute("DROP TRIGGER IF EXISTS audit_no_delete")
    return con


def test_audit_verify_passes_an_intact_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = _log_with_entries(tmp_path)
    code, out = _cli_verify(monkeypatch, log.path.parent)
    assert code == 0 and out["ok"] and out["entries"] == 5 and out["anchored"] == 5
    assert not log.anchor.is_relative_to(log.path.parent)  # the anchor is not inside NETINTEL_HOME
    assert stat.S_IMODE(log.anchor.stat().st_mode) == 0o600
    assert stat.S_IMODE(log.key_file.stat().st_mode) == 0o600


def test_concurrent_audit_writes_share_commits_and_stay_one_verified_chain(tmp_path: Path) -> None:
    """Group commit: 8 threads × 40 entries give 320 entries with distinct, gapless sequence
    numbers; each returned entry is the stored row; fewer checkpoints than entries were written
    (batches), every one signed; the chain and its anchor verify."""
    import threading

    log = AuditLog(tmp_path / "home" / "audit.sqlite")
    got: list[Any] = []
    guard = threading.Lock()
    start = threading.Barrier(8)

    def work(t: int) -> None:
        start.wait()
        for i in range(40):
            e = log.record(f"u{t}", "read_personal", f"P{t}-{i}", {"i": i}, "10.0.0.1")
            with guard:
                got.append(e)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(e.seq for e in got) == list(range(1, 321))
    stored = {r[0]: r for r in sqlite3.connect(log.path).execute("SELECT seq, target, hash FROM audit")}
    assert all(stored[e.seq][1:] == (e.target, e.hash) for e in got)
    lines = log.anchor.read_text().splitlines()
    assert 1 <= len(lines) <= 320 and lines[-1].startswith("320 ")
    v = log.verify()
    assert v.ok and v.entries == 320, v


def test_write_behind_entries_join_the_chain_and_flush(tmp_path: Path) -> None:
    """Aggregate entries are queued (record_later returns at once) and committed by the writer
    thread in order with the durable ones; flush() waits for them; the chain verifies."""
    log = AuditLog(tmp_path / "home" / "audit.sqlite")
    log.record("u", "login", "", {}, "")
    for i in range(50):
        log.record_later("v", "read_aggregate", "corridors", {"i": i}, "10.0.0.2")
    log.record("u", "read_personal", "P1", {}, "")
    assert log.flush(timeout=30)
    rows = [(e.action, e.details.get("i")) for e in reversed(log.entries(limit=100))]
    assert rows[0] == ("login", None) and len(rows) == 52
    assert [i for a, i in rows if a == "read_aggregate"] == list(range(50))  # in the order queued
    v = log.verify()
    assert v.ok and v.entries == 52, v


def test_a_failed_group_commit_fails_every_waiter_and_writes_nothing(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "home" / "audit.sqlite")
    log.record("u", "login", "", {}, "")

    def broken(*a: Any, **k: Any) -> None:
        raise OSError("anchor not writable")

    log._checkpoint = broken  # type: ignore[method-assign]
    with pytest.raises(OSError, match="anchor not writable"):
        log.record("u", "read_personal", "P1", {}, "")
    assert log.count() == 1  # the failed batch was rolled back


def test_audit_verify_fails_on_a_missing_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    home.mkdir()
    code, out = _cli_verify(monkeypatch, home)
    assert code == 1 and not out["ok"] and "missing" in out["reason"]


def test_audit_verify_fails_after_the_log_is_deleted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = _log_with_entries(tmp_path)
    for f in log.path.parent.glob("audit.sqlite*"):
        f.unlink()
    code, out = _cli_verify(monkeypatch, log.path.parent)
    assert code == 1 and "missing" in out["reason"]
    # … and after the app made a fresh one in its place
    fresh = AuditLog(log.path)
    fresh.record("someone", "login", "", {}, "")
    code, out = _cli_verify(monkeypatch, log.path.parent)
    assert code == 1 and "contradicts an earlier checkpoint of entry 1" in out["reason"]


def test_audit_verify_fails_after_truncation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = _log_with_entries(tmp_path)
    con = _unprotected(log)
    con.execute("DELETE FROM audit WHERE seq >= 4")  # hide the last two reads; the chain stays valid
    con.commit()
    con.close()
    code, out = _cli_verify(monkeypatch, log.path.parent)
    assert code == 1 and out["first_bad_seq"] == 4 and "truncated" in out["reason"]


def test_audit_verify_fails_after_a_forged_row_is_appended(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from api.audit import _entry_hash

    log = _log_with_entries(tmp_path)
    con = sqlite3.connect(log.path)
    seq, prev = con.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    at, det = "2026-01-01T00:00:00.000000+00:00", json.dumps({"alibi": True})
    h = _entry_hash(prev, seq + 1, at, "admin", "login", "", det, "10.9.9.9")  # a valid chain link
    con.execute("INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (seq + 1, at, "admin", "login", "", det, "10.9.9.9", prev, h))
    con.commit()
    con.close()
    code, out = _cli_verify(monkeypatch, log.path.parent)
    assert code == 1 and out["first_bad_seq"] == 6 and "no signed checkpoint" in out["reason"]


def test_audit_verify_fails_after_the_chain_is_rewritten(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from api.audit import GENESIS, _entry_hash

    log = _log_with_entries(tmp_path)
    con = _unprotected(log)
    rows = con.execute("SELECT seq, at, username, action, target, details, client FROM audit ORDER BY seq").fetchall()
    prev = GENESIS
    for seq, at, user, action, target, det, client in rows:  # rewrite entry 2, re-hash everything
        if seq == 2:
            target = "P-innocent"
        h = _entry_hash(prev, seq, at, user, action, target, det, client)
        con.execute("UPDATE audit SET target = ?, prev_hash = ?, hash = ? WHERE seq = ?", (target, prev, h, seq))
        prev = h
    con.commit()
    con.close()
    assert log.verify(require_anchor=False).ok  # the chain alone looks perfect …
    code, out = _cli_verify(monkeypatch, log.path.parent)
    assert code == 1 and out["first_bad_seq"] == 2 and "rewritten" in out["reason"]  # … the anchor does not


def test_audit_verify_fails_on_a_forged_or_missing_anchor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = _log_with_entries(tmp_path)
    lines = log.anchor.read_text().splitlines()
    seq, h, _mac = lines[-1].split(" ")
    log.anchor.write_text("\n".join([*lines[:-1], f"{seq} {h} {'0' * 64}"]) + "\n")
    code, out = _cli_verify(monkeypatch, log.path.parent)
    assert code == 1 and "not signed" in out["reason"]
    log.anchor.unlink()
    code, out = _cli_verify(monkeypatch, log.path.parent)
    assert code == 1 and "no signed checkpoint" in out["reason"]
    # the audit key gone: nothing can be verified
    log.key_file.unlink()
    code, out = _cli_verify(monkeypatch, log.path.parent)
    assert code == 1 and "key" in out["reason"]


def test_a_log_from_before_anchoring_is_adopted_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cli import app as cli

    log = _log_with_entries(tmp_path, 3)
    log.anchor.unlink()  # as if made by the previous version
    assert not verify_audit(log.path).ok
    monkeypatch.setenv("NETINTEL_HOME", str(log.path.parent))
    res = CliRunner().invoke(cli, ["audit", "anchor"])
    assert res.exit_code == 0, res.output
    code, out = _cli_verify(monkeypatch, log.path.parent)
    assert code == 0 and out["entries"] == 4  # + the audit_adopted entry


def test_the_api_verify_route_uses_the_anchor(app: Any) -> None:
    admin = _bearer(app, "admin1")
    c = TestClient(app)
    assert c.get("/api/admin/audit/verify", headers=admin).json()["ok"] is True
    con = _unprotected(app.state.audit)
    con.execute("DELETE FROM audit WHERE seq = (SELECT max(seq) FROM audit)")
    con.commit()
    con.close()
    out = c.get("/api/admin/audit/verify", headers=_bearer(app, "admin1")).json()
    # the new login's entry was checkpointed after the deletion; the deleted one is detected
    assert out["ok"] is False


def test_cli_users_add_disable_enable_reset_are_audited(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cli import app as cli

    home = tmp_path / "home"
    monkeypatch.setenv("NETINTEL_HOME", str(home))
    run = CliRunner().invoke
    assert run(cli, ["users", "add", "newbie", "--role", "investigator", "--password", PASSWORD]).exit_code == 0
    assert run(cli, ["users", "disable", "newbie"]).exit_code == 0
    assert run(cli, ["users", "enable", "newbie"]).exit_code == 0
    assert run(cli, ["users", "reset", "newbie", "--password", "another-long-password"]).exit_code == 0
    entries = AuditLog(home / "audit.sqlite").entries(action="user_admin")
    assert [e.details["change"] for e in reversed(entries)] == ["add", "disable", "enable", "reset_password"]
    assert all(e.target == "newbie" and e.username.startswith("os:") and e.client.startswith("cli:")
               and e.details["via"] == "cli" for e in entries)
    assert entries[-1].details["role"] == "investigator"
    assert verify_audit(home / "audit.sqlite").ok


def test_ui_refusals_and_hidden_id_404s_are_logged(app: Any) -> None:
    c, _ = _ui_login(app, "vic")  # a viewer
    assert c.get("/ui/search", params={"value": "x"}).status_code == 403
    assert c.get("/ui/entity/P1").status_code == 403
    denied = app.state.audit.entries(username="vic", action="access_denied")
    assert {e.target for e in denied} == {"/ui/search", "/ui/entity/P1"} and all(e.details["via"] == "ui"
                                                                             for e in denied)
    # a 404 answered to a logged-in user is logged (hidden and missing ids alike)
    r = TestClient(app).delete("/api/auth/api-tokens/0123456789abcdef", headers=_bearer(app, "ana"))
    assert r.status_code == 404
    nf = app.state.audit.entries(username="ana", action="not_found")
    assert nf and nf[0].target == "/api/auth/api-tokens/0123456789abcdef"


def test_failed_logins_cannot_flood_the_audit_log(tmp_path: Path) -> None:
    app = create_app(_settings(tmp_path, unauth_audit_per_minute=20, login_attempts=1000))
    app.state.unauth_audit.clock = lambda: 600.0  # all within one minute (argon2 makes 60 logins slow)
    c = TestClient(app)
    before = app.state.audit.count()
    for i in range(60):
        c.post("/api/auth/token", data={"username": f"spray{i}", "password": "wrong-wrong-wrong"})
    written = app.state.audit.count() - before
    assert written <= 20 // 5 + 1, written  # one client: a fifth of the minute's budget
    app.state.unauth_audit.flush()
    summary = app.state.audit.entries(action="audit_suppressed", limit=1)
    assert summary and summary[0].details["suppressed"] == 60 - 4
    assert summary[0].details["by_action"] == {"login_failed": summary[0].details["suppressed"]}


def test_the_unauthenticated_budget_is_shared_fairly() -> None:
    class Sink:
        def __init__(self) -> None:
            self.rows: list[tuple[str, str]] = []

        def record(self, username: str, action: str, target: str = "", details: Any = None,
                   client: str = "") -> None:
            self.rows.append((action, client))

    sink = Sink()
    lim = UnauthenticatedAudit(sink, per_minute=50)  # type: ignore[arg-type]
    for _ in range(200):
        lim.record("x", "login_failed", "", {}, "10.0.0.1")
    for i in range(5):
        lim.record("y", "login_failed", "", {}, f"10.0.1.{i}")
    by_client: dict[str, int] = {}
    for _, cl in sink.rows:
        by_client[cl] = by_client.get(cl, 0) + 1
    assert by_client["10.0.0.1"] == 10  # one noisy client gets a fifth
    assert all(by_client[f"10.0.1.{i}"] == 1 for i in range(5))  # the others still get through


# ============================================================ 6. deployment
def _proxied_app(tmp_path: Path, trusted: tuple[str, ...]) -> Any:
    a = create_app(_settings(tmp_path, proxy_headers=True, trusted_proxies=trusted))
    a.state.users.add("ana", PASSWORD, "analyst")
    return a


def test_behind_a_trusted_proxy_cookies_are_secure_and_clients_real(tmp_path: Path) -> None:
    app = _proxied_app(tmp_path, ("testclient",))  # TestClient's peer address is "testclient"
    c = TestClient(app)
    fwd = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}
    r = c.post("/ui/login", data={"username": "ana", "password": PASSWORD}, headers=fwd, follow_redirects=False)
    assert r.status_code == 303
    assert "secure" in r.headers["set-cookie"].lower()
    assert app.state.audit.entries(action="login", limit=1)[0].client == "203.0.113.7"


def test_forwarded_headers_from_others_are_ignored(tmp_path: Path) -> None:
    app = _proxied_app(tmp_path / "b", ("10.1.2.3",))
    c = TestClient(app)
    r = c.post("/ui/login", data={"username": "ana", "password": PASSWORD}, follow_redirects=False,
               headers={"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"})
    assert "secure" not in r.headers["set-cookie"].lower()
    assert app.state.audit.entries(action="login", limit=1)[0].client == "testclient"


def test_one_client_cannot_lock_everyone_out_behind_the_proxy(tmp_path: Path) -> None:
    app = _proxied_app(tmp_path, ("testclient",))
    app.state.users.add("bob", PASSWORD, "viewer")
    c = TestClient(app)
    attacker = {"X-Forwarded-For": "198.51.100.66"}
    n = app.state.api_settings.login_attempts * 4 + 5
    for i in range(n):  # sprays every name from one address
        c.post("/api/auth/token", data={"username": ("ana", "bob", f"u{i}")[i % 3], "password": "wrong-wrong-wrong"},
               headers=attacker)
    assert c.post("/api/auth/token", data={"username": "ana", "password": PASSWORD},
                  headers=attacker).status_code == 429
    for user, addr in (("ana", "192.0.2.10"), ("bob", "192.0.2.11")):  # everybody else logs in
        r = c.post("/api/auth/token", data={"username": user, "password": PASSWORD}, headers={"X-Forwarded-For": addr})
        assert r.status_code == 200, (user, r.text)


def _bundle(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "persons.csv").write_text("person_id,name,source,source_record_id\n")
    return folder


@pytest.mark.parametrize("requested", ["/etc", "/etc/passwd", "../../../etc", "..", "/", "a/../../etc"])
def test_admin_ingest_outside_the_import_folder_is_refused(app: Any, tmp_path: Path, requested: str) -> None:
    private_dir(tmp_path / "import")
    r = TestClient(app).post("/api/admin/ingest", json={"path": requested}, headers=_bearer(app, "admin1"))
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden", r.text
    assert "passwd" not in r.text and "shadow" not in r.text  # nothing listed
    e = app.state.audit.entries(action="ingest_refused", limit=1)[0]
    assert e.username == "admin1" and e.target == requested
    assert not (app.state.api_settings.home / "rejects").exists()


def test_admin_ingest_does_not_expand_the_home_folder(app: Any, tmp_path: Path) -> None:
    private_dir(tmp_path / "import")
    r = TestClient(app).post("/api/admin/ingest", json={"path": "~/"}, headers=_bearer(app, "admin1"))
    assert r.status_code == 404  # "~" is a (missing) name inside the import folder, never $HOME


def test_admin_ingest_refuses_symlinks_out_of_the_import_folder(app: Any, tmp_path: Path) -> None:
    imports = private_dir(tmp_path / "import")
    outside = _bundle(tmp_path / "elsewhere")
    (imports / "link").symlink_to(outside, target_is_directory=True)  # a folder link out
    sneaky = _bundle(imports / "sneaky")
    (sneaky / "cases.csv").symlink_to("/etc/passwd")  # a file link out, inside a bundle
    h = _bearer(app, "admin1")
    c = TestClient(app)
    for requested in ("link", str(imports / "link"), "sneaky", "link/persons.csv"):
        r = c.post("/api/admin/ingest", json={"path": requested}, headers=h)
        assert r.status_code == 403, (requested, r.text)
    r = c.post("/api/admin/ingest", json={"path": "missing"}, headers=h)
    assert r.status_code == 404


def test_admin_ingest_without_the_import_folder_says_so(tmp_path: Path) -> None:
    app = create_app(_settings(tmp_path))
    app.state.users.add("admin1", PASSWORD, "admin")
    r = TestClient(app).post("/api/admin/ingest", json={"path": "x"}, headers=_bearer(app, "admin1"))
    assert r.status_code == 404 and "import folder" in r.json()["error"]["message"]


def test_service_unit_is_documented_and_not_root() -> None:
    root = Path(__file__).resolve().parent.parent
    unit = (root / "docs" / "netintel.service").read_text()
    assert re.search(r"^User=netintel$", unit, re.M) and re.search(r"^UMask=0077$", unit, re.M)
    assert "--proxy-headers" in unit and "NoNewPrivileges=yes" in unit
    assert "User=root" not in unit
    assert "netintel.service" in (root / "docs" / "security.md").read_text()


# ============================================================ 8. out-of-range parameters
def test_huge_offset_gives_422_not_500(app: Any) -> None:
    h = _bearer(app, "admin1")
    c = TestClient(app)
    r = c.get("/api/admin/audit?offset=99999999999999999999", headers=h)
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_parameters"
    assert c.get("/api/admin/audit?offset=1000000000000", headers=h).status_code == 200
    assert c.get("/api/admin/audit?limit=99999999999999999999", headers=h).status_code == 422


# ============================================================ 1. files private (helpers, startup)
def test_harden_tree_and_unsafe_modes(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "neo4j" / "data").mkdir(parents=True)
    os.chmod(home, 0o755)
    (home / "neo4j" / "data" / "neostore").write_text("phone 0812345678")
    os.chmod(home / "neo4j" / "data" / "neostore", 0o644)
    (home / "run.sh").write_text("#!/bin/sh\n")
    os.chmod(home / "run.sh", 0o755)
    (home / "out").symlink_to("/etc")
    for d in (home / "neo4j", home / "neo4j" / "data"):
        os.chmod(d, 0o755)
    problems = unsafe_modes(home)
    assert any("neostore" in p and "0644" in p for p in problems) and any("symlink out" in p for p in problems)
    assert harden_tree(home) == 5  # home, neo4j, data, neostore, run.sh; the symlink is left alone
    assert stat.S_IMODE((home / "neo4j" / "data" / "neostore").stat().st_mode) == 0o600
    assert stat.S_IMODE((home / "run.sh").stat().st_mode) == 0o700  # the owner keeps execute
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    (home / "out").unlink()
    assert unsafe_modes(home) == []
    with open_private(home / "rejects" / "x.csv") as fh:
        fh.write("raw row")
    assert stat.S_IMODE((home / "rejects").stat().st_mode) == 0o700
    assert stat.S_IMODE((home / "rejects" / "x.csv").stat().st_mode) == 0o600


def test_production_refuses_a_home_readable_by_others(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from api.security import get_api_settings

    home = tmp_path / "home"
    private_dir(home)
    monkeypatch.setenv("NETINTEL_HOME", str(home))
    monkeypatch.setenv("NETINTEL_ENV", "production")
    monkeypatch.delenv("NETINTEL_SECRET_KEY", raising=False)
    create_app(get_api_settings())  # private: starts
    (home / "neo4j").mkdir()
    os.chmod(home / "neo4j", 0o755)
    with pytest.raises(UnsafeSettings, match="not private"):
        create_app(get_api_settings())
    harden_tree(home)
    # the audit key or anchor inside the home is refused too
    monkeypatch.setenv("NETINTEL_AUDIT_ANCHOR", str(home / "anchor"))
    with pytest.raises(UnsafeSettings, match="inside NETINTEL_HOME"):
        create_app(get_api_settings())


def test_rejects_files_are_private(tmp_path: Path) -> None:
    from ingest.loader import RejectWriter

    w = RejectWriter(tmp_path / "new-folder" / "b.rejects.csv")
    w.add("persons.csv", 2, "phone", "bad", "raw,row,0812345678")
    w.close()
    assert stat.S_IMODE((tmp_path / "new-folder").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "new-folder" / "b.rejects.csv").stat().st_mode) == 0o600
    assert default_anchor(tmp_path / "h" / "audit.sqlite").name == "h.audit-anchor"
