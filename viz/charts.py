"""Small charts drawn as inline SVG on the server: they work offline, need no
script and carry no data to execute (every label is XML-escaped).

>>> svg = bar_chart([("complaint", 10), ("arrest", 4), ("<b>", None)], title="Cases")
>>> svg.startswith("<svg") and "&lt;b&gt;" in svg and "suppressed" in svg
True
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

from markupsafe import Markup

__all__ = ["bar_chart", "line_chart"]

_FONT = 'font-family="Noto Sans, DejaVu Sans, sans-serif"'


def _fmt(v: float | None) -> str:
    if v is None:
        return "<5"
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.1f}"


def bar_chart(items: Sequence[tuple[str, float | None]], *, title: str = "", width: int = 520,
              bar_height: int = 22, colour: str = "#1d3557") -> Markup:
    """Horizontal bars, one per ``(label, value)``; a None value (suppressed) is drawn as a
    hatched stub labelled ``<5``."""
    label_w = 190
    top = 26 if title else 6
    h = top + bar_height * len(items) + 8
    vmax = max([v for _, v in items if v is not None] or [1]) or 1
    span = width - label_w - 70
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" height="{h}" '
           f'viewBox="0 0 {width} {h}" role="img" aria-label="{escape(title)}">']
    if title:
        out.append(f'<text x="4" y="16" {_FONT} font-size="13" font-weight="700">{escape(title)}</text>')
    for i, (lab, v) in enumerate(items):
        y = top + i * bar_height
        out.append(f'<text x="{label_w - 6}" y="{y + bar_height * 0.68:.1f}" text-anchor="end" {_FONT} '
                   f'font-size="12">{escape(str(lab))}</text>')
        if v is None:
            out.append(f'<rect x="{label_w}" y="{y + 3}" width="14" height="{bar_height - 6}" fill="#ccc">'
                       f'<title>suppressed (fewer than 5)</title></rect>')
            wbar = 14.0
        else:
            wbar = max(1.0, span * float(v) / vmax) if v else 0.0
            out.append(f'<rect x="{label_w}" y="{y + 3}" width="{wbar:.1f}" height="{bar_height - 6}" '
                       f'fill="{colour}"><title>{escape(str(lab))}: {_fmt(v)}</title></rect>')
        out.append(f'<text x="{label_w + wbar + 5:.1f}" y="{y + bar_height * 0.68:.1f}" {_FONT} font-size="12">'
                   f'{escape(_fmt(v))}</text>')
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 - every text above is escaped


def line_chart(points: Sequence[tuple[str, float | None]], *, title: str = "", width: int = 640, height: int = 200,
               colour: str = "#e76f51") -> Markup:
    """A line over labelled points (months, years); None values break the line."""
    left, right, top, bottom = 44, 34, 30 if title else 12, 34
    vals = [v for _, v in points if v is not None]
    vmax = max(vals or [1]) or 1
    n = max(1, len(points) - 1)
    pw, ph = width - left - right, height - top - bottom

    def xy(i: int, v: float) -> tuple[float, float]:
        return left + pw * i / n, top + ph * (1 - float(v) / vmax)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">']
    if title:
        out.append(f'<text x="4" y="16" {_FONT} font-size="13" font-weight="700">{escape(title)}</text>')
    out.append(f'<line x1="{left}" y1="{top + ph}" x2="{left + pw}" y2="{top + ph}" stroke="#999"/>')
    out.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + ph}" stroke="#999"/>')
    for frac in (0.0, 0.5, 1.0):
        y = top + ph * (1 - frac)
        out.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" {_FONT} font-size="11">'
                   f'{escape(_fmt(round(vmax * frac)))}</text>')
    seg: list[str] = []
    segs: list[list[str]] = []
    for i, (_, v) in enumerate(points):
        if v is None:
            if seg:
                segs.append(seg)
            seg = []
            continue
        x, y = xy(i, v)
        seg.append(f"{x:.1f},{y:.1f}")
    if seg:
        segs.append(seg)
    for s in segs:
        out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{" ".join(s)}"/>')
    step = max(1, len(points) // 8)
    for i, (lab, v) in enumerate(points):
        if v is not None:
            x, y = xy(i, v)
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{colour}"><title>{escape(str(lab))}: '
                       f'{_fmt(v)}</title></circle>')
        if i % step == 0 or i == len(points) - 1:
            x = left + pw * i / n
            out.append(f'<text x="{x:.1f}" y="{height - 14}" text-anchor="middle" {_FONT} font-size="11">'
                       f'{escape(str(lab))}</text>')
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 - every text above is escaped
