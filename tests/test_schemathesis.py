"""Schemathesis against the app's OpenAPI schema (in process, via ASGI), authenticated
as an admin, on a small loaded graph: no generated request may end in a 5xx.

Bounded: a few examples per operation.  ``POST /api/admin/ingest`` is left
out (generated paths such as ``.`` would load whatever folder they name; it
is tested in tests/test_security.py).
"""

from __future__ import annotations

from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, settings  # noqa: E402

from api.app import create_app  # noqa: E402
from api.security import ApiSettings, create_access_token  # noqa: E402

pytestmark = pytest.mark.neo4j

PASSWORD = "correct-horse-battery"
EXCLUDED = {("POST", "/api/admin/ingest")}


@pytest.fixture(scope="module")
def st_app(driver: Any, neo4j_settings: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    from graph import db as gdb
    from ingest.loader import ingest_bundle
    from tests.conftest import write_csv
    from tests.test_ingest import full_tables

    gdb.clear_database(driver)
    d = tmp_path_factory.mktemp("stbundle")
    for table, rows in full_tables().items():
        write_csv(d / f"{table}.csv", rows)
    ingest_bundle(driver, d, rejects_path=d / "rejects.csv")
    home = tmp_path_factory.mktemp("sthome")
    app = create_app(ApiSettings(home=home, env="development", secret_key="t" * 48), neo4j_settings=neo4j_settings,
                     driver=driver)
    app.state.users.add("admin1", PASSWORD, "admin")
    app.state.users.add("viewer1", PASSWORD, "viewer")
    return app


@pytest.fixture(scope="module")
def api_schema(st_app: Any) -> Any:
    return schemathesis.openapi.from_asgi("/openapi.json", st_app)


@pytest.fixture(scope="module")
def auth(st_app: Any) -> dict[str, str]:
    tok = create_access_token(st_app.state.api_settings, "admin1", "admin", minutes=60,
                              password_changed_at=st_app.state.users.password_changed_at("admin1"))
    return {"Authorization": f"Bearer {tok}"}


MAX_EXAMPLES = 12


def test_no_server_error(api_schema: Any, auth: dict[str, str]) -> None:
    """Every operation, up to MAX_EXAMPLES generated requests each (the schemathesis
    pytest plugin is not used: it does not run with this pytest version)."""
    from hypothesis import given

    counts = {"operations": 0, "cases": 0}
    statuses: dict[int, int] = {}
    failures: list[str] = []
    for result in api_schema.get_all_operations():
        op = result.ok()
        if (op.method.upper(), op.path) in EXCLUDED:
            continue
        counts["operations"] += 1

        @given(case=op.as_strategy())
        @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case: Any) -> None:
            r = case.call(headers={**(case.headers or {}), **auth}, timeout=120)
            counts["cases"] += 1
            statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
            if r.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} {case.query} {case.body!r}: "
                                f"{r.status_code} {r.text[:200]}")
            elif r.status_code >= 400:
                body = r.json()
                assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}, body

        run()
    print(f"schemathesis {schemathesis.__version__ if hasattr(schemathesis, '__version__') else ''}: "
          f"{counts['operations']} operations, {counts['cases']} generated requests, statuses {sorted(statuses.items())}")
    assert counts["operations"] >= 30 and counts["cases"] >= 100
    assert failures == []
