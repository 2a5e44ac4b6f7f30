"""Settings, all read from ``COACH_*`` environment variables or a ``.env`` file."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_dir
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="COACH_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        # A validation error must never echo another setting's value (secrets included).
        hide_input_in_errors=True,
    )

    data_dir: Path = Field(
        default_factory=lambda: Path(user_data_dir("research-coach", appauthor=False)),
        description="Folder for the embedded SQLite database and exports.",
    )
    database_url: SecretStr | None = Field(
        default=None,
        description="SQLAlchemy async URL, e.g. postgresql+asyncpg://user@host/db. "
        "Default: SQLite in the data folder.",
    )
    log_level: str = Field(default="WARNING", description="Log level of the coach's own logs.")
    console_team: str = Field(default="local", description="The console's team (tenant) id.")
    console_user: str = Field(default="me", description="The console's default member name.")

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return level

    def resolved_database_url(self) -> str:
        """The database URL to use: the configured one, or SQLite in the data folder."""
        if self.database_url is not None:
            return self.database_url.get_secret_value()
        return f"sqlite+aiosqlite:///{self.data_dir / 'coach.db'}"
