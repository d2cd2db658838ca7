"""One page system: every kind of HTML page extends the one base template, shows the
site header, escapes what it shows and names no other origin."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

from viz.network import render_network
from viz.pages import TEMPLATES, render_page, site_user
from viz.routemap import routemap_html
from viz.views import render_broker_view, render_case_view, render_money_trail

XSS = "<img src=x onerror=alert(1)>"
XSS_SCRIPT = "</script><script>alert(1)</script>"
USER, ROLE = "ines<b>", "analyst"

# a tag/attribute that would make the browser fetch something from another host
_REMOTE = re.compile(
    r"""<(script|link|img|iframe|source|embed|object)\b[^>]*\b(src|href|data)\s*=\s*["']?\s*(https?:)?//"""
    r"""|url\(\s*["']?\s*(https?:)?//|@import""",
    re.I,
)


class _Links(HTMLParser):
    """Collects every URL-valued attribute and the ids of the site header / JSON blocks."""

    URL_ATTRS = {"src", "href", "action", "data", "formaction", "poster", "srcset", "background"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self.headers = 0
        self.json_blocks = 0
        self.scripts_with_src = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for k, v in attrs:
            if k in self.URL_ATTRS and v is not None:
                self.urls.append(v)
        if tag == "header" and "site-header" in (a.get("class") or "").split():
            self.headers += 1
        if tag == "script" and a.get("type") == "application/json":
            self.json_blocks += 1
        if tag == "script" and "src" in a:
            self.scripts_with_src += 1


def _graph() -> nx.Graph:
    G = nx.Graph()
    G.add_node("p1", label="Person", name=XSS, score=0.9, sources=["RTP"])
    G.add_node("p2", label="Person", name=XSS_SCRIPT, score=0.2)
    G.add_node("c1", label="Case", name="ATPD 12/2567")
    G.add_edge("p1", "c1", type="INVOLVED_IN", role="suspect")
    G.add_edge("p2", "c1", type="INVOLVED_IN", role="victim")
    return G


def _hops() -> pd.DataFrame:
    return pd.DataFrame({"path_id": [0, 0], "hop": [1, 2], "txn_id": ["t1", "t2"], "source": ["A", "B"],
                         "target": ["B", "C"], "amount": [1e6, 9.5e5], "currency": ["THB", "THB"],
                         "at": pd.to_datetime(["2024-01-01 09:00", "2024-01-01 15:00"])})


def _corridors() -> tuple[pd.DataFrame, pd.DataFrame]:
    corr = pd.DataFrame({"source": ["MMR", "KHM"], "transit": [("LAO",), ()], "destination": ["THA", "THA"],
                         "victims": [40, 3], "cases": [9, 1]})
    locs = pd.DataFrame([{"id": "MMR", "name": XSS, "lat": 21.0, "lon": 96.0, "kind": "country"},
                         {"id": "THA", "name": "ประเทศไทย", "lat": 15.0, "lon": 101.0, "kind": "country"}])
    return corr, locs


_HITS = [{"id": "P9", "label": "Person", "name": XSS, "match": "name"}]


def _hitlist() -> object:
    from views.models import HitList

    return HitList.model_validate({"data": [{**_HITS[0], "score": 0.5, "name_latin": XSS_SCRIPT,
                                             "records": [XSS], "roles": [XSS], "detail": {"kind": XSS}}],
                                   "count": 1, "query": {"q": XSS}, "total": 41, "page": 1, "page_size": 20,
                                   "pages": 3, "facets": {"label": {"Person": 41}, "agency": {XSS: 1},
                                                          "nationality": {"THA": 41}}, "filters": {}})


def _profile_page() -> str:
    from views.profile_models import EntityProfile, Timeline
    from viz.workspace import KIND_COLOURS, timeline_axis

    src = [{"agency": XSS, "agency_name": XSS_SCRIPT, "record_id": XSS}]
    rel = {"id": "C1", "label": "Case", "name": XSS, "type": "INVOLVED_IN", "sources": src, "details": {"x": XSS}}
    p = EntityProfile.model_validate({
        "id": "P9", "label": "Person", "label_en": "Person", "name": XSS, "sources": src,
        "names": [{"text": XSS, "script": "Latin", "field": "full_name"}],
        "facts": [{"field": "full_name", "label_en": "Full name", "label_th": "ชื่อ", "value": XSS, "sources": src}],
        "cases": [{"case_id": "C1", "case_number": XSS, "role": "victim", "sources": src}],
        "associates": [{"key": "family", "title_en": XSS, "total": 1, "items": [rel]}],
        "organisations": [rel], "other": [{"key": "k", "title_en": XSS, "total": 1, "items": [rel]}],
        "pivots": [{"kind": "phone", "value": XSS, "search_url": "/ui/search?q=x", "shared": 1,
                    "others": [{"id": "P1", "name": XSS}]}],
        "journeys": [{"person_id": "P9", "case_id": "C1", "legs": [{"leg": 1, "from_id": "A", "to_id": "B",
                                                                    "from_name": XSS, "to_name": XSS_SCRIPT}]}],
        "duplicates": [{"id": "P2", "name": XSS, "score": 0.9, "links": [{"label": XSS, "href": "/ui/x"}]}],
        "seen": [{"agency": XSS, "first": "2020-01-01", "records": 1}]})
    tl = Timeline.model_validate({"id": "P9", "label": "Person", "count": 1, "kinds": {"contact": 1},
                                  "events": [{"at": "2020-01-01", "kind": "contact", "title": XSS, "agency": XSS}]})
    return render_page("profile.html", title=XSS, p=p, tl=tl, axis=timeline_axis(tl.events), colours=KIND_COLOURS,
                       user=USER, role=ROLE)


def _case_page() -> str:
    from views.profile_models import CaseProfile
    from viz.workspace import KIND_COLOURS, timeline_axis

    c = CaseProfile.model_validate({
        "id": "C1", "case_number": XSS, "name": XSS,
        "parties": [{"role": "victim", "role_en": "Victim", "count": 1,
                     "parties": [{"id": "P9", "label": "Person", "name": XSS}]}],
        "counts": {"parties": 1, "victims": 1, "legs": 0, "vehicles": 0, "accounts": 0, "organisations": 0,
                   "linked_cases": 1},
        "linked_cases": [{"id": "C2", "case_number": XSS, "via": [{"kind": "phone", "id": XSS, "name": XSS}]}],
        "timeline": {"id": "C1", "label": "Case", "count": 1, "kinds": {"case_opened": 1},
                     "events": [{"at": "2020-01-01", "kind": "case_opened", "title": XSS}]}})
    return render_page("case.html", title=XSS, c=c, tl=c.timeline, axis=timeline_axis(c.timeline.events),
                       colours=KIND_COLOURS, user=USER, role=ROLE)

#: every kind of HTML page, rendered for USER (ROLE)
PAGES: dict[str, Callable[[], str]] = {
    "network": lambda: render_network(_graph(), title="Net " + XSS, expand_url="/api/entities/{id}/neighbours",
                                      user=USER, role=ROLE),
    "case": lambda: render_case_view(_graph(), "c1", user=USER, role=ROLE),
    "broker view": lambda: render_broker_view(_graph(), pd.DataFrame({"node": ["p1"], "role": ["liaison"]}),
                                              user=USER, role=ROLE),
    "money trail": lambda: render_money_trail(_hops(), title="Trail " + XSS, user=USER, role=ROLE),
    "route map": lambda: routemap_html(*_corridors(), title="Map " + XSS_SCRIPT, watermark="W " + XSS,
                                       user=USER, role=ROLE),
    "table": lambda: render_page("table.html", title="T " + XSS, rows=[{"person_id": XSS, "n": 1}],
                                 cols=["person_id", "n"], links={"person_id": "/ui/entity/{value}"}, note=XSS,
                                 extra_links=[("corridors", "/api/routes/corridors?format=html")],
                                 user=USER, role=ROLE),
    "error": lambda: render_page("error.html", title="Not found", status=404, code="not_found",
                                 message="no entity " + XSS, path="/ui/entity/" + XSS, user=USER, role=ROLE),
    "search": lambda: render_page("search.html", title="Search", res=_hitlist(), text=XSS, by="q",
                                  params={"q": XSS}, error=None, user=USER, role=ROLE),
    "profile": lambda: _profile_page(),
    "case workspace": lambda: _case_page(),
    "routes": lambda: render_page("routes.html", title="Routes", q={"level": "country"}, qs="level=country",
                                  user=USER, role=ROLE),
    "login": lambda: render_page("login.html", title="Log in", error=XSS, next="/ui/"),
}
NETWORKS = ("network", "case", "broker view", "money trail")


@pytest.mark.parametrize("kind", list(PAGES))
def test_every_page_has_the_site_header_and_no_external_url(kind: str) -> None:
    html = PAGES[kind]()
    assert html.startswith("<!DOCTYPE html>")
    p = _Links()
    p.feed(html)
    assert p.headers == 1, "exactly one site header"
    assert html.count('<a class="brand" href="/ui/">netintel</a>') == 1
    # nothing from another origin: every URL is a same-origin path or a fragment
    assert not _REMOTE.search(html)
    assert p.scripts_with_src == 0 and "<link" not in html.lower()
    for url in p.urls:
        assert url.startswith(("/", "#")) and not url.startswith("//"), f"{kind}: {url!r}"
    # names are text, never markup
    assert XSS not in html and XSS_SCRIPT not in html
    if kind != "login":
        assert "ines&lt;b&gt; (analyst)" in html and "ines<b> (" not in html
        assert 'action="/ui/logout"' in html
        assert 'href="/api/resolution/candidates?format=html"' in html  # analyst's links
        assert 'href="/api/admin/audit?format=html"' not in html


@pytest.mark.parametrize("kind", NETWORKS)
def test_network_pages_carry_their_data_once_as_json(kind: str) -> None:
    html = PAGES[kind]()
    p = _Links()
    p.feed(html)
    assert p.json_blocks == 1
    m = re.search(r'<script type="application/json" id="netintel-data">(.*?)</script>', html, re.S)
    assert m and "<" not in m.group(1) and "&" not in m.group(1)
    data = json.loads(m.group(1))
    assert data["nodes"] and all("title" not in n for n in data["nodes"])  # tooltips built with textContent
    # the page layout: toolbar, canvas and legend below the header
    for el in ('id="ni-header"', 'id="ni-search"', 'id="ni-network"', 'id="ni-legend"', 'class="app ni-net"'):
        assert el in html


def test_route_map_data_is_one_json_block() -> None:
    html = PAGES["route map"]()
    p = _Links()
    p.feed(html)
    assert p.json_blocks == 1 and 'class="rm"' in html
    m = re.search(r'id="routemap-data">(.*?)</script>', html, re.S)
    assert m and "<" not in m.group(1)
    assert [c["victims"] for c in json.loads(m.group(1))["corridors"]] == [40, None]


def test_header_links_follow_the_role() -> None:
    viewer = render_page("table.html", title="t", rows=[], cols=[], links={}, user="v", role="viewer")
    assert "/ui/routes" in viewer and "Brokers" not in viewer and "Duplicates" not in viewer
    admin = render_page("table.html", title="t", rows=[], cols=[], links={}, user="root", role="admin")
    assert "Brokers" in admin and "Duplicates" in admin and "Audit" in admin
    anon = render_network(_graph(), title="t")  # no user: brand only, no log out
    assert "Log out" not in anon and "/ui/routes" not in anon
    assert 'class="site-header"' in anon


def test_site_user_accepts_names_and_user_objects() -> None:
    class U:
        username, role = "ines", "investigator"

    assert site_user(U()) == site_user("ines", "investigator") == site_user({"username": "ines",
                                                                              "role": "investigator"})
    assert site_user(U(), "admin").role == "admin"  # type: ignore[union-attr]
    assert site_user("") is None and site_user(object()) is None


def test_every_template_extends_the_one_base() -> None:
    names = sorted(p.name for p in Path(TEMPLATES).glob("*.html"))
    assert {"base.html", "network.html", "routemap.html", "table.html", "error.html", "search.html", "profile.html",
            "case.html"} <= set(names)
    for name in names:
        if name == "base.html":
            continue
        text = (Path(TEMPLATES) / name).read_text(encoding="utf-8")
        text = re.sub(r"\{#.*?#\}", "", text, flags=re.S).lstrip()
        assert text.startswith('{% extends "base.html" %}'), name
    assert not (Path(__file__).resolve().parent.parent / "api" / "templates").exists()


def test_api_render_and_html_table_use_the_viz_page_system() -> None:
    common = pytest.importorskip("api.routers._common")
    resp = common.html_table("Corridors " + XSS, [{"route": ["MMR", "THA"], "victims": 12}],
                             user=site_user("ines", "analyst"), note="filters: none")
    body = resp.body.decode()
    assert resp.status_code == 200 and 'class="site-header"' in body and "ines (analyst)" in body
    assert "MMR › THA" in body and XSS not in body
    login = common.render("login.html", status_code=401, title="Log in", user=None, error="wrong", next="/ui/")
    assert login.status_code == 401 and 'class="site-header"' in login.body.decode()
    assert Path(common._TEMPLATES) == Path(TEMPLATES)
