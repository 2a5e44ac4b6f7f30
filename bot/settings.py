"""Settings, all read from ``COACH_*`` environment variables or a ``.env`` file."""

from __future__ import annotations

import base64
import ipaddress
import re
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from platformdirs import user_data_dir
from pydantic import Field, SecretStr, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# What an example file or a tutorial puts where a secret goes: holding one of these, the
# coach would fail every call to the platform (or sign nothing), so it refuses to start instead.
PLACEHOLDER = re.compile(
    r"replace[-_ ]?me|change[-_ ]?me|placeholder|your[-_ ]|<|>|\.\.\.|…"
    r"|^(xox[a-z]|xapp)-[x-]*$",  # a bare Slack prefix, or one followed by x's
    re.IGNORECASE,
)
SECRET_SETTINGS = (
    "database_url",
    "llm_api_key",
    "slack_bot_token",
    "slack_app_token",
    "slack_signing_secret",
    "slack_client_secret",
    "discord_token",
    "slack_token_keys",
)


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
    log_format: Literal["text", "json"] = Field(
        default="text",
        description="Log lines as text, or as JSON objects (time, level, logger, message, "
        "exception) for a log collector.",
    )
    console_team: str = Field(default="local", description="The console's team (tenant) id.")
    console_user: str = Field(default="me", description="The console's default member name.")

    tick_seconds: float = Field(
        default=60, gt=0, description="How often the scheduler looks for due work."
    )
    schedule_grace_hours: float = Field(
        default=6, ge=0, description="Due work missed during downtime is sent if this fresh."
    )
    poll_minutes: int = Field(
        default=15,
        ge=1,
        description="How often, at most, each goal connected to a tracker (MLflow, W&B) is read.",
    )
    tracker_addresses: Literal["public", "private", "any"] = Field(
        default="private",
        description=(
            "Where a tracker may be: public addresses only, also private ranges (a lab's own"
            " network), or any (also loopback and link-local: a tracker on this machine)."
        ),
    )

    analysis_model: bool = Field(
        default=True,
        description="Read check-ins with the embedded sentence-embedding model (off: rules only).",
    )
    analysis_model_file: Path | None = Field(
        default=None,
        description="Use this copy of the model file instead of the packaged one "
        "(same pinned sha256).",
    )
    llm_base_url: str | None = Field(
        default=None,
        description="OpenAI-compatible API root for the optional LLM follow-up, "
        "e.g. http://127.0.0.1:8000/v1. Unset: no LLM.",
    )
    llm_model: str | None = Field(default=None, description="Model name sent to the LLM.")
    llm_api_key: SecretStr | None = Field(default=None, description="Bearer key for the LLM.")
    llm_timeout: float = Field(
        default=8, gt=0, le=60, description="Seconds one LLM follow-up may take, retry included."
    )
    llm_judge_timeout: float = Field(
        default=2.0,
        gt=0,
        le=60,
        description="Seconds the LLM may take to judge a check-in, retry included; after it "
        "the embedded analysis answers (the check-in reply must beat the platforms' "
        "acknowledgement deadline).",
    )
    llm_allow_http: bool = Field(
        default=False,
        description="Allow a plain http:// COACH_LLM_BASE_URL to another machine (members' "
        "check-ins would cross the network unencrypted). http:// to this machine is allowed.",
    )

    max_open_goals: int = Field(
        default=20, ge=1, description="Open goals one member can have at once."
    )
    max_best_works: int = Field(
        default=500, ge=1, description="Works one member's best-works portfolio can hold."
    )
    max_notebook_entries: int = Field(
        default=5000, ge=1, description="Entries (and kept reviews) one member's notebook can hold."
    )

    http_host: str = Field(default="127.0.0.1", description="Address the HTTP server binds.")
    http_port: int = Field(default=3000, ge=0, le=65535, description="Port of the HTTP server.")
    public_url: str | None = Field(
        default=None,
        description="The https:// address Slack reaches this coach at (HTTP mode), e.g. "
        "https://coach.example.org; `research-coach doctor` checks it answers. Scripts push a "
        "goal's values to it (POST /api/goals/values; `research-coach metric push`).",
    )

    slack_bot_token: SecretStr | None = Field(
        default=None, description="xoxb- token (one workspace)."
    )
    slack_app_token: SecretStr | None = Field(default=None, description="xapp- token: Socket Mode.")
    slack_signing_secret: SecretStr | None = Field(
        default=None, description="HTTP mode signing secret."
    )
    slack_client_id: str | None = Field(
        default=None, description="OAuth client id (many workspaces)."
    )
    slack_client_secret: SecretStr | None = Field(default=None, description="OAuth client secret.")
    slack_token_keys: SecretStr | None = Field(
        default=None,
        description="Fernet keys that encrypt the Slack tokens (OAuth mode) and tracker "
        "credentials kept in the database, comma-separated, newest first: the first encrypts, "
        "every one decrypts, and tokens under an older key are re-encrypted under the first. "
        "Unset: kept in clear.",
    )
    slack_api_url: str = Field(
        default="https://slack.com/api/", description="Slack Web API base URL (tests, proxies)."
    )

    discord_token: SecretStr | None = Field(default=None, description="Discord bot token.")
    discord_api_url: str = Field(
        default="https://discord.com/api/v10", description="Discord REST root (tests, proxies)."
    )
    discord_gateway_url: str | None = Field(
        default=None, description="Discord gateway URL; default: what Discord announces."
    )
    discord_shard_count: int | None = Field(default=None, ge=1, description="Total shards.")
    discord_shard_ids: Annotated[list[int] | None, NoDecode] = Field(
        default=None, description="Shards this replica runs, e.g. 0,1."
    )

    @field_validator("discord_shard_ids", mode="before")
    @classmethod
    def _shard_list(cls, value: object) -> object:
        if isinstance(value, str):
            return [int(part) for part in value.replace(" ", "").split(",") if part]
        return value

    @field_validator(*SECRET_SETTINGS)
    @classmethod
    def _real_secret(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        # The message names the setting; hide_input_in_errors keeps the value out of it.
        if value is None:
            return None
        name = f"COACH_{info.field_name}".upper()
        secret = value.get_secret_value().strip()
        if not secret:
            raise ValueError(f"{name} is empty: set it, or leave it out to unset it")
        if PLACEHOLDER.search(secret):
            raise ValueError(
                f"{name} holds a placeholder (such as REPLACE_ME or changeme), not a real "
                "value: set the real one, or leave it out to unset it"
            )
        return value

    @model_validator(mode="after")
    def _llm_over_https(self) -> Settings:
        url = self.llm_base_url
        if url and not self.llm_allow_http and plain_http_elsewhere(url):
            raise ValueError(
                "COACH_LLM_BASE_URL is plain http:// to another machine: members' check-ins "
                "would cross the network unencrypted. Use https://, or set "
                "COACH_LLM_ALLOW_HTTP=true if that network is yours"
            )
        return self

    @field_validator("slack_token_keys")
    @classmethod
    def _fernet_keys(cls, value: SecretStr | None) -> SecretStr | None:
        for number, key in enumerate(token_keys(value), start=1):
            try:
                raw = base64.urlsafe_b64decode(key.encode("ascii"))
            except (ValueError, UnicodeEncodeError):
                raw = b""
            if len(raw) != 32:
                raise ValueError(
                    f"COACH_SLACK_TOKEN_KEYS: key {number} is not a Fernet key (32 bytes in "
                    "URL-safe base64, as cryptography's Fernet.generate_key() makes)"
                )
        return value

    @field_validator("public_url")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.startswith(("https://", "http://")):
            raise ValueError("must start with https:// (or http:// for a local try-out)")
        return value.rstrip("/")

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return level

    @field_validator("log_format", mode="before")
    @classmethod
    def _format_lower(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value

    def resolved_database_url(self) -> str:
        """The database URL to use: the configured one, or SQLite in the data folder."""
        if self.database_url is not None:
            return self.database_url.get_secret_value()
        return f"sqlite+aiosqlite:///{self.data_dir / 'coach.db'}"


def plain_http_elsewhere(url: str) -> bool:
    """Whether ``url`` is plain ``http://`` to a host other than this machine (loopback)."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() != "http":
        return False
    host = (parts.hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:  # a name: it may resolve anywhere
        return True


def token_keys(value: SecretStr | None) -> list[str]:
    """The keys of ``COACH_SLACK_TOKEN_KEYS``, newest first."""
    if value is None:
        return []
    return [key.strip() for key in value.get_secret_value().split(",") if key.strip()]
