"""One settings object, read from the environment and `.env`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.domain import SHIPPED_DOMAIN

SHIPPED_SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SLACK_API_URL = "https://slack.com/api/"
STATE_FOLDER = ".citebot"  # beside the corpus, never inside it: a corpus may be read-only
INDEX_FOLDER = "index"  # in the state folder
SLACK_ID = re.compile(r"[UWS][A-Z0-9]{2,}")  # a Slack user (U…, W…) or user group (S…) id


def default_corpus() -> Path:
    """`seeds/` in the working folder, else the articles shipped beside the package."""
    here = Path("seeds")
    return here if here.is_dir() or not SHIPPED_SEEDS.is_dir() else SHIPPED_SEEDS


def default_state_folder(corpus_dir: Path) -> Path:
    """`.citebot/<corpus name>/` beside the corpus: outside it, and one per corpus."""
    corpus = corpus_dir.resolve()
    return corpus.parent / STATE_FOLDER / corpus.name


def default_index_folder(corpus_dir: Path) -> Path:
    """The index folder when neither INDEX_DIR nor STATE_DIR is set."""
    return default_state_folder(corpus_dir) / INDEX_FOLDER


class Settings(BaseSettings):
    """Citebot's configuration; built once in the entry point and passed down."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    corpus_dir: Path = Field(
        default_factory=default_corpus, description="Folder of articles (.txt, .md, .html, .pdf)."
    )
    state_dir: Path | None = Field(
        default=None,
        description="Citebot's own files: index, build lock, event record (default: .citebot/ beside the corpus).",
    )
    index_dir: Path | None = Field(
        default=None, description="Where the saved index lives (default: in STATE_DIR)."
    )
    domain_file: Path | None = Field(
        default=None,
        description="The shelf's domain file: topic commands, aliases, people (default: the shipped one).",
    )
    adders: str = Field(
        default="",
        description="Who may add articles from Slack: user ids or a user group id, comma separated (empty: everyone).",
    )
    fetch_allow_private: bool = Field(
        default=False,
        description="Tests only: let `add` fetch from private and local addresses (127.0.0.1). Never in production.",
    )
    watch_corpus: bool = Field(
        default=True, description="Servers pick up added, changed and removed articles."
    )
    max_quotes: int = Field(default=3, ge=1, le=10, description="Quotes per answer.")
    meaning: bool = Field(
        default=True,
        description="Rank /ask by meaning as well as words, with the bundled model (off: words alone).",
    )
    meaning_wait: float = Field(
        default=200.0,
        ge=0,
        le=86_400,
        description="Seconds `ask` and the console wait for the articles' vectors before answering, "
        "if they can be done by then (else words answer at once while they fill; servers never wait).",
    )

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
        default=None,
        description="SQLite file of answered event ids, usage and feedback, shared by workers (default: in STATE_DIR).",
    )
    state_url: str | None = Field(
        default=None,
        description="Shared state: sqlite:///path (default: EVENTS_DB) or postgresql://… for several hosts.",
    )
    socket_ping_interval: float = Field(
        default=10.0, gt=0, le=300, description="Socket Mode: seconds between pings."
    )

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", description="Servers' log level."
    )
    log_format: Literal["text", "json"] = Field(default="text", description="Log lines as text or JSON.")
    log_queries: bool = Field(
        default=False, description="Keep the question text in request logs and usage records."
    )
    history_days: int = Field(
        default=90, ge=1, le=3650, description="Days usage and feedback records are kept."
    )

    @field_validator(
        "slack_bot_token",
        "slack_signing_secret",
        "slack_app_token",
        "state_dir",
        "index_dir",
        "events_db",
        "domain_file",
        "state_url",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        # `INDEX_DIR=` in a .env copied from .env.example means "the default", not the current folder.
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def adder_ids(self) -> frozenset[str]:
        """ADDERS as a set of Slack ids (users U…/W…, user groups S…)."""
        return frozenset(part for part in re.split(r"[\s,]+", self.adders) if part)

    @property
    def domain_path(self) -> Path:
        """DOMAIN_FILE, else the domain file shipped with Citebot (the Ukraine shelf)."""
        return self.domain_file if self.domain_file is not None else SHIPPED_DOMAIN

    @property
    def state_folder(self) -> Path:
        """Where Citebot keeps what it creates: STATE_DIR, else `.citebot/<corpus name>/` beside the corpus."""
        return self.state_dir if self.state_dir is not None else default_state_folder(self.corpus_dir)

    @property
    def index_folder(self) -> Path:
        """The saved index: INDEX_DIR, else `index/` in the state folder."""
        return self.index_dir if self.index_dir is not None else self.state_folder / INDEX_FOLDER

    @property
    def events_file(self) -> Path:
        """The record of answered Slack events: EVENTS_DB, else `events.sqlite3` in the state folder."""
        return self.events_db if self.events_db is not None else self.state_folder / "events.sqlite3"

    @property
    def state_location(self) -> str:
        """STATE_URL, else the SQLite file EVENTS_DB (as sqlite:////absolute/path)."""
        if self.state_url is not None:
            return self.state_url
        return f"sqlite:///{self.events_file.resolve()}"

    @property
    def state_on_postgres(self) -> bool:
        """Whether the shared state is a PostgreSQL database (several hosts)."""
        return self.state_location.startswith(("postgresql:", "postgres:"))

    @field_validator("state_url")
    @classmethod
    def _state_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("sqlite:///", "postgresql://", "postgres://")):
            raise ValueError("must start with sqlite:/// or postgresql://")
        return value

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
        if self.fetch_allow_private:
            found.append(
                "FETCH_ALLOW_PRIVATE is on: `add` may fetch from private and local addresses (tests only)"
            )
        odd = sorted(i for i in self.adder_ids if not SLACK_ID.fullmatch(i))
        if odd:
            found.append(f"ADDERS holds {', '.join(odd)}, which are not Slack user or user group ids")
        return found
