"""What every browser test shares: the app served by uvicorn on loopback, Debian chromium
(headless, via Playwright), and an offline page that aborts and records every request to
another host, records script errors and dialogs, and logs in through the real form.

Used by the ``tests/test_*_browser.py`` files and ``tests/test_money_ui.py``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from tests.conftest import free_port, new_app

__all__ = ["CHROMIUM", "ARGS", "new_app", "serve", "chromium", "OfflinePage"]

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """``app`` served by uvicorn in a thread on a free loopback port; yields its base URL."""
    import uvicorn

    port = int(free_port())
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    t = threading.Thread(target=srv.run, daemon=True)
    t.start()
    for _ in range(400):
        if srv.started:
            break
        time.sleep(0.05)
    assert srv.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        t.join(10)


@contextmanager
def chromium() -> Iterator[Any]:
    """Debian's chromium, headless; a missing browser fails the test (never skips it)."""
    if not CHROMIUM.exists():
        pytest.fail("Debian chromium is missing at /usr/bin/chromium (run `make system-deps`)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield b
        finally:
            b.close()


class OfflinePage:
    """A fresh browser context and page that may reach ``base`` only.

    Every request to another host is aborted and kept in ``foreign``; ``errors`` gets uncaught
    script errors (and console errors with ``console_errors=True``); ``console`` every console
    message as ``type: text``; ``also`` are more base URLs it may reach; ``dialogs`` gets any
    ``alert``/``confirm`` (data that ran as script would show up there).  :meth:`close` asserts
    that all three stayed empty."""

    def __init__(self, browser: Any, base: str, *, console_errors: bool = False, also: tuple[str, ...] = (),
                 **context: Any) -> None:
        context.setdefault("viewport", {"width": 1280, "height": 900})
        self.base = base
        self.ctx = browser.new_context(**context)
        self.page = self.ctx.new_page()
        self.foreign: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.requests: list[str] = []
        self.console: list[str] = []
        allowed = {urlparse(u).netloc for u in (base, *also)}

        def guard(route: Any) -> None:
            url = route.request.url
            if urlparse(url).netloc not in allowed and not url.startswith(("data:", "blob:")):
                self.foreign.append(url)
                route.abort()
            else:
                route.continue_()

        pg = self.page
        pg.route("**/*", guard)
        pg.on("pageerror", lambda e: self.errors.append(f"{e} {getattr(e, 'stack', '')}"))
        pg.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        pg.on("request", lambda r: self.requests.append(r.url))
        pg.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))
        if console_errors:
            pg.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)

    def login(self, user: str, password: str) -> OfflinePage:
        """Log in through the login form and land on the search page."""
        pg = self.page
        pg.goto(self.base + "/ui/login")
        pg.fill("input[name=username]", user)
        pg.fill("input[name=password]", password)
        pg.click("#login-submit")
        pg.wait_for_url(self.base + "/ui/")
        return self

    def get(self, path: str) -> Any:
        """A request with the page's cookies (not a navigation)."""
        return self.ctx.request.get(self.base + path)

    def close(self, *, check: bool = True) -> None:
        try:
            if check:
                assert self.foreign == [], f"requests to other hosts: {self.foreign}"
                assert self.errors == [], f"script errors: {self.errors}"
                assert self.dialogs == [], f"a script ran: {self.dialogs}"
        finally:
            self.ctx.close()
