"""bot.slack.listeners.handling: the one path every Slack surface takes from text to reply.

The surfaces themselves are driven through the real server in test_slack_http.py, test_assistant.py
and test_socket_mode.py; here a stand-in for the service makes answering fail or succeed on demand,
to check what every surface now shares: the apology, the empty-text reply, and one log line."""

from __future__ import annotations

import asyncio
from typing import Any, cast

from bot.answers import answer
from bot.index import SearchIndex
from bot.render import FEEDBACK_ACTION, SHARE_ACTION, apology, notice
from bot.slack.listeners.handling import handle
from bot.slack.service import Citebot


class Service:
    """What `handle` asks of Citebot: an answer off the loop, and a request log."""

    def __init__(self, index: SearchIndex | None) -> None:
        self.index = index
        self.logged: list[dict[str, Any]] = []

    async def answer_off_loop(self, text: str, earlier: str | None = None) -> Any:
        if self.index is None:
            raise RuntimeError("the index is gone")
        return answer(text, self.index)

    def log_request(self, surface: str, result: Any, started: float, text: str, *_: Any, **kw: Any) -> None:
        self.logged.append({"surface": surface, "found": bool(result and result.found), "text": text, **kw})


def run(service: Service, text: str, **options: Any) -> Any:
    return asyncio.run(handle(cast(Citebot, service), cast(Any, None), "share", text, **options))


def test_a_failure_is_an_apology_and_one_log_line() -> None:
    service = Service(None)
    assert run(service, "/whosaid a long shot") == apology()
    assert service.logged == [
        {"surface": "share", "found": False, "text": "/whosaid a long shot", "added": None}
    ]


def test_an_answer_is_rendered_with_its_feedback_buttons(seed_index: SearchIndex) -> None:
    service = Service(seed_index)
    reply = run(service, "/troops how many troops", share="/troops how many troops")
    actions = {e.get("action_id") for b in reply.blocks for e in b.get("elements", []) if isinstance(e, dict)}
    assert {SHARE_ACTION, FEEDBACK_ACTION} <= actions
    assert service.logged[0]["found"] is True


def test_no_text_gets_the_surfaces_own_reply_or_help(seed_index: SearchIndex) -> None:
    service = Service(seed_index)
    empty = notice("Ask me a question.")
    assert run(service, "  ", empty=empty) == empty
    assert "/whosaid" in run(service, "").text  # no text and no reply of its own: help
