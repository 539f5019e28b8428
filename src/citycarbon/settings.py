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


@cache
def get_settings() -> Settings:
    """Settings read once per process."""
    return Settings()
