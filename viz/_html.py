"""Shared helpers for the self-contained HTML pages: escaping and inline assets."""

from __future__ import annotations

import html
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = ["escape", "json_for_script", "vis_assets", "static_text"]

_STATIC = Path(__file__).resolve().parent / "static"

_JSON_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def escape(value: Any) -> str:
    """HTML-escape any value (quotes included) for text or attribute context."""
    return html.escape("" if value is None else str(value), quote=True)


def json_for_script(data: Any) -> str:
    """JSON that is safe inside ``<script>``: ``<``, ``>``, ``&``, U+2028/2029 escaped.

    Examples
    --------
    >>> json_for_script({"n": "</script><b>"})
    '{"n": "\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e"}'
    """
    text = json.dumps(data, ensure_ascii=False, default=str, allow_nan=False)
    for ch, rep in _JSON_ESCAPES.items():
        text = text.replace(ch, rep)
    return text


@lru_cache(maxsize=1)
def vis_assets() -> tuple[str, str]:
    """(css, js) of vis-network 9.1.2 as bundled with pyvis (Apache-2.0/MIT), for inlining."""
    import pyvis

    lib = Path(pyvis.__file__).resolve().parent / "templates" / "lib" / "vis-9.1.2"
    css = (lib / "vis-network.css").read_text(encoding="utf-8")
    js = (lib / "vis-network.min.js").read_text(encoding="utf-8")
    if "</script" in js.lower() or "</style" in css.lower():  # pragma: no cover - defensive
        raise RuntimeError("vis-network asset cannot be inlined safely")
    return css, js


@lru_cache(maxsize=8)
def static_text(name: str) -> str:
    """Text of a file in ``viz/static``."""
    return (_STATIC / name).read_text(encoding="utf-8")
