"""Runtime settings from environment variables (prefix ``CITYCARBON_``) with embedded defaults."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Where the data lives and how the platform talks to its users.

    The defaults run the embedded configuration: a SQLite file under ``./var`` and the web
    server on the loopback interface.
    """

    model_config = SettingsConfigDict(env_prefix="CITYCARBON_", extra="ignore")

    database_url: str = f"sqlite:///{Path('var') / 'citycarbon.sqlite3'}"
    locale: str = "zh_CN"
    host: str = "127.0.0.1"
    port: int = 8000
    default_grid: str = "national"
    default_gwp: str = "AR5GWP100"
    # Platform service (issue 4): credential lifetimes, request limits, background imports.
    token_days: int = 90
    session_hours: int = 12
    max_request_bytes: int = 1_048_576
    max_upload_bytes: int = 20 * 1_048_576
    rate_limit_per_second: float = 20.0
    rate_limit_burst: int = 60
    import_worker_enabled: bool = True
    import_job_stale_seconds: int = 120
    # Delivery of case notifications (issue 7, 一键达): SMTP relay, webhook signing, retries.
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_from: str = "citycarbon@localhost"
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    notify_message_domain: str = "citycarbon.local"
    notify_webhook_secret: str = "change-me"
    notify_timeout_seconds: float = 10.0
    notify_lease_seconds: int = 120
    notify_batch_size: int = 50
    notify_backoff_base_seconds: float = 30.0
    notify_backoff_cap_seconds: float = 3600.0
    notify_poll_seconds: float = 5.0


@cache
def get_settings() -> Settings:
    """Settings read once per process."""
    return Settings()
