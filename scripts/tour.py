"""Walk a running netintel as its users would, in headless Debian chromium, and keep a
screenshot of every page (for release notes and reviews; the tests assert, this only looks).

    .venv/bin/python scripts/tour.py --base http://127.0.0.1:8000 --user admin \
        --password-file .netintel/demo/admin-password --out /tmp/tour

Steps: search a Thai name, open the first person's profile, open a case found by its case
number, the person's network (depth 2, filter panel), routes, indicators, brokers, the trace
workspace, the alert queue, duplicate review, and a page that does not exist.  Requests to
any other host are aborted and listed; script errors are listed.  Prints one line a page:
file, title, HTTP status.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlparse

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", default="http://127.0.0.1:8000")
    ap.add_argument("--user", default="admin")
    ap.add_argument("--password-file", type=Path, required=True)
    ap.add_argument("--out", type=Path, default=Path("/tmp/netintel-tour"))
    ap.add_argument("--name", default="สมชาย", help="a name to search")
    a = ap.parse_args(argv)
    if urlparse(a.base).hostname not in ("127.0.0.1", "localhost", "::1"):
        ap.error("the tour only visits a server on this machine")
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    a.out.mkdir(parents=True, exist_ok=True)
    origin = urlparse(a.base).netloc
    foreign: list[str] = []
    errors: list[str] = []
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        ctx = b.new_context(viewport={"width": 1400, "height": 950})
        pg = ctx.new_page()

        def guard(route: Any) -> None:
            url = route.request.url
            if urlparse(url).netloc != origin and not url.startswith(("data:", "blob:")):
                foreign.append(url)
                route.abort()
            else:
                route.continue_()

        pg.route("**/*", guard)
        pg.on("pageerror", lambda e: errors.append(f"{pg.url}: {e}"))

        def shot(name: str, path: str | None = None, wait: str | None = None) -> None:
            status = None
            if path is not None:
                r = pg.goto(a.base + path)
                status = r.status if r else None
            note = ""
            if wait:
                try:
                    pg.wait_for_selector(wait, timeout=30000)
                except PlaywrightTimeout:
                    note = f"  (no {wait} after 30 s)"
            pg.wait_for_timeout(1500)
            f = a.out / f"{name}.png"
            pg.screenshot(path=str(f), full_page=False)
            print(f"{f}  {pg.title()!r}  {status if status is not None else ''}{note}")

        pg.goto(a.base + "/ui/login")
        pg.fill("input[name=username]", a.user)
        pg.fill("input[name=password]", a.password_file.read_text(encoding="utf-8").strip())
        pg.click("#login-submit")
        pg.wait_for_url(a.base + "/ui/")
        shot("01-search", "/ui/search?q=" + quote(a.name), "#hits")
        person = pg.locator("#hits a.hit").first.get_attribute("href") or ""
        pid = unquote(urlparse(person).path.rsplit("/", 1)[-1])
        shot("02-profile", person)
        case_link = pg.locator("a[href^='/ui/case/']").first
        case_href = case_link.get_attribute("href") if case_link.count() else None
        if case_href:
            shot("03-case", case_href)
            number = pg.locator("h1").first.inner_text()
            m = re.search(r"[A-Z]+-\d{4}-\d+|\S+/\d{4}", number)
            if m:
                shot("04-search-case-number", "/ui/search?q=" + quote(m.group(0)), "#hits")
        shot("05-network", f"/api/entities/{quote(pid, safe='')}/neighbourhood?label=Person&depth=2&format=html", "#ni-network canvas")
        shot("05b-network-depth1", f"/api/entities/{quote(pid, safe='')}/neighbourhood?label=Person&depth=1&format=html",
             "#ni-network canvas")
        shot("06-routes", "/ui/routes", "#routemap")
        shot("07-indicators", "/api/indicators?format=html")
        shot("08-brokers", "/api/analytics/brokers?format=html", "#ni-network canvas")
        shot("09-trace", "/ui/trace")
        shot("10-alerts", "/ui/alerts")
        shot("11-duplicates", "/api/resolution/candidates?format=html")
        shot("12-not-found", "/ui/entity/NO-SUCH-ID")
        ctx.close()
        b.close()
    print(f"requests to other hosts: {len(foreign)}; script errors: {len(errors)}")
    for e in errors[:10]:
        print("  ", e)
    return 1 if foreign or errors else 0


if __name__ == "__main__":
    sys.exit(main())
