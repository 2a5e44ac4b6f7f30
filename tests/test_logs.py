"""Logs: secrets redacted from every record, chatty libraries kept above DEBUG."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import datetime

import pytest
from pydantic import ValidationError

from bot import logs
from bot.llm.client import endpoint
from bot.logs import RedactingFilter, redact
from bot.settings import Settings

SLACK_BOT = "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx"
SLACK_USER = "xoxp-1234567890-0987654321-1122334455-abcdef0123456789"
SLACK_APP = "xapp-1-A0123456789-1234567890123-abcdef0123456789abcdef"
DISCORD = "MTA1234567890123456789012.GhIjKl.abcdefghijklmnopqrstuvwxyz0123456"
PUSH = "rcp_" + "Zk3_q-9xLmN0pQrStUvWxYz0123456789abcdEFGHIj"  # bot.push.tokens.new_token()
PASSWORD = "s3cr3t-pw"
FERNET_NEW, FERNET_OLD = "A" * 43 + "=", "B" * 43 + "="
DB_URL = f"postgresql+asyncpg://coach:{PASSWORD}@127.0.0.1:5432/coach"


@pytest.mark.parametrize("secret", [SLACK_BOT, SLACK_USER, SLACK_APP, DISCORD, PUSH])
def test_redact_removes_tokens(secret: str) -> None:
    out = redact(f"calling api with token={secret} now")
    assert secret not in out
    # No recognisable tail of the token survives either.
    assert secret[-12:] not in out
    assert out == "calling api with token=[redacted] now"


def test_redact_removes_a_password_from_a_database_url() -> None:
    out = redact(f"cannot connect to {DB_URL}: refused")
    assert PASSWORD not in out
    assert "127.0.0.1:5432/coach" in out
    assert out.startswith("cannot connect to postgresql+asyncpg://")
    assert "[redacted]@127.0.0.1" in out


def test_redact_removes_a_password_when_the_url_has_no_user() -> None:
    out = redact(f"cannot connect to postgresql+asyncpg://:{PASSWORD}@127.0.0.1:5432/coach")
    assert PASSWORD not in out


def test_redact_leaves_ordinary_text_alone() -> None:
    text = "goal 3: solve rate 0.42 -> 0.47; see https://example.org/a.b.c and v1.2.3"
    assert redact(text) == text


@pytest.fixture
def root_logging() -> Iterator[None]:
    """Let a test call ``logs.configure``; put the root logger back afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    quiet = {name: logging.getLogger(name).level for name in logs.QUIET}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, value in quiet.items():
        logging.getLogger(name).setLevel(value)


def test_configure_redacts_args_and_exceptions_in_real_records(
    root_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    logs.configure("INFO")  # its StreamHandler writes to the (captured) stderr
    handler = logging.getLogger().handlers[0]
    assert any(isinstance(f, RedactingFilter) for f in handler.filters)

    log = logging.getLogger("bot.test_logs")
    log.info("slack said %s to %s", SLACK_BOT, "#team")
    log.warning("discord login with %r", DISCORD)
    try:
        raise ConnectionError(f"cannot reach {DB_URL}")
    except ConnectionError:
        log.exception("database down (app token %s)", SLACK_APP)
    log.debug("not shown at INFO: %s", "debug-line-marker")

    err = capsys.readouterr().err
    assert "slack said [redacted] to #team" in err
    assert "discord login with '[redacted]'" in err
    assert "database down (app token [redacted])" in err
    assert "Traceback" in err and "ConnectionError: cannot reach" in err
    assert "[redacted]@127.0.0.1:5432/coach" in err
    for secret in (SLACK_BOT, DISCORD, SLACK_APP, PASSWORD):
        assert secret not in err
    assert "debug-line-marker" not in err


def test_configure_keeps_chatty_libraries_above_debug(root_logging: None) -> None:
    logs.configure("DEBUG")
    assert logging.getLogger().level == logging.DEBUG
    for name in ("discord", "slack_sdk", "slack_bolt", "httpx", "aiosqlite"):
        assert logging.getLogger(name).getEffectiveLevel() == logging.INFO, name
    logs.configure("ERROR")
    assert logging.getLogger("discord").getEffectiveLevel() == logging.ERROR


def test_the_filter_redacts_a_record_on_its_own() -> None:
    record = logging.LogRecord(
        "x", logging.ERROR, __file__, 1, "token %s in %s", (SLACK_USER, DB_URL), None
    )
    assert RedactingFilter().filter(record) is True
    message = record.getMessage()
    assert SLACK_USER not in message and PASSWORD not in message
    assert message.startswith("token [redacted] in postgresql+asyncpg://")


# --- secrets with no shape, and JSON lines -----------------------------------------------------

SIGNING = "8f1c0ffee-signing-secret"
LLM_KEY = "sk-test-llm-key-0042"


@pytest.fixture
def registered() -> Iterator[None]:
    """Secrets registered by a test are forgotten after it."""
    yield
    logs.forget_secrets()


def test_registered_secrets_are_redacted_anywhere(registered: None) -> None:
    assert redact(f"signing {SIGNING}.") == f"signing {SIGNING}."  # no recognisable shape
    logs.register_secrets([SIGNING, LLM_KEY, "abc"])
    assert redact(f"signing {SIGNING}. key={LLM_KEY}") == "signing [redacted]. key=[redacted]"
    assert redact("abc is too short to be told from a word") == (
        "abc is too short to be told from a word"
    )


def test_a_registered_secret_is_redacted_url_encoded_too(registered: None) -> None:
    logs.register_secrets(["p@ss/w:rd!9"])
    assert redact("password p@ss/w:rd!9 or p%40ss%2Fw%3Ard%219 refused") == (
        "password [redacted] or [redacted] refused"
    )


def test_secrets_of_settings_are_every_secret_and_the_database_password() -> None:
    values = {
        "slack_signing_secret": SIGNING,
        "slack_client_secret": "client-secret-77",
        "llm_api_key": LLM_KEY,
        "database_url": DB_URL,
        "slack_client_id": "not-a-secret",
        "slack_token_keys": f"{FERNET_NEW},{FERNET_OLD}",
    }
    settings = Settings(_env_file=None, **values)  # type: ignore[call-arg,arg-type]
    found = logs.secrets_of(settings)
    assert {SIGNING, "client-secret-77", LLM_KEY, PASSWORD, DB_URL} <= set(found)
    assert {FERNET_NEW, FERNET_OLD} <= set(found)  # each key of the list on its own
    assert "not-a-secret" not in found


def test_the_whole_llm_url_is_a_secret_in_the_logs(
    root_logging: None, registered: None, capsys: pytest.CaptureFixture[str]
) -> None:
    for url, key in [
        ("https://gateway.example.org/v1?api_key=sk-query-key-4711", "sk-query-key-4711"),
        ("https://gateway.example.org/key/sk-path-key-0815/v1/", "sk-path-key-0815"),
    ]:
        values = {"llm_base_url": url, "llm_model": "m", "log_level": "INFO"}
        settings = Settings(_env_file=None, **values)  # type: ignore[call-arg,arg-type]
        logs.configure_from(settings)
        logging.getLogger("bot.test_logs").warning("set to %s", url)
        logging.getLogger("httpx").info("HTTP Request: POST %s", endpoint(url, "chat/completions"))
        err = capsys.readouterr().err
        assert key not in err
        assert "set to [redacted]\n" in err and "POST [redacted]" in err, err
        logs.forget_secrets()


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_configure_redacts_registered_secrets_in_both_formats(
    root_logging: None, registered: None, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    logs.configure("INFO", fmt, [SIGNING, LLM_KEY])  # type: ignore[arg-type]
    log = logging.getLogger("bot.test_logs")
    log.info("verifying with %s", SIGNING)
    try:
        raise PermissionError(f"LLM refused key {LLM_KEY}")
    except PermissionError:
        log.exception("LLM call failed with %s", SLACK_BOT)
    err = capsys.readouterr().err
    for secret in (SIGNING, LLM_KEY, SLACK_BOT):
        assert secret not in err
    assert err.count("[redacted]") == 3  # two messages, the exception (not its source line)
    if fmt == "json":
        first, second = (json.loads(line) for line in err.splitlines())
        assert first["message"] == "verifying with [redacted]"
        assert (first["level"], first["logger"]) == ("INFO", "bot.test_logs")
        assert datetime.fromisoformat(first["time"]).tzinfo is not None
        assert "exception" not in first
        assert second["message"] == "LLM call failed with [redacted]"
        assert second["exception"].startswith("Traceback")
        assert "PermissionError: LLM refused key [redacted]" in second["exception"]
    else:
        assert "INFO bot.test_logs: verifying with [redacted]" in err
        assert "PermissionError: LLM refused key [redacted]" in err


def test_log_format_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings(_env_file=None).log_format == "text"  # type: ignore[call-arg]
    monkeypatch.setenv("COACH_LOG_FORMAT", "JSON")
    assert Settings(_env_file=None).log_format == "json"  # type: ignore[call-arg]
    monkeypatch.setenv("COACH_LOG_FORMAT", "xml")
    with pytest.raises(ValidationError, match="log_format"):
        Settings(_env_file=None)  # type: ignore[call-arg]


def test_redact_removes_the_path_of_a_slack_response_url() -> None:
    url = "https://hooks.slack.com/commands/T0001/1234567890/AbCdEfGhIjKlMnOp"
    out = redact(f"POST {url} answered 429")
    assert "AbCdEfGhIjKlMnOp" not in out and "1234567890" not in out
    assert out == "POST https://hooks.slack.com/[redacted] answered 429"
