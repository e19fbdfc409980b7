"""Browser journeys: Playwright driving Debian's Chromium against pytest-django's live_server.

Run with `make test-browser` (pytest -m browser -p no:xdist). The Playwright sync API runs an
event loop in the test thread, which Django's ORM refuses unless told it is safe; it is safe here
because everything runs in one thread with no real async code.
"""

import os
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
# axe impacts that fail a page; "minor" and "moderate" are left to review.
FAILING_IMPACTS = {"serious", "critical"}
MAX_TARGETS_SHOWN = 3
# Every journey runs on a desktop and on a phone (WCAG 2.1 1.4.10 Reflow; 320 px is checked
# page by page in test_phone_width.py).
VIEWPORTS = {
    "desktop": {"width": 1280, "height": 900},
    "phone": {"width": 390, "height": 844},
}


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request) -> dict:
    return VIEWPORTS[request.param]


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session (each test gets its own context)."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} not found (apt-get install -y chromium); browser journeys not run"
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but {reason}", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser, live_server, viewport):
    """A fresh context (no cookies, so bokmål) per test, with base_url set to the live server,
    at each of the viewports (`viewport` fixture).

    Failed requests, HTTP errors and console errors (CSP violations show up there) are collected
    on the page and fail the next assert_accessible() call.
    """
    context = browser.new_context(
        base_url=live_server.url,
        locale="nb-NO",
        viewport=viewport,
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    problems: list[str] = []
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url} ({r.failure})"))

    def on_response(response):
        # No exception for the favicon: base.html links one, so a 404 for it is a defect too.
        if response.status >= 400:
            problems.append(f"HTTP {response.status}: {response.url}")

    def on_console(message):
        if message.type == "error":
            problems.append(f"console error: {message.text}")

    page.on("response", on_response)
    page.on("console", on_console)
    page.portal_problems = problems
    try:
        yield page
    finally:
        context.close()


def assert_styled(page) -> None:
    """The page has its stylesheets applied; contrast checks on an unstyled page mean nothing."""
    styled = page.evaluate(
        """() => {
            const root = getComputedStyle(document.documentElement);
            const header = document.querySelector('.portal-header');
            return {
                sheets: Array.from(document.styleSheets).map(s => s.href),
                dsToken: root.getPropertyValue('--ds-color-neutral-text-default').trim(),
                bodyMargin: getComputedStyle(document.body).margin,
                headerDisplay: header ? getComputedStyle(
                    header.querySelector('.portal-header__inner')).display : null,
            };
        }"""
    )
    assert styled["dsToken"], f"Designsystemet theme CSS not applied: {styled}"
    assert styled["bodyMargin"] == "0px" and styled["headerDisplay"] == "flex", (
        f"static/css/portal.css not applied: {styled}"
    )


def page_overflow(page) -> str:
    """'' if the page is no wider than the viewport, else what sticks out (WCAG 1.4.10)."""
    found = page.evaluate(
        """() => {
            const width = window.innerWidth;
            const scrollWidth = document.scrollingElement.scrollWidth;
            if (scrollWidth <= width) return null;
            const wide = Array.from(document.querySelectorAll('body *'))
                .filter(e => e.getBoundingClientRect().right > width + 1
                    && e.getClientRects().length && !e.closest('.ds-sr-only, thead'))
                .slice(0, 3)
                .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '')
                    + ' → ' + Math.round(e.getBoundingClientRect().right) + ' px');
            return {width, scrollWidth, wide};
        }"""
    )
    if not found:
        return ""
    return (
        f"{page.url} is {found['scrollWidth']} px wide at a {found['width']} px viewport; "
        f"sticking out: {', '.join(found['wide'])}"
    )


def assert_accessible(page) -> None:
    """Run axe-core on the page as it is now; fail listing every serious or critical violation.
    Also fails on loading problems (console errors, CSP violations, HTTP errors) and on a page
    wider than the viewport."""
    from axe_playwright_python.sync_playwright import Axe

    problems = getattr(page, "portal_problems", [])
    assert not problems, f"{page.url}: the page had loading problems:\n" + "\n".join(problems)
    assert_styled(page)
    overflow = page_overflow(page)
    assert not overflow, overflow
    results = Axe().run(page)
    failing = [v for v in results.response["violations"] if v.get("impact") in FAILING_IMPACTS]
    if failing:
        lines = [f"{page.url}: {len(failing)} serious/critical axe violation(s):"]
        for v in failing:
            targets = [", ".join(map(str, n["target"])) for n in v["nodes"][:MAX_TARGETS_SHOWN]]
            more = len(v["nodes"]) - len(targets)
            lines.append(
                f"- {v['id']} ({v['impact']}): {v['help']} — {len(v['nodes'])} node(s): "
                + "; ".join(targets)
                + (f"; … {more} more" if more > 0 else "")
            )
        pytest.fail("\n".join(lines), pytrace=False)


def save_screenshot(page, name: str, *, full_page: bool = True) -> None:
    """Save a PNG to $BROWSER_SHOTS_DIR (e.g. a CI artifact folder) if that is set."""
    directory = os.environ.get("BROWSER_SHOTS_DIR")
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(directory) / f"{name}.png"), full_page=full_page)
