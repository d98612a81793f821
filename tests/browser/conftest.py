"""Pages in a real browser: Debian's Chromium driven by Playwright, checked with axe-core.

One demo server (``catalogue serve --demo``, embedded PostgreSQL in a temporary data dir)
serves every browser test of the session. The tests are skipped, with the reason, when
/usr/bin/chromium or Playwright is missing; CI installs both (.ci/run).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.demo_server import DemoServer

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

try:
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import Browser, Page, sync_playwright
except ImportError:  # pragma: no cover - the test extra installs both
    HAVE_PLAYWRIGHT = False
else:
    HAVE_PLAYWRIGHT = True


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    reason = None
    if not HAVE_PLAYWRIGHT:
        reason = "playwright or axe-playwright-python missing: pip install -e '.[test]'"
    elif not CHROMIUM.exists():
        reason = "no /usr/bin/chromium (Debian's chromium): apt-get install -y chromium"
    if reason is None:
        return
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # Module scope: Playwright's sync API runs an event loop of its own while it is open,
    # which the async tests of the other modules must not find running.
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, server: DemoServer) -> Iterator[Page]:
    context = browser.new_context(base_url=server.url, locale="fr-FR")
    context.set_default_timeout(15_000)
    tab = context.new_page()
    # Chromium reports each thing the Content Security Policy refused on the console.
    refused: list[str] = []
    tab.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield tab
    context.close()
    assert refused == [], "refused by the Content Security Policy:\n" + "\n".join(refused)


def sign_in(page: Page, role: str, next_path: str = "/") -> None:
    """Through the demo sign-in page, as a person would."""
    page.goto(f"/auth/login?next={next_path}")
    page.locator("form", has=page.locator(f"input[name=role][value={role}]")).get_by_role(
        "button"
    ).click()
    page.wait_for_load_state()


_AXE_SOURCE: str | None = None


def assert_accessible(page: Page) -> None:
    """axe-core, WCAG 2.1 A and AA rules: zero violations."""
    global _AXE_SOURCE  # noqa: PLW0603  # read the bundled axe.min.js once
    if _AXE_SOURCE is None:
        _AXE_SOURCE = Axe().axe_script
    page.evaluate(_AXE_SOURCE)
    results: dict[str, Any] = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(n["target"][0] if n["target"] else "?" for n in v["nodes"][:5])
        for v in results["violations"]
    ]
    assert problems == [], f"axe violations on {page.url}:\n" + "\n".join(problems)


def screenshot(page: Page, name: str) -> None:
    """The pictures of docs/pages.md, retaken when CATALOGUE_SCREENSHOTS=1 (not every run)."""
    if os.environ.get("CATALOGUE_SCREENSHOTS") != "1":
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=False)


def open_paid_offer(page: Page, query: str = "/recherche?free=false&licence_type=teacher") -> None:
    """From a search, the confirmation page of the first paid teacher licence found."""
    page.goto(query)
    links = [page.locator(".hits .hit h3 a").nth(i).get_attribute("href") for i in range(5)]
    for href in links:
        assert href is not None
        page.goto(href)
        acquire = (
            page.locator("tr", has_text="licence enseignant")
            .filter(has_not_text="Gratuit")
            .get_by_role("link", name=re.compile("^Acquérir"))
        )
        if acquire.count():
            acquire.first.click()
            page.wait_for_load_state()
            return
    pytest.fail(f"no paid teacher licence among the first results of {query}")
