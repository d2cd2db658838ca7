"""The ``netintel`` CLI (package ``cli``): every command documented, the pure
``--csv`` mode, and graph reads through the views with one scope per call
(``--as USER`` or an operator scope), audited like the API's."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from cli import app
from cli.output import cell

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct-horse-battery"


# ---------------------------------------------------------------- docs
def command_paths(typer_app: typer.Typer) -> list[str]:
    """Every leaf command of the app, as ``"analyse brokers"``."""
    out: list[str] = []

    def walk(cmd: Any, prefix: tuple[str, ...]) -> None:
        subs = getattr(cmd, "commands", None)  # a group (typer's own click or click's)
        if subs:
            for name, sub in subs.items():
                walk(sub, (*prefix, name))
        else:
            out.append(" ".join(prefix))

    walk(typer.main.get_command(typer_app), ())
    return sorted(out)


def usage_commands(readme: str) -> list[str]:
    """The command cells of the README's Usage table (``netintel …`` in backticks)."""
    section = readme.split("\n## Usage", 1)[1].split("\n## ", 1)[0]
    return [m.group(1) for m in re.finditer(r"^\|\s*`(netintel [^`]*)`", section, flags=re.M)]


def missing_from_usage(typer_app: typer.Typer, readme: str) -> list[str]:
    rows = usage_commands(readme)
    return [p for p in command_paths(typer_app)
            if not any(r == f"netintel {p}" or r.startswith(f"netintel {p} ") for r in rows)]


def test_every_command_is_in_the_readme_usage_table() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    paths = command_paths(app)
    assert {"stats", "analyse brokers", "users disable", "neo4j status", "db clear"} <= set(paths)
    assert missing_from_usage(app, readme) == [], "add these commands to README's Usage table"
    # the check itself bites: a table without a row for `users reset` is caught
    broken = re.sub(r"^\| `netintel users reset[^\n]*\n", "", readme, flags=re.M)
    assert missing_from_usage(app, broken) == ["users reset"]


def test_stable_commands_and_options() -> None:
    runner = CliRunner()
    for args, options in [(["generate"], ["--out", "--seed", "--persons"]), (["ingest"], ["--rejects", "--json"]),
                          (["users", "add"], ["--role", "--password"]), (["serve"], ["--host", "--port"]),
                          (["stats"], ["--json", "--as"]), (["db", "clear"], ["--yes"]),
                          (["analyse", "brokers"], ["--cases", "--group", "--top", "--csv", "--nodes", "--format"]),
                          (["analyse", "keyplayers"], ["--k", "--cases", "--csv", "--seed"]),
                          (["analyse", "routes"], ["--level", "--corridors", "--years", "--nationality",
                                                   "--exploitation-type", "--sex", "--csv", "--flows"]),
                          (["analyse", "trace"], ["--direction", "--max-hops", "--window-days", "--min-amount"]),
                          (["analyse", "typologies"], ["--threshold", "--csv"]),
                          (["analyse", "duplicates"], ["--write", "--csv"])]:
        res = runner.invoke(app, [*args, "--help"], terminal_width=200)
        assert res.exit_code == 0, res.output
        for opt in options:
            assert opt in res.output, f"netintel {' '.join(args)} lost {opt}"


# ------------------------------------------------------------ --csv mode
def test_table_cells_are_for_people() -> None:
    assert cell(1234567) == "1,234,567" and cell(1234.5678) == "1,234.57" and cell(2021, "year") == "2021"
    assert cell(True) == "yes" and cell(["MMR", "THA"]) == "MMR > THA" and cell(float("nan")) == ""


def test_brokers_on_csv_need_no_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEO4J_URI", "bolt://127.0.0.1:1")  # nothing answers there: no graph read may happen
    monkeypatch.setenv("NEO4J_PASSWORD", "x")
    edges = tmp_path / "edges.csv"
    edges.write_text("source,target\na,b\nb,c\nc,d\nb,e\n", encoding="utf-8")
    nodes = tmp_path / "nodes.csv"
    nodes.write_text("id,nationality\na,THA\nb,THA\nc,MMR\nd,MMR\ne,KHM\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["analyse", "brokers", "--csv", str(edges), "--nodes", str(nodes),
                                   "--format", "json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert rows[0]["node"] == "b" and rows[0]["reason"]
    res = CliRunner().invoke(app, ["analyse", "keyplayers", "--csv", str(edges), "--k", "1", "--format", "csv"])
    assert res.exit_code == 0 and res.stdout.splitlines()[1].split(",")[0] == "b", res.output
    res = CliRunner().invoke(app, ["analyse", "brokers", "--csv", str(edges), "--nodes", str(nodes)],
                             terminal_width=200)
    assert res.exit_code == 0 and "Brokers" in res.stdout


# ------------------------------------------------------ through the views
@pytest.fixture(scope="module")
def secret_db(driver: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The leakage tests' database: case SEC-C1 restricted to unit-secret (and sgt.named)."""
    from graph import db as gdb
    from ingest.loader import ingest_bundle
    from tests.conftest import write_csv
    from tests.test_security import _tables

    d = tmp_path_factory.mktemp("clisecret")
    for table, rows in _tables().items():
        write_csv(d / f"{table}.csv", rows)
    gdb.clear_database(driver)
    s = ingest_bundle(driver, d, rejects_path=d / "rejects.csv")
    assert s.rejected == 0
    return driver


@pytest.fixture
def home(secret_db: Any, neo4j_settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh NETINTEL_HOME (users, audit log) on the test Neo4j, with three users."""
    from api.security import UserStore

    monkeypatch.setenv("NEO4J_URI", neo4j_settings.uri)
    monkeypatch.setenv("NEO4J_USER", neo4j_settings.user)
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_settings.password())
    monkeypatch.setenv("NETINTEL_HOME", str(tmp_path))
    store = UserStore(tmp_path / "users.sqlite")
    store.add("outsider", PASSWORD, "analyst")
    store.set_units("outsider", ["unit-other"])
    store.add("cleared", PASSWORD, "investigator")
    store.set_units("cleared", ["unit-secret"])
    store.add("viewer1", PASSWORD, "viewer")
    return tmp_path


def _run(*args: str) -> Any:
    res = CliRunner().invoke(app, list(args))
    return res


def _json(*args: str) -> Any:
    res = _run(*args)
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def _audit(home: Path) -> list[Any]:
    from api.audit import AuditLog

    if not (home / "audit.sqlite").exists():
        return []
    return AuditLog(home / "audit.sqlite").entries(limit=1000)


@pytest.mark.neo4j
def test_stats_go_through_the_view(home: Path) -> None:
    operator = _json("stats", "--json")
    outsider = _json("stats", "--json", "--as", "outsider")
    cleared = _json("stats", "--json", "--as", "cleared")
    assert cleared == operator
    assert operator["nodes"]["Case"] - outsider["nodes"]["Case"] == 1
    assert operator["nodes"]["Person"] - outsider["nodes"]["Person"] == 2  # SEC-P1 and SEC-P2
    assert operator["nodes"]["BankAccount"] - outsider["nodes"]["BankAccount"] == 1
    res = _run("stats", "--as", "nobody")
    assert res.exit_code == 2 and "no user 'nobody'" in res.output


@pytest.mark.neo4j
def test_brokers_go_through_the_view_and_are_audited(home: Path) -> None:
    from tests.test_security import HIDDEN

    secret = HIDDEN["Person"]
    seen_by_operator = {r["node"] for r in _json("analyse", "brokers", "--top", "1000", "--format", "json")}
    seen_by_outsider = {r["node"] for r in _json("analyse", "brokers", "--top", "1000", "--format", "json",
                                                 "--as", "outsider")}
    assert secret <= seen_by_operator
    assert not secret & seen_by_outsider and seen_by_outsider
    assert secret <= {r["node"] for r in _json("analyse", "brokers", "--top", "1000", "--format", "json",
                                               "--as", "cleared")}
    entries = [e for e in _audit(home) if e.action == "read_personal"]
    by_user = {e.username: e for e in entries}
    assert {"outsider", "cleared"} <= set(by_user)
    e = by_user["outsider"]
    assert e.details["via"] == "cli" and e.details["command"] == "analyse brokers" and e.details["view"] == "brokers"
    assert e.client.startswith("cli:")
    op = next(e for e in entries if e.username.startswith("operator:"))
    assert op.details["reason"] == "analyse brokers" and op.details["via"] == "cli"
    # the audit log the CLI writes is the API's one chain
    assert _json("audit", "verify", "--json")["ok"] is True


@pytest.mark.neo4j
def test_a_role_below_the_view_is_refused_and_audited(home: Path) -> None:
    res = _run("analyse", "brokers", "--format", "json", "--as", "viewer1")
    assert res.exit_code == 2 and "investigator" in res.output
    denied = [e for e in _audit(home) if e.action == "access_denied"]
    assert denied and denied[0].username == "viewer1" and denied[0].details["via"] == "cli"


@pytest.mark.neo4j
def test_other_analyse_commands_use_the_scope(home: Path) -> None:
    # money: the secret account's transfer is hidden, and the account itself looks missing
    res = _run("analyse", "trace", "SEC-A1", "--format", "json", "--as", "outsider")
    assert res.exit_code == 2 and "no bank account" in res.output
    assert _json("analyse", "trace", "SEC-A1", "--format", "json")[0]["txn_id"] == "SEC-TX1"
    # routes: the secret victim's journey is the outsider's to miss
    persons = {r["person_id"] for r in _json("analyse", "routes", "--format", "json", "--as", "outsider")}
    assert "SEC-P2" not in persons
    assert "SEC-P2" in {r["person_id"] for r in _json("analyse", "routes", "--format", "json")}
    assert isinstance(_json("analyse", "routes", "--corridors", "--format", "json", "--as", "outsider"), list)
    res = _run("analyse", "routes", "--years", "nonsense")
    assert res.exit_code == 2 and "years" in res.output
    assert isinstance(_json("analyse", "hubs", "--format", "json"), list)
    assert isinstance(_json("analyse", "typologies", "--format", "json"), list)
    # the trace workspace's settings, account risk and the alert queue through the same views
    dated = _json("analyse", "trace", "SEC-A1", "--since", "2000-01-01", "--format", "json")
    assert [r["txn_id"] for r in dated] == ["SEC-TX1"]
    assert _json("analyse", "trace", "SEC-A1", "--until", "2000-01-01", "--format", "json") == []
    res = _run("analyse", "trace", "SEC-A1", "--since", "2024-13-01")
    assert res.exit_code == 2 and "YYYY-MM-DD" in res.output
    assert isinstance(_json("analyse", "risk", "--format", "json"), list)
    assert isinstance(_json("analyse", "alerts", "--run", "--format", "json"), list)
    assert "SEC-A1" not in _run("analyse", "risk", "--format", "json", "--as", "outsider").stdout
    res = _run("analyse", "keyplayers", "--k", "1", "--cases", "C1", "--format", "json")
    assert res.exit_code == 0 and len(json.loads(res.stdout)) == 1, res.output
    res = _run("analyse", "brokers", "--cases", "SEC-C1", "--as", "outsider")
    assert res.exit_code == 2 and "unknown case" in res.output  # hidden looks like missing
