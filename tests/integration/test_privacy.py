"""Publishers only ever see pseudonyms; logs carry no personal data."""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

import httpx

from catalogue.identity.secrets import derive_key, pseudonym
from tests.logs import capture_logs
from tests.support.oidc_provider import FakeProvider


def test_pseudonyms_are_stable_per_publisher_and_unlinkable() -> None:
    key = derive_key("s" * 40, "pseudonym")
    teacher, other = uuid.uuid4(), uuid.uuid4()
    p1, p2 = uuid.uuid4(), uuid.uuid4()
    assert pseudonym(key, teacher, p1) == pseudonym(key, teacher, p1)
    assert pseudonym(key, teacher, p1) != pseudonym(key, teacher, p2)
    assert pseudonym(key, teacher, p1) != pseudonym(key, other, p1)
    assert pseudonym(derive_key("x" * 40, "pseudonym"), teacher, p1) != pseudonym(key, teacher, p1)
    assert str(teacher) not in pseudonym(key, teacher, p1)
    assert len(pseudonym(key, teacher, p1)) == 32


async def test_sign_in_and_api_calls_log_no_personal_data(
    oidc_client: httpx.AsyncClient, provider: FakeProvider
) -> None:
    provider.person = {
        "sub": "F1234567",
        "name": "Bérénice Lafontaine",
        "given_name": "Bérénice",
        "email": "berenice.lafontaine@ac-lyon.fr",
        "roles": ["teacher"],
        "uai": "0691234S",
        "academie": "lyon",
    }
    token = provider.access_token(sub="F1234567")
    with capture_logs() as logs:
        start = await oidc_client.get("/auth/login")
        back = urlsplit(provider.authorize(start.headers["location"]))
        assert (await oidc_client.get(f"{back.path}?{back.query}")).status_code == 302
        assert (await oidc_client.get("/api/v1/me")).status_code == 200
        api = await oidc_client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert api.status_code == 200
        await oidc_client.get(
            "/api/v1/me", headers={"Authorization": "Bearer " + token[:-4] + "AAAA"}
        )
    assert logs, "the requests were logged"
    printed = repr(logs)
    for personal in ("Bérénice", "Lafontaine", "berenice", "F1234567", token.split(".")[2]):
        assert personal not in printed
