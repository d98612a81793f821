from __future__ import annotations

from pathlib import Path

import pytest

from catalogue.config import OidcSettings, Settings, settings_from
from catalogue.database import redact
from catalogue.errors import ConfigurationError
from catalogue.identity.api import TokenRequest


def test_defaults_run_the_embedded_demo_on_loopback() -> None:
    settings = settings_from({})
    assert settings.database_url is None
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.log_format == "console"
    assert not settings.production
    assert settings.pgdata == settings.data_dir / "pgdata"
    assert settings.search_backend == "tantivy"
    assert settings.search_index_dir == settings.data_dir / "search-index"
    assert settings.issuer == "http://127.0.0.1:8000"


def test_every_variable_is_read() -> None:
    settings = settings_from(
        {
            "DATABASE_URL": "postgresql://db/catalogue",
            "CATALOGUE_DATA_DIR": "/srv/catalogue",
            "MEILI_URL": "http://127.0.0.1:7700",
            "MEILI_MASTER_KEY": "key",
            "CATALOGUE_SEARCH_BACKEND": "Tantivy",
            "CATALOGUE_HOST": "0.0.0.0",  # noqa: S104
            "CATALOGUE_PORT": "9000",
            "CATALOGUE_PUBLIC_URL": "https://catalogue.example.fr/",
            "CATALOGUE_LOG_FORMAT": "console",
            "CATALOGUE_LOG_LEVEL": "DEBUG",
            "CATALOGUE_PRODUCTION": "yes",
            "CATALOGUE_MAX_BODY_BYTES": "4096",
            "CATALOGUE_DB_POOL_SIZE": "20",
            "CATALOGUE_SECRET_KEY": "s" * 32,
            "CATALOGUE_DEMO": "false",
        }
    )
    assert settings == Settings(
        database_url="postgresql://db/catalogue",
        data_dir=Path("/srv/catalogue"),
        meili_url="http://127.0.0.1:7700",
        meili_master_key="key",
        search_backend="tantivy",
        host="0.0.0.0",  # noqa: S104
        port=9000,
        public_url="https://catalogue.example.fr/",
        log_format="console",
        log_level="debug",
        production=True,
        max_body_bytes=4096,
        db_pool_size=20,
        secret_key="s" * 32,
    )
    assert settings.issuer == "https://catalogue.example.fr"


def test_production_logs_json_by_default() -> None:
    env = {"CATALOGUE_PRODUCTION": "true", "CATALOGUE_SECRET_KEY": "k" * 40}
    assert settings_from(env).log_format == "json"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"CATALOGUE_PORT": "http"}, "CATALOGUE_PORT must be an integer"),
        ({"CATALOGUE_PORT": "70000"}, "CATALOGUE_PORT must be between"),
        ({"CATALOGUE_PRODUCTION": "maybe"}, "CATALOGUE_PRODUCTION must be true or false"),
        ({"CATALOGUE_LOG_FORMAT": "xml"}, "CATALOGUE_LOG_FORMAT must be console or json"),
        ({"CATALOGUE_MAX_BODY_BYTES": "10"}, "CATALOGUE_MAX_BODY_BYTES must be between"),
        ({"CATALOGUE_SEARCH_BACKEND": "lucene"}, "CATALOGUE_SEARCH_BACKEND must be postgresql"),
    ],
)
def test_bad_values_are_refused_by_name(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        settings_from(env)


def test_reprs_mask_every_secret() -> None:
    settings = Settings(
        database_url="postgresql://app:db-pass-123@db:5432/catalogue",
        meili_master_key="meili-key-456",
        secret_key="s" * 20 + "secret-789",
        previous_secret_key="p" * 20 + "previous-012",
        oidc=OidcSettings(issuer="https://idp.test", client_id="c", client_secret="oidc-0ab"),
    )
    request = TokenRequest(grant_type="client_credentials", client_id="c", client_secret="cs-1")
    shown = repr(settings) + str(settings) + repr([request])
    for secret in (
        "db-pass-123",
        "meili-key-456",
        "secret-789",
        "previous-012",
        "oidc-0ab",
        "cs-1",
    ):
        assert secret not in shown
    assert "postgresql://app:***@db:5432/catalogue" in shown
    assert redact("postgresql://app@/db?host=/tmp&password=qs-pw") == (
        "postgresql://app@/db?host=/tmp&password=***"
    )
