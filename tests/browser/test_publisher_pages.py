"""The publisher's journey in Chromium: import a ScoLOMFR file and read its report; every
publisher page checked with axe-core."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible, screenshot, sign_in
from tests.support.demo_server import DemoServer, catalogue_env
from tests.support.oai_server import LOM_NS, Item, Repository, serving
from tests.support.waiting import wait_until

pytestmark = pytest.mark.browser

LOM = Path(__file__).resolve().parents[1] / "fixtures" / "lom"
# A notice read with three warnings: an identifier of unknown kind, a location that is not a
# URL, an unknown concept.
WARNED = (
    f"<lom xmlns='{LOM_NS}'><general><identifier><catalog>DOI</catalog>"
    "<entry>10.1000/x</entry></identifier><title><string>Moisson avec avertissements</string>"
    "</title></general><technical><location>ftp://oai.example/x</location></technical>"
    "<educational><learningResourceType><source>x</source>"
    "<value>http://example.org/inconnu</value></learningResourceType></educational></lom>"
)


def demo_token(server: DemoServer, role: str) -> str:
    env = catalogue_env(
        {"CATALOGUE_DATA_DIR": str(server.log.parent), "CATALOGUE_PORT": str(server.port)}
    )
    done = subprocess.run(
        [sys.executable, "-m", "catalogue", "demo-token", role],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.strip()


def test_publisher_pages_have_no_axe_violations(page: Page) -> None:
    sign_in(page, "publisher", "/editeur")
    for path, name in (
        ("/editeur", "editeur-ressources"),
        ("/editeur/imports", None),
        ("/editeur/outils", None),
        ("/editeur/ventes", "editeur-ventes"),
    ):
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert_accessible(page)
        if name:
            screenshot(page, name)


def test_publisher_imports_a_scolomfr_file_and_sees_its_report(page: Page) -> None:
    sign_in(page, "publisher", "/editeur/imports")
    page.get_by_role("button", name="Importer").click()  # nothing chosen
    expect(page.locator("#fichier-erreur")).to_contain_text("fichier")
    expect(page.get_by_label(re.compile("^Fichier"))).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)

    page.get_by_label("Format").select_option("lomfr")
    page.get_by_label(re.compile("^Fichier")).set_input_files(LOM / "batch.xml")
    page.get_by_role("button", name="Importer").click()
    expect(page.get_by_role("status")).to_contain_text("Import terminé")
    report = page.get_by_role("table", name="Rapport notice par notice")
    expect(report).to_be_visible()
    expect(report.locator("tbody tr").first).to_be_visible()
    assert_accessible(page)
    screenshot(page, "editeur-import")
    page.goto("/editeur")
    expect(page.get_by_role("table")).to_contain_text("lomfr")


def test_a_harvest_run_page_lists_its_warnings(page: Page, server: DemoServer) -> None:
    """A real harvest by the demo's worker, of a repository on 127.0.0.1; its report page
    lists the notice's warnings and passes axe. The harvested resource is withdrawn after, so
    the other pages of the shared demo stay as they were."""
    items = [
        Item("oai:navigateur:1", "2020-01-01T00:00:00Z", WARNED),
        Item("oai:navigateur:2", "2020-01-01T00:00:00Z", f"<lom xmlns='{LOM_NS}'><general/></lom>"),
    ]
    headers = {"Authorization": f"Bearer {demo_token(server, 'publisher')}"}
    api = f"{server.url}/api/v1/publisher"
    with serving(Repository(items=items)) as repository:
        created = httpx.post(
            f"{api}/harvest-sources", json={"base_url": repository.url}, headers=headers
        )
        assert created.status_code == 201, created.text
        source: dict[str, Any] = {}

        def harvest_ended() -> bool:
            listed = httpx.get(f"{api}/harvest-sources", headers=headers).json()
            source.update(next(s for s in listed if s["id"] == created.json()["id"]))
            return source.get("last_status") not in (None, "running")

        wait_until(harvest_ended, "the demo's worker to harvest", timeout_s=60, interval_s=0.3)
    assert source["last_status"] == "succeeded", source
    own = httpx.get(f"{api}/resources", headers=headers).json()["items"]
    harvested = next(r for r in own if r["source_id"] == "oai:navigateur:1")
    assert httpx.delete(f"{api}/resources/{harvested['id']}", headers=headers).status_code == 204

    sign_in(page, "publisher", f"/editeur/moissonnages/{source['last_run_id']}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Rapport de moissonnage")
    warnings = page.get_by_role("table", name=re.compile("^Avertissements notice par notice"))
    expect(warnings).to_contain_text("oai:navigateur:1")
    expect(warnings).to_contain_text("de type inconnu")
    rejected = page.get_by_role("table", name=re.compile("^Notices rejetées"))
    expect(rejected).to_contain_text("oai:navigateur:2")
    assert_accessible(page)
