"""One settings object, read from the environment and `.env`."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Citebot's configuration; built once in the entry point and passed down."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    corpus_dir: Path = Field(default=Path("seeds"), description="Folder of articles (.txt, .md).")
    max_quotes: int = Field(default=3, ge=1, le=10, description="Quotes per answer.")
