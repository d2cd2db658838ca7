"""Fonts for every script in the data: Thai, Lao, Myanmar, Khmer, Chinese (and Latin).

The Debian packages ``fonts-noto-core`` (Latin, Thai, Lao, Myanmar, Khmer) and
``fonts-noto-cjk`` (Chinese, Japanese, Korean) provide them
(``scripts/system-deps.sh``).  One list of families serves:

* the pages: :data:`CSS_FONT_STACK` (``base.html`` sets it as ``--ni-font``);
* PNG, SVG and PDF exports drawn with matplotlib: :func:`matplotlib_families`
  (matplotlib falls back through the list glyph by glyph).
"""

from __future__ import annotations

from functools import lru_cache

__all__ = ["SCRIPT_FAMILIES", "FAMILIES", "CSS_FONT_STACK", "matplotlib_families", "missing_families"]

#: script → the Noto family that draws it (Debian package in the comment)
SCRIPT_FAMILIES: dict[str, str] = {
    "Latin": "Noto Sans",                # fonts-noto-core
    "Thai": "Noto Sans Thai",            # fonts-noto-core
    "Lao": "Noto Sans Lao",              # fonts-noto-core
    "Myanmar": "Noto Sans Myanmar",      # fonts-noto-core
    "Khmer": "Noto Sans Khmer",          # fonts-noto-core
    "Chinese": "Noto Sans CJK SC",       # fonts-noto-cjk
    "Chinese (traditional)": "Noto Sans CJK TC",
}
#: families in fallback order, then fonts that are on most Debian systems anyway
FAMILIES: tuple[str, ...] = (*SCRIPT_FAMILIES.values(), "DejaVu Sans")
CSS_FONT_STACK = ", ".join(f'"{f}"' for f in FAMILIES) + ", system-ui, sans-serif"


@lru_cache(maxsize=1)
def matplotlib_families() -> list[str]:
    """The families of :data:`FAMILIES` that matplotlib can use, in fallback order.

    Fonts installed after matplotlib built its font cache (e.g. ``fonts-noto-cjk``)
    are added from the system font folders, so no cache needs deleting.
    """
    from matplotlib import font_manager

    fm = font_manager.fontManager
    have = {f.name for f in fm.ttflist}
    if any(f not in have for f in FAMILIES):
        for path in font_manager.findSystemFonts(fontext="ttf"):  # .ttf, .otf and .ttc
            low = path.lower()
            if "noto" in low and "sans" in low and ("regular" in low or "cjk" in low) and "serif" not in low:
                try:
                    fm.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
        have = {f.name for f in fm.ttflist}
    fams = [f for f in FAMILIES if f in have]
    return fams or ["sans-serif"]


def missing_families() -> list[str]:
    """Families of :data:`FAMILIES` matplotlib cannot find (empty when every script has a font)."""
    have = set(matplotlib_families())
    return [f for f in FAMILIES if f not in have]
