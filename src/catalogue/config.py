"""Settings read once from environment variables (each one is documented in docs/operations.md)."""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import msgspec
import platformdirs

from catalogue.errors import ConfigurationError
from catalogue.masking import masked_repr

LogFormat = Literal["console", "json"]
EmbeddedBackend = Literal["postgresql", "tantivy"]

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


ROLE_NAMES = ("teacher", "establishment_admin", "academie_admin", "national_admin", "publisher")


class OidcSettings(msgspec.Struct, frozen=True, kw_only=True):
    """The identity provider people sign in with (OpenID Connect, code flow with PKCE)."""

    issuer: str
    client_id: str
    client_secret: str | None = None
    scopes: str = "openid profile email"
    # The `aud` the provider puts in access tokens meant for this API.
    api_audience: str = "catalogue-api"

    def __repr__(self) -> str:
        return masked_repr(self, secrets=frozenset({"client_secret"}))


class ClaimMapping(msgspec.Struct, frozen=True, kw_only=True):
    """How the provider's claims become our roles and scopes."""

    roles_claim: str = "roles"  # a dotted path is followed: "realm_access.roles"
    role_values: dict[str, str] = msgspec.field(
        default_factory=lambda: {role: role for role in ROLE_NAMES}
    )
    uai_claim: str = "uai"
    academie_claim: str = "academie"
    publisher_claim: str = "publisher_id"
    # At a person's first sign-in, the claim that finds the person SCIM provisioned before:
    # "email" matches their e-mail, any other claim their externalId.
    match_claim: str = "email"


class GarSettings(msgspec.Struct, frozen=True, kw_only=True):
    """The GAR subscription web service, reached over HTTPS with a client certificate."""

    url: str  # the service's base URL: {url}/{idAbonnement}
    client_cert: Path  # PEM: the platform's client certificate (and chain)
    client_key: Path  # PEM: its private key
    ca_bundle: Path | None = None  # PEM: the CAs the service's certificate is checked with
    distributor_id: str  # idDistributeurCom: SIREN_0000000000000000
    project_code: str | None = None  # codeProjetRessource, sent when set


GAR_SETTINGS = (
    "CATALOGUE_GAR_URL",
    "CATALOGUE_GAR_CLIENT_CERT",
    "CATALOGUE_GAR_CLIENT_KEY",
    "CATALOGUE_GAR_CA_BUNDLE",
    "CATALOGUE_GAR_DISTRIBUTOR_ID",
    "CATALOGUE_GAR_PROJECT_CODE",
)
_DISTRIBUTOR_ID = re.compile(r"^[0-9]{9}_[0-9]{16}$")


class S3Settings(msgspec.Struct, frozen=True, kw_only=True):
    """An S3-compatible object store for the communs' files (else the data directory)."""

    endpoint: str  # http(s)://host[:port]
    bucket: str
    region: str = "us-east-1"
    access_key_id: str | None = None
    secret_access_key: str | None = None

    def __repr__(self) -> str:
        return masked_repr(self, secrets=frozenset({"secret_access_key"}))


S3_SETTINGS = (
    "CATALOGUE_S3_ENDPOINT",
    "CATALOGUE_S3_BUCKET",
    "CATALOGUE_S3_REGION",
    "CATALOGUE_S3_ACCESS_KEY_ID",
    "CATALOGUE_S3_SECRET_ACCESS_KEY",
)


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    database_url: str | None = None
    data_dir: Path = Path(platformdirs.user_data_dir("catalogue"))
    meili_url: str | None = None
    meili_master_key: str | None = None
    # The embedded search backend when MEILI_URL is not set: a Tantivy index in
    # data_dir/search-index, or PostgreSQL full text (CATALOGUE_SEARCH_BACKEND).
    search_backend: EmbeddedBackend = "tantivy"
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str | None = None
    log_format: LogFormat = "console"
    log_level: str = "info"
    production: bool = False
    max_body_bytes: int = 20 * 1024 * 1024
    db_pool_size: int = 10
    # Longest statement of request work (ms); searches have their own, shorter, bound.
    statement_timeout_ms: int = 30_000
    search_timeout_ms: int = 2_000
    # Per caller (subject, or address when anonymous), in each server process.
    caller_concurrency: int = 4
    caller_rate: int = 50
    caller_burst: int = 200
    # Anonymous callers of the API (the public catalogue), per client address.
    anonymous_rate: int = 10
    anonymous_burst: int = 60
    # Attempts at /oauth/token per client id, and per address, a minute.
    token_rate_per_minute: int = 30
    refund_window_days: int = 30
    # A deactivated person's name and e-mail are erased this many days after they left.
    retention_days: int = 365
    secret_key: str | None = None
    # The former CATALOGUE_SECRET_KEY during a change of secret: sealed keys still open.
    previous_secret_key: str | None = None
    demo: bool = False
    # `serve` runs the job worker in its own process unless told otherwise (the embedded
    # default); production runs `catalogue worker` processes and sets this to false.
    embedded_worker: bool = True
    # `catalogue worker`'s CPU priority (nice): its jobs give way to requests on the same cores.
    worker_nice: int = 10
    # The national dataset of establishments (its CSV or JSON export), which the worker
    # imports again every night when set.
    directory_url: str | None = None
    oidc: OidcSettings | None = None
    claims: ClaimMapping = msgspec.field(default_factory=ClaimMapping)
    # GAR subscriptions: None (none of the CATALOGUE_GAR_* settings set) turns them off.
    gar: GarSettings | None = None
    # The communs' files: an S3-compatible store when set, else `data_dir`/files.
    s3: S3Settings | None = None
    commun_max_file_bytes: int = 100 * 1024 * 1024
    commun_max_resource_bytes: int = 500 * 1024 * 1024
    # Thumbnails are fetched from public addresses only; tests serve theirs on 127.0.0.1.
    thumbnails_allow_loopback: bool = False

    def __repr__(self) -> str:
        return masked_repr(
            self,
            secrets=frozenset({"secret_key", "previous_secret_key", "meili_master_key"}),
            urls=frozenset({"database_url", "meili_url"}),
        )

    @property
    def pgdata(self) -> Path:
        return self.data_dir / "pgdata"

    @property
    def search_index_dir(self) -> Path:
        """Where the Tantivy backend keeps its index (CATALOGUE_SEARCH_BACKEND=tantivy)."""
        return self.data_dir / "search-index"

    @property
    def issuer(self) -> str:
        """The platform's own URL: issuer of the tokens it signs, base of the links it gives."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")


def _embedded_backend(raw: str) -> EmbeddedBackend:
    value = raw.strip().lower() or "tantivy"
    if value == "postgresql":
        return "postgresql"
    if value == "tantivy":
        return "tantivy"
    raise ConfigurationError(f"CATALOGUE_SEARCH_BACKEND must be postgresql or tantivy, not {raw!r}")


def _flag(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigurationError(f"{name} must be true or false, not {raw!r}")


def _int(name: str, raw: str, *, low: int, high: int) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be an integer, not {raw!r}") from None
    if not low <= value <= high:
        raise ConfigurationError(f"{name} must be between {low} and {high}, not {value}")
    return value


def _http_url(name: str, raw: str | None) -> str | None:
    if not raw:
        return None
    if not raw.startswith(("https://", "http://")):
        raise ConfigurationError(f"{name} must be an http(s) URL, not {raw[:80]!r}")
    return raw


def _setting_int(env: Mapping[str, str], name: str, defaults: Settings, low: int, high: int) -> int:
    """An integer setting named after its field (CATALOGUE_CALLER_RATE: caller_rate)."""
    default = getattr(defaults, name.removeprefix("CATALOGUE_").lower())
    return _int(name, env.get(name, str(default)), low=low, high=high)


def settings_from(env: Mapping[str, str]) -> Settings:
    """Build settings from a mapping of environment variables, rejecting bad values clearly."""
    production = _flag("CATALOGUE_PRODUCTION", env.get("CATALOGUE_PRODUCTION", ""))
    log_format = env.get("CATALOGUE_LOG_FORMAT", "json" if production else "console")
    if log_format not in ("console", "json"):
        raise ConfigurationError(
            f"CATALOGUE_LOG_FORMAT must be console or json, not {log_format!r}"
        )
    defaults = Settings()
    data_dir = env.get("CATALOGUE_DATA_DIR")
    secret_key = env.get("CATALOGUE_SECRET_KEY") or None
    if secret_key is not None and len(secret_key) < 32:
        raise ConfigurationError("CATALOGUE_SECRET_KEY must be at least 32 characters long")
    if production and secret_key is None:
        raise ConfigurationError(
            "CATALOGUE_SECRET_KEY is required when CATALOGUE_PRODUCTION is set"
        )
    previous_secret_key = env.get("CATALOGUE_PREVIOUS_SECRET_KEY") or None
    if previous_secret_key is not None and len(previous_secret_key) < 32:
        raise ConfigurationError(
            "CATALOGUE_PREVIOUS_SECRET_KEY must be at least 32 characters long"
        )
    return Settings(
        database_url=env.get("DATABASE_URL") or None,
        data_dir=Path(data_dir).expanduser() if data_dir else defaults.data_dir,
        meili_url=env.get("MEILI_URL") or None,
        meili_master_key=env.get("MEILI_MASTER_KEY") or None,
        search_backend=_embedded_backend(env.get("CATALOGUE_SEARCH_BACKEND", "")),
        host=env.get("CATALOGUE_HOST", defaults.host),
        port=_setting_int(env, "CATALOGUE_PORT", defaults, 0, 65535),
        public_url=env.get("CATALOGUE_PUBLIC_URL") or None,
        directory_url=_http_url("CATALOGUE_DIRECTORY_URL", env.get("CATALOGUE_DIRECTORY_URL")),
        log_format=log_format,  # type: ignore[arg-type]  # checked just above
        log_level=env.get("CATALOGUE_LOG_LEVEL", defaults.log_level).lower(),
        production=production,
        max_body_bytes=_setting_int(env, "CATALOGUE_MAX_BODY_BYTES", defaults, 1024, 1024**3),
        db_pool_size=_setting_int(env, "CATALOGUE_DB_POOL_SIZE", defaults, 1, 500),
        statement_timeout_ms=_setting_int(
            env, "CATALOGUE_STATEMENT_TIMEOUT_MS", defaults, 100, 3_600_000
        ),
        search_timeout_ms=_setting_int(env, "CATALOGUE_SEARCH_TIMEOUT_MS", defaults, 100, 600_000),
        caller_concurrency=_setting_int(env, "CATALOGUE_CALLER_CONCURRENCY", defaults, 1, 10_000),
        caller_rate=_setting_int(env, "CATALOGUE_CALLER_RATE", defaults, 1, 1_000_000),
        caller_burst=_setting_int(env, "CATALOGUE_CALLER_BURST", defaults, 1, 1_000_000),
        anonymous_rate=_setting_int(env, "CATALOGUE_ANONYMOUS_RATE", defaults, 1, 1_000_000),
        anonymous_burst=_setting_int(env, "CATALOGUE_ANONYMOUS_BURST", defaults, 1, 1_000_000),
        token_rate_per_minute=_setting_int(
            env, "CATALOGUE_TOKEN_RATE_PER_MINUTE", defaults, 1, 1_000_000
        ),
        refund_window_days=_setting_int(env, "CATALOGUE_REFUND_WINDOW_DAYS", defaults, 0, 3650),
        retention_days=_setting_int(env, "CATALOGUE_RETENTION_DAYS", defaults, 1, 36_500),
        secret_key=secret_key,
        previous_secret_key=previous_secret_key,
        demo=_flag("CATALOGUE_DEMO", env.get("CATALOGUE_DEMO", "")),
        embedded_worker=_flag(
            "CATALOGUE_EMBEDDED_WORKER", env.get("CATALOGUE_EMBEDDED_WORKER", "true")
        ),
        worker_nice=_setting_int(env, "CATALOGUE_WORKER_NICE", defaults, 0, 19),
        oidc=_oidc_from(env),
        claims=_claims_from(env),
        gar=_gar_from(env),
        s3=_s3_from(env),
        commun_max_file_bytes=_setting_int(
            env, "CATALOGUE_COMMUN_MAX_FILE_BYTES", defaults, 1, 1024**4
        ),
        commun_max_resource_bytes=_setting_int(
            env, "CATALOGUE_COMMUN_MAX_RESOURCE_BYTES", defaults, 1, 1024**4
        ),
        thumbnails_allow_loopback=_loopback_thumbnails(env, production=production),
    )


def _loopback_thumbnails(env: Mapping[str, str], *, production: bool) -> bool:
    name = "CATALOGUE_THUMBNAILS_ALLOW_LOOPBACK"
    allowed = _flag(name, env.get(name, ""))
    if allowed and production:
        raise ConfigurationError(f"{name} is for tests: not with CATALOGUE_PRODUCTION")
    return allowed


def _s3_from(env: Mapping[str, str]) -> S3Settings | None:
    """None when no CATALOGUE_S3_* setting is given; else the endpoint and bucket are needed."""
    given = [name for name in S3_SETTINGS if env.get(name)]
    if not given:
        return None
    for name in ("CATALOGUE_S3_ENDPOINT", "CATALOGUE_S3_BUCKET"):
        if not env.get(name):
            raise ConfigurationError(f"{name} is required when {given[0]} is set")
    endpoint = _http_url("CATALOGUE_S3_ENDPOINT", env["CATALOGUE_S3_ENDPOINT"])
    assert endpoint is not None  # checked present just above
    return S3Settings(
        endpoint=endpoint.rstrip("/"),
        bucket=env["CATALOGUE_S3_BUCKET"],
        region=env.get("CATALOGUE_S3_REGION") or "us-east-1",
        access_key_id=env.get("CATALOGUE_S3_ACCESS_KEY_ID") or None,
        secret_access_key=env.get("CATALOGUE_S3_SECRET_ACCESS_KEY") or None,
    )


def _gar_from(env: Mapping[str, str]) -> GarSettings | None:
    """The GAR settings: none set, GAR is off; any set, the URL, the client certificate and
    key and the distributor id are required."""
    given = [name for name in GAR_SETTINGS if env.get(name)]
    if not given:
        return None
    for name in (
        "CATALOGUE_GAR_URL",
        "CATALOGUE_GAR_CLIENT_CERT",
        "CATALOGUE_GAR_CLIENT_KEY",
        "CATALOGUE_GAR_DISTRIBUTOR_ID",
    ):
        if not env.get(name):
            raise ConfigurationError(f"{name} is required when {given[0]} is set")
    url = env["CATALOGUE_GAR_URL"]
    if not url.startswith("https://"):
        raise ConfigurationError(f"CATALOGUE_GAR_URL must be an https:// URL, not {url!r}")
    distributor_id = env["CATALOGUE_GAR_DISTRIBUTOR_ID"]
    if not _DISTRIBUTOR_ID.match(distributor_id):
        raise ConfigurationError(
            "CATALOGUE_GAR_DISTRIBUTOR_ID must be a SIREN, an underscore and 16 digits "
            f"(123456789_0000000000000000), not {distributor_id!r}"
        )
    ca_bundle = env.get("CATALOGUE_GAR_CA_BUNDLE")
    return GarSettings(
        url=url.rstrip("/"),
        client_cert=Path(env["CATALOGUE_GAR_CLIENT_CERT"]).expanduser(),
        client_key=Path(env["CATALOGUE_GAR_CLIENT_KEY"]).expanduser(),
        ca_bundle=Path(ca_bundle).expanduser() if ca_bundle else None,
        distributor_id=distributor_id,
        project_code=env.get("CATALOGUE_GAR_PROJECT_CODE") or None,
    )


def _oidc_from(env: Mapping[str, str]) -> OidcSettings | None:
    issuer = env.get("OIDC_ISSUER")
    if not issuer:
        return None
    client_id = env.get("OIDC_CLIENT_ID")
    if not client_id:
        raise ConfigurationError("OIDC_CLIENT_ID is required when OIDC_ISSUER is set")
    defaults = OidcSettings(issuer=issuer, client_id=client_id)
    return OidcSettings(
        issuer=issuer.rstrip("/"),
        client_id=client_id,
        client_secret=env.get("OIDC_CLIENT_SECRET") or None,
        scopes=env.get("OIDC_SCOPES", defaults.scopes),
        api_audience=env.get("OIDC_API_AUDIENCE", defaults.api_audience),
    )


def _claims_from(env: Mapping[str, str]) -> ClaimMapping:
    defaults = ClaimMapping()
    raw_values = env.get("CATALOGUE_ROLE_VALUES")
    role_values = defaults.role_values
    if raw_values:
        try:
            role_values = msgspec.json.decode(raw_values, type=dict[str, str])
        except msgspec.DecodeError:
            raise ConfigurationError(
                'CATALOGUE_ROLE_VALUES must be a JSON object such as {"ENS": "teacher"}'
            ) from None
        unknown = sorted(set(role_values.values()) - set(ROLE_NAMES))
        if unknown:
            raise ConfigurationError(
                f"CATALOGUE_ROLE_VALUES maps to unknown roles {unknown}; "
                f"roles are {', '.join(ROLE_NAMES)}"
            )
    return ClaimMapping(
        roles_claim=env.get("CATALOGUE_ROLES_CLAIM", defaults.roles_claim),
        role_values=role_values,
        uai_claim=env.get("CATALOGUE_UAI_CLAIM", defaults.uai_claim),
        academie_claim=env.get("CATALOGUE_ACADEMIE_CLAIM", defaults.academie_claim),
        publisher_claim=env.get("CATALOGUE_PUBLISHER_CLAIM", defaults.publisher_claim),
        match_claim=env.get("CATALOGUE_SCIM_MATCH_CLAIM", defaults.match_claim).strip()
        or defaults.match_claim,
    )


@functools.cache
def get_settings() -> Settings:
    """The process's settings, read from the environment once."""
    return settings_from(os.environ)
