from __future__ import annotations

import base64
import json
from uuid import UUID

import pytest

from catalogue.config import ClaimMapping, settings_from
from catalogue.errors import ConfigurationError, UnauthorizedError
from catalogue.identity.claims import map_claims
from catalogue.identity.models import Role
from catalogue.identity.verifier import unverified_header_and_issuer
from catalogue.identity.web import safe_next

ENT_MAPPING = ClaimMapping(
    roles_claim="realm_access.roles",
    role_values={"ENS": "teacher", "DIR": "establishment_admin", "RECT": "academie_admin"},
    uai_claim="ENTPersonStructRattachUAI",
    academie_claim="academie",
    publisher_claim="editeur",
)


def test_claims_follow_the_configured_mapping() -> None:
    access = map_claims(
        {
            "realm_access": {"roles": ["ENS", "DIR", "ELEVE"]},
            "ENTPersonStructRattachUAI": ["bad", "0691234s"],
            "academie": " Lyon ",
            "editeur": "not-a-uuid",
        },
        ENT_MAPPING,
    )
    assert access.roles == {Role.TEACHER, Role.ESTABLISHMENT_ADMIN}
    assert access.establishment_uai == "0691234S"
    assert access.academie == "lyon"
    assert access.publisher_id is None


def test_a_uai_claim_with_a_wrong_check_letter_is_refused_never_stored() -> None:
    refused = map_claims({"roles": ["ENS"], "ENTPersonStructRattachUAI": "0691234x"}, ENT_MAPPING)
    assert refused.establishment_uai is None
    assert refused.refused_uai == (
        "UAI invalide '0691234X' : la lettre de contrôle de 0691234 est S"
    )
    # A valid one among them wins; a malformed value is dropped as before.
    both = map_claims({"ENTPersonStructRattachUAI": ["0691234X", "0691234S"]}, ENT_MAPPING)
    assert (both.establishment_uai, both.refused_uai) == ("0691234S", None)
    assert map_claims({"ENTPersonStructRattachUAI": "bad"}, ENT_MAPPING).refused_uai is None


def test_claims_accept_space_separated_roles_and_a_publisher() -> None:
    publisher = "3f1c8a52-8a8e-4a43-9d39-6b1f0f6b2a11"
    access = map_claims({"roles": "teacher publisher", "publisher_id": publisher}, ClaimMapping())
    assert access.roles == {Role.TEACHER, Role.PUBLISHER}
    assert access.publisher_id == UUID(publisher)
    assert map_claims({"roles": 42}, ClaimMapping()).roles == frozenset()


def test_role_values_must_name_known_roles() -> None:
    with pytest.raises(ConfigurationError, match="unknown roles"):
        settings_from({"CATALOGUE_ROLE_VALUES": '{"ENS": "superuser"}'})
    with pytest.raises(ConfigurationError, match="JSON object"):
        settings_from({"CATALOGUE_ROLE_VALUES": "ENS=teacher"})
    mapped = settings_from({"CATALOGUE_ROLE_VALUES": '{"ENS": "teacher"}'})
    assert mapped.claims.role_values == {"ENS": "teacher"}


def test_oidc_needs_a_client_id() -> None:
    with pytest.raises(ConfigurationError, match="OIDC_CLIENT_ID"):
        settings_from({"OIDC_ISSUER": "https://idp.example"})
    oidc = settings_from({"OIDC_ISSUER": "https://idp.example/", "OIDC_CLIENT_ID": "c"}).oidc
    assert oidc is not None
    assert oidc.issuer == "https://idp.example"


def test_production_needs_a_long_secret() -> None:
    with pytest.raises(ConfigurationError, match="CATALOGUE_SECRET_KEY is required"):
        settings_from({"CATALOGUE_PRODUCTION": "1"})
    with pytest.raises(ConfigurationError, match="at least 32"):
        settings_from({"CATALOGUE_SECRET_KEY": "short"})


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/compte", "/compte"),
        ("/recherche?q=svt", "/recherche?q=svt"),
        (None, "/"),
        ("", "/"),
        ("https://evil.example/", "/"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_safe_next_stays_on_the_site(value: str | None, expected: str) -> None:
    assert safe_next(value) == expected


def _segment(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        ("a.b", "malformed"),
        ("!!.??.x", "malformed"),
        (f"{_segment({'alg': 'RS256'})}.{_segment({'sub': 'x'})}.sig", "issuer"),
        (f"{_segment([1])}.{_segment({'iss': 'x'})}.sig", "malformed"),
        ("x" * 20_000, "too large"),
    ],
)
def test_unreadable_tokens_are_refused_before_any_key_lookup(token: str, reason: str) -> None:
    with pytest.raises(UnauthorizedError, match=reason):
        unverified_header_and_issuer(token)
