"""One settings object, read from the environment and `.env`."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

SHIPPED_SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def default_corpus() -> Path:
    """`seeds/` in the working folder, else the articles shipped beside the package."""
    here = Path("seeds")
    return here if here.is_dir() or not SHIPPED_SEEDS.is_dir() else SHIPPED_SEEDS


class Settings(BaseSettings):
    """Citebot's configuration; built once in the entry point and passed down."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    corpus_dir: Path = Field(default_factory=default_corpus, description="Folder of articles (.txt, .md).")
    max_quotes: int = Field(default=3, ge=1, le=10, description="Quotes per answer.")
