"""Pages over real HTTP (no browser): sign-in redirects, form errors, double submits."""

from __future__ import annotations

import asyncio
import html
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import msgspec
import pytest

from catalogue.app import create_asgi_app
from catalogue.config import Settings
from catalogue.database import create_pool
from catalogue.demo import load_demo
from catalogue.identity import authn
from catalogue.search import outbox
from catalogue.search.backends import search_backend
from catalogue.vocabularies.index import VocabularyIndex
from tests.integration.conftest import open_client
from tests.logs import capture_logs


@pytest.fixture
async def web(settings: Settings, conn: asyncpg.Connection) -> AsyncIterator[httpx.AsyncClient]:
    demo = msgspec.structs.replace(settings, demo=True)
    await load_demo(conn, demo)
    async for c in open_client(create_asgi_app(demo)):
        yield c


async def sign_in(client: httpx.AsyncClient, role: str, next_path: str = "/") -> httpx.Response:
    await client.get("/auth/demo")
    return await client.post(
        "/auth/demo",
        data={"role": role, "next": next_path, "_csrf_token": client.cookies["csrftoken"]},
    )


def csrf(client: httpx.AsyncClient) -> str:
    return client.cookies["csrftoken"]


async def class_offer(conn: asyncpg.Connection) -> asyncpg.Record:
    row = await conn.fetchrow(
        "SELECT o.id, o.resource_id FROM offers o JOIN resources r ON r.id = o.resource_id "
        "WHERE o.licence_type = 'class_seats' AND o.status = 'published' AND o.unit_price_cents > 0"
        " AND r.status = 'published' ORDER BY o.unit_price_cents LIMIT 1"
    )
    assert row is not None
    return row


async def acquisitions_of(conn: asyncpg.Connection, subject: str) -> int:
    count: int = await conn.fetchval(
        "SELECT count(*) FROM acquisitions a JOIN people p ON p.id = a.person_id "
        "WHERE p.subject = $1",
        subject,
    )
    return count


@pytest.mark.parametrize(
    "path",
    [
        "/enseignant/compte",
        # "Acquérir" from a public page: sign in, then back to the confirmation step.
        f"/ressources/{'0' * 32}/acquerir?offre={'1' * 32}&cle={'2' * 32}",
    ],
)
async def test_signed_out_pages_send_to_sign_in_and_back(web: httpx.AsyncClient, path: str) -> None:
    response = await web.get(path)
    assert response.status_code == 303
    login = response.headers["location"]
    assert login.startswith("/auth/login?next=/")
    demo = await web.get(login, follow_redirects=True)
    assert demo.url.path == "/auth/demo"
    hidden = re.search(r'name="next" value="([^"]+)"', demo.text)
    assert hidden is not None
    assert hidden.group(1).replace("&amp;", "&") == path
    back = await sign_in(web, "teacher", path)
    assert back.headers["location"] == path


async def test_an_expired_session_returns_to_sign_in_then_to_the_page(
    web: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(authn, "SESSION_LIFETIME_S", -1)
    await sign_in(web, "teacher")
    expired = await web.get("/enseignant/compte")
    assert expired.headers["location"] == "/auth/login?next=/enseignant/compte"
    monkeypatch.undo()
    assert (await sign_in(web, "teacher", "/enseignant/compte")).headers[
        "location"
    ] == "/enseignant/compte"
    assert (await web.get("/enseignant/compte")).status_code == 200


async def test_a_bad_quantity_re_renders_the_form_with_the_error_on_its_field(
    web: httpx.AsyncClient, conn: asyncpg.Connection
) -> None:
    offer = await class_offer(conn)
    await sign_in(web, "teacher")
    page = await web.get(f"/ressources/{offer['resource_id']}/acquerir?offre={offer['id']}")
    assert page.status_code == 200
    key = re.search(r'name="cle" value="([^"]+)"', page.text)
    assert key is not None
    form = {
        "_csrf_token": csrf(web),
        "ressource": str(offer["resource_id"]),
        "offre": str(offer["id"]),
        "cle": key.group(1),
        "quantite": "douze",
    }
    before = await acquisitions_of(conn, "demo-enseignant")
    response = await web.post("/enseignant/acquisitions", data=form)
    assert response.status_code == 422
    assert 'value="douze"' in response.text  # what was typed stays
    assert 'aria-describedby="quantite-erreur"' in response.text
    assert 'id="quantite-erreur"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert f'name="cle" value="{key.group(1)}"' in response.text  # the same key
    assert await acquisitions_of(conn, "demo-enseignant") == before


async def test_a_double_submit_acquires_once(
    web: httpx.AsyncClient, conn: asyncpg.Connection
) -> None:
    offer = await class_offer(conn)
    await sign_in(web, "teacher")
    form = {
        "_csrf_token": csrf(web),
        "ressource": str(offer["resource_id"]),
        "offre": str(offer["id"]),
        "cle": "page-key-1",
        "quantite": "2",
    }
    before = await acquisitions_of(conn, "demo-enseignant")
    first, second = await asyncio.gather(
        web.post("/enseignant/acquisitions", data=form),
        web.post("/enseignant/acquisitions", data=form),
    )
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert await acquisitions_of(conn, "demo-enseignant") == before + 1
    again = await web.post("/enseignant/acquisitions", data=form)
    assert again.headers["location"] == first.headers["location"]
    account = await web.get(first.headers["location"])
    assert 'role="status"' in account.text


async def test_refusals_are_pages_in_french(
    web: httpx.AsyncClient, conn: asyncpg.Connection
) -> None:
    await sign_in(web, "publisher")
    forbidden = await web.get("/enseignant/compte")
    assert forbidden.status_code == 403
    assert '<html lang="fr">' in forbidden.text
    assert "<h1>" in forbidden.text
    offer = await class_offer(conn)
    no_token: dict[str, Any] = {"ressource": str(offer["resource_id"]), "offre": str(offer["id"])}
    assert (await web.post("/enseignant/acquisitions", data=no_token)).status_code == 403


async def test_the_accessibility_statement_is_public(web: httpx.AsyncClient) -> None:
    page = await web.get("/accessibilite")
    assert page.status_code == 200
    assert "Déclaration d'accessibilité" in page.text
    assert "partiellement conforme" in page.text


@pytest.mark.parametrize(
    ("role", "path", "status"),
    [
        ("teacher", "/admin", 403),
        ("teacher", "/editeur", 403),
        ("establishment_admin", "/admin/moderation", 403),
        ("establishment_admin", "/admin/rapports?par=month", 200),
        ("national_admin", "/admin/moderation", 200),
        ("publisher", "/editeur/ventes", 200),
        ("publisher", "/admin/dotations", 403),
    ],
)
async def test_each_role_reaches_its_pages_only(
    web: httpx.AsyncClient, role: str, path: str, status: int
) -> None:
    await sign_in(web, role)
    assert (await web.get(path)).status_code == status


async def test_a_csv_of_allocations_reports_line_by_line(web: httpx.AsyncClient) -> None:
    await sign_in(web, "establishment_admin")
    await web.get("/admin/dotations")
    bad = "UAI;enseignant;euros\n0751234J;camille.martin@demo.invalid;12\n0751234J;nobody@x;5\n"
    refused = await web.post(
        "/admin/dotations/csv",
        data={"_csrf_token": csrf(web)},
        files={"fichier": ("d.csv", bad.encode(), "text/csv")},
    )
    assert refused.status_code == 422
    assert "Lignes refusées" in refused.text
    assert "nobody@x" in refused.text
    good = "0751234J;camille.martin@demo.invalid;12,50\n"
    applied = await web.post(
        "/admin/dotations/csv",
        data={"_csrf_token": csrf(web)},
        files={"fichier": ("d.csv", good.encode(), "text/csv")},
    )
    assert applied.status_code == 200
    assert "Fichier appliqué" in applied.text
    assert "12,50 €" in applied.text


async def test_an_allocation_form_keeps_typed_values_and_ties_errors(
    web: httpx.AsyncClient,
) -> None:
    await sign_in(web, "establishment_admin")
    await web.get("/admin/dotations")
    response = await web.post(
        "/admin/dotations",
        data={
            "_csrf_token": csrf(web),
            "type": "teacher",
            "destinataire": "inconnu@x",
            "montant": "12,345",
        },
    )
    assert response.status_code == 422
    assert 'value="12,345"' in response.text
    assert 'value="inconnu@x"' in response.text
    assert 'aria-describedby="montant-aide montant-erreur"' in response.text


async def test_a_publisher_imports_a_notice_from_the_page(web: httpx.AsyncClient) -> None:
    await sign_in(web, "publisher")
    await web.get("/editeur/imports")
    notice = (Path(__file__).parents[1] / "fixtures" / "lom" / "batch.xml").read_bytes()
    response = await web.post(
        "/editeur/imports",
        data={"_csrf_token": csrf(web), "format": "lomfr"},
        files={"fichier": ("batch.xml", notice, "application/xml")},
    )
    assert response.status_code == 200
    assert "Rapport notice par notice" in response.text


async def test_licences_of_lti_tools_have_a_launch_link(
    web: httpx.AsyncClient, conn: asyncpg.Connection
) -> None:
    await sign_in(web, "teacher")
    page = await web.get("/enseignant/compte")
    resource_id = await conn.fetchval(
        "SELECT l.resource_id FROM licences l JOIN people p ON p.id = l.person_id "
        "WHERE p.subject = 'demo-enseignant' LIMIT 1"
    )
    assert resource_id is not None  # the demo's acquisition
    assert f"/lti/launch/{resource_id}" not in page.text  # not a tool: no launch
    await _make_tool(conn, resource_id)
    page = await web.get("/enseignant/compte")
    assert f'href="/lti/launch/{resource_id}"' in page.text


async def _make_tool(conn: asyncpg.Connection, resource_id: object) -> None:
    """The demo's acquired resource becomes an LTI tool's offer."""
    tool = await conn.fetchval(
        "INSERT INTO lti_tools (publisher_id, client_id, deployment_id, name, "
        "initiate_login_uri, redirect_uris, jwks_uri, target_link_uri, registered_by) "
        "SELECT publisher_id, 'c', 'd', 'Outil', 'https://t.example/login', "
        "ARRAY['https://t.example/launch'], 'https://t.example/jwks', "
        "'https://t.example/launch', 'api' FROM resources WHERE id = $1 RETURNING id",
        resource_id,
    )
    await conn.execute("UPDATE resources SET lti_tool_id = $2 WHERE id = $1", resource_id, tool)


async def test_an_invalid_authorization_header_on_a_launch_is_refused_not_passed_over(
    web: httpx.AsyncClient, conn: asyncpg.Connection
) -> None:
    """A launch with a bad bearer token is refused (401), even with a valid session beside
    it: the header is never ignored in favour of the session."""
    await sign_in(web, "teacher")
    resource_id = await conn.fetchval(
        "SELECT l.resource_id FROM licences l JOIN people p ON p.id = l.person_id "
        "WHERE p.subject = 'demo-enseignant' LIMIT 1"
    )
    await _make_tool(conn, resource_id)
    with_session = await web.get(f"/lti/launch/{resource_id}")
    assert with_session.status_code == 302, with_session.text  # the session alone launches
    for header in ("Bearer not-a-token", "Basic Y2FtaWxsZTpzZWNyZXQ=", "Bearer "):
        refused = await web.get(f"/lti/launch/{resource_id}", headers={"Authorization": header})
        assert refused.status_code == 401, (header, refused.text)
        assert refused.headers["content-type"].startswith("text/html")
    deep_linking = await web.get(
        f"/lti/deep-linking/{resource_id}", headers={"Authorization": "Bearer not-a-token"}
    )
    assert deep_linking.status_code == 401


async def test_a_teacher_cancels_a_pending_request_from_the_account_page(
    web: httpx.AsyncClient, conn: asyncpg.Connection
) -> None:
    offer = await class_offer(conn)
    await conn.execute(
        "INSERT INTO acquisition_rules (scope_kind, scope, approval_threshold_cents) "
        "VALUES ('establishment', '0751234J', 1)"
    )
    await sign_in(web, "teacher")
    form = {
        "_csrf_token": csrf(web),
        "ressource": str(offer["resource_id"]),
        "offre": str(offer["id"]),
        "cle": "page-key-2",
        "quantite": "1",
    }
    asked = await web.post("/enseignant/acquisitions", data=form)
    assert "demande=" in asked.headers["location"]
    account = await web.get(asked.headers["location"])
    assert "attente d&#39;approbation" in account.text or "attente d'approbation" in account.text
    action = re.search(r'action="(/enseignant/acquisitions/[^"]+/annulation)"', account.text)
    assert action is not None
    cancelled = await web.post(action.group(1), data={"_csrf_token": csrf(web)})
    assert cancelled.status_code == 303
    assert "annulée" in (await web.get(cancelled.headers["location"])).text


async def test_a_national_administrator_closes_a_period_from_the_page(
    web: httpx.AsyncClient, conn: asyncpg.Connection
) -> None:
    await sign_in(web, "national_admin")
    listing = await web.get("/admin/periodes")
    period = await conn.fetchval("SELECT id FROM budget_periods WHERE status = 'open'")
    assert f"/admin/periodes/{period}/cloture" in listing.text
    closed = await web.post(f"/admin/periodes/{period}/cloture", data={"_csrf_token": csrf(web)})
    assert (closed.status_code, closed.headers["location"]) == (303, "/admin/periodes?close=1")
    assert (
        await conn.fetchval("SELECT status FROM budget_periods WHERE id = $1", period) == "closed"
    )
    again = await web.post(f"/admin/periodes/{period}/cloture", data={"_csrf_token": csrf(web)})
    assert again.status_code == 422
    assert "Clôture impossible" in again.text
    assert "déjà close" in again.text


async def test_the_spend_report_takes_a_period_and_a_perimeter(
    web: httpx.AsyncClient, conn: asyncpg.Connection
) -> None:
    await sign_in(web, "national_admin")
    name = await conn.fetchval(
        "SELECT e.name FROM acquisitions a JOIN establishments e ON e.uai = a.establishment_uai"
    )
    current = await web.get("/admin/rapports", params={"par": "establishment"})
    assert current.status_code == 200
    assert html.escape(name) in current.text  # the demo's acquisition, in the current period
    assert 'name="periode"' in current.text
    assert 'name="academie"' in current.text

    past = await conn.fetchval(
        "INSERT INTO budget_periods (name, starts_on, ends_on, status) "
        "VALUES ('2019-2020', '2019-09-01', '2020-08-31', 'closed') RETURNING id"
    )
    then = await web.get("/admin/rapports", params={"par": "establishment", "periode": str(past)})
    assert "Dépenses par établissement, 2019-2020" in then.text
    assert "Aucune dépense sur la période." in then.text
    assert f"period_id={past}" in then.text  # the CSV link asks for the same report
    assert f"par=month&amp;periode={past}" in then.text  # so do the other groupings

    elsewhere = await web.get("/admin/rapports", params={"par": "establishment", "uai": "0000000A"})
    assert "Périmètre : établissement 0000000A" in elsewhere.text
    assert "Aucune dépense sur la période." in elsewhere.text
    bad = await web.get("/admin/rapports", params={"periode": "pas-une-periode"})
    assert bad.status_code == 400


async def test_an_establishment_administrator_reports_on_their_establishment_only(
    web: httpx.AsyncClient,
) -> None:
    await sign_in(web, "establishment_admin")
    own = await web.get("/admin/rapports")
    assert own.status_code == 200
    assert 'name="uai"' not in own.text
    other = await web.get("/admin/rapports", params={"uai": "0000000A"})
    assert other.status_code == 403


async def test_the_harvest_run_page_lists_the_warnings_per_record(
    web: httpx.AsyncClient, conn: asyncpg.Connection
) -> None:
    await sign_in(web, "publisher")
    publisher = await conn.fetchval(
        "SELECT publisher_id FROM people WHERE subject = 'demo-editeur'"
    )
    source = await conn.fetchval(
        "INSERT INTO harvest_sources (publisher_id, base_url) "
        "VALUES ($1, 'https://oai.example/oai') RETURNING id",
        publisher,
    )
    run = await conn.fetchval(
        "INSERT INTO harvest_runs (source_id, status, created, rejected, problems, warnings, "
        "warning_count) VALUES ($1, 'succeeded', 1, 1, $2, $3, 1001) RETURNING id",
        source,
        [{"identifier": "oai:x:2", "message": "pas de titre (1.2 titre)"}],
        [
            {
                "identifier": "oai:x:1",
                "message": "localisation 'ftp://x' qui n'est pas une URL http(s) : ignorée",
            }
        ],
    )
    page = await web.get(f"/editeur/moissonnages/{run}")
    assert page.status_code == 200
    text = page.text
    assert '<html lang="fr"' in text
    assert '<h2 id="avertissements-titre">Avertissements</h2>' in text
    assert "<caption>Avertissements notice par notice (1001)</caption>" in text
    assert '<th scope="col">Avertissement</th>' in text
    assert (
        "<td>oai:x:1</td><td>localisation &#39;ftp://x&#39; qui n&#39;est pas "
        "une URL http(s) : ignorée</td>" in text
    )
    assert "1000 autre(s) avertissement(s) non conservé(s)" in text
    # The rejected record is named by its OAI identifier.
    assert "<td>oai:x:2</td><td>pas de titre (1.2 titre)</td>" in text


async def test_the_audience_shows_on_the_resource_page_and_filters_the_search(
    web: httpx.AsyncClient, conn: asyncpg.Connection
) -> None:
    teacher = "http://data.education.fr/voc/scolomfr/concept/teacher"
    resource = await conn.fetchval(
        "UPDATE resources SET audiences = $1 WHERE id = (SELECT id FROM resources "
        "WHERE status = 'published' ORDER BY id LIMIT 1) RETURNING id",
        [teacher],
    )
    await sign_in(web, "teacher")
    page = await web.get(f"/ressources/{resource}")
    assert page.status_code == 200
    assert re.search(r"<dt>Public cible</dt><dd>enseignant</dd>", page.text)
    search = await web.get("/recherche", params={"audience": teacher})
    assert search.status_code == 200, search.text
    refused = await web.get("/recherche", params={"audience": "http://example.org/x"})
    assert refused.status_code == 400


async def test_a_server_failure_on_a_page_is_an_error_page_logged_once_with_its_stack(
    web: httpx.AsyncClient, conn: asyncpg.Connection
) -> None:
    """A real failure (the table the page reads is gone): the reader gets an error page,
    the log one line with the stack, never an envelope shown as missing."""
    await sign_in(web, "establishment_admin")
    await conn.execute("ALTER TABLE transfers RENAME TO transfers_away")
    try:
        with capture_logs() as logs:
            answer = await web.get("/admin/dotations")
    finally:
        await conn.execute("ALTER TABLE transfers_away RENAME TO transfers")
    assert answer.status_code == 500, answer.text
    assert answer.headers["content-type"].startswith("text/html")
    assert "Une erreur interne est survenue." in answer.text
    errors = [line for line in logs if line["log_level"] == "error"]
    assert len(errors) == 1, errors
    assert errors[0]["event"] == "unhandled error"
    assert isinstance(errors[0]["exc_info"], asyncpg.UndefinedTableError)
    assert errors[0]["request_id"] == answer.headers["x-request-id"]


async def test_with_no_open_period_the_allocations_page_says_so(
    web: httpx.AsyncClient, conn: asyncpg.Connection
) -> None:
    await sign_in(web, "establishment_admin")
    before = await web.get("/admin/dotations")
    assert "Solde à répartir" in before.text
    await conn.execute("UPDATE budget_periods SET status = 'closed', closed_at = now()")
    page = await web.get("/admin/dotations")
    assert page.status_code == 200, page.text
    assert "Solde à répartir" not in page.text  # no envelope without an open period


async def index_everything(settings: Settings, conn: asyncpg.Connection) -> None:
    """The settings' search index rebuilt from PostgreSQL (no worker runs in these tests); an
    app already reading the Tantivy index sees the new generation at its next search."""
    assert settings.database_url
    vocab = await VocabularyIndex.load(conn)
    async with await create_pool(settings.database_url, max_size=2) as pool:
        backend = search_backend(settings, pool)
        await backend.prepare()
        await outbox.rebuild(pool, backend, vocab)
        await backend.aclose()


async def test_a_visitor_browses_the_catalogue_then_acquiring_signs_in_and_comes_back(
    web: httpx.AsyncClient, conn: asyncpg.Connection, settings: Settings
) -> None:
    """Issue 19: the home page, the search and a resource page without signing in; its
    "Acquérir" leads to the sign-in, then back to the confirmation step."""
    await index_everything(settings, conn)
    home = await web.get("/")
    assert home.status_code == 200
    assert re.search(r'<input [^>]*type="search" id="q-accueil" name="q"', home.text)
    assert 'id="entree-level"' in home.text
    assert 'id="entree-discipline"' in home.text
    entry = re.search(
        r'href="(/recherche\?level=[^"]+)"[^>]*>[^<]+<span class="count">\((\d+) ', home.text
    )
    assert entry is not None, home.text
    listed = await web.get(html.unescape(entry.group(1)))
    assert listed.status_code == 200
    assert f'<h2 id="resultats-titre">{entry.group(2)} ressource' in listed.text

    offer = await class_offer(conn)
    found = await web.get("/recherche", params={"q": "mathématiques"})
    assert found.status_code == 200
    assert "Se connecter" in found.text
    resource = await web.get(f"/ressources/{offer['resource_id']}")
    assert resource.status_code == 200, resource.text
    assert "licences pour une classe" in resource.text  # licence models and prices, public
    assert "€" in resource.text
    link = re.search(
        rf'href="(/ressources/{offer["resource_id"]}/acquerir\?offre={offer["id"]}[^"]*)"',
        resource.text,
    )
    assert link is not None, resource.text
    confirm = html.unescape(link.group(1))
    to_sign_in = await web.get(confirm)
    assert to_sign_in.status_code == 303
    assert to_sign_in.headers["location"].startswith("/auth/login?next=/ressources/")
    back = await sign_in(web, "teacher", confirm)
    assert back.headers["location"] == confirm
    step = await web.get(confirm)
    assert step.status_code == 200
    assert "<h1>Confirmer l'acquisition</h1>" in step.text
    # Signed in, the resource page shows the teacher's balance beside the offers.
    assert "Votre solde" in (await web.get(f"/ressources/{offer['resource_id']}")).text


async def test_a_visitor_gets_a_404_page_for_a_draft_or_a_publisher_not_approved(
    web: httpx.AsyncClient, conn: asyncpg.Connection
) -> None:
    draft = await conn.fetchval(
        "UPDATE resources SET status = 'draft' WHERE id = (SELECT id FROM resources "
        "WHERE status = 'published' ORDER BY id LIMIT 1) RETURNING id"
    )
    page = await web.get(f"/ressources/{draft}")
    assert page.status_code == 404
    assert '<html lang="fr">' in page.text
    hidden = await conn.fetchval(
        "WITH r AS (SELECT id, publisher_id FROM resources WHERE status = 'published' "
        "ORDER BY id DESC LIMIT 1) "
        "UPDATE publishers p SET status = 'suspended' FROM r WHERE p.id = r.publisher_id "
        "RETURNING r.id"
    )
    assert (await web.get(f"/ressources/{hidden}")).status_code == 404
    await sign_in(web, "teacher")
    assert (await web.get(f"/ressources/{hidden}")).status_code == 404


async def test_a_visitor_sees_languages_by_name(
    web: httpx.AsyncClient, conn: asyncpg.Connection
) -> None:
    resource = await conn.fetchval(
        "UPDATE resources SET languages = '{fre,eng}' WHERE id = (SELECT id FROM resources "
        "WHERE status = 'published' ORDER BY id LIMIT 1) RETURNING id"
    )
    page = await web.get(f"/ressources/{resource}")
    assert "<dt>Langues</dt><dd>français, anglais</dd>" in page.text


async def test_a_browser_at_an_address_with_no_page_gets_the_404_page(
    web: httpx.AsyncClient,
) -> None:
    html_accept = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    page = await web.get("/nimporte-quoi", headers=html_accept)
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert '<html lang="fr">' in page.text
    assert "Page introuvable" in page.text
    assert 'class="fr-footer"' in page.text  # the site's design
    # Machines keep their problem+json, whatever they accept.
    for path, headers in (("/nimporte-quoi", {}), ("/api/v1/nimporte-quoi", html_accept)):
        problem = await web.get(path, headers=headers)
        assert problem.status_code == 404
        assert problem.headers["content-type"].startswith("application/problem+json")


async def test_a_resource_page_lists_similar_resources_sharing_its_discipline(
    web: httpx.AsyncClient, conn: asyncpg.Connection, settings: Settings
) -> None:
    await index_everything(settings, conn)
    row = await conn.fetchrow(
        "SELECT r.id, r.disciplines FROM resources r JOIN searchable_documents d ON d.id = r.id "
        "WHERE cardinality(r.disciplines) > 0 ORDER BY r.id LIMIT 1"
    )
    assert row is not None
    page = await web.get(f"/ressources/{row['id']}")
    assert page.status_code == 200
    assert '<h2 id="similaires-titre">Ressources similaires</h2>' in page.text
    section = page.text.split('id="similaires-titre"', 1)[1]
    linked = re.findall(r'<a href="/ressources/([0-9a-f-]+)">', section)
    assert 1 <= len(linked) <= 4
    assert str(row["id"]) not in linked
    for other in linked:
        shared = await conn.fetchval(
            "SELECT disciplines && $1::text[] FROM resources WHERE id = $2",
            row["disciplines"],
            UUID(other),
        )
        assert shared, other
