"""Interactive entity networks as self-contained HTML (pyvis / vis-network, offline).

The page embeds vis-network 9.1.2 (the copy bundled with pyvis) inline, so it
works without any network access.  Node and edge dicts are built with pyvis'
``Node``/``Edge`` classes; pyvis' own HTML template is not used because it
loads Bootstrap and vis-network from CDNs.

The page is ``viz/templates/network.html`` (it extends the site's base
template, so it carries the site header; see :mod:`viz.pages`).

Safety: all data travels in one ``<script type="application/json">`` block
whose ``<``, ``>``, ``&``, U+2028 and U+2029 are ``\\u``-escaped; labels are
drawn on the canvas and tooltips are DOM elements filled with
``textContent``, so names such as ``<img src=x onerror=alert(1)>`` are shown
as text and never parsed as HTML.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping
from typing import Any

import networkx as nx
from pyvis.edge import Edge
from pyvis.node import Node

from graph.model import NODES, ROLES
from viz.fonts import CSS_FONT_STACK
from viz.pages import network_assets, render_page

__all__ = [
    "render_network",
    "NODE_STYLES",
    "ROLE_COLOURS",
    "GF_ROLE_COLOURS",
    "network_payload",
    "workspace_page",
]

#: colour and vis shape per node label, from :data:`graph.model.NODES`.
NODE_STYLES: dict[str, dict[str, str]] = {n.label: {"color": n.colour, "shape": n.shape} for n in NODES}
_DEFAULT_STYLE = {"color": "#888888", "shape": "dot"}

_ROLE_PALETTE = (
    "#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
    "#e377c2", "#17becf", "#bcbd22", "#7f7f7f", "#393b79",
)
#: edge colour per involvement role (:data:`graph.model.ROLES`).
ROLE_COLOURS: dict[str, str] = dict(zip(ROLES, _ROLE_PALETTE, strict=False))
#: highlight colour per Gould–Fernandez brokerage role.
GF_ROLE_COLOURS: dict[str, str] = {
    "coordinator": "#e41a1c",
    "itinerant": "#ff7f00",
    "representative": "#4daf4a",
    "gatekeeper": "#984ea3",
    "liaison": "#a65628",
}
_HIGHLIGHT_PALETTE = ("#e41a1c", "#ff7f00", "#4daf4a", "#984ea3", "#a65628", "#f781bf", "#377eb8")
_TYPE_COLOUR = "#9a9a9a"
_BASE_SIZE = 12.0
_SIZE_RANGE = 28.0
_MAX_LABEL = 40
#: this many relationships of one type between the same two entities, or more, are drawn as one
#: edge "×N" (the page's bundles: its tooltip sums them; a double-click draws each)
BUNDLE_AT = 4
_PROVENANCE_KEYS = ("sources", "source_record_ids", "source", "source_record_id")


def _fmt(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:,.4g}" if abs(v) < 1e6 else f"{v:,.0f}"
    if isinstance(v, (list, tuple, set, frozenset)):
        return ", ".join(_fmt(x) for x in v)
    return str(v)


def _info(attrs: Mapping[str, Any], first: Iterable[str], skip: Iterable[str] = ()) -> list[list[str]]:
    """Tooltip rows: ``first`` keys, then other attributes sorted, provenance last."""
    skip_set = set(skip)
    rows: list[list[str]] = []
    seen: set[str] = set()
    for k in first:
        if k in attrs and attrs[k] is not None and attrs[k] != "":
            rows.append([k, _fmt(attrs[k])])
        seen.add(k)
    for k in sorted(attrs):
        if k in seen or k in skip_set or k in _PROVENANCE_KEYS or k.startswith("_"):
            continue
        if attrs[k] is None or attrs[k] == "":
            continue
        rows.append([k, _fmt(attrs[k])])
    for k in _PROVENANCE_KEYS:
        if k in attrs and attrs[k] not in (None, "", [], ()):
            rows.append([k, _fmt(attrs[k])])
    return rows


def _unique(key: str, seen: set[str]) -> str:
    """``key``, or ``key#2``, ``key#3``… when it was already used (vis-network refuses duplicate ids)."""
    out, i = key, 1
    while out in seen:
        i += 1
        out = f"{key}#{i}"
    seen.add(out)
    return out


def _truncate(s: str, n: int = _MAX_LABEL) -> str:
    return s if len(s) <= n else s[: n - 1] + "\u2026"


def _roles(attrs: Mapping[str, Any]) -> list[str]:
    r = attrs.get("roles", attrs.get("role"))
    if r is None:
        return []
    if isinstance(r, str):
        return [r]
    return [str(x) for x in r]


def _highlight_colours(highlight: Iterable[Hashable] | Mapping[Hashable, str] | None) -> dict[str, tuple[str, str]]:
    """node id (str) -> (tag, colour)."""
    if highlight is None:
        return {}
    if isinstance(highlight, Mapping):
        tags = list(dict.fromkeys(str(t) for t in highlight.values()))
        colours = {t: GF_ROLE_COLOURS.get(t, _HIGHLIGHT_PALETTE[i % len(_HIGHLIGHT_PALETTE)]) for i, t in enumerate(tags)}
        return {str(n): (str(t), colours[str(t)]) for n, t in highlight.items()}
    return {str(n): ("highlighted", "#e41a1c") for n in highlight}


def _fixed_positions(G: nx.Graph) -> dict[Hashable, tuple[float, float]]:
    """Precomputed layout for large graphs (physics off in the browser)."""
    n = G.number_of_nodes()
    if n == 0:
        return {}
    pos = nx.spring_layout(G, seed=7, iterations=30 if n < 2000 else 15)
    scale = 60.0 * math.sqrt(n)
    return {k: (float(x) * scale, float(y) * scale) for k, (x, y) in pos.items()}


def network_payload(
    G: nx.Graph,
    *,
    highlight: Iterable[Hashable] | Mapping[Hashable, str] | None = None,
    size_attr: str | None = None,
    edge_role_attr: str = "role",
    expand_url: str | None = None,
    fixed_layout_threshold: int = 300,
    edge_label_attr: str | None = None,
    levels: Mapping[Hashable, int] | None = None,
    highlight_title: str = "Highlighted",
    positions: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The JSON-serialisable page data (vis nodes, edges, options, legend).

    Parameters are those of :func:`render_network`; ``edge_label_attr`` draws an
    edge attribute as the edge label and ``levels`` switches to a left-to-right
    hierarchical layout with the given level per node.
    """
    hl = _highlight_colours(highlight)
    seen_ids: set[str] = set()
    if size_attr is None and any("score" in d for _, d in G.nodes(data=True)):
        size_attr = "score"
    values = [float(d[size_attr]) for _, d in G.nodes(data=True)
              if size_attr and isinstance(d.get(size_attr), (int, float)) and math.isfinite(float(d[size_attr]))]
    lo, hi = (min(values), max(values)) if values else (0.0, 0.0)
    fixed = levels is None and G.number_of_nodes() > fixed_layout_threshold
    pos = _fixed_positions(G) if fixed else {}

    nodes: list[dict[str, Any]] = []
    labels_present: list[str] = []
    for nid, d in G.nodes(data=True):
        kind = str(d.get("label", ""))
        st = NODE_STYLES.get(kind, _DEFAULT_STYLE)
        if kind not in labels_present:
            labels_present.append(kind)
        name = d.get("name")
        name = str(nid) if name is None or name == "" else str(name)
        size = _BASE_SIZE
        if size_attr and isinstance(d.get(size_attr), (int, float)) and math.isfinite(float(d[size_attr])):
            size = _BASE_SIZE + (_SIZE_RANGE * (float(d[size_attr]) - lo) / (hi - lo) if hi > lo else _SIZE_RANGE / 2)
        attrs = {k: v for k, v in d.items() if k not in ("label", "name")}
        roles = _roles(d)
        if roles:
            attrs["roles"] = roles
            attrs.pop("role", None)
        info = [["id", str(nid)], ["name", name]] + _info(attrs, ["score", "roles"])
        opts: dict[str, Any] = {
            "color": st["color"],
            "size": round(size, 2),
            "_kind": kind,
            "_info": info,
            "_search": f"{name} {nid}".lower(),
            "_name": name,
        }
        if d.get("collapsed"):
            opts["_collapsed"] = True
            opts["_degree"] = int(d.get("degree") or 0)
        if str(nid) in hl:
            tag, col = hl[str(nid)]
            opts["color"] = {"background": st["color"], "border": col,
                             "highlight": {"background": st["color"], "border": col}}
            opts["borderWidth"] = 4
            opts["_info"] = info + [["highlight", tag]]
        if fixed:
            x, y = pos[nid]
            opts.update(x=round(x, 1), y=round(y, 1), physics=False)
        elif positions and str(nid) in positions:
            x, y = positions[str(nid)][:2]
            opts.update(x=round(float(x), 1), y=round(float(y), 1))
        if levels is not None:
            opts["level"] = int(levels.get(nid, 0))
        nodes.append(Node(str(nid), st["shape"], _truncate(name), **opts).options)

    edges: list[dict[str, Any]] = []
    legend_edges: dict[str, str] = {}
    directed = G.is_directed()
    it = G.edges(keys=True, data=True) if G.is_multigraph() else ((u, v, i, d) for i, (u, v, d) in enumerate(G.edges(data=True)))
    for i, (u, v, _k, d) in enumerate(it):
        role = d.get(edge_role_attr)
        etype = str(d.get("type", ""))
        col = ROLE_COLOURS.get(str(role), ROLE_COLOURS["other"]) if role else _TYPE_COLOUR
        key = str(role) if role else (etype or "relationship")
        legend_edges.setdefault(key, col)
        info = _info(d, ["type", edge_role_attr, "amount", "currency", "at"])
        width = 1.0 + min(4.0, math.log10(1 + float(d["amount"])) / 2) if isinstance(d.get("amount"), (int, float)) else 1.5
        eopts: dict[str, Any] = {
            # the store's relationship id when there is one: parallel relationships stay distinct,
            # and an expansion that returns one already drawn is recognised
            "id": _unique(str(d["id"]) if d.get("id") not in (None, "") else f"e{i}", seen_ids),
            "color": {"color": col},
            "width": round(width, 2),
            "_type": etype,
            "_info": info,
            "_role": str(role) if role else None,
            "_source": d.get("source"),
            "_lo": d.get("at") or d.get("first_seen"),
            "_hi": d.get("at") or d.get("last_seen"),
            "_amount": float(d["amount"]) if isinstance(d.get("amount"), (int, float)) else None,
            "_currency": d.get("currency"),
        }
        if edge_label_attr and d.get(edge_label_attr) not in (None, ""):
            eopts["label"] = str(d[edge_label_attr])
        edges.append(Edge(str(u), str(v), directed, **eopts).options)

    n = G.number_of_nodes()
    options: dict[str, Any] = {
        "autoResize": True,
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": n > 150},
        # labels are drawn on the canvas: name the Noto families, or Myanmar/Khmer/Chinese fall back to boxes
        "nodes": {"font": {"size": 12, "face": CSS_FONT_STACK}, "borderWidth": 1},
        "edges": {"font": {"size": 10, "align": "top", "face": CSS_FONT_STACK}, "smooth": False if fixed else {"type": "continuous"},
                  "selectionWidth": 2},
    }
    if fixed or (positions and n and all(str(k) in positions for k in G.nodes)):
        fixed = fixed or bool(positions)
        options["physics"] = {"enabled": False}
    elif levels is not None:
        options["layout"] = {"hierarchical": {"enabled": True, "direction": "LR", "sortMethod": "directed",
                                              "levelSeparation": 230, "nodeSpacing": 110}}
        options["physics"] = {"enabled": True, "solver": "hierarchicalRepulsion",
                              "hierarchicalRepulsion": {"nodeDistance": 130},
                              "stabilization": {"enabled": True, "iterations": 150, "updateInterval": 50}}
        options["edges"]["smooth"] = {"type": "cubicBezier", "forceDirection": "horizontal"}
    else:
        options["physics"] = {
            "enabled": True,
            "solver": "barnesHut",
            "barnesHut": {"gravitationalConstant": -4000, "springLength": 130, "springConstant": 0.04,
                          "damping": 0.35, "avoidOverlap": 0.1},
            "minVelocity": 1.0,
            "maxVelocity": 40,
            "timestep": 0.5,
            "stabilization": {"enabled": True, "iterations": int(min(300, 80 + 2 * n)), "updateInterval": 50,
                              "fit": True},
        }
    highlight_legend = list(dict.fromkeys((tag, col) for tag, col in hl.values()))
    all_labels = [lab for lab in NODE_STYLES if lab in labels_present] + [x for x in labels_present if x not in NODE_STYLES]
    return {
        "nodes": nodes,
        "edges": edges,
        "options": options,
        "fixed": fixed,
        "directed": directed,
        "styles": {**NODE_STYLES, "_default": _DEFAULT_STYLE},
        "roleColors": ROLE_COLOURS,
        "typeColor": _TYPE_COLOUR,
        "baseSize": _BASE_SIZE,
        "sizeRange": _SIZE_RANGE,
        "maxLabel": _MAX_LABEL,
        "bundleAt": BUNDLE_AT,
        "expandUrl": expand_url,
        "legend": {
            "nodes": [[lab, NODE_STYLES.get(lab, _DEFAULT_STYLE)["color"], NODE_STYLES.get(lab, _DEFAULT_STYLE)["shape"]]
                      for lab in all_labels],
            "edges": [[k, c] for k, c in legend_edges.items()],
            "highlight": [list(x) for x in highlight_legend],
            "highlight_title": highlight_title,
        },
    }


def _page(title: str, payload: dict[str, Any], *, user: Any = None, role: str | None = None,
          downloads: list[tuple[str, str]] | None = None) -> str:
    """The network page (``viz/templates/network.html``) for ``payload``, with the site header;
    ``downloads`` are ``(text, href)`` links to the page's table in other formats."""
    return render_page("network.html", title=title, payload=payload, assets=network_assets(), user=user, role=role,
                       downloads=downloads or [])


def workspace_page(
    graph: Mapping[str, Any],
    *,
    title: str,
    workspace: Mapping[str, Any],
    start: str | None = None,
    positions: Mapping[str, Any] | None = None,
    user: Any = None,
    role: str | None = None,
) -> str:
    """The investigator's network page for a ``{nodes, edges}`` view (a neighbourhood, a case
    network, paths, a saved investigation): the site header, the canvas and the tools panel.

    ``workspace`` tells the page where to ask for more (``expandUrl`` with ``{id}``, ``searchUrl``,
    ``pathUrl``, ``investigationsUrl``), the current ``filters``, the lists for the filter panel
    (``labels``, ``types``, ``agencies``), ``hubLimit`` and an opened ``investigation``.

    Examples
    --------
    >>> g = {"nodes": [{"id": "p1", "label": "Person", "name": "Somchai"},
    ...                {"id": "TH-10", "label": "Location", "name": "Bangkok", "collapsed": True, "degree": 852}],
    ...      "edges": [{"id": "r1", "from": "p1", "to": "TH-10", "type": "LIVES_AT"},
    ...                {"id": "r2", "from": "p1", "to": "TH-10", "type": "LIVES_AT"}]}
    >>> html = workspace_page(g, title="t", workspace={"expandUrl": "/api/entities/{id}/neighbourhood",
    ...                       "labels": [], "types": [], "agencies": []}, start="p1")
    >>> 'id="ni-filters"' in html and '"r2"' in html
    True
    """
    G = nx.MultiDiGraph()
    for n in graph.get("nodes", []):
        G.add_node(str(n["id"]), **{k: v for k, v in n.items() if k != "id"})
    for e in graph.get("edges", []):
        frm = e.get("from", e.get("from_"))
        G.add_edge(str(frm), str(e["to"]), **{k: v for k, v in e.items() if k not in ("from", "from_", "to")})
    payload = network_payload(G, highlight=[start] if start else None, expand_url=workspace.get("expandUrl"),
                              positions=positions)
    payload["workspace"] = {**workspace, "start": start}
    return _page(title, payload, user=user, role=role)


def render_network(
    G: nx.Graph,
    *,
    title: str,
    highlight: Iterable[Hashable] | Mapping[Hashable, str] | None = None,
    size_attr: str | None = None,
    edge_role_attr: str = "role",
    expand_url: str | None = None,
    fixed_layout_threshold: int = 300,
    user: str | None = None,
    role: str | None = None,
) -> str:
    """Render an entity graph as one standalone, offline HTML page (with the site header).

    Parameters
    ----------
    G : networkx.Graph or networkx.DiGraph
        Nodes carry ``label`` (a :data:`graph.model.NODE_LABELS` value), ``name``,
        optional ``score``, ``role``/``roles`` and provenance (``sources``,
        ``source_record_ids``); edges carry ``type`` and optional ``role``,
        ``amount``, ``at``, ``source``, ``source_record_id``.
    title : str
        Page heading (escaped).
    highlight : iterable of node ids, or mapping node id -> tag, optional
        Nodes drawn with a thick border; with a mapping the border colour is per
        tag (Gould–Fernandez roles get fixed colours) and tags are in the legend.
    size_attr : str, optional
        Numeric node attribute scaled to node size (default ``score`` when present).
    edge_role_attr : str
        Edge attribute that chooses the edge colour (:data:`ROLE_COLOURS`).
    expand_url : str, optional
        Same-origin URL template containing ``{id}``; clicking a node fetches
        ``{nodes: [...], edges: [...]}`` from it and adds them to the view.
    fixed_layout_threshold : int
        Above this many nodes the layout is precomputed (networkx spring layout)
        and physics is off in the browser.
    user, role : str, optional
        Who is logged in, shown in the site header (with the role's links).

    Returns
    -------
    str
        A complete HTML document with every asset inline.

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_node("p1", label="Person", name="Somchai", score=0.9)
    >>> G.add_node("c1", label="Case", name="ATPD-1/2024")
    >>> G.add_edge("p1", "c1", type="INVOLVED_IN", role="suspect")
    >>> html = render_network(G, title="Case ATPD-1/2024")
    >>> html.startswith("<!DOCTYPE html>") and "Somchai" in html
    True
    """
    payload = network_payload(
        G, highlight=highlight, size_attr=size_attr, edge_role_attr=edge_role_attr,
        expand_url=expand_url, fixed_layout_threshold=fixed_layout_threshold,
    )
    return _page(title, payload, user=user, role=role)
