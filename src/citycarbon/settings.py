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


@cache
def get_settings() -> Settings:
    """Settings read once per process."""
    return Settings()
