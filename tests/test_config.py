"""config: one Settings object from the environment and .env, failing fast on bad values."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.config import SHIPPED_SEEDS, Settings
from tests.test_cli import run


def test_defaults_without_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    settings = Settings(_env_file=None)
    assert settings.corpus_dir == SHIPPED_SEEDS
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.slack_bot_token is None and settings.max_quotes == 3


def test_env_file_is_read(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text(
        "SLACK_BOT_TOKEN=xoxb-1\nSLACK_API_URL=http://127.0.0.1:9/api\nMAX_QUOTES=2\n", encoding="utf-8"
    )
    settings = Settings(_env_file=env)
    assert settings.slack_bot_token is not None and settings.slack_bot_token.get_secret_value() == "xoxb-1"
    assert settings.slack_api_url == "http://127.0.0.1:9/api/"
    assert settings.max_quotes == 2


def test_secrets_never_show_in_repr() -> None:
    settings = Settings(_env_file=None, slack_bot_token="xoxb-secret-123", slack_signing_secret="shh-456")
    assert "secret-123" not in repr(settings) and "shh-456" not in repr(settings)


def test_blank_tokens_count_as_unset() -> None:
    assert Settings(_env_file=None, slack_app_token="  ").slack_app_token is None


def test_bad_values_are_refused() -> None:
    with pytest.raises(ValidationError):
        Settings(_env_file=None, slack_api_url="slack.com/api")
    with pytest.raises(ValidationError):
        Settings(_env_file=None, port="eighty")


def test_odd_tokens_are_doubted_not_refused() -> None:
    settings = Settings(_env_file=None, slack_bot_token="test-token", slack_app_token="xapp-1")
    assert settings.doubts() == ["SLACK_BOT_TOKEN does not look like a bot token (xoxb-…)"]


@pytest.mark.parametrize(
    ("env", "args", "named"),
    [
        ({"SLACK_API_URL": "not a url"}, ("index",), "SLACK_API_URL"),
        ({"PORT": "abc"}, ("index",), "PORT"),
        ({"LOG_FORMAT": "xml"}, ("index",), "LOG_FORMAT"),
        ({"WORKERS": "0"}, ("index",), "WORKERS"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, ("serve",), "SLACK_SIGNING_SECRET"),
        ({"SLACK_SIGNING_SECRET": "s"}, ("serve",), "SLACK_BOT_TOKEN"),
        ({"SLACK_APP_TOKEN": "xapp-1"}, (), "SLACK_BOT_TOKEN"),
    ],
)
def test_start_up_fails_fast_with_one_line_naming_the_setting(
    env: dict[str, str], args: tuple[str, ...], named: str
) -> None:
    result = run(*args, env=env)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and named in lines[0], result.stderr
