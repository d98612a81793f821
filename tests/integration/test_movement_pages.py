"""The administrator's mobility pages over real HTTP (no browser): forms, errors, the file."""

from __future__ import annotations

import re

import asyncpg
import httpx

from tests.integration.test_pages import csrf, sign_in, web  # noqa: F401  # the fixture

TEACHER = "demo-enseignant"


async def teacher_id(conn: asyncpg.Connection) -> str:
    found = await conn.fetchval("SELECT id::text FROM people WHERE subject = $1", TEACHER)
    assert isinstance(found, str)
    return found


async def test_signed_out_and_teachers_do_not_reach_the_pages(
    web: httpx.AsyncClient,  # noqa: F811
) -> None:
    signed_out = await web.get("/admin/mobilites")
    assert signed_out.status_code == 303
    assert signed_out.headers["location"].startswith("/auth/login")
    forged = await web.post("/admin/mobilites", data={"personne": "x", "nouvelle_uai": "x"})
    assert forged.status_code in (303, 403)
    await sign_in(web, "teacher")
    assert (await web.get("/admin/mobilites")).status_code == 403


async def test_a_move_form_names_the_expected_check_letter_and_changes_nothing(
    web: httpx.AsyncClient,  # noqa: F811
    conn: asyncpg.Connection,
) -> None:
    await sign_in(web, "national_admin")
    page = await web.get("/admin/mobilites")
    assert page.status_code == 200
    assert 'href="/admin/mobilites" aria-current="page"' in page.text
    person = await teacher_id(conn)
    answer = await web.post(
        "/admin/mobilites",
        data={
            "_csrf_token": csrf(web),
            "personne": person,
            "nouvelle_uai": "0750654e",
            "motif": "mutation",
        },
    )
    assert answer.status_code == 422
    assert "la lettre de contrôle de 0750654 est D" in answer.text
    assert 'value="mutation"' in answer.text
    unknown = await web.post(
        "/admin/mobilites",
        data={
            "_csrf_token": csrf(web),
            "personne": person,
            "nouvelle_uai": "0750654D",
            "motif": "mutation",
        },
    )
    assert unknown.status_code == 422
    assert "Établissement inconnu : 0750654D" in unknown.text
    assert (
        await conn.fetchval("SELECT establishment_uai FROM people WHERE subject = $1", TEACHER)
        == "0751234J"
    )


async def test_a_departure_and_a_file_of_moves_from_the_pages(
    web: httpx.AsyncClient,  # noqa: F811
    conn: asyncpg.Connection,
) -> None:
    await conn.execute(
        "INSERT INTO establishments (uai, name, academie) "
        "VALUES ('0750654D', 'Lycée Test', 'paris')"
    )
    await sign_in(web, "national_admin")
    await web.get("/admin/mobilites")
    person = await teacher_id(conn)
    bad = f"UAI;personne;nouvelle UAI;motif\n0751234J;{person};0750654E;mutation\n"
    refused = await web.post(
        "/admin/mobilites/csv",
        data={"_csrf_token": csrf(web)},
        files={"fichier": ("m.csv", bad.encode(), "text/csv")},
    )
    assert refused.status_code == 422
    assert "Lignes refusées" in refused.text
    assert "est D" in refused.text
    good = "0751234J;camille.martin@demo.invalid;0750654D;mutation\n"
    applied = await web.post(
        "/admin/mobilites/csv",
        data={"_csrf_token": csrf(web)},
        files={"fichier": ("m.csv", good.encode(), "text/csv")},
    )
    assert applied.status_code == 200, applied.text
    assert "Fichier appliqué : 1 changement" in applied.text
    journal = await web.get("/admin/mobilites", params={"uai": "0750654D"})
    assert "0751234J → 0750654D" in journal.text
    gone = await web.post(
        "/admin/mobilites/depart",
        data={"_csrf_token": csrf(web), "depart_personne": person, "depart_motif": "retraite"},
    )
    assert gone.status_code == 200, gone.text
    assert "Départ enregistré" in gone.text
    assert await conn.fetchval(
        "SELECT deactivated_at IS NOT NULL FROM people WHERE id = $1::uuid", person
    )


async def test_an_administrator_finds_an_establishment_with_or_without_javascript(
    web: httpx.AsyncClient,  # noqa: F811
    conn: asyncpg.Connection,
) -> None:
    await conn.execute(
        "INSERT INTO establishments (uai, name, academie, commune, search_text, state) VALUES "
        "('0750654D', 'Lycée Victor Duruy', 'paris', 'Paris', "
        "'lycee victor duruy paris 0750654d', 'open'), "
        "('0750655E', 'Collège Victor Hugo', 'paris', 'Paris', "
        "'college victor hugo paris 0750655e', 'closed')"
    )
    assert (await web.get("/admin/etablissements", params={"q": "victor"})).status_code == 303
    await sign_in(web, "national_admin")

    page = await web.get("/admin/etablissements", params={"q": "victor paris", "pour": "mobilite"})
    assert page.status_code == 200
    assert "Lycée Victor Duruy" in page.text
    assert 'href="/admin/mobilites?nouvelle_uai=0750654D"' in page.text
    assert "/admin/mobilites?nouvelle_uai=0750655E" not in page.text  # closed: not chosen
    hostile = await web.get(
        "/admin/etablissements", params={"q": "victor", "pour": "//evil.example"}
    )
    assert hostile.status_code == 200
    assert "evil.example" not in hostile.text
    assert "Choisir" not in hostile.text
    back = await web.get("/admin/mobilites", params={"nouvelle_uai": "0750654D"})
    assert 'value="0750654D"' in back.text
    assert 'href="/admin/etablissements?pour=mobilite"' in back.text  # without JavaScript
    assert 'hx-get="/admin/etablissements/suggestions?champ=nouvelle_uai"' in back.text
    # htmx from its content-hashed address (catalogue.assets), fetched and cached once.
    assert re.search(r'<script src="/static/[0-9a-f]+/htmx\.min\.js" defer></script>', back.text)

    options = await web.get(
        "/admin/etablissements/suggestions",
        params={"champ": "nouvelle_uai", "nouvelle_uai": "duruy"},
        headers={"HX-Request": "true"},
    )
    assert options.status_code == 200
    assert options.text.strip().startswith('<option value="0750654D">Lycée Victor Duruy')
    short = await web.get("/admin/etablissements/suggestions", params={"q": "v"})
    assert short.text.strip() == ""
    await sign_in(web, "teacher")
    refused = await web.get("/admin/etablissements/suggestions", params={"q": "vi"})
    assert refused.status_code == 403
