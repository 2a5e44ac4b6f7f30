"""Settings: defaults, ``COACH_*`` variables, ``.env`` files, and secrets kept out of errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.settings import Settings

PG_URL = "postgresql+asyncpg://coach:s3cr3t-pw@127.0.0.1:5432/coach"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No COACH_* from the caller's shell, no stray .env, and a private XDG data home."""
    for name in list(os.environ):
        if name.startswith("COACH_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_defaults_put_sqlite_in_the_user_data_folder(tmp_path: Path) -> None:
    settings = Settings()
    assert settings.data_dir == tmp_path / "xdg" / "research-coach"
    assert settings.database_url is None
    assert settings.resolved_database_url() == (
        f"sqlite+aiosqlite:///{tmp_path / 'xdg' / 'research-coach' / 'coach.db'}"
    )
    assert settings.log_level == "WARNING"
    assert settings.console_team == "local"
    assert settings.console_user == "me"


def test_coach_data_dir_moves_the_sqlite_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("COACH_DATA_DIR", str(tmp_path / "data"))
    settings = Settings()
    assert settings.data_dir == tmp_path / "data"
    assert (
        settings.resolved_database_url() == f"sqlite+aiosqlite:///{tmp_path / 'data' / 'coach.db'}"
    )


def test_coach_database_url_overrides_sqlite_and_stays_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COACH_DATABASE_URL", PG_URL)
    settings = Settings()
    assert settings.resolved_database_url() == PG_URL
    assert "s3cr3t-pw" not in repr(settings)
    assert "s3cr3t-pw" not in str(settings)
    assert "s3cr3t-pw" not in str(settings.database_url)


def test_log_level_is_case_insensitive_and_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COACH_LOG_LEVEL", "debug")
    assert Settings().log_level == "DEBUG"
    monkeypatch.setenv("COACH_LOG_LEVEL", "LOUD")
    with pytest.raises(ValidationError, match="log_level"):
        Settings()


def test_a_dot_env_file_in_the_working_folder_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        f"COACH_DATABASE_URL={PG_URL}\n"
        "COACH_LOG_LEVEL=info\n"
        "COACH_CONSOLE_TEAM=lab\n"
        "SLACK_BOT_TOKEN=xoxb-not-ours\n",  # other tools' keys are ignored, not an error
        encoding="utf-8",
    )
    settings = Settings()
    assert settings.resolved_database_url() == PG_URL
    assert settings.log_level == "INFO"
    assert settings.console_team == "lab"


def test_the_environment_wins_over_dot_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("COACH_CONSOLE_TEAM=from-file\n", encoding="utf-8")
    monkeypatch.setenv("COACH_CONSOLE_TEAM", "from-env")
    assert Settings().console_team == "from-env"


def test_a_validation_error_does_not_echo_the_bad_value() -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(log_level="xoxb-1234-abcd-secret")
    message = str(caught.value)
    assert "log_level" in message
    assert "xoxb-1234-abcd-secret" not in message


def test_a_validation_error_does_not_echo_other_settings_secrets(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COACH_DATABASE_URL", PG_URL)
    monkeypatch.setenv("COACH_LOG_LEVEL", "LOUD")
    with pytest.raises(ValidationError) as caught:
        Settings()
    message = str(caught.value)
    assert "log_level" in message
    assert "s3cr3t-pw" not in message
    assert "LOUD" not in message
    for error in caught.value.errors():
        assert "s3cr3t-pw" not in repr(error)


def test_a_validation_error_from_dot_env_does_not_echo_secrets(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        f"COACH_DATABASE_URL={PG_URL}\nCOACH_LOG_LEVEL=LOUD\n", encoding="utf-8"
    )
    with pytest.raises(ValidationError) as caught:
        Settings()
    assert "s3cr3t-pw" not in str(caught.value)


SECRETS = [
    "COACH_SLACK_BOT_TOKEN",
    "COACH_SLACK_APP_TOKEN",
    "COACH_SLACK_SIGNING_SECRET",
    "COACH_SLACK_CLIENT_SECRET",
    "COACH_DISCORD_TOKEN",
    "COACH_LLM_API_KEY",
    "COACH_DATABASE_URL",
]
PLACEHOLDERS = [
    "REPLACE_ME",
    "replace-me-with-the-token",
    "changeme",
    "CHANGE_ME",
    "xoxb-",
    "xoxb-xxxx-xxxx",
    "xapp-…",
    "xoxb-...",
    "<your bot token>",
    "your-signing-secret",
    "placeholder",
    "postgresql+asyncpg://coach:REPLACE_ME@db:5432/coach",
]


@pytest.mark.parametrize("name", SECRETS)
@pytest.mark.parametrize("value", [*PLACEHOLDERS, "", "   "])
def test_an_empty_or_placeholder_secret_is_refused_by_name(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    monkeypatch.setenv("COACH_LOG_LEVEL", "info")  # a good setting beside it is not named
    with pytest.raises(ValidationError) as caught:
        Settings()
    message = str(caught.value)
    assert name in message
    assert ("is empty" if not value.strip() else "placeholder") in message
    assert len(caught.value.errors()) == 1
    if value.strip() and value not in {"REPLACE_ME", "changeme", "placeholder"}:
        assert value not in message  # the message quotes its own examples, never the value


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("COACH_SLACK_BOT_TOKEN", "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx"),
        ("COACH_SLACK_APP_TOKEN", "xapp-1-A0123456789-1234567890123-abcdef0123456789abcdef"),
        ("COACH_SLACK_SIGNING_SECRET", "8f742231b10e8888abcd99yyyzzz85a5"),
        ("COACH_DISCORD_TOKEN", "MTk4NjIyNDgzNDcxOTI1MjQ4.Cl2FMQ.ZnCjm1XVW7vRze4b7Cq4se7kKWs"),
        ("COACH_LLM_API_KEY", "sk-proj-abc123DEF456"),
        ("COACH_DATABASE_URL", PG_URL),
    ],
)
def test_real_looking_secrets_are_taken(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    secret = getattr(Settings(), name.removeprefix("COACH_").lower())
    assert secret.get_secret_value() == value
