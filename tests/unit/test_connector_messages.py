"""What the built-in connectors write in a report, publishers read: French, with the facts
(lines, values, fields) kept, and a library's own text after a French lead (issue 16)."""

from __future__ import annotations

import pytest

from connectors.contract import Context, Record, Rejected, UnknownConnectorError, get
from connectors.jsonfile import JsonConnector
from connectors.lti import LtiConnector
from connectors.oaipmh import OaiPmhConnector


def messages(results: list[Record | Rejected]) -> list[str]:
    return [r.message for r in results if isinstance(r, Rejected)]


def test_json_rejections_are_french_with_msgspec_text_after_a_french_lead() -> None:
    lines = b'{"title": 3}\n{not json\n[1]\n{"listeRessources": {}}\n'
    results = list(JsonConnector().read(lines, Context()))
    assert messages(results) == [
        "champ invalide : Expected `str`, got `int` - at `$.title`",
        "JSON illisible : JSON is malformed: object keys must be strings (byte 1)",
        "objet JSON attendu",
        (
            "champ invalide : Object contains unknown field `listeRessources` : "
            "c'est une liste du GAR, importez-la avec le connecteur `gar`"
        ),
    ]
    assert [r.line for r in results] == [1, 2, 3, 4]
    nested = b'{"title": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    assert messages(list(JsonConnector().read(nested, Context()))) == [
        "JSON illisible : imbrication trop profonde"
    ]


def test_lti_rejections_are_french() -> None:
    read = LtiConnector().read
    assert messages(list(read(b"{", Context()))) == ["JSON illisible : Input data was truncated"]
    assert messages(list(read(b'{"client_name": "Outil"}', Context()))) == [
        "un outil enregistré doit avoir son client_id"
    ]
    tool = b'{"client_id": "c-1", "client_name": "Outil", "logo_uri": 3}'
    assert messages(list(read(tool, Context()))) == [
        "champ invalide : Expected `str | null`, got `int` - at `$.thumbnail_url`"
    ]


def test_a_saved_oai_page_that_is_not_oai_pmh_is_refused_in_french() -> None:
    read = OaiPmhConnector().read
    assert messages(list(read(b"<autre/>", Context()))) == [
        "pas une réponse OAI-PMH (racine autre)"
    ]
    assert messages(list(read(b"<a", Context())))[0].startswith("XML illisible : ")
    refused = (
        b'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
        b'<error code="badResumptionToken">expired</error></OAI-PMH>'
    )
    # The protocol's error code stays as OAI-PMH names it.
    assert messages(list(read(refused, Context()))) == ["erreur OAI badResumptionToken : expired"]


def test_an_unknown_connector_is_named_in_french() -> None:
    with pytest.raises(
        UnknownConnectorError, match=r"^pas de connecteur 'nope' ; installés : gar, json, lomfr"
    ):
        get("nope")
