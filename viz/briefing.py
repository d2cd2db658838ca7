"""The briefing page: a route map with its corridor table, fit for a bilateral meeting.

One document, drawn as an HTML page (``viz/templates/routemap.html``, printable
on A4) and as a PNG or a one-page A4 PDF (matplotlib), in English or Thai
throughout (the PDF embeds its fonts, Noto Sans Thai for Thai):

* a title the user sets; the years covered, stated from the data; the filters
  in plain words;
* the map (:mod:`viz.maplayout`: zoomed to the places in view, province
  outlines, non-colliding labels, one fixed width scale with reference values
  in the legend);
* the corridor table: names, victims, cases, share, change on the previous period;
* totals that are sums of what is shown, journeys left out and why, how counts
  are protected; sources by agency; the date; UN naming and a boundary
  disclaimer; a classification marking the user chooses, at the top and the
  bottom of the page (no watermark across the map).
"""

from __future__ import annotations

import datetime as _dt
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from .labels import family_for, text_width
from .maplayout import ADMIN1_CREDIT, MapLayout, layout, svg_path

__all__ = ["TEXTS", "CLASSIFICATIONS", "Document", "document", "render_figure", "svg_context", "font_families",
           "A4_INCHES"]

A4_INCHES = (8.27, 11.69)
ROLE_COLOURS = {"source": "#2ca02c", "transit": "#ff7f0e", "destination": "#d62728"}
ARC_COLOUR = "#7b3294"

#: classification markings offered to the user (English, Thai); "" for none
CLASSIFICATIONS: dict[str, tuple[str, str]] = {
    "": ("", ""),
    "official": ("FOR OFFICIAL USE ONLY", "ใช้ในราชการ"),
    "confidential": ("CONFIDENTIAL", "ลับ"),
    "secret": ("SECRET", "ลับมาก"),
}

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "years": "Years covered: {years} ({counted}).",
        "counted": "year of each journey's first leg",
        "counted_flows": "years as published: year of detection",
        "sources": "Sources: {sources}.",
        "no_sources": "netintel case records",
        "prepared": "Prepared {date}",
        "stamp": "Export {stamp}",
        "naming": "Names of countries and areas follow United Nations usage.",
        "disclaimer": "The boundaries and names shown and the designations used on this map do not imply "
                      "official endorsement or acceptance by the agencies that prepared it.",
        "credits": "Country outlines: Natural Earth 1:110m (public domain). {admin1}",
        "admin1": ADMIN1_CREDIT + ".",
        "source": "source", "transit": "transit", "destination": "destination",
        "widths": "Victims (line width, the same scale on every map):",
        "dashed": "fewer than {t} (not published)",
        "corridor": "Corridor", "victims": "Victims", "cases": "Cases", "share": "Share", "change": "Change",
        "total": "Total shown: {total} victims on {n} corridors.",
        "other": "Smaller corridors (fewer than {t} victims each) together: {other}.",
        "left_out": "Left out: {items}.",
        "left_item": "{n} journeys with {reason}",
        "protected": "Counts are rounded at random by at most 2 and corridors under {t} are not listed, so "
                     "that no victim can be identified; totals add up the numbers shown.",
        "exact": "Exact counts (investigator's export: handle as personal data).",
        "refused": "Too few victims match these filters to publish anything (fewer than {q}); widen them.",
        "flows": "Aggregate flows: {name}, counts as published. Cases are not available (n/a) in aggregate data; "
                 "“+” after a count: the same pair also has counts published as <5 (other years), not added.",
        "more": "… and {n} more corridors in the CSV export.",
        "none": "—",
        "national": "National records",
        "warnings": "Warnings: {items}.",
        "line": "line {line}: {reason}",
    },
    "th": {
        "years": "ปีที่ครอบคลุม: {years} ({counted})",
        "counted": "นับตามปีของการเดินทางช่วงแรก",
        "counted_flows": "ปีตามที่เผยแพร่: ปีที่ตรวจพบ",
        "sources": "แหล่งข้อมูล: {sources}",
        "no_sources": "ข้อมูลคดีในระบบ netintel",
        "prepared": "จัดทำเมื่อ {date}",
        "stamp": "ส่งออก {stamp}",
        "naming": "ชื่อประเทศและดินแดนเป็นไปตามการใช้ขององค์การสหประชาชาติ",
        "disclaimer": "เขตแดนและชื่อที่แสดง ตลอดจนการใช้คำเรียกบนแผนที่นี้ ไม่ได้หมายความถึงการรับรอง"
                      "หรือการยอมรับอย่างเป็นทางการของหน่วยงานที่จัดทำ",
        "credits": "เส้นเขตประเทศ: Natural Earth 1:110m (สาธารณสมบัติ) {admin1}",
        "admin1": "เส้นเขตจังหวัด: Natural Earth admin-1 (สาธารณสมบัติ) ปรับให้เรียบ",
        "source": "ต้นทาง", "transit": "ทางผ่าน", "destination": "ปลายทาง",
        "widths": "จำนวนผู้เสียหาย (ความกว้างของเส้น มาตราส่วนเดียวกันทุกแผนที่):",
        "dashed": "น้อยกว่า {t} (ไม่เผยแพร่)",
        "corridor": "เส้นทาง", "victims": "ผู้เสียหาย", "cases": "คดี", "share": "สัดส่วน", "change": "เปลี่ยนแปลง",
        "total": "รวมที่แสดง: ผู้เสียหาย {total} คน ใน {n} เส้นทาง",
        "other": "เส้นทางย่อย (น้อยกว่า {t} คนต่อเส้นทาง) รวมกัน: {other}",
        "left_out": "ไม่นับรวม: {items}",
        "left_item": "{n} การเดินทางที่{reason}",
        "protected": "ตัวเลขถูกปัดแบบสุ่มไม่เกิน 2 และไม่แสดงเส้นทางที่มีน้อยกว่า {t} คน เพื่อไม่ให้ระบุตัว"
                     "ผู้เสียหายได้ ยอดรวมคือผลรวมของตัวเลขที่แสดง",
        "exact": "ตัวเลขจริง (ส่งออกโดยพนักงานสอบสวน: เป็นข้อมูลส่วนบุคคล)",
        "refused": "มีผู้เสียหายตรงตามเงื่อนไขน้อยเกินไป (น้อยกว่า {q}) จึงไม่เผยแพร่ กรุณาขยายเงื่อนไข",
        "flows": "ข้อมูลรวม: {name} ตามที่เผยแพร่ ไม่มีข้อมูลจำนวนคดี (n/a) เครื่องหมาย “+” หมายถึงมีตัวเลขที่เผยแพร่เป็น <5 "
                 "ในปีอื่นซึ่งไม่ได้รวมไว้",
        "more": "… และอีก {n} เส้นทางในไฟล์ CSV",
        "none": "—",
        "national": "ข้อมูลคดีของไทย",
        "warnings": "คำเตือน: {items}",
        "line": "บรรทัด {line}: {reason}",
    },
}
_REASONS_TH = {"no place of exploitation recorded": "ไม่มีข้อมูลสถานที่แสวงประโยชน์",
               "no place of recruitment recorded": "ไม่มีข้อมูลสถานที่จัดหา",
               "place of exploitation not on the map": "สถานที่แสวงประโยชน์ไม่อยู่บนแผนที่",
               "place of recruitment not on the map": "สถานที่จัดหาไม่อยู่บนแผนที่",
               "other reasons": "เหตุผลอื่น"}


@dataclass
class Document:
    """Every text and number of one briefing page, in one language."""

    lang: str
    title: str
    classification: str
    orientation: str
    subtitle: str
    filters: str
    rows: list[dict[str, str]]
    more: str
    notes: list[str]
    footer: list[str]
    legend_roles: list[tuple[str, str, str]]
    legend_widths: list[tuple[str, float]]
    dashed: str
    widths_title: str
    headers: list[str]
    lay: MapLayout
    cs: list[dict[str, Any]] = field(default_factory=list)


def _fmt(v: Any) -> str:
    return "" if v is None else f"{int(v):,}"


def _share(v: Any) -> str:
    try:
        return "" if v is None or v != v else f"{float(v) * 100:.1f}%"
    except (TypeError, ValueError):
        return ""


def _change(v: Any) -> str:
    try:
        if v is None or v != v:
            return ""
        return f"{int(v):+,}"
    except (TypeError, ValueError):
        return ""


def document(cs: list[dict[str, Any]], places: dict[str, dict[str, Any]], *, title: str, lang: str = "en",
             info: Mapping[str, Any] | None = None, extra_rows: Mapping[str, Mapping[str, Any]] | None = None,
             sources: Iterable[str] | None = None, generated: Any = None, stamp: str | None = None,
             classification: str = "", orientation: str = "landscape", min_count: int = 5,
             aspect: float | None = None, max_rows: int = 12, flows_name: str | None = None) -> Document:
    """Build the page's texts and the map layout (see the module docstring)."""
    t = TEXTS["th" if lang == "th" else "en"]
    info = dict(info or {})
    mark = CLASSIFICATIONS.get(classification, (classification, classification))[1 if lang == "th" else 0]
    years = info.get("years_covered")
    counted = t["counted_flows"] if flows_name or info.get("disclosure") == "published" else t["counted"]
    subtitle = t["years"].format(years=years, counted=counted) if years else ""
    filters = str(info.get("filters_plain_th" if lang == "th" else "filters_plain") or info.get("filters_plain") or "")
    rows = []
    for c in cs[:max_rows]:
        x = dict((extra_rows or {}).get(c["route"], {}))
        rows.append({"route": c["route_names"], "victims": c["victims_display"], "cases": c["cases_display"],
                     "share": _share(x.get("share")), "change": _change(x.get("change")),
                     "dashed": "1" if c["victims"] is None else ""})
    more = t["more"].format(n=len(cs) - max_rows) if len(cs) > max_rows else ""
    headers = [t["corridor"], t["victims"], t["cases"], t["share"], t["change"]]
    compare = info.get("compare")
    if compare:  # aggregate flows: the national case figures for the same pair stand in the last column
        national = {(x["source"], x["destination"]): x["national_display"] for x in compare}
        for r, c in zip(rows, cs, strict=False):
            r["change"] = national.get((c["source"], c["destination"]), "")
        headers[4] = t["national"]
    notes: list[str] = []
    disclosure = info.get("disclosure")
    if disclosure == "refused":
        notes.append(t["refused"].format(q=10))
    shown = sum(c["victims"] for c in cs if c["victims"] is not None)
    n_shown = sum(1 for c in cs if c["victims"] is not None)
    given = info.get("total")
    total = int(given) if given is not None else shown
    notes.append(t["total"].format(total=f"{total:,}", n=n_shown))
    if disclosure == "cell-key":
        notes.append(t["other"].format(t=min_count, other=info.get("other_display") or f"<{min_count}"))
        notes.append(t["protected"].format(t=min_count))
    elif disclosure == "exact":
        notes.append(t["exact"])

    if flows_name:
        notes.append(t["flows"].format(name=flows_name))
    warns = info.get("warnings") or []
    if warns:
        items = [t["line"].format(line=w.get("line"), reason=w.get("reason")) for w in warns[:8]]
        if len(warns) > 8:
            items.append(f"+{len(warns) - 8}")
        notes.append(t["warnings"].format(items="; ".join(items)))
    left = info.get("left_out") or []
    if left:
        items = [t["left_item"].format(n=x.get("display") or x.get("journeys"),
                                       reason=_REASONS_TH.get(x["reason"], x["reason"]) if lang == "th"
                                       else x["reason"]) for x in left]
        notes.append(t["left_out"].format(items="; ".join(items)))
    src = list(sources or info.get("sources") or [])
    gen = generated or _dt.date.today().isoformat()
    footer = [t["sources"].format(sources=", ".join(src) if src else t["no_sources"]),
              t["prepared"].format(date=gen) + (" · " + t["stamp"].format(stamp=stamp) if stamp else ""),
              t["naming"] + " " + t["disclaimer"]]
    lay = layout(cs, places, aspect=aspect)
    footer.append(t["credits"].format(admin1=t["admin1"] if lay.outlines else ""))
    return Document(lang, title, mark, orientation, subtitle, filters, rows, more, notes, footer,
                    [(t[r], col, r) for r, col in ROLE_COLOURS.items()], lay.legend,
                    t["dashed"].format(t=min_count), t["widths"], headers, lay, cs)


# --------------------------------------------------------------------- SVG
def svg_context(doc: Document) -> dict[str, Any]:
    """The projected geometry as strings for the template (names stay plain text, escaped there)."""
    lay = doc.lay
    return {
        "w": f"{lay.w:.0f}", "h": f"{lay.h:.0f}",
        "countries": [{"d": svg_path(c["rings"]), "cls": "rm-country inv" if c["involved"] else "rm-country",
                       "iso3": c["iso3"], "name": c["name"]} for c in lay.countries],
        "provinces": [{"d": svg_path(p["rings"]), "cls": "rm-province inv" if p["involved"] else "rm-province",
                       "code": p["code"], "name": (p.get("name_th") or p["name"]) if doc.lang == "th" else p["name"]}
                      for p in lay.provinces],
        "arcs": [{"i": a["i"], "d": svg_path([a["pts"]], close=False), "width": f"{a['width']:.2f}",
                  "cls": "rm-arc sup" if a["dashed"] else "rm-arc",
                  "tip": f"{a['route']}: {a['display']}"} for a in lay.arcs],
        "places": [{"id": m["id"], "name": m["name"], "roles": m["roles"], "x": f"{m['x']:.1f}", "y": f"{m['y']:.1f}",
                    "sx": f"{m['x'] - 7:.1f}", "sy": f"{m['y'] - 7:.1f}", "dx": f"{m['x'] - 5:.1f}",
                    "dy": f"{m['y'] - 5:.1f}"} for m in lay.markers],
        "labels": [_label(x, "rm-label") for x in lay.labels] + [_label(x, "rm-count") for x in lay.counts],
    }


def _label(x: Any, cls: str) -> dict[str, Any]:
    from .labels import is_thai

    b = x.box
    out = {"cls": cls + (" rm-th" if is_thai(x.text) else ""), "text": x.text, "x": f"{b.x:.1f}", "y": f"{b.y:.1f}", "w": f"{b.w:.1f}", "h": f"{b.h:.1f}",
           "tx": f"{x.tx:.1f}", "ty": f"{x.ty:.1f}", "size": f"{x.size:g}", "leader": None}
    if x.leader:
        ax, ay = x.anchor
        cx = min(max(ax, b.x), b.x + b.w)
        cy = min(max(ay, b.y), b.y + b.h)
        out["leader"] = {"x1": f"{ax:.1f}", "y1": f"{ay:.1f}", "x2": f"{cx:.1f}", "y2": f"{cy:.1f}"}
    return out


# -------------------------------------------------------------- matplotlib
@lru_cache(maxsize=2)
def font_families(lang: str = "en") -> tuple[str, ...]:
    """The shared fallback fonts (:func:`viz.fonts.matplotlib_families`: Latin, Thai, Lao,
    Myanmar, Khmer, Chinese), Thai first for Thai pages so every Thai glyph is drawn with a Thai font."""
    from viz.fonts import matplotlib_families

    fams = list(matplotlib_families())
    if lang == "th" and "Noto Sans Thai" in fams:
        fams.remove("Noto Sans Thai")
        fams.insert(0, "Noto Sans Thai")
    return tuple(fams)


def _wrap(text: str, size: float, width_pt: float, fams: Sequence[str]) -> list[str]:
    words = text.split(" ")
    lines: list[str] = []
    cur = ""
    for w in words:
        cand = (cur + " " + w).strip()
        if cur and text_width(cand, size, tuple(fams)) > width_pt:
            lines.append(cur)
            cur = w
        else:
            cur = cand
    if cur:
        lines.append(cur)
    return lines


def map_box(orientation: str, y_top: float | None = None) -> tuple[float, float, float, float]:
    """``(left, top, width, height)`` in inches of the map on an A4 page (landscape: the left 62 %)."""
    W, H = A4_INCHES if orientation == "portrait" else (A4_INCHES[1], A4_INCHES[0])
    margin = 0.45
    top = H - margin - 0.75 if y_top is None else y_top - 0.06
    if orientation == "portrait":
        return margin, top, W - 2 * margin, (W - 2 * margin) * 0.68
    width = (W - 2 * margin) * 0.62
    return margin, top, width, top - 1.3


def _fit(text: str, size: float, width_pt: float, fams: Sequence[str]) -> str:
    if text_width(text, size, tuple(fams)) <= width_pt:
        return text
    while text and text_width(text + "…", size, tuple(fams)) > width_pt:
        text = text[:-1]
    return text + "…"


def render_figure(doc: Document, fmt: str, dpi: int = 150) -> bytes:
    """The page as PNG or PDF bytes (A4 in the document's orientation; fonts embedded as TrueType)."""
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Polygon

    fams = font_families(doc.lang)
    W, H = A4_INCHES if doc.orientation == "portrait" else (A4_INCHES[1], A4_INCHES[0])
    with matplotlib.rc_context({"font.family": list(fams), "pdf.fonttype": 42, "svg.fonttype": "none"}):
        fig = Figure(figsize=(W, H))
        margin = 0.45
        top = H - margin
        pt = 72.0

        def text(y_in: float, s: str, size: float, **kw: Any) -> float:
            """Write wrapped text at ``y_in`` inches from the bottom; return the y below it."""
            lines = _wrap(s, size, (W - 2 * margin) * pt, fams)
            for line in lines:
                fig.text(margin / W, y_in / H, line, fontsize=size, va="top", **kw)
                y_in -= size * 1.3 / pt
            return y_in

        if doc.classification:
            fig.text(0.5, (H - 0.18) / H, doc.classification, ha="center", va="center", fontsize=10,
                     weight="bold", color="#a00000")
            fig.text(0.5, 0.18 / H, doc.classification, ha="center", va="center", fontsize=10, weight="bold",
                     color="#a00000")
        y = text(top, doc.title, 15, weight="bold")
        if doc.subtitle:
            y = text(y - 0.02, doc.subtitle, 9)
        if doc.filters:
            y = text(y, doc.filters, 9, color="#333")
        # the map (its frame has the layout's aspect, see MAP_BOX); landscape: the legend and the
        # table to its right; portrait: below it
        lay = doc.lay
        landscape = doc.orientation != "portrait"
        x0_in, y_top, map_w, map_h = map_box(doc.orientation, y)
        map_h = min(map_h, map_w * lay.h / lay.w)
        map_w = map_h * lay.w / lay.h
        ax = fig.add_axes((x0_in / W, (y_top - map_h) / H, map_w / W, map_h / H))
        k = map_w * pt / lay.w  # points per map unit
        ax.set_xlim(0, lay.w)
        ax.set_ylim(lay.h, 0)
        ax.set_facecolor("#eaf2f8")
        ax.set_xticks([])
        ax.set_yticks([])
        for c in lay.countries:
            for ring in c["rings"]:
                ax.add_patch(Polygon(ring, closed=True, facecolor="#e7dfcc" if c["involved"] else "#f4f1ea",
                                     edgecolor="#9a9a9a", linewidth=0.5, zorder=1))
        for p in lay.provinces:
            for ring in p["rings"]:
                ax.add_patch(Polygon(ring, closed=True, fill=False, edgecolor="#b9b3a6", linewidth=0.3, zorder=1.5))
        for a in lay.arcs:
            xs, ys = zip(*a["pts"], strict=True)
            ax.plot(xs, ys, color=ARC_COLOUR, alpha=0.65, lw=a["width"] * k, solid_capstyle="round", zorder=3,
                    linestyle=(0, (3, 2)) if a["dashed"] else "-")
            if len(a["pts"]) > 2:
                (xa, ya), (xb, yb) = a["pts"][-3], a["pts"][-1]
                ax.annotate("", xy=(xb, yb), xytext=(xa, ya), zorder=4,
                            arrowprops={"arrowstyle": "-|>", "color": ARC_COLOUR, "lw": 0.8,
                                        "mutation_scale": 9})
        for m in lay.markers:
            for role, size, marker in (("destination", 7.5, "s"), ("source", 6.0, "o"), ("transit", 5.5, "D")):
                if role in m["roles"]:
                    ax.plot([m["x"]], [m["y"]], marker=marker, color=ROLE_COLOURS[role], markersize=size * k * 1.4,
                            markeredgecolor="white", markeredgewidth=0.5, linestyle="", zorder=6)
        for lab, colour in [(x, "#111") for x in lay.labels] + [(x, "#4a1f5c") for x in lay.counts]:
            b = lab.box
            if lab.leader:
                ax_, ay_ = lab.anchor
                ax.plot([ax_, min(max(ax_, b.x), b.x + b.w)], [ay_, min(max(ay_, b.y), b.y + b.h)], color="#777",
                        lw=0.4, zorder=6.5)
            ax.add_patch(Polygon([(b.x, b.y), (b.x + b.w, b.y), (b.x + b.w, b.y + b.h), (b.x, b.y + b.h)],
                                 closed=True, facecolor="white", edgecolor="none", alpha=0.75, zorder=6.8))
            ax.text(lab.tx, lab.ty, lab.text, fontsize=lab.size * k, color=colour, zorder=7, va="baseline",
                    fontfamily=list(family_for(lab.text)))
        handles = [Line2D([], [], marker={"source": "o", "transit": "D", "destination": "s"}[r], color=col,
                          linestyle="", markersize=6, label=name) for name, col, r in doc.legend_roles]
        handles += [Line2D([], [], color=ARC_COLOUR, alpha=0.65, lw=w * k, label=v) for v, w in doc.legend_widths]
        handles.append(Line2D([], [], color=ARC_COLOUR, lw=1.2 * k, linestyle=(0, (3, 2)), label=doc.dashed))
        if landscape:
            col_x = x0_in + map_w + 0.25
            col_w = W - margin - col_x
            leg = fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(col_x / W, y_top / H), fontsize=7,
                             frameon=False, ncol=2, title=doc.widths_title, title_fontsize=7, alignment="left")
            y = y_top - 1.25
        else:
            col_x, col_w = margin, W - 2 * margin
            leg = fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(margin / W, (y_top - map_h - 0.05) / H),
                             fontsize=7, frameon=False, ncol=4, title=doc.widths_title, title_fontsize=7,
                             alignment="left")
            y = y_top - map_h - 0.95
        del leg
        # the corridor table
        nums = 0.75 if doc.lang == "th" else 0.55
        route_w = col_w - 4 * nums
        cols = [col_x] + [col_x + route_w + i * nums for i in range(4)]
        for i, (x, h_) in enumerate(zip(cols, doc.headers, strict=True)):
            fig.text((x + (nums - 0.05 if i else 0)) / W, y / H, h_, fontsize=7.5, weight="bold", va="top",
                     ha="right" if i else "left")
        y -= 0.17
        for r in doc.rows:
            vals = [_fit(r["route"], 7.5, route_w * pt - 6, fams), r["victims"], r["cases"], r["share"], r["change"]]
            for i, (x, val) in enumerate(zip(cols, vals, strict=True)):
                fig.text((x + (nums - 0.05 if i else 0)) / W, y / H, val, fontsize=7.5, va="top",
                         ha="right" if i else "left")
            y -= 0.16
        if doc.more:
            fig.text(col_x / W, y / H, doc.more, fontsize=7, va="top", color="#555")
            y -= 0.18
        y = min(y, y_top - map_h) - 0.12

        def block(y_in: float, s: str, size: float, x_in: float, w_in: float, colour: str) -> float:
            for line in _wrap(s, size, w_in * pt, fams):
                fig.text(x_in / W, y_in / H, line, fontsize=size, va="top", color=colour)
                y_in -= size * 1.3 / pt
            return y_in

        if landscape:  # notes under the table, footer under the map
            yn = y_top - 1.25 - 0.17 - 0.16 * len(doc.rows) - (0.18 if doc.more else 0) - 0.1
            for n in doc.notes:
                yn = block(yn, n, 7, col_x, col_w, "#222")
            y = y_top - map_h - 0.12
            for f in doc.footer:
                y = block(y, f, 6.5, margin, map_w + (x0_in - margin), "#444")
        else:
            for n in doc.notes:
                y = block(y, n, 7, margin, W - 2 * margin, "#222")
            y -= 0.05
            for f in doc.footer:
                y = block(y, f, 6.5, margin, W - 2 * margin, "#444")
        buf = io.BytesIO()
        meta = {"Title": doc.title} if fmt == "pdf" else {"Title": doc.title, "Software": "netintel"}
        fig.savefig(buf, format=fmt, dpi=dpi if fmt == "png" else None, metadata=meta)
    return buf.getvalue()
