"""What every Slack listener shares: the Citebot service (settings, domain, index, identity, jobs).

Listeners get it from Bolt's `context["citebot"]` (put there by the app's middleware), so this module
imports no listener and the listeners import no app.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import os
import secrets
import socket
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.adds import AddQueue
from bot.answers import Answer, answer, warm_up
from bot.answers.suggest import Prompt, suggested_prompts
from bot.config import Settings
from bot.domain import Domain, load_domain
from bot.errors import CitebotError, CorpusError, StateUnavailable
from bot.following import PollReport, poll_feeds
from bot.hosts import extractions, held_on_shelf, host_shelf, record_shelf
from bot.index import SearchIndex, by_meaning, open_index, saved_index
from bot.index.meaning import Filler
from bot.shared import SharedState, SqliteState, describe, open_state
from bot.slack.follow import keep_following
from bot.slack.watch import keep_current
from bot.usage import AnswerRecord, Cited, FeedbackRecord

logger = logging.getLogger(__name__)
request_log = logging.getLogger("bot.requests")

DRAIN_SECONDS = 25.0  # on shutdown, how long answers already acked may take to be posted
# A feedback click can arrive before its answer's usage record, which is written off the event loop
# (and, with several workers, by another process): how long to wait for that record.
ANSWER_RECORD_WAIT = 2.0


@dataclass(slots=True)
class EventWork:
    """The Slack event a listener is handling, and how many of its jobs are still running."""

    event_id: str
    acknowledged: bool = False  # recorded acknowledged already (an event answered after a restart)
    pending: int = 0


# The event whose listener is running (set by the app's middleware); jobs spawned under it count
# towards its answer, which is marked posted in the shared state when the last of them ends.
CURRENT_EVENT: contextvars.ContextVar[EventWork | None] = contextvars.ContextVar("event", default=None)


def process_owner() -> str:
    """This process, as the shared state names the owner of an event: host, pid and a token that tells
    it from an earlier process that had the same pid (a container restarted)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


@dataclass(slots=True)
class BotIdentity:
    """Who the bot is in the workspace, from `auth.test`; unknown until it answers."""

    user_id: str | None = None
    bot_id: str | None = None
    team_id: str | None = None


class Citebot:
    """What the listeners share: settings, the current index, the bot's identity, the event log, its jobs."""

    def __init__(
        self,
        settings: Settings,
        index: SearchIndex,
        state: SharedState | None = None,
        domain: Domain | None = None,
    ) -> None:
        self.settings = settings
        self.domain = domain if domain is not None else load_domain(settings.domain_path)
        self.index = index  # replaced whole when the corpus changes; never mutated
        # Answered events, usage and feedback: shared with the other workers and hosts.
        self.state = state if state is not None else SqliteState.in_memory(keep_days=settings.history_days)
        self.identity = BotIdentity()
        self.owner = process_owner()
        self._jobs: set[asyncio.Task[None]] = set()
        self._index_hooks: list[Callable[[SearchIndex], None]] = []
        self.home_viewers: dict[str, float] = {}  # users who opened the Home tab lately -> when
        self._prompts: tuple[SearchIndex | None, list[Prompt] | None] = (None, None)
        # Adds have their own queue and thread: they never hold up answers (bot/adds.py).
        self.adds = AddQueue(
            settings.corpus_dir,
            allow_private=settings.fetch_allow_private,
            cache=lambda: extractions(self.settings, self.state),
            clutter=self.domain.clutter,
            held=lambda: held_on_shelf(self.settings, self.domain),
        )

    def answer(self, text: str, earlier: str | None = None) -> Answer:
        """Answer a line of user text from the current index (`earlier`: the conversation's last question)."""
        return answer(
            text, self.index, domain=self.domain, max_quotes=self.settings.max_quotes, earlier=earlier
        )

    def warm_up(self) -> None:
        """Get ready for the first question (see answers.warm_up); a failure only costs that question time."""
        try:
            warm_up(self.index, self.domain)
        except Exception:  # start-up must not fail on a practice question
            logger.warning("could not warm up on a practice question", exc_info=True)

    async def answer_off_loop(self, text: str, earlier: str | None = None) -> Answer:
        """`answer` in a worker thread: a slow answer never holds up the event loop (acks, /healthz)."""
        return await asyncio.to_thread(self.answer, text, earlier)

    def prompts(self) -> list[Prompt]:
        """Prompts for a new side-panel thread, from the current shelf; worked out once per index (a
        large shelf has many people to count), in a worker thread by the caller."""
        index, cached = self._prompts
        if index is not self.index or cached is None:
            index = self.index
            cached = suggested_prompts(index, self.domain)
            self._prompts = (index, cached)
        return cached

    def on_new_index(self, hook: Callable[[SearchIndex], None]) -> None:
        """Call `hook` (on the event loop) each time a new index is swapped in."""
        self._index_hooks.append(hook)

    async def may_add(self, user_id: str | None, client: AsyncWebClient) -> bool:
        """Whether this user may add articles: ADDERS lists them or a user group they are in (empty: all)."""
        allowed = self.settings.adder_ids
        if not allowed:
            return True
        if user_id is None:
            return False
        if user_id in allowed:
            return True
        for group in sorted(i for i in allowed if i.startswith("S")):
            try:
                response = await client.usergroups_users_list(usergroup=group)
            except Exception as exc:  # the group cannot be read: nobody gets in through it
                logger.warning("could not read user group %s (%s)", group, type(exc).__name__)
                continue
            if user_id in (response.get("users") or []):
                return True
        return False

    def log_request(
        self,
        surface: str,
        result: Answer | None,
        started: float,
        text: str,
        answer_id: str | None = None,
        *,
        added: int | None = None,
    ) -> None:
        """One line per request: where it came from, which command, how long, what was found; an
        answer given under `answer_id` (its feedback buttons carry it) is also kept in the usage records.
        `added`: the request added articles (this many), it asked nothing."""
        fields: dict[str, Any] = {
            "surface": surface,
            "command": "add" if added is not None else result.command if result else "error",
            "latency_ms": round((time.perf_counter() - started) * 1000, 1),
            "found": bool(added) if added is not None else bool(result and result.found),
            "answers": len(result.answers) if result else 0,
        }
        if self.settings.log_queries:
            fields["query"] = text
        request_log.info(" ".join(f"{k}={v}" for k, v in fields.items()), extra=fields)
        if answer_id is not None and result is not None:
            record = AnswerRecord(
                id=answer_id,
                at=time.time(),
                surface=surface,
                command=result.command,
                found=result.found,
                question=text if self.settings.log_queries else None,
                cited=[
                    Cited(doc_id=q.citation.doc_id, paragraph=q.citation.paragraph) for q in result.answers
                ],
            )
            try:
                asyncio.get_running_loop()
            except RuntimeError:  # called outside the server (a test, a script): record it now
                self._keep(record)
            else:  # off the event loop: a slow or unreachable database must not hold up other requests
                self.spawn(asyncio.to_thread(self._keep, record))

    def _keep(self, record: AnswerRecord) -> None:
        try:
            self.state.record_answer(record)
        except StateUnavailable as exc:  # a usage record is worth a warning, never an answer
            logger.warning("could not record an answer: %s", exc)

    def record_feedback(self, answer_id: str, user: str, positive: bool, surface: str) -> None:
        """A click on an answer's feedback buttons, with what is known of that answer. Runs in a worker
        thread: waiting here for the answer's record holds up nothing else."""
        given = self.state.answer(answer_id)
        waited = 0.0
        ours = ":" not in answer_id  # a message's own id ("channel:ts") names no answer record
        while given is None and ours and waited < ANSWER_RECORD_WAIT:
            time.sleep(0.05)
            waited += 0.05
            given = self.state.answer(answer_id)
        record = FeedbackRecord(
            answer_id=answer_id,
            user=user,
            at=time.time(),
            surface=given.surface if given else surface,
            command=given.command if given else "unknown",
            positive=positive,
            question=given.question if given else None,
            cited=given.cited if given else [],
        )
        self.state.record_feedback(record)

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Run `work` after the ack, tracked so that shutdown waits for it; under a Slack event, the
        event is marked answered when its last job ends (unless the process stops first). A job's
        failure goes to `log_unhandled`, as a listener's does (Bolt's error handler)."""
        event = CURRENT_EVENT.get()
        if event is not None:
            event.pending += 1
        task = asyncio.get_running_loop().create_task(self._job(event, work))
        self._jobs.add(task)
        task.add_done_callback(self._jobs.discard)

    async def _job(self, event: EventWork | None, work: Coroutine[Any, Any, None]) -> None:
        try:
            await work
        except asyncio.CancelledError:
            raise  # stopped before it was answered: the next start answers it
        except Exception as exc:
            await log_unhandled(exc)
        if event is not None:
            event.pending -= 1
            if event.pending == 0:
                await self.mark_answered(event.event_id)

    async def mark_answered(self, event_id: str) -> None:
        """Record that the event needs nothing more (a failure costs only a second answer after a crash)."""
        try:
            await asyncio.to_thread(self.state.answered_event, event_id)
        except StateUnavailable as exc:
            logger.warning("%s; could not mark event %s answered", exc, event_id)

    def fill_meaning(self) -> Filler | None:
        """With MEANING on, rank /ask by meaning too: the shelf's vectors fill in a background thread
        (answers by words meanwhile) and each new index is filled as it is swapped in."""
        if not self.settings.meaning:
            return None
        filler = by_meaning(self.index, self.settings.index_folder)
        if filler is not None:
            filler.follow(lambda: self.index.segments)
            self.on_new_index(lambda _: filler.wake())
        return filler

    def meaning_progress(self) -> dict[str, int | bool]:
        """How far the shelf's vectors have filled in (for /healthz)."""
        have, total = self.index.meaning_filled()
        return {"on": self.index.meaning_model is not None, "passages": have, "of": total}

    def watch_corpus(self) -> asyncio.Task[None] | None:
        """Follow changes to the corpus folder, swapping in a new index when one is ready."""
        if not self.settings.watch_corpus:
            return None

        def swap(index: SearchIndex) -> None:
            self.index = index  # one assignment: a request uses the old index or the new, never a mix
            if self.settings.state_on_postgres:
                self.spawn(self.list_shelf())
            for hook in self._index_hooks:
                try:
                    hook(index)
                except Exception:  # a hook (a Home tab refresh) must never stop the watcher
                    logger.exception("a new-index hook failed")

        work = keep_current(self.settings, self.domain.knowledge(), lambda: self.index, swap)
        return asyncio.get_running_loop().create_task(work)

    def follow_feeds(self) -> asyncio.Task[None]:
        """Poll the followed feeds that are due, adding their new entries (bot/slack/follow.py)."""

        def poll() -> list[PollReport]:
            return poll_feeds(
                self.state,
                lambda: host_shelf(self.settings, self.domain, self.state),
                allow_private=self.settings.fetch_allow_private,
            )

        return asyncio.get_running_loop().create_task(keep_following(poll))

    async def list_shelf(self) -> None:
        """List the shelf this host indexed in the shared state (several hosts: see `state check`)."""
        try:
            await asyncio.to_thread(record_shelf, self.state, self.settings.index_folder)
        except StateUnavailable as exc:
            logger.warning("could not list the shelf in the shared state: %s", exc)

    async def drain(self, timeout: float = DRAIN_SECONDS) -> None:
        """Wait for work already acked to Slack (answers being posted) before the process exits."""
        pending = [job for job in self._jobs if not job.done()]
        if pending:
            logger.info("finishing %d answers before exit", len(pending))
            _, late = await asyncio.wait(pending, timeout=timeout)
            if late:
                logger.warning("%d answers not finished after %.0f s", len(late), timeout)


def make_bot(settings: Settings) -> Citebot:
    """The bot with the corpus's index (saved one if current) and the shared record of answered events."""
    domain = load_domain(settings.domain_path)  # a broken domain file stops start-up with one line
    try:
        index = open_index(settings.corpus_dir, settings.index_folder, knowledge=domain.knowledge())
    except CorpusError as exc:
        # A worker restarted while the articles' folder is away (being replaced, a volume remounting)
        # answers from the index saved before; the watcher takes the folder up again when it is back.
        saved = saved_index(settings.index_folder)
        if saved is None:
            raise
        logger.warning("%s; answering from the index saved before", exc)
        index = saved
    return Citebot(settings, index, shared_state(settings), domain)


def shared_state(settings: Settings) -> SharedState:
    """The state all workers and hosts share (STATE_URL); with one process and an unwritable SQLite
    file, this process's memory. PostgreSQL that cannot be reached stops start-up with one line."""
    try:
        return open_state(settings.state_location, keep_days=settings.history_days)
    except StateUnavailable as exc:
        if settings.state_on_postgres:
            raise CitebotError(f"STATE_URL {describe(settings.state_location)}: {exc}") from exc
        if settings.workers > 1:  # each worker deduping alone would answer retries twice
            raise CitebotError(
                f"cannot open the record of answered events {settings.events_file} ({exc}), which "
                f"{settings.workers} workers must share; make it writable or run one worker"
            ) from exc
        logger.warning("%s; duplicate events are caught, and usage kept, per process only", exc)
        return SqliteState.in_memory(keep_days=settings.history_days)


def web_client(settings: Settings) -> AsyncWebClient:
    """A Web API client for SLACK_API_URL that retries rate limits, server errors and dropped connections."""
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    return AsyncWebClient(
        token=token,
        base_url=settings.slack_api_url,
        retry_handlers=[
            AsyncRateLimitErrorRetryHandler(max_retry_count=3),
            AsyncServerErrorRetryHandler(max_retry_count=3),
            AsyncConnectionErrorRetryHandler(max_retry_count=3),
        ],
    )


async def fetch_identity(client: AsyncWebClient) -> BotIdentity:
    """Ask Slack who we are; an empty identity (and a warning) if it cannot say."""
    try:
        response = await client.auth_test()
    except Exception as exc:  # any failure here (API error, bad JSON, no route) only costs us the bot's ids
        logger.warning("auth.test failed (%s); continuing without the bot's user id", type(exc).__name__)
        return BotIdentity()
    return BotIdentity(
        user_id=response.get("user_id"), bot_id=response.get("bot_id"), team_id=response.get("team_id")
    )


async def learn_identity(
    bot: Citebot, client: AsyncWebClient, *, retry_after: tuple[float, ...] = (10, 60)
) -> None:
    """Fill in the bot's identity in the background, so that a slow Web API never delays start-up."""
    for delay in (0.0, *retry_after):
        await asyncio.sleep(delay)
        identity = await fetch_identity(client)
        if identity.user_id is not None:
            bot.identity = identity
            return


async def log_unhandled(error: Exception) -> None:
    """A failure no listener or job caught: one error with its traceback (Bolt's `app.error` handler,
    and `Citebot.spawn`'s for work after the ack)."""
    logger.error("unhandled error in a listener", exc_info=error)
