"""Exports of network views and table views to the formats other tools read.

Network views (a :class:`views.models.GraphOut` as a dict: ``nodes`` with
``id``, ``label``, ``name`` and properties; ``edges`` with ``id``, ``from``,
``to``, ``type`` and properties) export as

* ``png``, ``svg``, ``pdf``: a drawing with title, date (Asia/Bangkok),
  legend and a watermark, fonts for Thai, Lao, Myanmar, Khmer and Chinese;
* ``csv``: ``nodes.csv`` and ``edges.csv`` in a zip;
* ``graphml`` and ``gexf`` (networkx writers): read by networkx, igraph and
  Gephi; the display name is the ``label`` attribute (what Gephi shows), the
  model label is ``kind``, a relationship's type is ``relationship`` (and its
  ``label``), every property is an attribute;
* ``anx``: i2 Analyst's Notebook exchange XML (``Chart`` →
  ``ChartItemCollection`` → one ``ChartItem`` per entity, with ``End`` /
  ``Entity``, and one per link, with ``Link`` / ``LinkStyle``); entity types
  are mapped to i2's standard types (:data:`I2_ENTITY_TYPES`), link types are
  the relationship types, ``SAME_AS`` candidates are drawn as tentative.

Table views (a list of row dicts) export as ``csv`` and ``xlsx`` (openpyxl).

These are pure functions (data in, bytes out); the API routes call them on
what a view function returned, so an export never reads more than the
on-screen view.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from xml.etree import ElementTree as ET

import networkx as nx

from graph.model import NODE_LABELS, NODES

__all__ = [
    "GRAPH_FORMATS",
    "TABLE_FORMATS",
    "MEDIA_TYPES",
    "I2_ENTITY_TYPES",
    "export_graph",
    "export_table",
    "to_networkx",
    "graph_csv_zip",
    "graph_graphml",
    "graph_gexf",
    "graph_anx",
    "graph_image",
    "table_csv",
    "table_xlsx",
    "font_families",
]

GRAPH_FORMATS = ("png", "svg", "pdf", "csv", "graphml", "gexf", "anx")
TABLE_FORMATS = ("csv", "xlsx")
MEDIA_TYPES = {
    "png": "image/png",
    "svg": "image/svg+xml",
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "zip": "application/zip",
    "graphml": "application/graphml+xml",
    "gexf": "application/gexf+xml",
    "anx": "application/xml",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
#: the model's labels as i2 Analyst's Notebook standard entity types
I2_ENTITY_TYPES: dict[str, str] = {
    "Case": "Event",
    "Person": "Person",
    "Organisation": "Organisation",
    "Vehicle": "Vehicle",
    "BankAccount": "Account",
    "Location": "Location",
    # prosecution and victim assistance records are events of a case
    "Screening": "Event",
    "ShelterStay": "Event",
    "Service": "Event",
    "JusticeStage": "Event",
    "Compensation": "Event",
    "Enforcement": "Event",
}
_COLOURS = {n.label: n.colour for n in NODES}
_BKK = dt.timezone(dt.timedelta(hours=7), "Asia/Bangkok")
_SKIP_NODE = ("id", "label", "name")
_SKIP_EDGE = ("id", "from", "to", "type", "from_")


def _now_bangkok() -> str:
    return dt.datetime.now(_BKK).strftime("%Y-%m-%d %H:%M") + " (Asia/Bangkok)"


def _nodes(g: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [dict(n) for n in g.get("nodes", [])]


def _edges(g: Mapping[str, Any]) -> list[dict[str, Any]]:
    out = []
    for i, e in enumerate(g.get("edges", [])):
        d = dict(e)
        if "from_" in d and "from" not in d:
            d["from"] = d.pop("from_")
        d.setdefault("id", f"e{i}")
        out.append(d)
    return out


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, list | tuple | set):
        return "; ".join(_text(x) for x in v)
    if isinstance(v, dict):
        return json.dumps(v, ensure_ascii=False, sort_keys=True)
    if isinstance(v, float) and not math.isfinite(v):
        return ""
    return str(v)


def _typed_attrs(items: Sequence[Mapping[str, Any]], skip: Iterable[str]) -> list[dict[str, Any]]:
    """Attribute dicts with one type per key across ``items`` (GraphML and GEXF declare a type per key):
    all ints → int, all numbers → float, all booleans → bool, anything else → text; None is left out."""
    skip = set(skip)
    kinds: dict[str, set[type]] = {}
    for it in items:
        for k, v in it.items():
            if k in skip or v is None or k.startswith("_"):
                continue
            kinds.setdefault(k, set()).add(type(v))
    conv: dict[str, Any] = {}
    for k, ts in kinds.items():
        if ts == {bool}:
            conv[k] = bool
        elif ts <= {int} and bool not in ts:
            conv[k] = int
        elif ts <= {int, float} and bool not in ts:
            conv[k] = float
        else:
            conv[k] = _text
    out = []
    for it in items:
        d: dict[str, Any] = {}
        for k, f in conv.items():
            v = it.get(k)
            if v is None or (isinstance(v, float) and not math.isfinite(v)):
                continue
            d[k] = f(v)
        out.append(d)
    return out


def to_networkx(g: Mapping[str, Any]) -> nx.MultiDiGraph:
    """The view as a MultiDiGraph: one node per node (``label`` = display name, ``kind`` = model label),
    one edge per relationship (key = its id; ``relationship`` and ``label`` = its type, and the properties
    as attributes)."""
    nodes, edges = _nodes(g), _edges(g)
    G = nx.MultiDiGraph()
    for n, attrs in zip(nodes, _typed_attrs(nodes, _SKIP_NODE), strict=True):
        name = n.get("name")
        G.add_node(str(n["id"]), label=_text(name) if name not in (None, "") else str(n["id"]),
                   kind=str(n.get("label", "")), **{k: v for k, v in attrs.items() if k not in ("kind",)})
    for e, attrs in zip(edges, _typed_attrs(edges, _SKIP_EDGE), strict=True):
        # "type" is GEXF's own edge attribute (directed/undirected): the relationship type is "relationship"
        G.add_edge(str(e["from"]), str(e["to"]), key=str(e["id"]), relationship=str(e.get("type", "")),
                   label=str(e.get("type", "")),
                   **{k: v for k, v in attrs.items() if k not in ("label", "relationship", "type")})
    return G


# ---------------------------------------------------------------- files
def graph_csv_zip(g: Mapping[str, Any]) -> bytes:
    """``nodes.csv`` (id, label, name, properties…) and ``edges.csv`` (id, from, to, type, properties…) zipped."""
    nodes, edges = _nodes(g), _edges(g)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        ncols = ["id", "label", "name", *sorted({k for n in nodes for k in n if k not in _SKIP_NODE})]
        ecols = ["id", "from", "to", "type", *sorted({k for e in edges for k in e if k not in _SKIP_EDGE})]
        z.writestr("nodes.csv", _csv_text([{c: n.get(c) for c in ncols} for n in nodes], ncols))
        z.writestr("edges.csv", _csv_text([{c: e.get(c) for c in ecols} for e in edges], ecols))
    return buf.getvalue()


def graph_graphml(g: Mapping[str, Any]) -> bytes:
    """GraphML (directed multigraph, typed attribute keys, edge ids)."""
    buf = io.BytesIO()
    nx.write_graphml(to_networkx(g), buf, encoding="utf-8", named_key_ids=True)
    return buf.getvalue()


def graph_gexf(g: Mapping[str, Any]) -> bytes:
    """GEXF 1.2 (what Gephi opens natively)."""
    buf = io.BytesIO()
    nx.write_gexf(to_networkx(g), buf, encoding="utf-8", version="1.2draft")
    return buf.getvalue()


def _layout(G: nx.Graph, positions: Mapping[str, Sequence[float]] | None) -> dict[str, tuple[float, float]]:
    """Saved positions where there are any, a seeded spring layout for the rest (y grows upwards)."""
    pos: dict[str, tuple[float, float]] = {}
    given = {str(k): (float(v[0]), -float(v[1])) for k, v in (positions or {}).items()
             if str(k) in G and len(v) >= 2}
    if len(given) < G.number_of_nodes():
        n = max(1, G.number_of_nodes())
        U = nx.Graph(G.to_undirected()) if G.is_directed() or G.is_multigraph() else G
        fixed = list(given) or None
        auto = nx.spring_layout(U, seed=7, pos=given or None, fixed=fixed, iterations=50,
                                k=None if given else 1.5 / math.sqrt(n))
        scale = 1.0 if given else 400.0 * math.sqrt(n) / 4
        pos = {k: (float(x) * (1.0 if given else scale), float(y) * (1.0 if given else scale))
               for k, (x, y) in auto.items()}
    pos.update(given)
    return pos


def graph_anx(g: Mapping[str, Any], *, title: str = "netintel",
              positions: Mapping[str, Sequence[float]] | None = None) -> bytes:
    """i2 Analyst's Notebook exchange XML: one ``ChartItem`` per entity and per link."""
    nodes, edges = _nodes(g), _edges(g)
    G = to_networkx(g)
    pos = _layout(G, positions)
    chart = ET.Element("Chart", {"IdReferenceLinking": "false", "Rigorous": "true"})
    ET.SubElement(chart, "Summary").append(_summary(title))
    strengths = ET.SubElement(chart, "StrengthCollection")
    ET.SubElement(strengths, "Strength", {"Id": "Confirmed", "Name": "Confirmed", "DotStyle": "DotStyleSolid"})
    ET.SubElement(strengths, "Strength", {"Id": "Tentative", "Name": "Tentative", "DotStyle": "DotStyleDashed"})
    etypes = ET.SubElement(chart, "EntityTypeCollection")
    for lab in dict.fromkeys(str(n.get("label", "")) for n in nodes):
        t = I2_ENTITY_TYPES.get(lab, lab or "Entity")
        ET.SubElement(etypes, "EntityType", {"Name": t, "IconFile": t,
                                             "Colour": str(_bgr(_COLOURS.get(lab, "#888888")))})
    ltypes = ET.SubElement(chart, "LinkTypeCollection")
    for t in dict.fromkeys(str(e.get("type", "")) for e in edges):
        ET.SubElement(ltypes, "LinkType", {"Name": t or "Link"})
    keys = sorted({k for n in nodes for k in n if k not in _SKIP_NODE and not k.startswith("_")}
                  | {k for e in edges for k in e if k not in _SKIP_EDGE and not k.startswith("_")})
    classes = ET.SubElement(chart, "AttributeClassCollection")
    for k in keys:
        ET.SubElement(classes, "AttributeClass", {"Name": k, "Type": "AttText", "ShowValue": "true",
                                                  "Visible": "true"})
    items = ET.SubElement(chart, "ChartItemCollection")
    for n in nodes:
        nid = str(n["id"])
        lab = str(n.get("label", ""))
        x, y = pos.get(nid, (0.0, 0.0))
        item = ET.SubElement(items, "ChartItem", {"Label": _text(n.get("name")) or nid,
                                                  "Description": f"{lab} {nid}", "XPosition": str(round(x))})
        end = ET.SubElement(item, "End", {"X": str(round(x)), "Y": str(round(-y))})
        ent = ET.SubElement(end, "Entity", {"EntityId": nid, "Identity": nid, "LabelIsIdentity": "false"})
        icon = ET.SubElement(ent, "Icon")
        ET.SubElement(icon, "IconStyle", {"Type": I2_ENTITY_TYPES.get(lab, lab or "Entity")})
        _attributes(item, n, _SKIP_NODE)
    for e in edges:
        tentative = e.get("type") == "SAME_AS"
        label = str(e.get("type", ""))
        if e.get("role"):
            label += f" ({e['role']})"
        item = ET.SubElement(items, "ChartItem", {"Label": label, "Description": str(e["id"])})
        link = ET.SubElement(item, "Link", {"End1Id": str(e["from"]), "End2Id": str(e["to"])})
        ET.SubElement(link, "LinkStyle", {"Type": str(e.get("type", "")) or "Link",
                                          "StrengthReference": "Tentative" if tentative else "Confirmed",
                                          "ArrowStyle": "ArrowOnHead", "MlStyle": "MultiplicityMultiple"})
        _attributes(item, e, _SKIP_EDGE)
    ET.indent(chart)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(chart, encoding="utf-8") + b"\n"


def _summary(title: str) -> ET.Element:
    s = ET.Element("Origin")
    s.set("Title", title)
    s.set("CreatedDate", dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S"))
    s.set("Software", "netintel")
    return s


def _bgr(hex_colour: str) -> int:
    """``#rrggbb`` as the integer colour i2 uses (0x00BBGGRR)."""
    h = hex_colour.lstrip("#")
    r, g, b = int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)
    return b << 16 | g << 8 | r


def _attributes(item: ET.Element, d: Mapping[str, Any], skip: Iterable[str]) -> None:
    skip = set(skip)
    vals = [(k, _text(v)) for k, v in sorted(d.items()) if k not in skip and not k.startswith("_") and v is not None]
    vals = [(k, v) for k, v in vals if v != ""]
    if vals:
        coll = ET.SubElement(item, "AttributeCollection")
        for k, v in vals:
            ET.SubElement(coll, "Attribute", {"AttributeClass": k, "Value": v})


# ---------------------------------------------------------------- pictures
def font_families() -> list[str]:
    """Installed fonts, in fallback order, for Latin, Thai, Lao, Myanmar, Khmer and Chinese names
    (:func:`viz.fonts.matplotlib_families`)."""
    from viz.fonts import matplotlib_families

    return list(matplotlib_families())


def graph_image(g: Mapping[str, Any], fmt: str, *, title: str, user: str | None = None,
                positions: Mapping[str, Sequence[float]] | None = None, watermark: str | None = None,
                generated: str | None = None) -> bytes:
    """The network drawn with matplotlib as ``png``, ``svg`` or ``pdf``: title, date, who exported it,
    a legend of the entity types shown and a diagonal watermark."""
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    if fmt not in ("png", "svg", "pdf"):
        raise ValueError(f"not a picture format: {fmt}")
    G = to_networkx(g)
    pos = _layout(G, positions)
    mark = watermark if watermark is not None else "netintel · CONFIDENTIAL"
    when = generated or _now_bangkok()
    with matplotlib.rc_context({"font.family": font_families(), "pdf.fonttype": 42, "svg.fonttype": "path"}):
        fig = Figure(figsize=(12.0, 9.0))
        ax = fig.add_axes((0.02, 0.06, 0.96, 0.84))
        ax.set_axis_off()
        for u, v, d in G.edges(data=True):
            (x0, y0), (x1, y1) = pos[u], pos[v]
            ax.plot([x0, x1], [y0, y1], color="#b0b0b0", lw=0.8, zorder=1,
                    ls="--" if d.get("relationship") == "SAME_AS" else "-")
        kinds: dict[str, str] = {}
        many = G.number_of_nodes() > 120
        for nid, d in G.nodes(data=True):
            kind = str(d.get("kind", ""))
            col = _COLOURS.get(kind, "#888888")
            kinds.setdefault(kind, col)
            x, y = pos[nid]
            ax.scatter([x], [y], s=60 if not d.get("collapsed") else 160, color=col, edgecolors="#333",
                       linewidths=0.5, zorder=2)
            if not many or d.get("collapsed"):
                text = str(d.get("label", nid))
                text = text if len(text) <= 32 else text[:31] + "…"
                if d.get("collapsed") and d.get("degree"):
                    text += f" (+{int(d['degree']):,})"
                ax.annotate(text, (x, y), xytext=(0, 7), textcoords="offset points", ha="center", fontsize=7,
                            zorder=3)
        ax.margins(0.08)
        fig.text(0.02, 0.965, title, fontsize=14, weight="bold", va="center")
        sub = f"{G.number_of_nodes():,} nodes, {G.number_of_edges():,} relationships · exported {when}"
        if user:
            sub += f" by {user}"
        fig.text(0.02, 0.93, sub, fontsize=9, va="center", color="#444")
        handles = [Line2D([], [], marker="o", ls="", color=c, markeredgecolor="#333", label=k or "?")
                   for k, c in sorted(kinds.items(), key=lambda kv: NODE_LABELS.index(kv[0])
                                      if kv[0] in NODE_LABELS else 99)]
        if handles:
            ax.legend(handles=handles, loc="lower left", fontsize=8, framealpha=0.9)
        if mark:
            fig.text(0.5, 0.5, mark, fontsize=54, color="black", alpha=0.07, rotation=25, ha="center",
                     va="center", weight="bold")
        fig.text(0.98, 0.02, "netintel", fontsize=8, color="#777", ha="right")
        buf = io.BytesIO()
        meta = {"Title": title, "Software": "netintel"} if fmt == "png" else {"Title": title}
        fig.savefig(buf, format=fmt, dpi=130 if fmt == "png" else None, metadata=meta)
    return buf.getvalue()


def export_graph(g: Mapping[str, Any], fmt: str, *, title: str, user: str | None = None,
                 positions: Mapping[str, Sequence[float]] | None = None) -> tuple[bytes, str, str]:
    """``(body, media type, file extension)`` of a network view in ``fmt`` (one of :data:`GRAPH_FORMATS`)."""
    if fmt in ("png", "svg", "pdf"):
        return graph_image(g, fmt, title=title, user=user, positions=positions), MEDIA_TYPES[fmt], fmt
    if fmt == "csv":
        return graph_csv_zip(g), MEDIA_TYPES["zip"], "zip"
    if fmt == "graphml":
        return graph_graphml(g), MEDIA_TYPES[fmt], fmt
    if fmt == "gexf":
        return graph_gexf(g), MEDIA_TYPES[fmt], fmt
    if fmt == "anx":
        return graph_anx(g, title=title, positions=positions), MEDIA_TYPES[fmt], fmt
    raise ValueError(f"unknown network export format {fmt!r}")


# ---------------------------------------------------------------- tables
def _csv_text(rows: Sequence[Mapping[str, Any]], cols: Sequence[str]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(cols)
    for r in rows:
        w.writerow([_safe_cell(_text(r.get(c))) for c in cols])
    return buf.getvalue()


def _columns(rows: Sequence[Mapping[str, Any]], cols: Sequence[str] | None) -> list[str]:
    return list(cols) if cols else list(dict.fromkeys(k for r in rows for k in r))


def table_csv(rows: Sequence[Mapping[str, Any]], cols: Sequence[str] | None = None) -> bytes:
    """UTF-8 CSV with a byte-order mark (so spreadsheet programs read Thai correctly)."""
    return ("\ufeff" + _csv_text(rows, _columns(rows, cols))).encode("utf-8")


def table_xlsx(rows: Sequence[Mapping[str, Any]], cols: Sequence[str] | None = None, *,
               title: str = "netintel") -> bytes:
    """An Excel workbook: one sheet, bold frozen header, numbers kept as numbers."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    columns = _columns(rows, cols)
    wb = Workbook()
    ws = wb.active
    ws.title = (title[:31] or "netintel").replace("/", "-").replace(":", "-").replace("?", "")\
        .replace("*", "").replace("[", "(").replace("]", ")").replace("\\", "-")
    ws.append(columns)
    for c in ws[1]:
        c.font = Font(bold=True)
    ws.freeze_panes = "A2"
    for r in rows:
        out: list[Any] = []
        for c in columns:
            v = r.get(c)
            if isinstance(v, bool | int | float) and not (isinstance(v, float) and not math.isfinite(v)):
                out.append(v)
            else:
                out.append(_safe_cell(_text(v)))
        ws.append(out)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _safe_cell(s: str) -> str:
    """Text that a spreadsheet will not run as a formula (``=``, ``@``, or ``+``/``-`` not starting a number
    get a leading apostrophe; phone numbers such as ``+6681…`` stay as they are).

    >>> _safe_cell("=HYPERLINK(1)"), _safe_cell("+66812345678"), _safe_cell("-x")
    ("'=HYPERLINK(1)", '+66812345678', "'-x")
    """
    if s[:1] in ("=", "@", "\t", "\r") or (s[:1] in ("+", "-") and not s[1:2].isdigit()):
        return "'" + s
    return s


def export_table(rows: Sequence[Mapping[str, Any]], fmt: str, *, title: str = "netintel",
                 cols: Sequence[str] | None = None) -> tuple[bytes, str, str]:
    """``(body, media type, file extension)`` of a table view in ``csv`` or ``xlsx``."""
    if fmt == "csv":
        return table_csv(rows, cols), MEDIA_TYPES["csv"], "csv"
    if fmt == "xlsx":
        return table_xlsx(rows, cols, title=title), MEDIA_TYPES["xlsx"], "xlsx"
    raise ValueError(f"unknown table export format {fmt!r}")
