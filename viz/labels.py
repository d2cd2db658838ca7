"""Label placement for maps: every label gets a box that overlaps no other label and no marker.

A small greedy placer in screen units (SVG user units; the PNG/PDF use the
same layout): labels are placed in order of importance, each at the first
candidate position around its anchor (right, left, above, below, the four
diagonals; then the same farther out, with a leader line) whose box is free.
Text widths are measured with the font that draws them (matplotlib's font
metrics), so the boxes are the text's real extent.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["Box", "Label", "text_width", "place_labels", "overlaps", "is_thai", "family_for"]


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    def hits(self, other: Box, pad: float = 0.0) -> bool:
        return not (self.x + self.w + pad <= other.x or other.x + other.w + pad <= self.x
                    or self.y + self.h + pad <= other.y or other.y + other.h + pad <= self.y)

    def inside(self, w: float, h: float) -> bool:
        return self.x >= 0 and self.y >= 0 and self.x + self.w <= w and self.y + self.h <= h


@dataclass(frozen=True)
class Label:
    """A placed label: ``text`` drawn with its baseline at (``tx``, ``ty``), ``box`` its extent;
    ``leader`` is the anchor when a line joins a label placed away from it."""

    key: str
    text: str
    size: float
    box: Box
    tx: float
    ty: float
    anchor: tuple[float, float]
    leader: bool


def is_thai(text: str) -> bool:
    """True when ``text`` holds Thai script (it is then drawn, and measured, with a Thai font)."""
    return any("\u0e00" <= ch <= "\u0e7f" for ch in text)


def family_for(text: str) -> tuple[str, ...]:
    """The font a label is drawn with: Noto Sans Thai for Thai script, Noto Sans otherwise."""
    return ("Noto Sans Thai", "Noto Sans", "DejaVu Sans") if is_thai(text) else ("Noto Sans", "DejaVu Sans")


@lru_cache(maxsize=4096)
def text_width(text: str, size: float, family: tuple[str, ...] | None = None) -> float:
    """Width of ``text`` at font ``size`` (same units), measured with matplotlib's font metrics
    and the font that draws it (:func:`family_for` unless given).

    >>> 40 < text_width("Thailand", 12) < 70 and text_width("ประเทศไทย", 12) > 40
    True
    """
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    fam = list(family) if family else list(family_for(text))
    w, _h, _d = TextToPath().get_text_width_height_descent(text, FontProperties(family=fam, size=size),
                                                           ismath=False)
    return float(w)


def overlaps(boxes: Sequence[Box], pad: float = 0.0) -> list[tuple[int, int]]:
    """Pairs of boxes that overlap (for tests and checks)."""
    return [(i, j) for i in range(len(boxes)) for j in range(i + 1, len(boxes)) if boxes[i].hits(boxes[j], pad)]


def place_labels(items: Iterable[tuple[str, str, float, float, float, float]], width: float, height: float,
                 obstacles: Sequence[Box] = (), pad: float = 1.5) -> list[Label]:
    """Place labels ``(key, text, x, y, size, clearance)`` in the given order (most important first).

    ``clearance`` is the radius of the marker at (x, y) the label must not cover.  Every label is
    placed (farther rings get a leader line); a label that finds no free place inside the frame
    within 12 rings is placed at its last candidate inside the frame and still never on another
    label: the rings grow until a free place is found.

    Examples
    --------
    >>> ls = place_labels([("a", "Bangkok", 100, 100, 12, 6), ("b", "Nonthaburi", 104, 98, 12, 6)], 400, 300)
    >>> overlaps([x.box for x in ls])
    []
    """
    placed: list[Label] = []
    taken: list[Box] = list(obstacles)
    for key, text, x, y, size, clear in items:
        w = text_width(text, size) * 1.06 + 4  # browsers' text layout differs by a few per cent
        h = size * (1.6 if is_thai(text) else 1.35)  # ascent + descent (Thai marks above and below)
        best: Label | None = None
        ring = 0
        while best is None and ring < 60:
            off = clear + 2 + ring * (h * 0.9)
            cands = [(x + off, y - h / 2), (x - off - w, y - h / 2), (x - w / 2, y - off - h), (x - w / 2, y + off),
                     (x + off * 0.7, y - off * 0.7 - h), (x - off * 0.7 - w, y - off * 0.7 - h),
                     (x + off * 0.7, y + off * 0.7), (x - off * 0.7 - w, y + off * 0.7)]
            for bx, by in cands:
                b = Box(bx, by, w, h)
                if not b.inside(width, height) and ring < 12:
                    continue
                if any(b.hits(t, pad) for t in taken):
                    continue
                best = Label(key, text, size, b, bx + 2, by + h * (0.72 if is_thai(text) else 0.78), (x, y), ring > 1)
                break
            ring += 1
        if best is None:  # pragma: no cover - 60 rings always leave room on a finite map
            b = Box(x + clear, y, w, h)
            best = Label(key, text, size, b, b.x + 2, b.y + h * 0.8, (x, y), True)
        placed.append(best)
        taken.append(best.box)
    return placed
