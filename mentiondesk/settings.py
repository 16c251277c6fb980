"""Settings from MENTIONDESK_* environment variables and .env. Nothing is read at import time.

Each platform's own settings are the fields of its access model (see mentiondesk/platforms.py), added here as
`<name>_<field>`: MENTIONDESK_X_BEARER_TOKEN is `XAccess.bearer_token`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, SecretStr, ValidationError, create_model, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from mentiondesk.core.errors import ConfigError


class CommonSettings(BaseSettings):
    """The settings every part of the desk shares; `Settings` adds each platform's."""

    model_config = SettingsConfigDict(
        env_prefix="MENTIONDESK_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        env_ignore_empty=True,  # `MENTIONDESK_MODEL=` in a starter .env means "not set", not "the current folder"
    )

    database_url: str = "sqlite:///mentiondesk.db"
    brands_file: Path = Path("brands.toml")
    model: Path | None = Field(default=None, description="Directory of a trained classifier model")
    # DEBUG, INFO, WARNING, ERROR or CRITICAL; unset: WARNING (INFO for `run`). `mentiondesk -v` means DEBUG.
    log_level: str | None = None
    # Let the HTTP libraries (urllib3, oauthlib, tweepy, prawcore) log their requests too; secrets stay redacted.
    log_http: bool = False
    # text: one line per record; json: one JSON object per line (time, level, logger, message, exception)
    log_format: Literal["text", "json"] = "text"
    outbox_dir: Path = Path("outbox")
    # What reading and posting cost (`mentiondesk budget`); unset: the dated card shipped with the desk.
    price_card: Path | None = None

    # Web desk
    host: str = "127.0.0.1"
    port: int = 8000
    secret_key: SecretStr = SecretStr("")
    # Mark session cookies Secure even on plain HTTP: set this behind a TLS-terminating proxy.
    secure_cookies: bool = False

    # Service
    poll_interval_seconds: int = 60
    send_interval_seconds: int = 30
    # A send interrupted longer ago than this (the process died mid-send) is reconciled with the platform.
    send_stale_seconds: int = 120
    request_timeout_seconds: float = 10.0

    # Alerts (targets per brand in the brand file); e-mail goes through this SMTP server.
    alert_check_seconds: int = 60
    alert_attempts: int = Field(default=3, ge=1, le=10)
    alert_retry_seconds: float = Field(default=2.0, ge=0)
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str = "mentiondesk@localhost"
    smtp_starttls: bool = True

    @field_validator("log_level")
    @classmethod
    def _known_log_level(cls, value: str | None) -> str | None:
        if value is None:
            return None
        name = value.strip().upper()
        if name not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ValueError(f"unknown log level {value!r}; use DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return name


def _platform_fields() -> dict[str, Any]:
    from mentiondesk.platforms import PLATFORMS, setting_name

    fields: dict[str, Any] = {}
    for platform in PLATFORMS:
        for name, info in platform.access.model_fields.items():
            setting = setting_name(platform, name)
            if setting not in CommonSettings.model_fields:
                fields[setting] = (info.annotation, info)
    return fields


if TYPE_CHECKING:
    Settings = CommonSettings
else:
    Settings = create_model("Settings", __base__=CommonSettings, __module__=__name__, **_platform_fields())


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Read settings once per process; a bad value becomes a ConfigError naming the variable."""
    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise ConfigError(first["msg"], key=f"MENTIONDESK_{field.upper()}") from None
