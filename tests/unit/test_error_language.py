"""One language per surface: callers read French (``shown``), logs and the command line
read the reason in English (``detail``)."""

from __future__ import annotations

import pytest

from catalogue.errors import (
    CatalogueError,
    ConfigurationError,
    ConnectionLostError,
    DatabaseUnavailableError,
    QueryTimeoutError,
    UpstreamUnavailableError,
)


@pytest.mark.parametrize(
    ("error", "logged", "shown"),
    [
        (
            ConfigurationError("CATALOGUE_SECRET_KEY is required in production"),
            "CATALOGUE_SECRET_KEY is required in production",
            "Le service est mal configuré : son exploitant en trouvera la cause dans le journal.",
        ),
        (
            DatabaseUnavailableError("cannot reach the database at postgresql://db/x: refused"),
            "cannot reach the database at postgresql://db/x: refused",
            "La base de données est indisponible : réessayez dans un moment.",
        ),
        (
            UpstreamUnavailableError("Meilisearch search: connection refused"),
            "Meilisearch search: connection refused",
            "Un service dont dépend le catalogue ne répond pas : réessayez dans un moment.",
        ),
        (
            QueryTimeoutError(),
            "a statement ran past its statement_timeout",
            "La requête a pris trop de temps : réessayez dans un moment.",
        ),
        (
            ConnectionLostError(),
            "La base de données a interrompu la requête : réessayez.",
            "La base de données a interrompu la requête : réessayez.",
        ),
    ],
)
def test_callers_read_french_and_the_reason_stays_for_the_log(
    error: CatalogueError, logged: str, shown: str
) -> None:
    assert (error.detail, error.shown) == (logged, shown)
    assert str(error) == logged  # what the command line prints
