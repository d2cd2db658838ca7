"""Saved investigations through the API on the real Neo4j: save, list, open through the opener's
compartment, share (owner only), exports, audit."""

from __future__ import annotations

import io
import os
import stat
from collections.abc import Iterator
from typing import Any

import networkx as nx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.security import ApiSettings, create_access_token
from tests.test_api import PASSWORD, assert_error, loaded  # noqa: F401 - the loaded store fixture

pytestmark = pytest.mark.neo4j

#: C2 is restricted to "someone_else": P1 (also in C1) stays visible to everyone, C2 only to them
USERS = {"someone_else": ("team",), "mate": ("team",), "outsider": (), "friend": ()}


@pytest.fixture(scope="module")
def app(loaded: Any, neo4j_settings: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:  # noqa: F811
    a = create_app(ApiSettings(home=tmp_path_factory.mktemp("invhome"), env="development", secret_key="k" * 48),
                   neo4j_settings=neo4j_settings, driver=loaded)
    for name, units in USERS.items():
        a.state.users.add(name, PASSWORD, "investigator")
        a.state.users.set_units(name, units)
    a.state.users.add("viewer1", PASSWORD, "viewer")
    return a


@pytest.fixture(scope="module")
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


def h(app: Any, user: str, role: str = "investigator") -> dict[str, str]:
    pwc = app.state.users.password_changed_at(user)
    return {"Authorization": "Bearer " + create_access_token(app.state.api_settings, user, role,
                                                             password_changed_at=pwc)}


BODY = {"name": "Samut Sakhon boats", "start": "P1",
        "nodes": [{"id": "P1", "label": "Person"}, {"id": "C1", "label": "Case"}, {"id": "C2", "label": "Case"},
                  {"id": "P2", "label": "Person"}],
        "positions": {"P1": [0, 0], "C1": [100, 0], "C2": [0, 100], "P2": [50, 50]},
        "pinned": ["C2", "P1"], "hidden": ["P2"], "filters": {"labels": ["Person", "Case"], "evil": "x"},
        "notes": "ask DSI about the boat"}


def test_save_open_share_and_compartments(client: TestClient, app: Any) -> None:
    r = client.post("/api/investigations", json=BODY, headers=h(app, "someone_else"))
    assert r.status_code == 201, r.text
    inv = r.json()
    iid = inv["id"]
    assert inv["owner"] == "someone_else" and inv["nodes"] == 4 and inv["url"] == f"/api/investigations/{iid}"
    path = app.state.api_settings.home / "investigations.sqlite"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600

    # the owner sees everything saved, with its state
    own = client.get(f"/api/investigations/{iid}", headers=h(app, "someone_else")).json()
    assert {n["id"] for n in own["graph"]["nodes"]} == {"P1", "C1", "C2", "P2"}
    assert own["pinned"] == ["C2", "P1"] and own["hidden"] == ["P2"] and own["notes"] == "ask DSI about the boat"
    assert own["filters"] == {"labels": ["Person", "Case"]}  # unknown filter keys are not kept
    assert any(e["from"] == "P1" and e["to"] == "C2" for e in own["graph"]["edges"])

    # not shared yet: others get 404 and do not see it listed
    assert_error(client.get(f"/api/investigations/{iid}", headers=h(app, "mate")), 404)
    assert client.get("/api/investigations", headers=h(app, "mate")).json() == []

    # only the owner shares; share with the unit "team" and the user "friend"
    assert_error(client.post(f"/api/investigations/{iid}/share", json={"units": ["team"]},
                             headers=h(app, "outsider")), 404)
    r = client.post(f"/api/investigations/{iid}/share", json={"units": ["team"], "users": ["friend"]},
                    headers=h(app, "someone_else"))
    assert r.status_code == 200 and r.json()["shared_units"] == ["team"] and r.json()["shared_users"] == ["friend"]
    assert_error(client.post(f"/api/investigations/{iid}/share", json={"units": ["x"]}, headers=h(app, "mate")),
                 403)

    # mate (unit team) reopens it, but outside C2's compartment: C2, its pin, position and edge are gone
    for who in ("mate", "friend"):
        assert [x["id"] for x in client.get("/api/investigations", headers=h(app, who)).json()] == [iid]
        got = client.get(f"/api/investigations/{iid}", headers=h(app, who))
        assert got.status_code == 200
        d = got.json()
        assert {n["id"] for n in d["graph"]["nodes"]} == {"P1", "C1", "P2"}
        assert "C2" not in d["positions"] and d["pinned"] == ["P1"]
        assert all("C2" not in (e["from"], e["to"]) for e in d["graph"]["edges"])
        assert "S-1/2567" not in got.text  # the hidden case's number
    assert_error(client.get(f"/api/investigations/{iid}", headers=h(app, "outsider")), 404)

    # someone else's cannot be saved over (it looks missing): a copy can be saved instead
    assert_error(client.post("/api/investigations", json={**BODY, "id": iid}, headers=h(app, "mate")), 404)
    copy = client.post("/api/investigations", json={**BODY, "name": "copy"}, headers=h(app, "mate")).json()
    assert copy["owner"] == "mate" and copy["id"] != iid
    # the owner saves over their own
    again = client.post("/api/investigations", json={**BODY, "id": iid, "name": "renamed"},
                        headers=h(app, "someone_else")).json()
    assert again["id"] == iid and again["name"] == "renamed" and again["shared_units"] == ["team"]

    # exports of the opener's view
    view = client.get(f"/api/investigations/{iid}", headers=h(app, "mate")).json()["graph"]
    g = nx.read_graphml(io.BytesIO(client.get(f"/api/investigations/{iid}?format=graphml",
                                              headers=h(app, "mate")).content))
    assert (g.number_of_nodes(), g.number_of_edges()) == (len(view["nodes"]), len(view["edges"]))
    page = client.get(f"/api/investigations/{iid}?format=html", headers=h(app, "mate"))
    assert page.status_code == 200 and 'id="ni-inv"' in page.text and "S-1/2567" not in page.text

    audit = app.state.audit
    assert {e.username for e in audit.entries(action="investigation_save", limit=50)} >= {"someone_else", "mate"}
    assert [e.target for e in audit.entries(action="investigation_share", limit=50)] == [iid]
    opened = audit.entries(action="investigation_open", limit=50)
    assert {e.username for e in opened} >= {"someone_else", "mate", "friend"}
    mate_open = next(e for e in opened if e.username == "mate")
    assert mate_open.details["nodes_saved"] == 4 and mate_open.details["nodes_shown"] == 3
    assert any(e.details.get("format") == "graphml" for e in audit.entries(action="export", limit=50))


def test_bad_input_and_roles(client: TestClient, app: Any) -> None:
    bad = client.post("/api/investigations", json={**BODY, "nodes": [{"id": "P1", "label": "Spaceship"}]},
                      headers=h(app, "mate"))
    assert_error(bad, 400)
    assert_error(client.post("/api/investigations", json={**BODY, "owner": "x"}, headers=h(app, "mate")), 422)
    assert_error(client.post("/api/investigations", json={**BODY, "share_units": ["no spaces allowed"]},
                             headers=h(app, "mate")), 400)
    assert_error(client.get("/api/investigations/../etc", headers=h(app, "mate")), 404)
    assert_error(client.get("/api/investigations/not-an-id", headers=h(app, "mate")), 422)
    assert_error(client.get("/api/investigations", headers=h(app, "viewer1", "viewer")), 403)
    assert_error(client.post("/api/investigations", json=BODY), 401)
