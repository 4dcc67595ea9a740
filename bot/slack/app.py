"""The Bolt app: our listeners, a forgiving authorize, one answer per Slack event."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot.errors import StateUnavailable
from bot.shared.base import EventState
from bot.slack.listeners import home, register_listeners
from bot.slack.service import CURRENT_EVENT, Citebot, EventWork, log_unhandled

logger = logging.getLogger(__name__)

REPLAYING = "citebot_replaying"  # context key: the event id that recovery is answering again
RETRY_LATER = 503  # an event this process cannot claim now: Slack should deliver it again
CLAIM_WAIT = 2.0  # seconds a duplicate waits for the first delivery's acknowledgement (Slack allows 3)


def create_app(bot: Citebot, client: AsyncWebClient) -> AsyncApp:
    """The Bolt app with every listener registered."""

    async def authorize(enterprise_id: str | None, team_id: str | None) -> AuthorizeResult:
        # Identity comes from auth.test in the background, never from a call in the request path, so
        # that a slow or rate-limited Web API cannot delay an ack past Slack's 3 seconds.
        return AuthorizeResult(
            enterprise_id=enterprise_id,
            team_id=team_id or bot.identity.team_id,
            bot_token=client.token,
            bot_user_id=bot.identity.user_id,
            bot_id=bot.identity.bot_id,
        )

    app = CitebotApp(
        bot,
        client=client,
        authorize=authorize,
        # The HTTP edge verifies signatures before it parses anything (bot/slack/http.py); Socket Mode
        # needs no signature.
        request_verification_enabled=False,
        # Listeners run before the response: slash commands answer in their ack at once (without it
        # Bolt polls for the ack every 10 ms); events and actions ack, then work in tracked tasks.
        process_before_response=True,
    )
    app.middleware(_with_service(bot))
    app.middleware(_once_per_event(bot))
    app.error(log_unhandled)
    register_listeners(app, [f"/{name}" for name in bot.domain.slash_commands()])
    home.refresh_on_change(bot, client)
    return app


class CitebotApp(AsyncApp):
    """Bolt's app, recording each event acknowledged (and answered, if it left no job) once its
    listener has run. Bolt runs listeners after the middleware chain has returned, so only the
    dispatch as a whole sees both the claim and the jobs the listener spawned."""

    def __init__(self, bot: Citebot, **options: Any) -> None:
        super().__init__(**options)
        self.citebot = bot

    async def async_dispatch(self, req: AsyncBoltRequest) -> BoltResponse:
        token = CURRENT_EVENT.set(None)
        try:
            response = await super().async_dispatch(req)
            event = CURRENT_EVENT.get()
            if event is not None:
                await self._acknowledged(event)
            return response
        finally:
            CURRENT_EVENT.reset(token)

    async def _acknowledged(self, event: EventWork) -> None:
        bot, answered = self.citebot, event.pending == 0
        if event.acknowledged:
            if answered:
                await bot.mark_answered(event.event_id)
            return
        try:
            await asyncio.to_thread(bot.state.finish_event, event.event_id, answered=answered)
        except StateUnavailable as exc:  # acknowledged and being answered; a retry is not expected
            logger.warning("%s; could not mark event %s acknowledged", exc, event.event_id)


def _with_service(bot: Citebot) -> Callable[..., Awaitable[None]]:
    async def with_service(context: AsyncBoltContext, next: Callable[[], Awaitable[None]]) -> None:
        context["citebot"] = bot  # what listeners share, without importing the app
        await next()

    return with_service


def _once_per_event(bot: Citebot) -> Callable[..., Awaitable[BoltResponse | None]]:
    async def once_per_event(
        body: dict[str, Any], context: AsyncBoltContext, next: Callable[[], Awaitable[None]]
    ) -> BoltResponse | None:
        # Slack retries a delivery it thinks failed (X-Slack-Retry-Num); the event_id stays the same.
        event_id = body.get("event_id")
        if body.get("type") != "event_callback" or not isinstance(event_id, str):
            await next()
            return None
        if context.get(REPLAYING) == event_id:  # claimed already, by recovery (bot/slack/recovery.py)
            CURRENT_EVENT.set(EventWork(event_id, acknowledged=True))
            await next()
            return None
        try:
            claim = await _claim(bot, event_id, json.dumps(body))
        except StateUnavailable as exc:
            # Unsure whether another worker or host answered it: neither answer (it could be twice)
            # nor acknowledge (it would be lost). Slack retries it, by when the store is back.
            logger.error("%s; event %s left for Slack to retry", exc, event_id)
            return BoltResponse(status=RETRY_LATER, body="")
        if claim == "done":
            logger.info("event %s already handled; ignoring the retry", event_id)
            return BoltResponse(status=200, body="")
        if claim == "busy":
            logger.warning(
                "event %s is claimed by a process that has not acknowledged it; left for Slack to retry",
                event_id,
            )
            return BoltResponse(status=RETRY_LATER, body="")
        CURRENT_EVENT.set(EventWork(event_id))  # the listener's jobs count towards its answer
        await next()
        return None

    return once_per_event


async def _claim(bot: Citebot, event_id: str, body: str) -> EventState:
    """Claim the event, recording it (durably, before the ack) with its body; while another process
    holds a fresh claim (the same event sent to two hosts at once), wait a moment for it to be
    acknowledged there."""
    claim = await asyncio.to_thread(bot.state.claim_event, event_id, body, bot.owner)
    waited = 0.0
    while claim == "busy" and waited < CLAIM_WAIT:
        await asyncio.sleep(0.05)
        waited += 0.05
        claim = await asyncio.to_thread(bot.state.event_state, event_id)
    return claim
