"""One settings object, read from the environment and `.env`."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SHIPPED_SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SLACK_API_URL = "https://slack.com/api/"


def default_corpus() -> Path:
    """`seeds/` in the working folder, else the articles shipped beside the package."""
    here = Path("seeds")
    return here if here.is_dir() or not SHIPPED_SEEDS.is_dir() else SHIPPED_SEEDS


class Settings(BaseSettings):
    """Citebot's configuration; built once in the entry point and passed down."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    corpus_dir: Path = Field(default_factory=default_corpus, description="Folder of articles (.txt, .md).")
    index_dir: Path | None = Field(
        default=None, description="Where the saved index lives (default: in the corpus)."
    )
    watch_corpus: bool = Field(
        default=True, description="Servers pick up added, changed and removed articles."
    )
    max_quotes: int = Field(default=3, ge=1, le=10, description="Quotes per answer.")

    slack_bot_token: SecretStr | None = Field(default=None, description="Bot token (xoxb-…).")
    slack_signing_secret: SecretStr | None = Field(default=None, description="Signs requests in HTTP mode.")
    slack_app_token: SecretStr | None = Field(
        default=None, description="App-level token (xapp-…) for Socket Mode."
    )
    slack_api_url: str = Field(default=SLACK_API_URL, description="Web API base URL (GovSlack, tests).")

    host: str = Field(default="0.0.0.0", description="HTTP mode: address to listen on.")
    port: int = Field(default=3000, ge=1, le=65535, description="HTTP mode: port to listen on.")
    workers: int = Field(default=1, ge=1, le=64, description="HTTP mode: server processes.")
    events_db: Path | None = Field(
        default=None, description="SQLite file of answered event ids (shared by workers)."
    )
    socket_ping_interval: float = Field(
        default=10.0, gt=0, le=300, description="Socket Mode: seconds between pings."
    )

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", description="Servers' log level."
    )
    log_format: Literal["text", "json"] = Field(default="text", description="Log lines as text or JSON.")
    log_queries: bool = Field(default=False, description="Include the question text in request logs.")

    @field_validator("slack_bot_token", "slack_signing_secret", "slack_app_token", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("log_format", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value

    @field_validator("slack_api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value if value.endswith("/") else value + "/"

    def doubts(self) -> list[str]:
        """Settings that parse but look wrong: worth a warning, not a refusal to start."""
        found = []
        if self.slack_bot_token and not self.slack_bot_token.get_secret_value().startswith("xoxb-"):
            found.append("SLACK_BOT_TOKEN does not look like a bot token (xoxb-…)")
        if self.slack_app_token and not self.slack_app_token.get_secret_value().startswith("xapp-"):
            found.append("SLACK_APP_TOKEN does not look like an app-level token (xapp-…)")
        return found
