"""The pages' Content Security Policy in Chromium: the LTI step that posts its form at once
still does so, from a script of ours (the page fixture fails on any refusal)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import HAVE_PLAYWRIGHT
from tests.support.demo_server import DemoServer

if HAVE_PLAYWRIGHT:
    from playwright.sync_api import Page, Request

pytestmark = pytest.mark.browser


def test_an_authorization_request_from_a_tool_is_posted_again_by_our_script(
    page: Page, server: DemoServer
) -> None:
    """Posted from the tool's site, it comes without our cookie: our page posts it again at
    once (lti-launch.js), and then it is answered (here: sign in first)."""
    posted: list[str] = []

    def record(request: Request) -> None:
        if request.method == "POST" and request.url.endswith("/lti/authorize"):
            posted.append(request.post_data or "")

    page.on("request", record)
    page.set_content(
        f'<form method="post" action="{server.url}/lti/authorize">'
        '<input type="hidden" name="client_id" value="inconnu">'
        '<input type="hidden" name="login_hint" value="x">'
        '<button type="submit">Envoyer</button></form>'
    )
    page.get_by_role("button").click()
    page.wait_for_url(f"{server.url}/lti/authorize")
    page.get_by_text("Connectez-vous").wait_for()
    assert len(posted) == 2
    assert "catalogue_reposted=1" in posted[1]
