"""The one page system: every HTML page of netintel is a Jinja template here.

Templates live in ``viz/templates`` and all extend ``base.html``, which draws
the site header (brand, navigation for the user's role, who is logged in, log
out).  Content pages (search, entity, tables, login, routes) fill the
``content`` block inside ``<main class="page">``; full-window pages (network,
route map) replace the ``body`` block and lay themselves out below the header.

Safety
------
* autoescape is on for every template and for strings;
* data for scripts goes through the ``script_json`` filter
  (:func:`viz._html.json_for_script`): one ``<script type="application/json">``
  block with ``<``, ``>``, ``&``, U+2028 and U+2029 escaped, parsed with
  ``JSON.parse`` and never executed;
* inline assets (vis-network, netintel.css, network.js) are passed as
  :class:`markupsafe.Markup` only after :func:`inline_asset` checked that they
  cannot close their element;
* nothing is loaded from another origin: no ``src``/``href`` to ``//host``;
* every page gets ``csp_nonce`` and ``csrf_token`` in its context (see
  :func:`page_security`): every inline ``<script>``/``<style>`` carries
  ``nonce="{{ csp_nonce }}"`` (the served Content-Security-Policy has no
  ``'unsafe-inline'`` for scripts), no element has an inline ``on…=`` handler,
  every state-changing form has ``<input type="hidden" name="csrf_token"
  value="{{ csrf_token }}">`` and scripts send the ``<meta name="csrf-token">``
  value as the ``X-CSRF-Token`` header.  ``tests/test_csp_csrf.py`` scans every
  template for these rules.

Presentation filters (:mod:`viz.format`), for every template
-------------------------------------------------------------
``{{ n|num }}`` (thousands separators; ``num(2)`` for two decimals),
``{{ s|score }}`` (two decimals; ``score(percent=True)`` for %),
``{{ a|money(currency) }}``, ``{{ d|date }}`` (Asia/Bangkok;
``date(buddhist=True)`` for the Buddhist era, ``date(time=False)``).

This module must not import :mod:`api` (``api`` imports ``viz``).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from viz._html import json_for_script, static_text, vis_assets

__all__ = ["TEMPLATES", "SiteUser", "site_user", "environment", "render_page", "inline_asset", "network_assets",
           "PageSecurity", "page_security", "current_page_security", "use_page_security"]

#: folder of the page templates (installed with the package: ``*.html`` package data).
TEMPLATES = Path(__file__).resolve().parent / "templates"


@dataclass(frozen=True)
class SiteUser:
    """Who the site header shows as logged in."""

    username: str
    role: str | None = None


@dataclass(frozen=True)
class PageSecurity:
    """The per-response values every page needs: the CSP nonce of this response and
    the CSRF token of the session (empty without a session)."""

    csp_nonce: str
    csrf_token: str = ""


#: set by the API's security middleware for the duration of one request (api.websec)
_PAGE_SECURITY: ContextVar[PageSecurity | None] = ContextVar("netintel_page_security", default=None)


def page_security(csrf_token: str = "") -> PageSecurity:
    """A fresh nonce (128 random bits, URL-safe) with ``csrf_token``."""
    return PageSecurity(secrets.token_urlsafe(16), csrf_token)


def current_page_security() -> PageSecurity | None:
    """The values of the request being served, or None (CLI exports, tests)."""
    return _PAGE_SECURITY.get()


@contextmanager
def use_page_security(sec: PageSecurity) -> Iterator[PageSecurity]:
    """Make ``sec`` the values :func:`render_page` puts into every page (per request)."""
    token = _PAGE_SECURITY.set(sec)
    try:
        yield sec
    finally:
        _PAGE_SECURITY.reset(token)


def site_user(user: Any = None, role: str | None = None) -> SiteUser | None:
    """Normalise ``user`` for the header: a name (with ``role``), an object with
    ``username``/``role`` attributes (e.g. ``api.security.User``), a mapping, or None.

    Examples
    --------
    >>> site_user("ines", "investigator")
    SiteUser(username='ines', role='investigator')
    >>> site_user(None) is None
    True
    """
    if user is None or user == "":
        return None
    if isinstance(user, SiteUser):
        return user if role is None else SiteUser(user.username, role)
    if isinstance(user, str):
        return SiteUser(user, role)
    if isinstance(user, dict):
        name, r = user.get("username"), user.get("role")
    else:
        name, r = getattr(user, "username", None), getattr(user, "role", None)
    if name is None:
        return None
    return SiteUser(str(name), role if role is not None else (None if r is None else str(r)))


def inline_asset(text: str, element: str) -> Markup:
    """``text`` as markup for the inside of a ``<script>`` or ``<style>`` element.

    Raises
    ------
    ValueError
        If the text could end its element early (``</script``, ``</style``, ``<!--``).

    Examples
    --------
    >>> str(inline_asset("a{color:red}", "style"))
    'a{color:red}'
    """
    low = text.lower()
    if f"</{element}" in low or "<!--" in low:
        raise ValueError(f"asset cannot be inlined safely in <{element}>")
    return Markup(text)  # noqa: S704 - checked just above


def _script_json(data: Any) -> Markup:
    """Jinja filter: JSON safe inside ``<script type="application/json">``."""
    return Markup(json_for_script(data))  # noqa: S704 - json_for_script escapes <, >, &


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The shared Jinja environment (autoescape on, templates from :data:`TEMPLATES`)."""
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["script_json"] = _script_json
    from viz.format import FILTERS

    env.filters.update(FILTERS)  # num, score, money, date (Asia/Bangkok, buddhist=True for พ.ศ.)
    from viz.fonts import CSS_FONT_STACK

    env.globals["font_stack"] = inline_asset(CSS_FONT_STACK, "style")  # base.html: --ni-font
    from viz.workspace import page_url

    env.globals["page_url"] = page_url
    return env


@lru_cache(maxsize=1)
def network_assets() -> dict[str, Markup]:
    """The inline vis-network css/js and netintel's network css/js, checked once."""
    css, js = vis_assets()
    return {
        "vis_css": inline_asset(css, "style"),
        "vis_js": inline_asset(js, "script"),
        "css": inline_asset(static_text("netintel.css"), "style"),
        "js": inline_asset(static_text("network.js"), "script"),
    }


def render_page(template: str, *, user: Any = None, role: str | None = None, **ctx: Any) -> str:
    """Render one page template to a complete HTML document.

    Parameters
    ----------
    template : str
        File name in ``viz/templates`` (e.g. ``"table.html"``).
    user : str, object with ``username``/``role``, or None
        Who is logged in; the header shows the name, the role's links and log out.
        The value is passed on to the template unchanged as ``user``.
    role : str, optional
        The role, when ``user`` is a plain name.
    **ctx
        Template variables (``title`` is used by the base template).

    Every template also gets ``csp_nonce`` and ``csrf_token``: those of the request
    being served (:func:`use_page_security`, set by the API middleware), or, outside a
    request (a file export), a fresh nonce and no token.

    Examples
    --------
    >>> html = render_page("table.html", title="<T>", rows=[{"a": 1}], user="ines", role="analyst")
    >>> 'class="site-header"' in html and "&lt;T&gt;" in html and "ines" in html
    True
    """
    ctx.setdefault("title", "netintel")
    sec = current_page_security() or page_security()
    ctx["csp_nonce"] = sec.csp_nonce
    ctx["csrf_token"] = sec.csrf_token
    return environment().get_template(template).render(user=user, site_user=site_user(user, role), **ctx)
