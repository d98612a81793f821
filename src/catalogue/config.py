"""Settings read once from environment variables (each one is documented in the README)."""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import msgspec
import platformdirs

from catalogue.errors import ConfigurationError

LogFormat = Literal["console", "json"]

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    database_url: str | None = None
    data_dir: Path = Path(platformdirs.user_data_dir("catalogue"))
    meili_url: str | None = None
    meili_master_key: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str | None = None
    log_format: LogFormat = "console"
    log_level: str = "info"
    production: bool = False
    max_body_bytes: int = 20 * 1024 * 1024
    db_pool_size: int = 10

    @property
    def pgdata(self) -> Path:
        return self.data_dir / "pgdata"

    @property
    def issuer(self) -> str:
        """The platform's own URL: issuer of the tokens it signs, base of the links it gives."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")


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
    return Settings(
        database_url=env.get("DATABASE_URL") or None,
        data_dir=Path(data_dir).expanduser() if data_dir else defaults.data_dir,
        meili_url=env.get("MEILI_URL") or None,
        meili_master_key=env.get("MEILI_MASTER_KEY") or None,
        host=env.get("CATALOGUE_HOST", defaults.host),
        port=_int(
            "CATALOGUE_PORT", env.get("CATALOGUE_PORT", str(defaults.port)), low=0, high=65535
        ),
        public_url=env.get("CATALOGUE_PUBLIC_URL") or None,
        log_format=log_format,  # type: ignore[arg-type]  # checked just above
        log_level=env.get("CATALOGUE_LOG_LEVEL", defaults.log_level).lower(),
        production=production,
        max_body_bytes=_int(
            "CATALOGUE_MAX_BODY_BYTES",
            env.get("CATALOGUE_MAX_BODY_BYTES", str(defaults.max_body_bytes)),
            low=1024,
            high=1024**3,
        ),
        db_pool_size=_int(
            "CATALOGUE_DB_POOL_SIZE",
            env.get("CATALOGUE_DB_POOL_SIZE", str(defaults.db_pool_size)),
            low=1,
            high=500,
        ),
    )


@functools.cache
def get_settings() -> Settings:
    """The process's settings, read from the environment once."""
    return settings_from(os.environ)
