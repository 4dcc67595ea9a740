"""Listeners are plain functions a test can call with what Bolt passes: here with a real Citebot."""

from __future__ import annotations

import asyncio
from typing import Any

from slack_bolt.async_app import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Settings
from bot.domain import shipped_domain
from bot.index import SearchIndex
from bot.shared import SqliteState
from bot.slack.listeners.commands import on_command
from bot.slack.service import Citebot
from tests.conftest import SEEDS


def test_a_slash_command_listener_answers_in_its_ack(seed_index: SearchIndex) -> None:
    settings = Settings(_env_file=None, corpus_dir=SEEDS)
    bot = Citebot(settings, seed_index, SqliteState.in_memory(), shipped_domain())
    acked: list[dict[str, Any]] = []

    async def ack(**reply: Any) -> None:
        acked.append(reply)

    command = {"command": "/troops", "text": "headquarters", "user_id": "U1", "channel_id": "C1"}
    context = AsyncBoltContext({"citebot": bot})
    asyncio.run(on_command(ack, command, context, AsyncWebClient(token="xoxb-test")))  # type: ignore[arg-type]
    [reply] = acked
    assert reply["response_type"] == "ephemeral"
    assert "headquarters" in str(reply["blocks"]) and "The planned force" in reply["text"]
