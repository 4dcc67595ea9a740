"""manifest.json: valid by Slack's published schema, and in step with what the code registers."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.web.async_client import AsyncWebClient

from bot.__main__ import main
from bot.config import Settings
from bot.domain import load_domain, shipped_domain
from bot.index import SearchIndex
from bot.shared import SqliteState
from bot.slack.app import create_app
from bot.slack.listeners.actions import WHO_SAID_THIS
from bot.slack.listeners.adding import ADD_ARTICLE
from bot.slack.manifest import BOT_EVENTS, build_manifest
from bot.slack.service import Citebot
from tests.slack_kit import StandIn

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = Path(__file__).resolve().parent / "slack_schema"
VERSIONED = "https://raw.githubusercontent.com/slackapi/manifest-schema/v0.5.0/schemas/"


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((ROOT / "manifest.json").read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def validator() -> Draft7Validator:
    """Slack's entry schema, with its references to the versioned schemas served from our copies."""
    registry: Registry = Registry()
    for version in ("1.0.0", "2.0.0"):
        schema = json.loads((SCHEMAS / f"manifest.schema.{version}.json").read_text(encoding="utf-8"))
        registry = registry.with_resource(
            f"{VERSIONED}manifest.schema.{version}.json", Resource.from_contents(schema)
        )
    entry = json.loads((SCHEMAS / "manifest.schema.json").read_text(encoding="utf-8"))
    return Draft7Validator(entry, registry=registry)


def test_manifest_is_valid_by_slacks_schema(manifest: dict[str, Any], validator: Draft7Validator) -> None:
    errors = sorted(validator.iter_errors(manifest), key=str)
    assert not errors, "\n".join(e.message for e in errors)


def test_the_schema_does_reject_a_broken_manifest(
    manifest: dict[str, Any], validator: Draft7Validator
) -> None:
    broken = json.loads(json.dumps(manifest))
    broken["features"]["slash_commands"][0]["command"] = "whosaid"  # no leading slash
    del broken["display_information"]["name"]
    assert len(list(validator.iter_errors(broken))) >= 1


def test_the_committed_manifest_is_what_the_domain_file_gives(
    manifest: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    assert manifest == build_manifest(shipped_domain())
    assert main(["manifest"]) == 0
    assert json.loads(capsys.readouterr().out) == manifest


def test_commands_in_the_manifest_are_the_domain_files(manifest: dict[str, Any]) -> None:
    declared = [c["command"] for c in manifest["features"]["slash_commands"]]
    topics = [f"/{t.command}" for t in shipped_domain().topics]
    assert declared == ["/whosaid", *topics, "/ask"]
    for command in manifest["features"]["slash_commands"]:
        assert command["description"] and command["usage_hint"]


def test_another_domain_files_manifest_is_valid(validator: Draft7Validator) -> None:
    trade = build_manifest(load_domain(ROOT / "tests" / "domains" / "trade.toml"))
    assert [c["command"] for c in trade["features"]["slash_commands"]] == ["/whosaid", "/tariffs", "/ask"]
    assert not list(validator.iter_errors(trade))


def test_events_shortcut_scopes_and_modes(manifest: dict[str, Any]) -> None:
    assert manifest["settings"]["event_subscriptions"]["bot_events"] == list(BOT_EVENTS)
    assert set(BOT_EVENTS) == {
        "app_mention",
        "message.im",
        "assistant_thread_started",
        "assistant_thread_context_changed",
        "app_home_opened",
    }
    shortcuts = {(s["type"], s["callback_id"]): s["name"] for s in manifest["features"]["shortcuts"]}
    assert shortcuts == {
        ("message", WHO_SAID_THIS): "Who said this?",
        ("message", ADD_ARTICLE): "Add to Citebot",
    }
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == {
        "commands",
        "app_mentions:read",
        "assistant:write",
        "chat:write",
        "files:read",
        "im:history",
        "im:read",
        "im:write",
        "usergroups:read",
    }
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert manifest["features"]["app_home"]["messages_tab_enabled"] is True
    assert manifest["features"]["app_home"]["messages_tab_read_only_enabled"] is False
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    panel = manifest["features"]["assistant_view"]
    assert panel["assistant_description"]
    # Before a thread starts: the domain file's topic commands with their examples, then its /ask example.
    domain = shipped_domain()
    assert panel["suggested_prompts"] == [
        *({"title": t.title, "message": f"/{t.command} {t.example}"} for t in domain.topics),
        {"title": "Ask anything", "message": domain.app.ask_example},
    ]


def test_the_http_variant_is_valid_too(validator: Draft7Validator) -> None:
    # `python -m bot manifest --url URL`: socket_mode_enabled false, the URL for events, interactivity, commands.
    url = "https://citebot.example.com/slack/events"
    http = build_manifest(shipped_domain(), url)
    assert http["settings"]["socket_mode_enabled"] is False
    assert http["settings"]["event_subscriptions"]["request_url"] == url
    assert {c["url"] for c in http["features"]["slash_commands"]} == {url}
    assert not list(validator.iter_errors(http))


def _event_of(kind: str) -> dict[str, Any]:
    """A minimal event for a manifest subscription ("message.im" is a message in a DM)."""
    if kind == "message.im":
        return {
            "type": "message",
            "channel_type": "im",
            "channel": "D1",
            "user": "U1",
            "text": "hi",
            "ts": "1.1",
        }
    if kind == "assistant_thread_started":
        return {"type": kind, "assistant_thread": {"user_id": "U1", "channel_id": "D1", "thread_ts": "1.1"}}
    if kind == "assistant_thread_context_changed":
        thread = {"user_id": "U1", "channel_id": "D1", "thread_ts": "1.1", "context": {"channel_id": "C2"}}
        return {"type": kind, "assistant_thread": thread}
    return {"type": kind, "user": "U1", "channel": "C1", "text": "hi", "ts": "1.1", "tab": "home"}


@pytest.mark.parametrize("kind", [*BOT_EVENTS, "reaction_added"])
def test_the_app_handles_every_event_the_manifest_subscribes_to(
    kind: str, seed_index: SearchIndex, stand_in: StandIn
) -> None:
    """Each subscription reaches a listener (Bolt answers 404 for an event nobody listens to)."""
    settings = Settings(_env_file=None, corpus_dir=ROOT / "seeds", slack_api_url=stand_in.url)
    bot = Citebot(settings, seed_index, SqliteState.in_memory(), shipped_domain())

    async def dispatch() -> int:
        app = create_app(bot, AsyncWebClient(token="xoxb-test", base_url=stand_in.url))
        body = {"type": "event_callback", "event_id": f"Ev{kind}", "team_id": "T1", "event": _event_of(kind)}
        response = await app.async_dispatch(AsyncBoltRequest(body=json.dumps(body), headers={}))
        await bot.drain()
        return response.status

    expected = 200 if kind in BOT_EVENTS else 404
    assert asyncio.run(dispatch()) == expected
